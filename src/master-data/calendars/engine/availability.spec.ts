import {
  type AvailableInterval,
  type CalendarInput,
  type ShiftPattern,
  CalendarInputError,
  MAX_RANGE_DAYS,
  availableIntervals,
  availableMinutes,
} from './availability';

const MON_FRI: ShiftPattern['weekdays'] = [1, 2, 3, 4, 5];
const EVERY_DAY: ShiftPattern['weekdays'] = [1, 2, 3, 4, 5, 6, 7];

/** Shanghai plant (UTC+8 all year): two shifts Mon–Fri, each with a 30-minute break. */
const SHANGHAI_TWO_SHIFTS: CalendarInput = {
  timeZone: 'Asia/Shanghai',
  shifts: [
    {
      code: 'EARLY',
      weekdays: MON_FRI,
      start: '08:00',
      end: '16:00',
      breaks: [{ start: '12:00', end: '12:30' }],
    },
    {
      code: 'LATE',
      weekdays: MON_FRI,
      start: '16:00',
      end: '24:00',
      breaks: [{ start: '20:00', end: '20:30' }],
    },
  ],
  holidays: [],
  exceptions: [],
};

/** Shanghai plant: a night crew Mon–Fri evenings, 22:00–06:00 with a break after midnight. */
const SHANGHAI_NIGHT: CalendarInput = {
  timeZone: 'Asia/Shanghai',
  shifts: [
    {
      code: 'NIGHT',
      weekdays: MON_FRI,
      start: '22:00',
      end: '06:00',
      breaks: [{ start: '02:00', end: '02:30' }],
    },
  ],
  holidays: [],
  exceptions: [],
};

/** Shanghai plant: three shifts Mon–Fri (shifts starting Friday 22:00 run into Saturday), Golden Week off. */
const SHANGHAI_THREE_SHIFTS: CalendarInput = {
  timeZone: 'Asia/Shanghai',
  shifts: [
    {
      code: 'EARLY',
      weekdays: MON_FRI,
      start: '06:00',
      end: '14:00',
      breaks: [{ start: '10:00', end: '10:30' }],
    },
    {
      code: 'LATE',
      weekdays: MON_FRI,
      start: '14:00',
      end: '22:00',
      breaks: [{ start: '18:00', end: '18:30' }],
    },
    {
      code: 'NIGHT',
      weekdays: MON_FRI,
      start: '22:00',
      end: '06:00',
      breaks: [{ start: '02:00', end: '02:30' }],
    },
  ],
  // National Day holidays 2026 (3 and 4 October are a weekend anyway).
  holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
  exceptions: [],
};

/** Berlin plant, continuous night shift every day: crosses both 2026 DST changeovers. */
const BERLIN_NIGHT: CalendarInput = {
  timeZone: 'Europe/Berlin',
  shifts: [{ code: 'NIGHT', weekdays: EVERY_DAY, start: '22:00', end: '06:00' }],
  holidays: [],
  exceptions: [],
};

const BERLIN_NIGHT_WITH_BREAK: CalendarInput = {
  ...BERLIN_NIGHT,
  shifts: [
    {
      code: 'NIGHT',
      weekdays: EVERY_DAY,
      start: '22:00',
      end: '06:00',
      breaks: [{ start: '02:00', end: '02:30' }],
    },
  ],
};

function withExceptions(calendar: CalendarInput, exceptions: CalendarInput['exceptions']): CalendarInput {
  return { ...calendar, exceptions };
}

interface Case {
  situation: string;
  calendar: CalendarInput;
  from: string;
  to: string;
  expected: AvailableInterval[];
  minutes: number;
}

