import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import { RequestContext } from '../../platform/context/request-context';
import { nextSequenceValue } from '../../platform/database/document-sequence';
import type { Tx } from '../../platform/database/transaction-runner';
import { compare, formatExact, parseDecimal, subtract } from '../../platform/engine/decimal';
import { DomainError, notFound } from '../../platform/errors/domain-error';
import { InventoryErrorCode } from '../inventory.errors';
import { Lot } from '../lots/lot.entity';
import { StockBalance } from '../lots/stock-balance.entity';
import { StockMovementsService } from '../lots/stock-movements.service';
import { StockAdjustment, type AdjustmentSource, type AdjustmentStatus } from './stock-adjustment.entity';

export interface CountCommand {
  siteId: string;
  lotId: string;
  locationId: string;
  countedQty: string;
  source: AdjustmentSource;
  note?: string | null;
  /** When one is already waiting for this lot and location: refuse (409, people) or answer it (systems). */
  whenPending?: 'refuse' | 'answer';
}

export interface CountResult {
  discrepancy: boolean;
  bookQty: string;
  countedQty: string;
  adjustment: StockAdjustment | null;
  /** The adjustment answered was waiting already (nothing new was created). */
  alreadyPending?: boolean;
}

/**
 * Counts and adjustments (盘点): a count that differs from the book becomes a pending adjustment; a warehouse
 * supervisor (not the person who counted) approves it, which moves the stock, or rejects it, which moves
 * nothing. One pending adjustment per lot and location.
 */
@Injectable()
export class AdjustmentsService {
  constructor(
    private readonly movements: StockMovementsService,
    private readonly audit: AuditService,
  ) {}

  async count(tx: Tx, c: CountCommand): Promise<CountResult> {
    const lot = await tx.manager.getRepository(Lot).findOneBy({ id: c.lotId, siteId: c.siteId });
    if (!lot) throw notFound('lot', c.lotId);
    const balance = await tx.manager
      .getRepository(StockBalance)
      .findOneBy({ lotId: lot.id, locationId: c.locationId });
    const book = parseDecimal(balance?.quantity ?? '0');
    const counted = parseDecimal(c.countedQty);
    const result = {
      bookQty: formatExact(book),
      countedQty: formatExact(counted),
    };
    if (compare(book, counted) === 0) return { ...result, discrepancy: false, adjustment: null };
    const pending = await tx.manager
      .getRepository(StockAdjustment)
      .findOneBy({ lotId: lot.id, locationId: c.locationId, status: 'pending' });
    if (pending && c.whenPending === 'answer')
      return { ...result, discrepancy: true, adjustment: pending, alreadyPending: true };
    if (pending) {
      throw new DomainError(
        'conflict',
        InventoryErrorCode.ADJUSTMENT_PENDING,
        `Adjustment ${pending.code} for lot ${lot.code} at this location is waiting for approval`,
        { extensions: { adjustmentId: pending.id, adjustmentCode: pending.code } },
      );
    }
    const actor = RequestContext.actor() ?? { type: 'system' as const, id: 'system', name: 'system' };
    const n = await nextSequenceValue(tx.manager, c.siteId, 'stock_adjustment');
    const adjustment = await tx.manager.getRepository(StockAdjustment).save(
      tx.manager.getRepository(StockAdjustment).create({
        siteId: c.siteId,
        code: `ADJ-${String(n).padStart(6, '0')}`,
        status: 'pending',
        source: c.source,
        lotId: lot.id,
        lotCode: lot.code,
        materialId: lot.materialId,
        locationId: c.locationId,
        bookQty: result.bookQty,
        countedQty: result.countedQty,
        deltaQty: formatExact(subtract(counted, book)),
        note: c.note ?? null,
        requestedById: actor.id,
        requestedByName: actor.name,
      }),
    );
    await this.audit.record(tx, {
      entityType: 'stock_adjustment',
      entityId: adjustment.id,
      siteId: c.siteId,
      action: 'stock_adjustment.requested',
      after: {
        ...result,
        code: adjustment.code,
        lot: lot.code,
        deltaQty: adjustment.deltaQty,
        source: c.source,
      },
      reason: c.note ?? undefined,
    });
    tx.raise('inventory.adjustment.requested', {
      adjustmentId: adjustment.id,
      code: adjustment.code,
      siteId: c.siteId,
      source: c.source,
      lotCode: lot.code,
      materialId: lot.materialId,
      locationId: c.locationId,
      bookQty: result.bookQty,
      countedQty: result.countedQty,
      deltaQty: formatExact(parseDecimal(adjustment.deltaQty)),
      requestedBy: actor.name,
    });
    return { ...result, discrepancy: true, adjustment: await this.reload(tx.manager, adjustment.id) };
  }

