import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Site } from '../../platform/sites/site.entity';
import { CatalogRecord } from '../catalog/catalog-record';
import { Area } from './area.entity';

/** ISA-95 production line (产线) inside an area. */
@Entity({ name: 'production_line' })
@Index('ux_production_line_site_code', ['siteId', 'code'], { unique: true })
@Index('ix_production_line_area', ['areaId'])
export class ProductionLine extends CatalogRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_production_line' })
  declare id: string;

  @ManyToOne(() => Site, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_production_line_site' })
  site?: Site;

  @ManyToOne(() => Area, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'area_id', foreignKeyConstraintName: 'fk_production_line_area' })
  area?: Area;

  @Column({ type: 'uuid' })
  areaId: string;
}
