import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { sqlList } from '../../platform/database/sql-list';
import { Site } from '../../platform/sites/site.entity';

import type { LotStatus } from '../engine/lot-state';

export { LOT_STATUSES, type LotStatus } from '../engine/lot-state';

/** How a lot came to be: received, produced, back from outsourcing, or split off another lot. */
export const LOT_ORIGINS = ['receipt', 'production', 'outsourcing', 'split'] as const;
export type LotOrigin = (typeof LOT_ORIGINS)[number];

/** A lot (批次): one identifiable quantity of a material, received or produced, with a quality status. */
@Entity({ name: 'lot' })
@Index('ux_lot_site_code', ['siteId', 'code'], { unique: true })
@Index('ix_lot_material_status', ['materialId', 'status'])
@Index('ix_lot_work_order', ['workOrderId'], { where: 'work_order_id IS NOT NULL' })
@Check('ck_lot_status', `status IN ('quarantine', 'available', 'hold', 'rejected', 'consumed', 'expired')`)
@Check('ck_lot_origin', `origin IN (${sqlList(LOT_ORIGINS)})`)
@Check('ck_lot_held_from', `held_from IS NULL OR status = 'hold'`)
@Check('ck_lot_initial_qty', `initial_qty > 0`)
@Check('ck_lot_unit_cost', `unit_cost >= 0`)
export class Lot {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_lot' })
  id: string;

  @ManyToOne(() => Site, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_lot_site' })
  site?: Site;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @ManyToOne('material', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'material_id', foreignKeyConstraintName: 'fk_lot_material' })
  material?: object;

  @Column({ type: 'uuid' })
  materialId: string;

  @ManyToOne('unit_of_measure', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_lot_unit' })
  unit?: object;

  @Column({ type: 'uuid' })
  unitId: string;

  @Column({ type: 'varchar', length: 12 })
  status: LotStatus;

  @Column({ type: 'varchar', length: 500, nullable: true })
  statusReason: string | null;

  /** While on hold: the status it was held from, which unhold returns it to. */
  @Column({ type: 'varchar', length: 12, nullable: true })
  heldFrom: LotStatus | null;

  @Column({ type: 'varchar', length: 12 })
  origin: LotOrigin;

  /** Quantity at receipt or production; what is left lives in the stock balances. */
  @Column({ type: 'numeric', precision: 18, scale: 6 })
  initialQty: string;

  /** The work order that produced it (production lots). */
  @Column({ type: 'uuid', nullable: true })
  workOrderId: string | null;

  @ManyToOne('partner', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'supplier_id', foreignKeyConstraintName: 'fk_lot_supplier' })
  supplier?: object;

  @Column({ type: 'uuid', nullable: true })
  supplierId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  supplierLot: string | null;

  @Column({ type: 'date', nullable: true })
  expiryDate: string | null;

  /** What one base unit of it cost (in the site's currency), given at receipt; null when not known. */
  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  unitCost: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
