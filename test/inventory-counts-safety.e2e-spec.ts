import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { ShopFloorEnvelope } from '../src/platform/realtime/shop-floor-events';
import type { Role } from '../src/platform/auth/roles';
import { LotExpiryJob } from '../src/inventory/lots/lot-expiry.job';
import { eventually } from './support/eventually';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface TodoRow {
  id: string;
  kind: string;
  title: string;
  titleZh: string;
  status: string;
  closedBy: string | null;
  referenceId: string;
  detail: Record<string, string>;
}

/** Counts → adjustments approved by a supervisor; safety stock crossings → replenishment todos. */
describe('inventory: counts, adjustments and safety stock', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let socket: Socket | undefined;
  const as = (role: Role) => ({ Authorization: `Bearer ${f.users[role].token}` });
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const receive = async (material: string, quantity: string, location: string, lotCode: string) =>
    t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material, quantity, location, lotCode })
      .expect(201);
  const count = (lot: string, countedQty: string, role: Role = 'warehouse', location = 'WH') =>
    t.http
      .post(f.url('inventory/counts'))
      .set(as(role))
      .set(key())
      .send({ lot, location, countedQty, note: 'cycle count A' });
  const decide = (id: string, decision: 'approve' | 'reject', role: Role, body: object = {}) =>
    t.http
      .post(f.url(`inventory/adjustments/${id}/${decision}`))
      .set(as(role))
      .set(key())
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
      movements: Array<{ movementType: string; quantity: string; reference: string | null }>;
    };
  const todos = async (kind: string, role: Role) =>
    (
      await t.http
        .get(f.url(`todos?kind=${kind}&limit=500`))
        .set(as(role))
        .expect(200)
    ).body.items as TodoRow[];
  const scrap = (lotCode: string, quantity: string) =>
    t.http
      .post(f.url('inventory/scraps'))
      .set(as('warehouse'))
      .set(key())
      .send({ lot: lotCode, location: 'WH', quantity, reasonCode: 'S-DIM' });

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
  });
  afterAll(async () => {
    socket?.disconnect();
    await t.close();
  });

  it('a count that matches changes nothing; a difference waits for a supervisor, and only approval moves stock', async () => {
    await receive('SHAFT', '50', 'WH', 'CNT-1');
    const same = await count('CNT-1', '50').expect(200);
    expect(same.body).toMatchObject({
      discrepancy: false,
      bookQty: '50',
      countedQty: '50',
      adjustment: null,
    });

    const found = await count('CNT-1', '47').expect(201);
    expect(found.body).toMatchObject({ discrepancy: true, bookQty: '50', countedQty: '47' });
    const adj = found.body.adjustment;
    expect(adj).toMatchObject({
      status: 'pending',
      source: 'count',
      deltaQty: '-3',
      code: expect.stringMatching(/^ADJ-\d{6}$/),
    });
    // Nothing moved yet.
    expect((await lot('CNT-1')).quantity).toBe('50');
    // A second count of the same lot and place while one waits: refused, pointing at it.
    const again = await count('CNT-1', '46').expect(409);
    expect(again.body).toMatchObject({ code: 'ADJUSTMENT_PENDING', adjustmentId: adj.id });

    // The supervisor has an approval todo.
    const [todo] = (await todos('adjustment_approval', 'warehouse_supervisor')).filter(
      (x) => x.referenceId === adj.id,
    );
    expect(todo).toMatchObject({ status: 'open' });
    expect(todo!.titleZh).toContain('审批盘点调整');

    // The counter's role cannot decide; a rejection needs a reason; unknown decisions are 400.
    await decide(adj.id, 'approve', 'warehouse').expect(403);
    const noNote = await decide(adj.id, 'reject', 'warehouse_supervisor').expect(400);
    expect(noNote.body.errors[0].field).toBe('note');
    await t.http
      .post(f.url(`inventory/adjustments/${adj.id}/maybe`))
      .set(as('warehouse_supervisor'))
      .send({})
      .expect(400);

    const approved = await decide(adj.id, 'approve', 'warehouse_supervisor', { note: 'recounted' }).expect(
      200,
    );
    expect(approved.body).toMatchObject({ status: 'approved', decisionNote: 'recounted' });
    expect(approved.body.movementId).toEqual(expect.any(String));
    const after = await lot('CNT-1');
    expect(after.quantity).toBe('47');
    expect(after.movements.at(-1)).toMatchObject({
      movementType: 'adjustment',
      quantity: '3.000000',
      reference: adj.code,
    });
    // Decided once only; the todo closed itself.
    const twice = await decide(adj.id, 'reject', 'warehouse_supervisor', { note: 'x' }).expect(409);
    expect(twice.body.code).toBe('ADJUSTMENT_DECIDED');
    const closed = (await todos('adjustment_approval', 'warehouse_supervisor')).find(
      (x) => x.id === todo!.id,
    );
    expect(closed).toMatchObject({ status: 'done', closedBy: 'system' });
  });

  it('a rejected count moves nothing; the supervisor cannot approve their own count; stale counts are refused on approval', async () => {
    await receive('SHAFT', '20', 'WH', 'CNT-2');
    const up = await count('CNT-2', '25').expect(201);
    const rejected = await decide(up.body.adjustment.id, 'reject', 'warehouse_supervisor', {
      note: 'putaway not booked yet',
    }).expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', movementId: null });
    expect((await lot('CNT-2')).quantity).toBe('20');

    const own = await count('CNT-2', '22', 'warehouse_supervisor').expect(201);
    const refused = await decide(own.body.adjustment.id, 'approve', 'warehouse_supervisor').expect(403);
    expect(refused.body.code).toBe('OWN_ADJUSTMENT');
    await decide(own.body.adjustment.id, 'reject', 'admin', { note: 'recount by someone else' }).expect(200);

    // Counted 5 (book 20 → −15), but 10 are issued away before approval: taking 15 would go negative.
    const low = await count('CNT-2', '5').expect(201);
    await scrap('CNT-2', '10').expect(201);
    const stale = await decide(low.body.adjustment.id, 'approve', 'warehouse_supervisor').expect(409);
    expect(stale.body.code).toBe('INSUFFICIENT_STOCK');
    expect((await lot('CNT-2')).quantity).toBe('10');
    const still = await t.http
      .get(f.url(`inventory/adjustments/${low.body.adjustment.id}`))
      .set(as('viewer'))
      .expect(200);
    expect(still.body.status).toBe('pending');
  });

  it('falling below safety stock opens one replenishment todo per crossing, pushed live; recovery closes it', async () => {
    const material = await t.http
      .post(f.url('materials'))
      .set(as('admin'))
      .send({
        code: 'BEARING',
        name: 'Bearing 6205',
        materialClass: 'raw',
        baseUnitId: f.units.pcs.id,
        safetyStock: '10',
        reorderPoint: '20',
        lotSize: '50',
      })
      .expect(201);
    socket = io(`${t.url}/shop-floor`, {
      auth: { token: f.users.planner.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const pushes: ShopFloorEnvelope[] = [];
    socket.onAny((_event: string, envelope: ShopFloorEnvelope) => pushes.push(envelope));
    await new Promise<void>((resolve) => socket!.on('ready', () => resolve()));

    await receive('BEARING', '30', 'WH', 'BRG-1');
    expect(await todos('purchase_requisition', 'planner')).toEqual([]);
    // 30 → 12: still above. 12 → 8: below: one todo, suggestion up to 20 + 50.
    await scrap('BRG-1', '18').expect(201);
    expect(await todos('purchase_requisition', 'planner')).toEqual([]);
    await scrap('BRG-1', '4').expect(201);
    // Concurrent movements while below: still one todo.
    await Promise.all([scrap('BRG-1', '1'), scrap('BRG-1', '1'), scrap('BRG-1', '1')]);
    let open = (await todos('purchase_requisition', 'planner')).filter(
      (x) => x.referenceId === material.body.id,
    );
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      status: 'open',
      detail: { availableQty: '8', safetyStock: '10', suggestedQty: '62' },
    });
    expect(open[0]!.titleZh).toContain('请购 BEARING');
    await eventually(
      async () =>
        pushes.find(
          (p) =>
            p.event === 'todo.created' &&
            p.room === `role:planner@${f.site.id}` &&
            (p.data as { todoId: string }).todoId === open[0]!.id,
        ),
      'the todo.created push to the planners',
    );

    // Back above: the todo closes by itself. Below again: a second crossing, a second todo.
    await receive('BEARING', '40', 'WH', 'BRG-2');
    open = (await todos('purchase_requisition', 'planner')).filter((x) => x.referenceId === material.body.id);
    expect(open.map((x) => x.status)).toEqual(['done']);
    expect(open[0]!.closedBy).toBe('system');
    await t.http
      .post(f.url('lots/BRG-2/hold'))
      .set(as('quality'))
      .send({ reason: 'supplier complaint' })
      .expect(200);
    open = (await todos('purchase_requisition', 'planner')).filter((x) => x.referenceId === material.body.id);
    expect(open.map((x) => x.status).sort()).toEqual(['done', 'open']);
    // A person closes the open one; another role cannot.
    const current = open.find((x) => x.status === 'open')!;
    await t.http
      .post(f.url(`todos/${current.id}/done`))
      .set(as('operator'))
      .send({})
      .expect(403);
    const done = await t.http
      .post(f.url(`todos/${current.id}/done`))
      .set(as('planner'))
      .send({ note: 'PR-2026-0042 raised' })
      .expect(200);
    expect(done.body).toMatchObject({ status: 'done', closeNote: 'PR-2026-0042 raised' });
  });

  it('the expiry job expires lots past their date (audited, frozen at the WMS) and leaves the rest', async () => {
    for (const [lotCode, expiryDate] of [
      ['EXP-OLD', '2020-01-01'],
      ['EXP-NEW', '2099-12-31'],
    ] as const) {
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material: 'SHAFT', quantity: '5', location: 'WH', lotCode, expiryDate })
        .expect(201);
    }
    expect(await t.app.get(LotExpiryJob).run()).toBeGreaterThanOrEqual(1);
    const old = await t.http.get(f.url('lots/EXP-OLD')).set(as('viewer')).expect(200);
    expect(old.body).toMatchObject({ status: 'expired', statusReason: 'shelf life ended 2020-01-01' });
    expect((await lot('EXP-NEW')).status).toBe('available');
    const frozen = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox_message WHERE message_type = 'freezeLot' AND payload->>'lot' = 'EXP-OLD'`,
    );
    expect(frozen[0].n).toBe(1);
    const audit = await t.dataSource.query(
      `SELECT actor_id FROM audit_log WHERE entity_id = $1 AND action LIKE 'lot.%expire%'`,
      [old.body.id],
    );
    expect(audit).toEqual([{ actor_id: 'lot-expiry' }]);
    // Nothing left to do for this site's lots on a second run.
    await t.app.get(LotExpiryJob).run();
    expect((await lot('EXP-NEW')).status).toBe('available');
  });
});