const cases: Case[] = [
  // ---------- 1. Two shifts, Shanghai (UTC+8, no DST) ----------
  {
    situation: 'Shanghai two shifts, whole week Mon 2 – Sun 8 March 2026: the 16:00 shift change is seamless',
    calendar: SHANGHAI_TWO_SHIFTS,
    from: '2026-03-02T00:00:00+08:00',
    to: '2026-03-09T00:00:00+08:00',
    expected: [
      // Monday 2 March: 08:00–12:00 | 12:30–16:00 + 16:00–20:00 (touching → one interval) | 20:30–24:00
      { start: '2026-03-02T00:00:00.000Z', end: '2026-03-02T04:00:00.000Z', shift: 'EARLY' },
      { start: '2026-03-02T04:30:00.000Z', end: '2026-03-02T12:00:00.000Z' },
      { start: '2026-03-02T12:30:00.000Z', end: '2026-03-02T16:00:00.000Z', shift: 'LATE' },
      // Tuesday 3 March
      { start: '2026-03-03T00:00:00.000Z', end: '2026-03-03T04:00:00.000Z', shift: 'EARLY' },
      { start: '2026-03-03T04:30:00.000Z', end: '2026-03-03T12:00:00.000Z' },
      { start: '2026-03-03T12:30:00.000Z', end: '2026-03-03T16:00:00.000Z', shift: 'LATE' },
      // Wednesday 4 March
      { start: '2026-03-04T00:00:00.000Z', end: '2026-03-04T04:00:00.000Z', shift: 'EARLY' },
      { start: '2026-03-04T04:30:00.000Z', end: '2026-03-04T12:00:00.000Z' },
      { start: '2026-03-04T12:30:00.000Z', end: '2026-03-04T16:00:00.000Z', shift: 'LATE' },
      // Thursday 5 March
      { start: '2026-03-05T00:00:00.000Z', end: '2026-03-05T04:00:00.000Z', shift: 'EARLY' },
      { start: '2026-03-05T04:30:00.000Z', end: '2026-03-05T12:00:00.000Z' },
      { start: '2026-03-05T12:30:00.000Z', end: '2026-03-05T16:00:00.000Z', shift: 'LATE' },
      // Friday 6 March (LATE ends at 24:00 = Saturday 00:00 local); no shift on Saturday or Sunday
      { start: '2026-03-06T00:00:00.000Z', end: '2026-03-06T04:00:00.000Z', shift: 'EARLY' },
      { start: '2026-03-06T04:30:00.000Z', end: '2026-03-06T12:00:00.000Z' },
      { start: '2026-03-06T12:30:00.000Z', end: '2026-03-06T16:00:00.000Z', shift: 'LATE' },
    ],
    minutes: 5 * (16 * 60 - 2 * 30), // 5 days × (16 h − two 30-minute breaks) = 4500
  },
  {
    situation: 'Shanghai two shifts, asked mid-shift Monday 10:00–18:00 local: clipped to the window',
    calendar: SHANGHAI_TWO_SHIFTS,
    from: '2026-03-02T10:00:00+08:00',
    to: '2026-03-02T18:00:00+08:00',
    expected: [
      { start: '2026-03-02T02:00:00.000Z', end: '2026-03-02T04:00:00.000Z', shift: 'EARLY' }, // 10:00–12:00
      { start: '2026-03-02T04:30:00.000Z', end: '2026-03-02T10:00:00.000Z' }, // 12:30–18:00 (EARLY + LATE)
    ],
    minutes: 120 + 330,
  },

  // ---------- 2. Night shift across midnight ----------
  {
    situation: 'Night shift: asked Tuesday from 03:00 local, the shift that began Monday 22:00 is included',
    calendar: SHANGHAI_NIGHT,
    from: '2026-03-03T03:00:00+08:00',
    to: '2026-03-03T12:00:00+08:00',
    expected: [
      { start: '2026-03-02T19:00:00.000Z', end: '2026-03-02T22:00:00.000Z', shift: 'NIGHT' }, // Tue 03:00–06:00
    ],
    minutes: 180,
  },
  {
    situation: 'Night shift: the whole Monday night, its break after midnight removed',
    calendar: SHANGHAI_NIGHT,
    from: '2026-03-02T12:00:00+08:00',
    to: '2026-03-03T12:00:00+08:00',
    expected: [
      { start: '2026-03-02T14:00:00.000Z', end: '2026-03-02T18:00:00.000Z', shift: 'NIGHT' }, // Mon 22:00–Tue 02:00
      { start: '2026-03-02T18:30:00.000Z', end: '2026-03-02T22:00:00.000Z', shift: 'NIGHT' }, // Tue 02:30–06:00
    ],
    minutes: 450,
  },
  {
    situation: 'Night shift: Saturday has only the tail of the shift that started on Friday evening',
    calendar: SHANGHAI_NIGHT,
    from: '2026-03-07T00:00:00+08:00',
    to: '2026-03-08T00:00:00+08:00',
    expected: [
      { start: '2026-03-06T16:00:00.000Z', end: '2026-03-06T18:00:00.000Z', shift: 'NIGHT' }, // Sat 00:00–02:00
      { start: '2026-03-06T18:30:00.000Z', end: '2026-03-06T22:00:00.000Z', shift: 'NIGHT' }, // Sat 02:30–06:00
    ],
    minutes: 330,
  },
  {
    situation: 'Night shift: Sunday is empty (no shift starts on Saturday)',
    calendar: SHANGHAI_NIGHT,
    from: '2026-03-08T00:00:00+08:00',
    to: '2026-03-09T00:00:00+08:00',
    expected: [],
    minutes: 0,
  },

  // ---------- 3. Holidays ----------
  {
    situation:
      'National Day 1 Oct 2026 (Thu): Wednesday runs fully, only its night shift reaches into the holiday',
    calendar: SHANGHAI_THREE_SHIFTS,
    from: '2026-09-30T00:00:00+08:00',
    to: '2026-10-02T00:00:00+08:00',
    expected: [
      // Tuesday's night shift: Wed 00:00–02:00
      { start: '2026-09-29T16:00:00.000Z', end: '2026-09-29T18:00:00.000Z', shift: 'NIGHT' },
      // Wed 02:30–06:00 NIGHT + 06:00–10:00 EARLY
      { start: '2026-09-29T18:30:00.000Z', end: '2026-09-30T02:00:00.000Z' },
      // Wed 10:30–14:00 EARLY + 14:00–18:00 LATE
      { start: '2026-09-30T02:30:00.000Z', end: '2026-09-30T10:00:00.000Z' },
      // Wed 18:30–22:00 LATE + Wednesday's NIGHT 22:00–Thu 02:00
      { start: '2026-09-30T10:30:00.000Z', end: '2026-09-30T18:00:00.000Z' },
      // Thu 1 Oct 02:30–06:00, end of Wednesday's night shift; nothing starts on the holiday
      { start: '2026-09-30T18:30:00.000Z', end: '2026-09-30T22:00:00.000Z', shift: 'NIGHT' },
    ],
    minutes: 30 * 60 - 4 * 30, // Wed 00:00 → Thu 06:00 minus four breaks = 1680
  },
  {
    situation:
      'First day after Golden Week (Thu 8 Oct): no night shift started on the holiday evening before',
    calendar: SHANGHAI_THREE_SHIFTS,
    from: '2026-10-08T00:00:00+08:00',
    to: '2026-10-08T08:00:00+08:00',
    expected: [
      { start: '2026-10-07T22:00:00.000Z', end: '2026-10-08T00:00:00.000Z', shift: 'EARLY' }, // Thu 06:00–08:00
    ],
    minutes: 120,
  },

  // ---------- 4. Exceptions ----------
  {
    situation: 'Maintenance closes the line Wednesday 10:00–14:00 local: a hole across the lunch break',
    calendar: withExceptions(SHANGHAI_TWO_SHIFTS, [
      {
        start: '2026-03-04T10:00:00+08:00',
        end: '2026-03-04T14:00:00+08:00',
        kind: 'closed',
        reason: 'Preventive maintenance press line 2',
      },
    ]),
    from: '2026-03-04T00:00:00+08:00',
    to: '2026-03-05T00:00:00+08:00',
    expected: [
      { start: '2026-03-04T00:00:00.000Z', end: '2026-03-04T02:00:00.000Z', shift: 'EARLY' }, // 08:00–10:00
      { start: '2026-03-04T06:00:00.000Z', end: '2026-03-04T12:00:00.000Z' }, // 14:00–20:00 (EARLY + LATE)
      { start: '2026-03-04T12:30:00.000Z', end: '2026-03-04T16:00:00.000Z', shift: 'LATE' }, // 20:30–24:00
    ],
    minutes: 120 + 360 + 210,
  },
  {
    situation: 'Saturday overtime 08:00–12:00 local adds capacity on a day without shifts',
    calendar: withExceptions(SHANGHAI_TWO_SHIFTS, [
      {
        start: '2026-03-07T08:00:00+08:00',
        end: '2026-03-07T12:00:00+08:00',
        kind: 'extra',
        reason: 'Rush order',
      },
    ]),
    from: '2026-03-07T00:00:00+08:00',
    to: '2026-03-08T00:00:00+08:00',
    expected: [{ start: '2026-03-07T00:00:00.000Z', end: '2026-03-07T04:00:00.000Z' }], // Sat 08:00–12:00
    minutes: 240,
  },
  {
    situation: 'Overtime extends Friday LATE to Saturday 02:00: merged with the shift, no single shift code',
    calendar: withExceptions(SHANGHAI_TWO_SHIFTS, [
      { start: '2026-03-07T00:00:00+08:00', end: '2026-03-07T02:00:00+08:00', kind: 'extra' },
    ]),
    from: '2026-03-06T12:00:00+08:00',
    to: '2026-03-07T12:00:00+08:00',
    expected: [
      { start: '2026-03-06T04:30:00.000Z', end: '2026-03-06T12:00:00.000Z' }, // Fri 12:30–20:00
      { start: '2026-03-06T12:30:00.000Z', end: '2026-03-06T18:00:00.000Z' }, // Fri 20:30–Sat 02:00
    ],
    minutes: 450 + 330,
  },
  {
    situation: 'Working through lunch on Thursday (overtime over the break) joins EARLY to LATE',
    calendar: withExceptions(SHANGHAI_TWO_SHIFTS, [
      { start: '2026-03-05T04:00:00Z', end: '2026-03-05T04:30:00Z', kind: 'extra', reason: 'given in UTC' },
    ]),
    from: '2026-03-05T00:00:00+08:00',
    to: '2026-03-06T00:00:00+08:00',
    expected: [
      { start: '2026-03-05T00:00:00.000Z', end: '2026-03-05T12:00:00.000Z' }, // 08:00–20:00
      { start: '2026-03-05T12:30:00.000Z', end: '2026-03-05T16:00:00.000Z', shift: 'LATE' }, // 20:30–24:00
    ],
    minutes: 720 + 210,
  },
  {
    situation: 'Stocktaking closes Friday: closed wins over the shifts and over overtime booked that day',
    calendar: withExceptions(SHANGHAI_TWO_SHIFTS, [
      { start: '2026-03-06T18:00:00+08:00', end: '2026-03-06T22:00:00+08:00', kind: 'extra' },
      {
        start: '2026-03-06T00:00:00+08:00',
        end: '2026-03-07T00:00:00+08:00',
        kind: 'closed',
        reason: 'Stocktaking',
      },
    ]),
    from: '2026-03-06T00:00:00+08:00',
    to: '2026-03-07T00:00:00+08:00',
    expected: [],
    minutes: 0,
  },
  {
    situation: 'An exception that starts before the window is clipped to it',
    calendar: withExceptions(SHANGHAI_TWO_SHIFTS, [
      { start: '2026-03-07T06:00:00+08:00', end: '2026-03-07T14:00:00+08:00', kind: 'extra' },
    ]),
    from: '2026-03-07T10:00:00+08:00',
    to: '2026-03-07T12:00:00+08:00',
    expected: [{ start: '2026-03-07T02:00:00.000Z', end: '2026-03-07T04:00:00.000Z' }], // Sat 10:00–12:00
    minutes: 120,
  },

  // ---------- 5. DST, Europe/Berlin 2026 ----------
  {
    situation: 'Berlin spring forward (Sat 28 → Sun 29 March 2026): the 22:00–06:00 night lasts 7 hours',
    calendar: BERLIN_NIGHT,
    from: '2026-03-28T12:00:00Z',
    to: '2026-03-29T12:00:00Z',
    // Sat 22:00 CET (UTC+1) → Sun 06:00 CEST (UTC+2)
    expected: [{ start: '2026-03-28T21:00:00.000Z', end: '2026-03-29T04:00:00.000Z', shift: 'NIGHT' }],
    minutes: 7 * 60,
  },
  {
    situation: 'Berlin fall back (Sat 24 → Sun 25 October 2026): the 22:00–06:00 night lasts 9 hours',
    calendar: BERLIN_NIGHT,
    from: '2026-10-24T12:00:00Z',
    to: '2026-10-25T12:00:00Z',
    // Sat 22:00 CEST (UTC+2) → Sun 06:00 CET (UTC+1)
    expected: [{ start: '2026-10-24T20:00:00.000Z', end: '2026-10-25T05:00:00.000Z', shift: 'NIGHT' }],
    minutes: 9 * 60,
  },
  {
    situation:
      'Berlin spring forward: a 02:00–02:30 break does not exist, it moves forward by the gap (03:00–03:30)',
    calendar: BERLIN_NIGHT_WITH_BREAK,
    from: '2026-03-28T12:00:00Z',
    to: '2026-03-29T12:00:00Z',
    expected: [
      { start: '2026-03-28T21:00:00.000Z', end: '2026-03-29T01:00:00.000Z', shift: 'NIGHT' }, // 22:00 CET–03:00 CEST
      { start: '2026-03-29T01:30:00.000Z', end: '2026-03-29T04:00:00.000Z', shift: 'NIGHT' }, // 03:30–06:00 CEST
    ],
    minutes: 7 * 60 - 30,
  },
  {
    situation: 'Berlin fall back: a 02:00–02:30 break is taken at the first 02:00 (CEST)',
    calendar: BERLIN_NIGHT_WITH_BREAK,
    from: '2026-10-24T12:00:00Z',
    to: '2026-10-25T12:00:00Z',
    expected: [
      { start: '2026-10-24T20:00:00.000Z', end: '2026-10-25T00:00:00.000Z', shift: 'NIGHT' }, // 22:00–02:00 CEST
      { start: '2026-10-25T00:30:00.000Z', end: '2026-10-25T05:00:00.000Z', shift: 'NIGHT' }, // 02:30 CEST–06:00 CET
    ],
    minutes: 9 * 60 - 30,
  },
  {
    situation: 'Berlin, ordinary nights before and after the changeover last 8 hours',
    calendar: BERLIN_NIGHT,
    from: '2026-03-27T12:00:00Z',
    to: '2026-03-28T12:00:00Z',
    expected: [{ start: '2026-03-27T21:00:00.000Z', end: '2026-03-28T05:00:00.000Z', shift: 'NIGHT' }], // CET
    minutes: 8 * 60,
  },
  {
    situation: 'Berlin day shift on the fall-back Sunday, 06:00–14:00 CET, is an ordinary 8 hours',
    calendar: {
      timeZone: 'Europe/Berlin',
      shifts: [{ code: 'EARLY', weekdays: [7], start: '06:00', end: '14:00' }],
      holidays: [],
      exceptions: [],
    },
    from: '2026-10-25T00:00:00+02:00',
    to: '2026-10-26T00:00:00+01:00',
    expected: [{ start: '2026-10-25T05:00:00.000Z', end: '2026-10-25T13:00:00.000Z', shift: 'EARLY' }],
    minutes: 8 * 60,
  },

  // ---------- merging rules ----------
  {
    situation: 'A 24-hour shift pattern (06:00–06:00) on consecutive days merges and keeps its one code',
    calendar: {
      timeZone: 'Asia/Shanghai',
      shifts: [{ code: 'CONTI', weekdays: [1, 2], start: '06:00', end: '06:00' }],
      holidays: [],
      exceptions: [],
    },
    from: '2026-03-02T00:00:00+08:00',
    to: '2026-03-05T00:00:00+08:00',
    expected: [{ start: '2026-03-01T22:00:00.000Z', end: '2026-03-03T22:00:00.000Z', shift: 'CONTI' }], // Mon 06:00–Wed 06:00
    minutes: 48 * 60,
  },
];

