import type { Browser, Page } from 'playwright-core';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { eventually } from '../support/eventually';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

const WAIT = 15_000;

/**
 * The warehouse person's day in the browser (embedded warehouse): a release makes its pick task appear live,
 * the task is picked by scanning a lot, a short pick reports the shortage, a count with a difference goes to
 * the supervisor, who approves it in the page. What the page shows and does is checked against the API.
 */
describe('ui: the warehouse page in the browser', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;
  const watched: WatchedPage[] = [];
  let quarantine: { id: string; code: string };

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const num = (locale: string, value: string | number) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(Number(value));

  async function signIn(page: Page, role: keyof ProductionFactory['users']) {
    const me = await t.http.get('/api/v1/auth/me').set(as(role)).expect(200);
    const session = {
      token: f.users[role].token,
      expiresAt: Date.now() + 3_600_000,
      user: { name: me.body.name, username: me.body.username, roles: me.body.roles },
      siteId: f.site.id,
    };
    await page.addInitScript((value) => {
      if (!sessionStorage.getItem('mom.session')) sessionStorage.setItem('mom.session', value);
    }, JSON.stringify(session));
  }

  async function open(role: keyof ProductionFactory['users'], locale = 'en'): Promise<WatchedPage> {
    const page = await openPage(browser, { baseURL: t.url, locale });
    watched.push(page);
    await signIn(page.page, role);
    return page;
  }

  async function release(quantity: string) {
    const created = await t.http
      .post(f.url('work-orders'))
      .set(as('planner'))
      .send({ material: 'SA-100', quantity, dueAt: new Date(Date.now() + 48 * 3_600_000).toISOString() })
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
      .send({ allowShortage: true, reason: 'warehouse decides' })
      .expect(200);
    return { id, code: created.body.code as string };
  }

  const taskOf = async (workOrderId: string) =>
    (
      await t.http
        .get(f.url(`wms/pick-tasks?workOrderId=${workOrderId}`))
        .set(as('viewer'))
        .expect(200)
    ).body[0] as {
      id: string;
      status: string;
      note: string | null;
      lines: Array<{
        lineNo: number;
        materialCode: string;
        deliveredQty: string;
        shortQty: string;
        openQty: string;
      }>;
    };
  const lotOf = async (code: string) =>
    (
      await t.http
        .get(f.url(`lots/${code}`))
        .set(as('viewer'))
        .expect(200)
    ).body as { quantity: string; balances: Array<{ locationId: string; quantity: string }> };
  const at = (lot: { balances: Array<{ locationId: string; quantity: string }> }, locationId: string) =>
    lot.balances.find((b) => b.locationId === locationId)?.quantity;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    f = await productionFactory(t);
    const created = await t.http
      .post(f.url('locations'))
      .set(as('admin'))
      .send({ code: 'QZ', name: 'Quarantine zone', locationType: 'quarantine' })
      .expect(201);
    quarantine = created.body;
    for (const [material, quantity, location, lotCode, expiryDate] of [
      ['SHAFT', '100', 'WH', 'WH-SH-1', '2031-12-31'],
      ['SHAFT', '30', 'WH', 'WH-SH-2', '2030-06-30'],
      ['GREASE', '10', 'WH', 'WH-GR-1', undefined],
      ['SHAFT', '10', 'QZ', 'CNT-1', undefined],
    ] as const) {
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material, quantity, location, lotCode, ...(expiryDate ? { expiryDate } : {}) })
        .expect(201);
    }
    w = await open('warehouse');
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    for (const page of watched) expect(page.takeProblems()).toEqual([]);
  });

  it('shows a released work order’s pick task live and confirms it by scanning a lot', async () => {
    const { page } = w;
    await page.goto('/warehouse');
    await waitForText(page, '#warehouse-title', 'Warehouse');
    await page.locator('#wh-tasks-empty').waitFor({ timeout: WAIT });
    await page.waitForFunction(
      () => document.getElementById('live-status')?.classList.contains('live'),
      null,
      {
        timeout: WAIT,
      },
    );

    const wo = await release('20');
    const row = page.locator(`#wh-task-table tr[data-wo="${wo.code}"]`);
    await row.waitFor({ timeout: WAIT });
    const task = await eventually(async () => {
      const x = await taskOf(wo.id);
      return x?.status === 'sent' ? x : undefined;
    }, 'task sent');
    await page.waitForSelector(`#wh-task-table tr[data-wo="${wo.code}"][data-status="sent"]`, {
      timeout: WAIT,
    });
    await waitForText(page, `#wh-task-table tr[data-wo="${wo.code}"] [data-field="status"]`, 'New');

    await row.locator('.wh-open-task').click();
    await page.locator('#wh-task-detail').waitFor();
    // FEFO/FIFO suggestion from the API: the lot the pick would take.
    const suggestions = (
      await t.http
        .get(f.url(`wms/pick-tasks/${task.id}/suggestions`))
        .set(as('viewer'))
        .expect(200)
    ).body as Array<{ lineNo: number; allocations: Array<{ lotCode: string }> }>;
    const shaftLine = task.lines.find((l) => l.materialCode === 'SHAFT')!;
    const suggested = suggestions.find((s) => s.lineNo === shaftLine.lineNo)!.allocations[0]!.lotCode;
    await page
      .locator(`#wh-pick-lines tr[data-material="SHAFT"] [data-field="suggestion"] [data-lot="${suggested}"]`)
      .waitFor();
    expect(await page.locator('#wh-view').innerText()).not.toMatch(/\bnull\b|undefined/);
    await screenshot(page, 'warehouse-01-pick-task');

    // The scanner types the lot (the other lot than suggested) into the focused field.
    const scanned = suggested === 'WH-SH-2' ? 'WH-SH-1' : 'WH-SH-2';
    await page.fill(`#wh-lot-${shaftLine.lineNo}`, scanned);
    await expectValue(page, `#wh-qty-${shaftLine.lineNo}`, '20');
    await page.click('#wh-confirm-pick');
    await waitForText(page, '#wh-notice', `${wo.code}: material delivered to the line.`, WAIT);

    const done = await taskOf(wo.id);
    expect(done.status).toBe('delivered');
    expect(Number(done.lines.find((l) => l.materialCode === 'SHAFT')!.deliveredQty)).toBe(20);
    expect(at(await lotOf(scanned), f.locations.lineSide.id)).toBe('20.000000');
    const workOrder = await t.http
      .get(f.url(`work-orders/${wo.id}`))
      .set(as('viewer'))
      .expect(200);
    expect(workOrder.body.status).toBe('ready');
    // Delivered tasks leave the open list.
    await page
      .locator(`#wh-task-table tr[data-wo="${wo.code}"]`)
      .waitFor({ state: 'detached', timeout: WAIT });
  });

  it('a short pick needs a reason and reports the shortage', async () => {
    const { page } = w;
    const wo = await release('30');
    const row = page.locator(`#wh-task-table tr[data-wo="${wo.code}"]`);
    await row.waitFor({ timeout: WAIT });
    await row.locator('.wh-open-task').click();
    await page.locator('#wh-task-detail').waitFor();
    const task = await taskOf(wo.id);
    const shaftLine = task.lines.find((l) => l.materialCode === 'SHAFT')!;
    await page.fill(`#wh-qty-${shaftLine.lineNo}`, '25');
    // Without a reason the page asks for one before anything is sent.
    await page.click('#wh-confirm-pick');
    await waitForText(
      page,
      '#wh-pick-problem .problem-detail',
      'Less than open is picked: give the reason for the short pick.',
    );
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('wh-short-reason');
    expect((await taskOf(wo.id)).status).toBe('sent');

    await page.fill('#wh-short-reason', 'Bin A-3 empty');
    await page.click('#wh-confirm-pick');
    await waitForText(
      page,
      '#wh-notice',
      `${wo.code}: picked what there was; the shortage is reported.`,
      WAIT,
    );
    const short = await taskOf(wo.id);
    expect(short).toMatchObject({ status: 'shortage', note: 'Bin A-3 empty' });
    const line = short.lines.find((l) => l.materialCode === 'SHAFT')!;
    expect(Number(line.shortQty)).toBe(5);
    expect(line.openQty).toBe('5');
    await waitForText(page, `#wh-task-table tr[data-wo="${wo.code}"] [data-field="status"]`, 'Short', WAIT);
    await screenshot(page, 'warehouse-02-short-pick');

    // The shortages view lists it with what is missing.
    await page.click('#wh-tab-shortages');
    await waitForText(
      page,
      `#wh-short-table tr[data-wo="${wo.code}"] [data-field="missing"]`,
      `SHAFT ${num('en', 5)} PCS`,
      WAIT,
    );
    await screenshot(page, 'warehouse-03-shortages');
  });

  it('shows stock by lot and location with the lot’s movements', async () => {
    const { page } = w;
    await page.click('#wh-tab-stock');
    const lots = (await t.http.get(f.url('lots?limit=100')).set(as('viewer')).expect(200)).body
      .items as Array<{ code: string; quantity: string }>;
    for (const lot of lots) {
      await waitForText(
        page,
        `#wh-lot-table tr[data-lot="${lot.code}"] [data-field="onHand"]`,
        `${num('en', lot.quantity)} ${lot.code.startsWith('WH-GR') ? 'KG' : 'PCS'}`,
        WAIT,
      );
    }
    await page.locator('#wh-lot-table tr[data-lot="CNT-1"] button').click();
    await page.locator('#wh-lot-detail[data-lot="CNT-1"]').waitFor();
    await page.locator('#wh-movements tr[data-type="receipt"]').waitFor();
    expect(await page.locator('#wh-view').innerText()).not.toMatch(/\bnull\b|undefined/);
    await screenshot(page, 'warehouse-04-stock');
  });

  it('a count with a difference goes to the supervisor, who approves it in the page', async () => {
    const { page } = w;
    await page.click('#wh-tab-counts');
    await page.locator('#wh-count-form').waitFor({ timeout: WAIT });
    await page.fill('#wh-count-lot', 'CNT-1');
    await page.selectOption('#wh-count-location', 'QZ');
    await page.fill('#wh-count-qty', '8');
    await page.click('#wh-count-submit');
    await page.locator('#wh-count-result[data-discrepancy="true"]').waitFor({ timeout: WAIT });
    const pending = (
      await t.http.get(f.url('inventory/adjustments?status=pending')).set(as('viewer')).expect(200)
    ).body.items as Array<{ code: string; deltaQty: string; lotCode: string }>;
    const adjustment = pending.find((a) => a.lotCode === 'CNT-1')!;
    expect(adjustment.deltaQty).toBe('-2');
    // The warehouse person sees it waiting, without approving it.
    await page.locator(`#wh-adjust-table tr[data-adjustment="${adjustment.code}"]`).waitFor();
    expect(await page.locator('#wh-adjust-table [data-action="approve"]').count()).toBe(0);

    const sup = await open('warehouse_supervisor', 'zh-CN');
    await sup.page.goto('/warehouse?view=counts');
    await waitForText(sup.page, '#warehouse-title', '仓库', WAIT);
    const row = sup.page.locator(`#wh-adjust-table tr[data-adjustment="${adjustment.code}"]`);
    await row.waitFor({ timeout: WAIT });
    await waitForText(
      sup.page,
      `#wh-adjust-table tr[data-adjustment="${adjustment.code}"] [data-field="delta"]`,
      num('zh-CN', -2),
    );
    await screenshot(sup.page, 'warehouse-05-approval-zh');

    // Language switch: labels follow, the figures stay.
    await sup.page.selectOption('#locale-select', 'en');
    await waitForText(sup.page, '#warehouse-title', 'Warehouse');
    await waitForText(sup.page, '#wh-tab-counts', 'Counts');
    await waitForText(sup.page, '#wh-adjust-title', 'Stock adjustments');
    await sup.page.selectOption('#locale-select', 'zh-CN');
    await waitForText(sup.page, '#wh-tab-counts', '盘点');

    await row.locator('[data-action="approve"]').click();
    await sup.page.locator('#wh-adjust-empty').waitFor({ timeout: WAIT });
    const lot = await lotOf('CNT-1');
    expect(at(lot, quarantine.id)).toBe('8.000000');
    const decided = (
      await t.http.get(f.url(`inventory/adjustments?status=approved`)).set(as('viewer')).expect(200)
    ).body.items as Array<{ code: string; status: string }>;
    expect(decided.find((a) => a.code === adjustment.code)?.status).toBe('approved');
  });

  it('the viewer sees the data without any action', async () => {
    const viewer = await open('viewer');
    const { page } = viewer;
    await page.goto('/warehouse?view=shortages');
    await page.locator('#wh-short-table tbody tr').first().waitFor({ timeout: WAIT });
    expect(await page.locator('[data-action]').count()).toBe(0);
    await page.click('#wh-tab-tasks');
    const row = page.locator('#wh-task-table tbody tr').first();
    await row.waitFor({ timeout: WAIT });
    await row.locator('.wh-open-task').click();
    await page.locator('#wh-task-detail').waitFor();
    expect(await page.locator('#wh-confirm-pick, #wh-accept-pick, #wh-pick-form').count()).toBe(0);
    await page.click('#wh-tab-counts');
    await page.locator('#wh-adjust-title').waitFor();
    expect(await page.locator('#wh-count-form, [data-action="approve"]').count()).toBe(0);
    await page.click('#wh-tab-stock');
    await page.locator('#wh-lot-table').waitFor({ timeout: WAIT });
    expect(await page.locator('#wh-receive-open').count()).toBe(0);
    await page.setViewportSize({ width: 800, height: 1280 });
    await screenshot(page, 'warehouse-06-viewer-tablet');
  });
});

async function expectValue(page: Page, selector: string, value: string) {
  expect(await page.inputValue(selector)).toBe(value);
}
