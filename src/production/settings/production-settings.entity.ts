import {
  Check,
  Column,
  Entity,
  JoinColumn,
  OneToOne,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

export const BACKFLUSH_STRATEGIES = ['fifo', 'fefo'] as const;
export type BackflushStrategy = (typeof BACKFLUSH_STRATEGIES)[number];

/** How a site runs its shop floor; a site without a row uses the defaults. */
@Entity({ name: 'production_settings' })
@Check('ck_production_settings_tolerance', `over_report_tolerance >= 0 AND over_report_tolerance <= 1`)
@Check('ck_production_settings_backflush', `backflush_strategy IN ('fifo', 'fefo')`)
export class ProductionSettings {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_production_settings' })
  siteId: string;

  @OneToOne('site', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_production_settings_site' })
  site?: object;

  /** Share above the planned quantity an operation may report (0.02 = 2 %). */
  @Column({ type: 'numeric', precision: 7, scale: 6, default: 0 })
  overReportTolerance: string;

  /** Several operators may work on one operation at once (a crew). */
  @Column({ type: 'boolean', default: true })
  allowMultipleOperators: boolean;

  /** One operator may run several operations at once (machine tending). */
  @Column({ type: 'boolean', default: false })
  allowConcurrentOperations: boolean;

  @Column({ type: 'varchar', length: 4, default: 'fifo' })
  backflushStrategy: BackflushStrategy;

  /** Lot code rule for materials without their own. */
  @Column({ type: 'varchar', length: 64, default: '{MAT}-{YYMMDD}-{SEQ:3}' })
  defaultLotCodePattern: string;

  @VersionColumn({ default: 1 })
  version: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
