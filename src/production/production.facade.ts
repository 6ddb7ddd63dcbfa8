import { WorkOrderTraceQueries } from './work-orders/work-order-trace.queries';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TransactionRunner, type Tx } from '../platform/database/transaction-runner';
import { compare, parseDecimal } from '../platform/engine/decimal';
import { DomainError } from '../platform/errors/domain-error';
import {
  OperationScheduleService,
  type ScheduleApplied,
  type ScheduleToApply,
  type SchedulingFeed,
} from './operations/operation-schedule.service';
import { dispatchState, type OperationStatus, type WaitingReason } from './engine/operation-state';
import type { WorkOrderStatus } from './engine/work-order-state';
import { ProductionErrorCode } from './production.errors';
import type { Principal } from '../platform/auth/principal';
import { notFound } from '../platform/errors/domain-error';
import { MasterDataFacade } from '../master-data/master-data.facade';
import { MachineHistoryQueries, type MachineHistory } from './shop-floor/machine-history.queries';
import { ShopFloorService } from './shop-floor/shop-floor.service';
import { WorkOrder, type WorkOrderPriority } from './work-orders/work-order.entity';
import { WorkOrdersService, type WorkOrderView } from './work-orders/work-orders.service';
import { KittingRateService, type KittingRateView } from './work-orders/kitting-rate.service';
import { MachineDowntimeService } from './shop-floor/machine-downtime.service';
import { ReportQuantityService } from './terminal/report-quantity.service';
import type { EquipmentStatus } from '../master-data/master-data.facade';

export type {
  FeedMaterialLine,
  FeedOperation,
  FeedWorkOrder,
  MachineLastRun,
  ScheduleApplied,
  ScheduleToApply,
  SchedulingFeed,
} from './operations/operation-schedule.service';
export type { WorkOrderPriority } from './work-orders/work-order.entity';
export type { KittingRateView } from './work-orders/kitting-rate.service';
export type { OperationStatus, WaitingReason } from './engine/operation-state';
export type {
  DowntimeSpan,
  MachineHistory,
  MachineOutput,
  TimeSpan,
} from './shop-floor/machine-history.queries';

export interface ErpOrderLine {
  erpOrderId: string;
  erpSegmentId: string;
  /** Material code or id. */
  material: string;
  quantity: string;
  dueAt: string;
  plannedStart?: string;
  priority: 'normal' | 'rush';
  notes?: string;
}

export interface ErpImportResult {
  created: boolean;
  workOrders: WorkOrderView[];
}

export type { OperationTrace, WorkOrderHead, WorkOrderTrace } from './work-orders/work-order-trace.queries';