describe('availableIntervals', () => {
  it.each(cases)('$situation', ({ calendar, from, to, expected, minutes }) => {
    const intervals = availableIntervals(calendar, from, to);
    expect(intervals).toEqual(expected);
    expect(availableMinutes(intervals)).toBe(minutes);
  });

  it('omits the shift key (not just undefined) on intervals without a single shift', () => {
    const [first, second] = availableIntervals(
      SHANGHAI_TWO_SHIFTS,
      '2026-03-02T00:00:00Z',
      '2026-03-02T12:00:00Z',
    );
    expect(first).toStrictEqual({
      start: '2026-03-02T00:00:00.000Z',
      end: '2026-03-02T04:00:00.000Z',
      shift: 'EARLY',
    });
    expect(second).toStrictEqual({ start: '2026-03-02T04:30:00.000Z', end: '2026-03-02T12:00:00.000Z' });
  });

  it('keeps second precision of the window bounds', () => {
    expect(availableIntervals(SHANGHAI_NIGHT, '2026-03-02T15:00:30Z', '2026-03-02T15:01:00Z')).toEqual([
      { start: '2026-03-02T15:00:30.000Z', end: '2026-03-02T15:01:00.000Z', shift: 'NIGHT' },
    ]);
  });

  it(`answers a range of exactly ${MAX_RANGE_DAYS} days (Shanghai two shifts, 1 Jan 2026 – 5 Feb 2027)`, () => {
    const intervals = availableIntervals(
      SHANGHAI_TWO_SHIFTS,
      '2026-01-01T00:00:00+08:00',
      '2027-02-05T00:00:00+08:00',
    );
    // 400 days from a Thursday = 57 weeks + 1 day (a Thursday): 57 × 5 + 1 = 286 working days of 900 minutes.
    expect(intervals).toHaveLength(286 * 3);
    expect(availableMinutes(intervals)).toBe(286 * 900);
  });

  it('does not depend on the order of shifts, holidays or exceptions', () => {
    const calendar = withExceptions(SHANGHAI_THREE_SHIFTS, [
      { start: '2026-09-30T10:00:00+08:00', end: '2026-09-30T11:00:00+08:00', kind: 'closed' },
      { start: '2026-10-01T08:00:00+08:00', end: '2026-10-01T12:00:00+08:00', kind: 'extra' },
    ]);
    const reversed: CalendarInput = {
      ...calendar,
      shifts: [...calendar.shifts].reverse(),
      holidays: [...calendar.holidays].reverse(),
      exceptions: [...calendar.exceptions].reverse(),
    };
    const from = '2026-09-28T00:00:00+08:00';
    const to = '2026-10-09T00:00:00+08:00';
    expect(availableIntervals(reversed, from, to)).toEqual(availableIntervals(calendar, from, to));
  });
});

