/**
 * Run rules (tests for special causes).
 * Western Electric (1956) rules WE1..WE4 and Nelson (1984) rules N1..N8, numbered as in the sources. A rule fires
 * at index i when the window of the rule's length ending at i satisfies it; for "k of m" rules the point at i is
 * itself one of the k (qcc R/rules.R, Minitab). A longer run fires again at every further point. Conventions:
 * "beyond" is strict (a point exactly on a limit or zone boundary is not beyond it), "within 1 sigma" is strict,
 * a point exactly on the center line belongs to neither side and breaks same-side runs, equal consecutive values
 * break trends and alternations (qcc: diffs > 0).
 */

export const WESTERN_ELECTRIC_RULES = ['WE1', 'WE2', 'WE3', 'WE4'] as const;
export const NELSON_RULES = ['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8'] as const;

export type WesternElectricRule = (typeof WESTERN_ELECTRIC_RULES)[number];
export type NelsonRule = (typeof NELSON_RULES)[number];
export type RuleId = WesternElectricRule | NelsonRule;

export const RULE_DESCRIPTIONS: Readonly<Record<RuleId, string>> = {
  WE1: '1 point beyond the control limits',
  WE2: '2 of 3 consecutive points beyond 2 sigma on the same side',
  WE3: '4 of 5 consecutive points beyond 1 sigma on the same side',
  WE4: '8 consecutive points on the same side of the center line',
  N1: '1 point beyond the control limits',
  N2: '9 points in a row on the same side of the center line',
  N3: '6 points in a row steadily increasing or decreasing',
  N4: '14 points in a row alternating up and down',
  N5: '2 of 3 points in a row beyond 2 sigma, same side',
  N6: '4 of 5 points in a row beyond 1 sigma, same side',
  N7: '15 points in a row within 1 sigma of the center line',
  N8: '8 points in a row beyond 1 sigma, none within 1 sigma, on both sides',
};

/** A plotted point with its own center, limits and standard error (sigma of the plotted statistic). */
export interface RulePoint {
  value: number;
  center: number;
  sigma: number;
  ucl: number;
  lcl: number;
}

export function isRuleId(value: unknown): value is RuleId {
  return (
    typeof value === 'string' &&
    ((WESTERN_ELECTRIC_RULES as readonly string[]).includes(value) ||
      (NELSON_RULES as readonly string[]).includes(value))
  );
}

/** Shared answer for a point no rule fires at (most points): never mutated. */
const NONE: RuleId[] = Object.freeze([]) as unknown as RuleId[];

/** Each test as one bit: a point's hits are one integer, and the per-point checks compare numbers, not strings. */
const BEYOND_LIMITS = 1 << 0; // WE1, N1
const TWO_OF_THREE_BEYOND_2 = 1 << 1; // WE2, N5
const FOUR_OF_FIVE_BEYOND_1 = 1 << 2; // WE3, N6
const EIGHT_SAME_SIDE = 1 << 3; // WE4
const NINE_SAME_SIDE = 1 << 4; // N2
const SIX_TRENDING = 1 << 5; // N3
const FOURTEEN_ALTERNATING = 1 << 6; // N4
const FIFTEEN_WITHIN_1 = 1 << 7; // N7
const EIGHT_BEYOND_1_BOTH_SIDES = 1 << 8; // N8

const BITS: Record<RuleId, number> = {
  WE1: BEYOND_LIMITS,
  N1: BEYOND_LIMITS,
  WE2: TWO_OF_THREE_BEYOND_2,
  N5: TWO_OF_THREE_BEYOND_2,
  WE3: FOUR_OF_FIVE_BEYOND_1,
  N6: FOUR_OF_FIVE_BEYOND_1,
  WE4: EIGHT_SAME_SIDE,
  N2: NINE_SAME_SIDE,
  N3: SIX_TRENDING,
  N4: FOURTEEN_ALTERNATING,
  N7: FIFTEEN_WITHIN_1,
  N8: EIGHT_BEYOND_1_BOTH_SIDES,
};

/** The center, standard error and limits a point is judged against. */
export interface RuleLimits {
  center: number;
  /** standard error (sigma) of the plotted statistic: the zones are multiples of it */
  se: number;
  ucl: number;
  lcl: number;
}

/**
 * A series: each point's value and the limits it is judged against. Limits usually depend on the subgroup size
 * only, so each distinct set is listed once and shared: point i's are `limits[at[i]]`, or `limits[0]` for every
 * point when `at` is left out (equal subgroups: no per-point copies or lists at all).
 */
export interface RuleSeries {
  value: ArrayLike<number>;
  limits: readonly RuleLimits[];
  at?: ArrayLike<number>;
}

/** For each point, the rules that fire at it (in the order the rules were given). */
export function evaluateRules(points: readonly RulePoint[], rules: readonly RuleId[]): RuleId[][] {
  const value = Float64Array.from(points, (p) => p.value);
  const limits = points.map((p) => ({ center: p.center, se: p.sigma, ucl: p.ucl, lcl: p.lcl }));
  return evaluateRuleSeries({ value, limits, at: Int32Array.from(points, (_, i) => i) }, rules);
}

/** evaluateRules on a series. */
export function evaluateRuleSeries(series: RuleSeries, rules: readonly RuleId[]): RuleId[][] {
  return Array.from(ruleHits(series, rules), (hits) => firedRules(hits, rules));
}

