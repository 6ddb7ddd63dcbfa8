/**
 * The dashboards' small figures: ratios, progress, first-pass yield, work in process, a total of machines'
 * reliability. Quantities are decimal strings computed exactly (platform decimal engine); a ratio is a number
 * 0..1 rounded half up to 4 places. Pure (no framework, no I/O, no clock).
 */
import {
  add,
  compare,
  divide,
  formatExact,
  formatFixed,
  parseDecimal,
  rational,
  subtract,
  type Rational,
  ZERO,
} from '../../platform/engine/decimal';

/** part / whole rounded half up to 4 places; null when the whole is zero (nothing to measure). */
export function ratioOf(part: Rational, whole: Rational): number | null {
  if (compare(whole, ZERO) === 0) return null;
  return Number(formatFixed(divide(part, whole), 4));
}

/** A ratio of two counts (orders, operations); null when there is nothing to count. */
export function countRatio(part: number, whole: number): number | null {
  return ratioOf(rational(BigInt(part)), rational(BigInt(whole)));
}

/** A ratio of two decimal quantities; null when the whole is zero. */
export function quantityRatio(part: string, whole: string): number | null {
  return ratioOf(parseDecimal(part), parseDecimal(whole));
}

/** The exact sum of decimal quantities, as a decimal string ("0" for none). */
export function sumQuantities(values: readonly string[]): string {
  return formatExact(values.reduce((sum, v) => add(sum, parseDecimal(v)), ZERO));
}

/**
 * How much of a planned quantity is done: good / planned, capped at 1 (an order made beyond its quantity is
 * done; the good quantity shows by how much). Null for a zero plan.
 */
export function progressOf(good: string, planned: string): number | null {
  const done = quantityRatio(good, planned);
  return done === null ? null : Math.min(done, 1);
}

/**
 * First-pass yield: the share of the units that left the process which left it good the first time,
 *
 *   FPY = G / (G + S)
 *
 * G: good quantity reported at the last operation of the orders (their output), S: scrap reported at any of
 * their operations (every scrapped unit left the process there). Units still between operations count in
 * neither. Null when no unit left the process.
 */
export function firstPassYield(goodOut: string, scrap: string): number | null {
  const good = parseDecimal(goodOut);
  return ratioOf(good, add(good, parseDecimal(scrap)));
}

export interface OperationQuantities {
  plannedQty: string;
  goodQty: string;
  scrapQty: string;
  /** Good quantity the previous operation has passed on; null for the first operation. */
  predecessorGoodQty: string | null;
  /** The operation has been started. */
  started: boolean;
}

const atLeastZero = (x: Rational): Rational => (compare(x, ZERO) < 0 ? ZERO : x);

/**
 * Units at an operation now (in process): what reached it and has not been reported there yet, good or scrap.
 * What reached it is what the previous operation passed on as good; for the first operation, its planned
 * quantity once it has been started (the order's material is at the machine), nothing before.
 */
export function inProcessQty(op: OperationQuantities): string {
  const received =
    op.predecessorGoodQty !== null
      ? parseDecimal(op.predecessorGoodQty)
      : op.started
        ? parseDecimal(op.plannedQty)
        : ZERO;
  const reported = add(parseDecimal(op.goodQty), parseDecimal(op.scrapQty));
  return formatExact(atLeastZero(subtract(received, reported)));
}

/** Good units the operation still has to make: planned − good, never below zero. */
export function remainingQty(op: Pick<OperationQuantities, 'plannedQty' | 'goodQty'>): string {
  return formatExact(atLeastZero(subtract(parseDecimal(op.plannedQty), parseDecimal(op.goodQty))));
}

export interface MachineReliability {
  failures: number;
  repaired: number;
  requiredMs: number;
  downtimeMs: number;
  uptimeMs: number;
  /** null without a repaired failure. */
  mttrMs: number | null;
}

export interface ReliabilityTotal {
  failures: number;
  repaired: number;
  requiredMs: number;
  downtimeMs: number;
  uptimeMs: number;
  /** Σ uptime / Σ failures; null without a failure. */
  mtbfMs: number | null;
  /** Σ repair times / Σ repaired failures (each machine's MTTR × its repaired failures); null without one. */
  mttrMs: number | null;
  /** Σ uptime / Σ required time, 4 places; null without required time. */
  availability: number | null;
}

/** Several machines' reliability together (a line, a plant): times and failures add up, then the means. */
export function reliabilityTotal(machines: readonly MachineReliability[]): ReliabilityTotal {
  let failures = 0;
  let repaired = 0;
  let requiredMs = 0;
  let downtimeMs = 0;
  let uptimeMs = 0;
  let repairMs = 0;
  for (const m of machines) {
    failures += m.failures;
    repaired += m.repaired;
    requiredMs += m.requiredMs;
    downtimeMs += m.downtimeMs;
    uptimeMs += m.uptimeMs;
    repairMs += (m.mttrMs ?? 0) * m.repaired;
  }
  return {
    failures,
    repaired,
    requiredMs,
    downtimeMs,
    uptimeMs,
    mtbfMs: failures > 0 ? uptimeMs / failures : null,
    mttrMs: repaired > 0 ? repairMs / repaired : null,
    availability: requiredMs > 0 ? roundRatio(uptimeMs / requiredMs) : null,
  };
}

/**
 * A ratio computed elsewhere as a number (OEE, availability), rounded half up to 4 places from its shortest
 * decimal form (0.146875 → 0.1469, as written, not as its binary approximation); null stays null.
 */
export function roundRatio(value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const text = String(value);
  return Number(formatFixed(parseDecimal(/e/i.test(text) ? value.toFixed(20) : text), 4));
}
