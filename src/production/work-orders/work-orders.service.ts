import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, In } from 'typeorm';
import { AuditEntry } from '../../platform/audit/audit-entry.entity';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { nextSequenceValue } from '../../platform/database/document-sequence';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import {
  add,
  compare,
  formatExact,
  formatFixed,
  multiply,
  parseDecimal,
  subtract,
  ZERO,
} from '../../platform/engine/decimal';
import { localDate } from '../../platform/engine/local-date';
import { DomainError, type FieldError, notFound } from '../../platform/errors/domain-error';
import type { Page } from '../../platform/http/pagination';
import { Site } from '../../platform/sites/site.entity';
import { InventoryFacade } from '../../inventory/inventory.facade';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { kittingPicture, type KittingPicture } from '../engine/kitting';
import {
  allowedWorkOrderCommands,
  transitionWorkOrder,
  type WorkOrderCommand,
  type WorkOrderStatus,
} from '../engine/work-order-state';
import { WorkOrderOperation } from '../operations/operation.entity';
import { ProductionErrorCode } from '../production.errors';
import { ProductionSettingsService } from '../settings/production-settings.service';
import type { CreateWorkOrderDto, UpdateWorkOrderDto, WorkOrderQueryDto } from './work-order.dto';
import { WorkOrder, WorkOrderMaterial, type WorkOrderSource } from './work-order.entity';
import { inTurn } from '../../platform/database/in-turn';

export interface WorkOrderView extends WorkOrder {
  materialCode: string;
  materialName: string;
  allowedCommands: WorkOrderCommand[];
  materials: Array<WorkOrderMaterial & { materialCode: string; openQty: string }>;
  operations: WorkOrderOperation[];
}

/** A row of the work-order list: the order, its material's code and the commands allowed now. */
export interface WorkOrderListItem extends WorkOrder {
  materialCode: string;
  allowedCommands: WorkOrderCommand[];
}

/** One change in a work order's life, from its audit trail. */
export interface WorkOrderHistoryEntry {
  id: string;
  occurredAt: Date;
  action: string;
  actorName: string;
  reason: string | null;
  fromStatus: string | null;
  toStatus: string | null;
  /** The fields a `work_order.updated` changed (quantity, due date, priority …), before → after. */
  changes: Array<{ field: string; before: unknown; after: unknown }>;
}

export interface KittingView extends Omit<KittingPicture, 'lines'> {
  workOrderId: string;
  code: string;
  lines: Array<
    KittingPicture['lines'][number] & { materialCode: string; unitId: string; availableQty: string }
  >;
}

export interface NewWorkOrder extends CreateWorkOrderDto {
  source?: WorkOrderSource;
  erpOrderId?: string;
  erpSegmentId?: string;
  status?: 'draft' | 'planned';
}

/** The operations and materials a work order got from its routing and BOM, as its audit rows name them. */
interface WorkOrderSnapshot {
  operations: Array<{ id: string; seq: number; name: string; workCenterId: string }>;
  materials: Array<{ materialId: string; requiredQty: string; issueMethod: string; operationSeq: number }>;
}

