import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { iso8601 } from '../../platform/database/iso8601';
import type { LineRef } from '../dashboard-scope';
import { firstPassYield, quantityRatio, sumQuantities } from '../engine/kpi';

export interface QualityDashboard {
  siteId: string;
  from: string;
  to: string;
  line: LineRef | null;
  /**
   * First-pass yield (直通率) of the period, from terminal reports on production orders (rework orders left
   * out: their units went through once already): G / (G + S), G the good quantity reported at the last
   * operation of an order, S the scrap reported at any of its operations. Null when no unit left the process.
   */
  firstPassYield: number | null;
  goodOutQty: string;
  scrapQty: string;
  /** Per work center: good and scrap reported there and its step yield good / (good + scrap). */
  byWorkCenter: Array<{
    workCenterId: string;
    code: string;
    goodQty: string;
    scrapQty: string;
    yield: number | null;
  }>;
  /** Scrap reported in the period by reason (rework orders included), most first, with its share. */
  scrapByReason: Array<{ reasonCode: string; reasonName: string; quantity: string; share: number | null }>;
}

export type SpcState = 'in_control' | 'violations' | 'no_data';

export interface SpcCharacteristicStatus {
  characteristicId: string;
  code: string;
  name: string;
  chart: string;
  planCode: string;
  planType: string;
  materialCode: string;
  operationSeq: number | null;
  /** Points plotted in the period (inspections whose results make a point on the chart). */
  points: number;
  /** Rule violations signalled on points of the period. */
  violations: number;
  /** no_data: no point in the period; violations: at least one point broke a rule; in_control: none did. */
  state: SpcState;
  /** The period's last point and whether it broke a rule. */
  lastPoint: { inspectionCode: string; at: string; inControl: boolean } | null;
  /** The latest violation ever signalled on the chart (also before the period). */
  lastViolation: { at: string; rules: string[]; inspectionCode: string; value: number } | null;
}

export interface SpcStatus {
  siteId: string;
  from: string;
  to: string;
  counts: Record<SpcState, number>;
  characteristics: SpcCharacteristicStatus[];
}

/** Whether an inspection's results for a characteristic make a point on its chart (as quality plots them). */
const PLOTTABLE = `CASE WHEN c.chart IN ('xbar-r', 'xbar-s') THEN p.n_values >= 2
                        WHEN c.chart = 'imr' THEN p.n_values >= 1
                        WHEN c.chart IN ('p', 'np') THEN p.n_passed >= 1
                        WHEN c.chart IN ('c', 'u') THEN p.n_counts >= 1
                        ELSE false END`;

/** First-pass yield and scrap from terminal reports; the SPC state of every charted characteristic. */
@Injectable()
export class QualityDashboardsService {
  constructor(private readonly dataSource: DataSource) {}

  async quality(q: {
    siteId: string;
    line: LineRef | null;
    from: Date;
    to: Date;
  }): Promise<QualityDashboard> {
    const params = [q.siteId, q.from, q.to, q.line?.id ?? null];
    // Reports of the period on the site's orders (of the line), with whether they were at the order's last step.
    const reports = `
      SELECT r.good_qty, r.scrap_qty, r.scrap_reason_code_id, o.work_center_id, w.source,
             o.seq = (SELECT max(x.seq) FROM work_order_operation x WHERE x.work_order_id = o.work_order_id) AS last_op
        FROM operation_report r
        JOIN work_order_operation o ON o.id = r.operation_id
        JOIN work_order w ON w.id = r.work_order_id
       WHERE r.site_id = $1 AND r.reported_at >= $2 AND r.reported_at < $3 AND ($4::uuid IS NULL OR w.line_id = $4)`;
    const [totals] = await this.dataSource.query<Array<{ good_out: string; scrap: string }>>(
      `WITH r AS (${reports})
       SELECT trim_scale(coalesce(sum(good_qty) FILTER (WHERE last_op), 0))::text AS good_out,
              trim_scale(coalesce(sum(scrap_qty), 0))::text AS scrap
         FROM r WHERE source <> 'rework'`,
      params,
    );
    const centers = await this.dataSource.query<
      Array<{ id: string; code: string; good: string; scrap: string }>
    >(
      `WITH r AS (${reports})
       SELECT wc.id, wc.code, trim_scale(sum(r.good_qty))::text AS good, trim_scale(sum(r.scrap_qty))::text AS scrap
         FROM r JOIN work_center wc ON wc.id = r.work_center_id
        WHERE r.source <> 'rework'
        GROUP BY wc.id, wc.code ORDER BY wc.code`,
      params,
    );
    const reasons = await this.dataSource.query<Array<{ code: string; name: string; quantity: string }>>(
      `WITH r AS (${reports})
       SELECT c.code, c.name, trim_scale(sum(r.scrap_qty))::text AS quantity
         FROM r JOIN reason_code c ON c.id = r.scrap_reason_code_id
        WHERE r.scrap_qty > 0
        GROUP BY c.code, c.name ORDER BY sum(r.scrap_qty) DESC, c.code`,
      params,
    );
    const goodOut = totals?.good_out ?? '0';
    const scrap = totals?.scrap ?? '0';
    const allScrap = sumQuantities(reasons.map((r) => r.quantity));
    return {
      siteId: q.siteId,
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      line: q.line,
      firstPassYield: firstPassYield(goodOut, scrap),
      goodOutQty: goodOut,
      scrapQty: scrap,
      byWorkCenter: centers.map((c) => ({
        workCenterId: c.id,
        code: c.code,
        goodQty: c.good,
        scrapQty: c.scrap,
        yield: quantityRatio(c.good, sumQuantities([c.good, c.scrap])),
      })),
      scrapByReason: reasons.map((r) => ({
        reasonCode: r.code,
        reasonName: r.name,
        quantity: r.quantity,
        share: quantityRatio(r.quantity, allScrap),
      })),
    };
  }

