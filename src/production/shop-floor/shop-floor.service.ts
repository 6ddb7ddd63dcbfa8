import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, type EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { DomainError, notFound } from '../../platform/errors/domain-error';
import { MasterDataFacade, type Equipment } from '../../master-data/master-data.facade';
import { MaterialConsumption, WorkOrderOperation } from '../operations/operation.entity';
import { ProductionErrorCode, operationStateError } from '../production.errors';
import { OperationCommandsService } from '../terminal/operation-commands.service';
import type { RaiseAndonDto, RecordReadingsDto } from '../terminal/terminal.dto';
import { WorkOrder, WorkOrderMaterial } from '../work-orders/work-order.entity';
import { AndonCall, DowntimeEvent, ProcessReading } from './shop-floor.entities';
import { downtimeChanged } from './machine-downtime.service';

export interface WorkInstructions {
  operation: WorkOrderOperation;
  workOrder: {
    id: string;
    code: string;
    materialId: string;
    materialCode: string;
    quantity: string;
    dueAt: Date;
    priority: string;
  };
  instructions: string | null;
  attachments: Array<{ title: string; url: string }>;
  parameters: Array<{
    name: string;
    unit?: string;
    min?: number;
    max?: number;
    lastValue: string | null;
    lastAt: Date | null;
  }>;
  inspectionPoint: boolean;
  materials: Array<{
    lineNo: number;
    materialId: string;
    materialCode: string;
    requiredQty: string;
    issuedQty: string;
    issueMethod: string;
  }>;
  consumedLots: Array<{
    lotCode: string;
    materialId: string;
    quantity: string;
    method: string;
    consumedAt: Date;
  }>;
}

/** An open andon call as a terminal shows it: who raised it, when, and what it is about. */
export interface AndonCallView {
  id: string;
  siteId: string;
  kind: string;
  state: string;
  workCenterId: string;
  equipmentId: string | null;
  operationId: string | null;
  workOrderId: string | null;
  workOrderCode: string | null;
  operationSeq: number | null;
  message: string | null;
  machineDown: boolean;
  raisedBy: { id: string; name: string };
  raisedAt: Date;
  acknowledgedBy: { id: string; name: string } | null;
  acknowledgedAt: Date | null;
}

interface AndonCallRow {
  id: string;
  kind: string;
  state: string;
  work_center_id: string;
  equipment_id: string | null;
  operation_id: string | null;
  work_order_id: string | null;
  message: string | null;
  machine_down: boolean;
  raised_by: string;
  raised_at: Date;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  raised_by_name: string | null;
  acknowledged_by_name: string | null;
  work_order_code: string | null;
  operation_seq: number | null;
}

