/**
 * When preventive maintenance is due.
 *
 * Calendar plans (dates in the site's calendar):
 *   - every N days, weeks or months, on a fixed grid from the plan's start (the next date after the last one
 *     handled, whenever the work was done) or floating from the last completion;
 *   - on fixed dates every year ('MM-DD').
 *   A month step keeps the start's day where the month has it and takes the month's last day where it does not
 *   (31 January → 28 February → 31 March), and never drifts.
 *
 * Meter plans (run hours, cycles, strokes: a cumulative meter): due at the reading of the last maintenance plus
 * the interval; the date it will get there is forecast from the meter's rate over its recent readings.
 *
 * Pure (no framework, no I/O, no clock: `now` is given).
 */
/** A date in the site's calendar (month 1–12). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const DAY_MS = 86_400_000;
const dayNumber = (d: LocalDate) => Date.UTC(d.year, d.month - 1, d.day) / DAY_MS;
const fromDayNumber = (n: number): LocalDate => {
  const x = new Date(n * DAY_MS);
  return { year: x.getUTCFullYear(), month: x.getUTCMonth() + 1, day: x.getUTCDate() };
};
const addDays = (d: LocalDate, days: number) => fromDayNumber(dayNumber(d) + days);
const daysFrom = (a: LocalDate, b: LocalDate) => dayNumber(b) - dayNumber(a);
const compareLocalDates = (a: LocalDate, b: LocalDate) => dayNumber(a) - dayNumber(b);
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

export type CalendarRule =
  | { kind: 'every'; every: number; unit: 'day' | 'week' | 'month'; basis: 'fixed' | 'completion' }
  | { kind: 'dates'; dates: readonly string[] };

export interface CalendarPlan {
  rule: CalendarRule;
  /** First date the plan may be due. */
  start: LocalDate;
  /** Due date of the last ticket the plan made (null before the first). */
  lastDue: LocalDate | null;
  /** Date the last maintenance of the plan was done (null before the first). */
  lastDone: LocalDate | null;
}

export class PmRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PmRuleError';
  }
}

/** `date` plus `months` months, on `anchorDay` or the month's last day when it is shorter. */
export function addMonths(date: LocalDate, months: number, anchorDay = date.day): LocalDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(anchorDay, daysInMonth(year, month)) };
}

function step(date: LocalDate, every: number, unit: 'day' | 'week' | 'month', k: number, anchorDay: number) {
  if (unit === 'month') return addMonths(date, every * k, anchorDay);
  return addDays(date, every * k * (unit === 'week' ? 7 : 1));
}

/** The next date a calendar plan is due. */
export function nextCalendarDue(plan: CalendarPlan): LocalDate {
  const { rule } = plan;
  if (rule.kind === 'dates') return nextFixedDate(rule.dates, plan);
  if (!Number.isInteger(rule.every) || rule.every < 1) {
    throw new PmRuleError(
      `A plan repeats every whole number of ${rule.unit}s (1 or more), got ${rule.every}`,
    );
  }
  if (rule.basis === 'completion') {
    if (!plan.lastDone)
      return plan.lastDue ? step(plan.lastDue, rule.every, rule.unit, 1, plan.lastDue.day) : plan.start;
    return step(plan.lastDone, rule.every, rule.unit, 1, plan.lastDone.day);
  }
  // Fixed grid from the start: the first grid date after the last one handled (jumping close first: a plan
  // paused for years does not walk its whole past).
  if (!plan.lastDue) return plan.start;
  const last = plan.lastDue;
  const behind =
    rule.unit === 'month'
      ? (last.year - plan.start.year) * 12 + (last.month - plan.start.month)
      : daysFrom(plan.start, last) / (rule.unit === 'week' ? 7 : 1);
  let k = Math.max(1, Math.floor(behind / rule.every));
  let due = step(plan.start, rule.every, rule.unit, k, plan.start.day);
  while (compareLocalDates(due, last) <= 0) {
    k++;
    due = step(plan.start, rule.every, rule.unit, k, plan.start.day);
  }
  return due;
}

