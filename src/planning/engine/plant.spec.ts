import {
  type PlanJob,
  type PlanMachine,
  type PlanObjective,
  type PlanOperation,
  type PlanProblem,
  type PlanProgress,
} from './model';
import { seededRandom } from './random';
import { checkPlan, solvePlan, validatePlan, type PlantSolveOptions } from './plant';
import { compile } from './plant-compile';
import { dispatch, priorities } from './plant-dispatch';
import { generatePlant } from './plant-generator';
import { Schedule } from './plant-schedule';

/** A clock that never moves: the improvement ends by maxIterations only. */
const frozenClock = () => 0;
const improve = (iterations: number, more: Partial<PlantSolveOptions> = {}): PlantSolveOptions => ({
  seconds: 60,
  seed: 1,
  now: frozenClock,
  maxIterations: iterations,
  strict: true,
  ...more,
});

const machine = (id: string, more: Partial<PlanMachine> = {}): PlanMachine => ({ id, ...more });
const job = (id: string, more: Partial<PlanJob> = {}): PlanJob => ({ id, release: 0, ...more });
const op = (
  id: string,
  jobId: string,
  modes: Array<[machine: string, duration: number]>,
  more: Partial<PlanOperation> = {},
): PlanOperation => ({
  id,
  job: jobId,
  predecessors: [],
  modes: modes.map(([m, duration]) => ({ machine: m, duration })),
  ...more,
});
const byId = (result: { operations: Array<{ id: string }> }) =>
  Object.fromEntries(result.operations.map((o) => [o.id, o])) as Record<
    string,
    { id: string; machine: string; setupStart: number; start: number; end: number }
  >;

