import { Injectable, type OnModuleInit } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { InventoryFacade, type Lot } from '../../inventory/inventory.facade';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { AuditService } from '../../platform/audit/audit.service';
import { hasRole, type Principal } from '../../platform/auth/principal';
import { RequestContext } from '../../platform/context/request-context';
import { nextSequenceValue } from '../../platform/database/document-sequence';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { add, compare, formatExact, parseDecimal, ZERO } from '../../platform/engine/decimal';
import { localDate } from '../../platform/engine/local-date';
import {
  DomainError,
  type FieldError,
  notFound,
  PlatformErrorCode,
} from '../../platform/errors/domain-error';
import type { Page } from '../../platform/http/pagination';
import { SignableRecordRegistry } from '../../platform/signatures/signable-records';
import { SignaturesService, type SignatureView } from '../../platform/signatures/signatures.service';
import { Site } from '../../platform/sites/site.entity';
import { ProductionFacade } from '../../production/production.facade';
import { QualityErrorCode } from '../quality.errors';
import type { NcrChanged } from '../quality.events';
import { allowedNcrCommands, type NcrCommand, ncrTransition } from './ncr-lifecycle';
import type { ContainNcrDto, DispositionNcrDto, NcrQueryDto, OpenNcrDto } from './ncr.dto';
import { Ncr, NcrLot, type NcrLotRole, type NcrSource, type NcrStatus } from './ncr.entity';
import { findWorkOrder, otherOpenNcrsNaming } from './ncr.queries';

/** What other quality services (inspections, SPC) give to open an NCR inside their own transaction. */
export interface OpenNcrCommand {
  siteId: string;
  source: NcrSource;
  title: string;
  description?: string | null;
  materialId?: string | null;
  quantity?: string | null;
  /** Reason-code codes of category `defect`. */
  defectCodes?: string[];
  inspectionId?: string | null;
  characteristicId?: string | null;
  workOrderId?: string | null;
  operationId?: string | null;
  workCenterId?: string | null;
  supplierId?: string | null;
  customer?: string | null;
  /** Lots reported with the NCR; `heldByNcr` when the caller already put the lot on hold for it. */
  lots?: Array<{ lotId: string; quantity?: string | null; heldByNcr?: boolean }>;
}

/** A lot named on an NCR, as it stands now. */
export interface NcrLotView {
  lotId: string;
  code: string;
  materialId: string;
  role: NcrLotRole;
  /** The nonconforming quantity reported for this lot, if given. */
  quantity: string | null;
  /** This NCR put the lot on hold. */
  heldByNcr: boolean;
  status: string;
  statusReason: string | null;
  /** On hand now, all locations. */
  onHand: string;
  addedAt: Date;
}

type NcrRow = Omit<Ncr, 'site' | 'material' | 'supplier'>;

export interface NcrListItem extends NcrRow {
  materialCode: string | null;
}

export interface NcrDetail extends NcrRow {
  material: { id: string; code: string; name: string; nameZh: string | null } | null;
  supplier: { id: string; code: string; name: string; nameZh: string | null } | null;
  defects: Array<{ code: string; name: string; nameZh: string | null }>;
  lots: NcrLotView[];
  /** The disposition's electronic signature(s), each with its current validity. */
  signatures: SignatureView[];
  reworkWorkOrder: { id: string; code: string; status: string; source: string } | null;
  allowedCommands: NcrCommand[];
}

/** One lot found by containment: how deep downstream, its status before and after, and whose hold it is. */
export interface ContainedLot {
  lotId: string;
  code: string;
  materialId: string;
  role: NcrLotRole;
  /** 0: a reported lot; 1: made from it; 2: made from that … */
  depth: number;
  onHand: string;
  statusBefore: string;
  statusAfter: string;
  /** Put on hold by this containment just now. */
  heldNow: boolean;
  /** On hold because of this NCR (now or earlier). */
  heldByNcr: boolean;
}

export interface ContainmentResult {
  ncr: NcrDetail;
  lots: ContainedLot[];
}

/** What a disposition did to one lot. */
export interface DispositionLotEffect {
  lotId: string;
  code: string;
  role: NcrLotRole;
  statusBefore: string;
  statusAfter: string;
  action: 'unheld' | 'kept_held' | 'scrapped' | 'rejected' | 'unchanged';
  scrappedQty: string | null;
  note: string | null;
}

export interface DispositionResult extends NcrDetail {
  effects: DispositionLotEffect[];
}

const DAY_MS = 86_400_000;

/**
 * Nonconformance reports (不合格品处理): opened by people (quality, the terminal) or by inspections and SPC inside
 * their transactions; containment holds the lots made from the reported ones; a disposition signed by a quality
 * user releases, reworks, scraps or returns them; closing ends it. Every change is audited and announced.
 */
