import { ROLES, type Role } from '../../platform/auth/roles';
import { conditionProblems, templateProblems, type Condition, type RuleProblem } from './engine/rule-engine';
import { RULE_EVENTS, RULE_METRICS } from './rule-catalog';

export type RuleTrigger =
  { kind: 'event'; event: string; filter?: Condition } | { kind: 'metric'; metric: string };

/** What a rule does; text fields are templates filled from the trigger's facts (`{{materialCode}}`). */
export type RuleAction =
  | {
      type: 'notify';
      /** Rooms: `role:planner` (the role at the rule's site), `user:<id>`, `site`, `line:{{lineId}}`, `equipment:{{equipmentId}}`. */
      to: string[];
      message: string;
      messageZh?: string;
    }
  | {
      type: 'todo';
      kind: string;
      title: string;
      titleZh?: string;
      roles?: Role[];
      /** A user id (template allowed). */
      user?: string;
      link?: string;
      dueInMinutes?: number;
      /** One open todo per key (default: per rule and trigger subject). */
      dedupeKey?: string;
    }
  | { type: 'wms_priority'; workOrderId: string; priority: 'rush' | 'normal' }
  | { type: 'hold_lot'; lot: string; reason: string }
  | {
      type: 'requisition';
      /** Material id or code. */
      material: string;
      /** A positive decimal (template: `{{suggestedQty}}`). */
      quantity: string;
      /** Needed within this many days (none: as soon as possible). */
      needInDays?: number;
      reason: string;
    }
  | { type: 'hold_work_order'; workOrderId: string; reason: string }
  | { type: 'webhook'; url: string; headers?: Record<string, string>; body?: unknown };

export const ACTION_TYPES = [
  'notify',
  'todo',
  'wms_priority',
  'hold_lot',
  'hold_work_order',
  'requisition',
  'webhook',
] as const satisfies ReadonlyArray<RuleAction['type']>;

export interface RuleDefinition {
  trigger: RuleTrigger;
  conditions: Condition | null;
  actions: RuleAction[];
}

const MAX_ACTIONS = 10;
const TEXT_MAX = 300;
const ROOM =
  /^(site|role:[a-z_]+|user:[^\s]+|line:[^\s]+|workcenter:[^\s]+|equipment:[^\s]+|workorder:[^\s]+)$/;

