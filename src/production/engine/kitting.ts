/**
 * Kitting picture of a work order: which material lines can be covered from the stock available to it.
 * Pure (no framework, no I/O, no clock); quantities are decimal strings computed exactly.
 */
import {
  ZERO,
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
