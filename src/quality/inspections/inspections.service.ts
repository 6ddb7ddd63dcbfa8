import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource, EntityManager, In } from 'typeorm';
import { InventoryFacade, type Lot } from '../../inventory/inventory.facade';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { ProductionFacade, type OperationContext } from '../../production/production.facade';
import { AuditService } from '../../platform/audit/audit.service';
import { hasRole, type Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { nextSequenceValue } from '../../platform/database/document-sequence';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { add, formatExact, isZero, parseDecimal, ZERO } from '../../platform/engine/decimal';
import { localDate } from '../../platform/engine/local-date';
import {
  DomainError,
  notFound,
  PlatformErrorCode,
  type FieldError,
} from '../../platform/errors/domain-error';
import { Site } from '../../platform/sites/site.entity';
import { Ncr } from '../ncr/ncr.entity';
import { NcrService } from '../ncr/ncr.service';
import {
  InspectionCharacteristic,
  InspectionPlan,
  type InspectionFrequency,
  type InspectionType,
} from '../plans/inspection-plan.entity';
import { characteristicView, plainDecimal, type CharacteristicView } from '../plans/inspection-plans.service';
import { QualityErrorCode } from '../quality.errors';
import { SpcMonitor } from '../spc/spc-monitor.service';
import type { SpcSignal } from '../spc/spc.entities';
import type {
  CancelInspectionDto,
  CreateInspectionDto,
  DecisionDto,
  InspectionQueryDto,
  RecordResultsDto,
  ResultDto,
} from './inspection.dto';
import {
  Inspection,
  InspectionResult,
  type InspectionStatus,
  type InspectionTrigger,
  type LotOutcome,
} from './inspection.entity';
import {
  defectCodesFound,
  findingsOf,
  judgeSample,
  suggestedOutcome,
  type Finding,
  type JudgedResult,
} from './inspection-judgement';

/** What makes an inspection: its plan and what it is about (a lot, or an operation's production). */
export interface CreateInspectionCommand {
  plan: InspectionPlan;
  trigger: InspectionTrigger;
  lot?: { id: string; code: string; workOrderId: string | null };
  operation?: OperationContext;
  /** IPQC: the n-th inspection of the operation under the plan; 1 for a lot. */
  sequenceNo?: number;
  dueAt: Date;
}

export interface SampleView {
  sampleNo: number;
  value: string | null;
  passed: boolean | null;
  defectCount: number | null;
  defectCodes: string[];
  note: string | null;
  conforming: boolean;
  recordedBy: string;
  recordedAt: Date;
}

export interface InspectionCharacteristicView extends CharacteristicView {
  recorded: number;
  missingSamples: number[];
  samples: SampleView[];
}

export interface InspectionDetail {
  id: string;
  code: string;
  type: InspectionType;
  status: InspectionStatus;
  trigger: InspectionTrigger;
  sequenceNo: number;
  sampleSize: number;
  dueAt: Date;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  decidedAt: Date | null;
  decidedBy: { id: string | null; name: string } | null;
  decisionNote: string | null;
  lotOutcome: LotOutcome | null;
  ncr: { id: string; code: string; status: string } | null;
  plan: { id: string; code: string; name: string; nameZh: string | null; frequency: InspectionFrequency };
  material: { id: string; code: string; name: string; nameZh: string | null };
  lot: {
    id: string;
    code: string;
    status: string;
    statusReason: string | null;
    quantity: string;
    initialQty: string;
    supplierId: string | null;
    workOrderId: string | null;
  } | null;
  workOrderId: string | null;
  workCenterId: string | null;
  equipmentId: string | null;
  operation: {
    id: string;
    seq: number;
    name: string;
    status: string;
    goodQty: string;
    startedAt: Date | null;
    workOrderId: string;
    workOrderCode: string;
  } | null;
  characteristics: InspectionCharacteristicView[];
  /** Samples still to record, per characteristic (only those with some missing). */
  missing: Array<{ characteristicId: string; code: string; missingSamples: number[] }>;
  /** Every sample of every characteristic is recorded. */
  complete: boolean;
  /** Samples that do not conform: values outside the spec limits, failed checks, defects found. */
  outOfSpec: Finding[];
  /** What the results say (fail on any nonconforming sample); null before anything is recorded. */
  suggestedOutcome: 'pass' | 'fail' | null;
}

export interface InspectionSummary {
  id: string;
  code: string;
  type: InspectionType;
  status: InspectionStatus;
  trigger: InspectionTrigger;
  sequenceNo: number;
  sampleSize: number;
  dueAt: Date;
  decidedAt: Date | null;
  plan: { id: string; code: string; name: string; nameZh: string | null };
  material: { id: string; code: string; name: string };
  lot: { id: string; code: string; status: string } | null;
  workOrder: { id: string; code: string } | null;
  operation: { id: string; seq: number } | null;
  workCenterId: string | null;
  equipmentId: string | null;
  ncrId: string | null;
}

export interface RecordedResults extends InspectionDetail {
  /** Control-chart rule violations the new subgroups set off (judged in the same transaction). */
  signals: SpcSignal[];
  /** IPQC: decided by its results now that every sample is recorded. */
  decidedAutomatically: boolean;
}

const OPEN: readonly InspectionStatus[] = ['pending', 'in_progress'];
/** Inspections that keep a lot from being released by hand. */
const BLOCKING: readonly InspectionStatus[] = ['pending', 'in_progress', 'failed'];

interface ListRow {
  id: string;
  code: string;
  type: InspectionType;
  status: InspectionStatus;
  trigger: InspectionTrigger;
  sequence_no: number;
  sample_size: number;
  due_at: Date;
  due_key: string;
  decided_at: Date | null;
  plan_id: string;
  plan_code: string;
  plan_name: string;
  plan_name_zh: string | null;
  material_id: string;
  lot_id: string | null;
  lot_code: string | null;
  lot_status: string | null;
  work_order_id: string | null;
  wo_code: string | null;
  operation_id: string | null;
  op_seq: number | null;
  work_center_id: string | null;
  equipment_id: string | null;
  ncr_id: string | null;
}

/**
 * Inspections (检验单): created when due (see InspectionTriggers) or by hand, results recorded by sample,
 * decided by quality (IQC/OQC) or by their results (IPQC). The outcome moves the lot through inventory and
 * says what it did in `lotOutcome` — never silently; a failure opens an NCR.
 */
@Injectable()
export class InspectionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly masterData: MasterDataFacade,
    private readonly inventory: InventoryFacade,
    private readonly production: ProductionFacade,
    private readonly ncrs: NcrService,
    private readonly spc: SpcMonitor,
  ) {}

  /**
   * Creates an inspection inside the caller's transaction, once: null when the lot already has its
   * inspection under this plan, or the operation its n-th one (the unique indexes decide under a race).
   */
  async createIn(tx: Tx, c: CreateInspectionCommand): Promise<Inspection | null> {
    const m = tx.manager;
    const lotTriggered = c.trigger === 'receipt' || c.trigger === 'completion';
    if (
      c.lot &&
      lotTriggered &&
      (await m.getRepository(Inspection).existsBy({
        planId: c.plan.id,
        lotId: c.lot.id,
        trigger: In(['receipt', 'completion']),
      }))
    ) {
      return null;
    }
    const code = await this.nextCode(m, c.plan.siteId);
    const op = c.operation;
    const rows: Array<{ id: string }> = await m.query(
      `INSERT INTO inspection (site_id, code, plan_id, type, status, "trigger", material_id, lot_id, work_order_id,
                               operation_id, work_center_id, equipment_id, sequence_no, sample_size, due_at)
       VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        c.plan.siteId,
        code,
        c.plan.id,
        c.plan.type,
        c.trigger,
        c.plan.materialId,
        c.lot?.id ?? null,
        op?.workOrderId ?? c.lot?.workOrderId ?? null,
        op?.operationId ?? null,
        op?.workCenterId ?? null,
        op?.equipmentId ?? null,
        c.sequenceNo ?? 1,
        c.plan.sampleSize,
        c.dueAt,
      ],
    );
    if (rows.length === 0) return null;
    const inspection = await m.getRepository(Inspection).findOneByOrFail({ id: rows[0]!.id });
    const subject = c.lot
      ? `lot ${c.lot.code}`
      : `${op!.workOrderCode} operation ${op!.seq}, inspection ${inspection.sequenceNo}`;
    await this.audit.record(tx, {
      entityType: 'inspection',
      entityId: inspection.id,
      siteId: inspection.siteId,
      action: 'inspection.created',
      after: inspection,
      reason: `${c.plan.type.toUpperCase()} plan ${c.plan.code} (${c.trigger}): ${subject}`,
    });
    tx.raise('quality.inspection.created', {
      inspectionId: inspection.id,
      code: inspection.code,
      siteId: inspection.siteId,
      type: inspection.type,
      trigger: inspection.trigger,
      planId: inspection.planId,
      materialId: inspection.materialId,
      lotId: inspection.lotId,
      lotCode: c.lot?.code ?? null,
      workOrderId: inspection.workOrderId,
      operationId: inspection.operationId,
      workCenterId: inspection.workCenterId,
      equipmentId: inspection.equipmentId,
      dueAt: inspection.dueAt.toISOString(),
    });
    return inspection;
  }

  /** The next free sequence number of an operation's inspections under a plan. */
  async nextSequenceNo(m: EntityManager, planId: string, operationId: string): Promise<number> {
    const [row] = await m.query<Array<{ n: number }>>(
      `SELECT coalesce(max(sequence_no), 0)::int + 1 AS n FROM inspection WHERE plan_id = $1 AND operation_id = $2`,
      [planId, operationId],
    );
    return row!.n;
  }

  /** Inspections of a lot that are not passed (open or failed), other than `exceptId`. */
  async blockingInspections(
    m: EntityManager,
    lotId: string,
    exceptId: string | null = null,
  ): Promise<Array<{ id: string; code: string; status: InspectionStatus }>> {
    return m.query(
      `SELECT id, code, status FROM inspection
        WHERE lot_id = $1 AND status = ANY($2::text[]) AND ($3::uuid IS NULL OR id <> $3)
        ORDER BY created_at, code`,
      [lotId, BLOCKING, exceptId],
    );
  }

  /** A re-inspection, or an inspection the triggers did not make (trigger `manual`). */
  createManual(p: Principal, siteId: string, dto: CreateInspectionDto): Promise<InspectionDetail> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const plan = await m
        .getRepository(InspectionPlan)
        .findOneBy(isUUID(dto.plan) ? { siteId, id: dto.plan } : { siteId, code: dto.plan });
      const invalid = (errors: FieldError[]): DomainError =>
        new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'The inspection is invalid', {
          errors,
        });
      if (!plan)
        throw invalid([
          { field: 'plan', message: `inspection plan ${dto.plan} does not exist at this site` },
        ]);
      if (!plan.active)
        throw invalid([{ field: 'plan', message: `inspection plan ${plan.code} is inactive` }]);
      let created: Inspection | null;
      if (plan.type === 'ipqc') {
        const errors: FieldError[] = [];
        if (dto.lot !== undefined)
          errors.push({ field: 'lot', message: 'an IPQC inspection is about an operation, not a lot' });
        if (dto.operation === undefined)
          errors.push({ field: 'operation', message: 'operation is required for an IPQC plan' });
        const op = dto.operation ? await this.production.operationContext(m, dto.operation) : null;
        if (dto.operation && (!op || op.siteId !== siteId)) {
          errors.push({
            field: 'operation',
            message: `operation ${dto.operation} does not exist at this site`,
          });
        } else if (op && (op.materialId !== plan.materialId || op.seq !== plan.operationSeq)) {
          errors.push({
            field: 'operation',
            message: `plan ${plan.code} covers operation ${plan.operationSeq} of its material; this is operation ${op.seq} of ${op.workOrderCode}`,
          });
        }
        if (errors.length > 0 || !op) throw invalid(errors);
        created = await this.createIn(tx, {
          plan,
          trigger: 'manual',
          operation: op,
          sequenceNo: await this.nextSequenceNo(m, plan.id, op.operationId),
          dueAt: new Date(),
        });
      } else {
        const errors: FieldError[] = [];
        if (dto.operation !== undefined)
          errors.push({
            field: 'operation',
            message: `an ${plan.type.toUpperCase()} inspection is about a lot`,
          });
        if (dto.lot === undefined)
          errors.push({ field: 'lot', message: `lot is required for an ${plan.type.toUpperCase()} plan` });
        const lot = dto.lot ? await this.inventory.findLot(m, siteId, dto.lot) : null;
        if (dto.lot && !lot)
          errors.push({ field: 'lot', message: `lot ${dto.lot} does not exist at this site` });
        else if (lot && lot.materialId !== plan.materialId)
          errors.push({
            field: 'lot',
            message: `lot ${lot.code} is of another material than plan ${plan.code}`,
          });
        if (errors.length > 0 || !lot) throw invalid(errors);
        created = await this.createIn(tx, { plan, trigger: 'manual', lot, dueAt: new Date() });
      }
      if (!created) {
        throw new DomainError(
          'conflict',
          PlatformErrorCode.CONCURRENT_MODIFICATION,
          'Another inspection was created at the same moment; send the request again',
        );
      }
      return this.detailIn(m, created);
    });
  }

  async get(p: Principal, siteId: string, id: string): Promise<InspectionDetail> {
    assertSiteAccess(p, siteId);
    const m = this.dataSource.manager;
    const inspection = await m.getRepository(Inspection).findOneBy({ id, siteId });
    if (!inspection) throw notFound('inspection', id);
    return this.detailIn(m, inspection);
  }

  /** Pending work for quality users, or the IPQC list at a work center's terminal; oldest due first (then by sequence). */
  async list(
    p: Principal,
    siteId: string,
    q: InspectionQueryDto,
  ): Promise<{ items: InspectionSummary[]; nextCursor: string | null }> {
    assertSiteAccess(p, siteId);
    const m = this.dataSource.manager;
    const limit = q.limit ?? 50;
    const where: string[] = ['i.site_id = $1'];
    const params: unknown[] = [siteId];
    const errors: FieldError[] = [];
    const param = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    if (q.status) where.push(`i.status = ANY(${param(q.status.split(','))}::text[])`);
    if (q.type) where.push(`i.type = ${param(q.type)}`);
    if (q.workCenter) {
      const wc = await this.masterData.workCenter(siteId, q.workCenter, m);
      if (!wc)
        errors.push({
          field: 'workCenter',
          message: `work center ${q.workCenter} does not exist at this site`,
        });
      else where.push(`i.work_center_id = ${param(wc.id)}`);
    }
    if (q.lot) {
      const lot = await this.inventory.findLot(m, siteId, q.lot);
      if (!lot) errors.push({ field: 'lot', message: `lot ${q.lot} does not exist at this site` });
      else where.push(`i.lot_id = ${param(lot.id)}`);
    }
    if (q.workOrder) {
      const w = param(q.workOrder);
      where.push(isUUID(q.workOrder) ? `i.work_order_id = ${w}::uuid` : `w.code = ${w}`);
    }
    if (q.plan) {
      const w = param(q.plan);
      where.push(isUUID(q.plan) ? `i.plan_id = ${w}::uuid` : `p.code = ${w}`);
    }
    if (q.cursor) {
      const cursor = decodeCursor(q.cursor);
      if (!cursor) errors.push({ field: 'cursor', message: 'cursor is not one this list gave out' });
      else
        where.push(
          `(i.due_at, i.sequence_no, i.id) > (${param(cursor.dueAt)}::timestamptz, ${param(cursor.sequenceNo)}::int, ${param(cursor.id)}::uuid)`,
        );
    }
    if (errors.length > 0) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'The query is invalid', {
        errors,
      });
    }
    // A read model over the inspection with the codes people look for (lot, work order, operation).
    const rows = await m.query<ListRow[]>(
      `SELECT i.id, i.code, i.type, i.status, i."trigger", i.sequence_no, i.sample_size, i.due_at,
              to_char(i.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS due_key, i.decided_at,
              i.plan_id, p.code AS plan_code, p.name AS plan_name, p.name_zh AS plan_name_zh, i.material_id,
              i.lot_id, l.code AS lot_code, l.status AS lot_status, i.work_order_id, w.code AS wo_code,
              i.operation_id, o.seq AS op_seq, i.work_center_id, i.equipment_id, i.ncr_id
         FROM inspection i
         JOIN inspection_plan p ON p.id = i.plan_id
         LEFT JOIN lot l ON l.id = i.lot_id
         LEFT JOIN work_order w ON w.id = i.work_order_id
         LEFT JOIN work_order_operation o ON o.id = i.operation_id
        WHERE ${where.join(' AND ')}
        ORDER BY i.due_at, i.sequence_no, i.id
        LIMIT ${param(limit + 1)}`,
      params,
    );
    const more = rows.length > limit;
    if (more) rows.pop();
    const materials = await this.masterData.materialNames(
      rows.map((r) => r.material_id),
      m,
    );
    const last = rows[rows.length - 1];
    return {
      items: rows.map((r) => ({
        id: r.id,
        code: r.code,
        type: r.type,
        status: r.status,
        trigger: r.trigger,
        sequenceNo: r.sequence_no,
        sampleSize: r.sample_size,
        dueAt: r.due_at,
        decidedAt: r.decided_at,
        plan: { id: r.plan_id, code: r.plan_code, name: r.plan_name, nameZh: r.plan_name_zh },
        material: { id: r.material_id, ...(materials.get(r.material_id) ?? { code: '', name: '' }) },
        lot: r.lot_id ? { id: r.lot_id, code: r.lot_code ?? '', status: r.lot_status ?? '' } : null,
        workOrder: r.work_order_id ? { id: r.work_order_id, code: r.wo_code ?? '' } : null,
        operation: r.operation_id ? { id: r.operation_id, seq: r.op_seq ?? 0 } : null,
        workCenterId: r.work_center_id,
        equipmentId: r.equipment_id,
        ncrId: r.ncr_id,
      })),
      nextCursor: more && last ? encodeCursor(last.due_key, last.sequence_no, last.id) : null,
    };
  }

  /**
   * Records results by sample (quality users; operators for IPQC). A sample recorded again is a correction,
   * audited with before and after. A charted characteristic whose subgroup just became complete is judged on
   * its control chart in this transaction; an IPQC with every sample recorded is decided by its results.
   */
  recordResults(p: Principal, siteId: string, id: string, dto: RecordResultsDto): Promise<RecordedResults> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const inspection = await this.lock(m, siteId, id);
      assertOpen(inspection);
      if (inspection.type !== 'ipqc' && !hasRole(p, 'admin', 'quality')) {
        throw new DomainError(
          'forbidden',
          PlatformErrorCode.ROLE_REQUIRED,
          `Operators record IPQC results; ${inspection.type.toUpperCase()} results are recorded by quality`,
          { extensions: { requiredRoles: ['admin', 'quality'] } },
        );
      }
      const characteristics = await this.characteristicsOf(m, inspection.planId);
      const before = await m.getRepository(InspectionResult).findBy({ inspectionId: inspection.id });
      const errors: FieldError[] = [];
      const accepted: Array<{ c: InspectionCharacteristic; r: ResultDto }> = [];
      const inRequest = new Map<string, number>();
      for (const [i, r] of dto.results.entries()) {
        const path = `results[${i}]`;
        const c =
          characteristics.find((x) => x.id === r.characteristic) ??
          characteristics.find((x) => x.code === r.characteristic) ??
          characteristics.find((x) => x.code.toUpperCase() === r.characteristic.toUpperCase());
        if (!c) {
          errors.push({
            field: `${path}.characteristic`,
            message: `${r.characteristic} is not a characteristic of this inspection (${characteristics
              .filter((x) => x.active)
              .map((x) => x.code)
              .join(', ')})`,
          });
          continue;
        }
        if (!c.active && !before.some((b) => b.characteristicId === c.id)) {
          errors.push({ field: `${path}.characteristic`, message: `${c.code} is no longer inspected` });
          continue;
        }
        const fieldErrors = await this.resultErrors(m, siteId, inspection, c, r, path);
        const key = `${c.id}:${r.sampleNo}`;
        const first = inRequest.get(key);
        if (first !== undefined) {
          fieldErrors.push({
            field: `${path}.sampleNo`,
            message: `${c.code} sample ${r.sampleNo} is already in results[${first}]`,
          });
        } else inRequest.set(key, i);
        if (fieldErrors.length > 0) errors.push(...fieldErrors);
        else accepted.push({ c, r });
      }
      if (errors.length > 0) {
        throw new DomainError(
          'validation',
          PlatformErrorCode.VALIDATION_FAILED,
          `The results have ${errors.length} invalid field(s)`,
          { errors },
        );
      }

      const recordedById = p.kind === 'user' ? p.id : null;
      const recorded: Array<Record<string, unknown>> = [];
      /** Characteristics with a result stored or corrected now, and how many results were corrected. */
      const touched = new Set<string>();
      let corrected = 0;
      for (const { c, r } of accepted) {
        const next = {
          value: r.value ?? null,
          passed: r.passed ?? null,
          defectCount: r.defectCount ?? null,
          defectCodes: [...new Set(r.defectCodes ?? [])],
          note: r.note ?? null,
        };
        const existing = before.find((b) => b.characteristicId === c.id && b.sampleNo === r.sampleNo);
        if (!existing) {
          await m.insert(InspectionResult, {
            inspectionId: inspection.id,
            siteId,
            characteristicId: c.id,
            sampleNo: r.sampleNo,
            ...next,
            recordedById,
            recordedByName: p.name,
          });
          recorded.push({ characteristic: c.code, sampleNo: r.sampleNo, ...next });
          touched.add(c.id);
          continue;
        }
        const was = {
          value: plainDecimal(existing.value),
          passed: existing.passed,
          defectCount: existing.defectCount,
          defectCodes: existing.defectCodes,
          note: existing.note,
        };
        const same =
          was.value === (next.value === null ? null : plainDecimal(next.value)) &&
          was.passed === next.passed &&
          was.defectCount === next.defectCount &&
          was.note === next.note &&
          JSON.stringify([...was.defectCodes].sort()) === JSON.stringify([...next.defectCodes].sort());
        if (same) continue; // a repeat of what is recorded: nothing to correct
        touched.add(c.id);
        corrected += 1;
        await m.update(
          InspectionResult,
          { id: existing.id },
          {
            ...next,
            recordedById,
            recordedByName: p.name,
            recordedAt: new Date(),
            version: existing.version + 1,
          },
        );
        await this.audit.record(tx, {
          entityType: 'inspection',
          entityId: inspection.id,
          siteId,
          action: 'inspection.result_corrected',
          before: {
            characteristic: c.code,
            sampleNo: r.sampleNo,
            ...was,
            recordedBy: existing.recordedByName,
          },
          after: { characteristic: c.code, sampleNo: r.sampleNo, ...next, recordedBy: p.name },
          reason: r.note ?? `${c.code} sample ${r.sampleNo} recorded again`,
        });
      }
      const statusBefore = inspection.status;
      if (inspection.status === 'pending') {
        await m.update(
          Inspection,
          { id: inspection.id },
          { status: 'in_progress', version: inspection.version + 1 },
        );
        inspection.status = 'in_progress';
        inspection.version += 1;
      }
      if (recorded.length > 0 || statusBefore !== inspection.status) {
        await this.audit.record(tx, {
          entityType: 'inspection',
          entityId: inspection.id,
          siteId,
          action: 'inspection.results_recorded',
          before: { status: statusBefore },
          after: { status: inspection.status, results: recorded },
        });
      }

      const after = await m.getRepository(InspectionResult).findBy({ inspectionId: inspection.id });
      const count = (rows: InspectionResult[], cid: string): number =>
        rows.filter((x) => x.characteristicId === cid).length;
      const inScope = characteristics.filter((c) => c.active || count(after, c.id) > 0);
      const justComplete = inScope.filter(
        (c) =>
          c.chart !== null &&
          count(before, c.id) < inspection.sampleSize &&
          count(after, c.id) >= inspection.sampleSize,
      );
      const signals =
        justComplete.length > 0
          ? await this.spc.judgeIn(
              tx,
              inspection.id,
              justComplete.map((c) => c.id),
            )
          : [];
      const allRecorded = inScope.every((c) => count(after, c.id) >= inspection.sampleSize);
      let decidedAutomatically = false;
      if (inspection.type === 'ipqc' && allRecorded) {
        const outcome = suggestedOutcome(inScope.map(judged), after.map(judgedResult)) ?? 'pass';
        await this.decideIn(tx, inspection, outcome, p, null, true);
        decidedAutomatically = true;
      }
      const fresh = await m.getRepository(Inspection).findOneByOrFail({ id: inspection.id });
      if (touched.size > 0) {
        tx.raise('quality.inspection.results_recorded', {
          inspectionId: fresh.id,
          code: fresh.code,
          siteId,
          type: fresh.type,
          status: fresh.status,
          lotId: fresh.lotId,
          workOrderId: fresh.workOrderId,
          workCenterId: fresh.workCenterId,
          characteristicIds: characteristics.filter((c) => touched.has(c.id)).map((c) => c.id),
          newPointCharacteristicIds: justComplete.map((c) => c.id),
          recorded: recorded.length,
          corrected,
        });
      }
      return { ...(await this.detailIn(m, fresh)), signals, decidedAutomatically };
    });
  }

  /**
   * Quality decides an inspection: pass releases a lot in quarantine (unless another inspection of it is still
   * open or failed), fail rejects it and opens an NCR. What happened to the lot is stored as `lotOutcome`.
   */
  decide(p: Principal, siteId: string, id: string, dto: DecisionDto): Promise<InspectionDetail> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const inspection = await this.lock(m, siteId, id);
      assertOpen(inspection);
      const characteristics = await this.characteristicsOf(m, inspection.planId);
      const results = await m.getRepository(InspectionResult).findBy({ inspectionId: inspection.id });
      const count = (cid: string): number => results.filter((r) => r.characteristicId === cid).length;
      const inScope = characteristics.filter((c) => c.active || count(c.id) > 0);
      const unrecorded = inScope.filter((c) => count(c.id) === 0);
      if (unrecorded.length > 0) {
        throw new DomainError(
          'unprocessable',
          QualityErrorCode.INSPECTION_INCOMPLETE,
          `Nothing is recorded for ${unrecorded.map((c) => c.code).join(', ')}: record at least one sample of each characteristic before deciding`,
          {
            extensions: {
              missing: unrecorded.map((c) => ({ characteristicId: c.id, code: c.code, recorded: 0 })),
            },
          },
        );
      }
      const suggested = suggestedOutcome(inScope.map(judged), results.map(judgedResult));
      const partial = inScope.filter((c) => count(c.id) < inspection.sampleSize);
      const why: string[] = [];
      if (partial.length > 0) {
        why.push(
          `this is a partial inspection (${partial.map((c) => `${c.code}: ${count(c.id)} of ${inspection.sampleSize} samples`).join(', ')})`,
        );
      }
      if (suggested !== null && suggested !== dto.outcome) {
        why.push(`the results suggest ${suggested}, not ${dto.outcome}`);
      }
      const note = dto.note?.trim() || null;
      if (why.length > 0 && !note) {
        throw new DomainError(
          'validation',
          QualityErrorCode.DECISION_NOTE_REQUIRED,
          `A note is required: ${why.join('; ')}`,
          {
            errors: [{ field: 'note', message: `say why: ${why.join('; ')}` }],
            extensions: { suggestedOutcome: suggested },
          },
        );
      }
      await this.decideIn(tx, inspection, dto.outcome, p, note, false);
      const fresh = await m.getRepository(Inspection).findOneByOrFail({ id: inspection.id });
      return this.detailIn(m, fresh);
    });
  }

  cancel(p: Principal, siteId: string, id: string, dto: CancelInspectionDto): Promise<InspectionDetail> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const inspection = await this.lock(m, siteId, id);
      assertOpen(inspection);
      const reason = dto.reason.trim();
      if (!reason) {
        throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'A reason is required', {
          errors: [{ field: 'reason', message: 'reason must not be blank' }],
        });
      }
      await m.update(
        Inspection,
        { id: inspection.id },
        {
          status: 'cancelled',
          decidedById: p.kind === 'user' ? p.id : null,
          decidedByName: p.name,
          decisionNote: reason,
          version: inspection.version + 1,
        },
      );
      await this.audit.record(tx, {
        entityType: 'inspection',
        entityId: inspection.id,
        siteId,
        action: 'inspection.cancelled',
        before: { status: inspection.status },
        after: { status: 'cancelled' },
        reason,
      });
      tx.raise('quality.inspection.decided', {
        inspectionId: inspection.id,
        code: inspection.code,
        siteId,
        type: inspection.type,
        status: 'cancelled',
        lotId: inspection.lotId,
        workOrderId: inspection.workOrderId,
        workCenterId: inspection.workCenterId,
        ncrId: null,
      });
      const fresh = await m.getRepository(Inspection).findOneByOrFail({ id: inspection.id });
      return this.detailIn(m, fresh);
    });
  }

  /** The detail of an inspection as seen through `m` (inside a transaction: its own view). */
  async detailIn(m: EntityManager, inspection: Inspection): Promise<InspectionDetail> {
    const plan = await m.getRepository(InspectionPlan).findOneByOrFail({ id: inspection.planId });
    const characteristics = await this.characteristicsOf(m, plan.id);
    const results = await m
      .getRepository(InspectionResult)
      .find({ where: { inspectionId: inspection.id }, order: { sampleNo: 'ASC' } });
    const material = await this.masterData.material(inspection.siteId, inspection.materialId, m);
    const lot = inspection.lotId
      ? await this.inventory.findLot(m, inspection.siteId, inspection.lotId)
      : null;
    const onHand = lot ? await this.onHand(m, lot) : null;
    const op = inspection.operationId
      ? await this.production.operationContext(m, inspection.operationId)
      : null;
    const ncr = inspection.ncrId ? await m.getRepository(Ncr).findOneBy({ id: inspection.ncrId }) : null;

    const inScope = characteristics.filter(
      (c) => c.active || results.some((r) => r.characteristicId === c.id),
    );
    const open = OPEN.includes(inspection.status);
    const views: InspectionCharacteristicView[] = inScope.map((c) => {
      const own = results.filter((r) => r.characteristicId === c.id);
      const taken = new Set(own.map((r) => r.sampleNo));
      const missingSamples = open
        ? Array.from({ length: inspection.sampleSize }, (_, k) => k + 1).filter((n) => !taken.has(n))
        : [];
      return {
        ...characteristicView(c),
        recorded: own.length,
        missingSamples,
        samples: own.map((r) => ({
          sampleNo: r.sampleNo,
          value: plainDecimal(r.value),
          passed: r.passed,
          defectCount: r.defectCount,
          defectCodes: r.defectCodes,
          note: r.note,
          conforming: judgeSample(judged(c), judgedResult(r)) === null,
          recordedBy: r.recordedByName,
          recordedAt: r.recordedAt,
        })),
      };
    });
    const judgedChars = inScope.map(judged);
    const judgedResults = results.map(judgedResult);
    return {
      id: inspection.id,
      code: inspection.code,
      type: inspection.type,
      status: inspection.status,
      trigger: inspection.trigger,
      sequenceNo: inspection.sequenceNo,
      sampleSize: inspection.sampleSize,
      dueAt: inspection.dueAt,
      createdAt: inspection.createdAt,
      updatedAt: inspection.updatedAt,
      version: inspection.version,
      decidedAt: inspection.decidedAt,
      decidedBy: inspection.decidedByName
        ? { id: inspection.decidedById, name: inspection.decidedByName }
        : null,
      decisionNote: inspection.decisionNote,
      lotOutcome: inspection.lotOutcome,
      ncr: ncr ? { id: ncr.id, code: ncr.code, status: ncr.status } : null,
      plan: { id: plan.id, code: plan.code, name: plan.name, nameZh: plan.nameZh, frequency: plan.frequency },
      material: {
        id: inspection.materialId,
        code: material?.code ?? '',
        name: material?.name ?? '',
        nameZh: material?.nameZh ?? null,
      },
      lot:
        lot && onHand !== null
          ? {
              id: lot.id,
              code: lot.code,
              status: lot.status,
              statusReason: lot.statusReason,
              quantity: onHand,
              initialQty: formatExact(parseDecimal(lot.initialQty)),
              supplierId: lot.supplierId,
              workOrderId: lot.workOrderId,
            }
          : null,
      workOrderId: inspection.workOrderId,
      workCenterId: inspection.workCenterId,
      equipmentId: inspection.equipmentId,
      operation: op
        ? {
            id: op.operationId,
            seq: op.seq,
            name: op.name,
            status: op.status,
            goodQty: op.goodQty,
            startedAt: op.startedAt,
            workOrderId: op.workOrderId,
            workOrderCode: op.workOrderCode,
          }
        : null,
      characteristics: views,
      missing: views
        .filter((v) => v.missingSamples.length > 0)
        .map((v) => ({ characteristicId: v.id, code: v.code, missingSamples: v.missingSamples })),
      complete: views.every((v) => v.recorded >= inspection.sampleSize),
      outOfSpec: findingsOf(judgedChars, judgedResults),
      suggestedOutcome: suggestedOutcome(judgedChars, judgedResults),
    };
  }

  /** Decides inside the caller's transaction: status, the lot's move (or why none), the NCR of a failure. */
  private async decideIn(
    tx: Tx,
    inspection: Inspection,
    outcome: 'pass' | 'fail',
    by: Principal,
    note: string | null,
    automatic: boolean,
  ): Promise<void> {
    const m = tx.manager;
    const status = outcome === 'pass' ? 'passed' : 'failed';
    await m.update(
      Inspection,
      { id: inspection.id },
      {
        status,
        decidedAt: new Date(),
        decidedById: by.kind === 'user' ? by.id : null,
        decidedByName: by.name,
        decisionNote: note,
        version: inspection.version + 1,
      },
    );
    const lot = inspection.lotId
      ? await this.inventory.findLot(m, inspection.siteId, inspection.lotId)
      : null;
    const lotOutcome = lot ? await this.moveLot(tx, inspection, lot, outcome) : null;
    const ncr = outcome === 'fail' ? await this.openNcr(tx, inspection, lot, note) : null;
    if (lotOutcome || ncr) {
      await m.update(Inspection, { id: inspection.id }, { lotOutcome, ncrId: ncr?.id ?? null });
    }
    await this.audit.record(tx, {
      entityType: 'inspection',
      entityId: inspection.id,
      siteId: inspection.siteId,
      action: 'inspection.decided',
      before: { status: inspection.status },
      after: { status, outcome, automatic, lotOutcome, ncrId: ncr?.id ?? null, ncrCode: ncr?.code ?? null },
      reason: automatic ? 'decided by its results: every sample is recorded' : (note ?? `decided ${outcome}`),
    });
    tx.raise('quality.inspection.decided', {
      inspectionId: inspection.id,
      code: inspection.code,
      siteId: inspection.siteId,
      type: inspection.type,
      status,
      lotId: inspection.lotId,
      workOrderId: inspection.workOrderId,
      workCenterId: inspection.workCenterId,
      ncrId: ncr?.id ?? null,
    });
  }

  /** The lot follows the outcome only from quarantine; otherwise it stays and the outcome says why. */
  private async moveLot(
    tx: Tx,
    inspection: Inspection,
    lot: Lot,
    outcome: 'pass' | 'fail',
  ): Promise<LotOutcome> {
    const stays = (message: string): LotOutcome => ({
      lotId: lot.id,
      lotCode: lot.code,
      from: lot.status,
      to: lot.status,
      applied: false,
      message,
    });
    const verb = outcome === 'pass' ? 'released' : 'rejected';
    if (lot.status !== 'quarantine') {
      return stays(
        `Lot ${lot.code} is ${lot.status}, not in quarantine: it was not ${verb} and stays ${lot.status}` +
          (outcome === 'fail' ? '; the NCR decides what happens to it' : ''),
      );
    }
    if (outcome === 'pass') {
      const others = await this.blockingInspections(tx.manager, lot.id, inspection.id);
      if (others.length > 0) {
        return stays(
          `Lot ${lot.code} stays in quarantine: ${others.map((o) => `${o.code} (${o.status})`).join(', ')} ${others.length > 1 ? 'are' : 'is'} not passed yet`,
        );
      }
    }
    const after = await this.inventory.changeLotStatus(tx, {
      siteId: inspection.siteId,
      lot: lot.id,
      command: outcome === 'pass' ? 'release' : 'reject',
      reason: `inspection ${inspection.code} ${outcome === 'pass' ? 'passed' : 'failed'}`,
      source: 'quality',
    });
    return {
      lotId: lot.id,
      lotCode: lot.code,
      from: lot.status,
      to: after.status,
      applied: true,
      message: `Lot ${lot.code} ${verb} (${lot.status} → ${after.status}): inspection ${inspection.code} ${outcome === 'pass' ? 'passed' : 'failed'}`,
    };
  }

  private async openNcr(tx: Tx, inspection: Inspection, lot: Lot | null, note: string | null): Promise<Ncr> {
    const m = tx.manager;
    const characteristics = await this.characteristicsOf(m, inspection.planId);
    const results = await m.getRepository(InspectionResult).findBy({ inspectionId: inspection.id });
    const findings = findingsOf(characteristics.map(judged), results.map(judgedResult));
    const type = inspection.type.toUpperCase();
    let subject: string;
    let quantity: string | null = null;
    if (lot) {
      subject = `lot ${lot.code}`;
      const onHand = await this.onHand(m, lot);
      quantity = isZero(parseDecimal(onHand)) ? formatExact(parseDecimal(lot.initialQty)) : onHand;
    } else {
      const op = inspection.operationId
        ? await this.production.operationContext(m, inspection.operationId)
        : null;
      subject = op ? `${op.workOrderCode} operation ${op.seq}` : 'operation';
    }
    const description = [
      ...findings.map((f) => f.message),
      ...(findings.length === 0 ? ['No nonconforming sample recorded; failed by decision'] : []),
      ...(note ? [`Note: ${note}`] : []),
    ].join('\n');
    return this.ncrs.openIn(tx, {
      siteId: inspection.siteId,
      source: 'inspection',
      title: `${type} ${inspection.code} failed: ${subject}`.slice(0, 200),
      description,
      materialId: inspection.materialId,
      quantity,
      defectCodes: defectCodesFound(results.map(judgedResult)),
      inspectionId: inspection.id,
      workOrderId: inspection.workOrderId ?? lot?.workOrderId ?? null,
      operationId: inspection.operationId,
      workCenterId: inspection.workCenterId,
      supplierId: inspection.type === 'iqc' ? (lot?.supplierId ?? null) : null,
      lots: lot ? [{ lotId: lot.id, quantity }] : [],
    });
  }

  private async resultErrors(
    m: EntityManager,
    siteId: string,
    inspection: Inspection,
    c: InspectionCharacteristic,
    r: ResultDto,
    path: string,
  ): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    const at = (field: string, message: string): void => {
      errors.push({ field: `${path}.${field}`, message });
    };
    if (r.sampleNo > inspection.sampleSize) {
      at('sampleNo', `sampleNo must be between 1 and ${inspection.sampleSize} (the sample size)`);
    }
    const kind = c.kind === 'variable' ? 'variable' : c.attributeType;
    const given = {
      value: r.value !== undefined,
      passed: r.passed !== undefined,
      defectCount: r.defectCount !== undefined,
    };
    const expected = kind === 'variable' ? 'value' : kind === 'pass_fail' ? 'passed' : 'defectCount';
    const what =
      kind === 'variable'
        ? `${c.code} is measured: give value`
        : kind === 'pass_fail'
          ? `${c.code} is pass/fail: give passed`
          : `${c.code} counts defects: give defectCount`;
    if (!given[expected]) at(expected, what);
    for (const field of ['value', 'passed', 'defectCount'] as const) {
      if (field !== expected && given[field]) at(field, `not for ${c.code}: ${what}`);
    }
    const codes = r.defectCodes ?? [];
    if (kind === 'variable' && codes.length > 0)
      at('defectCodes', `${c.code} is measured: defect codes go with attributes`);
    if (kind === 'defect_count' && r.defectCount !== undefined && r.defectCount > 0 && codes.length === 0)
      at('defectCodes', 'name the defects found (defect codes)');
    if (kind === 'defect_count' && r.defectCount === 0 && codes.length > 0)
      at('defectCodes', 'no defect codes for a sample with 0 defects');
    if (kind === 'pass_fail' && r.passed === true && codes.length > 0)
      at('defectCodes', 'no defect codes for a sample that passed');
    if (kind !== 'variable') {
      for (const [j, code] of codes.entries()) {
        if (c.defectCodes.length > 0) {
          if (!c.defectCodes.includes(code))
            at(
              `defectCodes[${j}]`,
              `${code} is not a defect code of ${c.code} (${c.defectCodes.join(', ')})`,
            );
          continue;
        }
        const reason = await this.masterData.reasonCode(siteId, code, m);
        if (!reason || reason.code !== code || reason.category !== 'defect' || !reason.active)
          at(`defectCodes[${j}]`, `${code} is not an active defect code at this site`);
      }
    }
    return errors;
  }

  private async lock(m: EntityManager, siteId: string, id: string): Promise<Inspection> {
    const inspection = await m
      .getRepository(Inspection)
      .findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } });
    if (!inspection) throw notFound('inspection', id);
    return inspection;
  }

  private characteristicsOf(m: EntityManager, planId: string): Promise<InspectionCharacteristic[]> {
    return m.getRepository(InspectionCharacteristic).find({ where: { planId }, order: { seq: 'ASC' } });
  }

  private async onHand(m: EntityManager, lot: Lot): Promise<string> {
    const balances = await this.inventory.balancesOf(m, [lot.id]);
    return formatExact(balances.reduce((sum, b) => add(sum, parseDecimal(b.quantity)), ZERO));
  }

  private async nextCode(m: EntityManager, siteId: string): Promise<string> {
    const site = await m.getRepository(Site).findOneByOrFail({ id: siteId });
    const year = localDate(site.timeZone, new Date()).slice(0, 4);
    for (;;) {
      const n = await nextSequenceValue(m, siteId, `inspection:${year}`);
      const code = `INS-${year}-${String(n).padStart(6, '0')}`;
      if (!(await m.getRepository(Inspection).existsBy({ siteId, code }))) return code;
    }
  }
}

function assertOpen(inspection: Inspection): void {
  if (inspection.status === 'cancelled') {
    throw new DomainError(
      'conflict',
      QualityErrorCode.INSPECTION_CANCELLED,
      `Inspection ${inspection.code} was cancelled${inspection.decisionNote ? ` (${inspection.decisionNote})` : ''}`,
      { extensions: { currentState: inspection.status } },
    );
  }
  if (!OPEN.includes(inspection.status)) {
    throw new DomainError(
      'conflict',
      QualityErrorCode.INSPECTION_DECIDED,
      `Inspection ${inspection.code} is ${inspection.status}${inspection.decidedByName ? ` (decided by ${inspection.decidedByName})` : ''}; its results and decision are final`,
      { extensions: { currentState: inspection.status } },
    );
  }
}

function judged(c: InspectionCharacteristic) {
  return { id: c.id, code: c.code, kind: c.kind, attributeType: c.attributeType, lsl: c.lsl, usl: c.usl };
}

function judgedResult(r: InspectionResult): JudgedResult {
  return {
    characteristicId: r.characteristicId,
    sampleNo: r.sampleNo,
    value: r.value,
    passed: r.passed,
    defectCount: r.defectCount,
    defectCodes: r.defectCodes,
  };
}

function encodeCursor(dueKey: string, sequenceNo: number, id: string): string {
  return Buffer.from(JSON.stringify([dueKey, sequenceNo, id])).toString('base64url');
}

function decodeCursor(cursor: string): { dueAt: string; sequenceNo: number; id: string } | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(parsed) &&
      parsed.length === 3 &&
      typeof parsed[0] === 'string' &&
      !Number.isNaN(Date.parse(parsed[0])) &&
      Number.isSafeInteger(parsed[1]) &&
      typeof parsed[2] === 'string' &&
      isUUID(parsed[2])
    ) {
      return { dueAt: parsed[0], sequenceNo: parsed[1] as number, id: parsed[2] };
    }
  } catch {
    // not base64url JSON
  }
  return null;
}
