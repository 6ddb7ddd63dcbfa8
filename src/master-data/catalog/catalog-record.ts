import { Column, CreateDateColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/**
 * Columns every master-data record shares. Each entity adds its own id (with a named primary key), its site
 * foreign key and a unique (site_id, code) index: one authoritative code per thing and site.
 */
export abstract class CatalogRecord {
  id: string;

  @Column({ type: 'uuid' })
  siteId: string;

  /** The business code people, labels, the WMS and the ERP use. */
  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Chinese name (中文名称), shown alongside. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  nameZh: string | null;

  /** Records are deactivated, never deleted: history and documents keep pointing at them. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
