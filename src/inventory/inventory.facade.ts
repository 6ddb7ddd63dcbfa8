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
import { LineReplenishmentsService } from './line-side/line-replenishments.service';
import {
  StockMovementsService,
  type DeliveryBooking,
  type PickCommand,
  type PickResult,
  type TransferCommand,
} from './lots/stock-movements.service';
import {
  StockService,
  type CreateLotCommand,
  type IssueCommand,
  type LotStockRow,
} from './lots/stock.service';

export type { Lot, LotStatus } from './lots/lot.entity';
export type { StockBalance } from './lots/stock-balance.entity';
export type { CreateLotCommand, IssueCommand, LotStockRow } from './lots/stock.service';
export type { PickCommand, PickResult, TransferCommand } from './lots/stock-movements.service';
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
export type { LotStatusChanged } from './inventory.events';
export { InventoryErrorCode } from './inventory.errors';

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
  ) {}

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

  /** Allocates warehouse stock (site policy FIFO/FEFO) and moves it to a line-side location. */
  pick(tx: Tx, command: PickCommand): Promise<PickResult> {
    return this.movements.pick(tx, command);
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
}
