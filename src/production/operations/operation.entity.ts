import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  VersionColumn,
} from 'typeorm';
import type { OperationStatus } from '../engine/operation-state';
import { WorkOrder } from '../work-orders/work-order.entity';

export interface OperationParameter {
  name: string;
  unit?: string;
  min?: number;
  max?: number;
}

export interface OperationEquipmentOption {
  equipmentId: string;
  runTimePerUnitSec: string;
  setupTimeSec: string;
  setupFamily: string | null;
}

/**
 * One step of a work order (job order, 工序任务), copied from the routing when the order was created so later
 * routing changes never touch running work. Quantities change only through guarded atomic SQL.
 */
@Entity({ name: 'work_order_operation' })
@Index('ux_work_order_operation_seq', ['workOrderId', 'seq'], { unique: true })
@Index('ix_work_order_operation_work_center_status', ['workCenterId', 'status'])
@Index('ix_work_order_operation_site_status', ['siteId', 'status'])
@Check('ck_work_order_operation_status', `status IN ('waiting', 'ready', 'running', 'paused', 'completed')`)
@Check(
  'ck_work_order_operation_quantities',
  `planned_qty > 0 AND good_qty >= 0 AND scrap_qty >= 0 AND good_qty + scrap_qty <= max_qty`,
)
export class WorkOrderOperation {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_work_order_operation' })
  id: string;

  @ManyToOne(() => WorkOrder, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'work_order_id', foreignKeyConstraintName: 'fk_work_order_operation_work_order' })
  workOrder?: WorkOrder;

  @Column({ type: 'uuid' })
  workOrderId: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'int' })
  seq: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  nameZh: string | null;

  @ManyToOne('work_center', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'work_center_id', foreignKeyConstraintName: 'fk_work_order_operation_work_center' })
  workCenter?: object;

  @Column({ type: 'uuid' })
  workCenterId: string;

  /** The previous operation (by seq), null for the first. */
  @Column({ type: 'uuid', nullable: true })
  predecessorId: string | null;

  @Column({ type: 'varchar', length: 12 })
  status: OperationStatus;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  plannedQty: string;

  /** planned × (1 + site tolerance) at release; the database refuses good + scrap above it. */
  @Column({ type: 'numeric', precision: 18, scale: 6 })
  maxQty: string;

  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  goodQty: string;

  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  scrapQty: string;

  /** The next operation may start once this many good units are done; whole quantity when null. */
  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  minTransferQty: string | null;

  @Column({ type: 'text', nullable: true })
  instructions: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  parameters: OperationParameter[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  attachments: Array<{ title: string; url: string }>;

  @Column({ type: 'boolean', default: false })
  inspectionPoint: boolean;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  equipmentOptions: OperationEquipmentOption[];

  /** The machine it runs (or last ran) on. */
  @ManyToOne('equipment', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'equipment_id', foreignKeyConstraintName: 'fk_work_order_operation_equipment' })
  equipment?: object;

  @Column({ type: 'uuid', nullable: true })
  equipmentId: string | null;

  /** From the published schedule (planning): machine, times and position in the machine's queue. */
  @Column({ type: 'uuid', nullable: true })
  scheduledEquipmentId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  scheduledStart: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  scheduledEnd: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastReportAt: Date | null;

  @VersionColumn({ default: 1 })
  version: number;
}

/** An operator working on an operation, from sign-on to sign-off (labour time). */
@Entity({ name: 'operation_labor' })
@Index('ux_operation_labor_open', ['operationId', 'operatorId'], { unique: true, where: 'ended_at IS NULL' })
@Index('ix_operation_labor_operator_open', ['operatorId'], { where: 'ended_at IS NULL' })
@Index('ix_operation_labor_operation', ['operationId'])
@Check('ck_operation_labor_times', `ended_at IS NULL OR ended_at >= started_at`)
export class OperationLabor {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_operation_labor' })
  id: string;

  @ManyToOne(() => WorkOrderOperation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'operation_id', foreignKeyConstraintName: 'fk_operation_labor_operation' })
  operation?: WorkOrderOperation;

  @Column({ type: 'uuid' })
  operationId: string;

  @ManyToOne('app_user', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'operator_id', foreignKeyConstraintName: 'fk_operation_labor_operator' })
  operator?: object;

  @Column({ type: 'uuid' })
  operatorId: string;

  @Column({ type: 'varchar', length: 200 })
  operatorName: string;

  @Column({ type: 'uuid', nullable: true })
  terminalId: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}