describe('solvePlan on hand-checked instances', () => {
  it('finds the optimum of a 2-machine, 3-job flow shop (Johnson: 9)', () => {
    // J1 3 then 2, J2 1 then 4, J3 2 then 2. M2 carries 8 and cannot start before 1: nothing beats 9, and
    // J2, J3, J1 (or J2, J1, J3) reaches it.
    const problem: PlanProblem = {
      machines: [machine('M1'), machine('M2')],
      jobs: [job('J1'), job('J2'), job('J3')],
      operations: [
        op('J1-1', 'J1', [['M1', 3]]),
        op('J1-2', 'J1', [['M2', 2]], { predecessors: ['J1-1'] }),
        op('J2-1', 'J2', [['M1', 1]]),
        op('J2-2', 'J2', [['M2', 4]], { predecessors: ['J2-1'] }),
        op('J3-1', 'J3', [['M1', 2]]),
        op('J3-2', 'J3', [['M2', 2]], { predecessors: ['J3-1'] }),
      ],
      objective: 'makespan',
    };
    const first = solvePlan(problem, { seconds: 0 });
    expect(checkPlan(problem, first)).toEqual([]);
    expect(first.iterations).toBe(0);
    const best = solvePlan(problem, improve(100));
    expect(checkPlan(problem, best)).toEqual([]);
    expect(best.kpis.makespan).toBe(9);
    expect(byId(best)['J2-1']!.start).toBe(0);
  });

  it('pauses an operation over the night and ends it at the exact minute; setups span the break too', () => {
    // Two shifts 06:00–22:00 on days 0 and 1.
    const available = [
      [360, 1320],
      [1800, 2760],
    ] as const;
    const problem: PlanProblem = {
      machines: [
        machine('M', { available }),
        machine('N', {
          available: [
            [0, 60],
            [120, 240],
          ],
          setups: { A: { B: 20 } },
          initialFamily: 'A',
        }),
      ],
      jobs: [job('J', { release: 400 }), job('K')],
      operations: [
        op('J-1', 'J', [['M', 1000]]),
        op('K-1', 'K', [['N', 50]], { family: 'A' }),
        op('K-2', 'K', [['N', 30]], { family: 'B', predecessors: ['K-1'] }),
      ],
      objective: 'makespan',
    };
    const plan = byId(solvePlan(problem, { seconds: 0 }));
    // 920 minutes on day 0 (400 → 1320), the other 80 from 1800.
    expect(plan['J-1']).toMatchObject({ machine: 'M', setupStart: 400, start: 400, end: 1880 });
    // K-1 0–50; K-2's 20-minute setup takes 50–60 and 120–130, then 30 minutes of processing.
    expect(plan['K-1']).toMatchObject({ start: 0, end: 50 });
    expect(plan['K-2']).toMatchObject({ setupStart: 50, start: 130, end: 160 });
  });

  it('lets the setup matrix decide the sequence, and respects it', () => {
    const problem: PlanProblem = {
      machines: [machine('M', { setups: { A: { B: 50 }, B: { A: 50 } }, initialFamily: 'A' })],
      jobs: [job('J1'), job('J2'), job('J3')],
      operations: [
        op('a1', 'J1', [['M', 10]], { family: 'A' }),
        op('b1', 'J2', [['M', 10]], { family: 'B' }),
        op('a2', 'J3', [['M', 10]], { family: 'A' }),
      ],
      objective: 'makespan',
    };
    const result = solvePlan(problem, improve(50));
    expect(checkPlan(problem, result)).toEqual([]);
    // Both A operations first, then one changeover: 10 + 10 + 50 + 10.
    expect(result.kpis).toMatchObject({ makespan: 80, totalSetup: 50 });
    expect(byId(result)['b1']).toMatchObject({ setupStart: 20, start: 70, end: 80 });
    expect(result.kpis.utilisation['M']).toBe(1);
  });

  it('keeps a frozen operation where it is and plans the others around it', () => {
    const problem: PlanProblem = {
      machines: [machine('M'), machine('N')],
      jobs: [job('JF'), job('J1'), job('J2'), job('J3')],
      operations: [
        op(
          'F',
          'JF',
          [
            ['N', 5],
            ['M', 20],
          ],
          { frozen: { machine: 'M', start: 50 } },
        ),
        op('o1', 'J1', [['M', 30]]),
        op('o2', 'J2', [['M', 30]]),
        op('o3', 'J3', [['M', 30]]),
      ],
      objective: 'makespan',
    };
    for (const result of [solvePlan(problem, { seconds: 0 }), solvePlan(problem, improve(30))]) {
      expect(checkPlan(problem, result)).toEqual([]);
      const plan = byId(result);
      expect(plan['F']).toMatchObject({ machine: 'M', setupStart: 50, start: 50, end: 70 });
      // One fits before it (0–30), the others follow it: 70–100, 100–130.
      const starts = ['o1', 'o2', 'o3'].map((id) => plan[id]!.start).sort((a, b) => a - b);
      expect(starts).toEqual([0, 70, 100]);
      expect(result.kpis.makespan).toBe(130);
    }
  });

  it('respects release dates (the setup may be done before the release)', () => {
    const problem: PlanProblem = {
      machines: [machine('M', { setups: { A: { B: 30 } }, initialFamily: 'A' })],
      jobs: [job('J', { release: 100 })],
      operations: [op('o', 'J', [['M', 10]], { family: 'B' })],
      objective: 'makespan',
    };
    const result = solvePlan(problem, { seconds: 0 });
    expect(checkPlan(problem, result)).toEqual([]);
    expect(byId(result)['o']).toMatchObject({ setupStart: 70, start: 100, end: 110 });
  });

  it('lets a successor start early with a transfer overlap, never ending before its predecessor', () => {
    const problem: PlanProblem = {
      machines: ['M1', 'M2', 'M3', 'M4'].map((id) => machine(id)),
      jobs: [job('J1'), job('J2')],
      operations: [
        op('P1', 'J1', [['M1', 100]]),
        op('S1', 'J1', [['M2', 30]], { predecessors: ['P1'], transferAfter: 20 }),
        op('P2', 'J2', [['M3', 100]]),
        op('S2', 'J2', [['M4', 100]], { predecessors: ['P2'], transferAfter: 20 }),
      ],
      objective: 'makespan',
    };
    const result = solvePlan(problem, { seconds: 0 });
    expect(checkPlan(problem, result)).toEqual([]);
    const plan = byId(result);
    // Short successor: could start at 20 but would end before P1, so it ends with it.
    expect(plan['S1']).toMatchObject({ start: 70, end: 100 });
    // Long successor: starts once 20 minutes of P2 are done.
    expect(plan['S2']).toMatchObject({ start: 20, end: 120 });
    // checkPlan catches a successor ending before its predecessor.
    const broken = {
      ...result,
      operations: result.operations.map((o) =>
        o.id === 'S1' ? { ...o, start: 20, end: 50, setupStart: 20 } : o,
      ),
    };
    expect(checkPlan(problem, broken)).toContain('Operation S1 ends at 50, before its predecessor P1 (100).');
  });

  it('weighs tardiness when asked: total weighted tardiness beats the makespan-only plan', () => {
    // A: M1 10 then M2 100, due late; B: M1 50 then M2 10, due 60, weight 10. A first: makespan 120 but B ends at
    // 120 (600 weighted tardiness); B first: makespan 160, nobody late.
    const problem = (objective: PlanObjective): PlanProblem => ({
      machines: [machine('M1'), machine('M2')],
      jobs: [job('A', { due: 1000 }), job('B', { due: 60, weight: 10 })],
      operations: [
        op('A1', 'A', [['M1', 10]]),
        op('A2', 'A', [['M2', 100]], { predecessors: ['A1'] }),
        op('B1', 'B', [['M1', 50]]),
        op('B2', 'B', [['M2', 10]], { predecessors: ['B1'] }),
      ],
      objective,
    });
    const makespan = solvePlan(problem('makespan'), improve(50));
    const tardiness = solvePlan(problem('tardiness'), improve(50));
    const both = solvePlan(problem('tardiness-then-makespan'), improve(50));
    for (const [objective, result] of [
      ['makespan', makespan],
      ['tardiness', tardiness],
      ['tardiness-then-makespan', both],
    ] as const)
      expect(checkPlan(problem(objective), result)).toEqual([]);
    expect(makespan.kpis).toMatchObject({ makespan: 120, totalWeightedTardiness: 600, totalTardiness: 60 });
    expect(makespan.kpis.lateJobs).toEqual([{ job: 'B', end: 120, due: 60, tardiness: 60 }]);
    expect(tardiness.kpis.totalWeightedTardiness).toBe(0);
    expect(tardiness.kpis.totalWeightedTardiness).toBeLessThan(makespan.kpis.totalWeightedTardiness);
    expect(both.kpis).toMatchObject({ totalWeightedTardiness: 0, makespan: 160 });
  });
});

