/**
 * Availability engine: the working intervals of a resource (site or work center) between two instants,
 * from its shift patterns, holidays and exceptions, in the site's IANA time zone.
 *
 * Pure: no framework, no I/O, no clock. Every input is validated; a CalendarInputError explains what is
 * wrong.
 *
 * Algorithm:
 * 1. expand every shift occurrence whose start day lies between the local day before `from` (so a night
 *    shift that began the previous evening is included) and the local day of `to`; skip occurrences that
 *    START on a holiday (a night shift that began the evening before a holiday still runs into it);
 * 2. convert the wall times to UTC in the calendar's time zone (DST policy in zoned-time.ts: a wall time in
 *    the spring-forward gap moves forward by the gap, an ambiguous one takes the earlier occurrence; so a
 *    22:00–06:00 night shift lasts 7 h across the spring-forward night and 9 h across the fall-back night);
 * 3. remove each occurrence's breaks (converted by the same DST policy: a 02:00–02:30 break on the Berlin
 *    spring-forward night is taken 03:00–03:30 CEST, on the fall-back night at the first 02:00, CEST);
 * 4. add the 'extra' exceptions (union), then subtract the 'closed' exceptions (closed wins over extra
 *    and over shifts);
 * 5. clip to [from, to), merge overlapping or touching intervals, sort.
 *
 * An interval carries `shift` only when everything merged into it comes from shift occurrences with that
 * one code; an interval made of two different shifts, or touching/overlapping 'extra' capacity, has none.
 */
import {
  CalendarInputError,
  type IsoWeekday,
  type LocalDate,
  addDays,
  assertTimeZone,
  compareLocalDates,
  formatInstant,
  formatLocalDate,
  isoWeekday,
  parseInstant,
  parseLocalDate,
  utcToZonedParts,
  zonedWallTimeToUtc,
} from './zoned-time';

export { CalendarInputError } from './zoned-time';
export type { IsoWeekday } from './zoned-time';

export interface ShiftPattern {
  code: string; // e.g. 'EARLY', 'LATE', 'NIGHT'
  weekdays: IsoWeekday[]; // days on which the shift STARTS
  start: string; // 'HH:MM' local wall time
  end: string; // 'HH:MM'; end <= start means the shift ends the next day (night shift); '24:00' allowed as end
  breaks?: Array<{ start: string; end: string }>; // local 'HH:MM' within the shift (may be after midnight)
}

export interface CalendarException {
  start: string; // ISO-8601 instant (UTC or with offset)
  end: string;
  kind: 'closed' | 'extra'; // closed: no capacity (maintenance, stocktaking); extra: added capacity (overtime)
  reason?: string;
}

export interface CalendarInput {
  timeZone: string; // IANA, e.g. 'Asia/Shanghai'
  shifts: ShiftPattern[];
  holidays: string[]; // local dates 'YYYY-MM-DD': shifts that START on such a date do not happen
  exceptions: CalendarException[];
}

/** ISO-8601 UTC instants ('...Z'); `shift` when the interval comes from exactly one shift code. */
export interface AvailableInterval {
  start: string;
  end: string;
  shift?: string;
}

/** Longest [from, to) range answered, in days. */
export const MAX_RANGE_DAYS = 400;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MINUTES_PER_DAY = 1440;

/** Half-open [start, end) in epoch ms; `shift` undefined for extra capacity or a mix of shifts. */
interface Span {
  start: number;
  end: number;
  shift: string | undefined;
}

/** A shift pattern with its times as minutes after local midnight of the day it starts. */
interface CompiledShift {
  code: string;
  weekdays: ReadonlySet<number>;
  start: number; // 0 .. 1439
  end: number; // start < end <= start + 1440
  breaks: Array<{ start: number; end: number }>; // start <= b.start < b.end <= end
}

