import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const IDEMPOTENCY_STATES = ['in_progress', 'completed'] as const;
export type IdempotencyState = (typeof IDEMPOTENCY_STATES)[number];

/**
 * One `Idempotency-Key` a caller sent: claimed by the command's own transaction and completed with the response
 * in the same commit, so a replay returns the first answer and a retry never counts twice.
 */
@Entity({ name: 'idempotency_key' })
@Index('ux_idempotency_key_scope_key', ['scope', 'key'], { unique: true })
@Index('ix_idempotency_key_created_at', ['createdAt'])
@Check('ck_idempotency_key_state', `state IN ('in_progress', 'completed')`)
export class IdempotencyKey {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_idempotency_key' })
  id: string;

  /** Whose key it is (`user:<id>`, `api_client:<id>`): two callers may use the same key. */
  @Column({ type: 'varchar', length: 120 })
  scope: string;

  @Column({ type: 'varchar', length: 200 })
  key: string;

  /** SHA-256 of method, path and canonical body: the same key with another request is refused. */
  @Column({ type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'varchar', length: 8 })
  method: string;

  @Column({ type: 'varchar', length: 500 })
  path: string;

  @Column({ type: 'varchar', length: 12 })
  state: IdempotencyState;

  /** An abandoned claim (crashed request) may be taken over after this time. */
  @Column({ type: 'timestamptz' })
  lockedUntil: Date;

  @Column({ type: 'int', nullable: true })
  responseStatus: number | null;

  /** `json`, not `jsonb`: a replay answers the very bytes of the first response, key order included. */
  @Column({ type: 'json', nullable: true })
  responseBody: unknown;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
