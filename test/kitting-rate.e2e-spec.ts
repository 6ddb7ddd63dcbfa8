import { randomUUID } from 'node:crypto';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

/** 齐套率: released orders whose every material is at their line, earliest planned start first. */
describe('kitting rate', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const as = (role: 'admin' | 'warehouse' | 'planner' | 'viewer') => ({
    Authorization: `Bearer ${f.users[role].token}`,
  });
  const released = async (quantity: string, plannedStart: string) => {
    const wo = await t.http
      .post(f.url('work-orders'))
      .set(as('planner'))
      .send({ material: 'SA-100', quantity, dueAt: '2030-02-01T00:00:00Z', plannedStart })
      .expect(201);
    await t.http
      .post(f.url(`work-orders/${wo.body.id}/plan`))
      .set(as('planner'))
      .send({})
      .expect(200);
    await t.http
      .post(f.url(`work-orders/${wo.body.id}/release`))
      .set(as('planner'))
      .send({ allowShortage: true, reason: 'material comes today' })
      .expect(200);
    return wo.body as { id: string; code: string };
  };
  const rate = async (query = '') =>
    (
      await t.http
        .get(f.url(`kitting-rate${query}`))
        .set(as('viewer'))
        .expect(200)
    ).body as {
      released: number;
      staged: number;
      rate: string;
      byLine: Array<{ lineCode: string; released: number; staged: number; rate: string }>;
      orders: Array<{
        workOrderId: string;
        staged: boolean;
        missing: Array<{ materialCode: string; missingQty: string }>;
      }>;
    };

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts an order only when all its material is at the line; staged stock serves the earliest order first', async () => {
    expect(await rate()).toMatchObject({ released: 0, staged: 0, rate: '1.0000', orders: [] });
    for (const [material, quantity, location, lotCode] of [
      ['SHAFT', '8', 'WH', 'KR-SH'],
      ['GREASE', '1', 'LS-L1', 'KR-GR'],
    ] as const) {
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material, quantity, location, lotCode })
        .expect(201);
    }
    const later = await released('5', '2030-01-02T08:00:00Z');
    const first = await released('5', '2030-01-01T08:00:00Z');

    let now = await rate();
    expect(now).toMatchObject({ released: 2, staged: 0, rate: '0.0000' });
    expect(now.orders.map((o) => o.workOrderId)).toEqual([first.id, later.id]);
    expect(now.orders[0]!.missing).toEqual([
      { materialId: f.materials.shaft.id, materialCode: 'SHAFT', missingQty: '5' },
    ]);

    // Five shafts reach the line: the earlier order is staged, the later one still misses five.
    await t.http
      .post(f.url('inventory/transfers'))
      .set(as('warehouse'))
      .set('Idempotency-Key', randomUUID())
      .send({ lot: 'KR-SH', fromLocation: 'WH', toLocation: 'LS-L1', quantity: '5' })
      .expect(201);
    now = await rate();
    expect(now).toMatchObject({ released: 2, staged: 1, rate: '0.5000' });
    expect(now.orders.map((o) => o.staged)).toEqual([true, false]);
    expect(now.byLine).toEqual([
      expect.objectContaining({ lineCode: 'L1', released: 2, staged: 1, rate: '0.5000' }),
    ]);
    expect((await rate(`?lineId=${f.line.id}`)).rate).toBe('0.5000');
    expect((await rate(`?lineId=${randomUUID()}`)).released).toBe(0);
    const bad = await t.http.get(f.url('kitting-rate?lineId=L1')).set(as('viewer')).expect(400);
    expect(bad.body.errors[0].field).toBe('lineId');
  });
});
