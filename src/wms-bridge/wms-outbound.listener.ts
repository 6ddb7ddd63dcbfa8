import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditService } from '../platform/audit/audit.service';
import { AppConfig } from '../platform/config/app-config';
import { TransactionRunner, type Tx } from '../platform/database/transaction-runner';
import { compare, formatExact, parseDecimal, ZERO } from '../platform/engine/decimal';
import { OutboxService } from '../platform/outbox/outbox.service';
import type {
  LineReplenishmentClosed,
  LineReplenishmentRequested,
  LotStatusChanged,
} from '../inventory/inventory.facade';
import { MasterDataFacade } from '../master-data/master-data.facade';
import type {
  WorkOrderCompleted,
  WorkOrderPriorityChanged,
  WorkOrderReleased,
  WorkOrderStatusChanged,
} from '../production/production.events';
import { PickTask, PickTaskLine, type PickTaskStatus } from './pick-task.entity';
import {
  lotOrderingKey,
  replenishmentOrderingKey,
  WMS_DESTINATION,
  workOrderOrderingKey,
  type CancelPickTaskPayload,
  type ChangePriorityPayload,
  type CreatePickTaskPayload,
  type CreatePutawayPayload,
  type LotFreezePayload,
  type WmsMessageType,
  type WmsTarget,
} from './wms-messages';

/** A pick task the warehouse still works on: priority changes and cancellations reach it. */
const OPEN: readonly PickTaskStatus[] = ['pending', 'sent', 'accepted', 'picking', 'shortage'];

/**
 * Production and quality news becomes warehouse work, in the same transaction as the change: release →
 * pick task (createPickTask), priority change → changePriority (rush through its rule), cancel → cancelPickTask, completion
 * → putaway per produced lot (createPutaway), lot hold → freezeLot (and unfreezeLot when lifted). Messages of
 * one work order share an ordering key, so the WMS gets them in order.
 */
@Injectable()
export class WmsOutboundListener implements OnModuleInit {
  constructor(
    private readonly runner: TransactionRunner,
    private readonly outbox: OutboxService,
    private readonly masterData: MasterDataFacade,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.runner.onRaised('production.workorder.released', (e, tx) => this.released(tx, e.payload));
    this.runner.onRaised('production.workorder.priority_changed', (e, tx) => this.priority(tx, e.payload));
    this.runner.onRaised('production.workorder.status_changed', (e, tx) => this.statusChanged(tx, e.payload));
    this.runner.onRaised('production.workorder.completed', (e, tx) => this.completed(tx, e.payload));
    this.runner.onRaised('inventory.lot.status_changed', (e, tx) => this.lotStatus(tx, e.payload));
    this.runner.onRaised('inventory.line_replenishment.requested', (e, tx) =>
      this.lineReplenishment(tx, e.payload),
    );
    this.runner.onRaised('inventory.line_replenishment.closed', (e, tx) =>
      this.lineReplenishmentClosed(tx, e.payload),
    );
  }

  private async released(tx: Tx, e: WorkOrderReleased): Promise<void> {
    const m = tx.manager;
    const open = e.materials
      .map((l) => ({ ...l, qty: parseDecimal(l.requiredQty) }))
      .filter((l) => compare(l.qty, ZERO) > 0);
    if (open.length === 0) return; // nothing to bring: the order can start from `released`
    // Codes travel with the event (read before the site's release lock), so nothing is looked up here.
    const lineSide = e.lineSideLocation;
    const task = m.getRepository(PickTask).create({
      id: randomUUID(),
      siteId: e.siteId,
      workOrderId: e.workOrderId,
      workOrderCode: e.code,
      lineId: e.lineId,
      destinationLocationId: lineSide?.id ?? null,
      status: 'pending',
      priority: e.priority,
      needBy: new Date(e.plannedStart ?? e.dueAt),
      mode: this.config.get('WMS_MODE'),
      deliveredAt: null,
      note: null,
    });
    await m.getRepository(PickTask).insert(task);
    await m.getRepository(PickTaskLine).insert(
      open.map((l, i) => ({
        taskId: task.id,
        lineNo: i + 1,
        materialId: l.materialId,
        materialCode: l.materialCode,
        unitCode: l.unitCode,
        quantity: formatExact(l.qty),
      })),
    );
    const payload: CreatePickTaskPayload = {
      taskId: task.id,
      workOrder: e.code,
      purpose: 'work_order',
      lines: open.map((l) => ({
        material: l.materialCode || l.materialId,
        qty: formatExact(l.qty),
        uom: l.unitCode,
      })),
      needBy: task.needBy.toISOString(),
      destination: {
        line: e.lineCode || e.lineId,
        station: e.firstWorkCenterCode,
        location: lineSide?.code ?? null,
      },
      priority: e.priority,
    };
    await this.send(tx, 'createPickTask', payload, { taskId: task.id }, workOrderOrderingKey(e.workOrderId));
    await this.audit.record(tx, {
      entityType: 'wms_pick_task',
      entityId: task.id,
      siteId: e.siteId,
      action: 'wms.pick_task.created',
      after: { workOrder: e.code, priority: e.priority, needBy: payload.needBy, lines: payload.lines },
    });
    this.raise(tx, task, null);
  }

