import { oee, oeeFigures, oeeOf, sumFigures, type OeeInput, type StateSpan } from './oee';

/** 2026-03-02 (a Monday) at hh:mm UTC, in ms. */
const at = (hh: number, mm = 0) => Date.UTC(2026, 2, 2, hh, mm);
const MIN = 60_000;
const span = (state: StateSpan['state'], from: [number, number], to: [number, number], reason?: string) => ({
  state,
  from: at(...from),
  to: at(...to),
  reason,
});

/**
 * Worked example, computed by hand. Machine CNC-01, early shift 06:00–14:00 (POT 480 min) with a planned break
 * 10:00–10:30: PBT = 450 min.
 *   06:00–06:20 setup                      20 min
 *   06:20–09:00 running                   160 min
 *   09:00–09:45 down, tool breakage        45 min
 *   09:45–10:00 running                    15 min
 *   10:00–10:30 break (planned, no state)
 *   10:30–12:00 running                    90 min
 *   12:00–12:10 down, no compressed air    10 min
 *   12:10–13:40 running                    90 min
 *   13:40–14:00 nothing reported: idle     20 min
 * APT = 160 + 15 + 90 + 90 = 355 min; 355 + 45 + 10 + 20 + 20 = 450 = PBT.
 * 300 shafts at an ideal cycle of 60 s (routing), 291 good, 9 scrap (6 burr, 3 out of tolerance):
 *   availability  = 355 / 450            = 0.788 888…
 *   effectiveness = 300 min / 355 min    = 0.845 070…
 *   quality ratio = 291 / 300            = 0.97
 *   OEE           = 0.788 888 × 0.845 070 × 0.97 = 291 / 450 = 0.646 666…
 * Losses: speed 355 − 300 = 55 min, quality 9 × 60 s = 9 min.
 */
const shiftDay: OeeInput = {
  period: { from: at(0), to: at(24) },
  shifts: [{ from: at(6), to: at(14) }],
  plannedDowntime: [{ from: at(10), to: at(10, 30) }],
  states: [
    span('setup', [6, 0], [6, 20]),
    span('running', [6, 20], [9, 0]),
    span('down', [9, 0], [9, 45], 'TOOL-BREAK'),
    span('running', [9, 45], [10, 0]),
    span('running', [10, 30], [12, 0]),
    span('down', [12, 0], [12, 10], 'NO-AIR'),
    span('running', [12, 10], [13, 40]),
  ],
  production: [{ idealCycleMs: 60_000, produced: 300, good: 291, scrapByReason: { BURR: 6, DIM: 3 } }],
};

