import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Site } from '../../platform/sites/site.entity';
import { CatalogRecord } from '../catalog/catalog-record';

export const REASON_CATEGORIES = [
  'scrap',
  'pause',
  'downtime_planned',
  'downtime_unplanned',
  'defect',
  'failure',
] as const;
export type ReasonCategory = (typeof REASON_CATEGORIES)[number];

/** Why something happened: scrap, pauses, downtime, NCR defects, maintenance failures (原因代码). */
@Entity({ name: 'reason_code' })
@Index('ux_reason_code_site_code', ['siteId', 'code'], { unique: true })
@Index('ix_reason_code_category', ['siteId', 'category'])
@Check(
  'ck_reason_code_category',
  `category IN ('scrap', 'pause', 'downtime_planned', 'downtime_unplanned', 'defect', 'failure')`,
)
export class ReasonCode extends CatalogRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_reason_code' })
  declare id: string;

  @ManyToOne(() => Site, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_reason_code_site' })
  site?: Site;

  @Column({ type: 'varchar', length: 24 })
  category: ReasonCategory;
}
