import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Site } from '../../platform/sites/site.entity';
import { CatalogRecord } from '../catalog/catalog-record';
import { WorkCenter } from './work-center.entity';

export const EQUIPMENT_STATUSES = ['running', 'idle', 'down', 'maintenance', 'setup', 'off'] as const;
export type EquipmentStatus = (typeof EQUIPMENT_STATUSES)[number];

/** ISA-95 equipment: a machine (设备) in a work center, with its current status and capabilities. */
@Entity({ name: 'equipment' })
@Index('ux_equipment_site_code', ['siteId', 'code'], { unique: true })
@Index('ix_equipment_work_center', ['workCenterId'])
@Check('ck_equipment_status', `status IN ('running', 'idle', 'down', 'maintenance', 'setup', 'off')`)
@Check('ck_equipment_hourly_rate', `hourly_rate >= 0`)
export class Equipment extends CatalogRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_equipment' })
  declare id: string;

  @ManyToOne(() => Site, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_equipment_site' })
  site?: Site;

  @ManyToOne(() => WorkCenter, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'work_center_id', foreignKeyConstraintName: 'fk_equipment_work_center' })
  workCenter?: WorkCenter;

  @Column({ type: 'uuid' })
  workCenterId: string;

  /** Operational state; changed through the status endpoint (and later by machine data), not by edits. */
  @Column({ type: 'varchar', length: 16, default: 'idle' })
  status: EquipmentStatus;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  statusSince: Date;

  /** What it can do (e.g. `cnc-5axis`, `max-part-500mm`): routings list eligible machines by these. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  capabilities: string[];

  @Column({ type: 'varchar', length: 100, nullable: true })
  manufacturer: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  model: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  serialNumber: string | null;

  /** What an hour of this machine running costs (in the site's currency); null when not known. */
  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  hourlyRate: string | null;
}
