import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionRunner, type Tx } from '../platform/database/transaction-runner';
import type {
  AdjustmentDecided,
  LineReplenishmentClosed,
  LineReplenishmentRequested,
  SafetyStockChanged,
} from '../inventory/inventory.facade';
import { MasterDataFacade } from '../master-data/master-data.facade';
import type { PickTaskChanged } from '../wms-bridge/wms-bridge.events';
import { TodosService } from './todos/todos.service';

/**
 * Todos the system keeps, in the transaction of the cause: a line-side replenishment request → the warehouse
 * (closed when delivered or cancelled). The todos the shipped rules open (pick shortage, stock below safety
 * level, count discrepancy) close here by themselves when their cause goes away: the pick task delivered or
 * cancelled, stock back above its safety level, the adjustment decided.
 */
@Injectable()
export class TodoSourcesListener implements OnModuleInit {
  constructor(
    private readonly runner: TransactionRunner,
    private readonly todos: TodosService,
    private readonly masterData: MasterDataFacade,
  ) {}

  onModuleInit(): void {
    this.runner.onRaised('wms.pick_task.changed', (e, tx) => this.taskChanged(tx, e.payload));
    this.runner.onRaised('inventory.safety_stock.changed', (e, tx) => this.safetyStock(tx, e.payload));
    this.runner.onRaised('inventory.adjustment.decided', (e, tx) => this.decided(tx, e.payload));
    this.runner.onRaised('inventory.line_replenishment.requested', (e, tx) =>
      this.lineRequest(tx, e.payload),
    );
    this.runner.onRaised('inventory.line_replenishment.closed', (e, tx) => this.lineClosed(tx, e.payload));
  }

  private async taskChanged(tx: Tx, e: PickTaskChanged): Promise<void> {
    if (e.status !== 'delivered' && e.status !== 'cancelled') return;
    await this.todos.closeByCause(tx, e.siteId, `pick_shortage:${e.taskId}`, `pick task ${e.status}`);
  }

  private async safetyStock(tx: Tx, e: SafetyStockChanged): Promise<void> {
    if (e.state !== 'recovered') return;
    await this.todos.closeByCause(
      tx,
      e.siteId,
      `replenishment:${e.materialId}`,
      `available ${e.availableQty} is back above ${e.safetyStock}`,
    );
  }

  private async decided(tx: Tx, e: AdjustmentDecided): Promise<void> {
    await this.todos.closeByCause(
      tx,
      e.siteId,
      `adjustment:${e.adjustmentId}`,
      `${e.decision} by ${e.decidedBy}`,
    );
  }

  private async lineRequest(tx: Tx, e: LineReplenishmentRequested): Promise<void> {
    const material = (await this.masterData.materialNames([e.materialId], tx.manager)).get(e.materialId);
    const location = await this.masterData.location(e.siteId, e.locationId, tx.manager);
    const what = `${material?.code ?? e.materialId} ${e.requestedQty} → ${location?.code ?? e.locationId}`;
    await this.todos.open(tx, {
      siteId: e.siteId,
      kind: 'line_replenishment',
      title: `Bring ${what} (${e.code}, ${e.availableQty} left)`,
      titleZh: `补料 ${what}（${e.code}，剩余 ${e.availableQty}）`,
      detail: { ...e, materialCode: material?.code ?? '', locationCode: location?.code ?? '' },
      roles: ['warehouse'],
      link: `/api/v1/sites/${e.siteId}/inventory/line-replenishments?locationId=${e.locationId}`,
      referenceType: 'line_replenishment',
      referenceId: e.replenishmentId,
      dedupeKey: `line_replenishment:${e.replenishmentId}`,
    });
  }

  private async lineClosed(tx: Tx, e: LineReplenishmentClosed): Promise<void> {
    await this.todos.closeByCause(
      tx,
      e.siteId,
      `line_replenishment:${e.replenishmentId}`,
      `${e.code} ${e.status} (${e.deliveredQty})`,
    );
  }
}