/** What other modules (ERP bridge, planning) may ask of production. */
@Injectable()
export class ProductionFacade {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly dataSource: DataSource,
    private readonly workOrders: WorkOrdersService,
    private readonly schedule: OperationScheduleService,
    private readonly shopFloor: ShopFloorService,
    private readonly machines: MachineHistoryQueries,
    private readonly masterData: MasterDataFacade,
    private readonly kitting: KittingRateService,
    private readonly machineDowntime: MachineDowntimeService,
    private readonly reports: ReportQuantityService,
    /** Read-only trace questions: work orders with operations, operators, machines and captured parameters. */
    readonly trace: WorkOrderTraceQueries,
  ) {}

  /**
   * The open work the planner schedules: orders planned to running (held ones too, flagged by status), or only
   * those named in `workOrderIds`; `alsoWorkOrderIds` adds orders named explicitly (a draft rush order). Their
   * operations, open material lines and what each machine ran last come with them.
   */
  schedulingFeed(
    siteId: string,
    scope: { workOrderIds?: string[]; alsoWorkOrderIds?: string[] },
    manager = this.dataSource.manager,
  ): Promise<SchedulingFeed> {
    return this.schedule.feed(manager, siteId, scope);
  }

  /** Writes a published schedule onto operations and work orders, inside the caller's transaction. */
  applySchedule(tx: Tx, siteId: string, schedule: ScheduleToApply): Promise<ScheduleApplied> {
    return this.schedule.apply(tx, siteId, schedule);
  }

  /** Sets a work order's priority (a draft is planned on the way), inside the caller's transaction. */
  changePriority(
    tx: Tx,
    siteId: string,
    workOrderId: string,
    priority: WorkOrderPriority,
    reason: string,
  ): Promise<boolean> {
    return this.schedule.changePriority(tx, siteId, workOrderId, priority, reason);
  }

  /**
   * The warehouse's progress on a work order's material (pick task accepted → `kitting`, every line delivered
   * → `ready`), inside the caller's transaction. An order that has moved on (started, held, cancelled) is
   * left alone and false is answered.
   */
  async kittingProgress(
    tx: Tx,
    siteId: string,
    workOrderId: string,
    step: 'start_kitting' | 'mark_ready',
    reason: string,
  ): Promise<boolean> {
    const from = step === 'start_kitting' ? (['released'] as const) : (['released', 'kitting'] as const);
    return (await this.workOrders.transitionIn(tx, siteId, workOrderId, step, reason, from)) !== null;
  }

  /**
   * Creates the work orders of one ERP order, all or nothing, idempotent on the ERP order id: a repeat
   * answers the orders made the first time; a changed repeat is refused once they have been released.
   */
  importErpOrder(siteId: string, lines: ErpOrderLine[]): Promise<ErpImportResult> {
    return this.tx.run(async (tx) => {
      const erpOrderId = lines[0]!.erpOrderId;
      // Two deliveries of the same ERP order at once: the second waits and then sees the first.
      await tx.manager.query(`SELECT pg_advisory_xact_lock(hashtext('production.erp:' || $1 || ':' || $2))`, [
        siteId,
        erpOrderId,
      ]);
      const existing = await tx.manager
        .getRepository(WorkOrder)
        .find({ where: { siteId, erpOrderId }, order: { erpSegmentId: 'ASC' } });
      if (existing.length > 0) {
        for (const line of lines) {
          const wo = existing.find((w) => w.erpSegmentId === line.erpSegmentId);
          const same =
            wo &&
            compare(parseDecimal(wo.quantity), parseDecimal(line.quantity)) === 0 &&
            wo.dueAt.getTime() === Date.parse(line.dueAt);
          if (!same) {
            throw new DomainError(
              'conflict',
              ProductionErrorCode.ERP_ORDER_CONFLICT,
              `ERP order ${erpOrderId} was imported before with other content (${existing.map((w) => w.code).join(', ')}); change those work orders in MOM instead`,
              {
                extensions: {
                  workOrders: existing.map((w) => ({ id: w.id, code: w.code, status: w.status })),
                },
              },
            );
          }
        }
        return {
          created: false,
          workOrders: await Promise.all(existing.map((w) => this.workOrders.view(tx.manager, w))),
        };
      }
      const made: WorkOrderView[] = [];
      for (const line of lines) {
        const wo = await this.workOrders.createIn(tx, siteId, {
          material: line.material,
          quantity: line.quantity,
          dueAt: line.dueAt,
          plannedStart: line.plannedStart,
          priority: line.priority,
          notes: line.notes,
          source: 'erp',
          erpOrderId: line.erpOrderId,
          erpSegmentId: line.erpSegmentId,
          status: 'planned',
        });
        made.push(await this.workOrders.view(tx.manager, wo));
      }
      return { created: true, workOrders: made };
    });
  }
  /**
   * Holds a work order (quality: a rule violation on its operation's chart), inside the caller's transaction.
   * Only an order between release and running is held; false when it was in another state (already held,
   * completed …) and nothing changed.
   */
  async holdWorkOrder(tx: Tx, siteId: string, workOrderId: string, reason: string): Promise<boolean> {
    const from = ['released', 'kitting', 'ready', 'running'] as const;
    return (await this.workOrders.transitionIn(tx, siteId, workOrderId, 'hold', reason, from)) !== null;
  }

  /** Opens a rework order (返工单) for a material, e.g. from an NCR disposed as rework, in the caller's transaction. */
  async createReworkOrder(
    tx: Tx,
    siteId: string,
    c: { material: string; quantity: string; dueAt: string; notes: string },
  ): Promise<{ id: string; code: string; status: string }> {
    const wo = await this.workOrders.createIn(tx, siteId, {
      material: c.material,
      quantity: c.quantity,
      dueAt: c.dueAt,
      notes: c.notes,
      source: 'rework',
      status: 'planned',
    });
    return { id: wo.id, code: wo.code, status: wo.status };
  }

  /** An operation with its order's context (what an IPQC inspection is about), or null when it does not exist. */
  async operationContext(manager: EntityManager, operationId: string): Promise<OperationContext | null> {
    const rows = await manager.query<OperationContextRow[]>(`${OPERATION_CONTEXT_SQL} WHERE o.id = $1`, [
      operationId,
    ]);
    return rows[0] ? toOperationContext(rows[0]) : null;
  }

  /**
   * A machine broke down (in the caller's transaction): its running operations pause, downtime starts with
   * the reason named (else the site's first unplanned downtime reason) and the machine goes `down`.
   */
  async breakdown(
    tx: Tx,
    p: Principal,
    siteId: string,
    equipmentId: string,
    reasonCode?: string,
    note?: string,
  ): Promise<{ downtimeId: string; pausedOperationIds: string[] }> {
    const eq = await this.masterData.equipment(siteId, equipmentId, tx.manager);
    if (!eq) throw notFound('equipment', equipmentId);
    const r = await this.shopFloor.breakdownIn(tx, p, eq, reasonCode, note);
    return { downtimeId: r.downtime.id, pausedOperationIds: r.pausedOperationIds };
  }

  /** Ends a machine's open downtime (the machine comes back idle, or running); false when it had none. */
  async endDowntime(
    tx: Tx,
    p: Principal,
    siteId: string,
    equipmentId: string,
    note?: string,
  ): Promise<boolean> {
    const eq = await this.masterData.equipment(siteId, equipmentId, tx.manager);
    if (!eq) throw notFound('equipment', equipmentId);
    return (await this.shopFloor.stopDowntimeIn(tx, p, eq, note)) !== null;
  }

  /**
   * The machine reported a stop (`down`, `setup`) at `at`, in the caller's transaction: an unclassified downtime
   * opens for the operator to classify. False when a stop was already open.
   */
  async machineStopped(
    tx: Tx,
    siteId: string,
    equipmentId: string,
    at: Date,
    state: 'down' | 'setup',
  ): Promise<boolean> {
    const eq = await this.masterData.equipment(siteId, equipmentId, tx.manager);
    if (!eq) throw notFound('equipment', equipmentId);
    return (await this.machineDowntime.stoppedIn(tx, eq, at, state)) !== null;
  }

  /**
   * The machine reported it is no longer stopped (`status`: running, idle, off) at `at`: its machine-reported
   * downtime ends then, and the machine's status follows. False when no machine-reported stop was open.
   */
  async machineResumed(
    tx: Tx,
    siteId: string,
    equipmentId: string,
    at: Date,
    status: EquipmentStatus,
  ): Promise<boolean> {
    const eq = await this.masterData.equipment(siteId, equipmentId, tx.manager);
    if (!eq) throw notFound('equipment', equipmentId);
    return (await this.machineDowntime.resumedIn(tx, eq, at, status)) !== null;
  }

  /**
   * Good and scrap a machine counted on its running operation (machine counts as the authority), in the
   * caller's transaction, with the same guards as an operator's report. False when the operation could not
   * take it (not running, over its limit, unknown scrap reason); nothing changed then.
   */
  reportFromMachine(
    tx: Tx,
    p: Principal,
    operationId: string,
    c: { goodQty: string; scrapQty: string; scrapReasonCode?: string },
  ): Promise<boolean> {
    return this.reports.reportFromMachineIn(tx, p, operationId, c.goodQty, c.scrapQty, c.scrapReasonCode);
  }

  /** The operation running on each of some machines now (with its order's context and parameters). */
  async runningOperationsOn(
    manager: EntityManager,
    equipmentIds: string[],
  ): Promise<Map<string, RunningOperation>> {
    const rows = await manager.query<
      Array<{
        equipment_id: string;
        id: string;
        work_order_id: string;
        wo_code: string;
        seq: number;
        parameters: Array<{ name: string; unit?: string; min?: number; max?: number }>;
        good_qty: string;
        scrap_qty: string;
      }>
    >(
      `SELECT DISTINCT ON (o.equipment_id) o.equipment_id, o.id, o.work_order_id, w.code AS wo_code, o.seq,
              o.parameters, trim_scale(o.good_qty)::text AS good_qty, trim_scale(o.scrap_qty)::text AS scrap_qty
         FROM work_order_operation o JOIN work_order w ON w.id = o.work_order_id
        WHERE o.equipment_id = ANY($1::uuid[]) AND o.status = 'running'
        ORDER BY o.equipment_id, o.started_at DESC NULLS LAST, o.id`,
      [equipmentIds],
    );
    return new Map(
      rows.map((r) => [
        r.equipment_id,
        {
          operationId: r.id,
          workOrderId: r.work_order_id,
          workOrderCode: r.wo_code,
          seq: r.seq,
          parameters: r.parameters ?? [],
          goodQty: r.good_qty,
          scrapQty: r.scrap_qty,
        },
      ]),
    );
  }

  /** Acknowledges or resolves an andon call in the caller's transaction (unchanged when already there). */
  async moveAndon(
    tx: Tx,
    p: Principal,
    andonId: string,
    to: 'acknowledged' | 'resolved',
    note?: string,
  ): Promise<void> {
    await this.shopFloor.moveAndonIn(tx, p, andonId, to, note);
  }

  /** What machines did between two instants: running spans, downtime with reasons, output with ideal cycle times. */
  machineHistory(
    manager: EntityManager,
    equipmentIds: string[],
    from: Date,
    to: Date,
  ): Promise<MachineHistory> {
    return this.machines.history(manager, equipmentIds, from, to);
  }

  /** Hours a machine ran operations between two instants. */
  runningHours(manager: EntityManager, equipmentId: string, from: Date, to: Date): Promise<number> {
    return this.machines.runningHours(manager, equipmentId, from, to);
  }

  /** Good + scrap reported on a machine between two instants. */
  reportedQuantity(manager: EntityManager, equipmentId: string, from: Date, to: Date): Promise<string> {
    return this.machines.reportedQuantity(manager, equipmentId, from, to);
  }

  /**
   * 齐套率: of the released, not yet started orders (of one line, or all), how many have every material staged
   * at their line; per line and per order with what is missing.
   */
  kittingRate(p: Principal, siteId: string, lineId?: string): Promise<KittingRateView> {
    return this.kitting.of(p, siteId, lineId);
  }

  /**
   * The open operations of the orders on the shop floor (released to held), of one line or all, each with its
   * dispatch state as the dispatch lists show it (`waiting` with every reason, `ready`, `running`, `paused`)
   * and the good quantity its predecessor has passed on.
   */
  async openOperations(manager: EntityManager, siteId: string, lineId?: string): Promise<OpenOperation[]> {
    const rows = await manager.query<OpenOperationRow[]>(
      `SELECT o.id, o.seq, o.status, o.work_order_id, w.code AS wo_code, w.status AS wo_status, w.line_id,
              o.work_center_id, o.equipment_id, o.started_at,
              trim_scale(o.planned_qty)::text AS planned_qty, trim_scale(o.good_qty)::text AS good_qty,
              trim_scale(o.scrap_qty)::text AS scrap_qty,
              p.status AS pred_status, trim_scale(p.good_qty)::text AS pred_good,
              trim_scale(p.min_transfer_qty)::text AS pred_transfer,
              EXISTS (SELECT 1 FROM work_order_material wm WHERE wm.work_order_id = w.id AND wm.operation_seq = o.seq
                         AND wm.issue_method = 'manual' AND wm.short_qty_at_release IS NOT NULL
                         AND wm.issued_qty < wm.required_qty) AS material_short,
              (jsonb_array_length(o.equipment_options) > 0 AND NOT EXISTS (
                 SELECT 1 FROM jsonb_array_elements(o.equipment_options) e JOIN equipment q ON q.id = (e->>'equipmentId')::uuid
                  WHERE q.status NOT IN ('down', 'maintenance'))) AS machines_down
         FROM work_order_operation o
         JOIN work_order w ON w.id = o.work_order_id
         LEFT JOIN work_order_operation p ON p.id = o.predecessor_id
        WHERE o.site_id = $1 AND o.status <> 'completed'
          AND w.status IN ('released', 'kitting', 'ready', 'running', 'held')
          AND ($2::uuid IS NULL OR w.line_id = $2)
        ORDER BY w.code, o.seq`,
      [siteId, lineId ?? null],
    );
    return rows.map((r) => {
      const predecessor = r.pred_status ? { status: r.pred_status, goodQty: r.pred_good ?? '0' } : null;
      const state = dispatchState({
        status: r.status,
        workOrderStatus: r.wo_status,
        predecessor,
        minTransferQty: r.pred_transfer,
        materialShort: r.material_short,
        machinesDown: r.machines_down,
      });
      return {
        operationId: r.id,
        seq: r.seq,
        workOrderId: r.work_order_id,
        workOrderCode: r.wo_code,
        lineId: r.line_id,
        workCenterId: r.work_center_id,
        equipmentId: r.equipment_id,
        state: state.state,
        waitingReasons: state.waitingReasons,
        started: r.started_at !== null,
        plannedQty: r.planned_qty,
        goodQty: r.good_qty,
        scrapQty: r.scrap_qty,
        predecessorGoodQty: predecessor ? predecessor.goodQty : null,
      };
    });
  }

  /** Every running operation (of running orders), for inspections due by time. */
  async runningOperations(manager: EntityManager): Promise<OperationContext[]> {
    const rows = await manager.query<OperationContextRow[]>(
      `${OPERATION_CONTEXT_SQL} WHERE o.status = 'running' AND w.status = 'running' ORDER BY o.started_at`,
    );
    return rows.map(toOperationContext);
  }
}

