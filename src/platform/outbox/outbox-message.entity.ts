import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type OutboxStatus = 'pending' | 'delivered' | 'dead';

/** A message for another system, written in the same transaction as the change that caused it. */
@Entity({ name: 'outbox_message' })
@Check('ck_outbox_message_status', `status IN ('pending', 'delivered', 'dead')`)
@Check('ck_outbox_message_attempts', `attempts >= 0`)
@Index('ix_outbox_message_due', ['nextAttemptAt'], { where: "status = 'pending'" })
@Index('ix_outbox_message_dead', ['deadAt'], { where: "status = 'dead'" })
@Index('ix_outbox_message_created', ['createdAt'])
@Index('ix_outbox_message_ordering', ['orderingKey', 'seq'], {
  where: "status = 'pending' AND ordering_key IS NOT NULL",
})
// The relay asks, for every message it may claim, whether an earlier one of its key is dead-lettered.
@Index('ix_outbox_message_ordering_dead', ['orderingKey', 'seq'], {
  where: "status = 'dead' AND ordering_key IS NOT NULL",
})
export class OutboxMessage {
  /** Stable id: the receiver deduplicates on it (sent as Idempotency-Key). */
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_outbox_message' })
  id: string;

  /** Delivery order; messages sharing an ordering key are delivered one at a time in this order. */
  @Column({
    type: 'bigint',
    generated: 'identity',
    generatedIdentity: 'ALWAYS',
    insert: false,
    update: false,
  })
  seq: string;

  /**
   * E.g. the work order of a pick task: a later message waits until the earlier ones are delivered; a
   * dead-lettered one holds the later ones back until it is redriven and delivered.
   */
  @Column({ type: 'varchar', length: 200, nullable: true })
  orderingKey: string | null;

  /** Which transport delivers it (e.g. `webhook`, `wms`). */
  @Column({ type: 'varchar', length: 64 })
  destination: string;

  @Column({ type: 'varchar', length: 100 })
  messageType: string;

  @Column({ type: 'jsonb' })
  payload: unknown;

  /** Transport-specific addressing (URL, method, path parameters). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  target: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: OutboxStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  /** Lease: a relay owns the message until then (a crashed relay's messages come back). */
  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  lockedBy: string | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'int', nullable: true })
  lastHttpStatus: number | null;

  @Column({ type: 'varchar', length: 100 })
  correlationId: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  deadAt: Date | null;

  @Column({ type: 'int', default: 0 })
  redriveCount: number;
}
