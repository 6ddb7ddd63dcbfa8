import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Site } from '../../platform/sites/site.entity';
import { CatalogRecord } from '../catalog/catalog-record';
import { ProductionLine } from '../hierarchy/production-line.entity';
import { WorkCenter } from '../hierarchy/work-center.entity';
import { Partner } from '../partners/partner.entity';
import { UnitOfMeasure } from '../units/unit.entity';

export const LOCATION_TYPES = [
  'warehouse',
  'zone',
  'bin',
  'line_side',
  'wip',
  'quarantine',
  'scrap',
  'supplier',
] as const;
export type LocationType = (typeof LOCATION_TYPES)[number];

/** Where stock can be: warehouse / zone / bin, line-side (线边库), WIP, quarantine (待检区), scrap, or at a supplier. */
@Entity({ name: 'storage_location' })
@Index('ux_storage_location_site_code', ['siteId', 'code'], { unique: true })
@Index('ix_storage_location_parent', ['parentId'])
@Check(
  'ck_storage_location_type',
  `location_type IN ('warehouse', 'zone', 'bin', 'line_side', 'wip', 'quarantine', 'scrap', 'supplier')`,
)
@Check('ck_storage_location_capacity', `capacity IS NULL OR capacity > 0`)
export class StorageLocation extends CatalogRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_storage_location' })
  declare id: string;

  @ManyToOne(() => Site, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_storage_location_site' })
  site?: Site;

  @Column({ type: 'varchar', length: 16 })
  locationType: LocationType;

  /** Warehouse of a zone, zone (or warehouse) of a bin. */
  @ManyToOne(() => StorageLocation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_storage_location_parent' })
  parent?: StorageLocation;

  @Column({ type: 'uuid', nullable: true })
  parentId: string | null;

  /** The line a line-side location feeds. */
  @ManyToOne(() => ProductionLine, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'line_id', foreignKeyConstraintName: 'fk_storage_location_line' })
  line?: ProductionLine;

  @Column({ type: 'uuid', nullable: true })
  lineId: string | null;

  /** The station (work center) at the line, when the location is that close. */
  @ManyToOne(() => WorkCenter, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'work_center_id', foreignKeyConstraintName: 'fk_storage_location_work_center' })
  workCenter?: WorkCenter;

  @Column({ type: 'uuid', nullable: true })
  workCenterId: string | null;

  /** The supplier holding material sent out for processing (outsourcing). */
  @ManyToOne(() => Partner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_storage_location_partner' })
  partner?: Partner;

  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  capacity: string | null;

  @ManyToOne(() => UnitOfMeasure, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'capacity_unit_id', foreignKeyConstraintName: 'fk_storage_location_capacity_unit' })
  capacityUnit?: UnitOfMeasure;

  @Column({ type: 'uuid', nullable: true })
  capacityUnitId: string | null;
}
