import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { ShopFloorEnvelope } from '../src/platform/realtime/shop-floor-events';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

/** The whole shop-floor flow: ERP import → release → start → consume → report → complete → produced lot. */
describe('production: whole flow from ERP order to produced lot', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let socket: Socket;
  const pushes: ShopFloorEnvelope[] = [];

  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const as = (role: 'planner' | 'operator' | 'warehouse' | 'admin' | 'quality') =>
    f.auth(f.users[role].token);
  const erpOrder = (id: string, quantity = '50') => ({
    id,
    description: 'Customer order 88231',
    hierarchyScope: { equipmentId: f.site.code },
    operationsType: 'Production',
    endTime: '2030-06-30T16:00:00Z',
    priority: 'normal',
    segmentRequirements: [
      {
        id: '10',
        materialRequirements: [
          {
            materialDefinitionId: 'SA-100',
            materialUse: 'Produced',
            quantity: { quantityString: quantity, unitOfMeasure: 'PCS' },
          },
        ],
      },
    ],
  });

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
  });
  afterAll(async () => {
    socket?.disconnect();
    await t.close();
  });

  it('runs an order end to end, pushing every change live and in order', async () => {
    // ERP import: created once, replayed as the same orders, refused when the content changes.
    const imported = await t.http
      .post('/api/v1/erp/operations-requests')
      .set(as('planner'))
      .send(erpOrder('SAP-4711'))
      .expect(201);
    const wo = imported.body.workOrders[0];
    expect(wo).toMatchObject({
      status: 'planned',
      source: 'erp',
      erpOrderId: 'SAP-4711',
      quantity: '50.000000',
    });
    expect(wo.operations.map((o: { seq: number }) => o.seq)).toEqual([10, 20]);
    expect(
      wo.materials.map((m: { materialCode: string; requiredQty: string; issueMethod: string }) => [
        m.materialCode,
        m.requiredQty,
        m.issueMethod,
      ]),
    ).toEqual([
      ['SHAFT', '50.000000', 'manual'],
      ['GREASE', '2.500000', 'backflush'],
    ]);
    const again = await t.http
      .post('/api/v1/erp/operations-requests')
      .set(as('planner'))
      .send(erpOrder('SAP-4711'))
      .expect(200);
    expect(again.body.workOrders[0].id).toBe(wo.id);
    const changed = await t.http
      .post('/api/v1/erp/operations-requests')
      .set(as('planner'))
      .send(erpOrder('SAP-4711', '60'))
      .expect(409);
    expect(changed.body.code).toBe('ERP_ORDER_CONFLICT');

    // Release is refused while material is short, with the kitting picture.
    const short = await t.http
      .post(f.url(`work-orders/${wo.id}/release`))
      .set(as('planner'))
      .send({})
      .expect(409);
    expect(short.body).toMatchObject({ code: 'MATERIAL_SHORT', currentState: 'planned' });
    expect(
      short.body.kitting.lines.map((l: { materialCode: string; shortQty: string }) => [
        l.materialCode,
        l.shortQty,
      ]),
    ).toEqual([
      ['SHAFT', '50'],
      ['GREASE', '2.5'],
    ]);

    // The warehouse receives stock to the line side.
    const shaftLot = await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'SHAFT', quantity: '80', location: 'LS-L1', lotCode: 'SH-0001' })
      .expect(201);
    expect(shaftLot.body).toMatchObject({ code: 'SH-0001', status: 'available', quantity: '80' });
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'GREASE', quantity: '10', location: 'LS-L1', lotCode: 'GR-0001' })
      .expect(201);
    const kitting = await t.http
      .get(f.url(`work-orders/${wo.id}/kitting`))
      .set(as('planner'))
      .expect(200);
    expect(kitting.body).toMatchObject({ complete: true, shortLines: 0, kittingRate: '1.0000' });

    // Live: an operator screen subscribed to the work order room.
    socket = io(`${t.url}/shop-floor`, {
      auth: { token: f.users.operator.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    socket.onAny((_event: string, envelope: ShopFloorEnvelope) => {
      if (envelope.room === `workorder:${wo.id}`) pushes.push(envelope);
    });
    await new Promise<void>((resolve) => socket.on('ready', () => resolve()));
    const joined = await socket.emitWithAck('subscribe', { rooms: [`workorder:${wo.id}`] });
    expect(joined.joined).toEqual([`workorder:${wo.id}`]);

    const released = await t.http
      .post(f.url(`work-orders/${wo.id}/release`))
      .set(as('planner'))
      .send({})
      .expect(200);
    expect(released.body).toMatchObject({ status: 'released', releasedWithShortage: false });
    const [op10, op20] = released.body.operations as Array<{ id: string }>;

    // Turning: start, scan the shaft lot, report, complete.
    const started = await t.http
      .post(`/api/v1/terminal/operations/${op10!.id}/start`)
      .set(as('operator'))
      .set(key())
      .send({})
      .expect(200);
    expect(started.body).toMatchObject({ status: 'running', equipmentId: f.equipment.lathe.id });
    expect(started.body.operators.map((o: { operatorId: string }) => o.operatorId)).toEqual([
      f.users.operator.id,
    ]);
    const consumed = await t.http
      .post(`/api/v1/terminal/operations/${op10!.id}/consume`)
      .set(as('operator'))
      .set(key())
      .send({ lot: 'SH-0001', quantity: '50' })
      .expect(200);
    expect(consumed.body.consumption).toMatchObject({ lotCode: 'SH-0001', method: 'scan' });
    await t.http
      .post(`/api/v1/terminal/operations/${op10!.id}/readings`)
      .set(as('operator'))
      .set(key())
      .send({ readings: [{ name: 'Spindle speed', value: 3000 }] })
      .expect(200);
    const r1 = await t.http
      .post(`/api/v1/terminal/operations/${op10!.id}/report`)
      .set(as('operator'))
      .set(key())
      .send({ goodQty: '30' })
      .expect(200);
    expect(r1.body).toMatchObject({
      goodQty: '30',
      scrapQty: '0',
      status: 'running',
      reported: { goodQty: '30', scrapQty: '0' },
    });
    const done10 = await t.http
      .post(`/api/v1/terminal/operations/${op10!.id}/complete`)
      .set(as('operator'))
      .set(key())
      .send({ goodQty: '20' })
      .expect(200);
    expect(done10.body).toMatchObject({
      status: 'completed',
      goodQty: '50.000000',
      workOrderStatus: 'running',
      producedLots: [],
    });

    // Assembly: 48 good and 2 scrap, then completion backflushes grease and books the produced lot.
    await t.http
      .post(`/api/v1/terminal/operations/${op20!.id}/start`)
      .set(as('operator'))
      .set(key())
      .send({})
      .expect(200);
    await t.http
      .post(`/api/v1/terminal/operations/${op20!.id}/report`)
      .set(as('operator'))
      .set(key())
      .send({ goodQty: '48', scrapQty: '2', scrapReasonCode: 'S-DIM' })
      .expect(200);
    const done20 = await t.http
      .post(`/api/v1/terminal/operations/${op20!.id}/complete`)
      .set(as('operator'))
      .set(key())
      .send({})
      .expect(200);
    expect(done20.body).toMatchObject({ status: 'completed', workOrderStatus: 'completed' });
    expect(done20.body.backflushed).toEqual([
      { materialId: f.materials.grease.id, lotCode: 'GR-0001', quantity: '2.5' },
    ]);
    expect(done20.body.producedLots).toHaveLength(1);
    const produced = done20.body.producedLots[0];
    expect(produced).toMatchObject({ quantity: '48', status: 'quarantine', locationId: f.locations.wip.id });
    expect(produced.code).toMatch(/^SA-100-\d{6}-001$/);

    const lot = await t.http
      .get(f.url(`lots/${produced.code}`))
      .set(as('quality'))
      .expect(200);
    expect(lot.body).toMatchObject({ origin: 'production', workOrderId: wo.id, quantity: '48' });
    const shaft = await t.http.get(f.url('lots/SH-0001')).set(as('warehouse')).expect(200);
    expect(shaft.body.quantity).toBe('30');
    const greaseLot = await t.http.get(f.url('lots/GR-0001')).set(as('warehouse')).expect(200);
    expect(greaseLot.body.quantity).toBe('7.5');

    const final = await t.http
      .get(f.url(`work-orders/${wo.id}`))
      .set(as('planner'))
      .expect(200);
    expect(final.body).toMatchObject({
      status: 'completed',
      goodQty: '48.000000',
      scrapQty: '2.000000',
      allowedCommands: ['close'],
    });

    // ERP feedback waits in the outbox.
    const [message] = await t.dataSource.query(
      `SELECT message_type, payload FROM outbox_message WHERE destination = 'erp' AND ordering_key = $1`,
      [`work_order:${wo.id}`],
    );
    expect(message.message_type).toBe('OperationsPerformance');
    expect(message.payload).toMatchObject({
      operationsRequestId: 'SAP-4711',
      goodQuantity: '48',
      scrapQuantity: '2',
    });
    expect(message.payload.materialProduced[0]).toMatchObject({
      materialDefinitionId: 'SA-100',
      materialLotId: produced.code,
      quantity: { quantityString: '48', unitOfMeasure: 'PCS' },
    });
    expect(message.payload.segmentResponses[0].materialActual).toEqual([
      {
        materialDefinitionId: 'SHAFT',
        materialLotId: 'SH-0001',
        materialUse: 'Consumed',
        quantity: { quantityString: '50', unitOfMeasure: 'PCS' },
      },
    ]);

    // The pushes arrived for every change, numbered without gaps, ending with the completion.
    await waitFor(() =>
      pushes.some(
        (p) => p.event === 'workorder.status' && (p.data as { status: string }).status === 'completed',
      ),
    );
    const first = pushes[0]!.seq;
    expect(pushes.map((p) => p.seq)).toEqual(pushes.map((_, i) => first + i));
    // The warehouse's pick task (released with material: embedded WMS) is pushed to the same room.
    expect(
      pushes.filter((p) => p.event === 'pick.task').map((p) => (p.data as { status: string }).status),
    ).toEqual(['pending', 'sent']);
    const story = pushes
      .filter((p) => p.event !== 'pick.task')
      .map((p) =>
        p.event === 'workorder.status'
          ? `wo:${(p.data as { status: string }).status}`
          : `op${(p.data as { seq: number }).seq}:${(p.data as { change: string }).change}`,
      );
    expect(story).toEqual([
      'wo:released',
      'wo:running',
      'op10:started',
      'op10:consumed',
      'op10:reported',
      'op10:reported',
      'op10:completed',
      'op20:started',
      'op20:reported',
      'op20:completed',
      'wo:completed',
    ]);

    // Every change is in the audit trail.
    const actions: Array<{ action: string }> = await t.dataSource.query(
      `SELECT action FROM audit_log WHERE entity_id IN ($1, $2, $3) ORDER BY id`,
      [wo.id, op10!.id, op20!.id],
    );
    expect(actions.map((a) => a.action)).toEqual([
      'work_order.created',
      'work_order.released',
      'work_order.started',
      'operation.started',
      'operation.material_consumed',
      'operation.reported',
      'operation.reported',
      'operation.completed',
      'operation.started',
      'operation.reported',
      'operation.completed',
      'work_order.completed',
    ]);
  });
});

async function waitFor(probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a push');
    await new Promise((r) => setTimeout(r, 20));
  }
}
