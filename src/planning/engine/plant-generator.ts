/**
 * A realistic plant-sized scheduling instance, for tests and benchmarks. Machines are grouped in work centers
 * (2–4 alternatives of different speeds) that share a setup matrix over the center's families; calendars are two
 * shifts (06:00–22:00) Monday to Friday from the origin (a Monday 00:00), with a few maintenance windows cut out;
 * jobs are routed forward through distinct work centers (some with two branches joining), released so that work
 * arrives at about 90% of capacity, due after a multiple of their work, weighted 1, 2 or 5; some operations overlap their
 * predecessor by transfer batches; a few first operations are frozen at the first shift. Deterministic for a
 * seed. Pure.
 */
import {
  type PlanJob,
  type PlanMachine,
  type PlanObjective,
  type PlanOperation,
  type PlanProblem,
} from './model';
import { seededRandom } from './random';

export interface PlantOptions {
  jobs: number;
  machines: number;
  opsPerJob: number;
  seed: number;
  objective?: PlanObjective;
  /** Families per work center (default 4). */
  families?: number;
  /** Share of operations (after the first of a job) with a transfer overlap (default 0.15). */
  transferShare?: number;
  /** Maintenance windows cut out of calendars (default machines / 10). */
  maintenance?: number;
  /** Frozen first operations (default machines / 20, at most one per machine). */
  frozen?: number;
  /** Due date as a multiple of the job's calendar work (default 3). */
  dueFactor?: number;
}

const DAY = 1440;
const SHIFT_START = 6 * 60;
const SHIFT_END = 22 * 60;
const WEEK_WORK = 5 * (SHIFT_END - SHIFT_START);

export function generatePlant(options: PlantOptions): PlanProblem {
  const { jobs, opsPerJob, seed } = options;
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const pad = (n: number, width: number) => String(n).padStart(width, '0');

  // Work centers of 2–4 machines with their speeds, families and setup matrix.
  interface Center {
    id: string;
    machines: Array<{ id: string; speed: number }>;
    families: string[];
    setups: Record<string, Record<string, number>>;
  }
  const centers: Center[] = [];
  let machineCount = 0;
  while (machineCount < options.machines) {
    const size = Math.min(options.machines - machineCount, int(2, 4));
    const id = `WC${pad(centers.length + 1, 2)}`;
    const families = Array.from({ length: options.families ?? 4 }, (_, f) => `${id}-F${f + 1}`);
    const setups: Record<string, Record<string, number>> = {};
    for (const from of families) {
      setups[from] = {};
      for (const to of families) if (to !== from) setups[from][to] = 5 * int(3, 12);
    }
    centers.push({
      id,
      machines: Array.from({ length: size }, (_, k) => ({
        id: `${id}-M${k + 1}`,
        speed: 0.8 + 0.5 * random(),
      })),
      families,
      setups,
    });
    machineCount += size;
  }
  const routingLength = Math.min(opsPerJob, centers.length);

  // Operations first (their load sizes the calendars).
  const operations: PlanOperation[] = [];
  const planJobs: PlanJob[] = [];
  const jobWork: number[] = [];
  let totalWork = 0;
  for (let j = 0; j < jobs; j++) {
    const jobId = `J${pad(j + 1, 5)}`;
    // Centers drawn in proportion to their size (weighted sampling without replacement), visited in order.
    const visited = centers
      .map((wc, i) => [i, random() ** (1 / wc.machines.length)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, routingLength)
      .map(([i]) => i)
      .sort((a, b) => a - b);
    // Some jobs: two branches (first half split in two chains) joining at the middle operation.
    const branched = routingLength >= 4 && random() < 0.1;
    const half = Math.floor(routingLength / 2);
    let work = 0;
    visited.forEach((center, k) => {
      const wc = centers[center]!;
      const base = Math.round(20 + 160 * random() ** 2);
      let predecessors: number[];
      if (k === 0) predecessors = [];
      else if (branched && k === Math.floor(half / 2)) predecessors = [];
      else if (branched && k === half) predecessors = [Math.floor(half / 2) - 1, half - 1];
      else predecessors = [k - 1];
      const transfer = predecessors.length === 1 && random() < (options.transferShare ?? 0.15);
      operations.push({
        id: `${jobId}-${(k + 1) * 10}`,
        job: jobId,
        predecessors: predecessors.map((p) => `${jobId}-${(p + 1) * 10}`),
        modes: wc.machines.map((m) => ({ machine: m.id, duration: Math.max(1, Math.round(base * m.speed)) })),
        family: pick(wc.families),
        ...(transfer ? { transferAfter: Math.max(1, Math.round(base / 4)) } : {}),
      });
      work += base;
    });
    jobWork.push(work);
    totalWork += work;
    planJobs.push({ id: jobId, release: 0, weight: pick([1, 1, 1, 1, 1, 1, 1, 2, 2, 5]) });
  }

  // The horizon: the average machine load in working weeks, with plenty of room for queues and a bottleneck.
  const loadWeeks = totalWork / options.machines / WEEK_WORK;
  const weeks = Math.ceil(loadWeeks * 4) + 4;
  const calendarFactor = (7 * DAY) / WEEK_WORK;
  // Releases spread so that work arrives at about 90% of capacity, due after dueFactor × the job's work in
  // calendar time.
  const releaseSpan = Math.round((loadWeeks * 7 * DAY) / 0.9);
  planJobs.forEach((job, j) => {
    job.release = 60 * Math.floor((random() * releaseSpan) / 60);
    job.due =
      job.release +
      Math.round(jobWork[j]! * (options.dueFactor ?? 3) * calendarFactor * (0.7 + 0.6 * random()));
  });

  const machines: PlanMachine[] = [];
  for (const wc of centers)
    for (const m of wc.machines) {
      const available: Array<[number, number]> = [];
      for (let day = 0; day < weeks * 7; day++)
        if (day % 7 < 5) available.push([day * DAY + SHIFT_START, day * DAY + SHIFT_END]);
      machines.push({ id: m.id, available, setups: wc.setups, initialFamily: pick(wc.families) });
    }
  // Maintenance: 2–6 hours out of a random working day after the first week.
  const maintenance = options.maintenance ?? Math.floor(options.machines / 10);
  for (let k = 0; k < maintenance; k++) {
    const machine = pick(machines);
    const windows = machine.available as Array<[number, number]>;
    const i = int(5, windows.length - 1);
    const [start, end] = windows[i]!;
    const from = start + 60 * int(0, 8);
    // A window already cut may be too short for this one: then no maintenance there.
    if (from >= end) continue;
    const to = Math.min(end, from + 60 * int(2, 6));
    const pieces: Array<[number, number]> = [];
    if (from > start) pieces.push([start, from]);
    if (to < end) pieces.push([to, end]);
    windows.splice(i, 1, ...pieces);
  }

  // Frozen: first operations of jobs released at the origin, one per machine, at the first shift.
  const frozen = Math.min(options.frozen ?? Math.floor(options.machines / 20), machines.length);
  const used = new Set<string>();
  for (let j = 0; j < jobs && used.size < frozen; j++) {
    const op = operations[j * routingLength]!;
    const machine = op.modes[0]!.machine;
    if (used.has(machine)) continue;
    used.add(machine);
    planJobs[j]!.release = 0;
    op.frozen = { machine, start: SHIFT_START };
    machines.find((m) => m.id === machine)!.initialFamily = op.family;
  }

  return { machines, jobs: planJobs, operations, objective: options.objective ?? 'tardiness-then-makespan' };
}
