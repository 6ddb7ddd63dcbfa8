/**
 * Plant scheduling input: validation (every problem named in a plain sentence) and compilation into dense,
 * index-based arrays for the decoder and the search. Pure.
 *
 * Decisions the model leaves open, taken here and checked by checkPlan:
 * - Times, durations, setups and transfer minutes are whole minutes. Nothing that is not frozen is planned
 *   before the origin (0): neither its setup nor its processing.
 * - Setup between consecutive operations of a machine = setups[previous family][family], the previous family
 *   being the machine's `initialFamily` for its first operation; 0 when either family is missing or the matrix
 *   has no entry. The setup takes the working minutes immediately before the operation's start (it may begin in
 *   an earlier window) and does not wait for the job's release or predecessors (anticipatory setup): only the
 *   machine has to be free.
 *   An operation without a family neither needs a setup nor leaves the machine set up for anything: the one after
 *   it needs none either.
 * - A frozen operation keeps its machine and start, and is exempt from its job's release. It needs the setup from
 *   the operation before it on its machine like any other, except when it is the first one there (the machine is
 *   taken as ready for it: its setupStart equals its start). Its predecessors must be frozen too and respected by
 *   its start (checked here), and it must start at a working minute of its machine. Consecutive frozen operations
 *   of a machine must leave room for the setup between them, so that planning nothing between them is possible.
 *   It may start before the origin (running since then).
 * - Transfer overlap: with `transferAfter` = a, the operation may start once each predecessor has done
 *   min(a, its duration) working minutes (on the predecessor's machine calendar; a = 0: once it has started), and
 *   its end is never before any predecessor's end.
 * - Windows are whole minutes, sorted, each non-empty; touching windows are fine (they merge). Work that does not
 *   fit before a machine's last window ends cannot go there: solvePlan throws a RangeError when it fits nowhere.
 * - KPIs: a job ends with its last operation (jobs without operations are never late); lateJobs ties keep the
 *   input order; utilisation counts busy minutes from the origin to the makespan (work of a frozen operation
 *   before the origin is not counted), 0 for a machine without working minutes in that span.
 */
import { Calendar } from './plant-calendar';
import { type PlanProblem } from './model';

const OBJECTIVES = ['makespan', 'tardiness', 'tardiness-then-makespan'];

const isWhole = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x);

/** Per-machine setup lookup over family indices; -1 (no family) always gives 0. */
export class SetupTable {
  private readonly flat: Int32Array | undefined;
  private readonly sparse: Map<number, number> | undefined;
  constructor(
    private readonly families: number,
    entries: Array<[from: number, to: number, minutes: number]>,
  ) {
    const nonZero = entries.filter((e) => e[2] > 0);
    this.mean = nonZero.length ? nonZero.reduce((sum, e) => sum + e[2], 0) / nonZero.length : 0;
    if (families * families <= 1 << 16) {
      this.flat = new Int32Array(families * families);
      for (const [from, to, minutes] of entries) this.flat[from * families + to] = minutes;
    } else {
      this.sparse = new Map(entries.map(([from, to, minutes]) => [from * families + to, minutes]));
    }
  }
  get(from: number, to: number): number {
    if (from < 0 || to < 0) return 0;
    const key = from * this.families + to;
    return this.flat ? this.flat[key]! : (this.sparse!.get(key) ?? 0);
  }
  /** Mean over the non-zero entries (for the setup-aware dispatch rule). */
  readonly mean: number;
}

