import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Tx } from '../../platform/database/transaction-runner';
import type { OperationStatus } from '../engine/operation-state';
import type { WorkOrderStatus } from '../engine/work-order-state';
import type { WorkOrderPriority } from '../work-orders/work-order.entity';
import { WorkOrdersService } from '../work-orders/work-orders.service';
import type { OperationEquipmentOption } from './operation.entity';

/** Work order states the scheduler plans by default (held ones come too, so the planner is told about them). */
const SCHEDULABLE: readonly WorkOrderStatus[] = [
  'planned',
  'released',
  'kitting',
  'ready',
  'running',
  'held',
];
/** States an order named explicitly (a rush order, a what-if addition) may also be in. */
const NAMED_ALSO: readonly WorkOrderStatus[] = ['draft'];

export interface FeedWorkOrder {
  id: string;
  code: string;
  status: WorkOrderStatus;
  priority: WorkOrderPriority;
  materialId: string;
  quantity: string;
  goodQty: string;
  dueAt: Date;
  plannedStart: Date | null;
  plannedEnd: Date | null;
  lineId: string;
  releasedAt: Date | null;
}

export interface FeedOperation {
  id: string;
  workOrderId: string;
  seq: number;
  name: string;
  workCenterId: string;
  predecessorId: string | null;
  status: OperationStatus;
  /** planned − good − scrap, never negative (decimal string). */
  remainingQty: string;
  minTransferQty: string | null;
  equipmentOptions: OperationEquipmentOption[];
  equipmentId: string | null;
  scheduledEquipmentId: string | null;
  scheduledStart: Date | null;
  startedAt: Date | null;
}

export interface FeedMaterialLine {
  workOrderId: string;
  materialId: string;
  /** required − issued, never negative (decimal string). */
  openQty: string;
  operationSeq: number | null;
}

/** The operation a machine ran last (or runs now): what it is set up for. */
export interface MachineLastRun {
  equipmentId: string;
  operationId: string;
  workOrderId: string;
  materialId: string;
  seq: number;
  running: boolean;
  setupFamily: string | null;
}

export interface SchedulingFeed {
  workOrders: FeedWorkOrder[];
  operations: FeedOperation[];
  materials: FeedMaterialLine[];
  lastRuns: MachineLastRun[];
}

export interface ScheduleToApply {
  /** The schedule version's code, for the audit trail. */
  versionCode: string;
  operations: Array<{ operationId: string; equipmentId: string; start: Date; end: Date }>;
  workOrders: Array<{ workOrderId: string; plannedStart: Date; plannedEnd: Date }>;
}

export interface ScheduleApplied {
  operationsScheduled: number;
  operationsCleared: number;
  workOrdersRescheduled: number;
}

/**
 * What production tells and takes from the planner: the open work (orders, operations, material lines and what
 * each machine is set up for), and the published schedule written onto operations (dispatch lists follow
 * `scheduled_start`) and work orders (planned start and end).
 */
@Injectable()
export class OperationScheduleService {
  constructor(
    private readonly audit: AuditService,
    private readonly workOrders: WorkOrdersService,
  ) {}