/** The operation running on a machine (see `runningOperationsOn`). */
export interface RunningOperation {
  operationId: string;
  workOrderId: string;
  workOrderCode: string;
  seq: number;
  /** Process parameters to capture, with the routing's limits. */
  parameters: Array<{ name: string; unit?: string; min?: number; max?: number }>;
  goodQty: string;
  scrapQty: string;
}

/** An open operation on the shop floor with its dispatch state (see `openOperations`). */
export interface OpenOperation {
  operationId: string;
  seq: number;
  workOrderId: string;
  workOrderCode: string;
  lineId: string;
  workCenterId: string;
  equipmentId: string | null;
  /** As dispatch lists show it: waiting (with reasons), ready, running or paused. */
  state: OperationStatus;
  waitingReasons: WaitingReason[];
  /** It has been started at least once. */
  started: boolean;
  plannedQty: string;
  goodQty: string;
  scrapQty: string;
  /** Good quantity the previous operation has passed on; null for the first operation. */
  predecessorGoodQty: string | null;
}

interface OpenOperationRow {
  id: string;
  seq: number;
  status: OperationStatus;
  work_order_id: string;
  wo_code: string;
  wo_status: WorkOrderStatus;
  line_id: string;
  work_center_id: string;
  equipment_id: string | null;
  started_at: Date | null;
  planned_qty: string;
  good_qty: string;
  scrap_qty: string;
  pred_status: OperationStatus | null;
  pred_good: string | null;
  pred_transfer: string | null;
  material_short: boolean;
  machines_down: boolean;
}

