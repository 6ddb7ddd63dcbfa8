/**
 * Meters (run hours, cycles, strokes): cumulative totals fed by increments (a production report's quantity, a
 * running span's hours) or by readings of a counter on the machine, which restarts from zero now and then
 * (a controller reset, a replaced counter). Pure (no framework, no I/O, no clock).
 */

export interface CounterSample {
  at: number;
  value: number;
}

export interface CounterStep {
  at: number;
  /** What the counter added since the previous sample (never negative). */
  delta: number;
  /** The counter went back: it restarted from zero, and counted `value` since. */
  reset: boolean;
}

/**
 * What a machine counter added between samples, in time order: the difference to the previous sample, or —
 * when the value went down (a reset) — the value itself (counted up from zero since). A sample equal to the
 * previous one adds nothing; `previous` is the last sample already taken into account (null: the first sample
 * only sets the starting point). Samples at or before `previous` are late repeats and are left out.
 */
export function counterSteps(
  samples: readonly CounterSample[],
  previous: CounterSample | null,
): CounterStep[] {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const out: CounterStep[] = [];
  let last = previous;
  for (const s of sorted) {
    if (!Number.isFinite(s.value) || s.value < 0) continue;
    if (last && s.at <= last.at) continue;
    if (last) {
      const reset = s.value < last.value;
      out.push({ at: s.at, delta: reset ? s.value : s.value - last.value, reset });
    }
    last = s;
  }
  return out;
}

/** Hours (as a number) of running spans: what a run-hours meter adds for them. */
export function runHours(spans: ReadonlyArray<{ from: number; to: number }>): number {
  return spans.reduce((sum, s) => sum + Math.max(0, s.to - s.from), 0) / 3_600_000;
}
