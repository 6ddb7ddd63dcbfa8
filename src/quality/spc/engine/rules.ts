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

/** Rules as small integers, so the per-point loop compares numbers, not strings. */
const CODES: Record<RuleId, number> = {
  WE1: 1,
  N1: 1,
  WE2: 5,
  N5: 5,
  WE3: 6,
  N6: 6,
  WE4: 4,
  N2: 2,
  N3: 3,
  N4: 9,
  N7: 7,
  N8: 8,
};

/** A series as parallel arrays: value, center, sigma of the plotted statistic and limits of each point. */
export interface RuleSeries {
  value: ArrayLike<number>;
  center: ArrayLike<number>;
  sigma: ArrayLike<number>;
  ucl: ArrayLike<number>;
  lcl: ArrayLike<number>;
}

/** For each point, the rules that fire at it (in the order the rules were given). */
export function evaluateRules(points: readonly RulePoint[], rules: readonly RuleId[]): RuleId[][] {
  const n = points.length;
  const series = {
    value: new Float64Array(n),
    center: new Float64Array(n),
    sigma: new Float64Array(n),
    ucl: new Float64Array(n),
    lcl: new Float64Array(n),
  };
  points.forEach((p, i) => {
    series.value[i] = p.value;
    series.center[i] = p.center;
    series.sigma[i] = p.sigma;
    series.ucl[i] = p.ucl;
    series.lcl[i] = p.lcl;
  });
  return evaluateRuleSeries(series, rules);
}

/**
 * evaluateRules on parallel arrays. One pass over the series with run lengths (same side, monotone, alternating,
 * within or beyond 1 sigma), so the cost is linear in the points whatever the rules' window lengths; points where
 * nothing fires share one frozen empty list.
 */
export function evaluateRuleSeries(series: RuleSeries, rules: readonly RuleId[]): RuleId[][] {
  const n = series.value.length;
  const out: RuleId[][] = new Array<RuleId[]>(n);
  const z = new Float64Array(n);
  const side = new Int8Array(n);
  const diff = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const value = series.value[i] as number;
    const d = value - (series.center[i] as number);
    const sigma = series.sigma[i] as number;
    z[i] = sigma > 0 ? d / sigma : d === 0 ? 0 : d > 0 ? Infinity : -Infinity;
    side[i] = Math.sign(d);
    diff[i] = i === 0 ? 0 : Math.sign(value - (series.value[i - 1] as number));
  }
  /** k of the m points ending at i beyond `beyond` sigma on i's side, i itself one of them. */
  const kOfM = (i: number, k: number, m: number, beyond: number): boolean => {
    if (i < m - 1) return false;
    const s = side[i] as number;
    if (s === 0 || (z[i] as number) * s <= beyond) return false;
    let count = 0;
    for (let j = i - m + 1; j <= i; j++) if ((z[j] as number) * s > beyond) count++;
    return count >= k;
  };
  let sameSide = 0; // points in a row on one side (a point on the center line breaks it)
  let monotone = 0; // successive differences in a row of one sign (ties break it)
  let alternating = 0; // successive differences in a row alternating in sign
  let within1 = 0; // points in a row within 1 sigma
  let beyond1 = 0; // points in a row beyond 1 sigma
  const codes = Int8Array.from(rules, (r) => CODES[r]);
  const ruleCount = codes.length;
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number;
    const si = side[i] as number;
    const di = diff[i] as number;
    sameSide = si !== 0 ? (i > 0 && side[i - 1] === si ? sameSide + 1 : 1) : 0;
    monotone = di !== 0 ? (i > 0 && diff[i - 1] === di ? monotone + 1 : 1) : 0;
    alternating = di !== 0 ? (i > 0 && diff[i - 1] === -di ? alternating + 1 : 1) : 0;
    within1 = Math.abs(zi) < 1 ? within1 + 1 : 0;
    beyond1 = Math.abs(zi) > 1 ? beyond1 + 1 : 0;
    let fired: RuleId[] | undefined;
    for (let r = 0; r < ruleCount; r++) {
      let hit: boolean;
      switch (codes[r]) {
        case 1: // WE1, N1: beyond the control limits
          hit =
            (series.value[i] as number) > (series.ucl[i] as number) ||
            (series.value[i] as number) < (series.lcl[i] as number);
          break;
        case 5: // WE2, N5
          hit = kOfM(i, 2, 3, 2);
          break;
        case 6: // WE3, N6
          hit = kOfM(i, 4, 5, 1);
          break;
        case 4: // WE4
          hit = sameSide >= 8;
          break;
        case 2: // N2
          hit = sameSide >= 9;
          break;
        case 3: // N3: 6 points = 5 successive differences of one sign
          hit = monotone >= 5;
          break;
        case 9: // N4: 14 points = 13 successive differences alternating in sign
          hit = alternating >= 13;
          break;
        case 7: // N7
          hit = within1 >= 15;
          break;
        default: {
          // N8: 8 in a row beyond 1 sigma, on both sides
          hit = false;
          if (beyond1 >= 8) {
            let up = false;
            let down = false;
            for (let j = i - 7; j <= i; j++) {
              if ((z[j] as number) > 0) up = true;
              else down = true;
            }
            hit = up && down;
          }
        }
      }
      if (hit) (fired ??= []).push(rules[r] as RuleId);
    }
    out[i] = fired ?? NONE;
  }
  return out;
}
