import { type Capability, computeCapability, type SpecLimits } from './capability';
import {
  buildSamples,
  CHART_TYPES,
  type ChartSample,
  type ChartType,
  estimateParameters,
  type ImrSigmaMethod,
  isVariablesChart,
  type PointLimits,
  pointLimits,
  type ProcessParameters,
  secondaryLimits,
  secondaryStatistic,
  type SecondaryStatistic,
} from './charts';
import { type ConstantsMode, TABLE_MAX_N } from './constants';
import { evaluateRuleSeries, isRuleId, NELSON_RULES, type RuleId, WESTERN_ELECTRIC_RULES } from './rules';

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
  samples: ChartSample[];
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
          const x: unknown = item[j];
          if (typeof x !== 'number' || !Number.isFinite(x))
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
  const samples = buildSamples(chart, raw);
  return {
    chart,
    samples,
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

/** A number when every point has the same value (and, unless `always`, the same subgroup size), else the array. */
function collapse(values: number[], perPoint = false): number | number[] {
  const head = values[0] as number;
  return !perPoint && values.every((v) => v === head) ? head : values;
}

export function analyze(input: SpcAnalyzeInput): SpcAnalysis {
  const v = validate(input);
  const { chart, samples, first, last, excluded, nSigma, rules, constants } = v;
  const baseIndices: number[] = [];
  for (let i = first; i <= last; i++) if (!excluded.has(i)) baseIndices.push(i);

  const params: ProcessParameters = v.frozen
    ? { center: v.frozen.center, sigma: v.frozen.sigma }
    : estimateParameters(
        chart,
        baseIndices.map((i) => samples[i] as ChartSample),
        constants,
        v.sigmaMethod,
      );

  const variableSize = samples.some((s) => s.size !== (samples[0] as ChartSample).size);
  // Limits depend on the subgroup size only: one object per size, shared by its points.
  const bySize = new Map<number, PointLimits>();
  const limitsFor = (size: number): PointLimits => {
    let l = bySize.get(size);
    if (!l) bySize.set(size, (l = pointLimits(chart, params, size, nSigma)));
    return l;
  };
  const count = samples.length;
  const limitsOf: PointLimits[] = new Array<PointLimits>(count);
  const series = {
    value: new Float64Array(count),
    center: new Float64Array(count),
    sigma: new Float64Array(count),
    ucl: new Float64Array(count),
    lcl: new Float64Array(count),
  };
  for (let i = 0; i < count; i++) {
    const s = samples[i] as ChartSample;
    const l = limitsFor(s.size);
    limitsOf[i] = l;
    series.value[i] = s.value;
    series.center[i] = l.center;
    series.sigma[i] = l.se;
    series.ucl[i] = l.ucl;
    series.lcl[i] = l.lcl;
  }
  const violations = evaluateRuleSeries(series, rules);
  const points: SpcPoint[] = new Array<SpcPoint>(count);
  const phaseIOnly = !v.frozen;
  for (let i = 0; i < count; i++) {
    const l = limitsOf[i] as PointLimits;
    points[i] = {
      index: i,
      value: series.value[i] as number,
      center: l.center,
      ucl: l.ucl,
      lcl: l.lcl,
      se: l.se,
      phase: phaseIOnly && i >= first && i <= last ? 'I' : 'II',
      excluded: false,
      violations: violations[i] as RuleId[],
    };
  }
  for (const [i, reason] of excluded) {
    const point = points[i] as SpcPoint;
    point.excluded = true;
    if (reason !== undefined) point.exclusionReason = reason;
  }

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
    center: bySize.size === 1 ? (limitsOf[0] as PointLimits).center : collapse(Array.from(series.center)),
    ucl:
      bySize.size === 1 && !variableSize
        ? (limitsOf[0] as PointLimits).ucl
        : collapse(Array.from(series.ucl), variableSize),
    lcl:
      bySize.size === 1 && !variableSize
        ? (limitsOf[0] as PointLimits).lcl
        : collapse(Array.from(series.lcl), variableSize),
    sigma: params.sigma,
    nSigma,
    rules,
    limits,
    points,
  };

  const statistic = secondaryStatistic(chart);
  if (statistic) {
    const secondaryRules = rules.filter((r) => r === 'WE1' || r === 'N1');
    // MR: one moving range per point after the first; R and S: one spread per subgroup.
    const offset = statistic === 'MR' ? 1 : 0;
    const m = Math.max(0, count - offset);
    const secBySize = new Map<number, PointLimits>();
    const secLimits: PointLimits[] = new Array<PointLimits>(m);
    const sec = {
      value: new Float64Array(m),
      center: new Float64Array(m),
      sigma: new Float64Array(m),
      ucl: new Float64Array(m),
      lcl: new Float64Array(m),
    };
    for (let k = 0; k < m; k++) {
      const s = samples[k + offset] as ChartSample;
      const n = statistic === 'MR' ? 2 : s.size;
      let l = secBySize.get(n);
      if (!l) secBySize.set(n, (l = secondaryLimits(statistic, params.sigma, n, nSigma, constants)));
      secLimits[k] = l;
      sec.value[k] =
        statistic === 'MR' ? Math.abs(s.value - (samples[k] as ChartSample).value) : (s.spread ?? 0);
      sec.center[k] = l.center;
      sec.sigma[k] = l.se;
      sec.ucl[k] = l.ucl;
      sec.lcl[k] = l.lcl;
    }
    const secViolations = evaluateRuleSeries(sec, secondaryRules);
    const secPoints: SpcSecondaryPoint[] = new Array<SpcSecondaryPoint>(m);
    for (let k = 0; k < m; k++) {
      const l = secLimits[k] as PointLimits;
      secPoints[k] = {
        index: k + offset,
        value: sec.value[k] as number,
        center: l.center,
        ucl: l.ucl,
        lcl: l.lcl,
        violations: secViolations[k] as RuleId[],
      };
    }
    const perPoint = variableSize && statistic !== 'MR';
    const single = secBySize.size === 1 ? (secLimits[0] as PointLimits) : undefined;
    analysis.secondary = {
      statistic,
      center: single ? single.center : collapse(Array.from(sec.center)),
      ucl: single && !perPoint ? single.ucl : collapse(Array.from(sec.ucl), perPoint),
      lcl: single && !perPoint ? single.lcl : collapse(Array.from(sec.lcl), perPoint),
      points: secPoints,
    };
  }

  if (v.spec) {
    const basisIndices = v.frozen ? samples.map((_, i) => i) : baseIndices;
    const observations = basisIndices.flatMap((i) => (samples[i] as ChartSample).observations);
    analysis.capability = computeCapability(v.spec, params.center, params.sigma, observations);
  }
  return analysis;
}
