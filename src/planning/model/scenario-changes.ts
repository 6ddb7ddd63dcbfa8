import type { FieldError } from '../../platform/errors/domain-error';
import type { PlanMachine, PlanOperation, Window } from '../engine/model';
import { settleFrozen, setupMatrix } from './compose-plan';
import { RUSH_WEIGHT, type PlanSnapshot, type PlanWarning } from './plan-snapshot';
import { minuteOf, withoutWindow, withWindow, workingEnd } from './plan-time';

export const SCENARIO_CHANGE_TYPES = [
  'add_order',
  'remove_order',
  'machine_down',
  'overtime',
  'set_priority',
  'set_due',
] as const;
export type ScenarioChangeType = (typeof SCENARIO_CHANGE_TYPES)[number];

/** One what-if edit of a copied plan. Instants are ISO-8601. */
export type ScenarioChange =
  | { type: 'add_order'; workOrderId: string }
  | { type: 'remove_order'; workOrderId: string }
  | { type: 'machine_down'; equipmentId: string; from: string; to: string; reason?: string }
  | {
      type: 'overtime';
      equipmentId?: string;
      workCenterId?: string;
      from: string;
      to: string;
      reason?: string;
    }
  | { type: 'set_priority'; workOrderId: string; priority: 'normal' | 'rush' }
  | { type: 'set_due'; workOrderId: string; dueAt: string };

/**
 * A what-if's plan: the copied snapshot with its changes made, in order. `added` holds the orders that
 * `add_order` brings (composed from the factory with the same origin); a change naming something the plan
 * does not hold is a field error. Pure: the copy is new, the snapshot given is not touched.
 */
