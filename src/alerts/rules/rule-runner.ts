import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import type { DomainEvent, DomainEventType } from '../../platform/events/domain-events';
import { ScheduledJobs } from '../../platform/jobs/scheduled-jobs.service';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { crossings, evaluate, type Facts } from './engine/rule-engine';
import { RuleMetrics } from './rule-metrics';
import { RuleActions, renderAction, type RuleSubject } from './rule-actions';
import { RULE_EVENTS, RULE_METRICS } from './rule-catalog';
import type { ActionResult, FiringOutcome } from './rule.entities';
import { RulesRepository, type EffectiveRule } from './rules.repository';

const METRICS_EVERY_MS = 60_000;

/**
 * Runs the rules. An event a rule listens to is handled inside the transaction that raised it: the rule's
 * filter and conditions are evaluated on the event's facts and, when they hold, the firing is recorded (one
 * per rule and event: a repeat does nothing) and its actions are done in the same commit — nothing is lost
 * between a change and its rule, and an action that fails is undone alone (savepoint) and recorded as failed,
 * never failing the change. Periodic metric checks run every minute on one instance: a subject fires when it
 * crosses into the condition and re-arms when it leaves it.
 */
@Injectable()
export class RuleRunner implements OnModuleInit {
  private readonly logger = new Logger(RuleRunner.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runner: TransactionRunner,
    private readonly jobs: ScheduledJobs,
    private readonly rules: RulesRepository,
    private readonly actions: RuleActions,
    private readonly metrics: RuleMetrics,
    private readonly masterData: MasterDataFacade,
  ) {}

  onModuleInit(): void {
    for (const type of Object.keys(RULE_EVENTS) as DomainEventType[]) {
      this.runner.onRaised(type, (e, tx) => this.onEvent(tx, e));
    }
    this.jobs.define({
      name: 'alerts.rule-metrics',
      everyMs: METRICS_EVERY_MS,
      run: async () => {
        await this.checkMetrics();
      },
    });
  }

  private async onEvent(tx: Tx, e: DomainEvent): Promise<void> {
    const payload = e.payload as unknown as Facts & { siteId?: string };
    const siteId = payload.siteId;
    if (typeof siteId !== 'string') return;
    const rules = (await this.rules.effective(tx.manager, siteId, { eventType: e.type })).filter(
      (r) => r.enabled,
    );
    if (rules.length === 0) return;
    const facts = await this.factsOf(tx.manager, e.type, payload);
    const spec = RULE_EVENTS[e.type]!;
    const subject = { type: spec.subject.type, id: subjectId(facts[spec.subject.idField], e.id) };
    for (const rule of rules) {
      if (rule.trigger.kind !== 'event') continue;
      if (!evaluate(rule.trigger.filter, facts).matched) continue;
      if (!evaluate(rule.conditions, facts).matched) continue;
      await this.fire(tx, rule, 'event', e.type, e.id, facts, subject);
    }
  }

  /** The event's payload plus the codes people read (material, location, work order, lot). */
  async factsOf(m: EntityManager, type: string, payload: Facts): Promise<Facts> {
    const facts: Facts = { ...payload };
    const str = (k: string): string | null => {
      const v = payload[k];
      return typeof v === 'string' ? v : null;
    };
    const materialId = str('materialId');
    if (materialId && facts.materialCode === undefined) {
      facts.materialCode =
        (await this.masterData.materialNames([materialId], m)).get(materialId)?.code ?? null;
    }
    const locationId = str('locationId');
    if (locationId && facts.locationCode === undefined && typeof facts.siteId === 'string') {
      facts.locationCode = (await this.masterData.location(facts.siteId, locationId, m))?.code ?? null;
    }
    if (type === 'wms.pick.shortage' && Array.isArray(payload.lines)) {
      facts.shortList = (payload.lines as Array<{ materialCode: string; shortQty: string }>)
        .map((l) => `${l.materialCode} ${l.shortQty}`)
        .join(', ');
    }
    if (type === 'quality.spc.violation') {
      const [row] = await m.query<
        Array<{ lot_id: string | null; lot_code: string | null; wo: string | null }>
      >(
        `SELECT i.lot_id, l.code AS lot_code, w.code AS wo
           FROM inspection i LEFT JOIN lot l ON l.id = i.lot_id LEFT JOIN work_order w ON w.id = $2
          WHERE i.id = $1`,
        [payload.inspectionId, str('workOrderId')],
      );
      const held = Array.isArray(payload.heldLots)
        ? (payload.heldLots as Array<{ lotId: string; lotCode: string }>)
        : [];
      facts.lotId = row?.lot_id ?? held[0]?.lotId ?? null;
      facts.lotCode = row?.lot_code ?? held[0]?.lotCode ?? null;
      facts.workOrderCode = row?.wo ?? null;
    }
    return facts;
  }

