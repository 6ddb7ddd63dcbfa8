import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';

export const PUTAWAY_STATUSES = ['pending', 'sent', 'confirmed', 'cancelled'] as const;
export type PutawayStatus = (typeof PUTAWAY_STATUSES)[number];

/** A produced lot the warehouse takes from the line into a bin. */
@Entity({ name: 'wms_putaway' })
@Index('ix_wms_putaway_site_status', ['siteId', 'status', 'createdAt'])
@Index('ux_wms_putaway_lot', ['lotId'], { unique: true })
@Check('ck_wms_putaway_status', `status IN ('pending', 'sent', 'confirmed', 'cancelled')`)
export class Putaway {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_wms_putaway' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne('site', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_wms_putaway_site' })
  site?: object;

  @Column({ type: 'uuid', nullable: true })
  workOrderId: string | null;

  @Column({ type: 'uuid' })
  lotId: string;

  @ManyToOne('lot', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'lot_id', foreignKeyConstraintName: 'fk_wms_putaway_lot' })
  lot?: object;

  @Column({ type: 'varchar', length: 64 })
  lotCode: string;

  @Column({ type: 'uuid' })
  materialId: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  quantity: string;

  @Column({ type: 'uuid' })
  fromLocationId: string;

  @Column({ type: 'uuid', nullable: true })
  toLocationId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: PutawayStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;
}
