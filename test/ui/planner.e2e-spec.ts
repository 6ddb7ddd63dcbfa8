import type { Browser, Page } from 'playwright-core';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

const H = 3_600_000;

interface Bar {
  operationId: string;
  workOrderCode: string;
}

/**
 * The planner board in the browser: a planner signs in, sees the open orders (a late one marked), runs the APS
 * and watches it finish, reads the Gantt (the same operations the API's Gantt answer has, by machine and by
 * work order), publishes it, inserts a rush order created on the page and reads its impact before accepting,
 * runs a what-if and compares it side by side with the live plan, switches the language; a viewer sees the
 * plans without a single action button.
 *
 * Seeded over the API: three released SA-100 orders of 160 pieces (two hours of turning each), the first due
 * in one hour (it cannot be on time).
 */
describe('ui: the planner board in the browser', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;
  const orders: Array<{ id: string; code: string }> = [];
  let scheduleId = '';

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const plan = (path: string) => f.url(`planning/${path}`);
  const get = async (path: string) => (await t.http.get(path).set(as('planner')).expect(200)).body;
  const num = (locale: string, value: string | number) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(Number(value));

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
      .send({ allowShortage: true })
      .expect(200);
    return { id, code: created.body.code as string };
  }

  async function signIn(page: Page, role: 'planner' | 'viewer', next: string) {
    await page.goto(next);
    await page.waitForURL('**/login?next=**');
    await page.fill('#login-username', f.users[role].username);
    await page.fill('#login-password', f.users[role].password);
    await page.click('#login-form button[type="submit"]');
    const option = page.locator('.site-option', { hasText: f.site.code });
    await option.locator('input[type="radio"]').check();
    await page.click('#site-continue');
    await page.waitForURL(`**${next}`);
  }

  /** The Gantt `name` shows exactly the operations of the API's answer for the same version and rows. */
  async function expectGanttLikeApi(
    page: Page,
    name: string,
    versionId: string,
    by: 'machine' | 'workorder',
  ) {
    const answer = await get(plan(`gantt?versionId=${versionId}&by=${by}`));
    const bars = (answer.rows as Array<{ bars: Bar[] }>).flatMap((r) => r.bars);
    expect(bars.length).toBeGreaterThan(0);
    const chart = page.locator(`[data-gantt="${name}"]`);
    await page.waitForFunction(
      ([n, rows, count]) => {
        const el = document.querySelector<HTMLElement>(`[data-gantt="${n}"]`);
        return el?.dataset.drawn === 'true' && el.dataset.rows === rows && el.dataset.bars === count;
      },
      [name, String(answer.rows.length), String(bars.length)] as const,
      { timeout: 15000 },
    );
    await chart.locator('canvas').first().waitFor({ timeout: 10000 });
    const box = page.locator(`.gantt:has([data-gantt="${name}"])`);
    const shown = await box
      .locator('tr[data-op]')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.op).sort());
    expect(shown).toEqual(bars.map((b) => b.operationId).sort());
    const codes = await box
      .locator('tr[data-op]')
      .evaluateAll((rows) => [...new Set(rows.map((r) => (r as HTMLElement).dataset.wo))].sort());
    expect(codes).toEqual([...new Set(bars.map((b) => b.workOrderCode))].sort());
    return answer;
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    f = await productionFactory(t);
    orders.push(await releasedOrder('160', new Date(Date.now() + 1 * H)));
    orders.push(await releasedOrder('160', new Date(Date.now() + 48 * H)));
    orders.push(await releasedOrder('160', new Date(Date.now() + 72 * H)));
    w = await openPage(browser, { baseURL: t.url, locale: 'zh-CN' });
  }, 120000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    expect(w.takeProblems()).toEqual([]);
  });

  it('signs the planner in: no plan yet, the open orders with their moves', async () => {
    const { page } = w;
    await signIn(page, 'planner', '/planner');
    await waitForText(page, '#planner-title', '计划看板', 10000);
    await page.locator('#live-plan-none').waitFor({ timeout: 10000 });
    await page.click('#tab-orders');
    for (const o of orders) await page.locator(`#orders-table tr[data-wo="${o.code}"]`).waitFor();
    // Not planned yet and not past due: nothing is late.
    expect(await page.locator('#orders-table [data-late="true"]').count()).toBe(0);
    expect(await page.locator(`tr[data-wo="${orders[0]!.code}"] button[data-action="hold"]`).count()).toBe(1);
    await screenshot(page, 'planner-01-orders-zh');
  });

  it('runs a schedule, shows its progress and result, and the Gantt has the operations the API planned', async () => {
    const { page } = w;
    await page.click('#tab-schedule');
    await page.fill('#run-seconds', '2');
    await page.click('#run-start');
    // The run is followed: queued/running with its progress, then its result.
    await page.locator('#run-result [data-status]').first().waitFor({ timeout: 10000 });
    await page.locator('#run-result [data-status="succeeded"]').waitFor({ timeout: 60000 });
    const versions = await get(plan('versions?kind=live'));
    const version = versions.items[0];
    scheduleId = version.id;
    expect(version.status).toBe('succeeded');
    await waitForText(
      page,
      '#run-result [data-kpi="lateOrders"]',
      `${num('zh-CN', version.kpis.lateOrderCount)} / ${num('zh-CN', version.kpis.orderCount)}`,
    );
    await waitForText(page, '#run-result [data-kpi="operations"]', num('zh-CN', version.kpis.operationCount));
    expect(version.kpis.operationCount).toBe(6);

    const byMachine = await expectGanttLikeApi(page, 'schedule', scheduleId, 'machine');
    expect(byMachine.rows.map((r: { code: string }) => r.code)).toEqual(['PRESS-1', 'LATHE-1']);
    await screenshot(page, 'planner-02-gantt-machine');
    await page.click('#gantt-by-workorder');
    const byOrder = await expectGanttLikeApi(page, 'schedule', scheduleId, 'workorder');
    expect(byOrder.rows.map((r: { code: string }) => r.code).sort()).toEqual(
      orders.map((o) => o.code).sort(),
    );
    await screenshot(page, 'planner-03-gantt-order');
    await page.click('#gantt-by-machine');
  });

  it('publishes the schedule: it is the live plan, in the header and for the API; late orders are marked', async () => {
    const { page } = w;
    await page.click('#run-result button[data-action="publish"]');
    const code = (await get(plan(`versions/${scheduleId}`))).code as string;
    await waitForText(page, '#live-plan-code', code, 10000);
    const live = await get(plan('live'));
    expect(live.id).toBe(scheduleId);
    await page.locator(`.planner-versions tr[data-version="${code}"] [data-live="true"]`).waitFor();
    // The orders now carry their planned times.
    await page.click('#tab-orders');
    const wo = await get(f.url(`work-orders/${orders[1]!.id}`));
    expect(wo.plannedEnd).not.toBeNull();
    await page.locator(`tr[data-wo="${orders[1]!.code}"] td:nth-of-type(6) time`).waitFor({ timeout: 10000 });
    // Due in an hour, planned to end hours later: late; an order the plan finishes in time is not.
    const first = await get(f.url(`work-orders/${orders[0]!.id}`));
    expect(Date.parse(first.plannedEnd)).toBeGreaterThan(Date.parse(first.dueAt));
    await page.locator(`tr[data-wo="${orders[0]!.code}"] [data-late="true"]`).waitFor();
    const onTime = Date.parse(wo.plannedEnd) <= Date.parse(wo.dueAt);
    expect(await page.locator(`tr[data-wo="${orders[1]!.code}"] [data-late="true"]`).count()).toBe(
      onTime ? 0 : 1,
    );
    await screenshot(page, 'planner-04-published');
  });

  it('creates a rush order on the page, computes its insertion and shows the impact before accepting it', async () => {
    const { page } = w;
    await page.click('#tab-rush');
    await page.click('#rush-new-order');
    await page.locator('#order-form').waitFor();
    await page.fill('#order-material', 'SA-100');
    await page.fill('#order-quantity', '40');
    await page.click('#order-submit');
    // Created as a draft, and back on the rush tab with the new order chosen.
    await page.locator('#panel-rush:not([hidden])').waitFor({ timeout: 10000 });
    const created = (await get(f.url('work-orders?status=draft'))).items[0] as { id: string; code: string };
    await page.waitForFunction(
      (id) => document.querySelector<HTMLSelectElement>('#rush-order')?.value === id,
      created.id,
      { timeout: 10000 },
    );
    await page.fill('#rush-frozen', '0');
    await page.fill('#rush-seconds', '1');
    await page.click('#rush-insert');
    await page.locator('#rush-impact .impact').waitFor({ timeout: 60000 });
    const rush = (await get(plan('versions?kind=live'))).items[0] as { id: string; code: string };
    const impact = await get(plan(`rush-inserts/${rush.id}/impact`));
    expect(impact.rushOrder.code).toBe(created.code);
    await waitForText(page, '#rush-impact [data-figure="slipped"]', num('zh-CN', impact.slipped.length));
    await waitForText(page, '#rush-impact [data-figure="newlyLate"]', num('zh-CN', impact.newlyLate.length));
    await waitForText(page, '#rush-impact [data-figure="unchanged"]', num('zh-CN', impact.unchanged));
    expect(await page.locator('#rush-slipped tbody tr').count()).toBe(impact.slipped.length);
    await page.locator(`#rush-impact [data-rush="${created.code}"]`).waitFor();
    await expectGanttLikeApi(page, 'rush', rush.id, 'machine');
    await screenshot(page, 'planner-05-rush-impact');

    await page.click('#rush-apply');
    await page.locator('#rush-applied').waitFor({ timeout: 10000 });
    await waitForText(page, '#live-plan-code', `${rush.code} · Rush ${created.code}`, 10000);
    const live = await get(plan('live'));
    expect(live.id).toBe(rush.id);
    const wo = await get(f.url(`work-orders/${created.id}`));
    expect(wo.priority).toBe('rush');
  });

  it('runs a what-if and compares it with the live plan: key figures and two Gantt columns', async () => {
    const { page } = w;
    await page.click('#tab-whatif');
    await page.fill('#scenario-name', 'Lathe down tomorrow morning');
    await page.selectOption('#change-type', 'machine_down');
    await page.waitForFunction(
      () => document.querySelector<HTMLSelectElement>('#change-equipment')?.options.length === 3,
      undefined,
      { timeout: 10000 },
    );
    await page.selectOption('#change-equipment', f.equipment.lathe.id);
    await page.click('#change-add');
    await page.locator('#scenario-changes li').waitFor();
    await page.fill('#scenario-seconds', '1');
    await page.click('#scenario-run');
    const row = page.locator('.planner-scenarios tr[data-status="succeeded"]');
    await row.waitFor({ timeout: 60000 });
    const scenario = (await get(plan('versions?kind=scenario'))).items[0] as {
      id: string;
      code: string;
      changes: unknown[];
    };
    expect(scenario.changes).toHaveLength(1);
    await row.locator('button[data-action="compare"]').click();
    await page.locator('#compare-cols:not([hidden])').waitFor({ timeout: 10000 });
    const live = await get(plan('live'));
    const compared = await get(plan(`versions/${scenario.id}/compare?with=${live.id}`));
    await waitForText(
      page,
      '#compare-kpis tr[data-kpi="lateOrderCount"] td[data-side="left"]',
      num('zh-CN', compared.kpis.lateOrderCount.left),
    );
    await waitForText(
      page,
      '#compare-kpis tr[data-kpi="lateOrderCount"] td[data-side="right"]',
      num('zh-CN', compared.kpis.lateOrderCount.right),
    );
    expect(await page.locator('#compare-cols .compare-col').count()).toBe(2);
    await expectGanttLikeApi(page, 'left', live.id, 'machine');
    await expectGanttLikeApi(page, 'right', scenario.id, 'machine');
    expect(await page.locator('#compare-orders tbody tr').count()).toBe(compared.orders.length);
    await page.locator('#compare').scrollIntoViewIfNeeded();
    await screenshot(page, 'planner-06-whatif-compare');
  });

  it('switches to English and back, labels in the chosen language', async () => {
    const { page } = w;
    await page.selectOption('#locale-select', 'en');
    await waitForText(page, '#planner-title', 'Planner board');
    await waitForText(page, '#tab-whatif', 'What-if');
    await waitForText(page, '#compare-kpis tr[data-kpi="lateOrderCount"] th', 'Late orders');
    await page.click('#tab-schedule');
    await waitForText(page, '#gantt-by-machine', 'By machine');
    await page.locator('[data-gantt="schedule"] canvas').first().waitFor();
    await screenshot(page, 'planner-07-en');
    await page.selectOption('#locale-select', 'zh-CN');
    await waitForText(page, '#planner-title', '计划看板');
    await waitForText(page, '#tab-schedule', '排产与甘特图');
  });

  it('fits a 10-inch tablet', async () => {
    const { page } = w;
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.click('#tab-schedule');
    await page.locator('[data-gantt="schedule"] canvas').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'planner-08-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('shows a viewer the plans without any action button', async () => {
    const viewer = await openPage(browser, { baseURL: t.url, locale: 'en' });
    try {
      const { page } = viewer;
      await signIn(page, 'viewer', '/planner');
      await waitForText(page, '#planner-title', 'Planner board', 10000);
      await page.locator('#planner-read-only').waitFor();
      const live = await get(plan('live'));
      await expectGanttLikeApi(page, 'schedule', live.id, 'machine');
      for (const tab of ['schedule', 'orders', 'rush', 'whatif']) {
        await page.click(`#tab-${tab}`);
        await page.locator(`#panel-${tab}:not([hidden])`).waitFor();
        if (tab === 'orders') await page.locator(`#orders-table tr[data-wo="${orders[0]!.code}"]`).waitFor();
        if (tab === 'whatif') await page.locator('.planner-scenarios tbody tr').first().waitFor();
      }
      // Looking (show a version, compare plans) is for everyone; nothing that changes a plan or an order.
      const actions = await page
        .locator('[data-action]')
        .evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.action));
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => a !== 'show' && a !== 'compare')).toEqual([]);
      for (const id of ['#run-form', '#order-new', '#rush-form', '#scenario-form', '#rush-insert']) {
        expect([id, await page.locator(id).count()]).toEqual([id, 0]);
      }
      await screenshot(page, 'planner-09-viewer');
      expect(viewer.takeProblems()).toEqual([]);
    } finally {
      await viewer.context.close();
    }
  });
});
