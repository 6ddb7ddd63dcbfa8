import { randomUUID } from 'node:crypto';
import { eventually } from './support/eventually';
import { settledVersion } from './support/schedule-version';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface Bar {
  operationId: string;
  workOrderId: string;
  equipmentId: string;
  setupStart: string;
  start: string;
  end: string;
  frozen: boolean;
}

/**
 * What-if scenarios and rush orders against a published plan: a scenario never touches the live plan until it
 * is applied; a rush insertion's impact report is what applying it does; frozen work stays where it was.
 */
describe('planning: what-if scenarios and rush orders', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let planner: Record<string, string>;
  let live: { id: string; origin: string };
  const orders: Array<{ id: string; code: string }> = [];
  const day = 86400000;

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const plan = (path: string) => f.url(`planning/${path}`);
  const waitFor = async (id: string) => {
    const done = await settledVersion(t.http, plan(`versions/${id}`), planner);
    expect(done).toMatchObject({ status: 'succeeded', error: null });
    return done;
  };
  const bars = async (versionId: string): Promise<Bar[]> =>
    (
      await t.http
        .get(plan(`gantt?versionId=${versionId}`))
        .set(planner)
        .expect(200)
    ).body.rows.flatMap((r: { bars: Bar[] }) => r.bars);
  /** What the shop floor and the order book show of the plan (what a scenario must leave alone). */
  const shopFloor = async () => ({
    operations: await t.dataSource.query(
      `SELECT id, scheduled_equipment_id, scheduled_start, scheduled_end FROM work_order_operation
        WHERE site_id = $1 ORDER BY id`,
      [f.site.id],
    ),
    orders: await t.dataSource.query(
      `SELECT id, planned_start, planned_end, priority, version FROM work_order WHERE site_id = $1 ORDER BY id`,
      [f.site.id],
    ),
    live: (await t.http.get(plan('live')).set(planner).expect(200)).body.id,
  });
  const newOrder = async (quantity: string, dueInDays: number) => {
    const wo = await t.http
      .post(f.url('work-orders'))
      .set(planner)
      .send({ material: 'SA-100', quantity, dueAt: new Date(Date.now() + dueInDays * day).toISOString() })
      .expect(201);
    await t.http
      .post(f.url(`work-orders/${wo.body.id}/plan`))
      .set(planner)
      .send({})
      .expect(200);
    await t.http
      .post(f.url(`work-orders/${wo.body.id}/release`))
      .set(planner)
      .send({ allowShortage: true })
      .expect(200);
    return { id: wo.body.id as string, code: wo.body.code as string };
  };
  /** Local (Asia/Shanghai) wall time `days` after today, as an instant. */
  const local = (days: number, hhmm: string) => {
    const date = new Date(Date.now() + 8 * 3600000 + days * day).toISOString().slice(0, 10);
    return new Date(`${date}T${hhmm}:00+08:00`).toISOString();
  };

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    planner = as(f.users.planner.token);
    await t.http
      .post(f.url('calendars'))
      .set(as(f.users.admin.token))
      .send({
        code: 'CAL-DAY',
        name: 'Day shift',
        shifts: [{ code: 'DAY', weekdays: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '16:00' }],
      })
      .expect(201);
    // Two hours of turning each: the lathe is the bottleneck for the week.
    for (let i = 0; i < 6; i++) orders.push(await newOrder('160', i + 1));
    const queued = await t.http.post(plan('runs')).set(planner).send({ seconds: 1 }).expect(202);
    await waitFor(queued.body.id);
    await t.http
      .post(plan(`versions/${queued.body.id}/publish`))
      .set(planner)
      .send({})
      .expect(200);
    live = (await t.http.get(plan('live')).set(planner).expect(200)).body;
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs a what-if (machine down, overtime, a priority) beside the live plan and leaves the live plan alone', async () => {
    const before = await shopFloor();
    const liveBars = await bars(live.id);
    const down = { from: local(1, '08:00'), to: local(1, '12:00') };
    const overtime = { from: local(1, '16:00'), to: local(1, '20:00') };
    const created = await t.http
      .post(plan('scenarios'))
      .set(planner)
      .send({
        name: 'Lathe repair tomorrow morning, overtime tomorrow evening',
        seconds: 1,
        changes: [
          { type: 'machine_down', equipmentId: f.equipment.lathe.id, ...down, reason: 'spindle repair' },
          { type: 'overtime', workCenterId: f.workCenters.turn.id, ...overtime },
          { type: 'set_priority', workOrderId: orders[5]!.id, priority: 'rush' },
        ],
      })
      .expect(202);
    expect(created.body).toMatchObject({
      kind: 'scenario',
      status: 'queued',
      basedOnId: live.id,
      baselineId: live.id,
    });
    const scenario = await waitFor(created.body.id);
    expect(scenario.allowedActions).toEqual(['publish', 'run', 'update', 'discard']);

    const compared = await t.http
      .get(plan(`scenarios/${scenario.id}/compare`))
      .set(planner)
      .expect(200);
    expect(compared.body).toMatchObject({ left: { id: live.id }, right: { id: scenario.id } });
    for (const kpi of ['makespanMinutes', 'totalTardinessMinutes', 'lateOrderCount', 'averageUtilisation']) {
      const k = compared.body.kpis[kpi];
      expect(typeof k.left).toBe('number');
      expect(typeof k.right).toBe('number');
      expect(k.delta).toBeCloseTo(k.right - k.left, 3);
    }
    expect(compared.body.orders).toHaveLength(6);
    expect(compared.body.machines.map((m: { code: string }) => m.code)).toEqual(['LATHE-1', 'PRESS-1']);

    // The scenario's lathe does nothing while it is down and may work the overtime.
    const gantt = await t.http
      .get(plan(`gantt?versionId=${scenario.id}`))
      .set(planner)
      .expect(200);
    const lathe = gantt.body.rows.find((r: { code: string }) => r.code === 'LATHE-1');
    const covered = (from: string, to: string) =>
      lathe.unavailable.some(
        (g: { start: string; end: string }) =>
          Date.parse(g.start) <= Date.parse(from) && Date.parse(g.end) >= Date.parse(to),
      );
    const touched = (from: string, to: string) =>
      lathe.unavailable.some(
        (g: { start: string; end: string }) =>
          Date.parse(g.start) < Date.parse(to) && Date.parse(g.end) > Date.parse(from),
      );
    if (Date.parse(down.to) > Date.parse(scenario.origin)) expect(covered(down.from, down.to)).toBe(true);
    expect(touched(overtime.from, overtime.to)).toBe(false);
    for (const bar of lathe.bars as Bar[]) {
      for (const at of [bar.setupStart, bar.start]) {
        expect(Date.parse(at) >= Date.parse(down.from) && Date.parse(at) < Date.parse(down.to)).toBe(false);
      }
    }

    // Nothing of it reached the shop floor, the order book or the live plan.
    expect(await shopFloor()).toEqual(before);
    expect(await bars(live.id)).toEqual(liveBars);

    const discarded = await t.http
      .post(plan(`scenarios/${scenario.id}/discard`))
      .set(planner)
      .send({ reason: 'repair moved to the weekend' })
      .expect(200);
    expect(discarded.body.status).toBe('discarded');
    const late = await t.http
      .post(plan(`scenarios/${scenario.id}/apply`))
      .set(planner)
      .send({})
      .expect(409);
    expect(late.body).toMatchObject({ code: 'VERSION_STATE', currentState: 'discarded' });
    expect(await shopFloor()).toEqual(before);
  });

  it('refuses changes that do not fit the plan', async () => {
    const bad = await t.http
      .post(plan('scenarios'))
      .set(planner)
      .send({
        name: 'Nonsense',
        changes: [
          { type: 'machine_down', equipmentId: randomUUID(), from: local(1, '08:00'), to: local(1, '09:00') },
          { type: 'remove_order', workOrderId: randomUUID() },
          {
            type: 'overtime',
            equipmentId: f.equipment.lathe.id,
            from: local(2, '10:00'),
            to: local(2, '09:00'),
          },
        ],
      })
      .expect(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_CHANGE' });
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'changes[0].equipmentId',
      'changes[1].workOrderId',
      'changes[2].to',
    ]);
    const missing = await t.http
      .post(plan('scenarios'))
      .set(planner)
      .send({ name: 'x', changes: [{ type: 'set_priority', workOrderId: orders[0]!.id }] })
      .expect(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['changes[0].priority']);
  });

  it('adds an order the live plan does not have (a draft the customer has not confirmed)', async () => {
    const draft = await t.http
      .post(f.url('work-orders'))
      .set(planner)
      .send({ material: 'SA-100', quantity: '80', dueAt: new Date(Date.now() + 3 * day).toISOString() })
      .expect(201);
    const created = await t.http
      .post(plan('scenarios'))
      .set(planner)
      .send({
        name: 'Can we take 80 more?',
        seconds: 1,
        changes: [{ type: 'add_order', workOrderId: draft.body.id }],
      })
      .expect(202);
    const scenario = await waitFor(created.body.id);
    expect(scenario.kpis.orderCount).toBe(7);
    const compared = await t.http
      .get(plan(`scenarios/${scenario.id}/compare`))
      .set(planner)
      .expect(200);
    expect(
      compared.body.orders.find((o: { workOrderId: string }) => o.workOrderId === draft.body.id),
    ).toMatchObject({
      code: draft.body.code,
      leftEnd: null,
      rightEnd: expect.any(String),
      slipMinutes: null,
    });
    expect(compared.body.kpis.makespanMinutes.delta).toBeGreaterThanOrEqual(0);
    await t.http
      .post(plan(`scenarios/${scenario.id}/discard`))
      .set(planner)
      .send({})
      .expect(200);
    await t.http
      .post(f.url(`work-orders/${draft.body.id}/cancel`))
      .set(planner)
      .send({ reason: 'quote declined' })
      .expect(200);
  });

  it('applies a what-if: it becomes the live plan and its priority change is made', async () => {
    const draft = await t.http
      .post(plan('scenarios'))
      .set(planner)
      .send({ name: 'Drop the first order', run: false })
      .expect(202);
    expect(draft.body.status).toBe('draft');
    await t.http
      .patch(plan(`scenarios/${draft.body.id}`))
      .set(planner)
      .send({
        seconds: 1,
        changes: [
          { type: 'remove_order', workOrderId: orders[0]!.id },
          { type: 'set_priority', workOrderId: orders[4]!.id, priority: 'rush' },
        ],
      })
      .expect(200);
    await t.http
      .post(plan(`scenarios/${draft.body.id}/run`))
      .set(planner)
      .send({})
      .expect(202);
    const scenario = await waitFor(draft.body.id);
    expect(scenario.kpis.orderCount).toBe(5);
    const applied = await t.http
      .post(plan(`scenarios/${scenario.id}/apply`))
      .set(planner)
      .send({ reason: 'customer moved the first order' })
      .expect(200);
    expect(applied.body).toMatchObject({
      version: { id: scenario.id, status: 'published' },
      previousVersionId: live.id,
      prioritiesChanged: [{ workOrderId: orders[4]!.id, priority: 'rush' }],
      assumptions: [],
    });
    const wo = await t.http
      .get(f.url(`work-orders/${orders[4]!.id}`))
      .set(planner)
      .expect(200);
    expect(wo.body.priority).toBe('rush');
    const planned = new Map((await bars(scenario.id)).map((b) => [b.operationId, b]));
    const ops: Array<{
      id: string;
      work_order_id: string;
      scheduled_equipment_id: string | null;
      scheduled_start: Date | null;
    }> = await t.dataSource.query(
      `SELECT id, work_order_id, scheduled_equipment_id, scheduled_start FROM work_order_operation WHERE site_id = $1`,
      [f.site.id],
    );
    for (const op of ops) {
      const bar = planned.get(op.id);
      if (!orders.some((o) => o.id === op.work_order_id))
        expect(op.scheduled_start).toBeNull(); // the declined quote
      else if (op.work_order_id === orders[0]!.id) expect(op.scheduled_start).toBeNull();
      else
        expect([op.scheduled_equipment_id, op.scheduled_start?.toISOString()]).toEqual([
          bar!.equipmentId,
          bar!.start,
        ]);
    }
    live = (await t.http.get(plan('live')).set(planner).expect(200)).body;
    expect(live.id).toBe(scenario.id);
  });

  it('inserts a rush order: the impact report is what applying it does, frozen work stays, the pick task is rushed', async () => {
    // Wanted as soon as possible: it cannot be in time, so it goes first after what is frozen.
    const rush = await newOrder('40', 0);
    const task = await eventually(async () => {
      const res = await t.http
        .get(f.url(`wms/pick-tasks?workOrderId=${rush.id}`))
        .set(as(f.users.warehouse.token))
        .expect(200);
      return res.body[0] as { priority: string } | undefined;
    }, 'the pick task');
    expect(task.priority).toBe('normal');
    const liveBars = await bars(live.id);

    const queued = await t.http
      .post(plan('rush-inserts'))
      .set(planner)
      .send({ workOrderId: rush.id, seconds: 1, frozenHorizonHours: 24 })
      .expect(202);
    expect(queued.body).toMatchObject({
      kind: 'live',
      rushWorkOrderId: rush.id,
      baselineId: live.id,
      frozenHorizonHours: 24,
      name: `Rush ${rush.code}`,
    });
    const version = await waitFor(queued.body.id);
    const impact = await t.http
      .get(plan(`rush-inserts/${version.id}/impact`))
      .set(planner)
      .expect(200);
    expect(impact.body).toMatchObject({
      baseline: { id: live.id },
      rushOrder: { workOrderId: rush.id, code: rush.code, late: true },
    });
    // Into the live plan as it is: the order the live plan left out stays out; the rush order pushes others back.
    expect(version.kpis.orderCount).toBe(6);
    expect(impact.body.slipped.length).toBeGreaterThan(0);
    for (const s of impact.body.slipped) {
      expect(s.slipMinutes).toBe(Math.round((Date.parse(s.rightEnd) - Date.parse(s.leftEnd)) / 60000));
      expect(s.slipMinutes).toBeGreaterThan(0);
    }
    const origin = Date.parse(version.origin);
    const released = new Set(
      (version.warnings as Array<{ code: string; operationId?: string }>)
        .filter((w) => w.code === 'FREEZE_RELEASED')
        .map((w) => w.operationId),
    );
    const rushBars = new Map((await bars(version.id)).map((b) => [b.operationId, b]));
    let kept = 0;
    for (const b of liveBars) {
      const startsIn = Date.parse(b.start) - origin;
      if (startsIn < 0 || startsIn >= 24 * 3600000 || released.has(b.operationId)) continue;
      expect(rushBars.get(b.operationId)).toMatchObject({
        equipmentId: b.equipmentId,
        start: b.start,
        frozen: true,
      });
      kept++;
    }
    // 24 hours always hold one day shift of the live plan.
    expect(kept).toBeGreaterThan(0);

    const before = new Map<string, string | null>(
      (
        await t.dataSource.query<Array<{ id: string; planned_end: Date | null }>>(
          `SELECT id, planned_end FROM work_order WHERE site_id = $1`,
          [f.site.id],
        )
      ).map((r) => [r.id, r.planned_end?.toISOString() ?? null]),
    );
    const applied = await t.http
      .post(plan(`rush-inserts/${version.id}/apply`))
      .set(planner)
      .send({})
      .expect(200);
    expect(applied.body).toMatchObject({
      version: { id: version.id, status: 'published' },
      prioritiesChanged: [{ workOrderId: rush.id, priority: 'rush' }],
    });
    const after = new Map<string, string | null>(
      (
        await t.dataSource.query<Array<{ id: string; planned_end: Date | null }>>(
          `SELECT id, planned_end FROM work_order WHERE site_id = $1`,
          [f.site.id],
        )
      ).map((r) => [r.id, r.planned_end?.toISOString() ?? null]),
    );
    // Every slip the report announced is the slip applying it made, and nothing else slipped.
    const slipped = new Map(
      impact.body.slipped.map((s: { workOrderId: string; slipMinutes: number }) => [
        s.workOrderId,
        s.slipMinutes,
      ]),
    );
    for (const o of orders.slice(1)) {
      const slip = Math.round((Date.parse(after.get(o.id)!) - Date.parse(before.get(o.id)!)) / 60000);
      expect(slip > 0 ? slip : 0).toBe(slipped.get(o.id) ?? 0);
    }
    expect(after.get(rush.id)).toBe(impact.body.rushOrder.plannedEnd);
    const wo = await t.http
      .get(f.url(`work-orders/${rush.id}`))
      .set(planner)
      .expect(200);
    expect(wo.body.priority).toBe('rush');
    const rushed = await eventually(async () => {
      const res = await t.http
        .get(f.url(`wms/pick-tasks?workOrderId=${rush.id}`))
        .set(as(f.users.warehouse.token))
        .expect(200);
      return res.body[0]?.priority === 'rush' ? res.body[0] : undefined;
    }, 'the rushed pick task');
    expect(rushed.priority).toBe('rush');

    const again = await t.http
      .post(plan('rush-inserts'))
      .set(planner)
      .send({ workOrderId: randomUUID() })
      .expect(404);
    expect(again.body.code).toBe('NOT_FOUND');
    await t.http
      .post(plan(`rush-inserts/${live.id}/apply`))
      .set(planner)
      .send({})
      .expect(409);
  });
});