  private async priority(tx: Tx, e: WorkOrderPriorityChanged): Promise<void> {
    // Raising a rush order's pick priority is the shipped rule `rush-order.wms-priority` (a site may turn
    // it off); every other change reaches the warehouse as it is.
    if (e.priority === 'rush') return;
    await this.changePickPriority(tx, e.workOrderId, e.priority);
  }

  /**
   * Sets the priority of a work order's open pick task and tells the WMS (changePriority), inside the
   * caller's transaction. Answers what happened: no open task, already at that priority, or changed.
   */
  async changePickPriority(
    tx: Tx,
    workOrderId: string,
    priority: WorkOrderPriorityChanged['priority'],
  ): Promise<{ outcome: 'no_task' | 'unchanged' | 'changed'; taskId?: string }> {
    const task = await this.openTask(tx, workOrderId);
    if (!task) return { outcome: 'no_task' };
    if (task.priority === priority) return { outcome: 'unchanged', taskId: task.id };
    await tx.manager.getRepository(PickTask).update({ id: task.id }, { priority, version: task.version + 1 });
    const payload: ChangePriorityPayload = { taskId: task.id, workOrder: task.workOrderCode, priority };
    await this.send(tx, 'changePriority', payload, { taskId: task.id }, workOrderOrderingKey(workOrderId));
    this.raise(tx, { ...task, priority }, task.status);
    return { outcome: 'changed', taskId: task.id };
  }

  private async statusChanged(tx: Tx, e: WorkOrderStatusChanged): Promise<void> {
    if (e.status !== 'cancelled') return;
    const task = await this.openTask(tx, e.workOrderId);
    if (!task) return;
    await tx.manager
      .getRepository(PickTask)
      .update({ id: task.id }, { status: 'cancelled', version: task.version + 1 });
    const payload: CancelPickTaskPayload = { taskId: task.id, workOrder: e.code, reason: e.reason };
    await this.send(tx, 'cancelPickTask', payload, { taskId: task.id }, workOrderOrderingKey(e.workOrderId));
    await this.audit.record(tx, {
      entityType: 'wms_pick_task',
      entityId: task.id,
      siteId: e.siteId,
      action: 'wms.pick_task.cancelled',
      before: { status: task.status },
      after: { status: 'cancelled' },
      reason: e.reason ?? undefined,
    });
    this.raise(tx, { ...task, status: 'cancelled' }, task.status);
  }

  private async completed(tx: Tx, e: WorkOrderCompleted): Promise<void> {
    const m = tx.manager;
    const material = await this.masterData.material(e.siteId, e.materialId, m);
    const uom = material ? ((await this.masterData.unit(e.siteId, material.baseUnitId, m))?.code ?? '') : '';
    for (const lot of e.lots) {
      if (compare(parseDecimal(lot.quantity), ZERO) <= 0) continue;
      const from = await this.masterData.location(e.siteId, lot.locationId, m);
      const putawayId = randomUUID();
      // One putaway per lot: a lot completed again (a later completion adds to it) is already on its way.
      const inserted: unknown[] = await m.query(
        `INSERT INTO wms_putaway (id, site_id, work_order_id, lot_id, lot_code, material_id, quantity, from_location_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (lot_id) DO NOTHING RETURNING id`,
        [putawayId, e.siteId, e.workOrderId, lot.lotId, lot.code, e.materialId, lot.quantity, lot.locationId],
      );
      if (inserted.length === 0) continue;
      await this.audit.record(tx, {
        entityType: 'wms_putaway',
        entityId: putawayId,
        siteId: e.siteId,
        action: 'wms.putaway.created',
        after: {
          status: 'pending',
          workOrder: e.code,
          lotId: lot.lotId,
          lot: lot.code,
          quantity: lot.quantity,
          fromLocationId: lot.locationId,
        },
      });
      const payload: CreatePutawayPayload = {
        putawayId,
        lot: lot.code,
        material: material?.code ?? e.materialId,
        qty: lot.quantity,
        uom,
        from: from?.code ?? lot.locationId,
        workOrder: e.code,
      };
      await this.send(tx, 'createPutaway', payload, {}, workOrderOrderingKey(e.workOrderId));
    }
  }

