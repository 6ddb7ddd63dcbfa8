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
} from 'typeorm';
import { Site } from '../sites/site.entity';
import type { Role } from './roles';

/** A system (WMS, ERP, MQTT gateway) calling the API with AppKey + HMAC-signed requests. */
@Entity({ name: 'api_client' })
@Check(
  'ck_api_client_roles',
  `cardinality(roles) >= 1 AND roles <@ ARRAY['admin','planner','operator','quality','maintenance','warehouse','warehouse_supervisor','purchasing','maintenance_lead','viewer']::text[]`,
)
@Index('ux_api_client_app_key', ['appKey'], { unique: true })
export class ApiClient {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_api_client' })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 64 })
  appKey: string;

  /** AES-256-GCM ciphertext of the shared secret (HMAC needs the secret itself, so it cannot be hashed). */
  @Column({ type: 'text', select: false })
  secretCiphertext: string;

  @Column({ type: 'text', array: true })
  roles: Role[];

  @ManyToMany(() => Site)
  @JoinTable({
    name: 'api_client_site',
    joinColumn: {
      name: 'api_client_id',
      referencedColumnName: 'id',
      foreignKeyConstraintName: 'fk_api_client_site_client',
    },
    inverseJoinColumn: {
      name: 'site_id',
      referencedColumnName: 'id',
      foreignKeyConstraintName: 'fk_api_client_site_site',
    },
  })
  sites: Site[];

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