export interface OperationContext {
  operationId: string;
  siteId: string;
  seq: number;
  name: string;
  status: string;
  goodQty: string;
  startedAt: Date | null;
  workCenterId: string;
  equipmentId: string | null;
  workOrderId: string;
  workOrderCode: string;
  workOrderStatus: string;
  lineId: string;
  materialId: string;
}

interface OperationContextRow {
  id: string;
  site_id: string;
  seq: number;
  name: string;
  status: string;
  good_qty: string;
  started_at: Date | null;
  work_center_id: string;
  equipment_id: string | null;
  work_order_id: string;
  wo_code: string;
  wo_status: string;
  line_id: string;
  material_id: string;
}

const OPERATION_CONTEXT_SQL = `
  SELECT o.id, o.site_id, o.seq, o.name, o.status, trim_scale(o.good_qty)::text AS good_qty, o.started_at,
         o.work_center_id, o.equipment_id, o.work_order_id, w.code AS wo_code, w.status AS wo_status, w.line_id,
         w.material_id
    FROM work_order_operation o JOIN work_order w ON w.id = o.work_order_id`;

function toOperationContext(r: OperationContextRow): OperationContext {
  return {
    operationId: r.id,
    siteId: r.site_id,
    seq: r.seq,
    name: r.name,
    status: r.status,
    goodQty: r.good_qty,
    startedAt: r.started_at,
    workCenterId: r.work_center_id,
    equipmentId: r.equipment_id,
    workOrderId: r.work_order_id,
    workOrderCode: r.wo_code,
    workOrderStatus: r.wo_status,
    lineId: r.line_id,
    materialId: r.material_id,
  };
}
