/**
 * OEE (overall equipment effectiveness) as ISO 22400-2:2014 defines it, for one work unit (a machine) over a
 * period, and summed over several (a line, a shift):
 *
 *   availability   = APT / PBT                 actual production time over planned busy time
 *   effectiveness  = Σ PRI × PQ / APT          planned run time per item × produced quantity, over APT
 *   quality ratio  = GQ / PQ                   good over produced quantity
 *   OEE            = availability × effectiveness × quality ratio  (one product: PRI × GQ / PBT)
 *
 * PBT is the planned operation time (the calendar's shifts) less planned downtime (maintenance windows,
 * breaks); running outside it (overtime) extends it, so that production never makes a ratio pass 1 by
 * itself. Within PBT every moment is one state: down (unplanned, by reason) before setup before running;
 * what no state covers is idle (no order, waiting). Losses are the time each cause cost: availability (down by
 * reason, setup, idle), speed (APT − Σ PRI × PQ; negative when the ideal cycle time is slower than the
 * machine) and quality (Σ PRI × scrap). Times in milliseconds; quantities are counts of units (a KPI, not a
 * ledger: numbers).
 * Pure (no framework, no I/O, no clock).
 */
import { clip, intersect, type Interval, subtract, total, union } from './intervals';

export type MachineState = 'running' | 'setup' | 'down' | 'idle';

/** What the machine did from `from` to `to` (a downtime's reason code when known). */
export interface StateSpan extends Interval {
  state: MachineState;
  reason?: string | null;
}

/** Units made at one ideal cycle time (one product on the machine). */
export interface ProducedItems {
  /** PRI: planned run time per item, from the routing (ideal cycle time), in ms. */
  idealCycleMs: number;
  /** PQ: produced quantity, good and scrap. */
  produced: number;
  /** GQ: good quantity. */
  good: number;
  /** Scrap by reason code (summing to produced − good when given). */
  scrapByReason?: Record<string, number>;
}

export interface OeeInput {
  period: Interval;
  /** Planned operation time: the shifts of the work unit's calendar. */
  shifts: readonly Interval[];
  /** Planned downtime within the shifts: maintenance windows, planned breaks. */
  plannedDowntime?: readonly Interval[];
  states: readonly StateSpan[];
  production: readonly ProducedItems[];
}

/** Times (ms) and quantities of one work unit or a sum of them. */
export interface OeeFigures {
  /** POT: shifts within the period. */
  plannedOperationMs: number;
  /** Planned downtime within the shifts. */
  plannedDowntimeMs: number;
  /** Running outside the planned busy time, counted into it. */
  overtimeMs: number;
  /** PBT. */
  plannedBusyMs: number;
  /** APT. */
  actualProductionMs: number;
  setupMs: number;
  downMs: number;
  idleMs: number;
  /** Σ PRI × PQ: the time the produced quantity needs at the ideal cycle time. */
  plannedRunMs: number;
  /** Σ PRI × GQ. */
  goodRunMs: number;
  producedQuantity: number;
  goodQuantity: number;
  downByReason: Record<string, number>;
  scrapByReason: Record<string, number>;
}

export interface OeeResult extends OeeFigures {
  /** null where the denominator is 0 (no planned time, no production). */
  availability: number | null;
  effectiveness: number | null;
  qualityRatio: number | null;
  oee: number | null;
  losses: {
    /** PBT − APT, by cause: each downtime reason (`unspecified` without one), `setup`, `idle`. */
    availability: Array<{ cause: string; ms: number }>;
    /** APT − Σ PRI × PQ. */
    speedMs: number;
    /** Σ PRI × scrap. */
    qualityMs: number;
    /** Scrap quantity by reason, most first. */
    scrap: Array<{ reason: string; quantity: number }>;
  };
}

const UNSPECIFIED = 'unspecified';

/** The figures of one work unit over its period. */
export function oeeFigures(input: OeeInput): OeeFigures {
  const period = [input.period];
  const shifts = intersect(input.shifts, period);
  const planned = subtract(shifts, input.plannedDowntime ?? []);
  const spans = input.states
    .map((s) => {
      const c = clip(s, input.period);
      return c ? { ...c, state: s.state, reason: s.reason ?? null } : null;
    })
    .filter((s): s is StateSpan & { reason: string | null } => s !== null);
  const of = (state: MachineState) => spans.filter((s) => s.state === state);
  const overtime = subtract(of('running'), planned);
  const busy = union([...planned, ...overtime]);
  // One state per moment: down, then setup, then running; the rest is idle.
  const down = intersect(of('down'), busy);
  const setup = subtract(intersect(of('setup'), busy), down);
  const running = subtract(intersect(of('running'), busy), [...down, ...setup]);
  const idle = subtract(busy, [...down, ...setup, ...running]);
  const downByReason = shareByReason(
    of('down').flatMap((s) => intersect([s], busy).map((i) => ({ ...i, reason: s.reason || UNSPECIFIED }))),
  );
  let plannedRunMs = 0;
  let goodRunMs = 0;
  let producedQuantity = 0;
  let goodQuantity = 0;
  const scrapByReason: Record<string, number> = {};
  for (const p of input.production) {
    plannedRunMs += p.idealCycleMs * p.produced;
    goodRunMs += p.idealCycleMs * p.good;
    producedQuantity += p.produced;
    goodQuantity += p.good;
    const scrap = p.produced - p.good;
    const given = Object.entries(p.scrapByReason ?? {}).filter(([, q]) => q > 0);
    let named = 0;
    for (const [reason, q] of given) {
      scrapByReason[reason] = (scrapByReason[reason] ?? 0) + q;
      named += q;
    }
    if (scrap - named > 0) scrapByReason[UNSPECIFIED] = (scrapByReason[UNSPECIFIED] ?? 0) + (scrap - named);
  }
  return {
    plannedOperationMs: total(shifts),
    plannedDowntimeMs: total(shifts) - total(planned),
    overtimeMs: total(overtime),
    plannedBusyMs: total(busy),
    actualProductionMs: total(running),
    setupMs: total(setup),
    downMs: total(down),
    idleMs: total(idle),
    plannedRunMs,
    goodRunMs,
    producedQuantity,
    goodQuantity,
    downByReason,
    scrapByReason,
  };
}

