import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFjsp, fjspLowerBound, parseFjsp, solveFjsp, type FjspInstance } from './fjsp';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/fjsp', name), 'utf8');
const NAMES = ['mk01', 'mk02', 'mk03', 'mk04', 'mk05', 'mk06', 'mk07', 'mk08', 'mk09', 'mk10'];
const bounds = JSON.parse(fixture('bounds.json')) as Record<string, { trivial_lower_bound: number }>;

/**
 * Two jobs, two machines (file machines 1 and 2 are 0 and 1 here):
 *   J0: op0 on M0 (3) or M1 (4), then op1 on M1 (3);  J1: op0 on M0 (2), then op1 on M0 (3) or M1 (2).
 * The lower bound is 6 (J0 at its fastest: 3 + 3), but 6 cannot be reached:
 * - J0 op0 on M1 makes J0 last 4 + 3 = 7;
 * - J0 op0 on M0 with J1 op0 before it on M0: J0 starts at 2 and ends at 2 + 3 + 3 = 8;
 * - J0 op0 on M0 first (0–3): J1 op0 runs 3–5 on M0, then J1 op1 ends at 8 on M0 (5–8) or on M1, where
 *   J0 op1 holds 3–6, at 8 (6–8) too.
 * So the optimum is 7, reached only by taking the slower machine: J0 on M1 at 0–4 and 4–7, J1 on M0 at 0–2
 * and 2–5.
 */
const TINY = '2 2\n2  2 1 3 2 4  1 2 3\n2  1 1 2  2 1 3 2 2\n';

describe('parseFjsp', () => {
  it("reads mk01 as the README's example says, machines from 0", () => {
    const mk01 = parseFjsp(fixture('mk01.txt'));
    expect(mk01.jobs).toBe(10);
    expect(mk01.machines).toBe(6);
    expect(mk01.ops.reduce((sum, job) => sum + job.length, 0)).toBe(55);
    const job = mk01.ops[0]!;
    expect(job).toHaveLength(6);
    expect(job[0]).toEqual([
      { machine: 0, duration: 5 },
      { machine: 2, duration: 4 },
    ]);
    expect(job[1]).toEqual([
      { machine: 4, duration: 3 },
      { machine: 2, duration: 5 },
      { machine: 1, duration: 1 },
    ]);
  });

  it('accepts a header without the third number, comments and blank lines', () => {
    const tiny = parseFjsp(`# hand-made\n\n${TINY.replace('2 2\n', '2 2 1.5\n')}`);
    expect(tiny).toEqual(parseFjsp(TINY));
    expect(tiny.ops[1]![1]).toEqual([
      { machine: 0, duration: 3 },
      { machine: 1, duration: 2 },
    ]);
  });

  it('says what is wrong with a malformed instance', () => {
    expect(() => parseFjsp('')).toThrow(/jobs machines/);
    expect(() => parseFjsp('2 0\n1 1 1 1\n1 1 1 1')).toThrow(/positive/);
    expect(() => parseFjsp('2 2\n1 1 1 1')).toThrow(/expected 2 job lines after the header, found 1/);
    expect(() => parseFjsp('1 2\n2 1 1 1')).toThrow(/line ends before operation 1 of 2/);
    expect(() => parseFjsp('1 2\n1 2 1 1')).toThrow(/announces 2 alternatives/);
    expect(() => parseFjsp('1 2\n1 1 1 1 7')).toThrow(/1 numbers left over after 1 operations/);
    expect(() => parseFjsp('1 2\n1 1 3 1')).toThrow(
      /job 0 \(line 2\): operation 0: machine 3 is out of range 1..2/,
    );
    expect(() => parseFjsp('1 2\n1 1 0 1')).toThrow(/machine 0 is out of range/);
    expect(() => parseFjsp('1 2\n2 1 1 1 0')).toThrow(/operation 1 has zero alternatives/);
    expect(() => parseFjsp('1 2\n0')).toThrow(/no operations/);
    expect(() => parseFjsp('1 2\n1 2 1 1 1 2')).toThrow(/machine 1 is listed twice/);
    expect(() => parseFjsp('1 2\n1 1 1 0')).toThrow(/duration 0 is not positive/);
    expect(() => parseFjsp('1 2\n1 1 1 -3')).toThrow(/not a non-negative integer: "-3"/);
  });
});

describe('checkFjsp', () => {
  const tiny = parseFjsp(TINY);
  const optimal = [
    [
      { machine: 1, start: 0 },
      { machine: 1, start: 4 },
    ],
    [
      { machine: 0, start: 0 },
      { machine: 0, start: 2 },
    ],
  ];
  const edit = (j: number, k: number, change: { machine?: number; start?: number }) =>
    optimal.map((row, jj) => row.map((a, kk) => (jj === j && kk === k ? { ...a, ...change } : a)));

  it('accepts a feasible schedule and answers its makespan', () => {
    expect(checkFjsp(tiny, optimal)).toEqual({ feasible: true, makespan: 7 });
  });

  it('rejects an overlap on a machine', () => {
    expect(checkFjsp(tiny, edit(1, 1, { start: 1 }))).toEqual({
      feasible: false,
      errors: [
        'job 1 op 1: starts at 1 before op 0 ends at 2',
        'machine 0: job 1 op 0 and job 1 op 1 overlap',
      ],
    });
    expect(checkFjsp(tiny, edit(0, 0, { machine: 0, start: 1 }))).toEqual({
      feasible: false,
      errors: [
        'machine 0: job 1 op 0 and job 0 op 0 overlap',
        'machine 0: job 0 op 0 and job 1 op 1 overlap',
      ],
    });
  });

  it('rejects an ineligible machine', () => {
    expect(checkFjsp(tiny, edit(0, 1, { machine: 0 }))).toEqual({
      feasible: false,
      errors: ['job 0 op 1: machine 0 is not eligible'],
    });
  });

  it('rejects a wrong order within a job', () => {
    const result = checkFjsp(tiny, edit(0, 1, { start: 3 }));
    expect(result.feasible).toBe(false);
    expect(result.feasible ? [] : result.errors).toContain('job 0 op 1: starts at 3 before op 0 ends at 4');
  });

  it('rejects a wrong shape and bad starts', () => {
    expect(checkFjsp(tiny, [optimal[0]!]).feasible).toBe(false);
    expect(checkFjsp(tiny, [optimal[0]!, [optimal[1]![0]!]]).feasible).toBe(false);
    expect(checkFjsp(tiny, edit(1, 0, { start: -1 })).feasible).toBe(false);
    expect(checkFjsp(tiny, edit(1, 0, { start: 0.5 })).feasible).toBe(false);
  });
});

