import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Whether a material's available stock at a site is below its safety level, as last seen. The safety-stock
 * event fires only when this flips, so stock hovering below the line raises one alert, not one per movement.
 */
@Entity({ name: 'safety_stock_state' })
export class SafetyStockState {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_safety_stock_state' })
  siteId: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_safety_stock_state' })
  materialId: string;

  @Column({ type: 'boolean' })
  below: boolean;

  /** Available quantity when the state last flipped. */
  @Column({ type: 'numeric', precision: 18, scale: 6 })
  availableQty: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  changedAt: Date;
}
