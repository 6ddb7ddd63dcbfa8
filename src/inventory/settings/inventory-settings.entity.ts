import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { type AllocationPolicy } from '../engine/allocation';

export const ALLOCATION_POLICIES = ['fifo', 'fefo'] as const satisfies readonly AllocationPolicy[];

/** How a site's warehouse hands out stock; a site without a row uses the defaults. */
@Entity({ name: 'inventory_settings' })
@Check('ck_inventory_settings_policy', `allocation_policy IN ('fifo', 'fefo')`)
export class InventorySettings {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_inventory_settings' })
  siteId: string;

  @OneToOne('site', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_inventory_settings_site' })
  site?: object;

  /** Which lots a pick takes first: oldest receipt (FIFO) or earliest expiry (FEFO). */
  @Column({ type: 'varchar', length: 4, default: 'fifo' })
  allocationPolicy: AllocationPolicy;

  @Column({ type: 'int', default: 1 })
  version: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
