/**
 * Kitting picture of a work order: which material lines can be covered from the stock available to it.
 * Pure (no framework, no I/O, no clock); quantities are decimal strings computed exactly.
 */
import {
  ZERO,
  add,
  compare,
  divide,
  formatExact,
  formatFixed,
  parseDecimal,
  rational,
  subtract,
  type Rational,
} from '../../platform/engine/decimal';

export interface KittingRequirement {
  lineNo: number;
  materialId: string;
  requiredQty: string;
  issuedQty: string;
}

export interface KittingInput {
  requirements: KittingRequirement[];
  /** materialId → quantity available to this order (already net of other orders' reservations). */
  available: Record<string, string>;
}

export interface KittingLine {
  lineNo: number;
  materialId: string;
  /** max(0, required − issued). */
  openQty: string;
  allocatedQty: string;
  /** openQty − allocatedQty. */
  shortQty: string;
}

export interface KittingPicture {
  /** In lineNo order. */
  lines: KittingLine[];
  complete: boolean;
  shortLines: number;
  /** Share of lines fully covered, 4 decimals; "1.0000" when there are no lines. */
  kittingRate: string;
}

const min = (a: Rational, b: Rational): Rational => (compare(a, b) <= 0 ? a : b);
const nonNegative = (a: Rational): Rational => (compare(a, ZERO) > 0 ? a : ZERO);

/** Own keys only: a material id such as "constructor" must not read the object's prototype. */
function availableOf(available: Record<string, string>, materialId: string): Rational {
  const text = Object.hasOwn(available, materialId) ? available[materialId] : undefined;
  // Negative availability (an overbooked material) covers nothing rather than increasing the shortage.
  return nonNegative(parseDecimal(text ?? '0'));
}

/**
 * Allocates the available stock to the open requirement lines, first come first served in lineNo order
 * (lines of the same material compete for the same stock). Throws a `RangeError` for a malformed quantity.
 */
export function kittingPicture(input: KittingInput): KittingPicture {
  // Stable sort: equal lineNos keep their input order.
  const requirements = [...input.requirements].sort((a, b) => a.lineNo - b.lineNo);
  const remaining = new Map<string, Rational>();
  const lines = requirements.map((requirement): KittingLine => {
    const open = nonNegative(
      subtract(parseDecimal(requirement.requiredQty), parseDecimal(requirement.issuedQty)),
    );
    const stock =
      remaining.get(requirement.materialId) ?? availableOf(input.available, requirement.materialId);
    const allocated = min(open, stock);
    remaining.set(requirement.materialId, subtract(stock, allocated));
    return {
      lineNo: requirement.lineNo,
      materialId: requirement.materialId,
      openQty: formatExact(open),
      allocatedQty: formatExact(allocated),
      shortQty: formatExact(subtract(open, allocated)),
    };
  });
  const shortLines = lines.filter((line) => line.shortQty !== '0').length;
  const kittingRate =
    lines.length === 0
      ? formatFixed(rational(1n), 4)
      : formatFixed(divide(rational(BigInt(lines.length - shortLines)), rational(BigInt(lines.length))), 4);
  return { lines, complete: shortLines === 0, shortLines, kittingRate };
}

export interface StagingOrder {
  workOrderId: string;
  /** Stock staged for this order is looked for at this line's line-side locations. */
  lineId: string;
  requirements: KittingRequirement[];
}

export interface StagingResult {
  workOrderId: string;
  lineId: string;
  /** Every material line's open quantity is at the line. */
  staged: boolean;
  /** Materials still missing at the line, with the missing quantity. */
  missing: Array<{ materialId: string; missingQty: string }>;
}

export interface KittingRateResult {
  orders: StagingResult[];
  released: number;
  staged: number;
  /** 齐套率: staged / released, 4 decimals; "1.0000" when nothing is released. */
  rate: string;
}

/**
 * Kitting rate of released orders (齐套率): an order counts as staged when its open requirement of every
 * material is at its line's line-side stock. Orders are served in the given order (the caller sorts by
 * planned start): stock at a line covers the earliest orders first, so two orders never count the same
 * staged stock.
 *
 * @param lineStock lineId → materialId → available quantity at that line's line-side locations
 */
export function kittingRate(
  orders: StagingOrder[],
  lineStock: Map<string, Map<string, string>>,
): KittingRateResult {
  const remaining = new Map<string, Rational>();
  const key = (lineId: string, materialId: string) => `${lineId}|${materialId}`;
  const results = orders.map((order): StagingResult => {
    const open = new Map<string, Rational>();
    for (const r of order.requirements) {
      const qty = nonNegative(subtract(parseDecimal(r.requiredQty), parseDecimal(r.issuedQty)));
      open.set(r.materialId, add(open.get(r.materialId) ?? ZERO, qty));
    }
    const missing: StagingResult['missing'] = [];
    for (const [materialId, qty] of open) {
      if (compare(qty, ZERO) === 0) continue;
      const k = key(order.lineId, materialId);
      const stock =
        remaining.get(k) ?? nonNegative(parseDecimal(lineStock.get(order.lineId)?.get(materialId) ?? '0'));
      const taken = min(qty, stock);
      remaining.set(k, subtract(stock, taken));
      const short = subtract(qty, taken);
      if (compare(short, ZERO) > 0) missing.push({ materialId, missingQty: formatExact(short) });
    }
    return { workOrderId: order.workOrderId, lineId: order.lineId, staged: missing.length === 0, missing };
  });
  const staged = results.filter((r) => r.staged).length;
  return {
    orders: results,
    released: results.length,
    staged,
    rate:
      results.length === 0
        ? formatFixed(rational(1n), 4)
        : formatFixed(divide(rational(BigInt(staged)), rational(BigInt(results.length))), 4),
  };
}
