import type { EntityManager } from 'typeorm';
import {
  analyze,
  type ChartType,
  type SpcAnalysis,
  type SpcAnalyzeInput,
  type SpecLimits,
} from './engine/analyze';
import type { InspectionCharacteristic } from '../plans/inspection-plan.entity';
import type { SpcLimitSet } from './spc.entities';

/**
 * A characteristic's chart point as stored: one inspection (not cancelled) with results for it that the chart can
 * plot (an x̄ subgroup needs two values), in chart order: inspection created_at, then id.
 */
export interface StoredPoint {
  characteristicId: string;
  inspectionId: string;
  inspectionCode: string;
  /** When the inspection was created (the sample was due). */
  at: Date;
  /** When its last result for this characteristic was recorded. */
  lastResultAt: Date;
  workOrderId: string | null;
  workOrderCode: string | null;
  /** Samples recorded for the characteristic. */
  n: number;
  /** Measured values by sample number (variable characteristics). */
  values: number[];
  /** Samples judged failed (pass/fail attributes). */
  failed: number;
  /** Defects found on all samples (defect-count attributes). */
  defects: number;
  exclusionReason: string | null;
}

interface PointRow {
  characteristic_id: string;
  inspection_id: string;
  inspection_code: string;
  created_at: Date;
  last_result_at: Date;
  work_order_id: string | null;
  work_order_code: string | null;
  n: number;
  vals: number[] | null;
  failed: number;
  defects: number;
  exclusion_reason: string | null;
}

/** One inspection's results for one characteristic, aggregated (`r`: inspection_result). */
const AGGREGATES = `max(r.recorded_at) AS last_result_at, count(*)::int AS n,
  array_agg(r.value::float8 ORDER BY r.sample_no) FILTER (WHERE r.value IS NOT NULL) AS vals,
  count(r.value)::int AS n_values, count(r.passed)::int AS n_passed, count(r.defect_count)::int AS n_counts,
  (count(*) FILTER (WHERE r.passed = false))::int AS failed, coalesce(sum(r.defect_count), 0)::int AS defects`;

/** Whether the aggregate `agg` is a point on the chart of characteristic `c`. */
const PLOTTABLE = `CASE WHEN c.chart IN ('xbar-r', 'xbar-s') THEN agg.n_values >= 2
                        WHEN c.chart = 'imr' THEN agg.n_values >= 1
                        WHEN c.chart IN ('p', 'np') THEN agg.n_passed >= 1
                        WHEN c.chart IN ('c', 'u') THEN agg.n_counts >= 1
                        ELSE false END`;

/** Inspections up to (or before) a given one in chart order; compared in the database, never losing microseconds. */
const upTo = (alias: string, param: number, inclusive: boolean): string =>
  `(${alias}.created_at, ${alias}.id) ${inclusive ? '<=' : '<'}
   (SELECT b.created_at, b.id FROM inspection b WHERE b.id = $${param})`;

function toPoint(r: PointRow): StoredPoint {
  return {
    characteristicId: r.characteristic_id,
    inspectionId: r.inspection_id,
    inspectionCode: r.inspection_code,
    at: r.created_at,
    lastResultAt: r.last_result_at,
    workOrderId: r.work_order_id,
    workOrderCode: r.work_order_code,
    n: r.n,
    values: r.vals ?? [],
    failed: r.failed,
    defects: r.defects,
    exclusionReason: r.exclusion_reason,
  };
}

/**
 * Every point of a characteristic's chart, from its first (array position = index on the chart), optionally only
 * those before an inspection; with exclusions. One query; its cost grows with the chart (reads, freezing).
 */
