import {
  addMonths,
  calendarDueWithin,
  currentCalendarDue,
  type CalendarPlan,
  type CalendarRule,
  meterDue,
  nextCalendarDue,
  type LocalDate,
  PmRuleError,
} from './pm-schedule';

const parseLocalDate = (text: string): LocalDate => {
  const [year, month, day] = text.split('-').map(Number);
  return { year: year!, month: month!, day: day! };
};
const pad = (n: number) => String(n).padStart(2, '0');
const formatLocalDate = (x: LocalDate) => `${x.year}-${pad(x.month)}-${pad(x.day)}`;

const d = parseLocalDate;
const plan = (rule: CalendarRule, start: string, lastDue?: string, lastDone?: string): CalendarPlan => ({
  rule,
  start: d(start),
  lastDue: lastDue ? d(lastDue) : null,
  lastDone: lastDone ? d(lastDone) : null,
});
const next = (p: CalendarPlan) => formatLocalDate(nextCalendarDue(p));

/** The due dates a plan goes through when each ticket is handled on its due date. */
function dueDates(p: CalendarPlan, n: number): string[] {
  const out: string[] = [];
  let current = p;
  for (let i = 0; i < n; i++) {
    const due = nextCalendarDue(current);
    out.push(formatLocalDate(due));
    current = { ...current, lastDue: due, lastDone: due };
  }
  return out;
}

describe('calendar PM plans', () => {
  const monthly: CalendarRule = { kind: 'every', every: 1, unit: 'month', basis: 'fixed' };

  it('monthly on the 31st: the last day of shorter months, back to the 31st after (no drift), across the year end', () => {
    expect(dueDates(plan(monthly, '2026-10-31'), 6)).toEqual([
      '2026-10-31',
      '2026-11-30',
      '2026-12-31',
      '2027-01-31',
      '2027-02-28',
      '2027-03-31',
    ]);
    // 29 February in a leap year: the 28th in the others.
    expect(dueDates(plan({ ...monthly, every: 12 }, '2028-02-29'), 3)).toEqual([
      '2028-02-29',
      '2029-02-28',
      '2030-02-28',
    ]);
    expect(formatLocalDate(addMonths(d('2026-01-31'), 1))).toBe('2026-02-28');
    expect(formatLocalDate(addMonths(d('2026-01-31'), -2))).toBe('2025-11-30');
  });

  it('every two weeks on a fixed grid: late work does not move the next date', () => {
    const p = plan({ kind: 'every', every: 2, unit: 'week', basis: 'fixed' }, '2026-11-02');
    expect(next(p)).toBe('2026-11-02');
    // The 2 November ticket was done on the 6th: still due on the 16th.
    expect(next({ ...p, lastDue: d('2026-11-02'), lastDone: d('2026-11-06') })).toBe('2026-11-16');
    // A plan paused for a long time picks up on the grid after the last one handled.
    expect(next({ ...p, lastDue: d('2027-05-31') })).toBe('2027-06-14');
  });

  it('floating from completion: the next date counts from when the work was done', () => {
    const p = plan({ kind: 'every', every: 90, unit: 'day', basis: 'completion' }, '2026-01-15');
    expect(next(p)).toBe('2026-01-15');
    expect(next({ ...p, lastDue: d('2026-01-15'), lastDone: d('2026-01-20') })).toBe('2026-04-20');
    // Monthly floating from the 31st of a month: the last day of the next month.
    const m = plan({ kind: 'every', every: 1, unit: 'month', basis: 'completion' }, '2026-01-01');
    expect(next({ ...m, lastDue: d('2026-01-30'), lastDone: d('2026-01-31') })).toBe('2026-02-28');
  });

  it('fixed dates every year, in date order, 29 February as the 28th in other years', () => {
    const p = plan({ kind: 'dates', dates: ['10-01', '04-01', '02-29'] }, '2026-03-15');
    expect(dueDates(p, 5)).toEqual(['2026-04-01', '2026-10-01', '2027-02-28', '2027-04-01', '2027-10-01']);
  });

  it('a ticket is made when the due date is within the lead days', () => {
    const p = plan({ kind: 'every', every: 1, unit: 'week', basis: 'fixed' }, '2026-11-30');
    expect(calendarDueWithin(p, d('2026-11-25'), 3)).toBeNull();
    expect(formatLocalDate(calendarDueWithin(p, d('2026-11-27'), 3)!)).toBe('2026-11-30');
  });

  it('a plan that fell behind is due on its latest passed date, the dates before it counted as missed', () => {
    // Weekly from Monday 2 Nov 2026; the last ticket was for 2 Nov and today is Wednesday 25 Nov: 9, 16 and
    // 23 Nov have passed. The ticket is for 23 Nov (9 and 16 missed), and the plan goes on with 30 Nov.
    const p = {
      ...plan({ kind: 'every', every: 1, unit: 'week', basis: 'fixed' }, '2026-11-02'),
      lastDue: d('2026-11-02'),
    };
    const now = currentCalendarDue(p, d('2026-11-25'));
    expect(formatLocalDate(now.due)).toBe('2026-11-23');
    expect(now.missed).toBe(2);
    expect(next({ ...p, lastDue: now.due })).toBe('2026-11-30');
    // On the due date itself nothing is missed; yearly dates catch up the same way.
    expect(currentCalendarDue(p, d('2026-11-09')).missed).toBe(0);
    const yearly = {
      ...plan({ kind: 'dates', dates: ['04-01', '10-01'] }, '2025-01-01'),
      lastDue: d('2025-04-01'),
    };
    const y = currentCalendarDue(yearly, d('2026-11-21'));
    expect([formatLocalDate(y.due), y.missed]).toEqual(['2026-10-01', 2]);
    // Floating from completion: the next date counts from the work, nothing is missed.
    const floating = {
      ...plan({ kind: 'every', every: 7, unit: 'day', basis: 'completion' }, '2026-11-02'),
      lastDue: d('2026-11-02'),
      lastDone: d('2026-11-03'),
    };
    expect(currentCalendarDue(floating, d('2026-11-25'))).toEqual({ due: d('2026-11-10'), missed: 0 });
  });

  it('refuses rules that cannot make dates', () => {
    expect(() =>
      nextCalendarDue(plan({ kind: 'every', every: 0, unit: 'day', basis: 'fixed' }, '2026-01-01')),
    ).toThrow(PmRuleError);
    expect(() => nextCalendarDue(plan({ kind: 'dates', dates: ['13-01'] }, '2026-01-01'))).toThrow(
      PmRuleError,
    );
    expect(() => nextCalendarDue(plan({ kind: 'dates', dates: [] }, '2026-01-01'))).toThrow(PmRuleError);
  });
});

