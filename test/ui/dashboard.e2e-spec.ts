import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

const H = 3_600_000;

/**
 * A manager (the viewer role) in the browser: signs in, picks the site and watches the cockpit of the small
 * gearbox cell (line L1) while the shop floor works over the API.
 *
 * Seeded over the API: 100 shafts and 10 kg grease at the line side (shaft safety stock 60, reorder point 80);
 * WO-A 40 SA-100 released, turning 30 good and completed, assembly started with 10 good; WO-B 20 released and
 * not started. Every figure the page shows is compared with what the analytics API answers for the same site.
 */
describe('ui: the dashboard in the browser', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;
  let A: { id: string; code: string; op10: string; op20: string };
  let B: { id: string; code: string; op10: string; op20: string };

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const terminal = async (path: string, body: object = {}) => {
    const res = await t.http
      .post(`/api/v1/terminal/${path}`)
      .set(as('operator'))
      .set('Idempotency-Key', randomUUID())
      .send(body);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const analytics = async (path: string) => {
    const res = await t.http
      .get(`/api/v1/analytics/${path}?siteId=${f.site.id}`)
      .set(as('viewer'))
      .expect(200);
    return res.body;
  };
  async function releasedOrder(quantity: string, dueAt: Date) {
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
      .send({})
      .expect(200);
    const [op10, op20] = (created.body.operations as Array<{ id: string }>).map((o) => o.id) as [
      string,
      string,
    ];
    return { id, code: created.body.code as string, op10, op20 };
  }

  // The page formats with Intl in its locale; so do the expectations.
  const pct = (locale: string, ratio: number | null) =>
    ratio === null
      ? '—'
      : new Intl.NumberFormat(locale, {
          style: 'percent',
          minimumFractionDigits: 1,
          maximumFractionDigits: 1,
        }).format(ratio);
  const num = (locale: string, value: string | number) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(Number(value));

  /** Every figure on the cockpit against the API's answer now. */
  async function expectFiguresFromApi(locale: string) {
    const { page } = w;
    const [progress, kitting, oee, onTime, stock, todos] = await Promise.all([
      analytics('line-progress'),
      analytics('kitting'),
      analytics('oee'),
      analytics('on-time-delivery'),
      analytics('stock-gauges'),
      analytics('todos'),
    ]);
    await waitForText(page, '[data-kpi="kitting-rate"]', pct(locale, kitting.rate));
    await waitForText(page, '[data-kpi="oee"]', pct(locale, oee.total?.oee ?? null));
    await waitForText(page, '[data-kpi="on-time-rate"]', pct(locale, onTime.rate));
    await waitForText(page, '[data-kpi="todos-open"]', num(locale, todos.open));
    for (const wo of progress.workOrders) {
      const row = `#card-lineProgress tr[data-wo="${wo.code}"]`;
      await waitForText(
        page,
        `${row} [data-field="good"]`,
        `${num(locale, wo.goodQty)} / ${num(locale, wo.plannedQty)} ${wo.unit}`,
      );
      await waitForText(page, `${row} [data-field="progress"]`, pct(locale, wo.progress));
    }
    expect(await page.locator('#card-lineProgress tbody tr').count()).toBe(progress.workOrders.length);
    for (const gauge of stock.materials) {
      await waitForText(
        page,
        `#card-stock [data-material="${gauge.code}"] [data-field="available"]`,
        `${num(locale, gauge.available)} ${gauge.unit}`,
      );
    }
    return { progress, kitting, oee, onTime, stock, todos };
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    f = await productionFactory(t);
    for (const [material, quantity, lotCode] of [
      ['SHAFT', '100', 'SH-UI-1'],
      ['GREASE', '10', 'GR-UI-1'],
    ] as const) {
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material, quantity, location: 'LS-L1', lotCode })
        .expect(201);
    }
    const shaft = await t.http
      .get(f.url(`materials/${f.materials.shaft.id}`))
      .set(as('admin'))
      .expect(200);
    await t.http
      .patch(f.url(`materials/${f.materials.shaft.id}`))
      .set(as('admin'))
      .send({ version: shaft.body.version, safetyStock: '60', reorderPoint: '80', lotSize: '100' })
      .expect(200);
    A = await releasedOrder('40', new Date(Date.now() + 48 * H));
    B = await releasedOrder('20', new Date(Date.now() + 72 * H));
    await terminal(`operations/${A.op10}/start`);
    await terminal(`operations/${A.op10}/consume`, { lot: 'SH-UI-1', quantity: '30' });
    await terminal(`operations/${A.op10}/report`, { goodQty: '30' });
    await terminal(`operations/${A.op10}/complete`);
    await terminal(`operations/${A.op20}/start`);
    await terminal(`operations/${A.op20}/report`, { goodQty: '10' });
    w = await openPage(browser, { baseURL: t.url, locale: 'zh-CN' });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    // Every page visited rendered without console errors or uncaught exceptions (CSP refusals included).
    expect(w.takeProblems()).toEqual([]);
  });

  it('signs in (in Chinese, from the browser language), shows a wrong password, then picks the site', async () => {
    const { page } = w;
    await page.goto('/dashboard');
    await page.waitForURL('**/login?next=%2Fdashboard');
    await waitForText(page, '#login-title', '登录');
    await screenshot(page, '01-login-zh');

    await page.fill('#login-username', f.users.viewer.username);
    await page.fill('#login-password', 'not the password');
    await page.click('#login-form button[type="submit"]');
    await waitForText(page, '#login-problem .problem-detail', '用户名或密码错误。');
    // The browser reports the refused sign-in (401) itself; nothing else may have gone wrong.
    expect(w.takeProblems().filter((p) => !/status of 401/.test(p))).toEqual([]);

    await page.fill('#login-password', f.users.viewer.password);
    await page.click('#login-form button[type="submit"]');
    await waitForText(page, '#login-title', '选择工厂');
    const option = page.locator('.site-option', { hasText: f.site.code });
    await option.locator('input[type="radio"]').check();
    await screenshot(page, '02-pick-site');
    await page.click('#site-continue');
    await page.waitForURL('**/dashboard');
    await waitForText(page, '#dashboard-title', '看板');
  });

  it('shows the figures the analytics API gives, with the stock gauges drawn by ECharts', async () => {
    const { page } = w;
    const figures = await expectFiguresFromApi('zh-CN');
    expect(figures.progress.workOrders.map((wo: { code: string }) => wo.code)).toContain(A.code);
    await waitForText(page, `tr[data-wo="${A.code}"] [data-field="progress"]`, pct('zh-CN', 0.25));
    expect(figures.stock.materials.map((m: { code: string }) => m.code)).toContain('SHAFT');
    await page.locator('#card-stock [data-material="SHAFT"] .gauge-chart canvas').waitFor();
    // Only pages that exist are in the navigation.
    expect(
      await page.locator('.main-nav a').evaluateAll((links) => links.map((a) => a.getAttribute('href'))),
    ).toEqual(['/dashboard', '/planner', '/quality', '/maintenance', '/trace', '/warehouse']);
    await waitForText(page, '#live-status', '实时');
    await screenshot(page, '03-dashboard-zh');
  });

  it('updates live, without a reload, when the shop floor reports and a work order is released', async () => {
    const { page } = w;
    await page.waitForFunction(
      (room) => (document.getElementById('live-status')?.dataset.rooms ?? '').split(' ').includes(room),
      `line:${f.line.id}`,
    );
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    // A terminal report at the last operation: line progress (operation.progress on the line's room).
    await terminal(`operations/${A.op20}/report`, { goodQty: '5', scrapQty: '1', scrapReasonCode: 'S-DIM' });
    await waitForText(page, `tr[data-wo="${A.code}"] [data-field="progress"]`, pct('zh-CN', 0.375));
    await waitForText(page, `tr[data-wo="${A.code}"] [data-field="good"]`, '15 / 40 PCS');
    await waitForText(page, `tr[data-wo="${A.code}"] [data-field="scrap"]`, '1');

    // The operator pauses WO-A; WO-B starts and takes 15 shafts: 55 left, below the safety stock of 60
    // (stock.alert to the site), and the shipped safety-stock rule opens a purchase requisition todo.
    await terminal(`operations/${A.op20}/pause`, { reasonCode: 'P-BREAK' });
    await terminal(`operations/${B.op10}/start`);
    await terminal(`operations/${B.op10}/consume`, { lot: 'SH-UI-1', quantity: '15' });
    await waitForText(page, '#card-stock [data-material="SHAFT"] [data-field="available"]', '55 PCS');
    await waitForText(page, '#card-stock [data-count="below_safety"]', '低于安全库存 1');
    await page.locator('#card-todos [data-kind="purchase_requisition"]').waitFor({ timeout: 5000 });
    await page.locator('#card-todos .todo-list li').first().waitFor();

    // A new order released: its status change reaches the site room; kitting and line progress follow.
    const C = await releasedOrder('5', new Date(Date.now() + 96 * H));
    await page.locator(`tr[data-wo="${C.code}"]`).waitFor({ timeout: 5000 });
    await expectFiguresFromApi('zh-CN');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await screenshot(page, '04-dashboard-live');
  });

  it('switches to English and back to 中文, labels and numbers in the chosen language, remembered', async () => {
    const { page } = w;
    await page.selectOption('#locale-select', 'en');
    await waitForText(page, '#dashboard-title', 'Dashboard');
    await waitForText(page, '#card-kitting-title', 'Kitting rate');
    await waitForText(page, '.main-nav a', 'Dashboard');
    await waitForText(page, '#live-status', 'Live');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await expectFiguresFromApi('en');
    await screenshot(page, '05-dashboard-en');

    await page.selectOption('#locale-select', 'zh-CN');
    await waitForText(page, '#dashboard-title', '看板');
    await waitForText(page, '#card-kitting-title', '齐套率');
    await waitForText(page, '#card-lineProgress-title', '产线进度');

    await page.selectOption('#locale-select', 'en');
    await page.reload();
    await waitForText(page, '#dashboard-title', 'Dashboard');
    await expectFiguresFromApi('en');
    await page.selectOption('#locale-select', 'zh-CN');
    await waitForText(page, '#dashboard-title', '看板');
  });

  it('lays the cockpit out on a 10-inch tablet held upright', async () => {
    const { page } = w;
    await page.setViewportSize({ width: 800, height: 1280 });
    await waitForText(page, '#dashboard-title', '看板');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    await screenshot(page, '06-dashboard-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("opens every page of the viewer's navigation without an error, and comes back", async () => {
    const { page } = w;
    for (const name of ['planner', 'quality', 'maintenance', 'trace', 'warehouse', 'todos']) {
      // The todos are reached from the header's todo count, the other pages from the navigation.
      await page.click(name === 'todos' ? '#todo-link' : `.main-nav a[href="/${name}"]`);
      await page.waitForURL(`**/${name}`);
      await page.locator(`#${name}-title`).waitFor({ timeout: 10_000 });
      if (name !== 'todos') {
        expect(await page.locator('.main-nav a[aria-current="page"]').getAttribute('href')).toBe(`/${name}`);
      }
      // Let the page finish its reads before leaving it.
      await page.waitForLoadState('networkidle');
      expect([name, w.takeProblems()]).toEqual([name, []]);
    }
    await page.click('.main-nav a[href="/dashboard"]');
    await waitForText(page, '#dashboard-title', '看板');
  });

  it('answers an unknown page with "page not found" and signs out', async () => {
    const { page } = w;
    await page.goto('/no/such/page');
    await waitForText(page, '#not-found-title', '页面不存在');
    await screenshot(page, '07-not-found');
    await page.click('#not-found-title ~ a');
    await page.waitForURL('**/dashboard');
    await page.click('.user-menu summary');
    await page.click('#sign-out');
    await page.waitForURL('**/login');
    await page.goto('/dashboard');
    await page.waitForURL('**/login?next=%2Fdashboard');
    await waitForText(page, '#login-title', '登录');
  });
});
