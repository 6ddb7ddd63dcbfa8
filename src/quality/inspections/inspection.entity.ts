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
import { sqlList } from '../../platform/database/sql-list';
import { INSPECTION_TYPES, type InspectionType } from '../plans/inspection-plan.entity';

/** pending → in_progress (first result) → passed | failed; cancelled while nothing is decided. */
export const INSPECTION_STATUSES = ['pending', 'in_progress', 'passed', 'failed', 'cancelled'] as const;
export type InspectionStatus = (typeof INSPECTION_STATUSES)[number];

/** What made the inspection due. */
export const INSPECTION_TRIGGERS = ['receipt', 'completion', 'count', 'time', 'manual'] as const;
export type InspectionTrigger = (typeof INSPECTION_TRIGGERS)[number];

/** What the decision did to the lot (or why it did nothing): kept with the inspection, never silent. */
export interface LotOutcome {
  lotId: string;
  lotCode: string;
  from: string;
  to: string;
  applied: boolean;
  message: string;
}

/**
 * One inspection (检验单) of a plan: of a lot (IQC, OQC) or of an operation's production (IPQC), with its samples'
 * results. Created when due; idempotent per lot and plan, and per operation, plan and sequence number.
 */
@Entity({ name: 'inspection' })
@Index('ux_inspection_site_code', ['siteId', 'code'], { unique: true })
@Index('ux_inspection_plan_lot', ['planId', 'lotId'], {
  unique: true,
  where: `lot_id IS NOT NULL AND "trigger" IN ('receipt', 'completion')`,
})
@Index('ux_inspection_plan_operation_seq', ['planId', 'operationId', 'sequenceNo'], {
  unique: true,
  where: `operation_id IS NOT NULL`,
})
@Index('ix_inspection_plan_created', ['planId', 'createdAt', 'id'])
@Index('ix_inspection_site_status', ['siteId', 'status', 'dueAt'])
@Index('ix_inspection_work_center_open', ['workCenterId', 'dueAt'], {
  where: `status IN ('pending', 'in_progress')`,
})
@Index('ix_inspection_lot', ['lotId'], { where: 'lot_id IS NOT NULL' })
@Index('ix_inspection_work_order', ['workOrderId'], { where: 'work_order_id IS NOT NULL' })
@Check('ck_inspection_type', `type IN (${sqlList(INSPECTION_TYPES)})`)
@Check('ck_inspection_status', `status IN (${sqlList(INSPECTION_STATUSES)})`)
@Check('ck_inspection_trigger', `"trigger" IN (${sqlList(INSPECTION_TRIGGERS)})`)
@Check(
  'ck_inspection_subject',
  `(type = 'ipqc' AND operation_id IS NOT NULL) OR (type <> 'ipqc' AND lot_id IS NOT NULL)`,
)
@Check('ck_inspection_sample_size', `sample_size >= 1 AND sequence_no >= 1`)
@Check('ck_inspection_decided', `(status IN ('passed', 'failed')) = (decided_at IS NOT NULL)`)
export class Inspection {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_inspection' })
  id: string;

  @ManyToOne('site', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_inspection_site' })
  site?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @ManyToOne('inspection_plan', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'fk_inspection_plan' })
  plan?: object;

  @Column({ type: 'uuid' })
  planId: string;

  @Column({ type: 'varchar', length: 8 })
  type: InspectionType;

  @Column({ type: 'varchar', length: 12, default: 'pending' })
  status: InspectionStatus;

  @Column({ type: 'varchar', length: 12 })
  trigger: InspectionTrigger;

  @ManyToOne('material', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'material_id', foreignKeyConstraintName: 'fk_inspection_material' })
  material?: object;

  @Column({ type: 'uuid' })
  materialId: string;

  @ManyToOne('lot', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'lot_id', foreignKeyConstraintName: 'fk_inspection_lot' })
  lot?: object;

  @Column({ type: 'uuid', nullable: true })
  lotId: string | null;

  @ManyToOne('work_order', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'work_order_id', foreignKeyConstraintName: 'fk_inspection_work_order' })
  workOrder?: object;

  @Column({ type: 'uuid', nullable: true })
  workOrderId: string | null;

  @ManyToOne('work_order_operation', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'operation_id', foreignKeyConstraintName: 'fk_inspection_operation' })
  operation?: object;

  @Column({ type: 'uuid', nullable: true })
  operationId: string | null;

  @Column({ type: 'uuid', nullable: true })
  workCenterId: string | null;

  @Column({ type: 'uuid', nullable: true })
  equipmentId: string | null;

  /** IPQC: the n-th inspection of the operation under this plan; 1 for a lot. */
  @Column({ type: 'int', default: 1 })
  sequenceNo: number;

  @Column({ type: 'int' })
  sampleSize: number;

  @Column({ type: 'timestamptz' })
  dueAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  decidedById: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  decidedByName: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  decisionNote: string | null;

  @Column({ type: 'jsonb', nullable: true })
  lotOutcome: LotOutcome | null;

  /** The NCR a failed inspection opened. */
  @Column({ type: 'uuid', nullable: true })
  ncrId: string | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * One sample's result for one characteristic: a measured value, pass/fail, or a defect count with codes. A sample
 * may be recorded again (a correction) until the inspection is decided; every change is audited.
 */
@Entity({ name: 'inspection_result' })
@Index('ux_inspection_result_sample', ['inspectionId', 'characteristicId', 'sampleNo'], { unique: true })
@Index('ix_inspection_result_characteristic', ['characteristicId', 'recordedAt'])
@Check('ck_inspection_result_sample_no', `sample_no >= 1`)
@Check('ck_inspection_result_one_value', `num_nonnulls(value, passed, defect_count) = 1`)
@Check('ck_inspection_result_defect_count', `defect_count IS NULL OR defect_count >= 0`)
export class InspectionResult {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_inspection_result' })
  id: string;

  @ManyToOne(() => Inspection, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inspection_id', foreignKeyConstraintName: 'fk_inspection_result_inspection' })
  inspection?: Inspection;

  @Column({ type: 'uuid' })
  inspectionId: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne('inspection_characteristic', { onDelete: 'RESTRICT' })
  @JoinColumn({
    name: 'characteristic_id',
    foreignKeyConstraintName: 'fk_inspection_result_characteristic',
  })
  characteristic?: object;

  @Column({ type: 'uuid' })
  characteristicId: string;

  @Column({ type: 'int' })
  sampleNo: number;

  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  value: string | null;

  @Column({ type: 'boolean', nullable: true })
  passed: boolean | null;

  @Column({ type: 'int', nullable: true })
  defectCount: number | null;

  /** Reason-code codes of category `defect` found on the sample. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  defectCodes: string[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Column({ type: 'uuid', nullable: true })
  recordedById: string | null;

  @Column({ type: 'varchar', length: 200 })
  recordedByName: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;

  @VersionColumn({ default: 1 })
  version: number;
}