/** Every problem of a rule's trigger, conditions and actions, each with its field path. */
export function ruleProblems(input: {
  trigger?: unknown;
  conditions?: unknown;
  actions?: unknown;
}): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  let fields: readonly string[] | null = null;
  const t = input.trigger as Record<string, unknown> | undefined;
  if (!t || typeof t !== 'object' || Array.isArray(t)) {
    add('trigger', 'must be {kind: "event", event, filter?} or {kind: "metric", metric}');
  } else if (t.kind === 'event') {
    const spec = typeof t.event === 'string' ? RULE_EVENTS[t.event] : undefined;
    if (!spec) add('trigger.event', `must be one of ${Object.keys(RULE_EVENTS).join(', ')}`);
    else fields = ['siteId', ...spec.fields];
    if (t.filter !== undefined && t.filter !== null)
      problems.push(...conditionProblems(t.filter, 'trigger.filter', fields));
    const extra = Object.keys(t).filter((k) => !['kind', 'event', 'filter'].includes(k));
    if (extra.length) add('trigger', `unknown keys: ${extra.join(', ')}`);
  } else if (t.kind === 'metric') {
    const spec = typeof t.metric === 'string' ? RULE_METRICS[t.metric] : undefined;
    if (!spec) add('trigger.metric', `must be one of ${Object.keys(RULE_METRICS).join(', ')}`);
    else fields = ['siteId', ...spec.fields];
    const extra = Object.keys(t).filter((k) => !['kind', 'metric'].includes(k));
    if (extra.length) add('trigger', `unknown keys: ${extra.join(', ')}`);
  } else {
    add('trigger.kind', 'must be event or metric');
  }
  if (input.conditions !== undefined && input.conditions !== null)
    problems.push(...conditionProblems(input.conditions, 'conditions', fields));
  if (t?.kind === 'metric' && (input.conditions === undefined || input.conditions === null))
    add('conditions', 'a periodic check needs conditions (when is the metric a problem?)');

  const actions = input.actions;
  if (!Array.isArray(actions) || actions.length === 0 || actions.length > MAX_ACTIONS) {
    add('actions', `must be a list of 1 to ${MAX_ACTIONS} actions`);
    return problems;
  }
  actions.forEach((a: unknown, i) => {
    const at = `actions[${i}]`;
    if (!a || typeof a !== 'object' || Array.isArray(a)) return add(at, 'must be an object with a type');
    const o = a as Record<string, unknown>;
    const text = (key: string, required: boolean, max = TEXT_MAX) => {
      const v = o[key];
      if (v === undefined && !required) return;
      if (typeof v !== 'string' || v.trim() === '' || v.length > max)
        return add(`${at}.${key}`, `must be text of 1 to ${max} characters`);
      problems.push(...templateProblems(v, `${at}.${key}`, fields));
    };
    const allowed = (keys: string[]) => {
      const extra = Object.keys(o).filter((k) => k !== 'type' && !keys.includes(k));
      if (extra.length) add(at, `unknown keys for ${String(o.type)}: ${extra.join(', ')}`);
    };
    switch (o.type) {
      case 'notify': {
        allowed(['to', 'message', 'messageZh']);
        if (!Array.isArray(o.to) || o.to.length === 0 || o.to.length > 20)
          add(`${at}.to`, 'must list 1 to 20 rooms');
        else
          o.to.forEach((r: unknown, j) => {
            if (typeof r !== 'string' || !ROOM.test(r))
              add(
                `${at}.to[${j}]`,
                'must be site, role:<role>, user:<id>, line:<id>, workcenter:<id>, equipment:<id> or workorder:<id>',
              );
            else problems.push(...templateProblems(r, `${at}.to[${j}]`, fields));
          });
        text('message', true, 500);
        text('messageZh', false, 500);
        break;
      }
      case 'todo': {
        allowed(['kind', 'title', 'titleZh', 'roles', 'user', 'link', 'dueInMinutes', 'dedupeKey']);
        if (typeof o.kind !== 'string' || !/^[a-z_]{1,40}$/.test(o.kind))
          add(`${at}.kind`, 'must be lower-case letters and underscores (1 to 40)');
        text('title', true);
        text('titleZh', false);
        text('link', false);
        text('user', false, 100);
        text('dedupeKey', false, 200);
        const roles = o.roles;
        if (
          roles !== undefined &&
          (!Array.isArray(roles) || roles.some((r) => !(ROLES as readonly unknown[]).includes(r)))
        )
          add(`${at}.roles`, `must be a list of roles: ${ROLES.join(', ')}`);
        if ((!Array.isArray(roles) || roles.length === 0) && o.user === undefined)
          add(`${at}.roles`, 'a todo is for at least one role or a user');
        if (
          o.dueInMinutes !== undefined &&
          (!Number.isInteger(o.dueInMinutes) ||
            (o.dueInMinutes as number) < 0 ||
            (o.dueInMinutes as number) > 525_600)
        )
          add(`${at}.dueInMinutes`, 'must be whole minutes from 0 to 525600 (a year)');
        break;
      }
      case 'wms_priority':
        allowed(['workOrderId', 'priority']);
        text('workOrderId', true, 200);
        if (o.priority !== 'rush' && o.priority !== 'normal') add(`${at}.priority`, 'must be rush or normal');
        break;
      case 'hold_lot':
        allowed(['lot', 'reason']);
        text('lot', true, 200);
        text('reason', true, 500);
        break;
      case 'requisition':
        allowed(['material', 'quantity', 'needInDays', 'reason']);
        text('material', true, 200);
        text('quantity', true, 200);
        text('reason', true, 500);
        if (
          o.needInDays !== undefined &&
          (!Number.isInteger(o.needInDays) || (o.needInDays as number) < 0 || (o.needInDays as number) > 365)
        )
          add(`${at}.needInDays`, 'must be whole days from 0 to 365');
        break;
      case 'hold_work_order':
        allowed(['workOrderId', 'reason']);
        text('workOrderId', true, 200);
        text('reason', true, 500);
        break;
      case 'webhook': {
        allowed(['url', 'headers', 'body']);
        if (typeof o.url !== 'string' || !/^https?:\/\/[^\s]+$/.test(o.url) || o.url.length > 1000)
          add(`${at}.url`, 'must be an http(s) URL');
        const h = o.headers;
        if (
          h !== undefined &&
          (!h ||
            typeof h !== 'object' ||
            Array.isArray(h) ||
            Object.entries(h).some(
              ([k, v]) => !/^[A-Za-z0-9-]{1,64}$/.test(k) || typeof v !== 'string' || v.length > 500,
            ))
        )
          add(`${at}.headers`, 'must map header names to text values');
        if (o.body !== undefined) {
          if (JSON.stringify(o.body).length > 10_000)
            add(`${at}.body`, 'must be at most 10 000 characters as JSON');
          else problems.push(...templateProblems(o.body, `${at}.body`, fields));
        }
        break;
      }
      default:
        add(`${at}.type`, `must be one of ${ACTION_TYPES.join(', ')}`);
    }
  });
  return problems;
}
