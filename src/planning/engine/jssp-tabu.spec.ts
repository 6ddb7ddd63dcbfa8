import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkJssp, gifflerThompson, parseJssp, trivialLowerBound, type JsspInstance } from './jssp';
import { solveJssp } from './jssp-tabu';
import { seededRandom } from './random';

const DIR = join(__dirname, '../../../test/fixtures/jssp');
const fixture = (name: string) => readFileSync(join(DIR, name), 'utf8');
const bounds = JSON.parse(fixture('bounds.json')) as Record<
  string,
  { lower_bound: number; upper_bound: number }
>;

/** Exact optimum by enumerating every machine sequence (semi-active schedule of each); tiny instances only. */
function bruteForceOptimum(instance: JsspInstance): number {
  const permutations = (items: number[]): number[][] =>
    items.length <= 1
      ? [items]
      : items.flatMap((x, i) =>
          permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]),
        );
  const jobsOn = (m: number) =>
    instance.ops.flatMap((job, j) => (job.some((op) => op.machine === m) ? [j] : []));
  const choices = Array.from({ length: instance.machines }, (_, m) => permutations(jobsOn(m)));
  let best = Infinity;
  const pick: number[][] = [];
  const evaluate = (): number => {
    // Repeatedly schedule any operation whose job and machine predecessors are done.
    const next = new Array<number>(instance.jobs).fill(0);
    const onMachine = new Array<number>(instance.machines).fill(0);
    const jobReady = new Array<number>(instance.jobs).fill(0);
    const machineReady = new Array<number>(instance.machines).fill(0);
    let done = 0;
    const total = instance.jobs * instance.machines;
    let progress = true;
    while (done < total && progress) {
      progress = false;
      for (let j = 0; j < instance.jobs; j++) {
        const k = next[j]!;
        if (k >= instance.machines) continue;
        const { machine, duration } = instance.ops[j]![k]!;
        if (pick[machine]![onMachine[machine]!] !== j) continue;
        const start = Math.max(jobReady[j]!, machineReady[machine]!);
        jobReady[j] = machineReady[machine] = start + duration;
        next[j] = k + 1;
        onMachine[machine]! += 1;
        done++;
        progress = true;
      }
    }
    return done < total ? Infinity : Math.max(...jobReady);
  };
  const walk = (m: number): void => {
    if (m === instance.machines) {
      best = Math.min(best, evaluate());
      return;
    }
    for (const seq of choices[m]!) {
      pick[m] = seq;
      walk(m + 1);
    }
  };
  walk(0);
  return best;
}

function randomInstance(jobs: number, machines: number, seed: number): JsspInstance {
  const random = seededRandom(seed);
  const ops = Array.from({ length: jobs }, () => {
    const order = Array.from({ length: machines }, (_, m) => m).sort(() => random() - 0.5);
    return order.map((machine) => ({ machine, duration: 1 + Math.floor(random() * 9) }));
  });
  return { jobs, machines, ops };
}

