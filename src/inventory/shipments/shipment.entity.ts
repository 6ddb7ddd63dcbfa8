import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A shipment to a customer (发货): which lots, how much of each and from where. Each line is a `shipment`
 * movement in the ledger; traceability uses the lines to say which customer received an affected lot.
 */
@Entity({ name: 'shipment' })
@Index('ux_shipment_code', ['siteId', 'code'], { unique: true })
@Index('ix_shipment_customer', ['customerId', 'shippedAt'])
@Index('ix_shipment_site_time', ['siteId', 'shippedAt'])
export class Shipment {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_shipment' })
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  /** SHP-000001, per site. */
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @ManyToOne('partner', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_shipment_customer' })
  customer?: object;

  @Column({ type: 'uuid' })
  customerId: string;

  /** The customer's order or our delivery note number. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  reference: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  shippedAt: Date;

  @Column({ type: 'varchar', length: 200 })
  shippedBy: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

/** One lot (at one location) on a shipment. */
@Entity({ name: 'shipment_line' })
@Index('ix_shipment_line_shipment', ['shipmentId', 'lineNo'])
@Index('ix_shipment_line_lot', ['lotId'])
@Check('ck_shipment_line_quantity', `quantity > 0`)
export class ShipmentLine {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_shipment_line' })
  id: string;

  @ManyToOne(() => Shipment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'shipment_id', foreignKeyConstraintName: 'fk_shipment_line_shipment' })
  shipment?: Shipment;

  @Column({ type: 'uuid' })
  shipmentId: string;

  @Column({ type: 'int' })
  lineNo: number;

  @ManyToOne('lot', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'lot_id', foreignKeyConstraintName: 'fk_shipment_line_lot' })
  lot?: object;

  @Column({ type: 'uuid' })
  lotId: string;

  @Column({ type: 'uuid' })
  materialId: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  quantity: string;

  @Column({ type: 'uuid' })
  locationId: string;

  /** The ledger row that took the stock. */
  @Column({ type: 'bigint' })
  movementId: string;

  /** Serial-tracked lots: the units shipped. */
  @Column({ type: 'text', array: true, nullable: true })
  serials: string[] | null;
}
