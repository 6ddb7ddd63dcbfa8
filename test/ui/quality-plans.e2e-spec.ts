import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

const WAIT = 15_000;

interface PlanBody {
  id: string;
  code: string;
  name: string;
  type: string;
  active: boolean;
  version: number;
  sampleSize: number;
  material: { code: string };
  characteristics: Array<{
    id: string;
    code: string;
    name: string;
    kind: string;
    attributeType: string | null;
    unit: string | null;
    lsl: string | null;
    target: string | null;
    usl: string | null;
    chart: string | null;
    ruleSet: string;
    violationOpensNcr: boolean;
    active: boolean;
  }>;
}

/**
 * A quality engineer defines inspection plans in the browser (质量 → 检验计划): a plan with two characteristics
 * created in the page is the plan the API stores; a spec limit the wrong way round is refused at its field and
 * nothing is created; changes and a new version (copy) with the old one deactivated. Results recorded over the
 * API reach the open control chart within seconds (pushed, no reload); an NCR picks its supplier and lots from
 * search lists.
 */
describe('ui: inspection plans, live results and NCR pickers in the browser', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;
  let plan: PlanBody;
  let lotSeq = 0;

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const q = (path: string) => f.url(`quality/${path}`);
  const plans = async (): Promise<PlanBody[]> =>
    (await t.http.get(q('inspection-plans?limit=500')).set(as('viewer')).expect(200)).body
      .items as PlanBody[];

  async function signIn(role: 'quality' | 'viewer', next: string) {
    const { page } = w;
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await page.fill('#login-username', f.users[role].username);
    await page.fill('#login-password', f.users[role].password);
    await page.click('#login-form button[type="submit"]');
    const option = page.locator('.site-option', { hasText: f.site.code });
    await option.locator('input[type="radio"]').check({ timeout: WAIT });
    await page.click('#site-continue');
    await page.waitForURL(`**${next.split('?')[0]}**`, { timeout: WAIT });
  }

  /** The form's characteristic card number `i` (0-based), by the key the page gave it. */
  async function card(i: number): Promise<string> {
    const key = await w.page.locator('fieldset.q-plan-characteristic').nth(i).getAttribute('data-key');
    return `#pc-${key}`;
  }

  async function receivedLot(): Promise<{ lot: string; inspection: { id: string; code: string } }> {
    const lot = `SH-P-${++lotSeq}`;
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'SHAFT', quantity: '40', location: 'WH', lotCode: lot })
      .expect(201);
    const res = await t.http
      .get(q(`inspections?lot=${lot}`))
      .set(as('quality'))
      .expect(200);
    return { lot, inspection: res.body.items[0] as { id: string; code: string } };
  }

  async function record(inspectionId: string, values: string[]) {
    await t.http
      .post(q(`inspections/${inspectionId}/results`))
      .set(as('quality'))
      .set('Idempotency-Key', randomUUID())
      .send({
        results: values.flatMap((value, i) => [
          { characteristic: 'DIA', sampleNo: i + 1, value },
          { characteristic: 'VIS', sampleNo: i + 1, passed: true },
        ]),
      })
      .expect(200);
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    f = await productionFactory(t);
    const create = (path: string, body: object) =>
      t.http.post(f.url(path)).set(as('admin')).send(body).expect(201);
    await create('reason-codes', { code: 'D-SCRATCH', name: 'Scratch', nameZh: '划伤', category: 'defect' });
    await create('partners', { code: 'SUP-STEEL', name: 'Steel works', nameZh: '钢厂', isSupplier: true });
    await create('partners', { code: 'CUS-ONLY', name: 'A customer', isCustomer: true });
    w = await openPage(browser, { baseURL: t.url, locale: 'zh-CN' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(async () => {
    expect(w.takeProblems()).toEqual([]);
    const stray = await w.page.evaluate(() =>
      [...document.querySelectorAll('#main, #main *')].flatMap((el) =>
        [...el.childNodes]
          .filter(
            (n) =>
              n.nodeType === Node.TEXT_NODE && /^(null|undefined|NaN)$/.test(n.textContent?.trim() ?? ''),
          )
          .map(() => el.id || el.className),
      ),
    );
    expect(stray).toEqual([]);
  });

  it('creates a plan with two characteristics in the page: the API has it as entered', async () => {
    const { page } = w;
    await signIn('quality', '/quality?view=plans');
    await waitForText(page, '#quality-tab-plans', '检验计划', WAIT);
    await page.locator('.q-empty').waitFor({ timeout: WAIT });
    await page.click('#plans-new');
    await page.locator('#plan-form').waitFor({ timeout: WAIT });

    await page.fill('#plan-code', 'IQC-SHAFT-UI');
    await page.fill('#plan-name', 'Incoming shaft blanks');
    await page.fill('#plan-nameZh', '轴毛坯来料检验');
    await page.selectOption('#plan-type', 'iqc');
    await page.fill('#plan-material', 'SHAFT');
    await page.press('#plan-material', 'Tab');
    await page.fill('#plan-sampleSize', '3');
    await page.fill('#plan-notes', 'Per receipt, 3 blanks from the top layer');
    await page.locator('#plan-quarantine-hint').waitFor({ timeout: WAIT });

    const first = await card(0);
    await page.fill(`${first}-code`, 'DIA');
    await page.fill(`${first}-name`, 'Diameter Ø40');
    await page.fill(`${first}-nameZh`, '直径 Ø40');
    await page.fill(`${first}-unit`, 'mm');
    await page.fill(`${first}-lsl`, '39.950');
    await page.fill(`${first}-target`, '40.000');
    await page.fill(`${first}-usl`, '40.050');
    await page.selectOption(`${first}-chart`, 'xbar-r');
    await page.selectOption(`${first}-ruleSet`, 'nelson');
    await page.check(`${first}-violationOpensNcr`);

    await page.click('#plan-add-characteristic');
    const second = await card(1);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`${second.slice(1)}-code`);
    await page.fill(`${second}-code`, 'VIS');
    await page.fill(`${second}-name`, 'Visual');
    await page.selectOption(`${second}-kind`, 'attribute');
    await page.selectOption(`${second}-attributeType`, 'pass_fail');
    // A pass/fail attribute has no spec limits and is charted as p or np only.
    expect(await page.locator(`${second}-lsl`).count()).toBe(0);
    const charts = await page
      .locator(`${second}-chart option`)
      .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
    expect(charts).toEqual(['', 'p', 'np']);
    await page.check(`fieldset[data-key="${second.slice(4)}"] input[value="D-SCRATCH"]`);
    await screenshot(page, 'quality-plans-01-new-zh');

    await page.click('#plan-save');
    await page.locator('#plan-title').waitFor({ timeout: WAIT });
    const stored = (await plans()).find((p) => p.code === 'IQC-SHAFT-UI')!;
    expect(stored).toMatchObject({
      name: 'Incoming shaft blanks',
      type: 'iqc',
      active: true,
      sampleSize: 3,
      material: { code: 'SHAFT' },
    });
    expect(stored.characteristics).toEqual([
      expect.objectContaining({
        code: 'DIA',
        name: 'Diameter Ø40',
        kind: 'variable',
        unit: 'mm',
        lsl: '39.95',
        target: '40',
        usl: '40.05',
        chart: 'xbar-r',
        ruleSet: 'nelson',
        violationOpensNcr: true,
        active: true,
      }),
      expect.objectContaining({
        code: 'VIS',
        kind: 'attribute',
        attributeType: 'pass_fail',
        chart: null,
        lsl: null,
        defectCodes: ['D-SCRATCH'],
      }),
    ]);
    plan = stored;
    expect(page.url()).toContain(`plan=${plan.id}`);
    await page.locator('#quality-notice', { hasText: 'IQC-SHAFT-UI' }).waitFor({ timeout: WAIT });
    await waitForText(
      page,
      '#plan-characteristics tr[data-characteristic="DIA"] [data-field="spec"]',
      '规格下限 39.95 · 目标值 40 · 规格上限 40.05 mm',
      WAIT,
    );
    await waitForText(page, '[data-fact="material"]', 'SHAFT · Shaft blank', WAIT);
    await screenshot(page, 'quality-plans-02-detail-zh');

    await page.click('#plans-back');
    const row = page.locator('#plans-table tr[data-plan="IQC-SHAFT-UI"]');
    await row.waitFor({ timeout: WAIT });
    await waitForText(
      page,
      '#plans-table tr[data-plan="IQC-SHAFT-UI"] [data-field="characteristics"]',
      '2',
      WAIT,
    );
    await waitForText(
      page,
      '#plans-table tr[data-plan="IQC-SHAFT-UI"] [data-field="type"]',
      'IQC 来料检验',
      WAIT,
    );
    await screenshot(page, 'quality-plans-02b-list-zh');
  });

  it('shows LSL above USL at the field and creates nothing', async () => {
    const { page } = w;
    const before = (await plans()).length;
    await page.click('#plans-new');
    await page.locator('#plan-form').waitFor({ timeout: WAIT });
    await page.fill('#plan-code', 'IQC-BAD');
    await page.fill('#plan-name', 'Wrong limits');
    await page.fill('#plan-material', 'SHAFT');
    await page.fill('#plan-sampleSize', '2');
    const c = await card(0);
    await page.fill(`${c}-code`, 'LEN');
    await page.fill(`${c}-name`, 'Length');
    await page.fill(`${c}-lsl`, '120.5');
    await page.fill(`${c}-usl`, '119.5');
    await page.click('#plan-save');
    const error = page.locator(`label.q-field:has(${c}-usl) .q-field-error`);
    await error.waitFor({ state: 'visible', timeout: WAIT });
    expect(await error.textContent()).toContain('usl must be greater than lsl');
    expect(await page.locator(`${c}-usl`).getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`${c.slice(1)}-usl`);
    await page.locator('#plan-form-problem .problem-fields li').first().waitFor({ timeout: WAIT });
    expect((await plans()).length).toBe(before);
    expect((await plans()).some((p) => p.code === 'IQC-BAD')).toBe(false);
    // What was typed is kept, to be corrected.
    expect(await page.inputValue(`${c}-lsl`)).toBe('120.5');
    expect(await page.inputValue('#plan-sampleSize')).toBe('2');
    await waitForText(page, '#plan-material-chosen', 'SHAFT · Shaft blank', WAIT);
    await screenshot(page, 'quality-plans-03-field-error');
    // The browser itself reports the refused request; nothing else went wrong.
    expect(w.takeProblems()).toEqual([expect.stringMatching(/status of 400 \(Bad Request\)/)]);
    await page.click('#plan-cancel');
    await page.locator('#plans-table').waitFor({ timeout: WAIT });
  });

  it('updates the open control chart within seconds when results are recorded over the API', async () => {
    const { page } = w;
    const dia = plan.characteristics.find((c) => c.code === 'DIA')!;
    // Three lots inspected in control before the chart is opened; a fourth received, inspected later.
    const subgroups = [
      ['40.001', '39.999', '40.000'],
      ['40.002', '39.998', '40.000'],
      ['40.000', '40.001', '39.999'],
    ];
    for (const values of subgroups) await record((await receivedLot()).inspection.id, values);
    const pending = await receivedLot();
    await page.goto(`/quality?view=spc&characteristic=${dia.id}`);
    await waitForText(page, '[data-fact="points"]', '3', WAIT);
    await page.locator('#spc-chart canvas').first().waitFor({ timeout: WAIT });
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    await record(pending.inspection.id, ['40.001', '40.000', '39.999']);
    const chart = (
      await t.http
        .get(q(`characteristics/${dia.id}/chart`))
        .set(as('viewer'))
        .expect(200)
    ).body as { totalPoints: number; points: Array<{ inspectionCode: string; violations: string[] }> };
    expect(chart.totalPoints).toBe(4);
    // No rule broken: no spc.violation push; the page follows the results push (its own refresh is 60 s).
    expect(chart.points.at(-1)).toMatchObject({ inspectionCode: pending.inspection.code, violations: [] });
    await waitForText(page, '[data-fact="points"]', '4', 10_000);
    await page.locator('#quality-notice', { hasText: pending.inspection.code }).waitFor({ timeout: WAIT });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await screenshot(page, 'quality-plans-04-chart-live');
  });

  it('changes the plan: a limit, a new characteristic, one no longer inspected', async () => {
    const { page } = w;
    await page.goto(`/quality?view=plans&plan=${plan.id}`);
    await page.click('#plan-edit', { timeout: WAIT });
    await page.locator('#plan-form').waitFor({ timeout: WAIT });
    const dia = await card(0);
    expect(await page.locator(`${dia}-code`).getAttribute('readonly')).not.toBeNull();
    await page.fill(`${dia}-usl`, '40.060');
    await page.uncheck(`${await card(1)}-active`);
    await page.click('#plan-add-characteristic');
    const added = await card(2);
    await page.fill(`${added}-code`, 'RA');
    await page.fill(`${added}-name`, 'Roughness Ra');
    await page.fill(`${added}-unit`, 'µm');
    await page.fill(`${added}-usl`, '0.8');
    await page.click('#plan-save');
    await page.locator('#plan-title').waitFor({ timeout: WAIT });
    const changed = (await plans()).find((p) => p.code === 'IQC-SHAFT-UI')!;
    expect(changed.version).toBe(plan.version + 1);
    expect(changed.characteristics.map((c) => [c.code, c.usl, c.active])).toEqual([
      ['DIA', '40.06', true],
      ['VIS', null, false],
      ['RA', '0.8', true],
    ]);
    await page
      .locator('#plan-characteristics tr[data-characteristic="VIS"].q-inactive')
      .waitFor({ timeout: WAIT });
    await waitForText(page, '[data-fact="version"]', String(changed.version), WAIT);
    plan = changed;
  });

  it('makes a new version by copying, deactivating the old plan', async () => {
    const { page } = w;
    await page.click('#plan-copy');
    await page.locator('#plan-form').waitFor({ timeout: WAIT });
    expect(await page.inputValue('#plan-code')).toBe('IQC-SHAFT-UI-V2');
    expect(await page.locator('fieldset.q-plan-characteristic').count()).toBe(2);
    expect(await page.isChecked('#plan-deactivate-source')).toBe(true);
    await page.click('#plan-save');
    await page.locator('#plan-title', { hasText: 'IQC-SHAFT-UI-V2' }).waitFor({ timeout: WAIT });
    const all = await plans();
    const copy = all.find((p) => p.code === 'IQC-SHAFT-UI-V2')!;
    expect(copy.characteristics.map((c) => c.code)).toEqual(['DIA', 'RA']);
    expect(copy.active).toBe(true);
    expect(all.find((p) => p.code === 'IQC-SHAFT-UI')!.active).toBe(false);

    await page.goto('/quality?view=plans&active=false');
    await page.locator('#plans-table tr[data-plan="IQC-SHAFT-UI"]').waitFor({ timeout: WAIT });
    expect(await page.locator('#plans-table tbody tr').count()).toBe(1);
    await page.click('#plans-table tr[data-plan="IQC-SHAFT-UI"] a');
    await page.locator('#plan-inactive-note').waitFor({ timeout: WAIT });
    await page.click('#plan-activate');
    await page.locator('#plan-deactivate').waitFor({ timeout: WAIT });
    expect((await plans()).find((p) => p.code === 'IQC-SHAFT-UI')!.active).toBe(true);
  });

  it('switches the plans view to English and back', async () => {
    const { page } = w;
    await page.goto('/quality?view=plans');
    await page.locator('#plans-table').waitFor({ timeout: WAIT });
    await page.selectOption('#locale-select', 'en');
    await waitForText(page, '#quality-tab-plans', 'Inspection plans', WAIT);
    await waitForText(page, '#plans-new', 'New plan', WAIT);
    await waitForText(page, '#plans-table tr[data-plan="IQC-SHAFT-UI"] [data-field="state"]', 'Active', WAIT);
    await page.click('#plans-new');
    await waitForText(page, '#plan-form legend', 'New inspection plan', WAIT);
    await screenshot(page, 'quality-plans-05-new-en');
    await page.selectOption('#locale-select', 'zh-CN');
    await waitForText(page, '#plan-form legend', '新建检验计划', WAIT);
    await page.click('#plan-cancel');
  });

  it('raises a supplier NCR picking the supplier and the lots from search lists', async () => {
    const { page } = w;
    const { lot } = await receivedLot();
    await page.goto('/quality?view=ncr&ncr=new');
    await page.locator('#ncr-create-form').waitFor({ timeout: WAIT });
    await page.selectOption('#ncr-source', 'supplier');
    await page.fill('#ncr-title', 'Blanks with scale');
    await page.fill('#ncr-material', 'SHAFT');
    // Only suppliers are offered.
    await page.click('#ncr-supplier');
    await page.keyboard.type('S');
    await page
      .locator('#ncr-supplier-options [role="option"][data-value="SUP-STEEL"]')
      .waitFor({ timeout: WAIT });
    expect(await page.locator('#ncr-supplier-options [data-value="CUS-ONLY"]').count()).toBe(0);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await page.inputValue('#ncr-supplier')).toBe('SUP-STEEL');
    await waitForText(page, '#ncr-supplier-chosen', '钢厂', WAIT);

    await page.click('#ncr-lots');
    await page.keyboard.type(lot.slice(0, -1));
    const option = page.locator(`#ncr-lots-options [role="option"][data-value="${lot}"]`);
    await option.waitFor({ timeout: WAIT });
    await screenshot(page, 'quality-plans-06-ncr-lot-search');
    await option.dispatchEvent('mousedown');
    await page.locator(`#ncr-lot-list li[data-lot="${lot}"]`).waitFor({ timeout: WAIT });
    await page.fill(`#ncr-lot-qty-${lot}`, '7');
    expect(await page.inputValue('#ncr-lots')).toBe('');
    await page.click('#ncr-create');
    await page.locator('#ncr-status .q-badge[data-value="open"]').waitFor({ timeout: WAIT });
    const list = (await t.http.get(q('ncrs?source=supplier')).set(as('quality')).expect(200)).body as {
      items: Array<{ id: string; title: string }>;
    };
    const created = list.items.find((n) => n.title === 'Blanks with scale')!;
    const detail = (
      await t.http
        .get(q(`ncrs/${created.id}`))
        .set(as('quality'))
        .expect(200)
    ).body as { supplier: { code: string }; lots: Array<{ code: string; quantity: string | null }> };
    expect(detail.supplier.code).toBe('SUP-STEEL');
    expect(detail.lots).toEqual([expect.objectContaining({ code: lot })]);
    await screenshot(page, 'quality-plans-07-ncr-created');
  });

  it('lays the plan form out on a 10-inch tablet held upright', async () => {
    const { page } = w;
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.goto(`/quality?view=plans&plan=${plan.id}&edit=1`);
    await page.locator('#plan-form').waitFor({ timeout: WAIT });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    await screenshot(page, 'quality-plans-08-form-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('shows a viewer the plans without the buttons that change them', async () => {
    const { page } = w;
    await page.click('.user-menu summary');
    await page.click('#sign-out');
    await page.waitForURL('**/login', { timeout: WAIT });
    await signIn('viewer', `/quality?view=plans&plan=${plan.id}`);
    await page.locator('#plan-characteristics tr[data-characteristic="DIA"]').waitFor({ timeout: WAIT });
    expect(await page.locator('#plan-edit, #plan-copy, #plan-deactivate, #plan-activate').count()).toBe(0);
    await page.click('#plans-back');
    await page.locator('#plans-table').waitFor({ timeout: WAIT });
    expect(await page.locator('#plans-new').count()).toBe(0);
  });
});
