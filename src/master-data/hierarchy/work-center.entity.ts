import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Site } from '../../platform/sites/site.entity';
import { CatalogRecord } from '../catalog/catalog-record';
import { ProductionLine } from './production-line.entity';

/** ISA-95 work center (工作中心): where operations are dispatched; owns machines. */
@Entity({ name: 'work_center' })
@Index('ux_work_center_site_code', ['siteId', 'code'], { unique: true })
@Index('ix_work_center_line', ['lineId'])
@Check('ck_work_center_labour_rate', `labour_rate_per_hour >= 0`)
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

  /** What an hour of operator labour here costs (in the site's currency); null when not known. */
  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  labourRatePerHour: string | null;
}
