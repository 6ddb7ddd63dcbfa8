import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { DomainError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { dispatchState, type OperationStatus, type WaitingReason } from '../engine/operation-state';
import type { WorkOrderStatus } from '../engine/work-order-state';

export interface DispatchItem {
  operationId: string;
  seq: number;
  name: string;
  nameZh: string | null;
  workOrderId: string;
  workOrderCode: string;
  workOrderStatus: WorkOrderStatus;
  priority: 'normal' | 'rush';
  dueAt: string;
  materialId: string;
  materialCode: string;
  workCenterId: string;
  equipmentId: string | null;
  scheduledEquipmentId: string | null;
  scheduledStart: string | null;
  state: OperationStatus;
  waitingReasons: WaitingReason[];
  plannedQty: string;
  goodQty: string;
  scrapQty: string;
  remainingQty: string;
  operators: string[];
}

interface Row {
  id: string;
  seq: number;
  name: string;
  name_zh: string | null;
  status: OperationStatus;
  work_order_id: string;
  code: string;
  wo_status: WorkOrderStatus;
  priority: 'normal' | 'rush';
  due_at: Date;
  material_id: string;
  material_code: string;
  work_center_id: string;
  equipment_id: string | null;
  scheduled_equipment_id: string | null;
  scheduled_start: Date | null;
  planned_qty: string;
  good_qty: string;
  scrap_qty: string;
  remaining_qty: string;
  pred_status: OperationStatus | null;
  pred_good: string | null;
  pred_transfer: string | null;
  material_short: boolean;
  machines_down: boolean;
  operators: string[] | null;
}

/**
 * Dispatch lists (派工单): the operations a work center or machine should do next, in the published
 * schedule's order, or by priority and due date before there is a schedule, each saying why it waits.
 */
@Injectable()
export class DispatchService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly masterData: MasterDataFacade,
  ) {}

  async list(
    p: Principal,
    siteId: string,
    filter: { workCenterId?: string; equipmentId?: string; includeCompleted?: boolean },
  ): Promise<DispatchItem[]> {
    assertSiteAccess(p, siteId);
    if (!filter.workCenterId && !filter.equipmentId) {
      throw new DomainError(
        'validation',
        PlatformErrorCode.VALIDATION_FAILED,
        'Name a work center or a machine',
        {
          errors: [{ field: 'workCenterId', message: 'workCenterId or equipmentId is required' }],
        },
      );
    }
    let workCenterId = filter.workCenterId;
    let equipmentId: string | null = null;
    if (filter.equipmentId) {
      const eq = await this.masterData.equipment(siteId, filter.equipmentId);
      if (!eq) throw notFound('equipment', filter.equipmentId);
      workCenterId = eq.workCenterId;
      equipmentId = eq.id;
    } else if (workCenterId && !(await this.masterData.workCenter(siteId, workCenterId))) {
      throw notFound('work center', workCenterId);
    }
    const rows: Row[] = await this.dataSource.query(
      `SELECT o.id, o.seq, o.name, o.name_zh, o.status, o.work_order_id, w.code, w.status AS wo_status, w.priority,
              w.due_at, w.material_id, mat.code AS material_code, o.work_center_id, o.equipment_id,
              o.scheduled_equipment_id, o.scheduled_start, trim_scale(o.planned_qty)::text AS planned_qty,
              trim_scale(o.good_qty)::text AS good_qty, trim_scale(o.scrap_qty)::text AS scrap_qty,
              trim_scale(greatest(o.planned_qty - o.good_qty - o.scrap_qty, 0))::text AS remaining_qty,
              p.status AS pred_status, p.good_qty::text AS pred_good, p.min_transfer_qty::text AS pred_transfer,
              EXISTS (SELECT 1 FROM work_order_material wm WHERE wm.work_order_id = w.id AND wm.operation_seq = o.seq
                         AND wm.issue_method = 'manual' AND wm.short_qty_at_release IS NOT NULL
                         AND wm.issued_qty < wm.required_qty) AS material_short,
              (jsonb_array_length(o.equipment_options) > 0 AND NOT EXISTS (
                 SELECT 1 FROM jsonb_array_elements(o.equipment_options) e JOIN equipment q ON q.id = (e->>'equipmentId')::uuid
                  WHERE q.status NOT IN ('down', 'maintenance'))) AS machines_down,
              (SELECT array_agg(l.operator_name ORDER BY l.started_at) FROM operation_labor l
                WHERE l.operation_id = o.id AND l.ended_at IS NULL) AS operators
         FROM work_order_operation o
         JOIN work_order w ON w.id = o.work_order_id
         JOIN material mat ON mat.id = w.material_id
         LEFT JOIN work_order_operation p ON p.id = o.predecessor_id
        WHERE o.site_id = $1 AND o.work_center_id = $2
          AND w.status IN ('released', 'kitting', 'ready', 'running', 'held')
          AND ($3::uuid IS NULL OR o.equipment_id = $3 OR o.scheduled_equipment_id = $3
               OR (o.equipment_id IS NULL AND o.scheduled_equipment_id IS NULL
                   AND (jsonb_array_length(o.equipment_options) = 0
                        OR o.equipment_options @> jsonb_build_array(jsonb_build_object('equipmentId', $3::text)))))
          AND ($4::boolean OR o.status <> 'completed')
        ORDER BY CASE o.status WHEN 'running' THEN 0 WHEN 'paused' THEN 1 ELSE 2 END,
                 o.scheduled_start NULLS LAST, CASE w.priority WHEN 'rush' THEN 0 ELSE 1 END, w.due_at, w.code, o.seq
        LIMIT 500`,
      [siteId, workCenterId, equipmentId, filter.includeCompleted ?? false],
    );
    return rows.map((r) => {
      const state = dispatchState({
        status: r.status,
        workOrderStatus: r.wo_status,
        predecessor: r.pred_status ? { status: r.pred_status, goodQty: r.pred_good ?? '0' } : null,
        minTransferQty: r.pred_transfer,
        materialShort: r.material_short,
        machinesDown: r.machines_down,
      });
      return {
        operationId: r.id,
        seq: r.seq,
        name: r.name,
        nameZh: r.name_zh,
        workOrderId: r.work_order_id,
        workOrderCode: r.code,
        workOrderStatus: r.wo_status,
        priority: r.priority,
        dueAt: r.due_at.toISOString(),
        materialId: r.material_id,
        materialCode: r.material_code,
        workCenterId: r.work_center_id,
        equipmentId: r.equipment_id,
        scheduledEquipmentId: r.scheduled_equipment_id,
        scheduledStart: r.scheduled_start?.toISOString() ?? null,
        state: state.state,
        waitingReasons: state.waitingReasons,
        plannedQty: r.planned_qty,
        goodQty: r.good_qty,
        scrapQty: r.scrap_qty,
        remainingQty: r.remaining_qty,
        operators: r.operators ?? [],
      };
    });
  }
}
