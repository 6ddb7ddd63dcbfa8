import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { isRole } from './roles';
import type { Principal } from './principal';

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  roles: string[];
  active: boolean;
  locale: string;
  password_changed_at: Date;
  site_ids: string[] | null;
}

export interface LoadedUser extends Principal {
  active: boolean;
  passwordChangedAt: Date;
}

/** Entries kept at most; past it the oldest go first (a Map iterates in insertion order). */
const MAX_ENTRIES = 10_000;

/**
 * Reads the current roles and sites of a principal, so revocation takes effect without a new token. Every
 * request needs them, so one instance keeps them for PRINCIPAL_CACHE_SECONDS; whatever changes a user calls
 * {@link forget} after its commit, so changes made through this instance apply at once.
 */
@Injectable()
export class PrincipalLoader {
  private readonly ttlMs: number;
  private readonly cache = new Map<string, { at: number; user: Promise<LoadedUser | undefined> }>();

  constructor(
    private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.ttlMs = config.get('PRINCIPAL_CACHE_SECONDS') * 1000;
  }

  /** The user as last committed (through the cache), or read inside the caller's transaction. */
  loadUser(userId: string, manager?: EntityManager): Promise<LoadedUser | undefined> {
    if (manager || this.ttlMs === 0) return this.read(userId, manager ?? this.dataSource.manager);
    const now = Date.now();
    const hit = this.cache.get(userId);
    if (hit && now - hit.at < this.ttlMs) return hit.user;
    // Concurrent requests of one user share the read; a failed read is not kept.
    const user = this.read(userId, this.dataSource.manager);
    this.cache.delete(userId);
    this.cache.set(userId, { at: now, user });
    user.catch(() => {
      if (this.cache.get(userId)?.user === user) this.cache.delete(userId);
    });
    if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return user;
  }

  /** Drops what is kept about a user whose roles, sites, status or password just changed. */
  forget(userId: string): void {
    this.cache.delete(userId);
  }

  private async read(userId: string, manager: EntityManager): Promise<LoadedUser | undefined> {
    const rows: UserRow[] = await manager.query(
      `SELECT u.id, u.username, u.display_name, u.roles, u.active, u.locale, u.password_changed_at,
              array_remove(array_agg(us.site_id ORDER BY us.site_id), NULL) AS site_ids
         FROM app_user u LEFT JOIN user_site us ON us.user_id = u.id
        WHERE u.id = $1 GROUP BY u.id`,
      [userId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      kind: 'user',
      id: row.id,
      name: row.display_name,
      username: row.username,
      roles: row.roles.filter(isRole),
      siteIds: row.site_ids ?? [],
      locale: row.locale,
      active: row.active,
      passwordChangedAt: new Date(row.password_changed_at),
    };
  }
}
