import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { nextSequenceValue } from '../../platform/database/document-sequence';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { compare, formatExact, parseDecimal, ZERO } from '../../platform/engine/decimal';
import { DomainError, fieldError, notFound } from '../../platform/errors/domain-error';
import { OutboxService } from '../../platform/outbox/outbox.service';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { PurchaseRequisition, type RequisitionStatus } from './purchase-requisition.entity';

export interface RequisitionView {
  id: string;
  code: string;
  materialId: string;
  materialCode: string;
  materialName: string;
  quantity: string;
  needBy: string | null;
  reason: string;
  source: string;
  status: RequisitionStatus;
  purchaseOrder: string | null;
  closeNote: string | null;
  requestedByName: string;
  createdAt: string;
  closedAt: string | null;
  version: number;
}

export interface RequisitionRequest {
  siteId: string;
  /** Material id or code. */
  material: string;
  quantity: string;
  needBy?: Date | null;
  reason: string;
  /** `manual` or `rule:<code>`. */
  source: string;
  requestedByName: string;
}

/** The ERP message a requisition becomes (outbox, destination `erp`, type `purchaseRequisition`). */
export interface PurchaseRequisitionMessage {
  requisitionId: string;
  code: string;
  siteId: string;
  material: string;
  quantity: string;
  unit: string;
  needBy: string | null;
  reason: string;
}

/**
 * Purchase requisitions (请购单): raised by hand or by a rule, one open per material (a second request while
 * one is open answers it, so a rule firing twice never asks twice), sent to the ERP through the outbox in the
 * same transaction, then marked ordered (with the ERP's purchase order) or cancelled by purchasing.
 */
