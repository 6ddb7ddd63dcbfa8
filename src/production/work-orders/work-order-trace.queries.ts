import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { iso8601 } from '../../platform/database/iso8601';
import { readQuery } from '../../platform/database/prepared-query';

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
    }> = await readQuery(
      manager,
      `SELECT w.id, w.site_id, w.code, w.status, m.code AS material_code, ln.code AS line_code
         FROM work_order w JOIN material m ON m.id = w.material_id JOIN production_line ln ON ln.id = w.line_id
        WHERE w.id IN (SELECT unnest($1::uuid[]))`,
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

  /**
   * Orders with their operations, operators and captured parameters (the latest `perOperation` per operation),
   * in one statement: the operations come as one JSON array per order. (OFFSET 0 keeps the orders a
   * subquery, so the per-order subqueries run for the orders asked for, not the whole table.)
   */
  async workOrders(manager: EntityManager, ids: string[], perOperation = 20): Promise<WorkOrderTrace[]> {
    if (ids.length === 0) return [];
    const rows: WorkOrderRow[] = await readQuery(
      manager,
      `SELECT w.id, w.site_id, w.code, w.status, w.source, m.code AS material_code,
              trim_scale(w.quantity)::text AS quantity, trim_scale(w.good_qty)::text AS good_qty,
              trim_scale(w.scrap_qty)::text AS scrap_qty, ln.code AS line_code,
              ${iso8601('w.started_at')} AS started_at, ${iso8601('w.completed_at')} AS completed_at,
              ops.operations
         FROM (SELECT * FROM work_order WHERE id IN (SELECT unnest($1::uuid[])) OFFSET 0) w
         JOIN material m ON m.id = w.material_id
         JOIN production_line ln ON ln.id = w.line_id
         LEFT JOIN LATERAL (
           SELECT json_agg(json_build_object(
                    'id', o.id, 'seq', o.seq, 'name', o.name, 'status', o.status, 'workCenterCode', wc.code,
                    'equipmentCode', e.code, 'goodQty', trim_scale(o.good_qty)::text,
                    'scrapQty', trim_scale(o.scrap_qty)::text, 'startedAt', ${iso8601('o.started_at')},
                    'completedAt', ${iso8601('o.completed_at')},
                    'operators', coalesce((
                      SELECT json_agg(json_build_object('id', l.operator_id, 'name', l.operator_name,
                                                        'from', ${iso8601('l.started_at')},
                                                        'to', ${iso8601('l.ended_at')}) ORDER BY l.started_at)
                        FROM operation_labor l WHERE l.operation_id = o.id), '[]'),
                    'readings', coalesce((
                      SELECT json_agg(json_build_object('name', r.name, 'value', r.value::text, 'unit', r.unit,
                                                        'inRange', r.in_range, 'equipmentCode', re.code,
                                                        'recordedAt', ${iso8601('r.recorded_at')})
                                      ORDER BY r.recorded_at)
                        FROM (SELECT * FROM process_reading pr WHERE pr.operation_id = o.id
                               ORDER BY pr.recorded_at DESC LIMIT $2) r
                        LEFT JOIN equipment re ON re.id = r.equipment_id), '[]')
                  ) ORDER BY o.seq) AS operations
             FROM work_order_operation o
             JOIN work_center wc ON wc.id = o.work_center_id
             LEFT JOIN equipment e ON e.id = o.equipment_id
            WHERE o.work_order_id = w.id) ops ON true`,
      [ids, perOperation],
    );
    return rows.map((w) => ({
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
      startedAt: w.started_at,
      completedAt: w.completed_at,
      operations: w.operations ?? [],
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
  started_at: string | null;
  completed_at: string | null;
  operations: OperationTrace[] | null;
}
