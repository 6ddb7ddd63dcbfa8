import { type Capability, computeCapability, type SpecLimits } from './capability';
import {
  buildSeries,
  CHART_TYPES,
  type ChartData,
  type ChartType,
  estimateParameters,
  type ImrSigmaMethod,
  isVariablesChart,
  observationsOf,
  type PointLimits,
  pointLimits,
  type ProcessParameters,
  type SampleSeries,
  secondaryLimits,
  secondaryStatistic,
  type SecondaryStatistic,
} from './charts';
import { type ConstantsMode, TABLE_MAX_N } from './constants';
import {
  firedRules,
  isRuleId,
  NELSON_RULES,
  type RuleId,
  ruleHits,
  type RuleSeries,
  WESTERN_ELECTRIC_RULES,
} from './rules';

export type { Capability, SpecLimits } from './capability';
export type { ChartType, ImrSigmaMethod, SecondaryStatistic } from './charts';
export type { ConstantsMode } from './constants';
export type { RuleId } from './rules';

/** An excluded phase-I point (assignable cause): its index and why. */
export interface SpcExclusion {
  index: number;
  reason?: string;
}

/** Limits frozen from an earlier phase I: the process center and sigma they were computed from. */
export interface SpcFrozenLimits {
  center: number;
  sigma: number;
  version?: string;
}

/**
 * The body of POST /api/v1/quality/spc/analyze. Indices are 0-based. Numbers in `rules` are Nelson's rule numbers;
 * rule ids ("WE1".."WE4", "N1".."N8") pick single rules of either set (e.g. qcc's default ["WE1", "WE4"]).
 */
export interface SpcAnalyzeInput {
  chart: ChartType;
  subgroups?: number[][];
  values?: number[];
  counts?: Array<{ count: number; size?: number }>;
  phaseI?: { first: number; last: number };
  exclude?: Array<number | SpcExclusion>;
  nSigma?: number;
  rules?: 'we' | 'nelson' | Array<number | RuleId>;
  spec?: SpecLimits;
  constants?: ConstantsMode;
  /** individuals chart only: sigma from MR̄/d2(2) (default) or overall SD/c4 */
  sigmaMethod?: ImrSigmaMethod;
  /** judge every point against these limits instead of estimating them (phase II of a frozen phase I) */
  frozen?: SpcFrozenLimits;
}

export interface SpcPoint {
  index: number;
  value: number;
  center: number;
  ucl: number;
  lcl: number;
  /** standard error of the plotted statistic at this point (zones are multiples of it) */
  se: number;
  phase: 'I' | 'II';
  excluded: boolean;
  exclusionReason?: string;
  violations: RuleId[];
}

export interface SpcSecondaryPoint {
  index: number;
  value: number;
  center: number;
  ucl: number;
  lcl: number;
  violations: RuleId[];
}

export interface SpcSecondaryChart {
  statistic: SecondaryStatistic;
  center: number | number[];
  ucl: number | number[];
  lcl: number | number[];
  points: SpcSecondaryPoint[];
}

/** What the limits were computed from, with a version that changes whenever the limits do. */
export interface SpcLimitsBasis {
  source: 'phaseI' | 'frozen';
  first?: number;
  last?: number;
  excluded: SpcExclusion[];
  center: number;
  sigma: number;
  nSigma: number;
  constants: ConstantsMode;
  version: string;
}

export interface SpcAnalysis {
  chart: ChartType;
  center: number | number[];
  ucl: number | number[];
  lcl: number | number[];
  secondary?: SpcSecondaryChart;
  /** estimated process standard deviation (R̄/d2, s̄/c4, MR̄/d2, sqrt(p̄(1−p̄)), sqrt(c̄), sqrt(ū)) */
  sigma: number;
  nSigma: number;
  rules: RuleId[];
  limits: SpcLimitsBasis;
  points: SpcPoint[];
  capability?: Capability;
}

export interface SpcFieldError {
  field: string;
  message: string;
}

