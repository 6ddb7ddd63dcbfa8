import { Injectable, Logger } from '@nestjs/common';
import { In } from 'typeorm';
import { InventoryFacade } from '../../inventory/inventory.facade';
import { AuditService } from '../../platform/audit/audit.service';
import type { Tx } from '../../platform/database/transaction-runner';
import { ProductionFacade } from '../../production/production.facade';
import { Inspection } from '../inspections/inspection.entity';
import { NcrService } from '../ncr/ncr.service';
import { InspectionCharacteristic } from '../plans/inspection-plan.entity';
import { type ChartType, type SpcAnalysis, SpcInputError } from './engine/analyze';
import { SpcLimitSet, SpcSignal } from './spc.entities';
import {
  analyzeStored,
  chartIndexOf,
  loadRecentPoints,
  type StoredPoint,
  violationsAt,
} from './stored-series';

/** Earlier points judged with the new one: far more than the longest rule looks back (15 points). */
const WINDOW = 100;
/**
 * The plan's latest inspections the window is taken from: bounded work per judgement however long the chart is,
 * with room for inspections that have no result for the characteristic (still pending, other characteristics).
 */
const CANDIDATES = 2 * (WINDOW + 1);
/**
 * Without frozen limits a point is judged only once this many earlier points (not excluded) give provisional
 * limits: limits from two or three points would signal nearly anything, and nobody would trust the chart.
 */
const MIN_EARLIER_POINTS = 5;
const HOLDABLE_LOT_STATUSES = new Set(['quarantine', 'available']);

type ChartedCharacteristic = InspectionCharacteristic & { chart: ChartType };

@Injectable()
export class SpcMonitor {
  private readonly logger = new Logger(SpcMonitor.name);

