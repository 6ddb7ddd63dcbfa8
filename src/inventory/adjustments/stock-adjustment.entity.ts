import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const ADJUSTMENT_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type AdjustmentStatus = (typeof ADJUSTMENT_STATUSES)[number];
export type AdjustmentSource = 'count' | 'wms';

/**
 * A stock adjustment (盘点调整): a count found a lot at a location differing from the book. It waits for a
 * warehouse supervisor; only approval moves stock (an `adjustment` movement by the difference found).
 */
@Entity({ name: 'stock_adjustment' })
@Index('ux_stock_adjustment_code', ['siteId', 'code'], { unique: true })
@Index('ux_stock_adjustment_pending', ['lotId', 'locationId'], { unique: true, where: "status = 'pending'" })
@Index('ix_stock_adjustment_site_status', ['siteId', 'status', 'requestedAt'])
@Check('ck_stock_adjustment_status', `status IN ('pending', 'approved', 'rejected')`)
@Check('ck_stock_adjustment_source', `source IN ('count', 'wms')`)
@Check('ck_stock_adjustment_quantities', `book_qty >= 0 AND counted_qty >= 0 AND delta_qty <> 0`)
export class StockAdjustment {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_stock_adjustment' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  /** ADJ-000001, per site. */
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'varchar', length: 10, default: 'pending' })
  status: AdjustmentStatus;

  @Column({ type: 'varchar', length: 8 })
  source: AdjustmentSource;

  @Column({ type: 'uuid' })
  lotId: string;

  @Column({ type: 'varchar', length: 64 })
  lotCode: string;

  @Column({ type: 'uuid' })
  materialId: string;

  @Column({ type: 'uuid' })
  locationId: string;

  /** The book quantity when counted. */
  @Column({ type: 'numeric', precision: 18, scale: 6 })
  bookQty: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  countedQty: string;

  /** counted − book: what approval adds (positive) or takes away (negative). */
  @Column({ type: 'numeric', precision: 18, scale: 6 })
  deltaQty: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Column({ type: 'varchar', length: 100 })
  requestedById: string;

  @Column({ type: 'varchar', length: 200 })
  requestedByName: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  requestedAt: Date;

  @Column({ type: 'varchar', length: 100, nullable: true })
  decidedById: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  decidedByName: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  decisionNote: string | null;

  /** The ledger row approval wrote. */
  @Column({ type: 'bigint', nullable: true })
  movementId: string | null;

  @Column({ type: 'int', default: 1 })
  version: number;
}
