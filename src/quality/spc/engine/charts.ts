import { type ConstantsMode, sigmaConstants } from './constants';

export const CHART_TYPES = ['xbar-r', 'xbar-s', 'imr', 'p', 'np', 'c', 'u'] as const;
export type ChartType = (typeof CHART_TYPES)[number];
export type VariablesChart = 'xbar-r' | 'xbar-s' | 'imr';

export function isVariablesChart(chart: ChartType): chart is VariablesChart {
  return chart === 'xbar-r' || chart === 'xbar-s' || chart === 'imr';
}

/** How the individuals chart estimates sigma: average moving range / d2(2), or overall SD / c4(m). */
export type ImrSigmaMethod = 'mr' | 'sd';

/**
 * Every plotted point's statistic as parallel typed arrays, filled in one pass over the input: no record per
 * point (at 100,000 subgroups the records and their garbage cost more than the arithmetic). Index i is point i.
 */
export interface SampleSeries {
  /** the plotted statistic: subgroup mean, individual value, proportion, count or rate */
  value: Float64Array;
  /** subgroup or sample size (1 for individuals; a positive real for u and c charts) */
  size: Float64Array;
  /** range (xbar-r) or standard deviation (xbar-s) of the subgroup; empty for other charts */
  spread: Float64Array;
  /** nonconforming items or nonconformities (attributes charts); empty for other charts */
  count: Float64Array;
}

/** The validated input data a series is built from. */
export interface ChartData {
  subgroups?: number[][];
  values?: number[];
  counts?: Array<{ count: number; size?: number }>;
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

/** Sum in index order (the order every estimate has always added in, so results stay bit-identical). */
function sum(xs: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < xs.length; i++) total += xs[i] as number;
  return total;
}

const mean = (xs: ArrayLike<number>) => sum(xs) / xs.length;

export function sampleStandardDeviation(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let squares = 0;
  for (let i = 0; i < xs.length; i++) squares += ((xs[i] as number) - m) ** 2;
  return Math.sqrt(squares / (xs.length - 1));
}

export function range(xs: readonly number[]): number {
  return Math.max(...xs) - Math.min(...xs);
}

/** Builds the plotted series from the validated input data. */
export function buildSeries(chart: ChartType, data: ChartData): SampleSeries {
  const subgroupChart = chart === 'xbar-r' || chart === 'xbar-s';
  const attributesChart = !isVariablesChart(chart);
  const length = (subgroupChart ? data.subgroups : attributesChart ? data.counts : data.values)?.length ?? 0;
  const series: SampleSeries = {
    value: new Float64Array(length),
    size: new Float64Array(length),
    spread: new Float64Array(subgroupChart ? length : 0),
    count: new Float64Array(attributesChart ? length : 0),
  };
  const { value, size, spread, count } = series;
  switch (chart) {
    case 'xbar-r':
    case 'xbar-s': {
      const subgroups = data.subgroups ?? [];
      for (let k = 0; k < length; k++) {
        const g = subgroups[k] as number[];
        // One pass for mean and range (this runs over every measurement).
        let total = 0;
        let min = Infinity;
        let max = -Infinity;
        for (let i = 0; i < g.length; i++) {
          const x = g[i] as number;
          total += x;
          if (x < min) min = x;
          if (x > max) max = x;
        }
        value[k] = total / g.length;
        size[k] = g.length;
        spread[k] = chart === 'xbar-r' ? max - min : sampleStandardDeviation(g);
      }
      break;
    }
    case 'imr': {
      const values = data.values ?? [];
      for (let k = 0; k < length; k++) value[k] = values[k] as number;
      size.fill(1);
      break;
    }
    case 'p':
    case 'np':
    case 'c':
    case 'u': {
      const counts = data.counts ?? [];
      for (let k = 0; k < length; k++) {
        const c = counts[k] as { count: number; size?: number };
        const n = c.size ?? 1;
        value[k] = chart === 'p' || chart === 'u' ? c.count / n : c.count;
        size[k] = n;
        count[k] = c.count;
      }
      break;
    }
  }
  return series;
}

/** The raw observations of the given points, in order (variables charts; none for attributes charts). */
export function observationsOf(chart: ChartType, data: ChartData, indices: ArrayLike<number>): number[] {
  const out: number[] = [];
  if (chart === 'xbar-r' || chart === 'xbar-s') {
    const subgroups = data.subgroups ?? [];
    for (let k = 0; k < indices.length; k++) {
      const g = subgroups[indices[k] as number] as number[];
      for (let i = 0; i < g.length; i++) out.push(g[i] as number);
    }
  } else if (chart === 'imr') {
    const values = data.values ?? [];
    for (let k = 0; k < indices.length; k++) out.push(values[indices[k] as number] as number);
  }
  return out;
}

/**
 * Estimates the process parameters from the base points (phase I, not excluded; `base` holds their indices in
 * series order). x̄ charts with unequal n use the unweighted average of the subgroups' R_i/d2(n_i) or s_i/c4(n_i)
 * (qcc "UWAVE"). The individuals chart's moving ranges are taken over the base re-joined (an excluded point's
 * neighbours form one moving range), as qcc does after the point is removed.
 */
export function estimateParameters(
  chart: ChartType,
  series: SampleSeries,
  base: ArrayLike<number>,
  constants: ConstantsMode,
  imrSigma: ImrSigmaMethod = 'mr',
): ProcessParameters {
  const { value, size, spread, count } = series;
  const m = base.length;
  switch (chart) {
    case 'xbar-r':
    case 'xbar-s': {
      // The constant per size is looked up once per size, not once per subgroup.
      const divisors = new Map<number, number>();
      let weighted = 0;
      let observations = 0;
      let scaled = 0;
      for (let k = 0; k < m; k++) {
        const i = base[k] as number;
        const n = size[i] as number;
        let divisor = divisors.get(n);
        if (divisor === undefined) {
          const c = sigmaConstants(n, constants);
          divisors.set(n, (divisor = chart === 'xbar-r' ? c.d2 : c.c4));
        }
        weighted += (value[i] as number) * n;
        observations += n;
        scaled += (spread[i] as number) / divisor;
      }
      return { center: weighted / observations, sigma: scaled / m };
    }
    case 'imr': {
      const values = new Float64Array(m);
      for (let k = 0; k < m; k++) values[k] = value[base[k] as number] as number;
      const center = mean(values);
      if (imrSigma === 'sd') {
        return { center, sigma: sampleStandardDeviation(values) / sigmaConstants(m, 'exact').c4 };
      }
      let movingRanges = 0;
      for (let k = 1; k < m; k++) movingRanges += Math.abs((values[k] as number) - (values[k - 1] as number));
      return { center, sigma: movingRanges / (m - 1) / sigmaConstants(2, constants).d2 };
    }
    case 'p':
    case 'np':
    case 'c':
    case 'u': {
      let counted = 0;
      let sizes = 0;
      for (let k = 0; k < m; k++) {
        const i = base[k] as number;
        counted += count[i] as number;
        sizes += size[i] as number;
      }
      if (chart === 'c') {
        const c = counted / m;
        return { center: c, sigma: Math.sqrt(c) };
      }
      const p = counted / sizes;
      return { center: p, sigma: chart === 'u' ? Math.sqrt(p) : Math.sqrt(p * (1 - p)) };
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
