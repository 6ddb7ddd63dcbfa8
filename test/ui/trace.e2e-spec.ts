import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import type { Role } from '../../src/platform/auth/roles';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

interface TraceNode {
  id: string;
  code: string;
  depth: number;
  onHand: string;
  unit: string;
}
interface TraceView {
  lot: { code: string };
  nodes: TraceNode[];
  documents: Array<{
    lotId: string;
    shipments: Array<{ shipmentCode: string; customerCode: string; quantity: string }>;
  }>;
}
interface RecallView {
  summary: {
    lots: number;
    inStock: { lots: number; byStatus: Record<string, number> };
    wip: { workOrders: number; lots: number };
    shipped: { customers: number; lots: number; shipments: number };
    toHold: number;
  };
  lots: Array<{ code: string; holdable: boolean; status: string }>;
  customers: Array<{ customerCode: string; lots: string[] }>;
  workOrders: Array<{ code: string }>;
}

/**
 * The trace explorer in the browser, on a genealogy built over the API as the traceability e2e test builds them:
 * a supplier's steel lot and a bolt lot consumed by a work order into a finished lot, which is shipped in part to
 * a customer; a second order is still running on the same steel. A quality engineer types the steel lot (forward:
 * the finished lot and its shipment), scans the finished lot (backward: the steel), checks the recall scope and
 * its export against the API, holds the scope; a viewer sees the scope without the hold. Every figure is compared
 * with the API's answer.
 */