  async feed(
    m: EntityManager,
    siteId: string,
    scope: { workOrderIds?: string[]; alsoWorkOrderIds?: string[] },
  ): Promise<SchedulingFeed> {
    const also = scope.alsoWorkOrderIds ?? [];
    const orders: Array<{
      id: string;
      code: string;
      status: WorkOrderStatus;
      priority: WorkOrderPriority;
      material_id: string;
      quantity: string;
      good_qty: string;
      due_at: Date;
      planned_start: Date | null;
      planned_end: Date | null;
      line_id: string;
      released_at: Date | null;
    }> = await m.query(
      `SELECT id, code, status, priority, material_id, trim_scale(quantity)::text AS quantity,
              trim_scale(good_qty)::text AS good_qty, due_at, planned_start, planned_end, line_id, released_at
         FROM work_order
        WHERE site_id = $1
          AND ((status = ANY($2::text[]) AND ($4::uuid[] IS NULL OR id = ANY($4::uuid[])))
               OR (id = ANY($3::uuid[]) AND status = ANY($5::text[])))
        ORDER BY due_at, code`,
      [siteId, SCHEDULABLE, also, scope.workOrderIds ?? null, [...SCHEDULABLE, ...NAMED_ALSO]],
    );
    const ids = orders.map((o) => o.id);
    if (ids.length === 0) return { workOrders: [], operations: [], materials: [], lastRuns: [] };
    const operations: Array<{
      id: string;
      work_order_id: string;
      seq: number;
      name: string;
      work_center_id: string;
      predecessor_id: string | null;
      status: OperationStatus;
      remaining_qty: string;
      min_transfer_qty: string | null;
      equipment_options: OperationEquipmentOption[];
      equipment_id: string | null;
      scheduled_equipment_id: string | null;
      scheduled_start: Date | null;
      started_at: Date | null;
    }> = await m.query(
      `SELECT id, work_order_id, seq, name, work_center_id, predecessor_id, status,
              trim_scale(greatest(planned_qty - good_qty - scrap_qty, 0))::text AS remaining_qty,
              trim_scale(min_transfer_qty)::text AS min_transfer_qty, equipment_options, equipment_id,
              scheduled_equipment_id, scheduled_start, started_at
         FROM work_order_operation WHERE work_order_id = ANY($1::uuid[]) ORDER BY work_order_id, seq`,
      [ids],
    );
    const materials: Array<{
      work_order_id: string;
      material_id: string;
      open_qty: string;
      operation_seq: number | null;
    }> = await m.query(
      `SELECT work_order_id, material_id, trim_scale(greatest(required_qty - issued_qty, 0))::text AS open_qty,
              operation_seq
         FROM work_order_material WHERE work_order_id = ANY($1::uuid[]) AND required_qty > issued_qty
        ORDER BY work_order_id, line_no`,
      [ids],
    );
    const machines = [...new Set(operations.flatMap((o) => o.equipment_options.map((e) => e.equipmentId)))];
    // What each machine ran last in the past month (running first): its setup at the plan's start.
    const last: Array<{
      equipment_id: string;
      id: string;
      work_order_id: string;
      material_id: string;
      seq: number;
      running: boolean;
      equipment_options: OperationEquipmentOption[];
    }> = machines.length
      ? await m.query(
          `SELECT DISTINCT ON (o.equipment_id) o.equipment_id, o.id, o.work_order_id, w.material_id, o.seq,
                  o.status IN ('running', 'paused') AS running, o.equipment_options
             FROM work_order_operation o JOIN work_order w ON w.id = o.work_order_id
            WHERE o.site_id = $1 AND o.equipment_id = ANY($2::uuid[]) AND o.started_at IS NOT NULL
              AND o.started_at > now() - interval '30 days'
            ORDER BY o.equipment_id, o.status IN ('running', 'paused') DESC, o.started_at DESC`,
          [siteId, machines],
        )
      : [];
    return {
      workOrders: orders.map((o) => ({
        id: o.id,
        code: o.code,
        status: o.status,
        priority: o.priority,
        materialId: o.material_id,
        quantity: o.quantity,
        goodQty: o.good_qty,
        dueAt: o.due_at,
        plannedStart: o.planned_start,
        plannedEnd: o.planned_end,
        lineId: o.line_id,
        releasedAt: o.released_at,
      })),
      operations: operations.map((o) => ({
        id: o.id,
        workOrderId: o.work_order_id,
        seq: o.seq,
        name: o.name,
        workCenterId: o.work_center_id,
        predecessorId: o.predecessor_id,
        status: o.status,
        remainingQty: o.remaining_qty,
        minTransferQty: o.min_transfer_qty,
        equipmentOptions: o.equipment_options,
        equipmentId: o.equipment_id,
        scheduledEquipmentId: o.scheduled_equipment_id,
        scheduledStart: o.scheduled_start,
        startedAt: o.started_at,
      })),
      materials: materials.map((l) => ({
        workOrderId: l.work_order_id,
        materialId: l.material_id,
        openQty: l.open_qty,
        operationSeq: l.operation_seq,
      })),
      lastRuns: last.map((r) => ({
        equipmentId: r.equipment_id,
        operationId: r.id,
        workOrderId: r.work_order_id,
        materialId: r.material_id,
        seq: r.seq,
        running: r.running,
        setupFamily: r.equipment_options.find((e) => e.equipmentId === r.equipment_id)?.setupFamily ?? null,
      })),
    };
  }