describe('solveJssp (tabu search)', () => {
  it('finds the optimum of the 3×3 example, checked by enumerating all 216 sequences', () => {
    const tiny = parseJssp(fixture('tiny3x3.txt'));
    const optimum = bruteForceOptimum(tiny);
    expect(optimum).toBe(11);
    const result = solveJssp(tiny, { seconds: 5, maxIterations: 2000 });
    expect(result.makespan).toBe(11);
    expect(checkJssp(tiny, result.starts)).toEqual({ feasible: true, makespan: 11 });
  });

  it.each([1, 2, 3, 4, 5])('reaches the enumerated optimum of random 4×3 instance %i', (seed) => {
    const instance = randomInstance(4, 3, seed);
    const optimum = bruteForceOptimum(instance);
    const result = solveJssp(instance, { seconds: 5, maxIterations: 5000, seed });
    expect(result.makespan).toBe(optimum);
    expect(checkJssp(instance, result.starts)).toEqual({ feasible: true, makespan: optimum });
  });

  it('solves ft06 (55) and la01 (666) to optimality, and says so when the critical path proves it', () => {
    const ft06 = parseJssp(fixture('ft06.txt'));
    expect(solveJssp(ft06, { seconds: 10, maxIterations: 200_000 }).makespan).toBe(55);
    const la01 = parseJssp(fixture('la01.txt'));
    const result = solveJssp(la01, { seconds: 10, maxIterations: 200_000 });
    expect(result.makespan).toBe(666);
    expect(checkJssp(la01, result.starts)).toEqual({ feasible: true, makespan: 666 });
    // la01's optimum equals its trivial lower bound (the heaviest machine's load): reaching it proves optimality.
    expect(result.optimal).toBe(true);
  });

  it('improves on the dispatch rules for ft10 within a fixed number of iterations', () => {
    const ft10 = parseJssp(fixture('ft10.txt'));
    const dispatch = Math.min(
      ...(['mwkr', 'spt', 'lpt', 'random'] as const).map((rule) => gifflerThompson(ft10, rule).makespan),
    );
    const result = solveJssp(ft10, { seconds: 30, maxIterations: 50_000, seed: 7 });
    expect(result.makespan).toBeLessThan(dispatch);
    expect(result.makespan).toBeLessThanOrEqual(960); // within 3.3 % of the optimum 930
    expect(checkJssp(ft10, result.starts)).toEqual({ feasible: true, makespan: result.makespan });
  });

  it('is deterministic for a seed and an iteration count', () => {
    const ft10 = parseJssp(fixture('ft10.txt'));
    const a = solveJssp(ft10, { seconds: 30, maxIterations: 5_000, seed: 42 });
    const b = solveJssp(ft10, { seconds: 30, maxIterations: 5_000, seed: 42 });
    expect(b.starts).toEqual(a.starts);
    expect(b.makespan).toBe(a.makespan);
  });

  it('stops as soon as the target is reached, and at once with a zero budget', () => {
    const ft10 = parseJssp(fixture('ft10.txt'));
    const early = solveJssp(ft10, { seconds: 30, target: 1200, seed: 1 });
    expect(early.makespan).toBeLessThanOrEqual(1200);
    expect(early.iterations).toBeLessThan(1000);
    const zero = solveJssp(ft10, { seconds: 0 });
    expect(zero.iterations).toBe(0);
    expect(checkJssp(ft10, zero.starts)).toEqual({ feasible: true, makespan: zero.makespan });
  });

  it('also searches with the smaller N5 neighbourhood', () => {
    const ft06 = parseJssp(fixture('ft06.txt'));
    const result = solveJssp(ft06, { seconds: 10, maxIterations: 100_000, neighbourhood: 'n5', target: 55 });
    expect(result.makespan).toBeLessThanOrEqual(58);
    expect(checkJssp(ft06, result.starts)).toEqual({ feasible: true, makespan: result.makespan });
  });

  it('reports progress with the best makespan so far', () => {
    const ft10 = parseJssp(fixture('ft10.txt'));
    const seen: number[] = [];
    const result = solveJssp(ft10, {
      seconds: 30,
      maxIterations: 3_000,
      onProgress: (p) => seen.push(p.makespan),
    });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(result.makespan);
    expect([...seen].sort((x, y) => y - x)).toEqual(seen); // never gets worse
  });

  const instances = readdirSync(DIR)
    .filter((f) => f.endsWith('.txt') && !f.startsWith('tiny'))
    .map((f) => f.replace(/\.txt$/, ''));

  it('covers the 152 benchmark instances', () => expect(instances).toHaveLength(152));

  it.each(instances)('returns a feasible plan for %s, never below its lower bound', (name) => {
    const instance = parseJssp(fixture(`${name}.txt`));
    const result = solveJssp(instance, { seconds: 5, maxIterations: 300, seed: 3 });
    expect(checkJssp(instance, result.starts)).toEqual({ feasible: true, makespan: result.makespan });
    expect(result.makespan).toBeGreaterThanOrEqual(
      Math.max(bounds[name]!.lower_bound, trivialLowerBound(instance)),
    );
  });
});