export function applyScenarioChanges(
  base: PlanSnapshot,
  changes: readonly ScenarioChange[],
  added: PlanSnapshot | null,
): { snapshot: PlanSnapshot; errors: FieldError[] } {
  const s = structuredClone<PlanSnapshot>(base);
  const errors: FieldError[] = [];
  const originMs = Date.parse(s.origin);
  const horizon = minuteOf(originMs, s.horizonEnd);
  const jobs = [...s.problem.jobs];
  let operations: PlanOperation[] = [...s.problem.operations];
  const machines = new Map<string, PlanMachine>(s.problem.machines.map((m) => [m.id, { ...m }]));
  const warnings: PlanWarning[] = [...s.warnings];
  const fail = (i: number, field: string, message: string): void => {
    errors.push({ field: `changes[${i}].${field}`, message });
  };
  const period = (i: number, from: string, to: string): Window | undefined => {
    const window: Window = [
      Math.max(0, minuteOf(originMs, from)),
      Math.min(horizon, minuteOf(originMs, to, 'ceil')),
    ];
    if (!(Date.parse(to) > Date.parse(from))) fail(i, 'to', 'must be after from');
    else if (window[1] <= window[0]) fail(i, 'from', `lies outside the plan (${s.origin} – ${s.horizonEnd})`);
    else return window;
    return undefined;
  };

  changes.forEach((change, i) => {
    switch (change.type) {
      case 'add_order': {
        if (jobs.some((j) => j.id === change.workOrderId)) {
          fail(i, 'workOrderId', 'the order is in the plan already');
          return;
        }
        const job = added?.problem.jobs.find((j) => j.id === change.workOrderId);
        if (!added || !job) {
          const why = added?.warnings.find((w) => w.workOrderId === change.workOrderId);
          fail(i, 'workOrderId', why?.message ?? 'no open work order of this site with this id');
          return;
        }
        jobs.push(job);
        const ops = added.problem.operations.filter((o) => o.job === job.id);
        operations.push(...ops);
        s.orders[job.id] = added.orders[job.id]!;
        for (const op of ops) s.operations[op.id] = added.operations[op.id]!;
        for (const id of new Set(ops.flatMap((o) => o.modes.map((m) => m.machine)))) {
          const extra = added.machines[id]!;
          const known = s.machines[id];
          if (!known) {
            s.machines[id] = extra;
            machines.set(
              id,
              added.problem.machines.find((m) => m.id === id)!,
            );
          } else {
            for (const [family, minutes] of Object.entries(extra.setups))
              known.setups[family] = Math.max(known.setups[family] ?? 0, minutes);
            const machine = machines.get(id)!;
            machines.set(id, { ...machine, setups: setupMatrix(known.setups, machine.initialFamily) });
          }
        }
        warnings.push(...added.warnings.filter((w) => w.workOrderId === job.id));
        return;
      }
      case 'remove_order': {
        const at = jobs.findIndex((j) => j.id === change.workOrderId);
        if (at < 0) {
          fail(i, 'workOrderId', 'the order is not in this plan');
          return;
        }
        jobs.splice(at, 1);
        const gone = new Set(operations.filter((o) => o.job === change.workOrderId).map((o) => o.id));
        operations = operations
          .filter((o) => !gone.has(o.id))
          .map((o) =>
            o.predecessors.some((p) => gone.has(p))
              ? { ...o, predecessors: o.predecessors.filter((p) => !gone.has(p)) }
              : o,
          );
        delete s.orders[change.workOrderId];
        for (const id of gone) delete s.operations[id];
        return;
      }
      case 'machine_down': {
        const machine = machines.get(change.equipmentId);
        if (!machine) {
          fail(i, 'equipmentId', 'the machine has no work in this plan');
          return;
        }
        const window = period(i, change.from, change.to);
        if (!window) return;
        machines.set(machine.id, {
          ...machine,
          available: withoutWindow(machine.available, window, horizon),
        });
        operations = releaseFrozenIn(operations, s, machine.id, window, machine.available);
        return;
      }
      case 'overtime': {
        const targets = change.equipmentId
          ? [change.equipmentId]
          : Object.entries(s.machines)
              .filter(([, m]) => m.workCenterId === change.workCenterId)
              .map(([id]) => id);
        if (!change.equipmentId && !change.workCenterId) {
          fail(i, 'equipmentId', 'name a machine or a work center');
          return;
        }
        if (targets.length === 0 || targets.some((id) => !machines.has(id))) {
          fail(i, change.equipmentId ? 'equipmentId' : 'workCenterId', 'no machine with work in this plan');
          return;
        }
        const window = period(i, change.from, change.to);
        if (!window) return;
        for (const id of targets) {
          const machine = machines.get(id)!;
          const available = withWindow(machine.available, window);
          machines.set(id, { ...machine, ...(available ? { available } : {}) });
        }
        return;
      }
      case 'set_priority':
      case 'set_due': {
        const at = jobs.findIndex((j) => j.id === change.workOrderId);
        if (at < 0) {
          fail(i, 'workOrderId', 'the order is not in this plan');
          return;
        }
        const label = s.orders[change.workOrderId]!;
        if (change.type === 'set_priority') {
          jobs[at] = { ...jobs[at]!, weight: change.priority === 'rush' ? RUSH_WEIGHT : 1 };
          label.priority = change.priority;
        } else {
          if (Number.isNaN(Date.parse(change.dueAt))) {
            fail(i, 'dueAt', 'must be an ISO-8601 instant');
            return;
          }
          jobs[at] = { ...jobs[at]!, due: minuteOf(originMs, change.dueAt) };
          label.dueAt = new Date(change.dueAt).toISOString();
        }
        return;
      }
    }
  });

  const kept = new Set(operations.flatMap((o) => o.modes.map((m) => m.machine)));
  s.problem = {
    objective: s.problem.objective,
    jobs,
    operations,
    machines: [...machines.values()].filter((m) => kept.has(m.id)),
  };
  for (const id of Object.keys(s.machines)) if (!kept.has(id)) delete s.machines[id];
  s.warnings = warnings;
  settleFrozen(s);
  return { snapshot: s, errors };
}

/**
 * A machine taken down over a period: steps frozen by the horizon that would run in it are freed (with the
 * steps of their order after them); running steps stay where they are and pause.
 */
function releaseFrozenIn(
  operations: PlanOperation[],
  s: PlanSnapshot,
  machine: string,
  window: Window,
  before: readonly Window[] | undefined,
): PlanOperation[] {
  const freed = new Set<string>();
  for (const op of operations) {
    if (op.frozen?.machine !== machine || s.operations[op.id]?.frozen !== 'horizon') continue;
    const duration = op.modes.find((m) => m.machine === machine)?.duration ?? 0;
    const end = workingEnd(before, op.frozen.start, duration);
    if (op.frozen.start < window[1] && end > window[0]) freed.add(op.id);
  }
  for (let grew = freed.size > 0; grew;) {
    grew = false;
    for (const op of operations) {
      if (
        !freed.has(op.id) &&
        op.frozen &&
        s.operations[op.id]?.frozen === 'horizon' &&
        op.predecessors.some((p) => freed.has(p))
      ) {
        freed.add(op.id);
        grew = true;
      }
    }
  }
  return operations.map((op) => {
    if (!freed.has(op.id)) return op;
    const { frozen: _frozen, ...rest } = op;
    delete s.operations[op.id]!.frozen;
    return rest;
  });
}
