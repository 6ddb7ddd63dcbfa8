import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { ChartType } from './engine/charts';

/**
 * Phase I limits frozen for a characteristic (控制限版本): computed from a range of its subgroups, with the points
 * excluded for assignable causes and why. Versions only grow; the characteristic names the one in use.
 */
@Entity({ name: 'spc_limit_set' })
@Index('ux_spc_limit_set_version', ['characteristicId', 'version'], { unique: true })
@Check('ck_spc_limit_set_version', `version >= 1`)
@Check('ck_spc_limit_set_sigma', `sigma >= 0 AND points_used >= 1`)
export class SpcLimitSet {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_spc_limit_set' })
  id: string;

  @ManyToOne('inspection_characteristic', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'characteristic_id', foreignKeyConstraintName: 'fk_spc_limit_set_characteristic' })
  characteristic?: object;

  @Column({ type: 'uuid' })
  characteristicId: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'varchar', length: 8 })
  chart: ChartType;

  /** Process center (x̄̄, p̄, c̄, ū …) and sigma the limits come from (what phase II points are judged against). */
  @Column({ type: 'double precision' })
  center: number;

  @Column({ type: 'double precision' })
  sigma: number;

  /** The limits for the subgroup size of the plan (per point for attribute charts with varying sizes). */
  @Column({ type: 'double precision', nullable: true })
  ucl: number | null;

  @Column({ type: 'double precision', nullable: true })
  lcl: number | null;

  @Column({ type: 'numeric', precision: 4, scale: 2 })
  nSigma: string;

  @Column({ type: 'jsonb', nullable: true })
  secondary: { center: number; ucl: number; lcl: number } | null;

  /** The phase I subgroups: inspections from … to (inclusive), in chart order. */
  @Column({ type: 'uuid' })
  fromInspectionId: string;

  @Column({ type: 'uuid' })
  toInspectionId: string;

  @Column({ type: 'int' })
  pointsUsed: number;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  excluded: Array<{ inspectionId: string; inspectionCode: string; reason: string }>;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  reason: string | null;

  @Column({ type: 'uuid', nullable: true })
  frozenById: string | null;

  @Column({ type: 'varchar', length: 200 })
  frozenByName: string;

  @CreateDateColumn({ type: 'timestamptz' })
  frozenAt: Date;
}

/** A subgroup left out of the limits because of an assignable cause (可查明原因), with the reason. */
@Entity({ name: 'spc_exclusion' })
@Index('ix_spc_exclusion_inspection', ['inspectionId'])
export class SpcExclusion {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_spc_exclusion' })
  characteristicId: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_spc_exclusion' })
  inspectionId: string;

  @ManyToOne('inspection_characteristic', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'characteristic_id', foreignKeyConstraintName: 'fk_spc_exclusion_characteristic' })
  characteristic?: object;

  @ManyToOne('inspection', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inspection_id', foreignKeyConstraintName: 'fk_spc_exclusion_inspection' })
  inspection?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  @Column({ type: 'uuid', nullable: true })
  excludedById: string | null;

  @Column({ type: 'varchar', length: 200 })
  excludedByName: string;

  @CreateDateColumn({ type: 'timestamptz' })
  excludedAt: Date;
}

/**
 * A rule violation on a characteristic's chart (失控信号), once per subgroup: what fired, what it set off (NCR,
 * holds). Unique per characteristic and inspection, so a repeated evaluation never signals twice.
 */
@Entity({ name: 'spc_signal' })
@Index('ux_spc_signal_point', ['characteristicId', 'inspectionId'], { unique: true })
@Index('ix_spc_signal_site', ['siteId', 'detectedAt'])
export class SpcSignal {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_spc_signal' })
  id: string;

  @ManyToOne('inspection_characteristic', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'characteristic_id', foreignKeyConstraintName: 'fk_spc_signal_characteristic' })
  characteristic?: object;

  @Column({ type: 'uuid' })
  characteristicId: string;

  @ManyToOne('inspection', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inspection_id', foreignKeyConstraintName: 'fk_spc_signal_inspection' })
  inspection?: object;

  @Column({ type: 'uuid' })
  inspectionId: string;

  @Column({ type: 'uuid' })
  siteId: string;

  /** Rule ids that fired on the point ("N1", "WE2" …). */
  @Column({ type: 'jsonb' })
  rules: string[];

  @Column({ type: 'double precision' })
  value: number;

  /** The frozen limits version judged against; null for provisional limits. */
  @Column({ type: 'int', nullable: true })
  limitsVersion: number | null;

  @Column({ type: 'uuid', nullable: true })
  ncrId: string | null;

  @Column({ type: 'uuid', nullable: true })
  heldWorkOrderId: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  heldLots: Array<{ lotId: string; lotCode: string }>;

  @CreateDateColumn({ type: 'timestamptz' })
  detectedAt: Date;
}