@Injectable()
export class NcrService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly masterData: MasterDataFacade,
    private readonly inventory: InventoryFacade,
    private readonly production: ProductionFacade,
    private readonly signatures: SignaturesService,
    private readonly signable: SignableRecordRegistry,
  ) {}

  /**
   * What a disposition signature vouches for: the NCR's content and decision. Status, closing fields and
   * timestamps are left out, so closing the NCR keeps the signature valid.
   */
  onModuleInit(): void {
    this.signable.register('ncr', async (m, id) => {
      if (!isUUID(id)) return undefined;
      const ncr = await m.getRepository(Ncr).findOneBy({ id });
      if (!ncr) return undefined;
      const lots = await m.getRepository(NcrLot).find({ where: { ncrId: id }, order: { lotId: 'ASC' } });
      return {
        record: {
          id: ncr.id,
          code: ncr.code,
          siteId: ncr.siteId,
          source: ncr.source,
          title: ncr.title,
          materialId: ncr.materialId,
          quantity: normalised(ncr.quantity),
          defectCodes: ncr.defectCodes,
          lots: lots.map((l) => ({ lotId: l.lotId, role: l.role, quantity: normalised(l.quantity) })),
          disposition: ncr.disposition,
          dispositionQty: normalised(ncr.dispositionQty),
          dispositionNote: ncr.dispositionNote,
        },
        siteIds: [ncr.siteId],
      };
    });
  }

  /** Opens an NCR (status `open`) inside the caller's transaction: code, audit, `quality.ncr.changed`. */
  async openIn(tx: Tx, c: OpenNcrCommand): Promise<Ncr> {
    const m = tx.manager;
    const errors: FieldError[] = [];
    const material = c.materialId ? await this.masterData.material(c.siteId, c.materialId, m) : undefined;
    if (c.materialId && !material) {
      errors.push({ field: 'material', message: `material ${c.materialId} does not exist at this site` });
    }
    const lots: Array<{ lot: Lot; quantity: string | null; heldByNcr: boolean }> = [];
    for (const [i, ref] of (c.lots ?? []).entries()) {
      const lot = isUUID(ref.lotId) ? await this.inventory.findLot(m, c.siteId, ref.lotId) : null;
      if (!lot) {
        errors.push({ field: `lots[${i}].lot`, message: `lot ${ref.lotId} does not exist at this site` });
      } else if (lots.some((l) => l.lot.id === lot.id)) {
        errors.push({ field: `lots[${i}].lot`, message: `lot ${lot.code} is named twice` });
      } else if (material && lot.materialId !== material.id) {
        errors.push({
          field: `lots[${i}].lot`,
          message: `lot ${lot.code} is not of material ${material.code}`,
        });
      } else {
        lots.push({ lot, quantity: ref.quantity ?? null, heldByNcr: ref.heldByNcr ?? false });
      }
      if (ref.quantity != null && !positive(ref.quantity)) {
        errors.push({ field: `lots[${i}].quantity`, message: 'quantity must be greater than 0' });
      }
    }
    const defects = await this.defectCodes(m, c.siteId, c.defectCodes ?? []);
    errors.push(...defects.errors);
    const defectCodes = defects.codes;
    const supplier = c.supplierId ? await this.masterData.partner(c.siteId, c.supplierId, m) : null;
    if (c.supplierId) {
      if (!supplier || !supplier.isSupplier) {
        errors.push({ field: 'supplier', message: `${c.supplierId} is not a supplier of this site` });
      }
    } else if (c.source === 'supplier') {
      errors.push({ field: 'supplier', message: 'supplier is required for a supplier NCR' });
    }
    if (c.source === 'customer' && !c.customer?.trim()) {
      errors.push({ field: 'customer', message: 'customer is required for a customer NCR' });
    }
    if (c.quantity != null && !positive(c.quantity)) {
      errors.push({ field: 'quantity', message: 'quantity must be greater than 0' });
    }
    if (!c.title.trim()) errors.push({ field: 'title', message: 'title must not be blank' });
    if (errors.length > 0) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'The NCR is invalid', {
        errors,
      });
    }
    // Lots of one material name it; their reported quantities add up to the NCR's when it gives none.
    const materials = [...new Set(lots.map((l) => l.lot.materialId))];
    const materialId = material?.id ?? (materials.length === 1 ? materials[0]! : null);
    const quantity =
      c.quantity ??
      (lots.length > 0 && lots.every((l) => l.quantity !== null)
        ? formatExact(lots.reduce((sum, l) => add(sum, parseDecimal(l.quantity!)), ZERO))
        : null);

    const site = await m.getRepository(Site).findOneByOrFail({ id: c.siteId });
    const code = await this.nextCode(m, site);
    const actor = RequestContext.actor() ?? { type: 'system' as const, id: 'system', name: 'system' };
    const ncr = await m.getRepository(Ncr).save(
      m.create(Ncr, {
        siteId: c.siteId,
        code,
        source: c.source,
        status: 'open',
        title: c.title.trim().slice(0, 200),
        description: c.description?.trim() || null,
        materialId,
        quantity,
        defectCodes,
        inspectionId: c.inspectionId ?? null,
        characteristicId: c.characteristicId ?? null,
        workOrderId: c.workOrderId ?? null,
        operationId: c.operationId ?? null,
        workCenterId: c.workCenterId ?? null,
        supplierId: supplier?.id ?? null,
        customer: c.customer?.trim() || null,
        reportedById: actor.type === 'user' ? actor.id : null,
        reportedByName: actor.name,
      }),
    );
    for (const l of lots) {
      await m.insert(NcrLot, {
        ncrId: ncr.id,
        lotId: l.lot.id,
        siteId: c.siteId,
        role: 'reported',
        quantity: l.quantity,
        heldByNcr: l.heldByNcr,
      });
    }
    await this.audit.record(tx, {
      entityType: 'ncr',
      entityId: ncr.id,
      siteId: c.siteId,
      action: 'ncr.opened',
      after: { ...ncr, lots: lots.map((l) => ({ lot: l.lot.code, quantity: l.quantity })) },
      reason: ncr.title,
    });
    this.raiseChanged(tx, ncr, null, 'opened');
    return ncr;
  }

  /** POST /ncrs: an NCR raised by a person (quality: any source; operators: from the terminal). */
  async open(p: Principal, siteId: string, dto: OpenNcrDto): Promise<NcrDetail> {
    const quality = hasRole(p, 'quality', 'admin');
    if (!quality && dto.source !== 'terminal') {
      throw new DomainError(
        'forbidden',
        PlatformErrorCode.ROLE_REQUIRED,
        'Operators raise NCRs from the terminal (source terminal); other sources are for quality',
        { extensions: { requiredRoles: ['quality', 'admin'] } },
      );
    }
    if (!quality && dto.holdLots) {
      throw new DomainError(
        'forbidden',
        PlatformErrorCode.ROLE_REQUIRED,
        'Only quality may hold lots; raise the NCR without holdLots and quality will contain it',
        { extensions: { requiredRoles: ['quality', 'admin'] } },
      );
    }
    // Idempotent route: the answer is built inside the transaction that stores it with the key.
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const errors: FieldError[] = [];
      const material = dto.material ? await this.masterData.material(siteId, dto.material, m) : undefined;
      if (dto.material && !material) {
        errors.push({ field: 'material', message: `material ${dto.material} does not exist at this site` });
      }
      const lots: NonNullable<OpenNcrCommand['lots']> = [];
      for (const [i, ref] of (dto.lots ?? []).entries()) {
        const lot = await this.inventory.findLot(m, siteId, ref.lot);
        if (!lot)
          errors.push({ field: `lots[${i}].lot`, message: `lot ${ref.lot} does not exist at this site` });
        else lots.push({ lotId: lot.id, quantity: ref.quantity ?? null });
      }
      const operation = dto.operation ? await this.production.operationContext(m, dto.operation) : null;
      if (dto.operation && operation?.siteId !== siteId) {
        errors.push({
          field: 'operation',
          message: `operation ${dto.operation} does not exist at this site`,
        });
      }
      const workOrder = dto.workOrder ? await findWorkOrder(m, siteId, dto.workOrder) : null;
      if (dto.workOrder && !workOrder) {
        errors.push({
          field: 'workOrder',
          message: `work order ${dto.workOrder} does not exist at this site`,
        });
      } else if (workOrder && operation && operation.workOrderId !== workOrder.id) {
        errors.push({ field: 'operation', message: `the operation is not on work order ${workOrder.code}` });
      }
      const supplier = dto.supplier ? await this.masterData.partner(siteId, dto.supplier, m) : null;
      if (dto.supplier && !supplier?.isSupplier) {
        errors.push({ field: 'supplier', message: `${dto.supplier} is not a supplier of this site` });
      }
      // Checked here too, so that one answer names every wrong field.
      errors.push(...(await this.defectCodes(m, siteId, dto.defectCodes ?? [])).errors);
      if (errors.length > 0) {
        throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'The NCR is invalid', {
          errors,
        });
      }
      const ncr = await this.openIn(tx, {
        siteId,
        source: dto.source,
        title: dto.title,
        description: dto.description ?? null,
        materialId: material?.id ?? null,
        quantity: dto.quantity ?? null,
        defectCodes: dto.defectCodes ?? [],
        workOrderId: workOrder?.id ?? operation?.workOrderId ?? null,
        operationId: operation?.operationId ?? null,
        workCenterId: operation?.workCenterId ?? null,
        supplierId: supplier?.id ?? null,
        customer: dto.customer ?? null,
        lots,
      });
      if (dto.holdLots) await this.holdReported(tx, ncr);
      return this.detail(m, await m.getRepository(Ncr).findOneByOrFail({ id: ncr.id }), []);
    });
  }

  async list(siteId: string, q: NcrQueryDto): Promise<Page<NcrListItem>> {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const m = this.dataSource.manager;
    const qb = m
      .getRepository(Ncr)
      .createQueryBuilder('n')
      .where('n.siteId = :siteId', { siteId })
      .orderBy('n.createdAt', 'DESC')
      .addOrderBy('n.code', 'DESC')
      .take(limit)
      .skip(offset);
    if (q.status) qb.andWhere('n.status = :status', { status: q.status });
    if (q.source) qb.andWhere('n.source = :source', { source: q.source });
    if (q.material) {
      const material = await this.masterData.material(siteId, q.material, m);
      if (!material) return { items: [], total: 0, limit, offset };
      qb.andWhere('n.materialId = :materialId', { materialId: material.id });
    }
    if (q.lot) {
      const lot = await this.inventory.findLot(m, siteId, q.lot);
      if (!lot) return { items: [], total: 0, limit, offset };
      qb.andWhere('EXISTS (SELECT 1 FROM ncr_lot nl WHERE nl.ncr_id = n.id AND nl.lot_id = :lotId)', {
        lotId: lot.id,
      });
    }
    const [rows, total] = await qb.getManyAndCount();
    const names = await this.masterData.materialNames(
      rows.flatMap((r) => (r.materialId ? [r.materialId] : [])),
      m,
    );
    const items = rows.map((r) => ({
      ...r,
      materialCode: r.materialId ? (names.get(r.materialId)?.code ?? null) : null,
    }));
    return { items, total, limit, offset };
  }

  async get(p: Principal, siteId: string, id: string): Promise<NcrDetail> {
    const m = this.dataSource.manager;
    const ncr = await m.getRepository(Ncr).findOneBy({ id, siteId });
    if (!ncr) throw notFound('ncr', id);
    return this.detail(m, ncr, await this.signatures.listFor(p, 'ncr', ncr.id));
  }

  /** open → under_review: the caller becomes the reviewer. */
  async review(
    p: Principal,
    siteId: string,
    id: string,
    dto: { note?: string; expectedVersion?: number },
  ): Promise<NcrDetail> {
    await this.tx.run(async (tx) => {
      const ncr = await this.lock(tx, siteId, id, dto.expectedVersion);
      const next = this.transition(ncr, 'review');
      await tx.manager.query(
        `UPDATE ncr SET status = $2, reviewer_id = $3, reviewer_name = $4, updated_at = now(), version = version + 1
          WHERE id = $1`,
        [ncr.id, next, p.kind === 'user' ? p.id : null, personName(p)],
      );
      await this.audit.record(tx, {
        entityType: 'ncr',
        entityId: ncr.id,
        siteId,
        action: 'ncr.review_started',
        before: { status: ncr.status, reviewerName: ncr.reviewerName },
        after: { status: next, reviewerName: personName(p) },
        reason: dto.note?.trim() || null,
      });
      this.raiseChanged(tx, { ...ncr, status: next }, ncr.status, 'review_started');
    });
    return this.get(p, siteId, id);
  }

  /**
   * Containment: the reported lots and everything made from them (asked of inventory's genealogy), recorded as
   * affected, and held when still in quarantine or available. Repeating it adds only what is new.
   */
  async contain(p: Principal, siteId: string, id: string, dto: ContainNcrDto): Promise<ContainmentResult> {
    const lots = await this.tx.run(async (tx) => {
      const m = tx.manager;
      const ncr = await this.lock(tx, siteId, id, dto.expectedVersion);
      this.transition(ncr, 'containment');
      const rows = await m.getRepository(NcrLot).find({ where: { ncrId: ncr.id } });
      const reported = rows.filter((r) => r.role === 'reported').map((r) => r.lotId);
      const found = await this.inventory.downstreamLots(m, siteId, reported);
      const hold = dto.hold ?? true;
      const out: ContainedLot[] = [];
      for (const lot of found) {
        let row = rows.find((r) => r.lotId === lot.id);
        if (!row) {
          await m.query(
            `INSERT INTO ncr_lot (ncr_id, lot_id, site_id, role, held_by_ncr) VALUES ($1, $2, $3, 'affected', false)
             ON CONFLICT (ncr_id, lot_id) DO NOTHING`,
            [ncr.id, lot.id, siteId],
          );
          row = m.create(NcrLot, { ncrId: ncr.id, lotId: lot.id, role: 'affected', heldByNcr: false });
        }
        let statusAfter = lot.status;
        let heldNow = false;
        if (hold && (lot.status === 'quarantine' || lot.status === 'available')) {
          statusAfter = (await this.holdLot(tx, ncr, lot.id)).status;
          heldNow = true;
        }
        out.push({
          lotId: lot.id,
          code: lot.code,
          materialId: lot.materialId,
          role: row.role,
          depth: lot.depth,
          onHand: lot.onHand,
          statusBefore: lot.status,
          statusAfter,
          heldNow,
          heldByNcr: row.heldByNcr || heldNow,
        });
      }
      const note = dto.note?.trim() || null;
      const [updated] = await m.query<[Array<{ contained_at: Date }>, number]>(
        `UPDATE ncr SET contained_at = now(), containment_note = coalesce($2, containment_note), updated_at = now(),
                version = version + 1
          WHERE id = $1 RETURNING contained_at`,
        [ncr.id, note],
      );
      await this.audit.record(tx, {
        entityType: 'ncr',
        entityId: ncr.id,
        siteId,
        action: 'ncr.contained',
        before: { containedAt: ncr.containedAt, containmentNote: ncr.containmentNote },
        after: {
          containedAt: updated[0]?.contained_at,
          containmentNote: note ?? ncr.containmentNote,
          affectedLots: out.map((l) => l.code),
          heldLots: out.filter((l) => l.heldNow).map((l) => l.code),
        },
        reason: note,
      });
      this.raiseChanged(tx, ncr, ncr.status, 'contained');
      return out;
    });
    return { ncr: await this.get(p, siteId, id), lots };
  }

  /**
   * under_review → dispositioned, signed: the caller has re-entered their password (`verifySigner`) before. The
   * decision, its effects on lots and stock, and the signature over the decided record commit together.
   */
  async dispose(
    p: Principal,
    siteId: string,
    id: string,
    dto: DispositionNcrDto,
  ): Promise<DispositionResult> {
    const effects = await this.tx.run(async (tx) => {
      const m = tx.manager;
      const ncr = await this.lock(tx, siteId, id, dto.expectedVersion);
      const next = this.transition(ncr, 'disposition');
      const quantity = dto.quantity ?? (ncr.quantity ? normalised(ncr.quantity) : null);
      const errors: FieldError[] = [];
      if (dto.quantity !== undefined && !positive(dto.quantity)) {
        errors.push({ field: 'quantity', message: 'quantity must be greater than 0' });
      } else if (
        dto.quantity !== undefined &&
        ncr.quantity &&
        compare(parseDecimal(dto.quantity), parseDecimal(ncr.quantity)) > 0
      ) {
        errors.push({ field: 'quantity', message: `at most the NCR quantity ${normalised(ncr.quantity)}` });
      }
      if (dto.disposition === 'rework' && quantity === null) {
        errors.push({ field: 'quantity', message: 'the NCR names no quantity: give the quantity to rework' });
      }
      const scrapReason =
        dto.disposition === 'scrap' && dto.scrapReasonCode
          ? await this.masterData.reasonCode(siteId, dto.scrapReasonCode, m)
          : undefined;
      if (
        dto.disposition === 'scrap' &&
        (!scrapReason || scrapReason.category !== 'scrap' || !scrapReason.active)
      ) {
        errors.push({ field: 'scrapReasonCode', message: 'must be an active reason code of category scrap' });
      }
      if (errors.length > 0) {
        throw new DomainError(
          'validation',
          PlatformErrorCode.VALIDATION_FAILED,
          'The disposition is invalid',
          {
            errors,
          },
        );
      }
      const rows = await m
        .getRepository(NcrLot)
        .find({ where: { ncrId: ncr.id }, order: { addedAt: 'ASC' } });
      const lots = new Map<string, Lot>();
      for (const r of rows) {
        const lot = await this.inventory.findLot(m, siteId, r.lotId);
        if (lot) lots.set(r.lotId, lot);
      }
      const supplierId = dto.disposition === 'return_to_supplier' ? this.supplierOf(ncr, rows, lots) : null;
      if (dto.disposition === 'rework' && !ncr.materialId) {
        throw new DomainError(
          'unprocessable',
          QualityErrorCode.NCR_DISPOSITION_NOT_POSSIBLE,
          `NCR ${ncr.code} names no material, so there is nothing to make a rework order for`,
          { errors: [{ field: 'disposition', message: 'rework needs an NCR with a material' }] },
        );
      }

      // The decision first (status unchanged: the database allows `dispositioned` only with a signature).
      const note = dto.note.trim();
      await m.query(
        `UPDATE ncr SET disposition = $2, disposition_qty = $3, disposition_note = $4 WHERE id = $1`,
        [ncr.id, dto.disposition, quantity, note],
      );
      const effects: DispositionLotEffect[] = [];
      let reworkWorkOrderId: string | null = null;
      const context = { tx, ncr, rows, lots, effects, note };
      switch (dto.disposition) {
        case 'use_as_is':
          await this.liftHolds(context);
          break;
        case 'rework': {
          const dueAt = dto.reworkDueAt ?? new Date(Date.now() + 3 * DAY_MS).toISOString();
          const wo = await this.production.createReworkOrder(tx, siteId, {
            material: ncr.materialId!,
            quantity: quantity!,
            dueAt,
            notes: `Rework for NCR ${ncr.code}: ${ncr.title}`,
          });
          reworkWorkOrderId = wo.id;
          this.keepHolds(context);
          break;
        }
        case 'scrap':
          await this.scrapReported(context, scrapReason!.id);
          break;
        case 'return_to_supplier': {
          const supplier = await this.masterData.partner(siteId, supplierId!, m);
          await this.returnReported(context, supplier?.code ?? supplierId!);
          break;
        }
      }

      const signature = await this.signatures.recordIn(tx, p, {
        entityType: 'ncr',
        entityId: ncr.id,
        meaning: 'dispositioned',
        reason: note,
      });
      await m.query(
        `UPDATE ncr SET status = $2, signature_id = $3, dispositioned_at = now(), rework_work_order_id = $4,
                supplier_id = coalesce(supplier_id, $5), updated_at = now(), version = version + 1
          WHERE id = $1`,
        [ncr.id, next, signature.id, reworkWorkOrderId, supplierId],
      );
      await this.audit.record(tx, {
        entityType: 'ncr',
        entityId: ncr.id,
        siteId,
        action: 'ncr.dispositioned',
        before: { status: ncr.status, disposition: null },
        after: {
          status: next,
          disposition: dto.disposition,
          dispositionQty: quantity,
          signatureId: signature.id,
          recordHash: signature.recordHash,
          reworkWorkOrderId,
          lots: effects.map((e) => ({ lot: e.code, action: e.action, status: e.statusAfter })),
        },
        reason: note,
      });
      this.raiseChanged(
        tx,
        { ...ncr, status: next, disposition: dto.disposition },
        ncr.status,
        'dispositioned',
      );
      return effects;
    });
    return { ...(await this.get(p, siteId, id)), effects };
  }

  /** dispositioned → closed. */
  async close(
    p: Principal,
    siteId: string,
    id: string,
    dto: { note: string; expectedVersion?: number },
  ): Promise<NcrDetail> {
    await this.tx.run(async (tx) => {
      const ncr = await this.lock(tx, siteId, id, dto.expectedVersion);
      const next = this.transition(ncr, 'close');
      const note = dto.note.trim();
      await tx.manager.query(
        `UPDATE ncr SET status = $2, closed_at = now(), closed_by_name = $3, close_note = $4, updated_at = now(),
                version = version + 1
          WHERE id = $1`,
        [ncr.id, next, personName(p), note],
      );
      await this.audit.record(tx, {
        entityType: 'ncr',
        entityId: ncr.id,
        siteId,
        action: 'ncr.closed',
        before: { status: ncr.status },
        after: { status: next, closedByName: personName(p), closeNote: note },
        reason: note,
      });
      this.raiseChanged(tx, { ...ncr, status: next }, ncr.status, 'closed');
    });
    return this.get(p, siteId, id);
  }

  /** Defect codes (ids or codes) as the codes of active defect reason codes, each once; field errors otherwise. */
  private async defectCodes(
    m: EntityManager,
    siteId: string,
    given: string[],
  ): Promise<{ codes: string[]; errors: FieldError[] }> {
    const codes: string[] = [];
    const errors: FieldError[] = [];
    for (const [i, code] of given.entries()) {
      const reason = await this.masterData.reasonCode(siteId, code, m);
      if (!reason || reason.category !== 'defect' || !reason.active) {
        errors.push({
          field: `defectCodes[${i}]`,
          message: `${code} is not an active defect reason code at this site`,
        });
      } else if (!codes.includes(reason.code)) {
        codes.push(reason.code);
      }
    }
    return { codes, errors };
  }

  private async nextCode(m: EntityManager, site: Site): Promise<string> {
    const year = localDate(site.timeZone, new Date()).slice(0, 4);
    for (;;) {
      const n = await nextSequenceValue(m, site.id, `ncr:${year}`);
      const code = `NCR-${year}-${String(n).padStart(6, '0')}`;
      if (!(await m.getRepository(Ncr).existsBy({ siteId: site.id, code }))) return code;
    }
  }

  private async lock(tx: Tx, siteId: string, id: string, expectedVersion: number | undefined): Promise<Ncr> {
    const ncr = await tx.manager
      .getRepository(Ncr)
      .findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } });
    if (!ncr) throw notFound('ncr', id);
    if (expectedVersion !== undefined && expectedVersion !== ncr.version) {
      throw new DomainError(
        'conflict',
        QualityErrorCode.STALE_VERSION,
        `NCR ${ncr.code} was changed by someone else (version ${ncr.version}); reload and try again`,
        { extensions: { currentVersion: ncr.version } },
      );
    }
    return ncr;
  }

  private transition(ncr: Ncr, command: NcrCommand): NcrStatus {
    const result = ncrTransition(ncr.status, command);
    if (!result.ok) {
      throw new DomainError(
        'conflict',
        QualityErrorCode.NCR_ILLEGAL_TRANSITION,
        `NCR ${ncr.code}: ${result.message}`,
        {
          extensions: { currentState: ncr.status, allowedCommands: result.allowed },
        },
      );
    }
    return result.next;
  }

  /** holdLots at opening: the reported lots still in quarantine or available go on hold for this NCR. */
  private async holdReported(tx: Tx, ncr: Ncr): Promise<void> {
    const rows = await tx.manager.getRepository(NcrLot).find({ where: { ncrId: ncr.id } });
    for (const row of rows) {
      const lot = await this.inventory.findLot(tx.manager, ncr.siteId, row.lotId);
      if (lot && (lot.status === 'quarantine' || lot.status === 'available')) {
        await this.holdLot(tx, ncr, lot.id);
      }
    }
  }

  private async holdLot(tx: Tx, ncr: Ncr, lotId: string): Promise<Lot> {
    const lot = await this.inventory.changeLotStatus(tx, {
      siteId: ncr.siteId,
      lot: lotId,
      command: 'hold',
      reason: `NCR ${ncr.code}: ${ncr.title}`.slice(0, 500),
      source: 'quality',
    });
    await tx.manager.query(`UPDATE ncr_lot SET held_by_ncr = true WHERE ncr_id = $1 AND lot_id = $2`, [
      ncr.id,
      lotId,
    ]);
    return lot;
  }

  /** use_as_is: the holds this NCR made are lifted, unless another NCR still under way names the lot. */
  private async liftHolds(c: DispositionContext): Promise<void> {
    for (const row of c.rows) {
      const lot = c.lots.get(row.lotId);
      if (!lot) continue;
      if (!row.heldByNcr || lot.status !== 'hold') {
        c.effects.push(effect(row, lot, lot.status, 'unchanged', null));
        continue;
      }
      const others = await otherOpenNcrsNaming(c.tx.manager, c.ncr.id, lot.id);
      if (others.length > 0) {
        c.effects.push(effect(row, lot, lot.status, 'kept_held', `still contained by ${others.join(', ')}`));
        continue;
      }
      const after = await this.changeStatus(c, lot, 'unhold', `NCR ${c.ncr.code}: use as is`);
      c.effects.push(effect(row, lot, after.status, 'unheld', null));
    }
  }

  /** rework: the lots stay as they are (held) until the rework order has done its job. */
  private keepHolds(c: DispositionContext): void {
    for (const row of c.rows) {
      const lot = c.lots.get(row.lotId);
      if (lot)
        c.effects.push(effect(row, lot, lot.status, lot.status === 'hold' ? 'kept_held' : 'unchanged', null));
    }
  }

  /**
   * scrap: each reported lot still on hold or in quarantine is scrapped at every location it is stocked. A lot held
   * from available goes back to available first, so that being emptied marks it consumed as any scrap does; one
   * awaiting inspection (or held from there) is rejected once empty, rather than left waiting with nothing.
   */
  private async scrapReported(c: DispositionContext, reasonCodeId: string): Promise<void> {
    for (const row of c.rows) {
      const lot = c.lots.get(row.lotId);
      if (!lot) continue;
      const eligible = row.role === 'reported' && (lot.status === 'hold' || lot.status === 'quarantine');
      if (!eligible) {
        c.effects.push(
          effect(
            row,
            lot,
            lot.status,
            lot.status === 'hold' ? 'kept_held' : 'unchanged',
            row.role === 'reported' ? `lot is ${lot.status}` : null,
          ),
        );
        continue;
      }
      if (lot.status === 'hold' && lot.heldFrom === 'available') {
        await this.changeStatus(c, lot, 'unhold', `NCR ${c.ncr.code}: released for scrapping`);
      }
      const moves = await this.inventory.scrapLot(c.tx, {
        siteId: c.ncr.siteId,
        lotId: lot.id,
        reasonCodeId,
        note: `NCR ${c.ncr.code}: ${c.note}`.slice(0, 500),
        reference: c.ncr.code,
      });
      const scrapped = formatExact(moves.reduce((sum, mv) => add(sum, parseDecimal(mv.quantity)), ZERO));
      let after = await this.inventory.findLot(c.tx.manager, c.ncr.siteId, lot.id);
      if (after && (after.status === 'quarantine' || after.status === 'hold')) {
        after = await this.changeStatus(c, after, 'reject', `scrapped per NCR ${c.ncr.code}`);
      }
      c.effects.push({
        ...effect(row, lot, after?.status ?? lot.status, 'scrapped', null),
        scrappedQty: scrapped,
      });
    }
  }

  /** return_to_supplier: the reported lots are rejected (they leave with the return); affected lots stay held. */
  private async returnReported(c: DispositionContext, supplierCode: string): Promise<void> {
    for (const row of c.rows) {
      const lot = c.lots.get(row.lotId);
      if (!lot) continue;
      const returnable = ['quarantine', 'available', 'hold'].includes(lot.status);
      if (row.role !== 'reported' || !returnable) {
        c.effects.push(effect(row, lot, lot.status, lot.status === 'hold' ? 'kept_held' : 'unchanged', null));
        continue;
      }
      const after = await this.changeStatus(c, lot, 'reject', `returned to supplier ${supplierCode}`);
      c.effects.push(effect(row, lot, after.status, 'rejected', null));
    }
  }

  /** The supplier to return to: the NCR's, else the one all its reported lots came from. */
  private supplierOf(ncr: Ncr, rows: NcrLot[], lots: Map<string, Lot>): string {
    if (ncr.supplierId) return ncr.supplierId;
    const suppliers = [
      ...new Set(rows.filter((r) => r.role === 'reported').map((r) => lots.get(r.lotId)?.supplierId ?? null)),
    ];
    if (suppliers.length === 1 && suppliers[0]) return suppliers[0];
    throw new DomainError(
      'unprocessable',
      QualityErrorCode.NCR_DISPOSITION_NOT_POSSIBLE,
      `NCR ${ncr.code} names no supplier and its lots do not come from one supplier: there is no one to return them to`,
      { errors: [{ field: 'disposition', message: 'return_to_supplier needs a supplier' }] },
    );
  }

  private changeStatus(
    c: DispositionContext,
    lot: Lot,
    command: 'unhold' | 'reject',
    reason: string,
  ): Promise<Lot> {
    return this.inventory.changeLotStatus(c.tx, {
      siteId: c.ncr.siteId,
      lot: lot.id,
      command,
      reason: reason.slice(0, 500),
      source: 'quality',
    });
  }

  private async detail(m: EntityManager, ncr: Ncr, signatures: SignatureView[]): Promise<NcrDetail> {
    const material = ncr.materialId
      ? await this.masterData.material(ncr.siteId, ncr.materialId, m)
      : undefined;
    const supplier = ncr.supplierId ? await this.masterData.partner(ncr.siteId, ncr.supplierId, m) : null;
    const defects: NcrDetail['defects'] = [];
    for (const code of ncr.defectCodes) {
      const reason = await this.masterData.reasonCode(ncr.siteId, code, m);
      defects.push({ code, name: reason?.name ?? code, nameZh: reason?.nameZh ?? null });
    }
    const rows = await m
      .getRepository(NcrLot)
      .find({ where: { ncrId: ncr.id }, order: { addedAt: 'ASC', lotId: 'ASC' } });
    const balances = await this.inventory.balancesOf(
      m,
      rows.map((r) => r.lotId),
    );
    const lots: NcrLotView[] = [];
    for (const r of rows) {
      const lot = await this.inventory.findLot(m, ncr.siteId, r.lotId);
      if (!lot) continue;
      const onHand = balances
        .filter((b) => b.lotId === r.lotId)
        .reduce((sum, b) => add(sum, parseDecimal(b.quantity)), ZERO);
      lots.push({
        lotId: r.lotId,
        code: lot.code,
        materialId: lot.materialId,
        role: r.role,
        quantity: r.quantity === null ? null : normalised(r.quantity),
        heldByNcr: r.heldByNcr,
        status: lot.status,
        statusReason: lot.statusReason,
        onHand: formatExact(onHand),
        addedAt: r.addedAt,
      });
    }
    const rework = ncr.reworkWorkOrderId ? await findWorkOrder(m, ncr.siteId, ncr.reworkWorkOrderId) : null;
    const { site: _s, material: _m, supplier: _p, ...row } = ncr;
    return {
      ...row,
      material: material
        ? { id: material.id, code: material.code, name: material.name, nameZh: material.nameZh }
        : null,
      supplier: supplier
        ? { id: supplier.id, code: supplier.code, name: supplier.name, nameZh: supplier.nameZh }
        : null,
      defects,
      lots,
      signatures,
      reworkWorkOrder: rework
        ? { id: rework.id, code: rework.code, status: rework.status, source: rework.source }
        : null,
      allowedCommands: allowedNcrCommands(ncr.status),
    };
  }

  private raiseChanged(
    tx: Tx,
    ncr: Pick<Ncr, 'id' | 'code' | 'siteId' | 'source' | 'status' | 'disposition' | 'workCenterId'>,
    previousStatus: NcrStatus | null,
    change: NcrChanged['change'],
  ): void {
    tx.raise('quality.ncr.changed', {
      ncrId: ncr.id,
      code: ncr.code,
      siteId: ncr.siteId,
      source: ncr.source,
      status: ncr.status,
      previousStatus,
      disposition: ncr.disposition,
      workCenterId: ncr.workCenterId,
      change,
    });
  }
}

interface DispositionContext {
  tx: Tx;
  ncr: Ncr;
  rows: NcrLot[];
  lots: Map<string, Lot>;
  effects: DispositionLotEffect[];
  note: string;
}

function effect(
  row: NcrLot,
  lot: Lot,
  statusAfter: string,
  action: DispositionLotEffect['action'],
  note: string | null,
): DispositionLotEffect {
  return {
    lotId: lot.id,
    code: lot.code,
    role: row.role,
    statusBefore: lot.status,
    statusAfter,
    action,
    scrappedQty: null,
    note,
  };
}

/** People are named as the audit trail names them (the reporter comes from the request's actor too). */
function personName(p: Principal): string {
  return p.username ?? p.name;
}

function positive(quantity: string): boolean {
  return compare(parseDecimal(quantity), ZERO) > 0;
}

/** A NUMERIC as people write it ("12.500000" → "12.5"); null stays null. */
function normalised(quantity: string | null): string | null {
  return quantity === null ? null : formatExact(parseDecimal(quantity));
}
