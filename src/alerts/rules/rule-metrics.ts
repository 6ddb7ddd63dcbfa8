import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Facts } from './engine/rule-engine';

/** One thing a periodic check looks at (a machine down, an order late); `key` changes with each episode. */
export interface MetricSubject {
  key: string;
  facts: Facts;
}

const MINUTE_MS = 60_000;

/** The metrics periodic rules check, read from the shop floor's records at `now`. */
@Injectable()
export class RuleMetrics {
  async subjects(m: EntityManager, metric: string, siteId: string, now: Date): Promise<MetricSubject[]> {
    switch (metric) {
      case 'machine.down':
        return this.machinesDown(m, siteId, now);
      case 'work_order.overdue':
        return this.ordersOverdue(m, siteId, now);
      default:
        return [];
    }
  }

  /** Machines in unplanned downtime now: one subject per downtime (a new breakdown is a new crossing). */
  private async machinesDown(m: EntityManager, siteId: string, now: Date): Promise<MetricSubject[]> {
    const rows = await m.query<
      Array<{
        equipment_id: string;
        code: string;
        name: string;
        work_center_id: string;
        line_id: string;
        downtime_id: string;
        started_at: Date;
        reason_code: string | null;
        ticket_code: string | null;
      }>
    >(
      `SELECT e.id AS equipment_id, e.code, e.name, d.work_center_id, wc.line_id, d.id AS downtime_id, d.started_at,
              r.code AS reason_code,
              (SELECT t.code FROM maintenance_ticket t WHERE t.downtime_id = d.id ORDER BY t.created_at DESC LIMIT 1)
                AS ticket_code
         FROM downtime_event d
         JOIN equipment e ON e.id = d.equipment_id
         JOIN work_center wc ON wc.id = d.work_center_id
         LEFT JOIN reason_code r ON r.id = d.reason_code_id
        WHERE d.site_id = $1 AND d.ended_at IS NULL AND d.category = 'downtime_unplanned' AND d.started_at <= $2
          AND d.machine_state IS DISTINCT FROM 'setup'
        ORDER BY d.started_at`,
      [siteId, now],
    );
    return rows.map((r) => ({
      key: `${r.equipment_id}:${r.downtime_id}`,
      facts: {
        equipmentId: r.equipment_id,
        equipmentCode: r.code,
        equipmentName: r.name,
        workCenterId: r.work_center_id,
        lineId: r.line_id,
        downtimeId: r.downtime_id,
        since: r.started_at.toISOString(),
        downMinutes: Math.floor((now.getTime() - r.started_at.getTime()) / MINUTE_MS),
        reasonCode: r.reason_code,
        ticketCode: r.ticket_code,
      },
    }));
  }

  /** Open work orders past their due time: one subject per order and due time (a new due date re-arms). */
  private async ordersOverdue(m: EntityManager, siteId: string, now: Date): Promise<MetricSubject[]> {
    const rows = await m.query<
      Array<{
        id: string;
        code: string;
        status: string;
        priority: string;
        line_id: string;
        due_at: Date;
        quantity: string;
      }>
    >(
      `SELECT id, code, status, priority, line_id, due_at, trim_scale(quantity)::text AS quantity
         FROM work_order
        WHERE site_id = $1 AND status NOT IN ('completed', 'closed', 'cancelled') AND due_at < $2
        ORDER BY due_at`,
      [siteId, now],
    );
    return rows.map((r) => ({
      key: `${r.id}:${r.due_at.toISOString()}`,
      facts: {
        workOrderId: r.id,
        code: r.code,
        status: r.status,
        priority: r.priority,
        lineId: r.line_id,
        dueAt: r.due_at.toISOString(),
        minutesLate: Math.floor((now.getTime() - r.due_at.getTime()) / MINUTE_MS),
        quantity: r.quantity,
      },
    }));
  }
}
