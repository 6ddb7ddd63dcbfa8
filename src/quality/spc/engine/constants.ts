/**
 * Shewhart control chart constants by subgroup size.
 *
 * - "exact": d2 and d3 by numerical integration over the normal range distribution, c4 by its gamma-function
 *   closed form (formulas: SAS/QC "Deriving Control Chart Constants"; c4 as in qcc R/qcc.R qcc.c4()); the
 *   k-dependent factors (A2, A3, B3, B4, D3, D4, E2) are derived from them. Any n ≥ 2.
 * - "table": the printed values, copied from test/fixtures/spc/constants.json "tabulated" (n = 2..25): n = 2..21
 *   Table A.22 "Factors for Constructing Control Charts" (textbook appendix p. 766); n = 22..25 A2, A3, c4, B3, B4
 *   from The Handbook for Quality Management p. 414, D3/D4 from AVEVA Plant SCADA "Control Chart Line Constants",
 *   d2 from qcc R/utilities.R, d3 = exact rounded to 3 dp. E2 is printed for n = 2 only.
 */

export type ConstantsMode = 'table' | 'exact';

export interface ChartConstants {
  n: number;
  d2: number;
  d3: number;
  c4: number;
  A2: number;
  A3: number;
  B3: number;
  B4: number;
  D3: number;
  D4: number;
  E2: number;
}

type TabulatedRow = Omit<ChartConstants, 'n' | 'E2'> & { E2?: number };

/** Largest subgroup size the printed table covers. */
export const TABLE_MAX_N = 25;

