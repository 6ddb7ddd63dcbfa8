import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
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

/** Reads the current roles and sites of a principal on each request, so revocation takes effect at once. */
@Injectable()
export class PrincipalLoader {
  constructor(private readonly dataSource: DataSource) {}

  async loadUser(
    userId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<LoadedUser | undefined> {
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
