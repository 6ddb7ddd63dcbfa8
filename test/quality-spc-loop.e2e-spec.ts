import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { TransactionRunner } from '../src/platform/database/transaction-runner';
import type { ShopFloorEnvelope } from '../src/platform/realtime/shop-floor-events';
import { SpcMonitor } from '../src/quality/spc/spc-monitor.service';
import { chartIndexOf } from '../src/quality/spc/stored-series';
import { createUser } from './support/builders';
import { eventually } from './support/eventually';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The closed loop of issue #7 on a turned shaft diameter (Ø40, LSL 39.950, USL 40.050), I-MR chart with Nelson
 * rules: work order 1 runs in control, a quality engineer excludes an assignable cause and freezes the limits;
 * on work order 2 an operator at the terminal measures 40.040 (inside the spec, far outside the control limits)
 * → the violation reaches the work center's terminal and the quality room over the socket, an NCR (source spc)
 * opens, WO2 is held, WO1's lot (made since the last good sample) is held and frozen at the WMS.
 */

/** 24 in-control diameters: no Nelson rule fires on any prefix, with or without point 5 excluded. */
// prettier-ignore
const IN_CONTROL = [
  '40.002', '39.996', '40.004', '39.999', '40.006', '40.011', '39.995', '40.001', '40.007', '39.993', '40.003',
  '39.998', '40.005', '40.000', '39.994', '40.008', '39.997', '40.002', '39.991', '40.004', '40.006', '39.999',
  '39.996', '40.003',
];
const EXCLUDED = 5;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

interface ChartBody {
  status: string;
  message: string | null;
  center: number | null;
  ucl: number | null;
  lcl: number | null;
  zones: { upper1: number; lower1: number; upper2: number; lower2: number } | null;
  sigma: number | null;
  secondary: { statistic: string; points: unknown[] } | null;
  capability: { cp: number; cpk: number; pp: number; ppk: number; cpm: number } | null;
  limits: {
    provisional: boolean;
    version: number | null;
    center: number | null;
    pointsUsed: number;
    excluded: Array<{ inspectionCode: string; reason: string }>;
  };
  points: Array<{
    index: number;
    inspectionCode: string;
    value: number;
    ucl: number | null;
    violations: string[];
    excluded: boolean;
    exclusionReason: string | null;
    phase: string;
    workOrderCode: string | null;
  }>;
  totalPoints: number;
}