export function availableIntervals(calendar: CalendarInput, from: string, to: string): AvailableInterval[] {
  const fromMs = parseInstant(from, '`from`');
  const toMs = parseInstant(to, '`to`');
  if (fromMs >= toMs) throw new CalendarInputError(`\`from\` (${from}) must be before \`to\` (${to})`);
  if (toMs - fromMs > MAX_RANGE_DAYS * DAY_MS) {
    throw new CalendarInputError(
      `The range ${from} – ${to} is longer than ${MAX_RANGE_DAYS} days: query it in smaller windows`,
    );
  }
  if (calendar === null || typeof calendar !== 'object') {
    throw new CalendarInputError('A calendar is required');
  }
  const { timeZone } = calendar;
  assertTimeZone(timeZone);
  const shifts = arrayOf(calendar.shifts, 'shifts').map(compileShift);
  const holidays = new Set(
    arrayOf(calendar.holidays, 'holidays').map((h, i) => formatLocalDate(parseHoliday(h, i))),
  );
  const exceptions = arrayOf(calendar.exceptions, 'exceptions').map(parseException);

  // Shift occurrences by local start day: from the day before `from` (a night shift begun the evening
  // before) to the day of `to` (a shift starting later cannot begin before `to`).
  const spans: Span[] = [];
  const lastDay = localDate(toMs, timeZone);
  let day = addDays(localDate(fromMs, timeZone), -1);
  while (compareLocalDates(day, lastDay) <= 0) {
    if (!holidays.has(formatLocalDate(day))) {
      const weekday = isoWeekday(day);
      for (const shift of shifts) {
        if (shift.weekdays.has(weekday)) spans.push(...occurrence(shift, day, timeZone));
      }
    }
    day = addDays(day, 1);
  }
  for (const e of exceptions) {
    if (e.kind === 'extra') spans.push({ start: e.start, end: e.end, shift: undefined });
  }

  const closed = exceptions.filter((e) => e.kind === 'closed');
  const open = closed.length > 0 ? spans.flatMap((span) => subtract(span, closed)) : spans;
  const clipped = open
    .map((span) => ({ ...span, start: Math.max(span.start, fromMs), end: Math.min(span.end, toMs) }))
    .filter((span) => span.start < span.end);

  return merge(clipped).map((span) => ({
    start: formatInstant(span.start),
    end: formatInstant(span.end),
    ...(span.shift === undefined ? {} : { shift: span.shift }),
  }));
}

/**
 * Total minutes of the given intervals (overlaps counted once). Exact: a fraction when an interval does
 * not start or end on a whole minute (e.g. clipped to a `from` with seconds).
 */
export function availableMinutes(intervals: AvailableInterval[]): number {
  const spans = arrayOf(intervals, 'intervals').map((interval, i): Span => {
    const start = parseInstant(interval.start, `intervals[${i}].start`);
    const end = parseInstant(interval.end, `intervals[${i}].end`);
    if (end < start) {
      throw new CalendarInputError(
        `intervals[${i}] ends (${interval.end}) before it starts (${interval.start})`,
      );
    }
    return { start, end, shift: undefined };
  });
  return merge(spans).reduce((total, span) => total + (span.end - span.start) / MINUTE_MS, 0);
}

// ---------- expansion ----------

/** The UTC spans of one occurrence of `shift` starting on local date `day`, breaks removed. */
function occurrence(shift: CompiledShift, day: LocalDate, timeZone: string): Span[] {
  const start = wallToUtcMs(day, shift.start, timeZone);
  const end = wallToUtcMs(day, shift.end, timeZone);
  // Only a shift lying entirely inside a DST gap can collapse to nothing.
  if (end <= start) return [];
  let spans: Span[] = [{ start, end, shift: shift.code }];
  for (const b of shift.breaks) {
    const hole = { start: wallToUtcMs(day, b.start, timeZone), end: wallToUtcMs(day, b.end, timeZone) };
    spans = spans.flatMap((span) => subtract(span, [hole]));
  }
  return spans;
}

/** UTC instant of the wall time `minutes` after local midnight of `day` (may exceed one day). */
function wallToUtcMs(day: LocalDate, minutes: number, timeZone: string): number {
  const date = addDays(day, Math.floor(minutes / MINUTES_PER_DAY));
  const ofDay = minutes % MINUTES_PER_DAY;
  return zonedWallTimeToUtc(
    date.year,
    date.month,
    date.day,
    Math.floor(ofDay / 60),
    ofDay % 60,
    timeZone,
  ).getTime();
}

function localDate(epochMs: number, timeZone: string): LocalDate {
  const { year, month, day } = utcToZonedParts(new Date(epochMs), timeZone);
  return { year, month, day };
}

// ---------- interval algebra on half-open [start, end) ----------

function subtract(span: Span, holes: ReadonlyArray<{ start: number; end: number }>): Span[] {
  let pieces: Span[] = [span];
  for (const hole of holes) {
    pieces = pieces.flatMap((piece) => {
      if (hole.end <= piece.start || hole.start >= piece.end) return [piece];
      const rest: Span[] = [];
      if (hole.start > piece.start) rest.push({ ...piece, end: hole.start });
      if (hole.end < piece.end) rest.push({ ...piece, start: hole.end });
      return rest;
    });
  }
  return pieces;
}

