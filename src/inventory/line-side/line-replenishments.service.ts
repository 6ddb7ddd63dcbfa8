import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Tx } from '../../platform/database/transaction-runner';
import { compare, formatExact, parseDecimal, ZERO } from '../../platform/engine/decimal';
import { DomainError, notFound } from '../../platform/errors/domain-error';
import { InventoryErrorCode } from '../inventory.errors';
import { StockMovementsService } from '../lots/stock-movements.service';
import { LineSideCheck } from './line-side-check.service';
import { LineReplenishment, LineStockLevel, type LineReplenishmentStatus } from './line-side.entities';

/** Line-side min/max levels and the replenishment requests (补料单) they produce. */
@Injectable()
export class LineReplenishmentsService {
  constructor(
    private readonly movements: StockMovementsService,
    private readonly check: LineSideCheck,
    private readonly audit: AuditService,
  ) {}

  async setLevel(
    tx: Tx,
    l: {
      siteId: string;
      locationId: string;
      materialId: string;
      minQty: string;
      maxQty: string;
      active: boolean;
    },
  ): Promise<LineStockLevel> {
    const before = await tx.manager
      .getRepository(LineStockLevel)
      .findOneBy({ locationId: l.locationId, materialId: l.materialId });
    await tx.manager.query(
      `INSERT INTO line_stock_level (location_id, material_id, site_id, min_qty, max_qty, active)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (location_id, material_id) DO UPDATE
          SET min_qty = EXCLUDED.min_qty, max_qty = EXCLUDED.max_qty, active = EXCLUDED.active,
              version = line_stock_level.version + 1, updated_at = now()`,
      [l.locationId, l.materialId, l.siteId, l.minQty, l.maxQty, l.active],
    );
    const after = await tx.manager
      .getRepository(LineStockLevel)
      .findOneByOrFail({ locationId: l.locationId, materialId: l.materialId });
    await this.audit.record(tx, {
      entityType: 'line_stock_level',
      entityId: `${l.locationId}:${l.materialId}`,
      siteId: l.siteId,
      action: before ? 'line_stock_level.changed' : 'line_stock_level.created',
      before: before ? { minQty: before.minQty, maxQty: before.maxQty, active: before.active } : undefined,
      after: { minQty: after.minQty, maxQty: after.maxQty, active: after.active },
    });
    // A new or raised min may already be crossed.
    if (l.active) await this.check.afterDecrease(tx, l.siteId, l.locationId, l.materialId);
    return after;
  }

  levels(manager: EntityManager, siteId: string, locationId?: string): Promise<LineStockLevel[]> {
    return manager.getRepository(LineStockLevel).find({
      where: { siteId, ...(locationId ? { locationId } : {}) },
      order: { locationId: 'ASC', materialId: 'ASC' },
    });
  }

  list(
    manager: EntityManager,
    siteId: string,
    q: { status?: LineReplenishmentStatus; locationId?: string; limit: number; offset: number },
  ): Promise<[LineReplenishment[], number]> {
    return manager.getRepository(LineReplenishment).findAndCount({
      where: {
        siteId,
        ...(q.status ? { status: q.status } : {}),
        ...(q.locationId ? { locationId: q.locationId } : {}),
      },
      order: { createdAt: 'DESC', code: 'DESC' },
      take: q.limit,
      skip: q.offset,
    });
  }

  find(manager: EntityManager, siteId: string, id: string): Promise<LineReplenishment | null> {
    return manager.getRepository(LineReplenishment).findOneBy({ id, siteId });
  }

  /**
   * The warehouse brings it (embedded warehouse): allocates warehouse stock by the site's FIFO/FEFO policy
   * and moves it to the line-side location; what the warehouse lacks leaves the request `short`.
   */
  async confirm(tx: Tx, siteId: string, id: string): Promise<LineReplenishment> {
    const r = await this.open(tx, siteId, id);
    const picked = await this.movements.pick(tx, {
      siteId,
      materialId: r.materialId,
      quantity: r.requestedQty,
      toLocationId: r.locationId,
      reference: r.code,
    });
    return this.close(
      tx,
      r,
      compare(parseDecimal(picked.shortQty), ZERO) > 0 ? 'short' : 'delivered',
      picked.pickedQty,
    );
  }

  async cancel(tx: Tx, siteId: string, id: string, reason: string): Promise<LineReplenishment> {
    const r = await this.open(tx, siteId, id);
    return this.close(tx, r, 'cancelled', '0', reason);
  }

  /**
   * An external WMS reports it delivered (or short): MOM's books follow — the delivered quantity moves from the
   * warehouse to the line-side location (the reported lot, else FIFO/FEFO); what the books lack stays a
   * difference for the warehouse to count, never a negative balance.
   */
  async closeByWms(
    tx: Tx,
    siteId: string,
    id: string,
    outcome: 'delivered' | 'short',
    quantity: string | null,
    lotId: string | undefined,
  ): Promise<LineReplenishment> {
    const r = await this.open(tx, siteId, id);
    const delivered = quantity ?? (outcome === 'delivered' ? r.requestedQty : '0');
    if (compare(parseDecimal(delivered), ZERO) > 0)
      await this.movements.bookDelivery(tx, {
        siteId,
        materialId: r.materialId,
        quantity: delivered,
        toLocationId: r.locationId,
        lotId,
        reference: r.code,
      });
    return this.close(tx, r, outcome, delivered);
  }

  private async open(tx: Tx, siteId: string, id: string): Promise<LineReplenishment> {
    const r = await tx.manager
      .getRepository(LineReplenishment)
      .findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } });
    if (!r) throw notFound('line replenishment', id);
    if (r.status !== 'open') {
      throw new DomainError(
        'conflict',
        InventoryErrorCode.REPLENISHMENT_CLOSED,
        `Replenishment ${r.code} is ${r.status} already`,
        { extensions: { currentState: r.status } },
      );
    }
    return r;
  }

  private async close(
    tx: Tx,
    r: LineReplenishment,
    status: Exclude<LineReplenishmentStatus, 'open'>,
    deliveredQty: string,
    reason?: string,
  ): Promise<LineReplenishment> {
    await tx.manager
      .getRepository(LineReplenishment)
      .update({ id: r.id }, { status, deliveredQty, closedAt: new Date(), version: r.version + 1 });
    await this.audit.record(tx, {
      entityType: 'line_replenishment',
      entityId: r.id,
      siteId: r.siteId,
      action: `line_replenishment.${status}`,
      before: { status: r.status },
      after: { status, deliveredQty },
      reason,
    });
    tx.raise('inventory.line_replenishment.closed', {
      replenishmentId: r.id,
      code: r.code,
      siteId: r.siteId,
      status,
      deliveredQty: formatExact(parseDecimal(deliveredQty)),
    });
    return tx.manager.getRepository(LineReplenishment).findOneByOrFail({ id: r.id });
  }
}
