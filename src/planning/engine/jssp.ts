/**
 * Job-shop scheduling (JSSP) core: the standard instance format, schedule checking, and active schedules
 * built by the Giffler–Thompson algorithm with priority rules. Pure: no framework, no I/O, no clock.
 */
import { seededRandom } from './random';

export interface JsspOperation {
  machine: number;
  duration: number;
}

export interface JsspInstance {
  jobs: number;
  machines: number;
  /** ops[j][k]: operation k of job j, in the job's processing order. */
  ops: JsspOperation[][];
}

export interface JsspSchedule {
  makespan: number;
  /** starts[j][k]: start of operation k of job j. */
  starts: number[][];
}

/**
 * Parses the standard (OR-Library) format: `jobs machines`, then one line per job of `machine duration` pairs in
 * processing order, machines from 0. Lines starting with `#` are comments. Throws a RangeError saying what is wrong.
 */
export function parseJssp(text: string): JsspInstance {
  const tokens = text
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('#'))
    .join(' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  const numbers = tokens.map((t) => {
    if (!/^\d+$/.test(t)) throw new RangeError(`not a non-negative integer: "${t}"`);
    return Number(t);
  });
  const [jobs, machines] = numbers;
  if (!jobs || !machines) throw new RangeError('the first line must be "jobs machines", both positive');
  if (numbers.length !== 2 + jobs * machines * 2) {
    throw new RangeError(
      `expected ${jobs * machines * 2} numbers after the header, found ${numbers.length - 2}`,
    );
  }
  const ops: JsspOperation[][] = [];
  let at = 2;
  for (let j = 0; j < jobs; j++) {
    const job: JsspOperation[] = [];
    const seen = new Set<number>();
    for (let k = 0; k < machines; k++) {
      const machine = numbers[at++]!;
      const duration = numbers[at++]!;
      if (machine >= machines)
        throw new RangeError(`job ${j}: machine ${machine} is out of range 0..${machines - 1}`);
      if (seen.has(machine)) throw new RangeError(`job ${j}: machine ${machine} is visited twice`);
      seen.add(machine);
      job.push({ machine, duration });
    }
    ops.push(job);
  }
  return { jobs, machines, ops };
}

/** max(heaviest machine load, longest job): no schedule is shorter. */
export function trivialLowerBound(instance: JsspInstance): number {
  const load = new Array<number>(instance.machines).fill(0);
  let longestJob = 0;
  for (const job of instance.ops) {
    let length = 0;
    for (const op of job) {
      load[op.machine]! += op.duration;
      length += op.duration;
    }
    longestJob = Math.max(longestJob, length);
  }
  return Math.max(longestJob, ...load);
}

/** Checks a schedule against the instance: shape, job order, no overlap on a machine. Answers the makespan. */
export function checkJssp(
  instance: JsspInstance,
  starts: number[][],
): { feasible: true; makespan: number } | { feasible: false; errors: string[] } {
  const errors: string[] = [];
  if (starts.length !== instance.jobs)
    errors.push(`${starts.length} jobs in the schedule, ${instance.jobs} in the instance`);
  let makespan = 0;
  const byMachine: Array<Array<{ start: number; end: number; job: number }>> = Array.from(
    { length: instance.machines },
    () => [],
  );
  instance.ops.forEach((job, j) => {
    const row = starts[j];
    if (!row || row.length !== job.length) {
      errors.push(`job ${j}: ${row?.length ?? 0} starts for ${job.length} operations`);
      return;
    }
    job.forEach((op, k) => {
      const start = row[k]!;
      if (!Number.isInteger(start) || start < 0)
        errors.push(`job ${j} op ${k}: start ${start} is not a non-negative integer`);
      if (k > 0 && start < row[k - 1]! + job[k - 1]!.duration)
        errors.push(`job ${j} op ${k}: starts at ${start} before op ${k - 1} ends`);
      makespan = Math.max(makespan, start + op.duration);
      if (op.duration > 0) byMachine[op.machine]!.push({ start, end: start + op.duration, job: j });
    });
  });
  for (const [m, list] of byMachine.entries()) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 1; i < list.length; i++)
      if (list[i]!.start < list[i - 1]!.end)
        errors.push(`machine ${m}: jobs ${list[i - 1]!.job} and ${list[i]!.job} overlap`);
  }
  return errors.length ? { feasible: false, errors: errors.slice(0, 10) } : { feasible: true, makespan };
}

export type PriorityRule = 'mwkr' | 'spt' | 'lpt' | 'random';

/**
 * Giffler–Thompson: builds an active schedule. Each step takes the operation that could finish first, and
 * among the operations competing for its machine (those that could start before it finishes) schedules the one
 * the rule prefers — most work remaining (MWKR), shortest (SPT), longest (LPT) or random — with ties broken by
 * the seeded generator. Deterministic for a seed.
 */
export function gifflerThompson(instance: JsspInstance, rule: PriorityRule, seed = 1): JsspSchedule {
  const random = seededRandom(seed);
  const { jobs, ops } = instance;
  const next = new Array<number>(jobs).fill(0);
  const jobReady = new Array<number>(jobs).fill(0);
  const machineReady = new Array<number>(instance.machines).fill(0);
  const remaining = ops.map((job) => job.reduce((sum, op) => sum + op.duration, 0));
  const starts = ops.map((job) => new Array<number>(job.length).fill(0));
  const total = ops.reduce((n, job) => n + job.length, 0);
  let makespan = 0;
  for (let scheduled = 0; scheduled < total; scheduled++) {
    // The operation that could complete first decides the machine.
    let bestEnd = Infinity;
    let machine = -1;
    let first = -1;
    for (let j = 0; j < jobs; j++) {
      const k = next[j]!;
      if (k >= ops[j]!.length) continue;
      const op = ops[j]![k]!;
      const end = Math.max(jobReady[j]!, machineReady[op.machine]!) + op.duration;
      if (end < bestEnd) {
        bestEnd = end;
        machine = op.machine;
        first = j;
      }
    }
    // The conflict set: operations on that machine that could start before it completes.
    let chosen = -1;
    let chosenKey = -Infinity;
    let chosenTie = 0;
    for (let j = 0; j < jobs; j++) {
      const k = next[j]!;
      if (k >= ops[j]!.length) continue;
      const op = ops[j]![k]!;
      if (op.machine !== machine) continue;
      // (The operation that completes first always competes, even with a zero duration.)
      if (j !== first && Math.max(jobReady[j]!, machineReady[machine]!) >= bestEnd) continue;
      const key =
        rule === 'mwkr'
          ? remaining[j]!
          : rule === 'spt'
            ? -op.duration
            : rule === 'lpt'
              ? op.duration
              : random();
      const tie = random();
      if (key > chosenKey || (key === chosenKey && tie > chosenTie)) {
        chosen = j;
        chosenKey = key;
        chosenTie = tie;
      }
    }
    const k = next[chosen]!;
    const op = ops[chosen]![k]!;
    const start = Math.max(jobReady[chosen]!, machineReady[machine]!);
    starts[chosen]![k] = start;
    jobReady[chosen] = machineReady[machine] = start + op.duration;
    remaining[chosen]! -= op.duration;
    next[chosen] = k + 1;
    makespan = Math.max(makespan, start + op.duration);
  }
  return { makespan, starts };
}
