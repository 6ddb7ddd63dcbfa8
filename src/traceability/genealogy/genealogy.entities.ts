import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { sqlList } from '../../platform/database/sql-list';

/** What made a lot out of another: a work order consumed it, a supplier processed it, or it was split or merged. */
export const GENEALOGY_EDGE_KINDS = ['production', 'outsourcing', 'split', 'merge'] as const;
export type GenealogyEdgeKind = (typeof GENEALOGY_EDGE_KINDS)[number];

/**
 * The genealogy graph (谱系): `quantity` of the parent lot went into the child lot. Written in the same
 * transaction as the stock movement that makes the link, so the graph never lags the ledger.
 */
@Entity({ name: 'genealogy_edge' })
@Index('ux_genealogy_edge', ['parentLotId', 'childLotId', 'kind'], { unique: true })
// The walks: one lot's edges at the sites a user may see, answered from the index alone (no table reads).
@Index('ix_genealogy_edge_child', ['childLotId', 'siteId', 'parentLotId'])
@Index('ix_genealogy_edge_parent', ['parentLotId', 'siteId', 'childLotId'])
@Index('ix_genealogy_edge_work_order', ['workOrderId'], { where: 'work_order_id IS NOT NULL' })
@Check('ck_genealogy_edge_kind', `kind IN (${sqlList(GENEALOGY_EDGE_KINDS)})`)
@Check('ck_genealogy_edge_quantity', `quantity > 0`)
@Check('ck_genealogy_edge_distinct', `parent_lot_id <> child_lot_id`)
@Check('ck_genealogy_edge_work_order', `(kind = 'production') = (work_order_id IS NOT NULL)`)
export class GenealogyEdge {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_genealogy_edge' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne('lot', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_lot_id', foreignKeyConstraintName: 'fk_genealogy_edge_parent' })
  parentLot?: object;

  @Column({ type: 'uuid' })
  parentLotId: string;

  @ManyToOne('lot', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'child_lot_id', foreignKeyConstraintName: 'fk_genealogy_edge_child' })
  childLot?: object;

  @Column({ type: 'uuid' })
  childLotId: string;

  @Column({ type: 'varchar', length: 16 })
  kind: GenealogyEdgeKind;

  /** How much of the parent went into the child, in the parent's unit. */
  @Column({ type: 'numeric', precision: 18, scale: 6 })
  quantity: string;

  /** production: the work order that consumed the parent and produced the child. */
  @Column({ type: 'uuid', nullable: true })
  workOrderId: string | null;

  /** production: the operation that consumed the parent (the last one, when several did). */
  @Column({ type: 'uuid', nullable: true })
  operationId: string | null;

  /** outsourcing: the outsourcing order. */
  @Column({ type: 'uuid', nullable: true })
  referenceId: string | null;

  /** When the link was made (first, when quantities were added later). */
  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  occurredAt: Date;
}

/**
 * As-built (装配记录): a component's serial number went into a finished unit's serial number, in a work order.
 * A unit may be taken out again (repair): the link is kept, marked removed, and the component may be fitted
 * elsewhere.
 */
@Entity({ name: 'serial_link' })
@Index('ux_serial_link_component', ['componentSerialId'], { unique: true, where: 'removed_at IS NULL' })
@Index('ix_serial_link_unit', ['unitSerialId'])
@Index('ix_serial_link_work_order', ['workOrderId'])
@Check('ck_serial_link_distinct', `component_serial_id <> unit_serial_id`)
export class SerialLink {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_serial_link' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne('serial_number', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'component_serial_id', foreignKeyConstraintName: 'fk_serial_link_component' })
  componentSerial?: object;

  @Column({ type: 'uuid' })
  componentSerialId: string;

  @ManyToOne('serial_number', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'unit_serial_id', foreignKeyConstraintName: 'fk_serial_link_unit' })
  unitSerial?: object;

  @Column({ type: 'uuid' })
  unitSerialId: string;

  @Column({ type: 'uuid' })
  componentLotId: string;

  @Column({ type: 'uuid' })
  unitLotId: string;

  @Column({ type: 'uuid' })
  workOrderId: string;

  @Column({ type: 'uuid', nullable: true })
  operationId: string | null;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  recordedAt: Date;

  @Column({ type: 'varchar', length: 200 })
  recordedBy: string;

  @Column({ type: 'timestamptz', nullable: true })
  removedAt: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  removedBy: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  removalReason: string | null;
}