/**
 * Down time by reason: where spans of several reasons overlap, that time is shared equally between them, so the
 * reasons add up to the time lost.
 */
function shareByReason(spans: ReadonlyArray<Interval & { reason: string }>): Record<string, number> {
  const out: Record<string, number> = {};
  const bounds = [...new Set(spans.flatMap((s) => [s.from, s.to]))].sort((a, b) => a - b);
  for (let k = 0; k + 1 < bounds.length; k++) {
    const from = bounds[k]!;
    const to = bounds[k + 1]!;
    const reasons = [...new Set(spans.filter((s) => s.from <= from && s.to >= to).map((s) => s.reason))];
    for (const r of reasons) out[r] = (out[r] ?? 0) + (to - from) / reasons.length;
  }
  return out;
}

/** Figures of several work units (or periods) added up: a line, a shift, a plant. */
export function sumFigures(list: readonly OeeFigures[]): OeeFigures {
  const out: OeeFigures = {
    plannedOperationMs: 0,
    plannedDowntimeMs: 0,
    overtimeMs: 0,
    plannedBusyMs: 0,
    actualProductionMs: 0,
    setupMs: 0,
    downMs: 0,
    idleMs: 0,
    plannedRunMs: 0,
    goodRunMs: 0,
    producedQuantity: 0,
    goodQuantity: 0,
    downByReason: {},
    scrapByReason: {},
  };
  for (const f of list) {
    out.plannedOperationMs += f.plannedOperationMs;
    out.plannedDowntimeMs += f.plannedDowntimeMs;
    out.overtimeMs += f.overtimeMs;
    out.plannedBusyMs += f.plannedBusyMs;
    out.actualProductionMs += f.actualProductionMs;
    out.setupMs += f.setupMs;
    out.downMs += f.downMs;
    out.idleMs += f.idleMs;
    out.plannedRunMs += f.plannedRunMs;
    out.goodRunMs += f.goodRunMs;
    out.producedQuantity += f.producedQuantity;
    out.goodQuantity += f.goodQuantity;
    for (const [k, v] of Object.entries(f.downByReason)) out.downByReason[k] = (out.downByReason[k] ?? 0) + v;
    for (const [k, v] of Object.entries(f.scrapByReason))
      out.scrapByReason[k] = (out.scrapByReason[k] ?? 0) + v;
  }
  return out;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** The ISO 22400 KPIs and the loss breakdown of a work unit's (or a sum's) figures. */
export function oeeOf(f: OeeFigures): OeeResult {
  const availability = ratio(f.actualProductionMs, f.plannedBusyMs);
  const effectiveness = ratio(f.plannedRunMs, f.actualProductionMs);
  const qualityRatio = ratio(f.goodQuantity, f.producedQuantity);
  const oee =
    availability === null || effectiveness === null || qualityRatio === null
      ? null
      : availability * effectiveness * qualityRatio;
  const availabilityLosses = [
    ...Object.entries(f.downByReason).map(([cause, ms]) => ({ cause, ms })),
    { cause: 'setup', ms: f.setupMs },
    { cause: 'idle', ms: f.idleMs },
  ]
    .filter((l) => l.ms > 0)
    .sort((a, b) => b.ms - a.ms || a.cause.localeCompare(b.cause));
  return {
    ...f,
    availability,
    effectiveness,
    qualityRatio,
    oee,
    losses: {
      availability: availabilityLosses,
      speedMs: f.actualProductionMs - f.plannedRunMs,
      qualityMs: f.plannedRunMs - f.goodRunMs,
      scrap: Object.entries(f.scrapByReason)
        .map(([reason, quantity]) => ({ reason, quantity }))
        .sort((a, b) => b.quantity - a.quantity || a.reason.localeCompare(b.reason)),
    },
  };
}

/** OEE of one work unit over its period. */
export const oee = (input: OeeInput): OeeResult => oeeOf(oeeFigures(input));
