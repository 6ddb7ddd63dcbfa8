import {
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

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ default: 1 })
  version: number;
}
