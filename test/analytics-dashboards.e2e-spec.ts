import { randomUUID } from 'node:crypto';
import { siteWithStaff } from './support/builders';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

const H = 3_600_000;
const MIN = 60_000;

interface Order {
  id: string;
  code: string;
  op10: string;
  op20: string;
}

/**
 * The manager's cockpit over a small day of the gearbox cell (line L1: TURN with LATHE-1, ASSY with PRESS-1),
 * built through the API. Every figure is computed by hand below.
 *
 * Stock: lot SH-A of 100 shafts at 8.50 each, lot GR-A of 10 kg grease at 12 per kg, both at the line side.
 * Rates: TURN labour 60 / h, ASSY labour 48 / h, LATHE-1 80 / h; PRESS-1 has no rate at first (then 40 / h).
 *
 * Orders of SA-100 (turning → assembly; 1 shaft per unit scanned, 0.05 kg grease backflushed at completion):
 *   WO-A  40, due in 2 days: turning 32 good + 2 scrap S-DIM (34 shafts), assembly 30 good so far (running)
 *   WO-B  10, due tomorrow:  12 shafts scanned, 2 returned; turning 10, assembly 10 → completed (on time)
 *   WO-C   5, due an hour ago: turning 5 (with a 15 min pause), assembly 4 good + 1 scrap S-SURF → completed late
 *   WO-D  20, due in 3 days, and WO-E 40, due in 4 days: released, not started (WO-E short of shafts)
 *
 * The shop floor's times are set afterwards to a known schedule from T0 (a whole hour about a day ago), as if
 * the work had taken them (the requests themselves ran in milliseconds):
 *   LATHE-1  WO-A T0–T0+1h (report at +0:30) · WO-B T0+1h–T0+2h (+1:30) · WO-C T0+2h–T0+2:45, paused
 *            T0+2:15–T0+2:30 (+2:40) · breakdown D-BRK T0+3h–T0+3:30
 *   PRESS-1  WO-B T0+2h–T0+2:30 (+2:20) · WO-C T0+3h–T0+3:15 (+3:10) · WO-A from T0+3:30, running (+3:45)
 * Operator labour follows each operation (sign-off at pauses), so on WO-C's turning it is 2 × 15 min.
 */
