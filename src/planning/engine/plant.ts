/**
 * The plant scheduler: machines with calendars and sequence-dependent setups, alternative machines, DAG routings
 * with transfer overlaps, release and due dates, frozen operations. A first plan comes from dispatch rules
 * (plant-dispatch.ts), then tabu search on critical paths improves it until the time budget ends
 * (plant-tabu.ts); the decoder (plant-schedule.ts) turns machine sequences into times. Semantics: see
 * plant-compile.ts. Pure: the clock is injected, randomness is seeded.
 */
import {
  type PlanKpis,
  type PlanObjective,
  type PlanOptions,
  type PlanProblem,
  type PlanResult,
  type PlannedOperation,
} from './model';
import { seededRandom } from './random';
import { checkPlan } from './plant-check';
import { compile, validatePlan, type Compiled } from './plant-compile';
import { dispatch, priorities, type DispatchRule } from './plant-dispatch';
import { type Schedule } from './plant-schedule';
import { better, score, tabuSearch, type Score } from './plant-tabu';

export { checkPlan } from './plant-check';
export { validatePlan } from './plant-compile';

export interface PlantSolveOptions extends PlanOptions {
  /** Stop the improvement after this many iterations (tests: determinism without depending on the clock). */
  maxIterations?: number;
  /**
   * Throw when the improved plan fails the independent check, instead of falling back to the first plan (tests:
   * a decoder bug must not hide behind the fallback).
   */
  strict?: boolean;
}

/** The dispatch rules tried for the first plan, per objective; the best by the objective is kept. */
const RULES: Record<PlanObjective, DispatchRule[]> = {
  makespan: ['mwkr', 'atcs', 'edd'],
  tardiness: ['atc', 'atcs', 'edd', 'cr', 'mwkr'],
  'tardiness-then-makespan': ['atc', 'atcs', 'edd', 'cr', 'mwkr'],
};

/**
 * Plans the problem: the best first plan of the dispatch rules, improved by tabu search for `seconds` (0: the
 * first plan only). Deterministic for a seed and an iteration count. Throws a RangeError listing what is wrong
 * with the input (see validatePlan), or saying which operation's calendars end too early.
 */
export function solvePlan(problem: PlanProblem, options: PlantSolveOptions): PlanResult {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const errors = validatePlan(problem);
  if (errors.length)
    throw new RangeError(
      `The plan cannot be made: ${errors.slice(0, 20).join(' ')}${errors.length > 20 ? ` (and ${errors.length - 20} more problems)` : ''}`,
    );
  const c = compile(problem);
  const objective = problem.objective;
  const pri = priorities(c);
  let plan: Schedule | undefined;
  let planScore: Score = [Infinity, Infinity];
  for (const rule of RULES[objective]) {
    const s = dispatch(c, rule, pri);
    const result = score(s, objective);
    if (!plan || better(result, planScore)) {
      plan = s;
      planScore = result;
    }
  }
  const s = plan!;
  const first = s.snapshot();

  let bestKpis = kpis(c, s);
  let lastReport = now();
  const report = (iterations: number) => {
    options.onProgress?.({ elapsedMs: now() - started, iterations, kpis: bestKpis });
    lastReport = now();
  };
  report(0);
  const deadline = now() + Math.max(0, options.seconds) * 1000;
  const maxIterations = options.maxIterations ?? Infinity;
  let iterations = 0;
  if (options.seconds > 0 && maxIterations > 0)
    iterations = tabuSearch(s, {
      objective,
      random: seededRandom(options.seed ?? 1),
      timeUp: () => now() >= deadline,
      maxIterations,
      improved: (_, at) => {
        bestKpis = kpis(c, s);
        report(at);
      },
      tick: (at) => {
        if (now() - lastReport >= 1000) report(at);
      },
    });

  // Every plan handed out is checked independently; a failure is a bug, and the first plan is the fallback.
  let result = build(c, s, iterations, now() - started);
  let problems = checkPlan(problem, result);
  if (problems.length && iterations > 0 && !options.strict) {
    s.restore(first);
    result = build(c, s, iterations, now() - started);
    problems = checkPlan(problem, result);
  }
  if (problems.length)
    throw new Error(`Internal error, the plan is infeasible: ${problems.slice(0, 5).join(' ')}`);
  return result;
}

/** Sets the setup start of frozen operations, which depends on what the plan puts before them. */
function frozenSetups(c: Compiled, s: Schedule): void {
  for (let m = 0; m < c.nMachines; m++) {
    const frozen = c.frozenByMachine[m]!;
    if (!frozen.length) continue;
    const cal = c.calendars[m]!;
    const table = c.setups[m];
    // The last sequenced operation before each frozen block.
    const before = new Int32Array(frozen.length).fill(-1);
    for (const x of s.seq[m]!) {
      const f = s.fzAfter[x]!;
      if (f < frozen.length && s.end[x]! <= c.frozenStart[frozen[f]!]!) before[f] = x;
    }
    frozen.forEach((f, i) => {
      const prev = before[i]! >= 0 ? before[i]! : i > 0 ? frozen[i - 1]! : -1;
      const setup = prev >= 0 && table ? table.get(c.opFamily[prev]!, c.opFamily[f]!) : 0;
      const start = c.frozenStart[f]!;
      s.setupStart[f] = setup > 0 ? cal.minuteStart(cal.workBefore(start) - setup) : start;
    });
  }
}

function kpis(c: Compiled, s: Schedule): PlanKpis {
  frozenSetups(c, s);
  let makespan = 0;
  for (let o = 0; o < c.nOps; o++) makespan = Math.max(makespan, s.end[o]!);
  const lateJobs: PlanKpis['lateJobs'] = [];
  let totalTardiness = 0;
  let totalWeightedTardiness = 0;
  c.problem.jobs.forEach((job, j) => {
    const end = s.jobEnd(j);
    if (end === -Infinity || job.due === undefined || end <= job.due) return;
    const tardiness = end - job.due;
    lateJobs.push({ job: job.id, end, due: job.due, tardiness });
    totalTardiness += tardiness;
    totalWeightedTardiness += c.jobWeight[j]! * tardiness;
  });
  lateJobs.sort((a, b) => b.tardiness - a.tardiness);
  const busy = new Float64Array(c.nMachines);
  let totalSetup = 0;
  for (let o = 0; o < c.nOps; o++) {
    const m = s.machine[o]!;
    const cal = c.calendars[m]!;
    totalSetup += cal.workBefore(s.start[o]!) - cal.workBefore(s.setupStart[o]!);
    busy[m]! += Math.max(0, cal.workBefore(s.end[o]!) - cal.workBefore(Math.max(0, s.setupStart[o]!)));
  }
  const utilisation: Record<string, number> = {};
  c.problem.machines.forEach((machine, m) => {
    const cal = c.calendars[m]!;
    const available = cal.workBefore(makespan) - cal.workBefore(0);
    utilisation[machine.id] = available > 0 ? busy[m]! / available : 0;
  });
  return { makespan, totalWeightedTardiness, totalTardiness, lateJobs, utilisation, totalSetup };
}

function build(c: Compiled, s: Schedule, iterations: number, elapsedMs: number): PlanResult {
  const kpi = kpis(c, s);
  const operations: PlannedOperation[] = c.problem.operations.map((op, o) => ({
    id: op.id,
    machine: c.problem.machines[s.machine[o]!]!.id,
    setupStart: s.setupStart[o]!,
    start: s.start[o]!,
    end: s.end[o]!,
  }));
  return { operations, kpis: kpi, iterations, elapsedMs };
}
