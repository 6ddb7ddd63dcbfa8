import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  VersionColumn,
} from 'typeorm';
import { Asset, Meter } from '../assets/asset.entities';

export const PM_TRIGGERS = ['calendar', 'meter'] as const;
export type PmTrigger = (typeof PM_TRIGGERS)[number];

export interface ChecklistItem {
  text: string;
  textZh?: string;
}

export interface RequiredPart {
  materialId: string;
  quantity: string;
}

/**
 * A preventive maintenance plan (预防性维护计划) of an asset: calendar based (every N days/weeks/months from a
 * fixed grid or from the last completion, or on fixed dates of the year) or meter based (every N units of a
 * meter). Each due date makes one ticket with the plan's checklist, parts and skills, and reserves its window.
 */
@Entity({ name: 'pm_plan' })
@Index('ux_pm_plan_site_code', ['siteId', 'code'], { unique: true })
@Index('ix_pm_plan_asset', ['assetId'])
@Check('ck_pm_plan_trigger', `trigger IN ('calendar', 'meter')`)
@Check(
  'ck_pm_plan_rule',
  `(trigger = 'meter' AND meter_id IS NOT NULL AND meter_interval > 0)
   OR (trigger = 'calendar' AND ((every_n >= 1 AND every_unit IN ('day', 'week', 'month') AND basis IN ('fixed', 'completion'))
        OR cardinality(fixed_dates) > 0))`,
)
@Check('ck_pm_plan_duration', `estimated_minutes > 0`)
@Check('ck_pm_plan_lead', `lead_days >= 0 AND lead_units >= 0`)
export class PmPlan {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_pm_plan' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne(() => Asset, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'asset_id', foreignKeyConstraintName: 'fk_pm_plan_asset' })
  asset?: Asset;

  @Column({ type: 'uuid' })
  assetId: string;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 10 })
  trigger: PmTrigger;

  @Column({ type: 'int', nullable: true })
  everyN: number | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  everyUnit: 'day' | 'week' | 'month' | null;

  @Column({ type: 'varchar', length: 12, nullable: true })
  basis: 'fixed' | 'completion' | null;

  /** Fixed dates of each year, `MM-DD`. */
  @Column({ type: 'varchar', length: 5, array: true, default: () => "'{}'" })
  fixedDates: string[];

  /** The first date the plan may fall due (site calendar). */
  @Column({ type: 'date' })
  startDate: string;

  @Column({ type: 'int', default: 0 })
  leadDays: number;

  @ManyToOne(() => Meter, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'meter_id', foreignKeyConstraintName: 'fk_pm_plan_meter' })
  meter?: Meter;

  @Column({ type: 'uuid', nullable: true })
  meterId: string | null;

  @Column({ type: 'numeric', precision: 18, scale: 3, nullable: true })
  meterInterval: string | null;

  @Column({ type: 'numeric', precision: 18, scale: 3, default: 0 })
  leadUnits: string;

  /** The window starts at this local time on the due date (`HH:MM`). */
  @Column({ type: 'varchar', length: 5, default: '08:00' })
  startTime: string;

  @Column({ type: 'int' })
  estimatedMinutes: number;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  checklist: ChecklistItem[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  requiredParts: RequiredPart[];

  @Column({ type: 'varchar', length: 64, array: true, default: () => "'{}'" })
  skills: string[];

  /** Verifying its tickets needs an electronic signature. */
  @Column({ type: 'boolean', default: false })
  signatureRequired: boolean;

  @Column({ type: 'varchar', length: 8, default: 'normal' })
  priority: 'low' | 'normal' | 'high';

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Due date of the last ticket made (calendar plans). */
  @Column({ type: 'date', nullable: true })
  lastDueDate: string | null;

  /** When its last ticket was done, and the meter's reading then (meter plans start from the reading at creation). */
  @Column({ type: 'date', nullable: true })
  lastDoneDate: string | null;

  @Column({ type: 'numeric', precision: 18, scale: 3, nullable: true })
  lastDoneReading: string | null;

  /** The next due date as last computed (forecast for meter plans); for the board. */
  @Column({ type: 'timestamptz', nullable: true })
  nextDueAt: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  @VersionColumn({ default: 1 })
  version: number;
}
