import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { settledVersion } from '../support/schedule-version';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

const H = 3_600_000;
const PLANNER_MOVES = ['plan', 'release', 'start_kitting', 'mark_ready', 'hold', 'resume', 'close', 'cancel'];

interface Listed {
  id: string;
  code: string;
  status: string;
  allowedCommands: string[];
}

/**
 * The planner board's order work: row buttons follow the API's `allowedCommands`; an order's detail (operations,
 * material availability, produced lots linked to /trace, history) and its change through PATCH with the version
 * read (a stale version shows the API's conflict, a bad quantity its field error); ERP orders imported from
 * pasted JSON with a result per request; a draft what-if's changes edited before it runs; the language switch.
 */
describe('ui: the planner board edits orders and what-ifs', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;
  let draft: { id: string; code: string };
  let released: { id: string; code: string };
  let done: { id: string; code: string };
  let producedLot = '';
  let scenarioId = '';

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const get = async (path: string) => (await t.http.get(path).set(as('planner')).expect(200)).body;
  const post = async (path: string, body: object, role: keyof ProductionFactory['users'] = 'planner') =>
    (
      await t.http
        .post(path)
        .set(as(role))
        .set(key())
        .send(body)
        .expect((r) => r.status < 300)
    ).body;

  async function order(quantity: string, dueAt: Date) {
    const created = await post(f.url('work-orders'), {
      material: 'SA-100',
      quantity,
      dueAt: dueAt.toISOString(),
    });
    return { id: created.id as string, code: created.code as string };
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

  /** The buttons each row shows are the planner's moves among the API's allowed commands for that order. */
  async function expectRowsFollowApi(page: Page) {
    const list = (await get(f.url('work-orders?limit=200'))).items as Listed[];
    for (const wo of list) {
      const row = page.locator(`#orders-table tr[data-wo="${wo.code}"]`);
      if ((await row.count()) === 0) continue;
      const shown = await row
        .locator('button[data-action]')
        .evaluateAll((b) => b.map((x) => (x as HTMLElement).dataset.action));
      expect([wo.code, shown]).toEqual([
        wo.code,
        wo.allowedCommands.filter((c) => PLANNER_MOVES.includes(c)),
      ]);
    }
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    f = await productionFactory(t);
    draft = await order('10', new Date(Date.now() + 120 * H));
    released = await order('20', new Date(Date.now() + 96 * H));
    await post(f.url(`work-orders/${released.id}/plan`), {});
    await post(f.url(`work-orders/${released.id}/release`), { allowShortage: true });

    // A finished order with its produced lot: material at the line, both operations run on the terminal.
    await post(
      f.url('inventory/receipts'),
      { material: 'SHAFT', quantity: '10', location: 'LS-L1', lotCode: 'SH-E1' },
      'warehouse',
    );
    await post(
      f.url('inventory/receipts'),
      { material: 'GREASE', quantity: '5', location: 'LS-L1', lotCode: 'GR-E1' },
      'warehouse',
    );
    done = await order('4', new Date(Date.now() + 72 * H));
    await post(f.url(`work-orders/${done.id}/plan`), {});
    const rel = await post(f.url(`work-orders/${done.id}/release`), { allowShortage: true });
    const [op10, op20] = rel.operations as Array<{ id: string }>;
    await post(`/api/v1/terminal/operations/${op10!.id}/start`, {}, 'operator');
    await post(
      `/api/v1/terminal/operations/${op10!.id}/consume`,
      { lot: 'SH-E1', quantity: '4' },
      'operator',
    );
    await post(`/api/v1/terminal/operations/${op10!.id}/complete`, { goodQty: '4' }, 'operator');
    await post(`/api/v1/terminal/operations/${op20!.id}/start`, {}, 'operator');
    const finished = await post(
      `/api/v1/terminal/operations/${op20!.id}/complete`,
      { goodQty: '4' },
      'operator',
    );
    expect(finished.workOrderStatus).toBe('completed');
    producedLot = finished.producedLots[0].code;

    // A published plan and a draft what-if on it (machine down), to be edited on the page.
    const run = await post(f.url('planning/runs'), { seconds: 1 });
    await settledVersion(t.http, f.url(`planning/versions/${run.id}`), as('planner'));
    await post(f.url(`planning/versions/${run.id}/publish`), {});
    const scenario = await post(f.url('planning/scenarios'), {
      name: 'Lathe down',
      run: false,
      seconds: 1,
      changes: [
        {
          type: 'machine_down',
          equipmentId: f.equipment.lathe.id,
          from: new Date(Date.now() + 24 * H).toISOString(),
          to: new Date(Date.now() + 28 * H).toISOString(),
        },
      ],
    });
    scenarioId = scenario.id;
    w = await openPage(browser, { baseURL: t.url, locale: 'en' });
  }, 180000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('offers in each row exactly the moves the API allows: a released order can be held, not released', async () => {
    const { page } = w;
    await signIn(page, 'planner', '/planner?tab=orders');
    await waitForText(page, '#planner-title', 'Planner board', 10000);
    await page.locator(`#orders-table tr[data-wo="${released.code}"]`).waitFor({ timeout: 10000 });
    const releasedRow = page.locator(`#orders-table tr[data-wo="${released.code}"]`);
    expect(await releasedRow.locator('button[data-action="hold"]').count()).toBe(1);
    expect(await releasedRow.locator('button[data-action="release"]').count()).toBe(0);
    await expectRowsFollowApi(page);
    // Completed is not an open status: the full list shows it with "close", its only move.
    await page.selectOption('#orders-status', { index: 1 });
    await page.locator(`#orders-table tr[data-wo="${done.code}"]`).waitFor({ timeout: 10000 });
    await expectRowsFollowApi(page);
    expect(
      await page
        .locator(`#orders-table tr[data-wo="${done.code}"] button[data-action]`)
        .evaluateAll((b) => b.map((x) => (x as HTMLElement).dataset.action)),
    ).toEqual(['close']);
    await screenshot(page, 'planner-edit-01-rows');
    expect(w.takeProblems()).toEqual([]);
  });

  it('shows an order in full: operations with their times and quantities, material, produced lot, history', async () => {
    const { page } = w;
    await page.click(`#orders-table button[data-open="${done.code}"]`);
    const detail = page.locator(`#order-detail[data-wo="${done.code}"]`);
    await detail.waitFor({ timeout: 10000 });
    const wo = await get(f.url(`work-orders/${done.id}`));
    await waitForText(page, '#order-detail-status', 'Completed', 10000);
    expect(await detail.locator('#order-ops tbody tr').count()).toBe(wo.operations.length);
    for (const op of wo.operations as Array<{ seq: number; status: string }>) {
      await detail.locator(`#order-ops tr[data-seq="${op.seq}"][data-status="${op.status}"]`).waitFor();
    }
    await waitForText(page, '#order-ops tr[data-seq="20"] [data-field="good"]', '4');
    await detail.locator('#order-ops tr[data-seq="20"] td:nth-of-type(7) time').first().waitFor();
    await detail.locator('#order-materials-table tr[data-material="SHAFT"]').waitFor({ timeout: 10000 });
    const link = detail.locator(`#order-lots li[data-lot="${producedLot}"] a`);
    await link.waitFor({ timeout: 10000 });
    expect(await link.getAttribute('href')).toBe(`/trace?lot=${encodeURIComponent(producedLot)}`);
    const history = (await get(f.url(`work-orders/${done.id}/history`))).items as Array<{ action: string }>;
    await page.waitForFunction(
      (n) => document.querySelectorAll('#order-history-list > li').length === n,
      history.length,
      { timeout: 10000 },
    );
    await detail.locator('#order-history-list li[data-event="released"]').waitFor();
    // No change form for a finished order.
    expect(await detail.locator('#order-edit').count()).toBe(0);
    await screenshot(page, 'planner-edit-02-detail');

    await link.click();
    await page.waitForURL(`**/trace?lot=${encodeURIComponent(producedLot)}`, { timeout: 10000 });
    await page.goBack();
    await page.waitForURL('**/planner**', { timeout: 10000 });
    await waitForText(page, '#planner-title', 'Planner board', 10000);
    expect(w.takeProblems()).toEqual([]);
  });

  it('changes a draft order through PATCH: saved as the API has it; a stale version shows the conflict', async () => {
    const { page } = w;
    await page.click('#tab-orders');
    await page.locator(`#orders-table button[data-open="${draft.code}"]`).click({ timeout: 10000 });
    await page.locator(`#order-detail[data-wo="${draft.code}"] #order-edit`).waitFor({ timeout: 10000 });
    const before = await get(f.url(`work-orders/${draft.id}`));

    // A quantity the API refuses: its field error is shown, nothing changes.
    await page.fill('#edit-quantity', '0');
    await page.click('#order-save');
    await page.locator('#order-edit-problem .problem-fields li', { hasText: 'quantity' }).first().waitFor({
      timeout: 10000,
    });
    expect((await get(f.url(`work-orders/${draft.id}`))).version).toBe(before.version);

    await page.fill('#edit-quantity', '12');
    await page.selectOption('#edit-priority', 'rush');
    await page.fill('#edit-reason', 'customer asked for more');
    await page.click('#order-save');
    await page.locator('#order-saved').waitFor({ timeout: 10000 });
    const after = await get(f.url(`work-orders/${draft.id}`));
    expect(Number(after.quantity)).toBe(12);
    expect(after.priority).toBe('rush');
    expect(after.version).toBe(before.version + 1);
    await page.waitForFunction(
      (v) => document.querySelector<HTMLElement>('#order-detail')?.dataset.version === String(v),
      after.version,
      { timeout: 10000 },
    );
    await waitForText(page, '#order-detail [data-fact="quantity"]', '12', 10000);
    await page
      .locator('#order-history-list li[data-event="updated"] li[data-field="quantity"]')
      .first()
      .waitFor({ timeout: 10000 });
    await waitForText(page, `#orders-table tr[data-wo="${draft.code}"] td:nth-of-type(2)`, '12', 10000);

    // Someone else changes the order meanwhile: saving with the version read is refused with the API's conflict.
    await page.fill('#edit-quantity', '15');
    await t.http
      .patch(f.url(`work-orders/${draft.id}`))
      .set(as('planner'))
      .send({ expectedVersion: after.version, notes: 'changed elsewhere' })
      .expect(200);
    await page.click('#order-save');
    await page.locator('#order-edit-problem [role="alert"]').waitFor({ timeout: 10000 });
    await waitForText(
      page,
      '#order-edit-problem .problem-detail',
      'Someone changed this in the meantime. The page now shows the latest; try again.',
      10000,
    );
    expect(Number((await get(f.url(`work-orders/${draft.id}`))).quantity)).toBe(12);
    // The page now holds the latest version and what was typed: saving again goes through.
    await waitForText(page, '#order-detail [data-fact="notes"]', 'changed elsewhere', 10000);
    expect(await page.inputValue('#edit-quantity')).toBe('15');
    await screenshot(page, 'planner-edit-03-conflict');
    await page.click('#order-save');
    await page.locator('#order-saved').waitFor({ timeout: 10000 });
    const last = await get(f.url(`work-orders/${draft.id}`));
    expect(Number(last.quantity)).toBe(15);
    expect(last.notes).toBe('changed elsewhere');
    expect(w.takeProblems().filter((p) => !/status of (409|400|422)/.test(p))).toEqual([]);
  });

  it('imports ERP orders from pasted JSON and shows the result of each request', async () => {
    const { page } = w;
    await page.click('#erp-open');
    await page.locator('#erp-import:not([hidden])').waitFor();
    const request = (id: string, material: string) => ({
      id,
      hierarchyScope: { equipmentId: f.site.code },
      operationsType: 'Production',
      endTime: new Date(Date.now() + 200 * H).toISOString(),
      segmentRequirements: [
        {
          id: '10',
          materialRequirements: [
            { materialDefinitionId: material, materialUse: 'Produced', quantity: { quantityString: '7' } },
          ],
        },
      ],
    });
    await page.fill('#erp-json', '{ not json');
    await page.click('#erp-submit');
    await page.locator('#erp-parse-error').waitFor({ timeout: 10000 });
    await page.fill(
      '#erp-json',
      JSON.stringify({ operationsRequests: [request('SAP-9001', 'SA-100'), request('SAP-9002', 'NO-SUCH')] }),
    );
    await page.click('#erp-submit');
    await page.locator('#erp-results tr[data-request="SAP-9001"][data-outcome="created"]').waitFor({
      timeout: 15000,
    });
    const failed = page.locator('#erp-results tr[data-request="SAP-9002"][data-outcome="error"]');
    await failed.waitFor({ timeout: 15000 });
    await failed.locator('[role="alert"]').waitFor();
    const imported = (await get(f.url('work-orders?q=SAP-9001'))).items as Listed[];
    expect(imported).toHaveLength(1);
    await page.locator(`#erp-results button[data-open="${imported[0]!.code}"]`).waitFor();
    await page.locator(`#orders-table tr[data-wo="${imported[0]!.code}"]`).waitFor({ timeout: 10000 });
    await screenshot(page, 'planner-edit-04-erp');
    // The same request again: the API answers with the same orders, nothing new.
    await page.click('#erp-submit');
    await page.locator('#erp-results tr[data-request="SAP-9001"][data-outcome="again"]').waitFor({
      timeout: 15000,
    });
    await page.locator('#erp-results tr[data-request="SAP-9002"][data-outcome="error"]').waitFor({
      timeout: 15000,
    });
    await page.locator('#erp-submit:not([disabled])').waitFor({ timeout: 10000 });
    expect((await get(f.url('work-orders?q=SAP-9001'))).items).toHaveLength(1);
    expect(w.takeProblems().filter((p) => !/status of (400|404|409|422)/.test(p))).toEqual([]);
  });

  it('edits a draft what-if: its change list replaced through PATCH, as the API then has it', async () => {
    const { page } = w;
    await page.click('#tab-whatif');
    const row = page.locator('.planner-scenarios tr[data-status="draft"]');
    await row.waitFor({ timeout: 10000 });
    await row.locator('button[data-action="edit"]').click();
    await page.locator('#scenario-form[data-editing]').waitFor();
    expect(await page.inputValue('#scenario-name')).toBe('Lathe down');
    expect(await page.locator('#scenario-changes li').count()).toBe(1);
    await page.fill('#scenario-name', 'Rush the released order instead');
    await page.locator('#scenario-changes li button').click();
    await page.selectOption('#change-type', 'set_priority');
    await page.waitForFunction(
      (id) =>
        [...(document.querySelector<HTMLSelectElement>('#change-order')?.options ?? [])].some(
          (o) => o.value === id,
        ),
      released.id,
      { timeout: 10000 },
    );
    await page.selectOption('#change-order', released.id);
    await page.selectOption('#change-priority', 'rush');
    await page.click('#change-add');
    await page.locator('#scenario-changes li').waitFor();
    await screenshot(page, 'planner-edit-05-whatif-edit');
    await page.click('#scenario-save');
    await page.locator('#scenario-saved').waitFor({ timeout: 10000 });
    const saved = await get(f.url(`planning/versions/${scenarioId}`));
    expect(saved.name).toBe('Rush the released order instead');
    expect(saved.status).toBe('draft');
    expect(saved.changes).toEqual([{ type: 'set_priority', workOrderId: released.id, priority: 'rush' }]);
    await page.locator('#scenario-form:not([data-editing])').waitFor();
    expect(w.takeProblems()).toEqual([]);
  });

  it('switches to Chinese: the detail and the import speak it', async () => {
    const { page } = w;
    await page.click('#tab-orders');
    await page.locator(`#orders-table button[data-open="${released.code}"]`).click({ timeout: 10000 });
    await page.locator(`#order-detail[data-wo="${released.code}"] #order-edit`).waitFor({ timeout: 10000 });
    await waitForText(page, '#order-edit-title', 'Change the order');
    await page.selectOption('#locale-select', 'zh-CN');
    await waitForText(page, '#planner-title', '计划看板');
    await waitForText(page, '#order-edit-title', '修改工单');
    await waitForText(page, '#order-operations-title', '工序');
    await waitForText(page, '#erp-import-title', '从 ERP 导入订单');
    await waitForText(page, `#order-detail-actions button[data-action="hold"]`, '暂停');
    // Released: the quantity is fixed, said in the label.
    expect(await page.locator('#edit-quantity').isDisabled()).toBe(true);
    await screenshot(page, 'planner-edit-06-zh');
    await page.setViewportSize({ width: 800, height: 1280 });
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('main *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && el.offsetParent !== null)
        .slice(0, 5)
        .map((el) => `${el.tagName}#${el.id}.${el.className}`),
    );
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect([overflow <= 0, wide]).toEqual([true, wide]);
    await screenshot(page, 'planner-edit-07-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.selectOption('#locale-select', 'en');
    await waitForText(page, '#order-edit-title', 'Change the order');
    expect(w.takeProblems()).toEqual([]);
  });

  it('shows a viewer the order detail without the change form or moves', async () => {
    const viewer = await openPage(browser, { baseURL: t.url, locale: 'en' });
    try {
      const { page } = viewer;
      await signIn(page, 'viewer', '/planner?tab=orders');
      await page.locator(`#orders-table button[data-open="${released.code}"]`).click({ timeout: 10000 });
      await page.locator(`#order-detail[data-wo="${released.code}"] #order-ops`).waitFor({ timeout: 10000 });
      const acting = await page
        .locator('#order-edit, #order-detail-actions, #erp-open, #panel-orders [data-action]')
        .evaluateAll((els) =>
          els.map((el) => `${el.tagName}#${el.id}[${(el as HTMLElement).dataset.action ?? ''}]`),
        );
      expect(acting).toEqual([]);
      expect(viewer.takeProblems()).toEqual([]);
    } finally {
      await viewer.context.close();
    }
  });
});