/** The problem as dense arrays. Operations, machines and jobs keep the input's order and are named by index. */
export interface Compiled {
  problem: PlanProblem;
  nOps: number;
  nMachines: number;
  nJobs: number;
  calendars: Calendar[];
  setups: Array<SetupTable | undefined>;
  initialFamily: Int32Array;
  opJob: Int32Array;
  opFamily: Int32Array;
  /** -1: no transfer overlap. */
  opTransfer: Float64Array;
  /** CSR lists: predecessors, successors, modes (machine and duration). */
  predStart: Int32Array;
  preds: Int32Array;
  succStart: Int32Array;
  succs: Int32Array;
  modeStart: Int32Array;
  modeMachine: Int32Array;
  modeDuration: Float64Array;
  /** Shortest mode duration per operation. */
  minDuration: Float64Array;
  /** Frozen: index of the frozen mode, else -1; its fixed times. */
  frozenMode: Int32Array;
  frozenStart: Float64Array;
  frozenEnd: Float64Array;
  /** Frozen operations per machine by start. */
  frozenByMachine: Int32Array[];
  /** Non-frozen operations, in input order. */
  free: Int32Array;
  jobRelease: Float64Array;
  /** Infinity: no due date. */
  jobDue: Float64Array;
  jobWeight: Float64Array;
  /** CSR: operations of each job without a successor in the same job (a job ends when they all have). */
  sinkStart: Int32Array;
  sinks: Int32Array;
  /** All operations in a topological order of the precedence graph. */
  topo: Int32Array;
}

function csr(n: number, lists: number[][]): { start: Int32Array; items: Int32Array } {
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i]! + lists[i]!.length;
  const items = new Int32Array(start[n]!);
  for (let i = 0; i < n; i++) items.set(lists[i]!, start[i]);
  return { start, items };
}

/** Kahn's order over the precedence graph; the operations left over are on or behind a cycle. */
function topologicalOrder(n: number, preds: number[][]): { order: number[]; left: number[] } {
  const indegree = preds.map((list) => list.length);
  const succs: number[][] = Array.from({ length: n }, () => []);
  preds.forEach((list, op) => list.forEach((p) => succs[p]!.push(op)));
  const order: number[] = [];
  for (let op = 0; op < n; op++) if (indegree[op] === 0) order.push(op);
  for (let i = 0; i < order.length; i++)
    for (const s of succs[order[i]!]!) if (--indegree[s]! === 0) order.push(s);
  const placed = new Set(order);
  return { order, left: [...Array(n).keys()].filter((op) => !placed.has(op)) };
}

/**
 * What is wrong with the input, each problem a sentence naming the ids; empty when it can be planned. Structure
 * first (ids, numbers, windows); the precedence graph and frozen operations only once the structure is sound.
 */
