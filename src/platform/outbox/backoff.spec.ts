import { parseRetryAfter, retryDelayMs } from './backoff';

const DAY_MS = 24 * 3600 * 1000;
/** A "random" source pinned to one value, so the jitter is deterministic. */
const fixed = (value: number) => () => value;

describe('retryDelayMs (capped exponential backoff, equal jitter)', () => {
  describe('without jitter spread, the ceiling d = min(cap, base * 2^(attempt-1)) doubles per attempt', () => {
    // random() = 1 gives the top of the window (d); random() = 0 gives the bottom (d/2).
    it.each`
      attempt | base    | cap       | d
      ${1}    | ${1000} | ${300000} | ${1000}
      ${2}    | ${1000} | ${300000} | ${2000}
      ${3}    | ${1000} | ${300000} | ${4000}
      ${4}    | ${1000} | ${300000} | ${8000}
      ${5}    | ${1000} | ${300000} | ${16000}
      ${9}    | ${1000} | ${300000} | ${256000}
      ${10}   | ${1000} | ${300000} | ${300000}
      ${25}   | ${1000} | ${300000} | ${300000}
      ${1}    | ${100}  | ${400}    | ${100}
      ${2}    | ${100}  | ${400}    | ${200}
      ${3}    | ${100}  | ${400}    | ${400}
      ${4}    | ${100}  | ${400}    | ${400}
      ${60}   | ${100}  | ${400}    | ${400}
    `(
      'attempt $attempt, base $base, cap $cap: between $d/2 and $d',
      ({ attempt, base, cap, d }: { attempt: number; base: number; cap: number; d: number }) => {
        expect(retryDelayMs(attempt, base, cap, fixed(1))).toBe(d);
        expect(retryDelayMs(attempt, base, cap, fixed(0))).toBe(d / 2);
        expect(retryDelayMs(attempt, base, cap, fixed(0.5))).toBe(Math.round(d * 0.75));
      },
    );
  });

  it('treats attempt 0 (or less) like the first attempt', () => {
    expect(retryDelayMs(0, 1000, 300000, fixed(1))).toBe(1000);
    expect(retryDelayMs(-3, 1000, 300000, fixed(1))).toBe(1000);
  });

  it('grows strictly with the attempt number until the cap, then stays there', () => {
    const ceilings = Array.from({ length: 12 }, (_, i) => retryDelayMs(i + 1, 500, 60000, fixed(1)));
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000, 60000]);
  });

  it('always stays within [d/2, d] whatever the random source returns', () => {
    let seed = 42;
    // Small deterministic PRNG (LCG) so a failure is reproducible.
    const prng = () => {
      seed = (seed * 1664525 + 1013904223) % 2 ** 32;
      return seed / 2 ** 32;
    };
    for (const [base, cap] of [
      [1000, 300000],
      [100, 400],
      [7, 1000],
      [1, 1],
    ] as const) {
      for (let attempt = 1; attempt <= 30; attempt++) {
        const d = Math.min(cap, base * 2 ** (attempt - 1));
        for (let i = 0; i < 20; i++) {
          const delay = retryDelayMs(attempt, base, cap, prng);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(d / 2));
          expect(delay).toBeLessThanOrEqual(d);
        }
      }
    }
  });

  it('spreads retries out: different random draws give different delays inside the window', () => {
    const delays = new Set([0, 0.25, 0.5, 0.75, 0.999].map((r) => retryDelayMs(3, 1000, 300000, fixed(r))));
    expect(delays.size).toBe(5);
  });

  describe("a receiver's Retry-After", () => {
    it.each`
      case                                      | attempt | base    | cap       | random | retryAfter    | expected
      ${'longer than the backoff: wins'}        | ${1}    | ${50}   | ${400}    | ${1}   | ${1000}       | ${1000}
      ${'longer than the capped backoff: wins'} | ${20}   | ${1000} | ${300000} | ${1}   | ${600000}     | ${600000}
      ${'shorter than the backoff: ignored'}    | ${3}    | ${1000} | ${300000} | ${1}   | ${1000}       | ${4000}
      ${'equal to the backoff: same delay'}     | ${1}    | ${1000} | ${300000} | ${1}   | ${1000}       | ${1000}
      ${'zero: the backoff applies'}            | ${2}    | ${1000} | ${300000} | ${0}   | ${0}          | ${1000}
      ${'absent: the backoff applies'}          | ${2}    | ${1000} | ${300000} | ${0}   | ${undefined}  | ${1000}
      ${'absurdly long: bounded to one day'}    | ${1}    | ${1000} | ${300000} | ${1}   | ${7 * DAY_MS} | ${DAY_MS}
    `(
      '$case',
      ({
        attempt,
        base,
        cap,
        random,
        retryAfter,
        expected,
      }: {
        attempt: number;
        base: number;
        cap: number;
        random: number;
        retryAfter?: number;
        expected: number;
      }) => {
        expect(retryDelayMs(attempt, base, cap, fixed(random), retryAfter)).toBe(expected);
      },
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');

  it.each`
    value                              | expected
    ${'0'}                             | ${0}
    ${'1'}                             | ${1000}
    ${'120'}                           | ${120000}
    ${'  30 '}                         | ${30000}
    ${'Sat, 01 Mar 2025 12:00:30 GMT'} | ${30000}
    ${'Sat, 01 Mar 2025 13:00:00 GMT'} | ${3600000}
    ${'Sat, 01 Mar 2025 12:00:00 GMT'} | ${0}
    ${'Sat, 01 Mar 2025 11:00:00 GMT'} | ${0}
    ${'Fri, 28 Feb 2025 12:00:00 GMT'} | ${0}
  `('parses $value as $expected ms', ({ value, expected }: { value: string; expected: number }) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([undefined, null, '', '   ', 'soon', 'abc123', '12abc', '1e3', '0x10', 'Infinity', 'next tuesday'])(
    'ignores garbage %p',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );

  it('measures an HTTP date from the current time by default', () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const ms = parseRetryAfter(inTenSeconds)!;
    // toUTCString drops the milliseconds: up to one second earlier, plus a little for the time this takes.
    expect(ms).toBeGreaterThan(8_000);
    expect(ms).toBeLessThanOrEqual(10_000);
  });

  it('feeds retryDelayMs: a 429 with Retry-After: 1 after the first attempt waits one second', () => {
    expect(retryDelayMs(1, 50, 400, fixed(1), parseRetryAfter('1'))).toBe(1000);
  });
});
