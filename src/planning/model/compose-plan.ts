import {
  add,
  compare,
  formatExact,
  multiply,
  parseDecimal,
  subtract,
  ZERO,
  type Rational,
} from '../../platform/engine/decimal';
import type { MachineCalendar } from '../../master-data/master-data.facade';
import type { FeedOperation, FeedWorkOrder, SchedulingFeed } from '../../production/production.facade';
import type { PlanJob, PlanMachine, PlanMode, PlanObjective, PlanOperation, Window } from '../engine/model';
import {
  RUSH_WEIGHT,
  type MachineLabel,
  type OperationLabel,
  type OrderLabel,
  type PlanSnapshot,
  type PlanWarning,
} from './plan-snapshot';
import { minuteOf, windowsFrom, workingEnd, workingMinutes } from './plan-time';

/** Where the live plan put an operation (for the frozen horizon). */
export interface LiveAssignment {
  equipmentId: string;
  startsAt: Date;
}

export interface ComposeInput {
  /** Minute 0 of the plan (whole minute). */
  origin: Date;
  /** Calendars are read up to here; nothing is planned beyond it. */
  horizonEnd: Date;
  objective: PlanObjective;
  /** Operations the live plan starts within this many minutes of the origin keep their machine and start. */
  frozenHorizonMinutes: number;
  feed: SchedulingFeed;
  machines: readonly MachineCalendar[];
  /** Available stock per material (decimal strings). */
  onHand: ReadonlyMap<string, string>;
  materialCodes: ReadonlyMap<string, string>;
  /** The published plan's assignments by operation id; null when there is none. */
  live: ReadonlyMap<string, LiveAssignment> | null;
  /** An order being inserted as a rush order (weighted as one whatever its priority). */
  rushWorkOrderId?: string | null;
}

/** The family of a machine whose last job is not known. */
export const UNKNOWN_SETUP = '(unknown)';

type MutableOperation = Omit<PlanOperation, 'predecessors' | 'frozen' | 'modes'> & {
  predecessors: string[];
  modes: PlanMode[];
  frozen?: { machine: string; start: number };
};

/**
 * Turns the factory's open work into the engine's problem: one job per work order (due date, rush weight),
 * one operation per open routing step with its eligible machines and working minutes for the open quantity,
 * setup families, transfer batches, material pegging (an order waits for the order that makes its short
 * component), machines with their calendars, and frozen operations (running now, or started by the live plan
 * inside the frozen horizon). Pure: every input is passed in.
 */
