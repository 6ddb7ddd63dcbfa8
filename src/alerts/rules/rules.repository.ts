import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Condition } from './engine/rule-engine';
import { SHIPPED_RULES, type ShippedRule } from './default-rules';
import { AlertRule } from './rule.entities';
import type { RuleAction, RuleTrigger } from './rule-definition';

/** A rule as it applies to a site: its own row, or a shipped rule it has not changed. */
export interface EffectiveRule {
  id: string | null;
  siteId: string;
  code: string;
  name: string;
  nameZh: string;
  description: string | null;
  enabled: boolean;
  /** Shipped with the product (a site may change or disable it; deleting the change restores it). */
  builtin: boolean;
  /** A shipped rule this site changed (or disabled). */
  customized: boolean;
  trigger: RuleTrigger;
  conditions: Condition | null;
  actions: RuleAction[];
  version: number;
  updatedAt: string | null;
  updatedByName: string | null;
}

function fromRow(r: AlertRule): EffectiveRule {
  return {
    id: r.id,
    siteId: r.siteId,
    code: r.code,
    name: r.name,
    nameZh: r.nameZh,
    description: r.description,
    enabled: r.enabled,
    builtin: r.builtin,
    customized: r.builtin,
    trigger: r.trigger,
    conditions: r.conditions,
    actions: r.actions,
    version: r.version,
    updatedAt: r.updatedAt.toISOString(),
    updatedByName: r.updatedByName,
  };
}

export function fromShipped(siteId: string, s: ShippedRule): EffectiveRule {
  return {
    id: null,
    siteId,
    code: s.code,
    name: s.name,
    nameZh: s.nameZh,
    description: s.description,
    enabled: true,
    builtin: true,
    customized: false,
    trigger: s.trigger,
    conditions: s.conditions,
    actions: s.actions,
    version: 0,
    updatedAt: null,
    updatedByName: null,
  };
}

export const shippedRule = (code: string): ShippedRule | undefined =>
  SHIPPED_RULES.find((s) => s.code === code);

/** The rules of a site: its rows, and the shipped rules it has no row for. */
@Injectable()
export class RulesRepository {
  async effective(
    m: EntityManager,
    siteId: string,
    only?: { eventType?: string; metric?: string },
  ): Promise<EffectiveRule[]> {
    const rows = await m.getRepository(AlertRule).find({ where: { siteId }, order: { code: 'ASC' } });
    const own = new Set(rows.map((r) => r.code));
    const all = [
      ...rows.map(fromRow),
      ...SHIPPED_RULES.filter((s) => !own.has(s.code)).map((s) => fromShipped(siteId, s)),
    ].sort((a, b) => a.code.localeCompare(b.code));
    return all.filter((r) => {
      if (only?.eventType) return r.trigger.kind === 'event' && r.trigger.event === only.eventType;
      if (only?.metric) return r.trigger.kind === 'metric' && r.trigger.metric === only.metric;
      return true;
    });
  }

  async one(m: EntityManager, siteId: string, code: string, lock = false): Promise<EffectiveRule | null> {
    const row = await m.getRepository(AlertRule).findOne({
      where: { siteId, code },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (row) return fromRow(row);
    const shipped = shippedRule(code);
    return shipped ? fromShipped(siteId, shipped) : null;
  }
}
