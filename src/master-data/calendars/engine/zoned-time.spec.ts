import {
  CalendarInputError,
  addDays,
  compareLocalDates,
  daysBetween,
  formatInstant,
  formatLocalDate,
  isoWeekday,
  parseInstant,
  parseLocalDate,
  timeZoneOffsetMs,
  utcToZonedParts,
  zonedWallTimeToUtc,
} from './zoned-time';

/** [year, month, day, hour, minute] from 'YYYY-MM-DD HH:MM' or a number array. */
function wallOf(wall: string | number[]): [number, number, number, number, number] {
  const n = typeof wall === 'string' ? (wall.match(/\d+/g) ?? []).map(Number) : wall;
  if (n.length !== 5) throw new Error(`bad wall time in test: ${String(wall)}`);
  return n as [number, number, number, number, number];
}

describe('zonedWallTimeToUtc (local wall time → UTC instant)', () => {
  it.each`
    situation                                                       | timeZone                 | wall                  | utc
    ${'Shanghai plant, early shift start (UTC+8, no DST)'}          | ${'Asia/Shanghai'}       | ${'2026-03-02 08:00'} | ${'2026-03-02T00:00:00.000Z'}
    ${'Shanghai plant, local midnight is the previous UTC day'}     | ${'Asia/Shanghai'}       | ${'2026-03-02 00:00'} | ${'2026-03-01T16:00:00.000Z'}
    ${'Shanghai plant, 24:00 is midnight of the next day'}          | ${'Asia/Shanghai'}       | ${'2026-03-02 24:00'} | ${'2026-03-02T16:00:00.000Z'}
    ${'Pune plant, half-hour offset (UTC+5:30)'}                    | ${'Asia/Kolkata'}        | ${'2026-03-02 08:00'} | ${'2026-03-02T02:30:00.000Z'}
    ${'Kathmandu plant, quarter-hour offset (UTC+5:45)'}            | ${'Asia/Kathmandu'}      | ${'2026-03-02 08:00'} | ${'2026-03-02T02:15:00.000Z'}
    ${'Berlin in winter (CET, UTC+1)'}                              | ${'Europe/Berlin'}       | ${'2026-01-15 06:00'} | ${'2026-01-15T05:00:00.000Z'}
    ${'Berlin in summer (CEST, UTC+2)'}                             | ${'Europe/Berlin'}       | ${'2026-07-15 06:00'} | ${'2026-07-15T04:00:00.000Z'}
    ${'Berlin spring forward: 01:59 still CET'}                     | ${'Europe/Berlin'}       | ${'2026-03-29 01:59'} | ${'2026-03-29T00:59:00.000Z'}
    ${'Berlin spring forward: 02:00 does not exist → 03:00 CEST'}   | ${'Europe/Berlin'}       | ${'2026-03-29 02:00'} | ${'2026-03-29T01:00:00.000Z'}
    ${'Berlin spring forward: 02:30 does not exist → 03:30 CEST'}   | ${'Europe/Berlin'}       | ${'2026-03-29 02:30'} | ${'2026-03-29T01:30:00.000Z'}
    ${'Berlin spring forward: 03:00 CEST'}                          | ${'Europe/Berlin'}       | ${'2026-03-29 03:00'} | ${'2026-03-29T01:00:00.000Z'}
    ${'Berlin fall back: 01:59 CEST'}                               | ${'Europe/Berlin'}       | ${'2026-10-25 01:59'} | ${'2026-10-24T23:59:00.000Z'}
    ${'Berlin fall back: 02:00 twice → first (CEST)'}               | ${'Europe/Berlin'}       | ${'2026-10-25 02:00'} | ${'2026-10-25T00:00:00.000Z'}
    ${'Berlin fall back: 02:30 twice → first (CEST), not 01:30Z'}   | ${'Europe/Berlin'}       | ${'2026-10-25 02:30'} | ${'2026-10-25T00:30:00.000Z'}
    ${'Berlin fall back: 03:00 CET'}                                | ${'Europe/Berlin'}       | ${'2026-10-25 03:00'} | ${'2026-10-25T02:00:00.000Z'}
    ${'Ohio plant, spring forward 02:30 → 03:30 EDT'}               | ${'America/New_York'}    | ${'2026-03-08 02:30'} | ${'2026-03-08T07:30:00.000Z'}
    ${'Ohio plant, fall back 01:30 twice → first (EDT)'}            | ${'America/New_York'}    | ${'2026-11-01 01:30'} | ${'2026-11-01T05:30:00.000Z'}
    ${'Havana: DST starts at midnight, 00:30 → 01:30 CDT'}          | ${'America/Havana'}      | ${'2026-03-08 00:30'} | ${'2026-03-08T05:30:00.000Z'}
    ${'Lord Howe: 30-minute gap, 02:15 → 02:45 (+11:00)'}           | ${'Australia/Lord_Howe'} | ${'2026-10-04 02:15'} | ${'2026-10-03T15:45:00.000Z'}
    ${'Lord Howe: 30-minute overlap, 01:45 twice → first (+11:00)'} | ${'Australia/Lord_Howe'} | ${'2026-04-05 01:45'} | ${'2026-04-04T14:45:00.000Z'}
    ${'UTC itself'}                                                 | ${'UTC'}                 | ${'2026-03-02 08:00'} | ${'2026-03-02T08:00:00.000Z'}
  `(
    '$situation: $wall in $timeZone = $utc',
    ({ timeZone, wall, utc }: { timeZone: string; wall: string; utc: string }) => {
      expect(zonedWallTimeToUtc(...wallOf(wall), timeZone).toISOString()).toBe(utc);
    },
  );

  it('is the inverse of utcToZonedParts for every existing, unambiguous wall time of a DST year', () => {
    // Every hour of 2026 in Berlin, read back as wall time and converted again, except the doubled hour.
    const start = Date.UTC(2026, 0, 1);
    for (let t = start; t < Date.UTC(2027, 0, 1); t += 3600_000) {
      const p = utcToZonedParts(new Date(t), 'Europe/Berlin');
      const back = zonedWallTimeToUtc(p.year, p.month, p.day, p.hour, p.minute, 'Europe/Berlin').getTime();
      const isSecondPassOfFallBack = t === Date.UTC(2026, 9, 25, 1); // 02:00 CET, the repeated hour
      expect(back).toBe(isSecondPassOfFallBack ? t - 3600_000 : t);
    }
  });

  it.each`
    wall                    | message
    ${[2026, 2, 30, 8, 0]}  | ${/Invalid date 2026-2-30/}
    ${[2026, 13, 1, 8, 0]}  | ${/Invalid date/}
    ${[2026, 3, 2, 24, 30]} | ${/Invalid wall time 24:30/}
    ${[2026, 3, 2, 8, 60]}  | ${/Invalid wall time 8:60/}
    ${[2026, 3, 2, -1, 0]}  | ${/Invalid wall time/}
    ${[2026, 3, 2, 8.5, 0]} | ${/Invalid wall time/}
  `('rejects the impossible wall time $wall', ({ wall, message }: { wall: number[]; message: RegExp }) => {
    expect(() => zonedWallTimeToUtc(...wallOf(wall), 'Europe/Berlin')).toThrow(message);
  });

  it.each(['Mars/Olympus_Mons', 'Europe/Berlinn', '', 'CEST+2'])(
    'rejects the unknown time zone "%s"',
    (tz) => {
      expect(() => zonedWallTimeToUtc(2026, 3, 2, 8, 0, tz)).toThrow(CalendarInputError);
      expect(() => zonedWallTimeToUtc(2026, 3, 2, 8, 0, tz)).toThrow(/Unknown time zone/);
    },
  );
});

