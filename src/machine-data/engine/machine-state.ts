/**
 * What a machine's own signals mean: its state codes, the stops they open and close, the hours it ran, and
 * process values crossing their limits. Pure (no framework, no I/O, no clock): the caller feeds samples in any
 * order with the state it left off at, and applies what comes back.
 */

import type { SampleValue } from './machine-message';

export type MachineState = 'running' | 'idle' | 'down' | 'setup' | 'off';
const STATES: readonly MachineState[] = ['running', 'idle', 'down', 'setup', 'off'];

/** States in which the machine is stopped: downtime runs while it is in one of these. */
export const STOPPED_STATES: readonly MachineState[] = ['down', 'setup'];

/** Common words machines and gateways use, beside our own state names. */
const SYNONYMS: Record<string, MachineState> = {
  run: 'running',
  running: 'running',
  producing: 'running',
  auto: 'running',
  execute: 'running',
  idle: 'idle',
  ready: 'idle',
  standby: 'idle',
  stopped: 'idle',
  down: 'down',
  fault: 'down',
  alarm: 'down',
  error: 'down',
  breakdown: 'down',
  setup: 'setup',
  changeover: 'setup',
  off: 'off',
  poweroff: 'off',
};

/**
 * A reported state value as one of our states: the tag's own map first (the machine's codes, e.g. PackML or
 * vendor numbers, `{"6": "running"}`), then our names and common synonyms (case-insensitive); booleans mean
 * running (true) or idle (false). Null when it means nothing known.
 */
export function toMachineState(
  value: SampleValue,
  stateMap: Readonly<Record<string, string>> | null | undefined,
): MachineState | null {
  const key = String(value);
  const mapped = stateMap?.[key] ?? stateMap?.[key.toLowerCase()];
  if (mapped !== undefined)
    return (STATES as readonly string[]).includes(mapped) ? (mapped as MachineState) : null;
  if (typeof value === 'boolean') return value ? 'running' : 'idle';
  return (
    SYNONYMS[
      key
        .trim()
        .toLowerCase()
        .replace(/[\s_-]+/g, '')
    ] ?? null
  );
}

/** Where the machine's state was left: its state, since when, and the newest state sample applied. */
export interface StateCursor {
  state: MachineState | null;
  since: number | null;
  /** Time of the newest state sample taken into account. */
  lastTs: number | null;
}

export interface StateChange {
  at: number;
  from: MachineState | null;
  to: MachineState;
  /** It entered a stop (downtime opens) or left one (downtime closes). */
  stopStarts: boolean;
  stopEnds: boolean;
}

export interface StateOutcome {
  cursor: StateCursor;
  changes: StateChange[];
  /** Milliseconds the machine ran between the samples taken (for run-hour meters). */
  runningMs: number;
  /** Samples older than the newest already applied: kept in the series, not replayed into history. */
  late: number;
}

/**
 * Applies state samples in time order from where the machine was left. A repeated state is no change (a
 * heartbeat) but advances the running time; a sample at or before the newest applied one is late (a
 * redelivery, or a gateway's buffer flushed out of order) and changes nothing.
 */
export function applyStates(
  cursor: StateCursor,
  samples: ReadonlyArray<{ ts: number; state: MachineState }>,
): StateOutcome {
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  let { state, since, lastTs } = cursor;
  const changes: StateChange[] = [];
  let runningMs = 0;
  let late = 0;
  for (const s of sorted) {
    if (lastTs !== null && s.ts <= lastTs) {
      late++;
      continue;
    }
    if (state === 'running' && lastTs !== null) runningMs += s.ts - lastTs;
    if (s.state !== state) {
      const wasStopped = state !== null && STOPPED_STATES.includes(state);
      const isStopped = STOPPED_STATES.includes(s.state);
      changes.push({
        at: s.ts,
        from: state,
        to: s.state,
        stopStarts: isStopped && !wasStopped,
        stopEnds: wasStopped && !isStopped,
      });
      state = s.state;
      since = s.ts;
    }
    lastTs = s.ts;
  }
  return { cursor: { state, since, lastTs }, changes, runningMs, late };
}

export interface Limits {
  min: number | null;
  max: number | null;
}

export interface LimitCrossing {
  at: number;
  value: number;
  /** Left its limits (`out`) or came back within them (`in`). */
  direction: 'out' | 'in';
  /** Which limit it broke (for `out`). */
  side: 'low' | 'high' | null;
}

/**
 * Process values against their limits in time order: one crossing when a value leaves them and one when it
 * comes back — not one alarm per sample while it stays outside. `outside` says whether it was outside before.
 */
export function limitCrossings(
  samples: ReadonlyArray<{ ts: number; value: number }>,
  limits: Limits,
  outside: boolean,
): { crossings: LimitCrossing[]; outside: boolean } {
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  const crossings: LimitCrossing[] = [];
  let out = outside;
  for (const s of sorted) {
    const side =
      limits.min !== null && s.value < limits.min
        ? 'low'
        : limits.max !== null && s.value > limits.max
          ? 'high'
          : null;
    const nowOut = side !== null;
    if (nowOut !== out) crossings.push({ at: s.ts, value: s.value, direction: nowOut ? 'out' : 'in', side });
    out = nowOut;
  }
  return { crossings, outside: out };
}

/**
 * Which stored resolution answers a query over a period: raw values for short spans, minute rollups up to a
 * week, hour rollups beyond — so a chart never fetches more than a few thousand points per tag.
 */
export function resolutionFor(fromMs: number, toMs: number): 'raw' | 'minute' | 'hour' {
  const span = toMs - fromMs;
  if (span <= 2 * 3_600_000) return 'raw';
  if (span <= 7 * 86_400_000) return 'minute';
  return 'hour';
}
