import { randomUUID } from 'node:crypto';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

/** Lot status (quality), transfers, scrap, returns from work orders and the ledger's invariants. */
describe('inventory: lot status and stock movements', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const as = (role: 'admin' | 'warehouse' | 'quality' | 'operator' | 'planner' | 'viewer') => ({
    Authorization: `Bearer ${f.users[role].token}`,
  });
  const receive = async (material: string, quantity: string, location: string, lotCode: string) =>
    (
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material, quantity, location, lotCode })
        .expect(201)
    ).body as { id: string; code: string; status: string };
  const move = (
    path: string,
    body: object,
    role: Parameters<typeof as>[0] = 'warehouse',
    key = randomUUID(),
  ) =>
    t.http
      .post(f.url(`inventory/${path}`))
      .set(as(role))
      .set('Idempotency-Key', key)
      .send(body);
  const lot = async (code: string) =>
    (
      await t.http
        .get(f.url(`lots/${code}`))
        .set(as('viewer'))
        .expect(200)
    ).body as {
      status: string;
      quantity: string;
      version: number;
      heldFrom: string | null;
      balances: Array<{ locationId: string; quantity: string }>;
      movements: Array<{ movementType: string; quantity: string }>;
    };
  const at = (l: Awaited<ReturnType<typeof lot>>, locationId: string) =>
    l.balances.find((b) => b.locationId === locationId)?.quantity;

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('moves stock between locations, refuses more than is there and replays a retried transfer', async () => {
    await receive('SHAFT', '100', 'WH', 'TR-1');
    const key = randomUUID();
    const first = await move(
      'transfers',
      { lot: 'TR-1', fromLocation: 'WH', toLocation: 'LS-L1', quantity: '30' },
      'warehouse',
      key,
    ).expect(201);
    expect(first.body).toMatchObject({ movementType: 'transfer', quantity: '30.000000' });
    const replay = await move(
      'transfers',
      { lot: 'TR-1', fromLocation: 'WH', toLocation: 'LS-L1', quantity: '30' },
      'warehouse',
      key,
    ).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const tooMuch = await move('transfers', {
      lot: 'TR-1',
      fromLocation: 'WH',
      toLocation: 'LS-L1',
      quantity: '71',
    }).expect(409);
    expect(tooMuch.body).toMatchObject({ code: 'INSUFFICIENT_STOCK', availableQty: '70' });
    const same = await move('transfers', {
      lot: 'TR-1',
      fromLocation: 'WH',
      toLocation: 'WH',
      quantity: '1',
    }).expect(400);
    expect(same.body.errors).toEqual([
      { field: 'toLocation', message: 'must differ from the location the stock is taken from' },
    ]);
    const unknown = await move('transfers', {
      lot: 'TR-1',
      fromLocation: 'WH',
      toLocation: 'NOPE',
      quantity: '1',
    }).expect(400);
    expect(unknown.body.errors).toEqual([
      { field: 'toLocation', message: 'location NOPE does not exist at this site' },
    ]);
    await move(
      'transfers',
      { lot: 'TR-1', fromLocation: 'WH', toLocation: 'LS-L1', quantity: '5' },
      'viewer',
    ).expect(403);

    const after = await lot('TR-1');
    expect(after.quantity).toBe('100');
    expect(at(after, f.locations.warehouse.id)).toBe('70.000000');
    expect(at(after, f.locations.lineSide.id)).toBe('30.000000');
    expect(after.movements.map((m) => m.movementType)).toEqual(['receipt', 'transfer']);
  });

  it('holds, releases and rejects lots by the state machine, with reasons, roles and audit', async () => {
    await receive('SHAFT', '10', 'WH', 'ST-1');
    const noReason = await t.http.post(f.url('lots/ST-1/hold')).set(as('warehouse')).send({}).expect(400);
    expect(noReason.body.errors).toEqual([{ field: 'reason', message: 'is required for this change' }]);
    const held = await t.http
      .post(f.url('lots/ST-1/hold'))
      .set(as('warehouse'))
      .send({ reason: 'Supplier recall' })
      .expect(200);
    expect(held.body).toMatchObject({
      status: 'hold',
      statusReason: 'Supplier recall',
      heldFrom: 'available',
      quantity: '10',
    });
    // Stock on hold cannot move to the line's consumption: it is not available for kitting.
    const kitting = await t.http.post(f.url('lots/ST-1/unhold')).set(as('warehouse')).send({}).expect(403);
    expect(kitting.body.code).toBe('ROLE_REQUIRED');
    const stale = await t.http
      .post(f.url('lots/ST-1/unhold'))
      .set(as('quality'))
      .send({ expectedVersion: 1 })
      .expect(409);
    expect(stale.body.code).toBe('STALE_VERSION');
    const back = await t.http.post(f.url('lots/ST-1/unhold')).set(as('quality')).send({}).expect(200);
    expect(back.body).toMatchObject({ status: 'available', heldFrom: null });
    await t.http.post(f.url('lots/ST-1/reject')).set(as('quality')).send({ reason: 'Cracks' }).expect(200);
    const illegal = await t.http.post(f.url('lots/ST-1/release')).set(as('quality')).send({}).expect(409);
    expect(illegal.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: 'rejected' });
    await t.http.post(f.url('lots/ST-1/consume')).set(as('admin')).send({}).expect(400);

    const audit = await t.dataSource.query<Array<{ action: string; reason: string | null }>>(
      `SELECT action, reason FROM audit_log WHERE entity_type = 'lot' AND entity_id = (SELECT id::text FROM lot WHERE code = 'ST-1') ORDER BY id`,
    );
    expect(audit.map((a) => a.action)).toEqual(['lot.created', 'lot.hold', 'lot.unhold', 'lot.reject']);
    expect(audit[1]!.reason).toBe('Supplier recall');
  });

  it('scraps with a scrap reason and uses the lot up when nothing is left', async () => {
    await receive('SHAFT', '4', 'LS-L1', 'SC-1');
    const noReason = await move(
      'scraps',
      { lot: 'SC-1', location: 'LS-L1', quantity: '1', reasonCode: 'P-BREAK' },
      'operator',
    ).expect(400);
    expect(noReason.body.errors).toEqual([
      { field: 'reasonCode', message: 'must be an active reason code of category scrap' },
    ]);
    await move(
      'scraps',
      { lot: 'SC-1', location: 'LS-L1', quantity: '4', reasonCode: 'S-DIM', note: 'dropped' },
      'operator',
    ).expect(201);
    const l = await lot('SC-1');
    expect(l).toMatchObject({ status: 'consumed', quantity: '0' });
    expect(l.movements.map((m) => m.movementType)).toEqual(['receipt', 'scrap']);
  });

  it('takes back what a work order did not use (退料), never more than it got', async () => {
    await receive('SHAFT', '20', 'LS-L1', 'RT-1');
    const wo = (
      await t.http
        .post(f.url('work-orders'))
        .set(as('planner'))
        .send({ material: 'SA-100', quantity: '10', dueAt: '2030-01-01T00:00:00Z' })
        .expect(201)
    ).body as { id: string; operations: Array<{ id: string }> };
    await t.http
      .post(f.url(`work-orders/${wo.id}/plan`))
      .set(as('planner'))
      .send({})
      .expect(200);
    await t.http
      .post(f.url(`work-orders/${wo.id}/release`))
      .set(as('planner'))
      .send({ allowShortage: true })
      .expect(200);
    const op10 = wo.operations[0]!.id;
    const terminal = (path: string, body: object) =>
      t.http
        .post(`/api/v1/terminal/operations/${op10}/${path}`)
        .set(as('operator'))
        .set('Idempotency-Key', randomUUID())
        .send(body);
    await terminal('start', {}).expect(200);
    await terminal('consume', { lot: 'RT-1', quantity: '20' }).expect(200);
    expect((await lot('RT-1')).status).toBe('consumed');

    const ret = await move('returns', {
      lot: 'RT-1',
      workOrderId: wo.id,
      toLocation: 'WH',
      quantity: '6',
    }).expect(201);
    expect(ret.body).toMatchObject({
      movementType: 'return',
      workOrderId: wo.id,
      toLocationId: f.locations.warehouse.id,
    });
    const back = await lot('RT-1');
    expect(back).toMatchObject({ status: 'available', quantity: '6' });
    const over = await move('returns', {
      lot: 'RT-1',
      workOrderId: wo.id,
      toLocation: 'WH',
      quantity: '15',
    }).expect(409);
    expect(over.body).toMatchObject({ code: 'RETURN_EXCEEDS_ISSUED', maxReturnQty: '14' });

    const ledger = await t.http
      .get(f.url(`inventory/movements?workOrderId=${wo.id}`))
      .set(as('viewer'))
      .expect(200);
    expect(ledger.body.items.map((m: { movementType: string }) => m.movementType)).toEqual([
      'return',
      'issue',
    ]);
  });

  it('keeps balance = sum of movements and never negative under concurrent random moves', async () => {
    const { warehouse, lineSide, wip } = f.locations;
    const locs = [warehouse, lineSide, wip];
    const lots = ['IV-1', 'IV-2'];
    for (const code of lots) await receive('SHAFT', '30', 'WH', code);
    // A fixed pseudo-random sequence: reproducible, still interleaved by the server.
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const requests = Array.from({ length: 60 }, () => {
      const code = lots[rnd(lots.length)]!;
      const from = locs[rnd(3)]!;
      const to = locs.filter((l) => l.id !== from.id)[rnd(2)]!;
      const quantity = String(1 + rnd(12));
      return rnd(6) === 0
        ? move('scraps', { lot: code, location: from.id, quantity, reasonCode: 'S-DIM' })
        : move('transfers', { lot: code, fromLocation: from.id, toLocation: to.id, quantity });
    });
    const answers = await Promise.all(requests);
    expect(
      answers.every((a) => a.status === 201 || (a.status === 409 && a.body.code === 'INSUFFICIENT_STOCK')),
    ).toBe(true);
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThan(10);

    const rows = await t.dataSource.query<
      Array<{ lot: string; location_id: string; balance: string; ledger: string }>
    >(
      `SELECT l.code AS lot, b.location_id, b.quantity::text AS balance,
              (SELECT coalesce(sum(CASE WHEN m.to_location_id = b.location_id THEN m.quantity ELSE 0 END)
                             - sum(CASE WHEN m.from_location_id = b.location_id THEN m.quantity ELSE 0 END), 0)
                 FROM inventory_movement m WHERE m.lot_id = b.lot_id)::text AS ledger
         FROM stock_balance b JOIN lot l ON l.id = b.lot_id WHERE l.code = ANY($1)`,
      [lots],
    );
    expect(rows.length).toBeGreaterThan(2);
    for (const r of rows) {
      expect(Number(r.balance)).toBeGreaterThanOrEqual(0);
      expect(Number(r.balance)).toBe(Number(r.ledger));
    }
    // The ledger cannot be rewritten.
    await expect(
      t.dataSource.query(
        `UPDATE inventory_movement SET quantity = 1 WHERE lot_id IN (SELECT id FROM lot WHERE code = 'IV-1')`,
      ),
    ).rejects.toThrow();
    await expect(
      t.dataSource.query(
        `DELETE FROM inventory_movement WHERE lot_id IN (SELECT id FROM lot WHERE code = 'IV-1')`,
      ),
    ).rejects.toThrow();
  });
});
