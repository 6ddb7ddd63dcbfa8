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
import { Site } from '../../platform/sites/site.entity';
import { Material } from '../materials/material.entity';

/**
 * A revision of a material's bill of materials (物料清单), valid from a date (and until one). Revisions of
 * one material never overlap in time, so exactly one applies on any day.
 */
@Entity({ name: 'bom' })
@Index('ux_bom_material_revision', ['materialId', 'revision'], { unique: true })
@Index('ix_bom_site_material', ['siteId', 'materialId'])
@Check('ck_bom_base_quantity', `base_quantity > 0`)
@Check('ck_bom_validity', `valid_to IS NULL OR valid_to > valid_from`)
export class Bom {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_bom' })
  id: string;

  @ManyToOne(() => Site, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_bom_site' })
  site?: Site;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne(() => Material, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'material_id', foreignKeyConstraintName: 'fk_bom_material' })
  material?: Material;

  @Column({ type: 'uuid' })
  materialId: string;

  /** 1, 2, 3 ... per material. */
  @Column({ type: 'int' })
  revision: number;

  /** First day it applies (site-local date). */
  @Column({ type: 'date' })
  validFrom: string;

  /** First day it no longer applies; open-ended when null. */
  @Column({ type: 'date', nullable: true })
  validTo: string | null;

  /** Line quantities are per this quantity of the parent (e.g. per 100 pcs). */
  @Column({ type: 'numeric', precision: 18, scale: 6, default: 1 })
  baseQuantity: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @OneToMany(() => BomLine, (l) => l.bom, { cascade: false })
  lines?: BomLine[];

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

export const ISSUE_METHODS = ['manual', 'backflush'] as const;
export type IssueMethod = (typeof ISSUE_METHODS)[number];

@Entity({ name: 'bom_line' })
@Index('ux_bom_line_bom_line_no', ['bomId', 'lineNo'], { unique: true })
@Index('ix_bom_line_component', ['componentId'])
@Check('ck_bom_line_quantity', `quantity_per > 0`)
@Check('ck_bom_line_scrap', `scrap_factor >= 0 AND scrap_factor < 1`)
@Check('ck_bom_line_issue_method', `issue_method IN ('manual', 'backflush')`)
export class BomLine {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_bom_line' })
  id: string;

  @ManyToOne(() => Bom, (b) => b.lines, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'bom_id', foreignKeyConstraintName: 'fk_bom_line_bom' })
  bom?: Bom;

  @Column({ type: 'uuid' })
  bomId: string;

  @Column({ type: 'int' })
  lineNo: number;

  @ManyToOne(() => Material, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'component_id', foreignKeyConstraintName: 'fk_bom_line_component' })
  component?: Material;

  @Column({ type: 'uuid' })
  componentId: string;

  /** Component quantity (in its base unit) per baseQuantity of the parent. */
  @Column({ type: 'numeric', precision: 18, scale: 6 })
  quantityPer: string;

  /** Extra share for losses: 0.05 means 5 % more is issued. */
  @Column({ type: 'numeric', precision: 7, scale: 6, default: 0 })
  scrapFactor: string;

  /** Scanned at the terminal (manual) or deducted automatically on reporting (backflush). */
  @Column({ type: 'varchar', length: 10, default: 'manual' })
  issueMethod: IssueMethod;

  /** Routing operation (sequence number) where it is consumed. */
  @Column({ type: 'int', nullable: true })
  operationSeq: number | null;
}