export function validatePlan(problem: PlanProblem): string[] {
  const errors: string[] = [];
  if (!OBJECTIVES.includes(problem.objective))
    errors.push(`The objective "${String(problem.objective)}" is not one of ${OBJECTIVES.join(', ')}.`);

  const machines = new Map<string, number>();
  problem.machines.forEach((machine, m) => {
    if (machines.has(machine.id)) errors.push(`Machine ${machine.id} is listed twice.`);
    machines.set(machine.id, m);
    (machine.available ?? []).forEach(([start, end], i) => {
      if (!isWhole(start) || !isWhole(end))
        errors.push(`Machine ${machine.id}: window ${i + 1} [${start}, ${end}) is not in whole minutes.`);
      else if (end <= start)
        errors.push(
          `Machine ${machine.id}: window ${i + 1} [${start}, ${end}) does not end after it starts.`,
        );
      const previous = machine.available![i - 1];
      if (previous && start < previous[1])
        errors.push(
          previous[0] > start
            ? `Machine ${machine.id}: window ${i + 1} [${start}, ${end}) comes before window ${i} [${previous[0]}, ${previous[1]}); windows must be sorted.`
            : `Machine ${machine.id}: window ${i + 1} [${start}, ${end}) overlaps window ${i} [${previous[0]}, ${previous[1]}).`,
        );
    });
    for (const [from, row] of Object.entries(machine.setups ?? {}))
      for (const [to, minutes] of Object.entries(row))
        if (!isWhole(minutes) || minutes < 0)
          errors.push(
            `Machine ${machine.id}: the setup from family ${from} to ${to} is ${minutes}; setups are whole minutes, 0 or more.`,
          );
  });

  const jobs = new Map<string, number>();
  problem.jobs.forEach((job, j) => {
    if (jobs.has(job.id)) errors.push(`Job ${job.id} is listed twice.`);
    jobs.set(job.id, j);
    if (!isWhole(job.release))
      errors.push(`Job ${job.id}: the release ${job.release} is not a whole minute.`);
    if (job.due !== undefined && !isWhole(job.due))
      errors.push(`Job ${job.id}: the due date ${job.due} is not a whole minute.`);
    if (job.weight !== undefined && !(Number.isFinite(job.weight) && job.weight >= 0))
      errors.push(`Job ${job.id}: the weight ${job.weight} is not a number of 0 or more.`);
  });

  const ops = new Map<string, number>();
  problem.operations.forEach((op, o) => {
    if (ops.has(op.id)) errors.push(`Operation ${op.id} is listed twice.`);
    ops.set(op.id, o);
  });
  for (const op of problem.operations) {
    if (!jobs.has(op.job)) errors.push(`Operation ${op.id} belongs to the unknown job ${op.job}.`);
    if (op.modes.length === 0) errors.push(`Operation ${op.id} has no machine to run on.`);
    const seen = new Set<string>();
    for (const mode of op.modes) {
      if (!machines.has(mode.machine))
        errors.push(`Operation ${op.id} names the unknown machine ${mode.machine}.`);
      if (seen.has(mode.machine)) errors.push(`Operation ${op.id} lists machine ${mode.machine} twice.`);
      seen.add(mode.machine);
      if (!isWhole(mode.duration) || mode.duration <= 0)
        errors.push(
          `Operation ${op.id} on machine ${mode.machine}: the duration ${mode.duration} is not a positive whole number of minutes.`,
        );
    }
    for (const p of op.predecessors) {
      if (p === op.id) errors.push(`Operation ${op.id} is its own predecessor.`);
      else if (!ops.has(p)) errors.push(`Operation ${op.id} names the unknown predecessor ${p}.`);
    }
    if (op.transferAfter !== undefined && !(isWhole(op.transferAfter) && op.transferAfter >= 0))
      errors.push(
        `Operation ${op.id}: transferAfter ${op.transferAfter} is not a whole number of minutes, 0 or more.`,
      );
    if (op.frozen) {
      if (!seen.has(op.frozen.machine))
        errors.push(
          `Operation ${op.id} is frozen on machine ${op.frozen.machine}, which is not one of its machines (${[...seen].join(', ')}).`,
        );
      if (!isWhole(op.frozen.start))
        errors.push(`Operation ${op.id}: the frozen start ${op.frozen.start} is not a whole minute.`);
    }
  }
  if (errors.length) return errors;

  // The precedence graph.
  const n = problem.operations.length;
  const predLists = problem.operations.map((op) => [...new Set(op.predecessors)].map((p) => ops.get(p)!));
  const { left } = topologicalOrder(n, predLists);
  if (left.length) {
    // Walk predecessors inside the left-over set until an operation repeats: that loop is a cycle.
    const inLeft = new Set(left);
    const seenAt = new Map<number, number>();
    const path: number[] = [];
    let op = left[0]!;
    while (!seenAt.has(op)) {
      seenAt.set(op, path.length);
      path.push(op);
      op = predLists[op]!.find((p) => inLeft.has(p))!;
    }
    const cycle = path.slice(seenAt.get(op)).reverse();
    // Told from its first operation in the input, in precedence order.
    const first = cycle.indexOf(Math.min(...cycle));
    cycle.push(...cycle.splice(0, first));
    const names = [...cycle, cycle[0]!].map((o) => problem.operations[o]!.id);
    errors.push(
      `The precedence graph has a cycle: ${names.join(' → ')} (${left.length} operations on or after cycles).`,
    );
  }

  // Frozen operations: on a working minute, after their (frozen) predecessors, not overlapping each other.
  const calendars = problem.machines.map((m) => new Calendar(m.available));
  const frozenEnd = new Map<number, number>();
  const frozenOnMachine = new Map<number, number[]>();
  problem.operations.forEach((op, o) => {
    if (!op.frozen) return;
    const m = machines.get(op.frozen.machine)!;
    const calendar = calendars[m]!;
    const duration = op.modes.find((mode) => mode.machine === op.frozen!.machine)!.duration;
    if (!calendar.isWorking(op.frozen.start)) {
      errors.push(
        `Operation ${op.id} is frozen to start at ${op.frozen.start}, when machine ${op.frozen.machine} is not available.`,
      );
      return;
    }
    const end = calendar.countEnd(calendar.workBefore(op.frozen.start) + duration);
    if (end === Infinity) {
      errors.push(
        `Operation ${op.id} is frozen where the calendar of machine ${op.frozen.machine} ends first.`,
      );
      return;
    }
    frozenEnd.set(o, end);
    const list = frozenOnMachine.get(m);
    if (list) list.push(o);
    else frozenOnMachine.set(m, [o]);
  });
  problem.operations.forEach((op, o) => {
    if (!op.frozen || !frozenEnd.has(o)) return;
    for (const p of predLists[o]!) {
      const pred = problem.operations[p]!;
      if (!pred.frozen) {
        errors.push(
          `Frozen operation ${op.id} has the predecessor ${pred.id}, which is not frozen; freeze it too or unfreeze ${op.id}.`,
        );
        continue;
      }
      const predEnd = frozenEnd.get(p);
      if (predEnd === undefined) continue;
      let ready = predEnd;
      if (op.transferAfter !== undefined) {
        const predCalendar = calendars[machines.get(pred.frozen.machine)!]!;
        const predDuration = pred.modes.find((mode) => mode.machine === pred.frozen!.machine)!.duration;
        const after = Math.min(op.transferAfter, predDuration);
        ready =
          after === 0
            ? pred.frozen.start
            : predCalendar.countEnd(predCalendar.workBefore(pred.frozen.start) + after);
      }
      if (op.frozen.start < ready)
        errors.push(
          `Frozen operation ${op.id} starts at ${op.frozen.start}, before its predecessor ${pred.id} allows (${ready}).`,
        );
      else if (frozenEnd.get(o)! < predEnd)
        errors.push(
          `Frozen operation ${op.id} ends at ${frozenEnd.get(o)}, before its predecessor ${pred.id} (${predEnd}).`,
        );
    }
  });
  for (const [m, list] of frozenOnMachine) {
    const machine = problem.machines[m]!;
    list.sort((a, b) => problem.operations[a]!.frozen!.start - problem.operations[b]!.frozen!.start);
    for (let i = 1; i < list.length; i++) {
      const a = problem.operations[list[i - 1]!]!;
      const b = problem.operations[list[i]!]!;
      const setup =
        a.family !== undefined && b.family !== undefined ? (machine.setups?.[a.family]?.[b.family] ?? 0) : 0;
      const aEnd = frozenEnd.get(list[i - 1]!)!;
      const room = calendars[m]!.workBefore(b.frozen!.start) - calendars[m]!.workBefore(aEnd);
      if (b.frozen!.start < aEnd || room < setup)
        errors.push(
          `Frozen operations ${a.id} and ${b.id} overlap on machine ${machine.id}: ${a.id} ends at ${aEnd}, ${b.id} starts at ${b.frozen!.start}${setup ? ` and needs ${setup} minutes of setup before` : ''}.`,
        );
    }
  }
  return errors;
}

