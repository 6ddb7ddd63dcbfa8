import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';

/** A pick task as MOM sees it (DESIGN.md): pending → sent → accepted → picking → delivered, or shortage/failed. */
export const PICK_TASK_STATUSES = [
  'pending',
  'sent',
  'accepted',
  'picking',
  'delivered',
  'shortage',
  'failed',
  'cancelled',
] as const;
export type PickTaskStatus = (typeof PICK_TASK_STATUSES)[number];

/** Material the warehouse brings to the line for one released work order. */
@Entity({ name: 'wms_pick_task' })
@Index('ux_wms_pick_task_work_order', ['workOrderId'], { unique: true })
@Index('ix_wms_pick_task_site_status', ['siteId', 'status', 'createdAt'])
@Check(
  'ck_wms_pick_task_status',
  `status IN ('pending', 'sent', 'accepted', 'picking', 'delivered', 'shortage', 'failed', 'cancelled')`,
)
@Check('ck_wms_pick_task_priority', `priority IN ('normal', 'rush')`)
export class PickTask {
  /** The taskId the WMS knows it by. */
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_wms_pick_task' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne('site', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_wms_pick_task_site' })
  site?: object;

  @Column({ type: 'uuid' })
  workOrderId: string;

  @ManyToOne('work_order', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'work_order_id', foreignKeyConstraintName: 'fk_wms_pick_task_work_order' })
  workOrder?: object;

  @Column({ type: 'varchar', length: 64 })
  workOrderCode: string;

  @Column({ type: 'uuid' })
  lineId: string;

  /** The line-side location the material goes to (null when the line has none yet). */
  @Column({ type: 'uuid', nullable: true })
  destinationLocationId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: PickTaskStatus;

  @Column({ type: 'varchar', length: 8 })
  priority: 'normal' | 'rush';

  @Column({ type: 'timestamptz' })
  needBy: Date;

  /** `embedded` (the inventory module picks) or `http` (an external WMS). */
  @Column({ type: 'varchar', length: 16 })
  mode: string;

  @Column({ type: 'int', default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  /** Last thing the warehouse said (shortage text, failure), for the people who follow up. */
  @Column({ type: 'text', nullable: true })
  note: string | null;
}

@Entity({ name: 'wms_pick_task_line' })
@Check('ck_wms_pick_task_line_qty', `quantity > 0 AND delivered_qty >= 0 AND short_qty >= 0`)
export class PickTaskLine {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_wms_pick_task_line' })
  taskId: string;

  @ManyToOne('PickTask', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'fk_wms_pick_task_line_task' })
  task?: object;

  @PrimaryColumn({ type: 'int', primaryKeyConstraintName: 'pk_wms_pick_task_line' })
  lineNo: number;

  @Column({ type: 'uuid' })
  materialId: string;

  @Column({ type: 'varchar', length: 64 })
  materialCode: string;

  @Column({ type: 'varchar', length: 16 })
  unitCode: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  quantity: string;

  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  deliveredQty: string;

  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  shortQty: string;
}
