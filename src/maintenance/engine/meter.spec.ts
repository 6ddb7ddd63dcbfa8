import { counterSteps, runHours } from './meter';

const MIN = 60_000;
const s = (minute: number, value: number) => ({ at: minute * MIN, value });

describe('meters', () => {
  it('a counter adds its differences; a reset adds what it counted from zero', () => {
    // 1,000 → 1,040 → 1,100 → reset, 25 → 60: 40 + 60 + 25 + 35 = 160 strokes.
    const steps = counterSteps([s(1, 1040), s(2, 1100), s(3, 25), s(4, 60)], s(0, 1000));
    expect(steps.map((x) => x.delta)).toEqual([40, 60, 25, 35]);
    expect(steps.map((x) => x.reset)).toEqual([false, false, true, false]);
    expect(steps.reduce((a, x) => a + x.delta, 0)).toBe(160);
  });

  it('out of order samples count in time order; repeats and late samples add nothing twice', () => {
    const steps = counterSteps([s(3, 130), s(1, 110), s(2, 110), s(2, 110), s(0, 90)], s(0, 100));
    // s(0, 90) is at the point already counted: left out (not a reset). 100 → 110 → 110 → 130.
    expect(steps.map((x) => [x.at / MIN, x.delta])).toEqual([
      [1, 10],
      [2, 0],
      [3, 20],
    ]);
  });

  it('the first sample of a new counter only sets the starting point; bad values are skipped', () => {
    expect(counterSteps([s(0, 500), s(1, Number.NaN), s(2, -3), s(3, 520)], null)).toEqual([
      { at: 3 * MIN, delta: 20, reset: false },
    ]);
  });

  it('run hours of running spans', () => {
    expect(
      runHours([
        { from: 0, to: 90 * MIN },
        { from: 120 * MIN, to: 150 * MIN },
        { from: 5, to: 1 },
      ]),
    ).toBe(2);
  });
});
