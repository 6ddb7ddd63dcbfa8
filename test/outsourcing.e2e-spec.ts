import { randomUUID } from 'node:crypto';
import type { Role } from '../src/platform/auth/roles';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

/** 委外: send to a supplier location, receive processed goods as a new lot linked to what was sent. */
describe('outsourcing', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let supplierLocation: { id: string };
  const as = (role: Role) => ({ Authorization: `Bearer ${f.users[role].token}` });
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const lot = async (code: string) =>
    (
      await t.http
        .get(f.url(`lots/${code}`))
        .set(as('viewer'))
        .expect(200)
    ).body as {
      id: string;
      status: string;
      quantity: string;
      origin: string;
      balances: Array<{ locationId: string; quantity: string }>;
    };

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    const admin = as('admin');
    const supplier = await t.http
      .post(f.url('partners'))
      .set(admin)
      .send({ code: 'S-HT', name: 'Heat treatment Co.', nameZh: '热处理厂', isSupplier: true })
      .expect(201);
    supplierLocation = (
      await t.http
        .post(f.url('locations'))
        .set(admin)
        .send({
          code: 'SUP-HT',
          name: 'At heat treatment',
          locationType: 'supplier',
          partnerId: supplier.body.id,
        })
        .expect(201)
    ).body;
    await t.http
      .post(f.url('materials'))
      .set(admin)
      .send({
        code: 'SHAFT-HT',
        name: 'Shaft, hardened',
        materialClass: 'semi_finished',
        baseUnitId: f.units.pcs.id,
        lotTracked: true,
        inspectionRequired: true,
      })
      .expect(201);
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'SHAFT', quantity: '100', location: 'WH', lotCode: 'OS-IN-1' })
      .expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends, receives in two parts with genealogy, and refuses to use more than was sent', async () => {
    const order = await t.http
      .post(f.url('outsourcing-orders'))
      .set(as('planner'))
      .send({
        supplierLocation: 'SUP-HT',
        process: 'Heat treatment 热处理',
        outputMaterial: 'SHAFT-HT',
        expectedQty: '80',
      })
      .expect(201);
    expect(order.body).toMatchObject({ status: 'open', code: expect.stringMatching(/^OS-\d{6}$/) });
    const id = order.body.id as string;

    const sent = await t.http
      .post(f.url(`outsourcing-orders/${id}/send`))
      .set(as('warehouse'))
      .set(key())
      .send({ lot: 'OS-IN-1', fromLocation: 'WH', quantity: '80' })
      .expect(200);
    expect(sent.body.status).toBe('sent');
    const atSupplier = (await lot('OS-IN-1')).balances.find((b) => b.locationId === supplierLocation.id);
    expect(atSupplier?.quantity).toBe('80.000000');

    // More than was sent for this order: refused, nothing changes.
    const tooMuch = await t.http
      .post(f.url(`outsourcing-orders/${id}/receive`))
      .set(as('warehouse'))
      .set(key())
      .send({ quantity: '90', toLocation: 'WH', inputs: [{ lot: 'OS-IN-1', quantity: '90' }] })
      .expect(409);
    expect(tooMuch.body).toMatchObject({ code: 'NOT_SENT_FOR_ORDER', maxQty: '80' });

    const first = await t.http
      .post(f.url(`outsourcing-orders/${id}/receive`))
      .set(as('warehouse'))
      .set(key())
      .send({
        quantity: '50',
        toLocation: 'WH',
        lotCode: 'HT-1',
        supplierLot: 'HTC-7731',
        inputs: [{ lot: 'OS-IN-1', quantity: '50' }],
      })
      .expect(201);
    expect(first.body.order).toMatchObject({ status: 'partially_received', receivedQty: '50' });
    // The processed lot waits for incoming inspection; it knows its supplier and where it came from.
    expect(first.body.lot).toMatchObject({ code: 'HT-1', status: 'quarantine', supplierLot: 'HTC-7731' });
    const input = await lot('OS-IN-1');
    expect(first.body.order.genealogy).toEqual([
      { parentLotId: input.id, childLotId: first.body.lot.id, quantity: '50' },
    ]);
    expect(input.balances.find((b) => b.locationId === supplierLocation.id)?.quantity).toBe('30.000000');

    const second = await t.http
      .post(f.url(`outsourcing-orders/${id}/receive`))
      .set(as('warehouse'))
      .set(key())
      .send({ quantity: '30', toLocation: 'WH', inputs: [{ lot: 'OS-IN-1', quantity: '30' }] })
      .expect(201);
    expect(second.body.order).toMatchObject({ status: 'received', receivedQty: '80' });
    expect(second.body.order.genealogy).toHaveLength(2);
    const detail = await t.http
      .get(f.url(`outsourcing-orders/${id}`))
      .set(as('viewer'))
      .expect(200);
    expect(detail.body.genealogy.map((g: { quantity: string }) => g.quantity)).toEqual(['50', '30']);
    // What is left of the input lot is the 20 that stayed home.
    const after = await lot('OS-IN-1');
    expect(after.quantity).toBe('20');
    expect(after.balances.find((b) => b.locationId === supplierLocation.id)).toBeUndefined();
    const more = await t.http
      .post(f.url(`outsourcing-orders/${id}/send`))
      .set(as('warehouse'))
      .set(key())
      .send({ lot: 'OS-IN-1', fromLocation: 'WH', quantity: '1' })
      .expect(409);
    expect(more.body.code).toBe('ILLEGAL_TRANSITION');
  });

  it('validates the order field by field and only sends to supplier locations', async () => {
    const bad = await t.http
      .post(f.url('outsourcing-orders'))
      .set(as('planner'))
      .send({ supplierLocation: 'WH', process: ' ', outputMaterial: 'NOPE', expectedQty: '0' })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['process']);
    const wrong = await t.http
      .post(f.url('outsourcing-orders'))
      .set(as('planner'))
      .send({ supplierLocation: 'WH', process: 'Plating', outputMaterial: 'NOPE', expectedQty: '0' })
      .expect(400);
    expect(wrong.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'expectedQty',
      'outputMaterial',
      'supplierLocation',
    ]);
    await t.http
      .post(f.url('outsourcing-orders'))
      .set(as('operator'))
      .send({ supplierLocation: 'SUP-HT', process: 'Plating', outputMaterial: 'SHAFT-HT', expectedQty: '1' })
      .expect(403);
  });
});
