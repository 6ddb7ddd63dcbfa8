import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

const DAY_MS = 86_400_000;

export interface MaintenanceBoard {
  at: string;
  /** Tickets per status (cancelled and verified ones of the last 7 days). */
  byStatus: Record<string, number>;
  /** Active tickets per technician (unassigned under `null`). */
  byTechnician: Array<{
    technicianId: string | null;
    technicianName: string | null;
    open: number;
    assigned: number;
    inProgress: number;
  }>;
  /** Machines down with their breakdown ticket. */
  machinesDown: Array<{
    equipmentId: string;
    equipmentCode: string;
    ticketId: string;
    ticketCode: string;
    status: string;
    since: string;
    expectedBackAt: string | null;
  }>;
  /** Preventive work past its due date: active PM tickets, and plans due without a ticket yet. */
  overduePm: Array<{
    planCode: string;
    ticketCode: string | null;
    equipmentCode: string;
    dueAt: string;
    status: string | null;
  }>;
  /** Maintenance calls (andon) from the shop floor that no ticket answers yet (no machine named). */
  openCalls: Array<{
    andonId: string;
    state: string;
    workCenterCode: string;
    message: string | null;
    raisedAt: string;
  }>;
  /** Reserved windows starting within the next `days`. */
  upcomingWindows: Array<{
    ticketId: string;
    ticketCode: string;
    kind: string;
    equipmentCode: string;
    windowStart: string;
    windowEnd: string;
    assigneeName: string | null;
  }>;
}

/** The maintenance board (设备维护看板): what a technician's day runs from. Updated live by `ticket.changed`. */
@Injectable()
export class BoardService {
  constructor(private readonly dataSource: DataSource) {}

  async board(siteId: string, days = 7, now: Date = new Date()): Promise<MaintenanceBoard> {
    const m = this.dataSource.manager;
    const recent = new Date(now.getTime() - 7 * DAY_MS);
    const until = new Date(now.getTime() + days * DAY_MS);
    const [statuses, technicians, down, overdue, upcoming, calls] = await Promise.all([
      m.query<Array<{ status: string; n: number }>>(
        `SELECT status, count(*)::int AS n FROM maintenance_ticket
          WHERE site_id = $1 AND (status NOT IN ('verified', 'cancelled') OR updated_at >= $2)
          GROUP BY status`,
        [siteId, recent],
      ),
      m.query<
        Array<{ id: string | null; name: string | null; open: number; assigned: number; in_progress: number }>
      >(
        `SELECT assignee_id AS id, max(assignee_name) AS name,
                count(*) FILTER (WHERE status = 'open')::int AS open,
                count(*) FILTER (WHERE status = 'assigned')::int AS assigned,
                count(*) FILTER (WHERE status = 'in_progress')::int AS in_progress
           FROM maintenance_ticket WHERE site_id = $1 AND status IN ('open', 'assigned', 'in_progress')
          GROUP BY assignee_id ORDER BY max(assignee_name) NULLS FIRST`,
        [siteId],
      ),
      m.query<
        Array<{
          equipment_id: string;
          code: string;
          id: string;
          ticket_code: string;
          status: string;
          since: Date;
          expected_back_at: Date | null;
        }>
      >(
        `SELECT t.equipment_id, e.code, t.id, t.code AS ticket_code, t.status, t.created_at AS since, t.expected_back_at
           FROM maintenance_ticket t JOIN equipment e ON e.id = t.equipment_id
          WHERE t.site_id = $1 AND t.breakdown AND t.status IN ('open', 'assigned', 'in_progress')
          ORDER BY t.created_at`,
        [siteId],
      ),
      m.query<
        Array<{
          plan_code: string;
          ticket_code: string | null;
          code: string;
          due_at: Date;
          status: string | null;
        }>
      >(
        `SELECT p.code AS plan_code, t.code AS ticket_code, e.code, coalesce(t.due_at, p.next_due_at) AS due_at, t.status
           FROM pm_plan p JOIN maintenance_asset a ON a.id = p.asset_id JOIN equipment e ON e.id = a.equipment_id
           LEFT JOIN maintenance_ticket t ON t.pm_plan_id = p.id AND t.status IN ('open', 'assigned', 'in_progress')
          WHERE p.site_id = $1 AND p.active AND coalesce(t.due_at, p.next_due_at) < $2
          ORDER BY 4`,
        [siteId, now],
      ),
      m.query<
        Array<{
          id: string;
          code: string;
          kind: string;
          eq: string;
          window_start: Date;
          window_end: Date;
          assignee_name: string | null;
        }>
      >(
        `SELECT t.id, t.code, t.kind, e.code AS eq, t.window_start, t.window_end, t.assignee_name
           FROM maintenance_ticket t JOIN equipment e ON e.id = t.equipment_id
          WHERE t.site_id = $1 AND t.status IN ('open', 'assigned', 'in_progress')
            AND t.window_end > $2 AND t.window_start < $3
          ORDER BY t.window_start, t.code`,
        [siteId, now, until],
      ),
      m.query<Array<{ id: string; state: string; wc: string; message: string | null; raised_at: Date }>>(
        `SELECT a.id, a.state, w.code AS wc, a.message, a.raised_at
           FROM andon_call a JOIN work_center w ON w.id = a.work_center_id
          WHERE a.site_id = $1 AND a.kind = 'maintenance' AND a.state IN ('raised', 'acknowledged')
            AND NOT EXISTS (SELECT 1 FROM maintenance_ticket t WHERE t.andon_id = a.id)
          ORDER BY a.raised_at`,
        [siteId],
      ),
    ]);
    return {
      at: now.toISOString(),
      byStatus: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
      byTechnician: technicians.map((t) => ({
        technicianId: t.id,
        technicianName: t.name,
        open: t.open,
        assigned: t.assigned,
        inProgress: t.in_progress,
      })),
      machinesDown: down.map((d) => ({
        equipmentId: d.equipment_id,
        equipmentCode: d.code,
        ticketId: d.id,
        ticketCode: d.ticket_code,
        status: d.status,
        since: d.since.toISOString(),
        expectedBackAt: d.expected_back_at?.toISOString() ?? null,
      })),
      overduePm: overdue.map((o) => ({
        planCode: o.plan_code,
        ticketCode: o.ticket_code,
        equipmentCode: o.code,
        dueAt: o.due_at.toISOString(),
        status: o.status,
      })),
      openCalls: calls.map((c) => ({
        andonId: c.id,
        state: c.state,
        workCenterCode: c.wc,
        message: c.message,
        raisedAt: c.raised_at.toISOString(),
      })),
      upcomingWindows: upcoming.map((u) => ({
        ticketId: u.id,
        ticketCode: u.code,
        kind: u.kind,
        equipmentCode: u.eq,
        windowStart: u.window_start.toISOString(),
        windowEnd: u.window_end.toISOString(),
        assigneeName: u.assignee_name,
      })),
    };
  }
}
