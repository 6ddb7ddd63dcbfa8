import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Lot } from './lot.entity';

/** How much of a lot is at a location. Changed only by guarded atomic SQL, never below zero. */
@Entity({ name: 'stock_balance' })
@Index('ix_stock_balance_site_material', ['siteId', 'materialId'])
@Index('ix_stock_balance_location', ['locationId'])
@Check('ck_stock_balance_quantity', `quantity >= 0`)
export class StockBalance {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_stock_balance' })
  lotId: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_stock_balance' })
  locationId: string;

  @ManyToOne(() => Lot, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'lot_id', foreignKeyConstraintName: 'fk_stock_balance_lot' })
  lot?: Lot;

  @ManyToOne('storage_location', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'location_id', foreignKeyConstraintName: 'fk_stock_balance_location' })
  location?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne('material', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'material_id', foreignKeyConstraintName: 'fk_stock_balance_material' })
  material?: object;

  @Column({ type: 'uuid' })
  materialId: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  quantity: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
