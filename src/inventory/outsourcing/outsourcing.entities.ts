import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const OUTSOURCING_STATUSES = ['open', 'sent', 'partially_received', 'received', 'cancelled'] as const;
export type OutsourcingStatus = (typeof OUTSOURCING_STATUSES)[number];

/**
 * An outsourcing order (委外): material is sent to a supplier's location for a process (heat treatment,
 * plating …) and the processed goods come back as new lots, linked to what was sent (genealogy).
 */
@Entity({ name: 'outsourcing_order' })
@Index('ux_outsourcing_order_code', ['siteId', 'code'], { unique: true })
@Index('ix_outsourcing_order_site_status', ['siteId', 'status', 'createdAt'])
@Check(
  'ck_outsourcing_order_status',
  `status IN ('open', 'sent', 'partially_received', 'received', 'cancelled')`,
)
@Check('ck_outsourcing_order_quantities', `expected_qty > 0 AND received_qty >= 0`)
export class OutsourcingOrder {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_outsourcing_order' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  /** OS-000001, per site. */
  @Column({ type: 'varchar', length: 32 })
  code: string;

  /** The supplier's location (type `supplier`); the supplier is its partner. */
  @Column({ type: 'uuid' })
  supplierLocationId: string;

  @Column({ type: 'uuid', nullable: true })
  supplierId: string | null;

  /** What the supplier does, e.g. "Heat treatment 热处理". */
  @Column({ type: 'varchar', length: 200 })
  process: string;

  @Column({ type: 'uuid' })
  outputMaterialId: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  expectedQty: string;

  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  receivedQty: string;

  @Column({ type: 'varchar', length: 20, default: 'open' })
  status: OutsourcingStatus;

  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ type: 'int', default: 1 })
  version: number;
}

/** Lot genealogy (谱系) edge: quantity of a parent lot that went into a child lot. */
@Entity({ name: 'lot_link' })
@Index('ix_lot_link_parent', ['parentLotId'])
@Index('ix_lot_link_child', ['childLotId'])
@Check('ck_lot_link_quantity', `quantity > 0`)
@Check('ck_lot_link_distinct', `parent_lot_id <> child_lot_id`)
export class LotLink {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_lot_link' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'uuid' })
  parentLotId: string;

  @Column({ type: 'uuid' })
  childLotId: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  quantity: string;

  /** What made the link, e.g. `outsourcing_order`. */
  @Column({ type: 'varchar', length: 40 })
  referenceType: string;

  @Column({ type: 'uuid' })
  referenceId: string;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  createdAt: Date;
}
