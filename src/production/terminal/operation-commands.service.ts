import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { add, compare, formatExact, parseDecimal, ZERO } from '../../platform/engine/decimal';
import { DomainError, notFound } from '../../platform/errors/domain-error';
import { OutboxService } from '../../platform/outbox/outbox.service';
import { InventoryFacade } from '../../inventory/inventory.facade';
import { MasterDataFacade, type ReasonCategory } from '../../master-data/master-data.facade';
import { backflushDemand, pickLots } from '../engine/backflush';
import { predecessorAllowsStart } from '../engine/operation-state';
import { transitionWorkOrder } from '../engine/work-order-state';
import {
  MaterialConsumption,
  OperationLabor,
  OperationPause,
  WorkOrderOperation,
} from '../operations/operation.entity';
import { operationStateError, ProductionErrorCode } from '../production.errors';
import { ProductionSettingsService } from '../settings/production-settings.service';
import { WorkOrder, WorkOrderMaterial } from '../work-orders/work-order.entity';
import { WorkOrdersService } from '../work-orders/work-orders.service';
import type { CompleteOperationDto, ConsumeMaterialDto, StartOperationDto } from './terminal.dto';
import { ReportQuantityService, type ReportResult } from './report-quantity.service';
import { inTurn } from '../../platform/database/in-turn';

export interface OperationView extends WorkOrderOperation {
  workOrderCode: string;
  operators: Array<{ operatorId: string; operatorName: string; since: Date }>;
}

export interface CompletionResult extends OperationView {
  backflushed: Array<{ materialId: string; lotCode: string; quantity: string }>;
  backflushShort: Array<{ materialId: string; shortQty: string }>;
  producedLots: Array<{ lotId: string; code: string; quantity: string; status: string; locationId: string }>;
  workOrderStatus: string;
}

const ACTIVE_WO = ['released', 'kitting', 'ready', 'running'];

