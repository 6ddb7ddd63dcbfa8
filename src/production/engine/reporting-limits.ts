/**
 * Limits on good/scrap reporting at an operation: how much may be reported in total, and whether one
 * more report fits. Pure (no framework, no I/O, no clock); quantities are decimal strings computed exactly.
 */
import {
  ONE,
  ZERO,
  add,
  compare,
  formatExact,
  isDecimalString,
  isZero,
  multiply,
  parseDecimal,
  rational,
  subtract,
  type Rational,
} from '../../platform/engine/decimal';
import { type OperationStatus } from './operation-state';

export interface ReportLimitInput {
  /** Operation planned quantity. */
  plannedQty: string;
  /** Over-report tolerance share, e.g. "0.05" = 5 %. */
  tolerance: string;
  predecessor: { status: OperationStatus; goodQty: string } | null;
}

export interface ReportCheckInput extends ReportLimitInput {
  /** Good quantity reported so far. */
  goodQty: string;
  /** Scrap quantity reported so far. */
  scrapQty: string;
  /** Good quantity of this report (>= 0). */
  addGood: string;
  /** Scrap quantity of this report (>= 0). */
  addScrap: string;
  /** Fraction digits the operation's unit allows (0 for pieces). */
  unitDecimals: number;
}

export type ReportCheck =
  | { ok: true; newGood: string; newScrap: string }
  | {
      ok: false;
      field: 'goodQty' | 'scrapQty';
      code: 'NOT_POSITIVE' | 'TOO_MANY_DECIMALS' | 'OVER_REPORT';
      message: string;
      maxAdditional?: string;
    };

/** Fraction digits of the reporting limit. */
const LIMIT_PLACES = 6;

/** Rounds down (towards minus infinity) to `places` fraction digits. */
function floorTo(value: Rational, places: number): Rational {
  const scale = 10n ** BigInt(places);
  const scaled = value.num * scale;
  let quotient = scaled / value.den;
  if (scaled % value.den !== 0n && scaled < 0n) {
    quotient -= 1n;
  }
  return rational(quotient, scale);
}

interface Limit {
  value: Rational;
  plannedQty: Rational;
  tolerance: Rational;
  /** The predecessor's good quantity is the tighter bound. */
  byPredecessor: boolean;
}

function limitOf(input: ReportLimitInput): Limit {
  const plannedQty = parseDecimal(input.plannedQty);
  const tolerance = parseDecimal(input.tolerance);
  let value = multiply(plannedQty, add(ONE, tolerance));
  let byPredecessor = false;
  if (input.predecessor !== null) {
    // An operation cannot process more parts than it received from the one before it.
    const received = parseDecimal(input.predecessor.goodQty);
    if (compare(received, value) < 0) {
      value = received;
      byPredecessor = true;
    }
  }
  // Rounded down so that a limit with more digits than storage never allows a fraction too much.
  return { value: floorTo(value, LIMIT_PLACES), plannedQty, tolerance, byPredecessor };
}

/**
 * The most good + scrap this operation may ever have reported: plannedQty × (1 + tolerance), and never
 * more than the predecessor's good quantity when there is a predecessor. Rounded down to 6 decimals and
 * written without trailing zeros ("102", "10.5"). Throws a `RangeError` for a malformed quantity.
 */
export function maxProcessableQty(input: ReportLimitInput): string {
  return formatExact(limitOf(input).value);
}

/** Fraction digits of a decimal string, trailing zeros ignored ("5.000" has 0). */
function fractionDigits(text: string): number {
  const fraction = text.split('.')[1] ?? '';
  return fraction.replace(/0+$/, '').length;
}

const places = (n: number): string => (n === 1 ? '1 decimal place' : `${n} decimal places`);

function limitReason(limit: Limit): string {
  if (limit.byPredecessor) {
    return `the previous operation has passed on ${formatExact(limit.value)} good`;
  }
  const planned = `planned ${formatExact(limit.plannedQty)}`;
  if (isZero(limit.tolerance)) {
    return `${planned}, no tolerance`;
  }
  return `${planned} + ${formatExact(multiply(limit.tolerance, rational(100n)))} % tolerance`;
}

/**
 * Checks one good/scrap report against the unit's decimals and the operation's reporting limit (see
 * `maxProcessableQty`). Never throws: malformed quantities are refused as NOT_POSITIVE.
 */
export function checkReport(input: ReportCheckInput): ReportCheck {
  const refuse = (
    field: 'goodQty' | 'scrapQty',
    code: 'NOT_POSITIVE' | 'TOO_MANY_DECIMALS' | 'OVER_REPORT',
    message: string,
  ): ReportCheck => ({ ok: false, field, code, message });

  const texts: [field: 'goodQty' | 'scrapQty', text: string][] = [
    ['goodQty', input.addGood],
    ['scrapQty', input.addScrap],
    ['goodQty', input.goodQty],
    ['goodQty', input.scrapQty],
    ['goodQty', input.plannedQty],
    ['goodQty', input.tolerance],
    ['goodQty', input.predecessor?.goodQty ?? '0'],
  ];
  for (const [field, text] of texts) {
    if (!isDecimalString(text)) {
      return refuse(field, 'NOT_POSITIVE', 'Quantities must be decimal numbers');
    }
  }

  const addGood = parseDecimal(input.addGood);
  const addScrap = parseDecimal(input.addScrap);
  if (compare(addGood, ZERO) < 0) {
    return refuse('goodQty', 'NOT_POSITIVE', 'goodQty must not be negative');
  }
  if (compare(addScrap, ZERO) < 0) {
    return refuse('scrapQty', 'NOT_POSITIVE', 'scrapQty must not be negative');
  }
  if (isZero(addGood) && isZero(addScrap)) {
    return refuse('goodQty', 'NOT_POSITIVE', 'Report a good or scrap quantity greater than 0');
  }

  const decimals: [field: 'goodQty' | 'scrapQty', text: string][] = [
    ['goodQty', input.addGood],
    ['scrapQty', input.addScrap],
  ];
  for (const [field, text] of decimals) {
    if (fractionDigits(text) > input.unitDecimals) {
      return refuse(
        field,
        'TOO_MANY_DECIMALS',
        `${field} may have at most ${places(input.unitDecimals)} for this unit`,
      );
    }
  }

  const newGood = add(parseDecimal(input.goodQty), addGood);
  const newScrap = add(parseDecimal(input.scrapQty), addScrap);
  const reported = add(addGood, addScrap);
  const total = add(newGood, newScrap);
  const limit = limitOf(input);
  if (compare(total, limit.value) > 0) {
    const room = subtract(limit.value, subtract(total, reported));
    const maxAdditional = compare(room, ZERO) > 0 ? room : ZERO;
    const more = isZero(maxAdditional)
      ? 'nothing more can be reported'
      : `at most ${formatExact(maxAdditional)} more can be reported`;
    return {
      ok: false,
      field: 'goodQty',
      code: 'OVER_REPORT',
      message:
        `Reporting ${formatExact(reported)} would bring the operation to ${formatExact(total)} ` +
        `of at most ${formatExact(limit.value)} (${limitReason(limit)}); ${more}`,
      maxAdditional: formatExact(maxAdditional),
    };
  }
  return { ok: true, newGood: formatExact(newGood), newScrap: formatExact(newScrap) };
}
