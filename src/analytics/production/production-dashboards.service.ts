import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import { iso8601 } from '../../platform/database/iso8601';
import { ProductionFacade, type WaitingReason } from '../../production/production.facade';
import { DashboardScope, type LineRef } from '../dashboard-scope';
import {
  countRatio,
  inProcessQty,
  progressOf,
  quantityRatio,
  remainingQty,
  sumQuantities,
} from '../engine/kpi';

/** Orders released to the shop floor and not finished. */
const ACTIVE = ['released', 'kitting', 'ready', 'running', 'held'];

interface Scope {
  siteId: string;
  line: LineRef | null;
}

export interface WorkOrderProgress {
  id: string;
  code: string;
  lineId: string;
  lineCode: string;
  materialCode: string;
  unit: string;
  status: string;
  priority: string;
  plannedQty: string;
  goodQty: string;
  scrapQty: string;
  /** goodQty / plannedQty, 0..1 (4 places). */
  progress: number | null;
  dueAt: string;
  completedAt: string | null;
  late: boolean;
}

export interface LineProgress {
  siteId: string;
  from: string;
  to: string;
  at: string;
  line: LineRef | null;
  lines: Array<{
    lineId: string;
    lineCode: string;
    orders: number;
    late: number;
    plannedQty: string;
    goodQty: string;
    scrapQty: string;
    progress: number | null;
  }>;
  workOrders: WorkOrderProgress[];
}

export interface OnTimeDelivery {
  siteId: string;
  from: string;
  to: string;
  line: LineRef | null;
  completed: number;
  onTime: number;
  late: number;
  /** onTime / completed (4 places); null when nothing was completed. */
  rate: number | null;
  byLine: Array<{
    lineId: string;
    lineCode: string;
    completed: number;
    onTime: number;
    late: number;
    rate: number | null;
  }>;
  workOrders: Array<{
    id: string;
    code: string;
    lineCode: string;
    materialCode: string;
    dueAt: string;
    completedAt: string;
    onTime: boolean;
    /** How late it was completed, in whole minutes (0 when on time). */
    lateMinutes: number;
  }>;
}

export interface WorkInProcess {
  siteId: string;
  at: string;
  line: LineRef | null;
  workCenters: Array<{
    workCenterId: string;
    code: string;
    name: string;
    lineCode: string;
    operations: { waiting: number; ready: number; running: number; paused: number };
    /** Why the waiting ones wait (an operation may wait for several reasons). */
    waitingReasons: Partial<Record<WaitingReason, number>>;
    /** Units at the work center now: received from the previous step (or started) and not yet reported. */
    inProcessQty: string;
    /** Good units its open operations still have to make. */
    remainingQty: string;
  }>;
  total: {
    operations: { waiting: number; ready: number; running: number; paused: number };
    inProcessQty: string;
    remainingQty: string;
  };
}

export interface KittingDashboard {
  siteId: string;
  at: string;
  line: LineRef | null;
  released: number;
  staged: number;
  /** 齐套率: staged / released, 0..1 (4 places); 1 when nothing waits for material. */
  rate: number;
  byLine: Array<{ lineId: string; lineCode: string; released: number; staged: number; rate: number }>;
  orders: Array<{
    workOrderId: string;
    code: string;
    status: string;
    lineId: string;
    plannedStart: string | null;
    staged: boolean;
    missing: Array<{ materialId: string; materialCode: string; missingQty: string }>;
  }>;
}

interface ProgressRow {
  id: string;
  code: string;
  status: string;
  priority: string;
  line_id: string;
  line_code: string;
  material_code: string;
  unit: string;
  planned: string;
  good: string;
  scrap: string;
  due_at: string;
  completed_at: string | null;
  late: boolean;
}

