import { Check, Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { sqlList } from '../../platform/database/sql-list';

export const SERIAL_STATUSES = ['in_stock', 'consumed', 'scrapped', 'written_off', 'shipped'] as const;
export type SerialStatus = (typeof SERIAL_STATUSES)[number];

/**
 * One unit of a serial-tracked material (序列号): which lot it belongs to, where it is, whether it is still in
 * stock or went into a work order, scrap or a write-off. Kept in step with the lot's balances by the ledger:
 * every movement of a serialized lot moves exactly as many serials as units.
 */
@Entity({ name: 'serial_number' })
@Index('ux_serial_number_site_material_serial', ['siteId', 'materialId', 'serial'], { unique: true })
@Index('ix_serial_number_lot_location', ['lotId', 'locationId', 'status'])
@Check('ck_serial_number_status', `status IN (${sqlList(SERIAL_STATUSES)})`)
@Check('ck_serial_number_location', `(status = 'in_stock') = (location_id IS NOT NULL)`)
export class SerialNumber {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_serial_number' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'uuid' })
  materialId: string;

  @Column({ type: 'varchar', length: 100 })
  serial: string;

  @Column({ type: 'uuid' })
  lotId: string;

  /** Where it is while in stock; null once consumed, scrapped or written off. */
  @Column({ type: 'uuid', nullable: true })
  locationId: string | null;

  @Column({ type: 'varchar', length: 12, default: 'in_stock' })
  status: SerialStatus;

  /** The work order it went into (when consumed). */
  @Column({ type: 'uuid', nullable: true })
  workOrderId: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
