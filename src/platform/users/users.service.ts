import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PrincipalLoader } from '../auth/principal.loader';
import { AuditService } from '../audit/audit.service';
import { PasswordHasher } from '../auth/password-hasher';
import type { Principal } from '../auth/principal';
import type { Role } from '../auth/roles';
import { assertSiteAccess } from '../auth/site-access';
import { TransactionRunner, type Tx } from '../database/transaction-runner';
import { DomainError, notFound, PlatformErrorCode } from '../errors/domain-error';
import type { Page } from '../http/pagination';
import { User } from './user.entity';

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  siteIds: string[];
  badgeCode: string | null;
  locale: string;
  active: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreateUser {
  username: string;
  displayName: string;
  password: string;
  roles: Role[];
  siteIds: string[];
  badgeCode?: string;
  pin?: string;
  locale?: string;
}

export type UpdateUser = Partial<Omit<CreateUser, 'username' | 'password'>> & {
  active?: boolean;
  reason?: string;
};

const toView = (u: User): UserView => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  roles: u.roles,
  siteIds: (u.sites ?? []).map((s) => s.id).sort(),
  badgeCode: u.badgeCode,
  locale: u.locale,
  active: u.active,
  version: u.version,
  createdAt: u.createdAt,
  updatedAt: u.updatedAt,
});

