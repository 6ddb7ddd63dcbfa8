import { randomUUID } from 'node:crypto';
import { IdempotencyService } from '../src/platform/idempotency/idempotency.service';
import { createUser, login } from './support/builders';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

/** Terminal rules: idempotency keys, races, over-reporting, predecessors, operators, holds, downtime, andon. */
describe('production: terminal rules', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let wo: { id: string; code: string };
  let op10: string;
  let op20: string;
  let operator2: string;

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const operator = () => as(f.users.operator.token);
  const planner = () => as(f.users.planner.token);
  const terminal = (path: string) => `/api/v1/terminal/${path}`;
  const post = (path: string, body: object, headers: Record<string, string>, key: string = randomUUID()) =>
    t.http.post(terminal(path)).set(headers).set('Idempotency-Key', key).send(body);
  const goodOf = async (opId: string): Promise<string> =>
    (
      (
        await t.http
          .get(terminal(`operations/${opId}`))
          .set(operator())
          .expect(200)
      ).body as { goodQty: string }
    ).goodQty;

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    const second = await createUser(t.dataSource, { roles: ['operator'], siteIds: [f.site.id] });
    operator2 = await login(t.http, second);
    for (const [material, quantity] of [
      ['SHAFT', '100'],
      ['GREASE', '10'],
    ] as const) {
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as(f.users.warehouse.token))
        .send({ material, quantity, location: 'LS-L1' })
        .expect(201);
    }
    const created = await t.http
      .post(f.url('work-orders'))
      .set(planner())
      .send({ material: 'SA-100', quantity: '40', dueAt: '2030-01-01T00:00:00Z' })
      .expect(201);
    wo = created.body;
    expect(created.body).toMatchObject({ status: 'draft', code: expect.stringMatching(/^WO-\d{4}-\d{6}$/) });
    [op10, op20] = (created.body.operations as Array<{ id: string }>).map((o) => o.id) as [string, string];
  });
  afterAll(async () => {
    await t.close();
  });

  it('guards the work order lifecycle: illegal moves answer 409 with the current state', async () => {
    const early = await post(`operations/${op10}/start`, {}, operator()).expect(409);
    expect(early.body).toMatchObject({ code: 'WORK_ORDER_NOT_RELEASED', currentState: 'draft' });
    const releaseDraft = await t.http
      .post(f.url(`work-orders/${wo.id}/release`))
      .set(planner())
      .send({})
      .expect(409);
    expect(releaseDraft.body).toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      currentState: 'draft',
      allowedCommands: ['plan', 'cancel'],
    });
    await t.http
      .post(f.url(`work-orders/${wo.id}/plan`))
      .set(planner())
      .send({})
      .expect(200);
    const released = await t.http
      .post(f.url(`work-orders/${wo.id}/release`))
      .set(planner())
      .send({})
      .expect(200);
    expect(released.body.status).toBe('released');
    const again = await t.http
      .post(f.url(`work-orders/${wo.id}/release`))
      .set(planner())
      .send({})
      .expect(409);
    expect(again.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: 'released' });
    const noReason = await t.http
      .post(f.url(`work-orders/${wo.id}/cancel`))
      .set(planner())
      .send({})
      .expect(400);
    expect(noReason.body.errors).toEqual([{ field: 'reason', message: 'reason is required' }]);
  });

  it('needs an Idempotency-Key; a replay answers the first response and changes nothing', async () => {
    const missing = await t.http
      .post(terminal(`operations/${op10}/start`))
      .set(operator())
      .send({})
      .expect(400);
    expect(missing.body).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REQUIRED',
      errors: [{ field: 'Idempotency-Key', message: 'header is required' }],
    });
    const key = randomUUID();
    const first = await post(`operations/${op10}/start`, {}, operator(), key).expect(200);
    expect(first.body.status).toBe('running');
    const replay = await post(`operations/${op10}/start`, {}, operator(), key).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);

    const reportKey = randomUUID();
    const r = await post(`operations/${op10}/report`, { goodQty: '1' }, operator(), reportKey).expect(200);
    const rr = await post(`operations/${op10}/report`, { goodQty: '1' }, operator(), reportKey).expect(200);
    expect(rr.body).toEqual(r.body);
    expect(await goodOf(op10)).toBe('1.000000');
    const other = await post(`operations/${op10}/report`, { goodQty: '2' }, operator(), reportKey).expect(
      422,
    );
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await goodOf(op10)).toBe('1.000000');
  });

  it('answers 409 to a duplicate while the first is in progress, and counts a burst of one key once', async () => {
    // A first attempt still running on another instance: its claim is there, its answer not yet.
    const key = randomUUID();
    const path = terminal(`operations/${op10}/report`);
    const hash = IdempotencyService.requestHash({ method: 'POST', path, body: { goodQty: '1' } });
    await t.dataSource.query(
      `INSERT INTO idempotency_key (scope, key, request_hash, method, path, state, locked_until)
       VALUES ($1, $2, $3, 'POST', $4, 'in_progress', now() + interval '1 minute')`,
      [`user:${f.users.operator.id}`, key, hash, path],
    );
    const busy = await post(`operations/${op10}/report`, { goodQty: '1' }, operator(), key).expect(409);
    expect(busy.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect(busy.headers['retry-after']).toBe('1');

    const burstKey = randomUUID();
    const before = Number(await goodOf(op10));
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        post(`operations/${op10}/report`, { goodQty: '1' }, operator(), burstKey),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(
      answers
        .filter((a) => a.status === 409)
        .every((a) => (a.body as { code: string }).code === 'IDEMPOTENCY_KEY_IN_USE'),
    ).toBe(true);
    expect(Number(await goodOf(op10))).toBe(before + 1);

    // A first attempt that died before answering (its claim's lease over): the retry takes the key over.
    const deadKey = randomUUID();
    await t.dataSource.query(
      `INSERT INTO idempotency_key (scope, key, request_hash, method, path, state, locked_until)
       VALUES ($1, $2, $3, 'POST', $4, 'in_progress', now() - interval '1 second')`,
      [`user:${f.users.operator.id}`, deadKey, hash, path],
    );
    await post(`operations/${op10}/report`, { goodQty: '1' }, operator(), deadKey).expect(200);
    const again = await post(`operations/${op10}/report`, { goodQty: '1' }, operator(), deadKey).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(Number(await goodOf(op10))).toBe(before + 2);
  });

  it('ends 32 parallel reports of 1 at exactly 32 more', async () => {
    const before = Number(await goodOf(op10));
    const answers = await Promise.all(
      Array.from({ length: 32 }, () => post(`operations/${op10}/report`, { goodQty: '1' }, operator())),
    );
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 32 }, () => 200));
    expect(Number(await goodOf(op10))).toBe(before + 32);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1 AND action = 'operation.reported'`,
      [op10],
    );
    expect(n).toBe(before + 32);
  });

  it('refuses over-reporting beyond the planned quantity with a clear message', async () => {
    const good = Number(await goodOf(op10));
    const over = await post(
      `operations/${op10}/report`,
      { goodQty: String(40 - good + 1) },
      operator(),
    ).expect(422);
    expect(over.body).toMatchObject({ code: 'OVER_REPORT', maxAdditionalQty: String(40 - good) });
    expect(over.body.detail).toContain('of at most 40');
    // The refusal is that key's answer: the terminal's retry gets the same 422, not a count.
    const overKey = randomUUID();
    const refused = await post(`operations/${op10}/report`, { goodQty: '100' }, operator(), overKey).expect(
      422,
    );
    const retried = await post(`operations/${op10}/report`, { goodQty: '100' }, operator(), overKey).expect(
      422,
    );
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(retried.body).toEqual(refused.body);
    const decimals = await post(`operations/${op10}/report`, { goodQty: '0.5' }, operator()).expect(400);
    expect(decimals.body.code).toBe('INVALID_QUANTITY');
    const scrapWithoutReason = await post(`operations/${op10}/report`, { scrapQty: '1' }, operator()).expect(
      400,
    );
    expect(scrapWithoutReason.body.errors).toEqual([
      { field: 'scrapReasonCode', message: 'scrapReasonCode is required' },
    ]);
    expect(Number(await goodOf(op10))).toBe(good);
  });

  it('keeps an operator to one operation unless the site allows more; a crew may share one', async () => {
    // Operation 20 may start: operation 10 has passed on at least its transfer batch of 20.
    const busy = await post(`operations/${op20}/start`, {}, operator()).expect(409);
    expect(busy.body.code).toBe('OPERATOR_BUSY');
    const crew = await post(`operations/${op10}/start`, {}, as(operator2)).expect(200);
    expect(crew.body.operators).toHaveLength(2);
    await post(`operations/${op10}/leave`, {}, as(operator2)).expect(200);
    const settings = await t.http.get(f.url('production-settings')).set(planner()).expect(200);
    await t.http
      .put(f.url('production-settings'))
      .set(planner())
      .send({ expectedVersion: settings.body.version, allowConcurrentOperations: true })
      .expect(200);
    const both = await post(`operations/${op20}/start`, {}, operator()).expect(200);
    expect(both.body.status).toBe('running');
  });

  it('enforces the predecessor: an operation cannot start before the transfer batch is done', async () => {
    const other = await t.http
      .post(f.url('work-orders'))
      .set(planner())
      .send({ material: 'SA-100', quantity: '30', dueAt: '2030-01-01T00:00:00Z' })
      .expect(201);
    await t.http
      .post(f.url(`work-orders/${other.body.id}/plan`))
      .set(planner())
      .send({})
      .expect(200);
    await t.http
      .post(f.url(`work-orders/${other.body.id}/release`))
      .set(planner())
      .send({ allowShortage: true })
      .expect(200);
    const [a, b] = (other.body.operations as Array<{ id: string }>).map((o) => o.id) as [string, string];
    const early = await post(`operations/${b}/start`, {}, as(operator2)).expect(409);
    expect(early.body).toMatchObject({ code: 'PREDECESSOR_NOT_DONE', currentState: 'ready' });
    await post(`operations/${a}/start`, {}, as(operator2)).expect(200);
    await post(`operations/${a}/report`, { goodQty: '19' }, as(operator2)).expect(200);
    // Operation 20 can never process more than operation 10 has passed on.
    await post(`operations/${a}/report`, { goodQty: '1' }, as(operator2)).expect(200);
    const complete = await post(`operations/${b}/complete`, {}, as(operator2)).expect(409);
    expect(complete.body.code).toBe('OPERATION_STATE');
  });

  it('stops reporting while the order is held and goes on after resume', async () => {
    await t.http
      .post(f.url(`work-orders/${wo.id}/hold`))
      .set(as(f.users.quality.token))
      .send({ reason: 'suspect bar stock' })
      .expect(200);
    const held = await post(`operations/${op10}/report`, { goodQty: '1' }, operator()).expect(409);
    expect(held.body).toMatchObject({ code: 'WORK_ORDER_HELD', currentState: 'held' });
    const cancel = await t.http
      .post(f.url(`work-orders/${wo.id}/cancel`))
      .set(planner())
      .send({ reason: 'no longer needed' })
      .expect(409);
    expect(cancel.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: 'held' });
    const resumed = await t.http
      .post(f.url(`work-orders/${wo.id}/resume`))
      .set(planner())
      .send({})
      .expect(200);
    expect(resumed.body.status).toBe('running');
    await post(`operations/${op10}/report`, { goodQty: '1' }, operator()).expect(200);
  });

  it('pauses with a pause reason, records readings against limits, and lists the work center dispatch', async () => {
    const wrong = await post(`operations/${op10}/pause`, { reasonCode: 'S-DIM' }, operator()).expect(400);
    expect(wrong.body.code).toBe('INVALID_REASON_CODE');
    const paused = await post(`operations/${op10}/pause`, { reasonCode: 'P-BREAK' }, operator()).expect(200);
    expect(paused.body).toMatchObject({ status: 'paused', operators: [] });
    await post(`operations/${op10}/resume`, {}, operator()).expect(200);
    const readings = await post(
      `operations/${op10}/readings`,
      {
        readings: [
          { name: 'spindle speed', value: 3500 },
          { name: 'Spindle speed', value: 3000 },
        ],
      },
      operator(),
    ).expect(200);
    expect(readings.body.outOfRange).toBe(1);
    const unknown = await post(
      `operations/${op10}/readings`,
      { readings: [{ name: 'Torque', value: 1 }] },
      operator(),
    ).expect(422);
    expect(unknown.body.errors[0].field).toBe('readings[0].name');
    const wi = await t.http
      .get(terminal(`operations/${op10}/work-instructions`))
      .set(operator())
      .expect(200);
    expect(wi.body).toMatchObject({
      instructions: expect.stringContaining('soft jaws'),
      parameters: [{ name: 'Spindle speed', lastValue: '3000' }],
    });
    // A third order, released short of shafts: its turning waits for material, its assembly for turning.
    const third = await t.http
      .post(f.url('work-orders'))
      .set(planner())
      .send({ material: 'SA-100', quantity: '40', dueAt: '2029-01-01T00:00:00Z', priority: 'rush' })
      .expect(201);
    await t.http
      .post(f.url(`work-orders/${third.body.id}/plan`))
      .set(planner())
      .send({})
      .expect(200);
    const short = await t.http
      .post(f.url(`work-orders/${third.body.id}/release`))
      .set(planner())
      .send({ allowShortage: true })
      .expect(200);
    expect(short.body).toMatchObject({ releasedWithShortage: true });
    expect(short.body.materials[0]).toMatchObject({ materialCode: 'SHAFT', shortQtyAtRelease: '10.000000' });
    const turning = await t.http
      .get(f.url(`dispatch?workCenterId=${f.workCenters.turn.id}`))
      .set(operator())
      .expect(200);
    const rows = turning.body as Array<{ workOrderCode: string; state: string; waitingReasons: string[] }>;
    expect(rows[0]).toMatchObject({ workOrderCode: wo.code, state: 'running' });
    expect(rows.find((d) => d.workOrderCode === third.body.code)).toMatchObject({
      state: 'waiting',
      waitingReasons: ['material'],
    });
    const assembly = await t.http
      .get(f.url(`dispatch?workCenterId=${f.workCenters.assy.id}`))
      .set(operator())
      .expect(200);
    const states = (
      assembly.body as Array<{ workOrderCode: string; state: string; waitingReasons: string[] }>
    ).map((d) => [d.workOrderCode, d.state, d.waitingReasons]);
    expect(states[0]).toEqual([wo.code, 'running', []]);
    // Rush before normal among the operations not started.
    expect(states[1]).toEqual([third.body.code, 'waiting', ['predecessor']]);
  });

  it('stops a machine for downtime with a reason, and andon calls move from raised to resolved', async () => {
    const down = await post(
      `equipment/${f.equipment.lathe.id}/downtime/start`,
      { reasonCode: 'D-BRK' },
      operator(),
    ).expect(200);
    expect(down.body.category).toBe('downtime_unplanned');
    const lathe = await t.http
      .get(f.url(`equipment/${f.equipment.lathe.id}`))
      .set(operator())
      .expect(200);
    expect(lathe.body.status).toBe('down');
    await post(
      `equipment/${f.equipment.lathe.id}/downtime/start`,
      { reasonCode: 'D-BRK' },
      operator(),
    ).expect(409);
    await post(`equipment/${f.equipment.lathe.id}/downtime/stop`, {}, operator()).expect(200);
    const after = await t.http
      .get(f.url(`equipment/${f.equipment.lathe.id}`))
      .set(operator())
      .expect(200);
    expect(after.body.status).toBe('running');

    const andon = await post(
      'andon',
      { kind: 'material', operationId: op10, message: 'bar stock running out' },
      operator(),
    ).expect(201);
    expect(andon.body).toMatchObject({ state: 'raised', workCenterId: f.workCenters.turn.id });
    await post(`andon/${andon.body.id}/acknowledge`, {}, as(f.users.warehouse.token)).expect(200);
    const resolved = await post(
      `andon/${andon.body.id}/resolve`,
      { note: 'two bars staged' },
      as(f.users.warehouse.token),
    ).expect(200);
    expect(resolved.body).toMatchObject({ state: 'resolved', resolution: 'two bars staged' });
    await post(`andon/${andon.body.id}/resolve`, {}, as(f.users.warehouse.token)).expect(409);
  });

  it('starts operations of several orders on one machine at the same moment without a deadlock', async () => {
    const orders = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const created = await t.http
          .post(f.url('work-orders'))
          .set(planner())
          .send({ material: 'SA-100', quantity: '5', dueAt: '2030-01-01T00:00:00Z' })
          .expect(201);
        await t.http
          .post(f.url(`work-orders/${created.body.id}/plan`))
          .set(planner())
          .send({})
          .expect(200);
        await t.http
          .post(f.url(`work-orders/${created.body.id}/release`))
          .set(planner())
          .send({ allowShortage: true })
          .expect(200);
        const user = await createUser(t.dataSource, { roles: ['operator'], siteIds: [f.site.id] });
        return {
          op: (created.body.operations as Array<{ id: string }>)[0]!.id,
          token: await login(t.http, user),
        };
      }),
    );
    const answers = await Promise.all(
      orders.map((o) => post(`operations/${o.op}/start`, { equipment: 'LATHE-1' }, as(o.token))),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
  });
});
