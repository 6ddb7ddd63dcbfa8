import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

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
