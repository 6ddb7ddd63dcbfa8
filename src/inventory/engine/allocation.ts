/**
 * Lot allocation for reservations and picks: which lots, in which locations, cover a required quantity,
 * first in first out (FIFO) or first expired first out (FEFO).
 * Pure (no framework, no I/O, no clock: "today" is passed in); quantities are decimal strings computed
 * exactly.
 */
import { ZERO, add, compare, formatExact, parseDecimal, subtract } from '../../platform/engine/decimal';

export type AllocationPolicy = 'fifo' | 'fefo';

/** Stock of one lot in one location that an allocation may take from. */
export interface StockCandidate {
  lotId: string;
  lotCode: string;
  locationId: string;
  /** The lot's status; only `available` stock is allocated. */
  status: string;
  /** Quantity free to allocate (on hand minus reserved), a decimal string. */
  available: string;
  /** ISO timestamp. */
  receivedAt: string;
  /** YYYY-MM-DD; null when the material does not expire. */
  expiryDate: string | null;
}

export interface Allocation {
  lotId: string;
  lotCode: string;
  locationId: string;
  quantity: string;
}

export interface AllocationResult {
  /** In the order the policy takes the stock. */
  allocations: Allocation[];
  /** Sum of the allocations. */
  allocated: string;
  /** What the candidates could not cover ("0" when covered). */
  shortQty: string;
}

export interface AllocationOptions {
  /** YYYY-MM-DD. When given, lots whose expiryDate is before it are never allocated. */
  today?: string;
}

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Code-unit order: deterministic whatever the locale. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Orders two ISO dates/timestamps by the instant they denote, falling back to text for unparsable ones. */
function compareInstants(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) {
    return ta - tb;
  }
  return compareText(a, b);
}

/** The calendar day of an expiry date (a timestamp is cut to its date). */
const dayOf = (date: string): string => date.slice(0, 10);

function compareExpiry(a: string | null, b: string | null): number {
  if (a === null || b === null) {
    // Stock that never expires is kept for last.
    return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  }
  return compareText(dayOf(a), dayOf(b));
}

/** Received earlier first, then lotCode, locationId and (for a total order) lotId. */
function fifoOrder(a: StockCandidate, b: StockCandidate): number {
  return (
    compareInstants(a.receivedAt, b.receivedAt) ||
    compareText(a.lotCode, b.lotCode) ||
    compareText(a.locationId, b.locationId) ||
    compareText(a.lotId, b.lotId)
  );
}

function candidateOrder(policy: AllocationPolicy): (a: StockCandidate, b: StockCandidate) => number {
  switch (policy) {
    case 'fifo':
      return fifoOrder;
    case 'fefo':
      return (a, b) => compareExpiry(a.expiryDate, b.expiryDate) || fifoOrder(a, b);
  }
}

/**
 * Allocates `requiredQty` from `candidates`, greedily in policy order; the last allocation may be partial.
 *
 * - Only candidates with status `available` and a positive available quantity are used; with
 *   `opts.today`, a lot that expired before that day is skipped even if it is not yet marked expired (a lot
 *   expiring today is still used).
 * - FIFO: receivedAt ascending, then lotCode, then locationId. FEFO: expiryDate ascending with no expiry
 *   last, then as FIFO. Remaining ties are broken by lotId, so the result does not depend on input order.
 * - A required quantity of zero or less allocates nothing and is not short.
 *
 * Deterministic and does not modify `candidates`. Throws a `RangeError` for a malformed quantity of a
 * candidate that is considered, a malformed `requiredQty` or a `today` that is not YYYY-MM-DD.
 */
export function allocate(
  candidates: readonly StockCandidate[],
  requiredQty: string,
  policy: AllocationPolicy,
  opts: AllocationOptions = {},
): AllocationResult {
  const required = parseDecimal(requiredQty);
  const today = opts.today;
  if (today !== undefined && !DATE_PATTERN.test(today)) {
    throw new RangeError(`today must be a YYYY-MM-DD date, got ${JSON.stringify(today)}`);
  }
  if (compare(required, ZERO) <= 0) {
    return { allocations: [], allocated: '0', shortQty: '0' };
  }

  // `filter` returns a new array, so sorting it leaves `candidates` untouched.
  const usable = candidates.filter(
    (c) =>
      c.status === 'available' &&
      !(today !== undefined && c.expiryDate !== null && dayOf(c.expiryDate) < today) &&
      compare(parseDecimal(c.available), ZERO) > 0,
  );

  let open = required;
  let allocated = ZERO;
  const allocations: Allocation[] = [];
  for (const candidate of usable.sort(candidateOrder(policy))) {
    if (compare(open, ZERO) <= 0) {
      break;
    }
    const available = parseDecimal(candidate.available);
    const quantity = compare(available, open) < 0 ? available : open;
    allocations.push({
      lotId: candidate.lotId,
      lotCode: candidate.lotCode,
      locationId: candidate.locationId,
      quantity: formatExact(quantity),
    });
    allocated = add(allocated, quantity);
    open = subtract(open, quantity);
  }
  return { allocations, allocated: formatExact(allocated), shortQty: formatExact(open) };
}
