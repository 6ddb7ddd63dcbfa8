/**
 * Time intervals for the reliability and OEE engines: half-open [from, to) in milliseconds since the epoch.
 * Pure (no framework, no I/O, no clock).
 */

export interface Interval {
  from: number;
  to: number;
}

/** Length of an interval (0 when empty or reversed). */
export const length = (i: Interval): number => Math.max(0, i.to - i.from);

/** Total length of intervals that do not overlap (see {@link union}). */
export const total = (list: readonly Interval[]): number => list.reduce((sum, i) => sum + length(i), 0);

/** The part of an interval inside a window, or null when they do not meet. */
export function clip(i: Interval, window: Interval): Interval | null {
  const from = Math.max(i.from, window.from);
  const to = Math.min(i.to, window.to);
  return to > from ? { from, to } : null;
}

/** The same time as non-overlapping, non-touching intervals in time order (empty intervals dropped). */
export function union(list: readonly Interval[]): Interval[] {
  const sorted = list.filter((i) => i.to > i.from).sort((a, b) => a.from - b.from || a.to - b.to);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.from <= last.to) last.to = Math.max(last.to, i.to);
    else out.push({ from: i.from, to: i.to });
  }
  return out;
}

/** The time of `a` that is also in `b`. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const x = union(a);
  const y = union(b);
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const from = Math.max(x[i]!.from, y[j]!.from);
    const to = Math.min(x[i]!.to, y[j]!.to);
    if (to > from) out.push({ from, to });
    if (x[i]!.to < y[j]!.to) i++;
    else j++;
  }
  return out;
}

/** The time of `a` that is not in `b`. */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const cut = union(b);
  const out: Interval[] = [];
  for (const i of union(a)) {
    let from = i.from;
    for (const c of cut) {
      if (c.to <= from) continue;
      if (c.from >= i.to) break;
      if (c.from > from) out.push({ from, to: c.from });
      from = Math.max(from, c.to);
      if (from >= i.to) break;
    }
    if (from < i.to) out.push({ from, to: i.to });
  }
  return out;
}