export async function loadChartPoints(
  manager: EntityManager,
  characteristicId: string,
  before?: string,
): Promise<StoredPoint[]> {
  const rows: PointRow[] = await manager.query(
    `WITH agg AS (
       SELECT r.characteristic_id, r.inspection_id, ${AGGREGATES}
         FROM inspection_result r WHERE r.characteristic_id = $1
        GROUP BY r.characteristic_id, r.inspection_id
     )
     SELECT agg.*, i.code AS inspection_code, i.created_at, i.work_order_id, wo.code AS work_order_code,
            e.reason AS exclusion_reason
       FROM agg
       JOIN inspection i ON i.id = agg.inspection_id
       JOIN inspection_characteristic c ON c.id = agg.characteristic_id
       LEFT JOIN work_order wo ON wo.id = i.work_order_id
       LEFT JOIN spc_exclusion e ON e.characteristic_id = agg.characteristic_id AND e.inspection_id = i.id
      WHERE i.status <> 'cancelled' AND ${PLOTTABLE} ${before ? `AND ${upTo('i', 2, false)}` : ''}
      ORDER BY i.created_at, i.id`,
    before ? [characteristicId, before] : [characteristicId],
  );
  return rows.map(toPoint);
}

/**
 * The recent points of characteristics of one plan, up to and including an inspection, in chart order: taken from
 * the plan's last `candidates` inspections, so the work is bounded however long the chart is (the judging path).
 * `reachesStart`: the plan has no earlier inspection, so these are all the points so far.
 */
export async function loadRecentPoints(
  manager: EntityManager,
  q: { planId: string; characteristicIds: string[]; inspectionId: string; candidates: number },
): Promise<{ points: Map<string, StoredPoint[]>; reachesStart: boolean }> {
  const rows: Array<PointRow & { candidates: number }> = await manager.query(
    `WITH cand AS (
       SELECT i.id, i.code, i.created_at, i.work_order_id
         FROM inspection i
        WHERE i.plan_id = $2 AND i.status <> 'cancelled' AND ${upTo('i', 3, true)}
        ORDER BY i.created_at DESC, i.id DESC
        LIMIT $4
     ), agg AS (
       SELECT r.characteristic_id, r.inspection_id, ${AGGREGATES}
         FROM cand JOIN inspection_result r ON r.inspection_id = cand.id AND r.characteristic_id = ANY($1::uuid[])
        GROUP BY r.characteristic_id, r.inspection_id
     )
     SELECT agg.*, cand.code AS inspection_code, cand.created_at, cand.work_order_id,
            wo.code AS work_order_code, e.reason AS exclusion_reason, (SELECT count(*) FROM cand)::int AS candidates
       FROM agg
       JOIN cand ON cand.id = agg.inspection_id
       JOIN inspection_characteristic c ON c.id = agg.characteristic_id
       LEFT JOIN work_order wo ON wo.id = cand.work_order_id
       LEFT JOIN spc_exclusion e ON e.characteristic_id = agg.characteristic_id AND e.inspection_id = cand.id
      WHERE ${PLOTTABLE}
      ORDER BY agg.characteristic_id, cand.created_at, cand.id`,
    [q.characteristicIds, q.planId, q.inspectionId, q.candidates],
  );
  const points = new Map<string, StoredPoint[]>(q.characteristicIds.map((id) => [id, []]));
  for (const r of rows) points.get(r.characteristic_id)!.push(toPoint(r));
  return { points, reachesStart: (rows[0]?.candidates ?? 0) < q.candidates };
}

/** How many points a characteristic's chart has before an inspection's: that point's index on the chart. */
export async function chartIndexOf(
  manager: EntityManager,
  characteristicId: string,
  inspectionId: string,
): Promise<number> {
  const [row] = await manager.query<[{ n: number }]>(
    `SELECT count(*)::int AS n FROM (
       SELECT r.characteristic_id, count(r.value)::int AS n_values, count(r.passed)::int AS n_passed,
              count(r.defect_count)::int AS n_counts
         FROM inspection_result r JOIN inspection i ON i.id = r.inspection_id
        WHERE r.characteristic_id = $1 AND i.status <> 'cancelled' AND ${upTo('i', 2, false)}
        GROUP BY r.characteristic_id, r.inspection_id
     ) agg JOIN inspection_characteristic c ON c.id = agg.characteristic_id
      WHERE ${PLOTTABLE}`,
    [characteristicId, inspectionId],
  );
  return row.n;
}

