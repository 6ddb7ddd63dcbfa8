import { type ConstantsMode, sigmaConstants } from './constants';

export const CHART_TYPES = ['xbar-r', 'xbar-s', 'imr', 'p', 'np', 'c', 'u'] as const;
export type ChartType = (typeof CHART_TYPES)[number];
export type VariablesChart = 'xbar-r' | 'xbar-s' | 'imr';

export function isVariablesChart(chart: ChartType): chart is VariablesChart {
  return chart === 'xbar-r' || chart === 'xbar-s' || chart === 'imr';
}

/** How the individuals chart estimates sigma: average moving range / d2(2), or overall SD / c4(m). */
export type ImrSigmaMethod = 'mr' | 'sd';

/** One plotted point's statistic, its subgroup size and (for variables charts) its raw observations. */
export interface ChartSample {
  value: number;
  size: number;
  observations: readonly number[];
  /** range or standard deviation of the subgroup (xbar-r, xbar-s) */
  spread?: number;
  /** count for attributes charts */
  count?: number;
}

/** The process parameters the limits come from: center of the process and its standard deviation. */
export interface ProcessParameters {
  /** grand mean (x̄ charts), mean (individuals), p̄ (p, np), c̄ (c), ū (u) */
  center: number;
  /** process standard deviation: R̄/d2, s̄/c4, MR̄/d2, sqrt(p̄(1−p̄)), sqrt(c̄), sqrt(ū) */
  sigma: number;
}

export interface PointLimits {
  center: number;
  /** standard error of the plotted statistic */
  se: number;
  ucl: number;
  lcl: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function sampleStandardDeviation(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

export function range(xs: readonly number[]): number {
  return Math.max(...xs) - Math.min(...xs);
}

/** Builds the plotted samples from the validated input data. */
export function buildSamples(
  chart: ChartType,
  data: { subgroups?: number[][]; values?: number[]; counts?: Array<{ count: number; size?: number }> },
): ChartSample[] {
  switch (chart) {
    case 'xbar-r':
    case 'xbar-s':
      return (data.subgroups ?? []).map((g) => {
        // One pass for mean and range (this runs over every measurement).
        let sum = 0;
        let min = Infinity;
        let max = -Infinity;
        for (let i = 0; i < g.length; i++) {
          const x = g[i] as number;
          sum += x;
          if (x < min) min = x;
          if (x > max) max = x;
        }
        return {
          value: sum / g.length,
          size: g.length,
          observations: g,
          spread: chart === 'xbar-r' ? max - min : sampleStandardDeviation(g),
        };
      });
    case 'imr':
      return (data.values ?? []).map((v) => ({ value: v, size: 1, observations: [v] }));
    case 'p':
    case 'np':
    case 'c':
    case 'u':
      return (data.counts ?? []).map(({ count, size }) => {
        const n = size ?? 1;
        const value = chart === 'p' || chart === 'u' ? count / n : count;
        return { value, size: n, observations: [], count };
      });
  }
}

/**
 * Estimates the process parameters from the samples of the base (phase I, not excluded), in series order.
 * x̄ charts with unequal n use the unweighted average of the subgroups' R_i/d2(n_i) or s_i/c4(n_i) (qcc "UWAVE").
 * The individuals chart's moving ranges are taken over the base re-joined (an excluded point's neighbours form
 * one moving range), as qcc does after the point is removed.
 */
export function estimateParameters(
  chart: ChartType,
  base: readonly ChartSample[],
  constants: ConstantsMode,
  imrSigma: ImrSigmaMethod = 'mr',
): ProcessParameters {
  const sum = (f: (s: ChartSample) => number) => base.reduce((a, s) => a + f(s), 0);
  switch (chart) {
    case 'xbar-r':
    case 'xbar-s': {
      const center = sum((s) => s.value * s.size) / sum((s) => s.size);
      const sigma =
        sum((s) => {
          const k = sigmaConstants(s.size, constants);
          return (s.spread ?? 0) / (chart === 'xbar-r' ? k.d2 : k.c4);
        }) / base.length;
      return { center, sigma };
    }
    case 'imr': {
      const values = base.map((s) => s.value);
      const center = mean(values);
      if (imrSigma === 'sd') {
        return { center, sigma: sampleStandardDeviation(values) / sigmaConstants(values.length, 'exact').c4 };
      }
      const movingRanges = values.slice(1).map((v, i) => Math.abs(v - (values[i] as number)));
      return { center, sigma: mean(movingRanges) / sigmaConstants(2, constants).d2 };
    }
    case 'p':
    case 'np': {
      const p = sum((s) => s.count ?? 0) / sum((s) => s.size);
      return { center: p, sigma: Math.sqrt(p * (1 - p)) };
    }
    case 'c': {
      const c = sum((s) => s.count ?? 0) / base.length;
      return { center: c, sigma: Math.sqrt(c) };
    }
    case 'u': {
      const u = sum((s) => s.count ?? 0) / sum((s) => s.size);
      return { center: u, sigma: Math.sqrt(u) };
    }
  }
}

function limits(center: number, se: number, nSigma: number, floorAtZero: boolean): PointLimits {
  const lcl = center - nSigma * se;
  return { center, se, ucl: center + nSigma * se, lcl: floorAtZero ? Math.max(0, lcl) : lcl };
}

/** Center, standard error and limits of the main chart for a point of subgroup size n. */
export function pointLimits(
  chart: ChartType,
  params: ProcessParameters,
  n: number,
  nSigma: number,
): PointLimits {
  const { center, sigma } = params;
  switch (chart) {
    case 'xbar-r':
    case 'xbar-s':
      return limits(center, sigma / Math.sqrt(n), nSigma, false);
    case 'imr':
      return limits(center, sigma, nSigma, false);
    case 'p':
    case 'u':
      return limits(center, sigma / Math.sqrt(n), nSigma, true);
    case 'np':
      return limits(center * n, sigma * Math.sqrt(n), nSigma, true);
    case 'c':
      return limits(center, sigma, nSigma, true);
  }
}

export type SecondaryStatistic = 'R' | 'S' | 'MR';

export function secondaryStatistic(chart: ChartType): SecondaryStatistic | undefined {
  switch (chart) {
    case 'xbar-r':
      return 'R';
    case 'xbar-s':
      return 'S';
    case 'imr':
      return 'MR';
    case 'p':
    case 'np':
    case 'c':
    case 'u':
      return undefined;
  }
}

/**
 * Limits of the dispersion chart for subgroup size n (2 for moving ranges): R: d2σ ± k·d3σ; S: c4σ ± k·σ√(1−c4²);
 * LCL floored at 0. With equal n these are R̄ ± k·d3·R̄/d2 and s̄ ± k·s̄√(1−c4²)/c4 (D3/D4 and B3/B4 for k = 3).
 */
export function secondaryLimits(
  statistic: SecondaryStatistic,
  sigma: number,
  n: number,
  nSigma: number,
  constants: ConstantsMode,
): PointLimits {
  const k = sigmaConstants(n, constants);
  if (statistic === 'S') return limits(k.c4 * sigma, sigma * Math.sqrt(1 - k.c4 * k.c4), nSigma, true);
  return limits(k.d2 * sigma, k.d3 * sigma, nSigma, true);
}
