import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  VersionColumn,
} from 'typeorm';
import { sqlList } from '../platform/database/sql-list';

/** What a tag means for the machine it belongs to. */
export const TAG_ROLES = ['state', 'good_count', 'scrap_count', 'cycle_time', 'parameter'] as const;
export type TagRole = (typeof TAG_ROLES)[number];

/**
 * How a machine's counts are used: `authority` — they are the operation's quantities (reported on the running
 * operation as the machine counts); `cross_check` — operators report, the machine's count is compared with
 * theirs when the operation completes (a discrepancy raises an alert); `off` — counts only feed meters.
 */
export const COUNT_MODES = ['authority', 'cross_check', 'off'] as const;
export type CountMode = (typeof COUNT_MODES)[number];

/** The states a machine reports (its equipment status follows); `down` and `setup` open downtime. */
export const MACHINE_STATES = ['running', 'idle', 'down', 'setup', 'off'] as const;
export type MachineState = (typeof MACHINE_STATES)[number];

/** A machine connected to the broker: how its counts are used. Its tags hang off it. */
@Entity({ name: 'machine_config' })
@Check('ck_machine_config_count_mode', `count_mode IN (${sqlList(COUNT_MODES)})`)
@Check('ck_machine_config_tolerance', `tolerance_pct >= 0 AND tolerance_qty >= 0`)
export class MachineConfig {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_machine_config' })
  equipmentId: string;

  @ManyToOne('equipment', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'equipment_id', foreignKeyConstraintName: 'fk_machine_config_equipment' })
  equipment?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 12, default: 'cross_check' })
  countMode: CountMode;

  /** Cross-check: a difference up to this share of the operator's total (%) is no discrepancy … */
  @Column({ type: 'numeric', precision: 6, scale: 2, default: 0 })
  tolerancePct: string;

  /** … or up to this many pieces, whichever is larger. */
  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  toleranceQty: string;

  /** Scrap counted by the machine is reported with this scrap reason (authority mode). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  scrapReasonCode: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  @VersionColumn({ default: 1 })
  version: number;
}

/** Which topic and metric carries what about a machine (tag mapping). */
@Entity({ name: 'machine_tag' })
@Index('ux_machine_tag_source_metric', ['source', 'metric'], { unique: true })
@Index('ix_machine_tag_equipment', ['equipmentId'])
@Index('ux_machine_tag_equipment_role', ['equipmentId', 'role'], {
  unique: true,
  where: `role <> 'parameter'`,
})
@Index('ux_machine_tag_equipment_parameter', ['equipmentId', 'parameterName'], {
  unique: true,
  where: `role = 'parameter'`,
})
@Check('ck_machine_tag_role', `role IN (${sqlList(TAG_ROLES)})`)
@Check('ck_machine_tag_parameter', `(role = 'parameter') = (parameter_name IS NOT NULL)`)
@Check('ck_machine_tag_limits', `min_value IS NULL OR max_value IS NULL OR min_value <= max_value`)
export class MachineTag {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_machine_tag' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne(() => MachineConfig, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'equipment_id', foreignKeyConstraintName: 'fk_machine_tag_machine' })
  machine?: MachineConfig;

  @Column({ type: 'uuid' })
  equipmentId: string;

  /** `mom/{site}/{line}/{equipment}/{kind}`, or a Sparkplug device `spBv1.0/{group}/{edge}/{device}`. */
  @Column({ type: 'varchar', length: 300 })
  source: string;

  /** The payload's key (plain JSON) or the Sparkplug metric name. */
  @Column({ type: 'varchar', length: 100 })
  metric: string;

  @Column({ type: 'varchar', length: 16 })
  role: TagRole;

  /** For `parameter`: the routing operation's parameter it measures (limits come from there). */
  @Column({ type: 'varchar', length: 100, nullable: true })
  parameterName: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  unit: string | null;

  /** Limits of its own, used instead of the running operation's. */
  @Column({ type: 'numeric', precision: 24, scale: 9, nullable: true })
  minValue: string | null;

  @Column({ type: 'numeric', precision: 24, scale: 9, nullable: true })
  maxValue: string | null;

  /** For `state`: the machine's own codes to our states, e.g. {"1": "running", "3": "down"}. */
  @Column({ type: 'jsonb', nullable: true })
  stateMap: Record<string, MachineState> | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

/** The latest of each tag: last value, counter position, whether it is outside its limits. */
@Entity({ name: 'machine_tag_state' })
export class MachineTagState {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_machine_tag_state' })
  tagId: string;

  @ManyToOne(() => MachineTag, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tag_id', foreignKeyConstraintName: 'fk_machine_tag_state_tag' })
  tag?: MachineTag;

  @Column({ type: 'timestamptz' })
  lastTs: Date;

  @Column({ type: 'double precision', nullable: true })
  lastValue: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  lastText: string | null;

  /** Counters: the reading deltas were last counted from (reading and its time). */
  @Column({ type: 'double precision', nullable: true })
  counterValue: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  counterTs: Date | null;

  /** Parameters: outside the limits since `alarmSince`. */
  @Column({ type: 'timestamptz', nullable: true })
  alarmSince: Date | null;
}

/** A machine's state and broker connection as machine data last saw them. */
@Entity({ name: 'machine_live_state' })
@Check('ck_machine_live_state_connection', `connection IN ('online', 'offline', 'unknown')`)
export class MachineLiveState {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_machine_live_state' })
  equipmentId: string;

