import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { Condition } from './engine/rule-engine';
import type { RuleAction, RuleTrigger } from './rule-definition';

/**
 * A site's rule (业务规则): a trigger, conditions and actions, stored as JSON and edited by an admin through the
 * API. The shipped rules (`builtin`) apply to every site as they come; a site's row with a shipped rule's code
 * is that site's own version of it (changed, or disabled), and deleting it returns to the shipped one.
 */
@Entity({ name: 'alert_rule' })
@Index('ux_alert_rule_site_code', ['siteId', 'code'], { unique: true })
@Index('ix_alert_rule_site_event', ['siteId', 'eventType'])
@Check('ck_alert_rule_code', `code ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'`)
@Check('ck_alert_rule_trigger', `(event_type IS NULL) <> (metric IS NULL)`)
export class AlertRule {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_alert_rule' })
  id: string;

  @ManyToOne('site', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_alert_rule_site' })
  site?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 200 })
  nameZh: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** The site's version of a shipped rule (same code). */
  @Column({ type: 'boolean', default: false })
  builtin: boolean;

  @Column({ type: 'jsonb' })
  trigger: RuleTrigger;

  /** The trigger's event type (for lookup), or null for a periodic metric check. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  eventType: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  metric: string | null;

  @Column({ type: 'jsonb', nullable: true })
  conditions: Condition | null;

  @Column({ type: 'jsonb' })
  actions: RuleAction[];

  @Column({ type: 'int', default: 1 })
  version: number;

  @Column({ type: 'varchar', length: 200 })
  updatedByName: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

export const FIRING_OUTCOMES = ['done', 'partial', 'failed'] as const;
export type FiringOutcome = (typeof FIRING_OUTCOMES)[number];

export interface ActionResult {
  type: RuleAction['type'];
  outcome: 'done' | 'skipped' | 'failed';
  /** What was made or why not: a todo id, a lot code, an outbox message id, an error. */
  detail: string;
  ref?: string;
}

/**
 * A rule fired: which rule, on what (the event, or the metric subject's crossing), the facts it saw and each
 * action's outcome. One row per rule and trigger: the same event handled twice fires once.
 */
@Entity({ name: 'alert_rule_firing' })
@Index('ux_alert_rule_firing_trigger', ['siteId', 'ruleCode', 'triggerKey'], { unique: true })
@Index('ix_alert_rule_firing_site_time', ['siteId', 'firedAt'])
@Check('ck_alert_rule_firing_outcome', `outcome IN ('done', 'partial', 'failed')`)
export class RuleFiring {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_alert_rule_firing' })
  id: string;

  @ManyToOne('site', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_alert_rule_firing_site' })
  site?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 64 })
  ruleCode: string;

  @Column({ type: 'int' })
  ruleVersion: number;

  /** `event` or `metric`. */
  @Column({ type: 'varchar', length: 10 })
  triggerKind: string;

  /** The event type or metric. */
  @Column({ type: 'varchar', length: 100 })
  trigger: string;

  /** The event id, or the metric subject and the crossing's start. */
  @Column({ type: 'varchar', length: 300 })
  triggerKey: string;

  @Column({ type: 'jsonb' })
  facts: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  actions: ActionResult[];

  @Column({ type: 'varchar', length: 10 })
  outcome: FiringOutcome;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  firedAt: Date;
}

/** Subjects of a periodic rule whose condition holds (so it fires once per crossing, not at every check). */
@Entity({ name: 'alert_rule_state' })
export class RuleState {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_alert_rule_state' })
  siteId: string;

  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_alert_rule_state' })
  ruleCode: string;

  @PrimaryColumn({ type: 'varchar', length: 200, primaryKeyConstraintName: 'pk_alert_rule_state' })
  subjectKey: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  since: Date;
}
