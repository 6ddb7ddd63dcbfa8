import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A work order as a trace shows it: what was made, on which line, when, by whom, on which machines. */
export interface WorkOrderTrace {
  id: string;
  siteId: string;
  code: string;
  status: string;
  source: string;
  materialCode: string;
  quantity: string;
  goodQty: string;
  scrapQty: string;
  lineCode: string;
  startedAt: string | null;
  completedAt: string | null;
  operations: OperationTrace[];
}

export interface WorkOrderHead {
  id: string;
  siteId: string;
  code: string;
  status: string;
  materialCode: string;
  lineCode: string;
}

export interface OperationTrace {
  id: string;
  seq: number;
  name: string;
  status: string;
  workCenterCode: string;
  equipmentCode: string | null;
  goodQty: string;
  scrapQty: string;
  startedAt: string | null;
  completedAt: string | null;
  operators: Array<{ id: string; name: string; from: string; to: string | null }>;
  /** Process parameters captured while it ran (the latest `perOperation`). */
  readings: Array<{
    name: string;
    value: string;
    unit: string | null;
    inRange: boolean;
    equipmentCode: string | null;
    recordedAt: string;
  }>;
}

const iso = (d: Date | null): string | null => (d === null ? null : new Date(d).toISOString());

/** Read-only questions traceability asks of production, one statement per kind for any number of orders. */
@Injectable()
export class WorkOrderTraceQueries {
  /** Orders by id: code, status, material and line only (for large scopes such as a recall). */
  async heads(manager: EntityManager, ids: string[]): Promise<WorkOrderHead[]> {
    if (ids.length === 0) return [];
    const rows: Array<{
      id: string;
      site_id: string;
      code: string;
      status: string;
      material_code: string;
      line_code: string;
    }> = await manager.query(
      `SELECT w.id, w.site_id, w.code, w.status, m.code AS material_code, ln.code AS line_code
         FROM work_order w JOIN material m ON m.id = w.material_id JOIN production_line ln ON ln.id = w.line_id
        WHERE w.id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map((r) => ({
      id: r.id,
      siteId: r.site_id,
      code: r.code,
      status: r.status,
      materialCode: r.material_code,
      lineCode: r.line_code,
    }));
  }

  /** Orders with their operations, operators and captured parameters. */
  async workOrders(manager: EntityManager, ids: string[], perOperation = 20): Promise<WorkOrderTrace[]> {
    if (ids.length === 0) return [];
    const [orders, operations, labor, readings] = await Promise.all([
      manager.query<WorkOrderRow[]>(
        `SELECT w.id, w.site_id, w.code, w.status, w.source, m.code AS material_code,
                trim_scale(w.quantity)::text AS quantity, trim_scale(w.good_qty)::text AS good_qty,
                trim_scale(w.scrap_qty)::text AS scrap_qty, ln.code AS line_code, w.started_at, w.completed_at
           FROM work_order w JOIN material m ON m.id = w.material_id JOIN production_line ln ON ln.id = w.line_id
          WHERE w.id = ANY($1::uuid[])`,
        [ids],
      ),
      manager.query<OperationRow[]>(
        `SELECT o.id, o.work_order_id, o.seq, o.name, o.status, wc.code AS work_center_code,
                e.code AS equipment_code, trim_scale(o.good_qty)::text AS good_qty,
                trim_scale(o.scrap_qty)::text AS scrap_qty, o.started_at, o.completed_at
           FROM work_order_operation o
           JOIN work_center wc ON wc.id = o.work_center_id
           LEFT JOIN equipment e ON e.id = o.equipment_id
          WHERE o.work_order_id = ANY($1::uuid[])
          ORDER BY o.work_order_id, o.seq`,
        [ids],
      ),
      manager.query<LaborRow[]>(
        `SELECT l.operation_id, l.operator_id, l.operator_name, l.started_at, l.ended_at
           FROM operation_labor l JOIN work_order_operation o ON o.id = l.operation_id
          WHERE o.work_order_id = ANY($1::uuid[])
          ORDER BY l.started_at`,
        [ids],
      ),
      manager.query<ReadingRow[]>(
        `SELECT r.operation_id, r.name, r.value::text AS value, r.unit, r.in_range, e.code AS equipment_code,
                r.recorded_at
           FROM work_order_operation o
           CROSS JOIN LATERAL (
             SELECT * FROM process_reading pr WHERE pr.operation_id = o.id
              ORDER BY pr.recorded_at DESC LIMIT $2) r
           LEFT JOIN equipment e ON e.id = r.equipment_id
          WHERE o.work_order_id = ANY($1::uuid[])
          ORDER BY r.recorded_at`,
        [ids, perOperation],
      ),
    ]);
    const opsByOrder = new Map<string, OperationTrace[]>();
    const opById = new Map<string, OperationTrace>();
    for (const o of operations) {
      const op: OperationTrace = {
        id: o.id,
        seq: o.seq,
        name: o.name,
        status: o.status,
        workCenterCode: o.work_center_code,
        equipmentCode: o.equipment_code,
        goodQty: o.good_qty,
        scrapQty: o.scrap_qty,
        startedAt: iso(o.started_at),
        completedAt: iso(o.completed_at),
        operators: [],
        readings: [],
      };
      opById.set(o.id, op);
      const list = opsByOrder.get(o.work_order_id) ?? [];
      list.push(op);
      opsByOrder.set(o.work_order_id, list);
    }
    for (const l of labor) {
      opById.get(l.operation_id)?.operators.push({
        id: l.operator_id,
        name: l.operator_name,
        from: iso(l.started_at)!,
        to: iso(l.ended_at),
      });
    }
    for (const r of readings) {
      opById.get(r.operation_id)?.readings.push({
        name: r.name,
        value: r.value,
        unit: r.unit,
        inRange: r.in_range,
        equipmentCode: r.equipment_code,
        recordedAt: iso(r.recorded_at)!,
      });
    }
    return orders.map((w) => ({
      id: w.id,
      siteId: w.site_id,
      code: w.code,
      status: w.status,
      source: w.source,
      materialCode: w.material_code,
      quantity: w.quantity,
      goodQty: w.good_qty,
      scrapQty: w.scrap_qty,
      lineCode: w.line_code,
      startedAt: iso(w.started_at),
      completedAt: iso(w.completed_at),
      operations: opsByOrder.get(w.id) ?? [],
    }));
  }
}

interface WorkOrderRow {
  id: string;
  site_id: string;
  code: string;
  status: string;
  source: string;
  material_code: string;
  quantity: string;
  good_qty: string;
  scrap_qty: string;
  line_code: string;
  started_at: Date | null;
  completed_at: Date | null;
}

interface OperationRow {
  id: string;
  work_order_id: string;
  seq: number;
  name: string;
  status: string;
  work_center_code: string;
  equipment_code: string | null;
  good_qty: string;
  scrap_qty: string;
  started_at: Date | null;
  completed_at: Date | null;
}

interface LaborRow {
  operation_id: string;
  operator_id: string;
  operator_name: string;
  started_at: Date;
  ended_at: Date | null;
}

interface ReadingRow {
  operation_id: string;
  name: string;
  value: string;
  unit: string | null;
  in_range: boolean;
  equipment_code: string | null;
  recorded_at: Date;
}