  constructor(
    private readonly production: ProductionFacade,
    private readonly inventory: InventoryFacade,
    private readonly ncrs: NcrService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Judges an inspection's subgroup of each given charted characteristic against the chart's limits, inside the
   * transaction that recorded the results; a violation is stored once and sets off what the characteristic says.
   */
  async judgeIn(tx: Tx, inspectionId: string, characteristicIds: string[]): Promise<SpcSignal[]> {
    if (characteristicIds.length === 0) return [];
    const m = tx.manager;
    const inspection = await m.getRepository(Inspection).findOneBy({ id: inspectionId });
    if (!inspection || inspection.status === 'cancelled') return [];
    const characteristics = (
      await m.getRepository(InspectionCharacteristic).findBy({ id: In([...new Set(characteristicIds)]) })
    ).filter((c): c is ChartedCharacteristic => c.chart !== null && c.ruleSet !== 'none');
    if (characteristics.length === 0) return [];

    const withLimits = characteristics.filter((c) => c.limitsVersion !== null);
    const limitSets = new Map(
      (withLimits.length === 0
        ? []
        : await m.getRepository(SpcLimitSet).find({
            where: withLimits.map((c) => ({ characteristicId: c.id, version: c.limitsVersion! })),
          })
      ).map((s) => [s.characteristicId, s]),
    );
    // One query for every characteristic's recent points, up to and including this inspection.
    const recent = await loadRecentPoints(m, {
      planId: inspection.planId,
      characteristicIds: characteristics.map((c) => c.id),
      inspectionId,
      candidates: CANDIDATES,
    });

    const signals: SpcSignal[] = [];
    for (const c of characteristics) {
      const all = recent.points.get(c.id)!;
      const points = all.slice(-(WINDOW + 1));
      // The window holds the chart from its first point: positions are chart indices.
      const fromStart = recent.reachesStart && all.length === points.length;
      const judged = points.at(-1);
      // Not a point (yet): e.g. an x̄ subgroup with a single value so far.
      if (!judged || judged.inspectionId !== inspectionId) continue;
      const set = limitSets.get(c.id);
      const frozen = set?.chart === c.chart ? set : null;
      const earlier = points.slice(0, -1).filter((p) => p.exclusionReason === null).length;
      if (!frozen && earlier < MIN_EARLIER_POINTS) continue;
      let analysis: SpcAnalysis;
      try {
        const result = analyzeStored(c, points, frozen);
        if (!result.ok) continue;
        analysis = result.analysis;
      } catch (err) {
        // Stored data the engine refuses must not stop results being recorded: logged, not judged.
        if (!(err instanceof SpcInputError)) throw err;
        this.logger.warn(
          { characteristicId: c.id, inspectionId, errors: err.errors },
          'SPC point not judged',
        );
        continue;
      }
      const k = points.length - 1;
      const rules = violationsAt(analysis, k);
      if (rules.length === 0) continue;
      const signal = await this.signalIn(tx, {
        c,
        inspection,
        value: analysis.points[k]!.value,
        rules,
        frozen,
        pointIndex: fromStart ? k : null,
        since: this.lastGoodSampleTime(analysis, points, fromStart),
      });
      if (signal) signals.push(signal);
    }
    return signals;
  }

  /**
   * When the last good sample was taken: the latest earlier point without violations (its inspection's time).
   * Without one in the window, the window's start; without any earlier point at all, null (since ever).
   */
  private lastGoodSampleTime(analysis: SpcAnalysis, points: StoredPoint[], fromStart: boolean): Date | null {
    for (let k = points.length - 2; k >= 0; k--) {
      if (violationsAt(analysis, k).length === 0) return points[k]!.at;
    }
    return fromStart ? null : points[0]!.at;
  }

  private async signalIn(
    tx: Tx,
    s: {
      c: ChartedCharacteristic;
      inspection: Inspection;
      value: number;
      rules: string[];
      frozen: SpcLimitSet | null;
      /** The point's index on the chart when the window shows it; else counted (only for a new signal). */
      pointIndex: number | null;
      since: Date | null;
    },
  ): Promise<SpcSignal | null> {
    const { c, inspection, value, rules } = s;
    const limitsVersion = s.frozen?.version ?? null;
    // Once per point: a retried or corrected subgroup that still violates signals nothing new.
    const inserted: Array<{ id: string; detected_at: Date }> = await tx.manager.query(
      `INSERT INTO spc_signal (characteristic_id, inspection_id, site_id, rules, value, limits_version)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6)
       ON CONFLICT (characteristic_id, inspection_id) DO NOTHING
       RETURNING id, detected_at`,
      [c.id, inspection.id, inspection.siteId, JSON.stringify(rules), value, limitsVersion],
    );
    const row = inserted[0];
    if (!row) return null;
    const pointIndex = s.pointIndex ?? (await chartIndexOf(tx.manager, c.id, inspection.id));

    const reason = `SPC ${c.code}: ${rules.join(', ')} at ${inspection.code}`;
    let heldWorkOrderId: string | null = null;
    if (c.violationHoldsWorkOrder && inspection.workOrderId) {
      const held = await this.production.holdWorkOrder(tx, inspection.siteId, inspection.workOrderId, reason);
      if (held) heldWorkOrderId = inspection.workOrderId;
    }
    const heldLots = c.violationHoldsLots ? await this.holdSuspectLots(tx, inspection, s.since, reason) : [];
    const ncr = c.violationOpensNcr
      ? await this.ncrs.openIn(tx, {
          siteId: inspection.siteId,
          source: 'spc',
          title: `${c.name}: ${rules.join(', ')}`.slice(0, 200),
          description:
            `Control chart ${c.chart} of ${c.code}: point ${pointIndex + 1} (${inspection.code}) = ${value}` +
            ` broke ${rules.join(', ')} against ${limitsVersion === null ? 'provisional limits' : `frozen limits v${limitsVersion}`}.`,
          materialId: inspection.materialId,
          characteristicId: c.id,
          inspectionId: inspection.id,
          workOrderId: inspection.workOrderId,
          operationId: inspection.operationId,
          workCenterId: inspection.workCenterId,
          lots: heldLots.map((l) => ({ lotId: l.lotId, heldByNcr: true })),
        })
      : null;
    if (ncr || heldWorkOrderId || heldLots.length > 0) {
      await tx.manager.query(
        `UPDATE spc_signal SET ncr_id = $2, held_work_order_id = $3, held_lots = $4::jsonb WHERE id = $1`,
        [row.id, ncr?.id ?? null, heldWorkOrderId, JSON.stringify(heldLots)],
      );
    }
    const signal = tx.manager.getRepository(SpcSignal).create({
      id: row.id,
      characteristicId: c.id,
      inspectionId: inspection.id,
      siteId: inspection.siteId,
      rules,
      value,
      limitsVersion,
      ncrId: ncr?.id ?? null,
      heldWorkOrderId,
      heldLots,
      detectedAt: row.detected_at,
    });
    await this.audit.record(tx, {
      entityType: 'spc_signal',
      entityId: row.id,
      siteId: inspection.siteId,
      action: 'spc.violation',
      after: {
        characteristicId: c.id,
        characteristicCode: c.code,
        inspectionCode: inspection.code,
        pointIndex,
        value,
        rules,
        limitsVersion,
        ncrCode: ncr?.code ?? null,
        heldWorkOrderId,
        heldLots,
      },
      reason,
    });
    tx.raise('quality.spc.violation', {
      signalId: row.id,
      siteId: inspection.siteId,
      characteristicId: c.id,
      characteristicCode: c.code,
      inspectionId: inspection.id,
      inspectionCode: inspection.code,
      pointIndex,
      value,
      rules,
      limitsVersion,
      workCenterId: inspection.workCenterId,
      equipmentId: inspection.equipmentId,
      workOrderId: inspection.workOrderId,
      ncrId: ncr?.id ?? null,
      ncrCode: ncr?.code ?? null,
      heldWorkOrderId,
      heldLots,
    });
    return signal;
  }

  /**
   * Holds what may have been made out of control: the lots produced since the last good sample by the work
   * orders inspected under this plan since then, and by the inspection's own order. Lots in quarantine or
   * available only (held, rejected or consumed ones are left as they are).
   */
  private async holdSuspectLots(
    tx: Tx,
    inspection: Inspection,
    since: Date | null,
    reason: string,
  ): Promise<Array<{ lotId: string; lotCode: string }>> {
    const rows: Array<{ work_order_id: string }> = await tx.manager.query(
      `SELECT DISTINCT work_order_id FROM inspection
        WHERE plan_id = $1 AND work_order_id IS NOT NULL AND status <> 'cancelled'
          AND ($2::timestamptz IS NULL OR created_at >= $2)`,
      [inspection.planId, since],
    );
    const workOrderIds = new Set(rows.map((r) => r.work_order_id));
    if (inspection.workOrderId) workOrderIds.add(inspection.workOrderId);
    const held: Array<{ lotId: string; lotCode: string }> = [];
    for (const workOrderId of [...workOrderIds].sort()) {
      const lots = await this.inventory.lotsProducedBy(tx.manager, workOrderId, since);
      for (const lot of lots) {
        if (!HOLDABLE_LOT_STATUSES.has(lot.status)) continue;
        await this.inventory.changeLotStatus(tx, {
          siteId: inspection.siteId,
          lot: lot.id,
          command: 'hold',
          reason,
          source: 'quality',
        });
        held.push({ lotId: lot.id, lotCode: lot.code });
      }
    }
    return held;
  }
}