  @ManyToOne(() => MachineConfig, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'equipment_id', foreignKeyConstraintName: 'fk_machine_live_state_machine' })
  machine?: MachineConfig;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 16, nullable: true })
  state: MachineState | null;

  /** Since when the machine has been in `state` (its own timestamp). */
  @Column({ type: 'timestamptz', nullable: true })
  stateSince: Date | null;

  /** The newest state message applied: older ones arriving late are kept in the series only. */
  @Column({ type: 'timestamptz', nullable: true })
  stateTs: Date | null;

  /** From Sparkplug births and deaths; `unknown` for machines that only publish values (plain JSON). */
  @Column({ type: 'varchar', length: 8, default: 'unknown' })
  connection: 'online' | 'offline' | 'unknown';

  @Column({ type: 'timestamptz', default: () => 'now()' })
  connectionSince: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastSeenAt: Date | null;
}

/**
 * The values of every tag over time (append-only; kept MACHINE_DATA_RETENTION_DAYS). The primary key makes a
 * redelivered message a no-op; BRIN indexes keep range scans by time cheap as the table grows.
 */
@Entity({ name: 'machine_tag_value' })
@Index('bx_machine_tag_value_ts', { synchronize: false })
@Index('bx_machine_tag_value_received', { synchronize: false })
export class MachineTagValue {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_machine_tag_value' })
  tagId: string;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'pk_machine_tag_value' })
  ts: Date;

  @Column({ type: 'double precision', nullable: true })
  value: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  text: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;
}

export const ROLLUP_GRAINS = ['minute', 'hour'] as const;
export type RollupGrain = (typeof ROLLUP_GRAINS)[number];

/** Down-sampled numeric values per minute and per hour (kept longer than the raw values). */
@Entity({ name: 'machine_tag_rollup' })
@Check('ck_machine_tag_rollup_grain', `grain IN (${sqlList(ROLLUP_GRAINS)})`)
export class MachineTagRollup {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_machine_tag_rollup' })
  tagId: string;

  @PrimaryColumn({ type: 'varchar', length: 8, primaryKeyConstraintName: 'pk_machine_tag_rollup' })
  grain: RollupGrain;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'pk_machine_tag_rollup' })
  bucket: Date;

  @Column({ type: 'integer' })
  n: number;

  @Column({ type: 'double precision' })
  min: number;

  @Column({ type: 'double precision' })
  max: number;

  @Column({ type: 'double precision' })
  sum: number;

  /** The bucket's first and last value (counters: the reading at each end). */
  @Column({ type: 'double precision' })
  first: number;

  @Column({ type: 'double precision' })
  last: number;
}

/** How far the rollups have read the values (by arrival), so late values are rolled into their buckets too. */
@Entity({ name: 'machine_rollup_cursor' })
export class MachineRollupCursor {
  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'pk_machine_rollup_cursor' })
  name: string;

  @Column({ type: 'timestamptz' })
  doneUntil: Date;
}

/** Topics and metrics seen that no tag maps: counted and listed for whoever sets up the mapping. */
@Entity({ name: 'machine_unknown_tag' })
export class MachineUnknownTag {
  @PrimaryColumn({ type: 'varchar', length: 300, primaryKeyConstraintName: 'pk_machine_unknown_tag' })
  source: string;

  @PrimaryColumn({ type: 'varchar', length: 100, primaryKeyConstraintName: 'pk_machine_unknown_tag' })
  metric: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  siteCode: string | null;

  @Column({ type: 'bigint', default: 0 })
  messages: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  firstSeenAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  lastSeenAt: Date;

  @Column({ type: 'varchar', length: 200, nullable: true })
  lastValue: string | null;
}

/** A message that could not be read (malformed payload, unknown topic shape), kept for diagnosis. */
@Entity({ name: 'machine_rejected_message' })
@Index('ix_machine_rejected_message_time', ['receivedAt'])
export class MachineRejectedMessage {
  @PrimaryGeneratedColumn('increment', {
    type: 'bigint',
    primaryKeyConstraintName: 'pk_machine_rejected_message',
  })
  id: string;

  @Column({ type: 'varchar', length: 500 })
  topic: string;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  /** The start of the payload (printable text or hex). */
  @Column({ type: 'varchar', length: 500 })
  payload: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;
}

/**
 * What a machine counted while an operation ran on it, next to what was reported: the cross-check's evidence
 * (and, in authority mode, what the machine reported itself).
 */
@Entity({ name: 'machine_operation_count' })
@Index('ix_machine_operation_count_equipment', ['equipmentId'])
@Check('ck_machine_operation_count_quantities', `good_qty >= 0 AND scrap_qty >= 0`)
export class MachineOperationCount {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_machine_operation_count' })
  operationId: string;

  @ManyToOne('work_order_operation', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'operation_id', foreignKeyConstraintName: 'fk_machine_operation_count_operation' })
  operation?: object;

  @Column({ type: 'uuid' })
  equipmentId: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  goodQty: string;

  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  scrapQty: string;

  /** Authority mode: what the operation took of it (a refused report — over its limit — is not in here). */
  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  reportedGoodQty: string;

  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  reportedScrapQty: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  lastCountAt: Date;

  /** Cross-check: when the comparison at completion found a discrepancy (null: none, or not compared yet). */
  @Column({ type: 'timestamptz', nullable: true })
  discrepancyAt: Date | null;
}
