/**
 * Independent feasibility check of a plant plan: shares nothing with the decoder but the input validation. Its
 * calendar arithmetic walks the windows one by one (slow and obvious on purpose). Pure.
 */
import { type PlanKpis, type PlanOperation, type PlanProblem, type PlanResult, type Window } from './model';
import { validatePlan } from './plant-compile';

const EVERYTHING: readonly Window[] = [[-Infinity, Infinity]];

/** Working minutes in [a, b). */
function work(windows: readonly Window[], a: number, b: number): number {
  let total = 0;
  if (b <= a) return 0;
  for (const [s, e] of windows) {
    if (e <= a) continue;
    if (s >= b) break;
    total += Math.min(b, e) - Math.max(a, s);
  }
  return total;
}

/** A working minute starts at t. */
const working = (windows: readonly Window[], t: number) => windows.some(([s, e]) => s <= t && t < e);

/** A working minute ends at t. */
const ending = (windows: readonly Window[], t: number) => windows.some(([s, e]) => s < t && t <= e);

/** The instant `minutes` (≥ 1) working minutes from t are done. */
function after(windows: readonly Window[], t: number, minutes: number): number {
  let left = minutes;
  for (const [s, e] of windows) {
    if (e <= t) continue;
    const from = Math.max(s, t);
    if (e - from >= left) return from + left;
    left -= e - from;
  }
  return Infinity;
}

const whole = (x: unknown) => typeof x === 'number' && Number.isInteger(x);

/**
 * Every way the plan breaks the problem, each a sentence naming the ids; empty when it is feasible and its KPIs
 * are right. See plant-compile.ts for the semantics it checks.
 */
