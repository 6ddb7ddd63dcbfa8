/**
 * Local wall time ⇄ UTC for an IANA time zone, using only the built-in `Intl.DateTimeFormat`.
 *
 * Pure: no clock, no I/O. The only state is a cache of `Intl.DateTimeFormat` instances per time zone
 * (immutable objects, so caching them changes no result).
 *
 * DST policy for wall times (same as Temporal's `disambiguation: 'compatible'`):
 * - a wall time that does not exist (spring-forward gap) moves forward by the length of the gap
 *   (Europe/Berlin 29 March 2026: 02:30 → 03:30 CEST = 01:30Z);
 * - an ambiguous wall time (fall-back overlap) takes the first, earlier occurrence
 *   (Europe/Berlin 25 October 2026: 02:30 → 02:30 CEST = 00:30Z, not 02:30 CET = 01:30Z).
 */

/** Thrown for any invalid calendar input (time zone, time of day, date, instant, range...). */
export class CalendarInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarInputError';
  }
}

export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7; // Monday = 1

/** A calendar date without a time zone ('YYYY-MM-DD' as numbers; month 1..12). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export interface ZonedParts extends LocalDate {
  hour: number; // 0..23
  minute: number; // 0..59
  weekday: IsoWeekday;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  if (typeof timeZone !== 'string' || timeZone.trim() === '') {
    throw new CalendarInputError(`Unknown time zone "${String(timeZone)}": an IANA name is required`);
  }
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (error) {
    if (error instanceof RangeError) {
      throw new CalendarInputError(
        `Unknown time zone "${timeZone}": expected an IANA name such as "Europe/Berlin" or "Asia/Shanghai"`,
      );
    }
    throw error;
  }
  formatters.set(timeZone, formatter);
  return formatter;
}

/** Throws a CalendarInputError unless `timeZone` is an IANA time zone known to this runtime. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

interface FullParts extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

function fullParts(epochMs: number, timeZone: string): FullParts {
  const values: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(epochMs))) values[part.type] = part.value;
  const read = (type: string): number => {
    const value = Number(values[type]);
    if (!Number.isInteger(value)) throw new Error(`Intl.DateTimeFormat returned no ${type} for ${timeZone}`);
    return value;
  };
  const yearOfEra = read('year');
  // Years before 1 CE come as "n BC"; proleptic astronomical year = 1 - n.
  const year = values.era === 'BC' || values.era === 'B' ? 1 - yearOfEra : yearOfEra;
  return {
    year,
    month: read('month'),
    day: read('day'),
    hour: read('hour') % 24, // some ICU versions render midnight as 24 even with h23
    minute: read('minute'),
    second: read('second'),
  };
}

/** Offset of `timeZone` from UTC at the given instant, in milliseconds (UTC+8 → 28 800 000). */
export function timeZoneOffsetMs(epochMs: number, timeZone: string): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  const p = fullParts(whole, timeZone);
  return utcEpochMs(p, p.hour, p.minute, p.second) - whole;
}

/** Epoch milliseconds of a date and time of day read as UTC (proleptic Gregorian, any year). */
function utcEpochMs(date: LocalDate, hour = 0, minute = 0, second = 0): number {
  const d = new Date(Date.UTC(2000, date.month - 1, date.day, hour, minute, second));
  d.setUTCFullYear(date.year); // Date.UTC alone would read years 0..99 as 1900..1999
  return d.getTime();
}

/** Local calendar date, time of day and ISO weekday of an instant in `timeZone`. */
export function utcToZonedParts(date: Date, timeZone: string): ZonedParts {
  const epochMs = date.getTime();
  if (Number.isNaN(epochMs)) throw new CalendarInputError('Invalid Date');
  const p = fullParts(epochMs, timeZone);
  const localDate = { year: p.year, month: p.month, day: p.day };
  return { ...localDate, hour: p.hour, minute: p.minute, weekday: isoWeekday(localDate) };
}

/**
 * The instant at which the wall clock in `timeZone` shows y-m-d hh:mm.
 *
 * Works from the offsets in force one day before and one day after the wall time (enough for every real
 * zone: transitions are months apart). For each candidate offset o, the instant wall - o is a real
 * reading only if the zone's offset at that instant is o itself (a fixed point of t = wall - offset(t),
 * the iteration converges in one step from each side). Two fixed points: ambiguous (fall back) → the
 * earlier one. None: the wall time is in a gap (spring forward) → wall - offsetBefore, which is the
 * wall time moved forward by the length of the gap. `hh` may be 24 with mm 0 (midnight of the next day).
 */
