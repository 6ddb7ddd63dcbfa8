import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

/**
 * Master data one record at a time in the browser (/admin?tab=master-data): the administrator creates a
 * material and a work center, is shown the API's field errors for an invalid one (nothing is created), edits a
 * record (with the version read: a change made meanwhile is refused and the latest one can be loaded),
 * deactivates and reactivates it, and changes a BOM line and a routing operation. A registered terminal is
 * moved to another work center; the audit trail is filtered. Every outcome is checked against the API.
 */
describe('ui: master data records and terminals on the administration page', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;

  const admin = () => f.auth(f.users.admin.token);
  const unexpected = (problems: string[], ...statuses: number[]) =>
    problems.filter((p) => !statuses.some((status) => new RegExp(`status of ${status}`).test(p)));
  const byCode = async (path: string, code: string) =>
    (
      await t.http
        .get(f.url(`${path}/by-code/${encodeURIComponent(code)}`))
        .set(admin())
        .expect(200)
    ).body;

  async function signIn(page: WatchedPage['page'], path: string) {
    await page.goto(path);
    await page.waitForURL(/\/login/);
    await page.fill('#login-username', f.users.admin.username);
    await page.fill('#login-password', f.users.admin.password);
    await page.click('#login-form button[type="submit"]');
    await page.locator('.site-option', { hasText: f.site.code }).locator('input[type="radio"]').check();
    await page.click('#site-continue');
  }

  async function kind(path: string) {
    await w.page.click(`#md-kind-${path}`);
    await w.page.waitForSelector(`#md-kind-${path}[aria-pressed="true"]`);
    await w.page.waitForSelector('#md-body[aria-busy="false"] tbody tr', { timeout: 10_000 });
  }

  async function submitDialog(dialog: string, submit: string) {
    await w.page.click(submit);
    await w.page.waitForSelector(dialog, { state: 'detached', timeout: 10_000 });
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    f = await productionFactory(t);
    w = await openPage(browser, { baseURL: t.url, locale: 'en' });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    expect(w.takeProblems()).toEqual([]);
  });

  it('creates a material and a work center from their forms; the API has them as entered', async () => {
    const { page } = w;
    await signIn(page, '/admin?tab=master-data');
    await page.waitForURL('**/admin?tab=master-data');
    await page.waitForSelector('#md-body tbody tr', { timeout: 10_000 });
    await waitForText(page, '#md-new', 'New (Materials)', 10_000);

    await page.click('#md-new');
    await page.waitForSelector('#rec-dialog[open]');
    // References are picked from the lists of their kind.
    expect(await page.locator('#rec-baseUnitId option', { hasText: 'PCS' }).count()).toBe(1);
    await page.fill('#rec-code', 'UI-BRACKET');
    await page.fill('#rec-name', 'Bracket');
    await page.fill('#rec-nameZh', '支架');
    await page.selectOption('#rec-materialClass', 'raw');
    await page.selectOption('#rec-baseUnitId', f.units.pcs.id);
    await page.check('#rec-lotTracked');
    await page.fill('#rec-safetyStock', '12.5');
    await page.selectOption('#rec-defaultLocationId', f.locations.warehouse.id);
    await screenshot(page, 'admin-records-01-new-material');
    await submitDialog('#rec-dialog', '#rec-submit');
    await waitForText(page, '#md-flash', 'UI-BRACKET created (version 1).', 10_000);
    await page.waitForSelector('tr[data-code="UI-BRACKET"]', { timeout: 10_000 });

    const material = await byCode('materials', 'UI-BRACKET');
    expect(material).toMatchObject({
      name: 'Bracket',
      nameZh: '支架',
      materialClass: 'raw',
      baseUnitId: f.units.pcs.id,
      lotTracked: true,
      serialTracked: false,
      defaultLocationId: f.locations.warehouse.id,
      active: true,
      version: 1,
    });
    expect(Number(material.safetyStock)).toBe(12.5);
    expect(material.shelfLifeDays ?? null).toBeNull();

    await kind('work-centers');
    await page.click('#md-new');
    await page.waitForSelector('#rec-dialog[open]');
    await page.fill('#rec-code', 'UI-WELD');
    await page.fill('#rec-name', 'Welding');
    await page.selectOption('#rec-lineId', f.line.id);
    await page.fill('#rec-labourRatePerHour', '55');
    await submitDialog('#rec-dialog', '#rec-submit');
    await page.waitForSelector('tr[data-code="UI-WELD"]', { timeout: 10_000 });
    expect(await page.textContent('tr[data-code="UI-WELD"] .col-line')).toBe('L1');
    const workCenter = await byCode('work-centers', 'UI-WELD');
    expect(workCenter).toMatchObject({ name: 'Welding', lineId: f.line.id, active: true });
    expect(Number(workCenter.labourRatePerHour)).toBe(55);
  });

  it('shows the API’s field errors at the fields of an invalid record, and creates nothing', async () => {
    const { page } = w;
    await kind('materials');
    await page.click('#md-new');
    await page.waitForSelector('#rec-dialog[open]');
    await page.fill('#rec-code', 'bad code!');
    await page.fill('#rec-shelfLifeDays', 'soon');
    await page.click('#rec-submit');
    await page.waitForSelector('#rec-dialog-problem .problem', { timeout: 10_000 });
    for (const name of ['code', 'name', 'materialClass', 'baseUnitId', 'shelfLifeDays']) {
      await page.waitForSelector(`#rec-dialog [data-field="${name}"] .rec-field-error`, { timeout: 10_000 });
    }
    expect(await page.getAttribute('#rec-code', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#rec-materialClass', 'aria-invalid')).toBe('true');
    expect(await page.textContent('[data-field="code"] .rec-field-error')).toMatch(/code must be/);
    await screenshot(page, 'admin-records-02-field-errors');
    await page.click('#rec-dialog .admin-cancel');
    await page.waitForSelector('#rec-dialog', { state: 'detached' });
    const found = await t.http.get(f.url('materials')).query({ q: 'bad code' }).set(admin()).expect(200);
    expect(found.body.total).toBe(0);
    expect(unexpected(w.takeProblems(), 400)).toEqual([]);
  });

  it('edits a record with the version read, loads the latest after a conflict, deactivates and reactivates it', async () => {
    const { page } = w;
    const row = 'tr[data-code="UI-BRACKET"]';
    await page.click(`${row} [data-action="edit"]`);
    await page.waitForSelector('#rec-dialog[open] #rec-version');
    // Fixed once created: the code and the base unit.
    expect(await page.isDisabled('#rec-code')).toBe(true);
    expect(await page.isDisabled('#rec-baseUnitId')).toBe(true);
    expect(await page.inputValue('#rec-name')).toBe('Bracket');
    await page.fill('#rec-name', 'Bracket, zinc plated');
    await page.fill('#rec-reorderPoint', '40');
    await page.fill('#rec-reason', 'drawing rev B');
    await submitDialog('#rec-dialog', '#rec-submit');
    await waitForText(page, '#md-flash', 'UI-BRACKET saved (version 2).', 10_000);
    let material = await byCode('materials', 'UI-BRACKET');
    expect(material).toMatchObject({
      name: 'Bracket, zinc plated',
      version: 2,
      safetyStock: expect.any(String),
    });
    expect(Number(material.reorderPoint)).toBe(40);
    const audit = await t.http
      .get(`/api/v1/audit?entityType=material&entityId=${material.id}&action=material.updated`)
      .set(admin())
      .expect(200);
    expect(audit.body.items[0]).toMatchObject({
      reason: 'drawing rev B',
      after: { name: 'Bracket, zinc plated' },
    });

    // Someone else changes it while the form is open: the page's save is refused, the latest version loads.
    await page.click(`${row} [data-action="edit"]`);
    await page.waitForSelector('#rec-dialog[open] #rec-version');
    await t.http
      .patch(f.url(`materials/${material.id}`))
      .set(admin())
      .send({ version: 2, specification: 'ISO 4017' })
      .expect(200);
    await page.fill('#rec-lotSize', '500');
    await page.click('#rec-submit');
    await page.waitForSelector('#rec-dialog-problem .problem', { timeout: 10_000 });
    await page.waitForSelector('#rec-reload:not([hidden])');
    expect(unexpected(w.takeProblems(), 409)).toEqual([]);
    await page.click('#rec-reload');
    await page.waitForFunction(
      () => document.querySelector<HTMLTextAreaElement>('#rec-specification')?.value === 'ISO 4017',
      null,
      {
        timeout: 10_000,
      },
    );
    await page.fill('#rec-lotSize', '500');
    await submitDialog('#rec-dialog', '#rec-submit');
    await waitForText(page, '#md-flash', 'UI-BRACKET saved (version 4).', 10_000);
    material = await byCode('materials', 'UI-BRACKET');
    expect(material).toMatchObject({ specification: 'ISO 4017', version: 4 });
    expect(Number(material.lotSize)).toBe(500);

    await page.click(`${row} [data-action="deactivate"]`);
    await page.waitForSelector('#rec-active-dialog[open]');
    await page.fill('#rec-active-reason', 'superseded');
    await submitDialog('#rec-active-dialog', '#rec-active-submit');
    await waitForText(page, '#md-flash', 'UI-BRACKET deactivated (version 5).', 10_000);
    // The list shows active records: it is gone from there.
    await page.waitForSelector(row, { state: 'detached', timeout: 10_000 });
    expect((await byCode('materials', 'UI-BRACKET')).active).toBe(false);

    await page.selectOption('#md-active', 'false');
    await page.waitForSelector(`${row} [data-action="reactivate"]`, { timeout: 10_000 });
    await page.click(`${row} [data-action="reactivate"]`);
    await page.waitForSelector('#rec-active-dialog[open]');
    await submitDialog('#rec-active-dialog', '#rec-active-submit');
    await page.waitForSelector(row, { state: 'detached', timeout: 10_000 });
    expect((await byCode('materials', 'UI-BRACKET')).active).toBe(true);
    await page.selectOption('#md-active', 'true');
    await page.waitForSelector(row, { timeout: 10_000 });
  });

  it('changes a BOM line and a routing operation as one document, keeping what the form does not show', async () => {
    const { page } = w;
    await kind('boms');
    await page.click('tr[data-code="SA-100/1"] [data-action="edit"]');
    await page.waitForSelector('#doc-dialog[open] #doc-lines .rec-line');
    expect(await page.locator('#doc-lines .rec-line').count()).toBe(2);
    const grease = page.locator('#doc-lines .rec-line').nth(1);
    await grease.locator('input[data-part="quantityPer"]').fill('0.06');
    await screenshot(page, 'admin-records-03-bom');
    await submitDialog('#doc-dialog', '#doc-submit');
    await waitForText(page, '#md-flash', 'SA-100/1 saved (version 2).', 10_000);
    const boms = await t.http
      .get(f.url('boms'))
      .query({ materialId: f.materials.product.id })
      .set(admin())
      .expect(200);
    const bom = await t.http
      .get(f.url(`boms/${boms.body.items[0].id}`))
      .set(admin())
      .expect(200);
    expect(
      bom.body.lines.map((l: { lineNo: number; quantityPer: string; issueMethod: string }) => [
        l.lineNo,
        Number(l.quantityPer),
        l.issueMethod,
      ]),
    ).toEqual([
      [10, 1, 'manual'],
      [20, 0.06, 'backflush'],
    ]);

    await kind('routings');
    await page.click('tr[data-code="SA-100/1"] [data-action="edit"]');
    await page.waitForSelector('#doc-dialog[open] #doc-operations .rec-operation');
    const assembly = page.locator('#doc-operations .rec-operation').nth(1);
    await assembly.locator('input[data-part="name"]').fill('Press-fit assembly');
    // A bad run time is refused by the API and shown at its cell.
    await assembly.locator('input[data-part="runTimePerUnitSec"]').fill('fast');
    await page.click('#doc-submit');
    await page.waitForSelector('[data-field="operations.1.equipment.0.runTimePerUnitSec"] .rec-field-error', {
      timeout: 10_000,
    });
    expect(unexpected(w.takeProblems(), 400)).toEqual([]);
    await assembly.locator('input[data-part="runTimePerUnitSec"]').fill('28');
    await screenshot(page, 'admin-records-04-routing');
    await submitDialog('#doc-dialog', '#doc-submit');
    await waitForText(page, '#md-flash', 'SA-100/1 saved (version 2).', 10_000);
    const routings = await t.http
      .get(f.url('routings'))
      .query({ materialId: f.materials.product.id })
      .set(admin())
      .expect(200);
    const routing = await t.http
      .get(f.url(`routings/${routings.body.items[0].id}`))
      .set(admin())
      .expect(200);
    expect(routing.body.operations[1]).toMatchObject({
      seq: 20,
      name: 'Press-fit assembly',
      nameZh: '装配',
      inspectionPoint: true,
      parameters: [{ name: 'Press force', unit: 'kN', min: 8, max: 12 }],
      equipment: [expect.objectContaining({ equipmentId: f.equipment.press.id })],
    });
    expect(Number(routing.body.operations[1].equipment[0].runTimePerUnitSec)).toBe(28);
    expect(routing.body.operations[0]).toMatchObject({
      name: 'Turning',
      instructions: 'Clamp in soft jaws; check Ø40 h6 every 10 parts.',
      parameters: [{ name: 'Spindle speed', unit: 'rpm', min: 2800, max: 3200 }],
    });
  });

  it('moves a registered terminal to another work center; the list and the API agree', async () => {
    const { page } = w;
    const code = `T-UI-${Date.now().toString(36)}`.toUpperCase();
    const registered = await t.http
      .post('/api/v1/terminals')
      .set(admin())
      .send({ code, name: 'Turning terminal', siteId: f.site.id, workCenterId: f.workCenters.turn.id })
      .expect(201);
    await page.click('#admin-tab-api-clients');
    await page.waitForURL('**/admin?tab=api-clients');
    const row = `tr[data-terminal="${code}"]`;
    await page.waitForSelector(row, { timeout: 10_000 });
    await waitForText(page, `${row} .col-workCenter`, 'TURN · Turning', 10_000);
    await page.click(`${row} [data-action="edit"]`);
    await page.waitForSelector('#terminal-dialog[open]');
    await page.fill('#terminal-name', 'Assembly terminal');
    await page.selectOption('#terminal-work-center', f.workCenters.assy.id);
    await screenshot(page, 'admin-records-05-terminal');
    await submitDialog('#terminal-dialog', '#terminal-submit');
    await waitForText(page, `${row} .col-workCenter`, 'ASSY · Assembly', 10_000);
    const listed = await t.http.get('/api/v1/terminals').set(admin()).expect(200);
    expect(listed.body.find((x: { id: string }) => x.id === registered.body.id)).toMatchObject({
      name: 'Assembly terminal',
      workCenterId: f.workCenters.assy.id,
    });

    // Taken off any work center.
    await page.click(`${row} [data-action="edit"]`);
    await page.waitForSelector('#terminal-dialog[open]');
    await page.selectOption('#terminal-work-center', '');
    await submitDialog('#terminal-dialog', '#terminal-submit');
    await waitForText(page, `${row} .col-workCenter`, 'None', 10_000);
    const after = await t.http.get('/api/v1/terminals').set(admin()).expect(200);
    expect(after.body.find((x: { id: string }) => x.id === registered.body.id).workCenterId).toBeNull();
  });

  it('filters the audit trail by record type, action and record, as the API does', async () => {
    const { page } = w;
    await page.click('#admin-tab-audit');
    await page.waitForSelector('#audit-body tbody tr', { timeout: 10_000 });
    await page.fill('#audit-entityType', 'material');
    await page.fill('#audit-action', 'material.updated');
    await page.click('#audit-apply');
    const api = await t.http
      .get('/api/v1/audit?entityType=material&action=material.updated&limit=50')
      .set(admin())
      .expect(200);
    expect(api.body.items.length).toBeGreaterThanOrEqual(3);
    await page.waitForFunction(
      (count) => document.querySelectorAll('#audit-body tbody tr').length === count,
      api.body.items.length,
      { timeout: 10_000 },
    );
    const actions = await page
      .locator('#audit-body tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(new Set(actions)).toEqual(new Set(['material.updated']));
    // Newest first, as the API lists them.
    expect(
      await page
        .locator('#audit-body tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-entry'))),
    ).toEqual(api.body.items.map((e: { id: string | number }) => String(e.id)));

    const material = await byCode('materials', 'UI-BRACKET');
    await page.fill('#audit-action', '');
    await page.fill('#audit-entityId', material.id);
    await page.click('#audit-apply');
    const history = await t.http
      .get(`/api/v1/audit?entityType=material&entityId=${material.id}&limit=50`)
      .set(admin())
      .expect(200);
    await page.waitForFunction(
      (count) => document.querySelectorAll('#audit-body tbody tr').length === count,
      history.body.items.length,
      { timeout: 10_000 },
    );
    const seen = await page
      .locator('#audit-body tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(seen).toEqual(history.body.items.map((e: { action: string }) => e.action));
    expect(seen).toEqual(
      expect.arrayContaining(['material.created', 'material.deactivated', 'material.reactivated']),
    );
    await screenshot(page, 'admin-records-06-audit-filtered');

    // The export button downloads every entry the filters match, oldest first: the API's own CSV.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#audit-export')]);
    expect(download.suggestedFilename()).toMatch(/^audit-\d{8}T\d{6}\.csv$/);
    const exported = readFileSync(await download.path(), 'utf8');
    const server = await t.http
      .get(`/api/v1/audit/export?format=csv&entityType=material&entityId=${material.id}`)
      .set(admin())
      .expect(200);
    expect(exported).toBe(server.text);
    expect(exported.split('\r\n').filter(Boolean)).toHaveLength(history.body.items.length + 1);

    await page.fill('#audit-entityType', 'nothing-like-this');
    await page.click('#audit-apply');
    await page.waitForSelector('#audit-body p.muted', { timeout: 10_000 });
  });

  it('switches language in the open form, and lays the form out on a tablet', async () => {
    const { page } = w;
    await page.click('#admin-tab-master-data');
    await page.waitForSelector('#md-body tbody tr', { timeout: 10_000 });
    await waitForText(page, '#md-new', 'New (Materials)', 10_000);
    await page.selectOption('#locale-select', 'zh-CN');
    await waitForText(page, '#md-new', '新建（物料）', 10_000);
    await waitForText(page, 'tr[data-code="UI-BRACKET"] [data-action="edit"]', '编辑', 10_000);
    await page.click('#md-new');
    await page.waitForSelector('#rec-dialog[open]');
    expect(await page.textContent('#rec-dialog [data-field="materialClass"] .admin-field-label')).toBe(
      '物料类别 *',
    );
    expect(await page.textContent('#rec-materialClass option[value="raw"]')).not.toBe('raw');
    await page.setViewportSize({ width: 800, height: 1280 });
    await screenshot(page, 'admin-records-07-form-tablet-zh');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(
      true,
    );
    await page.click('#rec-dialog .admin-cancel');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.selectOption('#locale-select', 'en');
    await waitForText(page, '#md-new', 'New (Materials)', 10_000);
  });
});
