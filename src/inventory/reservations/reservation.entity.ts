import { Check, Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ReservationStatus = 'active' | 'closed';
/** What the stock is promised to: a work order, or a maintenance ticket's spare parts. */
export type ReservationDemand = 'work_order' | 'maintenance';

/**
 * Stock promised to a work order (预留): one row per order and material, the quantity still to be issued.
 * Created at release, reduced by every issue to the order, closed when the order is completed, closed or
 * cancelled. Release availability is on-hand available stock minus other orders' active reservations.
 */
@Entity({ name: 'inventory_reservation' })
@Index('ux_inventory_reservation_order_material', ['workOrderId', 'materialId'], { unique: true })
@Index('ix_inventory_reservation_active', ['siteId', 'materialId'], { where: "status = 'active'" })
@Check('ck_inventory_reservation_status', `status IN ('active', 'closed')`)
@Check('ck_inventory_reservation_demand', `demand IN ('work_order', 'maintenance')`)
@Check('ck_inventory_reservation_quantity', `quantity >= 0 AND reserved_qty >= 0`)
export class Reservation {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_inventory_reservation' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 12, default: 'work_order' })
  demand: ReservationDemand;

  /** The work order (or, for `maintenance`, the ticket) the stock is promised to. */
  @Column({ type: 'uuid' })
  workOrderId: string;

  /** Its business code (work order or ticket). */
  @Column({ type: 'varchar', length: 64 })
  workOrderCode: string;

  @Column({ type: 'uuid' })
  materialId: string;

  /** What the order needed when the reservation was made. */
  @Column({ type: 'numeric', precision: 18, scale: 6 })
  reservedQty: string;

  /** What is still promised: reserved minus issued, never below zero. */
  @Column({ type: 'numeric', precision: 18, scale: 6 })
  quantity: string;

  @Column({ type: 'varchar', length: 8, default: 'active' })
  status: ReservationStatus;

  @Column({ type: 'varchar', length: 200, nullable: true })
  closeReason: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;
}