@Injectable()
export class PurchaseRequisitionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runner: TransactionRunner,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly masterData: MasterDataFacade,
  ) {}

  /** Opens a requisition (or answers the open one of the material) inside the caller's transaction. */
  async request(
    tx: Tx,
    r: RequisitionRequest,
  ): Promise<{ requisition: PurchaseRequisition; created: boolean }> {
    const m = tx.manager;
    const material = await this.masterData.material(r.siteId, r.material, m);
    if (!material) throw fieldError('material', `no material ${r.material} at this site`);
    if (!/^\d{1,12}(\.\d{1,6})?$/.test(r.quantity) || compare(parseDecimal(r.quantity), ZERO) <= 0)
      throw fieldError('quantity', `must be a positive decimal, got "${r.quantity}"`);
    // One open per material: requests for the same material wait for each other here.
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('inventory.requisition:' || $1 || ':' || $2))`, [
      r.siteId,
      material.id,
    ]);
    const open = await m.getRepository(PurchaseRequisition).findOneBy({
      siteId: r.siteId,
      materialId: material.id,
      status: 'open',
    });
    if (open) return { requisition: open, created: false };
    const n = await nextSequenceValue(m, r.siteId, 'purchase_requisition');
    const repo = m.getRepository(PurchaseRequisition);
    const saved = await repo.save(
      repo.create({
        siteId: r.siteId,
        code: `PR-${String(n).padStart(6, '0')}`,
        materialId: material.id,
        quantity: formatExact(parseDecimal(r.quantity)),
        needBy: r.needBy ?? null,
        reason: r.reason.slice(0, 500),
        source: r.source.slice(0, 80),
        requestedByName: r.requestedByName.slice(0, 200),
      }),
    );
    const unit = await this.masterData.unit(r.siteId, material.baseUnitId, m);
    const message: PurchaseRequisitionMessage = {
      requisitionId: saved.id,
      code: saved.code,
      siteId: r.siteId,
      material: material.code,
      quantity: saved.quantity,
      unit: unit?.code ?? material.baseUnitId,
      needBy: saved.needBy?.toISOString() ?? null,
      reason: saved.reason,
    };
    await this.outbox.enqueue(tx, {
      destination: 'erp',
      messageType: 'purchaseRequisition',
      payload: message,
    });
    await this.audit.record(tx, {
      entityType: 'purchase_requisition',
      entityId: saved.id,
      siteId: r.siteId,
      action: 'purchase_requisition.opened',
      after: { code: saved.code, material: material.code, quantity: saved.quantity, source: saved.source },
      reason: saved.reason,
    });
    return { requisition: saved, created: true };
  }

  create(
    p: Principal,
    siteId: string,
    dto: { material: string; quantity: string; needBy?: string; reason: string },
  ): Promise<{ requisition: RequisitionView; created: boolean }> {
    assertSiteAccess(p, siteId);
    return this.runner.run(async (tx) => {
      const r = await this.request(tx, {
        siteId,
        material: dto.material,
        quantity: dto.quantity,
        needBy: dto.needBy ? new Date(dto.needBy) : null,
        reason: dto.reason,
        source: 'manual',
        requestedByName: p.name,
      });
      return { requisition: (await this.views(tx.manager, [r.requisition]))[0]!, created: r.created };
    });
  }

  async list(
    p: Principal,
    siteId: string,
    q: { status?: RequisitionStatus; material?: string; limit: number; offset: number },
  ): Promise<[RequisitionView[], number]> {
    assertSiteAccess(p, siteId);
    const qb = this.dataSource
      .getRepository(PurchaseRequisition)
      .createQueryBuilder('r')
      .where('r.siteId = :siteId', { siteId })
      .orderBy('r.createdAt', 'DESC')
      .addOrderBy('r.code', 'DESC')
      .take(q.limit)
      .skip(q.offset);
    if (q.status) qb.andWhere('r.status = :status', { status: q.status });
    if (q.material) {
      const material = await this.masterData.material(siteId, q.material);
      qb.andWhere('r.materialId = :materialId', {
        materialId: material?.id ?? '00000000-0000-0000-0000-000000000000',
      });
    }
    const [rows, total] = await qb.getManyAndCount();
    return [await this.views(this.dataSource.manager, rows), total];
  }

  async get(p: Principal, siteId: string, idOrCode: string): Promise<RequisitionView> {
    assertSiteAccess(p, siteId);
    const r = await this.find(this.dataSource.manager, siteId, idOrCode);
    return (await this.views(this.dataSource.manager, [r]))[0]!;
  }

  /** Purchasing ordered it (the ERP's purchase order) or will not (cancelled, with why). */
  close(
    p: Principal,
    siteId: string,
    idOrCode: string,
    to: 'ordered' | 'cancelled',
    note: { purchaseOrder?: string; reason?: string; expectedVersion?: number },
  ): Promise<RequisitionView> {
    assertSiteAccess(p, siteId);
    return this.runner.run(async (tx) => {
      const m = tx.manager;
      const found = await this.find(m, siteId, idOrCode);
      const r = await m
        .getRepository(PurchaseRequisition)
        .findOneOrFail({ where: { id: found.id }, lock: { mode: 'pessimistic_write' } });
      if (r.status !== 'open')
        throw new DomainError('conflict', 'ILLEGAL_TRANSITION', `${r.code} is ${r.status} already`, {
          extensions: { currentState: r.status, allowedCommands: [] },
        });
      if (note.expectedVersion !== undefined && note.expectedVersion !== r.version)
        throw new DomainError('conflict', 'STALE_VERSION', `${r.code} changed meanwhile; reload it`, {
          extensions: { currentVersion: r.version },
        });
      await m.update(
        PurchaseRequisition,
        { id: r.id },
        {
          status: to,
          purchaseOrder: to === 'ordered' ? (note.purchaseOrder ?? null) : null,
          closeNote: note.reason ?? null,
          closedAt: new Date(),
          version: r.version + 1,
        },
      );
      await this.audit.record(tx, {
        entityType: 'purchase_requisition',
        entityId: r.id,
        siteId,
        action: `purchase_requisition.${to}`,
        before: { status: r.status },
        after: { status: to, purchaseOrder: note.purchaseOrder ?? null },
        reason: note.reason,
      });
      const after = await m.getRepository(PurchaseRequisition).findOneByOrFail({ id: r.id });
      return (await this.views(m, [after]))[0]!;
    });
  }

  private async find(m: EntityManager, siteId: string, idOrCode: string): Promise<PurchaseRequisition> {
    const r = await m
      .getRepository(PurchaseRequisition)
      .findOneBy(isUUID(idOrCode) ? { id: idOrCode, siteId } : { code: idOrCode, siteId });
    if (!r) throw notFound('purchase requisition', idOrCode);
    return r;
  }

  private async views(m: EntityManager, rows: PurchaseRequisition[]): Promise<RequisitionView[]> {
    const names = await this.masterData.materialNames([...new Set(rows.map((r) => r.materialId))], m);
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      materialId: r.materialId,
      materialCode: names.get(r.materialId)?.code ?? '',
      materialName: names.get(r.materialId)?.name ?? '',
      quantity: formatExact(parseDecimal(r.quantity)),
      needBy: r.needBy?.toISOString() ?? null,
      reason: r.reason,
      source: r.source,
      status: r.status,
      purchaseOrder: r.purchaseOrder,
      closeNote: r.closeNote,
      requestedByName: r.requestedByName,
      createdAt: r.createdAt.toISOString(),
      closedAt: r.closedAt?.toISOString() ?? null,
      version: r.version,
    }));
  }
}
