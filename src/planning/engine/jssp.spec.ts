import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkJssp, gifflerThompson, parseJssp, trivialLowerBound, type PriorityRule } from './jssp';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/jssp', name), 'utf8');
const RULES: PriorityRule[] = ['mwkr', 'spt', 'lpt', 'random'];

describe('JSSP instances', () => {
  it('reads the standard format, comments ignored', () => {
    const tiny = parseJssp(`# a comment\n${fixture('tiny3x3.txt')}`);
    expect(tiny).toMatchObject({ jobs: 3, machines: 3 });
    expect(tiny.ops[1]).toEqual([
      { machine: 0, duration: 2 },
      { machine: 2, duration: 1 },
      { machine: 1, duration: 4 },
    ]);
  });

  it('says what is wrong with a malformed instance', () => {
    expect(() => parseJssp('')).toThrow(/jobs machines/);
    expect(() => parseJssp('2 2\n0 1 1 1\n0 1')).toThrow(/expected 8 numbers/);
    expect(() => parseJssp('1 2\n0 1 0 1')).toThrow(/machine 0 is visited twice/);
    expect(() => parseJssp('1 2\n0 1 2 1')).toThrow(/machine 2 is out of range/);
    expect(() => parseJssp('1 1\n0 -1')).toThrow(/not a non-negative integer/);
  });

  it('computes the trivial lower bound (max machine load, longest job) as published', () => {
    expect(trivialLowerBound(parseJssp(fixture('ft06.txt')))).toBe(47);
    expect(trivialLowerBound(parseJssp(fixture('la01.txt')))).toBe(666);
  });
});

describe('checkJssp', () => {
  const tiny = parseJssp(fixture('tiny3x3.txt'));
  it('accepts the feasible example with its makespan', () => {
    const { starts } = JSON.parse(fixture('tiny3x3.feasible.json')) as { starts: number[][] };
    expect(checkJssp(tiny, starts)).toEqual({ feasible: true, makespan: 12 });
  });
  it('rejects the infeasible example, naming the broken precedence', () => {
    const { starts } = JSON.parse(fixture('tiny3x3.infeasible.json')) as { starts: number[][] };
    const result = checkJssp(tiny, starts);
    expect(result.feasible).toBe(false);
    expect(result.feasible ? [] : result.errors).toContain('job 0 op 1: starts at 2 before op 0 ends');
  });
  it('finds machine overlaps and shape errors', () => {
    const two = parseJssp('2 1\n0 3\n0 3');
    expect(checkJssp(two, [[0], [2]])).toEqual({
      feasible: false,
      errors: ['machine 0: jobs 0 and 1 overlap'],
    });
    expect(checkJssp(two, [[0]]).feasible).toBe(false);
  });
});

describe('gifflerThompson (active schedules by priority rule)', () => {
  it('finds the hand-checked optimum of a 2×2 instance', () => {
    // J0: m0 3 then m1 2; J1: m1 2 then m0 3. Machine 0 carries 6, so nothing is shorter, and 6 is reached:
    // J0 on m0 at 0–3, J1 on m1 at 0–2, J1 on m0 at 3–6, J0 on m1 at 3–5.
    const instance = parseJssp('2 2\n0 3 1 2\n1 2 0 3');
    for (const rule of RULES) {
      const schedule = gifflerThompson(instance, rule, 7);
      expect(checkJssp(instance, schedule.starts)).toEqual({ feasible: true, makespan: schedule.makespan });
      expect(schedule.makespan).toBeGreaterThanOrEqual(6);
    }
    expect(gifflerThompson(instance, 'mwkr').makespan).toBe(6);
  });

  it.each(['ft06.txt', 'la01.txt'])(
    'builds a feasible schedule of %s with every rule, never below the optimum',
    (file) => {
      const instance = parseJssp(fixture(file));
      const optimum = file === 'ft06.txt' ? 55 : 666;
      for (const rule of RULES) {
        const schedule = gifflerThompson(instance, rule, 3);
        const check = checkJssp(instance, schedule.starts);
        expect(check).toEqual({ feasible: true, makespan: schedule.makespan });
        expect(schedule.makespan).toBeGreaterThanOrEqual(optimum);
      }
    },
  );

  it('is deterministic for a seed and varies with it', () => {
    const instance = parseJssp(fixture('la01.txt'));
    expect(gifflerThompson(instance, 'random', 42)).toEqual(gifflerThompson(instance, 'random', 42));
    const makespans = new Set(
      Array.from({ length: 20 }, (_, seed) => gifflerThompson(instance, 'random', seed + 1).makespan),
    );
    expect(makespans.size).toBeGreaterThan(1);
  });
});
