import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { seedIfEmpty } from '../src/demo-seeding';
import { withStartupLock } from '../src/platform/database/startup-lock';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Several instances of a deployment are often started at the same moment (a rolling restart, a scaled-out
 * service on a new database). Only one may migrate and seed at a time: two running the same DDL fail halfway,
 * and two seeding an empty database would both load the demo factory. Needs a PostgreSQL server: an embedded
 * database belongs to one process, so there is nothing to race there.
 */
const onServer = process.env.TEST_DATABASE_KIND === 'postgresql';
const describeOnServer = onServer ? describe : describe.skip;

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: process.env.TEST_DATABASE_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describeOnServer('instances starting together on one database', () => {
  const name = `${process.env.TEST_DATABASE_NAME}_start_${randomBytes(3).toString('hex')}`;
  const url = (() => {
    const u = new URL(process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://localhost/postgres');
    u.pathname = `/${name}`;
    return u.toString();
  })();
  const apps: TestApp[] = [];

  beforeAll(async () => {
    if (onServer) await admin(`CREATE DATABASE "${name}"`);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    if (onServer) await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('migrate and seed an empty database once: both come up, one demo factory, each migration once', async () => {
    // Both boot at once on the empty database (each boot runs the migrations), then both seed at once.
    const env = { DATABASE_URL: url, SEED_DEMO: 'true', DEMO_PASSWORD: 'demo-pass-123' };
    const [a, b] = await Promise.all([
      startTestApp({ ...env, INSTANCE_ID: 'start-a' }),
      startTestApp({ ...env, INSTANCE_ID: 'start-b' }),
    ]);
    apps.push(a, b);
    const seeded = await Promise.all([seedIfEmpty(a.app), seedIfEmpty(b.app)]);

    // One of them loaded the factory; the other waited and found it there.
    expect(seeded.filter((r) => r?.created).length).toBe(1);
    expect(seeded.filter((r) => r === undefined).length).toBe(1);

    const db = a.dataSource;
    const [{ sites, enterprises, admins }] = await db.query(
      `SELECT (SELECT count(*)::int FROM site) AS sites, (SELECT count(*)::int FROM enterprise) AS enterprises,
              (SELECT count(*)::int FROM app_user WHERE username = 'admin') AS admins`,
    );
    expect({ sites, enterprises, admins }).toEqual({ sites: 1, enterprises: 1, admins: 1 });
    const migrations: Array<{ name: string; n: number }> = await db.query(
      `SELECT name, count(*)::int AS n FROM schema_migrations GROUP BY name`,
    );
    expect(migrations.length).toBe(MIGRATIONS.length);
    expect(migrations.filter((m) => m.n !== 1)).toEqual([]);

    // Both serve requests on the shared database.
    for (const app of [a, b]) {
      const res = await app.http
        .post('/api/v1/auth/login')
        .send({ username: 'planner', password: 'demo-pass-123' })
        .expect(200);
      expect(res.body.accessToken).toEqual(expect.any(String));
    }
  }, 180_000);

  it('the start-up lock lets one holder in at a time and is free again after a failure', async () => {
    const ds = (id: string) =>
      new DataSource({ type: 'postgres', url, extra: { max: 2, application_name: `lock-${id}` } });
    const [one, two] = [ds('one'), ds('two')];
    await Promise.all([one.initialize(), two.initialize()]);
    try {
      const log: string[] = [];
      const holder = (who: string, source: DataSource) =>
        withStartupLock(
          source,
          'demo-seed',
          async () => {
            log.push(`${who} in`);
            await new Promise((r) => setTimeout(r, 300));
            log.push(`${who} out`);
            return who;
          },
          { pollMs: 20 },
        );
      const results = await Promise.all([holder('one', one), holder('two', two)]);
      expect(results).toEqual(['one', 'two']);
      // Never both inside: whoever came first left before the other came in.
      expect([
        ['one in', 'one out', 'two in', 'two out'],
        ['two in', 'two out', 'one in', 'one out'],
      ]).toContainEqual(log);

      await expect(
        withStartupLock(one, 'demo-seed', () => Promise.reject(new Error('seed failed'))),
      ).rejects.toThrow('seed failed');
      // Released despite the failure: the other source gets it at once.
      await expect(withStartupLock(two, 'demo-seed', async () => 'free', { timeoutMs: 1000 })).resolves.toBe(
        'free',
      );

      // While one holds it, the other gives up after its timeout with a message naming the step.
      let release!: () => void;
      const held = withStartupLock(one, 'migrations', () => new Promise<void>((r) => (release = r)));
      await new Promise((r) => setTimeout(r, 100));
      await expect(
        withStartupLock(two, 'migrations', async () => 'never', { timeoutMs: 300, pollMs: 50 }),
      ).rejects.toThrow(/migrations step/);
      release();
      await held;
    } finally {
      await Promise.all([one.destroy(), two.destroy()]);
    }
  });
});
