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
import { Enterprise } from './enterprise.entity';

/** A plant: the unit of data ownership and access. Master data hangs its ISA-95 hierarchy off it. */
@Entity({ name: 'site' })
@Index('ux_site_code', ['code'], { unique: true })
@Check('ck_site_currency', `currency ~ '^[A-Z]{3}$'`)
export class Site {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_site' })
  id: string;

  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @ManyToOne(() => Enterprise, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'enterprise_id', foreignKeyConstraintName: 'fk_site_enterprise' })
  enterprise?: Enterprise;

  @Column({ type: 'uuid', nullable: true })
  enterpriseId: string | null;

  /** IANA zone; shift calendars and "today" are interpreted in it. */
  @Column({ type: 'varchar', length: 64 })
  timeZone: string;

  /** ISO 4217 code of the currency costs are kept in (lot unit costs, labour and machine rates). */
  @Column({ type: 'varchar', length: 3, default: 'CNY' })
  currency: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ default: 1 })
  version: number;
}
