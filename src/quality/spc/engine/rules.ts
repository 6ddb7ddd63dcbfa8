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

function zScore(p: RulePoint): number {
  const d = p.value - p.center;
  if (p.sigma > 0) return d / p.sigma;
  return d === 0 ? 0 : d > 0 ? Infinity : -Infinity;
}

/** For each point, the rules that fire at it (in the order the rules were given). */
export function evaluateRules(points: readonly RulePoint[], rules: readonly RuleId[]): RuleId[][] {
  const z = points.map(zScore);
  const side = points.map((p) => Math.sign(p.value - p.center));
  const diff = points.map((p, i) => (i === 0 ? 0 : Math.sign(p.value - (points[i - 1] as RulePoint).value)));
  const at = (a: number[], i: number) => a[i] as number;

  const window = (i: number, length: number, test: (j: number) => boolean): boolean => {
    if (i < length - 1) return false;
    for (let j = i - length + 1; j <= i; j++) if (!test(j)) return false;
    return true;
  };
  const kOfM = (i: number, k: number, m: number, beyond: number): boolean => {
    if (i < m - 1) return false;
    const s = at(side, i);
    if (s === 0 || at(z, i) * s <= beyond) return false;
    let count = 0;
    for (let j = i - m + 1; j <= i; j++) if (at(z, j) * s > beyond) count++;
    return count >= k;
  };
  const sameSide = (i: number, length: number) =>
    window(i, length, (j) => at(side, j) !== 0 && at(side, j) === at(side, i));
  const beyondLimits = (i: number) => {
    const p = points[i] as RulePoint;
    return p.value > p.ucl || p.value < p.lcl;
  };

  const test = (rule: RuleId, i: number): boolean => {
    switch (rule) {
      case 'WE1':
      case 'N1':
        return beyondLimits(i);
      case 'WE2':
      case 'N5':
        return kOfM(i, 2, 3, 2);
      case 'WE3':
      case 'N6':
        return kOfM(i, 4, 5, 1);
      case 'WE4':
        return sameSide(i, 8);
      case 'N2':
        return sameSide(i, 9);
      case 'N3':
        // 6 points = 5 successive differences of one sign
        return i >= 5 && at(diff, i) !== 0 && window(i, 5, (j) => at(diff, j) === at(diff, i));
      case 'N4':
        // 14 points = 13 successive differences alternating in sign
        return window(i, 13, (j) => at(diff, j) !== 0 && (j === i - 12 || at(diff, j) === -at(diff, j - 1)));
      case 'N7':
        return window(i, 15, (j) => Math.abs(at(z, j)) < 1);
      case 'N8': {
        if (!window(i, 8, (j) => Math.abs(at(z, j)) > 1)) return false;
        let up = false;
        let down = false;
        for (let j = i - 7; j <= i; j++) {
          if (at(z, j) > 0) up = true;
          else down = true;
        }
        return up && down;
      }
    }
  };

  return points.map((_, i) => rules.filter((rule) => test(rule, i)));
}