/** Sorted union; overlapping or touching spans merge, keeping `shift` only if both sides share it. */
function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) {
      last.end = Math.max(last.end, span.end);
      if (last.shift !== span.shift) last.shift = undefined;
    } else {
      merged.push({ ...span });
    }
  }
  return merged;
}

// ---------- validation ----------

function arrayOf<T>(value: T[], name: string): T[] {
  if (!Array.isArray(value)) throw new CalendarInputError(`\`${name}\` must be an array`);
  return value;
}

/** 'HH:MM' → minutes after midnight; '24:00' (1440) only where `allowEndOfDay`. */
function parseClock(text: string, context: string, allowEndOfDay: boolean): number {
  const match = /^(\d{2}):(\d{2})$/.exec(String(text));
  const hours = match ? Number(match[1]) : NaN;
  const minutes = match ? Number(match[2]) : NaN;
  if (allowEndOfDay && hours === 24 && minutes === 0) return MINUTES_PER_DAY;
  if (!(hours <= 23 && minutes <= 59)) {
    throw new CalendarInputError(
      `${context}: bad time "${String(text)}", expected 'HH:MM' between 00:00 and 23:59` +
        (allowEndOfDay ? " (or '24:00')" : ''),
    );
  }
  return hours * 60 + minutes;
}

function compileShift(shift: ShiftPattern, index: number): CompiledShift {
  if (shift === null || typeof shift !== 'object') {
    throw new CalendarInputError(`shifts[${index}] is not a shift`);
  }
  if (typeof shift.code !== 'string' || shift.code.trim() === '') {
    throw new CalendarInputError(`shifts[${index}] needs a non-empty code`);
  }
  const name = `Shift "${shift.code}"`;
  const weekdays = new Set<number>();
  for (const weekday of arrayOf(shift.weekdays, `${name}.weekdays`)) {
    if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7) {
      throw new CalendarInputError(
        `${name}: weekday ${String(weekday)} is not an ISO weekday 1..7 (Monday = 1)`,
      );
    }
    weekdays.add(weekday);
  }
  const start = parseClock(shift.start, `${name} start`, false);
  let end = parseClock(shift.end, `${name} end`, true);
  if (end <= start) end += MINUTES_PER_DAY; // ends the next day (night shift); equal times: a 24 h shift
  const breaks = arrayOf(shift.breaks ?? [], `${name}.breaks`).map((b, i) => {
    if (b === null || typeof b !== 'object')
      throw new CalendarInputError(`${name}: breaks[${i}] is not a break`);
    const label = `${name} break ${String(b.start)}–${String(b.end)}`;
    let breakStart = parseClock(b.start, `${label} start`, false);
    if (breakStart < start) breakStart += MINUTES_PER_DAY; // after midnight, in a night shift
    let breakEnd = parseClock(b.end, `${label} end`, true);
    while (breakEnd <= breakStart) breakEnd += MINUTES_PER_DAY;
    if (breakEnd > end) {
      throw new CalendarInputError(`${label} lies outside its shift ${shift.start}–${shift.end}`);
    }
    return { start: breakStart, end: breakEnd };
  });
  return { code: shift.code, weekdays, start, end, breaks };
}

function parseHoliday(text: string, index: number): LocalDate {
  try {
    return parseLocalDate(text);
  } catch {
    throw new CalendarInputError(`holidays[${index}] "${String(text)}" is not a date 'YYYY-MM-DD'`);
  }
}

interface ParsedException {
  start: number;
  end: number;
  kind: 'closed' | 'extra';
}

function parseException(exception: CalendarException, index: number): ParsedException {
  if (exception === null || typeof exception !== 'object') {
    throw new CalendarInputError(`exceptions[${index}] is not an exception`);
  }
  const label = `exceptions[${index}]${exception.reason ? ` (${exception.reason})` : ''}`;
  const kind: unknown = exception.kind;
  if (kind !== 'closed' && kind !== 'extra') {
    throw new CalendarInputError(`${label}: kind must be 'closed' or 'extra', got ${JSON.stringify(kind)}`);
  }
  const start = parseInstant(exception.start, `${label} start`);
  const end = parseInstant(exception.end, `${label} end`);
  if (end <= start) {
    throw new CalendarInputError(`${label}: end ${exception.end} must be after start ${exception.start}`);
  }
  return { start, end, kind };
}
