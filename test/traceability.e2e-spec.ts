import { randomUUID } from 'node:crypto';
import type { Role } from '../src/platform/auth/roles';
import { siteWithStaff } from './support/builders';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface Node {
  id: string;
  code: string;
  depth: number;
  status: string;
  onHand: string;
  workOrderCode: string | null;
  supplierLot: string | null;
}
interface Edge {
  fromCode: string;
  toCode: string;
  kind: string;
  quantity: string;
  workOrderCode: string | null;
}
interface Trace {
  lot: { code: string };
  depth: number;
  truncated: boolean;
  nodes: Node[];
  edges: Edge[];
  workOrders: Array<{
    code: string;
    operations: Array<{ operators: Array<{ name: string }>; equipmentCode: string | null }>;
  }>;
  documents?: Array<{
    lotId: string;
    locations: Array<{ locationCode: string; quantity: string }>;
    consumedBy: Array<{ workOrderCode: string; quantity: string }>;
    shipments: Array<{ customerCode: string; quantity: string }>;
    movements: Array<{ type: string }>;
  }>;
}

/**
 * Traceability on genealogies built through the real API: lots received, consumed and produced by work orders
 * at the terminal, split, merged, reworked, shipped; serial as-built. Each trace is compared in full.
 */
describe('traceability', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const as = (role: Role) => ({ Authorization: `Bearer ${f.users[role].token}` });
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const byDepth = (nodes: Node[]) =>
    nodes.map((n) => [n.depth, n.code] as const).sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  const edgeList = (edges: Edge[]) =>
    edges.map((e) => `${e.fromCode}>${e.toCode}:${e.kind}:${e.quantity}`).sort();
  const trace = async (code: string, direction: string, query = '', role: Role = 'quality') =>
    (await t.http.get(`/api/v1/trace/lots/${code}/${direction}${query}`).set(as(role)).expect(200))
      .body as Trace;

  const receive = (material: string, quantity: string, lotCode: string, extra: object = {}) =>
    t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material, quantity, location: 'LS-L1', lotCode, ...extra })
      .expect(201);

  /** A released order through the terminal: consume the given lots, make `quantity`, stage the lot at the line. */
  const run = async (
    wo: { id: string; code: string },
    quantity: string,
    consume: Array<[string, string]>,
  ): Promise<{ code: string; workOrderId: string; workOrderCode: string }> => {
    const detail = await t.http
      .get(f.url(`work-orders/${wo.id}`))
      .set(as('planner'))
      .expect(200);
    if (detail.body.status === 'draft')
      await t.http
        .post(f.url(`work-orders/${wo.id}/plan`))
        .set(as('planner'))
        .send({})
        .expect(200);
    const released = await t.http
      .post(f.url(`work-orders/${wo.id}/release`))
      .set(as('planner'))
      .send({ allowShortage: true })
      .expect(200);
    const op = (released.body.operations as Array<{ id: string }>)[0]!.id;
    const terminal = (path: string, body: object) =>
      t.http.post(`/api/v1/terminal/operations/${op}/${path}`).set(as('operator')).set(key()).send(body);
    await terminal('start', {}).expect(200);
    for (const [lot, qty] of consume) await terminal('consume', { lot, quantity: qty }).expect(200);
    const done = await terminal('complete', { goodQty: quantity }).expect(200);
    const produced = done.body.producedLots[0] as { code: string; locationId: string };
    await t.http
      .post(f.url('inventory/transfers'))
      .set(as('warehouse'))
      .set(key())
      .send({ lot: produced.code, fromLocation: produced.locationId, toLocation: 'LS-L1', quantity })
      .expect(201);
    return { code: produced.code, workOrderId: wo.id, workOrderCode: wo.code };
  };
  /** A new work order for `material`, run as above. */
  const make = async (material: string, quantity: string, consume: Array<[string, string]>) => {
    const wo = (
      await t.http
        .post(f.url('work-orders'))
        .set(as('planner'))
        .send({ material, quantity, dueAt: '2030-01-01T00:00:00Z' })
        .expect(201)
    ).body as { id: string; code: string };
    return run(wo, quantity, consume);
  };

  const materialIds = new Map<string, string>();
  const material = async (code: string, body: object) => {
    const res = await t.http
      .post(f.url('materials'))
      .set(as('admin'))
      .send({ code, name: code, baseUnitId: f.units.pcs.id, lotTracked: true, ...body })
      .expect(201);
    materialIds.set(code, (res.body as { id: string }).id);
    return res;
  };
  const product = async (code: string, components: Array<[string, string]>, extra: object = {}) => {
    const m = (await material(code, { materialClass: 'semi_finished', ...extra })).body as { id: string };
    materialIds.set(code, m.id);
    const ids = components.map(([c]) => materialIds.get(c)!);
    await t.http
      .post(f.url('boms'))
      .set(as('admin'))
      .send({
        materialId: m.id,
        validFrom: '2020-01-01',
        lines: components.map(([, per], i) => ({
          lineNo: (i + 1) * 10,
          componentId: ids[i],
          quantityPer: per,
          operationSeq: 10,
        })),
      })
      .expect(201);
    await t.http
      .post(f.url('routings'))
      .set(as('admin'))
      .send({
        materialId: m.id,
        validFrom: '2020-01-01',
        operations: [
          {
            seq: 10,
            name: 'Make',
            workCenterId: f.workCenters.turn.id,
            equipment: [{ equipmentId: f.equipment.lathe.id, runTimePerUnitSec: '10', setupTimeSec: '0' }],
          },
        ],
      })
      .expect(201);
  };

  let supplierId: string;
  let a1: string, a2: string, b1: string;
  let s1: { code: string; workOrderCode: string };
  let s2: { code: string; workOrderCode: string };
  let f1: { code: string; workOrderCode: string };

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    supplierId = (
      (
        await t.http
          .post(f.url('partners'))
          .set(as('admin'))
          .send({ code: 'SUP-STEEL', name: 'Steel Co.', isSupplier: true })
          .expect(201)
      ).body as { id: string }
    ).id;
    await t.http
      .post(f.url('partners'))
      .set(as('admin'))
      .send({ code: 'CUST-1', name: 'Customer One', isCustomer: true })
      .expect(201);
    await material('RAW-A', { materialClass: 'raw' });
    await material('RAW-B', { materialClass: 'raw' });
    await product('SEMI', [
      ['RAW-A', '1'],
      ['RAW-B', '2'],
    ]);
    await product(
      'FG',
      [
        ['SEMI', '1'],
        ['RAW-B', '2'],
      ],
      { materialClass: 'finished' },
    );
    // Raw lots: A1 from the supplier with its own lot number.
    await receive('RAW-A', '100', 'A1', { supplierId, supplierLot: 'HEAT-7731' });
    await receive('RAW-A', '50', 'A2');
    await receive('RAW-B', '200', 'B1');
    a1 = 'A1';
    a2 = 'A2';
    b1 = 'B1';
    // SEMI from A1 + B1, and from A1 + A2 + B1; part of S2 split off; FG from S1, the split part and B1.
    s1 = await make('SEMI', '10', [
      [a1, '10'],
      [b1, '20'],
    ]);
    s2 = await make('SEMI', '10', [
      [a1, '5'],
      [a2, '5'],
      [b1, '20'],
    ]);
    await t.http
      .post(f.url(`inventory/lots/${s2.code}/split`))
      .set(as('warehouse'))
      .set(key())
      .send({ quantity: '3', code: 'S2-PART' })
      .expect(201);
    f1 = await make('FG', '5', [
      [s1.code, '5'],
      ['S2-PART', '3'],
      [b1, '10'],
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  it('traces a finished lot back to its raw lots, each once at its nearest depth, with every edge', async () => {
    const back = await trace(f1.code, 'backward');
    expect(back.lot.code).toBe(f1.code);
    expect(back.truncated).toBe(false);
    expect(back.depth).toBe(3);
    expect(byDepth(back.nodes)).toEqual([
      [0, f1.code],
      [1, 'B1'],
      [1, 'S2-PART'],
      [1, s1.code],
      [2, 'A1'],
      [2, s2.code],
      [3, 'A2'],
    ]);
    expect(edgeList(back.edges)).toEqual(
      [
        `${s1.code}>${f1.code}:production:5`,
        `S2-PART>${f1.code}:production:3`,
        `B1>${f1.code}:production:10`,
        `A1>${s1.code}:production:10`,
        `B1>${s1.code}:production:20`,
        `${s2.code}>S2-PART:split:3`,
        `A1>${s2.code}:production:5`,
        `A2>${s2.code}:production:5`,
        `B1>${s2.code}:production:20`,
      ].sort(),
    );
    // The raw lot knows its supplier's lot; the produced ones their work orders.
    const byCode = new Map(back.nodes.map((n) => [n.code, n]));
    expect(byCode.get('A1')).toMatchObject({ supplierLot: 'HEAT-7731', status: 'available', onHand: '85' });
    expect(byCode.get(s1.code)?.workOrderCode).toBe(s1.workOrderCode);
    // Documents: who made it on which machine, where each lot is, what consumed it.
    const fgOrder = back.workOrders.find((w) => w.code === f1.workOrderCode)!;
    expect(fgOrder.operations[0]).toMatchObject({ equipmentCode: 'LATHE-1' });
    expect(fgOrder.operations[0]!.operators.length).toBe(1);
    const docs = new Map(back.documents!.map((d) => [d.lotId, d]));
    const a1Docs = docs.get(byCode.get('A1')!.id)!;
    expect(a1Docs.locations).toEqual([expect.objectContaining({ locationCode: 'LS-L1', quantity: '85' })]);
    expect(a1Docs.consumedBy.map((c) => [c.workOrderCode, c.quantity])).toEqual([
      [s1.workOrderCode, '10'],
      [s2.workOrderCode, '5'],
    ]);
    expect(a1Docs.movements.map((m) => m.type)).toEqual(['receipt', 'issue', 'issue']);
  });

  it('traces a raw lot forward to everything made from it, and cuts at the depth asked for', async () => {
    const fwd = await trace('A1', 'forward');
    expect(byDepth(fwd.nodes)).toEqual([
      [0, 'A1'],
      [1, s1.code],
      [1, s2.code],
      [2, f1.code],
      [2, 'S2-PART'],
    ]);
    expect(edgeList(fwd.edges)).toEqual(
      [
        `A1>${s1.code}:production:10`,
        `A1>${s2.code}:production:5`,
        `${s1.code}>${f1.code}:production:5`,
        `${s2.code}>S2-PART:split:3`,
        `S2-PART>${f1.code}:production:3`,
      ].sort(),
    );
    const one = await trace(f1.code, 'backward', '?depth=1&documents=false');
    expect(byDepth(one.nodes).map(([, c]) => c)).toEqual([f1.code, 'B1', 'S2-PART', s1.code]);
    expect(one.truncated).toBe(true);
    expect(one.documents).toBeUndefined();
    const leaf = await trace(f1.code, 'forward');
    expect(leaf.nodes.map((n) => n.code)).toEqual([f1.code]);
    expect(leaf).toMatchObject({ truncated: false, edges: [] });
  });

  it('never loops on a cycle: a lot split and merged back is visited once', async () => {
    await receive('RAW-A', '40', 'CY-1');
    await t.http
      .post(f.url('inventory/lots/CY-1/split'))
      .set(as('warehouse'))
      .set(key())
      .send({ quantity: '15', code: 'CY-2' })
      .expect(201);
    await t.http
      .post(f.url('inventory/lots/CY-1/merge'))
      .set(as('warehouse'))
      .set(key())
      .send({ sources: [{ lot: 'CY-2', quantity: '5' }] })
      .expect(201);
    for (const direction of ['forward', 'backward']) {
      const walk = await trace('CY-1', direction);
      expect(byDepth(walk.nodes)).toEqual([
        [0, 'CY-1'],
        [1, 'CY-2'],
      ]);
      expect(edgeList(walk.edges)).toEqual(['CY-1>CY-2:split:15', 'CY-2>CY-1:merge:5']);
    }
    // The recall's breadth-first reach ends on the cycle too, each lot once at its depth.
    const scope = await t.http
      .post('/api/v1/trace/recall')
      .set(as('quality'))
      .send({ lot: 'CY-1' })
      .expect(200);
    expect(scope.body.lots.map((l: { code: string; depth: number }) => [l.depth, l.code])).toEqual([
      [0, 'CY-1'],
      [1, 'CY-2'],
    ]);
    expect(scope.body.truncated).toBe(false);
  });

  it('rework: the reworked lot descends from the nonconforming one of the same material', async () => {
    const bad = await make('FG', '2', [
      [s1.code, '2'],
      [b1, '4'],
    ]);
    const ncrs = (path = '') => f.url(`quality/ncrs${path}`);
    const ncr = await t.http
      .post(ncrs())
      .set(as('quality'))
      .set(key())
      .send({ source: 'terminal', title: 'Burr on the flange', quantity: '2', lots: [{ lot: bad.code }] })
      .expect(201);
    await t.http
      .post(ncrs(`/${ncr.body.id}/review`))
      .set(as('quality'))
      .send({})
      .expect(200);
    const disposed = await t.http
      .post(ncrs(`/${ncr.body.id}/disposition`))
      .set(as('quality'))
      .send({ disposition: 'rework', note: 'Deburr', password: f.users.quality.password })
      .expect(200);
    const reworkOrder = disposed.body.reworkWorkOrder as { id: string; code: string };
    // The rework order takes the nonconforming FG itself in.
    const order = await t.http
      .get(f.url(`work-orders/${reworkOrder.id}`))
      .set(as('planner'))
      .expect(200);
    expect(
      order.body.materials.map((m: { materialCode: string; requiredQty: string }) => [
        m.materialCode,
        m.requiredQty,
      ]),
    ).toEqual([['FG', '2.000000']]);
    const status = await t.http
      .get(f.url(`lots/${bad.code}`))
      .set(as('viewer'))
      .expect(200);
    if (status.body.status === 'hold')
      await t.http
        .post(f.url(`lots/${bad.code}/unhold`))
        .set(as('quality'))
        .send({ reason: 'released to rework' })
        .expect(200);
    const reworked = await run(reworkOrder, '2', [[bad.code, '2']]);

    const back = await trace(reworked.code, 'backward');
    expect(byDepth(back.nodes)).toEqual([
      [0, reworked.code],
      [1, bad.code],
      [2, 'B1'],
      [2, s1.code],
      [3, 'A1'],
    ]);
    expect(edgeList(back.edges)).toEqual(
      [
        `${bad.code}>${reworked.code}:production:2`,
        `${s1.code}>${bad.code}:production:2`,
        `B1>${bad.code}:production:4`,
        `A1>${s1.code}:production:10`,
        `B1>${s1.code}:production:20`,
      ].sort(),
    );
    const reworkEdge = back.edges.find((e) => e.toCode === reworked.code)!;
    expect(reworkEdge.workOrderCode).toBe(reworkOrder.code);
    // The NCR is among the nonconforming lot's documents.
    const badNode = back.nodes.find((n) => n.code === bad.code)!;
    const docs = back.documents!.find((d) => d.lotId === badNode.id) as unknown as {
      ncrs: Array<{ code: string }>;
    };
    expect(docs.ncrs.map((n) => n.code)).toEqual([ncr.body.code]);
    const fwd = await trace(bad.code, 'forward');
    expect(byDepth(fwd.nodes)).toEqual([
      [0, bad.code],
      [1, reworked.code],
    ]);
  });

  it('exports a trace as CSV, one row per lot with what it was made from', async () => {
    const res = await t.http.get(`/api/v1/trace/lots/${s1.code}/backward.csv`).set(as('viewer')).expect(200);
    const [header, ...rows] = res.text.trim().split('\r\n');
    expect(header).toBe(
      'depth,lot,material,material_name,status,origin,initial_qty,on_hand,unit,work_order,supplier,supplier_lot,expiry_date,received_at,made_from',
    );
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(new RegExp(`^0,${s1.code},SEMI,`));
    expect(rows[0]).toMatch(/A1 \(production 10 WO-[^)]+\); B1 \(production 20 WO-[^)]+\)|B1 .*; A1 /);
  });

  it('answers unknown lots, bad depths and other sites’ lots with problem+json, never their data', async () => {
    const missing = await t.http.get('/api/v1/trace/lots/NOPE-1/backward').set(as('quality')).expect(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.body.code).toBe('LOT_NOT_FOUND');
    const bad = await t.http
      .get(`/api/v1/trace/lots/${f1.code}/forward?depth=0`)
      .set(as('quality'))
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['depth']);
    // A user of another site does not see this site's lots at all, by code or by recall.
    const other = await siteWithStaff(t.dataSource, t.http);
    const stranger = { Authorization: `Bearer ${other.users.quality.token}` };
    await t.http.get(`/api/v1/trace/lots/${f1.code}/backward`).set(stranger).expect(404);
    await t.http.post('/api/v1/trace/recall').set(stranger).send({ lot: 'A1' }).expect(404);
  });
  it('serial as-built: which motor went into which unit, checked against what the order consumed', async () => {
    await material('MOTOR', { materialClass: 'raw', serialTracked: true });
    await product('UNIT', [['MOTOR', '2']], { materialClass: 'finished', serialTracked: true });
    await receive('MOTOR', '4', 'MOT-1', { serials: ['M-1', 'M-2', 'M-3', 'M-4'] });
    await receive('MOTOR', '1', 'MOT-2', { serials: ['M-9'] });
    const units = await make('UNIT', '2', [['MOT-1', '4']]);
    const [u1, u2] = [`${units.code}-0001`, `${units.code}-0002`];
    const fit = (unit: string, components: string[], role: Role = 'operator') =>
      t.http
        .post('/api/v1/trace/as-built')
        .set(as(role))
        .set(key())
        .send({ unit, components: components.map((serial) => ({ serial })) });
    const first = await fit(u1, ['M-1', 'M-2']).expect(200);
    expect(first.body.components.map((c: { serial: string }) => c.serial)).toEqual(['M-1', 'M-2']);
    await fit(u2, ['M-3', 'M-4']).expect(200);
    const twice = await fit(u2, ['M-1']).expect(409);
    expect(twice.body).toMatchObject({ code: 'COMPONENT_ALREADY_FITTED', unitSerial: u1 });
    const notUsed = await fit(u2, ['M-9']).expect(409);
    expect(notUsed.body).toMatchObject({ code: 'COMPONENT_NOT_CONSUMED', serialStatus: 'in_stock' });
    await fit('NO-SUCH-UNIT', ['M-1']).expect(404);
    await fit(u2, ['M-3'], 'viewer').expect(403);

    const serialTrace = async (serial: string, direction: string) =>
      (await t.http.get(`/api/v1/trace/serials/${serial}/${direction}`).set(as('quality')).expect(200))
        .body as {
        nodes: Array<{ serial: string; depth: number; lotCode: string }>;
      };
    expect((await serialTrace(u1, 'backward')).nodes.map((n) => [n.depth, n.serial, n.lotCode])).toEqual([
      [0, u1, units.code],
      [1, 'M-1', 'MOT-1'],
      [1, 'M-2', 'MOT-1'],
    ]);
    expect((await serialTrace('M-3', 'forward')).nodes.map((n) => [n.depth, n.serial])).toEqual([
      [0, 'M-3'],
      [1, u2],
    ]);
    // Taken out at repair and fitted into the other unit: history kept, the trace shows where it is now.
    await t.http
      .post('/api/v1/trace/as-built/remove')
      .set(as('quality'))
      .set(key())
      .send({ serial: 'M-2', reason: 'Noisy at run-in' })
      .expect(200);
    await fit(u2, ['M-2']).expect(200);
    expect((await serialTrace(u1, 'backward')).nodes.map((n) => n.serial)).toEqual([u1, 'M-1']);
    expect((await serialTrace(u2, 'backward')).nodes.map((n) => n.serial)).toEqual([u2, 'M-3', 'M-4', 'M-2']);
    const history = await t.dataSource.query<Array<{ removal_reason: string | null }>>(
      `SELECT removal_reason FROM serial_link l JOIN serial_number s ON s.id = l.component_serial_id
        WHERE s.serial = 'M-2' ORDER BY l.recorded_at`,
    );
    expect(history).toEqual([{ removal_reason: 'Noisy at run-in' }, { removal_reason: null }]);
  });

  it('recall: every affected lot with where it is now, and one action that holds what is still here', async () => {
    await t.http
      .post(f.url('inventory/shipments'))
      .set(as('warehouse'))
      .set(key())
      .send({ customer: 'CUST-1', reference: 'SO-1001', lines: [{ lot: f1.code, quantity: '2' }] })
      .expect(201);
    const scope = await t.http
      .post('/api/v1/trace/recall')
      .set(as('quality'))
      .send({ lot: 'A1' })
      .expect(200);
    const lots = new Map(
      (
        scope.body.lots as Array<{
          code: string;
          status: string;
          holdable: boolean;
          locations: Array<{ code: string; quantity: string }>;
          shipments: Array<{ customerCode: string; quantity: string }>;
        }>
      ).map((l) => [l.code, l]),
    );
    // Exactly what the forward trace reaches (made from A1, the rework included), each lot at the same depth.
    const forward = await trace('A1', 'forward', '?documents=false');
    const reached = forward.nodes.map((n) => n.code);
    expect([...lots.keys()].sort()).toEqual([...reached].sort());
    const depthOf = (list: Array<{ code: string; depth: number }>) =>
      list.map((n) => `${n.depth}:${n.code}`).sort();
    expect(depthOf(scope.body.lots)).toEqual(depthOf(forward.nodes));
    expect(scope.body.truncated).toBe(false);
    // A page of the lots, by depth then code; the summary still counts the whole scope.
    const ordered = [...forward.nodes]
      .sort((a, b) => a.depth - b.depth || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
      .map((n) => n.code);
    expect(scope.body.lots.map((l: { code: string }) => l.code)).toEqual(ordered);
    const page = await t.http
      .post('/api/v1/trace/recall')
      .set(as('quality'))
      .send({ lot: 'A1', offset: 1, limit: 2 })
      .expect(200);
    expect(page.body.lots.map((l: { code: string }) => l.code)).toEqual(ordered.slice(1, 3));
    expect(page.body.page).toEqual({ offset: 1, limit: 2, total: ordered.length });
    expect(page.body.summary).toEqual(scope.body.summary);
    expect(page.body.customers).toEqual(scope.body.customers);
    await t.http
      .post('/api/v1/trace/recall')
      .set(as('quality'))
      .send({ lot: 'A1', limit: 0, offset: -1 })
      .expect(400);
    // A depth limit cuts the scope, and says so.
    const near = await t.http
      .post('/api/v1/trace/recall')
      .set(as('quality'))
      .send({ lot: 'A1', depth: 1 })
      .expect(200);
    expect(depthOf(near.body.lots)).toEqual(depthOf(forward.nodes.filter((n) => n.depth <= 1)));
    expect(near.body.truncated).toBe(true);
    expect(reached).toEqual(expect.arrayContaining(['A1', f1.code, s1.code, s2.code, 'S2-PART']));
    expect(lots.get(f1.code)!.shipments).toEqual([
      expect.objectContaining({ customerCode: 'CUST-1', quantity: '2' }),
    ]);
    expect(lots.get(f1.code)!.locations).toEqual([expect.objectContaining({ code: 'LS-L1', quantity: '3' })]);
    expect(scope.body.summary).toMatchObject({
      lots: reached.length,
      shipped: { customers: 1, lots: 1, shipments: 1 },
    });
    expect(scope.body.customers).toEqual([
      expect.objectContaining({ customerCode: 'CUST-1', lots: [f1.code] }),
    ]);
    const inHand = [...lots.values()].filter((l) => l.holdable).map((l) => l.code);
    expect(scope.body.summary.toHold).toBe(inHand.length);

    // Only quality (or admin) may hold; a planner is refused and nothing changes.
    await t.http
      .post('/api/v1/trace/recall/hold')
      .set(as('planner'))
      .set(key())
      .send({ lot: 'A1', reason: 'Supplier notice' })
      .expect(403);
    const held = await t.http
      .post('/api/v1/trace/recall/hold')
      .set(as('quality'))
      .set(key())
      .send({ lot: 'A1', reason: 'Supplier notice SN-88: cracks' })
      .expect(200);
    expect([...held.body.held].sort()).toEqual([...inHand].sort());
    for (const code of inHand) {
      const lot = await t.http
        .get(f.url(`lots/${code}`))
        .set(as('viewer'))
        .expect(200);
      expect(lot.body).toMatchObject({ status: 'hold' });
      expect(lot.body.statusReason).toContain('Recall of A1');
    }
    // A second hold finds them held already: nothing is held twice.
    const again = await t.http
      .post('/api/v1/trace/recall/hold')
      .set(as('quality'))
      .set(key())
      .send({ lot: 'A1', reason: 'again' })
      .expect(200);
    expect(again.body.held).toEqual([]);
    expect([...again.body.alreadyHeld].sort()).toEqual([...inHand].sort());
    const csv = await t.http
      .post('/api/v1/trace/recall.csv')
      .set(as('quality'))
      .send({ lot: 'A1' })
      .expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toBe(
      'lot,depth,material,status,on_hand,unit,supplier,supplier_lot,where,place,quantity,detail,shipped_at',
    );
    expect(csv.text).toContain(`${f1.code},2,FG,hold,3,PCS,,,shipped,CUST-1,2,`);
  });
});
