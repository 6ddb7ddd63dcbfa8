import { DataSource } from 'typeorm';
import { PasswordHasher } from '../src/platform/auth/password-hasher';
import { sha256Hex } from '../src/platform/auth/hmac-signature';
import type { Role } from '../src/platform/auth/roles';

/**
 * The demo factory: one plant in Suzhou with a user per role, a registered terminal and a WMS API client.
 * Idempotent: nothing is created when the demo site already exists. Passwords are for demos only.
 */
export const DEMO = {
  site: { code: 'SZ01', name: '苏州工厂 Suzhou Plant', timeZone: 'Asia/Shanghai' },
  users: [
    { username: 'admin', displayName: '系统管理员 Admin', password: 'admin123', roles: ['admin'] },
    { username: 'planner', displayName: '王计划 Wang (Planner)', password: 'planner123', roles: ['planner'] },
    {
      username: 'operator',
      displayName: '李操作 Li (Operator)',
      password: 'operator123',
      roles: ['operator'],
      badgeCode: 'B1001',
      pin: '1234',
    },
    {
      username: 'quality',
      displayName: '张质量 Zhang (Quality)',
      password: 'quality123',
      roles: ['quality'],
    },
    {
      username: 'maintenance',
      displayName: '赵维修 Zhao (Maintenance)',
      password: 'maintenance123',
      roles: ['maintenance'],
    },
    {
      username: 'warehouse',
      displayName: '陈仓库 Chen (Warehouse)',
      password: 'warehouse123',
      roles: ['warehouse'],
    },
    { username: 'viewer', displayName: '刘经理 Liu (Manager)', password: 'viewer123', roles: ['viewer'] },
  ] as Array<{
    username: string;
    displayName: string;
    password: string;
    roles: Role[];
    badgeCode?: string;
    pin?: string;
  }>,
  terminal: {
    code: 'T-DEMO-01',
    name: '装配线终端 Assembly terminal',
    deviceKey: 'demo-terminal-device-key-0001',
  },
};

export async function seedDemoData(dataSource: DataSource): Promise<boolean> {
  const existing: unknown[] = await dataSource.query('SELECT 1 FROM site WHERE code = $1', [DEMO.site.code]);
  if (existing.length > 0) return false;
  const hashes = await Promise.all(
    DEMO.users.map(async (u) => ({
      password: await PasswordHasher.hash(u.password),
      pin: u.pin ? await PasswordHasher.hash(u.pin) : null,
    })),
  );
  await dataSource.transaction(async (m) => {
    const [site] = await m.query<Array<{ id: string }>>(
      `INSERT INTO site (code, name, time_zone) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id`,
      [DEMO.site.code, DEMO.site.name, DEMO.site.timeZone],
    );
    if (!site) return;
    for (const [i, u] of DEMO.users.entries()) {
      const [user] = await m.query<Array<{ id: string }>>(
        `INSERT INTO app_user (username, display_name, password_hash, pin_hash, badge_code, roles, locale)
         VALUES ($1, $2, $3, $4, $5, $6, 'zh-CN') RETURNING id`,
        [u.username, u.displayName, hashes[i]!.password, hashes[i]!.pin, u.badgeCode ?? null, u.roles],
      );
      await m.query('INSERT INTO user_site (user_id, site_id) VALUES ($1, $2)', [user!.id, site.id]);
    }
    await m.query(`INSERT INTO terminal (code, name, site_id, device_key_hash) VALUES ($1, $2, $3, $4)`, [
      DEMO.terminal.code,
      DEMO.terminal.name,
      site.id,
      sha256Hex(DEMO.terminal.deviceKey),
    ]);
    await m.query(
      `INSERT INTO audit_log (actor_type, actor_id, actor_name, site_id, entity_type, entity_id, action, after, correlation_id)
       VALUES ('system', 'seed', 'demo seed', $1::uuid, 'site', $1::text, 'demo.seeded', $2, 'seed')`,
      [site.id, JSON.stringify({ site: DEMO.site.code, users: DEMO.users.map((u) => u.username) })],
    );
  });
  return true;
}