/** Compiles a valid problem (validatePlan empty) into dense arrays. */
export function compile(problem: PlanProblem): Compiled {
  const nMachines = problem.machines.length;
  const nJobs = problem.jobs.length;
  const nOps = problem.operations.length;
  const machineIndex = new Map(problem.machines.map((m, i) => [m.id, i]));
  const jobIndex = new Map(problem.jobs.map((j, i) => [j.id, i]));
  const opIndex = new Map(problem.operations.map((o, i) => [o.id, i]));

  const familyIndex = new Map<string, number>();
  const family = (name: string | undefined) => {
    if (name === undefined) return -1;
    let f = familyIndex.get(name);
    if (f === undefined) familyIndex.set(name, (f = familyIndex.size));
    return f;
  };
  const opFamily = Int32Array.from(problem.operations, (op) => family(op.family));
  const initialFamily = Int32Array.from(problem.machines, (m) => family(m.initialFamily));
  const families = familyIndex.size;
  // Matrices shared by several machines (same object) are compiled once; families no operation or machine
  // uses cannot matter and are left out.
  const tables = new Map<object, SetupTable>();
  const setups = problem.machines.map((machine) => {
    if (!machine.setups) return undefined;
    let table = tables.get(machine.setups);
    if (!table) {
      const entries: Array<[number, number, number]> = [];
      for (const [from, row] of Object.entries(machine.setups)) {
        const f = familyIndex.get(from);
        if (f === undefined) continue;
        for (const [to, minutes] of Object.entries(row)) {
          const t = familyIndex.get(to);
          if (t !== undefined && minutes > 0) entries.push([f, t, minutes]);
        }
      }
      table = new SetupTable(families, entries);
      tables.set(machine.setups, table);
    }
    return table;
  });
  const calendars = problem.machines.map((m) => new Calendar(m.available));

  const predLists = problem.operations.map((op) => [...new Set(op.predecessors)].map((p) => opIndex.get(p)!));
  const succLists: number[][] = Array.from({ length: nOps }, () => []);
  predLists.forEach((list, o) => list.forEach((p) => succLists[p]!.push(o)));
  const predCsr = csr(nOps, predLists);
  const succCsr = csr(nOps, succLists);
  const modeCsr = csr(
    nOps,
    problem.operations.map((op) => op.modes.map((_, k) => k)),
  );
  const modeMachine = new Int32Array(modeCsr.items.length);
  const modeDuration = new Float64Array(modeCsr.items.length);
  const minDuration = new Float64Array(nOps);
  problem.operations.forEach((op, o) => {
    minDuration[o] = Infinity;
    op.modes.forEach((mode, k) => {
      modeMachine[modeCsr.start[o]! + k] = machineIndex.get(mode.machine)!;
      modeDuration[modeCsr.start[o]! + k] = mode.duration;
      minDuration[o] = Math.min(minDuration[o]!, mode.duration);
    });
  });

  const frozenMode = new Int32Array(nOps).fill(-1);
  const frozenStart = new Float64Array(nOps);
  const frozenEnd = new Float64Array(nOps);
  const frozenLists: number[][] = Array.from({ length: nMachines }, () => []);
  const free: number[] = [];
  problem.operations.forEach((op, o) => {
    if (!op.frozen) {
      free.push(o);
      return;
    }
    const k = op.modes.findIndex((mode) => mode.machine === op.frozen!.machine);
    const m = machineIndex.get(op.frozen.machine)!;
    frozenMode[o] = modeCsr.start[o]! + k;
    frozenStart[o] = op.frozen.start;
    frozenEnd[o] = calendars[m]!.countEnd(calendars[m]!.workBefore(op.frozen.start) + op.modes[k]!.duration);
    frozenLists[m]!.push(o);
  });
  for (const list of frozenLists) list.sort((a, b) => frozenStart[a]! - frozenStart[b]!);

  const opJob = Int32Array.from(problem.operations, (op) => jobIndex.get(op.job)!);
  const sinkLists: number[][] = Array.from({ length: nJobs }, () => []);
  problem.operations.forEach((_, o) => {
    if (!succLists[o]!.some((s) => opJob[s] === opJob[o])) sinkLists[opJob[o]!]!.push(o);
  });
  const sinkCsr = csr(nJobs, sinkLists);

  return {
    problem,
    nOps,
    nMachines,
    nJobs,
    calendars,
    setups,
    initialFamily,
    opJob,
    opFamily,
    opTransfer: Float64Array.from(problem.operations, (op) => op.transferAfter ?? -1),
    predStart: predCsr.start,
    preds: predCsr.items,
    succStart: succCsr.start,
    succs: succCsr.items,
    modeStart: modeCsr.start,
    modeMachine,
    modeDuration,
    minDuration,
    frozenMode,
    frozenStart,
    frozenEnd,
    frozenByMachine: frozenLists.map((list) => Int32Array.from(list)),
    free: Int32Array.from(free),
    jobRelease: Float64Array.from(problem.jobs, (j) => j.release),
    jobDue: Float64Array.from(problem.jobs, (j) => j.due ?? Infinity),
    jobWeight: Float64Array.from(problem.jobs, (j) => j.weight ?? 1),
    sinkStart: sinkCsr.start,
    sinks: sinkCsr.items,
    topo: Int32Array.from(topologicalOrder(nOps, predLists).order),
  };
}