describe('analytics: the dashboards of a small production day', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let other: Awaited<ReturnType<typeof siteWithStaff>>;
  const T0 = Math.floor((Date.now() - 24 * H) / H) * H;
  const at = (minutes: number) => new Date(T0 + minutes * MIN);
  const orders: Record<'A' | 'B' | 'C' | 'D' | 'E', Order> = {} as Record<'A' | 'B' | 'C' | 'D' | 'E', Order>;

  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const terminal = (path: string, body: object = {}) =>
    t.http
      .post(`/api/v1/terminal/${path}`)
      .set(as('operator'))
      .set(key())
      .send(body)
      .expect((res) => {
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      });
  /** A dashboard as the viewer (a manager watching) reads it. */
  const dashboard = (path: string, query: Record<string, string> = {}) =>
    t.http
      .get(`/api/v1/analytics/${path}?${new URLSearchParams({ siteId: f.site.id, ...query }).toString()}`)
      .set(as('viewer'));
  const read = async (path: string, query: Record<string, string> = {}) => {
    const res = await dashboard(path, query);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const patchRecord = async (path: string, changes: object) => {
    const current = await t.http.get(f.url(path)).set(as('admin')).expect(200);
    await t.http
      .patch(f.url(path))
      .set(as('admin'))
      .send({ version: current.body.version, ...changes })
      .expect(200);
  };

  async function releasedOrder(quantity: string, dueAt: Date, allowShortage = false): Promise<Order> {
    const created = await t.http
      .post(f.url('work-orders'))
      .set(as('planner'))
      .send({ material: 'SA-100', quantity, dueAt: dueAt.toISOString() })
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
      .send(allowShortage ? { allowShortage: true } : {})
      .expect(200);
    const [op10, op20] = (created.body.operations as Array<{ id: string }>).map((o) => o.id) as [
      string,
      string,
    ];
    return { id, code: created.body.code as string, op10, op20 };
  }

  /** Sets an operation's start and completion (null: still running) and its operators' one labour span. */
  async function ran(operationId: string, from: number, to: number | null): Promise<void> {
    await t.dataSource.query(
      `UPDATE work_order_operation SET started_at = $2, completed_at = $3 WHERE id = $1`,
      [operationId, at(from), to === null ? null : at(to)],
    );
    await t.dataSource.query(
      `UPDATE operation_labor SET started_at = $2, ended_at = $3 WHERE operation_id = $1`,
      [operationId, at(from), to === null ? null : at(to)],
    );
  }
  const reportedAt = (operationId: string, minutes: number) =>
    t.dataSource.query(`UPDATE operation_report SET reported_at = $2 WHERE operation_id = $1`, [
      operationId,
      at(minutes),
    ]);

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    await t.http
      .post(f.url('reason-codes'))
      .set(as('admin'))
      .send({ code: 'S-SURF', name: 'Surface damage', category: 'scrap' })
      .expect(201);
    for (const [material, quantity, lotCode, unitCost] of [
      ['SHAFT', '100', 'SH-A', '8.50'],
      ['GREASE', '10', 'GR-A', '12'],
    ] as const) {
      const lot = await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material, quantity, location: 'LS-L1', lotCode, unitCost })
        .expect(201);
      expect(lot.body.unitCost).toBe(unitCost);
    }
    await patchRecord(`work-centers/${f.workCenters.turn.id}`, { labourRatePerHour: '60' });
    await patchRecord(`work-centers/${f.workCenters.assy.id}`, { labourRatePerHour: '48' });
    await patchRecord(`equipment/${f.equipment.lathe.id}`, { hourlyRate: '80' });

    const now = Date.now();
    orders.A = await releasedOrder('40', new Date(now + 48 * H));
    orders.B = await releasedOrder('10', new Date(now + 24 * H));
    orders.C = await releasedOrder('5', new Date(now - 1 * H));
    const { A, B, C } = orders;

    await terminal(`operations/${A.op10}/start`);
    await terminal(`operations/${A.op10}/consume`, { lot: 'SH-A', quantity: '34' });
    await terminal(`operations/${A.op10}/report`, { goodQty: '32', scrapQty: '2', scrapReasonCode: 'S-DIM' });
    await terminal(`operations/${A.op10}/complete`);

    await terminal(`operations/${B.op10}/start`);
    await terminal(`operations/${B.op10}/consume`, { lot: 'SH-A', quantity: '12' });
    await t.http
      .post(f.url('inventory/returns'))
      .set(as('warehouse'))
      .set(key())
      .send({ lot: 'SH-A', workOrderId: B.id, toLocation: 'LS-L1', quantity: '2' })
      .expect(201);
    await terminal(`operations/${B.op10}/complete`, { goodQty: '10' });
    await terminal(`operations/${B.op20}/start`);
    await terminal(`operations/${B.op20}/complete`, { goodQty: '10' });

    await terminal(`operations/${C.op10}/start`);
    await terminal(`operations/${C.op10}/consume`, { lot: 'SH-A', quantity: '5' });
    await terminal(`operations/${C.op10}/pause`, { reasonCode: 'P-BREAK' });
    await terminal(`operations/${C.op10}/resume`);
    await terminal(`operations/${C.op10}/complete`, { goodQty: '5' });
    await terminal(`operations/${C.op20}/start`);
    await terminal(`operations/${C.op20}/complete`, {
      goodQty: '4',
      scrapQty: '1',
      scrapReasonCode: 'S-SURF',
    });

    await terminal('equipment/LATHE-1/downtime/start', { reasonCode: 'D-BRK' });
    await terminal('equipment/LATHE-1/downtime/stop');

    await terminal(`operations/${A.op20}/start`);
    await terminal(`operations/${A.op20}/report`, { goodQty: '30' });

    // 51 shafts left (100 − 34 − 12 + 2 − 5); WO-A still has 6 reserved. WO-D's 20 fit, WO-E's 40 do not (25).
    orders.D = await releasedOrder('20', new Date(now + 72 * H));
    orders.E = await releasedOrder('40', new Date(now + 96 * H), true);

    // Levels set after the stock moved (no crossing is announced; the gauges compare what is there now).
    await patchRecord(`materials/${f.materials.shaft.id}`, {
      safetyStock: '60',
      reorderPoint: '80',
      lotSize: '100',
    });
    await patchRecord(`materials/${f.materials.grease.id}`, {
      safetyStock: '2',
      reorderPoint: '9.5',
      lotSize: '5',
    });

    // The schedule the shop floor kept (see the comment above), in minutes from T0.
    await ran(A.op10, 0, 60);
    await reportedAt(A.op10, 30);
    await ran(B.op10, 60, 120);
    await reportedAt(B.op10, 90);
    await t.dataSource.query(
      `UPDATE work_order_operation SET started_at = $2, completed_at = $3 WHERE id = $1`,
      [C.op10, at(120), at(165)],
    );
    const labour: Array<{ id: string }> = await t.dataSource.query(
      `SELECT id FROM operation_labor WHERE operation_id = $1 ORDER BY started_at`,
      [C.op10],
    );
    expect(labour).toHaveLength(2);
    for (const [row, from, to] of [
      [labour[0]!.id, 120, 135],
      [labour[1]!.id, 150, 165],
    ] as const) {
      await t.dataSource.query(`UPDATE operation_labor SET started_at = $2, ended_at = $3 WHERE id = $1`, [
        row,
        at(from),
        at(to),
      ]);
    }
    await t.dataSource.query(
      `UPDATE operation_pause SET started_at = $2, ended_at = $3 WHERE operation_id = $1`,
      [C.op10, at(135), at(150)],
    );
    await reportedAt(C.op10, 160);
    await ran(B.op20, 120, 150);
    await reportedAt(B.op20, 140);
    await ran(C.op20, 180, 195);
    await reportedAt(C.op20, 190);
    await ran(A.op20, 210, null);
    await reportedAt(A.op20, 225);
    const downtime: Array<{ id: string }> = await t.dataSource.query(
      `SELECT id FROM downtime_event WHERE equipment_id = ANY($1::uuid[])`,
      [[f.equipment.lathe.id, f.equipment.press.id]],
    );
    expect(downtime).toHaveLength(1);
    await t.dataSource.query(`UPDATE downtime_event SET started_at = $2, ended_at = $3 WHERE id = $1`, [
      downtime[0]!.id,
      at(180),
      at(210),
    ]);

    other = await siteWithStaff(t.dataSource, t.http);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('line progress: planned against done per order and per line, late ones flagged', async () => {
    const { A, B, C, D, E } = orders;
    const body = await read('line-progress', {
      from: new Date(Date.now() - 48 * H).toISOString(),
      to: new Date(Date.now() + 120 * H).toISOString(),
      line: 'L1',
    });
    // By due date: C (an hour ago), B, A, D, E.
    //   C   5 planned, 4 good, 1 scrap → 4/5 = 0.8, completed after its due time: late
    //   B  10, 10, 0 → 1;  A  40, 30, 2 (turning) → 30/40 = 0.75;  D 20 and E 40: nothing yet → 0
    expect(
      body.workOrders.map((w: Record<string, unknown>) => [
        w.code,
        w.status,
        w.plannedQty,
        w.goodQty,
        w.scrapQty,
        w.progress,
        w.late,
      ]),
    ).toEqual([
      [C.code, 'completed', '5', '4', '1', 0.8, true],
      [B.code, 'completed', '10', '10', '0', 1, false],
      [A.code, 'running', '40', '30', '2', 0.75, false],
      [D.code, 'released', '20', '0', '0', 0, false],
      [E.code, 'released', '40', '0', '0', 0, false],
    ]);
    // Line L1: planned 5 + 10 + 40 + 20 + 40 = 115, good 4 + 10 + 30 = 44, scrap 1 + 2 = 3;
    // progress 44 / 115 = 0.382 608… → 0.3826; one late order.
    expect(body.line).toEqual({ id: f.line.id, code: 'L1' });
    expect(body.lines).toEqual([
      {
        lineId: f.line.id,
        lineCode: 'L1',
        orders: 5,
        late: 1,
        plannedQty: '115',
        goodQty: '44',
        scrapQty: '3',
        progress: 0.3826,
      },
    ]);

    // By default: today in the site's time zone (Asia/Shanghai, UTC+8 all year): from its last midnight to the
    // next; the orders on the shop floor (A, D, E) are always in it.
    const today = await read('line-progress');
    const shanghai = 8 * H;
    const midnight = Math.floor((Date.parse(today.at) + shanghai) / (24 * H)) * 24 * H - shanghai;
    expect(today.from).toBe(new Date(midnight).toISOString());
    expect(today.to).toBe(new Date(midnight + 24 * H).toISOString());
    expect(today.workOrders.map((w: { code: string }) => w.code)).toEqual(
      expect.arrayContaining([A.code, D.code, E.code]),
    );
  });

  it('stock gauges: available, on hand and reserved against safety stock and reorder point', async () => {
    const body = await read('stock-gauges');
    // SHAFT: 100 − 34 − 12 + 2 − 5 = 51 available and on hand; reserved: WO-A 40 − 34 = 6, WO-D 20, WO-E 40 = 66;
    //   51 < safety 60 → below_safety; gauge top 80 + 100 = 180.
    // GREASE: 10 − 0.5 (WO-B) − 0.25 (WO-C) = 9.25; reserved 40, 20 and 40 × 0.05 = 2 + 1 + 2 = 5;
    //   2 ≤ 9.25 < reorder point 9.5 → below_reorder; top 9.5 + 5 = 14.5.
    expect(body.counts).toEqual({ below_safety: 1, below_reorder: 1, ok: 0 });
    expect(body.materials).toEqual([
      expect.objectContaining({
        code: 'SHAFT',
        unit: 'PCS',
        available: '51',
        onHand: '51',
        reserved: '66',
        safetyStock: '60',
        reorderPoint: '80',
        lotSize: '100',
        replenishTo: '180',
        status: 'below_safety',
      }),
      expect.objectContaining({
        code: 'GREASE',
        unit: 'KG',
        available: '9.25',
        onHand: '9.25',
        reserved: '5',
        safetyStock: '2',
        reorderPoint: '9.5',
        replenishTo: '14.5',
        status: 'below_reorder',
      }),
    ]);
    // Named materials: the finished SA-100 (no levels) has 10 + 4 = 14 on hand, all in quarantine (待检).
    const named = await read('stock-gauges', { material: 'SA-100' });
    expect(named.materials).toEqual([
      expect.objectContaining({ code: 'SA-100', available: '0', onHand: '14', reserved: '0', status: 'ok' }),
    ]);
  });

  it('kitting rate: of the released orders not started, the share with all material at the line', async () => {
    const body = await read('kitting', { line: f.line.id });
    // WO-D (due first) takes 20 of the 51 shafts and 1 of the 9.25 kg grease at the line side: staged.
    // WO-E needs 40 shafts, 31 are left: 9 missing. 1 of 2 → 0.5.
    expect(body).toMatchObject({ released: 2, staged: 1, rate: 0.5 });
    expect(body.byLine).toEqual([{ lineId: f.line.id, lineCode: 'L1', released: 2, staged: 1, rate: 0.5 }]);
    expect(body.orders.map((o: { code: string; staged: boolean }) => [o.code, o.staged])).toEqual([
      [orders.D.code, true],
      [orders.E.code, false],
    ]);
    expect(body.orders[1].missing).toEqual([
      { materialId: f.materials.shaft.id, materialCode: 'SHAFT', missingQty: '9' },
    ]);
  });

  it('OEE and its losses per machine and for the line, from the shop floor’s records', async () => {
    const body = await read('oee', {
      line: 'L1',
      from: at(0).toISOString(),
      to: at(240).toISOString(),
    });
    const byCode = Object.fromEntries(
      (body.machines as Array<{ code: string; oee: Record<string, unknown> }>).map((m) => [m.code, m.oee]),
    );
    // No shift calendar: the 4 h are planned busy time (14 400 000 ms).
    // LATHE-1 ran 1 h + 1 h + (45 − 15) min = 2.5 h, was down 0.5 h (D-BRK), idle 1 h; it made 34 + 10 + 5 = 49
    // units, 47 good, at an ideal 45 s each (Σ = 2205 s):
    //   availability 2.5 / 4 = 0.625; effectiveness 2205 / 9000 = 0.245; quality 47 / 49 = 0.959 18… → 0.9592
    //   OEE = 47 × 45 / 14 400 = 0.146 875 → 0.1469
    expect(byCode['LATHE-1']).toEqual({
      availability: 0.625,
      effectiveness: 0.245,
      qualityRatio: 0.9592,
      oee: 0.1469,
      plannedBusyMs: 4 * H,
      runningMs: 2.5 * H,
      setupMs: 0,
      downMs: 0.5 * H,
      idleMs: 1 * H,
      producedQuantity: 49,
      goodQuantity: 47,
      losses: {
        availability: [
          { cause: 'idle', ms: 1 * H },
          { cause: 'D-BRK', ms: 0.5 * H },
        ],
        // 9000 s run − 2205 s ideal; 2 scrapped × 45 s.
        speedMs: 6_795_000,
        qualityMs: 90_000,
        scrap: [{ reason: 'S-DIM', quantity: 2 }],
      },
    });
    // PRESS-1 ran 0.5 h (WO-B) + 0.25 h (WO-C) + 0.5 h (WO-A from 3:30 to the end of the period) = 1.25 h, made
    // 10 + 5 + 30 = 45 units, 44 good, at 30 s (Σ = 1350 s): availability 1.25 / 4 = 0.3125; effectiveness
    // 1350 / 4500 = 0.3; quality 44 / 45 = 0.977 77… → 0.9778; OEE 44 × 30 / 14 400 = 0.091 66… → 0.0917
    expect(byCode['PRESS-1']).toMatchObject({
      availability: 0.3125,
      effectiveness: 0.3,
      qualityRatio: 0.9778,
      oee: 0.0917,
      runningMs: 1.25 * H,
      idleMs: 2.75 * H,
      producedQuantity: 45,
      goodQuantity: 44,
    });
    expect(byCode['PRESS-1']!.losses).toMatchObject({ scrap: [{ reason: 'S-SURF', quantity: 1 }] });
    // The line: 8 h planned, 3.75 h run, Σ ideal 3555 s, 91 of 94 good:
    //   availability 3.75 / 8 = 0.468 75 → 0.4688; effectiveness 3555 / 13 500 = 0.263 33… → 0.2633;
    //   quality 91 / 94 = 0.968 08… → 0.9681; OEE = their product = 3555 × 91 / (28 800 × 94) = 0.119 49… → 0.1195
    //   (two ideal cycle times: not Σ PRI × GQ / PBT = 3435 / 28 800 = 0.1193, which holds for one product only)
    expect(body.total).toMatchObject({
      availability: 0.4688,
      effectiveness: 0.2633,
      qualityRatio: 0.9681,
      oee: 0.1195,
      plannedBusyMs: 8 * H,
      runningMs: 3.75 * H,
      producedQuantity: 94,
      goodQuantity: 91,
    });
  });

  it('MTBF and MTTR per machine and for the line', async () => {
    const body = await read('reliability', {
      equipment: 'LATHE-1,PRESS-1',
      from: at(0).toISOString(),
      to: at(240).toISOString(),
    });
    // LATHE-1: one breakdown of 30 min, repaired: uptime 4 − 0.5 = 3.5 h = MTBF; MTTR 0.5 h; 3.5 / 4 = 0.875.
    expect(body.machines).toEqual([
      {
        equipmentId: f.equipment.lathe.id,
        code: 'LATHE-1',
        name: 'Lathe 1',
        failures: 1,
        repaired: 1,
        requiredMs: 4 * H,
        downtimeMs: 0.5 * H,
        uptimeMs: 3.5 * H,
        mtbfMs: 3.5 * H,
        mttrMs: 0.5 * H,
        availability: 0.875,
      },
      {
        equipmentId: f.equipment.press.id,
        code: 'PRESS-1',
        name: 'Press 1',
        failures: 0,
        repaired: 0,
        requiredMs: 4 * H,
        downtimeMs: 0,
        uptimeMs: 4 * H,
        mtbfMs: null,
        mttrMs: null,
        availability: 1,
      },
    ]);
    // Both: 8 h required, 0.5 h down, one failure: MTBF 7.5 h, MTTR 0.5 h, availability 7.5 / 8 = 0.9375.
    expect(body.total).toEqual({
      failures: 1,
      repaired: 1,
      requiredMs: 8 * H,
      downtimeMs: 0.5 * H,
      uptimeMs: 7.5 * H,
      mtbfMs: 7.5 * H,
      mttrMs: 0.5 * H,
      availability: 0.9375,
    });
  });

  it('on-time delivery of the orders completed in the last 7 days', async () => {
    const body = await read('on-time-delivery');
    // WO-B completed before its due time (tomorrow), WO-C after (due an hour before it was created): 1 of 2.
    expect(body).toMatchObject({ completed: 2, onTime: 1, late: 1, rate: 0.5 });
    expect(body.byLine).toEqual([
      { lineId: f.line.id, lineCode: 'L1', completed: 2, onTime: 1, late: 1, rate: 0.5 },
    ]);
    const byCode = Object.fromEntries(
      (body.workOrders as Array<{ code: string; onTime: boolean; lateMinutes: number }>).map((w) => [
        w.code,
        w,
      ]),
    );
    expect(byCode[orders.B.code]).toMatchObject({ onTime: true, lateMinutes: 0 });
    expect(byCode[orders.C.code]).toMatchObject({ onTime: false });
    expect(byCode[orders.C.code]!.lateMinutes).toBeGreaterThanOrEqual(60);
  });

  it('work in process by work center, with why operations wait', async () => {
    const body = await read('wip', { line: 'L1' });
    const { workCenters, total } = body as {
      workCenters: Array<Record<string, unknown>>;
      total: Record<string, unknown>;
    };
    // TURN: WO-D's turning is ready; WO-E's waits for the 9 missing shafts; nothing at the lathe; 20 + 40 to make.
    // ASSY: WO-A's assembly runs with 32 − 30 = 2 units at the press and 40 − 30 = 10 to make; WO-D's and
    //       WO-E's wait for turning; 10 + 20 + 40 = 70 to make.
    expect(
      workCenters.map((w) => [w.code, w.operations, w.waitingReasons, w.inProcessQty, w.remainingQty]),
    ).toEqual([
      ['ASSY', { waiting: 2, ready: 0, running: 1, paused: 0 }, { predecessor: 2 }, '2', '70'],
      ['TURN', { waiting: 1, ready: 1, running: 0, paused: 0 }, { material: 1 }, '0', '60'],
    ]);
    expect(total).toEqual({
      operations: { waiting: 3, ready: 1, running: 1, paused: 0 },
      inProcessQty: '2',
      remainingQty: '130',
    });
  });

  it('first-pass yield and scrap by reason, from terminal reports', async () => {
    const body = await read('quality', { line: 'L1' });
    // Good out of assembly: 30 (A) + 10 (B) + 4 (C) = 44; scrapped: 2 at turning (A) + 1 at assembly (C) = 3.
    // FPY = 44 / 47 = 0.936 17… → 0.9362 (A's 2 units between turning and assembly count in neither).
    expect(body).toMatchObject({ firstPassYield: 0.9362, goodOutQty: '44', scrapQty: '3' });
    // Step yields: ASSY 44 good, 1 scrap → 44 / 45 = 0.9778; TURN 32 + 10 + 5 = 47 good, 2 scrap → 0.9592.
    expect(body.byWorkCenter).toEqual([
      { workCenterId: f.workCenters.assy.id, code: 'ASSY', goodQty: '44', scrapQty: '1', yield: 0.9778 },
      { workCenterId: f.workCenters.turn.id, code: 'TURN', goodQty: '47', scrapQty: '2', yield: 0.9592 },
    ]);
    // Scrap by reason: S-DIM 2 of 3 (0.6667), S-SURF 1 of 3 (0.3333).
    expect(body.scrapByReason).toEqual([
      { reasonCode: 'S-DIM', reasonName: 'Dimension out of tolerance', quantity: '2', share: 0.6667 },
      { reasonCode: 'S-SURF', reasonName: 'Surface damage', quantity: '1', share: 0.3333 },
    ]);
  });

  it('the true cost of a work order: material at lot cost, labour and machine time at their rates, scrap', async () => {
    // WO-B: material 10 shafts (12 issued, 2 returned) × 8.50 = 85.00 and 0.5 kg grease × 12 = 6.00 → 91.00;
    // labour turning 1 h × 60 = 60.00, assembly 0.5 h × 48 = 24.00 → 84.00 (1.5 h);
    // machine LATHE-1 1 h × 80 = 80.00, PRESS-1 0.5 h × (no rate yet) → not known, so neither is the total.
    const before = await read(`work-orders/${orders.B.id}/cost`);
    expect(before).toMatchObject({
      workOrder: { id: orders.B.id, code: orders.B.code, status: 'completed', goodQty: '10' },
      currency: 'CNY',
      material: { amount: '91.00' },
      labour: { hours: '1.5000', amount: '84.00' },
      machine: { hours: '1.5000', amount: null },
      total: null,
      scrap: { quantity: '0', share: 0, amount: null },
      perGoodUnit: null,
      missing: [{ field: 'equipment.hourlyRate', id: f.equipment.press.id, code: 'PRESS-1' }],
    });
    expect(
      before.material.lines.map((l: Record<string, unknown>) => [
        l.lotCode,
        l.quantity,
        l.unitCost,
        l.amount,
      ]),
    ).toEqual([
      ['GR-A', '0.5', '12', '6.00'],
      ['SH-A', '10', '8.5', '85.00'],
    ]);
    expect(
      before.machine.lines.map((l: Record<string, unknown>) => [l.equipmentCode, l.hours, l.amount]),
    ).toEqual([
      ['LATHE-1', '1.0000', '80.00'],
      ['PRESS-1', '0.5000', null],
    ]);

    await patchRecord(`equipment/${f.equipment.press.id}`, { hourlyRate: '40' });
    // With PRESS-1 at 40 / h: machine 80.00 + 20.00 = 100.00; total 91 + 84 + 100 = 275.00; nothing scrapped;
    // per good unit 275.00 / 10 = 27.50.
    const after = await read(`work-orders/${orders.B.id}/cost`);
    expect(after).toMatchObject({
      machine: { amount: '100.00' },
      total: '275.00',
      scrap: { quantity: '0', share: 0, amount: '0.00' },
      perGoodUnit: '27.5000',
      missing: [],
    });

    // WO-C (by its code): material 5 × 8.50 = 42.50 + 0.25 kg × 12 = 3.00 → 45.50;
    // labour turning 2 × 15 min = 0.5 h × 60 = 30.00, assembly 0.25 h × 48 = 12.00 → 42.00 (0.75 h);
    // machine LATHE-1 45 min − 15 min paused = 0.5 h × 80 = 40.00, PRESS-1 0.25 h × 40 = 10.00 → 50.00;
    // total 137.50; 1 scrapped of 5 units → share 0.2, 27.50; per good unit 137.50 / 4 = 34.375.
    const c = await read(`work-orders/${orders.C.code}/cost`);
    expect(c).toMatchObject({
      material: { amount: '45.50' },
      labour: { hours: '0.7500', amount: '42.00' },
      machine: { hours: '0.7500', amount: '50.00' },
      total: '137.50',
      scrap: { quantity: '1', share: 0.2, amount: '27.50' },
      perGoodUnit: '34.3750',
      missing: [],
    });
    expect(c.labour.lines.map((l: Record<string, unknown>) => [l.workCenterCode, l.hours, l.amount])).toEqual(
      [
        ['TURN', '0.5000', '30.00'],
        ['ASSY', '0.2500', '12.00'],
      ],
    );

    // A lot split off SH-A costs what SH-A cost (its orders are costed at 8.50 a shaft too).
    const split = await t.http
      .post(f.url('inventory/lots/SH-A/split'))
      .set(as('warehouse'))
      .set(key())
      .send({ quantity: '1', code: 'SH-A1' })
      .expect(201);
    expect(split.body.lot).toMatchObject({ code: 'SH-A1', origin: 'split', unitCost: '8.500000' });
  });

  it('open todos by kind and by role', async () => {
    // Todos are the alerts module's; on a site of their own, written as rows, so which rules make them does not
    // change what this dashboard must count:
    //   replenishment (planner) overdue · replenishment (planner) · pick_shortage (planner, warehouse_supervisor)
    //   adjustment_approval (warehouse_supervisor) overdue · a personal one (a user) overdue · a done one
    const now = Date.now();
    const rows: Array<[string, string[], string | null, number | null, string, number]> = [
      ['replenishment', ['planner'], null, now - 1 * H, 'open', now - 48 * H],
      ['replenishment', ['planner'], null, null, 'open', now - 24 * H],
      ['pick_shortage', ['planner', 'warehouse_supervisor'], null, now + 1 * H, 'open', now - 2 * H],
      ['adjustment_approval', ['warehouse_supervisor'], null, now - 2 * H, 'open', now - 3 * H],
      ['follow_up', [], other.users.quality.id, now - 1 * H, 'open', now - 4 * H],
      ['replenishment', ['planner'], null, now - 5 * H, 'done', now - 72 * H],
    ];
    for (const [kind, roles, userId, dueAt, status, createdAt] of rows) {
      await t.dataSource.query(
        `INSERT INTO todo (site_id, kind, title, title_zh, assignee_roles, assignee_user_id, reference_type,
                           reference_id, dedupe_key, status, due_at, created_at)
         VALUES ($1, $2, $2, $2, $3, $4, 'test', $5, $5, $6, $7, $8)`,
        [
          other.site.id,
          kind,
          roles,
          userId,
          randomUUID(),
          status,
          dueAt === null ? null : new Date(dueAt),
          new Date(createdAt),
        ],
      );
    }
    const res = await t.http
      .get(`/api/v1/analytics/todos?siteId=${other.site.id}`)
      .set(f.auth(other.users.viewer.token))
      .expect(200);
    // Open: 5 (the done one left out); overdue: the first replenishment, the approval and the personal one = 3.
    expect(res.body).toMatchObject({ open: 5, overdue: 3, personal: { open: 1, overdue: 1 } });
    expect(res.body.byKind).toEqual([
      { kind: 'adjustment_approval', open: 1, overdue: 1, oldestAt: new Date(now - 3 * H).toISOString() },
      { kind: 'follow_up', open: 1, overdue: 1, oldestAt: new Date(now - 4 * H).toISOString() },
      { kind: 'pick_shortage', open: 1, overdue: 0, oldestAt: new Date(now - 2 * H).toISOString() },
      { kind: 'replenishment', open: 2, overdue: 1, oldestAt: new Date(now - 48 * H).toISOString() },
    ]);
    // planner: 2 replenishment + the shortage = 3 (1 overdue); warehouse_supervisor: shortage + approval = 2.
    expect(res.body.byRole).toEqual([
      { role: 'planner', open: 3, overdue: 1 },
      { role: 'warehouse_supervisor', open: 2, overdue: 1 },
    ]);
  });

  it('refuses bad query input with the fields named, and another site’s data', async () => {
    const bad = await t.http
      .get('/api/v1/analytics/line-progress?siteId=not-a-site&from=yesterday&colour=red')
      .set(as('viewer'))
      .expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'colour',
      'from',
      'siteId',
    ]);
    const backwards = await dashboard('oee', { from: at(240).toISOString(), to: at(0).toISOString() }).expect(
      400,
    );
    expect(backwards.body.errors).toEqual([expect.objectContaining({ field: 'to' })]);
    const noLine = await dashboard('wip', { line: 'L9' }).expect(400);
    expect(noLine.body.errors).toEqual([{ field: 'line', message: 'no line L9 at this site' }]);
    const noMaterial = await dashboard('stock-gauges', { material: 'SHAFT,NOPE' }).expect(400);
    expect(noMaterial.body.errors).toEqual([expect.objectContaining({ field: 'material' })]);

    // A viewer of another site: 403 for this site's dashboards, and this site's work order is not found there.
    const stranger = f.auth(other.users.viewer.token);
    const forbidden = await t.http
      .get(`/api/v1/analytics/stock-gauges?siteId=${f.site.id}`)
      .set(stranger)
      .expect(403);
    expect(forbidden.body.code).toBe('SITE_FORBIDDEN');
    await t.http
      .get(`/api/v1/analytics/work-orders/${orders.B.id}/cost?siteId=${f.site.id}`)
      .set(stranger)
      .expect(403);
    await t.http
      .get(`/api/v1/analytics/work-orders/${orders.B.id}/cost?siteId=${other.site.id}`)
      .set(stranger)
      .expect(404);
  });

  // Last: a rule violation may set off the alert rules (holds, todos) on this site.
  it('SPC status per characteristic: points and violations of the period, the last point’s state', async () => {
    await t.http
      .post(f.url('quality/inspection-plans'))
      .set(as('quality'))
      .set(key())
      .send({
        code: 'IPQC-SA100-DIA',
        name: 'Turning: shaft diameter',
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
            kind: 'variable',
            unit: 'mm',
            lsl: '39.950',
            usl: '40.050',
            chart: 'imr',
            ruleSet: 'nelson',
          },
        ],
      })
      .expect(201);
    const before = await read('spc-status');
    expect(before.characteristics).toEqual([
      expect.objectContaining({ code: 'DIA', points: 0, violations: 0, state: 'no_data', lastPoint: null }),
    ]);
    // Seven diameters on WO-A's turning. The last one, 40.100, is beyond the individuals chart's limit:
    // moving ranges 0.002, 0.004, 0.003, 0.002, 0.001, 0.100 → MR̄ = 0.112 / 6 = 0.018 67, σ = MR̄ / 1.128 =
    // 0.016 55; x̄ = 280.100 / 7 = 40.014 29; UCL = x̄ + 3σ = 40.063 93 < 40.100 → Nelson rule 1, the only one.
    const codes: string[] = [];
    for (const value of ['40.000', '40.002', '39.998', '40.001', '39.999', '40.000', '40.100']) {
      const inspection = await t.http
        .post(f.url('quality/inspections'))
        .set(as('quality'))
        .set(key())
        .send({ plan: 'IPQC-SA100-DIA', operation: orders.A.op10 })
        .expect(201);
      await t.http
        .post(f.url(`quality/inspections/${inspection.body.id}/results`))
        .set(as('quality'))
        .set(key())
        .send({ results: [{ characteristic: 'DIA', sampleNo: 1, value }] })
        .expect(200);
      codes.push(inspection.body.code as string);
    }
    const body = await read('spc-status');
    expect(body.counts).toEqual({ in_control: 0, violations: 1, no_data: 0 });
    expect(body.characteristics).toEqual([
      expect.objectContaining({
        code: 'DIA',
        chart: 'imr',
        planCode: 'IPQC-SA100-DIA',
        materialCode: 'SA-100',
        operationSeq: 10,
        points: 7,
        violations: 1,
        state: 'violations',
        lastPoint: expect.objectContaining({ inspectionCode: codes[6], inControl: false }),
        lastViolation: expect.objectContaining({ rules: ['N1'], inspectionCode: codes[6], value: 40.1 }),
      }),
    ]);
    // A period before the points: none in it, the latest violation still shown.
    const earlier = await read('spc-status', { from: at(0).toISOString(), to: at(240).toISOString() });
    expect(earlier.characteristics[0]).toMatchObject({
      points: 0,
      violations: 0,
      state: 'no_data',
      lastViolation: expect.objectContaining({ inspectionCode: codes[6] }),
    });
  });
});
