import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { ROLES } from '../../platform/auth/roles';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { DomainError, invalidFields, notFound } from '../../platform/errors/domain-error';
import { COMPARISONS, evaluate, type Evaluation, type Facts } from './engine/rule-engine';
import { renderAction, type RenderedAction } from './rule-actions';
import { RULE_EVENTS, RULE_METRICS } from './rule-catalog';
import { ACTION_TYPES, ruleProblems, type RuleDefinition } from './rule-definition';
import { AlertRule, RuleFiring } from './rule.entities';
import { RulesRepository, shippedRule, type EffectiveRule } from './rules.repository';

export const RuleErrorCode = {
  RULE_CODE_TAKEN: 'RULE_CODE_TAKEN',
  STALE_VERSION: 'STALE_VERSION',
  NOT_CUSTOMIZED: 'NOT_CUSTOMIZED',
} as const;

export interface RuleInput {
  code?: string;
  name?: string;
  nameZh?: string;
  description?: string | null;
  enabled?: boolean;
  trigger?: unknown;
  conditions?: unknown;
  actions?: unknown;
  expectedVersion?: number;
}

export interface DryRun {
  /** Whether the rule would fire on these facts (filter and conditions hold). */
  matched: boolean;
  filter: Evaluation | null;
  conditions: Evaluation;
  /** The actions it would take, templates filled (nothing is done). */
  actions: RenderedAction[];
}

export interface FiringView {
  id: string;
  ruleCode: string;
  ruleVersion: number;
  triggerKind: string;
  trigger: string;
  triggerKey: string;
  facts: Record<string, unknown>;
  actions: RuleFiring['actions'];
  outcome: RuleFiring['outcome'];
  firedAt: string;
}