describe('availableMinutes', () => {
  it('sums disjoint intervals', () => {
    expect(
      availableMinutes([
        { start: '2026-03-02T00:00:00.000Z', end: '2026-03-02T04:00:00.000Z', shift: 'EARLY' },
        { start: '2026-03-02T04:30:00.000Z', end: '2026-03-02T12:00:00.000Z' },
      ]),
    ).toBe(240 + 450);
  });

  it('counts overlapping intervals once and accepts offsets', () => {
    expect(
      availableMinutes([
        { start: '2026-03-02T08:00:00+08:00', end: '2026-03-02T12:00:00+08:00' }, // 00:00Z–04:00Z
        { start: '2026-03-02T02:00:00Z', end: '2026-03-02T06:00:00Z' },
      ]),
    ).toBe(360);
  });

  it('is exact for intervals not on whole minutes, and 0 for none', () => {
    expect(availableMinutes([{ start: '2026-03-02T00:00:00Z', end: '2026-03-02T00:00:30Z' }])).toBe(0.5);
    expect(availableMinutes([])).toBe(0);
  });

  it('rejects malformed or reversed intervals', () => {
    expect(() => availableMinutes([{ start: 'noon', end: '2026-03-02T00:00:00Z' }])).toThrow(
      /Malformed intervals\[0\]\.start "noon"/,
    );
    expect(() => availableMinutes([{ start: '2026-03-02T01:00:00Z', end: '2026-03-02T00:00:00Z' }])).toThrow(
      /intervals\[0\] ends/,
    );
  });
});

