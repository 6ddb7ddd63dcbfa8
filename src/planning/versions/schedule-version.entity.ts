import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { sqlList } from '../../platform/database/sql-list';
import type { PlanObjective } from '../engine/model';
import type { ProgressView, ScheduleKpis } from '../model/plan-outcome';
import type { PlanSnapshot, PlanWarning } from '../model/plan-snapshot';
import type { ScenarioChange } from '../model/scenario-changes';

export const SCHEDULE_VERSION_KINDS = ['live', 'scenario'] as const;
export type ScheduleVersionKind = (typeof SCHEDULE_VERSION_KINDS)[number];

/**
 * draft (a what-if being edited) → queued → running → succeeded | failed | cancelled; a succeeded version
 * may be published (the live plan; the one before becomes superseded) or, as a what-if, discarded.
 */
export const SCHEDULE_VERSION_STATUSES = [
  'draft',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'published',
  'superseded',
  'discarded',
] as const;
export type ScheduleVersionStatus = (typeof SCHEDULE_VERSION_STATUSES)[number];

export const PLAN_OBJECTIVES: readonly PlanObjective[] = ['makespan', 'tardiness', 'tardiness-then-makespan'];

/**
 * One schedule (排产版本): a run of the APS engine over the site's open work — a live candidate, a rush
 * insertion (a live candidate with its rush order) or a what-if scenario — with the model it was computed from,
 * its progress while it runs, its KPIs and, once published, the live plan dispatch lists follow.
 */
@Entity({ name: 'schedule_version' })
@Index('ux_schedule_version_site_code', ['siteId', 'code'], { unique: true })
@Index('ux_schedule_version_site_number', ['siteId', 'number'], { unique: true })
@Index('ux_schedule_version_site_published', ['siteId'], { unique: true, where: `status = 'published'` })
@Index('ix_schedule_version_site_created', ['siteId', 'createdAt'])
@Index('ix_schedule_version_active', ['status', 'heartbeatAt'], { where: `status IN ('queued', 'running')` })
@Check('ck_schedule_version_kind', `kind IN (${sqlList(SCHEDULE_VERSION_KINDS)})`)
@Check('ck_schedule_version_status', `status IN (${sqlList(SCHEDULE_VERSION_STATUSES)})`)
@Check('ck_schedule_version_objective', `objective IN (${sqlList(PLAN_OBJECTIVES)})`)
@Check('ck_schedule_version_budget', `budget_seconds BETWEEN 1 AND 600`)
@Check('ck_schedule_version_frozen_horizon', `frozen_horizon_minutes >= 0`)
@Check('ck_schedule_version_rush', `rush_work_order_id IS NULL OR kind = 'live'`)
@Check(
  'ck_schedule_version_published',
  `(published_at IS NOT NULL) = (status IN ('published', 'superseded'))`,
)
export class ScheduleVersion {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_schedule_version' })
  id: string;

