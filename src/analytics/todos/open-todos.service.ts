import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { iso8601 } from '../../platform/database/iso8601';

export interface OpenTodos {
  siteId: string;
  at: string;
  open: number;
  /** Open todos past their due time. */
  overdue: number;
  byKind: Array<{ kind: string; open: number; overdue: number; oldestAt: string }>;
  /** Per role a todo is for (a todo for two roles counts for each). */
  byRole: Array<{ role: string; open: number; overdue: number }>;
  /** Todos for one person rather than a role. */
  personal: { open: number; overdue: number };
}

/** Open todos (待办) of a site by kind and role, read from the alerts module's `todo` table. */
@Injectable()
export class OpenTodosService {
  constructor(private readonly dataSource: DataSource) {}

  async summary(siteId: string, now: Date = new Date()): Promise<OpenTodos> {
    const open = `SELECT * FROM todo WHERE site_id = $1 AND status = 'open'`;
    const [kinds, roles, totals] = await Promise.all([
      this.dataSource.query<Array<{ kind: string; open: number; overdue: number; oldest_at: string }>>(
        `SELECT kind, count(*)::int AS open, (count(*) FILTER (WHERE due_at < $2))::int AS overdue,
                ${iso8601('min(created_at)')} AS oldest_at
           FROM (${open}) t GROUP BY kind ORDER BY kind`,
        [siteId, now],
      ),
      this.dataSource.query<Array<{ role: string; open: number; overdue: number }>>(
        `SELECT role, count(*)::int AS open, (count(*) FILTER (WHERE due_at < $2))::int AS overdue
           FROM (${open}) t, unnest(t.assignee_roles) AS role GROUP BY role ORDER BY role`,
        [siteId, now],
      ),
      this.dataSource.query<
        Array<{ open: number; overdue: number; personal: number; personal_overdue: number }>
      >(
        `SELECT count(*)::int AS open, (count(*) FILTER (WHERE due_at < $2))::int AS overdue,
                (count(*) FILTER (WHERE assignee_user_id IS NOT NULL))::int AS personal,
                (count(*) FILTER (WHERE assignee_user_id IS NOT NULL AND due_at < $2))::int AS personal_overdue
           FROM (${open}) t`,
        [siteId, now],
      ),
    ]);
    const t = totals[0] ?? { open: 0, overdue: 0, personal: 0, personal_overdue: 0 };
    return {
      siteId,
      at: now.toISOString(),
      open: t.open,
      overdue: t.overdue,
      byKind: kinds.map((k) => ({ kind: k.kind, open: k.open, overdue: k.overdue, oldestAt: k.oldest_at })),
      byRole: roles,
      personal: { open: t.personal, overdue: t.personal_overdue },
    };
  }
}
