/**
 * Delay before the next attempt: exponential in the attempt number, capped, with "equal jitter" (half
 * fixed, half random) so retries spread out but still grow. A receiver's Retry-After wins when longer.
 */
export function retryDelayMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exp / 2 + random() * (exp / 2));
  return retryAfterMs !== undefined && retryAfterMs > jittered
    ? Math.min(retryAfterMs, 24 * 3600 * 1000)
    : jittered;
}

/** Parses Retry-After: delta-seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
