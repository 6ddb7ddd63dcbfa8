import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Tx } from '../platform/database/transaction-runner';
import type { InventoryMovement } from './lots/inventory-movement.entity';
import type { Lot } from './lots/lot.entity';
import type { StockBalance } from './lots/stock-balance.entity';
import { LotStatusService, type LotStatusCommand } from './lots/lot-status.service';
import { ReservationsService, type ReserveCommand } from './reservations/reservations.service';
import { AdjustmentsService, type CountResult } from './adjustments/adjustments.service';
import { SafetyStockService } from './safety-stock/safety-stock.service';
import { LotTraceQueries } from './trace/lot-trace.queries';
import { LineReplenishmentsService } from './line-side/line-replenishments.service';
import {
  StockMovementsService,
  type DeliveryBooking,
  type MaintenanceIssueCommand,
  type PickCommand,
  type PickPlan,
  type PickResult,
  type TransferCommand,
} from './lots/stock-movements.service';
import {
  StockService,
  type CreateLotCommand,
  type IssueCommand,
  type LotStockRow,
} from './lots/stock.service';
import {
  PurchaseRequisitionsService,
  type RequisitionRequest,
} from './requisitions/purchase-requisitions.service';

export type { Lot, LotStatus } from './lots/lot.entity';
export type { StockBalance } from './lots/stock-balance.entity';
export type { CreateLotCommand, IssueCommand, LotStockRow } from './lots/stock.service';
export type {
  MaintenanceIssueCommand,
  PickCommand,
  PickPlan,
  PickResult,
  TransferCommand,
} from './lots/stock-movements.service';
export type { LotStatusCommand } from './lots/lot-status.service';
export type { ReserveCommand } from './reservations/reservations.service';
export type { CountResult } from './adjustments/adjustments.service';
export type {
  AdjustmentDecided,
  AdjustmentRequested,
  LineReplenishmentClosed,
  LineReplenishmentRequested,
  SafetyStockChanged,
} from './inventory.events';
export type { LotCreated, LotsLinked, LotStatusChanged, StockMoved } from './inventory.events';
export { InventoryErrorCode } from './inventory.errors';
export type { RequisitionRequest } from './requisitions/purchase-requisitions.service';
export type {
  LotBalance,
  LotDossier,
  LotIssue,
  LotMovement,
  LotScopeSummary,
  LotShipmentRef,
  LotSummary,
  LotWhereabouts,
  SerialRef,
  WorkOrderLotFlows,
} from './trace/lot-trace.queries';

/** What other modules may ask of or tell inventory. Writes happen inside the caller's transaction. */
@Injectable()
export class InventoryFacade {
  constructor(
    private readonly stock: StockService,
    private readonly movements: StockMovementsService,
    private readonly statuses: LotStatusService,
    private readonly reservations: ReservationsService,
    private readonly adjustments: AdjustmentsService,
    private readonly safety: SafetyStockService,
    private readonly lineReplenishments: LineReplenishmentsService,
    private readonly requisitions: PurchaseRequisitionsService,
    /** Read-only genealogy and trace questions (lots with their stock, consumption, ledger, shipments; serials). */
    readonly trace: LotTraceQueries,
  ) {}

  /**
   * Asks for a material to be bought (a purchase requisition sent to the ERP), inside the caller's transaction;
   * while one is open for the material it is answered instead (created false).
   */
  async requestPurchase(
    tx: Tx,
    r: RequisitionRequest,
  ): Promise<{ id: string; code: string; quantity: string; created: boolean }> {
    const { requisition, created } = await this.requisitions.request(tx, r);
    return { id: requisition.id, code: requisition.code, quantity: requisition.quantity, created };
  }

  /**
   * An external WMS reports on a line replenishment it was sent (as a pick task without a work order).
   * Null when the id is not a line replenishment of the site.
   */
  async lineReplenishmentFromWms(
    tx: Tx,
    siteId: string,
    id: string,
    outcome: 'progress' | 'delivered' | 'short',
    quantity: string | null,
    lotCode?: string,
  ): Promise<{ status: string; changed: boolean } | null> {
    const before = await this.lineReplenishments.find(tx.manager, siteId, id);
    if (!before) return null;
    if (outcome === 'progress' || before.status !== 'open') return { status: before.status, changed: false };
    const lot = lotCode ? await this.stock.findLot(tx.manager, siteId, lotCode) : null;
    const after = await this.lineReplenishments.closeByWms(tx, siteId, id, outcome, quantity, lot?.id);
    return { status: after.status, changed: after.status !== before.status };
  }

