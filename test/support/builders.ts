import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type request from 'supertest';
import { PasswordHasher } from '../../src/platform/auth/password-hasher';
import type { Role } from '../../src/platform/auth/roles';

/** Test data builders: unique codes per call so test files never collide in the shared database. */
let counter = 0;
export const unique = (prefix: string): string =>
  `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${randomUUID().slice(0, 4)}`;

export async function createSite(
  ds: DataSource,
  overrides: { code?: string; timeZone?: string } = {},
): Promise<{ id: string; code: string }> {
  const code = overrides.code ?? unique('S').slice(0, 32);
  const [row] = await ds.query<Array<{ id: string }>>(
    `INSERT INTO site (code, name, time_zone) VALUES ($1, $2, $3) RETURNING id`,
    [code, `Site ${code}`, overrides.timeZone ?? 'Asia/Shanghai'],
  );
  return { id: row!.id, code };
}

export interface TestUser {
  id: string;
  username: string;
  password: string;
  badgeCode?: string;
  pin?: string;
}

// Hashing with argon2 is deliberately slow; tests reuse one hash per distinct secret.
const hashCache = new Map<string, Promise<string>>();
const hashOf = (plain: string): Promise<string> => {
  if (!hashCache.has(plain)) hashCache.set(plain, PasswordHasher.hash(plain));
  return hashCache.get(plain)!;
};

export async function createUser(
  ds: DataSource,
  opts: {
    roles: Role[];
    siteIds: string[];
    password?: string;
    badgeCode?: string;
    pin?: string;
    active?: boolean;
  },
): Promise<TestUser> {
  const username = unique('u').slice(0, 64);
  const password = opts.password ?? 'correct horse battery';
  const [row] = await ds.query<Array<{ id: string }>>(
    `INSERT INTO app_user (username, display_name, password_hash, pin_hash, badge_code, roles, active)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      username,
      `User ${username}`,
      await hashOf(password),
      opts.pin ? await hashOf(opts.pin) : null,
      opts.badgeCode ?? null,
      opts.roles,
      opts.active ?? true,
    ],
  );
  for (const siteId of opts.siteIds)
    await ds.query('INSERT INTO user_site (user_id, site_id) VALUES ($1, $2)', [row!.id, siteId]);
  return { id: row!.id, username, password, badgeCode: opts.badgeCode, pin: opts.pin };
}

export async function login(
  http: ReturnType<typeof request>,
  user: { username: string; password: string },
): Promise<string> {
  const res = await http
    .post('/api/v1/auth/login')
    .send({ username: user.username, password: user.password });
  if (res.status !== 200)
    throw new Error(`login failed for ${user.username}: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { accessToken: string }).accessToken;
}

/** A site with an admin and one user per role, each with a token. */
export async function siteWithStaff(ds: DataSource, http: ReturnType<typeof request>) {
  const site = await createSite(ds);
  const roles: Role[] = [
    'admin',
    'planner',
    'operator',
    'quality',
    'maintenance',
    'warehouse',
    'warehouse_supervisor',
    'viewer',
  ];
  const users = {} as Record<Role, TestUser & { token: string }>;
  for (const role of roles) {
    const u = await createUser(ds, { roles: [role], siteIds: [site.id] });
    users[role] = { ...u, token: await login(http, u) };
  }
  return { site, users };
}
