/**
 * Backflush: the material a production report consumes automatically, and the lots it is taken from.
 * Pure (no framework, no I/O, no clock); quantities are decimal strings computed exactly.
 */
import {
  ZERO,
  compare,
  divide,
  formatExact,
  multiply,
  parseDecimal,
  rational,
  subtract,
  type Rational,
} from '../../platform/engine/decimal';

export interface BackflushRequirement {
  lineNo: number;
  materialId: string;
  /** For the whole order quantity. */
  requiredQty: string;
  issuedQty: string;
  issueMethod: 'manual' | 'backflush';
}

export interface BackflushInput {
  orderQty: string;
  /** Good + scrap reported at the consuming operation so far. */
  processedQty: string;
  requirements: BackflushRequirement[];
  /** materialId → fraction digits of its unit. */
  unitDecimals: Record<string, number>;
}

export interface BackflushDemand {
  lineNo: number;
  materialId: string;
  quantity: string;
}

export interface LotStock {
  lotId: string;
  available: string;
  /** ISO timestamp. */
  receivedAt: string;
  /** ISO date (or timestamp); null when the material does not expire. */
  expiryDate: string | null;
}

export interface LotPick {
  lotId: string;
  quantity: string;
}

/** Decimals assumed for a material missing from `unitDecimals`: the precision quantities are stored with. */
const DEFAULT_UNIT_DECIMALS = 6;

/** Rounds up (towards plus infinity) to `places` fraction digits. */
function ceilTo(value: Rational, places: number): Rational {
  const scale = 10n ** BigInt(places);
  const scaled = value.num * scale;
  let quotient = scaled / value.den;
  if (scaled % value.den !== 0n && scaled > 0n) {
    quotient += 1n;
  }
  return rational(quotient, scale);
}

function decimalsOf(unitDecimals: Record<string, number>, materialId: string): number {
  const decimals = Object.hasOwn(unitDecimals, materialId) ? unitDecimals[materialId] : undefined;
  return decimals !== undefined && Number.isSafeInteger(decimals) && decimals >= 0
    ? decimals
    : DEFAULT_UNIT_DECIMALS;
}

/**
 * What still has to be backflushed per backflush line for the quantity processed so far: the share
 * processedQty / orderQty of the requirement, rounded UP to the unit's decimals (never under-issue a part),
 * minus what was already issued. Lines with nothing left to issue are omitted; processing more than the
 * order quantity consumes proportionally more. In lineNo order. Throws a `RangeError` for a malformed
 * quantity or an order quantity that is not positive.
 */
export function backflushDemand(input: BackflushInput): BackflushDemand[] {
  const orderQty = parseDecimal(input.orderQty);
  if (compare(orderQty, ZERO) <= 0) {
    throw new RangeError(`orderQty must be greater than 0, got ${JSON.stringify(input.orderQty)}`);
  }
  const share = divide(parseDecimal(input.processedQty), orderQty);
  return input.requirements
    .filter((requirement) => requirement.issueMethod === 'backflush')
    .sort((a, b) => a.lineNo - b.lineNo)
    .flatMap((requirement): BackflushDemand[] => {
      const due = ceilTo(
        multiply(parseDecimal(requirement.requiredQty), share),
        decimalsOf(input.unitDecimals, requirement.materialId),
      );
      const quantity = subtract(due, parseDecimal(requirement.issuedQty));
      return compare(quantity, ZERO) > 0
        ? [
            {
              lineNo: requirement.lineNo,
              materialId: requirement.materialId,
              quantity: formatExact(quantity),
            },
          ]
        : [];
    });
}

/** Orders two ISO dates/timestamps by the instant they denote, falling back to text for unparsable ones. */
function compareInstants(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) {
    return ta - tb;
  }
  return compareText(a, b);
}

/** Code-unit order: deterministic whatever the locale. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareExpiry(a: string | null, b: string | null): number {
  if (a === null || b === null) {
    // Lots that never expire are kept for last.
    return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  }
  return compareInstants(a, b);
}

function lotOrder(strategy: 'fifo' | 'fefo'): (a: LotStock, b: LotStock) => number {
  const fifo = (a: LotStock, b: LotStock): number =>
    compareInstants(a.receivedAt, b.receivedAt) || compareText(a.lotId, b.lotId);
  switch (strategy) {
    case 'fifo':
      return fifo;
    case 'fefo':
      return (a, b) => compareExpiry(a.expiryDate, b.expiryDate) || fifo(a, b);
  }
}

/**
 * Picks lots for `demand`: FIFO by receivedAt then lotId; FEFO by expiryDate (lots without expiry last)
 * then receivedAt then lotId. Lots with nothing available are skipped. `shortQty` is what the lots could
 * not cover ("0" when covered). Throws a `RangeError` for a malformed quantity.
 */
export function pickLots(
  demand: string,
  lots: LotStock[],
  strategy: 'fifo' | 'fefo',
): { picks: LotPick[]; shortQty: string } {
  let open = parseDecimal(demand);
  const picks: LotPick[] = [];
  for (const lot of [...lots].sort(lotOrder(strategy))) {
    if (compare(open, ZERO) <= 0) {
      break;
    }
    const available = parseDecimal(lot.available);
    if (compare(available, ZERO) <= 0) {
      continue;
    }
    const quantity = compare(available, open) < 0 ? available : open;
    picks.push({ lotId: lot.lotId, quantity: formatExact(quantity) });
    open = subtract(open, quantity);
  }
  return { picks, shortQty: formatExact(compare(open, ZERO) > 0 ? open : ZERO) };
}