describe('fjspLowerBound', () => {
  it("equals bounds.json's trivial_lower_bound on mk01–mk10", () => {
    for (const name of NAMES)
      expect([name, fjspLowerBound(parseFjsp(fixture(`${name}.txt`)))]).toEqual([
        name,
        bounds[name]!.trivial_lower_bound,
      ]);
  });

  it('takes the largest of its three parts', () => {
    expect(fjspLowerBound(parseFjsp(TINY))).toBe(6); // longest job
    expect(fjspLowerBound(parseFjsp('3 2\n1 2 1 4 2 4\n1 2 1 4 2 4\n1 2 1 4 2 4'))).toBe(6); // 12 / 2
    expect(fjspLowerBound(parseFjsp('2 2\n1 1 1 3\n1 1 1 3'))).toBe(6); // single-machine load
  });
});

describe('solveFjsp', () => {
  const expectFeasible = (instance: FjspInstance, result: ReturnType<typeof solveFjsp>) => {
    expect(checkFjsp(instance, result.assignments)).toEqual({ feasible: true, makespan: result.makespan });
  };

  it('solves the hand-made instance optimally (7, by the slower machine)', () => {
    const tiny = parseFjsp(TINY);
    const result = solveFjsp(tiny, { seconds: 5, seed: 1, maxIterations: 500 });
    expectFeasible(tiny, result);
    expect(result.makespan).toBe(7);
    expect(result.assignments[0]!.map((a) => a.machine)).toEqual([1, 1]);
  });

  it('reaches 42 or better on mk01 within 20,000 iterations, feasible', () => {
    const mk01 = parseFjsp(fixture('mk01.txt'));
    const result = solveFjsp(mk01, { seconds: 60, seed: 1, target: 40, maxIterations: 20_000 });
    expectFeasible(mk01, result);
    expect(result.makespan).toBeLessThanOrEqual(42);
  });

  it.each(NAMES)('returns a feasible plan for %s, never below its lower bound', (name) => {
    const instance = parseFjsp(fixture(`${name}.txt`));
    const result = solveFjsp(instance, { seconds: 60, seed: 3, maxIterations: 300 });
    expectFeasible(instance, result);
    expect(result.makespan).toBeGreaterThanOrEqual(bounds[name]!.trivial_lower_bound);
  });

  it('gives the same schedule for the same seed and number of iterations', () => {
    const mk06 = parseFjsp(fixture('mk06.txt'));
    const a = solveFjsp(mk06, { seconds: 60, seed: 7, maxIterations: 3000 });
    const b = solveFjsp(mk06, { seconds: 60, seed: 7, maxIterations: 3000 });
    expect(a.iterations).toBe(3000);
    expect(b.assignments).toEqual(a.assignments);
    expect(b.makespan).toBe(a.makespan);
    expectFeasible(mk06, a);
  });

  it('keeps to the time budget of the injected clock and reports progress', () => {
    const mk10 = parseFjsp(fixture('mk10.txt'));
    let clock = 0;
    const progress: number[] = [];
    const result = solveFjsp(mk10, {
      seconds: 1,
      now: () => (clock += 50),
      onProgress: (p) => progress.push(p.makespan),
    });
    expectFeasible(mk10, result);
    // Each clock reading advances 50 ms: the budget of 1000 ms lasts a few dozen readings, one per 32 iterations.
    expect(result.iterations).toBeLessThan(32 * 40);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(progress.length).toBeGreaterThan(0);
    expect([...progress].sort((x, y) => y - x)).toEqual(progress);
    expect(progress.at(-1)).toBe(result.makespan);
  });

  it('stops once the target is reached', () => {
    const mk01 = parseFjsp(fixture('mk01.txt'));
    const result = solveFjsp(mk01, { seconds: 30, seed: 1, target: 60 });
    expectFeasible(mk01, result);
    expect(result.makespan).toBeLessThanOrEqual(60);
    expect(result.iterations).toBeLessThan(100); // the first plans already beat 60
  });

  it('rejects an instance it cannot schedule', () => {
    expect(() => solveFjsp({ jobs: 1, machines: 1, ops: [[[]]] }, { seconds: 1 })).toThrow(RangeError);
    expect(() =>
      solveFjsp({ jobs: 1, machines: 1, ops: [[[{ machine: 1, duration: 1 }]]] }, { seconds: 1 }),
    ).toThrow(/out of range/);
  });
});