  /** A count reported by the WMS: a difference from the book becomes an adjustment awaiting approval. */
  countFromWms(
    tx: Tx,
    c: { siteId: string; lotId: string; locationId: string; countedQty: string; note: string | null },
  ): Promise<CountResult> {
    return this.adjustments.count(tx, { ...c, source: 'wms', whenPending: 'answer' });
  }

  /** Re-checks a material against its safety level (e.g. when the WMS reports a stock change). */
  checkSafetyStock(tx: Tx, siteId: string, materialId: string): Promise<void> {
    return this.safety.check(tx, siteId, materialId);
  }

  /** Promises stock to a released work order (its open quantity per material); issues use it up. */
  reserve(tx: Tx, command: ReserveCommand): Promise<void> {
    return this.reservations.reserve(tx, command);
  }

  /** The order needs no more stock: its reservations stop counting against availability. */
  closeReservations(tx: Tx, workOrderId: string, reason: string): Promise<number> {
    return this.reservations.close(tx, workOrderId, reason);
  }

  /**
   * Promises spare parts to a maintenance ticket (the quantity replaces what it had), refused with
   * INSUFFICIENT_STOCK when less is free (available stock less other reservations).
   */
  reserveForMaintenance(
    tx: Tx,
    c: { siteId: string; ticketId: string; ticketCode: string; materialId: string; quantity: string },
  ): Promise<{ reserved: string; available: string }> {
    return this.reservations.reserveForMaintenance(tx, c, async (m) =>
      (await this.stock.freeByMaterial(m, c.siteId, [c.materialId], c.ticketId)).get(c.materialId),
    );
  }

  /** Issues spare parts to a maintenance ticket from warehouse stock (named lot or FIFO/FEFO), all or nothing. */
  issueToMaintenance(tx: Tx, c: MaintenanceIssueCommand): Promise<PickResult> {
    return this.movements.issueToMaintenance(tx, c);
  }

  /** Allocates warehouse stock (site policy FIFO/FEFO) and moves it to a line-side location. */
  pick(tx: Tx, command: PickCommand): Promise<PickResult> {
    return this.movements.pick(tx, command);
  }

  /** The lots a pick of the material would take now (site policy FIFO/FEFO), without moving anything. */
  planPick(manager: EntityManager, siteId: string, materialId: string, quantity: string): Promise<PickPlan> {
    return this.movements.planPick(manager, siteId, materialId, quantity);
  }

  /** Books what an external WMS delivered (named lot, else FIFO/FEFO) from warehouse to the destination. */
  bookDelivery(tx: Tx, command: DeliveryBooking): Promise<PickResult> {
    return this.movements.bookDelivery(tx, command);
  }

  transfer(tx: Tx, command: TransferCommand): Promise<InventoryMovement> {
    return this.movements.transfer(tx, command);
  }

  /** A lot status command (hold, unhold, release, reject …) through the lot state machine, audited. */
  changeLotStatus(tx: Tx, command: LotStatusCommand): Promise<Lot> {
    return this.statuses.change(tx, command);
  }

  createLot(tx: Tx, command: CreateLotCommand): Promise<Lot> {
    return this.stock.createLot(tx, command);
  }

  issue(tx: Tx, command: IssueCommand): Promise<InventoryMovement> {
    return this.stock.issue(tx, command);
  }

  findLot(manager: EntityManager, siteId: string, idOrCode: string): Promise<Lot | null> {
    return this.stock.findLot(manager, siteId, idOrCode);
  }

  balancesOf(manager: EntityManager, lotIds: string[]): Promise<StockBalance[]> {
    return this.stock.balancesOf(manager, lotIds);
  }

  /** Available quantity per location and material (e.g. what is staged at a line's line-side locations). */
  availableAt(
    manager: EntityManager,
    locationIds: string[],
    materialIds: string[],
  ): Promise<Array<{ locationId: string; materialId: string; quantity: string }>> {
    return this.stock.availableAt(manager, locationIds, materialIds);
  }