describe('validatePlan', () => {
  it('names every problem of a malformed input, and solvePlan refuses it', () => {
    const problem: PlanProblem = {
      machines: [
        machine('M', {
          available: [
            [100, 200],
            [0, 50],
          ],
        }),
        machine('N', {
          available: [
            [0, 100],
            [90, 200],
          ],
        }),
      ],
      jobs: [job('J')],
      operations: [
        op('a', 'J', [['X', 10]]),
        op('b', 'K', [['M', 10]]),
        op('c', 'J', [['M', 0]], { predecessors: ['zz'] }),
        op('d', 'J', [['M', 10]], { frozen: { machine: 'N', start: 0 } }),
      ],
      objective: 'makespan',
    };
    const errors = validatePlan(problem);
    expect(errors).toEqual([
      'Machine M: window 2 [0, 50) comes before window 1 [100, 200); windows must be sorted.',
      'Machine N: window 2 [90, 200) overlaps window 1 [0, 100).',
      'Operation a names the unknown machine X.',
      'Operation b belongs to the unknown job K.',
      'Operation c on machine M: the duration 0 is not a positive whole number of minutes.',
      'Operation c names the unknown predecessor zz.',
      'Operation d is frozen on machine N, which is not one of its machines (M).',
    ]);
    expect(() => solvePlan(problem, { seconds: 0 })).toThrow(RangeError);
    expect(() => solvePlan(problem, { seconds: 0 })).toThrow(/unknown machine X/);
  });

  it('finds cycles in the precedence graph and inconsistent frozen operations', () => {
    const cyclic: PlanProblem = {
      machines: [machine('M')],
      jobs: [job('J')],
      operations: [
        op('a', 'J', [['M', 1]], { predecessors: ['c'] }),
        op('b', 'J', [['M', 1]], { predecessors: ['a'] }),
        op('c', 'J', [['M', 1]], { predecessors: ['b'] }),
        op('d', 'J', [['M', 1]], { predecessors: ['c'] }),
      ],
      objective: 'makespan',
    };
    expect(validatePlan(cyclic)).toEqual([
      'The precedence graph has a cycle: a → b → c → a (4 operations on or after cycles).',
    ]);
    const frozen: PlanProblem = {
      machines: [machine('M', { available: [[0, 100]], setups: { A: { B: 15 } } })],
      jobs: [job('J')],
      operations: [
        op('a', 'J', [['M', 10]], { family: 'A', frozen: { machine: 'M', start: 0 } }),
        op('b', 'J', [['M', 10]], { family: 'B', frozen: { machine: 'M', start: 5 } }),
        op('c', 'J', [['M', 10]], { predecessors: ['b'] }),
        op('d', 'J', [['M', 10]], { predecessors: ['c'], frozen: { machine: 'M', start: 150 } }),
      ],
      objective: 'makespan',
    };
    expect(validatePlan(frozen)).toEqual([
      'Operation d is frozen to start at 150, when machine M is not available.',
      'Frozen operations a and b overlap on machine M: a ends at 10, b starts at 5 and needs 15 minutes of setup before.',
    ]);
  });
});