export function composePlan(input: ComposeInput): PlanSnapshot {
  const originMs = input.origin.getTime();
  const horizon = minuteOf(originMs, input.horizonEnd, 'floor');
  const warnings: PlanWarning[] = [];
  const machineInfo = new Map(input.machines.map((m) => [m.equipmentId, m]));
  const windowCache = new Map<string, Window[] | undefined>();
  const windowsOf = (machine: string): Window[] | undefined => {
    if (!windowCache.has(machine)) {
      const intervals = machineInfo.get(machine)?.intervals;
      windowCache.set(machine, intervals ? windowsFrom(originMs, intervals, horizon) : undefined);
    }
    return windowCache.get(machine);
  };

  const opsByOrder = new Map<string, FeedOperation[]>();
  for (const op of input.feed.operations) {
    const list = opsByOrder.get(op.workOrderId) ?? [];
    list.push(op);
    opsByOrder.set(op.workOrderId, list);
  }

  const jobs: PlanJob[] = [];
  const operations: MutableOperation[] = [];
  const opById = new Map<string, MutableOperation>();
  const orderLabels: Record<string, OrderLabel> = {};
  const opLabels: Record<string, OperationLabel> = {};
  const setups = new Map<string, Record<string, number>>();
  const included = new Map<string, { wo: FeedWorkOrder; open: FeedOperation[] }>();

  for (const wo of input.feed.workOrders) {
    if (wo.status === 'held') {
      warnings.push({
        code: 'ORDER_HELD',
        message: `${wo.code} is on hold and is left out of the plan`,
        workOrderId: wo.id,
      });
      continue;
    }
    const all = [...(opsByOrder.get(wo.id) ?? [])].sort((a, b) => a.seq - b.seq);
    const open = all.filter((o) => o.status !== 'completed');
    if (open.length === 0) continue;
    const modes = open.map((op) => modesOf(op, machineInfo));
    const stuck = open.findIndex((_, i) => modes[i]!.length === 0);
    if (stuck >= 0) {
      warnings.push({
        code: 'NO_ACTIVE_MACHINE',
        message: `${wo.code} operation ${open[stuck]!.seq} has no active machine; the order is left out of the plan`,
        workOrderId: wo.id,
        operationId: open[stuck]!.id,
      });
      continue;
    }
    const rush = wo.priority === 'rush' || wo.id === input.rushWorkOrderId;
    included.set(wo.id, { wo, open });
    jobs.push({ id: wo.id, release: 0, due: minuteOf(originMs, wo.dueAt), weight: rush ? RUSH_WEIGHT : 1 });
    orderLabels[wo.id] = {
      code: wo.code,
      materialId: wo.materialId,
      materialCode: input.materialCodes.get(wo.materialId) ?? '',
      quantity: wo.quantity,
      dueAt: wo.dueAt.toISOString(),
      priority: rush ? 'rush' : 'normal',
      status: wo.status,
      lineId: wo.lineId,
    };
    const openIds = new Set(open.map((o) => o.id));
    const byId = new Map(all.map((o) => [o.id, o]));
    open.forEach((op, i) => {
      const family =
        op.equipmentOptions.find((e) => e.setupFamily)?.setupFamily ?? `${wo.materialId}:${op.seq}`;
      for (const option of op.equipmentOptions) {
        const perMachine = setups.get(option.equipmentId) ?? {};
        perMachine[family] = Math.max(
          perMachine[family] ?? 0,
          ceilMinutes(parseDecimal(option.setupTimeSec)),
        );
        setups.set(option.equipmentId, perMachine);
      }
      const pred = op.predecessorId && openIds.has(op.predecessorId) ? byId.get(op.predecessorId)! : null;
      const planned: MutableOperation = {
        id: op.id,
        job: wo.id,
        predecessors: pred ? [pred.id] : [],
        modes: modes[i]!,
        family,
      };
      const transfer = pred ? transferMinutes(pred) : 0;
      if (transfer > 0) planned.transferAfter = transfer;
      operations.push(planned);
      opById.set(op.id, planned);
      opLabels[op.id] = {
        workOrderId: wo.id,
        seq: op.seq,
        name: op.name,
        workCenterId: op.workCenterId,
        status: op.status,
      };
      freeze(op, planned, pred);
    });
  }

  function freeze(op: FeedOperation, planned: MutableOperation, pred: FeedOperation | null): void {
    if (op.status === 'running' || op.status === 'paused') {
      const machine =
        [op.equipmentId, op.scheduledEquipmentId].find(
          (m) => m && planned.modes.some((x) => x.machine === m),
        ) ?? planned.modes[0]!.machine;
      // It runs (or is paused) now: from the machine's next working minute, whatever the steps before it do.
      const start = firstWorking(windowsOf(machine), 0);
      if (start === undefined) return;
      planned.frozen = { machine, start };
      planned.predecessors = planned.predecessors.filter((p) => opById.get(p)?.frozen);
      opLabels[op.id]!.frozen = 'running';
      return;
    }
    const live = input.live?.get(op.id);
    if (!live || input.frozenHorizonMinutes <= 0) return;
    if (!planned.modes.some((m) => m.machine === live.equipmentId)) return;
    const start = minuteOf(originMs, live.startsAt);
    if (start < 0 || start >= input.frozenHorizonMinutes) return;
    if (firstWorking(windowsOf(live.equipmentId), start) !== start) return;
    // Only behind work that is itself fixed: a frozen step never waits for one the engine may move.
    if (pred && !opById.get(pred.id)?.frozen) return;
    planned.frozen = { machine: live.equipmentId, start };
    opLabels[op.id]!.frozen = 'horizon';
  }

  releaseConflictingFreezes(operations, opById, opLabels, windowsOf, setups, warnings, orderLabels);
  pegMaterials(input, included, opById, warnings);

  const machines: PlanMachine[] = [];
  const machineLabels: Record<string, MachineLabel> = {};
  const used = [...new Set(operations.flatMap((o) => o.modes.map((m) => m.machine)))].sort();
  for (const id of used) {
    const info = machineInfo.get(id)!;
    const familySetups = setups.get(id) ?? {};
    const last = input.feed.lastRuns.find((r) => r.equipmentId === id);
    // Not known what the machine is set up for: its first step needs its full setup.
    const initialFamily = last ? (last.setupFamily ?? `${last.materialId}:${last.seq}`) : UNKNOWN_SETUP;
    const windows = windowsOf(id);
    machines.push({
      id,
      ...(windows ? { available: windows } : {}),
      setups: setupMatrix(familySetups, initialFamily),
      initialFamily,
    });
    machineLabels[id] = {
      code: info.code,
      name: info.name,
      workCenterId: info.workCenterId,
      workCenterCode: info.workCenterCode,
      calendarCode: info.calendarCode,
      setups: familySetups,
    };
    if (info.status === 'down' || info.status === 'maintenance') {
      warnings.push({
        code: 'MACHINE_NOT_AVAILABLE',
        message: `${info.code} is ${info.status} now; the plan keeps it free until maintenance expects it back`,
        equipmentId: id,
      });
    }
    if (!info.intervals) {
      warnings.push({
        code: 'NO_CALENDAR',
        message: `${info.code} has no shift calendar (its work center's or the site's): planned round the clock`,
        equipmentId: id,
      });
    } else if (windows && windows.length === 0) {
      warnings.push({
        code: 'NO_WORKING_TIME',
        message: `${info.code} has no working time before ${input.horizonEnd.toISOString()}`,
        equipmentId: id,
      });
    }
  }

  return {
    origin: input.origin.toISOString(),
    horizonEnd: input.horizonEnd.toISOString(),
    problem: { machines, jobs, operations, objective: input.objective },
    machines: machineLabels,
    orders: orderLabels,
    operations: opLabels,
    warnings,
  };
}

