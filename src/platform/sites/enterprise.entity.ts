import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

/** ISA-95 enterprise: the company that owns one or more sites. */
@Entity({ name: 'enterprise' })
@Index('ux_enterprise_code', ['code'], { unique: true })
export class Enterprise {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_enterprise' })
  id: string;

  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  nameZh: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ default: 1 })
  version: number;
}