describe('checkPlan', () => {
  const problem = generatePlant({ jobs: 12, machines: 6, opsPerJob: 4, seed: 5, objective: 'tardiness' });
  const result = solvePlan(problem, { seconds: 0 });

  it('accepts the solver plan', () => {
    expect(checkPlan(problem, result)).toEqual([]);
  });

  it('catches a hand-broken plan', () => {
    const chain = problem.operations.find(
      (o) => o.predecessors.length === 1 && o.transferAfter === undefined,
    )!;
    const pred = result.operations.find((o) => o.id === chain.predecessors[0])!;
    const broken = structuredClone(result);
    const moved = broken.operations.find((o) => o.id === chain.id)!;
    // Start it one minute before its predecessor ends (on a working minute of its machine), drop another one,
    // and misreport the makespan.
    moved.setupStart = moved.start = pred.end - 1;
    const dropped = broken.operations.pop()!;
    broken.kpis.makespan += 1;
    const errors = checkPlan(problem, broken);
    expect(errors).toContain(
      `Operation ${chain.id} starts at ${pred.end - 1}, before ${pred.id} ends at ${pred.end}.`,
    );
    expect(errors).toContain(`Operation ${dropped.id} is not planned.`);

    const kpiOnly = structuredClone(result);
    kpiOnly.kpis.makespan += 1;
    kpiOnly.kpis.utilisation[problem.machines[0]!.id] = 2;
    expect(checkPlan(problem, kpiOnly)).toEqual([
      `KPI makespan is ${result.kpis.makespan + 1}, recomputed ${result.kpis.makespan}.`,
      `KPI utilisation of ${problem.machines[0]!.id} is 2, recomputed ${result.kpis.utilisation[problem.machines[0]!.id]}.`,
    ]);
  });

  it('catches overlaps and short setups on a machine', () => {
    const problem: PlanProblem = {
      machines: [machine('M', { setups: { A: { B: 10 } }, initialFamily: 'A' })],
      jobs: [job('J1'), job('J2')],
      operations: [op('a', 'J1', [['M', 10]], { family: 'A' }), op('b', 'J2', [['M', 10]], { family: 'B' })],
      objective: 'makespan',
    };
    const plan = (b: { setupStart: number; start: number; end: number }) => {
      const operations = [
        { id: 'a', machine: 'M', setupStart: 0, start: 0, end: 10 },
        { id: 'b', machine: 'M', ...b },
      ];
      return { operations, kpis: solvePlan(problem, { seconds: 0 }).kpis, iterations: 0, elapsedMs: 0 };
    };
    expect(checkPlan(problem, plan({ setupStart: 10, start: 20, end: 30 }))).toEqual([]);
    expect(checkPlan(problem, plan({ setupStart: 5, start: 15, end: 25 }))).toContain(
      "Operations a and b overlap on machine M: a ends at 10, b's setup starts at 5.",
    );
    expect(checkPlan(problem, plan({ setupStart: 15, start: 20, end: 30 }))).toContain(
      'Operation b on machine M has 5 minutes of setup after a, not 10.',
    );
  });
});

