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
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { sqlList } from '../../platform/database/sql-list';

export const NCR_SOURCES = ['inspection', 'spc', 'terminal', 'supplier', 'customer'] as const;
export type NcrSource = (typeof NCR_SOURCES)[number];

/** open → under_review → dispositioned (e-signed) → closed (DESIGN.md). */
export const NCR_STATUSES = ['open', 'under_review', 'dispositioned', 'closed'] as const;
export type NcrStatus = (typeof NCR_STATUSES)[number];

export const NCR_DISPOSITIONS = ['use_as_is', 'rework', 'scrap', 'return_to_supplier'] as const;
export type NcrDisposition = (typeof NCR_DISPOSITIONS)[number];

/**
 * A nonconformance report (不合格品处理单): what is wrong, where it came from, how much and which lots; containment
 * (affected lots held), then a disposition signed electronically by a quality user, then closing.
 */
@Entity({ name: 'ncr' })
@Index('ux_ncr_site_code', ['siteId', 'code'], { unique: true })
@Index('ix_ncr_site_status', ['siteId', 'status', 'createdAt'])
@Index('ix_ncr_inspection', ['inspectionId'], { where: 'inspection_id IS NOT NULL' })
@Check('ck_ncr_source', `source IN (${sqlList(NCR_SOURCES)})`)
@Check('ck_ncr_status', `status IN (${sqlList(NCR_STATUSES)})`)
@Check('ck_ncr_disposition', `disposition IS NULL OR disposition IN (${sqlList(NCR_DISPOSITIONS)})`)
@Check(
  'ck_ncr_dispositioned',
  `(status IN ('dispositioned', 'closed')) = (disposition IS NOT NULL AND signature_id IS NOT NULL)`,
)
@Check('ck_ncr_quantity', `quantity IS NULL OR quantity > 0`)
export class Ncr {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_ncr' })
  id: string;

  @ManyToOne('site', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_ncr_site' })
  site?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'varchar', length: 12 })
  source: NcrSource;

  @Column({ type: 'varchar', length: 16, default: 'open' })
  status: NcrStatus;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @ManyToOne('material', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'material_id', foreignKeyConstraintName: 'fk_ncr_material' })
  material?: object;

  @Column({ type: 'uuid', nullable: true })
  materialId: string | null;

  /** The nonconforming quantity, in the material's base unit. */
  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  quantity: string | null;

  /** Reason-code codes of category `defect`. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  defectCodes: string[];

  @Column({ type: 'uuid', nullable: true })
  inspectionId: string | null;

  @Column({ type: 'uuid', nullable: true })
  characteristicId: string | null;

  @Column({ type: 'uuid', nullable: true })
  workOrderId: string | null;

  @Column({ type: 'uuid', nullable: true })
  operationId: string | null;

  @Column({ type: 'uuid', nullable: true })
  workCenterId: string | null;

  @ManyToOne('partner', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'supplier_id', foreignKeyConstraintName: 'fk_ncr_supplier' })
  supplier?: object;

  @Column({ type: 'uuid', nullable: true })
  supplierId: string | null;

  /** Who complained (customer NCRs): a name or reference as the customer gave it. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  customer: string | null;

  @Column({ type: 'uuid', nullable: true })
  reportedById: string | null;

  @Column({ type: 'varchar', length: 200 })
  reportedByName: string;

  @Column({ type: 'uuid', nullable: true })
  reviewerId: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reviewerName: string | null;

  @Column({ type: 'text', nullable: true })
  containmentNote: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  containedAt: Date | null;

  @Column({ type: 'varchar', length: 24, nullable: true })
  disposition: NcrDisposition | null;

  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  dispositionQty: string | null;

  @Column({ type: 'text', nullable: true })
  dispositionNote: string | null;

  @Column({ type: 'uuid', nullable: true })
  signatureId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  dispositionedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  reworkWorkOrderId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  closedByName: string | null;

  @Column({ type: 'text', nullable: true })
  closeNote: string | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

export const NCR_LOT_ROLES = ['reported', 'affected'] as const;
export type NcrLotRole = (typeof NCR_LOT_ROLES)[number];

/**
 * A lot named on an NCR: reported with it, or found affected by containment (downstream of a reported lot).
 * `heldByNcr` records that this NCR put the lot on hold, so a disposition lifts only its own holds.
 */
@Entity({ name: 'ncr_lot' })
@Index('ix_ncr_lot_lot', ['lotId'])
@Check('ck_ncr_lot_role', `role IN (${sqlList(NCR_LOT_ROLES)})`)
@Check('ck_ncr_lot_quantity', `quantity IS NULL OR quantity > 0`)
export class NcrLot {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_ncr_lot' })
  ncrId: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_ncr_lot' })
  lotId: string;

  @ManyToOne(() => Ncr, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ncr_id', foreignKeyConstraintName: 'fk_ncr_lot_ncr' })
  ncr?: Ncr;

  @ManyToOne('lot', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'lot_id', foreignKeyConstraintName: 'fk_ncr_lot_lot' })
  lot?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 12 })
  role: NcrLotRole;

  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  quantity: string | null;

  @Column({ type: 'boolean', default: false })
  heldByNcr: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  addedAt: Date;
}