describe('input validation', () => {
  const from = '2026-03-02T00:00:00+08:00';
  const to = '2026-03-03T00:00:00+08:00';
  const early = (patch: Partial<ShiftPattern>): CalendarInput => ({
    ...SHANGHAI_TWO_SHIFTS,
    shifts: [
      {
        code: 'EARLY',
        weekdays: MON_FRI,
        start: '08:00',
        end: '16:00',
        breaks: [{ start: '12:00', end: '12:30' }],
        ...patch,
      },
    ],
  });

  it.each<{ situation: string; calendar: CalendarInput; from?: string; to?: string; message: RegExp }>([
    {
      situation: 'unknown time zone (typo)',
      calendar: { ...SHANGHAI_TWO_SHIFTS, timeZone: 'Asia/Shangai' },
      message: /Unknown time zone "Asia\/Shangai"/,
    },
    {
      situation: 'time zone given as an abbreviation',
      calendar: { ...SHANGHAI_TWO_SHIFTS, timeZone: 'CST+8' },
      message: /Unknown time zone "CST\+8"/,
    },
    {
      situation: "shift start without leading zero '8:00'",
      calendar: early({ start: '8:00' }),
      message: /Shift "EARLY" start: bad time "8:00"/,
    },
    {
      situation: "shift end '16:60'",
      calendar: early({ end: '16:60' }),
      message: /Shift "EARLY" end: bad time "16:60"/,
    },
    {
      situation: "shift start '24:00' (only an end may be 24:00)",
      calendar: early({ start: '24:00' }),
      message: /start: bad time "24:00"/,
    },
    { situation: "shift end '25:00'", calendar: early({ end: '25:00' }), message: /end: bad time "25:00"/ },
    {
      situation: "break end '12.30'",
      calendar: early({ breaks: [{ start: '12:00', end: '12.30' }] }),
      message: /break 12:00–12\.30 end: bad time "12\.30"/,
    },
    {
      situation: 'weekday 0 (Sunday as 0 instead of 7)',
      calendar: early({ weekdays: [0 as 1] }),
      message: /weekday 0 is not an ISO weekday 1\.\.7/,
    },
    {
      situation: 'weekday 8',
      calendar: early({ weekdays: [1, 8 as 1] }),
      message: /weekday 8 is not an ISO weekday/,
    },
    {
      situation: 'weekday 1.5',
      calendar: early({ weekdays: [1.5 as 1] }),
      message: /weekday 1\.5 is not an ISO weekday/,
    },
    {
      situation: 'break before its day shift',
      calendar: early({ breaks: [{ start: '07:30', end: '08:15' }] }),
      message: /Shift "EARLY" break 07:30–08:15 lies outside its shift 08:00–16:00/,
    },
    {
      situation: 'break running past the end of its day shift',
      calendar: early({ breaks: [{ start: '15:45', end: '16:15' }] }),
      message: /break 15:45–16:15 lies outside its shift 08:00–16:00/,
    },
    {
      situation: 'break after the end of a night shift',
      calendar: early({
        code: 'NIGHT',
        start: '22:00',
        end: '06:00',
        breaks: [{ start: '06:30', end: '07:00' }],
      }),
      message: /Shift "NIGHT" break 06:30–07:00 lies outside its shift 22:00–06:00/,
    },
    {
      situation: 'break before the start of a night shift',
      calendar: early({
        code: 'NIGHT',
        start: '22:00',
        end: '06:00',
        breaks: [{ start: '21:00', end: '21:30' }],
      }),
      message: /break 21:00–21:30 lies outside its shift 22:00–06:00/,
    },
    {
      situation: 'shift without a code',
      calendar: early({ code: ' ' }),
      message: /shifts\[0\] needs a non-empty code/,
    },
    {
      situation: 'from equal to to',
      calendar: SHANGHAI_TWO_SHIFTS,
      to: from,
      message: /`from` \(2026-03-02T00:00:00\+08:00\) must be before `to`/,
    },
    {
      situation: 'from after to',
      calendar: SHANGHAI_TWO_SHIFTS,
      from: to,
      to: from,
      message: /must be before `to`/,
    },
    {
      situation: `range of ${MAX_RANGE_DAYS} days and one minute`,
      calendar: SHANGHAI_TWO_SHIFTS,
      from: '2026-01-01T00:00:00Z',
      to: '2027-02-05T00:01:00Z',
      message: /longer than 400 days/,
    },
    {
      situation: 'from without a zone designator',
      calendar: SHANGHAI_TWO_SHIFTS,
      from: '2026-03-02T00:00:00',
      message: /Malformed `from` "2026-03-02T00:00:00"/,
    },
    {
      situation: 'to that is not a date',
      calendar: SHANGHAI_TWO_SHIFTS,
      to: 'tomorrow',
      message: /Malformed `to` "tomorrow"/,
    },
    {
      situation: 'exception on 30 February',
      calendar: withExceptions(SHANGHAI_TWO_SHIFTS, [
        {
          start: '2026-02-30T10:00:00+08:00',
          end: '2026-03-02T14:00:00+08:00',
          kind: 'closed',
          reason: 'Maintenance',
        },
      ]),
      message: /Malformed exceptions\[0\] \(Maintenance\) start "2026-02-30T10:00:00\+08:00"/,
    },
    {
      situation: 'exception ending before it starts',
      calendar: withExceptions(SHANGHAI_TWO_SHIFTS, [
        { start: '2026-03-02T14:00:00+08:00', end: '2026-03-02T10:00:00+08:00', kind: 'closed' },
      ]),
      message: /exceptions\[0\]: end 2026-03-02T10:00:00\+08:00 must be after start/,
    },
    {
      situation: 'exception of an unknown kind',
      calendar: withExceptions(SHANGHAI_TWO_SHIFTS, [
        { start: '2026-03-02T10:00:00+08:00', end: '2026-03-02T14:00:00+08:00', kind: 'open' as 'extra' },
      ]),
      message: /exceptions\[0\]: kind must be 'closed' or 'extra', got "open"/,
    },
    {
      situation: 'holiday not in YYYY-MM-DD',
      calendar: { ...SHANGHAI_TWO_SHIFTS, holidays: ['2026-10-01', '1.10.2026'] },
      message: /holidays\[1\] "1\.10\.2026" is not a date 'YYYY-MM-DD'/,
    },
    {
      situation: 'holiday that does not exist',
      calendar: { ...SHANGHAI_TWO_SHIFTS, holidays: ['2026-02-29'] },
      message: /holidays\[0\] "2026-02-29"/,
    },
  ])('rejects $situation', ({ calendar, from: f, to: t, message }) => {
    const run = () => availableIntervals(calendar, f ?? from, t ?? to);
    expect(run).toThrow(CalendarInputError);
    expect(run).toThrow(message);
  });
});
