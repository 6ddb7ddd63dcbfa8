import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';
const WAIT = 15_000;

interface Ticket {
  id: string;
  code: string;
  status: string;
  version: number;
  failureCode: string | null;
  cause: string | null;
  remedy: string | null;
  parts: Array<{ materialCode: string; issuedQty: string }>;
  labour: Array<{ technicianName: string; note: string | null; endedAt: string | null }>;
}

/**
 * The maintenance technician's day in the browser: a breakdown raised over the API appears on the board without
 * a reload; the technician takes it, starts it (dragging the card), books labour, takes a bearing from stock,
 * closes it with failure code, cause and remedy and verifies it — the API agrees at every step. The PM calendar
 * shows a seeded plan on its due date; the asset page shows the API's MTBF, MTTR and OEE and takes a meter
 * reading. A viewer sees the same board without a single action.
 */
describe('ui: the maintenance board in the browser', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;
  let breakdown: Ticket;
  let dueDate: string;

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const mt = (path: string) => f.url(`maintenance/${path}`);
  const ticket = async (code: string): Promise<Ticket> =>
    (
      await t.http
        .get(mt(`tickets/${code}`))
        .set(as('maintenance'))
        .expect(200)
    ).body as Ticket;

  // The page formats with Intl in its locale; so do the expectations.
  const num = (locale: string, value: string | number, digits = 3) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(Number(value));
  const pct = (locale: string, ratio: number | null) =>
    ratio === null
      ? '—'
      : new Intl.NumberFormat(locale, {
          style: 'percent',
          minimumFractionDigits: 1,
          maximumFractionDigits: 1,
        }).format(ratio);
  /** As the page shows a span of time: minutes below an hour, hours below two days, else days. */
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

  /** Signs the person in for this browser tab as the sign-in page would (token, who, site). */
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

  const card = (code: string) => `.mt-card[data-ticket="${code}"]`;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    f = await productionFactory(t);
    await t.http
      .post(f.url('materials'))
      .set(as('admin'))
      .send({
        code: 'BEARING-6205',
        name: 'Deep groove bearing 6205',
        materialClass: 'spare_part',
        baseUnitId: f.units.pcs.id,
        lotTracked: true,
      })
      .expect(201);
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'BEARING-6205', quantity: '5', location: 'WH', lotCode: 'BRG-UI-1' })
      .expect(201);
    await t.http
      .post(mt('assets'))
      .set(as('maintenance'))
      .send({ equipment: 'LATHE-1', serialNo: 'CK6140-2291', criticality: 'A', manufacturer: 'Shenyang' })
      .expect(201);
    await t.http
      .post(mt('assets/LATHE-1/meters'))
      .set(as('maintenance'))
      .send({ code: 'HOURS', kind: 'run_hours', feed: 'manual', unit: 'h', offset: '100' })
      .expect(201);
    dueDate = siteDate(new Date(Date.now() + 5 * DAY));
    await t.http
      .post(mt('pm-plans'))
      .set(as('maintenance'))
      .send({
        asset: 'LATHE-1',
        code: 'PM-LATHE-M',
        name: 'Monthly lubrication',
        trigger: 'calendar',
        every: 1,
        unit: 'month',
        startDate: dueDate,
        estimatedMinutes: 60,
        checklist: [{ text: 'Check spindle oil level', textZh: '检查主轴油位' }],
      })
      .expect(201);
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

  it('shows a breakdown raised over the API on the board at once, without a reload', async () => {
    const { page } = w;
    await page.goto('/maintenance');
    await waitForText(page, '#maintenance-title', 'Maintenance', WAIT);
    await page.waitForSelector('#mt-board[aria-busy="false"]', { timeout: WAIT });
    await page.waitForFunction(() => document.getElementById('live-status')?.textContent === 'Live', null, {
      timeout: WAIT,
    });
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    const created = await t.http
      .post(mt('tickets'))
      .set(as('operator'))
      .set('Idempotency-Key', randomUUID())
      .send({ kind: 'corrective', asset: 'LATHE-1', title: 'Spindle bearing noise', machineDown: true })
      .expect(201);
    breakdown = created.body as Ticket;
    await page.waitForSelector(`#mt-col-open ${card(breakdown.code)}`, { timeout: WAIT });
    await waitForText(page, `${card(breakdown.code)} .mt-card-title`, 'Spindle bearing noise', WAIT);
    await waitForText(page, `${card(breakdown.code)} [data-priority]`, 'Urgent', WAIT);
    await waitForText(page, `${card(breakdown.code)} [data-flag="down"]`, 'Machine down', WAIT);
    await waitForText(page, '[data-figure="machinesDown"]', '1', WAIT);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await screenshot(page, 'maintenance-01-board');
  });

  it('lets the technician take, start (by dragging), work on, complete and verify the ticket; the API agrees', async () => {
    const { page } = w;
    const code = breakdown.code;
    await page.click(`${card(code)} [data-action="assignMe"]`);
    await page.waitForSelector(`#mt-col-assigned ${card(code)}`, { timeout: WAIT });
    expect((await ticket(code)).status).toBe('assigned');

    // Drag the card to "in progress": the start command. The drag's events are sent to the card and the column
    // with one DataTransfer (Chromium's mouse-driven drag sometimes never drops in a headless run, which would test
    // the browser, not the board).
    const dataTransfer = await page.evaluateHandle(() => new DataTransfer());
    await page.dispatchEvent(card(code), 'dragstart', { dataTransfer });
    await page.dispatchEvent('#mt-col-in_progress', 'dragenter', { dataTransfer });
    await page.dispatchEvent('#mt-col-in_progress', 'dragover', { dataTransfer });
    expect(await page.locator('#mt-col-in_progress').getAttribute('class')).toContain('mt-drop-over');
    await page.dispatchEvent('#mt-col-in_progress', 'drop', { dataTransfer });
    await page.dispatchEvent(card(code), 'dragend', { dataTransfer });
    await page.waitForSelector(`#mt-col-in_progress ${card(code)}`, { timeout: WAIT });
    expect((await ticket(code)).status).toBe('in_progress');

    // Complete from the card opens the ticket at the closure form (a breakdown needs its cause).
    await page.click(`${card(code)} [data-action="complete"]`);
    await page.waitForURL(`**/maintenance?view=ticket&id=${code}&action=complete`, { timeout: WAIT });
    await waitForText(page, '#mt-ticket-code', code, WAIT);
    await page.waitForSelector('#mt-ticket[data-status="in_progress"]', { timeout: WAIT });

    // Labour booked afterwards (the last hour, as filled in) with what was done.
    await page.fill('#mt-labour-note', 'Replaced spindle bearing');
    await page.click('[data-action="bookLabour"]');
    await page.waitForSelector('#mt-labour tbody tr', { timeout: WAIT });
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#mt-labour td')].some(
          (td) => td.textContent === 'Replaced spindle bearing',
        ),
      null,
      { timeout: WAIT },
    );

    // A bearing taken from stock (its lot offered with what is free).
    await page.waitForSelector('#mt-part-material option[value="BEARING-6205"]', {
      state: 'attached',
      timeout: WAIT,
    });
    await page.selectOption('#mt-part-material', 'BEARING-6205');
    await page.waitForSelector('#mt-part-lot option[value="BRG-UI-1"]', { state: 'attached', timeout: WAIT });
    await page.selectOption('#mt-part-lot', 'BRG-UI-1');
    await page.fill('#mt-part-qty', '1');
    await page.click('[data-action="issuePart"]');
    await waitForText(page, '#mt-parts tr[data-part="BEARING-6205"] [data-field="issued"]', '1', WAIT);

    // Completing without the closure is refused by the API and the page says what is missing.
    await page.click('[data-action="complete"]');
    await page.waitForSelector('#mt-command-problem .problem', { timeout: WAIT });
    const refused = await page.textContent('#mt-command-problem');
    expect(refused).toContain('failureCode');
    expect(w.takeProblems().filter((p) => !/status of 409/.test(p))).toEqual([]);
    await screenshot(page, 'maintenance-02-ticket-refused');

    await page.fill('#mt-complete-failure', 'BEARING');
    await page.fill('#mt-complete-cause', 'Worn bearing after 8000 h');
    await page.fill('#mt-complete-remedy', 'Bearing 6205 replaced, spindle run in');
    await page.click('[data-action="complete"]');
    await page.waitForSelector('#mt-ticket[data-status="done"]', { timeout: WAIT });
    await waitForText(page, '.mt-stepper li[aria-current="step"]', 'Done', WAIT);

    await page.click('[data-action="verify"]');
    await page.waitForSelector('#mt-ticket[data-status="verified"]', { timeout: WAIT });
    await waitForText(page, '[data-fact="failureCode"]', 'BEARING', WAIT);
    await screenshot(page, 'maintenance-03-ticket-verified');

    const final = await ticket(code);
    expect(final).toMatchObject({
      status: 'verified',
      failureCode: 'BEARING',
      cause: 'Worn bearing after 8000 h',
      remedy: 'Bearing 6205 replaced, spindle run in',
    });
    expect(final.parts).toEqual([expect.objectContaining({ materialCode: 'BEARING-6205', issuedQty: '1' })]);
    expect(final.labour.map((l) => l.note)).toContain('Replaced spindle bearing');
    expect(final.labour.every((l) => l.endedAt !== null)).toBe(true);
    const lot = await t.http.get(f.url('lots/BRG-UI-1')).set(as('warehouse')).expect(200);
    expect(lot.body.quantity).toBe('4');
    const lathe = await t.http
      .get(f.url(`equipment/${f.equipment.lathe.id}`))
      .set(as('planner'))
      .expect(200);
    expect(lathe.body.status).not.toBe('down');

    // Back on the board the ticket sits among the closed ones.
    await page.click('#mt-back');
    await page.waitForSelector(`#mt-col-closed ${card(code)}`, { timeout: WAIT });
    await screenshot(page, 'maintenance-04-board-closed');
  });

  it('shows the seeded PM plan on its due date in the calendar, in month and week view', async () => {
    const { page } = w;
    await page.goto(`/maintenance?view=calendar&date=${dueDate}`);
    const plan = (await t.http.get(mt('pm-plans/PM-LATHE-M')).set(as('viewer')).expect(200)).body as {
      next: { dueAt: string; dueKey: string };
    };
    expect(plan.next.dueKey).toBe(dueDate);
    const chip = `.mt-cal-day[data-date="${dueDate}"] [data-code="PM-LATHE-M"]:not([data-projected])`;
    await page.waitForSelector(chip, { timeout: WAIT });
    await waitForText(
      page,
      'tr[data-plan="PM-LATHE-M"] [data-field="nextDue"]',
      new Intl.DateTimeFormat('en', { dateStyle: 'short', timeStyle: 'short', timeZone: TZ }).format(
        new Date(plan.next.dueAt),
      ),
      WAIT,
    );
    await screenshot(page, 'maintenance-05-calendar-month');
    // The next month's repeat, projected from the rule.
    await page.click('#mt-cal-next');
    await page.waitForSelector('[data-code="PM-LATHE-M"][data-projected="true"]', { timeout: WAIT });
    await page.click('#mt-cal-week');
    await page.click('#mt-cal-today');
    await page.goto(`/maintenance?view=calendar&mode=week&date=${dueDate}`);
    await page.waitForSelector(chip, { timeout: WAIT });
    await screenshot(page, 'maintenance-06-calendar-week');
  });

  it('shows the asset with the API’s MTBF, MTTR and OEE and takes a meter reading', async () => {
    const { page } = w;
    const response = page.waitForResponse((r) => r.url().includes('/maintenance/performance'), {
      timeout: WAIT,
    });
    await page.goto('/maintenance?view=asset&id=LATHE-1');
    const asked = new URL((await response).url());
    const perf = await t.http
      .get(mt('performance'))
      .query({ from: asked.searchParams.get('from'), to: asked.searchParams.get('to'), equipment: 'LATHE-1' })
      .set(as('viewer'))
      .expect(200);
    const machine = perf.body.machines[0];
    expect(machine.reliability.failures).toBe(1);
    await waitForText(page, '[data-value="mtbf"]', duration(machine.reliability.mtbfMs), WAIT);
    await waitForText(page, '[data-value="mttr"]', duration(machine.reliability.mttrMs), WAIT);
    await waitForText(page, '[data-value="failures"]', '1', WAIT);
    await waitForText(page, '[data-value="oee"]', pct('en', machine.oee.oee), WAIT);
    await waitForText(page, '[data-value="availability"]', pct('en', machine.oee.availability), WAIT);
    await waitForText(page, '[data-value="performance"]', pct('en', machine.oee.effectiveness), WAIT);
    await waitForText(page, '[data-value="quality"]', pct('en', machine.oee.qualityRatio), WAIT);
    await page.waitForSelector(`#mt-asset-tickets tr[data-ticket="${breakdown.code}"]`, { timeout: WAIT });
    await waitForText(page, '[data-fact="serial"]', 'CK6140-2291', WAIT);

    await page.fill('#mt-meter-value-HOURS', '150.5');
    await page.click('[data-action="reading-HOURS"]');
    await waitForText(page, '[data-meter="HOURS"] [data-field="value"]', '150.5 h', WAIT);
    const asset = await t.http.get(mt('assets/LATHE-1')).set(as('viewer')).expect(200);
    expect(asset.body.meters).toEqual([expect.objectContaining({ code: 'HOURS', value: '150.5' })]);

    // A reading below the last one: the API refuses and the page says why.
    await page.fill('#mt-meter-value-HOURS', '120');
    await page.click('[data-action="reading-HOURS"]');
    await waitForText(
      page,
      '#mt-meter-problem-HOURS .problem-detail',
      'The reading is below the meter’s last one.',
      WAIT,
    );
    expect(w.takeProblems().filter((p) => !/status of 422/.test(p))).toEqual([]);
    await screenshot(page, 'maintenance-07-asset');
  });

  it('switches to 中文 and back, labels in the chosen language', async () => {
    const { page } = w;
    await page.goto('/maintenance');
    await page.waitForSelector('#mt-board[aria-busy="false"]', { timeout: WAIT });
    await page.selectOption('#locale-select', 'zh-CN');
    await waitForText(page, '#maintenance-title', '设备维护', WAIT);
    await waitForText(page, '#mt-tab-calendar', '预防性维护日历', WAIT);
    await waitForText(page, '#mt-col-in_progress-title span', '维修中', WAIT);
    await waitForText(page, `${card(breakdown.code)} .mt-status`, '已验收', WAIT);
    await screenshot(page, 'maintenance-08-board-zh');
    await page.selectOption('#locale-select', 'en');
    await waitForText(page, '#maintenance-title', 'Maintenance', WAIT);
    await waitForText(page, '#mt-col-in_progress-title span', 'In progress', WAIT);
  });

  it('shows a viewer the board, the ticket and the asset without any action', async () => {
    const viewer = await openPage(browser, { baseURL: t.url, locale: 'en' });
    try {
      await signIn(viewer.page, 'viewer');
      const { page } = viewer;
      const open = await t.http
        .post(mt('tickets'))
        .set(as('maintenance'))
        .set('Idempotency-Key', randomUUID())
        .send({ kind: 'improvement', asset: 'PRESS-1', title: 'Add a guard light', priority: 'low' })
        .expect(201);
      await page.goto('/maintenance');
      await page.waitForSelector(`#mt-col-open ${card(open.body.code)}`, { timeout: WAIT });
      expect(await page.locator('[data-action]').count()).toBe(0);
      expect(await page.locator('#mt-new-ticket').count()).toBe(0);
      expect(await page.locator('.mt-card[draggable="true"]').count()).toBe(0);
      await screenshot(page, 'maintenance-09-viewer-board');

      await page.goto(`/maintenance?view=ticket&id=${open.body.code}`);
      await waitForText(page, '#mt-ticket-code', open.body.code, WAIT);
      expect(await page.locator('#mt-commands').count()).toBe(0);
      expect(await page.locator('#mt-ticket form, #mt-ticket [data-action]').count()).toBe(0);

      await page.goto('/maintenance?view=asset&id=LATHE-1');
      await page.waitForSelector('[data-meter="HOURS"]', { timeout: WAIT });
      expect(await page.locator('#mt-meter-value-HOURS').count()).toBe(0);
      expect(viewer.takeProblems()).toEqual([]);
    } finally {
      await viewer.context.close();
    }
  });

  it('fits a 10-inch tablet in portrait', async () => {
    const { page } = w;
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.goto('/maintenance');
    await page.waitForSelector('#mt-board[aria-busy="false"]', { timeout: WAIT });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'maintenance-10-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
