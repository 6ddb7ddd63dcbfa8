import type { Window } from '../engine/model';

/**
 * Minutes from a plan's origin and back, and the working-window algebra the plan model needs. Pure: the
 * origin is always passed in.
 */
export const MINUTE_MS = 60_000;

export function minuteOf(
  originMs: number,
  instant: Date | string,
  rounding: 'floor' | 'ceil' = 'floor',
): number {
  const ms = (typeof instant === 'string' ? Date.parse(instant) : instant.getTime()) - originMs;
  return rounding === 'floor' ? Math.floor(ms / MINUTE_MS) : Math.ceil(ms / MINUTE_MS);
}

export function instantOf(originMs: number, minute: number): Date {
  return new Date(originMs + minute * MINUTE_MS);
}

/** Calendar intervals as whole working minutes within [0, horizon): starts round up, ends round down. */
export function windowsFrom(
  originMs: number,
  intervals: ReadonlyArray<{ start: string; end: string }>,
  horizon: number,
): Window[] {
  const windows: Window[] = [];
  for (const interval of intervals) {
    const start = Math.max(0, minuteOf(originMs, interval.start, 'ceil'));
    const end = Math.min(horizon, minuteOf(originMs, interval.end, 'floor'));
    if (end > start) windows.push([start, end]);
  }
  return normalise(windows);
}

/** Sorted, disjoint, merged (touching windows become one). */
export function normalise(windows: readonly Window[]): Window[] {
  const sorted = [...windows].filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/** The windows less [cut) (a machine down); `undefined` (always available) is read as [0, horizon). */
export function withoutWindow(
  windows: readonly Window[] | undefined,
  cut: Window,
  horizon: number,
): Window[] {
  const base = windows ?? [[0, horizon] as const];
  const out: Window[] = [];
  for (const [s, e] of base) {
    if (cut[1] <= s || cut[0] >= e) out.push([s, e]);
    else {
      if (cut[0] > s) out.push([s, cut[0]]);
      if (cut[1] < e) out.push([cut[1], e]);
    }
  }
  return normalise(out);
}

/** The windows plus [add) (overtime); a machine that is always available stays so. */
export function withWindow(windows: readonly Window[] | undefined, add: Window): Window[] | undefined {
  return windows ? normalise([...windows, add]) : undefined;
}

/** Where work of `minutes` working minutes begun at `start` ends (Infinity when the windows run out). */
export function workingEnd(windows: readonly Window[] | undefined, start: number, minutes: number): number {
  if (!windows) return start + minutes;
  let left = minutes;
  let at = start;
  for (const [s, e] of windows) {
    if (e <= at) continue;
    const from = Math.max(s, at);
    if (from + left <= e) return from + left;
    left -= e - from;
    at = e;
  }
  return left === 0 ? at : Infinity;
}

/** Working minutes inside [from, to). */
export function workingMinutes(windows: readonly Window[] | undefined, from: number, to: number): number {
  if (to <= from) return 0;
  if (!windows) return to - from;
  let total = 0;
  for (const [s, e] of windows) total += Math.max(0, Math.min(e, to) - Math.max(s, from));
  return total;
}