  private async lotStatus(tx: Tx, e: LotStatusChanged): Promise<void> {
    // A freeze the WMS itself reported needs no echo.
    if (e.source === 'wms') return;
    // Held, expired or rejected stock must not be picked: frozen at the WMS until usable again.
    const blocked = (s: string) => s === 'hold' || s === 'expired' || s === 'rejected';
    const freeze = blocked(e.status) && !blocked(e.previousStatus);
    const unfreeze = blocked(e.previousStatus) && (e.status === 'available' || e.status === 'quarantine');
    if (!freeze && !unfreeze) return;
    const material = (await this.masterData.materialNames([e.materialId], tx.manager)).get(e.materialId);
    const payload: LotFreezePayload = {
      lot: e.lotCode,
      material: material?.code ?? e.materialId,
      reason: e.reason,
    };
    await this.send(
      tx,
      freeze ? 'freezeLot' : 'unfreezeLot',
      payload,
      { lot: e.lotCode },
      lotOrderingKey(e.lotId),
    );
  }

  private async openTask(tx: Tx, workOrderId: string): Promise<PickTask | null> {
    const task = await tx.manager
      .getRepository(PickTask)
      .findOne({ where: { workOrderId }, lock: { mode: 'pessimistic_write' } });
    return task && OPEN.includes(task.status) ? task : null;
  }

  /**
   * 补料 with an external WMS: the request becomes a pick task for the line (no work order). The embedded
   * warehouse confirms requests in MOM instead, so nothing is sent then.
   */
  private async lineReplenishment(tx: Tx, e: LineReplenishmentRequested): Promise<void> {
    if (this.config.get('WMS_MODE') !== 'http') return;
    const m = tx.manager;
    const material = await this.masterData.material(e.siteId, e.materialId, m);
    const unit = material ? await this.masterData.unit(e.siteId, material.baseUnitId, m) : null;
    const location = await this.masterData.location(e.siteId, e.locationId, m);
    const line = e.lineId ? await this.masterData.line(e.siteId, e.lineId, m) : null;
    const payload: CreatePickTaskPayload = {
      taskId: e.replenishmentId,
      workOrder: null,
      purpose: 'line_replenishment',
      lines: [{ material: material?.code ?? e.materialId, qty: e.requestedQty, uom: unit?.code ?? '' }],
      needBy: new Date().toISOString(),
      destination: { line: line?.code ?? '', station: null, location: location?.code ?? null },
      priority: 'normal',
    };
    await this.send(
      tx,
      'createPickTask',
      payload,
      { taskId: e.replenishmentId },
      replenishmentOrderingKey(e.replenishmentId),
    );
  }

  private async lineReplenishmentClosed(tx: Tx, e: LineReplenishmentClosed): Promise<void> {
    if (this.config.get('WMS_MODE') !== 'http' || e.status !== 'cancelled') return;
    const payload: CancelPickTaskPayload = {
      taskId: e.replenishmentId,
      workOrder: null,
      reason: 'cancelled in MOM',
    };
    await this.send(
      tx,
      'cancelPickTask',
      payload,
      { taskId: e.replenishmentId },
      replenishmentOrderingKey(e.replenishmentId),
    );
  }

  private async send(
    tx: Tx,
    type: WmsMessageType,
    payload: object,
    target: WmsTarget,
    orderingKey: string,
  ): Promise<void> {
    await this.outbox.enqueue(tx, {
      destination: WMS_DESTINATION,
      messageType: type,
      payload,
      target: target as Record<string, unknown>,
      orderingKey,
    });
  }

  private raise(tx: Tx, task: PickTask, previous: PickTaskStatus | null): void {
    tx.raise('wms.pick_task.changed', {
      taskId: task.id,
      siteId: task.siteId,
      workOrderId: task.workOrderId,
      workOrderCode: task.workOrderCode,
      lineId: task.lineId,
      status: task.status,
      previousStatus: previous,
      priority: task.priority,
    });
  }
}
