import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { sqlList } from '../../platform/database/sql-list';
import { CHART_TYPES, type ChartType } from '../spc/engine/charts';

/** IQC on goods receipt (per lot), IPQC at a routing operation (by count or time), OQC on completion (per lot). */
export const INSPECTION_TYPES = ['iqc', 'ipqc', 'oqc'] as const;
export type InspectionType = (typeof INSPECTION_TYPES)[number];

/** When an inspection falls due: once per lot, every N good units, every N minutes of running. */
export const INSPECTION_FREQUENCIES = ['lot', 'count', 'time'] as const;
export type InspectionFrequency = (typeof INSPECTION_FREQUENCIES)[number];

export const CHARACTERISTIC_KINDS = ['variable', 'attribute'] as const;
export type CharacteristicKind = (typeof CHARACTERISTIC_KINDS)[number];

/** An attribute is judged pass/fail per sample, or by the number of defects found on it (with defect codes). */
export const ATTRIBUTE_TYPES = ['pass_fail', 'defect_count'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** Which run rules judge a characteristic's chart: Western Electric 1–4, Nelson 1–8, or none. */
export const RULE_SETS = ['we', 'nelson', 'none'] as const;
export type RuleSet = (typeof RULE_SETS)[number];

/**
 * An inspection plan (检验计划): what to check on a material, when, and on how many samples. IQC and OQC plans
 * apply to every lot of the material received or produced; IPQC plans to one operation (by its sequence number
 * in the material's routing).
 */
@Entity({ name: 'inspection_plan' })
@Index('ux_inspection_plan_site_code', ['siteId', 'code'], { unique: true })
@Index('ix_inspection_plan_material', ['siteId', 'materialId', 'type'])
@Check('ck_inspection_plan_type', `type IN (${sqlList(INSPECTION_TYPES)})`)
@Check('ck_inspection_plan_frequency', `frequency IN (${sqlList(INSPECTION_FREQUENCIES)})`)
@Check(
  'ck_inspection_plan_frequency_fits_type',
  `(type = 'ipqc' AND operation_seq IS NOT NULL AND frequency IN ('count', 'time'))
   OR (type <> 'ipqc' AND operation_seq IS NULL AND frequency = 'lot')`,
)
@Check(
  'ck_inspection_plan_frequency_value',
  `(frequency <> 'count' OR frequency_qty > 0) AND (frequency <> 'time' OR frequency_minutes > 0)`,
)
@Check('ck_inspection_plan_sample_size', `sample_size BETWEEN 1 AND 1000`)
export class InspectionPlan {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_inspection_plan' })
  id: string;

  @ManyToOne('site', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_inspection_plan_site' })
  site?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  nameZh: string | null;

  @Column({ type: 'varchar', length: 8 })
  type: InspectionType;

  @ManyToOne('material', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'material_id', foreignKeyConstraintName: 'fk_inspection_plan_material' })
  material?: object;

  @Column({ type: 'uuid' })
  materialId: string;

  /** IPQC: the routing operation (its sequence number in the material's routing). */
  @Column({ type: 'int', nullable: true })
  operationSeq: number | null;

  @Column({ type: 'varchar', length: 8 })
  frequency: InspectionFrequency;

  /** `count`: an inspection every this many good units reported at the operation. */
  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  frequencyQty: string | null;

  /** `time`: an inspection every this many minutes while the operation runs. */
  @Column({ type: 'int', nullable: true })
  frequencyMinutes: number | null;

  /** Samples per inspection (the subgroup size of its variable characteristics). */
  @Column({ type: 'int' })
  sampleSize: number;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @OneToMany(() => InspectionCharacteristic, (c) => c.plan)
  characteristics?: InspectionCharacteristic[];

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * One thing measured or judged on each sample (检验项目). Variable characteristics carry a unit and spec limits and
 * may be charted (x̄-R, x̄-S, I-MR); attributes are pass/fail (p, np charts) or defect counts (c, u charts). What a
 * rule violation on the chart sets off (NCR, holds) is configured here, as are the frozen phase I limits in use.
 */
@Entity({ name: 'inspection_characteristic' })
@Index('ux_inspection_characteristic_plan_code', ['planId', 'code'], { unique: true })
@Index('ix_inspection_characteristic_site', ['siteId'])
@Check('ck_inspection_characteristic_kind', `kind IN (${sqlList(CHARACTERISTIC_KINDS)})`)
@Check(
  'ck_inspection_characteristic_attribute_type',
  `(kind = 'attribute') = (attribute_type IS NOT NULL) AND (attribute_type IS NULL OR attribute_type IN (${sqlList(ATTRIBUTE_TYPES)}))`,
)
@Check(
  'ck_inspection_characteristic_chart',
  `chart IS NULL OR (kind = 'variable' AND chart IN ('xbar-r', 'xbar-s', 'imr'))
   OR (attribute_type = 'pass_fail' AND chart IN ('p', 'np'))
   OR (attribute_type = 'defect_count' AND chart IN ('c', 'u'))`,
)
@Check('ck_inspection_characteristic_chart_type', `chart IS NULL OR chart IN (${sqlList(CHART_TYPES)})`)
@Check('ck_inspection_characteristic_specs', `lsl IS NULL OR usl IS NULL OR lsl < usl`)
@Check('ck_inspection_characteristic_rules', `rule_set IN (${sqlList(RULE_SETS)})`)
@Check('ck_inspection_characteristic_n_sigma', `n_sigma > 0 AND n_sigma <= 6`)
export class InspectionCharacteristic {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_inspection_characteristic' })
  id: string;

  @ManyToOne(() => InspectionPlan, (p) => p.characteristics, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'fk_inspection_characteristic_plan' })
  plan?: InspectionPlan;

  @Column({ type: 'uuid' })
  planId: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'int' })
  seq: number;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  nameZh: string | null;

  @Column({ type: 'varchar', length: 12 })
  kind: CharacteristicKind;

  @Column({ type: 'varchar', length: 16, nullable: true })
  attributeType: AttributeType | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  unit: string | null;

  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  lsl: string | null;

  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  usl: string | null;

  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  target: string | null;

  /** Defect codes (reason codes of category `defect`) an inspector may record; empty = any active one. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  defectCodes: string[];

  @Column({ type: 'varchar', length: 8, nullable: true })
  chart: ChartType | null;

  @Column({ type: 'varchar', length: 8, default: 'nelson' })
  ruleSet: RuleSet;

  @Column({ type: 'numeric', precision: 4, scale: 2, default: 3 })
  nSigma: string;

  /** A rule violation opens an NCR (source `spc`). */
  @Column({ type: 'boolean', default: false })
  violationOpensNcr: boolean;

  /** A rule violation holds the running work order of the operation. */
  @Column({ type: 'boolean', default: false })
  violationHoldsWorkOrder: boolean;

  /** A rule violation holds the lots the work order produced since the last good sample. */
  @Column({ type: 'boolean', default: false })
  violationHoldsLots: boolean;

  /** The frozen phase I limits in use (spc_limit_set.version); null while limits are still provisional. */
  @Column({ type: 'int', nullable: true })
  limitsVersion: number | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