/** A pause of a running operation, with its reason (停机/暂停原因). */
@Entity({ name: 'operation_pause' })
@Index('ux_operation_pause_open', ['operationId'], { unique: true, where: 'ended_at IS NULL' })
@Check('ck_operation_pause_times', `ended_at IS NULL OR ended_at >= started_at`)
export class OperationPause {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_operation_pause' })
  id: string;

  @ManyToOne(() => WorkOrderOperation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'operation_id', foreignKeyConstraintName: 'fk_operation_pause_operation' })
  operation?: WorkOrderOperation;

  @Column({ type: 'uuid' })
  operationId: string;

  @ManyToOne('reason_code', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'reason_code_id', foreignKeyConstraintName: 'fk_operation_pause_reason_code' })
  reasonCode?: object;

  @Column({ type: 'uuid' })
  reasonCodeId: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ type: 'uuid' })
  pausedBy: string;
}

/** One quantity report from the shop floor (报工). The operation's totals are the sum of these. */
@Entity({ name: 'operation_report' })
@Index('ix_operation_report_operation', ['operationId', 'reportedAt'])
@Index('ix_operation_report_site_time', ['siteId', 'reportedAt'])
@Index('ix_operation_report_equipment_time', ['equipmentId', 'reportedAt'], {
  where: 'equipment_id IS NOT NULL',
})
@Check('ck_operation_report_quantities', `good_qty >= 0 AND scrap_qty >= 0 AND good_qty + scrap_qty > 0`)
@Check('ck_operation_report_scrap_reason', `scrap_qty = 0 OR scrap_reason_code_id IS NOT NULL`)
@Check('ck_operation_report_source', `source IN ('terminal', 'machine')`)
@Check('ck_operation_report_operator', `source = 'machine' OR operator_id IS NOT NULL`)
export class OperationReport {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_operation_report' })
  id: string;

  @ManyToOne(() => WorkOrderOperation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'operation_id', foreignKeyConstraintName: 'fk_operation_report_operation' })
  operation?: WorkOrderOperation;

  @Column({ type: 'uuid' })
  operationId: string;

  @Column({ type: 'uuid' })
  workOrderId: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  goodQty: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  scrapQty: string;

  @ManyToOne('reason_code', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'scrap_reason_code_id', foreignKeyConstraintName: 'fk_operation_report_scrap_reason' })
  scrapReasonCode?: object;

  @Column({ type: 'uuid', nullable: true })
  scrapReasonCodeId: string | null;

  @Column({ type: 'uuid', nullable: true })
  equipmentId: string | null;

  /** Who reported it; null when the machine's counter did (machine counts as the authority). */
  @Column({ type: 'uuid', nullable: true })
  operatorId: string | null;

  @Column({ type: 'uuid', nullable: true })
  terminalId: string | null;

  /** `terminal` (an operator's report) or `machine` (counted by the machine). */
  @Column({ type: 'varchar', length: 12, default: 'terminal' })
  source: 'terminal' | 'machine';

  @Column({ type: 'timestamptz', default: () => 'now()' })
  reportedAt: Date;
}

/** Which lot went into which operation (genealogy input): scanned at the terminal or backflushed. */
@Entity({ name: 'material_consumption' })
@Index('ix_material_consumption_operation', ['operationId'])
@Index('ix_material_consumption_work_order', ['workOrderId'])
@Index('ix_material_consumption_lot', ['lotId'])
@Check('ck_material_consumption_quantity', `quantity > 0`)
@Check('ck_material_consumption_method', `method IN ('scan', 'backflush')`)
export class MaterialConsumption {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_material_consumption' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne(() => WorkOrder, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'work_order_id', foreignKeyConstraintName: 'fk_material_consumption_work_order' })
  workOrder?: WorkOrder;

  @Column({ type: 'uuid' })
  workOrderId: string;

  @ManyToOne(() => WorkOrderOperation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'operation_id', foreignKeyConstraintName: 'fk_material_consumption_operation' })
  operation?: WorkOrderOperation;

  @Column({ type: 'uuid' })
  operationId: string;

  /** The order's material line it counts against; null for a material not on the BOM (substitute). */
  @Column({ type: 'uuid', nullable: true })
  requirementId: string | null;

  @Column({ type: 'uuid' })
  materialId: string;

  @ManyToOne('lot', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'lot_id', foreignKeyConstraintName: 'fk_material_consumption_lot' })
  lot?: object;

  @Column({ type: 'uuid' })
  lotId: string;

  @Column({ type: 'varchar', length: 64 })
  lotCode: string;

  @Column({ type: 'uuid' })
  locationId: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  quantity: string;

  @Column({ type: 'varchar', length: 10 })
  method: 'scan' | 'backflush';

  @Column({ type: 'uuid', nullable: true })
  operatorId: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  consumedAt: Date;
}
