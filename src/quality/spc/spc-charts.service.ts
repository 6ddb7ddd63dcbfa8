import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { DomainError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import { InspectionCharacteristic } from '../plans/inspection-plan.entity';
import { QualityErrorCode } from '../quality.errors';
import { type Capability, type ChartType, type SpcAnalysis, SpcInputError } from './engine/analyze';
import type { ChartQueryDto, ExclusionDto, FreezeLimitsDto, SignalQueryDto } from './spc-charts.dto';
import { SpcExclusion, SpcLimitSet } from './spc.entities';
import { analyzeStored, loadChartPoints, type StoredPoint, violationsAt } from './stored-series';

/** Usable (not excluded) points a phase I needs before its limits may be frozen: one point shows no spread. */
const MIN_FREEZE_POINTS = 2;

type Limit = number | number[] | null;

export interface ChartPointView {
  /** 0-based place on the characteristic's whole chart (as in `spc.violation` pushes). */
  index: number;
  inspectionId: string;
  inspectionCode: string;
  /** When the inspection was created (the sample was due), ISO 8601. */
  at: string;
  /** Samples recorded. */
  n: number;
  /** The plotted statistic: subgroup mean, individual value, proportion, count or rate. */
  value: number;
  center: number | null;
  ucl: number | null;
  lcl: number | null;
  /** 'I' within the range the limits come from, 'II' judged against limits frozen from other points. */
  phase: 'I' | 'II';
  violations: string[];
  excluded: boolean;
  exclusionReason: string | null;
  workOrderId: string | null;
  workOrderCode: string | null;
}

export interface LimitsView {
  /** True while no limits are frozen: computed from every point shown so far that is not excluded. */
  provisional: boolean;
  version: number | null;
  frozenAt: string | null;
  frozenBy: string | null;
  reason: string | null;
  center: number | null;
  sigma: number | null;
  nSigma: number;
  ucl: number | null;
  lcl: number | null;
  secondary: { center: number; ucl: number; lcl: number } | null;
  from: { inspectionId: string; inspectionCode: string } | null;
  to: { inspectionId: string; inspectionCode: string } | null;
  pointsUsed: number;
  excluded: Array<{ inspectionId: string; inspectionCode: string; reason: string }>;
}

export interface LimitSetView extends LimitsView {
  id: string;
  chart: ChartType;
  /** The set the characteristic's chart uses now. */
  inUse: boolean;
}

export interface ChartView {
  characteristic: {
    id: string;
    code: string;
    name: string;
    nameZh: string | null;
    unit: string | null;
    kind: string;
    planId: string;
    planCode: string | null;
    lsl: number | null;
    usl: number | null;
    target: number | null;
    sampleSize: number | null;
  };
  chart: ChartType;
  /** ok: limits and judged points; empty: no results yet; insufficient: too few points for limits. */
  status: 'ok' | 'empty' | 'insufficient';
  message: string | null;
  ruleSet: string;
  rules: string[];
  nSigma: number;
  /** Center line and control limits: numbers, or one per point shown when subgroup sizes vary. */
  center: Limit;
  ucl: Limit;
  lcl: Limit;
  /**
   * Zone boundaries of the plotted statistic: center ± 1·se (zone C | B) and center ± 2·se (zone B | A), where se
   * is the standard error of the plotted statistic (σ/√n for x̄, σ for individuals, √(p̄(1−p̄)/n) for p …); the
   * control limits are center ± nSigma·se (floored at 0 for attribute charts).
   */
  zones: { upper1: Limit; lower1: Limit; upper2: Limit; lower2: Limit } | null;
  /** Estimated process standard deviation (R̄/d2, s̄/c4, MR̄/d2 …; the frozen one in phase II). */
  sigma: number | null;
  secondary: {
    statistic: string;
    center: Limit;
    ucl: Limit;
    lcl: Limit;
    points: Array<{ index: number; value: number; ucl: number; lcl: number; violations: string[] }>;
  } | null;
  capability: Capability | null;
  limits: LimitsView;
  points: ChartPointView[];
  /** Points on the chart up to `before` (all of them without it); `points` holds the last `limit` of them. */
  totalPoints: number;
  hasMore: boolean;
}

export interface ExclusionView {
  characteristicId: string;
  inspectionId: string;
  inspectionCode: string;
  reason: string;
  excludedBy: string;
  excludedAt: string;
  /** Frozen limits never change; an exclusion counts for provisional limits and the next freeze. */
  limitsVersion: number | null;
}

export interface SignalView {
  id: string;
  detectedAt: string;
  characteristicId: string;
  characteristicCode: string;
  characteristicName: string;
  characteristicNameZh: string | null;
  inspectionId: string;
  inspectionCode: string;
  rules: string[];
  value: number;
  limitsVersion: number | null;
  workOrderId: string | null;
  workOrderCode: string | null;
  workCenterId: string | null;
  ncrId: string | null;
  ncrCode: string | null;
  ncrStatus: string | null;
  heldWorkOrderId: string | null;
  heldLots: Array<{ lotId: string; lotCode: string }>;
}

type Charted = InspectionCharacteristic & { chart: ChartType };

const uniform = (values: number[]): Limit =>
  values.length === 0 ? null : values.every((v) => v === values[0]) ? values[0]! : values;

const numOrNull = (v: string | null): number | null => (v === null ? null : Number(v));

const csvField = (v: string | number | boolean | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * A characteristic's control chart from its stored results (provisional limits, or frozen ones in phase II), its
 * CSV export, freezing phase I limits into versions, exclusions of assignable-cause points, and signals.
 */
@Injectable()
export class SpcChartsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async chart(siteId: string, characteristicId: string, q: ChartQueryDto): Promise<ChartView> {
    const m = this.dataSource.manager;
    const c = await this.charted(m, siteId, characteristicId);
    const before = q.before ? await this.inspectionRef(m, siteId, q.before, 'before') : null;
    const points = await loadChartPoints(m, c.id, before?.id);
    const frozen = await this.limitSetInUse(m, c);
    const limit = q.limit ?? 200;
    const shown = points.slice(Math.max(0, points.length - limit));
    const base = {
      characteristic: {
        id: c.id,
        code: c.code,
        name: c.name,
        nameZh: c.nameZh,
        unit: c.unit,
        kind: c.kind,
        planId: c.planId,
        planCode: c.plan?.code ?? null,
        lsl: numOrNull(c.lsl),
        usl: numOrNull(c.usl),
        target: numOrNull(c.target),
        sampleSize: c.plan?.sampleSize ?? null,
      },
      chart: c.chart,
      ruleSet: c.ruleSet,
      nSigma: Number(frozen ? frozen.nSigma : c.nSigma),
      totalPoints: points.length,
      hasMore: shown.length < points.length,
    };

    let result: ReturnType<typeof analyzeStored>;
    try {
      result = analyzeStored(c, points, frozen);
    } catch (err) {
      if (!(err instanceof SpcInputError)) throw err;
      throw new DomainError(
        'unprocessable',
        QualityErrorCode.SPC_INPUT_INVALID,
        `The stored results do not fit a ${c.chart} chart: ${err.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
        { errors: err.errors },
      );
    }
    const limits = await this.limitsView(m, c, frozen, points, result.ok ? result.analysis : null);
    if (!result.ok) {
      return {
        ...base,
        status: points.length === 0 ? 'empty' : 'insufficient',
        message: result.reason,
        rules: [],
        center: null,
        ucl: null,
        lcl: null,
        zones: null,
        sigma: null,
        secondary: null,
        capability: null,
        limits,
        points: shown.map((p, i) => ({
          ...this.pointBase(p, points.length - shown.length + i),
          value: this.plainValue(c.chart, p),
          center: null,
          ucl: null,
          lcl: null,
          phase: 'I' as const,
          violations: [],
        })),
      };
    }
    const a = result.analysis;
    const phaseI = this.phaseIRange(frozen, points);
    const from = points.length - shown.length;
    const judged = a.points.slice(from);
    const secondary = a.secondary ? a.secondary.points.filter((sp) => sp.index >= from) : null;
    return {
      ...base,
      status: 'ok',
      message: null,
      rules: a.rules,
      center: uniform(judged.map((p) => p.center)),
      ucl: uniform(judged.map((p) => p.ucl)),
      lcl: uniform(judged.map((p) => p.lcl)),
      zones: {
        upper1: uniform(judged.map((p) => p.center + p.se)),
        lower1: uniform(judged.map((p) => p.center - p.se)),
        upper2: uniform(judged.map((p) => p.center + 2 * p.se)),
        lower2: uniform(judged.map((p) => p.center - 2 * p.se)),
      },
      sigma: a.sigma,
      secondary:
        a.secondary && secondary
          ? {
              statistic: a.secondary.statistic,
              center: uniform(secondary.map((p) => p.center)),
              ucl: uniform(secondary.map((p) => p.ucl)),
              lcl: uniform(secondary.map((p) => p.lcl)),
              points: secondary.map((p) => ({
                index: p.index,
                value: p.value,
                ucl: p.ucl,
                lcl: p.lcl,
                violations: [...p.violations],
              })),
            }
          : null,
      capability: a.capability ?? null,
      limits,
      points: shown.map((p, i) => {
        const k = from + i;
        const point = a.points[k]!;
        return {
          ...this.pointBase(p, k),
          value: point.value,
          center: point.center,
          ucl: point.ucl,
          lcl: point.lcl,
          phase:
            phaseI === null || (k >= phaseI.first && k <= phaseI.last) ? ('I' as const) : ('II' as const),
          violations: violationsAt(a, k),
        };
      }),
    };
  }

  /** The chart's points as CSV (one row per point shown by the chart with the same query). */
  async chartCsv(
    siteId: string,
    characteristicId: string,
    q: ChartQueryDto,
  ): Promise<{ filename: string; body: string }> {
    const view = await this.chart(siteId, characteristicId, q);
    const header = [
      'index',
      'inspection',
      'time',
      'n',
      'value',
      'center',
      'ucl',
      'lcl',
      'violations',
      'excluded',
      'reason',
    ];
    const lines = [header.join(',')];
    for (const p of view.points) {
      lines.push(
        [
          p.index,
          p.inspectionCode,
          p.at,
          p.n,
          p.value,
          p.center,
          p.ucl,
          p.lcl,
          p.violations.join(';'),
          p.excluded,
          p.exclusionReason,
        ]
          .map(csvField)
          .join(','),
      );
    }
    const safe = view.characteristic.code.replace(/[^A-Za-z0-9._-]/g, '_');
    return { filename: `${safe}-chart.csv`, body: `${lines.join('\r\n')}\r\n` };
  }

  /**
   * Freezes phase I limits from a range of the chart (default: every point so far) minus its exclusions, as the
   * next version; the characteristic's chart is judged against them from now on. Earlier versions stay as they were.
   */
  freeze(
    p: Principal,
    siteId: string,
    characteristicId: string,
    dto: FreezeLimitsDto,
  ): Promise<LimitSetView> {
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const c = await this.charted(m, siteId, characteristicId, true);
      const current = c.limitsVersion ?? 0;
      if (dto.expectedLimitsVersion !== undefined && dto.expectedLimitsVersion !== current) {
        throw new DomainError(
          'conflict',
          QualityErrorCode.SPC_LIMITS_CHANGED,
          `The limits of ${c.code} are at version ${current}, not ${dto.expectedLimitsVersion}; reload the chart`,
          { extensions: { currentLimitsVersion: current } },
        );
      }
      const points = await loadChartPoints(m, c.id);
      const first = dto.fromInspection ? this.pointAt(points, dto.fromInspection, 'fromInspection') : 0;
      const last = dto.toInspection
        ? this.pointAt(points, dto.toInspection, 'toInspection')
        : points.length - 1;
      if (last < first) {
        throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'The range is reversed', {
          errors: [{ field: 'toInspection', message: 'must not come before fromInspection on the chart' }],
        });
      }
      const range = points.slice(first, last + 1);
      const usable = range.filter((pt) => pt.exclusionReason === null);
      const needed = MIN_FREEZE_POINTS;
      if (usable.length < needed) {
        const field = dto.toInspection ? 'toInspection' : dto.fromInspection ? 'fromInspection' : 'range';
        throw new DomainError(
          'unprocessable',
          QualityErrorCode.SPC_TOO_FEW_POINTS,
          `Freezing ${c.chart} limits needs at least ${needed} points not excluded; the range has ${usable.length}`,
          {
            errors: [
              {
                field,
                message: `the range holds ${range.length} point(s), ${range.length - usable.length} excluded: at least ${needed} usable points are needed`,
              },
            ],
            extensions: { pointsInRange: range.length, usablePoints: usable.length, needed },
          },
        );
      }
      const result = analyzeStored(c, range, null);
      if (!result.ok) {
        throw new DomainError('unprocessable', QualityErrorCode.SPC_TOO_FEW_POINTS, result.reason, {
          errors: [{ field: 'range', message: result.reason }],
        });
      }
      const a = result.analysis;
      if (!(a.sigma > 0) || !Number.isFinite(a.limits.center)) {
        throw new DomainError(
          'unprocessable',
          QualityErrorCode.SPC_TOO_FEW_POINTS,
          'The range shows no variation (sigma 0): limits from it would flag every different value',
          { errors: [{ field: 'range', message: 'the points in the range show no variation' }] },
        );
      }
      const [{ next }] = await m.query<[{ next: number }]>(
        `SELECT coalesce(max(version), 0) + 1 AS next FROM spc_limit_set WHERE characteristic_id = $1`,
        [c.id],
      );
      const excluded = range
        .filter((pt) => pt.exclusionReason !== null)
        .map((pt) => ({
          inspectionId: pt.inspectionId,
          inspectionCode: pt.inspectionCode,
          reason: pt.exclusionReason!,
        }));
      const sec = a.secondary;
      const set = await m.getRepository(SpcLimitSet).save(
        m.getRepository(SpcLimitSet).create({
          characteristicId: c.id,
          siteId,
          version: Number(next),
          chart: c.chart,
          center: a.limits.center,
          sigma: a.limits.sigma,
          ucl: typeof a.ucl === 'number' ? a.ucl : null,
          lcl: typeof a.lcl === 'number' ? a.lcl : null,
          nSigma: c.nSigma,
          secondary:
            sec &&
            typeof sec.center === 'number' &&
            typeof sec.ucl === 'number' &&
            typeof sec.lcl === 'number'
              ? { center: sec.center, ucl: sec.ucl, lcl: sec.lcl }
              : null,
          fromInspectionId: range[0]!.inspectionId,
          toInspectionId: range.at(-1)!.inspectionId,
          pointsUsed: usable.length,
          excluded,
          reason: dto.reason?.trim() || null,
          frozenById: p.kind === 'user' ? p.id : null,
          frozenByName: p.name,
        }),
      );
      // Guarded by the version read under the row lock: a concurrent change of the characteristic fails here.
      // (TypeORM answers [rows, affected] to UPDATE … RETURNING on PostgreSQL.)
      const [updated] = await m.query<[unknown[], number]>(
        `UPDATE inspection_characteristic SET limits_version = $2, version = version + 1, updated_at = now()
          WHERE id = $1 AND version = $3 RETURNING id`,
        [c.id, set.version, c.version],
      );
      if (updated.length !== 1) {
        throw new DomainError(
          'conflict',
          PlatformErrorCode.CONCURRENT_MODIFICATION,
          `Characteristic ${c.code} was changed meanwhile; try again`,
        );
      }
      await this.audit.record(tx, {
        entityType: 'inspection_characteristic',
        entityId: c.id,
        siteId,
        action: 'spc.limits_frozen',
        before: { limitsVersion: c.limitsVersion },
        after: {
          limitsVersion: set.version,
          center: set.center,
          sigma: set.sigma,
          ucl: set.ucl,
          lcl: set.lcl,
          nSigma: set.nSigma,
          from: range[0]!.inspectionCode,
          to: range.at(-1)!.inspectionCode,
          pointsUsed: set.pointsUsed,
          excluded,
        },
        reason: set.reason,
      });
      return this.limitSetView(set, range[0]!, range.at(-1)!, set.version);
    });
  }

  /** Every frozen version, newest first, with the range and exclusions it was computed from. */
  async limitSets(siteId: string, characteristicId: string): Promise<LimitSetView[]> {
    const m = this.dataSource.manager;
    const c = await this.characteristic(m, siteId, characteristicId);
    const sets = await m.getRepository(SpcLimitSet).find({
      where: { characteristicId: c.id },
      order: { version: 'DESC' },
    });
    const codes = await this.inspectionCodes(
      m,
      sets.flatMap((s) => [s.fromInspectionId, s.toInspectionId]),
    );
    return sets.map((s) =>
      this.limitSetView(
        s,
        { inspectionId: s.fromInspectionId, inspectionCode: codes.get(s.fromInspectionId) ?? '' },
        { inspectionId: s.toInspectionId, inspectionCode: codes.get(s.toInspectionId) ?? '' },
        c.limitsVersion,
      ),
    );
  }

  /** Leaves a point out of provisional limits and of later freezes, for an assignable cause; it stays shown. */
  exclude(p: Principal, siteId: string, characteristicId: string, dto: ExclusionDto): Promise<ExclusionView> {
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const c = await this.charted(m, siteId, characteristicId);
      const inspection = await this.inspectionRef(m, siteId, dto.inspection, 'inspection');
      const onChart: unknown[] = await m.query(
        `SELECT 1 FROM inspection_result r JOIN inspection i ON i.id = r.inspection_id
          WHERE r.inspection_id = $1 AND r.characteristic_id = $2 AND i.status <> 'cancelled' LIMIT 1`,
        [inspection.id, c.id],
      );
      if (onChart.length === 0) {
        throw new DomainError(
          'validation',
          PlatformErrorCode.VALIDATION_FAILED,
          `${inspection.code} is not a point on the chart of ${c.code}`,
          { errors: [{ field: 'inspection', message: `has no results for ${c.code} (or was cancelled)` }] },
        );
      }
      const reason = dto.reason.trim();
      const inserted: Array<{ excluded_at: Date }> = await m.query(
        `INSERT INTO spc_exclusion (characteristic_id, inspection_id, site_id, reason, excluded_by_id, excluded_by_name)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (characteristic_id, inspection_id) DO NOTHING RETURNING excluded_at`,
        [c.id, inspection.id, siteId, reason, p.kind === 'user' ? p.id : null, p.name],
      );
      if (inserted.length === 0) {
        const existing = await m.getRepository(SpcExclusion).findOneByOrFail({
          characteristicId: c.id,
          inspectionId: inspection.id,
        });
        throw new DomainError(
          'conflict',
          QualityErrorCode.SPC_POINT_ALREADY_EXCLUDED,
          `${inspection.code} is already excluded from the chart of ${c.code}: ${existing.reason}`,
          { extensions: { reason: existing.reason, excludedBy: existing.excludedByName } },
        );
      }
      await this.audit.record(tx, {
        entityType: 'inspection_characteristic',
        entityId: c.id,
        siteId,
        action: 'spc.point_excluded',
        // The point as it was (counted) and as it is (left out, and why).
        before: { inspectionId: inspection.id, inspectionCode: inspection.code, excluded: false },
        after: { inspectionId: inspection.id, inspectionCode: inspection.code, excluded: true, reason },
        reason,
      });
      return {
        characteristicId: c.id,
        inspectionId: inspection.id,
        inspectionCode: inspection.code,
        reason,
        excludedBy: p.name,
        excludedAt: inserted[0]!.excluded_at.toISOString(),
        limitsVersion: c.limitsVersion,
      };
    });
  }

  /** Takes an exclusion back (the point counts again for provisional limits and later freezes). */
  include(
    siteId: string,
    characteristicId: string,
    inspectionRef: string,
    reason: string,
  ): Promise<ExclusionView> {
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const c = await this.charted(m, siteId, characteristicId);
      const inspection = await this.inspectionRef(m, siteId, inspectionRef, 'inspectionId');
      const [removed] = await m.query<
        [Array<{ reason: string; excluded_by_name: string; excluded_at: Date }>, number]
      >(
        `DELETE FROM spc_exclusion WHERE characteristic_id = $1 AND inspection_id = $2
         RETURNING reason, excluded_by_name, excluded_at`,
        [c.id, inspection.id],
      );
      const row = removed[0];
      if (!row) throw notFound('spc_exclusion', `${c.code}/${inspection.code}`);
      await this.audit.record(tx, {
        entityType: 'inspection_characteristic',
        entityId: c.id,
        siteId,
        action: 'spc.point_included',
        before: {
          inspectionId: inspection.id,
          inspectionCode: inspection.code,
          excluded: true,
          reason: row.reason,
        },
        after: { inspectionId: inspection.id, inspectionCode: inspection.code, excluded: false },
        reason: reason.trim(),
      });
      return {
        characteristicId: c.id,
        inspectionId: inspection.id,
        inspectionCode: inspection.code,
        reason: row.reason,
        excludedBy: row.excluded_by_name,
        excludedAt: row.excluded_at.toISOString(),
        limitsVersion: c.limitsVersion,
      };
    });
  }

  /** Recent rule violations of the site, newest first (the quality dashboard). */
  async signals(siteId: string, q: SignalQueryDto): Promise<SignalView[]> {
    const rows: Array<{
      id: string;
      detected_at: Date;
      characteristic_id: string;
      characteristic_code: string;
      characteristic_name: string;
      characteristic_name_zh: string | null;
      inspection_id: string;
      inspection_code: string;
      rules: string[];
      value: number;
      limits_version: number | null;
      work_order_id: string | null;
      work_order_code: string | null;
      work_center_id: string | null;
      ncr_id: string | null;
      ncr_code: string | null;
      ncr_status: string | null;
      held_work_order_id: string | null;
      held_lots: Array<{ lotId: string; lotCode: string }>;
    }> = await this.dataSource.query(
      `SELECT s.id, s.detected_at, s.characteristic_id, c.code AS characteristic_code,
              c.name AS characteristic_name, c.name_zh AS characteristic_name_zh, s.inspection_id,
              i.code AS inspection_code, s.rules, s.value, s.limits_version, i.work_order_id,
              wo.code AS work_order_code, i.work_center_id, s.ncr_id, n.code AS ncr_code, n.status AS ncr_status,
              s.held_work_order_id, s.held_lots
         FROM spc_signal s
         JOIN inspection_characteristic c ON c.id = s.characteristic_id
         JOIN inspection i ON i.id = s.inspection_id
         LEFT JOIN work_order wo ON wo.id = i.work_order_id
         LEFT JOIN ncr n ON n.id = s.ncr_id
        WHERE s.site_id = $1 AND ($2::uuid IS NULL OR s.characteristic_id = $2)
          AND ($3::timestamptz IS NULL OR s.detected_at >= $3)
        ORDER BY s.detected_at DESC, s.id DESC
        LIMIT $4`,
      [siteId, q.characteristic ?? null, q.since ?? null, q.limit ?? 50],
    );
    return rows.map((r) => ({
      id: r.id,
      detectedAt: r.detected_at.toISOString(),
      characteristicId: r.characteristic_id,
      characteristicCode: r.characteristic_code,
      characteristicName: r.characteristic_name,
      characteristicNameZh: r.characteristic_name_zh,
      inspectionId: r.inspection_id,
      inspectionCode: r.inspection_code,
      rules: r.rules,
      value: r.value,
      limitsVersion: r.limits_version,
      workOrderId: r.work_order_id,
      workOrderCode: r.work_order_code,
      workCenterId: r.work_center_id,
      ncrId: r.ncr_id,
      ncrCode: r.ncr_code,
      ncrStatus: r.ncr_status,
      heldWorkOrderId: r.held_work_order_id,
      heldLots: r.held_lots,
    }));
  }

  private async characteristic(
    m: EntityManager,
    siteId: string,
    id: string,
    lock = false,
  ): Promise<InspectionCharacteristic> {
    const c = lock
      ? await m
          .getRepository(InspectionCharacteristic)
          .findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } })
      : await m
          .getRepository(InspectionCharacteristic)
          .findOne({ where: { id, siteId }, relations: { plan: true } });
    if (!c) throw notFound('inspection_characteristic', id);
    return c;
  }

  private async charted(m: EntityManager, siteId: string, id: string, lock = false): Promise<Charted> {
    const c = await this.characteristic(m, siteId, id, lock);
    if (c.chart === null) {
      throw new DomainError(
        'conflict',
        QualityErrorCode.SPC_NOT_CHARTED,
        `Characteristic ${c.code} has no control chart (set its chart type first)`,
      );
    }
    return c as Charted;
  }

  /** The frozen set the chart is judged against (one frozen for another chart type does not apply). */
  private async limitSetInUse(m: EntityManager, c: Charted): Promise<SpcLimitSet | null> {
    if (c.limitsVersion === null) return null;
    const set = await m
      .getRepository(SpcLimitSet)
      .findOneBy({ characteristicId: c.id, version: c.limitsVersion });
    return set?.chart === c.chart ? set : null;
  }

  private async inspectionRef(
    m: EntityManager,
    siteId: string,
    ref: string,
    field: string,
  ): Promise<{ id: string; code: string }> {
    const rows: Array<{ id: string; code: string }> = await m.query(
      `SELECT id, code FROM inspection WHERE site_id = $1 AND ${isUUID(ref) ? 'id = $2::uuid' : 'code = $2'}`,
      [siteId, ref],
    );
    if (!rows[0]) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, `Unknown inspection ${ref}`, {
        errors: [{ field, message: `inspection ${ref} does not exist at this site` }],
      });
    }
    return rows[0];
  }

  private async inspectionCodes(m: EntityManager, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: Array<{ id: string; code: string }> = await m.query(
      `SELECT id, code FROM inspection WHERE id = ANY($1::uuid[])`,
      [[...new Set(ids)]],
    );
    return new Map(rows.map((r) => [r.id, r.code]));
  }

  /** The index of the point of an inspection (code or id) on the chart, or a 400 naming the field. */
  private pointAt(points: StoredPoint[], ref: string, field: string): number {
    const k = points.findIndex((pt) => pt.inspectionId === ref || pt.inspectionCode === ref);
    if (k < 0) {
      throw new DomainError(
        'validation',
        PlatformErrorCode.VALIDATION_FAILED,
        `${ref} is not a point on the chart`,
        {
          errors: [{ field, message: `inspection ${ref} has no results on this chart (or was cancelled)` }],
        },
      );
    }
    return k;
  }

  /** The chart indices the frozen limits were computed from (null: provisional, every point is phase I). */
  private phaseIRange(
    frozen: SpcLimitSet | null,
    points: StoredPoint[],
  ): { first: number; last: number } | null {
    if (!frozen) return null;
    const first = points.findIndex((pt) => pt.inspectionId === frozen.fromInspectionId);
    const last = points.findIndex((pt) => pt.inspectionId === frozen.toInspectionId);
    // A range point since cancelled (or beyond `before`): the range is taken as far as it is still shown.
    if (first < 0) return { first: Infinity, last: -Infinity };
    return { first, last: last < 0 ? points.length - 1 : last };
  }

  private async limitsView(
    m: EntityManager,
    c: Charted,
    frozen: SpcLimitSet | null,
    points: StoredPoint[],
    analysis: SpcAnalysis | null,
  ): Promise<LimitsView> {
    if (frozen) {
      const codes = await this.inspectionCodes(m, [frozen.fromInspectionId, frozen.toInspectionId]);
      return this.limitSetView(
        frozen,
        { inspectionId: frozen.fromInspectionId, inspectionCode: codes.get(frozen.fromInspectionId) ?? '' },
        { inspectionId: frozen.toInspectionId, inspectionCode: codes.get(frozen.toInspectionId) ?? '' },
        frozen.version,
      );
    }
    const ref = (pt: StoredPoint | undefined) =>
      pt ? { inspectionId: pt.inspectionId, inspectionCode: pt.inspectionCode } : null;
    const excluded = points
      .filter((pt) => pt.exclusionReason !== null)
      .map((pt) => ({
        inspectionId: pt.inspectionId,
        inspectionCode: pt.inspectionCode,
        reason: pt.exclusionReason!,
      }));
    const sec = analysis?.secondary;
    return {
      provisional: true,
      version: null,
      frozenAt: null,
      frozenBy: null,
      reason: null,
      center: analysis?.limits.center ?? null,
      sigma: analysis?.limits.sigma ?? null,
      nSigma: Number(c.nSigma),
      ucl: typeof analysis?.ucl === 'number' ? analysis.ucl : null,
      lcl: typeof analysis?.lcl === 'number' ? analysis.lcl : null,
      secondary:
        sec && typeof sec.center === 'number' && typeof sec.ucl === 'number' && typeof sec.lcl === 'number'
          ? { center: sec.center, ucl: sec.ucl, lcl: sec.lcl }
          : null,
      from: ref(points[0]),
      to: ref(points.at(-1)),
      pointsUsed: points.length - excluded.length,
      excluded,
    };
  }

  private limitSetView(
    s: SpcLimitSet,
    from: { inspectionId: string; inspectionCode: string },
    to: { inspectionId: string; inspectionCode: string },
    inUseVersion: number | null,
  ): LimitSetView {
    return {
      id: s.id,
      chart: s.chart,
      inUse: s.version === inUseVersion,
      provisional: false,
      version: s.version,
      frozenAt: s.frozenAt.toISOString(),
      frozenBy: s.frozenByName,
      reason: s.reason,
      center: s.center,
      sigma: s.sigma,
      nSigma: Number(s.nSigma),
      ucl: s.ucl,
      lcl: s.lcl,
      secondary: s.secondary,
      from,
      to,
      pointsUsed: s.pointsUsed,
      excluded: s.excluded,
    };
  }

  private pointBase(p: StoredPoint, index: number) {
    return {
      index,
      inspectionId: p.inspectionId,
      inspectionCode: p.inspectionCode,
      at: p.at.toISOString(),
      n: p.n,
      excluded: p.exclusionReason !== null,
      exclusionReason: p.exclusionReason,
      workOrderId: p.workOrderId,
      workOrderCode: p.workOrderCode,
    };
  }

  /** The statistic a point would plot, for charts too short to analyse. */
  private plainValue(chart: ChartType, p: StoredPoint): number {
    const mean = p.values.length > 0 ? p.values.reduce((a, b) => a + b, 0) / p.values.length : 0;
    switch (chart) {
      case 'xbar-r':
      case 'xbar-s':
      case 'imr':
        return mean;
      case 'p':
        return p.failed / p.n;
      case 'np':
        return p.failed;
      case 'c':
        return p.defects;
      case 'u':
        return p.defects / p.n;
    }
  }
}
