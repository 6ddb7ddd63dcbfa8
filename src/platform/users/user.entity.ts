import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinTable,
  ManyToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { Role } from '../auth/roles';
import { Site } from '../sites/site.entity';

@Entity({ name: 'app_user' })
@Check(
  'ck_app_user_roles',
  `cardinality(roles) >= 1 AND roles <@ ARRAY['admin','planner','operator','quality','maintenance','warehouse','warehouse_supervisor','purchasing','maintenance_lead','viewer']::text[]`,
)
@Index('ux_app_user_badge_code', ['badgeCode'], { unique: true, where: 'badge_code IS NOT NULL' })
export class User {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_app_user' })
  id: string;

  /** Stored as typed; unique case-insensitively (index on lower(username), created in the migration). */
  @Index('ux_app_user_username', { synchronize: false })
  @Column({ type: 'varchar', length: 64 })
  username: string;

  @Column({ type: 'varchar', length: 200 })
  displayName: string;

  @Column({ type: 'varchar', length: 255, select: false })
  passwordHash: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  passwordChangedAt: Date;

  /** Badge for terminal sign-in (scanned or typed); PIN kept as an argon2 hash. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  badgeCode: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true, select: false })
  pinHash: string | null;

  @Column({ type: 'text', array: true })
  roles: Role[];

  @Column({ type: 'varchar', length: 10, default: 'zh-CN' })
  locale: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @ManyToMany(() => Site, { eager: false })
  @JoinTable({
    name: 'user_site',
    joinColumn: {
      name: 'user_id',
      referencedColumnName: 'id',
      foreignKeyConstraintName: 'fk_user_site_user',
    },
    inverseJoinColumn: {
      name: 'site_id',
      referencedColumnName: 'id',
      foreignKeyConstraintName: 'fk_user_site_site',
    },
  })
  sites: Site[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ default: 1 })
  version: number;
}
