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
import { sqlList } from '../../platform/database/sql-list';

export const CRITICALITIES = ['A', 'B', 'C'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

export const METER_KINDS = ['run_hours', 'cycles', 'strokes', 'other'] as const;
export type MeterKind = (typeof METER_KINDS)[number];

/**
 * Where a meter's reading comes from: typed in, the quantities reported on the machine at the terminal (good +
 * scrap), the time the machine ran operations — or the machine itself over machine data: the pieces its
 * counters counted (`machine_count`) and the hours it reported itself running (`machine_run_time`).
 */
export const METER_FEEDS = [
  'manual',
  'reported_quantity',
  'running_time',
  'machine_count',
  'machine_run_time',
] as const;
export type MeterFeed = (typeof METER_FEEDS)[number];

/** Meters whose value is their latest reading (typed in, or accumulated from machine data). */
export function readingBased(feed: MeterFeed): boolean {
  return feed === 'manual' || feed === 'machine_count' || feed === 'machine_run_time';
}

export interface AssetDocument {
  title: string;
  url: string;
}

/**
 * A physical asset (设备资产): a machine of the plant hierarchy (its equipment) or a component fitted in one
 * (spindle, hydraulic pump, die), with serial number, install date, criticality and documents.
 */
@Entity({ name: 'maintenance_asset' })
@Index('ux_maintenance_asset_site_code', ['siteId', 'code'], { unique: true })
@Index('ux_maintenance_asset_equipment', ['equipmentId'], {
  unique: true,
  where: 'equipment_id IS NOT NULL AND parent_id IS NULL',
})
@Index('ix_maintenance_asset_parent', ['parentId'], { where: 'parent_id IS NOT NULL' })
@Check('ck_maintenance_asset_criticality', `criticality IN (${sqlList(CRITICALITIES)})`)
@Check('ck_maintenance_asset_kind', `(parent_id IS NULL) = (kind = 'equipment')`)
export class Asset {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_maintenance_asset' })
  id: string;

  @ManyToOne('site', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_maintenance_asset_site' })
  site?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** `equipment`: a machine of the hierarchy; `component`: fitted in another asset. */
  @Column({ type: 'varchar', length: 12 })
  kind: 'equipment' | 'component';

  /** The machine this asset is, or is fitted in. */
  @ManyToOne('equipment', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'equipment_id', foreignKeyConstraintName: 'fk_maintenance_asset_equipment' })
  equipment?: object;

  @Column({ type: 'uuid' })
  equipmentId: string;

  @ManyToOne(() => Asset, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_maintenance_asset_parent' })
  parent?: Asset;

  @Column({ type: 'uuid', nullable: true })
  parentId: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  serialNo: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  manufacturer: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  model: string | null;

  @Column({ type: 'date', nullable: true })
  installDate: string | null;

  /** A: stops the line, no spare; B: important; C: has a stand-by. */
  @Column({ type: 'char', length: 1, default: 'B' })
  criticality: Criticality;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  documents: AssetDocument[];

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  @VersionColumn({ default: 1 })
  version: number;
}

/**
 * A meter (计数器) on an asset. Fed meters read production: `reported_quantity` counts good + scrap reported on
 * the machine, `running_time` the hours it ran operations, each from `since` on top of `offset` (the reading
 * the meter showed then). Manual meters take readings (typed in, or from a machine's counter).
 */
@Entity({ name: 'maintenance_meter' })
@Index('ux_maintenance_meter_asset_code', ['assetId', 'code'], { unique: true })
@Check('ck_maintenance_meter_kind', `kind IN (${sqlList(METER_KINDS)})`)
@Check('ck_maintenance_meter_feed', `feed IN (${sqlList(METER_FEEDS)})`)
@Check('ck_maintenance_meter_offset', `"offset" >= 0`)
export class Meter {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_maintenance_meter' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne(() => Asset, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'asset_id', foreignKeyConstraintName: 'fk_maintenance_meter_asset' })
  asset?: Asset;

  @Column({ type: 'uuid' })
  assetId: string;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'varchar', length: 12 })
  kind: MeterKind;

  @Column({ type: 'varchar', length: 20 })
  feed: MeterFeed;

  /** h for run hours, pcs/strokes/cycles for counts. */
  @Column({ type: 'varchar', length: 16 })
  unit: string;

  @Column({ type: 'numeric', precision: 18, scale: 3, default: 0 })
  offset: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  since: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

/** A reading of a manual meter (cumulative), as typed in or sent by a machine. */
@Entity({ name: 'maintenance_meter_reading' })
@Index('ix_maintenance_meter_reading_meter', ['meterId', 'readAt'])
@Check('ck_maintenance_meter_reading_value', `value >= 0`)
export class MeterReadingRow {
  @PrimaryGeneratedColumn('increment', {
    type: 'bigint',
    primaryKeyConstraintName: 'pk_maintenance_meter_reading',
  })
  id: string;

  @ManyToOne(() => Meter, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'meter_id', foreignKeyConstraintName: 'fk_maintenance_meter_reading_meter' })
  meter?: Meter;

  @Column({ type: 'uuid' })
  meterId: string;

  @Column({ type: 'numeric', precision: 18, scale: 3 })
  value: string;

  @Column({ type: 'timestamptz' })
  readAt: Date;

  /** `manual`, `machine`. */
  @Column({ type: 'varchar', length: 12 })
  source: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  note: string | null;

  @Column({ type: 'varchar', length: 100 })
  recordedBy: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