/** matrix[from][to] = the setup of `to` whenever the family changes (a family following itself needs none). */
export function setupMatrix(
  setups: Readonly<Record<string, number>>,
  initialFamily?: string,
): Record<string, Record<string, number>> {
  const families = Object.keys(setups);
  const from = initialFamily && !families.includes(initialFamily) ? [...families, initialFamily] : families;
  const matrix: Record<string, Record<string, number>> = {};
  for (const f of from) {
    for (const t of families) {
      const minutes = setups[t] ?? 0;
      if (f !== t && minutes > 0) (matrix[f] ??= {})[t] = minutes;
    }
  }
  return matrix;
}

/** Eligible active machines with the working minutes of the open quantity; a running step keeps its machine. */
function modesOf(op: FeedOperation, machines: ReadonlyMap<string, MachineCalendar>): PlanMode[] {
  const remaining = parseDecimal(op.remainingQty);
  const modes: PlanMode[] = [];
  for (const option of op.equipmentOptions) {
    if (!machines.get(option.equipmentId)?.active) continue;
    modes.push({ machine: option.equipmentId, duration: workMinutes(remaining, option.runTimePerUnitSec) });
  }
  const running = op.status === 'running' || op.status === 'paused';
  if (running && op.equipmentId && machines.has(op.equipmentId)) {
    const on = modes.find((m) => m.machine === op.equipmentId);
    const rate =
      op.equipmentOptions.find((e) => e.equipmentId === op.equipmentId)?.runTimePerUnitSec ??
      op.equipmentOptions[0]?.runTimePerUnitSec ??
      '60';
    return [on ?? { machine: op.equipmentId, duration: workMinutes(remaining, rate) }];
  }
  return modes;
}