export class SpcInputError extends Error {
  constructor(readonly errors: SpcFieldError[]) {
    super(`invalid SPC input: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    this.name = 'SpcInputError';
  }
}

const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isIndex = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;

function resolveRules(rules: SpcAnalyzeInput['rules'], errors: SpcFieldError[]): RuleId[] {
  if (rules === undefined || rules === 'we') return [...WESTERN_ELECTRIC_RULES];
  if (rules === 'nelson') return [...NELSON_RULES];
  if (!Array.isArray(rules)) {
    errors.push({ field: 'rules', message: 'must be "we", "nelson" or a list of rule numbers or ids' });
    return [];
  }
  const ids: RuleId[] = [];
  rules.forEach((rule: unknown, i) => {
    const id = typeof rule === 'number' ? `N${rule}` : rule;
    if (isRuleId(id) && (typeof rule !== 'number' || Number.isInteger(rule))) {
      if (!ids.includes(id)) ids.push(id);
    } else {
      errors.push({
        field: `rules[${i}]`,
        message: `unknown rule ${JSON.stringify(rule)} (Nelson numbers 1-8 or ids WE1-WE4, N1-N8)`,
      });
    }
  });
  return ids;
}

interface Validated {
  chart: ChartType;
  data: ChartData;
  series: SampleSeries;
  first: number;
  last: number;
  excluded: Map<number, string | undefined>;
  nSigma: number;
  rules: RuleId[];
  constants: ConstantsMode;
  sigmaMethod: ImrSigmaMethod;
  spec?: SpecLimits;
  frozen?: SpcFrozenLimits;
}

function validate(input: SpcAnalyzeInput): Validated {
  const errors: SpcFieldError[] = [];
  const raw = (input ?? {}) as unknown as Record<string, unknown>;
  const chart = raw.chart as ChartType;
  if (!(CHART_TYPES as readonly unknown[]).includes(chart)) {
    throw new SpcInputError([{ field: 'chart', message: `must be one of ${CHART_TYPES.join(', ')}` }]);
  }
  const constants = (raw.constants ?? 'table') as ConstantsMode;
  if (constants !== 'table' && constants !== 'exact') {
    errors.push({ field: 'constants', message: 'must be "table" or "exact"' });
  }
  const dataField =
    chart === 'xbar-r' || chart === 'xbar-s' ? 'subgroups' : chart === 'imr' ? 'values' : 'counts';
  for (const field of ['subgroups', 'values', 'counts']) {
    if (field !== dataField && raw[field] !== undefined) {
      errors.push({ field, message: `not used by a ${chart} chart (it takes ${dataField})` });
    }
  }
  const data = raw[dataField];
  let length = 0;
  if (!Array.isArray(data) || data.length === 0) {
    errors.push({ field: dataField, message: `a ${chart} chart needs a non-empty ${dataField} array` });
  } else {
    length = data.length;
    for (let i = 0; i < data.length; i++) {
      const item: unknown = data[i];
      if (dataField === 'subgroups') {
        // A tight loop: this runs over every measurement (half a million for 100,000 subgroups of 5).
        if (!Array.isArray(item)) {
          errors.push({ field: `subgroups[${i}]`, message: 'must be an array of numbers' });
          continue;
        }
        const size = item.length;
        if (size < 2)
          errors.push({
            field: `subgroups[${i}]`,
            message: `a subgroup needs at least 2 values (has ${size})`,
          });
        else if (constants === 'table' && size > TABLE_MAX_N) {
          errors.push({
            field: `subgroups[${i}]`,
            message: `subgroup size ${size} is beyond the printed constants (n ≤ ${TABLE_MAX_N}); use constants "exact"`,
          });
        }
        for (let j = 0; j < size; j++) {
          // Number.isFinite is false for anything but a finite number (no typeof check needed).
          if (!Number.isFinite(item[j] as unknown))
            errors.push({ field: `subgroups[${i}][${j}]`, message: 'must be a finite number' });
        }
        continue;
      }
      const at = `${dataField}[${i}]`;
      if (dataField === 'values') {
        if (!isFiniteNumber(item)) errors.push({ field: at, message: 'must be a finite number' });
      } else {
        const c = (item ?? {}) as { count?: unknown; size?: unknown };
        const needsInteger = chart !== 'u';
        if (!isIndex(c.count))
          errors.push({ field: `${at}.count`, message: 'must be a non-negative integer' });
        if (chart === 'c') {
          if (c.size !== undefined && !(isFiniteNumber(c.size) && c.size > 0)) {
            errors.push({ field: `${at}.size`, message: 'must be a positive number' });
          } else if (c.size !== undefined && c.size !== ((data[0] ?? {}) as { size?: unknown }).size) {
            errors.push({ field: `${at}.size`, message: 'a c chart needs equal sizes (use a u chart)' });
          }
        } else if (!isFiniteNumber(c.size) || c.size <= 0 || (needsInteger && !Number.isInteger(c.size))) {
          errors.push({
            field: `${at}.size`,
            message: needsInteger ? 'must be a positive integer' : 'must be a positive number',
          });
        } else if ((chart === 'p' || chart === 'np') && isIndex(c.count) && c.count > c.size) {
          errors.push({ field: `${at}.count`, message: `count ${c.count} exceeds size ${c.size}` });
        }
      }
    }
    if (chart === 'imr' && length < 2)
      errors.push({ field: 'values', message: 'an individuals chart needs at least 2 values' });
  }

  const nSigma = raw.nSigma ?? 3;
  if (!isFiniteNumber(nSigma) || nSigma <= 0)
    errors.push({ field: 'nSigma', message: 'must be a positive number' });
  const rules = resolveRules(raw.rules as SpcAnalyzeInput['rules'], errors);
  const sigmaMethod = (raw.sigmaMethod ?? 'mr') as ImrSigmaMethod;
  if (sigmaMethod !== 'mr' && sigmaMethod !== 'sd')
    errors.push({ field: 'sigmaMethod', message: 'must be "mr" or "sd"' });
  else if (raw.sigmaMethod !== undefined && chart !== 'imr') {
    errors.push({ field: 'sigmaMethod', message: 'only the individuals chart (imr) has a sigma method' });
  }

  let first = 0;
  let last = Math.max(0, length - 1);
  const frozen = raw.frozen as SpcFrozenLimits | undefined;
  if (frozen !== undefined) {
    const f = (frozen ?? {}) as unknown as Record<string, unknown>;
    if (!isFiniteNumber(f.center))
      errors.push({ field: 'frozen.center', message: 'must be a finite number' });
    if (!isFiniteNumber(f.sigma) || f.sigma < 0)
      errors.push({ field: 'frozen.sigma', message: 'must be a non-negative number' });
    if (raw.phaseI !== undefined)
      errors.push({ field: 'phaseI', message: 'frozen limits are not re-estimated from a phase I' });
    if (raw.exclude !== undefined)
      errors.push({ field: 'exclude', message: 'frozen limits are not re-estimated without points' });
  }
  if (raw.phaseI !== undefined) {
    const p = (raw.phaseI ?? {}) as Record<string, unknown>;
    if (!isIndex(p.first) || (length > 0 && p.first >= length)) {
      errors.push({ field: 'phaseI.first', message: `must be an index from 0 to ${length - 1}` });
    } else first = p.first;
    if (!isIndex(p.last) || (length > 0 && p.last >= length)) {
      errors.push({ field: 'phaseI.last', message: `must be an index from 0 to ${length - 1}` });
    } else if (p.last < first) {
      errors.push({ field: 'phaseI.last', message: 'must not be before phaseI.first' });
    } else last = p.last;
  }
  const excluded = new Map<number, string | undefined>();
  if (raw.exclude !== undefined && frozen === undefined) {
    if (!Array.isArray(raw.exclude))
      errors.push({ field: 'exclude', message: 'must be an array of indices' });
    else {
      raw.exclude.forEach((e: unknown, i) => {
        const entry = (typeof e === 'object' && e !== null ? e : { index: e }) as {
          index?: unknown;
          reason?: unknown;
        };
        if (!isIndex(entry.index) || entry.index >= length) {
          errors.push({ field: `exclude[${i}]`, message: `must be an index from 0 to ${length - 1}` });
        } else if (entry.index < first || entry.index > last) {
          errors.push({
            field: `exclude[${i}]`,
            message: `index ${entry.index} is outside phase I (${first}..${last})`,
          });
        } else if (entry.reason !== undefined && typeof entry.reason !== 'string') {
          errors.push({ field: `exclude[${i}].reason`, message: 'must be a string' });
        } else excluded.set(entry.index, entry.reason);
      });
      const kept = last - first + 1 - excluded.size;
      if (length > 0 && kept < (chart === 'imr' ? 2 : 1)) {
        errors.push({
          field: 'exclude',
          message: `leaves ${kept} phase-I point(s): too few to compute limits`,
        });
      }
    }
  }

  let spec: SpecLimits | undefined;
  if (raw.spec !== undefined) {
    const s = (raw.spec ?? {}) as Record<string, unknown>;
    if (!isVariablesChart(chart))
      errors.push({ field: 'spec', message: 'capability needs a variables chart (xbar-r, xbar-s, imr)' });
    for (const k of ['lsl', 'usl', 'target'] as const) {
      if (s[k] !== undefined && !isFiniteNumber(s[k]))
        errors.push({ field: `spec.${k}`, message: 'must be a finite number' });
    }
    if (s.lsl === undefined && s.usl === undefined)
      errors.push({ field: 'spec', message: 'needs lsl, usl or both' });
    if (isFiniteNumber(s.lsl) && isFiniteNumber(s.usl) && s.lsl >= s.usl) {
      errors.push({ field: 'spec.lsl', message: 'must be below spec.usl' });
    }
    spec = s;
  }

  if (errors.length > 0) throw new SpcInputError(errors);
  const chartData: ChartData = raw; // its data field checked above
  return {
    chart,
    data: chartData,
    series: buildSeries(chart, chartData),
    first,
    last,
    excluded,
    nSigma: nSigma as number,
    rules,
    constants,
    sigmaMethod,
    spec,
    frozen,
  };
}

/** FNV-1a (32 bit) of the limits' basis: a stable version for frozen phase-I limits. */
function limitsVersion(parts: unknown): string {
  const text = JSON.stringify(parts);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `spc-${hash.toString(16).padStart(8, '0')}`;
}

/** A series with the limits of its points (see RuleSeries: each distinct set listed once). */
interface SeriesLimits extends RuleSeries {
  value: Float64Array;
  limits: PointLimits[];
  at?: Int32Array;
}

/** Point k's limits. */
const limitsAt = (series: SeriesLimits, k: number): PointLimits =>
  (series.at === undefined ? series.limits[0] : series.limits[series.at[k] as number]) as PointLimits;

/**
 * Limits depend on the subgroup size only, so they are computed once per size. Point k's size is
 * `sizes[k + offset]` (offset 1 for moving ranges, point k spanning individuals k and k + 1).
 */
function seriesLimits(
  value: Float64Array,
  sizes: Float64Array,
  offset: number,
  limitsFor: (n: number) => PointLimits,
): SeriesLimits {
  const m = value.length;
  const size = sizes[offset] as number;
  let k = 0;
  while (k < m && sizes[k + offset] === size) k++;
  // Equal subgroups (the usual case): one set of limits, no per-point index.
  if (k === m) return { value, limits: m > 0 ? [limitsFor(size)] : [] };
  const limits: PointLimits[] = [];
  const bySize = new Map<number, number>(); // size → its limits' position in `limits`
  const at = new Int32Array(m);
  for (k = 0; k < m; k++) {
    const n = sizes[k + offset] as number;
    let j = bySize.get(n);
    if (j === undefined) {
      bySize.set(n, (j = limits.length));
      limits.push(limitsFor(n));
    }
    at[k] = j;
  }
  return { value, limits, at };
}

/**
 * The series' center, UCL or LCL for the response: one number when the subgroups all have one size; with sizes
 * that vary, one per point, or still one number when every point's is the same and not `perPoint`.
 */
function collapse(series: SeriesLimits, key: 'center' | 'ucl' | 'lcl', perPoint = false): number | number[] {
  const { limits, at } = series;
  const head = (limits[0] as PointLimits)[key];
  if (at === undefined) return head;
  const values = Array.from(at, (j) => (limits[j] as PointLimits)[key]);
  return !perPoint && values.every((x) => x === head) ? head : values;
}

export function analyze(input: SpcAnalyzeInput): SpcAnalysis {
  const v = validate(input);
  const { chart, series, first, last, excluded, nSigma, rules, constants } = v;
  const count = series.value.length;
  const base = new Int32Array(last - first + 1 - excluded.size);
  for (let i = first, b = 0; i <= last; i++) if (!excluded.has(i)) base[b++] = i;

  const params: ProcessParameters = v.frozen
    ? { center: v.frozen.center, sigma: v.frozen.sigma }
    : estimateParameters(chart, series, base, constants, v.sigmaMethod);

  const main = seriesLimits(series.value, series.size, 0, (n) => pointLimits(chart, params, n, nSigma));
  const variableSize = main.at !== undefined;
  const phaseI = v.frozen ? undefined : { first, last };
  const points = mainPoints(main, ruleHits(main, rules), rules, phaseI, excluded);

  const basis = {
    chart,
    center: params.center,
    sigma: params.sigma,
    nSigma,
    constants,
    ...(v.frozen ? {} : { first, last, excluded: [...excluded.keys()].sort((a, b) => a - b) }),
  };
  const limits: SpcLimitsBasis = {
    source: v.frozen ? 'frozen' : 'phaseI',
    ...(v.frozen ? {} : { first, last }),
    excluded: [...excluded.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, reason]) => (reason === undefined ? { index } : { index, reason })),
    center: params.center,
    sigma: params.sigma,
    nSigma,
    constants,
    version: v.frozen?.version ?? limitsVersion(basis),
  };

  const analysis: SpcAnalysis = {
    chart,
    center: collapse(main, 'center'),
    ucl: collapse(main, 'ucl', variableSize),
    lcl: collapse(main, 'lcl', variableSize),
    sigma: params.sigma,
    nSigma,
    rules,
    limits,
    points,
  };

  const statistic = secondaryStatistic(chart);
  if (statistic) analysis.secondary = secondaryChart(statistic, series, params.sigma, v, variableSize);

  if (v.spec) {
    const basisIndices = v.frozen ? Int32Array.from({ length: count }, (_, i) => i) : base;
    const observations = observationsOf(chart, v.data, basisIndices);
    analysis.capability = computeCapability(v.spec, params.center, params.sigma, observations);
  }
  return analysis;
}

/*
 * The loops over every point (mainPoints, secondaryPoints, movingRanges, seriesLimits, the rules) live in small
 * functions of their own: V8 optimizes such a function whole, instead of entering a long function's optimized code
 * mid-loop and dropping out of it again at the first cold statement after the loop, on every call.
 */

/** The main chart's points, each built once with its final shape (same keys in the same order: one hidden class). */
function mainPoints(
  series: SeriesLimits,
  hits: Uint16Array,
  rules: readonly RuleId[],
  phaseI: { first: number; last: number } | undefined,
  excluded: Map<number, string | undefined>,
): SpcPoint[] {
  const { value } = series;
  const count = value.length;
  const first = phaseI ? phaseI.first : count;
  const last = phaseI ? phaseI.last : -1;
  const points: SpcPoint[] = new Array<SpcPoint>(count);
  for (let i = 0; i < count; i++) {
    const l = limitsAt(series, i);
    const isExcluded = excluded.size > 0 && excluded.has(i);
    const point: SpcPoint = {
      index: i,
      value: value[i] as number,
      center: l.center,
      ucl: l.ucl,
      lcl: l.lcl,
      se: l.se,
      phase: i >= first && i <= last ? 'I' : 'II',
      excluded: isExcluded,
      violations: firedRules(hits[i] as number, rules),
    };
    // The rare excluded point with a reason gets one more key (after the others, as the response always had it).
    const reason = isExcluded ? excluded.get(i) : undefined;
    if (reason !== undefined) point.exclusionReason = reason;
    points[i] = point;
  }
  return points;
}

/** |x[k + 1] − x[k]| for every pair of neighbours. */
function movingRanges(individuals: Float64Array): Float64Array {
  const ranges = new Float64Array(Math.max(0, individuals.length - 1));
  for (let k = 0; k < ranges.length; k++) {
    ranges[k] = Math.abs((individuals[k + 1] as number) - (individuals[k] as number));
  }
  return ranges;
}

/** The dispersion chart's points; point k is plotted at index k + offset. */
function secondaryPoints(
  series: SeriesLimits,
  hits: Uint16Array,
  rules: readonly RuleId[],
  offset: number,
): SpcSecondaryPoint[] {
  const { value } = series;
  const m = value.length;
  const points: SpcSecondaryPoint[] = new Array<SpcSecondaryPoint>(m);
  for (let k = 0; k < m; k++) {
    const l = limitsAt(series, k);
    points[k] = {
      index: k + offset,
      value: value[k] as number,
      center: l.center,
      ucl: l.ucl,
      lcl: l.lcl,
      violations: firedRules(hits[k] as number, rules),
    };
  }
  return points;
}

/** The dispersion chart (R, S or MR) under the main chart, judged by rule 1 if it was asked for. */
function secondaryChart(
  statistic: SecondaryStatistic,
  series: SampleSeries,
  sigma: number,
  v: Validated,
  variableSize: boolean,
): SpcSecondaryChart {
  const { nSigma, constants } = v;
  const secondaryRules = v.rules.filter((r) => r === 'WE1' || r === 'N1');
  // MR: one moving range per point after the first; R and S: the subgroups' own spreads, one per subgroup.
  const offset = statistic === 'MR' ? 1 : 0;
  const value = statistic === 'MR' ? movingRanges(series.value) : series.spread;
  // A moving range is a range of n = 2 whatever the size (1) of its individuals.
  const sec = seriesLimits(value, series.size, offset, (n) =>
    secondaryLimits(statistic, sigma, statistic === 'MR' ? 2 : n, nSigma, constants),
  );
  const points = secondaryPoints(sec, ruleHits(sec, secondaryRules), secondaryRules, offset);
  const perPoint = variableSize && statistic !== 'MR';
  return {
    statistic,
    center: collapse(sec, 'center'),
    ucl: collapse(sec, 'ucl', perPoint),
    lcl: collapse(sec, 'lcl', perPoint),
    points,
  };
}
