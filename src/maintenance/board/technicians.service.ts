import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ACTIVE_TICKET_STATUSES } from '../tickets/ticket.entities';

/** A person who can be given maintenance work at a site, with the work they hold now. */
export interface TechnicianView {
  id: string;
  username: string;
  name: string;
  roles: string[];
  /** Whether tickets can be assigned to them (the maintenance role; a lead without it only oversees). */
  assignable: boolean;
  /** Their active tickets (open, assigned, in progress) at this site. */
  openTickets: number;
  inProgress: number;
}

/**
 * The site's technicians (维修技术员): active users of the site with the maintenance or maintenance_lead role, for
 * the "assign to" pickers — readable by everyone at the site, unlike the user administration.
 */
@Injectable()
export class TechniciansService {
  constructor(private readonly dataSource: DataSource) {}

  async list(siteId: string): Promise<TechnicianView[]> {
    const rows: Array<{
      id: string;
      username: string;
      name: string;
      roles: string[];
      open_tickets: number;
      in_progress: number;
    }> = await this.dataSource.query(
      `SELECT u.id, u.username, u.display_name AS name, u.roles,
              count(t.id)::int AS open_tickets,
              count(t.id) FILTER (WHERE t.status = 'in_progress')::int AS in_progress
         FROM app_user u
         JOIN user_site us ON us.user_id = u.id AND us.site_id = $1
         LEFT JOIN maintenance_ticket t
           ON t.assignee_id = u.id AND t.site_id = $1 AND t.status = ANY($2::text[])
        WHERE u.active AND u.roles && ARRAY['maintenance', 'maintenance_lead']::text[]
        GROUP BY u.id
        ORDER BY lower(u.display_name), lower(u.username)`,
      [siteId, [...ACTIVE_TICKET_STATUSES]],
    );
    return rows.map((r) => ({
      id: r.id,
      username: r.username,
      name: r.name,
      roles: r.roles,
      assignable: r.roles.includes('maintenance') || r.roles.includes('admin'),
      openTickets: r.open_tickets,
      inProgress: r.in_progress,
    }));
  }
}
