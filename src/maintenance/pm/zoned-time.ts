import { localDate } from '../../platform/engine/local-date';
import type { LocalDate } from '../engine/pm-schedule';

export const parseLocalDate = (s: string): LocalDate => {
  const [year, month, day] = s.split('-').map(Number);
  return { year: year!, month: month!, day: day! };
};

export const formatLocalDate = (d: LocalDate): string =>
  `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;

/** The calendar date an instant falls on in a time zone. */
export const localDateOf = (timeZone: string, at: Date): LocalDate => parseLocalDate(localDate(timeZone, at));

/** Minutes the zone is ahead of UTC at an instant. */
function offsetMinutes(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'));
  return Math.round((asUtc - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/** The instant a local date and time (`HH:MM`) happen in a time zone (a skipped time moves on with the clock). */
export function zonedInstant(timeZone: string, date: LocalDate, time: string): Date {
  const [h, mi] = time.split(':').map(Number);
  const naive = Date.UTC(date.year, date.month - 1, date.day, h, mi);
  let guess = naive - offsetMinutes(timeZone, new Date(naive)) * 60_000;
  guess = naive - offsetMinutes(timeZone, new Date(guess)) * 60_000;
  return new Date(guess);
}