/** What an operator does to an operation at a terminal, each in one transaction. */
@Injectable()
export class OperationCommandsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly masterData: MasterDataFacade,
    private readonly inventory: InventoryFacade,
    private readonly settings: ProductionSettingsService,
    private readonly workOrders: WorkOrdersService,
    private readonly outbox: OutboxService,
    private readonly reports: ReportQuantityService,
  ) {}

  async get(p: Principal, id: string): Promise<OperationView> {
    const op = await this.dataSource.getRepository(WorkOrderOperation).findOneBy({ id });
    if (!op) throw notFound('operation', id);
    assertSiteAccess(p, op.siteId);
    return this.view(this.dataSource.manager, op);
  }

  start(p: Principal, id: string, dto: StartOperationDto): Promise<OperationView> {
    return this.tx.run(async (tx) => {
      const { wo, op } = await this.lock(tx.manager, p, id);
      if (wo.status === 'held') throw this.held(wo);
      if (!ACTIVE_WO.includes(wo.status)) {
        throw new DomainError(
          'conflict',
          ProductionErrorCode.WORK_ORDER_NOT_RELEASED,
          `Work order ${wo.code} is ${wo.status}; operations start once it is released`,
          { extensions: { currentState: wo.status } },
        );
      }
      const settings = await this.settings.of(op.siteId, tx.manager);
      await this.assertOperatorFree(tx.manager, p, op, settings.allowConcurrentOperations);
      if (op.status === 'completed')
        throw operationStateError(`Operation ${op.seq} of ${wo.code} is completed`, op.status);
      if (op.status === 'paused') {
        throw operationStateError(
          `Operation ${op.seq} of ${wo.code} is paused; resume it instead`,
          op.status,
        );
      }
      if (op.status === 'running') {
        // Joining a running operation (a crew).
        const onIt = await this.openLabor(tx.manager, op.id);
        if (onIt.some((l) => l.operatorId === p.id)) return this.view(tx.manager, op);
        if (!settings.allowMultipleOperators) {
          throw new DomainError(
            'conflict',
            ProductionErrorCode.CREW_NOT_ALLOWED,
            `Operation ${op.seq} of ${wo.code} is already run by ${onIt.map((l) => l.operatorName).join(', ')}; this site allows one operator per operation`,
            { extensions: { currentState: op.status } },
          );
        }
        await this.signOn(tx, p, op);
        await this.record(
          tx,
          op,
          'operation.joined',
          { operators: onIt.length },
          { operators: onIt.length + 1 },
        );
        this.raise(tx, op, wo, 'joined');
        return this.view(tx.manager, op);
      }
      const predecessor = op.predecessorId
        ? await tx.manager.getRepository(WorkOrderOperation).findOneByOrFail({ id: op.predecessorId })
        : null;
      if (!predecessorAllowsStart(predecessor, predecessor?.minTransferQty ?? null)) {
        const p2 = predecessor!;
        throw new DomainError(
          'conflict',
          ProductionErrorCode.PREDECESSOR_NOT_DONE,
          p2.minTransferQty
            ? `Operation ${p2.seq} has passed on ${formatExact(parseDecimal(p2.goodQty))} good; operation ${op.seq} may start at ${formatExact(parseDecimal(p2.minTransferQty))}`
            : `Operation ${p2.seq} of ${wo.code} is not completed yet; operation ${op.seq} starts after it`,
          {
            extensions: {
              currentState: op.status,
              predecessorStatus: p2.status,
              predecessorGoodQty: p2.goodQty,
            },
          },
        );
      }
      const equipmentId = await this.pickEquipment(tx.manager, op, dto.equipment);
      const now = new Date();
      await tx.manager.update(
        WorkOrderOperation,
        { id: op.id },
        { status: 'running', startedAt: op.startedAt ?? now, equipmentId, version: op.version + 1 },
      );
      if (equipmentId)
        await this.masterData.setEquipmentStatus(
          tx,
          op.siteId,
          equipmentId,
          'running',
          `${wo.code}/${op.seq} started`,
        );
      if (wo.status !== 'running') {
        const t = transitionWorkOrder(wo.status, 'start');
        if (t.ok) {
          await tx.manager.update(
            WorkOrder,
            { id: wo.id },
            { status: t.status, startedAt: wo.startedAt ?? now, version: wo.version + 1 },
          );
          await this.audit.record(tx, {
            entityType: 'work_order',
            entityId: wo.id,
            siteId: wo.siteId,
            action: 'work_order.started',
            before: { status: wo.status },
            after: { status: t.status },
          });
          this.workOrders.raiseStatus(tx, { ...wo, status: t.status }, wo.status, null);
        }
      }
      await this.signOn(tx, p, op);
      const after = await tx.manager.getRepository(WorkOrderOperation).findOneByOrFail({ id: op.id });
      await this.record(
        tx,
        after,
        'operation.started',
        { status: op.status },
        { status: after.status, equipmentId },
      );
      this.raise(tx, after, wo, 'started');
      return this.view(tx.manager, after);
    });
  }

  pause(p: Principal, id: string, reasonCode: string, note?: string): Promise<OperationView> {
    return this.tx.run(async (tx) => {
      const after = await this.pauseIn(tx, p, id, reasonCode, note);
      return this.view(tx.manager, after);
    });
  }

  /** Pauses a running operation inside the caller's transaction (also a breakdown stopping its machine). */
  async pauseIn(
    tx: Tx,
    p: Principal,
    id: string,
    reasonCode: string,
    note?: string,
  ): Promise<WorkOrderOperation> {
    const { wo, op } = await this.lock(tx.manager, p, id);
    if (op.status !== 'running')
      throw operationStateError(
        `Operation ${op.seq} of ${wo.code} is ${op.status}; only a running operation can be paused`,
        op.status,
      );
    const reason = await this.reason(
      tx.manager,
      op.siteId,
      reasonCode,
      ['pause', 'downtime_planned', 'downtime_unplanned'],
      'reasonCode',
    );
    const now = new Date();
    await tx.manager.update(WorkOrderOperation, { id: op.id }, { status: 'paused', version: op.version + 1 });
    await tx.manager.update(OperationLabor, { operationId: op.id, endedAt: IsNull() }, { endedAt: now });
    await tx.manager.insert(OperationPause, {
      operationId: op.id,
      reasonCodeId: reason.id,
      note: note ?? null,
      startedAt: now,
      pausedBy: p.id,
    });
    if (op.equipmentId)
      await this.machineIdleUnlessBusy(tx, op, `${wo.code}/${op.seq} paused: ${reason.code}`);
    const after = await tx.manager.getRepository(WorkOrderOperation).findOneByOrFail({ id: op.id });
    await this.record(
      tx,
      after,
      'operation.paused',
      { status: op.status },
      { status: 'paused', reasonCode: reason.code },
      note,
    );
    this.raise(tx, after, wo, 'paused');
    return after;
  }

  resume(p: Principal, id: string): Promise<OperationView> {
    return this.tx.run(async (tx) => {
      const { wo, op } = await this.lock(tx.manager, p, id);
      if (wo.status === 'held') throw this.held(wo);
      if (op.status !== 'paused')
        throw operationStateError(
          `Operation ${op.seq} of ${wo.code} is ${op.status}; only a paused operation can be resumed`,
          op.status,
        );
      const settings = await this.settings.of(op.siteId, tx.manager);
      await this.assertOperatorFree(tx.manager, p, op, settings.allowConcurrentOperations);
      const now = new Date();
      await tx.manager.update(
        WorkOrderOperation,
        { id: op.id },
        { status: 'running', version: op.version + 1 },
      );
      await tx.manager.update(OperationPause, { operationId: op.id, endedAt: IsNull() }, { endedAt: now });
      if (op.equipmentId)
        await this.masterData.setEquipmentStatus(
          tx,
          op.siteId,
          op.equipmentId,
          'running',
          `${wo.code}/${op.seq} resumed`,
        );
      await this.signOn(tx, p, op);
      const after = await tx.manager.getRepository(WorkOrderOperation).findOneByOrFail({ id: op.id });
      await this.record(tx, after, 'operation.resumed', { status: 'paused' }, { status: 'running' });
      this.raise(tx, after, wo, 'resumed');
      return this.view(tx.manager, after);
    });
  }

  /** The operator signs off an operation others keep running. */
  leave(p: Principal, id: string): Promise<OperationView> {
    return this.tx.run(async (tx) => {
      const { wo, op } = await this.lock(tx.manager, p, id);
      const [rows] = await tx.manager.query<[unknown[], number]>(
        `UPDATE operation_labor SET ended_at = now() WHERE operation_id = $1 AND operator_id = $2 AND ended_at IS NULL RETURNING id`,
        [op.id, p.id],
      );
      if (rows.length === 0) {
        throw new DomainError(
          'conflict',
          ProductionErrorCode.NOT_ON_OPERATION,
          `You are not signed on operation ${op.seq} of ${wo.code}`,
          {
            extensions: { currentState: op.status },
          },
        );
      }
      await this.record(tx, op, 'operation.left', null, { operatorId: p.id });
      this.raise(tx, op, wo, 'left');
      return this.view(tx.manager, op);
    });
  }

  complete(p: Principal, id: string, dto: CompleteOperationDto): Promise<CompletionResult> {
    return this.tx.run(async (tx) => {
      const { wo, op: locked } = await this.lock(tx.manager, p, id);
      if (wo.status === 'held') throw this.held(wo);
      if (locked.status !== 'running' && locked.status !== 'paused') {
        throw operationStateError(
          `Operation ${locked.seq} of ${wo.code} is ${locked.status}; only a started operation can be completed`,
          locked.status,
        );
      }
      const predecessor = locked.predecessorId
        ? await tx.manager.getRepository(WorkOrderOperation).findOneByOrFail({ id: locked.predecessorId })
        : null;
      if (predecessor && predecessor.status !== 'completed') {
        throw new DomainError(
          'conflict',
          ProductionErrorCode.PREDECESSOR_NOT_DONE,
          `Operation ${predecessor.seq} of ${wo.code} is ${predecessor.status}; complete it before operation ${locked.seq}`,
          { extensions: { currentState: locked.status, predecessorStatus: predecessor.status } },
        );
      }
      let op = locked;
      const hasFinal =
        (dto.goodQty && compare(parseDecimal(dto.goodQty), ZERO) > 0) ||
        (dto.scrapQty && compare(parseDecimal(dto.scrapQty), ZERO) > 0);
      if (hasFinal) {
        // The last count, reported in the same transaction as the completion.
        await this.reports.reportIn(tx, p, op, wo, dto);
        op = await tx.manager.getRepository(WorkOrderOperation).findOneByOrFail({ id: op.id });
      }
      if (compare(parseDecimal(op.goodQty), ZERO) === 0 && compare(parseDecimal(op.scrapQty), ZERO) === 0) {
        throw new DomainError(
          'conflict',
          ProductionErrorCode.NOTHING_REPORTED,
          `Nothing was reported on operation ${op.seq} of ${wo.code}; report the quantity made before completing`,
          {
            extensions: { currentState: op.status },
          },
        );
      }
      const now = new Date();
      await tx.manager.update(
        WorkOrderOperation,
        { id: op.id },
        { status: 'completed', completedAt: now, version: op.version + 1 },
      );
      await tx.manager.update(OperationLabor, { operationId: op.id, endedAt: IsNull() }, { endedAt: now });
      await tx.manager.update(OperationPause, { operationId: op.id, endedAt: IsNull() }, { endedAt: now });
      if (op.equipmentId) await this.machineIdleUnlessBusy(tx, op, `${wo.code}/${op.seq} completed`);
      const backflush = await this.backflush(tx, p, wo, op);
      const after = await tx.manager.getRepository(WorkOrderOperation).findOneByOrFail({ id: op.id });
      await this.record(
        tx,
        after,
        'operation.completed',
        { status: op.status },
        {
          status: 'completed',
          goodQty: after.goodQty,
          scrapQty: after.scrapQty,
          backflushed: backflush.consumed,
        },
      );
      this.raise(tx, after, wo, 'completed');
      tx.raise('production.operation.completed', this.changed(after, wo, 'completed'));
      const isLast = !(await tx.manager.getRepository(WorkOrderOperation).existsBy({ predecessorId: op.id }));
      let producedLots: CompletionResult['producedLots'] = [];
      let workOrderStatus: string = wo.status;
      if (isLast) {
        const done = await this.completeWorkOrder(tx, wo, after);
        producedLots = done.lots;
        workOrderStatus = 'completed';
      }
      return {
        ...(await this.view(tx.manager, after)),
        backflushed: backflush.consumed,
        backflushShort: backflush.short,
        producedLots,
        workOrderStatus,
      };
    });
  }

  consume(
    p: Principal,
    id: string,
    dto: ConsumeMaterialDto,
  ): Promise<OperationView & { consumption: MaterialConsumption }> {
    return this.tx.run(async (tx) => {
      const { wo, op } = await this.lock(tx.manager, p, id);
      if (op.status !== 'running' && op.status !== 'paused') {
        throw operationStateError(
          `Operation ${op.seq} of ${wo.code} is ${op.status}; material is consumed at a started operation`,
          op.status,
        );
      }
      if (compare(parseDecimal(dto.quantity), ZERO) <= 0) {
        throw new DomainError(
          'validation',
          ProductionErrorCode.INVALID_QUANTITY,
          'The quantity must be greater than 0',
          {
            errors: [{ field: 'quantity', message: 'must be greater than 0' }],
          },
        );
      }
      const lot = await this.inventory.findLot(tx.manager, op.siteId, dto.lot);
      if (!lot)
        throw new DomainError(
          'not_found',
          ProductionErrorCode.LOT_NOT_ON_BOM,
          `Lot ${dto.lot} does not exist at this site`,
          { errors: [{ field: 'lot', message: 'unknown lot' }] },
        );
      const lines = await tx.manager
        .getRepository(WorkOrderMaterial)
        .find({ where: { workOrderId: wo.id, materialId: lot.materialId }, order: { lineNo: 'ASC' } });
      if (lines.length === 0) {
        throw new DomainError(
          'unprocessable',
          ProductionErrorCode.LOT_NOT_ON_BOM,
          `Lot ${lot.code} is a material that ${wo.code} does not use`,
          {
            errors: [{ field: 'lot', message: 'the material is not on the work order' }],
          },
        );
      }
      const line = lines.find((l) => l.operationSeq === op.seq) ?? lines[0]!;
      const locationId = await this.consumptionLocation(tx.manager, wo, lot.id, lot.code, dto.location);
      const movement = await this.inventory.issue(tx, {
        siteId: op.siteId,
        lotId: lot.id,
        locationId,
        quantity: dto.quantity,
        workOrderId: wo.id,
        operationId: op.id,
        reference: `${wo.code}/${op.seq}`,
        serials: dto.serials,
      });
      await tx.manager.query(`UPDATE work_order_material SET issued_qty = issued_qty + $2 WHERE id = $1`, [
        line.id,
        dto.quantity,
      ]);
      const consumption = await tx.manager.getRepository(MaterialConsumption).save(
        tx.manager.getRepository(MaterialConsumption).create({
          siteId: op.siteId,
          workOrderId: wo.id,
          operationId: op.id,
          requirementId: line.id,
          materialId: lot.materialId,
          lotId: lot.id,
          lotCode: lot.code,
          locationId,
          quantity: dto.quantity,
          method: 'scan',
          operatorId: p.id,
        }),
      );
      await this.record(tx, op, 'operation.material_consumed', null, {
        lotCode: lot.code,
        quantity: dto.quantity,
        locationId,
        movementId: movement.id,
      });
      this.raise(tx, op, wo, 'consumed');
      return { ...(await this.view(tx.manager, op)), consumption };
    });
  }

  async view(m: EntityManager, op: WorkOrderOperation): Promise<OperationView> {
    const [wo, labor] = await inTurn(
      () => m.getRepository(WorkOrder).findOneByOrFail({ id: op.workOrderId }),
      () => this.openLabor(m, op.id),
    );
    return {
      ...op,
      workOrderCode: wo.code,
      operators: labor.map((l) => ({
        operatorId: l.operatorId,
        operatorName: l.operatorName,
        since: l.startedAt,
      })),
    };
  }

  changed(op: WorkOrderOperation, wo: WorkOrder, change: string) {
    return {
      operationId: op.id,
      workOrderId: wo.id,
      workOrderCode: wo.code,
      siteId: op.siteId,
      lineId: wo.lineId,
      workCenterId: op.workCenterId,
      equipmentId: op.equipmentId,
      seq: op.seq,
      status: op.status,
      goodQty: op.goodQty,
      scrapQty: op.scrapQty,
      change,
    };
  }

  private raise(tx: Tx, op: WorkOrderOperation, wo: WorkOrder, change: string): void {
    tx.raise('production.operation.changed', this.changed(op, wo, change));
  }

  private async completeWorkOrder(
    tx: Tx,
    wo: WorkOrder,
    last: WorkOrderOperation,
  ): Promise<{ lots: CompletionResult['producedLots'] }> {
    const m = tx.manager;
    const now = new Date();
    const t = transitionWorkOrder('running', 'complete');
    const lots: CompletionResult['producedLots'] = [];
    if (compare(parseDecimal(last.goodQty), ZERO) > 0) {
      const locationId = await this.outputLocation(m, wo);
      const settings = await this.settings.of(wo.siteId, m);
      const lot = await this.inventory.createLot(tx, {
        siteId: wo.siteId,
        materialId: wo.materialId,
        quantity: last.goodQty,
        locationId,
        origin: 'production',
        workOrderId: wo.id,
        workOrderCode: wo.code,
        defaultPattern: settings.defaultLotCodePattern,
        reference: wo.code,
      });
      lots.push({
        lotId: lot.id,
        code: lot.code,
        quantity: formatExact(parseDecimal(last.goodQty)),
        status: lot.status,
        locationId,
      });
    }
    await m.update(
      WorkOrder,
      { id: wo.id },
      {
        status: t.ok ? t.status : 'completed',
        goodQty: last.goodQty,
        scrapQty: last.scrapQty,
        completedAt: now,
        version: wo.version + 1,
      },
    );
    const after = await m.getRepository(WorkOrder).findOneByOrFail({ id: wo.id });
    await this.audit.record(tx, {
      entityType: 'work_order',
      entityId: wo.id,
      siteId: wo.siteId,
      action: 'work_order.completed',
      before: { status: 'running' },
      after: { status: after.status, goodQty: after.goodQty, scrapQty: after.scrapQty, lots },
    });
    this.workOrders.raiseStatus(tx, after, 'running', null);
    tx.raise('production.workorder.completed', {
      workOrderId: wo.id,
      siteId: wo.siteId,
      code: wo.code,
      lineId: wo.lineId,
      materialId: wo.materialId,
      goodQty: formatExact(parseDecimal(after.goodQty)),
      scrapQty: formatExact(parseDecimal(after.scrapQty)),
      lots,
    });
    await this.outbox.enqueue(tx, {
      destination: 'erp',
      messageType: 'OperationsPerformance',
      orderingKey: `work_order:${wo.id}`,
      payload: await this.performance(m, after, lots),
    });
    return { lots };
  }

  /** B2MML-style OperationsPerformance for the ERP: what was made, used, and how long it took. */
  private async performance(m: EntityManager, wo: WorkOrder, lots: CompletionResult['producedLots']) {
    const ops = await m
      .getRepository(WorkOrderOperation)
      .find({ where: { workOrderId: wo.id }, order: { seq: 'ASC' } });
    const times: Array<{ operation_id: string; labor_sec: string; pause_sec: string }> = await m.query(
      `SELECT o.id AS operation_id,
              coalesce((SELECT sum(extract(epoch FROM coalesce(l.ended_at, now()) - l.started_at)) FROM operation_labor l WHERE l.operation_id = o.id), 0)::text AS labor_sec,
              coalesce((SELECT sum(extract(epoch FROM coalesce(p.ended_at, now()) - p.started_at)) FROM operation_pause p WHERE p.operation_id = o.id), 0)::text AS pause_sec
         FROM work_order_operation o WHERE o.work_order_id = $1`,
      [wo.id],
    );
    const consumed: Array<{
      material_code: string;
      lot_code: string;
      qty: string;
      operation_seq: number;
      unit: string;
    }> = await m.query(
      `SELECT mat.code AS material_code, c.lot_code, trim_scale(sum(c.quantity))::text AS qty, o.seq AS operation_seq, u.code AS unit
         FROM material_consumption c JOIN material mat ON mat.id = c.material_id
         JOIN unit_of_measure u ON u.id = mat.base_unit_id
         JOIN work_order_operation o ON o.id = c.operation_id
        WHERE c.work_order_id = $1 GROUP BY mat.code, c.lot_code, o.seq, u.code ORDER BY o.seq, mat.code, c.lot_code`,
      [wo.id],
    );
    const material = await this.masterData.material(wo.siteId, wo.materialId, m);
    const unit = await this.masterData.unit(wo.siteId, wo.unitId, m);
    return {
      id: `${wo.code}-performance`,
      operationsRequestId: wo.erpOrderId,
      workOrder: wo.code,
      operationsType: 'Production',
      startTime: wo.startedAt?.toISOString() ?? null,
      endTime: wo.completedAt?.toISOString() ?? null,
      segmentResponses: ops.map((o) => {
        const t = times.find((x) => x.operation_id === o.id);
        const machineSec =
          o.startedAt && o.completedAt
            ? Math.max(
                0,
                (o.completedAt.getTime() - o.startedAt.getTime()) / 1000 - Number(t?.pause_sec ?? 0),
              )
            : 0;
        return {
          id: String(o.seq),
          segmentRequirementId: wo.erpSegmentId,
          processSegment: o.name,
          actualStartTime: o.startedAt?.toISOString() ?? null,
          actualEndTime: o.completedAt?.toISOString() ?? null,
          goodQuantity: formatExact(parseDecimal(o.goodQty)),
          scrapQuantity: formatExact(parseDecimal(o.scrapQty)),
          equipmentActual: o.equipmentId
            ? [{ equipmentId: o.equipmentId, durationSeconds: Math.round(machineSec) }]
            : [],
          personnelActual: [{ durationSeconds: Math.round(Number(t?.labor_sec ?? 0)) }],
          materialActual: consumed
            .filter((c) => c.operation_seq === o.seq)
            .map((c) => ({
              materialDefinitionId: c.material_code,
              materialLotId: c.lot_code,
              materialUse: 'Consumed',
              quantity: { quantityString: c.qty, unitOfMeasure: c.unit },
            })),
        };
      }),
      materialProduced: lots.map((l) => ({
        materialDefinitionId: material?.code ?? wo.materialId,
        materialLotId: l.code,
        materialUse: 'Produced',
        quantity: { quantityString: l.quantity, unitOfMeasure: unit?.code ?? '' },
      })),
      goodQuantity: formatExact(parseDecimal(wo.goodQty)),
      scrapQuantity: formatExact(parseDecimal(wo.scrapQty)),
    };
  }

  private async backflush(tx: Tx, p: Principal, wo: WorkOrder, op: WorkOrderOperation) {
    const m = tx.manager;
    const lines = await m.getRepository(WorkOrderMaterial).find({
      where: { workOrderId: wo.id, operationSeq: op.seq, issueMethod: 'backflush' },
      order: { lineNo: 'ASC' },
    });
    const consumed: CompletionResult['backflushed'] = [];
    const short: CompletionResult['backflushShort'] = [];
    if (lines.length === 0) return { consumed, short };
    const units: Array<{ id: string; decimals: number }> = await m.query(
      `SELECT mat.id, u.decimals FROM material mat JOIN unit_of_measure u ON u.id = mat.base_unit_id WHERE mat.id = ANY($1::uuid[])`,
      [lines.map((l) => l.materialId)],
    );
    // Parts scrapped at this operation used their material too.
    const processed = formatExact(add(parseDecimal(op.goodQty), parseDecimal(op.scrapQty)));
    const demands = backflushDemand({
      orderQty: wo.quantity,
      processedQty: processed,
      requirements: lines.map((l) => ({
        lineNo: l.lineNo,
        materialId: l.materialId,
        requiredQty: l.requiredQty,
        issuedQty: l.issuedQty,
        issueMethod: l.issueMethod,
      })),
      unitDecimals: Object.fromEntries(units.map((u) => [u.id, u.decimals])),
    });
    const settings = await this.settings.of(wo.siteId, m);
    const lineSide = (await this.masterData.locationsOfLine(wo.siteId, wo.lineId, 'line_side', m)).map(
      (l) => l.id,
    );
    for (const demand of demands) {
      const stock = await this.inventory.stockAt(m, demand.materialId, lineSide);
      const { picks, shortQty } = pickLots(
        demand.quantity,
        stock.map((s) => ({
          lotId: `${s.lotId}|${s.locationId}`,
          available: s.available,
          receivedAt: s.receivedAt,
          expiryDate: s.expiryDate,
        })),
        settings.backflushStrategy,
      );
      const line = lines.find((l) => l.lineNo === demand.lineNo)!;
      for (const pick of picks) {
        const [lotId, locationId] = pick.lotId.split('|') as [string, string];
        const row = stock.find((s) => s.lotId === lotId && s.locationId === locationId)!;
        await this.inventory.issue(tx, {
          siteId: wo.siteId,
          lotId,
          locationId,
          quantity: pick.quantity,
          workOrderId: wo.id,
          operationId: op.id,
          reference: `${wo.code}/${op.seq} backflush`,
        });
        await m.query(`UPDATE work_order_material SET issued_qty = issued_qty + $2 WHERE id = $1`, [
          line.id,
          pick.quantity,
        ]);
        await m.insert(MaterialConsumption, {
          siteId: wo.siteId,
          workOrderId: wo.id,
          operationId: op.id,
          requirementId: line.id,
          materialId: demand.materialId,
          lotId,
          lotCode: row.lotCode,
          locationId,
          quantity: pick.quantity,
          method: 'backflush',
          operatorId: p.id,
        });
        consumed.push({ materialId: demand.materialId, lotCode: row.lotCode, quantity: pick.quantity });
      }
      if (compare(parseDecimal(shortQty), ZERO) > 0) short.push({ materialId: demand.materialId, shortQty });
    }
    return { consumed, short };
  }

  private async consumptionLocation(
    m: EntityManager,
    wo: WorkOrder,
    lotId: string,
    lotCode: string,
    requested?: string,
  ): Promise<string> {
    const lineSide = await this.masterData.locationsOfLine(wo.siteId, wo.lineId, 'line_side', m);
    if (requested) {
      const loc = await this.masterData.location(wo.siteId, requested, m);
      if (!loc)
        throw new DomainError(
          'validation',
          ProductionErrorCode.LOT_NOT_AT_LINE,
          `Location ${requested} does not exist`,
          { errors: [{ field: 'location', message: 'unknown location' }] },
        );
      if (loc.locationType !== 'line_side') {
        throw new DomainError(
          'unprocessable',
          ProductionErrorCode.LOT_NOT_AT_LINE,
          `Material is consumed from a line-side location; ${loc.code} is ${loc.locationType}`,
          { errors: [{ field: 'location', message: 'not a line-side location' }] },
        );
      }
      return loc.id;
    }
    const balances = await this.inventory.balancesOf(m, [lotId]);
    const here = balances.find(
      (b) => compare(parseDecimal(b.quantity), ZERO) > 0 && lineSide.some((l) => l.id === b.locationId),
    );
    if (!here) {
      throw new DomainError(
        'conflict',
        ProductionErrorCode.LOT_NOT_AT_LINE,
        `Lot ${lotCode} is not at the line side of this line; have it staged first`,
        {
          errors: [{ field: 'lot', message: 'no stock of the lot at the line side' }],
        },
      );
    }
    return here.locationId;
  }

  private async outputLocation(m: EntityManager, wo: WorkOrder): Promise<string> {
    const wip = await this.masterData.locationsOfLine(wo.siteId, wo.lineId, 'wip', m);
    if (wip[0]) return wip[0].id;
    const material = await this.masterData.material(wo.siteId, wo.materialId, m);
    if (material?.defaultLocationId) return material.defaultLocationId;
    throw new DomainError(
      'conflict',
      ProductionErrorCode.NO_OUTPUT_LOCATION,
      `There is nowhere to book the output of ${wo.code}: give the line a WIP location or the material a default location`,
    );
  }

  private async pickEquipment(
    m: EntityManager,
    op: WorkOrderOperation,
    requested?: string,
  ): Promise<string | null> {
    const options = op.equipmentOptions.map((e) => e.equipmentId);
    let id: string | null = null;
    if (requested) {
      const eq = await this.masterData.equipment(op.siteId, requested, m);
      if (!eq)
        throw new DomainError(
          'validation',
          ProductionErrorCode.EQUIPMENT_NOT_ELIGIBLE,
          `Machine ${requested} does not exist`,
          { errors: [{ field: 'equipment', message: 'unknown machine' }] },
        );
      if (options.length > 0 ? !options.includes(eq.id) : eq.workCenterId !== op.workCenterId) {
        throw new DomainError(
          'unprocessable',
          ProductionErrorCode.EQUIPMENT_NOT_ELIGIBLE,
          `Machine ${eq.code} is not eligible for operation ${op.seq}`,
          { errors: [{ field: 'equipment', message: 'not eligible for this operation' }] },
        );
      }
      id = eq.id;
    } else if (op.scheduledEquipmentId) id = op.scheduledEquipmentId;
    else if (options.length === 1) id = options[0]!;
    else if (options.length > 1) {
      throw new DomainError(
        'validation',
        ProductionErrorCode.EQUIPMENT_NOT_ELIGIBLE,
        `Choose the machine for operation ${op.seq}`,
        { errors: [{ field: 'equipment', message: 'required: several machines are eligible' }] },
      );
    }
    if (id) {
      const eq = await this.masterData.equipment(op.siteId, id, m);
      if (eq && (eq.status === 'down' || eq.status === 'maintenance')) {
        throw new DomainError(
          'conflict',
          ProductionErrorCode.EQUIPMENT_DOWN,
          `Machine ${eq.code} is ${eq.status}`,
          { extensions: { equipmentStatus: eq.status } },
        );
      }
    }
    return id;
  }

  private async machineIdleUnlessBusy(tx: Tx, op: WorkOrderOperation, reason: string): Promise<void> {
    const busy = await tx.manager.query<unknown[]>(
      `SELECT 1 FROM work_order_operation WHERE equipment_id = $1 AND status = 'running' AND id <> $2 LIMIT 1`,
      [op.equipmentId, op.id],
    );
    const eq = await this.masterData.equipment(op.siteId, op.equipmentId!, tx.manager);
    if (busy.length === 0 && eq && eq.status === 'running') {
      await this.masterData.setEquipmentStatus(tx, op.siteId, op.equipmentId!, 'idle', reason);
    }
  }

  private async assertOperatorFree(
    m: EntityManager,
    p: Principal,
    op: WorkOrderOperation,
    allowConcurrent: boolean,
  ): Promise<void> {
    // One operator's sign-ons are serialised, so two taps on two operations cannot both pass the check.
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('production.operator:' || $1))`, [p.id]);
    if (allowConcurrent) return;
    const other: Array<{ seq: number; code: string }> = await m.query(
      `SELECT o.seq, w.code FROM operation_labor l JOIN work_order_operation o ON o.id = l.operation_id
         JOIN work_order w ON w.id = o.work_order_id
        WHERE l.operator_id = $1 AND l.ended_at IS NULL AND l.operation_id <> $2 LIMIT 1`,
      [p.id, op.id],
    );
    if (other[0]) {
      throw new DomainError(
        'conflict',
        ProductionErrorCode.OPERATOR_BUSY,
        `You are still signed on operation ${other[0].seq} of ${other[0].code}; pause, complete or leave it first (this site runs one operation per operator)`,
        { extensions: { currentState: op.status } },
      );
    }
  }

  private async signOn(tx: Tx, p: Principal, op: WorkOrderOperation): Promise<void> {
    await tx.manager.query(
      `INSERT INTO operation_labor (operation_id, operator_id, operator_name, terminal_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (operation_id, operator_id) WHERE ended_at IS NULL DO NOTHING`,
      [op.id, p.id, p.name, p.terminalId ?? null],
    );
  }

  private openLabor(m: EntityManager, operationId: string): Promise<OperationLabor[]> {
    return m
      .getRepository(OperationLabor)
      .find({ where: { operationId, endedAt: IsNull() }, order: { startedAt: 'ASC' } });
  }

  private async lock(
    m: EntityManager,
    p: Principal,
    id: string,
  ): Promise<{ wo: WorkOrder; op: WorkOrderOperation }> {
    const peek = await m
      .getRepository(WorkOrderOperation)
      .findOne({ where: { id }, select: { id: true, workOrderId: true, siteId: true } });
    if (!peek) throw notFound('operation', id);
    assertSiteAccess(p, peek.siteId);
    // Work order before operation, always: the same order everywhere keeps deadlocks away.
    const wo = await m
      .getRepository(WorkOrder)
      .findOneOrFail({ where: { id: peek.workOrderId }, lock: { mode: 'pessimistic_write' } });
    const op = await m
      .getRepository(WorkOrderOperation)
      .findOneOrFail({ where: { id }, lock: { mode: 'pessimistic_write' } });
    return { wo, op };
  }

  private held(wo: WorkOrder): DomainError {
    return new DomainError(
      'conflict',
      ProductionErrorCode.WORK_ORDER_HELD,
      `Work order ${wo.code} is on hold${wo.holdReason ? `: ${wo.holdReason}` : ''}`,
      {
        extensions: { currentState: wo.status },
      },
    );
  }

  async reason(
    m: EntityManager,
    siteId: string,
    idOrCode: string,
    categories: ReasonCategory[],
    field: string,
  ) {
    const reason = await this.masterData.reasonCode(siteId, idOrCode, m);
    if (!reason || !reason.active || !categories.includes(reason.category)) {
      throw new DomainError(
        'validation',
        ProductionErrorCode.INVALID_REASON_CODE,
        `Reason code ${idOrCode} cannot be used here`,
        {
          errors: [
            { field, message: `must be an active reason code of category ${categories.join(' or ')}` },
          ],
        },
      );
    }
    return reason;
  }

  private async record(
    tx: Tx,
    op: WorkOrderOperation,
    action: string,
    before: unknown,
    after: unknown,
    reason?: string,
  ): Promise<void> {
    await this.audit.record(tx, {
      entityType: 'work_order_operation',
      entityId: op.id,
      siteId: op.siteId,
      action,
      before,
      after,
      reason,
    });
  }
}

export type { ReportResult };