describe('utcToZonedParts (UTC instant → local date, time and ISO weekday)', () => {
  it.each`
    situation                                              | instant                       | timeZone              | parts
    ${'Shanghai: 16:00Z Sunday is Monday 00:00 local'}     | ${'2026-03-01T16:00:00.000Z'} | ${'Asia/Shanghai'}    | ${{ year: 2026, month: 3, day: 2, hour: 0, minute: 0, weekday: 1 }}
    ${'Berlin: Saturday night shift start before the gap'} | ${'2026-03-28T21:00:00.000Z'} | ${'Europe/Berlin'}    | ${{ year: 2026, month: 3, day: 28, hour: 22, minute: 0, weekday: 6 }}
    ${'Berlin: the instant after 01:59:59 CET is 03:00'}   | ${'2026-03-29T01:00:00.000Z'} | ${'Europe/Berlin'}    | ${{ year: 2026, month: 3, day: 29, hour: 3, minute: 0, weekday: 7 }}
    ${'Berlin: first 02:30 of the fall-back night (CEST)'} | ${'2026-10-25T00:30:00.000Z'} | ${'Europe/Berlin'}    | ${{ year: 2026, month: 10, day: 25, hour: 2, minute: 30, weekday: 7 }}
    ${'Berlin: second 02:30 of the fall-back night (CET)'} | ${'2026-10-25T01:30:00.000Z'} | ${'Europe/Berlin'}    | ${{ year: 2026, month: 10, day: 25, hour: 2, minute: 30, weekday: 7 }}
    ${'Ohio: New Year in UTC is still 31 Dec locally'}     | ${'2027-01-01T03:00:00.000Z'} | ${'America/New_York'} | ${{ year: 2026, month: 12, day: 31, hour: 22, minute: 0, weekday: 4 }}
  `('$situation', ({ instant, timeZone, parts }: { instant: string; timeZone: string; parts: object }) => {
    expect(utcToZonedParts(new Date(instant), timeZone)).toEqual(parts);
  });

  it('gives the offset in force at an instant', () => {
    expect(timeZoneOffsetMs(Date.UTC(2026, 2, 29, 0, 59), 'Europe/Berlin')).toBe(3600_000);
    expect(timeZoneOffsetMs(Date.UTC(2026, 2, 29, 1, 0), 'Europe/Berlin')).toBe(7200_000);
    expect(timeZoneOffsetMs(Date.UTC(2026, 2, 2), 'Asia/Kathmandu')).toBe((5 * 60 + 45) * 60_000);
  });

  it('rejects an invalid Date and an unknown zone', () => {
    expect(() => utcToZonedParts(new Date(NaN), 'UTC')).toThrow(/Invalid Date/);
    expect(() => utcToZonedParts(new Date(0), 'Nowhere/City')).toThrow(/Unknown time zone "Nowhere\/City"/);
  });
});