  /**
   * Per active charted characteristic of the site: its points in the period, the rule violations quality
   * signalled on them (one per point, recorded when the point was judged), the last point's state and the
   * latest violation. Violations first, then by plan and characteristic code.
   */
  async spcStatus(q: { siteId: string; from: Date; to: Date }): Promise<SpcStatus> {
    const rows = await this.dataSource.query<
      Array<{
        id: string;
        code: string;
        name: string;
        chart: string;
        plan_code: string;
        plan_type: string;
        material_code: string;
        operation_seq: number | null;
        points: number;
        violations: number;
        last_code: string | null;
        last_at: string | null;
        last_violated: boolean | null;
        signal_at: string | null;
        signal_rules: string[] | null;
        signal_code: string | null;
        signal_value: number | null;
      }>
    >(
      `WITH p AS (
         SELECT r.characteristic_id, r.inspection_id, i.code, i.created_at,
                count(r.value)::int AS n_values, count(r.passed)::int AS n_passed,
                count(r.defect_count)::int AS n_counts
           FROM inspection_result r JOIN inspection i ON i.id = r.inspection_id
          WHERE r.site_id = $1 AND i.status <> 'cancelled' AND i.created_at >= $2 AND i.created_at < $3
          GROUP BY r.characteristic_id, r.inspection_id, i.code, i.created_at
       ), pts AS (
         SELECT p.* FROM p JOIN inspection_characteristic c ON c.id = p.characteristic_id WHERE ${PLOTTABLE}
       )
       SELECT c.id, c.code, c.name, c.chart, pl.code AS plan_code, pl.type AS plan_type,
              m.code AS material_code, pl.operation_seq,
              (SELECT count(*)::int FROM pts WHERE pts.characteristic_id = c.id) AS points,
              (SELECT count(*)::int FROM spc_signal s JOIN pts ON pts.inspection_id = s.inspection_id
                 AND pts.characteristic_id = s.characteristic_id WHERE s.characteristic_id = c.id) AS violations,
              last.code AS last_code, ${iso8601('last.created_at')} AS last_at,
              CASE WHEN last.inspection_id IS NULL THEN NULL
                   ELSE EXISTS (SELECT 1 FROM spc_signal s WHERE s.characteristic_id = c.id
                                   AND s.inspection_id = last.inspection_id) END AS last_violated,
              ${iso8601('sig.detected_at')} AS signal_at, sig.rules AS signal_rules, si.code AS signal_code,
              sig.value AS signal_value
         FROM inspection_characteristic c
         JOIN inspection_plan pl ON pl.id = c.plan_id
         JOIN material m ON m.id = pl.material_id
         LEFT JOIN LATERAL (SELECT pts.inspection_id, pts.code, pts.created_at FROM pts
                             WHERE pts.characteristic_id = c.id
                             ORDER BY pts.created_at DESC, pts.inspection_id DESC LIMIT 1) last ON true
         LEFT JOIN LATERAL (SELECT s.detected_at, s.rules, s.value, s.inspection_id FROM spc_signal s
                             WHERE s.characteristic_id = c.id
                             ORDER BY s.detected_at DESC, s.id DESC LIMIT 1) sig ON true
         LEFT JOIN inspection si ON si.id = sig.inspection_id
        WHERE c.site_id = $1 AND c.active AND pl.active AND c.chart IS NOT NULL
        ORDER BY pl.code, c.code`,
      [q.siteId, q.from, q.to],
    );
    const characteristics = rows
      .map((r): SpcCharacteristicStatus => {
        const state: SpcState = r.points === 0 ? 'no_data' : r.violations > 0 ? 'violations' : 'in_control';
        return {
          characteristicId: r.id,
          code: r.code,
          name: r.name,
          chart: r.chart,
          planCode: r.plan_code,
          planType: r.plan_type,
          materialCode: r.material_code,
          operationSeq: r.operation_seq,
          points: r.points,
          violations: r.violations,
          state,
          lastPoint:
            r.last_code && r.last_at
              ? { inspectionCode: r.last_code, at: r.last_at, inControl: r.last_violated !== true }
              : null,
          lastViolation:
            r.signal_at && r.signal_code
              ? {
                  at: r.signal_at,
                  rules: r.signal_rules ?? [],
                  inspectionCode: r.signal_code,
                  value: Number(r.signal_value),
                }
              : null,
        };
      })
      .sort((a, b) => Number(b.state === 'violations') - Number(a.state === 'violations'));
    const counts: Record<SpcState, number> = { in_control: 0, violations: 0, no_data: 0 };
    for (const c of characteristics) counts[c.state] += 1;
    return {
      siteId: q.siteId,
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      counts,
      characteristics,
    };
  }
}