function nextFixedDate(dates: readonly string[], plan: CalendarPlan): LocalDate {
  if (dates.length === 0) throw new PmRuleError('A plan on fixed dates needs at least one date');
  const parsed = dates.map((d) => {
    const m = /^(\d{2})-(\d{2})$/.exec(d);
    const month = m ? Number(m[1]) : NaN;
    const day = m ? Number(m[2]) : NaN;
    if (!m || month < 1 || month > 12 || day < 1 || day > daysInMonth(2024, month)) {
      throw new PmRuleError(`Fixed dates are 'MM-DD', got '${d}'`);
    }
    return { month, day };
  });
  // After the last one handled, or from the start on.
  const after = plan.lastDue;
  for (let year = (after ?? plan.start).year; ; year++) {
    const candidates = parsed
      .map(({ month, day }) => ({ year, month, day: Math.min(day, daysInMonth(year, month)) }))
      .sort(compareLocalDates);
    for (const c of candidates) {
      if (compareLocalDates(c, plan.start) < 0) continue;
      if (after && compareLocalDates(c, after) <= 0) continue;
      return c;
    }
  }
}

/**
 * The date a calendar plan's next ticket is for, on `today`: its next due date or, when later dates have
 * passed as well (the plan fell behind: paused, or its job did not run), the latest of those — missed dates
 * are counted, not made up one ticket after another. A plan floating from completion never falls behind.
 */
export function currentCalendarDue(plan: CalendarPlan, today: LocalDate): { due: LocalDate; missed: number } {
  let due = nextCalendarDue(plan);
  let missed = 0;
  if (plan.rule.kind === 'every' && plan.rule.basis === 'completion') return { due, missed };
  for (;;) {
    const after = nextCalendarDue({ ...plan, lastDue: due });
    if (compareLocalDates(after, today) > 0) return { due, missed };
    due = after;
    missed++;
  }
}

/** Whether a calendar plan's ticket is to be made on `today`: its due date is within `leadDays` from today. */
export function calendarDueWithin(plan: CalendarPlan, today: LocalDate, leadDays = 0): LocalDate | null {
  const { due } = currentCalendarDue(plan, today);
  return compareLocalDates(due, addDays(today, leadDays)) <= 0 ? due : null;
}

export interface MeterPlan {
  /** Units between maintenances (hours, cycles, strokes). */
  interval: number;
  /** The meter's reading at the last maintenance (or when the plan began). */
  lastDoneReading: number;
  /** Make the ticket this many units before the due reading (0: at it). */
  leadUnits?: number;
}

export interface MeterReading {
  at: number;
  value: number;
}

export interface MeterDue {
  dueReading: number;
  current: number | null;
  /** Units left to the due reading (negative: overdue). */
  remaining: number | null;
  /** The ticket is to be made now (within the lead). */
  due: boolean;
  /** Units per day over the recent readings (null with fewer than two readings a day apart or no use). */
  ratePerDay: number | null;
  /** When the meter will reach the due reading at that rate (ms; the current time's reading if already due). */
  forecastAt: number | null;
}

/**
 * A meter plan against the meter's readings (any order): due once the latest reading is within `leadUnits` of
 * the due reading. The rate is the rise over the readings of the last `windowDays` days before the latest.
 */
export function meterDue(plan: MeterPlan, readings: readonly MeterReading[], windowDays = 28): MeterDue {
  if (!(plan.interval > 0))
    throw new PmRuleError(`A meter plan's interval must be positive, got ${plan.interval}`);
  const dueReading = plan.lastDoneReading + plan.interval;
  const sorted = [...readings].sort((a, b) => a.at - b.at);
  const last = sorted.at(-1);
  if (!last) {
    return { dueReading, current: null, remaining: null, due: false, ratePerDay: null, forecastAt: null };
  }
  const remaining = dueReading - last.value;
  const due = remaining <= (plan.leadUnits ?? 0);
  const recent = sorted.filter((r) => r.at >= last.at - windowDays * DAY_MS);
  const first = recent[0]!;
  const days = (last.at - first.at) / DAY_MS;
  const ratePerDay = days >= 1 && last.value > first.value ? (last.value - first.value) / days : null;
  const forecastAt =
    remaining <= 0 ? last.at : ratePerDay ? Math.round(last.at + (remaining / ratePerDay) * DAY_MS) : null;
  return { dueReading, current: last.value, remaining, due, ratePerDay, forecastAt };
}
