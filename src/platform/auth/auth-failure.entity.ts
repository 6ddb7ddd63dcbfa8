import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One failed sign-in or signature check; counted per key over a sliding window for throttling. */
@Entity({ name: 'auth_failure' })
@Index('ix_auth_failure_key_at', ['key', 'occurredAt'])
export class AuthFailure {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_auth_failure' })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  key: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;
}
