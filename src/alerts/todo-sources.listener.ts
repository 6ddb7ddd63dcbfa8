import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionRunner, type Tx } from '../platform/database/transaction-runner';
import type {
  AdjustmentDecided,
  AdjustmentRequested,
  LineReplenishmentClosed,
  LineReplenishmentRequested,
  SafetyStockChanged,
} from '../inventory/inventory.facade';
import { MasterDataFacade } from '../master-data/master-data.facade';
import type { PickShortage, PickTaskChanged } from '../wms-bridge/wms-bridge.events';
import { TodosService } from './todos/todos.service';

/**
 * Todos from what happens, written in the transaction of the cause (so none is lost between a commit and a
 * listener): a pick shortage → the planner and the warehouse supervisor; stock below its safety level → a
 * replenishment / purchase requisition todo for the planner, closed by itself when stock recovers; a count
 * discrepancy → an approval todo for the warehouse supervisor, closed when the adjustment is decided.
 */
@Injectable()
export class TodoSourcesListener implements OnModuleInit {
  constructor(
    private readonly runner: TransactionRunner,
    private readonly todos: TodosService,
    private readonly masterData: MasterDataFacade,
  ) {}

  onModuleInit(): void {
    this.runner.onRaised('wms.pick.shortage', (e, tx) => this.shortage(tx, e.payload));
    this.runner.onRaised('wms.pick_task.changed', (e, tx) => this.taskChanged(tx, e.payload));
    this.runner.onRaised('inventory.safety_stock.changed', (e, tx) => this.safetyStock(tx, e.payload));
    this.runner.onRaised('inventory.adjustment.requested', (e, tx) => this.adjustment(tx, e.payload));
    this.runner.onRaised('inventory.adjustment.decided', (e, tx) => this.decided(tx, e.payload));
    this.runner.onRaised('inventory.line_replenishment.requested', (e, tx) =>
      this.lineRequest(tx, e.payload),
    );
    this.runner.onRaised('inventory.line_replenishment.closed', (e, tx) => this.lineClosed(tx, e.payload));
  }

  private async shortage(tx: Tx, e: PickShortage): Promise<void> {
    const list = e.lines.map((l) => `${l.materialCode} ${l.shortQty}`).join(', ');
    await this.todos.open(tx, {
      siteId: e.siteId,
      kind: 'pick_shortage',
      title: `Material short for ${e.workOrderCode}: ${list}`,
      titleZh: `工单 ${e.workOrderCode} 缺料：${list}`,
      detail: {
        workOrderId: e.workOrderId,
        workOrderCode: e.workOrderCode,
        taskId: e.taskId,
        lines: e.lines,
      },
      roles: ['planner', 'warehouse_supervisor'],
      link: `/api/v1/sites/${e.siteId}/wms/pick-tasks/${e.taskId}`,
      referenceType: 'wms_pick_task',
      referenceId: e.taskId,
      dedupeKey: `pick_shortage:${e.taskId}`,
    });
  }

  private async taskChanged(tx: Tx, e: PickTaskChanged): Promise<void> {
    if (e.status !== 'delivered' && e.status !== 'cancelled') return;
    await this.todos.closeByCause(tx, e.siteId, `pick_shortage:${e.taskId}`, `pick task ${e.status}`);
  }

  private async safetyStock(tx: Tx, e: SafetyStockChanged): Promise<void> {
    const key = `replenishment:${e.materialId}`;
    if (e.state === 'recovered') {
      await this.todos.closeByCause(
        tx,
        e.siteId,
        key,
        `available ${e.availableQty} is back above ${e.safetyStock}`,
      );
      return;
    }
    await this.todos.open(tx, {
      siteId: e.siteId,
      kind: 'replenishment',
      title: `Replenish ${e.materialCode}: ${e.availableQty} available, safety stock ${e.safetyStock}; suggested ${e.suggestedQty}`,
      titleZh: `补货 ${e.materialCode}：可用 ${e.availableQty}，安全库存 ${e.safetyStock}；建议请购 ${e.suggestedQty}`,
      detail: { ...e },
      roles: ['planner'],
      link: `/api/v1/sites/${e.siteId}/materials/${e.materialId}`,
      referenceType: 'material',
      referenceId: e.materialId,
      dedupeKey: key,
    });
  }

  private async adjustment(tx: Tx, e: AdjustmentRequested): Promise<void> {
    await this.todos.open(tx, {
      siteId: e.siteId,
      kind: 'adjustment_approval',
      title: `Approve ${e.code}: lot ${e.lotCode} counted ${e.countedQty}, book ${e.bookQty} (${e.deltaQty})`,
      titleZh: `审批盘点调整 ${e.code}：批次 ${e.lotCode} 实盘 ${e.countedQty}，账面 ${e.bookQty}（${e.deltaQty}）`,
      detail: { ...e },
      roles: ['warehouse_supervisor'],
      link: `/api/v1/sites/${e.siteId}/inventory/adjustments/${e.adjustmentId}`,
      referenceType: 'stock_adjustment',
      referenceId: e.adjustmentId,
      dedupeKey: `adjustment:${e.adjustmentId}`,
    });
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
