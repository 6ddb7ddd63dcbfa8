import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { ShopFloorEnvelope } from '../src/platform/realtime/shop-floor-events';
import { RuleRunner } from '../src/alerts/rules/rule-runner';
import { eventually } from './support/eventually';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface Firing {
  ruleCode: string;
  trigger: string;
  triggerKey: string;
  outcome: string;
  facts: Record<string, unknown>;
  actions: Array<{ type: string; outcome: string; detail: string; ref?: string }>;
}

interface Todo {
  id: string;
  kind: string;
  title: string;
  titleZh: string;
  assigneeRoles: string[];
  referenceId: string;
  status: string;
}

const MINUTE_MS = 60_000;

/**
 * The rule engine on a small factory: the shipped rules fire on their scenarios and do exactly their actions
 * once per crossing; a disabled rule does nothing; a dry run changes nothing; an admin's own rule is checked
 * field by field and, when one of its actions fails, the change that fired it still stands.
 */
describe('rules: shipped rules, periodic checks, dry runs and an admin’s own rule', () => {
  let t: TestApp;
  let f: ProductionFactory;

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const admin = () => as('admin');
  const firings = async (rule: string): Promise<Firing[]> =>
    (
      await t.http
        .get(f.url(`rules/firings?rule=${rule}&limit=200`))
        .set(admin())
        .expect(200)
    ).body.items as Firing[];
  const todos = async (query: string): Promise<Todo[]> =>
    (
      await t.http
        .get(f.url(`todos?${query}&limit=500`))
        .set(admin())
        .expect(200)
    ).body.items as Todo[];
  const outbox = (type: string, key: string, value: string) =>
    t.dataSource.query<Array<{ payload: Record<string, unknown> }>>(
      `SELECT payload FROM outbox_message WHERE message_type = $1 AND payload->>$2 = $3`,
      [type, key, value],
    );
  const releasedOrder = async (): Promise<string> => {
    const created = await t.http
      .post(f.url('work-orders'))
      .set(as('planner'))
      .send({ material: 'SA-100', quantity: '10', dueAt: '2030-01-01T00:00:00Z' })
      .expect(201);
    const id = created.body.id as string;
    await t.http
      .post(f.url(`work-orders/${id}/plan`))
      .set(as('planner'))
      .send({})
      .expect(200);
    await t.http
      .post(f.url(`work-orders/${id}/release`))
      .set(as('planner'))
      .send({})
      .expect(200);
    return id;
  };
  const rush = async (workOrderId: string) => {
    const wo = await t.http
      .get(f.url(`work-orders/${workOrderId}`))
      .set(as('planner'))
      .expect(200);
    await t.http
      .patch(f.url(`work-orders/${workOrderId}`))
      .set(as('planner'))
      .send({ priority: 'rush', expectedVersion: wo.body.version })
      .expect(200);
  };
  const pickTask = async (workOrderId: string) =>
    eventually(async () => {
      const res = await t.http
        .get(f.url(`wms/pick-tasks?workOrderId=${workOrderId}`))
        .set(as('warehouse'))
        .expect(200);
      return res.body[0] as { id: string; priority: string } | undefined;
    }, 'the pick task');

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    for (const material of ['SHAFT', 'GREASE']) {
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material, quantity: '100', location: 'WH' })
        .expect(201);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('every site has the shipped rules, enabled, and the catalogue of what rules can use', async () => {
    const rules = await t.http.get(f.url('rules')).set(as('viewer')).expect(200);
    expect(rules.body.map((r: { code: string }) => r.code)).toEqual([
      'count-discrepancy.approval',
      'machine-count.discrepancy',
      'machine-down.escalation',
      'quality.lot-rejected',
      'quality.spc-violation',
      'rush-order.wms-priority',
      'safety-stock.requisition',
      'wms-shortage.todo',
    ]);
    expect(rules.body.every((r: { enabled: boolean; builtin: boolean }) => r.enabled && r.builtin)).toBe(
      true,
    );
    const catalog = await t.http.get(f.url('rules/catalog')).set(admin()).expect(200);
    expect(catalog.body.metrics.map((m: { metric: string }) => m.metric)).toEqual([
      'machine.down',
      'work_order.overdue',
    ]);
    expect(
      catalog.body.events.find((e: { type: string }) => e.type === 'inventory.safety_stock.changed').fields,
    ).toContain('suggestedQty');
    // Changing rules is for admins.
    await t.http.post(f.url('rules/rush-order.wms-priority/disable')).set(as('planner')).send({}).expect(403);
  });

  it('a rush order raises its pick task at the warehouse once; with the rule disabled it does not', async () => {
    const first = await releasedOrder();
    expect((await pickTask(first)).priority).toBe('normal');
    await rush(first);
    const task = await pickTask(first);
    expect(task.priority).toBe('rush');
    const fired = (await firings('rush-order.wms-priority')).filter((x) => x.facts.workOrderId === first);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.actions).toEqual([
      expect.objectContaining({ type: 'wms_priority', outcome: 'done', ref: task.id }),
    ]);
    expect(await outbox('changePriority', 'taskId', task.id)).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ priority: 'rush' }) }),
    ]);

    const disabled = await t.http
      .post(f.url('rules/rush-order.wms-priority/disable'))
      .set(admin())
      .send({})
      .expect(200);
    expect(disabled.body).toMatchObject({ enabled: false, builtin: true, customized: true, version: 1 });
    const second = await releasedOrder();
    await rush(second);
    const untouched = await pickTask(second);
    expect(untouched.priority).toBe('normal');
    expect((await firings('rush-order.wms-priority')).filter((x) => x.facts.workOrderId === second)).toEqual(
      [],
    );
    expect(await outbox('changePriority', 'taskId', untouched.id)).toEqual([]);
    // Back to the shipped rule: enabled again for the next rush order.
    const reset = await t.http.delete(f.url('rules/rush-order.wms-priority')).set(admin()).expect(200);
    expect(reset.body.now).toMatchObject({ enabled: true, customized: false, version: 0 });
  });

  it('a rejected lot gives quality, purchasing and planning a todo each, once, and is frozen at the warehouse', async () => {
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'GREASE', quantity: '20', location: 'WH', lotCode: 'GR-BAD' })
      .expect(201);
    const lot = await t.http.get(f.url('lots/GR-BAD')).set(as('quality')).expect(200);
    await t.http
      .post(f.url('lots/GR-BAD/reject'))
      .set(as('quality'))
      .send({ reason: 'viscosity out of spec' })
      .expect(200);
    const fired = (await firings('quality.lot-rejected')).filter((x) => x.facts.lotCode === 'GR-BAD');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.outcome).toBe('done');
    expect(fired[0]!.actions.map((a) => [a.type, a.outcome])).toEqual([
      ['todo', 'done'],
      ['todo', 'done'],
      ['todo', 'done'],
    ]);
    const opened = (await todos('kind=quality_problem&status=open')).filter(
      (x) => x.referenceId === lot.body.id,
    );
    expect(opened.map((x) => x.assigneeRoles[0]).sort()).toEqual(['planner', 'purchasing', 'quality']);
    expect(opened.find((x) => x.assigneeRoles[0] === 'purchasing')!.title).toBe(
      'Lot GR-BAD (GREASE) rejected: claim the supplier and order a replacement',
    );
    expect(await outbox('freezeLot', 'lot', 'GR-BAD')).toHaveLength(1);
    // The purchasing todo is the purchasing user's: on their list, closable by them.
    const mine = await t.http
      .get(f.url('todos?mine=true&kind=quality_problem&status=open'))
      .set(f.auth(f.users.viewer.token))
      .expect(200);
    expect(mine.body.items.filter((x: Todo) => x.referenceId === lot.body.id)).toEqual([]);
  });

  it('a machine down for more than 30 minutes escalates to the maintenance lead once per breakdown', async () => {
    const runner = t.app.get(RuleRunner);
    const andon = await t.http
      .post('/api/v1/terminal/andon')
      .set(as('operator'))
      .set('Idempotency-Key', randomUUID())
      .send({
        kind: 'maintenance',
        workCenterId: f.workCenters.assy.id,
        equipmentId: f.equipment.press.id,
        machineDown: true,
        message: 'Hydraulic leak',
      })
      .expect(201);
    const downtimeId = andon.body.downtimeId as string;
    const now = Date.now();
    const escalations = async () =>
      (await firings('machine-down.escalation')).filter((x) => x.facts.downtimeId === downtimeId);
    await runner.checkMetrics(new Date(now + 10 * MINUTE_MS));
    expect(await escalations()).toEqual([]);
    await runner.checkMetrics(new Date(now + 31 * MINUTE_MS));
    await runner.checkMetrics(new Date(now + 45 * MINUTE_MS));
    const fired = await escalations();
    expect(fired).toHaveLength(1);
    expect(fired[0]!.facts).toMatchObject({ equipmentCode: 'PRESS-1', downMinutes: 31 });
    const todo = (await todos('kind=machine_down&status=open')).find(
      (x) => x.referenceId === f.equipment.press.id,
    );
    expect(todo).toMatchObject({ assigneeRoles: ['maintenance_lead'] });
    expect(todo!.title).toMatch(/^PRESS-1 has been down 31 min \(D-BRK, ticket MT-/);
    // Repaired: the breakdown leaves the check; a later one fires again.
    const [ticket] = (
      await t.http
        .get(f.url('maintenance/tickets?equipment=PRESS-1&kind=corrective'))
        .set(as('maintenance'))
        .expect(200)
    ).body.items as Array<{ code: string }>;
    await t.http
      .post(f.url(`maintenance/tickets/${ticket!.code}/start`))
      .set(as('maintenance'))
      .expect(200);
    await t.http
      .post(f.url(`maintenance/tickets/${ticket!.code}/complete`))
      .set(as('maintenance'))
      .send({ failureCode: 'LEAK', cause: 'Worn seal', remedy: 'Replaced the seal' })
      .expect(200);
    await runner.checkMetrics(new Date(now + 50 * MINUTE_MS));
    const state = await t.dataSource.query(
      `SELECT 1 FROM alert_rule_state WHERE rule_code = 'machine-down.escalation' AND subject_key LIKE $1`,
      [`%${downtimeId}`],
    );
    expect(state).toEqual([]);
    expect(await escalations()).toHaveLength(1);
  });

  it('stock below its safety level raises one purchase requisition to the ERP per open need, and a todo', async () => {
    const material = await t.http
      .post(f.url('materials'))
      .set(admin())
      .send({
        code: 'SEAL-40',
        name: 'Shaft seal 40',
        materialClass: 'raw',
        baseUnitId: f.units.pcs.id,
        safetyStock: '10',
        reorderPoint: '20',
        lotSize: '50',
      })
      .expect(201);
    const materialId = material.body.id as string;
    const requisitions = async () =>
      (await t.http.get(f.url(`purchase-requisitions?material=SEAL-40`)).set(as('viewer')).expect(200)).body
        .items as Array<{ id: string; code: string; status: string; quantity: string; source: string }>;
    const receipt = (lotCode: string, quantity: string) =>
      t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material: 'SEAL-40', quantity, location: 'WH', lotCode })
        .expect(201);
    const scrap = (lot: string, quantity: string) =>
      t.http
        .post(f.url('inventory/scraps'))
        .set(as('warehouse'))
        .set('Idempotency-Key', randomUUID())
        .send({ lot, location: 'WH', quantity, reasonCode: 'S-DIM' })
        .expect(201);

    // 30 → 8: below 10; the suggestion goes back up to reorder point + lot size: 20 + 50 − 8 = 62.
    await receipt('SEAL-A', '30');
    await scrap('SEAL-A', '22');
    let list = await requisitions();
    expect(list).toEqual([
      expect.objectContaining({ status: 'open', quantity: '62', source: 'rule:safety-stock.requisition' }),
    ]);
    const sent = await outbox('purchaseRequisition', 'requisitionId', list[0]!.id);
    expect(sent).toEqual([
      {
        payload: expect.objectContaining({
          code: list[0]!.code,
          material: 'SEAL-40',
          quantity: '62',
          unit: 'PCS',
        }),
      },
    ]);
    const todo = (await todos('kind=purchase_requisition&status=open')).find(
      (x) => x.referenceId === materialId,
    );
    expect(todo).toMatchObject({ assigneeRoles: ['purchasing', 'planner'] });

    // Back above and below again while the requisition is still open: no second one (the action says why).
    await receipt('SEAL-B', '10');
    await scrap('SEAL-B', '10');
    expect(await requisitions()).toHaveLength(1);
    const fired = (await firings('safety-stock.requisition')).filter(
      (x) => x.facts.materialId === materialId,
    );
    expect(fired).toHaveLength(2);
    expect(fired[0]!.actions[0]).toMatchObject({ type: 'requisition', outcome: 'skipped' });
    expect(fired[0]!.actions[0]!.detail).toContain(`${list[0]!.code} is open`);

    // Purchasing orders it; a buyer asking by hand while one is open gets the open one (200), none after.
    await t.http
      .post(f.url(`purchase-requisitions/${list[0]!.code}/ordered`))
      .set(as('planner'))
      .send({ purchaseOrder: 'PO-1' })
      .expect(403);
    const ordered = await t.http
      .post(f.url(`purchase-requisitions/${list[0]!.code}/ordered`))
      .set(admin())
      .send({ purchaseOrder: 'PO-2026-0042' })
      .expect(200);
    expect(ordered.body).toMatchObject({ status: 'ordered', purchaseOrder: 'PO-2026-0042' });
    const manual = await t.http
      .post(f.url('purchase-requisitions'))
      .set(as('planner'))
      .send({ material: 'SEAL-40', quantity: '100', reason: 'big customer order' })
      .expect(201);
    const again = await t.http
      .post(f.url('purchase-requisitions'))
      .set(as('planner'))
      .send({ material: 'SEAL-40', quantity: '5', reason: 'asked twice' })
      .expect(200);
    expect(again.body.code).toBe(manual.body.code);
    const bad = await t.http
      .post(f.url('purchase-requisitions'))
      .set(as('planner'))
      .send({ material: 'SEAL-40', quantity: '-1', reason: '' })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['quantity', 'reason']);
    list = await requisitions();
    expect(list.map((r) => r.status).sort()).toEqual(['open', 'ordered']);
  });

  it('a dry run says what a rule would do with sample facts and changes nothing', async () => {
    const before = await t.dataSource.query<[{ firings: number; todos: number }]>(
      `SELECT (SELECT count(*)::int FROM alert_rule_firing) AS firings, (SELECT count(*)::int FROM todo) AS todos`,
    );
    const sample = {
      materialId: randomUUID(),
      materialCode: 'GREASE',
      state: 'below',
      availableQty: '3',
      safetyStock: '10',
      reorderPoint: '20',
      lotSize: '25',
      suggestedQty: '42',
    };
    const below = await t.http
      .post(f.url('rules/safety-stock.requisition/dry-run'))
      .set(admin())
      .send({ sample })
      .expect(200);
    expect(below.body.matched).toBe(true);
    expect(below.body.actions).toEqual([
      expect.objectContaining({
        missing: [],
        action: expect.objectContaining({ type: 'requisition', material: sample.materialId, quantity: '42' }),
      }),
      expect.objectContaining({
        missing: [],
        action: expect.objectContaining({
          type: 'todo',
          title: 'Order GREASE: 3 available, safety stock 10; requisition for 42 sent to the ERP',
          roles: ['purchasing', 'planner'],
        }),
      }),
    ]);
    const recovered = await t.http
      .post(f.url('rules/safety-stock.requisition/dry-run'))
      .set(admin())
      .send({ sample: { ...sample, state: 'recovered' } })
      .expect(200);
    expect(recovered.body).toMatchObject({ matched: false, actions: [] });
    expect(recovered.body.filter.checks).toEqual([
      expect.objectContaining({ field: 'state', actual: 'recovered', result: false }),
    ]);
    const after = await t.dataSource.query(
      `SELECT (SELECT count(*)::int FROM alert_rule_firing) AS firings, (SELECT count(*)::int FROM todo) AS todos`,
    );
    expect(after).toEqual(before);
  });

  it('an admin’s own rule is checked field by field; when one of its actions fails, the andon still stands', async () => {
    const bad = await t.http
      .post(f.url('rules'))
      .set(admin())
      .send({
        code: 'quality-andon.escalate',
        name: 'Quality andon',
        trigger: {
          kind: 'event',
          event: 'production.andon.changed',
          filter: { field: 'colour', op: 'eq', value: 'red' },
        },
        conditions: { all: [{ field: 'kind', op: 'like', value: 'q%' }] },
        actions: [{ type: 'todo', kind: 'quality_call', title: 'Go to {{lineCode}}', roles: ['chief'] }],
      })
      .expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'trigger.filter.field',
      'conditions.all[0].op',
      'actions[0].title',
      'actions[0].roles',
    ]);
    expect((await t.http.get(f.url('rules/quality-andon.escalate')).set(admin())).status).toBe(404);

    const created = await t.http
      .post(f.url('rules'))
      .set(admin())
      .send({
        code: 'quality-andon.escalate',
        name: 'Quality andon → webhook and a todo with a link',
        nameZh: '质量安灯 → 通知与待办',
        trigger: {
          kind: 'event',
          event: 'production.andon.changed',
          filter: {
            all: [
              { field: 'kind', op: 'eq', value: 'quality' },
              { field: 'state', op: 'eq', value: 'raised' },
            ],
          },
        },
        conditions: { field: 'message', op: 'contains', value: 'burr' },
        actions: [
          {
            type: 'webhook',
            url: 'https://hooks.example.com/quality',
            body: { text: 'Quality call: {{message}}', andon: '{{andonId}}' },
          },
          { type: 'notify', to: ['role:quality', 'line:{{lineId}}'], message: 'Quality call: {{message}}' },
          // A link longer than a todo keeps: this action fails, alone.
          {
            type: 'todo',
            kind: 'quality_call',
            title: 'Quality call',
            roles: ['quality'],
            link: '/x/{{message}}{{message}}',
          },
        ],
      })
      .expect(201);
    expect(created.body).toMatchObject({
      code: 'quality-andon.escalate',
      enabled: true,
      builtin: false,
      version: 1,
    });

    const socket: Socket = io(`${t.url}/shop-floor`, {
      auth: { token: f.users.quality.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const pushes: ShopFloorEnvelope[] = [];
    socket.onAny((_event: string, envelope: ShopFloorEnvelope) => pushes.push(envelope));
    await new Promise<void>((resolve) => socket.on('ready', () => resolve()));
    const raise = (message: string) =>
      t.http
        .post('/api/v1/terminal/andon')
        .set(as('operator'))
        .set('Idempotency-Key', randomUUID())
        .send({ kind: 'quality', workCenterId: f.workCenters.turn.id, message });
    await raise('Scratches on the housing').expect(201);
    expect(await firings('quality-andon.escalate')).toEqual([]);
    const long = `burr on the shaft shoulder ${'x'.repeat(200)}`;
    const andon = await raise(long).expect(201);
    const [firing] = await firings('quality-andon.escalate');
    expect(firing).toMatchObject({ outcome: 'partial', triggerKey: expect.any(String) });
    expect(firing!.actions.map((a) => [a.type, a.outcome])).toEqual([
      ['webhook', 'done'],
      ['notify', 'done'],
      ['todo', 'failed'],
    ]);
    // The quality engineer's screen heard it; the first (no burr) was never pushed.
    const heard = await eventually(
      async () =>
        pushes.find((p) => p.event === 'rule.notification' && p.room === `role:quality@${f.site.id}`),
      'the rule notification',
    );
    expect(heard.data).toMatchObject({ rule: 'quality-andon.escalate', message: `Quality call: ${long}` });
    expect(pushes.filter((p) => p.event === 'rule.notification')).toHaveLength(1);
    socket.disconnect();
    expect(
      await t.dataSource.query(`SELECT payload FROM outbox_message WHERE id = $1`, [firing!.actions[0]!.ref]),
    ).toEqual([{ payload: { text: `Quality call: ${long}`, andon: andon.body.id } }]);
    expect((await todos('kind=quality_call')).length).toBe(0);
    const calls = await t.http.get(f.url('andon?all=true')).set(as('operator')).expect(200);
    expect(calls.body.find((a: { id: string }) => a.id === andon.body.id)).toMatchObject({ state: 'raised' });
  });
});
