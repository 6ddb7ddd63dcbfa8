import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An outside system that wants to hear about events (a webhook subscriber): where to POST them, which event
 * types, and the secret its deliveries are signed with (stored encrypted; shown once when made or rotated).
 */
@Entity({ name: 'webhook_subscription' })
@Index('ix_webhook_subscription_site_active', ['siteId', 'active'])
@Check('ck_webhook_subscription_events', `cardinality(event_types) >= 1`)
@Check('ck_webhook_subscription_url', `url ~ '^https?://'`)
export class WebhookSubscription {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_webhook_subscription' })
  id: string;

  @ManyToOne('site', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_webhook_subscription_site' })
  site?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 1000 })
  url: string;

  @Column({ type: 'text', array: true })
  eventTypes: string[];

  @Column({ type: 'text' })
  secretCiphertext: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'int', default: 1 })
  version: number;

  @Column({ type: 'varchar', length: 200 })
  updatedByName: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