describe('the incremental decoder', () => {
  it('gives the times a full decode gives after any move, and undoes moves exactly (cycles refused)', () => {
    const c = compile(jobShop('makespan'));
    const s = dispatch(c, 'atc', priorities(c));
    const random = seededRandom(9);
    const times = (t: Schedule) => [...t.setupStart, ...t.start, ...t.end];
    let accepted = 0;
    let cycles = 0;
    for (let step = 0; step < 400; step++) {
      const x = c.free[Math.floor(random() * c.free.length)]!;
      const k = c.modeStart[x]! + Math.floor(random() * (c.modeStart[x + 1]! - c.modeStart[x]!));
      const m = c.modeMachine[k]!;
      const j = Math.floor(random() * (s.seq[m]!.length + (s.machine[x] === m ? 0 : 1)));
      if (s.machine[x] === m && s.seqPos[x] === j) continue;
      const before = times(s);
      if (!s.tryMove(x, m, j)) {
        cycles++;
        expect(times(s)).toEqual(before);
        continue;
      }
      if (random() < 0.5) {
        s.undoMove();
        expect(times(s)).toEqual(before);
        continue;
      }
      s.commit();
      accepted++;
      const fresh = new Schedule(c);
      fresh.restore(s.snapshot());
      expect(times(s)).toEqual(times(fresh));
    }
    expect(accepted).toBeGreaterThan(50);
    expect(cycles).toBeGreaterThan(10);
  });
});

describe('search', () => {
  const problem = generatePlant({ jobs: 40, machines: 12, opsPerJob: 5, seed: 7 });

  it('is deterministic for a seed and an iteration count, feasible, and never worse than the first plan', () => {
    const first = solvePlan(problem, { seconds: 0 });
    const a = solvePlan(problem, improve(150, { seed: 3 }));
    const b = solvePlan(problem, improve(150, { seed: 3 }));
    expect(a.iterations).toBe(150);
    expect(a.operations).toEqual(b.operations);
    expect(a.kpis).toEqual(b.kpis);
    expect(checkPlan(problem, a)).toEqual([]);
    const key = (r: typeof a) => [r.kpis.totalWeightedTardiness, r.kpis.makespan] as const;
    const [tf, mf] = key(first);
    const [ta, ma] = key(a);
    expect(ta < tf || (ta === tf && ma <= mf)).toBe(true);
  });

  it.each<PlanObjective>(['makespan', 'tardiness', 'tardiness-then-makespan'])(
    'keeps every plan feasible under %s (job-shop routings, calendars, setups, transfers, frozen)',
    (objective) => {
      const shop = jobShop(objective);
      const result = solvePlan(shop, improve(200, { seed: 11 }));
      expect(checkPlan(shop, result)).toEqual([]);
    },
  );

  it('reports progress on improvements and at least once a second', () => {
    let clock = 0;
    const progress: PlanProgress[] = [];
    const result = solvePlan(problem, {
      seconds: 3,
      seed: 2,
      now: () => (clock += 50),
      onProgress: (p) => progress.push(p),
    });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress[0]!.iterations).toBe(0);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.elapsedMs - progress[i - 1]!.elapsedMs).toBeLessThanOrEqual(1600);
      expect(progress[i]!.iterations).toBeGreaterThanOrEqual(progress[i - 1]!.iterations);
    }
    expect(progress[progress.length - 1]!.kpis).toEqual(result.kpis);
  });
});

