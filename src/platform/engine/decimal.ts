/**
 * Exact decimal arithmetic for quantities, on BigInt only (no JS floating point anywhere).
 *
 * Values are exact rationals `num / den` (always reduced, `den > 0`), so that divisions such as
 * "per 3 pieces" stay exact; rounding happens only when a value is formatted for output.
 *
 * Accepted decimal strings (the same shape as the catalog's `DECIMAL` check): an optional leading `-`,
 * one or more digits, and optionally a `.` followed by one or more digits. Leading zeros are allowed
 * ("007.50"), "-0" is zero. Rejected: "" and whitespace anywhere (" 1", "1 "), a leading `+`,
 * exponents ("1e3"), "NaN"/"Infinity", a bare point ("1." and ".5"), thousands separators ("1,000",
 * "1_000") and a decimal comma ("1,5").
 */

/** An exact rational number, always reduced, with a positive denominator. Treat as immutable. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

/** The accepted shape of a decimal string (see the module comment). */
export const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;

export const ZERO: Rational = { num: 0n, den: 1n };
export const ONE: Rational = { num: 1n, den: 1n };

const abs = (n: bigint): bigint => (n < 0n ? -n : n);

function gcd(a: bigint, b: bigint): bigint {
  let x = abs(a);
  let y = abs(b);
  while (y !== 0n) {
    [x, y] = [y, x % y];
  }
  return x;
}

/** `num / den`, reduced. Throws on a zero denominator. */
export function rational(num: bigint, den: bigint = 1n): Rational {
  if (den === 0n) {
    throw new RangeError('Division by zero');
  }
  if (num === 0n) {
    return ZERO;
  }
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den);
  return { num: (sign * num) / g, den: (sign * den) / g };
}

/** True when `text` is a decimal string in the accepted shape. */
export function isDecimalString(text: unknown): text is string {
  return typeof text === 'string' && DECIMAL_PATTERN.test(text);
}

/** Parses a decimal string exactly. Throws a `RangeError` naming the input when it is malformed. */
export function parseDecimal(text: string): Rational {
  if (!isDecimalString(text)) {
    throw new RangeError(`Not a decimal number: ${JSON.stringify(text)}`);
  }
  const negative = text.startsWith('-');
  const unsigned = negative ? text.slice(1) : text;
  const [intPart = '0', fracPart = ''] = unsigned.split('.');
  const digits = BigInt(intPart + fracPart);
  return rational(negative ? -digits : digits, 10n ** BigInt(fracPart.length));
}

export function add(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function subtract(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den - b.num * a.den, a.den * b.den);
}

export function multiply(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

/** Exact division. Throws a `RangeError` when `b` is zero. */
export function divide(a: Rational, b: Rational): Rational {
  if (b.num === 0n) {
    throw new RangeError('Division by zero');
  }
  return rational(a.num * b.den, a.den * b.num);
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compare(a: Rational, b: Rational): -1 | 0 | 1 {
  const diff = a.num * b.den - b.num * a.den;
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

export function isZero(a: Rational): boolean {
  return a.num === 0n;
}

function checkPlaces(places: number): number {
  if (!Number.isSafeInteger(places) || places < 0) {
    throw new RangeError(`Decimal places must be a non-negative integer, got ${places}`);
  }
  return places;
}

/** |value| × 10^places rounded half up, as an integer (the sign is handled by the callers). */
function scaledHalfUp(value: Rational, places: number): bigint {
  const scaled = abs(value.num) * 10n ** BigInt(places);
  const quotient = scaled / value.den;
  const remainder = scaled % value.den;
  return 2n * remainder >= value.den ? quotient + 1n : quotient;
}

/**
 * Rounds to `places` fraction digits, half up: a tie goes away from zero (2.5 → 3, -2.5 → -3), like
 * PostgreSQL's `round(numeric)` and Java's `HALF_UP`. The result is symmetric: round(-x) = -round(x).
 */
export function roundHalfUp(value: Rational, places: number): Rational {
  const p = checkPlaces(places);
  const magnitude = scaledHalfUp(value, p);
  return rational(value.num < 0n ? -magnitude : magnitude, 10n ** BigInt(p));
}

/** Writes `magnitude / 10^places` with exactly `places` fraction digits. */
function render(negative: boolean, magnitude: bigint, places: number): string {
  const digits = magnitude.toString().padStart(places + 1, '0');
  const body = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return negative && magnitude !== 0n ? `-${body}` : body;
}

/**
 * Rounds half up (see `roundHalfUp`) and formats with exactly `places` fraction digits, e.g.
 * 12 → "12.000000" for 6 places. Never "-0.000000": a value rounding to zero is "0.000000".
 */
export function formatFixed(value: Rational, places: number): string {
  const p = checkPlaces(places);
  return render(value.num < 0n, scaledHalfUp(value, p), p);
}

/**
 * Formats a terminating decimal exactly, with at least `minPlaces` fraction digits and more only when
 * needed to stay exact (1/8 with 2 → "0.125", 1/2 with 2 → "0.50"). Throws a `RangeError` for a value
 * without a finite decimal expansion (1/3).
 */
export function formatExact(value: Rational, minPlaces = 0): string {
  let places = checkPlaces(minPlaces);
  let rest = value.den;
  let twos = 0;
  let fives = 0;
  while (rest % 2n === 0n) {
    rest /= 2n;
    twos += 1;
  }
  while (rest % 5n === 0n) {
    rest /= 5n;
    fives += 1;
  }
  if (rest !== 1n) {
    throw new RangeError(`${value.num}/${value.den} has no finite decimal expansion`);
  }
  places = Math.max(places, twos, fives);
  return render(value.num < 0n, (abs(value.num) * 10n ** BigInt(places)) / value.den, places);
}
