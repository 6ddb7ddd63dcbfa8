import { Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Site } from '../../platform/sites/site.entity';
import { CatalogRecord } from '../catalog/catalog-record';

/** ISA-95 area: a part of the site (a workshop 车间, a hall). */
@Entity({ name: 'area' })
@Index('ux_area_site_code', ['siteId', 'code'], { unique: true })
export class Area extends CatalogRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_area' })
  declare id: string;

  @ManyToOne(() => Site, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_area_site' })
  site?: Site;
}
