import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { ShopFloorEnvelope } from '../src/platform/realtime/shop-floor-events';
import { eventually } from './support/eventually';
import { settledVersion } from './support/schedule-version';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface Bar {
  operationId: string;
  workOrderId: string;
  workOrderCode: string;
  materialCode: string;
  seq: number;
  equipmentId: string;
  setupStart: string;
  start: string;
  end: string;
  setupMinutes: number;
  frozen: boolean;
  late: boolean;
}

/**
 * A planner schedules a small cell: the run is a job with progress, the plan keeps the shift calendar,
 * setups and routing order; publishing it re-sequences dispatch lists and tells terminals; a later run keeps
 * what the frozen horizon and the shop floor have fixed.
 */
describe('planning: schedule runs, publication, frozen horizon', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let planner: Record<string, string>;
  let windows: Array<[number, number]>;
  const orders: Array<{ id: string; code: string; material: string; ops: string[] }> = [];
  const sockets: Socket[] = [];

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const plan = (path: string) => f.url(`planning/${path}`);
  const waitFor = (id: string) => settledVersion(t.http, plan(`versions/${id}`), planner);
  const run = async (body: object) => {
    const res = await t.http.post(plan('runs')).set(planner).send(body).expect(202);
    const done = await waitFor(res.body.id);
    expect(done).toMatchObject({ status: 'succeeded', error: null });
    return done;
  };
  const gantt = async (versionId: string, by: 'machine' | 'workorder' = 'machine') =>
    (
      await t.http
        .get(plan(`gantt?versionId=${versionId}&by=${by}`))
        .set(planner)
        .expect(200)
    ).body;
  const working = (from: string, to: string) => {
    const a = Date.parse(from);
    const b = Date.parse(to);
    return windows.reduce((sum, [s, e]) => sum + Math.max(0, Math.min(e, b) - Math.max(s, a)), 0) / 60000;
  };
  const isWorking = (at: string, edge: 'start' | 'end') => {
    const x = Date.parse(at);
    return windows.some(([s, e]) => (edge === 'start' ? x >= s && x < e : x > s && x <= e));
  };
  const connect = async (token: string, rooms: string[] = []) => {
    const socket = io(`${t.url}/shop-floor`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    const got: ShopFloorEnvelope[] = [];
    socket.onAny((_event: string, envelope: ShopFloorEnvelope) => got.push(envelope));
    await new Promise<void>((resolve) => socket.on('ready', () => resolve()));
    if (rooms.length) await socket.emitWithAck('subscribe', { rooms });
    return got;
  };

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    planner = as(f.users.planner.token);
    const admin = as(f.users.admin.token);
    // One day shift every day with a lunch break: the plan must pause outside it.
    await t.http
      .post(f.url('calendars'))
      .set(admin)
      .send({
        code: 'CAL-DAY',
        name: 'Day shift',
        shifts: [
          {
            code: 'DAY',
            weekdays: [1, 2, 3, 4, 5, 6, 7],
            start: '08:00',
            end: '16:00',
            breaks: [{ start: '12:00', end: '12:30' }],
          },
        ],
      })
      .expect(201);
    // A second product on the same lathe, in its own setup family (15 min changeover).
    const other = await t.http
      .post(f.url('materials'))
      .set(admin)
      .send({
        code: 'SA-200',
        name: 'Shaft assembly 200',
        materialClass: 'finished',
        baseUnitId: f.units.pcs.id,
      })
      .expect(201);
    await t.http
      .post(f.url('routings'))
      .set(admin)
      .send({
        materialId: other.body.id,
        validFrom: '2020-01-01',
        operations: [
          {
            seq: 10,
            name: 'Turning',
            workCenterId: f.workCenters.turn.id,
            equipment: [
              {
                equipmentId: f.equipment.lathe.id,
                runTimePerUnitSec: '60',
                setupTimeSec: '900',
                setupFamily: 'SA200',
              },
            ],
          },
          {
            seq: 20,
            name: 'Assembly',
            workCenterId: f.workCenters.assy.id,
            equipment: [{ equipmentId: f.equipment.press.id, runTimePerUnitSec: '30' }],
          },
        ],
      })
      .expect(201);
    const day = 86400000;
    const specs = [
      ['SA-100', '40', 1],
      ['SA-200', '30', 1],
      ['SA-100', '40', 2],
      ['SA-200', '30', 2],
      ['SA-100', '40', 3],
      ['SA-100', '40', 4],
      ['SA-200', '30', 5],
    ] as const;
    for (const [material, quantity, days] of specs) {
      const wo = await t.http
        .post(f.url('work-orders'))
        .set(planner)
        .send({ material, quantity, dueAt: new Date(Date.now() + days * day).toISOString() })
        .expect(201);
      await t.http
        .post(f.url(`work-orders/${wo.body.id}/plan`))
        .set(planner)
        .send({})
        .expect(200);
      // Released (short of material: the plan says so) so the orders show on dispatch lists.
      await t.http
        .post(f.url(`work-orders/${wo.body.id}/release`))
        .set(planner)
        .send({ allowShortage: true })
        .expect(200);
      orders.push({
        id: wo.body.id,
        code: wo.body.code,
        material,
        ops: (wo.body.operations as Array<{ id: string }>).map((o) => o.id),
      });
    }
    const from = new Date(Date.now() - day).toISOString();
    const to = new Date(Date.now() + 90 * day).toISOString();
    const availability = await t.http
      .get(f.url(`calendars/availability?from=${from}&to=${to}&equipmentId=${f.equipment.lathe.id}`))
      .set(planner)
      .expect(200);
    windows = (availability.body.intervals as Array<{ start: string; end: string }>).map((i) => [
      Date.parse(i.start),
      Date.parse(i.end),
    ]);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await t.close();
  });

  let first: { id: string; code: string; number: number };

  it('runs a schedule as a job and plans inside the shift calendar, with setups and the routing order', async () => {
    const pushes = await connect(f.users.planner.token);
    const queued = await t.http.post(plan('runs')).set(planner).send({ seconds: 2, seed: 7 }).expect(202);
    expect(queued.body).toMatchObject({
      kind: 'live',
      status: 'queued',
      code: expect.stringMatching(/^SCH-\d{4}-0001$/),
      objective: 'tardiness-then-makespan',
      budgetSeconds: 2,
      seed: 7,
      live: false,
    });
    const done = await waitFor(queued.body.id);
    first = done;
    expect(done).toMatchObject({
      status: 'succeeded',
      progress: { fraction: 1 },
      kpis: { orderCount: 7, operationCount: 14 },
      allowedActions: ['publish'],
    });
    expect(done.kpis.makespanMinutes).toBeGreaterThan(0);
    expect(done.kpis.utilisation.map((u: { code: string }) => u.code)).toEqual(['LATHE-1', 'PRESS-1']);
    // Nothing is in stock: the plan is made and the planner is told what is short.
    expect(done.warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'MATERIAL_SHORT', workOrderId: orders[0]!.id }),
      ]),
    );
    await eventually(
      async () =>
        pushes.some(
          (e) => e.event === 'schedule.run' && (e.data as { status: string }).status === 'succeeded',
        )
          ? true
          : undefined,
      'the run pushed as succeeded',
    );
    expect(pushes.some((e) => e.event === 'schedule.run' && e.room === `site:${f.site.id}`)).toBe(true);
    // Progress goes to the planner who started the run.
    const progress = pushes.find(
      (e) =>
        e.event === 'schedule.run' &&
        e.room === `user:${f.users.planner.id}` &&
        (e.data as { progress: unknown }).progress !== null,
    );
    expect(progress?.data).toMatchObject({
      scheduleId: done.id,
      status: 'running',
      progress: { iterations: expect.any(Number) },
    });

    const byMachine = await gantt(done.id);
    // By work center (ASSY, TURN), then machine.
    expect(byMachine.rows.map((r: { code: string }) => r.code)).toEqual(['PRESS-1', 'LATHE-1']);
    const lathe = byMachine.rows.find((r: { code: string }) => r.code === 'LATHE-1');
    expect(lathe.unavailable.length).toBeGreaterThan(0);
    const bars = lathe.bars as Bar[];
    expect(bars).toHaveLength(7);
    let previous: Bar | undefined;
    for (const bar of bars) {
      // Work happens on working minutes only, and takes exactly its working time.
      expect(isWorking(bar.start, 'start')).toBe(true);
      expect(isWorking(bar.end, 'end')).toBe(true);
      expect(working(bar.start, bar.end)).toBe(30); // 40 × 45 s and 30 × 60 s
      // A changeover when the family changes (the first one too: the lathe's set-up is not known).
      const changes = !previous || previous.materialCode !== bar.materialCode;
      expect(working(bar.setupStart, bar.start)).toBe(
        changes ? (bar.materialCode === 'SA-100' ? 10 : 15) : 0,
      );
      if (previous) expect(Date.parse(bar.setupStart)).toBeGreaterThanOrEqual(Date.parse(previous.end));
      previous = bar;
    }

    const byOrder = await gantt(done.id, 'workorder');
    expect(byOrder.rows).toHaveLength(7);
    for (const row of byOrder.rows as Array<{
      workOrderId: string;
      bars: Bar[];
      late: boolean;
      dueAt: string;
      end: string;
    }>) {
      const [turn, assemble] = row.bars;
      expect([turn!.seq, assemble!.seq]).toEqual([10, 20]);
      const material = orders.find((o) => o.id === row.workOrderId)!.material;
      // SA-100 moves on in batches of 20 (15 min of turning); SA-200 waits for the whole lot.
      if (material === 'SA-100') expect(working(turn!.start, assemble!.start)).toBeGreaterThanOrEqual(15);
      else expect(Date.parse(assemble!.start)).toBeGreaterThanOrEqual(Date.parse(turn!.end));
      expect(Date.parse(assemble!.end)).toBeGreaterThanOrEqual(Date.parse(turn!.end));
      expect(row.late).toBe(Date.parse(row.end) > Date.parse(row.dueAt));
    }
  });

  it('publishes: operations get machine and times, dispatch lists follow, terminals are told, only once', async () => {
    const terminal = await connect(f.users.operator.token, [`workcenter:${f.workCenters.turn.id}`]);
    const published = await t.http
      .post(plan(`versions/${first.id}/publish`))
      .set(planner)
      .send({})
      .expect(200);
    expect(published.body).toMatchObject({
      version: { id: first.id, status: 'published', live: true },
      previousVersionId: null,
      applied: { operationsScheduled: 14, workOrdersRescheduled: 7 },
    });
    const live = await t.http.get(plan('live')).set(planner).expect(200);
    expect(live.body.id).toBe(first.id);

    const lathe = (await gantt(first.id)).rows.find((r: { code: string }) => r.code === 'LATHE-1');
    const dispatch = await t.http
      .get(`/api/v1/terminal/dispatch?siteId=${f.site.id}&equipmentId=${f.equipment.lathe.id}`)
      .set(as(f.users.operator.token))
      .expect(200);
    expect(dispatch.body.map((d: { operationId: string }) => d.operationId)).toEqual(
      lathe.bars.map((b: Bar) => b.operationId),
    );
    expect(dispatch.body[0]).toMatchObject({
      scheduledEquipmentId: f.equipment.lathe.id,
      scheduledStart: lathe.bars[0].start,
    });
    const byOrder = await gantt(first.id, 'workorder');
    const wo = await t.http
      .get(f.url(`work-orders/${orders[0]!.id}`))
      .set(planner)
      .expect(200);
    const row = byOrder.rows.find((r: { workOrderId: string }) => r.workOrderId === orders[0]!.id);
    expect([wo.body.plannedStart, wo.body.plannedEnd]).toEqual([row.start, row.end]);

    await eventually(
      async () =>
        terminal.find(
          (e) => e.event === 'schedule.published' && e.room === `workcenter:${f.workCenters.turn.id}`,
        ),
      'schedule.published at the turning work center',
    );
    expect(terminal.find((e) => e.event === 'schedule.published')!.data).toEqual({
      scheduleId: first.id,
      siteId: f.site.id,
      version: first.number,
    });

    const again = await t.http
      .post(plan(`versions/${first.id}/publish`))
      .set(planner)
      .send({})
      .expect(409);
    expect(again.body).toMatchObject({ code: 'VERSION_STATE', currentState: 'published' });
    const audit = await t.http
      .get(`/api/v1/audit?entityType=schedule_version&entityId=${first.id}`)
      .set(as(f.users.admin.token))
      .expect(200);
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining([
        'schedule_version.queued',
        'schedule_version.succeeded',
        'schedule_version.published',
      ]),
    );
  });

  it('never moves what runs on the shop floor or what the live plan starts within the frozen horizon', async () => {
    const liveBars = (await gantt(first.id)).rows.flatMap((r: { bars: Bar[] }) => r.bars) as Bar[];
    // The lathe's first job is started at the terminal.
    const firstOnLathe = liveBars
      .filter((b) => b.equipmentId === f.equipment.lathe.id)
      .sort((a, b) => a.start.localeCompare(b.start))[0]!;
    await t.http
      .post(`/api/v1/terminal/operations/${firstOnLathe.operationId}/start`)
      .set(as(f.users.operator.token))
      .set('Idempotency-Key', randomUUID())
      .send({})
      .expect(200);

    const next = await run({ seconds: 1, frozenHorizonHours: 48 });
    expect(next.baselineId).toBe(first.id);
    const origin = Date.parse(next.origin);
    const bars = (await gantt(next.id)).rows.flatMap((r: { bars: Bar[] }) => r.bars) as Bar[];
    const running = bars.find((b) => b.operationId === firstOnLathe.operationId)!;
    expect(running).toMatchObject({ frozen: true, equipmentId: f.equipment.lathe.id });
    expect(isWorking(running.start, 'start')).toBe(true);
    expect(working(new Date(origin).toISOString(), running.start)).toBe(0);

    const released = new Set(
      (next.warnings as Array<{ code: string; operationId?: string }>)
        .filter((w) => w.code === 'FREEZE_RELEASED')
        .map((w) => w.operationId),
    );
    let kept = 0;
    for (const live of liveBars) {
      if (live.operationId === firstOnLathe.operationId) continue;
      const startsIn = Date.parse(live.start) - origin;
      if (startsIn < 0 || startsIn >= 48 * 3600000 || released.has(live.operationId)) continue;
      const now = bars.find((b) => b.operationId === live.operationId)!;
      expect({ id: now.operationId, machine: now.equipmentId, start: now.start, frozen: now.frozen }).toEqual(
        {
          id: live.operationId,
          machine: live.equipmentId,
          start: live.start,
          frozen: true,
        },
      );
      kept++;
    }
    expect(kept).toBeGreaterThan(0);
  });

  it('publishes only over the live plan a version was made against', async () => {
    const a = await run({ seconds: 1 });
    const b = await run({ seconds: 1 });
    await t.http
      .post(plan(`versions/${a.id}/publish`))
      .set(planner)
      .send({})
      .expect(200);
    const stale = await t.http
      .post(plan(`versions/${b.id}/publish`))
      .set(planner)
      .send({})
      .expect(409);
    expect(stale.body).toMatchObject({ code: 'BASELINE_CHANGED', liveId: a.id, baselineId: first.id });
    const forced = await t.http
      .post(plan(`versions/${b.id}/publish`))
      .set(planner)
      .send({ allowStaleBaseline: true, reason: 'take the newer plan' })
      .expect(200);
    expect(forced.body.previousVersionId).toBe(a.id);
    const old = await t.http
      .get(plan(`versions/${a.id}`))
      .set(planner)
      .expect(200);
    expect(old.body).toMatchObject({ status: 'superseded', live: false });
    const list = await t.http.get(plan('versions?status=published,superseded')).set(planner).expect(200);
    expect(list.body.items.map((v: { id: string }) => v.id)).toEqual([b.id, a.id, first.id]);
  });

  it('cancels a run, limits how many wait, validates requests and keeps writes to planners', async () => {
    const long = await t.http.post(plan('runs')).set(planner).send({ seconds: 60 }).expect(202);
    const waiting: string[] = [];
    for (let i = 0; i < 4; i++)
      waiting.push((await t.http.post(plan('runs')).set(planner).send({ seconds: 60 }).expect(202)).body.id);
    const full = await t.http.post(plan('runs')).set(planner).send({}).expect(429);
    expect(full.body.code).toBe('TOO_MANY_RUNS');
    for (const id of waiting)
      await t.http
        .post(plan(`versions/${id}/cancel`))
        .set(planner)
        .send({})
        .expect(200);
    const cancelled = await t.http
      .post(plan(`versions/${long.body.id}/cancel`))
      .set(planner)
      .send({ reason: 'wrong settings' })
      .expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 1500));
    const after = await t.http
      .get(plan(`versions/${long.body.id}`))
      .set(planner)
      .expect(200);
    expect(after.body).toMatchObject({ status: 'cancelled', kpis: null });
    await t.http
      .post(plan(`versions/${long.body.id}/cancel`))
      .set(planner)
      .send({})
      .expect(409);

    const bad = await t.http
      .post(plan('runs'))
      .set(planner)
      .send({ seconds: 1000, objective: 'speed' })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['objective', 'seconds']);
    await t.http.post(plan('runs')).set(as(f.users.viewer.token)).send({}).expect(403);
    await t.http
      .get(plan(`versions/${randomUUID()}`))
      .set(planner)
      .expect(404);
    const viewerGantt = await t.http
      .get(plan('gantt?by=workorder'))
      .set(as(f.users.viewer.token))
      .expect(200);
    expect(viewerGantt.body.by).toBe('workorder');
  });
});