  /** Available stock and other orders' active reservations per material, in one read. */
  freeByMaterial(
    manager: EntityManager,
    siteId: string,
    materialIds: string[],
    exceptWorkOrderId: string,
  ): Promise<Map<string, { onHand: string; reserved: string }>> {
    return this.stock.freeByMaterial(manager, siteId, materialIds, exceptWorkOrderId);
  }

  stockAt(manager: EntityManager, materialId: string, locationIds: string[]): Promise<LotStockRow[]> {
    return this.stock.stockAt(manager, materialId, locationIds);
  }

  /** Lots a work order produced (received from production), optionally only those received after `since`. */
  async lotsProducedBy(
    manager: EntityManager,
    workOrderId: string,
    since: Date | null,
  ): Promise<Array<{ id: string; code: string; status: string; receivedAt: Date }>> {
    const rows: Array<{ id: string; code: string; status: string; received_at: Date }> = await manager.query(
      `SELECT id, code, status, received_at FROM lot
        WHERE work_order_id = $1 AND origin = 'production' AND ($2::timestamptz IS NULL OR received_at > $2)
        ORDER BY received_at, code`,
      [workOrderId, since],
    );
    return rows.map((r) => ({ id: r.id, code: r.code, status: r.status, receivedAt: r.received_at }));
  }

  /**
   * Lots made from the given lots, to any depth up to `maxDepth`: a lot issued to a work order leads to the lots
   * that order produced (from the movement ledger). The given lots themselves come first at depth 0.
   */
  async downstreamLots(
    manager: EntityManager,
    siteId: string,
    lotIds: string[],
    maxDepth = 25,
  ): Promise<
    Array<{ id: string; code: string; status: string; materialId: string; depth: number; onHand: string }>
  > {
    if (lotIds.length === 0) return [];
    const rows: Array<{
      id: string;
      code: string;
      status: string;
      material_id: string;
      depth: number;
      on_hand: string;
    }> = await manager.query(
      `WITH RECURSIVE down(lot_id, depth) AS (
         SELECT l.id, 0 FROM lot l WHERE l.site_id = $1 AND l.id = ANY($2::uuid[])
         UNION
         SELECT p.id, d.depth + 1
           FROM down d
           JOIN inventory_movement m ON m.lot_id = d.lot_id AND m.movement_type = 'issue' AND m.work_order_id IS NOT NULL
           JOIN lot p ON p.work_order_id = m.work_order_id AND p.origin = 'production' AND p.id <> d.lot_id
          WHERE d.depth < $3
       )
       SELECT l.id, l.code, l.status, l.material_id, min(d.depth)::int AS depth,
              coalesce((SELECT trim_scale(sum(b.quantity))::text FROM stock_balance b WHERE b.lot_id = l.id), '0') AS on_hand
         FROM down d JOIN lot l ON l.id = d.lot_id
        GROUP BY l.id ORDER BY min(d.depth), l.code`,
      [siteId, lotIds, maxDepth],
    );
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      status: r.status,
      materialId: r.material_id,
      depth: r.depth,
      onHand: r.on_hand,
    }));
  }

  /**
   * What was shipped of the given lots, to whom and when (oldest first; one query for all ids): which customers
   * received an affected lot. Serial-tracked lots carry the units shipped.
   */
  /** Scraps what is left of a lot at every location it is stocked (e.g. an NCR disposed as scrap). */
  async scrapLot(
    tx: Tx,
    c: { siteId: string; lotId: string; reasonCodeId: string; note: string | null; reference: string | null },
  ): Promise<InventoryMovement[]> {
    const balances = (await this.stock.balancesOf(tx.manager, [c.lotId])).filter(
      (b) => Number(b.quantity) > 0,
    );
    const done: InventoryMovement[] = [];
    for (const b of balances) {
      done.push(
        await this.movements.scrap(tx, {
          siteId: c.siteId,
          lotId: c.lotId,
          locationId: b.locationId,
          quantity: b.quantity,
          reasonCodeId: c.reasonCodeId,
          reference: c.reference,
          note: c.note,
        }),
      );
    }
    return done;
  }
}