/** User administration. An admin manages only users and site assignments within their own sites. */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly principals: PrincipalLoader,
  ) {}

  async list(admin: Principal, limit = 50, offset = 0): Promise<Page<UserView>> {
    if (admin.siteIds.length === 0) return { items: [], total: 0, limit, offset };
    const [users, total] = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .leftJoinAndSelect('u.sites', 's')
      .where('EXISTS (SELECT 1 FROM user_site x WHERE x.user_id = u.id AND x.site_id = ANY(:sites))', {
        sites: admin.siteIds,
      })
      .orderBy('u.username')
      .skip(offset)
      .take(limit)
      .getManyAndCount();
    return { items: users.map(toView), total, limit, offset };
  }

  async get(admin: Principal, id: string): Promise<UserView> {
    return toView(await this.loadVisible(this.dataSource.manager, admin, id));
  }

  create(admin: Principal, input: CreateUser): Promise<UserView> {
    for (const siteId of input.siteIds) assertSiteAccess(admin, siteId);
    return this.hashSecrets(input.password, input.pin).then(([passwordHash, pinHash]) =>
      this.tx.run(async (tx) => {
        await this.assertUnique(tx, input.username, input.badgeCode);
        const inserted = await tx.manager.insert(User, {
          username: input.username,
          displayName: input.displayName,
          passwordHash: passwordHash!,
          pinHash: pinHash ?? null,
          badgeCode: input.badgeCode ?? null,
          roles: input.roles,
          locale: input.locale ?? 'zh-CN',
        });
        const id = (inserted.identifiers[0] as { id: string }).id;
        await this.setSites(tx.manager, id, input.siteIds);
        const view = toView(await this.loadVisible(tx.manager, admin, id));
        await this.audit.record(tx, {
          entityType: 'user',
          entityId: id,
          action: 'user.created',
          after: view,
        });
        tx.raise('platform.user.created', { userId: id, username: view.username, siteIds: view.siteIds });
        return view;
      }),
    );
  }

  async update(admin: Principal, id: string, patch: UpdateUser): Promise<UserView> {
    for (const siteId of patch.siteIds ?? []) assertSiteAccess(admin, siteId);
    const [, pinHash] = await this.hashSecrets(undefined, patch.pin);
    return this.tx.run(async (tx) => {
      await tx.manager.query('SELECT 1 FROM app_user WHERE id = $1 FOR UPDATE', [id]);
      const current = await this.loadVisible(tx.manager, admin, id);
      const before = toView(current);
      if (patch.badgeCode !== undefined && patch.badgeCode !== current.badgeCode)
        await this.assertUnique(tx, undefined, patch.badgeCode);
      if (patch.active === false && id === admin.id) {
        throw new DomainError(
          'conflict',
          PlatformErrorCode.VALIDATION_FAILED,
          'You cannot disable your own account',
          {
            errors: [{ field: 'active', message: 'cannot disable yourself' }],
          },
        );
      }
      await tx.manager.update(
        User,
        { id },
        {
          ...(patch.displayName !== undefined && { displayName: patch.displayName }),
          ...(patch.roles !== undefined && { roles: patch.roles }),
          ...(patch.badgeCode !== undefined && { badgeCode: patch.badgeCode }),
          ...(pinHash !== undefined && { pinHash }),
          ...(patch.locale !== undefined && { locale: patch.locale }),
          ...(patch.active !== undefined && { active: patch.active }),
          version: () => 'version + 1',
        },
      );
      if (patch.siteIds) {
        // Sites outside the admin's scope stay as they are: an admin cannot see or revoke them.
        const keep = before.siteIds.filter((s) => !admin.siteIds.includes(s));
        await this.setSites(tx.manager, id, [...new Set([...keep, ...patch.siteIds])]);
      }
      const after = toView(await this.loadVisible(tx.manager, admin, id));
      await this.audit.record(tx, {
        entityType: 'user',
        entityId: id,
        action: 'user.updated',
        before,
        after: { ...after, pinChanged: pinHash !== undefined },
        reason: patch.reason,
      });
      tx.onCommit(() => this.principals.forget(id));
      tx.raise('platform.user.updated', { userId: id, username: after.username, siteIds: after.siteIds });
      return after;
    });
  }

  async resetPassword(admin: Principal, id: string, password: string, reason?: string): Promise<void> {
    const [hash] = await this.hashSecrets(password, undefined);
    await this.tx.run(async (tx) => {
      await this.loadVisible(tx.manager, admin, id);
      await tx.manager.query(
        `UPDATE app_user SET password_hash = $2, password_changed_at = date_trunc('second', now()), version = version + 1 WHERE id = $1`,
        [id, hash],
      );
      await this.audit.record(tx, {
        entityType: 'user',
        entityId: id,
        action: 'user.password_reset',
        reason,
      });
      tx.onCommit(() => this.principals.forget(id));
    });
  }

  private async loadVisible(manager: EntityManager, admin: Principal, id: string): Promise<User> {
    const user = await manager.getRepository(User).findOne({ where: { id }, relations: { sites: true } });
    if (!user) throw notFound('user', id);
    if (!user.sites.some((s) => admin.siteIds.includes(s.id)) && user.id !== admin.id) {
      throw new DomainError(
        'forbidden',
        PlatformErrorCode.SITE_FORBIDDEN,
        'This user belongs to sites you have no access to',
      );
    }
    return user;
  }

  private async assertUnique(
    tx: Tx,
    username: string | undefined,
    badgeCode: string | undefined,
  ): Promise<void> {
    if (username) {
      const rows: unknown[] = await tx.manager.query(
        'SELECT 1 FROM app_user WHERE lower(username) = lower($1)',
        [username],
      );
      if (rows.length) {
        throw new DomainError('conflict', PlatformErrorCode.ALREADY_EXISTS, `Username ${username} is taken`, {
          errors: [{ field: 'username', message: 'is already taken' }],
        });
      }
    }
    if (badgeCode) {
      const rows: unknown[] = await tx.manager.query('SELECT 1 FROM app_user WHERE badge_code = $1', [
        badgeCode,
      ]);
      if (rows.length) {
        throw new DomainError(
          'conflict',
          PlatformErrorCode.ALREADY_EXISTS,
          `Badge ${badgeCode} is assigned to another user`,
          {
            errors: [{ field: 'badgeCode', message: 'is assigned to another user' }],
          },
        );
      }
    }
  }

  private async setSites(manager: EntityManager, userId: string, siteIds: string[]): Promise<void> {
    const found: Array<{ id: string }> = await manager.query('SELECT id FROM site WHERE id = ANY($1)', [
      siteIds,
    ]);
    const missing = siteIds.filter((s) => !found.some((f) => f.id === s));
    if (missing.length) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Unknown site ids', {
        errors: missing.map((m) => ({ field: 'siteIds', message: `site ${m} does not exist` })),
      });
    }
    await manager.query('DELETE FROM user_site WHERE user_id = $1', [userId]);
    await manager.query('INSERT INTO user_site (user_id, site_id) SELECT $1, unnest($2::uuid[])', [
      userId,
      siteIds,
    ]);
  }

  private async hashSecrets(
    password: string | undefined,
    pin: string | undefined,
  ): Promise<[string | undefined, string | undefined]> {
    return [
      password ? await PasswordHasher.hash(password) : undefined,
      pin ? await PasswordHasher.hash(pin) : undefined,
    ];
  }
}
