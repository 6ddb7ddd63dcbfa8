import { seedDemoFactory } from '../seeds/demo-factory';
import { login } from './support/builders';
import { ownDatabase, type OwnDatabase } from './support/own-database';
import { startTestApp, type TestApp } from './support/test-app';

describe('the demo factory', () => {
  let t: TestApp;
  let db: OwnDatabase; // the demo loads once per database: this spec gets its own
  beforeAll(async () => {
    db = await ownDatabase();
    t = await startTestApp({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('loads a believable plant once, which a planner can browse and explode, and every role can sign in', async () => {
    const first = await seedDemoFactory(t.app, 'demo-pass-123');
    expect(first.created).toBe(true);
    expect(first.counts).toMatchObject({
      lines: 2,
      'work-centers': 8,
      equipment: 20,
      boms: 28,
      routings: 28,
      calendars: 2,
    });
    expect(first.counts!.materials).toBeGreaterThanOrEqual(55);
    expect((await seedDemoFactory(t.app, 'demo-pass-123')).created).toBe(false);

    for (const role of ['admin', 'planner', 'operator', 'quality', 'maintenance', 'warehouse', 'viewer']) {
      await login(t.http, { username: role, password: 'demo-pass-123' });
    }
    const planner = await login(t.http, { username: 'planner', password: 'demo-pass-123' });
    const auth = { Authorization: `Bearer ${planner}` };
    const [site] = (await t.http.get('/api/v1/sites').set(auth).expect(200)).body;
    expect(site).toMatchObject({ code: 'SZ01', timeZone: 'Asia/Shanghai' });
    const url = (path: string) => `/api/v1/sites/${site.id}/${path}`;

    const tree = (await t.http.get(url('hierarchy')).set(auth).expect(200)).body;
    expect(tree.enterprise).toMatchObject({ code: 'SPD', nameZh: '苏州精密传动集团' });
    const lines = tree.areas.flatMap((a: { lines: unknown[] }) => a.lines);
    const workCenters = lines.flatMap((l: { workCenters: unknown[] }) => l.workCenters);
    const machines = workCenters.flatMap((w: { equipment: Array<{ status: string }> }) => w.equipment);
    expect([tree.areas.length, lines.length, workCenters.length, machines.length]).toEqual([2, 2, 8, 20]);
    expect(machines.every((e: { status: string }) => e.status === 'idle')).toBe(true);

    const gearbox = (await t.http.get(url('materials/by-code/GB-R63')).set(auth).expect(200)).body;
    expect(gearbox).toMatchObject({ materialClass: 'finished', nameZh: '斜齿轮减速机 R63' });
    const explosion = await t.http
      .get(url(`materials/${gearbox.id}/explosion?quantity=1&at=2026-11-23`))
      .set(auth)
      .expect(200);
    const levels = new Set(explosion.body.lines.map((l: { level: number }) => l.level));
    expect([...levels]).toEqual([1, 2]);
    const codes = explosion.body.totals.map(
      (x: { materialId: string }) => explosion.body.materials[x.materialId].code,
    );
    expect(codes).toEqual(
      expect.arrayContaining(['BAR-40CR', 'BAR-20CRMNTI', 'CST-63', 'BOLT-M8', 'OIL-220']),
    );

    const routing = (
      await t.http
        .get(url(`routings?materialId=${gearbox.id}`))
        .set(auth)
        .expect(200)
    ).body.items[0];
    const full = (
      await t.http
        .get(url(`routings/${routing.id}`))
        .set(auth)
        .expect(200)
    ).body;
    expect(full.operations.map((o: { workCenterCode: string }) => o.workCenterCode)).toEqual([
      'WC-ASSY',
      'WC-TEST',
      'WC-TEST',
    ]);

    // Monday 23 Nov 2026 at the site: two shifts with two half-hour breaks = 15 h.
    const monday = await t.http
      .get(url('calendars/availability?from=2026-11-23T00:00:00%2B08:00&to=2026-11-24T00:00:00%2B08:00'))
      .set(auth)
      .expect(200);
    expect(monday.body.availableMinutes).toBe(15 * 60);
    const furnace = (await t.http.get(url('equipment/by-code/FURN-01')).set(auth).expect(200)).body;
    const furnaceDay = await t.http
      .get(
        url(
          `calendars/availability?from=2026-11-28T00:00:00%2B08:00&to=2026-11-29T00:00:00%2B08:00&equipmentId=${furnace.id}`,
        ),
      )
      .set(auth)
      .expect(200);
    expect(furnaceDay.body).toMatchObject({ calendarCode: 'CAL-HEAT', availableMinutes: 24 * 60 });

    const terminal = await t.http
      .post('/api/v1/auth/terminal-login')
      .send({
        terminalCode: 'T-ASSY-01',
        deviceKey: 'demo-terminal-device-key-0001',
        badgeCode: 'B1001',
        pin: '1234',
      })
      .expect(200);
    expect(terminal.body.accessToken).toEqual(expect.any(String));
    // Seeded through the services: every record has its audit row, by the system actor.
    const audited = await t.dataSource.query<Array<{ n: string }>>(
      `SELECT count(*) AS n FROM audit_log WHERE site_id = $1 AND actor_type = 'system' AND actor_id = 'demo-seed'`,
      [site.id],
    );
    expect(Number(audited[0]!.n)).toBeGreaterThan(100);
  });
});
