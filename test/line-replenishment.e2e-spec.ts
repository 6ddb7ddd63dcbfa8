import { randomUUID } from 'node:crypto';
import type { Role } from '../src/platform/auth/roles';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface Replenishment {
  id: string;
  code: string;
  status: string;
  requestedQty: string;
  deliveredQty: string;
  materialId: string;
}

/** 补料: below a line-side min, one request up to max; the warehouse brings it by FIFO/FEFO. */
describe('line-side replenishment (embedded warehouse)', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const as = (role: Role) => ({ Authorization: `Bearer ${f.users[role].token}` });
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const receive = (material: string, quantity: string, location: string, lotCode: string) =>
    t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material, quantity, location, lotCode })
      .expect(201);
  const scrap = (lot: string, quantity: string) =>
    t.http
      .post(f.url('inventory/scraps'))
      .set(as('operator'))
      .set(key())
      .send({ lot, location: 'LS-L1', quantity, reasonCode: 'S-DIM' })
      .expect(201);
  const requests = async (status = '') =>
    (
      await t.http
        .get(f.url(`inventory/line-replenishments${status ? `?status=${status}` : ''}`))
        .set(as('viewer'))
        .expect(200)
    ).body.items as Replenishment[];
  const lineSideQty = async (lot: string) =>
    (
      await t.http
        .get(f.url(`lots/${lot}`))
        .set(as('viewer'))
        .expect(200)
    ).body.balances.find((b: { locationId: string }) => b.locationId === f.locations.lineSide.id)?.quantity;

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('requests once below min, up to max; the warehouse confirms and the stock reaches the line', async () => {
    await receive('SHAFT', '50', 'WH', 'LR-WH-1');
    await receive('SHAFT', '12', 'LS-L1', 'LR-LS-1');
    const level = await t.http
      .put(f.url('inventory/line-stock-levels'))
      .set(as('planner'))
      .send({ location: 'LS-L1', material: 'SHAFT', minQty: '10', maxQty: '30' })
      .expect(200);
    expect(level.body).toMatchObject({ minQty: '10', maxQty: '30', active: true });
    expect(await requests()).toEqual([]);

    await scrap('LR-LS-1', '3'); // 9 left < 10
    await scrap('LR-LS-1', '1'); // still below: no second request
    const open = await requests('open');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ requestedQty: '21', materialId: f.materials.shaft.id, status: 'open' });
    const todos = await t.http
      .get(f.url('todos?kind=line_replenishment&status=open'))
      .set(as('warehouse'))
      .expect(200);
    expect(todos.body.items).toHaveLength(1);
    expect(todos.body.items[0].titleZh).toMatch(/^补料 SHAFT 21 → LS-L1/);

    // Only the warehouse confirms.
    await t.http
      .post(f.url(`inventory/line-replenishments/${open[0]!.id}/confirm`))
      .set(as('operator'))
      .set(key())
      .expect(403);
    const done = await t.http
      .post(f.url(`inventory/line-replenishments/${open[0]!.id}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .expect(200);
    expect(done.body).toMatchObject({ status: 'delivered', deliveredQty: '21' });
    expect(await lineSideQty('LR-WH-1')).toBe('21.000000');
    const again = await t.http
      .post(f.url(`inventory/line-replenishments/${open[0]!.id}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .expect(409);
    expect(again.body.code).toBe('REPLENISHMENT_CLOSED');
    const after = await t.http.get(f.url('todos?kind=line_replenishment')).set(as('warehouse')).expect(200);
    expect(after.body.items.map((x: { status: string }) => x.status)).toEqual(['done']);
  });

  it('an operator calls for material by hand (叫料); one open request per place and material; cancel needs a reason', async () => {
    const called = await t.http
      .post(f.url('inventory/line-replenishments'))
      .set(as('operator'))
      .set(key())
      .send({ location: 'LS-L1', material: 'GREASE', quantity: '2' })
      .expect(201);
    expect(called.body).toMatchObject({
      status: 'open',
      requestedQty: '2',
      code: expect.stringMatching(/^LR-/),
    });
    const twice = await t.http
      .post(f.url('inventory/line-replenishments'))
      .set(as('operator'))
      .set(key())
      .send({ location: 'LS-L1', material: 'GREASE', quantity: '3' })
      .expect(409);
    expect(twice.body.code).toBe('REPLENISHMENT_OPEN');
    await t.http
      .post(f.url(`inventory/line-replenishments/${called.body.id}/cancel`))
      .set(as('planner'))
      .send({ reason: ' ' })
      .expect(400);
    const cancelled = await t.http
      .post(f.url(`inventory/line-replenishments/${called.body.id}/cancel`))
      .set(as('planner'))
      .send({ reason: 'line stopped for changeover' })
      .expect(200);
    expect(cancelled.body.status).toBe('cancelled');
  });

  it('refuses levels on non line-side locations and a max not above min, field by field', async () => {
    const wrong = await t.http
      .put(f.url('inventory/line-stock-levels'))
      .set(as('planner'))
      .send({ location: 'WH', material: 'SHAFT', minQty: '1', maxQty: '5' })
      .expect(400);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'location' })]);
    const inverted = await t.http
      .put(f.url('inventory/line-stock-levels'))
      .set(as('planner'))
      .send({ location: 'LS-L1', material: 'SHAFT', minQty: '5', maxQty: '5' })
      .expect(400);
    expect(inverted.body.errors).toEqual([expect.objectContaining({ field: 'maxQty' })]);
    const bad = await t.http
      .put(f.url('inventory/line-stock-levels'))
      .set(as('planner'))
      .send({ location: 'LS-L1', material: 'SHAFT', minQty: '-1', maxQty: 'x' })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['maxQty', 'minQty']);
    await t.http
      .put(f.url('inventory/line-stock-levels'))
      .set(as('operator'))
      .send({ location: 'LS-L1', material: 'SHAFT', minQty: '1', maxQty: '5' })
      .expect(403);
  });
});
