import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import { hasRole, type Principal } from '../../platform/auth/principal';
import type { Role } from '../../platform/auth/roles';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { DomainError, notFound } from '../../platform/errors/domain-error';
import { Todo, type TodoStatus } from './todo.entity';

export interface OpenTodo {
  siteId: string;
  kind: string;
  title: string;
  titleZh: string;
  detail?: Record<string, unknown>;
  roles: Role[];
  userId?: string | null;
  link?: string | null;
  referenceType: string;
  referenceId: string;
  /** One open todo per key: while one is open, the same cause updates its detail instead of adding another. */
  dedupeKey: string;
  dueAt?: Date | null;
}

export interface TodoView {
  id: string;
  kind: string;
  title: string;
  titleZh: string;
  detail: Record<string, unknown>;
  assigneeRoles: Role[];
  assigneeUserId: string | null;
  link: string | null;
  referenceType: string;
  referenceId: string;
  status: TodoStatus;
  dueAt: string | null;
  createdAt: string;
  closedAt: string | null;
  closedBy: string | null;
  closeNote: string | null;
  version: number;
}

export const TodoErrorCode = {
  TODO_CLOSED: 'TODO_CLOSED',
  NOT_YOUR_TODO: 'NOT_YOUR_TODO',
  STALE_VERSION: 'STALE_VERSION',
} as const;

export function todoView(t: Todo): TodoView {
  return {
    id: t.id,
    kind: t.kind,
    title: t.title,
    titleZh: t.titleZh,
    detail: t.detail,
    assigneeRoles: t.assigneeRoles,
    assigneeUserId: t.assigneeUserId,
    link: t.link,
    referenceType: t.referenceType,
    referenceId: t.referenceId,
    status: t.status,
    dueAt: t.dueAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
    closedAt: t.closedAt?.toISOString() ?? null,
    closedBy: t.closedBy,
    closeNote: t.closeNote,
    version: t.version,
  };
}

