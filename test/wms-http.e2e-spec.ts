import { randomUUID } from 'node:crypto';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { eventually } from './support/eventually';
import { startTestApp, type TestApp } from './support/test-app';
import { signedPost, startTestWms, type TestWms } from './support/test-wms';

type Role = 'admin' | 'warehouse' | 'warehouse_supervisor' | 'quality' | 'operator' | 'planner' | 'viewer';

const MOM_KEY = 'MOM-SZ01';
const MOM_SECRET = 'mom-to-wms-shared-secret-0123456789abcdef';
/** The outage the issue asks for: the WMS is unreachable for this long while orders are released. */
const OUTAGE_MS = 60_000;

/** A factory with an external WMS (WMS_MODE=http) played by the test WMS over real HTTP. */
describe('WMS bridge over HTTP: signed messages out, signed events in', () => {
  let wms: TestWms;
  let t: TestApp;
  let f: ProductionFactory;
  let client: { appKey: string; appSecret: string };
  const as = (role: Role) => ({ Authorization: `Bearer ${f.users[role].token}` });
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const event = (type: string, data: object, eventId = randomUUID()) => ({
    eventId,
    type,
    occurredAt: new Date().toISOString(),
    data,
  });
  const send = (body: object, options = {}) => signedPost(t.url, '/api/v1/wms/events', body, client, options);
  const workOrder = async (id: string) =>
    (
      await t.http
        .get(f.url(`work-orders/${id}`))
        .set(as('planner'))
        .expect(200)
    ).body as {
      status: string;
      version: number;
    };
  const createPlanned = async (quantity: string) => {
    const wo = (
      await t.http
        .post(f.url('work-orders'))
        .set(as('planner'))
        .send({ material: 'SA-100', quantity, dueAt: '2030-01-01T00:00:00Z' })
        .expect(201)
    ).body as { id: string; code: string };
    await t.http
      .post(f.url(`work-orders/${wo.id}/plan`))
      .set(as('planner'))
      .send({})
      .expect(200);
    return wo;
  };
  const release = async (id: string, allowShortage = false) =>
    (
      await t.http
        .post(f.url(`work-orders/${id}/release`))
        .set(as('planner'))
        .send(allowShortage ? { allowShortage: true, reason: 'the WMS reports what is short' } : {})
        .expect(200)
    ).body as { id: string; code: string; operations: Array<{ id: string }> };
  const pickTaskMessage = (code: string) =>
    wms.acceptedOn('/pick-tasks').find((m) => m.body?.workOrder === code && m.path === '/pick-tasks');

  beforeAll(async () => {
    wms = await startTestWms({ appKey: MOM_KEY, appSecret: MOM_SECRET });
    t = await startTestApp({
      WMS_MODE: 'http',
      WMS_BASE_URL: wms.url,
      WMS_APP_KEY: MOM_KEY,
      WMS_APP_SECRET: MOM_SECRET,
      OUTBOX_BACKOFF_BASE_MS: '100',
      // Retries at most a second apart, so the outage below is retried ~60 times and never dead-letters.
      OUTBOX_BACKOFF_CAP_MS: '1000',
      OUTBOX_MAX_ATTEMPTS: '100',
      OUTBOX_HTTP_TIMEOUT_MS: '1000',
    });
    f = await productionFactory(t);
    const registered = await t.http
      .post('/api/v1/api-clients')
      .set(as('admin'))
      .send({ name: 'Test WMS', roles: ['warehouse'], siteIds: [f.site.id] })
      .expect(201);
    client = { appKey: registered.body.appKey, appSecret: registered.body.secret };
  });
  afterAll(async () => {
    await t?.close();
    await wms?.close();
  });

  it('runs release → signed pick task → delivered event → ready → completion → putaway without a phone call', async () => {
    for (const [material, quantity, lotCode] of [
      ['SHAFT', '60', 'HT-SH1'],
      ['GREASE', '5', 'HT-GR1'],
    ] as const) {
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material, quantity, location: 'WH', lotCode })
        .expect(201);
    }
    const planned = await createPlanned('50');
    const wo = await release(planned.id);

    const message = await eventually(async () => pickTaskMessage(wo.code), 'createPickTask at the WMS');
    const request = wms.requests.find((r) => r.messageId === message.messageId)!;
    expect(request.signatureValid).toBe(true);
    expect(request.headers['x-app-key']).toBe(MOM_KEY);
    const [outbox] = await t.dataSource.query(
      `SELECT id, status FROM outbox_message WHERE destination = 'wms' AND target->>'taskId' = $1
          AND message_type = 'createPickTask'`,
      [message.body.taskId],
    );
    expect(message.messageId).toBe(outbox.id);
    expect(message.body).toMatchObject({
      workOrder: wo.code,
      priority: 'normal',
      destination: { line: 'L1', station: 'TURN', location: 'LS-L1' },
      lines: [
        { material: 'SHAFT', qty: '50', uom: 'PCS' },
        { material: 'GREASE', qty: '2.5', uom: 'KG' },
      ],
    });
    const taskId = message.body.taskId as string;
    const task = await eventually(async () => {
      const res = await t.http
        .get(f.url(`wms/pick-tasks/${taskId}`))
        .set(as('warehouse'))
        .expect(200);
      return res.body.status === 'sent' ? res.body : undefined;
    }, 'task sent');
    expect(task.mode).toBe('http');

    // The external WMS confirms itself: the embedded confirm path refuses.
    const local = await t.http
      .post(f.url(`wms/pick-tasks/${taskId}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .expect(409);
    expect(local.body.code).toBe('EXTERNAL_WMS');

    expect((await send(event('pick.accepted', { taskId }))).body).toMatchObject({
      applied: true,
      status: 'accepted',
    });
    expect((await workOrder(wo.id)).status).toBe('kitting');
    const delivered = event('pick.delivered', { taskId });
    const first = await send(delivered);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ applied: true, status: 'delivered', duplicate: false });
    const ready = await workOrder(wo.id);
    expect(ready.status).toBe('ready');
    // MOM's books follow the WMS: what it delivered is now at the line side, ready to be consumed.
    const atLine = async (lot: string) =>
      (
        await t.http
          .get(f.url(`lots/${lot}`))
          .set(as('viewer'))
          .expect(200)
      ).body.balances.find((b: { locationId: string }) => b.locationId === f.locations.lineSide.id)?.quantity;
    expect(await atLine('HT-SH1')).toBe('50.000000');
    expect(await atLine('HT-GR1')).toBe('2.500000');

    // Duplicates and replays change nothing.
    const taskAudits = async () =>
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1`, [taskId]))[0]
        .n;
    const events = async () =>
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM wms_inbound_event`))[0].n;
    const auditsBefore = await taskAudits();
    const eventsBefore = await events();
    const dup = await send(delivered);
    expect(dup.body).toMatchObject({
      applied: true,
      status: 'delivered',
      duplicate: true,
      eventId: delivered.eventId,
    });
    const nonce = randomUUID().replace(/-/g, '');
    const timestamp = Math.floor(Date.now() / 1000);
    const late = event('pick.picked', { taskId });
    expect((await send(late, { nonce, timestamp })).status).toBe(200);
    const replayed = await send(late, { nonce, timestamp });
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('NONCE_REUSED');
    const reused = await send({ ...delivered, data: { taskId, lines: [{ material: 'SHAFT', qty: '1' }] } });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('EVENT_ID_REUSED');
    const forged = await signedPost(t.url, '/api/v1/wms/events', event('pick.accepted', { taskId }), {
      appKey: client.appKey,
      appSecret: 'not-the-secret',
    });
    expect(forged.status).toBe(401);
    const invalid = await send(
      event('pick.shortage', { taskId, lines: [{ material: 'SHAFT', shortQty: '-1' }] }),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0].field).toBe('data.lines[0].shortQty');
    const unknownType = await send(event('pick.teleported', { taskId }));
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.errors[0].field).toBe('type');
    expect((await workOrder(wo.id)).version).toBe(ready.version);
    expect(await taskAudits()).toBe(auditsBefore);
    // Only the late pick.picked was taken (and ignored: the task was delivered already).
    expect(await events()).toBe(eventsBefore + 1);

    // Production; completion sends the putaway, the WMS confirms it into a bin.
    const [op10, op20] = wo.operations;
    const term = (path: string, body: object = {}) =>
      t.http
        .post(`/api/v1/terminal/operations/${path}`)
        .set(as('operator'))
        .set(key())
        .send(body)
        .expect(200);
    await term(`${op10!.id}/start`);
    await term(`${op10!.id}/consume`, { lot: 'HT-SH1', quantity: '50' });
    await term(`${op10!.id}/complete`, { goodQty: '50' });
    await term(`${op20!.id}/start`);
    const done = await term(`${op20!.id}/complete`, {
      goodQty: '49',
      scrapQty: '1',
      scrapReasonCode: 'S-DIM',
    });
    const lotCode = done.body.producedLots[0].code as string;
    const putaway = await eventually(
      async () => wms.acceptedOn('/putaways').find((m) => m.body?.lot === lotCode),
      'createPutaway at the WMS',
    );
    expect(putaway.body).toMatchObject({
      material: 'SA-100',
      qty: '49',
      uom: 'PCS',
      from: 'WIP-L1',
      workOrder: wo.code,
    });
    // Ordered per work order: the pick task went first.
    expect(message.firstAcceptedAt).toBeLessThanOrEqual(putaway.firstAcceptedAt);
    const confirmed = await send(event('putaway.confirmed', { lot: lotCode, location: 'WH' }));
    expect(confirmed.body).toMatchObject({ applied: true, status: 'confirmed' });
    const lot = await t.http
      .get(f.url(`lots/${lotCode}`))
      .set(as('viewer'))
      .expect(200);
    expect(lot.body.balances).toEqual([expect.objectContaining({ locationId: f.locations.warehouse.id })]);
  });

  it('a quality hold freezes the lot at the WMS; a freeze reported by the WMS holds the lot without an echo', async () => {
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'SHAFT', quantity: '10', location: 'WH', lotCode: 'HT-FRZ1' })
      .expect(201);
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'SHAFT', quantity: '10', location: 'WH', lotCode: 'HT-FRZ2' })
      .expect(201);
    await t.http
      .post(f.url('lots/HT-FRZ1/hold'))
      .set(as('quality'))
      .send({ reason: 'burrs found' })
      .expect(200);
    const freeze = await eventually(async () => wms.acceptedOn('/lots/HT-FRZ1/freeze')[0], 'freezeLot');
    expect(freeze.body).toMatchObject({ lot: 'HT-FRZ1', material: 'SHAFT', reason: 'burrs found' });
    await t.http
      .post(f.url('lots/HT-FRZ1/unhold'))
      .set(as('quality'))
      .send({ reason: 'reworked' })
      .expect(200);
    await eventually(async () => wms.acceptedOn('/lots/HT-FRZ1/unfreeze')[0], 'unfreezeLot');

    const frozen = await send(event('lot.frozen', { lot: 'HT-FRZ2', reason: 'damaged pallet' }));
    expect(frozen.body).toMatchObject({ applied: true, status: 'hold' });
    const lot = await t.http.get(f.url('lots/HT-FRZ2')).set(as('viewer')).expect(200);
    expect(lot.body.status).toBe('hold');
    await new Promise((r) => setTimeout(r, 300));
    expect(wms.acceptedOn('/lots/HT-FRZ2')).toEqual([]);
    const [freezes] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox_message WHERE destination = 'wms' AND target->>'lot' = 'HT-FRZ2'`,
    );
    expect(freezes.n).toBe(0);
  });

  it('a shortage reported by the WMS is recorded on the task and announced', async () => {
    const planned = await createPlanned('5');
    const wo = await release(planned.id, true);
    const message = await eventually(async () => pickTaskMessage(wo.code), 'createPickTask');
    const taskId = message.body.taskId as string;
    const short = await send(
      event('pick.shortage', { taskId, lines: [{ material: 'SHAFT', shortQty: '3' }] }),
    );
    expect(short.body).toMatchObject({ applied: true, status: 'shortage' });
    const task = await t.http
      .get(f.url(`wms/pick-tasks/${taskId}`))
      .set(as('planner'))
      .expect(200);
    expect(task.body.status).toBe('shortage');
    expect(task.body.lines.find((l: { materialCode: string }) => l.materialCode === 'SHAFT').shortQty).toBe(
      '3.000000',
    );
    expect((await workOrder(wo.id)).status).toBe('released');
    const unknownTask = await send(event('pick.accepted', { taskId: randomUUID() }));
    expect(unknownTask.status).toBe(404);
    // The planner's todo names the order and the material.
    const todos = await t.http
      .get(f.url('todos?kind=pick_shortage&mine=true&limit=500'))
      .set(as('planner'))
      .expect(200);
    const todo = todos.body.items.find((x: { referenceId: string }) => x.referenceId === taskId);
    expect(todo).toMatchObject({ status: 'open', title: `Material short for ${wo.code}: SHAFT 3` });
  });

  it('a count discrepancy from the WMS becomes an adjustment awaiting approval, once however often it is sent', async () => {
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'SHAFT', quantity: '40', location: 'WH', lotCode: 'WMS-CNT-1' })
      .expect(201);
    const body = event('count.discrepancy', {
      material: 'SHAFT',
      lot: 'WMS-CNT-1',
      location: 'WH',
      countedQty: '38',
      bookQty: '40',
    });
    const first = await send(body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ applied: true, status: 'pending_approval', duplicate: false });
    const replay = await send(body);
    expect(replay.body).toMatchObject({ adjustmentId: first.body.adjustmentId, duplicate: true });
    // The same finding under a new event id: answered with the waiting adjustment, nothing new.
    const again = await send({ ...body, eventId: randomUUID() });
    expect(again.body).toMatchObject({ applied: false, adjustmentId: first.body.adjustmentId });
    const list = await t.http
      .get(f.url('inventory/adjustments?status=pending&limit=500'))
      .set(as('warehouse_supervisor'))
      .expect(200);
    const mine = list.body.items.filter((a: { lotCode: string }) => a.lotCode === 'WMS-CNT-1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ source: 'wms', deltaQty: '-2', bookQty: '40', countedQty: '38' });
    const stock = await t.http.get(f.url('lots/WMS-CNT-1')).set(as('viewer')).expect(200);
    expect(stock.body.quantity).toBe('40');
    const unknownLot = await send(
      event('count.discrepancy', {
        material: 'SHAFT',
        lot: 'NOPE',
        location: 'WH',
        countedQty: '1',
        bookQty: '2',
      }),
    );
    expect(unknownLot.status).toBe(400);
    expect(unknownLot.body.errors[0].field).toBe('data.lot');
  });

  it('a line replenishment (补料) goes to the WMS as a pick task without a work order; its delivery closes it', async () => {
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'GREASE', quantity: '10', location: 'WH', lotCode: 'HT-GR-LR' })
      .expect(201);
    const called = await t.http
      .post(f.url('inventory/line-replenishments'))
      .set(as('operator'))
      .set(key())
      .send({ location: 'LS-L1', material: 'GREASE', quantity: '4' })
      .expect(201);
    const id = called.body.id as string;
    const message = await eventually(
      async () => wms.acceptedOn('/pick-tasks').find((m) => m.body?.taskId === id),
      'the replenishment pick task at the WMS',
    );
    expect(message.body).toMatchObject({
      workOrder: null,
      purpose: 'line_replenishment',
      lines: [{ material: 'GREASE', qty: '4', uom: 'KG' }],
      destination: { line: 'L1', location: 'LS-L1' },
    });
    // The embedded confirm is not for a factory with a WMS.
    const confirm = await t.http
      .post(f.url(`inventory/line-replenishments/${id}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .expect(409);
    expect(confirm.body.code).toBe('EXTERNAL_WMS');
    const accepted = await send(event('pick.accepted', { taskId: id }));
    expect(accepted.body).toMatchObject({ applied: true, status: 'open' });
    const delivered = await send(
      event('pick.delivered', { taskId: id, lines: [{ material: 'GREASE', qty: '4', lot: 'HT-GR-LR' }] }),
    );
    expect(delivered.body).toMatchObject({ applied: true, status: 'delivered' });
    // The books follow: the named lot moved from the warehouse to the line side.
    const lot = await t.http.get(f.url('lots/HT-GR-LR')).set(as('viewer')).expect(200);
    const at = (locationId: string) =>
      lot.body.balances.find((b: { locationId: string }) => b.locationId === locationId)?.quantity;
    expect([at(f.locations.warehouse.id), at(f.locations.lineSide.id)]).toEqual(['6.000000', '4.000000']);
    const list = await t.http
      .get(f.url('inventory/line-replenishments?status=delivered'))
      .set(as('viewer'))
      .expect(200);
    expect(list.body.items.find((r: { id: string }) => r.id === id)).toMatchObject({ deliveredQty: '4' });
  });

  it(`WMS down for ${OUTAGE_MS / 1000} s during 200 releases: every message delivered exactly once, in order per work order`, async () => {
    const orders: Array<{ id: string; code: string }> = [];
    for (let i = 0; i < 200; i++) orders.push(await createPlanned('1'));
    wms.reset();
    const outageStart = Date.now();
    wms.down({ kind: 'status', status: 503 });
    // Releases, rush upgrades and cancellations while the WMS is away (it sees 503, then resets, then 429).
    let next = 0;
    const worker = async () => {
      while (next < orders.length) {
        const i = next++;
        const wo = orders[i]!;
        await release(wo.id, true);
        if (i % 4 === 0) {
          const current = await workOrder(wo.id);
          await t.http
            .patch(f.url(`work-orders/${wo.id}`))
            .set(as('planner'))
            .send({ expectedVersion: current.version, priority: 'rush', reason: 'customer escalation' })
            .expect(200);
        }
        if (i % 10 === 0) {
          await t.http
            .post(f.url(`work-orders/${wo.id}/cancel`))
            .set(as('planner'))
            .send({ reason: 'withdrawn' })
            .expect(200);
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    // At least OUTAGE_MS in all (longer when the releases take longer): 503s, then resets, then 429s.
    const released = Date.now() - outageStart;
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS / 3 - released)));
    wms.down({ kind: 'reset' });
    await new Promise((r) => setTimeout(r, OUTAGE_MS / 3));
    wms.down({ kind: 'status', status: 429, retryAfterSeconds: 1 });
    await new Promise((r) => setTimeout(r, Math.max(OUTAGE_MS / 3, outageStart + OUTAGE_MS - Date.now())));
    expect(wms.accepted()).toEqual([]);
    const refused = wms.requests.length;
    expect(refused).toBeGreaterThan(200);
    wms.up();

    const expected: Array<{ id: string; ordering_key: string; message_type: string }> =
      await t.dataSource.query(
        `SELECT id, ordering_key, message_type FROM outbox_message
        WHERE destination = 'wms' AND ordering_key = ANY($1::text[]) ORDER BY seq`,
        [orders.map((o) => `wms:wo:${o.id}`)],
      );
    // 200 pick tasks, 50 priority changes, 20 cancellations.
    expect(expected.filter((m) => m.message_type === 'createPickTask')).toHaveLength(200);
    expect(expected.filter((m) => m.message_type === 'changePriority')).toHaveLength(50);
    expect(expected.filter((m) => m.message_type === 'cancelPickTask')).toHaveLength(20);
    await wms.waitFor(() => wms.accepted().length >= expected.length, 60_000);
    await eventually(
      async () => {
        const [pending] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM outbox_message WHERE destination = 'wms' AND status <> 'delivered'`,
        );
        return pending.n === 0 ? true : undefined;
      },
      'outbox drained',
      30_000,
    );

    const accepted = wms.accepted();
    // Exactly once per message id: nothing lost, nothing extra, no second delivery.
    expect(accepted.map((m) => m.messageId).sort()).toEqual(expected.map((m) => m.id).sort());
    expect(accepted.filter((m) => m.deliveries !== 1)).toEqual([]);
    // In order per work order.
    const acceptedAt = new Map(accepted.map((m, i) => [m.messageId, i]));
    const byOrder = new Map<string, string[]>();
    for (const m of expected) byOrder.set(m.ordering_key, [...(byOrder.get(m.ordering_key) ?? []), m.id]);
    for (const ids of byOrder.values()) {
      const positions = ids.map((id) => acceptedAt.get(id)!);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
    const [dead] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox_message WHERE destination = 'wms' AND status = 'dead'`,
    );
    expect(dead.n).toBe(0);
  }, 240_000);
});
