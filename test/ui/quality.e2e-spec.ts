import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

const WAIT = 15_000;

interface ChartBody {
  status: string;
  chart: string;
  center: number;
  ucl: number;
  lcl: number;
  secondary: { statistic: string; points: unknown[] } | null;
  capability: { cp: number; cpk: number; pp: number; ppk: number } | null;
  points: Array<{ index: number; inspectionCode: string; value: number; violations: string[] }>;
  totalPoints: number;
}

/** 20 in-spec subgroups of 3 shaft diameters around 40.000 mm (a fixed pseudo-random walk, same every run). */
function inControl(): string[][] {
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return Array.from({ length: 20 }, () =>
    Array.from({ length: 3 }, () => (40 + (next() + next() + next() - 1.5) * 0.006).toFixed(3)),
  );
}
const OUTLIER = ['40.030', '40.032', '40.031'];

/**
 * A quality engineer in the browser on the quality page (质量) of the small gearbox cell.
 *
 * Seeded over the API: an IQC plan on the shaft blank (diameter Ø40 as an X̄-R chart with Nelson rules, and a
 * visual pass/fail check), 20 received lots inspected in control and one far above the center line (rule N1).
 * The page's chart, its inspection entry and its NCR signing are compared with what the API answers.
 */
describe('ui: the quality page in the browser', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;
  let diaId: string;
  let lotSeq = 0;
  let entryInspection: { id: string; code: string };
  let ncr: { id: string; code: string };

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const q = (path: string) => f.url(`quality/${path}`);
  const chart = async (): Promise<ChartBody> =>
    (
      await t.http
        .get(q(`characteristics/${diaId}/chart`))
        .set(as('viewer'))
        .expect(200)
    ).body as ChartBody;

  // The page formats with Intl in its locale; so do the expectations.
  const num = (locale: string, value: number | string, digits = 4) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(Number(value));
  const idx = (locale: string, value: number) =>
    new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);

  /** A lot of shaft blanks received: its IQC inspection (made in the receipt's transaction). */
  async function receivedLot(): Promise<{ lot: string; inspection: { id: string; code: string } }> {
    const lot = `SH-Q-${++lotSeq}`;
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'SHAFT', quantity: '50', location: 'WH', lotCode: lot })
      .expect(201);
    const res = await t.http
      .get(q(`inspections?lot=${lot}`))
      .set(as('quality'))
      .expect(200);
    return { lot, inspection: res.body.items[0] as { id: string; code: string } };
  }

  async function inspectedLot(values: string[]) {
    const { inspection } = await receivedLot();
    await t.http
      .post(q(`inspections/${inspection.id}/results`))
      .set(as('quality'))
      .set('Idempotency-Key', randomUUID())
      .send({
        results: values.flatMap((value, i) => [
          { characteristic: 'DIA', sampleNo: i + 1, value },
          { characteristic: 'VIS', sampleNo: i + 1, passed: true },
        ]),
      })
      .expect(200);
    return inspection;
  }

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

  /** Every figure of the chart against the API's answer now. */
  async function expectChartFromApi(locale: string, unit = ' mm') {
    const { page } = w;
    const c = await chart();
    await waitForText(page, '[data-fact="center"]', `${num(locale, c.center)}${unit}`, WAIT);
    await waitForText(page, '[data-fact="ucl"]', `${num(locale, c.ucl)}${unit}`, WAIT);
    await waitForText(page, '[data-fact="lcl"]', `${num(locale, c.lcl)}${unit}`, WAIT);
    await waitForText(page, '[data-fact="points"]', num(locale, c.totalPoints), WAIT);
    for (const key of ['cp', 'cpk', 'pp', 'ppk'] as const) {
      await waitForText(page, `[data-cap="${key}"]`, idx(locale, c.capability![key]), WAIT);
    }
    const violating = c.points.filter((p) => p.violations.length > 0);
    expect(violating.length).toBeGreaterThan(0);
    for (const p of violating) {
      const row = page.locator(`#spc-violations tr[data-violation-index="${p.index}"]`);
      await row.waitFor({ timeout: WAIT });
      expect(await row.locator('[data-field="rules"]').getAttribute('data-rules')).toBe(
        p.violations.join(' '),
      );
      await waitForText(
        page,
        `#spc-violations tr[data-violation-index="${p.index}"] [data-field="value"]`,
        num(locale, p.value),
        WAIT,
      );
    }
    expect(await page.locator('#spc-violations tbody tr').count()).toBe(violating.length);
    await page.locator('#spc-chart canvas').first().waitFor({ timeout: WAIT });
    return c;
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    f = await productionFactory(t);
    await t.http
      .post(f.url('reason-codes'))
      .set(as('admin'))
      .send({ code: 'D-SCRATCH', name: 'Scratch', nameZh: '划伤', category: 'defect' })
      .expect(201);
    const plan = await t.http
      .post(q('inspection-plans'))
      .set(as('quality'))
      .set('Idempotency-Key', randomUUID())
      .send({
        code: 'IQC-SHAFT',
        name: 'Incoming shaft blanks',
        nameZh: '轴毛坯来料检验',
        type: 'iqc',
        material: 'SHAFT',
        sampleSize: 3,
        characteristics: [
          {
            code: 'DIA',
            name: 'Diameter Ø40',
            nameZh: '直径 Ø40',
            kind: 'variable',
            unit: 'mm',
            lsl: '39.950',
            usl: '40.050',
            target: '40.000',
            chart: 'xbar-r',
            ruleSet: 'nelson',
          },
          { code: 'VIS', name: 'Visual', nameZh: '外观', kind: 'attribute', attributeType: 'pass_fail' },
        ],
      })
      .expect(201);
    diaId = (plan.body.characteristics as Array<{ id: string; code: string }>).find(
      (c) => c.code === 'DIA',
    )!.id;
    for (const values of inControl()) await inspectedLot(values);
    // Phase I: the limits are frozen from the 20 lots in control; later lots are judged against them.
    await t.http
      .post(q(`characteristics/${diaId}/limits`))
      .set(as('quality'))
      .set('Idempotency-Key', randomUUID())
      .send({ reason: '20 lots in control', expectedLimitsVersion: 0 })
      .expect(201);
    await inspectedLot(OUTLIER);
    w = await openPage(browser, { baseURL: t.url, locale: 'zh-CN' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(async () => {
    // The browser reports refused requests (the wrong signing password's 401) itself; nothing else may fail.
    expect(w.takeProblems().filter((p) => !/status of 401/.test(p))).toEqual([]);
    // Nothing left out of a view shows up as stray text ("null", "undefined").
    const stray = await w.page.evaluate(() =>
      [...document.querySelectorAll('#main, #main *')].flatMap((el) =>
        [...el.childNodes]
          .filter(
            (n) => n.nodeType === Node.TEXT_NODE && /^(null|undefined)$/.test(n.textContent?.trim() ?? ''),
          )
          .map(() => el.id || el.className),
      ),
    );
    expect(stray).toEqual([]);
  });

  it('draws the control chart with the API’s center line, limits, capability and violations', async () => {
    const { page } = w;
    await signIn('quality', `/quality?view=spc&characteristic=${diaId}`);
    await waitForText(page, '#quality-title', '质量', WAIT);
    const c = await expectChartFromApi('zh-CN');
    expect(c.chart).toBe('xbar-r');
    expect(c.secondary?.statistic).toBe('R');
    const outlier = c.points.at(-1)!;
    expect(outlier.violations).toContain('N1');
    await waitForText(page, '#spc-chart-type', 'X̄-R 图', WAIT);
    await page.locator('#quality-tab-spc[aria-current="page"]').waitFor({ timeout: WAIT });
    expect(await page.locator('#spc-characteristic').inputValue()).toBe(diaId);
    await screenshot(page, 'quality-01-chart-zh');
  });

  it('updates the chart live when a new violation is pushed over the socket', async () => {
    const { page } = w;
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const before = (await chart()).totalPoints;
    const added = await inspectedLot(['40.034', '40.033', '40.035']);
    const after = await chart();
    expect(after.totalPoints).toBe(before + 1);
    const point = after.points.find((p) => p.inspectionCode === added.code)!;
    expect(point.violations).toContain('N1');
    await page
      .locator(`#spc-violations tr[data-violation-index="${point.index}"]`)
      .waitFor({ timeout: WAIT });
    await page.locator('#quality-notice', { hasText: added.code }).waitFor({ timeout: WAIT });
    await expectChartFromApi('zh-CN');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await screenshot(page, 'quality-02-chart-live');
  });

  it('switches to English and back: labels change, figures stay the API’s', async () => {
    const { page } = w;
    await page.selectOption('#locale-select', 'en');
    await waitForText(page, '#quality-title', 'Quality', WAIT);
    await waitForText(page, '#quality-tab-spc', 'Control charts', WAIT);
    await waitForText(page, '#spc-chart-type', 'X̄-R', WAIT);
    await waitForText(page, '#spc-violations-title', 'Rule violations and excluded points', WAIT);
    await expectChartFromApi('en');
    await screenshot(page, 'quality-03-chart-en');
    await page.selectOption('#locale-select', 'zh-CN');
    await waitForText(page, '#quality-title', '质量', WAIT);
    await waitForText(page, '#quality-tab-spc', '控制图', WAIT);
  });

  it('lists the pending inspection and records it in the page: the server’s judgement is shown', async () => {
    const { page } = w;
    const received = await receivedLot();
    entryInspection = received.inspection;
    await page.click('#quality-tab-inspections');
    const row = page.locator(`#inspections-table tr[data-inspection="${entryInspection.code}"]`);
    await row.waitFor({ timeout: WAIT });
    await expect(row.textContent()).resolves.toContain(received.lot);
    await screenshot(page, 'quality-04-inspections');
    await row.locator('a').click();
    await waitForText(page, '#inspection-title .q-badge[data-value="pending"]', '待检', WAIT);
    await waitForText(
      page,
      'fieldset[data-characteristic="DIA"] [data-field="spec"]',
      '下限 39.95 · 目标 40 · 上限 40.05 mm',
      WAIT,
    );

    // A typing error is shown at the field before anything is sent.
    await page.fill('#q-in-DIA-1', '40,0x');
    await page.click('#inspection-record');
    await page
      .locator('#inspection-action-problem .problem-fields li', { hasText: 'DIA #1' })
      .waitFor({ timeout: WAIT });

    // Enter moves from one sample to the next, as on a keypad.
    await page.fill('#q-in-DIA-1', '40.001');
    await page.press('#q-in-DIA-1', 'Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q-in-DIA-2');
    await page.keyboard.type('39.998');
    await page.keyboard.press('Enter');
    await page.keyboard.type('40.061');
    for (const n of [1, 2]) await page.check(`#q-in-VIS-${n} input[value="true"]`);
    await page.check('#q-in-VIS-3 input[value="false"]');
    await page.click('#inspection-record');
    await page.locator('#inspection-result [data-outcome="fail"]').waitFor({ timeout: WAIT });

    const detail = (
      await t.http
        .get(q(`inspections/${entryInspection.id}`))
        .set(as('quality'))
        .expect(200)
    ).body as {
      status: string;
      suggestedOutcome: string;
      complete: boolean;
      outOfSpec: Array<{ characteristicCode: string; sampleNo: number; kind: string }>;
    };
    expect(detail).toMatchObject({ status: 'in_progress', suggestedOutcome: 'fail', complete: true });
    expect(detail.outOfSpec.map((f) => `${f.characteristicCode}/${f.sampleNo}/${f.kind}`)).toEqual([
      'DIA/3/above_usl',
      'VIS/3/failed',
    ]);
    const findings = await page
      .locator('#inspection-findings li')
      .evaluateAll((items) =>
        items.map((li) => `${li.getAttribute('data-finding')}/${li.getAttribute('data-kind')}`),
      );
    expect(findings).toEqual(['DIA/3/above_usl', 'VIS/3/failed']);
    await waitForText(page, '#inspection-status .q-badge', '检验中', WAIT);
    expect(await page.locator('#q-in-DIA-3').getAttribute('data-recorded')).toBe('true');
    await screenshot(page, 'quality-05-inspection-entry');

    // The decision: fail, as the results suggest → the lot is rejected and an NCR opened.
    await page.click('#inspection-fail');
    await waitForText(page, '#inspection-status .q-badge', '不合格', WAIT);
    await page.locator('#inspection-ncr a').waitFor({ timeout: WAIT });
    const decided = (
      await t.http
        .get(q(`inspections/${entryInspection.id}`))
        .set(as('quality'))
        .expect(200)
    ).body as { status: string; ncr: { code: string } | null };
    expect(decided.status).toBe('failed');
    await waitForText(page, '#inspection-ncr a', `不合格品报告 ${decided.ncr!.code}`, WAIT);
  });

  it('raises an NCR in the page, starts the review and holds the lot', async () => {
    const { page } = w;
    const { lot } = await receivedLot();
    await page.click('#quality-tab-ncr');
    await page.click('#ncr-new', { timeout: WAIT });
    await page.fill('#ncr-title', 'Shaft blanks oversize');
    await page.fill('#ncr-description', 'Supplier lot measured above USL on 2 of 3 samples');
    await page.fill('#ncr-material', 'SHAFT');
    await page.fill('#ncr-quantity', '12');
    await page.fill('#ncr-lots', lot);
    await page.check('#ncr-defects input[value="D-SCRATCH"]');
    await page.check('#ncr-holdLots');
    await screenshot(page, 'quality-06-ncr-new');
    await page.click('#ncr-create');
    await page.locator('#ncr-status .q-badge[data-value="open"]').waitFor({ timeout: WAIT });
    const list = (await t.http.get(q('ncrs?status=open')).set(as('quality')).expect(200)).body as {
      items: Array<{ id: string; code: string; title: string; quantity: string }>;
    };
    const created = list.items.find((n) => n.title === 'Shaft blanks oversize')!;
    expect(created).toBeDefined();
    ncr = { id: created.id, code: created.code };
    expect(page.url()).toContain(`ncr=${ncr.id}`);
    await page
      .locator(`#ncr-lots tr[data-lot="${lot}"] .q-badge[data-value="hold"]`)
      .waitFor({ timeout: WAIT });

    await page.click('#ncr-review');
    await page.locator('#ncr-status .q-badge[data-value="under_review"]').waitFor({ timeout: WAIT });
    await page.locator('#ncr-history li[data-action="ncr.review_started"]').waitFor({ timeout: WAIT });
  });

  it('refuses a wrong signing password and changes nothing', async () => {
    const { page } = w;
    await page.selectOption('#ncr-disposition', 'use_as_is');
    await page.fill('#ncr-dispositionNote', 'Oversize within the assembly’s fit tolerance; use as is');
    await waitForText(page, '#ncr-disposition-meaning', '签名含义：处置', WAIT);
    await page.fill('#ncr-disposition-password', 'not my password');
    await page.click('#ncr-disposition-submit');
    await waitForText(
      page,
      '#ncr-action-problem .problem-detail',
      '密码错误：未签名，也未做任何更改。',
      WAIT,
    );
    // Still signed in, still on the NCR, nothing changed.
    expect(page.url()).toContain(`ncr=${ncr.id}`);
    const after = (
      await t.http
        .get(q(`ncrs/${ncr.id}`))
        .set(as('quality'))
        .expect(200)
    ).body as {
      status: string;
      signatures: unknown[];
      disposition: string | null;
    };
    expect(after).toMatchObject({ status: 'under_review', signatures: [], disposition: null });
    await page.locator('#ncr-status .q-badge[data-value="under_review"]').waitFor();
    // What was typed is kept (not the password).
    expect(await page.inputValue('#ncr-dispositionNote')).toContain('use as is');
    expect(await page.inputValue('#ncr-disposition-password')).toBe('');
    await screenshot(page, 'quality-07-ncr-wrong-password');
  });

  it('signs the disposition with the password: the API shows the signature the page shows', async () => {
    const { page } = w;
    await page.fill('#ncr-disposition-password', f.users.quality.password);
    await page.click('#ncr-disposition-submit');
    await page.locator('#ncr-status .q-badge[data-value="dispositioned"]').waitFor({ timeout: WAIT });
    const signed = (
      await t.http
        .get(q(`ncrs/${ncr.id}`))
        .set(as('quality'))
        .expect(200)
    ).body as {
      status: string;
      disposition: string;
      signatures: Array<{
        id: string;
        meaning: string;
        signerName: string;
        signerUsername: string;
        signedAt: string;
        valid: boolean;
      }>;
    };
    expect(signed).toMatchObject({ status: 'dispositioned', disposition: 'use_as_is' });
    expect(signed.signatures).toHaveLength(1);
    const sig = signed.signatures[0]!;
    expect(sig).toMatchObject({
      meaning: 'dispositioned',
      signerUsername: f.users.quality.username,
      valid: true,
    });
    const fromSignatures = await t.http
      .get(`/api/v1/signatures?entityType=ncr&entityId=${ncr.id}`)
      .set(as('quality'))
      .expect(200);
    expect(fromSignatures.body.map((s: { id: string }) => s.id)).toEqual([sig.id]);

    const item = `#ncr-signatures li[data-signature="${sig.id}"]`;
    await waitForText(page, `${item} [data-field="meaning"]`, '处置', WAIT);
    await waitForText(
      page,
      `${item} [data-field="signer"]`,
      `签名人 ${sig.signerName}（${sig.signerUsername}）`,
      WAIT,
    );
    const time = new Intl.DateTimeFormat('zh-CN', {
      dateStyle: 'short',
      timeStyle: 'short',
      timeZone: 'Asia/Shanghai',
    }).format(new Date(sig.signedAt));
    await waitForText(page, `${item} [data-field="signedAt"]`, time, WAIT);
    await waitForText(page, `${item} [data-field="valid"]`, '有效', WAIT);
    await page.locator('#ncr-effects li').first().waitFor({ timeout: WAIT });
    await page.locator('#ncr-close-form').waitFor({ timeout: WAIT });
    await screenshot(page, 'quality-08-ncr-signed');
  });

  it('lists lots on hold and releases one', async () => {
    const { page } = w;
    const { lot } = await receivedLot();
    await t.http
      .post(f.url(`lots/${lot}/hold`))
      .set(as('quality'))
      .send({ reason: 'Suspect heat treatment' })
      .expect(200);
    await page.click('#quality-tab-holds');
    const row = page.locator(`#holds-table tr[data-lot="${lot}"]`);
    await row.waitFor({ timeout: WAIT });
    await expect(row.textContent()).resolves.toContain('Suspect heat treatment');
    await screenshot(page, 'quality-09-holds');
    await row.locator('button[data-release]').click();
    await page.fill('#holds-release-reason', 'Hardness re-tested OK');
    await page.click('#holds-release-confirm');
    await row.waitFor({ state: 'detached', timeout: WAIT });
    const after = await t.http
      .get(f.url(`lots/${lot}`))
      .set(as('quality'))
      .expect(200);
    expect(after.body.status).toBe('quarantine');
  });

  it('lays the chart out on a 10-inch tablet held upright', async () => {
    const { page } = w;
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.click('#quality-tab-spc');
    await page.locator('#spc-chart canvas').first().waitFor({ timeout: WAIT });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    await screenshot(page, 'quality-10-chart-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('shows a viewer the data without the action buttons', async () => {
    const { page } = w;
    await page.click('.user-menu summary');
    await page.click('#sign-out');
    await page.waitForURL('**/login', { timeout: WAIT });
    await signIn('viewer', `/quality?view=ncr&ncr=${ncr.id}`);
    await page.locator('#ncr-status .q-badge[data-value="dispositioned"]').waitFor({ timeout: WAIT });
    await page.locator('#ncr-signatures li').first().waitFor({ timeout: WAIT });
    expect(await page.locator('#ncr-close-form, #ncr-sign-form, #ncr-new').count()).toBe(0);
    await page.click('#quality-tab-spc');
    await page.locator('#spc-chart canvas').first().waitFor({ timeout: WAIT });
    expect(await page.locator('#spc-freeze-form, button[data-exclude]').count()).toBe(0);
    await screenshot(page, 'quality-11-viewer');
  });
});
