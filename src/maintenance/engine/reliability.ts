/**
 * Reliability of an asset over a period: MTBF, MTTR and availability from its breakdowns.
 *
 *   failures      breakdowns that began in the period
 *   downtime      time down for breakdowns within the required time of the period
 *   uptime        required time − downtime
 *   MTBF          uptime / failures
 *   MTTR          Σ repair times / repaired failures (a failure's whole repair time, also the part after the
 *                 period; failures not repaired yet are left out)
 *   availability  uptime / required time (operational); inherent availability MTBF / (MTBF + MTTR)
 *
 * The required time is when the asset was meant to run (the planned busy time of its calendar); the whole
 * period when not given. Times in milliseconds.
 * Pure (no framework, no I/O, no clock).
 */
import { intersect, type Interval, total, union } from './intervals';

/** A breakdown: from the failure to the repair (`to` null while it is still down). */
export interface Breakdown {
  from: number;
  to: number | null;
}

export interface ReliabilityInput {
  period: Interval;
  /** When the asset was meant to run; the whole period when not given. */
  required?: readonly Interval[];
  breakdowns: readonly Breakdown[];
}

export interface ReliabilityResult {
  failures: number;
  repaired: number;
  requiredMs: number;
  downtimeMs: number;
  uptimeMs: number;
  /** null without a failure in the period. */
  mtbfMs: number | null;
  /** null without a repaired failure. */
  mttrMs: number | null;
  /** null without required time. */
  availability: number | null;
  /** null unless both MTBF and MTTR are known. */
  inherentAvailability: number | null;
}

export function reliability(input: ReliabilityInput): ReliabilityResult {
  const { period } = input;
  const required = intersect(input.required ?? [period], [period]);
  const inPeriod = input.breakdowns.filter((b) => b.from >= period.from && b.from < period.to);
  // Down time counts every breakdown overlapping the period (one that began before it too), once.
  const down = union(input.breakdowns.map((b) => ({ from: b.from, to: b.to ?? period.to })));
  const downtimeMs = total(intersect(down, required));
  const requiredMs = total(required);
  const uptimeMs = requiredMs - downtimeMs;
  const repaired = inPeriod.filter((b): b is { from: number; to: number } => b.to !== null && b.to > b.from);
  const mtbfMs = inPeriod.length > 0 ? uptimeMs / inPeriod.length : null;
  const mttrMs =
    repaired.length > 0 ? repaired.reduce((sum, b) => sum + (b.to - b.from), 0) / repaired.length : null;
  return {
    failures: inPeriod.length,
    repaired: repaired.length,
    requiredMs,
    downtimeMs,
    uptimeMs,
    mtbfMs,
    mttrMs,
    availability: requiredMs > 0 ? uptimeMs / requiredMs : null,
    inherentAvailability: mtbfMs !== null && mttrMs !== null ? mtbfMs / (mtbfMs + mttrMs) : null,
  };
}