describe('quality: SPC closed loop (IPQC result → socket, NCR, holds, WMS freeze)', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let terminalToken: string;
  let characteristicId: string;
  const codes: string[] = [];
  const sockets: Socket[] = [];

  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const as = (role: 'planner' | 'operator' | 'warehouse' | 'quality' | 'admin' | 'viewer') =>
    f.auth(f.users[role].token);
  const chartUrl = (suffix = 'chart') => f.url(`quality/characteristics/${characteristicId}/${suffix}`);
  const chart = async (query = ''): Promise<ChartBody> =>
    (await t.http.get(`${chartUrl()}${query}`).set(as('viewer')).expect(200)).body as ChartBody;

  const terminal = (path: string, token: string, body: object = {}) =>
    t.http.post(`/api/v1/terminal/${path}`).set(f.auth(token)).set(key()).send(body).expect(200);

  async function releasedOrder(
    quantity: string,
  ): Promise<{ id: string; code: string; op10: string; op20: string }> {
    const created = await t.http
      .post(f.url('work-orders'))
      .set(as('planner'))
      .send({ material: 'SA-100', quantity, dueAt: '2030-01-01T00:00:00Z' })
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
    const [op10, op20] = (created.body.operations as Array<{ id: string }>).map((o) => o.id) as [
      string,
      string,
    ];
    return { id, code: created.body.code as string, op10, op20 };
  }

  /** The first-article inspection the start of operation 10 made due (IPQC by count). */
  const firstArticle = (workOrderId: string) =>
    eventually(async () => {
      const res = await t.http
        .get(f.url(`quality/inspections?workOrder=${workOrderId}&type=ipqc`))
        .set(as('quality'))
        .expect(200);
      return (res.body.items as Array<{ id: string; code: string }>)[0];
    }, 'the first-article inspection');

  const record = (
    inspectionId: string,
    value: string,
    token = f.users.quality.token,
    idempotencyKey = randomUUID(),
  ) =>
    t.http
      .post(f.url(`quality/inspections/${inspectionId}/results`))
      .set(f.auth(token))
      .set('Idempotency-Key', idempotencyKey)
      .send({ results: [{ characteristic: 'DIA', sampleNo: 1, value }] });

  /** A screen on the socket: every push it gets, stamped with when it arrived. */
  function listen(
    token: string,
    rooms: string[],
  ): Promise<{ socket: Socket; received: Array<ShopFloorEnvelope & { receivedAt: number }> }> {
    const socket = io(`${t.url}/shop-floor`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    const received: Array<ShopFloorEnvelope & { receivedAt: number }> = [];
    socket.onAny((_event: string, envelope: ShopFloorEnvelope) =>
      received.push({ ...envelope, receivedAt: Date.now() }),
    );
    return new Promise((resolve, reject) => {
      socket.once('connect_error', reject);
      socket.once('ready', () => {
        void (async () => {
          if (rooms.length > 0) {
            const joined = (await socket.timeout(5000).emitWithAck('subscribe', { rooms })) as {
              joined: string[];
            };
            expect(joined.joined).toEqual(rooms);
          }
          resolve({ socket, received });
        })();
      });
    });
  }

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    for (const [material, quantity] of [
      ['SHAFT', '100'],
      ['GREASE', '10'],
    ] as const) {
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material, quantity, location: 'LS-L1' })
        .expect(201);
    }
    // An operator signs on at the turning terminal with badge and PIN.
    const registered = await t.http
      .post('/api/v1/terminals')
      .set(as('admin'))
      .send({ code: `T-TURN-${f.site.code}`.slice(0, 60), name: 'Turning terminal', siteId: f.site.id })
      .expect(201);
    const badge = `B-${f.site.code}`.slice(0, 60);
    await createUser(t.dataSource, {
      roles: ['operator'],
      siteIds: [f.site.id],
      badgeCode: badge,
      pin: '4711',
    });
    const signedOn = await t.http
      .post('/api/v1/auth/terminal-login')
      .send({
        terminalCode: registered.body.code,
        deviceKey: registered.body.deviceKey,
        badgeCode: badge,
        pin: '4711',
      })
      .expect(200);
    terminalToken = signedOn.body.accessToken as string;

    const plan = await t.http
      .post(f.url('quality/inspection-plans'))
      .set(as('quality'))
      .set(key())
      .send({
        code: 'IPQC-SA100-TURN',
        name: 'Turning: shaft diameter',
        nameZh: '车削：轴径',
        type: 'ipqc',
        material: 'SA-100',
        operationSeq: 10,
        frequency: 'count',
        frequencyQty: '1000',
        sampleSize: 1,
        characteristics: [
          {
            code: 'DIA',
            name: 'Diameter Ø40',
            nameZh: '直径 Ø40',
            kind: 'variable',
            unit: 'mm',
            lsl: '39.950',
            usl: '40.050',
            target: '40.000',
            chart: 'imr',
            ruleSet: 'nelson',
            violationOpensNcr: true,
            violationHoldsWorkOrder: true,
            violationHoldsLots: true,
          },
        ],
      })
      .expect(201);
    characteristicId = (plan.body.characteristics as Array<{ id: string; code: string }>).find(
      (c) => c.code === 'DIA',
    )!.id;
  });

  afterAll(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await t?.close();
  });

  let wo1: Awaited<ReturnType<typeof releasedOrder>>;
  /** The Idempotency-Key the terminal sent the violating result with (a retry sends it again). */
  const violationKey = randomUUID();
  let lot1: string;

  it('charts work order 1 from stored results: empty, one point, then provisional limits', async () => {
    const empty = await chart();
    expect(empty).toMatchObject({ status: 'empty', points: [], center: null, totalPoints: 0 });
    expect(empty.limits).toMatchObject({ provisional: true, version: null });

    wo1 = await releasedOrder('30');
    await terminal(`operations/${wo1.op10}/start`, f.users.operator.token);
    const first = await firstArticle(wo1.id);
    await record(first.id, IN_CONTROL[0]!).expect(200);
    codes.push(first.code);
    const one = await chart();
    expect(one.status).toBe('insufficient');
    expect(one.message).toMatch(/at least 2 points/);
    expect(one.points).toEqual([
      expect.objectContaining({
        index: 0,
        inspectionCode: first.code,
        value: 40.002,
        ucl: null,
        violations: [],
      }),
    ]);

    for (const value of IN_CONTROL.slice(1)) {
      const created = await t.http
        .post(f.url('quality/inspections'))
        .set(as('quality'))
        .set(key())
        .send({ plan: 'IPQC-SA100-TURN', operation: wo1.op10 })
        .expect(201);
      const recorded = await record(created.body.id as string, value).expect(200);
      expect(recorded.body.signals).toEqual([]);
      codes.push(created.body.code as string);
    }

    const c = await chart();
    const values = IN_CONTROL.map(Number);
    expect(c.status).toBe('ok');
    expect(c.totalPoints).toBe(24);
    expect(c.points.map((p) => p.inspectionCode)).toEqual(codes);
    expect(c.points.every((p) => p.violations.length === 0 && p.phase === 'I')).toBe(true);
    expect(c.points[3]).toMatchObject({ index: 3, value: 39.999, workOrderCode: wo1.code });
    expect(c.limits).toMatchObject({ provisional: true, version: null, pointsUsed: 24, excluded: [] });
    expect(c.center).toBeCloseTo(mean(values), 9);
    // Zones: center ± 1 and 2 standard errors of the plotted statistic (σ for individuals).
    expect(c.zones!.upper1 - c.center!).toBeCloseTo(c.sigma!, 9);
    expect(c.zones!.upper2 - c.center!).toBeCloseTo(2 * c.sigma!, 9);
    expect(c.ucl! - c.center!).toBeCloseTo(3 * c.sigma!, 9);
    expect(c.secondary).toMatchObject({ statistic: 'MR' });
    expect(c.secondary!.points).toHaveLength(23);
    expect(c.capability!.cpk).toBeGreaterThan(1.33);

    const window = await chart('?limit=5');
    expect(window.points.map((p) => p.index)).toEqual([19, 20, 21, 22, 23]);
    const earlier = await chart(`?limit=3&before=${codes[10]}`);
    expect(earlier.points.map((p) => p.inspectionCode)).toEqual(codes.slice(7, 10));
  });

  it('recomputes provisional limits without an excluded point, and takes the exclusion back', async () => {
    const values = IN_CONTROL.map(Number);
    const exclusions = chartUrl('exclusions');
    const noReason = await t.http
      .post(exclusions)
      .set(as('quality'))
      .set(key())
      .send({ inspection: codes[EXCLUDED] })
      .expect(400);
    expect(noReason.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'reason' })]),
    );
    await t.http
      .post(exclusions)
      .set(as('operator'))
      .set(key())
      .send({ inspection: codes[EXCLUDED], reason: 'probe not zeroed' })
      .expect(403);

    const reason = 'Probe not zeroed after the insert change (assignable cause)';
    const excluded = await t.http
      .post(exclusions)
      .set(as('quality'))
      .set(key())
      .send({ inspection: codes[EXCLUDED], reason })
      .expect(201);
    expect(excluded.body).toMatchObject({ inspectionCode: codes[EXCLUDED], reason, limitsVersion: null });
    const again = await t.http
      .post(exclusions)
      .set(as('quality'))
      .set(key())
      .send({ inspection: codes[EXCLUDED], reason })
      .expect(409);
    expect(again.body.code).toBe('SPC_POINT_ALREADY_EXCLUDED');

    const without = values.filter((_, i) => i !== EXCLUDED);
    const c = await chart();
    expect(c.center).toBeCloseTo(mean(without), 9);
    expect(c.center).not.toBeCloseTo(mean(values), 6);
    expect(c.limits).toMatchObject({
      provisional: true,
      pointsUsed: 23,
      excluded: [expect.objectContaining({ inspectionCode: codes[EXCLUDED], reason })],
    });
    // Still shown, marked.
    expect(c.points[EXCLUDED]).toMatchObject({ excluded: true, exclusionReason: reason, value: 40.011 });

    const back = await t.http
      .delete(`${exclusions}/${codes[EXCLUDED]}`)
      .set(as('quality'))
      .send({ reason: 'Probe checked: it was zeroed' })
      .expect(200);
    expect(back.body).toMatchObject({ inspectionCode: codes[EXCLUDED], reason });
    expect((await chart()).center).toBeCloseTo(mean(values), 9);
    await t.http
      .post(exclusions)
      .set(as('quality'))
      .set(key())
      .send({ inspection: codes[EXCLUDED], reason })
      .expect(201);
    const audit = await t.dataSource.query<Array<{ action: string; reason: string }>>(
      `SELECT action, reason FROM audit_log WHERE entity_id = $1 AND action LIKE 'spc.point_%' ORDER BY occurred_at, id`,
      [characteristicId],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'spc.point_excluded',
      'spc.point_included',
      'spc.point_excluded',
    ]);
  });

  it('freezes phase I limits as version 1 (too few points: 422), and lists the versions', async () => {
    const limits = chartUrl('limits');
    const onePoint = await t.http
      .post(limits)
      .set(as('quality'))
      .set(key())
      .send({ fromInspection: codes[3], toInspection: codes[3] })
      .expect(422);
    expect(onePoint.body).toMatchObject({ code: 'SPC_TOO_FEW_POINTS', usablePoints: 1, needed: 2 });
    expect(onePoint.body.errors).toEqual([expect.objectContaining({ field: 'toInspection' })]);
    const onlyExcluded = await t.http
      .post(limits)
      .set(as('quality'))
      .set(key())
      .send({ fromInspection: codes[EXCLUDED], toInspection: codes[EXCLUDED + 1] })
      .expect(422);
    expect(onlyExcluded.body).toMatchObject({
      code: 'SPC_TOO_FEW_POINTS',
      pointsInRange: 2,
      usablePoints: 1,
    });
    const unknown = await t.http
      .post(limits)
      .set(as('quality'))
      .set(key())
      .send({ toInspection: 'INS-1999-000001' })
      .expect(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'toInspection' })]);

    const frozen = await t.http
      .post(limits)
      .set(as('quality'))
      .set(key())
      .send({ reason: 'Phase I: 24 subgroups of WO1, insert change excluded', expectedLimitsVersion: 0 })
      .expect(201);
    const without = IN_CONTROL.map(Number).filter((_, i) => i !== EXCLUDED);
    expect(frozen.body).toMatchObject({
      version: 1,
      inUse: true,
      provisional: false,
      chart: 'imr',
      pointsUsed: 23,
      from: { inspectionCode: codes[0] },
      to: { inspectionCode: codes[23] },
      excluded: [expect.objectContaining({ inspectionCode: codes[EXCLUDED] })],
      frozenBy: expect.any(String),
    });
    expect(frozen.body.center).toBeCloseTo(mean(without), 9);
    expect(frozen.body.ucl).toBeCloseTo(frozen.body.center + 3 * frozen.body.sigma, 9);
    const stale = await t.http
      .post(limits)
      .set(as('quality'))
      .set(key())
      .send({ expectedLimitsVersion: 0 })
      .expect(409);
    expect(stale.body).toMatchObject({ code: 'SPC_LIMITS_CHANGED', currentLimitsVersion: 1 });

    const versions = await t.http.get(limits).set(as('viewer')).expect(200);
    expect(versions.body).toEqual([expect.objectContaining({ version: 1, inUse: true, pointsUsed: 23 })]);
    const c = await chart();
    expect(c.limits).toMatchObject({ provisional: false, version: 1, pointsUsed: 23 });
    expect(c.ucl).toBeCloseTo(frozen.body.ucl as number, 9);
    expect(c.points.every((p) => p.phase === 'I')).toBe(true);

    // WO1 finishes: its output lot (in quarantine, SA-100 needs inspection).
    await terminal(`operations/${wo1.op10}/complete`, f.users.operator.token, { goodQty: '30' });
    await terminal(`operations/${wo1.op20}/start`, f.users.operator.token);
    const done = await terminal(`operations/${wo1.op20}/complete`, f.users.operator.token, { goodQty: '30' });
    expect(done.body.workOrderStatus).toBe('completed');
    lot1 = (done.body.producedLots as Array<{ code: string; status: string }>)[0]!.code;
    expect(done.body.producedLots[0].status).toBe('quarantine');
  });

  it('a violated rule at the terminal reaches the work center and quality rooms, opens an NCR and holds WO2 and the lot', async () => {
    const wo2 = await releasedOrder('30');
    const turnRoom = `workcenter:${f.workCenters.turn.id}`;
    const atTerminal = await listen(terminalToken, [turnRoom]);
    const quality = await listen(f.users.quality.token, []);

    await terminal(`operations/${wo2.op10}/start`, terminalToken);
    // The terminal lists the inspection due at its work center and the operator measures the first article.
    const due = await eventually(async () => {
      const res = await t.http
        .get(f.url(`quality/inspections?workCenter=${f.workCenters.turn.id}&status=pending`))
        .set(f.auth(terminalToken))
        .expect(200);
      return (res.body.items as Array<{ id: string; code: string; workOrder: { id: string } | null }>).find(
        (i) => i.workOrder?.id === wo2.id,
      );
    }, 'the IPQC inspection of WO2');

    const sentAt = Date.now();
    const recorded = await record(due.id, '40.040', terminalToken, violationKey).expect(200);
    const pushed = await eventually(
      async () => atTerminal.received.find((e) => e.event === 'spc.violation' && e.room === turnRoom),
      'spc.violation at the terminal',
      5000,
    );
    const toQuality = await eventually(
      async () =>
        quality.received.find((e) => e.event === 'spc.violation' && e.room === `role:quality@${f.site.id}`),
      'spc.violation in the quality room',
      5000,
    );
    // The push goes out right after commit, before the HTTP answer is sent (no timing asserted here: speed is
    // for benchmarks, not for a test on a loaded CI machine).
    expect(pushed.receivedAt).toBeGreaterThanOrEqual(sentAt);
    expect(toQuality.receivedAt).toBeGreaterThanOrEqual(sentAt);

    const data = (pushed as ShopFloorEnvelope<'spc.violation'>).data;
    expect(data).toMatchObject({
      characteristicId,
      characteristicCode: 'DIA',
      inspectionId: due.id,
      inspectionCode: due.code,
      pointIndex: 24,
      value: 40.04,
      rules: expect.arrayContaining(['N1']),
      workCenterId: f.workCenters.turn.id,
      workOrderId: wo2.id,
      heldWorkOrderId: wo2.id,
      heldLots: [lot1],
      ncrCode: expect.stringMatching(/^NCR-\d{4}-\d{6}$/),
    });
    expect(toQuality.data).toEqual(data);
    expect(recorded.body.signals).toHaveLength(1);
    // 40.040 is inside the spec: the inspection itself passes; SPC acts before a part is out of tolerance.
    expect(recorded.body.status).toBe('passed');
    // The terminal also saw the inspection fall due and get decided, and the NCR open; quality saw the NCR.
    const atTurn = (event: string) =>
      atTerminal.received.filter((e) => e.event === event && e.room === turnRoom).map((e) => e.data);
    expect(atTurn('inspection.changed')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ inspectionId: due.id, status: 'pending', workOrderId: wo2.id }),
        expect.objectContaining({ inspectionId: due.id, status: 'passed', type: 'ipqc' }),
      ]),
    );
    expect(atTurn('ncr.changed')).toEqual([
      expect.objectContaining({ ncrId: data.ncrId, code: data.ncrCode, status: 'open', source: 'spc' }),
    ]);
    expect(
      quality.received
        .filter((e) => e.event === 'ncr.changed' && e.room === `role:quality@${f.site.id}`)
        .map((e) => e.data),
    ).toEqual([expect.objectContaining({ ncrId: data.ncrId, status: 'open' })]);

    const ncr = await t.http
      .get(f.url(`quality/ncrs/${data.ncrId}`))
      .set(as('quality'))
      .expect(200);
    expect(ncr.body).toMatchObject({
      source: 'spc',
      status: 'open',
      characteristicId,
      inspectionId: due.id,
      workOrderId: wo2.id,
      title: expect.stringContaining('N1'),
    });
    expect(ncr.body.lots).toEqual([expect.objectContaining({ code: lot1, heldByNcr: true, status: 'hold' })]);

    const order = await t.http
      .get(f.url(`work-orders/${wo2.id}`))
      .set(as('planner'))
      .expect(200);
    expect(order.body.status).toBe('held');
    const lot = await t.http
      .get(f.url(`lots/${lot1}`))
      .set(as('quality'))
      .expect(200);
    expect(lot.body).toMatchObject({
      status: 'hold',
      statusReason: `SPC DIA: ${data.rules.join(', ')} at ${due.code}`,
    });
    const freezes = await t.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM outbox_message WHERE message_type = 'freezeLot' AND payload->>'lot' = $1`,
      [lot1],
    );
    expect(freezes[0]!.n).toBe(1);

    // The chart shows the frozen limits and the violating point, judged in phase II.
    const c = await chart();
    expect(c.limits).toMatchObject({ provisional: false, version: 1 });
    expect(c.points.at(-1)).toMatchObject({
      index: 24,
      inspectionCode: due.code,
      value: 40.04,
      phase: 'II',
      workOrderCode: wo2.code,
      violations: expect.arrayContaining(['N1']),
    });
    expect(c.points.at(-1)!.value).toBeGreaterThan(c.ucl!);

    const signals = await t.http
      .get(f.url(`quality/spc/signals?characteristic=${characteristicId}`))
      .set(as('viewer'))
      .expect(200);
    expect(signals.body).toEqual([
      expect.objectContaining({
        inspectionCode: due.code,
        characteristicCode: 'DIA',
        limitsVersion: 1,
        ncrCode: data.ncrCode,
        ncrStatus: 'open',
        heldWorkOrderId: wo2.id,
        heldLots: [expect.objectContaining({ lotCode: lot1 })],
        workOrderCode: wo2.code,
      }),
    ]);

    // The shipped rule `quality.spc-violation`: the lot is held already (so held once, frozen once), and
    // quality, purchasing and planning each get a todo about this signal.
    const fired = await t.http
      .get(f.url('rules/firings?rule=quality.spc-violation'))
      .set(as('admin'))
      .expect(200);
    expect(fired.body.items).toHaveLength(1);
    expect(
      fired.body.items[0].actions.map((a: { type: string; outcome: string }) => [a.type, a.outcome]),
    ).toEqual([
      ['hold_lot', 'skipped'],
      ['todo', 'done'],
      ['todo', 'done'],
      ['todo', 'done'],
    ]);
    const todos = await t.http
      .get(f.url('todos?kind=quality_problem&status=open'))
      .set(as('admin'))
      .expect(200);
    expect(todos.body.items.map((x: { assigneeRoles: string[] }) => x.assigneeRoles[0]).sort()).toEqual([
      'planner',
      'purchasing',
      'quality',
    ]);
    expect(
      todos.body.items.find((x: { assigneeRoles: string[] }) => x.assigneeRoles[0] === 'planner').title,
    ).toBe(`SPC N1 on DIA: re-plan work order ${wo2.code}`);
  });

  it('exports the chart as CSV, one row per point', async () => {
    const res = await t.http.get(chartUrl('chart.csv')).set(as('viewer')).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="DIA-chart.csv"');
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('index,inspection,time,n,value,center,ucl,lcl,violations,excluded,reason');
    expect(lines).toHaveLength(1 + 25);
    expect(lines[1]!.split(',').slice(0, 2)).toEqual(['0', codes[0]]);
    expect(lines[1 + EXCLUDED]).toMatch(/,true,Probe not zeroed/);
    const last = lines[25]!.split(',');
    expect(last[0]).toBe('24');
    expect(last[8]).toMatch(/N1/);
  });

  it('signals a point once: a repeated result or a second judgement adds nothing', async () => {
    const [signal] = await t.dataSource.query<Array<{ inspection_id: string }>>(
      `SELECT inspection_id FROM spc_signal WHERE characteristic_id = $1`,
      [characteristicId],
    );
    // The terminal retries the request (lost answer): the first answer comes back, nothing is judged again.
    const retried = await record(signal!.inspection_id, '40.040', terminalToken, violationKey).expect(200);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(retried.body.signals).toHaveLength(1);
    // The same value entered again: the IPQC was decided by its one sample, its result is final.
    const repeated = await record(signal!.inspection_id, '40.040', terminalToken).expect(409);
    expect(repeated.body.currentState).toBe('passed');
    // And a second judgement of the same subgroup (a retried or corrected subgroup) signals nothing new.
    const again = await t.app
      .get(TransactionRunner)
      .run((tx) => t.app.get(SpcMonitor).judgeIn(tx, signal!.inspection_id, [characteristicId]));
    expect(again).toEqual([]);
    // A long chart's index is counted rather than read off the judging window: the same answer.
    expect(await chartIndexOf(t.dataSource.manager, characteristicId, signal!.inspection_id)).toBe(24);
    const [{ n }] = await t.dataSource.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM spc_signal WHERE characteristic_id = $1`,
      [characteristicId],
    );
    expect(n).toBe(1);
    const [{ ncrs }] = await t.dataSource.query<[{ ncrs: number }]>(
      `SELECT count(*)::int AS ncrs FROM ncr WHERE characteristic_id = $1`,
      [characteristicId],
    );
    expect(ncrs).toBe(1);
  });
});
