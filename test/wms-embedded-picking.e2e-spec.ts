import { randomUUID } from 'node:crypto';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { eventually } from './support/eventually';
import { startTestApp, type TestApp } from './support/test-app';

type Role = 'warehouse' | 'planner' | 'viewer' | 'quality';

/** Embedded warehouse: lot suggestions, and a confirmation saying which lot and how much was picked. */
describe('WMS bridge, embedded warehouse: suggestions, scanned lots and short picks', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const as = (role: Role) => ({ Authorization: `Bearer ${f.users[role].token}` });
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const receive = (material: string, quantity: string, lotCode: string, expiryDate?: string) =>
    t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material, quantity, location: 'WH', lotCode, ...(expiryDate ? { expiryDate } : {}) })
      .expect(201);
  const releasedTask = async (quantity: string) => {
    const wo = (
      await t.http
        .post(f.url('work-orders'))
        .set(as('planner'))
        .send({ material: 'SA-100', quantity, dueAt: '2030-01-01T00:00:00Z' })
        .expect(201)
    ).body as { id: string };
    await t.http
      .post(f.url(`work-orders/${wo.id}/plan`))
      .set(as('planner'))
      .send({})
      .expect(200);
    await t.http
      .post(f.url(`work-orders/${wo.id}/release`))
      .set(as('planner'))
      .send({ allowShortage: true, reason: 'test' })
      .expect(200);
    return eventually(async () => {
      const res = await t.http
        .get(f.url(`wms/pick-tasks?workOrderId=${wo.id}`))
        .set(as('warehouse'))
        .expect(200);
      return res.body[0]?.status === 'sent'
        ? (res.body[0] as { id: string; workOrderId: string })
        : undefined;
    }, 'pick task sent');
  };
  const lot = async (code: string) =>
    (
      await t.http
        .get(f.url(`lots/${code}`))
        .set(as('viewer'))
        .expect(200)
    ).body as { balances: Array<{ locationId: string; quantity: string }> };

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    await receive('SHAFT', '30', 'PK-A', '2031-01-31');
    await receive('SHAFT', '30', 'PK-B', '2030-06-30');
    await receive('GREASE', '5', 'PK-GR');
    await t.http
      .put(f.url('inventory-settings'))
      .set(as('warehouse'))
      .send({ allocationPolicy: 'fefo' })
      .expect(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('suggests lots by the site policy without moving stock, then picks the scanned lot', async () => {
    const task = await releasedTask('20');
    const suggestions = await t.http
      .get(f.url(`wms/pick-tasks/${task.id}/suggestions`))
      .set(as('viewer'))
      .expect(200);
    expect(suggestions.body[0]).toMatchObject({
      lineNo: 1,
      openQty: '20',
      policy: 'fefo',
      shortQty: '0',
      allocations: [{ lotCode: 'PK-B', quantity: '20', expiryDate: '2030-06-30' }],
    });
    expect((await lot('PK-B')).balances).toEqual([expect.objectContaining({ quantity: '30.000000' })]);

    // Not the suggested lot: the one scanned. Another material's lot or more than open is refused.
    const wrong = await t.http
      .post(f.url(`wms/pick-tasks/${task.id}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .send({ lines: [{ lineNo: 1, qty: '21', lot: 'PK-GR' }] })
      .expect(400);
    expect(wrong.body.errors.map((e: { field: string }) => e.field)).toEqual(['lines[0].qty']);
    const other = await t.http
      .post(f.url(`wms/pick-tasks/${task.id}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .send({ lines: [{ lineNo: 1, qty: '20', lot: 'PK-GR' }] })
      .expect(400);
    expect(other.body.errors[0].field).toBe('lines[0].lot');
    const done = await t.http
      .post(f.url(`wms/pick-tasks/${task.id}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .send({ lines: [{ lineNo: 1, qty: '20', lot: 'PK-A' }] })
      .expect(200);
    expect(done.body.status).toBe('delivered');
    expect(Object.fromEntries((await lot('PK-A')).balances.map((b) => [b.locationId, b.quantity]))).toEqual({
      [f.locations.warehouse.id]: '10.000000',
      [f.locations.lineSide.id]: '20.000000',
    });
    const moves = await t.http
      .get(f.url(`inventory/movements?workOrderId=${task.workOrderId}`))
      .set(as('viewer'))
      .expect(200);
    expect(moves.body.items.length).toBeGreaterThan(0);
  });

  it('a short pick needs a reason and reports the shortage; a lot without enough is refused', async () => {
    const task = await releasedTask('20');
    const noReason = await t.http
      .post(f.url(`wms/pick-tasks/${task.id}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .send({ lines: [{ lineNo: 1, qty: '12', lot: 'PK-B' }] })
      .expect(400);
    expect(noReason.body.errors[0].field).toBe('shortReason');
    const tooLittle = await t.http
      .post(f.url(`wms/pick-tasks/${task.id}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .send({ lines: [{ lineNo: 1, qty: '15', lot: 'PK-A' }], shortReason: 'bin short' })
      .expect(409);
    expect(tooLittle.body).toMatchObject({ code: 'INSUFFICIENT_STOCK', availableQty: '10' });
    const short = await t.http
      .post(f.url(`wms/pick-tasks/${task.id}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .send({ lines: [{ lineNo: 1, qty: '12', lot: 'PK-B' }], shortReason: 'Bin 3 damaged' })
      .expect(200);
    expect(short.body).toMatchObject({ status: 'shortage', note: 'Bin 3 damaged' });
    const shaft = short.body.lines.find((l: { lineNo: number }) => l.lineNo === 1);
    expect(shaft).toMatchObject({ openQty: '8' });
    expect(Number(shaft.deliveredQty)).toBe(12);
    expect(Number(shaft.shortQty)).toBe(8);
    // The grease line, not named, was picked by the policy.
    expect(short.body.lines.find((l: { lineNo: number }) => l.lineNo === 2).openQty).toBe('0');
    await t.http
      .post(f.url(`wms/pick-tasks/${task.id}/confirm`))
      .set(as('viewer'))
      .set(key())
      .send({})
      .expect(403);
  });
});