/** Todos (待办): opened by the system in the transaction of their cause, closed by people or by the system. */
@Injectable()
export class TodosService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  /**
   * Opens a todo, or refreshes the open one with the same cause (its detail and title follow the latest news).
   * Returns the todo and whether it is new; a new one is pushed to its roles after commit.
   */
  async open(tx: Tx, o: OpenTodo): Promise<{ todo: Todo; created: boolean }> {
    // The open todo of this cause as it stands (locked until commit), so a refresh is audited with before/after.
    const [previous] = await tx.manager.query<
      Array<{ title: string; title_zh: string; detail: Record<string, unknown> }>
    >(
      `SELECT title, title_zh, detail FROM todo WHERE site_id = $1 AND dedupe_key = $2 AND status = 'open'
          FOR UPDATE`,
      [o.siteId, o.dedupeKey],
    );
    const rows: Array<{ id: string; created: boolean }> = await tx.manager.query(
      `INSERT INTO todo (site_id, kind, title, title_zh, detail, assignee_roles, assignee_user_id, link,
                         reference_type, reference_id, dedupe_key, due_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::text[], $7, $8, $9, $10, $11, $12)
       ON CONFLICT (site_id, dedupe_key) WHERE status = 'open'
       DO UPDATE SET title = EXCLUDED.title, title_zh = EXCLUDED.title_zh, detail = EXCLUDED.detail,
                     version = todo.version + 1
       RETURNING id, (xmax = 0) AS created`,
      [
        o.siteId,
        o.kind,
        o.title.slice(0, 300),
        o.titleZh.slice(0, 300),
        JSON.stringify(o.detail ?? {}),
        o.roles,
        o.userId ?? null,
        o.link ?? null,
        o.referenceType,
        o.referenceId,
        o.dedupeKey,
        o.dueAt ?? null,
      ],
    );
    const row = rows[0]!;
    const todo = await tx.manager.getRepository(Todo).findOneByOrFail({ id: row.id });
    if (!row.created && previous) {
      const before = { title: previous.title, titleZh: previous.title_zh, detail: previous.detail };
      const after = { title: todo.title, titleZh: todo.titleZh, detail: todo.detail };
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        await this.audit.record(tx, {
          entityType: 'todo',
          entityId: todo.id,
          siteId: o.siteId,
          action: 'todo.refreshed',
          before,
          after,
        });
      }
    }
    if (row.created) {
      await this.audit.record(tx, {
        entityType: 'todo',
        entityId: todo.id,
        siteId: o.siteId,
        action: 'todo.opened',
        after: {
          kind: o.kind,
          title: o.title,
          roles: o.roles,
          reference: `${o.referenceType}:${o.referenceId}`,
        },
      });
      tx.raise('alerts.todo.opened', {
        todoId: todo.id,
        siteId: todo.siteId,
        kind: todo.kind,
        title: todo.title,
        titleZh: todo.titleZh,
        roles: todo.assigneeRoles,
        userId: todo.assigneeUserId,
        link: todo.link,
        dueAt: todo.dueAt?.toISOString() ?? null,
      });
    }
    return { todo, created: row.created };
  }

  /** The cause went away (stock recovered, adjustment decided): its open todo closes itself. */
  async closeByCause(tx: Tx, siteId: string, dedupeKey: string, note: string): Promise<boolean> {
    const [rows] = await tx.manager.query<
      [Array<{ id: string; kind: string; assignee_roles: Role[]; assignee_user_id: string | null }>, number]
    >(
      `UPDATE todo SET status = 'done', closed_at = now(), closed_by = 'system', close_note = $3,
              version = version + 1
        WHERE site_id = $1 AND dedupe_key = $2 AND status = 'open'
        RETURNING id, kind, assignee_roles, assignee_user_id`,
      [siteId, dedupeKey, note.slice(0, 500)],
    );
    for (const r of rows) {
      await this.audit.record(tx, {
        entityType: 'todo',
        entityId: r.id,
        siteId,
        action: 'todo.closed',
        after: { status: 'done', closedBy: 'system' },
        reason: note,
      });
      tx.raise('alerts.todo.closed', {
        todoId: r.id,
        siteId,
        kind: r.kind,
        status: 'done',
        roles: r.assignee_roles,
        userId: r.assignee_user_id,
        closedBy: 'system',
      });
    }
    return rows.length > 0;
  }

  async list(
    p: Principal,
    siteId: string,
    q: { status?: TodoStatus; kind?: string; mine?: boolean; limit: number; offset: number },
  ): Promise<[Todo[], number]> {
    assertSiteAccess(p, siteId);
    const qb = this.dataSource
      .getRepository(Todo)
      .createQueryBuilder('t')
      .where('t.siteId = :siteId', { siteId })
      .orderBy('t.createdAt', 'DESC')
      .addOrderBy('t.id', 'ASC')
      .take(q.limit)
      .skip(q.offset);
    if (q.status) qb.andWhere('t.status = :status', { status: q.status });
    if (q.kind) qb.andWhere('t.kind = :kind', { kind: q.kind });
    if (q.mine)
      qb.andWhere('(t.assigneeUserId = :me OR t.assigneeRoles && :roles::text[])', {
        me: p.kind === 'user' ? p.id : null,
        roles: p.roles,
      });
    return qb.getManyAndCount();
  }

  async get(p: Principal, siteId: string, id: string): Promise<Todo> {
    assertSiteAccess(p, siteId);
    const todo = await this.dataSource.getRepository(Todo).findOneBy({ id, siteId });
    if (!todo) throw notFound('todo', id);
    return todo;
  }

  /** A person closes a todo of theirs (their role's or assigned to them; admins any). */
  close(
    p: Principal,
    siteId: string,
    id: string,
    status: Exclude<TodoStatus, 'open'>,
    note: string | undefined,
    expectedVersion: number | undefined,
  ): Promise<Todo> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const todo = await tx.manager
        .getRepository(Todo)
        .findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } });
      if (!todo) throw notFound('todo', id);
      if (todo.status !== 'open')
        throw new DomainError('conflict', TodoErrorCode.TODO_CLOSED, `This todo is ${todo.status} already`, {
          extensions: { currentState: todo.status },
        });
      if (expectedVersion !== undefined && expectedVersion !== todo.version)
        throw new DomainError(
          'conflict',
          TodoErrorCode.STALE_VERSION,
          'The todo changed meanwhile; reload it',
          {
            extensions: { currentVersion: todo.version },
          },
        );
      const mine =
        hasRole(p, 'admin', ...todo.assigneeRoles) || (p.kind === 'user' && todo.assigneeUserId === p.id);
      if (!mine)
        throw new DomainError('forbidden', TodoErrorCode.NOT_YOUR_TODO, 'This todo is for someone else', {
          extensions: { assigneeRoles: todo.assigneeRoles },
        });
      await tx.manager.getRepository(Todo).update(
        { id },
        {
          status,
          closedAt: new Date(),
          closedBy: p.name,
          closeNote: note ?? null,
          version: todo.version + 1,
        },
      );
      await this.audit.record(tx, {
        entityType: 'todo',
        entityId: id,
        siteId,
        action: status === 'done' ? 'todo.done' : 'todo.dismissed',
        before: { status: todo.status },
        after: { status },
        reason: note,
      });
      tx.raise('alerts.todo.closed', {
        todoId: id,
        siteId,
        kind: todo.kind,
        status,
        roles: todo.assigneeRoles,
        userId: todo.assigneeUserId,
        closedBy: p.name,
      });
      return tx.manager.getRepository(Todo).findOneByOrFail({ id });
    });
  }
}