describe('OEE (ISO 22400-2)', () => {
  it('the worked example: availability, effectiveness, quality ratio, OEE and the losses', () => {
    const r = oee(shiftDay);
    expect(r.plannedOperationMs).toBe(480 * MIN);
    expect(r.plannedDowntimeMs).toBe(30 * MIN);
    expect(r.plannedBusyMs).toBe(450 * MIN);
    expect(r.actualProductionMs).toBe(355 * MIN);
    expect(r.downMs).toBe(55 * MIN);
    expect(r.setupMs).toBe(20 * MIN);
    expect(r.idleMs).toBe(20 * MIN);
    expect(r.availability).toBeCloseTo(355 / 450, 12);
    expect(r.effectiveness).toBeCloseTo(300 / 355, 12);
    expect(r.qualityRatio).toBeCloseTo(0.97, 12);
    expect(r.oee).toBeCloseTo(0.6466666667, 9);
    expect(r.oee).toBeCloseTo(291 / 450, 12);
    expect(r.losses.availability).toEqual([
      { cause: 'TOOL-BREAK', ms: 45 * MIN },
      { cause: 'idle', ms: 20 * MIN },
      { cause: 'setup', ms: 20 * MIN },
      { cause: 'NO-AIR', ms: 10 * MIN },
    ]);
    expect(r.losses.speedMs).toBe(55 * MIN);
    expect(r.losses.qualityMs).toBe(9 * MIN);
    expect(r.losses.scrap).toEqual([
      { reason: 'BURR', quantity: 6 },
      { reason: 'DIM', quantity: 3 },
    ]);
  });

  it('several products: each at its own ideal cycle time', () => {
    // 200 flanges at 30 s (190 good) and 100 covers at 90 s (all good): Σ PRI × PQ = 100 + 150 = 250 min,
    // quality ratio 290/300 (counted in units). Same times as above: effectiveness 250/355,
    // OEE = 355/450 × 250/355 × 290/300 = 250/450 × 290/300 = 0.537 037…
    const r = oee({
      ...shiftDay,
      production: [
        { idealCycleMs: 30_000, produced: 200, good: 190 },
        { idealCycleMs: 90_000, produced: 100, good: 100 },
      ],
    });
    expect(r.effectiveness).toBeCloseTo(250 / 355, 12);
    expect(r.qualityRatio).toBeCloseTo(290 / 300, 12);
    expect(r.oee).toBeCloseTo((250 / 450) * (290 / 300), 12);
    expect(r.losses.qualityMs).toBe(5 * MIN);
    // Scrap without a reason is counted, as unspecified.
    expect(r.losses.scrap).toEqual([{ reason: 'unspecified', quantity: 10 }]);
  });

  it('running through the break or after the shift is overtime: it adds to the planned busy time', () => {
    const r = oee({
      ...shiftDay,
      states: [...shiftDay.states, span('running', [10, 0], [10, 30]), span('running', [14, 0], [14, 30])],
    });
    // PBT 450 + 30 (break) + 30 (after the shift) = 510, APT 355 + 60 = 415.
    expect(r.overtimeMs).toBe(60 * MIN);
    expect(r.plannedBusyMs).toBe(510 * MIN);
    expect(r.actualProductionMs).toBe(415 * MIN);
    expect(r.availability).toBeCloseTo(415 / 510, 12);
  });

  it('downtime in a planned window is not a loss; overlapping states count once (down before setup before running)', () => {
    const r = oee({
      ...shiftDay,
      states: [
        ...shiftDay.states,
        // The break used for a repair: planned time, no loss.
        span('down', [10, 0], [10, 30], 'TOOL-BREAK'),
        // A terminal still reporting running during the tool breakage: the breakage wins.
        span('running', [9, 30], [9, 45]),
        // Two reasons over the same ten minutes: the 10 minutes are shared between them.
        span('down', [12, 0], [12, 10], 'NO-OPERATOR'),
      ],
    });
    expect(r.plannedBusyMs).toBe(450 * MIN);
    expect(r.actualProductionMs).toBe(355 * MIN);
    expect(r.downMs).toBe(55 * MIN);
    expect(r.downByReason).toEqual({ 'TOOL-BREAK': 45 * MIN, 'NO-AIR': 5 * MIN, 'NO-OPERATOR': 5 * MIN });
  });

  it('a period cuts the shift: only its part counts', () => {
    // 08:00–12:00: PBT 240 − 30 = 210; running 60 + 15 + 90 = 165; down 45; setup 0; idle 0.
    const r = oee({ ...shiftDay, period: { from: at(8), to: at(12) }, production: [] });
    expect(r.plannedBusyMs).toBe(210 * MIN);
    expect(r.actualProductionMs).toBe(165 * MIN);
    expect(r.downMs).toBe(45 * MIN);
    expect(r.idleMs).toBe(0);
    expect(r.effectiveness).toBe(0);
    expect(r.qualityRatio).toBeNull();
    expect(r.oee).toBeNull();
  });

  it('no planned time and no production: no ratios, no division by zero', () => {
    const r = oee({ period: { from: at(0), to: at(24) }, shifts: [], states: [], production: [] });
    expect(r).toMatchObject({ plannedBusyMs: 0, availability: null, effectiveness: null, oee: null });
  });

  it('a line (or a shift) adds the machines’ times and quantities up: not an average of their ratios', () => {
    // Machine 2, same shift: running 06:00–10:00 and 10:30–13:00 (390 min), down 13:00–13:14 (jam), idle to
    // 14:00 (46 min); 200 units at 90 s, all good (300 min). Line: PBT 900, APT 745, Σ PRI × PQ 600 min,
    // GQ/PQ 491/500: OEE = 745/900 × 600/745 × 491/500 = 600/900 × 0.982 = 0.654 666…
    const second = oeeFigures({
      period: shiftDay.period,
      shifts: shiftDay.shifts,
      plannedDowntime: shiftDay.plannedDowntime,
      states: [
        span('running', [6, 0], [10, 0]),
        span('running', [10, 30], [13, 0]),
        span('down', [13, 0], [13, 14], 'JAM'),
      ],
      production: [{ idealCycleMs: 90_000, produced: 200, good: 200 }],
    });
    expect(second.actualProductionMs).toBe(390 * MIN);
    const line = oeeOf(sumFigures([oeeFigures(shiftDay), second]));
    expect(line.plannedBusyMs).toBe(900 * MIN);
    expect(line.actualProductionMs).toBe(745 * MIN);
    expect(line.availability).toBeCloseTo(745 / 900, 12);
    expect(line.effectiveness).toBeCloseTo(600 / 745, 12);
    expect(line.qualityRatio).toBeCloseTo(491 / 500, 12);
    expect(line.oee).toBeCloseTo((600 / 900) * (491 / 500), 12);
    expect(line.losses.availability.map((l) => l.cause)).toEqual([
      'idle',
      'TOOL-BREAK',
      'setup',
      'JAM',
      'NO-AIR',
    ]);
    expect(line.losses.availability.find((l) => l.cause === 'idle')!.ms).toBe((20 + 46) * MIN);
  });
});
