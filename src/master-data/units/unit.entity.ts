import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Site } from '../../platform/sites/site.entity';
import { CatalogRecord } from '../catalog/catalog-record';

export const UNIT_DIMENSIONS = ['count', 'mass', 'length', 'area', 'volume', 'time', 'other'] as const;
export type UnitDimension = (typeof UNIT_DIMENSIONS)[number];

/** A unit of measure (PCS 件, KG 千克, M 米 ...): materials count in a base unit. */
@Entity({ name: 'unit_of_measure' })
@Index('ux_unit_of_measure_site_code', ['siteId', 'code'], { unique: true })
@Check('ck_unit_of_measure_decimals', `decimals BETWEEN 0 AND 6`)
export class UnitOfMeasure extends CatalogRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_unit_of_measure' })
  declare id: string;

  @ManyToOne(() => Site, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_unit_of_measure_site' })
  site?: Site;

  @Column({ type: 'varchar', length: 16 })
  dimension: UnitDimension;

  /** Decimal places quantities in this unit may have (0 for pieces). */
  @Column({ type: 'smallint', default: 0 })
  decimals: number;
}
