import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Nonces seen inside the signature window; the primary key refuses a replay atomically. */
@Entity({ name: 'api_nonce' })
@Index('ix_api_nonce_seen_at', ['seenAt'])
export class ApiNonce {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_api_nonce' })
  apiClientId: string;

  @PrimaryColumn({ type: 'varchar', length: 128, primaryKeyConstraintName: 'pk_api_nonce' })
  nonce: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  seenAt: Date;
}
