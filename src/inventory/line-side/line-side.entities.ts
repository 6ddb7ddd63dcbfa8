import {
  Check,
  Column,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** Min/max of a material at a line-side location (线边库): below min, a replenishment up to max is requested. */
@Entity({ name: 'line_stock_level' })
@Index('ix_line_stock_level_site', ['siteId'])
@Check('ck_line_stock_level_quantities', `min_qty >= 0 AND max_qty > min_qty`)
export class LineStockLevel {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_line_stock_level' })
  locationId: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_line_stock_level' })
  materialId: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  minQty: string;

  /** Replenishment fills up to this. */
  @Column({ type: 'numeric', precision: 18, scale: 6 })
  maxQty: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'int', default: 1 })
  version: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

export const LINE_REPLENISHMENT_STATUSES = ['open', 'delivered', 'short', 'cancelled'] as const;
export type LineReplenishmentStatus = (typeof LINE_REPLENISHMENT_STATUSES)[number];

/** A request to bring a material to a line-side location (补料), from the JIT min/max or by hand. */
@Entity({ name: 'line_replenishment' })
@Index('ux_line_replenishment_code', ['siteId', 'code'], { unique: true })
@Index('ux_line_replenishment_open', ['locationId', 'materialId'], { unique: true, where: "status = 'open'" })
@Index('ix_line_replenishment_site_status', ['siteId', 'status', 'createdAt'])
@Check('ck_line_replenishment_status', `status IN ('open', 'delivered', 'short', 'cancelled')`)
@Check('ck_line_replenishment_quantities', `requested_qty > 0 AND delivered_qty >= 0`)
export class LineReplenishment {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_line_replenishment' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  /** LR-000001, per site. */
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'uuid' })
  locationId: string;

  @Column({ type: 'uuid', nullable: true })
  lineId: string | null;

  @Column({ type: 'uuid' })
  materialId: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  requestedQty: string;

  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  deliveredQty: string;

  /** What was at the location when it was requested. */
  @Column({ type: 'numeric', precision: 18, scale: 6 })
  availableQtyAtRequest: string;

  @Column({ type: 'varchar', length: 10, default: 'open' })
  status: LineReplenishmentStatus;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ type: 'int', default: 1 })
  version: number;
}
