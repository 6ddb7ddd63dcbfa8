import type { Browser } from 'playwright-core';
import { TransactionRunner } from '../../src/platform/database/transaction-runner';
import { ProductionFacade } from '../../src/production/production.facade';
import { createUser, unique, type TestUser } from '../support/builders';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

const H = 3_600_000;

/**
 * The operator terminal in the browser: an administrator registers the browser as the terminal of work center
 * TURN, an operator signs in with badge + PIN, starts turning of a released order, scans a shaft lot, reports
 * with the keypad, keeps reporting while the network is away (the queue replays in order with the same
 * Idempotency-Keys: nothing counts twice), completes the operation, classifies a stop the machine reported
 * itself and switches the language.
 */
describe('ui: the operator terminal in the browser', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;
  let operator: TestUser;
  let A: { id: string; code: string; op10: string; op20: string };
  const pin = '2468';
  const lotCode = unique('SH-T-').slice(0, 40);

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const operationOf = async (id: string) =>
    (await t.http.get(`/api/v1/terminal/operations/${id}`).set(as('operator')).expect(200)).body as {
      goodQty: string;
      scrapQty: string;
      status: string;
    };
  async function releasedOrder(quantity: string, dueAt: Date) {
    const created = await t.http
      .post(f.url('work-orders'))
      .set(as('planner'))
      .send({ material: 'SA-100', quantity, dueAt: dueAt.toISOString() })
      .expect(201);
    const id = created.body.id as string;
    for (const step of ['plan', 'release']) {
      await t.http
        .post(f.url(`work-orders/${id}/${step}`))
        .set(as('planner'))
        .send({})
        .expect(200);
    }
    const [op10, op20] = (created.body.operations as Array<{ id: string }>).map((o) => o.id) as [
      string,
      string,
    ];
    return { id, code: created.body.code as string, op10, op20 };
  }
  const detail = (field: string) => `#op-detail [data-field="${field}"]`;
  async function reportGood(quantity: string) {
    const { page } = w;
    await page.click('#op-good');
    await page.locator('#terminal-dialog[data-kind="good"]').waitFor();
    for (const digit of quantity) await page.click(`#keypad [data-key="${digit}"]`);
    expect(await page.inputValue('#pad-value')).toBe(quantity);
    await page.click('#pad-ok');
    await page.locator('#terminal-dialog').waitFor({ state: 'detached' });
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    f = await productionFactory(t);
    operator = await createUser(t.dataSource, {
      roles: ['operator'],
      siteIds: [f.site.id],
      badgeCode: unique('B').slice(0, 32),
      pin,
    });
    for (const [material, quantity, lot] of [
      ['SHAFT', '100', lotCode],
      ['GREASE', '10', undefined],
    ] as const) {
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material, quantity, location: 'LS-L1', ...(lot ? { lotCode: lot } : {}) })
        .expect(201);
    }
    A = await releasedOrder('20', new Date(Date.now() + 48 * H));
    w = await openPage(browser, { baseURL: t.url, locale: 'zh-CN' });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    expect(w.takeProblems()).toEqual([]);
  });

  it('is set up once by an administrator for work center TURN (device key kept in localStorage)', async () => {
    const { page } = w;
    await page.goto('/terminal');
    await waitForText(page, '#terminal-setup-title', '设置本终端');
    await page.fill('#setup-username', f.users.admin.username);
    await page.fill('#setup-password', f.users.admin.password);
    await page.click('#setup-admin-form button[type="submit"]');
    await page.locator('#setup-work-center').waitFor();
    await page.selectOption('#setup-site', f.site.id);
    await page.selectOption('#setup-work-center', f.workCenters.turn.id);
    await page.fill('#setup-code', unique('T-UI-').slice(0, 40));
    await screenshot(page, 'terminal-01-setup');
    await page.click('#setup-register');
    await waitForText(page, '#badge-title', '操作员登录');
    const device = await page.evaluate(() =>
      JSON.parse(localStorage.getItem('mom.terminal.device') ?? 'null'),
    );
    expect(device).toMatchObject({
      siteId: f.site.id,
      workCenter: { id: f.workCenters.turn.id, code: 'TURN' },
    });
    expect(device.deviceKey).toEqual(expect.any(String));
  });

  it('signs the operator in with badge + PIN on the keypad (a wrong PIN first)', async () => {
    const { page } = w;
    await page.fill('#badge-code', operator.badgeCode!);
    await page.press('#badge-code', 'Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('badge-pin');
    for (const digit of '1111') await page.click(`#pin-pad [data-key="${digit}"]`);
    await page.click('#badge-submit');
    await waitForText(page, '#badge-message .terminal-message-lead', '工牌或 PIN 码错误。');
    expect(w.takeProblems().filter((p) => !/status of 401/.test(p))).toEqual([]);

    for (const digit of pin) await page.click(`#pin-pad [data-key="${digit}"]`);
    await screenshot(page, 'terminal-02-badge');
    await page.click('#badge-submit');
    await page.locator('#terminal-operator').waitFor();
    await waitForText(page, '#dispatch-title', '派工单');
    const item = page.locator(`.dispatch-item[data-op="${A.op10}"]`);
    await item.waitFor();
    expect(await item.getAttribute('data-state')).toBe('ready');
    expect(await item.getAttribute('data-wo')).toBe(A.code);
    // Big touch targets (measured on the element as it is then: the list is painted again as data arrives).
    expect(await item.evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThanOrEqual(48);
    await page.waitForFunction(
      (room) => (document.getElementById('terminal-live')?.dataset.rooms ?? '').split(' ').includes(room),
      `workcenter:${f.workCenters.turn.id}`,
    );
  });

  it('selects by scanning the work order, starts, consumes a scanned lot and reports good 5', async () => {
    const { page } = w;
    await page.fill('#terminal-scan', A.code);
    await page.press('#terminal-scan', 'Enter');
    await page.locator(`#op-detail[data-op="${A.op10}"]`).waitFor();
    await waitForText(
      page,
      '#op-detail .op-instructions-text',
      'Clamp in soft jaws; check Ø40 h6 every 10 parts.',
    );
    await page.locator('#op-detail tr[data-param="Spindle speed"]').waitFor();
    await page.click('#op-start');
    await waitForText(page, detail('state'), '进行中');

    // A keyboard-wedge scan of the shaft lot: consume it on the selected operation.
    await page.fill('#terminal-scan', lotCode);
    await page.press('#terminal-scan', 'Enter');
    await page.locator('#terminal-dialog[data-kind="consume"]').waitFor();
    await page.click('#keypad [data-key="2"]');
    await page.click('#keypad [data-key="0"]');
    await page.click('#pad-ok');
    await page.locator(`#op-detail [data-lot="${lotCode}"]`).waitFor();

    await reportGood('5');
    await waitForText(page, detail('good'), '5');
    expect((await operationOf(A.op10)).goodQty).toMatch(/^5(\.0+)?$/);
    await screenshot(page, 'terminal-03-running');
  });

  it('keeps reports while offline, shows what waits, and replays them once when the network returns', async () => {
    const { page, context } = w;
    await context.setOffline(true);
    await page.locator('#terminal-queue[data-state="offline"]').waitFor();
    await reportGood('3');
    await reportGood('3');
    await page.locator('#terminal-queue[data-waiting="2"]').waitFor();
    await waitForText(page, '#terminal-queue', '离线 — 2 条操作待发送');
    await waitForText(page, '#op-pending', '待发送：良品 6，报废 0');
    await waitForText(page, detail('good'), '5');
    const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('mom.terminal.queue') ?? '[]'));
    expect(queued).toHaveLength(2);
    expect(new Set(queued.map((item: { key: string }) => item.key)).size).toBe(2);
    expect((await operationOf(A.op10)).goodQty).toMatch(/^5(\.0+)?$/);
    await screenshot(page, 'terminal-04-offline');

    await context.setOffline(false);
    await page.locator('#terminal-queue[data-waiting="0"]').waitFor({ state: 'hidden', timeout: 10_000 });
    await waitForText(page, detail('good'), '11', 10_000);
    expect((await operationOf(A.op10)).goodQty).toMatch(/^11(\.0+)?$/);
    expect(await page.evaluate(() => localStorage.getItem('mom.terminal.queue'))).toBe('[]');
  });

  it('counts a report once when its answer was lost on the way back (replayed with the same key)', async () => {
    const { page } = w;
    const keys: string[] = [];
    await page.route(`**/api/v1/terminal/operations/${A.op10}/report`, async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (keys.length === 1) {
        await route.fetch(); // The server books it …
        await route.abort('internetdisconnected'); // … and the answer never arrives.
      } else await route.continue();
    });
    await reportGood('2');
    await waitForText(page, detail('good'), '13', 15_000);
    await page.locator('#terminal-queue').waitFor({ state: 'hidden' });
    await page.unroute(`**/api/v1/terminal/operations/${A.op10}/report`);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys).size).toBe(1);
    expect((await operationOf(A.op10)).goodQty).toMatch(/^13(\.0+)?$/);
    // The browser reports the aborted request itself.
    expect(w.takeProblems().filter((p) => !/ERR_INTERNET_DISCONNECTED/.test(p))).toEqual([]);
  });

  it('completes the operation and sees a new order arrive live', async () => {
    const { page } = w;
    await page.click('#op-complete');
    await page.locator('#terminal-dialog[data-kind="complete"]').waitFor();
    await page.click('#pad-ok');
    await waitForText(page, detail('state'), '已完成');
    expect((await operationOf(A.op10)).status).toBe('completed');
    await page.locator(`.dispatch-item[data-op="${A.op10}"]`).waitFor({ state: 'detached' });

    const B = await releasedOrder('5', new Date(Date.now() + 72 * H));
    await page.locator(`.dispatch-item[data-op="${B.op10}"]`).waitFor({ timeout: 5000 });
    await screenshot(page, 'terminal-05-completed');
  });

  it('raises an andon call', async () => {
    const { page } = w;
    await page.click('[data-andon="material"]');
    await waitForText(page, '#terminal-message p', '已发起安灯：缺料');
    const open = await t.http.get(f.url('andon')).set(as('planner')).expect(200);
    expect(open.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'material', workCenterId: f.workCenters.turn.id }),
      ]),
    );
  });

  it('lists a stop the machine reported, live, and the operator classifies it as a breakdown', async () => {
    const { page } = w;
    const siteId = f.site.id;
    const latheId = f.equipment.lathe.id;
    await page.locator('#stops-empty').waitFor();
    expect(await page.locator('#terminal-stops-badge').isHidden()).toBe(true);

    // LATHE-1 (work center TURN) says it is down, through the app's own machine-data path.
    const runner = t.app.get(TransactionRunner);
    const production = t.app.get(ProductionFacade);
    const now = Date.now();
    await runner.run((tx) =>
      production.machineStopped(tx, siteId, latheId, new Date(now - 10 * 60_000), 'down'),
    );
    const stop = page.locator(`#stops-list .stop-item[data-equipment="${latheId}"]`);
    await stop.waitFor({ timeout: 5000 });
    await page.locator('#terminal-stops-badge[data-count="1"]').waitFor();
    await waitForText(page, '#terminal-stops-badge', '待分类停机：1');
    await waitForText(page, '#stops-title', '待分类停机');
    await waitForText(page, '.stop-item [data-field="machineState"]', '设备报告：故障停机');
    expect(await stop.getAttribute('data-state')).toBe('down');
    expect(await page.textContent('.stop-item .stop-machine')).toBe('LATHE-1 · Lathe 1');
    expect(await page.textContent('.stop-item [data-field="when"]')).toMatch(/仍在停机$/);

    // It runs again 6 minutes later: the stop closes, still without a reason.
    await runner.run((tx) =>
      production.machineResumed(tx, siteId, latheId, new Date(now - 4 * 60_000), 'idle'),
    );
    await waitForText(page, '.stop-item [data-field="minutes"]', '6 分钟');
    expect(await page.textContent('.stop-item [data-field="when"]')).toMatch(/ 至 /);
    const listed = await t.http
      .get(f.url('downtime'))
      .query({ equipment: 'LATHE-1', unclassified: 'true' })
      .set(as('operator'))
      .expect(200);
    expect(listed.body).toEqual([
      expect.objectContaining({
        equipmentId: latheId,
        workCenterId: f.workCenters.turn.id,
        source: 'machine',
        machineState: 'down',
        reasonCode: null,
        endedAt: expect.any(String),
      }),
    ]);
    const id = listed.body[0].id as string;
    expect(await stop.getAttribute('data-downtime')).toBe(id);
    const box = await stop.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(48);
    await screenshot(page, 'terminal-07-stop');

    // Tap it: big reason buttons of the site's downtime reasons only (not the pause reason), a note, confirm.
    const keys: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith(`/downtime/${id}/classify`))
        keys.push(request.headers()['idempotency-key'] ?? '');
    });
    await stop.click();
    await page.locator('#terminal-dialog[data-kind="classify"]').waitFor();
    await waitForText(page, '#dialog-title', '设备为何停机？');
    expect(await page.locator('#terminal-dialog [data-reason="P-BREAK"]').count()).toBe(0);
    await page.click('#pad-ok');
    await waitForText(page, '#dialog-message .terminal-message-lead', '请选择原因。');
    await page.click('#terminal-dialog [data-reason="D-BRK"]');
    expect(await page.getAttribute('#terminal-dialog [data-reason="D-BRK"]', 'aria-pressed')).toBe('true');
    await page.fill('#classify-note', 'Spindle alarm');
    await screenshot(page, 'terminal-08-classify');
    await page.click('#pad-ok');
    await page.locator('#terminal-dialog').waitFor({ state: 'detached' });
    await waitForText(page, '#terminal-message p', 'LATHE-1 停机已分类为 D-BRK');
    await page.locator(`.stop-item[data-downtime="${id}"]`).waitFor({ state: 'detached' });
    await page.locator('#stops-empty').waitFor();
    await page.locator('#terminal-stops-badge[data-count="0"]').waitFor({ state: 'hidden' });
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);

    const all = await t.http
      .get(f.url('downtime'))
      .query({ equipment: latheId })
      .set(as('operator'))
      .expect(200);
    expect(all.body.find((d: { id: string }) => d.id === id)).toMatchObject({
      reasonCode: 'D-BRK',
      category: 'downtime_unplanned',
      note: 'Spindle alarm',
      classifiedAt: expect.any(String),
    });
    const left = await t.http
      .get(f.url('downtime'))
      .query({ equipment: 'LATHE-1', unclassified: 'true' })
      .set(as('operator'))
      .expect(200);
    expect(left.body).toEqual([]);
  });

  it('classifies a stop while offline: queued with its key, sent when the network returns', async () => {
    const { page, context } = w;
    const siteId = f.site.id;
    const latheId = f.equipment.lathe.id;
    const runner = t.app.get(TransactionRunner);
    const production = t.app.get(ProductionFacade);
    await runner.run((tx) =>
      production.machineStopped(tx, siteId, latheId, new Date(Date.now() - 2 * 60_000), 'setup'),
    );
    const stop = page.locator('#stops-list .stop-item[data-state="setup"]');
    await stop.waitFor({ timeout: 5000 });
    await waitForText(page, '.stop-item [data-field="machineState"]', '设备报告：换型调机');
    const id = (await stop.getAttribute('data-downtime'))!;

    await context.setOffline(true);
    await page.locator('#terminal-queue[data-state="offline"]').waitFor();
    await stop.click();
    await page.locator('#terminal-dialog[data-kind="classify"]').waitFor();
    await page.click('#terminal-dialog [data-reason="D-BRK"]');
    await page.click('#pad-ok');
    await page.locator('#terminal-dialog').waitFor({ state: 'detached' });
    await page.locator('#terminal-queue[data-waiting="1"]').waitFor();
    await page.locator(`.stop-item[data-downtime="${id}"][data-pending="true"]`).waitFor();
    await waitForText(page, `.stop-item[data-downtime="${id}"] .stop-pending`, '原因 D-BRK 待发送');
    await page.locator('#terminal-stops-badge[data-count="0"]').waitFor({ state: 'hidden' });
    const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('mom.terminal.queue') ?? '[]'));
    expect(queued).toEqual([
      expect.objectContaining({
        path: `/sites/${siteId}/downtime/${id}/classify`,
        body: { reasonCode: 'D-BRK' },
        downtimeId: id,
        key: expect.any(String),
      }),
    ]);

    await context.setOffline(false);
    await page.locator('#terminal-queue').waitFor({ state: 'hidden', timeout: 10_000 });
    await page.locator(`.stop-item[data-downtime="${id}"]`).waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('#stops-empty').waitFor();
    const all = await t.http
      .get(f.url('downtime'))
      .query({ equipment: latheId })
      .set(as('operator'))
      .expect(200);
    expect(all.body.find((d: { id: string }) => d.id === id)).toMatchObject({
      reasonCode: 'D-BRK',
      machineState: 'setup',
    });
    // The machine runs again: the stop closes with its reason and does not come back to the list.
    await runner.run((tx) => production.machineResumed(tx, siteId, latheId, new Date(), 'idle'));
    await page.waitForTimeout(500);
    await page.locator('#stops-empty').waitFor();
  });

  it('switches to English and back, and signs the operator out', async () => {
    const { page } = w;
    await page.selectOption('#terminal-locale', 'en');
    await waitForText(page, '#dispatch-title', 'Dispatch list');
    await waitForText(page, detail('state'), 'Completed');
    await waitForText(page, '#andon-title', 'Andon');
    await waitForText(page, '#stops-title', 'Stops to classify');
    await waitForText(page, '#stops-empty', 'No machine stop is waiting for a reason.');
    await waitForText(
      page,
      '#terminal-message p',
      'Saved, will be sent when the network is back: LATHE-1 stop classified as D-BRK',
    );
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await screenshot(page, 'terminal-06-en');
    await page.selectOption('#terminal-locale', 'zh-CN');
    await waitForText(page, '#dispatch-title', '派工单');

    await page.click('#terminal-sign-out');
    await waitForText(page, '#badge-title', '操作员登录');
    expect(await page.evaluate(() => sessionStorage.getItem('mom.terminal.operator'))).toBeNull();
  });
});