/** Whole minutes (at least one) of work for a quantity at seconds per unit. */
function workMinutes(quantity: Rational, secondsPerUnit: string): number {
  return Math.max(1, ceilMinutes(multiply(quantity, parseDecimal(secondsPerUnit))));
}

function ceilMinutes(seconds: Rational): number {
  if (compare(seconds, ZERO) <= 0) return 0;
  const den = seconds.den * 60n;
  return Number(seconds.num / den + (seconds.num % den === 0n ? 0n : 1n));
}

/** Minutes until a predecessor's first transfer batch is done (slowest eligible machine); 0 without batches. */
function transferMinutes(pred: FeedOperation): number {
  if (!pred.minTransferQty) return 0;
  const batch = parseDecimal(pred.minTransferQty);
  const remaining = parseDecimal(pred.remainingQty);
  if (compare(batch, remaining) >= 0) return 0;
  const slowest = pred.equipmentOptions.reduce(
    (max, e) => Math.max(max, workMinutes(batch, e.runTimePerUnitSec)),
    0,
  );
  return slowest;
}

/**
 * Makes a changed snapshot's frozen steps fit together again (after a machine is taken down in a what-if): the
 * same rules as when the plan is composed, on the snapshot's own problem, labels and warnings.
 */
export function settleFrozen(s: PlanSnapshot): void {
  const operations: MutableOperation[] = s.problem.operations.map((o) => ({
    ...o,
    predecessors: [...o.predecessors],
    modes: [...o.modes],
    ...(o.frozen ? { frozen: { ...o.frozen } } : {}),
  }));
  const windows = new Map(s.problem.machines.map((m) => [m.id, m.available]));
  releaseConflictingFreezes(
    operations,
    new Map(operations.map((o) => [o.id, o])),
    s.operations,
    (machine) => windows.get(machine),
    new Map(Object.entries(s.machines).map(([id, m]) => [id, m.setups])),
    s.warnings,
    s.orders,
  );
  s.problem = { ...s.problem, operations };
}

/** The first working minute at or after `from` (undefined when the windows end first). */
function firstWorking(windows: readonly Window[] | undefined, from: number): number | undefined {
  if (!windows) return from;
  const w = windows.find(([, end]) => end > from);
  return w ? Math.max(w[0], from) : undefined;
}

/**
 * Frozen steps must fit together as the engine requires (on working minutes, after their frozen predecessors,
 * one at a time per machine with room for setups): the engine's estimate of a running step's rest may run into
 * the live plan's next step on that machine, or past its successor's frozen start. Such horizon freezes are
 * released, with their successors, and the planner is told; two steps running on one machine are queued.
 */
