import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Tx } from '../../platform/database/transaction-runner';
import { compare, formatExact, parseDecimal, subtract, ZERO } from '../../platform/engine/decimal';
import { DomainError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import { localDate } from '../../platform/engine/local-date';
import { Site } from '../../platform/sites/site.entity';
import { allocate } from '../engine/allocation';
import { InventoryErrorCode } from '../inventory.errors';
import { SafetyStockService } from '../safety-stock/safety-stock.service';
import { LineSideCheck } from '../line-side/line-side-check.service';
import { InventorySettingsService } from '../settings/inventory-settings.service';
import { ReservationsService } from '../reservations/reservations.service';
import type { InventoryMovement } from './inventory-movement.entity';
import { LotStatusService } from './lot-status.service';
import { Lot } from './lot.entity';
import { StockService } from './stock.service';
import { LotHistory } from './lot-history';

export interface TransferCommand {
  siteId: string;
  lotId: string;
  fromLocationId: string;
  toLocationId: string;
  quantity: string;
  workOrderId?: string | null;
  reference?: string | null;
  note?: string | null;
  /** Serial-tracked lots: the units moved (else the first at the place). */
  serials?: string[];
}

export interface ScrapCommand {
  siteId: string;
  lotId: string;
  locationId: string;
  quantity: string;
  reasonCodeId: string;
  workOrderId?: string | null;
  reference?: string | null;
  note?: string | null;
  /** Serial-tracked lots: the units moved (else the first at the place). */
  serials?: string[];
}

export interface PickCommand {
  siteId: string;
  materialId: string;
  quantity: string;
  /** Where the picked stock goes (a line-side location). */
  toLocationId: string;
  workOrderId?: string | null;
  reference?: string | null;
}

export interface MaintenanceIssueCommand {
  siteId: string;
  ticketId: string;
  materialId: string;
  quantity: string;
  lotId?: string | null;
  /** The ticket's code, written to the ledger. */
  reference: string;
  note?: string | null;
}

export interface PickResult {
  /** Lot by lot, in the order the site's policy took them. */
  moved: Array<{
    lotId: string;
    lotCode: string;
    fromLocationId: string;
    quantity: string;
    movementId: string;
  }>;
  pickedQty: string;
  /** What the warehouse did not have ("0" when covered). */
  shortQty: string;
}

/** The lots a pick would take (suggestions; nothing moved). */
export interface PickPlan {
  policy: 'fifo' | 'fefo';
  allocations: Array<{
    lotId: string;
    lotCode: string;
    locationId: string;
    quantity: string;
    expiryDate: string | null;
    receivedAt: string | null;
  }>;
  allocated: string;
  shortQty: string;
}

/** A delivery an external WMS made, to book in MOM: the named lot, or any by the site's policy. */
export interface DeliveryBooking {
  siteId: string;
  materialId: string;
  quantity: string;
  toLocationId: string;
  lotId?: string;
  reference: string;
  /** The work order the stock is staged for (embedded picks name it in the ledger). */
  workOrderId?: string | null;
}

export interface ReturnCommand {
  siteId: string;
  lotId: string;
  /** The work order the quantity was issued to: no more comes back than went out. */
  workOrderId: string;
  toLocationId: string;
  quantity: string;
  reasonCodeId?: string | null;
  reference?: string | null;
  note?: string | null;
  /** Serial-tracked lots: the units moved (else the first at the place). */
  serials?: string[];
}

/**
 * Stock moving between locations, out as scrap, or back from a work order (退料). Every change is a guarded
 * update of the balances plus a ledger row in the caller's transaction; both balance rows of a transfer are
 * locked in one order, so opposite transfers of one lot cannot deadlock.
 */
@Injectable()
export class StockMovementsService {
  constructor(
    private readonly stock: StockService,
    private readonly statuses: LotStatusService,
    private readonly settings: InventorySettingsService,
    private readonly safety: SafetyStockService,
    private readonly lineSide: LineSideCheck,
    private readonly reservations: ReservationsService,
    private readonly history: LotHistory,
  ) {}

  async transfer(tx: Tx, c: TransferCommand): Promise<InventoryMovement> {
    if (c.fromLocationId === c.toLocationId) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Nothing to move', {
        errors: [{ field: 'toLocation', message: 'must differ from the location the stock is taken from' }],
      });
    }
    const lot = await this.lot(tx.manager, c.siteId, c.lotId);
    // The lot row first (as every lot command), then both balance rows in one order.
    const before = await this.history.state(tx.manager, lot.id);
    await this.stock.ensureBalance(tx.manager, lot, c.toLocationId);
    await tx.manager.query(
      `SELECT 1 FROM stock_balance WHERE lot_id = $1 AND location_id = ANY($2::uuid[])
        ORDER BY location_id FOR UPDATE`,
      [lot.id, [c.fromLocationId, c.toLocationId]],
    );
    await this.stock.take(tx.manager, lot, c.fromLocationId, c.quantity);
    await this.stock.put(tx.manager, lot, c.toLocationId, c.quantity);
    const movement = await this.stock.move(tx.manager, {
      siteId: c.siteId,
      movementType: 'transfer',
      lotId: lot.id,
      materialId: lot.materialId,
      quantity: c.quantity,
      fromLocationId: c.fromLocationId,
      toLocationId: c.toLocationId,
      workOrderId: c.workOrderId ?? null,
      operationId: null,
      reference: c.reference ?? null,
      note: c.note ?? null,
      serials: c.serials,
    });
    await this.history.record(tx, {
      lot,
      action: 'lot.transferred',
      before,
      movements: [movement],
      reason: c.note,
    });
    this.stock.raiseMoved(tx, lot, movement);
    await this.lineSide.afterDecrease(tx, c.siteId, c.fromLocationId, lot.materialId);
    return movement;
  }

  /**
   * A warehouse pick: allocates available warehouse stock of a material by the site's policy (FIFO or FEFO;
   * held, quarantined, rejected and expired lots never) and moves it to the destination in this transaction.
   * Takes what there is and answers the rest as short.
   */
  async pick(tx: Tx, c: PickCommand): Promise<PickResult> {
    const settings = await this.settings.of(c.siteId, tx.manager);
    const site = await tx.manager.getRepository(Site).findOneByOrFail({ id: c.siteId });
    const candidates = await this.stock.warehouseCandidates(tx.manager, c.siteId, c.materialId);
    const plan = allocate(candidates, c.quantity, settings.allocationPolicy, {
      today: localDate(site.timeZone, new Date()),
    });
    const moved: PickResult['moved'] = [];
    for (const a of plan.allocations) {
      const movement = await this.transfer(tx, {
        siteId: c.siteId,
        lotId: a.lotId,
        fromLocationId: a.locationId,
        toLocationId: c.toLocationId,
        quantity: a.quantity,
        workOrderId: c.workOrderId ?? null,
        reference: c.reference ?? null,
      });
      moved.push({
        lotId: a.lotId,
        lotCode: a.lotCode,
        fromLocationId: a.locationId,
        quantity: movement.quantity,
        movementId: movement.id,
      });
    }
    return { moved, pickedQty: plan.allocated, shortQty: plan.shortQty };
  }

  /**
   * What a pick of the material would take now, by the site's policy (FIFO/FEFO, available warehouse stock
   * only), without moving anything: the warehouse's lot suggestions.
   */
  async planPick(m: EntityManager, siteId: string, materialId: string, quantity: string): Promise<PickPlan> {
    const settings = await this.settings.of(siteId, m);
    const site = await m.getRepository(Site).findOneByOrFail({ id: siteId });
    const rows: Array<{
      lot_id: string;
      code: string;
      location_id: string;
      status: string;
      quantity: string;
      received_at: Date;
      expiry_date: string | null;
    }> = await m.query(
      `SELECT b.lot_id, l.code, b.location_id, l.status, b.quantity::text AS quantity, l.received_at,
              to_char(l.expiry_date, 'YYYY-MM-DD') AS expiry_date
         FROM stock_balance b JOIN lot l ON l.id = b.lot_id JOIN storage_location s ON s.id = b.location_id
        WHERE b.site_id = $1 AND b.material_id = $2 AND l.status = 'available' AND b.quantity > 0
          AND s.location_type IN ('warehouse', 'zone', 'bin') AND s.active
        ORDER BY b.lot_id, b.location_id`,
      [siteId, materialId],
    );
    const candidates = rows.map((r) => ({
      lotId: r.lot_id,
      lotCode: r.code,
      locationId: r.location_id,
      status: r.status,
      available: r.quantity,
      receivedAt: r.received_at.toISOString(),
      expiryDate: r.expiry_date,
    }));
    const plan = allocate(candidates, quantity, settings.allocationPolicy, {
      today: localDate(site.timeZone, new Date()),
    });
    return {
      policy: settings.allocationPolicy,
      allocations: plan.allocations.map((a) => {
        const c = candidates.find((x) => x.lotId === a.lotId && x.locationId === a.locationId);
        return { ...a, expiryDate: c?.expiryDate ?? null, receivedAt: c?.receivedAt ?? null };
      }),
      allocated: plan.allocated,
      shortQty: plan.shortQty,
    };
  }

  /**
   * Books a delivery an external WMS made: the named lot (or, without one, lots by the site's FIFO/FEFO policy)
   * moves from MOM's warehouse locations to the destination. What MOM's books do not have is answered as short
   * (a book difference for the warehouse to count), never taken below zero.
   */
  async bookDelivery(tx: Tx, c: DeliveryBooking): Promise<PickResult> {
    if (!c.lotId) return this.pick(tx, { ...c, workOrderId: c.workOrderId ?? null });
    const candidates = (await this.stock.warehouseCandidates(tx.manager, c.siteId, c.materialId)).filter(
      (x) => x.lotId === c.lotId,
    );
    let left = parseDecimal(c.quantity);
    const moved: PickResult['moved'] = [];
    for (const x of candidates) {
      if (compare(left, ZERO) <= 0) break;
      const available = parseDecimal(x.available);
      const take = compare(available, left) < 0 ? available : left;
      const movement = await this.transfer(tx, {
        siteId: c.siteId,
        lotId: x.lotId,
        fromLocationId: x.locationId,
        toLocationId: c.toLocationId,
        quantity: formatExact(take),
        workOrderId: c.workOrderId ?? null,
        reference: c.reference,
      });
      moved.push({
        lotId: x.lotId,
        lotCode: x.lotCode,
        fromLocationId: x.locationId,
        quantity: movement.quantity,
        movementId: movement.id,
      });
      left = subtract(left, take);
    }
    return {
      moved,
      pickedQty: formatExact(subtract(parseDecimal(c.quantity), left)),
      shortQty: formatExact(compare(left, ZERO) > 0 ? left : ZERO),
    };
  }

  /**
   * Spare parts issued to a maintenance ticket: the named lot, else available warehouse stock by the site's
   * FIFO/FEFO policy. All of it or nothing (the technician is told what there is); uses up the ticket's
   * reservation; the ledger names the ticket.
   */
  async issueToMaintenance(tx: Tx, c: MaintenanceIssueCommand): Promise<PickResult> {
    const settings = await this.settings.of(c.siteId, tx.manager);
    const site = await tx.manager.getRepository(Site).findOneByOrFail({ id: c.siteId });
    const candidates = (await this.stock.warehouseCandidates(tx.manager, c.siteId, c.materialId)).filter(
      (x) => !c.lotId || x.lotId === c.lotId,
    );
    const plan = allocate(candidates, c.quantity, settings.allocationPolicy, {
      today: localDate(site.timeZone, new Date()),
    });
    if (compare(parseDecimal(plan.shortQty), ZERO) > 0) {
      const have = plan.allocated;
      throw new DomainError(
        'conflict',
        InventoryErrorCode.INSUFFICIENT_STOCK,
        `Only ${have} of the part is available in the warehouse${c.lotId ? ' in that lot' : ''}; ${formatExact(parseDecimal(c.quantity))} was asked for`,
        {
          errors: [{ field: 'quantity', message: `at most ${have} is available` }],
          extensions: { availableQty: have },
        },
      );
    }
    const moved: PickResult['moved'] = [];
    for (const a of plan.allocations) {
      const lot = await this.lot(tx.manager, c.siteId, a.lotId);
      const before = await this.history.state(tx.manager, lot.id);
      await this.stock.take(tx.manager, lot, a.locationId, a.quantity);
      const movement = await this.stock.move(tx.manager, {
        siteId: c.siteId,
        movementType: 'issue',
        lotId: lot.id,
        materialId: lot.materialId,
        quantity: a.quantity,
        fromLocationId: a.locationId,
        toLocationId: null,
        workOrderId: null,
        operationId: null,
        reference: c.reference,
        note: c.note ?? null,
      });
      await this.stock.markConsumedIfEmpty(tx.manager, lot.id, 'fully issued');
      await this.history.record(tx, {
        lot,
        action: 'lot.issued',
        before,
        movements: [movement],
        reason: c.note,
      });
      this.stock.raiseMoved(tx, lot, movement);
      moved.push({
        lotId: lot.id,
        lotCode: lot.code,
        fromLocationId: a.locationId,
        quantity: formatExact(parseDecimal(movement.quantity)),
        movementId: movement.id,
      });
    }
    await this.reservations.consume(tx.manager, c.ticketId, c.materialId, c.quantity);
    await this.safety.check(tx, c.siteId, c.materialId);
    return { moved, pickedQty: plan.allocated, shortQty: '0' };
  }

  async scrap(tx: Tx, c: ScrapCommand): Promise<InventoryMovement> {
    const lot = await this.lot(tx.manager, c.siteId, c.lotId);
    const before = await this.history.state(tx.manager, lot.id);
    await this.stock.take(tx.manager, lot, c.locationId, c.quantity);
    const movement = await this.stock.move(tx.manager, {
      siteId: c.siteId,
      movementType: 'scrap',
      lotId: lot.id,
      materialId: lot.materialId,
      quantity: c.quantity,
      fromLocationId: c.locationId,
      toLocationId: null,
      workOrderId: c.workOrderId ?? null,
      operationId: null,
      reference: c.reference ?? null,
      reasonCodeId: c.reasonCodeId,
      note: c.note ?? null,
      serials: c.serials,
    });
    await this.stock.markConsumedIfEmpty(tx.manager, lot.id, 'fully scrapped');
    await this.history.record(tx, {
      lot,
      action: 'lot.scrapped',
      before,
      movements: [movement],
      details: { reasonCodeId: c.reasonCodeId },
      reason: c.note,
    });
    this.stock.raiseMoved(tx, lot, movement);
    await this.safety.check(tx, c.siteId, lot.materialId);
    await this.lineSide.afterDecrease(tx, c.siteId, c.locationId, lot.materialId);
    return movement;
  }

  /** Leftovers or defectives come back from a work order; a used-up lot becomes available again. */
  async returnFromWorkOrder(tx: Tx, c: ReturnCommand): Promise<InventoryMovement> {
    // The lot row lock serialises returns of one lot, so two cannot both pass the issued-quantity check.
    const lot = await this.lot(tx.manager, c.siteId, c.lotId, true);
    const [net] = await tx.manager.query<Array<{ issued: string; returned: string }>>(
      `SELECT coalesce(sum(quantity) FILTER (WHERE movement_type = 'issue'), 0)::text AS issued,
              coalesce(sum(quantity) FILTER (WHERE movement_type = 'return'), 0)::text AS returned
         FROM inventory_movement WHERE lot_id = $1 AND work_order_id = $2`,
      [lot.id, c.workOrderId],
    );
    const open = subtract(parseDecimal(net?.issued ?? '0'), parseDecimal(net?.returned ?? '0'));
    if (compare(parseDecimal(c.quantity), open) > 0) {
      const max = formatExact(compare(open, ZERO) > 0 ? open : ZERO);
      throw new DomainError(
        'conflict',
        InventoryErrorCode.RETURN_EXCEEDS_ISSUED,
        `Only ${max} of lot ${lot.code} went to this work order and has not come back`,
        {
          errors: [{ field: 'quantity', message: `at most ${max} can be returned` }],
          extensions: { maxReturnQty: max },
        },
      );
    }
    const before = await this.history.state(tx.manager, lot.id);
    await this.stock.ensureBalance(tx.manager, lot, c.toLocationId);
    await this.stock.put(tx.manager, lot, c.toLocationId, c.quantity);
    const movement = await this.stock.move(tx.manager, {
      siteId: c.siteId,
      movementType: 'return',
      lotId: lot.id,
      materialId: lot.materialId,
      quantity: c.quantity,
      fromLocationId: null,
      toLocationId: c.toLocationId,
      workOrderId: c.workOrderId,
      operationId: null,
      reference: c.reference ?? null,
      reasonCodeId: c.reasonCodeId ?? null,
      note: c.note ?? null,
      serials: c.serials,
    });
    await this.history.record(tx, {
      lot,
      action: 'lot.returned',
      before,
      movements: [movement],
      details: { reasonCodeId: c.reasonCodeId ?? null },
      reason: c.note,
    });
    if (lot.status === 'consumed') {
      await this.statuses.change(tx, {
        siteId: c.siteId,
        lot: lot.id,
        command: 'restock',
        reason: 'returned from work order',
      });
    }
    this.stock.raiseMoved(tx, lot, movement);
    await this.safety.check(tx, c.siteId, lot.materialId);
    return movement;
  }

  /**
   * An approved count adjustment: adds (delta > 0) or takes (delta < 0) stock of a lot at a location, as an
   * `adjustment` movement. Taking refuses rather than going below zero (stock moved since the count: recount).
   */
  async adjust(
    tx: Tx,
    c: {
      siteId: string;
      lotId: string;
      locationId: string;
      delta: string;
      reference: string;
      note?: string | null;
    },
  ): Promise<InventoryMovement> {
    const lot = await this.lot(tx.manager, c.siteId, c.lotId, true);
    const delta = parseDecimal(c.delta);
    const quantity = formatExact(compare(delta, ZERO) < 0 ? subtract(ZERO, delta) : delta);
    const adding = compare(delta, ZERO) > 0;
    const before = await this.history.state(tx.manager, lot.id);
    if (adding) {
      await this.stock.ensureBalance(tx.manager, lot, c.locationId);
      await this.stock.put(tx.manager, lot, c.locationId, quantity);
    } else {
      await this.stock.take(tx.manager, lot, c.locationId, quantity);
    }
    const movement = await this.stock.move(tx.manager, {
      siteId: c.siteId,
      movementType: 'adjustment',
      lotId: lot.id,
      materialId: lot.materialId,
      quantity,
      fromLocationId: adding ? null : c.locationId,
      toLocationId: adding ? c.locationId : null,
      workOrderId: null,
      operationId: null,
      reference: c.reference,
      note: c.note ?? null,
    });
    if (!adding) await this.stock.markConsumedIfEmpty(tx.manager, lot.id, `counted empty (${c.reference})`);
    await this.history.record(tx, {
      lot,
      action: 'lot.adjusted',
      before,
      movements: [movement],
      reason: c.note,
    });
    if (adding && lot.status === 'consumed') {
      await this.statuses.change(tx, {
        siteId: c.siteId,
        lot: lot.id,
        command: 'restock',
        reason: `count adjustment ${c.reference}`,
      });
    } else if (!adding) {
      await this.lineSide.afterDecrease(tx, c.siteId, c.locationId, lot.materialId);
    }
    this.stock.raiseMoved(tx, lot, movement);
    await this.safety.check(tx, c.siteId, lot.materialId);
    return movement;
  }

  private async lot(manager: EntityManager, siteId: string, lotId: string, lock = false): Promise<Lot> {
    const lot = await manager.getRepository(Lot).findOne({
      where: { id: lotId, siteId },
      ...(lock && { lock: { mode: 'pessimistic_write' as const } }),
    });
    if (!lot) throw notFound('lot', lotId);
    return lot;
  }
}