  @ManyToOne('site', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_schedule_version_site' })
  site?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  /** 1, 2, 3 … per site (the `version` terminals are told). */
  @Column({ type: 'int' })
  number: number;

  /** SCH-2026-0001, unique per site. */
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'varchar', length: 10 })
  kind: ScheduleVersionKind;

  @Column({ type: 'varchar', length: 12 })
  status: ScheduleVersionStatus;

  /** A what-if's name ("Saturday overtime on the lathes"). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  notes: string | null;

  /** The version a what-if was copied from. */
  @ManyToOne(() => ScheduleVersion, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'based_on_id', foreignKeyConstraintName: 'fk_schedule_version_based_on' })
  basedOn?: ScheduleVersion;

  @Column({ type: 'uuid', nullable: true })
  basedOnId: string | null;

  /** The live plan when this version was made: what it is compared with, and what it may replace. */
  @ManyToOne(() => ScheduleVersion, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'baseline_id', foreignKeyConstraintName: 'fk_schedule_version_baseline' })
  baseline?: ScheduleVersion;

  @Column({ type: 'uuid', nullable: true })
  baselineId: string | null;

  /** A rush insertion: the order inserted (made rush when the version is applied). */
  @ManyToOne('work_order', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'rush_work_order_id', foreignKeyConstraintName: 'fk_schedule_version_rush_work_order' })
  rushWorkOrder?: object;

  @Column({ type: 'uuid', nullable: true })
  rushWorkOrderId: string | null;

  /**
   * Published as soon as it succeeds, while its baseline is still the live plan (the re-plan queued when a
   * machine breaks down); otherwise a planner publishes.
   */
  @Column({ type: 'boolean', default: false })
  autoPublish: boolean;

  @Column({ type: 'varchar', length: 32 })
  objective: PlanObjective;

  /** The engine's improvement time. */
  @Column({ type: 'int' })
  budgetSeconds: number;

  @Column({ type: 'int' })
  seed: number;

  @Column({ type: 'int', default: 0 })
  frozenHorizonMinutes: number;

  /** Only these orders (null: every open order of the site). */
  @Column({ type: 'uuid', array: true, nullable: true })
  workOrderIds: string[] | null;

  /** A what-if's edits, in order. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  changes: ScenarioChange[];

  /** Minute 0 of the plan. */
  @Column({ type: 'timestamptz', nullable: true })
  origin: Date | null;

  /** What the engine was given (the model, with what its ids mean); read only when needed. */
  @Column({ type: 'jsonb', nullable: true, select: false })
  model: PlanSnapshot | null;

  @Column({ type: 'jsonb', nullable: true })
  progress: ProgressView | null;

  @Column({ type: 'jsonb', nullable: true })
  kpis: ScheduleKpis | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  warnings: PlanWarning[];

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'int', nullable: true })
  iterations: number | null;

  @Column({ type: 'int', nullable: true })
  elapsedMs: number | null;

  /** The instance running it, and when it last reported (a stale heartbeat means the run was lost). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  runner: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  heartbeatAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  /** Who asked for it (a user or an API client id; no foreign key, like the audit trail's actor). */
  @Column({ type: 'varchar', length: 100 })
  createdById: string;

  @Column({ type: 'varchar', length: 200 })
  createdByName: string;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  publishedById: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  publishedByName: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** Where and when a schedule version puts one operation (the Gantt bar; published: the dispatch order). */
@Entity({ name: 'schedule_assignment' })
@Index('ix_schedule_assignment_version_equipment', ['versionId', 'equipmentId', 'startsAt'])
@Index('ix_schedule_assignment_version_work_order', ['versionId', 'workOrderId'])
@Index('ix_schedule_assignment_operation', ['operationId'])
@Check('ck_schedule_assignment_times', `setup_starts_at <= starts_at AND starts_at < ends_at`)
@Check('ck_schedule_assignment_position', `position >= 1`)
export class ScheduleAssignment {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_schedule_assignment' })
  versionId: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_schedule_assignment' })
  operationId: string;

  @ManyToOne(() => ScheduleVersion, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'version_id', foreignKeyConstraintName: 'fk_schedule_assignment_version' })
  version?: ScheduleVersion;

  /** Cascade: an order's operations are rebuilt when its quantity changes before release. */
  @ManyToOne('work_order_operation', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'operation_id', foreignKeyConstraintName: 'fk_schedule_assignment_operation' })
  operation?: object;

  @ManyToOne('work_order', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'work_order_id', foreignKeyConstraintName: 'fk_schedule_assignment_work_order' })
  workOrder?: object;

  @Column({ type: 'uuid' })
  workOrderId: string;

  @ManyToOne('equipment', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'equipment_id', foreignKeyConstraintName: 'fk_schedule_assignment_equipment' })
  equipment?: object;

  @Column({ type: 'uuid' })
  equipmentId: string;

  @Column({ type: 'int' })
  position: number;

  @Column({ type: 'timestamptz' })
  setupStartsAt: Date;

  @Column({ type: 'timestamptz' })
  startsAt: Date;

  @Column({ type: 'timestamptz' })
  endsAt: Date;

  /** Kept its machine and start (running, or inside the frozen horizon). */
  @Column({ type: 'boolean', default: false })
  frozen: boolean;
}