/** Process data, downtime, andon and work instructions at the terminal. */
@Injectable()
export class ShopFloorService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly masterData: MasterDataFacade,
    private readonly operations: OperationCommandsService,
  ) {}

  async instructions(p: Principal, operationId: string): Promise<WorkInstructions> {
    const m = this.dataSource.manager;
    const op = await m.getRepository(WorkOrderOperation).findOneBy({ id: operationId });
    if (!op) throw notFound('operation', operationId);
    assertSiteAccess(p, op.siteId);
    const wo = await m.getRepository(WorkOrder).findOneByOrFail({ id: op.workOrderId });
    const [materials, consumed, last] = await Promise.all([
      m
        .getRepository(WorkOrderMaterial)
        .find({ where: { workOrderId: wo.id, operationSeq: op.seq }, order: { lineNo: 'ASC' } }),
      m
        .getRepository(MaterialConsumption)
        .find({ where: { operationId: op.id }, order: { consumedAt: 'ASC' } }),
      m.query<Array<{ name: string; value: string; recorded_at: Date }>>(
        `SELECT DISTINCT ON (name) name, trim_scale(value)::text AS value, recorded_at FROM process_reading
          WHERE operation_id = $1 ORDER BY name, recorded_at DESC`,
        [op.id],
      ),
    ]);
    const names = await this.masterData.materialNames(
      [wo.materialId, ...materials.map((x) => x.materialId)],
      m,
    );
    const code = (id: string) => names.get(id)?.code ?? '';
    return {
      operation: op,
      workOrder: {
        id: wo.id,
        code: wo.code,
        materialId: wo.materialId,
        materialCode: code(wo.materialId),
        quantity: wo.quantity,
        dueAt: wo.dueAt,
        priority: wo.priority,
      },
      instructions: op.instructions,
      attachments: op.attachments,
      parameters: op.parameters.map((par) => {
        const l = last.find((x) => x.name.toLowerCase() === par.name.toLowerCase());
        return { ...par, lastValue: l?.value ?? null, lastAt: l?.recorded_at ?? null };
      }),
      inspectionPoint: op.inspectionPoint,
      materials: materials.map((x) => ({
        lineNo: x.lineNo,
        materialId: x.materialId,
        materialCode: code(x.materialId),
        requiredQty: x.requiredQty,
        issuedQty: x.issuedQty,
        issueMethod: x.issueMethod,
      })),
      consumedLots: consumed.map((c) => ({
        lotCode: c.lotCode,
        materialId: c.materialId,
        quantity: c.quantity,
        method: c.method,
        consumedAt: c.consumedAt,
      })),
    };
  }

  recordReadings(
    p: Principal,
    operationId: string,
    dto: RecordReadingsDto,
  ): Promise<{ readings: ProcessReading[]; outOfRange: number }> {
    return this.tx.run(async (tx) => {
      const op = await tx.manager.getRepository(WorkOrderOperation).findOneBy({ id: operationId });
      if (!op) throw notFound('operation', operationId);
      assertSiteAccess(p, op.siteId);
      const wo = await tx.manager.getRepository(WorkOrder).findOneByOrFail({ id: op.workOrderId });
      if (op.status !== 'running' && op.status !== 'paused') {
        throw operationStateError(
          `Operation ${op.seq} of ${wo.code} is ${op.status}; readings are taken while it runs`,
          op.status,
        );
      }
      const errors = dto.readings.flatMap((r, i) =>
        op.parameters.some((par) => par.name.toLowerCase() === r.name.toLowerCase())
          ? []
          : [
              {
                field: `readings[${i}].name`,
                message: `unknown parameter; this operation captures ${op.parameters.map((x) => x.name).join(', ') || 'no parameters'}`,
              },
            ],
      );
      if (errors.length > 0) {
        throw new DomainError(
          'unprocessable',
          ProductionErrorCode.UNKNOWN_PARAMETER,
          'Some readings are not parameters of this operation',
          { errors },
        );
      }
      const saved: ProcessReading[] = [];
      for (const r of dto.readings) {
        const par = op.parameters.find((x) => x.name.toLowerCase() === r.name.toLowerCase())!;
        const equipment = r.equipment
          ? await this.masterData.equipment(op.siteId, r.equipment, tx.manager)
          : undefined;
        const inRange =
          (par.min === undefined || r.value >= par.min) && (par.max === undefined || r.value <= par.max);
        const row = await tx.manager.getRepository(ProcessReading).save(
          tx.manager.getRepository(ProcessReading).create({
            siteId: op.siteId,
            operationId: op.id,
            workOrderId: wo.id,
            equipmentId: equipment?.id ?? op.equipmentId,
            operatorId: p.kind === 'user' ? p.id : null,
            name: par.name,
            value: String(r.value),
            unit: r.unit ?? par.unit ?? null,
            minValue: par.min === undefined ? null : String(par.min),
            maxValue: par.max === undefined ? null : String(par.max),
            inRange,
            recordedAt: r.at ? new Date(r.at) : new Date(),
          }),
        );
        saved.push(row);
        if (!inRange) {
          await this.audit.record(tx, {
            entityType: 'work_order_operation',
            entityId: op.id,
            siteId: op.siteId,
            action: 'operation.parameter_out_of_range',
            after: { name: par.name, value: r.value, min: par.min ?? null, max: par.max ?? null },
          });
          tx.raise('production.parameter.out_of_range', {
            readingId: row.id,
            siteId: op.siteId,
            operationId: op.id,
            workOrderId: wo.id,
            workCenterId: op.workCenterId,
            lineId: wo.lineId,
            equipmentId: row.equipmentId,
            name: par.name,
            value: String(r.value),
            min: par.min ?? null,
            max: par.max ?? null,
            unit: row.unit,
          });
        }
      }
      return { readings: saved, outOfRange: saved.filter((r) => !r.inRange).length };
    });
  }

  startDowntime(
    p: Principal,
    equipmentIdOrCode: string,
    reasonCode: string,
    note?: string,
    siteHint?: string,
  ): Promise<DowntimeEvent> {
    return this.tx.run(async (tx) => {
      const eq = await this.equipmentFor(p, equipmentIdOrCode, siteHint, tx.manager);
      const reason = await this.operations.reason(
        tx.manager,
        eq.siteId,
        reasonCode,
        ['downtime_planned', 'downtime_unplanned'],
        'reasonCode',
      );
      return this.startDowntimeIn(tx, p, eq, reason, note);
    });
  }

  /**
   * A breakdown inside the caller's transaction: the machine's running operations pause (reason: the downtime
   * reason), downtime starts and the machine goes `down`. The reason is the one named, else the site's first
   * active unplanned downtime reason.
   */
  async breakdownIn(
    tx: Tx,
    p: Principal,
    eq: Equipment,
    reasonCode: string | undefined,
    note: string | undefined,
  ): Promise<{ downtime: DowntimeEvent; pausedOperationIds: string[] }> {
    const reason = reasonCode
      ? await this.operations.reason(tx.manager, eq.siteId, reasonCode, ['downtime_unplanned'], 'reasonCode')
      : await this.defaultBreakdownReason(tx.manager, eq.siteId);
    const running: Array<{ id: string }> = await tx.manager.query(
      `SELECT id FROM work_order_operation WHERE equipment_id = $1 AND status = 'running' ORDER BY id`,
      [eq.id],
    );
    for (const op of running) {
      await this.operations.pauseIn(tx, p, op.id, reason.code, note ?? `breakdown of ${eq.code}`);
    }
    const current = (await this.masterData.equipment(eq.siteId, eq.id, tx.manager)) ?? eq;
    const downtime = await this.startDowntimeIn(tx, p, current, reason, note);
    return { downtime, pausedOperationIds: running.map((r) => r.id) };
  }

  private async defaultBreakdownReason(m: EntityManager, siteId: string) {
    const rows: Array<{ code: string }> = await m.query(
      `SELECT code FROM reason_code WHERE site_id = $1 AND category = 'downtime_unplanned' AND active
        ORDER BY code LIMIT 1`,
      [siteId],
    );
    if (!rows[0]) {
      throw new DomainError(
        'validation',
        ProductionErrorCode.ANDON_STATE,
        'The site has no unplanned downtime reason code to record the breakdown with',
        {
          errors: [
            {
              field: 'reasonCode',
              message: 'required: no reason code of category downtime_unplanned exists',
            },
          ],
        },
      );
    }
    return this.operations.reason(m, siteId, rows[0].code, ['downtime_unplanned'], 'reasonCode');
  }

  private async startDowntimeIn(
    tx: Tx,
    p: Principal,
    eq: Equipment,
    reason: { id: string; code: string; name: string; category: string },
    note?: string,
  ): Promise<DowntimeEvent> {
    const open = await tx.manager
      .getRepository(DowntimeEvent)
      .findOneBy({ equipmentId: eq.id, endedAt: IsNull() });
    if (open) {
      throw new DomainError(
        'conflict',
        ProductionErrorCode.DOWNTIME_OPEN,
        `Machine ${eq.code} is already stopped since ${open.startedAt.toISOString()}`,
        {
          extensions: { currentState: eq.status, downtimeId: open.id },
        },
      );
    }
    const row = await tx.manager.getRepository(DowntimeEvent).save(
      tx.manager.getRepository(DowntimeEvent).create({
        siteId: eq.siteId,
        equipmentId: eq.id,
        workCenterId: eq.workCenterId,
        reasonCodeId: reason.id,
        category: reason.category,
        note: note ?? null,
        previousEquipmentStatus: eq.status,
        startedBy: p.id,
      }),
    );
    await this.masterData.setEquipmentStatus(
      tx,
      eq.siteId,
      eq.id,
      reason.category === 'downtime_planned' ? 'off' : 'down',
      `${reason.code} ${reason.name}`,
    );
    await this.audit.record(tx, {
      entityType: 'downtime_event',
      entityId: row.id,
      siteId: eq.siteId,
      action: 'downtime.started',
      after: row,
      reason: note,
    });
    tx.raise('production.downtime.changed', downtimeChanged(row, 'started'));
    return row;
  }

  stopDowntime(
    p: Principal,
    equipmentIdOrCode: string,
    note?: string,
    siteHint?: string,
  ): Promise<DowntimeEvent> {
    return this.tx.run(async (tx) => {
      const eq = await this.equipmentFor(p, equipmentIdOrCode, siteHint, tx.manager);
      const row = await this.stopDowntimeIn(tx, p, eq, note);
      if (!row)
        throw new DomainError(
          'conflict',
          ProductionErrorCode.NO_DOWNTIME_OPEN,
          `Machine ${eq.code} is not stopped`,
          { extensions: { currentState: eq.status } },
        );
      return row;
    });
  }

  /** Ends the machine's open downtime in the caller's transaction (null when it has none). */
  async stopDowntimeIn(tx: Tx, p: Principal, eq: Equipment, note?: string): Promise<DowntimeEvent | null> {
    const open = await tx.manager
      .getRepository(DowntimeEvent)
      .findOne({ where: { equipmentId: eq.id, endedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
    if (!open) return null;
    await tx.manager.update(DowntimeEvent, { id: open.id }, { endedAt: new Date(), endedBy: p.id });
    const running: unknown[] = await tx.manager.query(
      `SELECT 1 FROM work_order_operation WHERE equipment_id = $1 AND status = 'running' LIMIT 1`,
      [eq.id],
    );
    await this.masterData.setEquipmentStatus(
      tx,
      eq.siteId,
      eq.id,
      running.length > 0 ? 'running' : 'idle',
      note ?? 'downtime ended',
    );
    const row = await tx.manager.getRepository(DowntimeEvent).findOneByOrFail({ id: open.id });
    await this.audit.record(tx, {
      entityType: 'downtime_event',
      entityId: row.id,
      siteId: eq.siteId,
      action: 'downtime.ended',
      before: open,
      after: row,
      reason: note,
    });
    tx.raise('production.downtime.changed', downtimeChanged(row, 'ended'));
    return row;
  }

  raiseAndon(p: Principal, dto: RaiseAndonDto, terminalWorkCenterId?: string | null): Promise<AndonCall> {
    return this.tx.run(async (tx) => {
      const m = tx.manager;
      const op = dto.operationId
        ? await m.getRepository(WorkOrderOperation).findOneBy({ id: dto.operationId })
        : null;
      if (dto.operationId && !op) throw notFound('operation', dto.operationId);
      const wcId = dto.workCenterId ?? op?.workCenterId ?? terminalWorkCenterId;
      if (!wcId) {
        throw new DomainError('validation', ProductionErrorCode.ANDON_STATE, 'Say where help is needed', {
          errors: [{ field: 'workCenterId', message: 'required (or an operationId)' }],
        });
      }
      const siteId = op?.siteId ?? (await this.masterData.siteOf('workcenter', wcId, m));
      if (!siteId) throw notFound('work center', wcId);
      assertSiteAccess(p, siteId);
      const wc = await this.masterData.workCenter(siteId, wcId, m);
      if (!wc) throw notFound('work center', wcId);
      const equipmentId = dto.equipmentId ?? op?.equipmentId ?? null;
      const machineDown = dto.machineDown === true;
      if (machineDown && (dto.kind !== 'maintenance' || !equipmentId)) {
        throw new DomainError(
          'validation',
          ProductionErrorCode.ANDON_STATE,
          'A breakdown names its machine',
          {
            errors: [
              dto.kind !== 'maintenance'
                ? { field: 'kind', message: 'a machine that is down is a maintenance call' }
                : {
                    field: 'equipmentId',
                    message: 'required for a breakdown (or an operation running on it)',
                  },
            ],
          },
        );
      }
      let downtimeId: string | null = null;
      if (machineDown) {
        const eq = await this.masterData.equipment(siteId, equipmentId!, m);
        if (!eq) throw notFound('equipment', equipmentId!);
        const stop = await this.breakdownIn(tx, p, eq, dto.reasonCode, dto.message);
        downtimeId = stop.downtime.id;
      }
      const row = await m.getRepository(AndonCall).save(
        m.getRepository(AndonCall).create({
          siteId,
          kind: dto.kind,
          state: 'raised',
          workCenterId: wc.id,
          lineId: wc.lineId,
          equipmentId,
          operationId: op?.id ?? null,
          workOrderId: op?.workOrderId ?? null,
          message: dto.message ?? null,
          machineDown,
          downtimeId,
          raisedBy: p.id,
        }),
      );
      await this.audit.record(tx, {
        entityType: 'andon_call',
        entityId: row.id,
        siteId,
        action: 'andon.raised',
        after: row,
      });
      tx.raise('production.andon.changed', this.andonEvent(row));
      return row;
    });
  }

  moveAndon(p: Principal, id: string, to: 'acknowledged' | 'resolved', note?: string): Promise<AndonCall> {
    return this.tx.run(async (tx) => {
      const row = await tx.manager
        .getRepository(AndonCall)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw notFound('andon call', id);
      assertSiteAccess(p, row.siteId);
      const allowed = to === 'acknowledged' ? row.state === 'raised' : row.state !== 'resolved';
      if (!allowed) {
        throw new DomainError(
          'conflict',
          ProductionErrorCode.ANDON_STATE,
          `The andon call is ${row.state}; it cannot be ${to}`,
          { extensions: { currentState: row.state } },
        );
      }
      return this.moveAndonIn(tx, p, row, to, note);
    });
  }

  /**
   * Moves a call on inside the caller's transaction (maintenance acknowledges it when work starts and resolves
   * it when the ticket is done); a call already there (or past it) is left as it is.
   */
  async moveAndonIn(
    tx: Tx,
    p: Principal,
    rowOrId: AndonCall | string,
    to: 'acknowledged' | 'resolved',
    note?: string,
  ): Promise<AndonCall> {
    const row =
      typeof rowOrId === 'string'
        ? await tx.manager
            .getRepository(AndonCall)
            .findOneOrFail({ where: { id: rowOrId }, lock: { mode: 'pessimistic_write' } })
        : rowOrId;
    const id = row.id;
    if (row.state === 'resolved' || (to === 'acknowledged' && row.state === 'acknowledged')) return row;
    const now = new Date();
    const patch: Partial<AndonCall> =
      to === 'acknowledged'
        ? { state: to, acknowledgedBy: p.id, acknowledgedAt: now }
        : {
            state: to,
            resolvedBy: p.id,
            resolvedAt: now,
            resolution: note ?? null,
            ...(row.acknowledgedAt ? {} : { acknowledgedBy: p.id, acknowledgedAt: now }),
          };
    await tx.manager.update(AndonCall, { id }, patch);
    const after = await tx.manager.getRepository(AndonCall).findOneByOrFail({ id });
    await this.audit.record(tx, {
      entityType: 'andon_call',
      entityId: id,
      siteId: row.siteId,
      action: `andon.${to}`,
      before: { state: row.state },
      after: { state: after.state },
      reason: note,
    });
    tx.raise('production.andon.changed', this.andonEvent(after));
    return after;
  }

  async listAndon(p: Principal, siteId: string, open: boolean): Promise<AndonCall[]> {
    assertSiteAccess(p, siteId);
    return this.dataSource.getRepository(AndonCall).find({
      where: { siteId, ...(open ? { state: In(['raised', 'acknowledged']) } : {}) },
      order: { raisedAt: 'DESC' },
      take: 200,
    });
  }

  /**
   * The open andon calls of one work center (raised or acknowledged), oldest first, with the names of who raised
   * and acknowledged them and the operation they are about — the list a terminal shows.
   */
  async openAndonAt(p: Principal, workCenterId: string): Promise<AndonCallView[]> {
    const m = this.dataSource.manager;
    const siteId = await this.masterData.siteOf('workcenter', workCenterId, m);
    if (!siteId) throw notFound('work center', workCenterId);
    assertSiteAccess(p, siteId);
    const rows = await m.query<AndonCallRow[]>(
      `SELECT a.id, a.kind, a.state, a.work_center_id, a.equipment_id, a.operation_id, a.work_order_id,
              a.message, a.machine_down, a.raised_by, a.raised_at, a.acknowledged_by, a.acknowledged_at,
              r.display_name AS raised_by_name, k.display_name AS acknowledged_by_name,
              wo.code AS work_order_code, op.seq AS operation_seq
         FROM andon_call a
         LEFT JOIN app_user r ON r.id = a.raised_by
         LEFT JOIN app_user k ON k.id = a.acknowledged_by
         LEFT JOIN work_order wo ON wo.id = a.work_order_id
         LEFT JOIN work_order_operation op ON op.id = a.operation_id
        WHERE a.site_id = $1 AND a.work_center_id = $2 AND a.state IN ('raised', 'acknowledged')
        ORDER BY a.raised_at, a.id
        LIMIT 200`,
      [siteId, workCenterId],
    );
    return rows.map((r) => ({
      id: r.id,
      siteId,
      kind: r.kind,
      state: r.state,
      workCenterId: r.work_center_id,
      equipmentId: r.equipment_id,
      operationId: r.operation_id,
      workOrderId: r.work_order_id,
      workOrderCode: r.work_order_code,
      operationSeq: r.operation_seq,
      message: r.message,
      machineDown: r.machine_down,
      raisedBy: { id: r.raised_by, name: r.raised_by_name ?? '' },
      raisedAt: r.raised_at,
      acknowledgedBy: r.acknowledged_by
        ? { id: r.acknowledged_by, name: r.acknowledged_by_name ?? '' }
        : null,
      acknowledgedAt: r.acknowledged_at,
    }));
  }

  private andonEvent(row: AndonCall) {
    return {
      andonId: row.id,
      siteId: row.siteId,
      kind: row.kind,
      state: row.state,
      lineId: row.lineId,
      workCenterId: row.workCenterId,
      equipmentId: row.equipmentId,
      workOrderId: row.workOrderId,
      operationId: row.operationId,
      message: row.message,
      machineDown: row.machineDown,
      downtimeId: row.downtimeId,
      raisedBy: row.raisedBy,
    };
  }

  private async equipmentFor(p: Principal, idOrCode: string, siteHint: string | undefined, m: EntityManager) {
    const siteId =
      siteHint ??
      (isUUID(idOrCode)
        ? await this.masterData.siteOf('equipment', idOrCode, m)
        : p.siteIds.length === 1
          ? p.siteIds[0]
          : undefined);
    if (!siteId) throw notFound('equipment', idOrCode);
    assertSiteAccess(p, siteId);
    const eq = await this.masterData.equipment(siteId, idOrCode, m);
    if (!eq) throw notFound('equipment', idOrCode);
    return eq;
  }
}
