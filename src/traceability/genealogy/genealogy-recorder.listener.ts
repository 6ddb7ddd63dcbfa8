import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { InventoryFacade } from '../../inventory/inventory.facade';
import { GenealogyStore } from './genealogy.store';

/**
 * Records the genealogy as production happens, inside the transaction of the stock movement that makes it
 * (so an acknowledged consumption or output is never missing from a trace):
 * - a work order produces a lot, or a lot is issued to / returned from an order that has produced lots
 *   → the order's production edges are set from its ledger (inputs net of returns → outputs);
 * - a lot is processed at a supplier, split off or merged into another → one link edge.
 */
@Injectable()
export class GenealogyRecorder implements OnModuleInit {
  constructor(
    private readonly runner: TransactionRunner,
    private readonly inventory: InventoryFacade,
    private readonly store: GenealogyStore,
  ) {}

  onModuleInit(): void {
    this.runner.onRaised('inventory.lot.created', async (e, tx) => {
      if (e.payload.origin === 'production' && e.payload.workOrderId)
        await this.workOrder(tx, e.payload.siteId, e.payload.workOrderId);
    });
    this.runner.onRaised('inventory.stock.moved', async (e, tx) => {
      const m = e.payload;
      if ((m.movementType === 'issue' || m.movementType === 'return') && m.workOrderId)
        await this.workOrder(tx, m.siteId, m.workOrderId);
    });
    this.runner.onRaised('inventory.lots.linked', (e, tx) =>
      this.store.addLink(tx.manager, {
        siteId: e.payload.siteId,
        kind: e.payload.kind,
        parentLotId: e.payload.parentLotId,
        childLotId: e.payload.childLotId,
        quantity: e.payload.quantity,
        referenceId: e.payload.referenceId,
      }),
    );
  }

  private async workOrder(tx: Tx, siteId: string, workOrderId: string): Promise<void> {
    const flows = await this.inventory.trace.workOrderFlows(tx.manager, workOrderId);
    if (flows.outputs.length === 0) return;
    await this.store.setProductionEdges(tx.manager, {
      siteId,
      workOrderId,
      inputs: flows.inputs,
      outputLotIds: flows.outputs.map((o) => o.lotId),
    });
  }
}