function releaseConflictingFreezes(
  operations: MutableOperation[],
  opById: Map<string, MutableOperation>,
  labels: Record<string, OperationLabel>,
  windowsOf: (machine: string) => readonly Window[] | undefined,
  setups: ReadonlyMap<string, Readonly<Record<string, number>>>,
  warnings: PlanWarning[],
  orders: Record<string, OrderLabel>,
): void {
  const durationOf = (op: MutableOperation): number =>
    op.modes.find((m) => m.machine === op.frozen!.machine)!.duration;
  const endOf = (op: MutableOperation): number =>
    workingEnd(windowsOf(op.frozen!.machine), op.frozen!.start, durationOf(op));
  const isHorizon = (op: MutableOperation): boolean => labels[op.id]!.frozen === 'horizon';
  const release = (op: MutableOperation, why: string): void => {
    if (!op.frozen || !isHorizon(op)) return;
    delete op.frozen;
    delete labels[op.id]!.frozen;
    warnings.push({
      code: 'FREEZE_RELEASED',
      message: `${orders[op.job]?.code ?? op.job} operation ${labels[op.id]!.seq} is no longer frozen: ${why}`,
      workOrderId: op.job,
      operationId: op.id,
    });
    for (const next of operations) {
      if (next.predecessors.includes(op.id)) release(next, 'its predecessor is no longer frozen');
    }
  };
  // A frozen step must start on a working minute: a running one waits for the next, a planned one is freed.
  for (const op of operations) {
    if (!op.frozen) continue;
    const start = firstWorking(windowsOf(op.frozen.machine), op.frozen.start);
    if (start === op.frozen.start) continue;
    if (isHorizon(op)) release(op, 'its machine is not available then');
    else if (start !== undefined) op.frozen = { ...op.frozen, start };
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const op of operations) {
      if (!op.frozen) continue;
      for (const predId of op.predecessors) {
        const pred = opById.get(predId);
        if (!pred?.frozen) {
          if (isHorizon(op)) release(op, 'a step before it is not fixed');
          else op.predecessors = op.predecessors.filter((p) => p !== predId);
          changed = true;
          break;
        }
        const predEnd = endOf(pred);
        const after =
          op.transferAfter === undefined ? undefined : Math.min(op.transferAfter, durationOf(pred));
        const ready =
          after === undefined
            ? predEnd
            : after === 0
              ? pred.frozen.start
              : workingEnd(windowsOf(pred.frozen.machine), pred.frozen.start, after);
        if (ready > op.frozen.start || endOf(op) < predEnd) {
          // A step already running does not wait for the one before it: the shop floor has decided.
          if (isHorizon(op)) release(op, 'the step before it now ends later');
          else op.predecessors = op.predecessors.filter((p) => p !== predId);
          changed = true;
          break;
        }
      }
    }
    const byMachine = new Map<string, MutableOperation[]>();
    for (const op of operations) {
      if (!op.frozen) continue;
      const list = byMachine.get(op.frozen.machine) ?? [];
      list.push(op);
      byMachine.set(op.frozen.machine, list);
    }
    for (const [machine, list] of byMachine) {
      const windows = windowsOf(machine);
      list.sort((a, b) => a.frozen!.start - b.frozen!.start || Number(isHorizon(a)) - Number(isHorizon(b)));
      for (let i = 1; i < list.length && !changed; i++) {
        const prev = list[i - 1]!;
        const next = list[i]!;
        const setup = prev.family !== next.family ? (setups.get(machine)?.[next.family ?? ''] ?? 0) : 0;
        const prevEnd = endOf(prev);
        if (next.frozen!.start >= prevEnd && workingMinutes(windows, prevEnd, next.frozen!.start) >= setup)
          continue;
        if (isHorizon(next)) release(next, 'the step before it on the machine now ends later');
        else if (isHorizon(prev)) release(prev, 'a running step on the machine now ends later');
        else {
          // Two steps running on one machine: the second continues when the first is done.
          const start = firstWorking(windows, workingEnd(windows, prevEnd, setup));
          if (start === undefined || start === Infinity) continue;
          next.frozen = { machine, start };
        }
        changed = true;
      }
      if (changed) break;
    }
  }
}

/**
 * Material availability: open material lines take available stock (released orders first, then by priority
 * and due date); what stock cannot cover waits for an order in the plan that makes the material (its last
 * step becomes a predecessor of the consuming step); what nothing covers is reported.
 */
