import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { sqlList } from '../../platform/database/sql-list';
import { Lot } from './lot.entity';

export const MOVEMENT_TYPES = [
  'receipt',
  'production_receipt',
  'issue',
  'transfer',
  'return',
  'scrap',
  'adjustment',
  'split',
  'merge',
  'shipment',
] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

/** The stock ledger (库存流水): append-only, a trigger refuses UPDATE and DELETE. */
@Entity({ name: 'inventory_movement' })
@Index('ix_inventory_movement_lot', ['lotId', 'occurredAt'])
@Index('ix_inventory_movement_site_time', ['siteId', 'occurredAt'])
@Index('ix_inventory_movement_work_order', ['workOrderId'], { where: 'work_order_id IS NOT NULL' })
@Check('ck_inventory_movement_type', `movement_type IN (${sqlList(MOVEMENT_TYPES)})`)
@Check('ck_inventory_movement_quantity', `quantity > 0`)
@Check('ck_inventory_movement_locations', `from_location_id IS NOT NULL OR to_location_id IS NOT NULL`)
export class InventoryMovement {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_inventory_movement' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 20 })
  movementType: MovementType;

  @ManyToOne(() => Lot, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'lot_id', foreignKeyConstraintName: 'fk_inventory_movement_lot' })
  lot?: Lot;

  @Column({ type: 'uuid' })
  lotId: string;

  @Column({ type: 'uuid' })
  materialId: string;

  /** Always positive; the direction is from → to. */
  @Column({ type: 'numeric', precision: 18, scale: 6 })
  quantity: string;

  @Column({ type: 'uuid', nullable: true })
  fromLocationId: string | null;

  @Column({ type: 'uuid', nullable: true })
  toLocationId: string | null;

  @Column({ type: 'uuid', nullable: true })
  workOrderId: string | null;

  @Column({ type: 'uuid', nullable: true })
  operationId: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reference: string | null;

  /** Why (scrap, return of defectives, adjustment): a reason code of the site. */
  @ManyToOne('reason_code', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'reason_code_id', foreignKeyConstraintName: 'fk_inventory_movement_reason_code' })
  reasonCode?: object;

  @Column({ type: 'uuid', nullable: true })
  reasonCodeId: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Column({ type: 'varchar', length: 16 })
  actorType: string;

  @Column({ type: 'varchar', length: 100 })
  actorId: string;

  @Column({ type: 'varchar', length: 200 })
  actorName: string;

  @Column({ type: 'varchar', length: 100 })
  correlationId: string;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  occurredAt: Date;
}
