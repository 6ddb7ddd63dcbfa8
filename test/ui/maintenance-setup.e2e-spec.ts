import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { createUser, login } from '../support/builders';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';
const WAIT = 15_000;

interface Machine {
  equipmentId: string;
  code: string;
  oee: { oee: number | null };
  reliability: {
    failures: number;
    mtbfMs: number | null;
    mttrMs: number | null;
    availability: number | null;
    downtimeMs: number;
  };
}

/**
 * The maintenance lead's side of the page: assigning tickets to a technician picked from the site's list (on the
 * board and in the ticket), setting up assets, meters and PM plans (a new plan shows on the calendar; the API's
 * field errors are shown at the fields), and the reliability overview of every machine, worst first, with the
 * API's figures. A viewer sees all of it without a single set-up action.
 */
describe('ui: maintenance set-up, technician picker and reliability overview', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;
  let second: { id: string; username: string; token: string };
  let dueDate: string;

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const mt = (path: string) => f.url(`maintenance/${path}`);
  const num = (locale: string, value: string | number, digits = 3) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(Number(value));
  const pct = (ratio: number | null) =>
    ratio === null
      ? '—'
      : new Intl.NumberFormat('en', {
          style: 'percent',
          minimumFractionDigits: 1,
          maximumFractionDigits: 1,
        }).format(ratio);
  const duration = (ms: number | null) => {
    if (ms === null) return '—';
    if (ms < 3_600_000) return `${num('en', Math.round(ms / 60_000))} min`;
    if (ms < 2 * DAY) return `${num('en', ms / 3_600_000, 1)} h`;
    return `${num('en', ms / DAY, 1)} d`;
  };
  const siteDate = (at: Date) =>
    new Intl.DateTimeFormat('en-CA', {
      timeZone: TZ,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(at);

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

  const raise = async (asset: string, title: string, machineDown = false) =>
    (
      await t.http
        .post(mt('tickets'))
        .set(as('operator'))
        .set('Idempotency-Key', randomUUID())
        .send({ kind: 'corrective', asset, title, machineDown })
        .expect(201)
    ).body as { id: string; code: string };

  const ticket = async (code: string) =>
    (
      await t.http
        .get(mt(`tickets/${code}`))
        .set(as('maintenance'))
        .expect(200)
    ).body as { status: string; assigneeId: string | null; assigneeName: string | null };

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    f = await productionFactory(t);
    const user = await createUser(t.dataSource, { roles: ['maintenance'], siteIds: [f.site.id] });
    second = { ...user, token: await login(t.http, user) };
    dueDate = siteDate(new Date(Date.now() + 4 * DAY));

    // A repaired breakdown on the lathe: the reliability overview has a failure, a repair and downtime.
    const down = await raise('LATHE-1', 'Coolant pump seized', true);
    await t.http
      .post(mt(`tickets/${down.code}/assign`))
      .set(as('maintenance'))
      .send({ technician: f.users.maintenance.id })
      .expect(200);
    await t.http
      .post(mt(`tickets/${down.code}/start`))
      .set(as('maintenance'))
      .send({})
      .expect(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await t.http
      .post(mt(`tickets/${down.code}/complete`))
      .set(as('maintenance'))
      .send({ failureCode: 'PUMP', cause: 'Dry running', remedy: 'Pump replaced' })
      .expect(200);

    w = await openPage(browser, { baseURL: t.url, locale: 'en' });
    await signIn(w.page, 'maintenance');
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    expect(w.takeProblems()).toEqual([]);
  });

  it('assigns a ticket on the board to a technician picked from the site’s list; the API agrees', async () => {
    const { page } = w;
    const open = await raise('PRESS-1', 'Guard switch loose');
    const list = (await t.http.get(mt('technicians')).set(as('viewer')).expect(200)).body as Array<{
      id: string;
      name: string;
    }>;
    expect(list.map((x) => x.id).sort()).toEqual([f.users.maintenance.id, second.id].sort());

    await page.goto('/maintenance');
    const card = `.mt-card[data-ticket="${open.code}"]`;
    await page.waitForSelector(`#mt-col-open ${card}`, { timeout: WAIT });
    await page.click(`${card} summary[data-assign]`);
    const select = `#mt-assign-${open.code}`;
    await page.waitForSelector(`${select} option[value="${second.id}"]`, {
      state: 'attached',
      timeout: WAIT,
    });
    const label = await page.textContent(`${select} option[value="${second.id}"]`);
    expect(label).toBe(`User ${second.username} (0 open)`);
    await screenshot(page, 'maintenance-setup-01-assign-card');
    await page.selectOption(select, second.id);
    await page.click(`${card} [data-action="assignTo"]`);
    await page.waitForSelector(`#mt-col-assigned ${card}`, { timeout: WAIT });
    const after = await ticket(open.code);
    expect(after).toMatchObject({ status: 'assigned', assigneeId: second.id });

    // In the ticket: handed over to the other technician, from the same list (now with one open ticket each).
    await page.goto(`/maintenance?view=ticket&id=${open.code}`);
    await page.waitForSelector(`#mt-assign-technician option[value="${f.users.maintenance.id}"]`, {
      state: 'attached',
      timeout: WAIT,
    });
    expect(await page.textContent(`#mt-assign-technician option[value="${second.id}"]`)).toBe(
      `User ${second.username} (1 open)`,
    );
    await page.selectOption('#mt-assign-technician', f.users.maintenance.id);
    await page.click('#mt-form-assign [data-action="assign"]');
    await waitForText(page, '[data-fact="assignee"]', `User ${f.users.maintenance.username}`, WAIT);
    expect((await ticket(open.code)).assigneeId).toBe(f.users.maintenance.id);
    await screenshot(page, 'maintenance-setup-02-assign-ticket');
  });

  it('registers a machine as an asset with its details and a meter; field errors shown at the field', async () => {
    const { page } = w;
    await page.goto('/maintenance?view=setup&section=assets');
    await waitForText(page, '#mt-tab-setup', 'Set-up', WAIT);
    const row = '#mt-setup-assets tr[data-asset="PRESS-1"]';
    await page.waitForSelector(row, { timeout: WAIT });
    await page.click(`${row} [data-action="editAsset"]`);
    await page.waitForSelector('#mt-asset-form', { timeout: WAIT });
    await page.fill('#mt-asset-serialNo', 'YH32-0457');
    await page.fill('#mt-asset-manufacturer', 'Tianduan');
    await page.fill('#mt-asset-model', 'YH32-315');
    await page.fill('#mt-asset-installDate', '2021-06-30');
    await page.selectOption('#mt-asset-criticality', 'A');
    await page.click('#mt-asset-submit');
    await waitForText(page, '#mt-setup-notice', 'Asset PRESS-1 saved.', WAIT);
    await waitForText(page, `${row} [data-field="serial"]`, 'YH32-0457', WAIT);
    const asset = (await t.http.get(mt('assets/PRESS-1')).set(as('viewer')).expect(200)).body;
    expect(asset).toMatchObject({
      serialNo: 'YH32-0457',
      manufacturer: 'Tianduan',
      model: 'YH32-315',
      installDate: '2021-06-30',
      criticality: 'A',
    });

    // A meter with a code the API refuses: its message at the code field.
    await page.waitForSelector('#mt-meter-form', { timeout: WAIT });
    await page.fill('#mt-meter-code', 'bad code!');
    await page.click('#mt-meter-submit');
    await page.waitForSelector('#mt-meter-form [data-field-error="code"]', { timeout: WAIT });
    expect(await page.getAttribute('#mt-meter-code', 'aria-invalid')).toBe('true');
    expect(w.takeProblems().filter((p) => !/status of 400/.test(p))).toEqual([]);
    await screenshot(page, 'maintenance-setup-03-meter-field-error');

    await page.fill('#mt-meter-code', 'STROKES');
    await page.selectOption('#mt-meter-kind', 'strokes');
    await page.selectOption('#mt-meter-feed', 'manual');
    await page.fill('#mt-meter-unit', 'pcs');
    await page.fill('#mt-meter-offset', '12000');
    await page.click('#mt-meter-submit');
    await waitForText(
      page,
      '#mt-setup-meters tr[data-meter="STROKES"] [data-field="value"]',
      '12,000 pcs',
      WAIT,
    );
    const meters = (await t.http.get(mt('assets/PRESS-1')).set(as('viewer')).expect(200)).body.meters;
    expect(meters).toEqual([
      expect.objectContaining({
        code: 'STROKES',
        kind: 'strokes',
        feed: 'manual',
        unit: 'pcs',
        value: '12000',
      }),
    ]);
    await screenshot(page, 'maintenance-setup-04-asset');
  });

  it('creates a PM plan in the page (refused fields shown first); the calendar shows it on its due date', async () => {
    const { page } = w;
    await page.goto('/maintenance?view=setup&section=plans');
    await page.waitForSelector('#mt-plan-new', { timeout: WAIT });
    await page.click('#mt-plan-new');
    await page.waitForSelector('#mt-plan-form', { timeout: WAIT });
    // Sent without asset, code and name: the API names each field.
    await page.click('#mt-plan-submit');
    await page.waitForSelector('#mt-plan-form-problem .problem', { timeout: WAIT });
    await page.waitForSelector('#mt-plan-form [data-field-error="code"]', { timeout: WAIT });
    expect(w.takeProblems().filter((p) => !/status of 400/.test(p))).toEqual([]);
    await screenshot(page, 'maintenance-setup-05-plan-refused');

    await page.selectOption('#mt-plan-asset', 'LATHE-1');
    await page.fill('#mt-plan-code', 'PM-UI-WEEKLY');
    await page.fill('#mt-plan-name', 'Weekly chuck cleaning');
    await page.fill('#mt-plan-estimatedMinutes', '45');
    await page.check('#mt-plan-trigger-calendar');
    await page.selectOption('#mt-plan-repeat', 'every');
    await page.fill('#mt-plan-every', '2');
    await page.selectOption('#mt-plan-unit', 'week');
    await page.fill('#mt-plan-startDate', dueDate);
    await page.click('#mt-plan-add-check');
    await page.fill('#mt-plan-check-0', 'Clean the chuck jaws');
    await page.fill('#mt-plan-check-zh-0', '清洁卡爪');
    await page.click('#mt-plan-add-check');
    await page.fill('#mt-plan-check-1', 'Grease the chuck');
    await screenshot(page, 'maintenance-setup-06-plan-form');
    await page.click('#mt-plan-submit');
    const row = '#mt-setup-plans tr[data-plan="PM-UI-WEEKLY"]';
    await page.waitForSelector(row, { timeout: WAIT });
    await waitForText(page, `${row} [data-field="rule"]`, 'every 2 weeks', WAIT);
    await waitForText(page, `${row} [data-field="checklist"]`, '2', WAIT);
    const plan = (await t.http.get(mt('pm-plans/PM-UI-WEEKLY')).set(as('viewer')).expect(200)).body;
    expect(plan).toMatchObject({
      trigger: 'calendar',
      everyN: 2,
      everyUnit: 'week',
      startDate: dueDate,
      estimatedMinutes: 45,
      active: true,
      checklist: [{ text: 'Clean the chuck jaws', textZh: '清洁卡爪' }, { text: 'Grease the chuck' }],
    });
    expect(plan.next.dueKey).toBe(dueDate);

    await page.goto(`/maintenance?view=calendar&date=${dueDate}`);
    await page.waitForSelector(
      `.mt-cal-day[data-date="${dueDate}"] [data-code="PM-UI-WEEKLY"]:not([data-projected])`,
      { timeout: WAIT },
    );
    await screenshot(page, 'maintenance-setup-07-calendar');

    // Edited (longer estimate) and deactivated from the set-up; the API agrees and the calendar drops it.
    await page.goto('/maintenance?view=setup&section=plans');
    await page.click(`${row} [data-action="editPlan"]`);
    await page.waitForSelector('#mt-plan-form', { timeout: WAIT });
    expect(await page.isDisabled('#mt-plan-code')).toBe(true);
    await page.fill('#mt-plan-estimatedMinutes', '90');
    await page.click('#mt-plan-submit');
    await waitForText(page, `${row} [data-field="estimate"]`, '1.5 h', WAIT);
    await page.click(`${row} [data-action="deactivatePlan"]`);
    await waitForText(page, `${row} [data-field="state"]`, 'Inactive', WAIT);
    const changed = (await t.http.get(mt('pm-plans/PM-UI-WEEKLY')).set(as('viewer')).expect(200)).body;
    expect(changed).toMatchObject({ estimatedMinutes: 90, active: false });
    await page.goto(`/maintenance?view=calendar&date=${dueDate}`);
    await page.waitForSelector('#mt-cal[aria-busy="false"]', { timeout: WAIT });
    expect(await page.locator('[data-code="PM-UI-WEEKLY"]').count()).toBe(0);
  });

  it('shows every machine’s reliability with the API’s figures, worst first, sortable, linked', async () => {
    const { page } = w;
    const response = page.waitForResponse((r) => r.url().includes('/maintenance/performance'), {
      timeout: WAIT,
    });
    await page.goto('/maintenance?view=reliability');
    const asked = new URL((await response).url());
    await page.waitForSelector('#mt-rel[aria-busy="false"] #mt-rel-table', { timeout: WAIT });
    const perf = await t.http
      .get(mt('performance'))
      .query({
        from: asked.searchParams.get('from'),
        to: asked.searchParams.get('to'),
        equipment: 'LATHE-1,PRESS-1',
      })
      .set(as('viewer'))
      .expect(200);
    const machines = perf.body.machines as Machine[];
    expect(machines).toHaveLength(2);
    const lathe = machines.find((m) => m.code === 'LATHE-1')!;
    expect(lathe.reliability.failures).toBe(1);
    for (const m of machines) {
      const row = `#mt-rel-table tr[data-equipment="${m.code}"]`;
      await waitForText(page, `${row} [data-field="availability"]`, pct(m.reliability.availability), WAIT);
      await waitForText(page, `${row} [data-field="oee"]`, pct(m.oee.oee), WAIT);
      await waitForText(page, `${row} [data-field="mtbf"]`, duration(m.reliability.mtbfMs), WAIT);
      await waitForText(page, `${row} [data-field="mttr"]`, duration(m.reliability.mttrMs), WAIT);
      await waitForText(page, `${row} [data-field="failures"]`, String(m.reliability.failures), WAIT);
      await waitForText(page, `${row} [data-field="downtime"]`, duration(m.reliability.downtimeMs), WAIT);
    }
    // Worst first: the lathe with its breakdown leads.
    const order = () =>
      page.$$eval('#mt-rel-table tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.equipment));
    expect(await order()).toEqual(['LATHE-1', 'PRESS-1']);
    expect(await page.getAttribute('#mt-rel-table th[aria-sort]', 'aria-sort')).toBe('ascending');
    await screenshot(page, 'maintenance-setup-08-reliability');

    // Sorted by failures (most first), then the other way round.
    await page.click('#mt-rel-sort-failures');
    expect(await order()).toEqual(['LATHE-1', 'PRESS-1']);
    await page.click('#mt-rel-sort-failures');
    expect(await order()).toEqual(['PRESS-1', 'LATHE-1']);
    expect(page.url()).toContain('sort=failures');

    // The row leads to the asset page.
    await page.click('#mt-rel-table tr[data-equipment="LATHE-1"] th a');
    await page.waitForURL('**/maintenance?view=asset&id=LATHE-1', { timeout: WAIT });
    await page.waitForSelector('[data-value="failures"]', { timeout: WAIT });
  });

  it('switches the overview and the set-up to 中文 and back', async () => {
    const { page } = w;
    await page.goto('/maintenance?view=reliability');
    await page.waitForSelector('#mt-rel[aria-busy="false"] #mt-rel-table', { timeout: WAIT });
    await page.selectOption('#locale-select', 'zh-CN');
    await waitForText(page, '#mt-tab-reliability', '可靠性', WAIT);
    await waitForText(page, '#mt-rel-title', '全部设备的可靠性', WAIT);
    await waitForText(page, '#mt-rel-sort-downtime', '停机时间', WAIT);
    await screenshot(page, 'maintenance-setup-09-reliability-zh');
    await page.goto('/maintenance?view=setup&section=plans');
    await waitForText(page, '#mt-plan-new', '新建维护计划', WAIT);
    await page.selectOption('#locale-select', 'en');
    await waitForText(page, '#mt-plan-new', 'New PM plan', WAIT);
    await waitForText(page, '#mt-tab-setup', 'Set-up', WAIT);
  });

  it('shows a viewer the set-up and the overview without any set-up action', async () => {
    const viewer = await openPage(browser, { baseURL: t.url, locale: 'en' });
    try {
      await signIn(viewer.page, 'viewer');
      const { page } = viewer;
      await page.goto('/maintenance?view=reliability');
      await page.waitForSelector('#mt-rel[aria-busy="false"] #mt-rel-table', { timeout: WAIT });
      expect(await page.locator('#mt-tab-setup').count()).toBe(0);

      await page.goto('/maintenance?view=setup&section=assets');
      await page.waitForSelector('#mt-setup-assets tr[data-asset="PRESS-1"]', { timeout: WAIT });
      expect(await page.locator('#mt-asset-new, [data-action], #mt-asset-form').count()).toBe(0);
      await page.click('#mt-setup-tab-plans');
      await page.waitForSelector('#mt-setup-plans tr[data-plan="PM-UI-WEEKLY"]', { timeout: WAIT });
      expect(await page.locator('#mt-plan-new, [data-action], #mt-plan-form').count()).toBe(0);
      await screenshot(page, 'maintenance-setup-10-viewer');

      const open = await raise('PRESS-1', 'Light curtain fault');
      await page.goto('/maintenance');
      await page.waitForSelector(`.mt-card[data-ticket="${open.code}"]`, { timeout: WAIT });
      expect(await page.locator('.mt-card-assign, [data-action]').count()).toBe(0);
      expect(viewer.takeProblems()).toEqual([]);
    } finally {
      await viewer.context.close();
    }
  });

  it('fits a 10-inch tablet in portrait', async () => {
    const { page } = w;
    await page.setViewportSize({ width: 800, height: 1280 });
    for (const view of ['reliability', 'setup&section=plans']) {
      await page.goto(`/maintenance?view=${view}`);
      await page.waitForSelector('#mt-rel-table, #mt-setup-plans', { timeout: WAIT });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    }
    await page.click('#mt-plan-new');
    await page.waitForSelector('#mt-plan-form', { timeout: WAIT });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'maintenance-setup-11-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