const invalid = (problems: Array<{ field: string; message: string }>): DomainError =>
  invalidFields(
    problems,
    `The rule is not valid: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
  );

/** Rules as data: the site's rules (shipped and own), changes by an admin (audited), dry runs, firings. */
@Injectable()
export class RulesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly rules: RulesRepository,
  ) {}

  catalog() {
    return {
      events: Object.entries(RULE_EVENTS).map(([type, s]) => ({
        type,
        ...s,
        fields: ['siteId', ...s.fields],
      })),
      metrics: Object.entries(RULE_METRICS).map(([metric, s]) => ({
        metric,
        ...s,
        fields: ['siteId', ...s.fields],
      })),
      actions: [...ACTION_TYPES],
      comparisons: [...COMPARISONS],
      roles: [...ROLES],
    };
  }

  list(p: Principal, siteId: string): Promise<EffectiveRule[]> {
    assertSiteAccess(p, siteId);
    return this.rules.effective(this.dataSource.manager, siteId);
  }

  async get(p: Principal, siteId: string, code: string): Promise<EffectiveRule> {
    assertSiteAccess(p, siteId);
    const rule = await this.rules.one(this.dataSource.manager, siteId, code);
    if (!rule) throw notFound('rule', code);
    return rule;
  }

  /** A new rule of the site's own. */
  create(p: Principal, siteId: string, input: RuleInput): Promise<EffectiveRule> {
    assertSiteAccess(p, siteId);
    const problems = [...this.headerProblems(input, true), ...ruleProblems(input)];
    if (problems.length > 0) throw invalid(problems);
    return this.tx.run(async (tx) => {
      const code = input.code!;
      const taken = (await this.rules.one(tx.manager, siteId, code)) !== null;
      if (taken)
        throw new DomainError('conflict', RuleErrorCode.RULE_CODE_TAKEN, `There is a rule ${code} already`);
      const def = definition(input);
      await tx.manager.insert(AlertRule, <QueryDeepPartialEntity<AlertRule>>{
        siteId,
        code,
        name: input.name!.trim(),
        nameZh: (input.nameZh ?? input.name!).trim(),
        description: input.description ?? null,
        enabled: input.enabled ?? true,
        builtin: false,
        ...columns(def),
        updatedByName: p.name.slice(0, 200),
      });
      await this.audit.record(tx, {
        entityType: 'alert_rule',
        entityId: code,
        siteId,
        action: 'alert_rule.created',
        after: {
          code,
          name: input.name!.trim(),
          nameZh: (input.nameZh ?? input.name!).trim(),
          description: input.description ?? null,
          enabled: input.enabled ?? true,
          ...def,
        },
      });
      return (await this.rules.one(tx.manager, siteId, code))!;
    });
  }

  /** Changes a rule; a shipped rule becomes the site's own version of it. */
  update(p: Principal, siteId: string, code: string, input: RuleInput): Promise<EffectiveRule> {
    assertSiteAccess(p, siteId);
    return this.change(p, siteId, code, input.expectedVersion, 'alert_rule.updated', (current) => {
      const merged: RuleInput = {
        name: input.name ?? current.name,
        nameZh: input.nameZh ?? current.nameZh,
        description: input.description !== undefined ? input.description : current.description,
        enabled: input.enabled ?? current.enabled,
        trigger: input.trigger ?? current.trigger,
        conditions: input.conditions !== undefined ? input.conditions : current.conditions,
        actions: input.actions ?? current.actions,
      };
      const problems = [...this.headerProblems(merged, false), ...ruleProblems(merged)];
      if (problems.length > 0) throw invalid(problems);
      return merged;
    });
  }

  setEnabled(p: Principal, siteId: string, code: string, enabled: boolean, expectedVersion?: number) {
    assertSiteAccess(p, siteId);
    return this.change(
      p,
      siteId,
      code,
      expectedVersion,
      enabled ? 'alert_rule.enabled' : 'alert_rule.disabled',
      (current) => ({ ...current, enabled }),
    );
  }

  /** Deletes a site's own rule, or its change of a shipped rule (the shipped one applies again). */
  remove(
    p: Principal,
    siteId: string,
    code: string,
    expectedVersion?: number,
  ): Promise<EffectiveRule | null> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const row = await tx.manager
        .getRepository(AlertRule)
        .findOne({ where: { siteId, code }, lock: { mode: 'pessimistic_write' } });
      if (!row) {
        if (shippedRule(code))
          throw new DomainError(
            'conflict',
            RuleErrorCode.NOT_CUSTOMIZED,
            `${code} is a shipped rule this site has not changed; disable it instead`,
          );
        throw notFound('rule', code);
      }
      if (expectedVersion !== undefined && expectedVersion !== row.version) throw stale(code, row.version);
      await tx.manager.delete(AlertRule, { id: row.id });
      await this.audit.record(tx, {
        entityType: 'alert_rule',
        entityId: code,
        siteId,
        action: row.builtin ? 'alert_rule.reset' : 'alert_rule.deleted',
        before: {
          enabled: row.enabled,
          trigger: row.trigger,
          conditions: row.conditions,
          actions: row.actions,
        },
      });
      return this.rules.one(tx.manager, siteId, code);
    });
  }

  /**
   * What a rule would do with these facts — a stored rule, or the rule in the request (to try it before saving);
   * nothing is written.
   */
  async dryRun(
    p: Principal,
    siteId: string,
    code: string | null,
    body: RuleInput,
    sample: Facts,
  ): Promise<DryRun> {
    assertSiteAccess(p, siteId);
    let def: RuleDefinition;
    if (code) {
      const rule = await this.rules.one(this.dataSource.manager, siteId, code);
      if (!rule) throw notFound('rule', code);
      def = rule;
    } else {
      const problems = ruleProblems(body);
      if (problems.length > 0) throw invalid(problems);
      def = definition(body);
    }
    const facts: Facts = { siteId, ...sample };
    const filter =
      def.trigger.kind === 'event' && def.trigger.filter ? evaluate(def.trigger.filter, facts) : null;
    const conditions = evaluate(def.conditions, facts);
    const matched = (filter?.matched ?? true) && conditions.matched;
    return {
      matched,
      filter,
      conditions,
      actions: matched ? def.actions.map((a) => renderAction(a, facts)) : [],
    };
  }

  async firings(
    p: Principal,
    siteId: string,
    q: { rule?: string; outcome?: string; limit: number; offset: number },
  ): Promise<[FiringView[], number]> {
    assertSiteAccess(p, siteId);
    const qb = this.dataSource
      .getRepository(RuleFiring)
      .createQueryBuilder('f')
      .where('f.siteId = :siteId', { siteId })
      .orderBy('f.firedAt', 'DESC')
      .addOrderBy('f.id', 'ASC')
      .take(q.limit)
      .skip(q.offset);
    if (q.rule) qb.andWhere('f.ruleCode = :rule', { rule: q.rule });
    if (q.outcome) qb.andWhere('f.outcome = :outcome', { outcome: q.outcome });
    const [rows, total] = await qb.getManyAndCount();
    return [
      rows.map((f) => ({
        id: f.id,
        ruleCode: f.ruleCode,
        ruleVersion: f.ruleVersion,
        triggerKind: f.triggerKind,
        trigger: f.trigger,
        triggerKey: f.triggerKey,
        facts: f.facts,
        actions: f.actions,
        outcome: f.outcome,
        firedAt: f.firedAt.toISOString(),
      })),
      total,
    ];
  }

  private change(
    p: Principal,
    siteId: string,
    code: string,
    expectedVersion: number | undefined,
    action: string,
    next: (current: EffectiveRule) => RuleInput,
  ): Promise<EffectiveRule> {
    return this.tx.run(async (tx) => {
      // One change of a rule at a time (a shipped rule has no row to lock yet).
      await tx.manager.query(`SELECT pg_advisory_xact_lock(hashtext('alerts.rule:' || $1 || ':' || $2))`, [
        siteId,
        code,
      ]);
      const current = await this.rules.one(tx.manager, siteId, code, true);
      if (!current) throw notFound('rule', code);
      if (expectedVersion !== undefined && expectedVersion !== current.version)
        throw stale(code, current.version);
      const merged = next(current);
      const def = definition(merged);
      const values = {
        name: merged.name!.trim(),
        nameZh: (merged.nameZh ?? merged.name!).trim(),
        description: merged.description ?? null,
        enabled: merged.enabled ?? true,
        ...columns(def),
        updatedByName: p.name.slice(0, 200),
        updatedAt: new Date(),
      };
      if (current.id) {
        await tx.manager.update(AlertRule, { id: current.id }, <QueryDeepPartialEntity<AlertRule>>{
          ...values,
          version: current.version + 1,
        });
      } else {
        await tx.manager.insert(AlertRule, <QueryDeepPartialEntity<AlertRule>>{
          siteId,
          code,
          builtin: true,
          ...values,
          version: 1,
        });
      }
      await this.audit.record(tx, {
        entityType: 'alert_rule',
        entityId: code,
        siteId,
        action,
        // Names and description too: a renamed rule shows the change, not an unchanged definition.
        before: {
          name: current.name,
          nameZh: current.nameZh,
          description: current.description,
          enabled: current.enabled,
          trigger: current.trigger,
          conditions: current.conditions,
          actions: current.actions,
        },
        after: {
          name: values.name,
          nameZh: values.nameZh,
          description: values.description,
          enabled: values.enabled,
          ...def,
        },
      });
      return (await this.rules.one(tx.manager, siteId, code))!;
    });
  }

  private headerProblems(input: RuleInput, creating: boolean): Array<{ field: string; message: string }> {
    const problems: Array<{ field: string; message: string }> = [];
    if (creating && (typeof input.code !== 'string' || !/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(input.code)))
      problems.push({
        field: 'code',
        message: 'must be 1 to 64 of a-z, 0-9, _ . - (starting with a letter or digit)',
      });
    if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 200)
      problems.push({ field: 'name', message: 'must be text of 1 to 200 characters' });
    if (input.nameZh !== undefined && (typeof input.nameZh !== 'string' || input.nameZh.length > 200))
      problems.push({ field: 'nameZh', message: 'must be text of at most 200 characters' });
    if (
      input.description !== undefined &&
      input.description !== null &&
      (typeof input.description !== 'string' || input.description.length > 1000)
    )
      problems.push({ field: 'description', message: 'must be text of at most 1000 characters' });
    if (input.enabled !== undefined && typeof input.enabled !== 'boolean')
      problems.push({ field: 'enabled', message: 'must be true or false' });
    return problems;
  }
}

function definition(input: RuleInput): RuleDefinition {
  return {
    trigger: input.trigger as RuleDefinition['trigger'],
    conditions: (input.conditions ?? null) as RuleDefinition['conditions'],
    actions: input.actions as RuleDefinition['actions'],
  };
}

function columns(def: RuleDefinition) {
  return {
    trigger: def.trigger,
    eventType: def.trigger.kind === 'event' ? def.trigger.event : null,
    metric: def.trigger.kind === 'metric' ? def.trigger.metric : null,
    conditions: def.conditions,
    actions: def.actions,
  };
}

function stale(code: string, version: number): DomainError {
  return new DomainError(
    'conflict',
    RuleErrorCode.STALE_VERSION,
    `The rule ${code} changed meanwhile (version ${version}); reload and try again`,
    { extensions: { currentVersion: version } },
  );
}
