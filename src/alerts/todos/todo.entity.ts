import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../platform/auth/roles';

export const TODO_STATUSES = ['open', 'done', 'dismissed'] as const;
export type TodoStatus = (typeof TODO_STATUSES)[number];

/**
 * A todo (待办) for a role or a person: what to do, a link to the thing, due time, open until done or
 * dismissed (or closed by the system when the cause went away, e.g. stock back above its safety level).
 * One open todo per cause (dedupe key): a repeated cause does not pile up todos.
 */
@Entity({ name: 'todo' })
@Index('ux_todo_open_cause', ['siteId', 'dedupeKey'], { unique: true, where: "status = 'open'" })
@Index('ix_todo_site_status', ['siteId', 'status', 'createdAt'])
@Index('ix_todo_reference', ['referenceType', 'referenceId'])
@Check('ck_todo_status', `status IN ('open', 'done', 'dismissed')`)
@Check('ck_todo_assignee', `cardinality(assignee_roles) >= 1 OR assignee_user_id IS NOT NULL`)
export class Todo {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_todo' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  /** e.g. `pick_shortage`, `replenishment`, `adjustment_approval`. */
  @Column({ type: 'varchar', length: 40 })
  kind: string;

  @Column({ type: 'varchar', length: 300 })
  title: string;

  @Column({ type: 'varchar', length: 300 })
  titleZh: string;

  /** Facts for the screen (quantities, codes), shown as they were when the todo was made. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  detail: Record<string, unknown>;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  assigneeRoles: Role[];

  @Column({ type: 'uuid', nullable: true })
  assigneeUserId: string | null;

  /** The API path of the thing to look at, e.g. `/api/v1/sites/…/work-orders/…`. */
  @Column({ type: 'varchar', length: 300, nullable: true })
  link: string | null;

  @Column({ type: 'varchar', length: 40 })
  referenceType: string;

  @Column({ type: 'varchar', length: 100 })
  referenceId: string;

  @Column({ type: 'varchar', length: 200 })
  dedupeKey: string;

  @Column({ type: 'varchar', length: 10, default: 'open' })
  status: TodoStatus;

  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** Who closed it: a user's name, or `system` when the cause went away. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  closedBy: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  closeNote: string | null;

  @Column({ type: 'int', default: 1 })
  version: number;
}
