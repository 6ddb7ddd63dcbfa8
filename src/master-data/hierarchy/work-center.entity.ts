import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Site } from '../../platform/sites/site.entity';
import { CatalogRecord } from '../catalog/catalog-record';
import { ProductionLine } from './production-line.entity';

/** ISA-95 work center (工作中心): where operations are dispatched; owns machines. */
@Entity({ name: 'work_center' })
@Index('ux_work_center_site_code', ['siteId', 'code'], { unique: true })
@Index('ix_work_center_line', ['lineId'])
export class WorkCenter extends CatalogRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_work_center' })
  declare id: string;

  @ManyToOne(() => Site, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_work_center_site' })
  site?: Site;

  @ManyToOne(() => ProductionLine, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'line_id', foreignKeyConstraintName: 'fk_work_center_line' })
  line?: ProductionLine;

  @Column({ type: 'uuid' })
  lineId: string;
}
