import { minuteOf, windowsFrom, withoutWindow, withWindow, workingEnd, workingMinutes } from './plan-time';

/** A day shift 08:00–12:00 and 12:30–16:00 (minutes 60–300 and 330–540 from a 07:00 origin). */
const ORIGIN = Date.parse('2026-11-22T23:00:00Z');
const shift = windowsFrom(
  ORIGIN,
  [
    { start: '2026-11-23T00:00:00Z', end: '2026-11-23T04:00:00Z' },
    { start: '2026-11-23T04:30:00Z', end: '2026-11-23T08:00:30Z' },
  ],
  10_000,
);

describe('plan time: minutes from the origin and working windows', () => {
  it('reads calendar intervals as whole working minutes (a partial minute is not working time)', () => {
    expect(shift).toEqual([
      [60, 300],
      [330, 540],
    ]);
    expect(minuteOf(ORIGIN, '2026-11-22T23:00:59Z')).toBe(0);
    expect(minuteOf(ORIGIN, '2026-11-22T23:00:01Z', 'ceil')).toBe(1);
  });

  it('pauses work over the break and counts working minutes only', () => {
    expect(workingEnd(shift, 280, 30)).toBe(340);
    expect(workingEnd(shift, 0, 10)).toBe(70);
    expect(workingEnd(shift, 500, 100)).toBe(Infinity);
    expect(workingEnd(undefined, 5, 10)).toBe(15);
    expect(workingMinutes(shift, 0, 1000)).toBe(450);
  });

  it('takes a machine down and adds overtime', () => {
    expect(withoutWindow(shift, [100, 350], 1000)).toEqual([
      [60, 100],
      [350, 540],
    ]);
    expect(withoutWindow(undefined, [100, 200], 1000)).toEqual([
      [0, 100],
      [200, 1000],
    ]);
    expect(withWindow(shift, [540, 600])).toEqual([
      [60, 300],
      [330, 600],
    ]);
    expect(withWindow(undefined, [540, 600])).toBeUndefined();
  });
});