  async decide(
    tx: Tx,
    siteId: string,
    id: string,
    decision: Exclude<AdjustmentStatus, 'pending'>,
    d: { note?: string; expectedVersion?: number; mayApproveOwn: boolean },
  ): Promise<StockAdjustment> {
    const adjustment = await tx.manager
      .getRepository(StockAdjustment)
      .findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } });
    if (!adjustment) throw notFound('adjustment', id);
    if (adjustment.status !== 'pending') {
      throw new DomainError(
        'conflict',
        InventoryErrorCode.ADJUSTMENT_DECIDED,
        `Adjustment ${adjustment.code} was ${adjustment.status} already`,
        { extensions: { currentState: adjustment.status } },
      );
    }
    if (d.expectedVersion !== undefined && d.expectedVersion !== adjustment.version) {
      throw new DomainError(
        'conflict',
        InventoryErrorCode.STALE_VERSION,
        'The adjustment changed meanwhile',
        {
          extensions: { currentVersion: adjustment.version },
        },
      );
    }
    const actor = RequestContext.actor() ?? { type: 'system' as const, id: 'system', name: 'system' };
    if (actor.id === adjustment.requestedById && !d.mayApproveOwn) {
      throw new DomainError(
        'forbidden',
        InventoryErrorCode.OWN_ADJUSTMENT,
        'An adjustment is decided by someone other than the person who counted',
      );
    }
    let movementId: string | null = null;
    if (decision === 'approved') {
      const movement = await this.movements.adjust(tx, {
        siteId,
        lotId: adjustment.lotId,
        locationId: adjustment.locationId,
        delta: adjustment.deltaQty,
        reference: adjustment.code,
        note: d.note ?? adjustment.note,
      });
      movementId = String(movement.id);
    }
    await tx.manager.getRepository(StockAdjustment).update(
      { id },
      {
        status: decision,
        decidedById: actor.id,
        decidedByName: actor.name,
        decidedAt: new Date(),
        decisionNote: d.note ?? null,
        movementId,
        version: adjustment.version + 1,
      },
    );
    await this.audit.record(tx, {
      entityType: 'stock_adjustment',
      entityId: id,
      siteId,
      action: `stock_adjustment.${decision}`,
      before: { status: 'pending' },
      after: { status: decision, deltaQty: adjustment.deltaQty, movementId },
      reason: d.note,
    });
    tx.raise('inventory.adjustment.decided', {
      adjustmentId: id,
      code: adjustment.code,
      siteId,
      decision,
      decidedBy: actor.name,
    });
    return this.reload(tx.manager, id);
  }

  list(
    manager: EntityManager,
    siteId: string,
    q: { status?: AdjustmentStatus; lotId?: string; limit: number; offset: number },
  ): Promise<[StockAdjustment[], number]> {
    const qb = manager
      .getRepository(StockAdjustment)
      .createQueryBuilder('a')
      .where('a.siteId = :siteId', { siteId })
      .orderBy('a.requestedAt', 'DESC')
      .addOrderBy('a.code', 'DESC')
      .take(q.limit)
      .skip(q.offset);
    if (q.status) qb.andWhere('a.status = :s', { s: q.status });
    if (q.lotId) qb.andWhere('a.lotId = :l', { l: q.lotId });
    return qb.getManyAndCount();
  }

  find(manager: EntityManager, siteId: string, id: string): Promise<StockAdjustment | null> {
    return manager.getRepository(StockAdjustment).findOneBy({ id, siteId });
  }

  reload(manager: EntityManager, id: string): Promise<StockAdjustment> {
    return manager.getRepository(StockAdjustment).findOneByOrFail({ id });
  }
}