describe('local date arithmetic', () => {
  it.each`
    date            | days   | result
    ${'2026-03-02'} | ${1}   | ${'2026-03-03'}
    ${'2026-02-28'} | ${1}   | ${'2026-03-01'}
    ${'2028-02-28'} | ${1}   | ${'2028-02-29'}
    ${'2026-03-01'} | ${-1}  | ${'2026-02-28'}
    ${'2026-12-31'} | ${1}   | ${'2027-01-01'}
    ${'2026-01-01'} | ${-1}  | ${'2025-12-31'}
    ${'2026-03-29'} | ${1}   | ${'2026-03-30'}
    ${'2026-01-01'} | ${400} | ${'2027-02-05'}
    ${'2026-10-01'} | ${0}   | ${'2026-10-01'}
  `(
    '$date + $days days = $result',
    ({ date, days, result }: { date: string; days: number; result: string }) => {
      expect(formatLocalDate(addDays(parseLocalDate(date), days))).toBe(result);
      expect(daysBetween(parseLocalDate(date), parseLocalDate(result))).toBe(days);
    },
  );

  it.each`
    date            | weekday
    ${'2026-03-02'} | ${1}
    ${'2026-03-07'} | ${6}
    ${'2026-03-08'} | ${7}
    ${'2026-10-01'} | ${4}
    ${'2026-03-29'} | ${7}
  `('$date is ISO weekday $weekday', ({ date, weekday }: { date: string; weekday: number }) => {
    expect(isoWeekday(parseLocalDate(date))).toBe(weekday);
  });

  it('orders dates', () => {
    expect(compareLocalDates(parseLocalDate('2026-03-02'), parseLocalDate('2026-03-03'))).toBeLessThan(0);
    expect(compareLocalDates(parseLocalDate('2027-01-01'), parseLocalDate('2026-12-31'))).toBeGreaterThan(0);
    expect(compareLocalDates(parseLocalDate('2026-10-01'), parseLocalDate('2026-10-01'))).toBe(0);
  });

  it.each(['2026-02-29', '2026-13-01', '2026-1-5', '01.10.2026', '2026-10-01T00:00:00Z', ''])(
    'rejects the date "%s"',
    (text) => {
      expect(() => parseLocalDate(text)).toThrow(CalendarInputError);
    },
  );
});

describe('parseInstant / formatInstant', () => {
  it.each`
    text                                | utc
    ${'2026-03-02T08:00:00Z'}           | ${'2026-03-02T08:00:00.000Z'}
    ${'2026-03-02T08:00Z'}              | ${'2026-03-02T08:00:00.000Z'}
    ${'2026-03-02T08:00:00+08:00'}      | ${'2026-03-02T00:00:00.000Z'}
    ${'2026-03-02T08:00:00.250-05:30'}  | ${'2026-03-02T13:30:00.250Z'}
    ${'2026-03-02T08:00:00.123456789Z'} | ${'2026-03-02T08:00:00.123Z'}
    ${'2026-03-02t08:00:00z'}           | ${'2026-03-02T08:00:00.000Z'}
  `('$text is $utc', ({ text, utc }: { text: string; utc: string }) => {
    expect(formatInstant(parseInstant(text))).toBe(utc);
  });

  it.each([
    '2026-03-02T08:00:00', // no zone: not an instant
    '2026-02-30T08:00:00Z', // Date.parse would roll this over to 2 March
    '2026-03-02T24:00:00Z',
    '2026-03-02T08:60:00Z',
    '2026-03-02T08:00:00+25:00',
    '2026-03-02 08:00:00Z',
    '2026-03-02',
    'yesterday',
    '',
  ])('rejects "%s"', (text) => {
    expect(() => parseInstant(text, '`from`')).toThrow(/Malformed `from`/);
  });
});