/** Work orders from creation to closing (planner side): snapshot, release with kitting, hold, cancel, close. */
@Injectable()
export class WorkOrdersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly masterData: MasterDataFacade,
    private readonly inventory: InventoryFacade,
    private readonly settings: ProductionSettingsService,
  ) {}

  async list(p: Principal, siteId: string, q: WorkOrderQueryDto): Promise<Page<WorkOrderListItem>> {
    assertSiteAccess(p, siteId);
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const qb = this.dataSource
      .getRepository(WorkOrder)
      .createQueryBuilder('w')
      .where('w.siteId = :siteId', { siteId })
      .orderBy("CASE WHEN w.priority = 'rush' THEN 0 ELSE 1 END", 'ASC')
      .addOrderBy('w.dueAt', 'ASC')
      .addOrderBy('w.code', 'ASC')
      .take(limit)
      .skip(offset);
    if (q.status) qb.andWhere('w.status IN (:...statuses)', { statuses: q.status.split(',') });
    if (q.materialId) qb.andWhere('w.materialId = :m', { m: q.materialId });
    if (q.lineId) qb.andWhere('w.lineId = :l', { l: q.lineId });
    if (q.priority) qb.andWhere('w.priority = :pr', { pr: q.priority });
    if (q.q) {
      const like = `%${q.q.replace(/[\\%_]/g, '\\$&')}%`;
      qb.andWhere(
        new Brackets((b) => b.where('w.code ILIKE :like', { like }).orWhere('w.erpOrderId ILIKE :like')),
      );
    }
    const [rows, total] = await qb.getManyAndCount();
    const codes = await this.masterData.materialNames(rows.map((r) => r.materialId));
    // The same commands as the detail: a held order's cancel depends on whether work has started.
    const progressed = new Set<string>();
    const held = rows.filter((r) => r.status === 'held').map((r) => r.id);
    if (held.length > 0) {
      const withProgress = await this.dataSource
        .getRepository(WorkOrderOperation)
        .createQueryBuilder('o')
        .select('DISTINCT o.workOrderId', 'id')
        .where('o.workOrderId IN (:...held)', { held })
        .andWhere('o.status IN (:...progress)', { progress: ['running', 'paused', 'completed'] })
        .getRawMany<{ id: string }>();
      for (const r of withProgress) progressed.add(r.id);
    }
    return {
      items: rows.map((r) => ({
        ...r,
        materialCode: codes.get(r.materialId)?.code ?? '',
        allowedCommands: allowedWorkOrderCommands(r.status, {
          heldFrom: r.heldFrom,
          hasProgress: progressed.has(r.id),
        }),
      })),
      total,
      limit,
      offset,
    };
  }

  async get(p: Principal, siteId: string, id: string): Promise<WorkOrderView> {
    assertSiteAccess(p, siteId);
    const wo = await this.dataSource.getRepository(WorkOrder).findOneBy({ id, siteId });
    if (!wo) throw notFound('work order', id);
    return this.view(this.dataSource.manager, wo);
  }

  /** The order's life from the audit trail, oldest first: who moved or changed it, when and why. */
  async history(p: Principal, siteId: string, id: string): Promise<{ items: WorkOrderHistoryEntry[] }> {
    assertSiteAccess(p, siteId);
    const wo = await this.dataSource.getRepository(WorkOrder).findOneBy({ id, siteId });
    if (!wo) throw notFound('work order', id);
    const entries = await this.dataSource.getRepository(AuditEntry).find({
      where: { entityType: 'work_order', entityId: id, siteId },
      order: { id: 'ASC' },
      take: 500,
    });
    const shown = ['quantity', 'dueAt', 'plannedStart', 'plannedEnd', 'priority', 'notes'];
    return {
      items: entries.map((e) => {
        const before = e.before ?? {};
        const after = e.after ?? {};
        const status = (v: unknown) => (typeof v === 'string' ? v : null);
        return {
          id: e.id,
          occurredAt: e.occurredAt,
          action: e.action,
          actorName: e.actorName,
          reason: e.reason,
          fromStatus: status(before.status),
          toStatus: status(after.status),
          changes:
            e.action === 'work_order.updated' && e.before
              ? shown
                  .filter((k) => k in after && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
                  .map((k) => ({ field: k, before: before[k] ?? null, after: after[k] ?? null }))
              : [],
        };
      }),
    };
  }

  create(p: Principal, siteId: string, dto: CreateWorkOrderDto): Promise<WorkOrderView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const wo = await this.createIn(tx, siteId, { ...dto, source: 'manual' });
      return this.view(tx.manager, wo);
    });
  }

  /** Creates an order inside the caller's transaction (planner form, ERP import). */
  async createIn(tx: Tx, siteId: string, dto: NewWorkOrder): Promise<WorkOrder> {
    const m = tx.manager;
    const site = await m.getRepository(Site).findOneByOrFail({ id: siteId });
    const errors: FieldError[] = [];
    const material = await this.masterData.material(siteId, dto.material, m);
    if (!material)
      errors.push({ field: 'material', message: `material ${dto.material} does not exist at this site` });
    else if (!material.active)
      errors.push({ field: 'material', message: `material ${material.code} is inactive` });
    const quantityProblem = material
      ? await this.quantityProblem(m, siteId, material.baseUnitId, dto.quantity)
      : undefined;
    if (quantityProblem) errors.push({ field: 'quantity', message: quantityProblem });
    if (dto.plannedStart && Date.parse(dto.plannedStart) > Date.parse(dto.dueAt)) {
      errors.push({ field: 'plannedStart', message: 'plannedStart must not be after dueAt' });
    }
    if (dto.code && (await m.getRepository(WorkOrder).existsBy({ siteId, code: dto.code }))) {
      errors.push({ field: 'code', message: `work order ${dto.code} already exists` });
    }
    const day = localDate(site.timeZone, dto.plannedStart ? new Date(dto.plannedStart) : new Date());
    const routing = material
      ? await this.masterData.routingFor(siteId, material.id, day, dto.routingRevision, m)
      : undefined;
    if (material && (!routing || routing.operations.length === 0)) {
      errors.push({
        field: dto.routingRevision ? 'routingRevision' : 'material',
        message: dto.routingRevision
          ? `material ${material.code} has no routing revision ${dto.routingRevision}`
          : `material ${material.code} has no routing valid on ${day}; create one in master data first`,
      });
    }
    const bom =
      material && dto.source !== 'rework'
        ? await this.masterData.bomFor(siteId, material.id, dto.quantity, day, dto.bomRevision, m)
        : undefined;
    if (material && dto.bomRevision && !bom) {
      errors.push({
        field: 'bomRevision',
        message: `material ${material.code} has no BOM revision ${dto.bomRevision}`,
      });
    }
    if (errors.length > 0 || !material || !routing) {
      throw new DomainError(
        'validation',
        ProductionErrorCode.INVALID_WORK_ORDER,
        'The work order is invalid',
        {
          errors,
        },
      );
    }
    const firstWorkCenter = await this.masterData.workCenter(siteId, routing.operations[0]!.workCenterId, m);
    const code = dto.code ?? (await this.nextCode(m, site));
    const repo = m.getRepository(WorkOrder);
    const { id: newId } = await repo.save(
      repo.create({
        siteId,
        code,
        materialId: material.id,
        unitId: material.baseUnitId,
        quantity: dto.quantity,
        dueAt: new Date(dto.dueAt),
        plannedStart: dto.plannedStart ? new Date(dto.plannedStart) : null,
        priority: dto.priority ?? 'normal',
        status: dto.status ?? 'draft',
        source: dto.source ?? 'manual',
        erpOrderId: dto.erpOrderId ?? null,
        erpSegmentId: dto.erpSegmentId ?? null,
        bomId: bom?.bom.id ?? null,
        bomRevision: bom?.bom.revision ?? null,
        routingId: routing.routing.id,
        routingRevision: routing.routing.revision,
        lineId: firstWorkCenter!.lineId,
        notes: dto.notes ?? null,
      }),
    );
    // Read back, so every answer shows quantities and dates as stored.
    const wo = await repo.findOneByOrFail({ id: newId });
    const snapshot = await this.writeSnapshot(tx, wo, routing, bom);
    // The operations and materials copied from the routing and BOM are created with the order: its audit row
    // names each of them.
    await this.audit.record(tx, {
      entityType: 'work_order',
      entityId: wo.id,
      siteId,
      action: 'work_order.created',
      after: { ...wo, bomRevision: wo.bomRevision, routingRevision: wo.routingRevision, ...snapshot },
    });
    this.raiseStatus(tx, wo, null, null);
    return wo;
  }

  update(p: Principal, siteId: string, id: string, dto: UpdateWorkOrderDto): Promise<WorkOrderView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const wo = await this.lock(tx.manager, siteId, id);
      if (wo.version !== dto.expectedVersion) {
        throw new DomainError(
          'conflict',
          ProductionErrorCode.STALE_VERSION,
          `Work order ${wo.code} was changed by someone else (version ${wo.version}); reload and try again`,
          { extensions: { currentVersion: wo.version } },
        );
      }
      const before = { ...wo };
      const final = ['completed', 'closed', 'cancelled'].includes(wo.status);
      const preRelease = wo.status === 'draft' || wo.status === 'planned';
      const errors: FieldError[] = [];
      if (final) {
        throw this.illegal(wo, 'update');
      }
      if (dto.quantity !== undefined && dto.quantity !== wo.quantity && !preRelease) {
        errors.push({
          field: 'quantity',
          message: `the quantity is frozen once released (the order is ${wo.status})`,
        });
      }
      if (dto.quantity !== undefined) {
        const problem = await this.quantityProblem(tx.manager, siteId, wo.unitId, dto.quantity);
        if (problem) errors.push({ field: 'quantity', message: problem });
      }
      if (errors.length > 0) {
        throw new DomainError('validation', ProductionErrorCode.INVALID_WORK_ORDER, 'The change is invalid', {
          errors,
        });
      }
      const quantityChanged =
        dto.quantity !== undefined && compare(parseDecimal(dto.quantity), parseDecimal(wo.quantity)) !== 0;
      const patch: Partial<WorkOrder> = {
        ...(dto.quantity !== undefined ? { quantity: dto.quantity } : {}),
        ...(dto.dueAt !== undefined ? { dueAt: new Date(dto.dueAt) } : {}),
        ...(dto.plannedStart !== undefined ? { plannedStart: new Date(dto.plannedStart) } : {}),
        ...(dto.priority !== undefined ? { priority: dto.priority } : {}),
        ...(dto.notes !== undefined ? { notes: dto.notes } : {}),
      };
      await tx.manager.getRepository(WorkOrder).update({ id }, { ...patch, version: wo.version + 1 });
      const after = await tx.manager.getRepository(WorkOrder).findOneByOrFail({ id });
      let snapshot: WorkOrderSnapshot | undefined;
      if (quantityChanged) {
        // Before release the snapshot follows the quantity (same revisions).
        const site = await tx.manager.getRepository(Site).findOneByOrFail({ id: siteId });
        const day = localDate(site.timeZone, after.plannedStart ?? new Date());
        const routing = await this.masterData.routingFor(
          siteId,
          wo.materialId,
          day,
          wo.routingRevision,
          tx.manager,
        );
        const bom = wo.bomRevision
          ? await this.masterData.bomFor(
              siteId,
              wo.materialId,
              after.quantity,
              day,
              wo.bomRevision,
              tx.manager,
            )
          : undefined;
        await tx.manager.delete(WorkOrderOperation, { workOrderId: id });
        await tx.manager.delete(WorkOrderMaterial, { workOrderId: id });
        snapshot = await this.writeSnapshot(tx, after, routing!, bom);
      }
      await this.audit.record(tx, {
        entityType: 'work_order',
        entityId: id,
        siteId,
        action: 'work_order.updated',
        before,
        // A new quantity re-sizes the operations and materials: the row names the ones that replaced them.
        after: snapshot ? { ...after, ...snapshot } : after,
        reason: dto.reason,
      });
      if (dto.priority !== undefined && dto.priority !== before.priority) {
        tx.raise('production.workorder.priority_changed', {
          workOrderId: id,
          siteId,
          code: wo.code,
          priority: dto.priority,
          previousPriority: before.priority,
        });
      }
      return this.view(tx.manager, after);
    });
  }

  /** plan, start_kitting, mark_ready, hold, resume, cancel, close: the guarded lifecycle moves. */
  transition(
    p: Principal,
    siteId: string,
    id: string,
    command: Exclude<WorkOrderCommand, 'release' | 'start' | 'complete'>,
    reason?: string,
  ): Promise<WorkOrderView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const after = (await this.transitionIn(tx, siteId, id, command, reason))!; // no onlyFrom: never null
      return this.view(tx.manager, after);
    });
  }

  /**
   * The same guarded move inside the caller's transaction. With `onlyFrom`, a work order in any other state
   * is left as it is (null): the warehouse's news may arrive after the order moved on.
   */
  async transitionIn(
    tx: Tx,
    siteId: string,
    id: string,
    command: Exclude<WorkOrderCommand, 'release' | 'start' | 'complete'>,
    reason?: string,
    onlyFrom?: readonly WorkOrderStatus[],
  ): Promise<WorkOrder | null> {
    const wo = await this.lock(tx.manager, siteId, id);
    if (onlyFrom && !onlyFrom.includes(wo.status)) return null;
    const hasProgress = await this.hasProgress(tx.manager, id);
    const result = transitionWorkOrder(wo.status, command, { heldFrom: wo.heldFrom, hasProgress });
    if (!result.ok) throw this.illegal(wo, command, result.reason);
    const now = new Date();
    const patch: Partial<WorkOrder> = { status: result.status, version: wo.version + 1 };
    if (command === 'hold') Object.assign(patch, { heldFrom: wo.status, holdReason: reason ?? null });
    if (command === 'resume') Object.assign(patch, { heldFrom: null, holdReason: null });
    if (command === 'cancel') patch.cancelledAt = now;
    if (command === 'close') patch.closedAt = now;
    await tx.manager.getRepository(WorkOrder).update({ id }, patch);
    const after = await tx.manager.getRepository(WorkOrder).findOneByOrFail({ id });
    await this.audit.record(tx, {
      entityType: 'work_order',
      entityId: id,
      siteId,
      action: `work_order.${command}`,
      before: { status: wo.status, heldFrom: wo.heldFrom },
      after: { status: after.status, heldFrom: after.heldFrom },
      reason,
    });
    this.raiseStatus(tx, after, wo.status, reason ?? null);
    return after;
  }

  kitting(p: Principal, siteId: string, id: string): Promise<KittingView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const wo = await tx.manager.getRepository(WorkOrder).findOneBy({ id, siteId });
      if (!wo) throw notFound('work order', id);
      return this.kittingOf(tx.manager, wo);
    });
  }

  release(
    p: Principal,
    siteId: string,
    id: string,
    allowShortage: boolean,
    reason?: string,
  ): Promise<WorkOrderView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const wo = await this.lock(tx.manager, siteId, id);
      const result = transitionWorkOrder(wo.status, 'release');
      if (!result.ok) throw this.illegal(wo, 'release', result.reason);
      // Work that reads no stock comes before the site's release lock, which is held until commit.
      const settings = await this.settings.of(siteId, tx.manager);
      const factor = add(parseDecimal('1'), parseDecimal(settings.overReportTolerance));
      // The tolerance is frozen with the order at release.
      const maxQty = formatExact(multiply(parseDecimal(wo.quantity), factor));
      await tx.manager.query(
        `UPDATE work_order_operation SET status = 'ready', max_qty = $2 WHERE work_order_id = $1`,
        [id, maxQty],
      );
      const operations = await tx.manager
        .getRepository(WorkOrderOperation)
        .find({ where: { workOrderId: id }, order: { seq: 'ASC' } });
      const firstOp = operations[0]!;
      const lines = await tx.manager
        .getRepository(WorkOrderMaterial)
        .find({ where: { workOrderId: id }, order: { lineNo: 'ASC' } });
      const codes = await this.masterData.materialNames(
        [wo.materialId, ...lines.map((l) => l.materialId)],
        tx.manager,
      );
      // Codes the warehouse needs with the event (unit, line, station, line-side location).
      const unitCodes = new Map<string, string>();
      for (const unitId of new Set(lines.map((l) => l.unitId)))
        unitCodes.set(unitId, (await this.masterData.unit(siteId, unitId, tx.manager))?.code ?? '');
      const line = await this.masterData.line(siteId, wo.lineId, tx.manager);
      const station = await this.masterData.workCenter(siteId, firstOp.workCenterId, tx.manager);
      const lineSide = (await this.masterData.locationsOfLine(siteId, wo.lineId, 'line_side', tx.manager))[0];
      // Releases of one site are serialised so two orders never both count the same stock as theirs; the
      // lock is held until commit, so only what reads or promises stock comes after it.
      await tx.manager.query(`SELECT pg_advisory_xact_lock(hashtext('production.release:' || $1))`, [siteId]);
      const { view: kitting, lines: requirementLines } = await this.kittingWith(tx.manager, wo, {
        lines,
        codes,
      });
      if (!kitting.complete && !allowShortage) {
        throw new DomainError(
          'conflict',
          ProductionErrorCode.MATERIAL_SHORT,
          `Material is short for ${kitting.shortLines} line(s) of ${wo.code}; release with allowShortage to go ahead anyway`,
          { extensions: { currentState: wo.status, kitting } },
        );
      }
      // One statement for every line: what each was short of at release (null when covered).
      const shortAtRelease = new Map(
        kitting.lines.map((l) => [l.lineNo, compare(parseDecimal(l.shortQty), ZERO) > 0 ? l.shortQty : null]),
      );
      if (shortAtRelease.size)
        await tx.manager.query(
          `UPDATE work_order_material wm SET short_qty_at_release = s.short::numeric
             FROM unnest($2::int[], $3::text[]) AS s(line_no, short)
            WHERE wm.work_order_id = $1 AND wm.line_no = s.line_no`,
          [id, [...shortAtRelease.keys()], [...shortAtRelease.values()]],
        );
      const [[stamped]] = await tx.manager.query<[Array<{ released_at: Date; updated_at: Date }>, number]>(
        `UPDATE work_order SET status = $2, released_at = now(), released_with_shortage = $3, version = $4,
                updated_at = now()
          WHERE id = $1 RETURNING released_at, updated_at`,
        [id, result.status, !kitting.complete, wo.version + 1],
      );
      // The open quantity is promised to this order now: later releases see it as taken.
      await this.inventory.reserve(tx, {
        siteId,
        workOrderId: id,
        workOrderCode: wo.code,
        lines: requirementLines.map((l) => ({
          materialId: l.materialId,
          quantity: formatExact(subtract(parseDecimal(l.requiredQty), parseDecimal(l.issuedQty))),
        })),
      });
      const after: WorkOrder = Object.assign(new WorkOrder(), wo, {
        status: result.status,
        releasedAt: stamped!.released_at,
        releasedWithShortage: !kitting.complete,
        version: wo.version + 1,
        updatedAt: stamped!.updated_at,
      });
      await this.audit.record(tx, {
        entityType: 'work_order',
        entityId: id,
        siteId,
        action: 'work_order.released',
        before: { status: wo.status },
        after: {
          status: after.status,
          bomRevision: wo.bomRevision,
          routingRevision: wo.routingRevision,
          releasedWithShortage: after.releasedWithShortage,
          overReportTolerance: settings.overReportTolerance,
          shortLines: kitting.lines.filter((l) => compare(parseDecimal(l.shortQty), ZERO) > 0),
        },
        reason,
      });
      const materials = requirementLines.map((mat) => ({
        ...mat,
        shortQtyAtRelease: asStored(shortAtRelease.get(mat.lineNo) ?? null),
      }));
      tx.raise('production.workorder.released', {
        workOrderId: id,
        siteId,
        code: wo.code,
        lineId: wo.lineId,
        materialId: wo.materialId,
        quantity: wo.quantity,
        dueAt: wo.dueAt.toISOString(),
        plannedStart: wo.plannedStart?.toISOString() ?? null,
        priority: wo.priority,
        releasedWithShortage: after.releasedWithShortage,
        lineCode: line?.code ?? '',
        firstWorkCenterCode: station?.code ?? null,
        lineSideLocation: lineSide ? { id: lineSide.id, code: lineSide.code } : null,
        materials: materials.map((mat) => ({
          lineNo: mat.lineNo,
          materialId: mat.materialId,
          materialCode: codes.get(mat.materialId)?.code ?? '',
          unitId: mat.unitId,
          unitCode: unitCodes.get(mat.unitId) ?? '',
          requiredQty: mat.requiredQty,
          shortQty: mat.shortQtyAtRelease ?? '0',
          operationSeq: mat.operationSeq,
        })),
        firstWorkCenterId: firstOp.workCenterId,
      });
      this.raiseStatus(tx, after, wo.status, reason ?? null);
      return this.viewWith(after, materials, operations, codes);
    });
  }

  /** Open quantity per line against what is available and not promised to other released orders. */
  async kittingOf(m: EntityManager, wo: WorkOrder): Promise<KittingView> {
    return (await this.kittingWith(m, wo)).view;
  }

  /** The kitting picture and the order's material lines it was computed from (those given, or read). */
  private async kittingWith(
    m: EntityManager,
    wo: WorkOrder,
    preloaded?: { lines: WorkOrderMaterial[]; codes: Map<string, { code: string; name: string }> },
  ): Promise<{ view: KittingView; lines: WorkOrderMaterial[] }> {
    const lines =
      preloaded?.lines ??
      (await m
        .getRepository(WorkOrderMaterial)
        .find({ where: { workOrderId: wo.id }, order: { lineNo: 'ASC' } }));
    const materialIds = [...new Set(lines.map((l) => l.materialId))];
    const free = await this.inventory.freeByMaterial(m, wo.siteId, materialIds, wo.id);
    const available: Record<string, string> = {};
    for (const id of materialIds) {
      const f = free.get(id);
      const net = subtract(parseDecimal(f?.onHand ?? '0'), parseDecimal(f?.reserved ?? '0'));
      available[id] = formatExact(compare(net, ZERO) > 0 ? net : ZERO);
    }
    const picture = kittingPicture({
      requirements: lines.map((l) => ({
        lineNo: l.lineNo,
        materialId: l.materialId,
        requiredQty: l.requiredQty,
        issuedQty: l.issuedQty,
      })),
      available,
    });
    const codes = preloaded?.codes ?? (await this.masterData.materialNames(materialIds, m));
    const view: KittingView = {
      workOrderId: wo.id,
      code: wo.code,
      complete: picture.complete,
      shortLines: picture.shortLines,
      kittingRate: picture.kittingRate,
      lines: picture.lines.map((l) => {
        const line = lines.find((x) => x.lineNo === l.lineNo)!;
        return {
          ...l,
          materialCode: codes.get(l.materialId)?.code ?? '',
          unitId: line.unitId,
          availableQty: available[l.materialId] ?? '0',
        };
      }),
    };
    return { view, lines };
  }

  async view(m: EntityManager, wo: WorkOrder): Promise<WorkOrderView> {
    const [materials, operations] = await inTurn(
      () =>
        m.getRepository(WorkOrderMaterial).find({ where: { workOrderId: wo.id }, order: { lineNo: 'ASC' } }),
      () =>
        m.getRepository(WorkOrderOperation).find({ where: { workOrderId: wo.id }, order: { seq: 'ASC' } }),
    );
    const codes = await this.masterData.materialNames(
      [wo.materialId, ...materials.map((x) => x.materialId)],
      m,
    );
    return this.viewWith(wo, materials, operations, codes);
  }

  /** The view from what the caller has read already. */
  private viewWith(
    wo: WorkOrder,
    materials: WorkOrderMaterial[],
    operations: WorkOrderOperation[],
    codes: Map<string, { code: string; name: string }>,
  ): WorkOrderView {
    const hasProgress = operations.some(
      (o) => o.status === 'running' || o.status === 'paused' || o.status === 'completed',
    );
    return {
      ...wo,
      materialCode: codes.get(wo.materialId)?.code ?? '',
      materialName: codes.get(wo.materialId)?.name ?? '',
      allowedCommands: allowedWorkOrderCommands(wo.status, { heldFrom: wo.heldFrom, hasProgress }),
      materials: materials.map((x) => {
        const open = subtract(parseDecimal(x.requiredQty), parseDecimal(x.issuedQty));
        return {
          ...x,
          materialCode: codes.get(x.materialId)?.code ?? '',
          openQty: formatExact(compare(open, ZERO) > 0 ? open : ZERO),
        };
      }),
      operations,
    };
  }

  raiseStatus(tx: Tx, wo: WorkOrder, previous: WorkOrderStatus | null, reason: string | null): void {
    tx.raise('production.workorder.status_changed', {
      workOrderId: wo.id,
      siteId: wo.siteId,
      code: wo.code,
      lineId: wo.lineId,
      status: wo.status,
      previousStatus: previous,
      reason,
    });
  }

  illegal(wo: WorkOrder, command: string, reason?: string): DomainError {
    const allowed = allowedWorkOrderCommands(wo.status, { heldFrom: wo.heldFrom });
    return new DomainError(
      'conflict',
      ProductionErrorCode.ILLEGAL_TRANSITION,
      reason ?? `Work order ${wo.code} is ${wo.status}; it cannot be changed by ${command}`,
      { extensions: { currentState: wo.status, allowedCommands: allowed } },
    );
  }

  async lock(m: EntityManager, siteId: string, id: string): Promise<WorkOrder> {
    const wo = await m
      .getRepository(WorkOrder)
      .findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } });
    if (!wo) throw notFound('work order', id);
    return wo;
  }

  private async hasProgress(m: EntityManager, id: string): Promise<boolean> {
    return m
      .getRepository(WorkOrderOperation)
      .exists({ where: { workOrderId: id, status: In(['running', 'paused', 'completed']) } });
  }

  private async writeSnapshot(
    tx: Tx,
    wo: WorkOrder,
    routing: NonNullable<Awaited<ReturnType<MasterDataFacade['routingFor']>>>,
    bom: Awaited<ReturnType<MasterDataFacade['bomFor']>>,
  ): Promise<WorkOrderSnapshot> {
    const repo = tx.manager.getRepository(WorkOrderOperation);
    const operations: WorkOrderSnapshot['operations'] = [];
    const materials: WorkOrderSnapshot['materials'] = [];
    let predecessorId: string | null = null;
    for (const op of routing.operations) {
      const saved: WorkOrderOperation = await repo.save(
        repo.create({
          workOrderId: wo.id,
          siteId: wo.siteId,
          seq: op.seq,
          name: op.name,
          nameZh: op.nameZh,
          workCenterId: op.workCenterId,
          predecessorId,
          status: 'waiting',
          plannedQty: wo.quantity,
          maxQty: wo.quantity,
          minTransferQty: op.minTransferQty,
          instructions: op.instructions,
          parameters: op.parameters,
          attachments: op.attachments,
          inspectionPoint: op.inspectionPoint,
          equipmentOptions: op.equipment.map((e) => ({
            equipmentId: e.equipmentId,
            runTimePerUnitSec: e.runTimePerUnitSec,
            setupTimeSec: e.setupTimeSec,
            setupFamily: e.setupFamily,
          })),
        }),
      );
      predecessorId = saved.id;
      operations.push({ id: saved.id, seq: op.seq, name: op.name, workCenterId: op.workCenterId });
    }
    const lastSeq = routing.operations[routing.operations.length - 1]!.seq;
    const seqs = new Set(routing.operations.map((o) => o.seq));
    if (wo.source === 'rework') {
      // A rework order (返工) takes the nonconforming goods themselves back in at its first operation: that
      // is its material, and its output lot descends from them in the genealogy.
      const operationSeq = routing.operations[0]!.seq;
      await tx.manager.insert(WorkOrderMaterial, {
        workOrderId: wo.id,
        lineNo: 10,
        materialId: wo.materialId,
        unitId: wo.unitId,
        requiredQty: wo.quantity,
        issueMethod: 'manual',
        operationSeq,
      });
      materials.push({
        materialId: wo.materialId,
        requiredQty: wo.quantity,
        issueMethod: 'manual',
        operationSeq,
      });
      return { operations, materials };
    }
    for (const line of bom?.lines ?? []) {
      // A line without (or with an unknown) operation is consumed at the last one.
      const operationSeq =
        line.operationSeq !== null && seqs.has(line.operationSeq) ? line.operationSeq : lastSeq;
      await tx.manager.insert(WorkOrderMaterial, {
        workOrderId: wo.id,
        lineNo: line.lineNo,
        materialId: line.componentId,
        unitId: line.unitId,
        requiredQty: line.quantity,
        issueMethod: line.issueMethod,
        operationSeq,
      });
      materials.push({
        materialId: line.componentId,
        requiredQty: line.quantity,
        issueMethod: line.issueMethod,
        operationSeq,
      });
    }
    return { operations, materials };
  }

  private async quantityProblem(
    m: EntityManager,
    siteId: string,
    unitId: string,
    quantity: string,
  ): Promise<string | undefined> {
    if (compare(parseDecimal(quantity), ZERO) <= 0) return 'quantity must be greater than 0';
    const unit = await this.masterData.unit(siteId, unitId, m);
    const decimals = unit?.decimals ?? 6;
    const fraction = quantity.split('.')[1]?.replace(/0+$/, '') ?? '';
    if (fraction.length > decimals) {
      return `quantity may have at most ${decimals} decimal places in ${unit?.code ?? 'this unit'}`;
    }
    return undefined;
  }

  private async nextCode(m: EntityManager, site: Site): Promise<string> {
    const year = localDate(site.timeZone, new Date()).slice(0, 4);
    for (;;) {
      const n = await nextSequenceValue(m, site.id, `work_order:${year}`);
      const code = `WO-${year}-${String(n).padStart(6, '0')}`;
      if (!(await m.getRepository(WorkOrder).existsBy({ siteId: site.id, code }))) return code;
    }
  }
}

/** A quantity as the numeric(18,6) columns give it back, so a view built in memory reads like one from the table. */
function asStored(quantity: string | null): string | null {
  return quantity === null ? null : formatFixed(parseDecimal(quantity), 6);
}