export const TABULATED_CONSTANTS: Readonly<Record<number, TabulatedRow>> = {
  2: {
    d2: 1.128,
    d3: 0.853,
    c4: 0.7979,
    A2: 1.88,
    A3: 2.659,
    B3: 0.0,
    B4: 3.267,
    D3: 0.0,
    D4: 3.267,
    E2: 2.66,
  },
  3: { d2: 1.693, d3: 0.888, c4: 0.8862, A2: 1.023, A3: 1.954, B3: 0.0, B4: 2.568, D3: 0.0, D4: 2.574 },
  4: { d2: 2.059, d3: 0.88, c4: 0.9213, A2: 0.729, A3: 1.628, B3: 0.0, B4: 2.266, D3: 0.0, D4: 2.282 },
  5: { d2: 2.326, d3: 0.864, c4: 0.94, A2: 0.577, A3: 1.427, B3: 0.0, B4: 2.089, D3: 0.0, D4: 2.114 },
  6: { d2: 2.534, d3: 0.848, c4: 0.9515, A2: 0.483, A3: 1.287, B3: 0.03, B4: 1.97, D3: 0.0, D4: 2.004 },
  7: { d2: 2.704, d3: 0.833, c4: 0.9594, A2: 0.419, A3: 1.182, B3: 0.118, B4: 1.882, D3: 0.076, D4: 1.924 },
  8: { d2: 2.847, d3: 0.82, c4: 0.965, A2: 0.373, A3: 1.099, B3: 0.185, B4: 1.815, D3: 0.136, D4: 1.864 },
  9: { d2: 2.97, d3: 0.808, c4: 0.9693, A2: 0.337, A3: 1.032, B3: 0.239, B4: 1.761, D3: 0.184, D4: 1.816 },
  10: { d2: 3.078, d3: 0.797, c4: 0.9727, A2: 0.308, A3: 0.975, B3: 0.284, B4: 1.716, D3: 0.223, D4: 1.777 },
  11: { d2: 3.173, d3: 0.787, c4: 0.9754, A2: 0.285, A3: 0.927, B3: 0.321, B4: 1.679, D3: 0.256, D4: 1.744 },
  12: { d2: 3.258, d3: 0.778, c4: 0.9776, A2: 0.266, A3: 0.886, B3: 0.354, B4: 1.646, D3: 0.283, D4: 1.717 },
  13: { d2: 3.336, d3: 0.77, c4: 0.9794, A2: 0.249, A3: 0.85, B3: 0.382, B4: 1.618, D3: 0.307, D4: 1.693 },
  14: { d2: 3.407, d3: 0.763, c4: 0.981, A2: 0.235, A3: 0.817, B3: 0.406, B4: 1.594, D3: 0.328, D4: 1.672 },
  15: { d2: 3.472, d3: 0.756, c4: 0.9823, A2: 0.223, A3: 0.789, B3: 0.428, B4: 1.572, D3: 0.347, D4: 1.653 },
  16: { d2: 3.532, d3: 0.75, c4: 0.9835, A2: 0.212, A3: 0.763, B3: 0.448, B4: 1.552, D3: 0.363, D4: 1.637 },
  17: { d2: 3.588, d3: 0.744, c4: 0.9845, A2: 0.203, A3: 0.739, B3: 0.466, B4: 1.534, D3: 0.378, D4: 1.622 },
  18: { d2: 3.64, d3: 0.739, c4: 0.9854, A2: 0.194, A3: 0.718, B3: 0.482, B4: 1.518, D3: 0.391, D4: 1.608 },
  19: { d2: 3.689, d3: 0.734, c4: 0.9862, A2: 0.187, A3: 0.698, B3: 0.497, B4: 1.503, D3: 0.403, D4: 1.597 },
  20: { d2: 3.735, d3: 0.729, c4: 0.9869, A2: 0.18, A3: 0.68, B3: 0.51, B4: 1.49, D3: 0.415, D4: 1.585 },
  21: { d2: 3.778, d3: 0.724, c4: 0.9876, A2: 0.173, A3: 0.663, B3: 0.523, B4: 1.477, D3: 0.425, D4: 1.575 },
  22: { d2: 3.819, d3: 0.72, c4: 0.9882, A2: 0.167, A3: 0.647, B3: 0.534, B4: 1.466, D3: 0.434, D4: 1.566 },
  23: { d2: 3.858, d3: 0.716, c4: 0.9887, A2: 0.162, A3: 0.633, B3: 0.545, B4: 1.455, D3: 0.443, D4: 1.557 },
  24: { d2: 3.895, d3: 0.712, c4: 0.9892, A2: 0.157, A3: 0.619, B3: 0.555, B4: 1.445, D3: 0.451, D4: 1.548 },
  25: { d2: 3.931, d3: 0.708, c4: 0.9896, A2: 0.153, A3: 0.606, B3: 0.565, B4: 1.435, D3: 0.459, D4: 1.541 },
};

const SQRT2 = Math.SQRT2;
const SQRT_PI = Math.sqrt(Math.PI);

