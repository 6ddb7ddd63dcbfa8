import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { WorkOrderOperation } from '../operations/operation.entity';

/** A process parameter value (工艺参数) recorded against a running operation, checked against its limits. */
@Entity({ name: 'process_reading' })
@Index('ix_process_reading_operation', ['operationId', 'recordedAt'])
@Index('ix_process_reading_equipment', ['equipmentId', 'recordedAt'], { where: 'equipment_id IS NOT NULL' })
export class ProcessReading {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_process_reading' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne(() => WorkOrderOperation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'operation_id', foreignKeyConstraintName: 'fk_process_reading_operation' })
  operation?: WorkOrderOperation;

  @Column({ type: 'uuid' })
  operationId: string;

  @Column({ type: 'uuid' })
  workOrderId: string;

  @Column({ type: 'uuid', nullable: true })
  equipmentId: string | null;

  @Column({ type: 'uuid', nullable: true })
  operatorId: string | null;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'numeric', precision: 24, scale: 9 })
  value: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  unit: string | null;

  @Column({ type: 'numeric', precision: 24, scale: 9, nullable: true })
  minValue: string | null;

  @Column({ type: 'numeric', precision: 24, scale: 9, nullable: true })
  maxValue: string | null;

  @Column({ type: 'boolean' })
  inRange: boolean;

  @Column({ type: 'timestamptz' })
  recordedAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

/** A machine stop (停机) with its reason; at most one open per machine. */
@Entity({ name: 'downtime_event' })
@Index('ux_downtime_event_open', ['equipmentId'], { unique: true, where: 'ended_at IS NULL' })
@Index('ix_downtime_event_site_time', ['siteId', 'startedAt'])
@Check('ck_downtime_event_times', `ended_at IS NULL OR ended_at >= started_at`)
@Check('ck_downtime_event_source', `source IN ('operator', 'machine')`)
@Check(
  'ck_downtime_event_classified',
  `source = 'machine' OR (reason_code_id IS NOT NULL AND started_by IS NOT NULL)`,
)
export class DowntimeEvent {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_downtime_event' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne('equipment', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'equipment_id', foreignKeyConstraintName: 'fk_downtime_event_equipment' })
  equipment?: object;

  @Column({ type: 'uuid' })
  equipmentId: string;

  @Column({ type: 'uuid' })
  workCenterId: string;

  @ManyToOne('reason_code', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'reason_code_id', foreignKeyConstraintName: 'fk_downtime_event_reason_code' })
  reasonCode?: object;

  /** Null while a stop the machine reported waits for the operator to classify it. */
  @Column({ type: 'uuid', nullable: true })
  reasonCodeId: string | null;

  /** `operator` (terminal, andon) or `machine` (its state from machine data). */
  @Column({ type: 'varchar', length: 12, default: 'operator' })
  source: 'operator' | 'machine';

  /** The machine's own state that opened a machine-reported stop (`down`, `setup`). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  machineState: string | null;

  /** downtime_planned or downtime_unplanned, copied from the reason (OEE counts them differently). */
  @Column({ type: 'varchar', length: 24 })
  category: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  /** The machine's status before the stop, restored when it ends. */
  @Column({ type: 'varchar', length: 16 })
  previousEquipmentStatus: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  /** Who stopped it; null when the machine reported the stop. */
  @Column({ type: 'uuid', nullable: true })
  startedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  classifiedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  classifiedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  endedBy: string | null;
}

export const ANDON_KINDS = ['material', 'quality', 'maintenance', 'help'] as const;
export type AndonKind = (typeof ANDON_KINDS)[number];
export const ANDON_STATES = ['raised', 'acknowledged', 'resolved'] as const;
export type AndonState = (typeof ANDON_STATES)[number];

/** An andon call (安灯): someone at a work center needs material, quality, maintenance or help now. */
@Entity({ name: 'andon_call' })
@Index('ix_andon_call_site_state', ['siteId', 'state', 'raisedAt'])
@Index('ix_andon_call_work_center', ['workCenterId', 'raisedAt'])
@Check('ck_andon_call_kind', `kind IN ('material', 'quality', 'maintenance', 'help')`)
@Check('ck_andon_call_state', `state IN ('raised', 'acknowledged', 'resolved')`)
export class AndonCall {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_andon_call' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 12 })
  kind: AndonKind;

  @Column({ type: 'varchar', length: 12 })
  state: AndonState;

  @ManyToOne('work_center', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'work_center_id', foreignKeyConstraintName: 'fk_andon_call_work_center' })
  workCenter?: object;

  @Column({ type: 'uuid' })
  workCenterId: string;

  @Column({ type: 'uuid' })
  lineId: string;

  @Column({ type: 'uuid', nullable: true })
  equipmentId: string | null;

  @Column({ type: 'uuid', nullable: true })
  operationId: string | null;

  @Column({ type: 'uuid', nullable: true })
  workOrderId: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  message: string | null;

  /** A breakdown: the machine stopped with this call (downtime started, running operations paused). */
  @Column({ type: 'boolean', default: false })
  machineDown: boolean;

  @Column({ type: 'uuid', nullable: true })
  downtimeId: string | null;

  @Column({ type: 'uuid' })
  raisedBy: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  raisedAt: Date;

  @Column({ type: 'uuid', nullable: true })
  acknowledgedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  resolvedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  resolution: string | null;
}
