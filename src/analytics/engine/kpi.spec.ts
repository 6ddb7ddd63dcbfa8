import {
  countRatio,
  firstPassYield,
  inProcessQty,
  progressOf,
  quantityRatio,
  reliabilityTotal,
  remainingQty,
  roundRatio,
  sumQuantities,
} from './kpi';

const H = 3_600_000;

describe('dashboard figures', () => {
  it('ratios are 4 places, half up, and null when there is nothing to measure', () => {
    // 1 of 2 orders staged: 0.5; 2 of 3: 0.666 66… → 0.6667; 1 of 8: 0.125 → 0.125.
    expect(countRatio(1, 2)).toBe(0.5);
    expect(countRatio(2, 3)).toBe(0.6667);
    expect(countRatio(1, 8)).toBe(0.125);
    expect(countRatio(0, 0)).toBeNull();
    // 0.000 05 is exactly half a step: up to 0.0001.
    expect(quantityRatio('0.00005', '1')).toBe(0.0001);
    expect(quantityRatio('3', '0')).toBeNull();
  });

  it('adds quantities exactly (0.1 + 0.2 is 0.3, not 0.300 000 000 000 000 04)', () => {
    expect(sumQuantities(['0.1', '0.2'])).toBe('0.3');
    expect(sumQuantities(['40', '10.5', '0.000001'])).toBe('50.500001');
    expect(sumQuantities([])).toBe('0');
  });

  it('progress is good over planned, capped at done', () => {
    // 30 of 40 good: 75 %; 10 of 10: 100 %; 4 of 5: 80 %; 41 of 40 (within the over-report tolerance): done.
    expect(progressOf('30', '40')).toBe(0.75);
    expect(progressOf('10', '10')).toBe(1);
    expect(progressOf('4', '5')).toBe(0.8);
    expect(progressOf('41', '40')).toBe(1);
    expect(progressOf('0', '0')).toBeNull();
  });

  it('first-pass yield: good out of the last operation over the units that left the process', () => {
    // Three orders: 30 + 10 + 4 = 44 good out of assembly; 2 scrapped at turning, 1 at assembly → 3.
    // FPY = 44 / (44 + 3) = 0.936 170… → 0.9362. Two more units between turning and assembly count in neither.
    expect(firstPassYield('44', '3')).toBe(0.9362);
    expect(firstPassYield('10', '0')).toBe(1);
    expect(firstPassYield('0', '2')).toBe(0);
    expect(firstPassYield('0', '0')).toBeNull();
  });

  it('units in process at an operation: received less reported, never below zero', () => {
    // Assembly of a 40 order: turning passed on 32 good, assembly reported 30 good → 2 waiting at the press.
    expect(
      inProcessQty({
        plannedQty: '40',
        goodQty: '30',
        scrapQty: '0',
        predecessorGoodQty: '32',
        started: true,
      }),
    ).toBe('2');
    // Turning of a 20 order not started yet: nothing at the lathe; started with 12 good and 1 scrap: 7.
    const turning = { plannedQty: '20', goodQty: '0', scrapQty: '0', predecessorGoodQty: null };
    expect(inProcessQty({ ...turning, started: false })).toBe('0');
    expect(inProcessQty({ ...turning, goodQty: '12', scrapQty: '1', started: true })).toBe('7');
    // Over-reported within the tolerance: 0, not −1.
    expect(inProcessQty({ ...turning, goodQty: '21', started: true })).toBe('0');
    // Decimal quantities stay exact: 2.5 kg received, 0.75 made.
    expect(
      inProcessQty({
        plannedQty: '3',
        goodQty: '0.75',
        scrapQty: '0',
        predecessorGoodQty: '2.5',
        started: true,
      }),
    ).toBe('1.75');
  });

  it('remaining good units of an operation', () => {
    expect(remainingQty({ plannedQty: '40', goodQty: '30' })).toBe('10');
    expect(remainingQty({ plannedQty: '40', goodQty: '41' })).toBe('0');
  });

  it('reliability of a line: times and failures add up, then the means', () => {
    // Lathe: 4 h required, 0.5 h down in one repaired failure (MTTR 0.5 h). Press: 4 h required, three
    // failures: two repaired after 0.25 h and 0.75 h (MTTR 0.5 h), one still down for the last 0.5 h.
    // Line (the open failure counts as a failure, not as repaired):
    //   failures 1 + 3 = 4, repaired 1 + 2 = 3, downtime 0.5 + 1.5 = 2 h, uptime 8 − 2 = 6 h
    //   MTBF = 6 h / 4 = 1.5 h; MTTR = (0.5 h × 1 + 0.5 h × 2) / 3 = 0.5 h; availability = 6 / 8 = 0.75.
    const total = reliabilityTotal([
      {
        failures: 1,
        repaired: 1,
        requiredMs: 4 * H,
        downtimeMs: 0.5 * H,
        uptimeMs: 3.5 * H,
        mttrMs: 0.5 * H,
      },
      {
        failures: 3,
        repaired: 2,
        requiredMs: 4 * H,
        downtimeMs: 1.5 * H,
        uptimeMs: 2.5 * H,
        mttrMs: 0.5 * H,
      },
    ]);
    expect(total).toEqual({
      failures: 4,
      repaired: 3,
      requiredMs: 8 * H,
      downtimeMs: 2 * H,
      uptimeMs: 6 * H,
      mtbfMs: 1.5 * H,
      mttrMs: 0.5 * H,
      availability: 0.75,
    });
    expect(reliabilityTotal([])).toMatchObject({ mtbfMs: null, mttrMs: null, availability: null });
  });

  it('rounds ratios computed as numbers from their decimal form', () => {
    // OEE of the lathe: 47 good × 45 s / 4 h = 2115 / 14 400 = 0.146 875 → 0.1469 (half up).
    expect(roundRatio(2115 / 14_400)).toBe(0.1469);
    // 3435 / 28 800 = 0.119 270 8… → 0.1193.
    expect(roundRatio(3435 / 28_800)).toBe(0.1193);
    expect(roundRatio(0.625 * 0.245 * (47 / 49))).toBe(0.1469);
    expect(roundRatio(1e-7)).toBe(0);
    expect(roundRatio(null)).toBeNull();
  });
});
