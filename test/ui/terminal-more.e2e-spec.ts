import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { createUser, login, unique, type TestUser } from '../support/builders';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

const H = 3_600_000;

/**
 * The operator terminal, second part: the registration keeps the work center on the server (and the server's
 * wins over the browser's), process readings on the keypad (out-of-limit values flagged as the server answers;
 * offline readings replayed once), the first-article IPQC of the running operation recorded at the terminal, the
 * open andon calls of the work center (live, acknowledged and closed), and leaving an operation others keep on.
 */
describe('ui: the operator terminal — readings, IPQC, andon calls, leaving', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;
  let operator: TestUser;
  let operatorName: string;
  let A: { id: string; code: string; op10: string; op20: string };
  let terminalCode: string;
  const pin = '8642';

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const detail = (field: string) => `#op-detail [data-field="${field}"]`;
  const readingsOf = async (operationId: string) =>
    t.dataSource.query<Array<{ name: string; value: string; in_range: boolean }>>(
      `SELECT name, trim_scale(value)::text AS value, in_range FROM process_reading
        WHERE operation_id = $1 ORDER BY recorded_at, id`,
      [operationId],
    );

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

  async function signIn() {
    const { page } = w;
    await page.locator('#badge-code').waitFor();
    await page.fill('#badge-code', operator.badgeCode!);
    for (const digit of pin) await page.click(`#pin-pad [data-key="${digit}"]`);
    await page.click('#badge-submit');
    await page.locator('#terminal-operator').waitFor({ timeout: 10_000 });
  }

  async function typeOnPad(text: string) {
    for (const key of text)
      await w.page.click(`#keypad [data-key="${key}"], .keypad-extra [data-key="${key}"]`);
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    f = await productionFactory(t);
    operator = await createUser(t.dataSource, {
      roles: ['operator'],
      siteIds: [f.site.id],
      badgeCode: unique('BM').slice(0, 32),
      pin,
    });
    operatorName = `User ${operator.username}`;
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
    // First-article and every 10 good: two samples of the outer diameter at turning.
    await t.http
      .post(f.url('quality/inspection-plans'))
      .set(as('quality'))
      .set('Idempotency-Key', randomUUID())
      .send({
        code: 'IPQC-TURN',
        name: 'Turning Ø40 h6',
        type: 'ipqc',
        material: 'SA-100',
        operationSeq: 10,
        frequency: 'count',
        frequencyQty: '10',
        sampleSize: 2,
        characteristics: [
          { code: 'OD', name: 'Outer diameter', kind: 'variable', unit: 'mm', lsl: '39.975', usl: '40' },
        ],
      })
      .expect((res) => {
        if (res.status !== 201) throw new Error(`inspection plan: ${JSON.stringify(res.body)}`);
      });
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

  it('registers the terminal with its work center on the server, which wins over the browser', async () => {
    const { page } = w;
    await page.goto('/terminal');
    await page.fill('#setup-username', f.users.admin.username);
    await page.fill('#setup-password', f.users.admin.password);
    await page.click('#setup-admin-form button[type="submit"]');
    await page.locator('#setup-work-center').waitFor();
    await page.selectOption('#setup-site', f.site.id);
    await page.selectOption('#setup-work-center', f.workCenters.turn.id);
    terminalCode = unique('T-UI2-').slice(0, 40);
    await page.fill('#setup-code', terminalCode);
    await page.click('#setup-register');
    await waitForText(page, '#badge-title', '操作员登录');
    const terminals = await t.http.get('/api/v1/terminals').set(as('admin')).expect(200);
    expect(terminals.body.find((x: { code: string }) => x.code === terminalCode)).toMatchObject({
      workCenterId: f.workCenters.turn.id,
    });

    // The browser remembers another work center (edited, or an old copy): the server's registration wins.
    await page.evaluate((assy) => {
      const device = JSON.parse(localStorage.getItem('mom.terminal.device')!);
      device.workCenter = assy;
      localStorage.setItem('mom.terminal.device', JSON.stringify(device));
    }, f.workCenters.assy);
    await page.reload();
    await signIn();
    await waitForText(page, '#terminal-work-center', 'TURN · Turning');
    const device = await page.evaluate(() => JSON.parse(localStorage.getItem('mom.terminal.device')!));
    expect(device.workCenter.id).toBe(f.workCenters.turn.id);
    await page.locator(`.dispatch-item[data-op="${A.op10}"]`).waitFor({ timeout: 10_000 });
  });

  it('records the first-article IPQC of the started operation on the keypad', async () => {
    const { page } = w;
    await page.click(`.dispatch-item[data-op="${A.op10}"]`);
    await page.locator('#op-start').click();
    await waitForText(page, detail('state'), '进行中', 10_000);
    const item = page.locator('#op-ipqc .ipqc-item');
    await item.waitFor({ timeout: 10_000 });
    const listed = await t.http
      .get(f.url('quality/inspections'))
      .query({ workCenter: 'TURN', type: 'ipqc', status: 'pending,in_progress' })
      .set(as('operator'))
      .expect(200);
    expect(listed.body.items).toHaveLength(1);
    const inspection = listed.body.items[0] as { id: string };
    expect(await item.getAttribute('data-inspection')).toBe(inspection.id);
    await waitForText(page, '#op-ipqc .ipqc-item strong', 'IPQC-TURN #1');
    await waitForText(page, '#op-ipqc [data-field="status"]', '待检');

    await item.click();
    await page.locator('#terminal-dialog[data-kind="ipqc"] #ipqc-rows').waitFor({ timeout: 10_000 });
    expect(await page.locator('#ipqc-rows .measure-row').count()).toBe(2);
    await waitForText(
      page,
      '#ipqc-rows .measure-row[data-sample="1"] .measure-label strong',
      'OD · Outer diameter',
    );
    // Sample 1 is active: 39.99 on the keypad; sample 2 typed too big first (flagged), then corrected.
    await typeOnPad('39.99');
    expect(await page.inputValue('#ipqc-0')).toBe('39.99');
    await page.locator('#ipqc-flag-0 [data-flag="in"]').waitFor();
    await page.click('#ipqc-1');
    await typeOnPad('40.02');
    await page.locator('#ipqc-flag-1 [data-flag="out"]').waitFor();
    await waitForText(page, '#ipqc-flag-1 .badge', '超出范围');
    await screenshot(page, 'terminal-more-01-ipqc');
    await page.click('#keypad [data-key="clear"]');
    await typeOnPad('39.98');
    await page.click('#keypad [data-key="back"]');
    await typeOnPad('85');
    expect(await page.inputValue('#ipqc-1')).toBe('39.985');
    await page.locator('#ipqc-flag-1 [data-flag="in"]').waitFor();
    await page.click('#pad-ok');
    await page.locator('#terminal-dialog').waitFor({ state: 'detached' });
    await waitForText(page, '#terminal-message p', 'IPQC-TURN #1：已记录 2 个结果 — 检验合格');
    await page.locator('#op-ipqc').waitFor({ state: 'detached', timeout: 10_000 });
    const decided = await t.http
      .get(f.url(`quality/inspections/${inspection.id}`))
      .set(as('quality'))
      .expect(200);
    expect(decided.body).toMatchObject({ status: 'passed', complete: true });
  });

  it('records process readings: an out-of-limit value is flagged as the server answers', async () => {
    const { page } = w;
    await page.click('#op-readings');
    await page.locator('#terminal-dialog[data-kind="readings"]').waitFor();
    await waitForText(
      page,
      '#reading-rows .measure-row[data-param="Spindle speed"] .measure-label strong',
      'Spindle speed (rpm)',
    );
    await waitForText(page, '#reading-rows .measure-row .measure-label span', '范围 2,800 – 3,200 rpm');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reading-0');
    await typeOnPad('3500');
    await page.locator('#reading-flag-0 [data-flag="out"]').waitFor();
    await screenshot(page, 'terminal-more-02-readings');
    await page.click('#pad-ok');
    await page.locator('#terminal-dialog').waitFor({ state: 'detached' });
    await waitForText(
      page,
      '#terminal-message p',
      `${A.code} 工序 10：已记录 1 个参数 — 超出范围：Spindle speed 3,500 rpm`,
    );
    expect(await page.getAttribute('#terminal-message', 'class')).toContain('warning');
    expect(await readingsOf(A.op10)).toEqual([{ name: 'Spindle speed', value: '3500', in_range: false }]);
    // The parameters table marks the last value.
    await page
      .locator('#op-detail tr[data-param="Spindle speed"][data-out="true"]')
      .waitFor({ timeout: 10_000 });
    await waitForText(page, '#op-detail tr[data-param="Spindle speed"] .param-out', '3,500 （超限）');
  });

  it('keeps readings while offline and replays them once when the network returns', async () => {
    const { page, context } = w;
    const keys: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith(`/operations/${A.op10}/readings`))
        keys.push(request.headers()['idempotency-key'] ?? '');
    });
    await context.setOffline(true);
    await page.locator('#terminal-queue[data-state="offline"]').waitFor();
    await page.click('#op-readings');
    await page.locator('#terminal-dialog[data-kind="readings"]').waitFor();
    await page.click('#keypad [data-key="clear"]');
    await typeOnPad('3000');
    await page.locator('#reading-flag-0 [data-flag="in"]').waitFor();
    await page.click('#pad-ok');
    await page.locator('#terminal-dialog').waitFor({ state: 'detached' });
    await page.locator('#terminal-queue[data-waiting="1"]').waitFor();
    await page.locator('#op-pending[data-readings="1"]').waitFor();
    await waitForText(page, '#op-pending', '待发送参数：1 条');
    const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('mom.terminal.queue') ?? '[]'));
    expect(queued).toEqual([
      expect.objectContaining({
        path: `/terminal/operations/${A.op10}/readings`,
        body: { readings: [expect.objectContaining({ name: 'Spindle speed', value: 3000, unit: 'rpm' })] },
      }),
    ]);
    expect(await readingsOf(A.op10)).toHaveLength(1);
    await screenshot(page, 'terminal-more-03-readings-offline');

    await context.setOffline(false);
    await page.locator('#terminal-queue').waitFor({ state: 'hidden', timeout: 15_000 });
    await page.locator('#op-pending').waitFor({ state: 'hidden', timeout: 10_000 });
    await waitForText(page, '#terminal-message p', `${A.code} 工序 10：已记录 1 个参数`, 10_000);
    const readings = await readingsOf(A.op10);
    expect(readings).toEqual([
      { name: 'Spindle speed', value: '3500', in_range: false },
      { name: 'Spindle speed', value: '3000', in_range: true },
    ]);
    expect(new Set(keys).size).toBeLessThanOrEqual(1);
  });

  it('lists the open andon calls of the work center live, acknowledges and closes them', async () => {
    const { page } = w;
    await page.locator('#andon-empty').waitFor({ timeout: 10_000 });
    await page.click('[data-andon="quality"]');
    await waitForText(page, '#terminal-message p', '已发起安灯：质量');
    const call = page.locator('#andon-list .andon-call[data-kind="quality"]');
    await call.waitFor({ timeout: 10_000 });
    expect(await call.getAttribute('data-state')).toBe('raised');
    await waitForText(page, '#andon-list [data-field="state"]', '已呼叫');
    expect(await call.locator('[data-field="raised"]').textContent()).toMatch(
      new RegExp(`^${operatorName} 于 .+ 呼叫$`),
    );
    await waitForText(page, '#andon-list [data-field="about"]', `${A.code} 工序 10`);

    // Maintenance raises one from elsewhere: it appears live.
    const other = await t.http
      .post('/api/v1/terminal/andon')
      .set(as('maintenance'))
      .set('Idempotency-Key', randomUUID())
      .send({ kind: 'maintenance', workCenterId: f.workCenters.turn.id, message: 'Coolant leak' })
      .expect(201);
    const live = page.locator(`#andon-list .andon-call[data-andon-id="${other.body.id}"]`);
    await live.waitFor({ timeout: 10_000 });
    await waitForText(page, `#andon-list [data-andon-id="${other.body.id}"] .andon-message`, 'Coolant leak');
    await screenshot(page, 'terminal-more-04-andon');

    await call.locator('[data-action="acknowledge"]').click();
    await page.locator('#andon-list .andon-call[data-kind="quality"][data-state="acknowledged"]').waitFor({
      timeout: 10_000,
    });
    expect(await call.locator('[data-field="acknowledged"]').textContent()).toMatch(
      new RegExp(`^${operatorName} 于 .+ 响应$`),
    );
    await call.locator('[data-action="resolve"]').click();
    await page.locator('#terminal-dialog[data-kind="resolve"]').waitFor();
    await page.fill('#resolve-note', 'Deburred');
    await page.click('#pad-ok');
    await page
      .locator('#andon-list .andon-call[data-kind="quality"]')
      .waitFor({ state: 'detached', timeout: 10_000 });
    await waitForText(page, '#terminal-message p', '安灯已关闭：质量');
    const all = await t.http.get(f.url('andon')).query({ all: 'true' }).set(as('planner')).expect(200);
    expect(all.body.find((c: { kind: string }) => c.kind === 'quality')).toMatchObject({
      state: 'resolved',
      resolution: 'Deburred',
    });

    // Closed elsewhere: it leaves the list live.
    await t.http
      .post(`/api/v1/terminal/andon/${other.body.id}/resolve`)
      .set(as('maintenance'))
      .set('Idempotency-Key', randomUUID())
      .send({})
      .expect(200);
    await live.waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('#andon-empty').waitFor();
  });

  it('leaves the operation another operator keeps running, then switches language', async () => {
    const { page } = w;
    const second = await createUser(t.dataSource, { roles: ['operator'], siteIds: [f.site.id] });
    const token = await login(t.http, second);
    await t.http
      .post(`/api/v1/terminal/operations/${A.op10}/start`)
      .set(f.auth(token))
      .set('Idempotency-Key', randomUUID())
      .send({})
      .expect(200);
    await page.locator('#op-leave').click();
    await page.locator('#terminal-dialog[data-kind="leave"]').waitFor();
    await waitForText(page, '#dialog-title', '离开此工序？');
    await page.click('#pad-ok');
    await page.locator('#terminal-dialog').waitFor({ state: 'detached' });
    await waitForText(page, '#terminal-message p', `您已离开 ${A.code} 工序 10`);
    await page.locator('#op-start').waitFor({ timeout: 10_000 });
    expect(await page.locator('#op-leave').count()).toBe(0);
    const op = await t.http.get(`/api/v1/terminal/operations/${A.op10}`).set(as('operator')).expect(200);
    expect(op.body.status).toBe('running');
    expect(op.body.operators.map((o: { operatorName: string }) => o.operatorName)).toEqual([
      `User ${second.username}`,
    ]);

    await page.selectOption('#terminal-locale', 'en');
    await waitForText(page, '#andon-open-title', 'Open calls here');
    await waitForText(page, '#andon-empty', 'No open andon call at this work center.');
    await waitForText(page, '#op-readings', 'Record readings');
    await waitForText(page, '#terminal-message p', `You left ${A.code} operation 10`);
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.click('#op-readings');
    await page.locator('#terminal-dialog[data-kind="readings"]').waitFor();
    await waitForText(page, '#dialog-title', 'Record process readings');
    await screenshot(page, 'terminal-more-05-en-tablet');
    await page.click('#dialog-cancel');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.selectOption('#terminal-locale', 'zh-CN');
    await waitForText(page, '#andon-open-title', '本工位未关闭的呼叫');
  });

  it('keeps the work center remembered in the browser for a terminal registered without one', async () => {
    const { page } = w;
    const registered = await t.http
      .post('/api/v1/terminals')
      .set(as('admin'))
      .send({ code: unique('T-OLD-').slice(0, 40), name: 'Old terminal', siteId: f.site.id })
      .expect(201);
    expect(registered.body.workCenterId).toBeNull();
    await page.click('#terminal-sign-out');
    await page.evaluate(
      ({ r, assy, site }) => {
        localStorage.setItem(
          'mom.terminal.device',
          JSON.stringify({
            id: r.id,
            code: r.code,
            name: r.name,
            siteId: r.siteId,
            deviceKey: r.deviceKey,
            site,
            workCenter: { id: assy.id, code: 'ASSY', name: 'Assembly' },
          }),
        );
      },
      {
        r: registered.body,
        assy: f.workCenters.assy,
        site: { id: f.site.id, code: f.site.code, name: 'Site', timeZone: 'Asia/Shanghai' },
      },
    );
    await page.reload();
    await signIn();
    await waitForText(page, '#terminal-work-center', 'ASSY · Assembly');
    await page.locator(`.dispatch-item[data-op="${A.op20}"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator(`.dispatch-item[data-op="${A.op10}"]`).count()).toBe(0);
  });
});
