import { seedDemoFactory } from '../seeds/demo-factory';
import { login } from './support/builders';
import { settledVersion } from './support/schedule-version';
import { ownDatabase, type OwnDatabase } from './support/own-database';
import { startTestApp, type TestApp } from './support/test-app';

interface Bar {
  operationId: string;
  workOrderId: string;
  workOrderCode: string;
  materialCode: string;
  seq: number;
  start: string;
  end: string;
}

/**
 * Done when: on the demo plant a planner schedules, inserts a rush order and compares a what-if in seconds (each run
 * here has a budget of 2–3 s; wall times are not asserted in tests).
 */
describe('planning: the demo plant', () => {
  let t: TestApp;
  let db: OwnDatabase; // the demo loads once per database: this spec gets its own
  let auth: Record<string, string>;
  let url: (path: string) => string;

  const runToEnd = async (
    path: string,
    body: object,
  ): Promise<Record<string, unknown> & { id: string; kpis: unknown }> => {
    const queued = await t.http
      .post(url(`planning/${path}`))
      .set(auth)
      .send(body)
      .expect(202);
    const version = await settledVersion(t.http, url(`planning/versions/${queued.body.id}`), auth);
    expect(version).toMatchObject({ status: 'succeeded', error: null });
    return version;
  };

  beforeAll(async () => {
    db = await ownDatabase();
    t = await startTestApp({ DATABASE_URL: db.url });
    const seeded = await seedDemoFactory(t.app, 'demo-pass-123');
    expect(seeded.counts!['work-orders']).toBe(42);
    auth = {
      Authorization: `Bearer ${await login(t.http, { username: 'planner', password: 'demo-pass-123' })}`,
    };
    url = (path: string) => `/api/v1/sites/${seeded.siteId}/${path}`;
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('schedules the demo orders, inserts a rush order and compares a what-if, each with a budget of seconds', async () => {
    // Schedule: every planned order, machined parts before the gearboxes that use them.
    const plan = await runToEnd('runs', { seconds: 3 });
    expect(plan.kpis).toMatchObject({ orderCount: 42, operationCount: 126 });
    const rows: Array<{
      workOrderId: string;
      materialCode: string;
      start: string;
      end: string;
      bars: Bar[];
    }> = (
      await t.http
        .get(url(`planning/gantt?versionId=${plan.id}&by=workorder`))
        .set(auth)
        .expect(200)
    ).body.rows;
    const gearbox = rows.find((r) => r.materialCode === 'GB-R80')!;
    const parts = rows.filter((r) => /^(HSG|CVR|ISH|OSH|PIN|GER)-80$/.test(r.materialCode));
    // Each of the six parts of the gearbox's assembly is made before it starts (its setup may come first).
    const assembly = gearbox.bars.find((b) => b.seq === 10)!;
    const firstParts = parts.filter((p) => Date.parse(p.end) <= Date.parse(assembly.start));
    expect(new Set(firstParts.map((p) => p.materialCode)).size).toBe(6);
    await t.http
      .post(url(`planning/versions/${plan.id}/publish`))
      .set(auth)
      .send({})
      .expect(200);

    // Rush: a customer needs four R50 gearboxes the day after tomorrow.
    const rushOrder = await t.http
      .post(url('work-orders'))
      .set(auth)
      .send({ material: 'GB-R50', quantity: '4', dueAt: new Date(Date.now() + 2 * 86400000).toISOString() })
      .expect(201);
    const rush = await runToEnd('rush-inserts', {
      workOrderId: rushOrder.body.id,
      seconds: 2,
    });
    const impact = await t.http
      .get(url(`planning/rush-inserts/${rush.id}/impact`))
      .set(auth)
      .expect(200);
    expect(impact.body.rushOrder).toMatchObject({ workOrderId: rushOrder.body.id });
    await t.http
      .post(url(`planning/rush-inserts/${rush.id}/apply`))
      .set(auth)
      .send({})
      .expect(200);
    const rushed = await t.http
      .get(url(`work-orders/${rushOrder.body.id}`))
      .set(auth)
      .expect(200);
    expect(rushed.body).toMatchObject({
      priority: 'rush',
      status: 'planned',
      plannedEnd: impact.body.rushOrder.plannedEnd,
    });

    // What-if: the R80 hobber is down tomorrow; the hobbing cell works Saturday overtime.
    const machines = (await t.http.get(url('planning/gantt')).set(auth).expect(200)).body.rows as Array<{
      equipmentId: string;
      code: string;
      workCenterId: string;
    }>;
    const hob2 = machines.find((m) => m.code === 'HOB-02')!;
    const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
    const saturday = new Date(Date.now() + ((6 - new Date().getUTCDay() + 7) % 7 || 7) * 86400000)
      .toISOString()
      .slice(0, 10);
    const created = await t.http
      .post(url('planning/scenarios'))
      .set(auth)
      .send({
        name: 'HOB-02 down tomorrow, Saturday overtime in hobbing',
        seconds: 2,
        changes: [
          {
            type: 'machine_down',
            equipmentId: hob2.equipmentId,
            from: `${tomorrow}T08:00:00+08:00`,
            to: `${tomorrow}T23:59:00+08:00`,
          },
          {
            type: 'overtime',
            workCenterId: hob2.workCenterId,
            from: `${saturday}T08:00:00+08:00`,
            to: `${saturday}T16:00:00+08:00`,
          },
        ],
      })
      .expect(202);
    const scenario = await settledVersion(t.http, url(`planning/versions/${created.body.id}`), auth);
    expect(scenario).toMatchObject({ status: 'succeeded', error: null });
    const compared = await t.http
      .get(url(`planning/scenarios/${scenario.id}/compare`))
      .set(auth)
      .expect(200);
    expect(compared.body.left.id).toBe(rush.id);
    expect(compared.body.orders).toHaveLength(43);
    expect(compared.body.kpis.makespanMinutes.right).toEqual(expect.any(Number));
  });
});
