import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { ShopFloorEnvelope } from '../src/platform/realtime/shop-floor-events';
import { eventually } from './support/eventually';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface Todo {
  id: string;
  kind: string;
  assigneeRoles: string[];
  referenceId: string;
  status: string;
  version: number;
}

/**
 * The todo pushes: a todo a shipped rule opens reaches the screens of its roles (`todo.created`), and a todo
 * leaving the open list — closed by a person or by the system when its cause went away — reaches them too
 * (`todo.closed`, with the site), so every todo count drops without a reload. Other roles hear neither.
 */
describe('alerts: todo.created and todo.closed pushes to the roles of the todo', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const sockets: Socket[] = [];

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);

  async function listen(role: keyof ProductionFactory['users']) {
    const socket: Socket = io(`${t.url}/shop-floor`, {
      auth: { token: f.users[role].token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    const pushes: ShopFloorEnvelope[] = [];
    socket.onAny((_event: string, envelope: ShopFloorEnvelope) => pushes.push(envelope));
    await new Promise<void>((resolve) => socket.on('ready', () => resolve()));
    return pushes;
  }

  const openTodos = async (query: string): Promise<Todo[]> =>
    (
      await t.http
        .get(f.url(`todos?status=open&limit=500&${query}`))
        .set(as('admin'))
        .expect(200)
    ).body.items as Todo[];

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await t.close();
  });

  it('a rejected lot: the planner hears its todo opened and closed; the viewer hears neither', async () => {
    const planner = await listen('planner');
    const viewer = await listen('viewer');
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'GREASE', quantity: '5', location: 'WH', lotCode: 'GR-PUSH' })
      .expect(201);
    const lot = await t.http.get(f.url('lots/GR-PUSH')).set(as('quality')).expect(200);
    await t.http
      .post(f.url('lots/GR-PUSH/reject'))
      .set(as('quality'))
      .send({ reason: 'contaminated' })
      .expect(200);
    const todo = (await openTodos('kind=quality_problem')).find(
      (x) => x.referenceId === lot.body.id && x.assigneeRoles.includes('planner'),
    )!;
    const created = await eventually(
      async () =>
        planner.find((p) => p.event === 'todo.created' && (p.data as { todoId: string }).todoId === todo.id),
      'the todo.created push to the planners',
    );
    expect(created.room).toBe(`role:planner@${f.site.id}`);

    await t.http
      .post(f.url(`todos/${todo.id}/done`))
      .set(as('planner'))
      .send({ note: 'Re-planned with lot GR-2', expectedVersion: todo.version })
      .expect(200);
    const closed = await eventually(
      async () => planner.find((p) => p.event === 'todo.closed'),
      'the todo.closed push to the planners',
    );
    expect(closed).toMatchObject({
      room: `role:planner@${f.site.id}`,
      data: { todoId: todo.id, siteId: f.site.id, status: 'done', closedBy: expect.any(String) },
    });
    // Nothing for the viewer: no todo of theirs opened or closed.
    expect(viewer.filter((p) => p.event === 'todo.created' || p.event === 'todo.closed')).toEqual([]);
  });

  it('a todo the system closes (stock back above its safety level) is pushed as closed by the system', async () => {
    const planner = await listen('planner');
    const material = await t.http
      .post(f.url('materials'))
      .set(as('admin'))
      .send({
        code: 'SEAL-PUSH',
        name: 'Seal for the push test',
        materialClass: 'raw',
        baseUnitId: f.units.pcs.id,
        safetyStock: '10',
        reorderPoint: '20',
        lotSize: '50',
      })
      .expect(201);
    const receipt = (lotCode: string, quantity: string) =>
      t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material: 'SEAL-PUSH', quantity, location: 'WH', lotCode })
        .expect(201);
    await receipt('SP-A', '30');
    await t.http
      .post(f.url('inventory/scraps'))
      .set(as('warehouse'))
      .set('Idempotency-Key', randomUUID())
      .send({ lot: 'SP-A', location: 'WH', quantity: '25', reasonCode: 'S-DIM' })
      .expect(201);
    const todo = (await openTodos('kind=purchase_requisition')).find(
      (x) => x.referenceId === material.body.id,
    )!;
    expect(todo).toBeDefined();
    await eventually(
      async () =>
        planner.find((p) => p.event === 'todo.created' && (p.data as { todoId: string }).todoId === todo.id),
      'the todo.created push',
    );
    await receipt('SP-B', '40');
    const closed = await eventually(
      async () =>
        planner.find((p) => p.event === 'todo.closed' && (p.data as { todoId: string }).todoId === todo.id),
      'the todo.closed push',
    );
    expect(closed.data).toEqual({ todoId: todo.id, siteId: f.site.id, status: 'done', closedBy: 'system' });
  });
});