export function checkPlan(problem: PlanProblem, result: PlanResult): string[] {
  const invalid = validatePlan(problem);
  if (invalid.length) return invalid.map((e) => `The problem is invalid: ${e}`);
  const errors: string[] = [];
  const machines = new Map(problem.machines.map((m) => [m.id, m]));
  const jobs = new Map(problem.jobs.map((j) => [j.id, j]));
  const windowsOf = (machine: string) => machines.get(machine)!.available ?? EVERYTHING;
  const planned = new Map<string, (typeof result.operations)[number]>();
  for (const p of result.operations) {
    if (planned.has(p.id)) errors.push(`Operation ${p.id} is planned more than once.`);
    planned.set(p.id, p);
  }
  const ops = new Map(problem.operations.map((o) => [o.id, o]));
  for (const p of result.operations)
    if (!ops.has(p.id)) errors.push(`The plan has operation ${p.id}, which the problem does not.`);

  // Each operation on its own.
  const good = new Map<string, { op: PlanOperation; duration: number }>();
  for (const op of problem.operations) {
    const p = planned.get(op.id);
    if (!p) {
      errors.push(`Operation ${op.id} is not planned.`);
      continue;
    }
    const mode = op.modes.find((m) => m.machine === p.machine);
    if (!mode) {
      errors.push(`Operation ${op.id} is planned on machine ${p.machine}, which is not one of its machines.`);
      continue;
    }
    if (![p.setupStart, p.start, p.end].every(whole)) {
      errors.push(
        `Operation ${op.id}: its times ${p.setupStart}, ${p.start}, ${p.end} are not whole minutes.`,
      );
      continue;
    }
    const windows = windowsOf(p.machine);
    if (op.frozen && (op.frozen.machine !== p.machine || op.frozen.start !== p.start))
      errors.push(
        `Frozen operation ${op.id} is planned on ${p.machine} at ${p.start}, not on ${op.frozen.machine} at ${op.frozen.start}.`,
      );
    if (!op.frozen) {
      const release = jobs.get(op.job)!.release;
      if (p.start < release)
        errors.push(`Operation ${op.id} starts at ${p.start}, before its job's release ${release}.`);
      if (p.setupStart < 0)
        errors.push(`Operation ${op.id}: its setup starts at ${p.setupStart}, before the origin.`);
    }
    if (p.setupStart > p.start) errors.push(`Operation ${op.id}: its setup starts after the operation.`);
    if (!working(windows, p.start))
      errors.push(`Operation ${op.id} starts at ${p.start}, when machine ${p.machine} is not available.`);
    const processing = work(windows, p.start, p.end);
    if (processing !== mode.duration)
      errors.push(
        `Operation ${op.id} has ${processing} working minutes between ${p.start} and ${p.end} on ${p.machine}, not its ${mode.duration}.`,
      );
    else if (!ending(windows, p.end))
      errors.push(`Operation ${op.id} ends at ${p.end}, when machine ${p.machine} was not working.`);
    if (
      p.setupStart < p.start &&
      (work(windows, p.setupStart, p.start) === 0 || !working(windows, p.setupStart))
    )
      errors.push(
        `Operation ${op.id}: its setup starts at ${p.setupStart}, outside machine ${p.machine}'s windows.`,
      );
    good.set(op.id, { op, duration: mode.duration });
  }

  // Precedence, with transfer overlaps.
  for (const { op } of good.values()) {
    const x = planned.get(op.id)!;
    for (const predId of op.predecessors) {
      const pred = good.get(predId);
      if (!pred) continue;
      const p = planned.get(predId)!;
      if (op.transferAfter === undefined) {
        if (x.start < p.end)
          errors.push(`Operation ${op.id} starts at ${x.start}, before ${predId} ends at ${p.end}.`);
        continue;
      }
      const minutes = Math.min(op.transferAfter, pred.duration);
      const ready = minutes === 0 ? p.start : after(windowsOf(p.machine), p.start, minutes);
      if (x.start < ready)
        errors.push(
          `Operation ${op.id} starts at ${x.start}, before ${minutes} minutes of ${predId} are done (${ready}).`,
        );
      if (x.end < p.end)
        errors.push(`Operation ${op.id} ends at ${x.end}, before its predecessor ${predId} (${p.end}).`);
    }
  }

  // Machines: no overlaps, setups long enough.
  const byMachine = new Map<string, string[]>();
  for (const id of good.keys()) {
    const machine = planned.get(id)!.machine;
    const list = byMachine.get(machine);
    if (list) list.push(id);
    else byMachine.set(machine, [id]);
  }
  let totalSetup = 0;
  const busy = new Map<string, number>();
  for (const [machineId, ids] of byMachine) {
    const machine = machines.get(machineId)!;
    const windows = windowsOf(machineId);
    ids.sort((a, b) => planned.get(a)!.start - planned.get(b)!.start);
    let previous: PlanOperation | undefined;
    for (const id of ids) {
      const { op } = good.get(id)!;
      const p = planned.get(id)!;
      if (previous) {
        const q = planned.get(previous.id)!;
        if (p.setupStart < q.end)
          errors.push(
            `Operations ${previous.id} and ${id} overlap on machine ${machineId}: ${previous.id} ends at ${q.end}, ${id}${p.setupStart < p.start ? "'s setup" : ''} starts at ${p.setupStart}.`,
          );
      }
      const from = previous ? previous.family : machine.initialFamily;
      const needed =
        !previous && op.frozen
          ? 0
          : from !== undefined && op.family !== undefined
            ? (machine.setups?.[from]?.[op.family] ?? 0)
            : 0;
      const setup = work(windows, p.setupStart, p.start);
      if (setup < needed)
        errors.push(
          `Operation ${id} on machine ${machineId} has ${setup} minutes of setup after ${previous?.id ?? 'the origin'}, not ${needed}.`,
        );
      totalSetup += setup;
      busy.set(machineId, (busy.get(machineId) ?? 0) + work(windows, Math.max(0, p.setupStart), p.end));
      previous = op;
    }
  }
  if (errors.length) return errors;

  // KPIs recomputed.
  const expected = kpisOf(problem, result, totalSetup, busy);
  const actual = result.kpis;
  for (const key of ['makespan', 'totalWeightedTardiness', 'totalTardiness', 'totalSetup'] as const)
    if (Math.abs(actual[key] - expected[key]) > 1e-9 * Math.max(1, Math.abs(expected[key])))
      errors.push(`KPI ${key} is ${actual[key]}, recomputed ${expected[key]}.`);
  if (JSON.stringify(actual.lateJobs) !== JSON.stringify(expected.lateJobs))
    errors.push(
      `KPI lateJobs is ${JSON.stringify(actual.lateJobs)}, recomputed ${JSON.stringify(expected.lateJobs)}.`,
    );
  for (const m of problem.machines) {
    const a = actual.utilisation[m.id];
    const e = expected.utilisation[m.id]!;
    if (a === undefined || Math.abs(a - e) > 1e-9)
      errors.push(`KPI utilisation of ${m.id} is ${a}, recomputed ${e}.`);
  }
  return errors;
}

function kpisOf(
  problem: PlanProblem,
  result: PlanResult,
  totalSetup: number,
  busy: Map<string, number>,
): PlanKpis {
  const jobEnd = new Map<string, number>();
  let makespan = 0;
  const opsById = new Map(problem.operations.map((o) => [o.id, o]));
  for (const p of result.operations) {
    makespan = Math.max(makespan, p.end);
    const job = opsById.get(p.id)!.job;
    jobEnd.set(job, Math.max(jobEnd.get(job) ?? -Infinity, p.end));
  }
  const lateJobs: PlanKpis['lateJobs'] = [];
  let totalTardiness = 0;
  let totalWeightedTardiness = 0;
  for (const job of problem.jobs) {
    const end = jobEnd.get(job.id);
    if (end === undefined || job.due === undefined || end <= job.due) continue;
    const tardiness = end - job.due;
    lateJobs.push({ job: job.id, end, due: job.due, tardiness });
    totalTardiness += tardiness;
    totalWeightedTardiness += (job.weight ?? 1) * tardiness;
  }
  lateJobs.sort((a, b) => b.tardiness - a.tardiness);
  const utilisation: Record<string, number> = {};
  for (const m of problem.machines) {
    const available = work(m.available ?? EVERYTHING, 0, makespan);
    utilisation[m.id] = available > 0 ? (busy.get(m.id) ?? 0) / available : 0;
  }
  return { makespan, totalWeightedTardiness, totalTardiness, lateJobs, utilisation, totalSetup };
}