/** The engine's data for the points: subgroups (x̄), individuals (mean of several), or counts with sizes. */
export function chartData(
  chart: ChartType,
  points: readonly StoredPoint[],
): Pick<SpcAnalyzeInput, 'subgroups' | 'values' | 'counts' | 'constants'> {
  switch (chart) {
    case 'xbar-r':
    case 'xbar-s': {
      const subgroups = points.map((p) => p.values);
      // The printed constants stop at n = 25; larger subgroups use the exact ones.
      const large = subgroups.some((g) => g.length > 25);
      return { subgroups, constants: large ? 'exact' : 'table' };
    }
    case 'imr':
      return { values: points.map((p) => p.values.reduce((a, b) => a + b, 0) / p.values.length) };
    case 'p':
    case 'np':
      return { counts: points.map((p) => ({ count: p.failed, size: p.n })) };
    case 'c':
      return { counts: points.map((p) => ({ count: p.defects })) };
    case 'u':
      return { counts: points.map((p) => ({ count: p.defects, size: p.n })) };
  }
}

/** Points a chart needs to estimate limits from (an individuals chart needs a moving range). */
export const minimumPoints = (chart: ChartType): number => (chart === 'imr' ? 2 : 1);

/** Spec limits for capability: variables charts with a lower or upper spec limit only. */
export function specOf(c: InspectionCharacteristic): SpecLimits | undefined {
  if (c.kind !== 'variable' || (c.lsl === null && c.usl === null)) return undefined;
  const spec: SpecLimits = {};
  if (c.lsl !== null) spec.lsl = Number(c.lsl);
  if (c.usl !== null) spec.usl = Number(c.usl);
  if (c.target !== null) spec.target = Number(c.target);
  return spec;
}

export type StoredAnalysis =
  { ok: true; analysis: SpcAnalysis; provisional: boolean } | { ok: false; reason: string };

/**
 * Analyses stored points: against the frozen limits when given (phase II, every point judged at the set's own
 * nSigma, exclusions only marked), else with provisional phase I limits from every point not excluded. Too few
 * points is an answer, not an error. A set frozen for another chart type is not used.
 */
export function analyzeStored(
  c: InspectionCharacteristic & { chart: ChartType },
  points: readonly StoredPoint[],
  limitSet: SpcLimitSet | null,
): StoredAnalysis {
  const chart = c.chart;
  const frozen = limitSet?.chart === chart ? limitSet : null;
  if (points.length === 0) return { ok: false, reason: 'No results recorded for this characteristic yet' };
  if (chart === 'imr' && points.length < 2) {
    return { ok: false, reason: 'An individuals chart needs at least 2 points (it plots moving ranges)' };
  }
  const exclude = frozen
    ? []
    : points.flatMap((p, i) => (p.exclusionReason === null ? [] : [{ index: i, reason: p.exclusionReason }]));
  const kept = points.length - exclude.length;
  if (!frozen && kept < minimumPoints(chart)) {
    return {
      ok: false,
      reason: `Provisional limits need at least ${minimumPoints(chart)} point(s) not excluded; there are ${kept}`,
    };
  }
  const analysis = analyze({
    chart,
    ...chartData(chart, points),
    nSigma: Number(frozen ? frozen.nSigma : c.nSigma),
    rules: c.ruleSet === 'none' ? [] : c.ruleSet,
    spec: specOf(c),
    ...(frozen
      ? { frozen: { center: frozen.center, sigma: frozen.sigma, version: `v${frozen.version}` } }
      : exclude.length > 0
        ? { exclude }
        : {}),
  });
  return { ok: true, analysis, provisional: !frozen };
}

/**
 * The rules that fired at point k: the main chart's, and for x̄ charts the R or S chart's rule 1 ("R:N1"). A
 * moving range is left out: it spans two individuals, so one wild value would also signal the good point after it.
 */
export function violationsAt(analysis: SpcAnalysis, k: number): string[] {
  const main: string[] = [...(analysis.points[k]?.violations ?? [])];
  const secondary = analysis.secondary;
  if (secondary && secondary.statistic !== 'MR') {
    const point = secondary.points.find((p) => p.index === k);
    for (const rule of point?.violations ?? []) main.push(`${secondary.statistic}:${rule}`);
  }
  return main;
}