describe('ui: the trace explorer in the browser', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;
  let finished: { code: string; workOrderCode: string };
  let running: { id: string; code: string };
  let ncr: { id: string; code: string };
  const STEEL = 'C-STEEL-1';
  const BOLTS = 'BOLT-1';

  const as = (role: Role) => ({ Authorization: `Bearer ${f.users[role].token}` });
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const ok = async <T>(res: Promise<{ status: number; body: unknown }>, status = 200): Promise<T> => {
    const r = await res;
    if (r.status !== status)
      throw new Error(`${status} expected, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as T;
  };
  const trace = async (code: string, direction: string) =>
    (await t.http.get(`/api/v1/trace/lots/${code}/${direction}`).set(as('quality')).expect(200))
      .body as TraceView;
  const recall = async () =>
    (await t.http.post('/api/v1/trace/recall').set(as('quality')).send({ lot: STEEL }).expect(200))
      .body as RecallView;
  const num = (locale: string, value: string | number) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(Number(value));

  /** Opens a browser tab signed in as `role` at this site (the session the sign-in page would keep). */
  async function signedIn(role: Role, locale = 'zh-CN'): Promise<WatchedPage> {
    const watched = await openPage(browser, { baseURL: t.url, locale });
    const user = f.users[role];
    const session = {
      token: user.token,
      expiresAt: Date.now() + 3_600_000,
      user: { name: `User ${user.username}`, username: user.username, roles: [role] },
      siteId: f.site.id,
    };
    await watched.context.addInitScript((value) => {
      sessionStorage.setItem('mom.session', value);
    }, JSON.stringify(session));
    return watched;
  }

  async function newOrder(material: string, quantity: string) {
    const wo = await ok<{ id: string; code: string }>(
      t.http
        .post(f.url('work-orders'))
        .set(as('planner'))
        .send({ material, quantity, dueAt: '2030-01-01T00:00:00Z' }),
      201,
    );
    await ok(
      t.http
        .post(f.url(`work-orders/${wo.id}/plan`))
        .set(as('planner'))
        .send({}),
    );
    const released = await ok<{ operations: Array<{ id: string }> }>(
      t.http
        .post(f.url(`work-orders/${wo.id}/release`))
        .set(as('planner'))
        .send({ allowShortage: true }),
    );
    const op = released.operations[0]!.id;
    const terminal = (path: string, body: object) =>
      ok<{ producedLots?: Array<{ code: string; locationId: string }> }>(
        t.http.post(`/api/v1/terminal/operations/${op}/${path}`).set(as('operator')).set(key()).send(body),
      );
    return { ...wo, terminal };
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    f = await productionFactory(t);
    const create = (path: string, body: object) =>
      ok<{ id: string }>(t.http.post(f.url(path)).set(as('admin')).send(body), 201);
    const supplier = await create('partners', { code: 'SUP-STEEL', name: 'Steel Co.', isSupplier: true });
    await create('partners', { code: 'CUST-T', name: 'Gearbox Customer', isCustomer: true });
    const material = (code: string, materialClass: string) =>
      create('materials', { code, name: code, baseUnitId: f.units.pcs.id, lotTracked: true, materialClass });
    const steel = await material('STEEL-BAR', 'raw');
    const bolt = await material('BOLT-M8', 'raw');
    const housing = await material('HOUSING', 'finished');
    await create('boms', {
      materialId: housing.id,
      validFrom: '2020-01-01',
      lines: [
        { lineNo: 10, componentId: steel.id, quantityPer: '1', operationSeq: 10 },
        { lineNo: 20, componentId: bolt.id, quantityPer: '2', operationSeq: 10 },
      ],
    });
    await create('routings', {
      materialId: housing.id,
      validFrom: '2020-01-01',
      operations: [
        {
          seq: 10,
          name: 'Machine',
          workCenterId: f.workCenters.turn.id,
          equipment: [{ equipmentId: f.equipment.lathe.id, runTimePerUnitSec: '10', setupTimeSec: '0' }],
        },
      ],
    });
    const receive = (materialCode: string, quantity: string, lotCode: string, extra: object = {}) =>
      ok(
        t.http
          .post(f.url('inventory/receipts'))
          .set(as('warehouse'))
          .send({ material: materialCode, quantity, location: 'LS-L1', lotCode, ...extra }),
        201,
      );
    await receive('STEEL-BAR', '100', STEEL, { supplierId: supplier.id, supplierLot: 'HEAT-4711' });
    await receive('BOLT-M8', '200', BOLTS);

    // The finished lot: 10 housings from 10 bars and 20 bolts, staged at the line side.
    const wo1 = await newOrder('HOUSING', '10');
    await wo1.terminal('start', {});
    await wo1.terminal('consume', { lot: STEEL, quantity: '10' });
    await wo1.terminal('consume', { lot: BOLTS, quantity: '20' });
    const done = await wo1.terminal('complete', { goodQty: '10' });
    const produced = done.producedLots![0]!;
    await ok(
      t.http
        .post(f.url('inventory/transfers'))
        .set(as('warehouse'))
        .set(key())
        .send({ lot: produced.code, fromLocation: produced.locationId, toLocation: 'LS-L1', quantity: '10' }),
      201,
    );
    finished = { code: produced.code, workOrderCode: wo1.code };
    // Four of them shipped to the customer.
    await ok(
      t.http
        .post(f.url('inventory/shipments'))
        .set(as('warehouse'))
        .set(key())
        .send({ customer: 'CUST-T', reference: 'SO-77', lines: [{ lot: finished.code, quantity: '4' }] }),
      201,
    );
    // Quality found cracks in some bars: an NCR against the supplier names the steel lot.
    ncr = await ok<{ id: string; code: string }>(
      t.http
        .post(f.url('quality/ncrs'))
        .set(as('quality'))
        .set(key())
        .send({
          source: 'supplier',
          supplier: 'SUP-STEEL',
          title: 'Cracks in bars of heat 4711',
          lots: [{ lot: STEEL, quantity: '2' }],
        }),
      201,
    );
    // Serial-numbered motors: a serial number is traced through its lot.
    await ok(
      t.http.post(f.url('materials')).set(as('admin')).send({
        code: 'MOTOR',
        name: 'Motor',
        baseUnitId: f.units.pcs.id,
        lotTracked: true,
        serialTracked: true,
        materialClass: 'raw',
      }),
      201,
    );
    await receive('MOTOR', '2', 'MOT-1', { serials: ['M-0001', 'M-0002'] });
    // A second order is still machining bars of the same steel lot: work in progress.
    const wo2 = await newOrder('HOUSING', '5');
    await wo2.terminal('start', {});
    await wo2.terminal('consume', { lot: STEEL, quantity: '5' });
    running = { id: wo2.id, code: wo2.code };

    w = await signedIn('quality');
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    // Every page visited rendered without console errors or uncaught exceptions (CSP refusals included).
    expect(w.takeProblems()).toEqual([]);
  });

  it('types the supplier lot: the graph and the forward table show the finished lot the API reports', async () => {
    const { page } = w;
    await page.goto('/trace');
    await waitForText(page, '#trace-title', '追溯', 10_000);
    await page.fill('#trace-input', STEEL);
    await page.press('#trace-input', 'Enter');
    await page.waitForURL(`**/trace?lot=${STEEL}`);
    await waitForText(page, '#trace-lot-title', STEEL, 10_000);

    const forward = await trace(STEEL, 'forward');
    const rows = page.locator('#trace-table-forward tbody tr');
    await rows.first().waitFor({ timeout: 10_000 });
    expect(
      (await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.lot))).sort(),
    ).toEqual(forward.nodes.map((n) => n.code).sort());
    const fg = forward.nodes.find((n) => n.code === finished.code)!;
    expect(fg.depth).toBe(1);
    await waitForText(
      page,
      `#trace-table-forward tr[data-lot="${finished.code}"] [data-field="onHand"]`,
      `${num('zh-CN', fg.onHand)} ${fg.unit}`,
    );
    await waitForText(
      page,
      `#trace-table-forward tr[data-lot="${STEEL}"] [data-field="ncrs"]`,
      '1 个不合格报告',
    );
    // The steel's own facts: the supplier's lot number, and nothing upstream.
    await waitForText(page, '#trace-lot [data-field="supplierLot"]', 'HEAT-4711');
    await page.locator('[data-empty="backward"]').waitFor();
    // The graph is drawn with every lot of both walks.
    await page.locator('#trace-graph canvas').waitFor({ timeout: 10_000 });
    await page.waitForFunction(
      (n) => document.getElementById('trace-graph')?.dataset.drawn === String(n),
      forward.nodes.length,
      { timeout: 10_000 },
    );
    await screenshot(page, 'trace-01-forward-zh');

    // Clicking the finished lot's node in the graph re-centres the page on it; back returns.
    const point = await page.evaluate<{ x: number; y: number }>(`(async () => {
      const echarts = await import('/vendor/echarts.esm.min.js');
      const element = document.getElementById('trace-graph');
      element.scrollIntoView({ block: 'center' });
      const chart = echarts.getInstanceByDom(element);
      const node = chart.getOption().series[0].data.find((d) => d.name === ${JSON.stringify(finished.code)});
      const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [node.x, node.y]);
      const box = element.getBoundingClientRect();
      return { x: box.left + x, y: box.top + y };
    })()`);
    await page.mouse.click(point.x, point.y);
    await page.waitForURL(`**/trace?lot=${encodeURIComponent(finished.code)}`, { timeout: 10_000 });
    await waitForText(page, '#trace-lot-title', finished.code, 10_000);
    await page.goBack();
    await waitForText(page, '#trace-lot-title', STEEL, 10_000);

    // Documents: the shipment of the finished lot to the customer, as the API reports it.
    await page.click('#trace-tab-documents');
    const fgDocs = forward.documents.find((d) => d.lotId === fg.id)!;
    expect(fgDocs.shipments).toEqual([expect.objectContaining({ customerCode: 'CUST-T', quantity: '4' })]);
    const shipment = fgDocs.shipments[0]!;
    const row = `#trace-shipments tr[data-shipment="${shipment.shipmentCode}"]`;
    await waitForText(page, `${row} [data-field="quantity"]`, `${num('zh-CN', '4')} PCS`, 10_000);
    expect(await page.locator(`${row} [data-field="customer"]`).textContent()).toContain('CUST-T');
    expect(page.url()).toContain('view=documents');
    await page.locator(`#trace-docs-workOrders [data-wo="${finished.workOrderCode}"]`).waitFor();
    await page.locator(`#trace-docs-workOrders [data-wo="${running.code}"]`).waitFor();
    // The NCR against the supplier, linked to the quality page.
    await page
      .locator(`#trace-ncrs tr[data-ncr="${ncr.code}"] a[href="/quality?view=ncr&ncr=${ncr.id}"]`)
      .waitFor({ timeout: 10_000 });
    await screenshot(page, 'trace-02-documents-zh');
    // The link opens the NCR on the quality page, and Back returns to the trace's documents.
    await page.click(`#trace-ncrs tr[data-ncr="${ncr.code}"] a`);
    await page.locator('#ncr-title').filter({ hasText: ncr.code }).waitFor({ timeout: 10_000 });
    await page.goBack();
    await page.locator(`#trace-ncrs tr[data-ncr="${ncr.code}"]`).waitFor({ timeout: 10_000 });
  });

  it('takes a scan anywhere on the page: the finished lot, traced back to the steel', async () => {
    const { page } = w;
    await page.click('#trace-tab-genealogy');
    await page.click('#trace-title'); // focus leaves the field: the scanner types into the page
    await page.keyboard.type(finished.code, { delay: 5 });
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/trace?lot=${encodeURIComponent(finished.code)}`, { timeout: 10_000 });
    await waitForText(page, '#trace-lot-title', finished.code, 10_000);
    const backward = await trace(finished.code, 'backward');
    const rows = page.locator('#trace-table-backward tbody tr');
    await rows.first().waitFor({ timeout: 10_000 });
    expect(
      (await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.lot))).sort(),
    ).toEqual(backward.nodes.map((n) => n.code).sort());
    const steelRow = `#trace-table-backward tr[data-lot="${STEEL}"]`;
    expect(await page.locator(`${steelRow}`).textContent()).toContain('HEAT-4711');
    await waitForText(page, '#trace-lot [data-field="workOrder"]', finished.workOrderCode);
    await page.locator('#trace-graph canvas').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(600); // the graph's entry animation
    await screenshot(page, 'trace-03-backward-scan');

    // Typing by hand (slow keys) outside the field is not a scan.
    await page.click('#trace-title');
    await page.keyboard.type('ABCD', { delay: 150 });
    await page.keyboard.press('Enter');
    expect(page.url()).toContain(`lot=${encodeURIComponent(finished.code)}`);

    // A lot of the table re-centres the page on it; the back button returns.
    await page.click(`${steelRow} a[data-trace-lot="${STEEL}"]`);
    await page.waitForURL(`**/trace?lot=${STEEL}`);
    await waitForText(page, '#trace-lot-title', STEEL, 10_000);
    await page.goBack();
    await waitForText(page, '#trace-lot-title', finished.code, 10_000);
  });

  it('shows the recall scope with the API’s figures, exports it as the API’s CSV, and holds it', async () => {
    const { page } = w;
    await page.goto(`/trace?lot=${STEEL}&view=recall`);
    const scope = await recall();
    const figure = (name: string) => `#recall-figures [data-value="${name}"]`;
    await waitForText(page, figure('lots'), num('zh-CN', scope.summary.lots), 10_000);
    await waitForText(page, figure('inStock'), num('zh-CN', scope.summary.inStock.lots));
    await waitForText(page, figure('wip'), num('zh-CN', scope.summary.wip.lots));
    await waitForText(page, figure('shipped'), num('zh-CN', scope.summary.shipped.lots));
    await waitForText(page, figure('toHold'), num('zh-CN', scope.summary.toHold));
    expect(scope.summary.shipped).toEqual({ customers: 1, lots: 1, shipments: 1 });
    expect(scope.summary.wip.workOrders).toBe(1);
    expect(scope.customers).toEqual([
      expect.objectContaining({ customerCode: 'CUST-T', lots: [finished.code] }),
    ]);
    await page.locator('#recall-customers tr[data-customer="CUST-T"]').waitFor();
    await page.locator(`#recall-wip tr[data-wo="${running.code}"]`).waitFor();
    const lotRows = await page
      .locator('#recall-lots tbody tr')
      .evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.lot));
    expect(lotRows).toEqual(scope.lots.map((l) => l.code));
    await screenshot(page, 'trace-04-recall-zh');

    // The export is written in the browser from the API's answer: the same document as the API's own CSV.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#recall-export')]);
    expect(download.suggestedFilename()).toBe(`${STEEL}-recall.csv`);
    const csv = readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '');
    const server = await t.http
      .post('/api/v1/trace/recall.csv')
      .set(as('quality'))
      .send({ lot: STEEL })
      .expect(200);
    expect(csv).toBe(server.text);
    expect(csv).toContain(`${finished.code},1,HOUSING,available,6,PCS,,,shipped,CUST-T,4,`);

    // Holding needs a reason: the API's field error is shown and nothing changes.
    await page.click('#recall-hold-open');
    await page.click('#recall-hold-submit');
    await page.locator('#recall-hold-problem .problem').waitFor({ timeout: 10_000 });
    expect(await page.locator('#recall-hold-problem').textContent()).toContain('reason');
    expect(w.takeProblems().filter((p) => !/status of 400/.test(p))).toEqual([]);
    expect((await recall()).summary.toHold).toBe(scope.summary.toHold);

    await page.fill('#recall-hold-reason', 'Supplier notice SN-88: cracks in heat 4711');
    await page.check('#recall-hold-orders');
    await screenshot(page, 'trace-05-hold-form');
    await page.click('#recall-hold-submit');
    const inHand = scope.lots.filter((l) => l.holdable).map((l) => l.code);
    await waitForText(page, figure('toHold'), num('zh-CN', 0), 10_000);
    await page.locator('#recall-hold-result').waitFor();
    expect(await page.locator('#recall-hold-result [data-field="held"]').textContent()).toContain(
      num('zh-CN', inHand.length),
    );
    for (const code of inHand) {
      const lot = await t.http
        .get(f.url(`lots/${code}`))
        .set(as('viewer'))
        .expect(200);
      expect(lot.body).toMatchObject({ status: 'hold' });
      await waitForText(page, `#recall-lots tr[data-lot="${code}"] [data-field="status"]`, '冻结');
    }
    const order = await t.http
      .get(f.url(`work-orders/${running.id}`))
      .set(as('viewer'))
      .expect(200);
    expect(order.body).toMatchObject({ status: 'held' });
    await screenshot(page, 'trace-06-held');
  });

  it('switches to English and back; labels follow without a reload', async () => {
    const { page } = w;
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await page.selectOption('#locale-select', 'en');
    await waitForText(page, '#trace-title', 'Trace');
    await waitForText(page, '#trace-tab-recall', 'Recall scope');
    await waitForText(page, '#recall-figures [data-figure="lots"] dt', 'Affected lots');
    await waitForText(page, '#trace-input-label', 'Lot or serial number');
    await page.click('#trace-tab-genealogy');
    await waitForText(page, '#trace-table-forward-title', 'Where it went (forward trace)', 10_000);
    await page.locator('#trace-graph canvas').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(600); // the graph's entry animation
    await screenshot(page, 'trace-07-genealogy-en');
    await page.selectOption('#locale-select', 'zh-CN');
    await waitForText(page, '#trace-title', '追溯');
    await waitForText(page, '#trace-tab-recall', '召回范围');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
  });

  it('says plainly when nothing has the code', async () => {
    const { page } = w;
    await page.fill('#trace-input', 'NO-SUCH-LOT-9');
    await page.press('#trace-input', 'Enter');
    await waitForText(
      page,
      '#trace-problem .problem-detail',
      '未找到“NO-SUCH-LOT-9”：您的工厂中没有此批次号或序列号。',
      10_000,
    );
    // The browser reports the API's 404 answers itself; nothing else went wrong.
    expect(w.takeProblems().filter((p) => !/status of 404/.test(p))).toEqual([]);
  });

  it('traces a serial number through its lot, and the address names the serial', async () => {
    const { page } = w;
    await page.fill('#trace-input', 'M-0002');
    await page.press('#trace-input', 'Enter');
    await waitForText(page, '#trace-lot-title', 'MOT-1', 10_000);
    await page.waitForURL('**/trace?serial=M-0002');
    await waitForText(page, '#trace-lot [data-field="serial"]', '序列号 M-0002');
    await page.locator('#trace-asbuilt-title').waitFor();
    // The browser reports the lot lookup's 404 itself (the code is no lot); nothing else went wrong.
    expect(w.takeProblems().filter((p) => !/status of 404/.test(p))).toEqual([]);
  });

  it('lets a viewer see the recall scope without the hold, on a tablet held upright', async () => {
    const viewer = await signedIn('viewer');
    try {
      const { page } = viewer;
      await page.setViewportSize({ width: 800, height: 1280 });
      await page.goto(`/trace?lot=${STEEL}&view=recall`);
      const scope = await recall();
      await waitForText(
        page,
        '#recall-figures [data-value="lots"]',
        num('zh-CN', scope.summary.lots),
        10_000,
      );
      expect(await page.locator('#recall-hold-open').count()).toBe(0);
      // Reading again shows the same scope (a viewer may look, not hold).
      await page.click('#trace-refresh');
      await waitForText(
        page,
        '#recall-figures [data-value="lots"]',
        num('zh-CN', scope.summary.lots),
        10_000,
      );
      await page.locator('#recall-export').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(overflow).toBe(false);
      await screenshot(page, 'trace-08-viewer-tablet');
      await page.click('#trace-tab-genealogy');
      await page.locator('#trace-graph canvas').waitFor({ timeout: 10_000 });
      await page.waitForTimeout(600); // the graph's entry animation
      expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
      await screenshot(page, 'trace-09-viewer-tablet-graph');
      expect(viewer.takeProblems()).toEqual([]);
    } finally {
      await viewer.context.close();
    }
  });
});
