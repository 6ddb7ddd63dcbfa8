import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { iso8601 } from '../../platform/database/iso8601';
import { notFound } from '../../platform/errors/domain-error';
import type { Site } from '../../platform/sites/site.entity';
import {
  type MaterialUse,
  type OperationTime,
  workOrderCost,
  type WorkOrderCost,
} from '../engine/work-order-cost';

export interface WorkOrderCostView extends WorkOrderCost {
  workOrder: {
    id: string;
    code: string;
    status: string;
    materialCode: string;
    unit: string;
    plannedQty: string;
    goodQty: string;
    completedAt: string | null;
  };
  /** The site's currency every amount is in. */
  currency: string;
  at: string;
}

interface OrderRow {
  id: string;
  code: string;
  status: string;
  material_code: string;
  unit: string;
  planned: string;
  good: string;
  scrap: string;
  completed_at: string | null;
}

/**
 * The end-to-end cost of a work order (see the cost engine for what each figure is) from the stock ledger
 * (lots issued to it and returned, at their unit cost), operator labour (sign-on to sign-off on its
 * operations, at the work center's rate) and machine time (each operation from start to completion on its
 * machine, pauses left out, at the machine's rate). An order still running is costed up to now.
 */
@Injectable()
export class WorkOrderCostService {
  constructor(private readonly dataSource: DataSource) {}

  async cost(site: Site, ref: string, now: Date = new Date()): Promise<WorkOrderCostView> {
    const m = this.dataSource.manager;
    const [order] = await m.query<OrderRow[]>(
      `SELECT w.id, w.code, w.status, mat.code AS material_code, u.code AS unit,
              trim_scale(w.quantity)::text AS planned,
              trim_scale(coalesce((SELECT o.good_qty FROM work_order_operation o WHERE o.work_order_id = w.id
                                    ORDER BY o.seq DESC LIMIT 1), 0))::text AS good,
              trim_scale(coalesce((SELECT sum(o.scrap_qty) FROM work_order_operation o
                                    WHERE o.work_order_id = w.id), 0))::text AS scrap,
              ${iso8601('w.completed_at')} AS completed_at
         FROM work_order w JOIN material mat ON mat.id = w.material_id JOIN unit_of_measure u ON u.id = w.unit_id
        WHERE w.site_id = $1 AND ${isUUID(ref) ? 'w.id = $2::uuid' : 'w.code = $2'}`,
      [site.id, ref],
    );
    if (!order) throw notFound('work order', ref);
    const materials = await m.query<
      Array<{
        lot_id: string;
        lot_code: string;
        material_id: string;
        material_code: string;
        unit: string;
        quantity: string;
        unit_cost: string | null;
      }>
    >(
      `SELECT l.id AS lot_id, l.code AS lot_code, mat.id AS material_id, mat.code AS material_code, u.code AS unit,
              trim_scale(sum(CASE mv.movement_type WHEN 'issue' THEN mv.quantity ELSE -mv.quantity END))::text AS quantity,
              trim_scale(l.unit_cost)::text AS unit_cost
         FROM inventory_movement mv
         JOIN lot l ON l.id = mv.lot_id
         JOIN material mat ON mat.id = l.material_id
         JOIN unit_of_measure u ON u.id = mat.base_unit_id
        WHERE mv.work_order_id = $1 AND mv.movement_type IN ('issue', 'return')
        GROUP BY l.id, l.code, l.unit_cost, mat.id, mat.code, u.code
       HAVING sum(CASE mv.movement_type WHEN 'issue' THEN mv.quantity ELSE -mv.quantity END) > 0
        ORDER BY mat.code, l.code`,
      [order.id],
    );
    const operations = await m.query<
      Array<{
        id: string;
        seq: number;
        name: string;
        work_center_id: string;
        work_center_code: string;
        labour_rate: string | null;
        labour_sec: string;
        equipment_id: string | null;
        equipment_code: string | null;
        hourly_rate: string | null;
        machine_sec: string;
      }>
    >(
      `SELECT o.id, o.seq, o.name, wc.id AS work_center_id, wc.code AS work_center_code,
              trim_scale(wc.labour_rate_per_hour)::text AS labour_rate,
              trim_scale(coalesce((SELECT sum(extract(epoch FROM coalesce(l.ended_at, $2) - l.started_at))
                                     FROM operation_labor l WHERE l.operation_id = o.id), 0))::text AS labour_sec,
              e.id AS equipment_id, e.code AS equipment_code, trim_scale(e.hourly_rate)::text AS hourly_rate,
              trim_scale(CASE WHEN o.equipment_id IS NULL OR o.started_at IS NULL THEN 0 ELSE greatest(
                extract(epoch FROM coalesce(o.completed_at, $2) - o.started_at)
                - coalesce((SELECT sum(extract(epoch FROM coalesce(p.ended_at, o.completed_at, $2) - p.started_at))
                              FROM operation_pause p WHERE p.operation_id = o.id), 0), 0) END)::text AS machine_sec
         FROM work_order_operation o
         JOIN work_center wc ON wc.id = o.work_center_id
         LEFT JOIN equipment e ON e.id = o.equipment_id
        WHERE o.work_order_id = $1
        ORDER BY o.seq`,
      [order.id, now],
    );
    const cost = workOrderCost({
      materials: materials.map((r): MaterialUse => ({
        lotId: r.lot_id,
        lotCode: r.lot_code,
        materialId: r.material_id,
        materialCode: r.material_code,
        unit: r.unit,
        quantity: r.quantity,
        unitCost: r.unit_cost,
      })),
      operations: operations.map((r): OperationTime => ({
        operationId: r.id,
        seq: r.seq,
        name: r.name,
        workCenterId: r.work_center_id,
        workCenterCode: r.work_center_code,
        labourSeconds: r.labour_sec,
        labourRatePerHour: r.labour_rate,
        equipmentId: r.equipment_id,
        equipmentCode: r.equipment_code,
        machineSeconds: r.machine_sec,
        hourlyRate: r.hourly_rate,
      })),
      goodQty: order.good,
      scrapQty: order.scrap,
    });
    return {
      workOrder: {
        id: order.id,
        code: order.code,
        status: order.status,
        materialCode: order.material_code,
        unit: order.unit,
        plannedQty: order.planned,
        goodQty: order.good,
        completedAt: order.completed_at,
      },
      currency: site.currency,
      at: now.toISOString(),
      ...cost,
    };
  }
}
