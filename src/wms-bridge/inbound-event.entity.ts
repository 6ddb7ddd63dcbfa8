import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Every WMS event taken, once: a repeat of its eventId answers the stored outcome and changes nothing. */
@Entity({ name: 'wms_inbound_event' })
@Index('ix_wms_inbound_event_received', ['receivedAt'])
export class WmsInboundEvent {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_wms_inbound_event' })
  apiClientId: string;

  @PrimaryColumn({ type: 'varchar', length: 100, primaryKeyConstraintName: 'pk_wms_inbound_event' })
  eventId: string;

  @Column({ type: 'varchar', length: 40 })
  type: string;

  /** SHA-256 of the body: the same eventId with other content is refused (422). */
  @Column({ type: 'char', length: 64 })
  bodyHash: string;

  @Column({ type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  @Column({ type: 'jsonb' })
  outcome: Record<string, unknown>;
}