/** erfc(z) for z ≥ 0, accurate to ~1e-15: a positive-term series below 3, a continued fraction above. */
function erfcNonNegative(z: number): number {
  if (z < 3) {
    let term = z;
    let sum = z;
    for (let k = 1; k < 200; k++) {
      term *= (2 * z * z) / (2 * k + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-z * z) * sum;
  }
  // erfc(z) = exp(-z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))), evaluated from the tail.
  let fraction = z;
  for (let k = 80; k >= 1; k--) fraction = z + k / 2 / fraction;
  return Math.exp(-z * z) / SQRT_PI / fraction;
}

/** Standard normal cumulative distribution function Φ(x). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const tail = 0.5 * erfcNonNegative(Math.abs(x) / SQRT2);
  return x >= 0 ? 1 - tail : tail;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let a = LANCZOS[0] as number;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += (LANCZOS[i] as number) / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** c4(n) = E[s]/σ = sqrt(2/(n−1)) · Γ(n/2) / Γ((n−1)/2). */
export function exactC4(n: number): number {
  return Math.sqrt(2 / (n - 1)) * Math.exp(logGamma(n / 2) - logGamma((n - 1) / 2));
}

const GRID_LIMIT = 9;
const cache = new Map<number, { d2: number; d3: number }>();

/** ∫ and ∫∫ of the range distribution by the trapezoid rule on a grid, Richardson-extrapolated. */
function rangeMoments(n: number, h: number): { d2: number; ew2: number } {
  const m = Math.round((2 * GRID_LIMIT) / h);
  const phi: number[] = new Array<number>(m + 1);
  for (let i = 0; i <= m; i++) phi[i] = normalCdf(-GRID_LIMIT + i * h);
  const weight = (i: number, last: number) => (i === 0 || i === last ? 0.5 : 1);
  let d2 = 0;
  let ew2 = 0;
  for (let i = 0; i <= m; i++) {
    const p1 = phi[i] as number;
    const p1n = p1 ** n;
    d2 += weight(i, m) * (1 - p1n - (1 - p1) ** n);
    // E[W²] = 2 ∫∫_{x2<x1} [1 − Φ(x1)^n − (1 − Φ(x2))^n + (Φ(x1) − Φ(x2))^n] dx2 dx1
    let inner = 0;
    for (let j = 0; j <= i; j++) {
      const p2 = phi[j] as number;
      inner += weight(j, i) * (1 - p1n - (1 - p2) ** n + (p1 - p2) ** n);
    }
    ew2 += weight(i, m) * (i === 0 ? 0 : inner * h);
  }
  return { d2: d2 * h, ew2: 2 * ew2 * h };
}

function exactRangeConstants(n: number): { d2: number; d3: number } {
  const hit = cache.get(n);
  if (hit) return hit;
  const fine = rangeMoments(n, 0.01);
  const coarse = rangeMoments(n, 0.02);
  const d2 = (4 * fine.d2 - coarse.d2) / 3;
  const ew2 = (4 * fine.ew2 - coarse.ew2) / 3;
  const value = { d2, d3: Math.sqrt(ew2 - d2 * d2) };
  cache.set(n, value);
  return value;
}

/** d2(n) = E[W]/σ for the range W of n normal observations. */
export function exactD2(n: number): number {
  return exactRangeConstants(n).d2;
}

/** d3(n) = SD[W]/σ. */
export function exactD3(n: number): number {
  return exactRangeConstants(n).d3;
}

/** All constants for subgroup size n; the derived factors are for k-sigma limits (k = 3 in every table). */
export function exactConstants(n: number, k = 3): ChartConstants {
  const { d2, d3 } = exactRangeConstants(n);
  const c4 = exactC4(n);
  const sRatio = (k * Math.sqrt(1 - c4 * c4)) / c4;
  return {
    n,
    d2,
    d3,
    c4,
    A2: k / (d2 * Math.sqrt(n)),
    A3: k / (c4 * Math.sqrt(n)),
    B3: Math.max(0, 1 - sRatio),
    B4: 1 + sRatio,
    D3: Math.max(0, 1 - (k * d3) / d2),
    D4: 1 + (k * d3) / d2,
    E2: k / d2,
  };
}

/** The printed constants for n, or undefined when the table has no row for n (n < 2 or n > 25). */
export function tableConstants(n: number): ChartConstants | undefined {
  const row = TABULATED_CONSTANTS[n];
  if (!row) return undefined;
  return { n, ...row, E2: row.E2 ?? 3 / row.d2 };
}

/**
 * The constants the charts estimate sigma with. `mode` picks the printed or exact d2 and c4 (the SPC contract);
 * d3 is always exact: the printed 3-decimal d3 moves R-chart limits by more than the sources round (qcc prints
 * R-chart limits computed with a 7-decimal d3), and it only scales the R and MR chart widths.
 */
export function sigmaConstants(n: number, mode: ConstantsMode): { d2: number; d3: number; c4: number } {
  const exact = exactRangeConstants(n);
  if (mode === 'exact') return { d2: exact.d2, d3: exact.d3, c4: exactC4(n) };
  const row = TABULATED_CONSTANTS[n];
  if (!row) throw new RangeError(`no printed constants for subgroup size ${n}`);
  return { d2: row.d2, d3: exact.d3, c4: row.c4 };
}