  /**
   * Writes a published schedule: machine, start and end onto every open operation it plans (dispatch lists
   * order by them), planned start and end onto its work orders (audited per order that moved); open operations
   * of the site it does not plan lose their old schedule, so no dispatch list follows a superseded plan.
   */
  async apply(tx: Tx, siteId: string, schedule: ScheduleToApply): Promise<ScheduleApplied> {
    const m = tx.manager;
    const ops = schedule.operations;
    const [scheduled] = await m.query<[unknown[], number]>(
      `UPDATE work_order_operation o
          SET scheduled_equipment_id = a.equipment_id, scheduled_start = a.starts_at, scheduled_end = a.ends_at
         FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[])
              AS a(id, equipment_id, starts_at, ends_at)
        WHERE o.id = a.id AND o.site_id = $1 AND o.status <> 'completed'
        RETURNING o.id`,
      [
        siteId,
        ops.map((o) => o.operationId),
        ops.map((o) => o.equipmentId),
        ops.map((o) => o.start.toISOString()),
        ops.map((o) => o.end.toISOString()),
      ],
    );
    const [cleared] = await m.query<[unknown[], number]>(
      `UPDATE work_order_operation o
          SET scheduled_equipment_id = NULL, scheduled_start = NULL, scheduled_end = NULL
        WHERE o.site_id = $1 AND o.status <> 'completed' AND o.scheduled_start IS NOT NULL
          AND NOT (o.id = ANY($2::uuid[]))
        RETURNING o.id`,
      [siteId, ops.map((o) => o.operationId)],
    );
    const orders = schedule.workOrders;
    const [moved] = await m.query<
      [
        Array<{
          id: string;
          code: string;
          before_start: Date | null;
          before_end: Date | null;
          planned_start: Date;
          planned_end: Date;
        }>,
        number,
      ]
    >(
      `UPDATE work_order w
          SET planned_start = x.planned_start, planned_end = x.planned_end, version = w.version + 1,
              updated_at = now()
         FROM unnest($2::uuid[], $3::timestamptz[], $4::timestamptz[]) AS x(id, planned_start, planned_end),
              LATERAL (SELECT planned_start AS before_start, planned_end AS before_end
                         FROM work_order b WHERE b.id = x.id) b
        WHERE w.id = x.id AND w.site_id = $1 AND w.status NOT IN ('completed', 'closed', 'cancelled')
          AND (w.planned_start IS DISTINCT FROM x.planned_start OR w.planned_end IS DISTINCT FROM x.planned_end)
        RETURNING w.id, w.code, b.before_start, b.before_end, w.planned_start, w.planned_end`,
      [
        siteId,
        orders.map((o) => o.workOrderId),
        orders.map((o) => o.plannedStart.toISOString()),
        orders.map((o) => o.plannedEnd.toISOString()),
      ],
    );
    for (const wo of moved) {
      await this.audit.record(tx, {
        entityType: 'work_order',
        entityId: wo.id,
        siteId,
        action: 'work_order.scheduled',
        before: { plannedStart: wo.before_start, plannedEnd: wo.before_end },
        after: { plannedStart: wo.planned_start, plannedEnd: wo.planned_end, schedule: schedule.versionCode },
      });
    }
    return {
      operationsScheduled: scheduled.length,
      operationsCleared: cleared.length,
      workOrdersRescheduled: moved.length,
    };
  }

  /**
   * Sets a work order's priority inside the caller's transaction (audited; the warehouse hears of it through
   * the priority event). A draft order is planned on the way, so a rush order reaches the shop floor. Answers
   * whether anything changed.
   */
  async changePriority(
    tx: Tx,
    siteId: string,
    workOrderId: string,
    priority: WorkOrderPriority,
    reason: string,
  ): Promise<boolean> {
    let wo = await this.workOrders.lock(tx.manager, siteId, workOrderId);
    if (wo.status === 'completed' || wo.status === 'closed' || wo.status === 'cancelled') return false;
    let changed = false;
    if (wo.status === 'draft') {
      wo = (await this.workOrders.transitionIn(tx, siteId, workOrderId, 'plan', reason))!;
      changed = true;
    }
    if (wo.priority === priority) return changed;
    await tx.manager.query(
      `UPDATE work_order SET priority = $2, version = version + 1, updated_at = now() WHERE id = $1`,
      [workOrderId, priority],
    );
    await this.audit.record(tx, {
      entityType: 'work_order',
      entityId: workOrderId,
      siteId,
      action: 'work_order.updated',
      before: { priority: wo.priority },
      after: { priority },
      reason,
    });
    tx.raise('production.workorder.priority_changed', {
      workOrderId,
      siteId,
      code: wo.code,
      priority,
      previousPriority: wo.priority,
    });
    return true;
  }
}