  /**
   * Records the firing (once per rule and trigger key) and does the actions in savepoints; answers false when
   * this rule already fired on this trigger.
   */
  async fire(
    tx: Tx,
    rule: EffectiveRule,
    kind: 'event' | 'metric',
    trigger: string,
    triggerKey: string,
    facts: Facts,
    subject: RuleSubject,
  ): Promise<boolean> {
    const m = tx.manager;
    const [row] = await m.query<Array<{ id: string }>>(
      `INSERT INTO alert_rule_firing (site_id, rule_code, rule_version, trigger_kind, trigger, trigger_key, facts,
                                      actions, outcome)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, '[]'::jsonb, 'done')
       ON CONFLICT (site_id, rule_code, trigger_key) DO NOTHING RETURNING id`,
      [rule.siteId, rule.code, rule.version, kind, trigger, triggerKey.slice(0, 300), JSON.stringify(facts)],
    );
    if (!row) return false;
    const results: ActionResult[] = [];
    for (const action of rule.actions) {
      const rendered = renderAction(action, facts);
      const r = await tx.attempt(() =>
        this.actions.execute(tx, rule.siteId, rule.code, rendered, subject, triggerKey, facts),
      );
      results.push(r.ok ? r.value : RuleActions.failed(action.type, r.error));
    }
    const failed = results.filter((r) => r.outcome === 'failed').length;
    const outcome: FiringOutcome = failed === 0 ? 'done' : failed === results.length ? 'failed' : 'partial';
    await m.query(`UPDATE alert_rule_firing SET actions = $2::jsonb, outcome = $3 WHERE id = $1`, [
      row.id,
      JSON.stringify(results),
      outcome,
    ]);
    if (failed > 0) this.logger.warn({ rule: rule.code, siteId: rule.siteId, results }, 'rule action failed');
    tx.raise('alerts.rule.fired', {
      firingId: row.id,
      siteId: rule.siteId,
      rule: rule.code,
      trigger,
      outcome,
    });
    return true;
  }

  /** One pass over every site's periodic rules (the job; callable directly). */
  async checkMetrics(now: Date = new Date()): Promise<number> {
    const sites = await this.dataSource.query<Array<{ id: string }>>(`SELECT id FROM site ORDER BY id`);
    let fired = 0;
    for (const { id: siteId } of sites) {
      const rules = (await this.rules.effective(this.dataSource.manager, siteId)).filter(
        (r) => r.enabled && r.trigger.kind === 'metric',
      );
      for (const rule of rules) {
        try {
          fired += await this.checkRule(siteId, rule, now);
        } catch (err) {
          this.logger.error({ err, siteId, rule: rule.code }, 'periodic rule check failed');
        }
      }
    }
    return fired;
  }

  private checkRule(siteId: string, rule: EffectiveRule, now: Date): Promise<number> {
    if (rule.trigger.kind !== 'metric') return Promise.resolve(0);
    const metric = rule.trigger.metric;
    const spec = RULE_METRICS[metric];
    if (!spec) return Promise.resolve(0);
    return this.runner.run(async (tx) => {
      const m = tx.manager;
      // One check of this rule at a time per site (the job is single-instance; a direct call may overlap).
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('alerts.rule:' || $1 || ':' || $2))`, [
        siteId,
        rule.code,
      ]);
      const subjects = await this.metrics.subjects(m, metric, siteId, now);
      const matched = new Map<string, boolean>();
      const byKey = new Map(subjects.map((s) => [s.key, s]));
      for (const s of subjects) matched.set(s.key, evaluate(rule.conditions, s.facts).matched);
      const activeRows = await m.query<Array<{ subject_key: string }>>(
        `SELECT subject_key FROM alert_rule_state WHERE site_id = $1 AND rule_code = $2`,
        [siteId, rule.code],
      );
      const { entered, left } = crossings(new Set(activeRows.map((r) => r.subject_key)), matched);
      if (left.length > 0) {
        await m.query(
          `DELETE FROM alert_rule_state WHERE site_id = $1 AND rule_code = $2 AND subject_key = ANY($3::text[])`,
          [siteId, rule.code, left],
        );
      }
      let fired = 0;
      for (const key of entered) {
        const s = byKey.get(key)!;
        await m.query(
          `INSERT INTO alert_rule_state (site_id, rule_code, subject_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
          [siteId, rule.code, key],
        );
        const facts: Facts = { siteId, ...s.facts };
        const subject = { type: spec.subject.type, id: subjectId(facts[spec.subject.idField], key) };
        if (await this.fire(tx, rule, 'metric', metric, `${metric}:${key}`, facts, subject)) fired++;
      }
      return fired;
    });
  }
}

/** The id of what the facts are about (a uuid or code in the facts), or the fallback. */
function subjectId(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}
