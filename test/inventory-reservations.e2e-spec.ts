import { randomUUID } from 'node:crypto';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface ReservationRow {
  workOrderId: string;
  materialId: string;
  reservedQty: string;
  openQty: string;
  status: string;
  closeReason: string | null;
}

/** Work order reservations: what release promises, what issues use up, what cancellation gives back. */
describe('inventory: work order reservations', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const as = (role: 'admin' | 'warehouse' | 'planner' | 'operator' | 'viewer') => ({
    Authorization: `Bearer ${f.users[role].token}`,
  });
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const order = async (quantity: string) => {
    const wo = await t.http
      .post(f.url('work-orders'))
      .set(as('planner'))
      .send({ material: 'SA-100', quantity, dueAt: '2030-01-01T00:00:00Z' })
      .expect(201);
    await t.http
      .post(f.url(`work-orders/${wo.body.id}/plan`))
      .set(as('planner'))
      .send({})
      .expect(200);
    return wo.body as { id: string; code: string };
  };
  const release = (id: string) =>
    t.http
      .post(f.url(`work-orders/${id}/release`))
      .set(as('planner'))
      .send({ allowShortage: false });
  const reservations = async (workOrderId: string) =>
    (
      await t.http
        .get(f.url(`inventory/reservations?workOrderId=${workOrderId}`))
        .set(as('viewer'))
        .expect(200)
    ).body.items as ReservationRow[];
  const shaftOf = (rows: ReservationRow[]) => rows.find((r) => r.materialId === f.materials.shaft.id);

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    for (const [material, quantity, lotCode] of [
      ['SHAFT', '10', 'RSV-SH-1'],
      ['GREASE', '5', 'RSV-GR-1'],
    ] as const) {
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material, quantity, location: 'LS-L1', lotCode })
        .expect(201);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('promises stock at release, refuses a second order it would take from, gives it back on cancel', async () => {
    const a = await order('6');
    const releasedA = await release(a.id).expect(200);
    expect(releasedA.body.status).toBe('released');
    expect(shaftOf(await reservations(a.id))).toMatchObject({
      reservedQty: '6',
      openQty: '6',
      status: 'active',
    });

    // 10 shafts on hand, 6 promised to A: B (6) is short by 2 and is refused.
    const b = await order('6');
    const refused = await release(b.id).expect(409);
    expect(refused.body.code).toBe('MATERIAL_SHORT');
    const shaftLine = refused.body.kitting.lines.find(
      (l: { materialCode: string }) => l.materialCode === 'SHAFT',
    );
    expect(shaftLine).toMatchObject({ availableQty: '4', shortQty: '2' });
    expect(await reservations(b.id)).toEqual([]);

    // Cancelling A closes its reservation; B now fits.
    await t.http
      .post(f.url(`work-orders/${a.id}/cancel`))
      .set(as('planner'))
      .send({ reason: 'customer withdrew the order' })
      .expect(200);
    expect(shaftOf(await reservations(a.id))).toMatchObject({
      status: 'closed',
      closeReason: 'work order cancelled',
    });
    await release(b.id).expect(200);

    // Issuing to B uses up its reservation.
    const wo = await t.http
      .get(f.url(`work-orders/${b.id}`))
      .set(as('viewer'))
      .expect(200);
    const op10 = (wo.body.operations as Array<{ id: string; seq: number }>).find((o) => o.seq === 10)!;
    await t.http
      .post(`/api/v1/terminal/operations/${op10.id}/start`)
      .set(as('operator'))
      .set(key())
      .send({})
      .expect(200);
    await t.http
      .post(`/api/v1/terminal/operations/${op10.id}/consume`)
      .set(as('operator'))
      .set(key())
      .send({ lot: 'RSV-SH-1', quantity: '4' })
      .expect(200);
    expect(shaftOf(await reservations(b.id))).toMatchObject({ reservedQty: '6', openQty: '2' });

    // A third order sees what is left: 10 - 4 issued = 6 on hand, 2 still promised to B.
    const c = await order('5');
    const kitting = await t.http
      .get(f.url(`work-orders/${c.id}/kitting`))
      .set(as('viewer'))
      .expect(200);
    expect(
      kitting.body.lines.find((l: { materialCode: string }) => l.materialCode === 'SHAFT'),
    ).toMatchObject({ availableQty: '4', shortQty: '1' });
  });

  it('answers 400 with the field for a bad filter', async () => {
    const res = await t.http
      .get(f.url('inventory/reservations?status=maybe&materialId=nope'))
      .set(as('viewer'))
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['materialId', 'status']);
  });
});
