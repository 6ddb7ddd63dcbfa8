import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { InventoryFacade } from '../../inventory/inventory.facade';

/** Statuses in which an order still expects stock: its reservations count against availability. */
const RESERVING = new Set(['released', 'kitting', 'ready', 'running', 'held']);

/**
 * Keeps reservations with the order's life, in the transaction of the status change: when an order leaves
 * the reserving statuses (completed, closed, cancelled) what it did not use goes back to everyone.
 */
@Injectable()
export class ReservationSyncListener implements OnModuleInit {
  constructor(
    private readonly runner: TransactionRunner,
    private readonly inventory: InventoryFacade,
  ) {}

  onModuleInit(): void {
    this.runner.onRaised('production.workorder.status_changed', async (e, tx) => {
      const { status, previousStatus, workOrderId } = e.payload;
      if (RESERVING.has(status) || (previousStatus !== null && !RESERVING.has(previousStatus))) return;
      await this.inventory.closeReservations(tx, workOrderId, `work order ${status}`);
    });
  }
}