describe('meter PM plans', () => {
  const DAY = 86_400_000;
  const t0 = Date.UTC(2026, 10, 1);
  // A spindle's run hours: 4,400 h on 1 November, 16 h a day since.
  const hours = Array.from({ length: 11 }, (_, i) => ({ at: t0 + i * DAY, value: 4_400 + 16 * i }));

  it('fires at the right count: every 250 h from the last service at 4,360 h is due at 4,610 h', () => {
    const p = { interval: 250, lastDoneReading: 4_360 };
    // Latest reading 4,560 h: 50 h to go, at 16 h a day → due in 3.125 days.
    const r = meterDue(p, hours);
    expect(r).toMatchObject({ dueReading: 4_610, current: 4_560, remaining: 50, due: false, ratePerDay: 16 });
    expect(r.forecastAt).toBe(t0 + 10 * DAY + 3.125 * DAY);
    // One more day (4,576 h): not yet; with a 40 h lead: yes.
    const more = [...hours, { at: t0 + 11 * DAY, value: 4_576 }];
    expect(meterDue(p, more).due).toBe(false);
    expect(meterDue({ ...p, leadUnits: 40 }, more).due).toBe(true);
    // Reaching the count exactly fires it; past it, it is overdue and forecast "now".
    expect(meterDue(p, [...more, { at: t0 + 13 * DAY, value: 4_610 }])).toMatchObject({
      due: true,
      remaining: 0,
    });
    const late = meterDue(p, [...more, { at: t0 + 14 * DAY, value: 4_630 }]);
    expect(late).toMatchObject({ due: true, remaining: -20, forecastAt: t0 + 14 * DAY });
  });

  it('the rate is taken over the recent readings only, in any order', () => {
    // A press idle for a month, then 500 strokes a day for a week.
    const idle = { at: t0 - 40 * DAY, value: 10_000 };
    const busy = Array.from({ length: 8 }, (_, i) => ({ at: t0 + i * DAY, value: 10_000 + 500 * i }));
    const r = meterDue({ interval: 20_000, lastDoneReading: 0 }, [...busy].reverse().concat(idle), 28);
    expect(r.ratePerDay).toBe(500);
    expect(r.forecastAt).toBe(t0 + 7 * DAY + ((20_000 - 13_500) / 500) * DAY);
  });

  it('without readings or use: no forecast', () => {
    expect(meterDue({ interval: 100, lastDoneReading: 0 }, [])).toMatchObject({
      current: null,
      forecastAt: null,
    });
    const flat = [
      { at: t0, value: 50 },
      { at: t0 + 3 * DAY, value: 50 },
    ];
    expect(meterDue({ interval: 100, lastDoneReading: 0 }, flat)).toMatchObject({
      ratePerDay: null,
      forecastAt: null,
    });
    expect(() => meterDue({ interval: 0, lastDoneReading: 0 }, flat)).toThrow(PmRuleError);
  });
});
