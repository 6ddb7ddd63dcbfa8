import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

export const REQUISITION_STATUSES = ['open', 'ordered', 'cancelled'] as const;
export type RequisitionStatus = (typeof REQUISITION_STATUSES)[number];

/**
 * A purchase requisition (请购单): a material and quantity the site needs bought, raised by hand or by a rule
 * (stock below its safety level), sent to the ERP, marked ordered with the ERP's purchase order or cancelled.
 * One open requisition per material: a second call while one is open answers that one.
 */
@Entity({ name: 'purchase_requisition' })
@Index('ux_purchase_requisition_code', ['siteId', 'code'], { unique: true })
@Index('ux_purchase_requisition_open_material', ['siteId', 'materialId'], {
  unique: true,
  where: `status = 'open'`,
})
@Index('ix_purchase_requisition_site_status', ['siteId', 'status', 'createdAt'])
@Check('ck_purchase_requisition_status', `status IN ('open', 'ordered', 'cancelled')`)
@Check('ck_purchase_requisition_quantity', `quantity > 0`)
export class PurchaseRequisition {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_purchase_requisition' })
  id: string;

  @ManyToOne('site', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_purchase_requisition_site' })
  site?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  /** PR-000001, per site. */
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @ManyToOne('material', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'material_id', foreignKeyConstraintName: 'fk_purchase_requisition_material' })
  material?: object;

  @Column({ type: 'uuid' })
  materialId: string;

  /** In the material's base unit. */
  @Column({ type: 'numeric', precision: 18, scale: 6 })
  quantity: string;

  @Column({ type: 'timestamptz', nullable: true })
  needBy: Date | null;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  /** `manual`, or `rule:<code>` when a rule raised it. */
  @Column({ type: 'varchar', length: 80 })
  source: string;

  @Column({ type: 'varchar', length: 10, default: 'open' })
  status: RequisitionStatus;

  /** The ERP's purchase order, once ordered. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  purchaseOrder: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  closeNote: string | null;

  @Column({ type: 'varchar', length: 200 })
  requestedByName: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ type: 'int', default: 1 })
  version: number;
}
