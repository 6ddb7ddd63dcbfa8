import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

/**
 * The administrator in the browser (/admin): creates a user who then signs in over the API with the roles
 * given, imports materials from CSV (a bad row reported per line, the good rows imported), switches a shipped
 * alert rule off and changes a threshold, creates an API client whose secret is shown once, and redrives a
 * dead letter made by a failing webhook receiver. A planner gets no admin link and sees the API's refusal.
 * Every outcome is checked against the API.
 */
describe('ui: the administration page in the browser', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;
  let receiver: Server;
  let receiverStatus = 500;
  let received = 0;

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const admin = () => as('admin');
  /** The browser logs every 4xx answer itself; those the test provokes on purpose are not errors of the page. */
  const unexpected = (problems: string[], status: number) =>
    problems.filter((p) => !new RegExp(`status of ${status}`).test(p));

  async function eventually<T>(
    what: string,
    probe: () => Promise<T | undefined | null | false>,
    ms = 15_000,
  ) {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function signIn(
    page: WatchedPage['page'],
    user: { username: string; password: string },
    path: string,
  ) {
    await page.goto(path);
    await page.waitForURL(/\/login/);
    await page.fill('#login-username', user.username);
    await page.fill('#login-password', user.password);
    await page.click('#login-form button[type="submit"]');
    await page.locator('.site-option', { hasText: f.site.code }).locator('input[type="radio"]').check();
    await page.click('#site-continue');
  }

  async function openTab(name: string, title: string) {
    await w.page.click(`#admin-tab-${name}`);
    await w.page.waitForURL(`**/admin?tab=${name}`);
    await waitForText(w.page, `#admin-tab-${name}`, title, 10_000);
    await w.page.waitForSelector(`#admin-tab-${name}[aria-selected="true"]`);
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      startTestApp({ OUTBOX_MAX_ATTEMPTS: '2', OUTBOX_BACKOFF_BASE_MS: '50', OUTBOX_BACKOFF_CAP_MS: '200' }),
      launchChromium(),
    ]);
    f = await productionFactory(t);
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        res.writeHead(receiverStatus, { 'Content-Type': 'text/plain' });
        res.end(receiverStatus === 200 ? 'ok' : 'receiver broken');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    w = await openPage(browser, { baseURL: t.url, locale: 'zh-CN' });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  afterEach(() => {
    expect(w.takeProblems()).toEqual([]);
  });

  it('opens for the admin on the users tab, and creates a user who can sign in with the roles given', async () => {
    const { page } = w;
    await signIn(page, f.users.admin, '/admin');
    await page.waitForURL('**/admin');
    await waitForText(page, '#admin-title', '系统管理', 10_000);
    expect(await page.locator('.main-nav a[href="/admin"]').count()).toBe(1);
    await page.waitForSelector('#admin-tab-users[aria-selected="true"]');
    // Every seeded user of the site is listed.
    await page.waitForSelector(`tr[data-user="${f.users.planner.username}"]`, { timeout: 10_000 });
    const listed = await t.http.get('/api/v1/users?limit=500').set(admin()).expect(200);
    expect(await page.locator('#users-body tbody tr').count()).toBe(listed.body.total);

    // A refused form shows the API's field errors and marks the fields.
    await page.click('#user-new');
    await page.fill('#user-username', 'x');
    await page.fill('#user-name', 'Someone');
    await page.fill('#user-password', 'short');
    await page.click('#user-submit');
    await page.waitForSelector('#user-dialog-problem .problem-fields li', { timeout: 10_000 });
    const fields = await page.locator('#user-dialog-problem .problem-fields strong').allTextContents();
    expect(fields).toEqual(expect.arrayContaining(['username', 'password', 'roles']));
    expect(await page.getAttribute('#user-username', 'aria-invalid')).toBe('true');
    expect(unexpected(w.takeProblems(), 400)).toEqual([]);
    await screenshot(page, 'admin-01-user-errors');

    const username = `ui.${Date.now().toString(36)}`;
    await page.fill('#user-username', username);
    await page.fill('#user-password', 'a long enough secret');
    await page.fill('#user-badge', `B-${Date.now().toString(36)}`);
    await page.fill('#user-pin', '4321');
    await page.check('#user-form input[name="roles"][value="planner"]');
    await page.check('#user-form input[name="roles"][value="quality"]');
    expect(await page.isChecked(`#user-form input[name="siteIds"][value="${f.site.id}"]`)).toBe(true);
    await page.click('#user-submit');
    await page.waitForSelector(`tr[data-user="${username}"]`, { timeout: 10_000 });
    await waitForText(page, '#users-flash', `已创建用户 ${username}。`);
    expect(await page.locator('#user-dialog').count()).toBe(0);
    await screenshot(page, 'admin-02-users');

    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ username, password: 'a long enough secret' })
      .expect(200);
    const me = await t.http
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${login.body.accessToken}`)
      .expect(200);
    expect([...me.body.roles].sort()).toEqual(['planner', 'quality']);
    expect(me.body.siteIds).toEqual([f.site.id]);

    // Disabled in the page: the API refuses the sign-in.
    await page.click(`tr[data-user="${username}"] button[data-action="disable"]`);
    await page.fill('#active-reason', 'left the company');
    await page.click('#active-submit');
    await waitForText(page, `tr[data-user="${username}"] [data-field="status"]`, '停用', 10_000);
    await t.http
      .post('/api/v1/auth/login')
      .send({ username, password: 'a long enough secret' })
      .expect((res) => expect([401, 403]).toContain(res.status));
  });

  it('imports materials from CSV: a dry run and the refused import list each bad row; the good rows then go in', async () => {
    const { page } = w;
    await openTab('master-data', '主数据');
    await page.waitForSelector('#md-body tr[data-code="SHAFT"]', { timeout: 10_000 });
    await waitForText(page, '#md-body tr[data-code="SHAFT"] .col-baseUnit', 'PCS');
    await page.fill('#md-search', 'grea');
    await page.waitForFunction(() => document.querySelectorAll('#md-body tbody tr').length === 1, null, {
      timeout: 10_000,
    });
    await waitForText(page, '#md-body tbody tr th', 'GREASE');

    const csv = [
      'code,name,nameZh,materialClass,baseUnit,safetyStock',
      'UI-OK-1,Washer,垫圈,raw,PCS,10',
      'UI-BAD-1,"Bolt, hex",螺栓,nonsense,PCS,',
      'UI-OK-2,Oil,润滑油,consumable,KG,2.5',
      'UI-BAD-2,Nut,螺母,raw,NOPE,',
    ].join('\n');
    await page.selectOption('#md-import-kind', 'materials');
    await page.setInputFiles('#md-file', {
      name: 'materials.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv, 'utf8'),
    });
    await page.click('#md-dry-run');
    await waitForText(page, '#md-import-headline', '发现 2 个问题，未导入任何数据。', 10_000);
    expect(
      await page
        .locator('.admin-import-errors tbody tr')
        .evaluateAll((rows) =>
          rows.map((r) => [r.getAttribute('data-row'), r.querySelectorAll('td')[0]?.textContent]),
        ),
    ).toEqual([
      ['3', 'materialClass'],
      ['5', 'baseUnit'],
    ]);

    await page.click('#md-import-run');
    await waitForText(page, '#md-import-headline', '未导入任何数据：各行共有 2 个问题。', 10_000);
    await waitForText(page, '#md-import-problem .problem-detail', '未导入任何数据：部分行有问题。');
    expect(unexpected(w.takeProblems(), 422)).toEqual([]);
    await t.http.get(f.url('materials/by-code/UI-OK-1')).set(admin()).expect(404);
    await screenshot(page, 'admin-03-import-rejected');

    await waitForText(page, '#md-import-good', '导入没有问题的 2 行（跳过 2 行）');
    await page.click('#md-import-good');
    await waitForText(page, '#md-import-headline', '导入完成：新建 2 条，更新 0 条。', 10_000);
    const ok1 = await t.http.get(f.url('materials/by-code/UI-OK-1')).set(admin()).expect(200);
    expect(ok1.body).toMatchObject({ name: 'Washer', nameZh: '垫圈', materialClass: 'raw' });
    expect(Number(ok1.body.safetyStock)).toBe(10);
    const ok2 = await t.http.get(f.url('materials/by-code/UI-OK-2')).set(admin()).expect(200);
    expect(Number(ok2.body.safetyStock)).toBe(2.5);
    await t.http.get(f.url('materials/by-code/UI-BAD-1')).set(admin()).expect(404);
    await t.http.get(f.url('materials/by-code/UI-BAD-2')).set(admin()).expect(404);

    // The list shows the new materials (the search still applies: clear it).
    await page.fill('#md-search', 'UI-OK');
    await page.waitForSelector('#md-body tr[data-code="UI-OK-2"]', { timeout: 10_000 });
    await waitForText(page, '#md-body tr[data-code="UI-OK-1"] td', '垫圈');
    await screenshot(page, 'admin-04-import-done');

    // The hierarchy browses the same way.
    await page.click('#md-kind-equipment');
    await page.waitForSelector('#md-body tr[data-code="LATHE-1"]', { timeout: 10_000 });
  });

  it('switches a shipped rule off and changes a threshold, as the API then shows', async () => {
    const { page } = w;
    await openTab('rules', '预警规则');
    const rush = 'tr[data-rule="rush-order.wms-priority"]';
    await page.waitForSelector(rush, { timeout: 10_000 });
    await waitForText(page, `${rush} [data-field="enabled"]`, '已开启');
    await page.click(`${rush} button[data-action="disable"]`);
    await waitForText(page, `${rush} [data-field="enabled"]`, '已关闭', 10_000);
    await waitForText(page, `${rush} [data-field="source"]`, '预置（本厂已修改）');
    const rule = await t.http.get(f.url('rules/rush-order.wms-priority')).set(admin()).expect(200);
    expect(rule.body).toMatchObject({ enabled: false, customized: true });

    const down = 'tr[data-rule="machine-down.escalation"]';
    await page.click(`${down} button[data-action="edit"]`);
    await page.waitForSelector('#rule-dialog');
    expect(await page.inputValue('#rule-threshold-0')).toBe('30');
    await page.fill('#rule-threshold-0', '45');
    await page.check('#rule-form input[name="roles-0"][value="maintenance"]');
    await screenshot(page, 'admin-05-rule-edit');
    await page.click('#rule-submit');
    await page.waitForSelector('#rule-dialog', { state: 'detached', timeout: 10_000 });
    const changed = await t.http.get(f.url('rules/machine-down.escalation')).set(admin()).expect(200);
    expect(changed.body.conditions).toEqual({ field: 'downMinutes', op: 'gt', value: 45 });
    expect(changed.body.actions[0].roles).toEqual(['maintenance', 'maintenance_lead']);
    await screenshot(page, 'admin-06-rules');
  });

  it('creates an API client and shows its secret once, with a copy button', async () => {
    const { page } = w;
    await openTab('api-clients', 'API 客户端');
    await page.click('#client-new');
    await page.fill('#client-name', 'Warehouse WMS');
    await page.check('#client-form input[name="roles"][value="warehouse"]');
    await page.click('#client-submit');
    await page.waitForSelector('#client-secret', { timeout: 10_000 });
    const secret = (await page.textContent('#client-secret'))!.trim();
    const appKey = (await page.textContent('#client-appkey'))!.trim();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    await page.click('#client-secret-copy');
    await page.waitForFunction(
      () => (document.querySelector('.admin-copy-status')?.textContent ?? '').length > 0,
      null,
      { timeout: 10_000 },
    );
    await page.waitForSelector(`tr[data-app-key="${appKey}"]`, { timeout: 10_000 });
    await screenshot(page, 'admin-07-api-client-secret');

    const clients = await t.http.get('/api/v1/api-clients').set(admin()).expect(200);
    const client = clients.body.find((c: { appKey: string }) => c.appKey === appKey);
    expect(client).toMatchObject({
      name: 'Warehouse WMS',
      roles: ['warehouse'],
      siteIds: [f.site.id],
      active: true,
    });
    expect(JSON.stringify(clients.body)).not.toContain(secret);

    // Once hidden, the secret is nowhere on the page, nor after reading the list again.
    await page.click('#client-secret-done');
    expect(await page.locator('#client-secret').count()).toBe(0);
    await page.reload();
    await page.waitForSelector(`tr[data-app-key="${appKey}"]`, { timeout: 10_000 });
    expect(await page.content()).not.toContain(secret);

    await page.click(`tr[data-app-key="${appKey}"] button[data-action="revoke"]`);
    await page.click('#client-confirm-submit');
    await waitForText(page, `tr[data-app-key="${appKey}"] [data-field="status"]`, '已吊销', 10_000);
    const after = await t.http.get('/api/v1/api-clients').set(admin()).expect(200);
    expect(after.body.find((c: { appKey: string }) => c.appKey === appKey).active).toBe(false);
  });

  it('lists a dead letter of a failing webhook receiver and redrives it', async () => {
    const { page } = w;
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const hook = await t.http
      .post(f.url('webhooks'))
      .set(admin())
      .send({ name: 'ERP feed', url, eventTypes: ['inventory.lot.status_changed'] })
      .expect(201);
    const ping = await t.http
      .post(f.url(`webhooks/${hook.body.id}/ping`))
      .set(admin())
      .send({})
      .expect(202);
    const id = ping.body.deliveryId as string;
    const message = async () =>
      (await t.http.get(`/api/v1/admin/outbox/messages/${id}`).set(admin()).expect(200)).body;
    await eventually('the dead letter', async () => (await message()).status === 'dead');

    // The subscriber's deliveries show the failure and lead to the dead letters.
    await openTab('webhooks', 'Webhook 订阅');
    await page.click('tr[data-webhook="ERP feed"] button[data-action="deliveries"]');
    await waitForText(page, `tr[data-delivery="${id}"] .badge`, '死信', 10_000);
    await page.click('#webhook-deliveries a[href="/admin?tab=dead-letters"]');
    await page.waitForURL('**/admin?tab=dead-letters');
    await page.waitForSelector('#admin-tab-dead-letters[aria-selected="true"]');
    const row = `tr[data-message="${id}"]`;
    await page.waitForSelector(row, { timeout: 10_000 });
    await waitForText(page, `${row} [data-field="status"]`, '死信');
    expect(await page.textContent(`${row} [data-field="error"]`)).toContain('HTTP 500');
    await screenshot(page, 'admin-08-dead-letters');

    receiverStatus = 200;
    const before = received;
    await page.click(`${row} button[data-action="redrive"]`);
    await page.fill('#redrive-reason', 'receiver fixed');
    await page.click('#redrive-submit');
    await waitForText(page, '#outbox-flash', 'ping 已重新排队。', 10_000);
    const delivered = await eventually('the redriven delivery', async () => {
      const m = await message();
      return m.status === 'delivered' ? m : undefined;
    });
    expect(delivered.redriveCount).toBe(1);
    expect(received).toBeGreaterThan(before);
    // The page reads the list again by itself: the letter is no longer dead.
    await page.waitForSelector(row, { state: 'detached', timeout: 10_000 });
    await page.selectOption('#outbox-status', 'delivered');
    await waitForText(page, `${row} [data-field="status"]`, '已送达', 10_000);
  });

  it('switches language without reloading', async () => {
    const { page } = w;
    await page.selectOption('#locale-select', 'en');
    await waitForText(page, '#admin-title', 'Administration');
    await waitForText(page, '#admin-tab-users', 'Users and roles');
    await waitForText(page, '#admin-tab-dead-letters', 'Dead letters');
    expect(await page.textContent('#outbox-status option[value="delivered"]')).toBe('Delivered');
    await page.click('#admin-tab-audit');
    await page.waitForSelector('#audit-body tbody tr', { timeout: 10_000 });
    await waitForText(page, '#audit-apply', 'Filter');
    await screenshot(page, 'admin-09-audit-en');
    await page.click('#admin-tab-users');
    await page.waitForSelector('#users-body tbody tr', { timeout: 10_000 });
    await screenshot(page, 'admin-10-users-en');
    await page.selectOption('#locale-select', 'zh-CN');
    await waitForText(page, '#admin-title', '系统管理');
  });

  it('gives a planner no admin link, and shows the API’s refusal on the page', async () => {
    const planner = await openPage(browser, { baseURL: t.url, locale: 'zh-CN' });
    try {
      const { page } = planner;
      await signIn(page, f.users.planner, '/dashboard');
      await page.waitForURL('**/dashboard');
      await page.waitForSelector('.main-nav a', { timeout: 10_000 });
      expect(await page.locator('.main-nav a[href="/admin"]').count()).toBe(0);
      await page.goto('/admin?tab=users');
      await waitForText(page, '#users-problem .problem-detail', '您的角色无权执行此操作。', 10_000);
      await page.waitForSelector('#admin-not-admin');
      expect(await page.locator('#user-new').count()).toBe(0);
      await screenshot(page, 'admin-11-planner-refused');
      // Rules are readable by everyone of the site, without the buttons that change them.
      await page.click('#admin-tab-rules');
      await page.waitForSelector('tr[data-rule="rush-order.wms-priority"]', { timeout: 10_000 });
      expect(await page.locator('#rules-body button').count()).toBe(0);
      expect(unexpected(planner.takeProblems(), 403)).toEqual([]);
    } finally {
      await planner.context.close();
    }
  });

  it('lays the page out at tablet sizes', async () => {
    const { page } = w;
    for (const [width, height, name] of [
      [1024, 768, 'admin-12-tablet-landscape'],
      [800, 1280, 'admin-13-tablet-portrait'],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.goto('/admin?tab=master-data');
      await page.waitForSelector('#md-body tbody tr', { timeout: 10_000 });
      // Nothing pushes the page sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(
        true,
      );
      // No placeholder of a missing part leaks into the page as text.
      expect(await page.textContent('#admin-panel')).not.toMatch(/\bnull\b|undefined|\[object /);
      await screenshot(page, name);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