/**
 * The rules of `rules` whose bits are set in a point's `hits` (from ruleHits), in the order the rules were given.
 * A point where nothing fires (most points) gets the one shared, frozen empty list.
 */
export function firedRules(hits: number, rules: readonly RuleId[]): RuleId[] {
  if (hits === 0) return NONE;
  const fired: RuleId[] = [];
  for (const rule of rules) if (hits & BITS[rule]) fired.push(rule);
  return fired;
}

/**
 * The rules that fire at each point as a bit mask (0: none; firedRules names them): one small typed array instead
 * of a list per point. One pass over the series with run lengths (same side, monotone, alternating, within or
 * beyond 1 sigma), so the cost is linear in the points whatever the rules' window lengths.
 */
export function ruleHits(series: RuleSeries, rules: readonly RuleId[]): Uint16Array {
  const { value, limits, at } = series;
  const n = value.length;
  const out = new Uint16Array(n);
  let wanted = 0; // the bits of every rule asked for
  for (const rule of rules) wanted |= BITS[rule];

  // Rule 1 alone (what the R, S and MR charts are judged by): the limits decide, no z-scores or runs needed.
  if ((wanted & ~BEYOND_LIMITS) === 0) {
    if (wanted === 0) return out;
    for (let i = 0; i < n; i++) {
      const v = value[i] as number;
      const l = (at === undefined ? limits[0] : limits[at[i] as number]) as RuleLimits;
      if (v > l.ucl || v < l.lcl) out[i] = BEYOND_LIMITS;
    }
    return out;
  }

  // The z-scores of the last 8 points (the longest look-back, N8's) in a ring: z(j) is ring[j & 7]. The sides and
  // the signs of the successive differences are only ever compared with the point before: plain variables.
  const ring = new Float64Array(8);
  /** Whether k of the m points ending at i are beyond `beyond` sigma on side s (i's side; i is beyond). */
  const kOfM = (i: number, s: number, k: number, m: number, beyond: number): boolean => {
    if (i < m - 1) return false;
    let count = 0;
    for (let j = i - m + 1; j <= i; j++) if ((ring[j & 7] as number) * s > beyond) count++;
    return count >= k;
  };
  let previousSide = 0;
  let previousDiff = 0;
  let sameSide = 0; // points in a row on one side (a point on the center line breaks it)
  let monotone = 0; // successive differences in a row of one sign (ties break it)
  let alternating = 0; // successive differences in a row alternating in sign
  let within1 = 0; // points in a row within 1 sigma
  let beyond1 = 0; // points in a row beyond 1 sigma
  for (let i = 0; i < n; i++) {
    const v = value[i] as number;
    const l = (at === undefined ? limits[0] : limits[at[i] as number]) as RuleLimits;
    const d = v - l.center;
    const se = l.se;
    const zi = se > 0 ? d / se : d === 0 ? 0 : d > 0 ? Infinity : -Infinity;
    ring[i & 7] = zi;
    // `| 0`: a NaN difference (a NaN value or limit) is on no side and no change; -0 is 0.
    const si = Math.sign(d) | 0;
    const di = i === 0 ? 0 : Math.sign(v - (value[i - 1] as number)) | 0;
    sameSide = si !== 0 ? (previousSide === si ? sameSide + 1 : 1) : 0;
    monotone = di !== 0 ? (previousDiff === di ? monotone + 1 : 1) : 0;
    alternating = di !== 0 ? (previousDiff === -di ? alternating + 1 : 1) : 0;
    within1 = Math.abs(zi) < 1 ? within1 + 1 : 0;
    beyond1 = Math.abs(zi) > 1 ? beyond1 + 1 : 0;
    previousSide = si;
    previousDiff = di;

    let hits = 0;
    if (v > l.ucl || v < l.lcl) hits |= BEYOND_LIMITS;
    // k of m beyond 1 or 2 sigma on one side: only at a point itself beyond 1 sigma (a third of a stable process).
    if (beyond1 > 0 && si !== 0) {
      if (zi * si > 2 && kOfM(i, si, 2, 3, 2)) hits |= TWO_OF_THREE_BEYOND_2;
      if (kOfM(i, si, 4, 5, 1)) hits |= FOUR_OF_FIVE_BEYOND_1;
    }
    if (sameSide >= 8) hits |= EIGHT_SAME_SIDE;
    if (sameSide >= 9) hits |= NINE_SAME_SIDE;
    if (monotone >= 5) hits |= SIX_TRENDING; // 6 points = 5 successive differences of one sign
    if (alternating >= 13) hits |= FOURTEEN_ALTERNATING; // 14 points = 13 differences alternating in sign
    if (within1 >= 15) hits |= FIFTEEN_WITHIN_1;
    if (wanted & EIGHT_BEYOND_1_BOTH_SIDES && beyond1 >= 8) {
      let up = false;
      let down = false;
      for (let j = i - 7; j <= i; j++) {
        if ((ring[j & 7] as number) > 0) up = true;
        else down = true;
      }
      if (up && down) hits |= EIGHT_BEYOND_1_BOTH_SIDES;
    }
    out[i] = hits & wanted; // the cheap tests run always; only the rules asked for count
  }
  return out;
}