function pegMaterials(
  input: ComposeInput,
  included: Map<string, { wo: FeedWorkOrder; open: FeedOperation[] }>,
  opById: Map<string, MutableOperation>,
  warnings: PlanWarning[],
): void {
  const stock = new Map<string, Rational>();
  for (const [material, qty] of input.onHand) stock.set(material, parseDecimal(qty));
  const released = (wo: FeedWorkOrder): boolean => wo.releasedAt !== null;
  const orders = [...included.values()].map((x) => x.wo);
  const rank = new Map(
    [...orders]
      .sort(
        (a, b) =>
          Number(released(b)) - Number(released(a)) ||
          (a.releasedAt?.getTime() ?? 0) - (b.releasedAt?.getTime() ?? 0) ||
          Number(b.priority === 'rush') - Number(a.priority === 'rush') ||
          a.dueAt.getTime() - b.dueAt.getTime() ||
          a.code.localeCompare(b.code),
      )
      .map((wo, i) => [wo.id, i]),
  );
  const producers = new Map<string, Array<{ wo: FeedWorkOrder; remaining: Rational; lastOp: string }>>();
  for (const { wo, open } of [...included.values()].sort(
    (a, b) => a.wo.dueAt.getTime() - b.wo.dueAt.getTime(),
  )) {
    const remaining = subtract(parseDecimal(wo.quantity), parseDecimal(wo.goodQty));
    if (compare(remaining, ZERO) <= 0) continue;
    const list = producers.get(wo.materialId) ?? [];
    list.push({ wo, remaining, lastOp: open[open.length - 1]!.id });
    producers.set(wo.materialId, list);
  }
  const feeds = new Map<string, Set<string>>(); // producer order → consumer orders
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return [...(feeds.get(from) ?? [])].some((next) => reaches(next, to, seen));
  };
  const lines = input.feed.materials
    .filter((l) => included.has(l.workOrderId))
    .sort((a, b) => rank.get(a.workOrderId)! - rank.get(b.workOrderId)!);
  const short = new Map<string, { wo: FeedWorkOrder; materialId: string; qty: Rational }>();
  for (const line of lines) {
    const { wo, open } = included.get(line.workOrderId)!;
    let need = parseDecimal(line.openQty);
    const onHand = stock.get(line.materialId) ?? ZERO;
    const fromStock = compare(onHand, need) < 0 ? onHand : need;
    stock.set(line.materialId, subtract(onHand, fromStock));
    need = subtract(need, fromStock);
    if (compare(need, ZERO) <= 0) continue;
    const consumer =
      line.operationSeq === null ? open[0] : (open.find((o) => o.seq === line.operationSeq) ?? undefined);
    // The consuming step is done (nothing to wait for) or under way (already has what it uses).
    if (!consumer) continue;
    const planned = opById.get(consumer.id)!;
    if (planned.frozen) continue;
    for (const p of producers.get(line.materialId) ?? []) {
      if (compare(need, ZERO) <= 0) break;
      if (p.wo.id === wo.id || compare(p.remaining, ZERO) <= 0 || reaches(wo.id, p.wo.id)) continue;
      const take = compare(p.remaining, need) < 0 ? p.remaining : need;
      p.remaining = subtract(p.remaining, take);
      need = subtract(need, take);
      if (!planned.predecessors.includes(p.lastOp)) planned.predecessors.push(p.lastOp);
      // A transfer batch is a promise between steps of one order: the component must be finished.
      delete planned.transferAfter;
      const consumers = feeds.get(p.wo.id) ?? new Set<string>();
      consumers.add(wo.id);
      feeds.set(p.wo.id, consumers);
    }
    if (compare(need, ZERO) > 0) {
      const key = `${wo.id}:${line.materialId}`;
      const prior = short.get(key);
      short.set(key, {
        wo,
        materialId: line.materialId,
        qty: prior ? add(prior.qty, need) : need,
      });
    }
  }
  for (const { wo, materialId, qty } of short.values()) {
    const code = input.materialCodes.get(materialId) ?? materialId;
    warnings.push({
      code: 'MATERIAL_SHORT',
      message: `${wo.code} is short of ${formatExact(qty)} ${code} with no receipt or order in the plan to cover it`,
      workOrderId: wo.id,
      materialId,
    });
  }
}
