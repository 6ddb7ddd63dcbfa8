/**
 * Working-time arithmetic on a machine calendar, for the plant scheduler's decoder. A calendar is a sorted list of
 * half-open working windows; "working minute c" is the c-th working minute of the calendar counted from 0, and
 * every question ("how many working minutes lie before t", "when does working minute c start / end") is a binary
 * search over prefix sums of the window lengths: O(log windows). Pure.
 */
import { type Window } from './model';

/** An always-available machine works from far before the origin to far after any plan (exact in doubles). */
export const ALWAYS_FROM = -(2 ** 40);
export const ALWAYS_TO = 2 ** 40;

export class Calendar {
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  /** cumBefore[i]: working minutes in the windows before window i. */
  private readonly cumBefore: Float64Array;
  /** cumEnd[i]: working minutes up to the end of window i. */
  private readonly cumEnd: Float64Array;
  /** All working minutes of the calendar. */
  readonly total: number;

  /** `windows` must be sorted and disjoint (validatePlan says so otherwise); touching windows are merged. */
  constructor(windows: readonly Window[] | undefined) {
    const merged: Array<[number, number]> = [];
    for (const [start, end] of windows ?? [[ALWAYS_FROM, ALWAYS_TO]]) {
      const last = merged[merged.length - 1];
      if (last && last[1] === start) last[1] = end;
      else merged.push([start, end]);
    }
    const n = merged.length;
    this.starts = new Float64Array(n);
    this.ends = new Float64Array(n);
    this.cumBefore = new Float64Array(n);
    this.cumEnd = new Float64Array(n);
    let cum = 0;
    merged.forEach(([start, end], i) => {
      this.starts[i] = start;
      this.ends[i] = end;
      this.cumBefore[i] = cum;
      cum += end - start;
      this.cumEnd[i] = cum;
    });
    this.total = cum;
  }

  /** Working minutes in (-∞, t). */
  workBefore(t: number): number {
    const { starts } = this;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    if (i < 0) return 0;
    return this.cumBefore[i]! + Math.min(t - starts[i]!, this.ends[i]! - starts[i]!);
  }

  /** The instant working minute c (from 0) starts; Infinity when the calendar ends first. */
  minuteStart(c: number): number {
    if (c >= this.total) return Infinity;
    if (c < 0) return -Infinity;
    const { cumEnd } = this;
    let lo = 0;
    let hi = cumEnd.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumEnd[mid]! > c) hi = mid;
      else lo = mid + 1;
    }
    return this.starts[lo]! + c - this.cumBefore[lo]!;
  }

  /** The instant the first c working minutes (c ≥ 1) are over; Infinity when the calendar ends first. */
  countEnd(c: number): number {
    if (c > this.total) return Infinity;
    const { cumEnd } = this;
    let lo = 0;
    let hi = cumEnd.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumEnd[mid]! >= c) hi = mid;
      else lo = mid + 1;
    }
    return this.starts[lo]! + c - this.cumBefore[lo]!;
  }

  /** The least c ≥ 1 whose end instant is not before t (an operation with c minutes done ends at or after t). */
  minEndCount(t: number): number {
    const c = this.workBefore(t);
    return c >= 1 && this.countEnd(c) >= t ? c : c + 1;
  }

  /** Whether a working minute starts at t. */
  isWorking(t: number): boolean {
    const c = this.workBefore(t);
    return this.minuteStart(c) === t;
  }
}
