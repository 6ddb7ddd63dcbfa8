import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Site } from '../../platform/sites/site.entity';
import { CatalogRecord } from '../catalog/catalog-record';
import { StorageLocation } from '../locations/storage-location.entity';
import { UnitOfMeasure } from '../units/unit.entity';

export const MATERIAL_CLASSES = ['raw', 'semi_finished', 'finished', 'consumable', 'spare_part'] as const;
export type MaterialClass = (typeof MATERIAL_CLASSES)[number];

/** A material (物料) of the site: what is bought, made, stocked, consumed and shipped. */
@Entity({ name: 'material' })
@Index('ux_material_site_code', ['siteId', 'code'], { unique: true })
@Index('ix_material_site_barcode', ['siteId', 'barcode'], { where: 'barcode IS NOT NULL' })
@Check(
  'ck_material_class',
  `material_class IN ('raw', 'semi_finished', 'finished', 'consumable', 'spare_part')`,
)
@Check('ck_material_quantities', `safety_stock >= 0 AND reorder_point >= 0 AND lot_size >= 0`)
@Check('ck_material_shelf_life', `shelf_life_days IS NULL OR shelf_life_days > 0`)
export class Material extends CatalogRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_material' })
  declare id: string;

  @ManyToOne(() => Site, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_material_site' })
  site?: Site;

  @Column({ type: 'varchar', length: 500, nullable: true })
  specification: string | null;

  @Column({ type: 'varchar', length: 16 })
  materialClass: MaterialClass;

  @ManyToOne(() => UnitOfMeasure, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'base_unit_id', foreignKeyConstraintName: 'fk_material_base_unit' })
  baseUnit?: UnitOfMeasure;

  @Column({ type: 'uuid' })
  baseUnitId: string;

  @Column({ type: 'boolean', default: false })
  lotTracked: boolean;

  @Column({ type: 'boolean', default: false })
  serialTracked: boolean;

  @Column({ type: 'int', nullable: true })
  shelfLifeDays: number | null;

  /** Incoming lots start in quarantine (待检) until inspected. */
  @Column({ type: 'boolean', default: false })
  inspectionRequired: boolean;

  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  safetyStock: string;

  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  reorderPoint: string;

  /** Order or production lot size (批量): what one replenishment brings on top of the reorder point. */
  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  lotSize: string;

  /** Where it is put away by default. */
  @ManyToOne(() => StorageLocation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'default_location_id', foreignKeyConstraintName: 'fk_material_default_location' })
  defaultLocation?: StorageLocation;

  @Column({ type: 'uuid', nullable: true })
  defaultLocationId: string | null;

  /** How lot codes of this material are made, e.g. `{MAT}-{YYMMDD}-{SEQ:3}`; the site default when null. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  lotCodePattern: string | null;

  /** GS1 / Code 128 text printed on labels and read by scanners. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  barcode: string | null;
}
