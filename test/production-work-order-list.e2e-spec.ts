import { randomUUID } from 'node:crypto';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface Listed {
  id: string;
  code: string;
  status: string;
  allowedCommands: string[];
}

/**
 * The work-order list carries each order's `allowedCommands`, computed as the detail computes them (a held
 * order may be cancelled only while no work has started); the history tells who moved and changed the order.
 */
describe('production: work-order list with allowed commands, and an order history', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const as = (role: 'planner' | 'operator' | 'viewer') => f.auth(f.users[role].token);
  const post = (path: string, body: object, role: 'planner' | 'operator' = 'planner') =>
    t.http.post(f.url(path)).set(as(role)).send(body).expect(200);

  async function order(quantity = '10') {
    const created = await t.http
      .post(f.url('work-orders'))
      .set(as('planner'))
      .send({ material: 'SA-100', quantity, dueAt: '2030-02-01T00:00:00Z' })
      .expect(201);
    return created.body as { id: string; code: string; version: number; operations: Array<{ id: string }> };
  }

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists the same allowed commands as the detail, for every state', async () => {
    const draft = await order();
    const planned = await order();
    await post(`work-orders/${planned.id}/plan`, {});
    const released = await order();
    await post(`work-orders/${released.id}/plan`, {});
    await post(`work-orders/${released.id}/release`, { allowShortage: true });
    const heldBefore = await order();
    await post(`work-orders/${heldBefore.id}/plan`, {});
    await post(`work-orders/${heldBefore.id}/release`, { allowShortage: true });
    await post(`work-orders/${heldBefore.id}/hold`, { reason: 'engineering change' });
    // Held after work started: cancelling is refused, so the list must not offer it.
    const heldAfter = await order();
    await post(`work-orders/${heldAfter.id}/plan`, {});
    const rel = await post(`work-orders/${heldAfter.id}/release`, { allowShortage: true });
    await t.http
      .post(`/api/v1/terminal/operations/${rel.body.operations[0].id}/start`)
      .set(as('operator'))
      .set(key())
      .send({})
      .expect(200);
    await post(`work-orders/${heldAfter.id}/hold`, { reason: 'machine breakdown' });
    const cancelled = await order();
    await post(`work-orders/${cancelled.id}/cancel`, { reason: 'customer withdrew' });

    const list = await t.http.get(f.url('work-orders?limit=50')).set(as('viewer')).expect(200);
    const items = list.body.items as Listed[];
    expect(items).toHaveLength(6);
    for (const wo of [draft, planned, released, heldBefore, heldAfter, cancelled]) {
      const detail = await t.http
        .get(f.url(`work-orders/${wo.id}`))
        .set(as('viewer'))
        .expect(200);
      const listed = items.find((i) => i.id === wo.id)!;
      expect([listed.status, listed.allowedCommands]).toEqual([
        detail.body.status,
        detail.body.allowedCommands,
      ]);
    }
    const byId = (id: string) => items.find((i) => i.id === id)!.allowedCommands;
    expect(byId(draft.id)).toEqual(['plan', 'cancel']);
    expect(byId(planned.id)).toEqual(['release', 'cancel']);
    expect(byId(released.id)).toEqual(expect.arrayContaining(['hold', 'cancel']));
    expect(byId(released.id)).not.toContain('release');
    expect(byId(heldBefore.id)).toEqual(['resume', 'cancel']);
    expect(byId(heldAfter.id)).toEqual(['resume']);
    expect(byId(cancelled.id)).toEqual([]);
  });

  it('tells the history of an order: moves, changed fields, who and why', async () => {
    const wo = await order('10');
    const changed = await t.http
      .patch(f.url(`work-orders/${wo.id}`))
      .set(as('planner'))
      .send({ expectedVersion: wo.version, quantity: '12', priority: 'rush', reason: 'customer asked' })
      .expect(200);
    expect(changed.body.quantity).toMatch(/^12(\.0+)?$/);
    await post(`work-orders/${wo.id}/plan`, {});
    const history = await t.http
      .get(f.url(`work-orders/${wo.id}/history`))
      .set(as('viewer'))
      .expect(200);
    const items = history.body.items as Array<{
      action: string;
      actorName: string;
      reason: string | null;
      fromStatus: string | null;
      toStatus: string | null;
      changes: Array<{ field: string; before: unknown; after: unknown }>;
    }>;
    expect(items.map((i) => i.action)).toEqual([
      'work_order.created',
      'work_order.updated',
      'work_order.plan',
    ]);
    expect(items[1]!.reason).toBe('customer asked');
    expect(items[1]!.changes.map((c) => c.field).sort()).toEqual(['priority', 'quantity']);
    expect(items[1]!.changes.find((c) => c.field === 'priority')).toMatchObject({
      before: 'normal',
      after: 'rush',
    });
    expect(items[2]).toMatchObject({ fromStatus: 'draft', toStatus: 'planned' });
    expect(items[2]!.actorName).toBeTruthy();
    await t.http
      .get(f.url(`work-orders/${randomUUID()}/history`))
      .set(as('viewer'))
      .expect(404);
  });
});
