import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { WorkOrderStatus } from '../engine/work-order-state';

export const WORK_ORDER_PRIORITIES = ['normal', 'rush'] as const;
export type WorkOrderPriority = (typeof WORK_ORDER_PRIORITIES)[number];
export const WORK_ORDER_SOURCES = ['manual', 'erp', 'rework'] as const;
export type WorkOrderSource = (typeof WORK_ORDER_SOURCES)[number];

const STATUS_LIST = `'draft', 'planned', 'released', 'kitting', 'ready', 'running', 'held', 'completed', 'closed', 'cancelled'`;

/** A production order (生产工单): make a quantity of a material by a due date, by a frozen BOM and routing. */
@Entity({ name: 'work_order' })
@Index('ux_work_order_site_code', ['siteId', 'code'], { unique: true })
@Index('ux_work_order_erp', ['siteId', 'erpOrderId', 'erpSegmentId'], {
  unique: true,
  where: 'erp_order_id IS NOT NULL',
})
@Index('ix_work_order_site_status_due', ['siteId', 'status', 'dueAt'])
@Index('ix_work_order_material', ['materialId'])
@Check('ck_work_order_status', `status IN (${STATUS_LIST})`)
@Check('ck_work_order_held_from', `held_from IS NULL OR held_from IN (${STATUS_LIST})`)
@Check('ck_work_order_priority', `priority IN ('normal', 'rush')`)
@Check('ck_work_order_source', `source IN ('manual', 'erp', 'rework')`)
@Check('ck_work_order_quantities', `quantity > 0 AND good_qty >= 0 AND scrap_qty >= 0`)
export class WorkOrder {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_work_order' })
  id: string;

  @ManyToOne('site', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_work_order_site' })
  site?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  /** WO-2026-000123, unique per site. */
  @Column({ type: 'varchar', length: 64 })
  code: string;

  @ManyToOne('material', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'material_id', foreignKeyConstraintName: 'fk_work_order_material' })
  material?: object;

  @Column({ type: 'uuid' })
  materialId: string;

  @ManyToOne('unit_of_measure', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_work_order_unit' })
  unit?: object;

  @Column({ type: 'uuid' })
  unitId: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  quantity: string;

  /** Good and scrap reported at the last operation. */
  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  goodQty: string;

  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  scrapQty: string;

  @Column({ type: 'timestamptz' })
  dueAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  plannedStart: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  plannedEnd: Date | null;

  @Column({ type: 'varchar', length: 8, default: 'normal' })
  priority: WorkOrderPriority;

  @Column({ type: 'varchar', length: 12 })
  status: WorkOrderStatus;

  /** While held: the state to go back to on resume. */
  @Column({ type: 'varchar', length: 12, nullable: true })
  heldFrom: WorkOrderStatus | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  holdReason: string | null;

  @Column({ type: 'varchar', length: 8, default: 'manual' })
  source: WorkOrderSource;

  @Column({ type: 'varchar', length: 64, nullable: true })
  erpOrderId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  erpSegmentId: string | null;

  @ManyToOne('bom', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'bom_id', foreignKeyConstraintName: 'fk_work_order_bom' })
  bom?: object;

  @Column({ type: 'uuid', nullable: true })
  bomId: string | null;

  @Column({ type: 'int', nullable: true })
  bomRevision: number | null;

  @ManyToOne('routing', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'routing_id', foreignKeyConstraintName: 'fk_work_order_routing' })
  routing?: object;

  @Column({ type: 'uuid' })
  routingId: string;

  @Column({ type: 'int' })
  routingRevision: number;

  @ManyToOne('production_line', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'line_id', foreignKeyConstraintName: 'fk_work_order_line' })
  line?: object;

  /** The line it runs on: the first operation's work center line unless set. */
  @Column({ type: 'uuid' })
  lineId: string;

  /** Released although material was short (visible on boards and in the audit trail). */
  @Column({ type: 'boolean', default: false })
  releasedWithShortage: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  releasedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** A material the order needs (工单用料): the BOM's direct components, sized for the order quantity. */
@Entity({ name: 'work_order_material' })
@Index('ux_work_order_material_line', ['workOrderId', 'lineNo'], { unique: true })
@Index('ix_work_order_material_material', ['materialId'])
@Check('ck_work_order_material_quantities', `required_qty > 0 AND issued_qty >= 0`)
@Check('ck_work_order_material_issue_method', `issue_method IN ('manual', 'backflush')`)
export class WorkOrderMaterial {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_work_order_material' })
  id: string;

  @ManyToOne(() => WorkOrder, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'work_order_id', foreignKeyConstraintName: 'fk_work_order_material_work_order' })
  workOrder?: WorkOrder;

  @Column({ type: 'uuid' })
  workOrderId: string;

  @Column({ type: 'int' })
  lineNo: number;

  @ManyToOne('material', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'material_id', foreignKeyConstraintName: 'fk_work_order_material_material' })
  material?: object;

  @Column({ type: 'uuid' })
  materialId: string;

  @Column({ type: 'uuid' })
  unitId: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  requiredQty: string;

  /** Consumed so far (scanned or backflushed). */
  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  issuedQty: string;

  @Column({ type: 'int', nullable: true })
  operationSeq: number | null;

  @Column({ type: 'varchar', length: 10 })
  issueMethod: 'manual' | 'backflush';

  /** Short at release (the kitting picture then), null when covered. */
  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  shortQtyAtRelease: string | null;
}
