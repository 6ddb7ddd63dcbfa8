import { randomUUID } from 'node:crypto';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { eventually } from './support/eventually';
import { startTestApp, type TestApp } from './support/test-app';

type Role = 'admin' | 'warehouse' | 'warehouse_supervisor' | 'quality' | 'operator' | 'planner' | 'viewer';

/** A factory without a WMS: the inventory module plays the warehouse (WMS_MODE=embedded, the default). */
describe('WMS bridge, embedded warehouse: release → pick → ready → production → putaway', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const as = (role: Role) => ({ Authorization: `Bearer ${f.users[role].token}` });
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const receive = (
    material: string,
    quantity: string,
    location: string,
    lotCode: string,
    expiryDate?: string,
  ) =>
    t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material, quantity, location, lotCode, ...(expiryDate ? { expiryDate } : {}) })
      .expect(201);
  const newOrder = async (quantity: string, release: { allowShortage?: boolean } = {}) => {
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
    const released = await t.http
      .post(f.url(`work-orders/${wo.id}/release`))
      .set(as('planner'))
      .send(release.allowShortage ? { allowShortage: true, reason: 'test: warehouse decides' } : {})
      .expect(200);
    return released.body as { id: string; code: string; status: string; operations: Array<{ id: string }> };
  };
  const taskOf = async (workOrderId: string, status?: string) =>
    eventually(
      async () => {
        const res = await t.http
          .get(f.url(`wms/pick-tasks?workOrderId=${workOrderId}`))
          .set(as('warehouse'))
          .expect(200);
        const task = res.body[0];
        return task && (!status || task.status === status) ? task : undefined;
      },
      `pick task of ${workOrderId}${status ? ` in ${status}` : ''}`,
    );
  const stockOf = async (lotCode: string) =>
    (
      await t.http
        .get(f.url(`lots/${lotCode}`))
        .set(as('viewer'))
        .expect(200)
    ).body as {
      quantity: string;
      status: string;
      balances: Array<{ locationId: string; quantity: string }>;
    };

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('picks by FEFO or FIFO (site setting), skips held lots, makes the order ready and puts the product away', async () => {
    // Three shaft lots in the warehouse: the oldest is on hold, the newest expires first.
    await receive('SHAFT', '100', 'WH', 'EM-HELD');
    await receive('SHAFT', '30', 'WH', 'EM-OLD', '2031-06-30');
    await receive('SHAFT', '40', 'WH', 'EM-NEW', '2030-06-30');
    await receive('GREASE', '5', 'WH', 'EM-GR');
    await t.http
      .post(f.url('lots/EM-HELD/hold'))
      .set(as('quality'))
      .send({ reason: 'supplier complaint' })
      .expect(200);
    const settings = await t.http
      .put(f.url('inventory-settings'))
      .set(as('warehouse'))
      .send({ allocationPolicy: 'fefo' })
      .expect(200);
    expect(settings.body).toMatchObject({ allocationPolicy: 'fefo', version: 1 });
    const bad = await t.http
      .put(f.url('inventory-settings'))
      .set(as('warehouse'))
      .send({ allocationPolicy: 'lifo' })
      .expect(400);
    expect(bad.body.errors[0].field).toBe('allocationPolicy');
    await t.http
      .put(f.url('inventory-settings'))
      .set(as('operator'))
      .send({ allocationPolicy: 'fifo' })
      .expect(403);

    const wo = await newOrder('50');
    expect(wo.status).toBe('released');

    // The release wrote the pick task; the relay hands it to the embedded warehouse (sent).
    const task = await taskOf(wo.id, 'sent');
    expect(task).toMatchObject({
      workOrderCode: wo.code,
      priority: 'normal',
      mode: 'embedded',
      destinationLocationId: f.locations.lineSide.id,
    });
    expect(
      task.lines.map((l: { materialCode: string; quantity: string }) => [l.materialCode, l.quantity]),
    ).toEqual([
      ['SHAFT', '50.000000'],
      ['GREASE', '2.500000'],
    ]);
    const [message] = await t.dataSource.query(
      `SELECT message_type, status, payload FROM outbox_message WHERE destination = 'wms' AND target->>'taskId' = $1`,
      [task.id],
    );
    expect(message).toMatchObject({ message_type: 'createPickTask', status: 'delivered' });
    expect(message.payload).toMatchObject({
      taskId: task.id,
      workOrder: wo.code,
      destination: { line: 'L1', station: 'TURN', location: 'LS-L1' },
      lines: [
        { material: 'SHAFT', qty: '50', uom: 'PCS' },
        { material: 'GREASE', qty: '2.5', uom: 'KG' },
      ],
    });

    // Only the warehouse confirms; accepting starts kitting.
    await t.http
      .post(f.url(`wms/pick-tasks/${task.id}/accept`))
      .set(as('operator'))
      .set(key())
      .expect(403);
    const accepted = await t.http
      .post(f.url(`wms/pick-tasks/${task.id}/accept`))
      .set(as('warehouse'))
      .set(key())
      .expect(200);
    expect(accepted.body.status).toBe('accepted');
    const kitting = await t.http
      .get(f.url(`work-orders/${wo.id}`))
      .set(as('planner'))
      .expect(200);
    expect(kitting.body.status).toBe('kitting');

    const confirmKey = key();
    const confirmed = await t.http
      .post(f.url(`wms/pick-tasks/${task.id}/confirm`))
      .set(as('warehouse'))
      .set(confirmKey)
      .expect(200);
    expect(confirmed.body.status).toBe('delivered');
    expect(confirmed.body.lines.map((l: { openQty: string }) => l.openQty)).toEqual(['0', '0']);
    // A double tap replays the answer and picks nothing more.
    const replay = await t.http
      .post(f.url(`wms/pick-tasks/${task.id}/confirm`))
      .set(as('warehouse'))
      .set(confirmKey)
      .expect(200);
    expect(replay.body.status).toBe('delivered');
    const again = await t.http
      .post(f.url(`wms/pick-tasks/${task.id}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .expect(409);
    expect(again.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: 'delivered' });

    // FEFO: the lot expiring first went whole, the rest from the other one; the held lot was not touched.
    const ready = await t.http
      .get(f.url(`work-orders/${wo.id}`))
      .set(as('planner'))
      .expect(200);
    expect(ready.body.status).toBe('ready');
    expect((await stockOf('EM-NEW')).quantity).toBe('40');
    const newLot = await stockOf('EM-NEW');
    expect(newLot.balances).toEqual([
      expect.objectContaining({ locationId: f.locations.lineSide.id, quantity: '40.000000' }),
    ]);
    const oldLot = await stockOf('EM-OLD');
    expect(Object.fromEntries(oldLot.balances.map((b) => [b.locationId, b.quantity]))).toEqual({
      [f.locations.warehouse.id]: '20.000000',
      [f.locations.lineSide.id]: '10.000000',
    });
    const held = await stockOf('EM-HELD');
    expect(held).toMatchObject({ status: 'hold', quantity: '100' });
    expect(held.balances).toEqual([expect.objectContaining({ locationId: f.locations.warehouse.id })]);

    // Production runs from the line side; completion creates the putaway.
    const [op10, op20] = wo.operations;
    const term = (path: string, body: object = {}) =>
      t.http
        .post(`/api/v1/terminal/operations/${path}`)
        .set(as('operator'))
        .set(key())
        .send(body)
        .expect(200);
    await term(`${op10!.id}/start`);
    await term(`${op10!.id}/consume`, { lot: 'EM-NEW', quantity: '40' });
    await term(`${op10!.id}/consume`, { lot: 'EM-OLD', quantity: '10' });
    await term(`${op10!.id}/complete`, { goodQty: '50' });
    await term(`${op20!.id}/start`);
    const done = await term(`${op20!.id}/complete`, { goodQty: '50' });
    const produced = done.body.producedLots[0] as { id: string; code: string };
    const putaway = await eventually(async () => {
      const res = await t.http.get(f.url('wms/putaways?status=sent')).set(as('warehouse')).expect(200);
      return res.body.find((p: { lotCode: string }) => p.lotCode === produced.code);
    }, 'putaway sent');
    expect(putaway).toMatchObject({
      workOrderId: wo.id,
      quantity: '50.000000',
      fromLocationId: f.locations.wip.id,
    });

    const unknownBin = await t.http
      .post(f.url(`wms/putaways/${putaway.id}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .send({ location: 'NOPE' })
      .expect(400);
    expect(unknownBin.body.errors[0].field).toBe('location');
    const stored = await t.http
      .post(f.url(`wms/putaways/${putaway.id}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .send({ location: 'WH' })
      .expect(200);
    expect(stored.body).toMatchObject({ status: 'confirmed', toLocationId: f.locations.warehouse.id });
    const lot = await stockOf(produced.code);
    expect(lot.balances).toEqual([
      expect.objectContaining({ locationId: f.locations.warehouse.id, quantity: '50.000000' }),
    ]);

    // Every step is in the audit trail.
    const actions = (
      await t.dataSource.query(
        `SELECT action FROM audit_log WHERE entity_id IN ($1, $2) ORDER BY occurred_at, id`,
        [task.id, putaway.id],
      )
    ).map((r: { action: string }) => r.action);
    expect(actions).toEqual([
      'wms.pick_task.created',
      'wms.pick_task.sent',
      'wms.pick_task.accepted',
      'wms.pick_task.delivered',
      'wms.putaway.created',
      'wms.putaway.sent',
      'wms.putaway.confirmed',
    ]);
  });

  it('concurrent picks from one lot never drive it negative; what is missing is reported short', async () => {
    await receive('SHAFT', '55', 'WH', 'EM-SHARED');
    await receive('GREASE', '10', 'WH', 'EM-GR2');
    // Other shaft stock is used up or held; make sure only EM-SHARED is left in the warehouse.
    await t.http
      .post(f.url('lots/EM-OLD/hold'))
      .set(as('quality'))
      .send({ reason: 'test isolation' })
      .expect(200);
    const orders = [];
    for (let i = 0; i < 8; i++) orders.push(await newOrder('10', { allowShortage: true }));
    const tasks = [];
    for (const wo of orders) tasks.push(await taskOf(wo.id, 'sent'));
    const answers = await Promise.all(
      tasks.map((task) =>
        t.http
          .post(f.url(`wms/pick-tasks/${task.id}/confirm`))
          .set(as('warehouse'))
          .set(key()),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    const statuses = answers.map((a) => a.body.status).sort();
    // 55 pieces for 8 × 10: five tasks complete, one gets 5 and is short, two get nothing.
    expect(statuses.filter((s) => s === 'delivered')).toHaveLength(5);
    expect(statuses.filter((s) => s === 'shortage')).toHaveLength(3);
    const shaftLines = answers.map((a) =>
      a.body.lines.find((l: { materialCode: string }) => l.materialCode === 'SHAFT'),
    );
    const delivered = shaftLines.reduce(
      (sum: number, l: { deliveredQty: string }) => sum + Number(l.deliveredQty),
      0,
    );
    expect(delivered).toBe(55);
    const lot = await stockOf('EM-SHARED');
    // Used up in the warehouse (the lot view omits zero balances); all 55 now at the line side.
    expect(lot.balances.find((b) => b.locationId === f.locations.warehouse.id)).toBeUndefined();
    expect(lot.quantity).toBe('55');
    const negative = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM stock_balance WHERE quantity < 0`,
    );
    expect(negative[0].n).toBe(0);
    // Shortage is announced; short orders stay released (not ready).
    const shortOrders = answers.filter((a) => a.body.status === 'shortage').map((a) => a.body.workOrderId);
    for (const id of shortOrders) {
      const wo = await t.http
        .get(f.url(`work-orders/${id}`))
        .set(as('planner'))
        .expect(200);
      expect(wo.body.status).toBe('released');
    }
    // Each short task is a todo for the planner and the warehouse supervisor (one per task, not per line).
    const todos = await t.http
      .get(f.url('todos?kind=pick_shortage&status=open&mine=true&limit=500'))
      .set(as('warehouse_supervisor'))
      .expect(200);
    const shortTasks = answers.filter((a) => a.body.status === 'shortage').map((a) => a.body.id);
    const forShortTasks = todos.body.items.filter((x: { referenceId: string }) =>
      shortTasks.includes(x.referenceId),
    );
    expect(forShortTasks).toHaveLength(3);
    expect(forShortTasks[0]).toMatchObject({
      assigneeRoles: ['planner', 'warehouse_supervisor'],
      referenceType: 'wms_pick_task',
    });
    expect(forShortTasks[0].title).toMatch(/^Material short for WO-/);
    expect(forShortTasks[0].titleZh).toMatch(/缺料/);
    // An operator does not see them among their own.
    const operators = await t.http
      .get(f.url('todos?kind=pick_shortage&mine=true'))
      .set(as('operator'))
      .expect(200);
    expect(operators.body.items).toEqual([]);
  });

  it('cancelling a released order cancels its pick task; a rush raises its priority; the external confirm paths answer', async () => {
    await receive('SHAFT', '20', 'WH', 'EM-RUSH');
    const wo = await newOrder('10', { allowShortage: true });
    const task = await taskOf(wo.id, 'sent');
    const current = await t.http
      .get(f.url(`work-orders/${wo.id}`))
      .set(as('planner'))
      .expect(200);
    await t.http
      .patch(f.url(`work-orders/${wo.id}`))
      .set(as('planner'))
      .send({ expectedVersion: current.body.version, priority: 'rush', reason: 'customer escalation' })
      .expect(200);
    expect((await taskOf(wo.id)).priority).toBe('rush');
    const queue = await t.http
      .get(f.url('wms/pick-tasks?status=sent,accepted'))
      .set(as('warehouse'))
      .expect(200);
    expect(queue.body[0].id).toBe(task.id); // rush first
    await t.http
      .post(f.url(`work-orders/${wo.id}/cancel`))
      .set(as('planner'))
      .send({ reason: 'order withdrawn' })
      .expect(200);
    expect((await taskOf(wo.id)).status).toBe('cancelled');
    const messages = await t.dataSource.query(
      `SELECT message_type FROM outbox_message WHERE destination = 'wms' AND ordering_key = $1 ORDER BY seq`,
      [`wms:wo:${wo.id}`],
    );
    expect(messages.map((m: { message_type: string }) => m.message_type)).toEqual([
      'createPickTask',
      'changePriority',
      'cancelPickTask',
    ]);
    const late = await t.http
      .post(f.url(`wms/pick-tasks/${task.id}/confirm`))
      .set(as('warehouse'))
      .set(key())
      .expect(409);
    expect(late.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: 'cancelled' });
    await t.http.get(f.url(`wms/pick-tasks?status=bogus`)).set(as('warehouse')).expect(400);
  });
});
