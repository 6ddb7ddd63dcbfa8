import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Site } from '../sites/site.entity';

/** A registered shop-floor terminal; operators sign in at it with badge + PIN. */
@Entity({ name: 'terminal' })
@Index('ux_terminal_code', ['code'], { unique: true })
export class Terminal {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_terminal' })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @ManyToOne(() => Site, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_terminal_site' })
  site: Site;

  @Column({ type: 'uuid' })
  siteId: string;

  /** Work center the terminal serves; set once master data exists. */
  @Column({ type: 'uuid', nullable: true })
  workCenterId: string | null;

  /** SHA-256 of the device key handed out once at registration. */
  @Column({ type: 'char', length: 64, select: false })
  deviceKeyHash: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  lastSignInAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