/** Production on the shop floor: progress of orders and lines, on-time delivery, WIP, kitting rate. */
@Injectable()
export class ProductionDashboardsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scope: DashboardScope,
    private readonly production: ProductionFacade,
  ) {}

  /**
   * Planned against done, per order and per line: the orders on the shop floor (released to held) and every
   * other order (not draft or cancelled) due in the period. Done is the good quantity reported at the order's
   * last operation so far, scrap what every operation scrapped; an order is late when it was completed after
   * its due time, or is not completed and its due time has passed.
   */
  async lineProgress(q: Scope & { from: Date; to: Date }, now: Date = new Date()): Promise<LineProgress> {
    const rows = await this.dataSource.query<ProgressRow[]>(
      `SELECT w.id, w.code, w.status, w.priority, w.line_id, l.code AS line_code, m.code AS material_code,
              u.code AS unit, trim_scale(w.quantity)::text AS planned,
              trim_scale(coalesce((SELECT o.good_qty FROM work_order_operation o WHERE o.work_order_id = w.id
                                    ORDER BY o.seq DESC LIMIT 1), 0))::text AS good,
              trim_scale(coalesce((SELECT sum(o.scrap_qty) FROM work_order_operation o
                                    WHERE o.work_order_id = w.id), 0))::text AS scrap,
              ${iso8601('w.due_at')} AS due_at, ${iso8601('w.completed_at')} AS completed_at,
              CASE WHEN w.completed_at IS NOT NULL THEN w.completed_at > w.due_at ELSE w.due_at < $5 END AS late
         FROM work_order w
         JOIN production_line l ON l.id = w.line_id
         JOIN material m ON m.id = w.material_id
         JOIN unit_of_measure u ON u.id = w.unit_id
        WHERE w.site_id = $1 AND ($2::uuid IS NULL OR w.line_id = $2)
          AND w.status NOT IN ('draft', 'cancelled')
          AND (w.status = ANY($6::text[]) OR (w.due_at >= $3 AND w.due_at < $4))
        ORDER BY l.code, w.due_at, w.code`,
      [q.siteId, q.line?.id ?? null, q.from, q.to, now, ACTIVE],
    );
    const workOrders = rows.map((r): WorkOrderProgress => ({
      id: r.id,
      code: r.code,
      lineId: r.line_id,
      lineCode: r.line_code,
      materialCode: r.material_code,
      unit: r.unit,
      status: r.status,
      priority: r.priority,
      plannedQty: r.planned,
      goodQty: r.good,
      scrapQty: r.scrap,
      progress: progressOf(r.good, r.planned),
      dueAt: r.due_at,
      completedAt: r.completed_at,
      late: r.late,
    }));
    const lines = groupBy(workOrders, (w) => w.lineId).map((orders) => {
      const plannedQty = sumQuantities(orders.map((o) => o.plannedQty));
      const goodQty = sumQuantities(orders.map((o) => o.goodQty));
      return {
        lineId: orders[0]!.lineId,
        lineCode: orders[0]!.lineCode,
        orders: orders.length,
        late: orders.filter((o) => o.late).length,
        plannedQty,
        goodQty,
        scrapQty: sumQuantities(orders.map((o) => o.scrapQty)),
        progress: progressOf(goodQty, plannedQty),
      };
    });
    return {
      siteId: q.siteId,
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      at: now.toISOString(),
      line: q.line,
      lines,
      workOrders,
    };
  }

  /** Orders completed in the period: on time when completed by their due time. */
  async onTimeDelivery(q: Scope & { from: Date; to: Date }): Promise<OnTimeDelivery> {
    const rows = await this.dataSource.query<
      Array<{
        id: string;
        code: string;
        line_id: string;
        line_code: string;
        material_code: string;
        due_at: string;
        completed_at: string;
        on_time: boolean;
        late_minutes: number;
      }>
    >(
      `SELECT w.id, w.code, w.line_id, l.code AS line_code, m.code AS material_code,
              ${iso8601('w.due_at')} AS due_at, ${iso8601('w.completed_at')} AS completed_at,
              w.completed_at <= w.due_at AS on_time,
              greatest(floor(extract(epoch FROM w.completed_at - w.due_at) / 60), 0)::int AS late_minutes
         FROM work_order w
         JOIN production_line l ON l.id = w.line_id
         JOIN material m ON m.id = w.material_id
        WHERE w.site_id = $1 AND ($2::uuid IS NULL OR w.line_id = $2)
          AND w.completed_at >= $3 AND w.completed_at < $4
        ORDER BY l.code, w.completed_at, w.code`,
      [q.siteId, q.line?.id ?? null, q.from, q.to],
    );
    const tally = (list: typeof rows) => {
      const onTime = list.filter((r) => r.on_time).length;
      return {
        completed: list.length,
        onTime,
        late: list.length - onTime,
        rate: countRatio(onTime, list.length),
      };
    };
    return {
      siteId: q.siteId,
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      line: q.line,
      ...tally(rows),
      byLine: groupBy(rows, (r) => r.line_id).map((list) => ({
        lineId: list[0]!.line_id,
        lineCode: list[0]!.line_code,
        ...tally(list),
      })),
      workOrders: rows.map((r) => ({
        id: r.id,
        code: r.code,
        lineCode: r.line_code,
        materialCode: r.material_code,
        dueAt: r.due_at,
        completedAt: r.completed_at,
        onTime: r.on_time,
        lateMinutes: r.late_minutes,
      })),
    };
  }

  /**
   * Work in process by work center, now: the open operations of the orders on the shop floor counted by their
   * dispatch state (as the dispatch lists show it), the units at each work center and the good units still
   * to make. Every active work center of the scope is listed, idle ones with zeros.
   */
  async wip(q: Scope, now: Date = new Date()): Promise<WorkInProcess> {
    const m = this.dataSource.manager;
    const centers = await m.query<Array<{ id: string; code: string; name: string; line_code: string }>>(
      `SELECT wc.id, wc.code, wc.name, l.code AS line_code
         FROM work_center wc JOIN production_line l ON l.id = wc.line_id
        WHERE wc.site_id = $1 AND wc.active AND ($2::uuid IS NULL OR wc.line_id = $2)
        ORDER BY l.code, wc.code`,
      [q.siteId, q.line?.id ?? null],
    );
    const operations = await this.production.openOperations(m, q.siteId, q.line?.id);
    const counts = (list: typeof operations) => ({
      waiting: list.filter((o) => o.state === 'waiting').length,
      ready: list.filter((o) => o.state === 'ready').length,
      running: list.filter((o) => o.state === 'running').length,
      paused: list.filter((o) => o.state === 'paused').length,
    });
    const workCenters = centers.map((wc) => {
      const ops = operations.filter((o) => o.workCenterId === wc.id);
      const waitingReasons: Partial<Record<WaitingReason, number>> = {};
      for (const reason of ops.flatMap((o) => o.waitingReasons))
        waitingReasons[reason] = (waitingReasons[reason] ?? 0) + 1;
      return {
        workCenterId: wc.id,
        code: wc.code,
        name: wc.name,
        lineCode: wc.line_code,
        operations: counts(ops),
        waitingReasons,
        inProcessQty: sumQuantities(ops.map(inProcessQty)),
        remainingQty: sumQuantities(ops.map(remainingQty)),
      };
    });
    const inScope = operations.filter((o) => centers.some((c) => c.id === o.workCenterId));
    return {
      siteId: q.siteId,
      at: now.toISOString(),
      line: q.line,
      workCenters,
      total: {
        operations: counts(inScope),
        inProcessQty: sumQuantities(workCenters.map((w) => w.inProcessQty)),
        remainingQty: sumQuantities(workCenters.map((w) => w.remainingQty)),
      },
    };
  }

  /** 齐套率 as production computes it (released, not started orders whose every material is at their line). */
  async kitting(p: Principal, q: Scope, now: Date = new Date()): Promise<KittingDashboard> {
    const k = await this.production.kittingRate(p, q.siteId, q.line?.id);
    const rate = (r: string) => quantityRatio(r, '1') ?? 1;
    return {
      siteId: q.siteId,
      at: now.toISOString(),
      line: q.line,
      released: k.released,
      staged: k.staged,
      rate: rate(k.rate),
      byLine: k.byLine.map((l) => ({ ...l, rate: rate(l.rate) })),
      orders: k.orders.map((o) => ({
        workOrderId: o.workOrderId,
        code: o.code,
        status: o.status,
        lineId: o.lineId,
        plannedStart: o.plannedStart,
        staged: o.staged,
        missing: o.missing,
      })),
    };
  }
}

/** Items grouped by a key, groups in the order their first item came. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}
