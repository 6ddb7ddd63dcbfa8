import { reliability } from './reliability';

/** Day `d` of April 2026 at hh:mm UTC, in ms. */
const at = (d: number, hh = 0, mm = 0) => Date.UTC(2026, 3, d, hh, mm);
const H = 3_600_000;
const april = { from: at(1), to: at(31) }; // 30 days, 720 h

/**
 * Worked example, computed by hand. The press P-200 is required around the clock in April (720 h) and broke
 * down three times:
 *   3 April 10:00–14:00            4 h
 *   10 April 08:00–09:30           1.5 h
 *   25 April 20:00 – 26 April 02:30  6.5 h
 * downtime 12 h, uptime 708 h; MTBF = 708 / 3 = 236 h; MTTR = 12 / 3 = 4 h;
 * availability = 708 / 720 = 0.983 333…; inherent availability = 236 / (236 + 4) = 0.983 333…
 */
const breakdowns = [
  { from: at(3, 10), to: at(3, 14) },
  { from: at(10, 8), to: at(10, 9, 30) },
  { from: at(25, 20), to: at(26, 2, 30) },
];

describe('reliability: MTBF, MTTR, availability', () => {
  it('the worked example', () => {
    const r = reliability({ period: april, breakdowns });
    expect(r).toMatchObject({ failures: 3, repaired: 3, requiredMs: 720 * H, downtimeMs: 12 * H });
    expect(r.uptimeMs).toBe(708 * H);
    expect(r.mtbfMs).toBe(236 * H);
    expect(r.mttrMs).toBe(4 * H);
    expect(r.availability).toBeCloseTo(708 / 720, 12);
    expect(r.inherentAvailability).toBeCloseTo(236 / 240, 12);
  });

  it('a breakdown from before the period costs its downtime in it but is not one of its failures', () => {
    // 31 March 22:00 – 1 April 02:00: 2 h of April lost, failure and repair belong to March.
    const r = reliability({ period: april, breakdowns: [{ from: at(0, 22), to: at(1, 2) }, ...breakdowns] });
    expect(r.failures).toBe(3);
    expect(r.downtimeMs).toBe(14 * H);
    expect(r.mtbfMs).toBe((706 * H) / 3);
    expect(r.mttrMs).toBe(4 * H);
  });

  it('a breakdown not repaired yet is a failure, down to the end of the period, and not in MTTR', () => {
    // Down since 30 April 12:00: 12 h of April. Failures 4, downtime 24 h, uptime 696 h, MTBF 174 h; MTTR of
    // the three repaired ones 4 h.
    const r = reliability({ period: april, breakdowns: [...breakdowns, { from: at(30, 12), to: null }] });
    expect(r).toMatchObject({ failures: 4, repaired: 3, downtimeMs: 24 * H, uptimeMs: 696 * H });
    expect(r.mtbfMs).toBe(174 * H);
    expect(r.mttrMs).toBe(4 * H);
  });

  it('only the required time counts: a breakdown while the machine was not needed costs no uptime', () => {
    // Required on weekdays 06:00–22:00 of the first week (Wed 1 – Tue 7 April: 5 weekdays, 80 h); the 3 April
    // breakdown (10:00–14:00, a Friday) costs 4 h; a night breakdown 2 April 23:00–3 April 01:00 costs none
    // but is a failure (and repaired in 2 h).
    const days = [1, 2, 3, 6, 7];
    const required = days.map((d) => ({ from: at(d, 6), to: at(d, 22) }));
    const r = reliability({
      period: { from: at(1), to: at(8) },
      required,
      breakdowns: [{ from: at(2, 23), to: at(3, 1) }, breakdowns[0]!],
    });
    expect(r).toMatchObject({ failures: 2, requiredMs: 80 * H, downtimeMs: 4 * H, uptimeMs: 76 * H });
    expect(r.mtbfMs).toBe(38 * H);
    expect(r.mttrMs).toBe(3 * H);
  });

  it('no failure: no MTBF, no MTTR, full availability', () => {
    const r = reliability({ period: april, breakdowns: [] });
    expect(r).toMatchObject({
      failures: 0,
      mtbfMs: null,
      mttrMs: null,
      availability: 1,
      inherentAvailability: null,
    });
  });
});