describe('the plant-sized instance', () => {
  it('generates valid problems for any seed and size', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const problem = generatePlant({
        jobs: 30,
        machines: 10 + seed,
        opsPerJob: 3 + seed,
        seed,
        maintenance: 10,
      });
      expect(validatePlan(problem)).toEqual([]);
    }
  });

  it('has over 10,000 operations on over 100 machines with calendars, setups, transfers and frozen ones', () => {
    const problem = generatePlant({ jobs: 1250, machines: 120, opsPerJob: 8, seed: 1 });
    expect(problem.operations.length).toBeGreaterThanOrEqual(10_000);
    expect(problem.machines.length).toBeGreaterThanOrEqual(100);
    expect(problem.operations.some((o) => o.frozen)).toBe(true);
    expect(problem.operations.some((o) => o.transferAfter !== undefined)).toBe(true);
    expect(problem.operations.some((o) => o.predecessors.length > 1)).toBe(true);
    expect(problem.machines.every((m) => m.available && m.setups)).toBe(true);
    expect(validatePlan(problem)).toEqual([]);
    const result = solvePlan(problem, { seconds: 0 });
    expect(checkPlan(problem, result)).toEqual([]);
  });
});

/** A small job shop (random machine orders, so sequences can make cycles) with every feature. */
function jobShop(objective: PlanObjective): PlanProblem {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const families = ['A', 'B', 'C'];
  const setups = { A: { B: 7, C: 4 }, B: { A: 5, C: 9 }, C: { A: 3, B: 6 } };
  const machines = Array.from({ length: 5 }, (_, m) =>
    machine(`M${m}`, {
      available: Array.from({ length: 200 }, (_, d) => [d * 100, d * 100 + 60] as const),
      setups,
      initialFamily: 'A',
    }),
  );
  const jobs: PlanJob[] = [];
  const operations: PlanOperation[] = [];
  for (let j = 0; j < 12; j++) {
    jobs.push(
      job(`J${j}`, {
        release: Math.floor(random() * 50),
        due: 150 + Math.floor(random() * 300),
        weight: 1 + (j % 3),
      }),
    );
    const order = [0, 1, 2, 3, 4].sort(() => random() - 0.5);
    order.forEach((m, k) => {
      const modes: Array<[string, number]> = [[`M${m}`, 1 + Math.floor(random() * 25)]];
      if (random() < 0.4) modes.push([`M${(m + 1) % 5}`, 1 + Math.floor(random() * 30)]);
      operations.push(
        op(`J${j}-${k}`, `J${j}`, modes, {
          predecessors: k ? [`J${j}-${k - 1}`] : [],
          family: families[Math.floor(random() * 3)]!,
          ...(k && random() < 0.3 ? { transferAfter: Math.floor(random() * 8) } : {}),
        }),
      );
    });
  }
  // One frozen first operation.
  operations[0]!.frozen = { machine: operations[0]!.modes[0]!.machine, start: 0 };
  jobs[0]!.release = 0;
  return { machines, jobs, operations, objective };
}