export function zonedWallTimeToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): Date {
  assertLocalDate({ year, month, day });
  const isEndOfDay = hour === 24 && minute === 0;
  if (!Number.isInteger(hour) || !Number.isInteger(minute) || hour < 0 || minute < 0 || minute > 59) {
    throw new CalendarInputError(`Invalid wall time ${hour}:${minute}`);
  }
  if (hour > 23 && !isEndOfDay) throw new CalendarInputError(`Invalid wall time ${hour}:${minute}`);
  const wall = utcMidnight({ year, month, day }) + (hour * 60 + minute) * MINUTE_MS;

  const offsetBefore = timeZoneOffsetMs(wall - DAY_MS, timeZone);
  const offsetAfter = timeZoneOffsetMs(wall + DAY_MS, timeZone);
  const candidates = [...new Set([offsetBefore, offsetAfter])]
    .map((offset) => wall - offset)
    .filter((instant) => wall - timeZoneOffsetMs(instant, timeZone) === instant);
  if (candidates.length > 0) return new Date(Math.min(...candidates));

  // Neither the offset before nor the one after gives a fixed point: iterate from a first guess (covers
  // a zone that changes offset twice within two days, which no current rule does).
  let guess = wall - timeZoneOffsetMs(wall, timeZone);
  for (let i = 0; i < 4; i += 1) {
    const next = wall - timeZoneOffsetMs(guess, timeZone);
    if (next === guess) return new Date(guess);
    guess = next;
  }
  // A gap: keep the offset in force before it, i.e. move the wall time forward by the gap.
  return new Date(wall - offsetBefore);
}

// ---------- local date arithmetic (pure, on Y-M-D values; never reads the clock) ----------

function utcMidnight(date: LocalDate): number {
  return utcEpochMs(date);
}

function fromUtcMidnight(ms: number): LocalDate {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function isValidLocalDate(date: LocalDate): boolean {
  const { year, month, day } = date;
  if (![year, month, day].every(Number.isInteger)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function assertLocalDate(date: LocalDate): void {
  if (!isValidLocalDate(date)) {
    throw new CalendarInputError(`Invalid date ${date.year}-${date.month}-${date.day}`);
  }
}

export function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** `date` plus `days` calendar days (negative to go back); month and year roll over. */
export function addDays(date: LocalDate, days: number): LocalDate {
  assertLocalDate(date);
  if (!Number.isInteger(days))
    throw new CalendarInputError(`addDays needs a whole number of days, got ${days}`);
  return fromUtcMidnight(utcMidnight(date) + days * DAY_MS);
}

/** ISO weekday of a calendar date (Monday = 1 … Sunday = 7). */
export function isoWeekday(date: LocalDate): IsoWeekday {
  assertLocalDate(date);
  const sundayZero = new Date(utcMidnight(date)).getUTCDay();
  return (sundayZero === 0 ? 7 : sundayZero) as IsoWeekday;
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareLocalDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round((utcMidnight(b) - utcMidnight(a)) / DAY_MS);
}

/** 'YYYY-MM-DD'. */
export function formatLocalDate(date: LocalDate): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** Parses a strict 'YYYY-MM-DD' calendar date; throws a CalendarInputError otherwise. */
export function parseLocalDate(text: string): LocalDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text));
  const date = match
    ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) }
    : { year: NaN, month: NaN, day: NaN };
  if (!isValidLocalDate(date)) {
    throw new CalendarInputError(`Invalid date "${String(text)}": expected a calendar date 'YYYY-MM-DD'`);
  }
  return date;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Parses a strict ISO-8601 instant, 'YYYY-MM-DDTHH:MM[:SS[.fff]]' followed by 'Z' or an offset '±HH:MM',
 * and returns epoch milliseconds. A string without a zone designator is rejected: it names no instant.
 * Impossible fields (month 13, 30 February, 25:00) are rejected too rather than rolled over.
 */
export function parseInstant(text: string, what = 'instant'): number {
  const match = INSTANT.exec(String(text));
  const fail = (): never => {
    throw new CalendarInputError(
      `Malformed ${what} "${String(text)}": expected an ISO-8601 instant such as "2026-03-02T08:00:00Z" or "2026-03-02T08:00:00+08:00"`,
    );
  };
  if (!match) return fail();
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const date = { year: Number(y), month: Number(mo), day: Number(d) };
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? '0');
  if (!isValidLocalDate(date) || hour > 23 || minute > 59 || second > 59) return fail();
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMins = Number(zone.slice(4, 6));
    if (offsetHours > 23 || offsetMins > 59) return fail();
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = Number(`${fraction ?? ''}000`.slice(0, 3)); // sub-millisecond digits are truncated
  return utcEpochMs(date, hour, minute, second) + millis - offsetMinutes * MINUTE_MS;
}

/** ISO-8601 UTC rendering of epoch milliseconds ('2026-03-02T00:00:00.000Z', as Date#toISOString). */
export function formatInstant(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
