import type { Browser, Page } from 'playwright-core';
import { productionFactory, type ProductionFactory } from '../support/production-factory';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, openPage, screenshot, waitForText, type WatchedPage } from './browser';

const WAIT = 15_000;

interface Todo {
  id: string;
  kind: string;
  title: string;
  titleZh: string;
  assigneeRoles: string[];
  referenceId: string;
  status: string;
  closeNote: string | null;
  closedBy: string | null;
  version: number;
}

/**
 * The todo inbox in the browser: a planner watches /todos while the shipped "lot rejected" rule gives quality,
 * purchasing and planning a todo each. The planner's todo appears without a reload (list and header count),
 * links to the lot's trace; the planner resolves it with a note (the API shows it done, the count drops) and
 * finds it under the closed ones. A todo closed elsewhere leaves the list live. A viewer sees the site's todos
 * read only. Labels switch between 中文 and English; the page fits a 10-inch tablet.
 */
describe('ui: the todo inbox and the header todo count', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let browser: Browser;
  let w: WatchedPage;

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const todos = async (role: keyof ProductionFactory['users'], query: string) =>
    (
      await t.http
        .get(f.url(`todos?limit=500&${query}`))
        .set(as(role))
        .expect(200)
    ).body as { items: Todo[]; total: number };
  const myOpenCount = async (role: keyof ProductionFactory['users']) =>
    (await todos(role, 'status=open&mine=true')).total;

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

  /** Receives a lot of grease and has quality reject it: the shipped rule opens three todos. */
  async function rejectLot(lotCode: string) {
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'GREASE', quantity: '5', location: 'WH', lotCode })
      .expect(201);
    const lot = await t.http
      .get(f.url(`lots/${lotCode}`))
      .set(as('quality'))
      .expect(200);
    await t.http
      .post(f.url(`lots/${lotCode}/reject`))
      .set(as('quality'))
      .send({ reason: 'viscosity out of spec' })
      .expect(200);
    const open = await todos('admin', 'status=open&kind=quality_problem');
    const mine = open.items.filter((x) => x.referenceId === lot.body.id);
    expect(mine.map((x) => x.assigneeRoles[0]).sort()).toEqual(['planner', 'purchasing', 'quality']);
    return {
      planner: mine.find((x) => x.assigneeRoles[0] === 'planner')!,
      quality: mine.find((x) => x.assigneeRoles[0] === 'quality')!,
    };
  }

  const headerCount = (page: Page) => page.locator('#todo-link').getAttribute('data-count');
  const waitForCount = (page: Page, count: number) =>
    page.waitForFunction((n) => document.getElementById('todo-link')?.dataset.count === String(n), count, {
      timeout: WAIT,
    });
  const row = (id: string) => `.todo-item[data-todo="${id}"]`;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    f = await productionFactory(t);
    w = await openPage(browser, { baseURL: t.url, locale: 'zh-CN' });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    expect(w.takeProblems()).toEqual([]);
  });

  let first: { planner: Todo; quality: Todo };

  it('a todo a rule opens for the planner appears live in the list and the header count', async () => {
    const { page } = w;
    await signIn(page, 'planner');
    await page.goto('/todos');
    await waitForText(page, '#todos-title', '待办', WAIT);
    await page.locator('#todos-list[aria-busy="false"]').waitFor({ timeout: WAIT });
    await waitForCount(page, await myOpenCount('planner'));
    await waitForText(page, '#todos-empty', '暂无事项：这里没有未完成的待办。', WAIT);
    await waitForText(page, '#live-status', '实时', WAIT);
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    first = await rejectLot('GR-UI-T1');
    const item = page.locator(row(first.planner.id));
    await item.waitFor({ timeout: WAIT });
    await waitForText(page, `${row(first.planner.id)} [data-field="title"]`, first.planner.titleZh, WAIT);
    expect(await item.getAttribute('class')).toContain('is-new');
    await waitForText(page, `${row(first.planner.id)} .todo-kind`, '质量问题');
    await waitForText(page, `${row(first.planner.id)} [data-field="for"]`, '处理人：计划员');
    // Where it is worked: the lot in the trace explorer.
    expect(await item.locator('a.todo-source').first().getAttribute('href')).toBe('/trace?lot=GR-UI-T1');
    // Only the planner's todo: quality's and purchasing's are for other roles.
    expect(await page.locator(row(first.quality.id)).count()).toBe(0);
    expect(await myOpenCount('planner')).toBe(1);
    await waitForCount(page, 1);
    await waitForText(page, '#todo-link .todo-count', '1');
    await waitForText(page, '#todos-summary [data-figure="open"]', '1');
    await waitForText(page, '#todos-notice', `新待办：${first.planner.titleZh}`, WAIT);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await item.locator('.todo-facts summary').click();
    await screenshot(page, 'todos-01-live-zh');
  });

  it('the planner resolves it with a note: the API shows it done, the count drops, it is under the closed ones', async () => {
    const { page } = w;
    const item = page.locator(row(first.planner.id));
    await item.locator('button.todo-resolve-open').click();
    await item.locator('textarea').fill('已与采购确认替代批次 GR-2，工单顺延');
    await screenshot(page, 'todos-02-resolve-form');
    await item.locator('button.todo-done').click();
    await waitForText(page, '#todos-notice', `已完成：${first.planner.titleZh}`, WAIT);
    await page.locator(row(first.planner.id)).waitFor({ state: 'detached', timeout: WAIT });

    const after = await t.http
      .get(f.url(`todos/${first.planner.id}`))
      .set(as('planner'))
      .expect(200);
    expect(after.body).toMatchObject({ status: 'done', closeNote: '已与采购确认替代批次 GR-2，工单顺延' });
    expect(await myOpenCount('planner')).toBe(0);
    await waitForCount(page, 0);
    expect(await page.locator('#todo-link .todo-count').isHidden()).toBe(true);

    await page.click('#todos-tab-closed');
    await page.locator(row(first.planner.id)).waitFor({ timeout: WAIT });
    await waitForText(page, `${row(first.planner.id)} .todo-status`, '已完成');
    expect(await page.locator(`${row(first.planner.id)} [data-field="closed"]`).textContent()).toContain(
      '已与采购确认替代批次 GR-2',
    );
    expect(page.url()).toContain('/todos?tab=closed');
    await screenshot(page, 'todos-03-closed');
    await page.click('#todos-tab-open');
  });

  it('a todo closed elsewhere leaves the list and the count live; the quality todo is read only for the planner', async () => {
    const { page } = w;
    const second = await rejectLot('GR-UI-T2');
    await page.locator(row(second.planner.id)).waitFor({ timeout: WAIT });
    await waitForCount(page, 1);
    // An administrator closes it from elsewhere: todo.closed reaches the planners' screens.
    await t.http
      .post(f.url(`todos/${second.planner.id}/dismiss`))
      .set(as('admin'))
      .send({ note: 'duplicate of the supplier claim' })
      .expect(200);
    await page.locator(row(second.planner.id)).waitFor({ state: 'detached', timeout: WAIT });
    await waitForCount(page, 0);

    // The whole site: the quality engineer's todo is listed without a button for the planner.
    await page.selectOption('#todos-scope', 'site');
    const quality = page.locator(row(second.quality.id));
    await quality.waitFor({ timeout: WAIT });
    expect(await quality.locator('button.todo-resolve-open').count()).toBe(0);
    await waitForText(page, `${row(second.quality.id)} .todo-readonly`, '属于其他角色：只读');
    expect(await quality.locator('a.todo-source').first().getAttribute('href')).toBe('/quality?view=holds');
    await page.selectOption('#todos-scope', 'mine');
    await waitForText(page, '#todos-empty', '暂无事项：这里没有未完成的待办。', WAIT);
  });

  it('switches to English and back, the header count included', async () => {
    const { page } = w;
    const third = await rejectLot('GR-UI-T3');
    await page.locator(row(third.planner.id)).waitFor({ timeout: WAIT });
    await waitForCount(page, 1);
    expect(await page.locator('#todo-link').getAttribute('aria-label')).toBe('待办：1 项待您处理');
    // Past its due time: marked overdue on the list, in the figures and (read again) in the header.
    await t.dataSource.query(`UPDATE todo SET due_at = now() - interval '2 hours' WHERE id = $1`, [
      third.planner.id,
    ]);
    await page.click('#todos-reload');
    await waitForText(page, `${row(third.planner.id)} .todo-overdue`, '已逾期', WAIT);
    await waitForText(page, '#todos-summary [data-figure="overdue"]', '1');
    expect(await page.locator(row(third.planner.id)).getAttribute('class')).toContain('overdue');
    await page.waitForFunction(
      () => document.getElementById('todo-link')?.classList.contains('has-overdue'),
      null,
      {
        timeout: WAIT,
      },
    );
    expect(await page.locator('#todo-link').getAttribute('aria-label')).toBe(
      '待办：1 项待您处理，其中 1 项已逾期',
    );

    await page.selectOption('#locale-select', 'en');
    await waitForText(page, '#todos-title', 'Todos');
    await waitForText(page, '#todos-tab-open', 'Open1');
    await waitForText(page, `${row(third.planner.id)} [data-field="title"]`, third.planner.title);
    await waitForText(page, `${row(third.planner.id)} .todo-kind`, 'Quality problem');
    await waitForText(page, '#todo-link .todo-link-label', 'Todos');
    expect(await page.locator('#todo-link').getAttribute('aria-label')).toBe(
      'Todos: 1 open for you, 1 overdue',
    );
    await waitForText(page, `${row(third.planner.id)} .todo-overdue`, 'Overdue');
    await screenshot(page, 'todos-04-en');

    // Resolve form in English, and the problem for a todo someone else closed meanwhile.
    const item = page.locator(row(third.planner.id));
    await item.locator('button.todo-resolve-open').click();
    await waitForText(page, `${row(third.planner.id)} .todo-done`, 'Mark done');
    await page.selectOption('#locale-select', 'zh-CN');
    await waitForText(page, '#todos-title', '待办');
    await waitForText(page, `${row(third.planner.id)} .todo-done`, '标记完成');
    await waitForText(page, '#todo-link .todo-link-label', '待办');
    await item.locator('button.todo-cancel').click();
    expect(await headerCount(page)).toBe('1');
  });

  it('fits a 10-inch tablet upright, the header with its todo link included', async () => {
    const { page } = w;
    await page.setViewportSize({ width: 800, height: 1280 });
    await waitForText(page, '#todos-title', '待办');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    const box = await page.locator('#todo-link').boundingBox();
    expect(box && box.x + box.width <= 800).toBe(true);
    await screenshot(page, 'todos-05-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });
    // The count stays in the header on the other pages.
    await page.click('.main-nav a[href="/dashboard"]');
    await waitForText(page, '#dashboard-title', '看板', WAIT);
    await waitForCount(page, 1);
    await page.click('#todo-link');
    await waitForText(page, '#todos-title', '待办', WAIT);
    expect(await page.locator('#todo-link').getAttribute('aria-current')).toBe('page');
  });

  it('a viewer sees the site’s todos read only, with no action buttons', async () => {
    const viewer = await openPage(browser, { baseURL: t.url, locale: 'en' });
    try {
      await signIn(viewer.page, 'viewer');
      await viewer.page.goto('/todos?scope=site');
      await waitForText(viewer.page, '#todos-title', 'Todos', WAIT);
      await viewer.page.locator('.todo-item').first().waitFor({ timeout: WAIT });
      const open = await todos('viewer', 'status=open');
      expect(await viewer.page.locator('.todo-item').count()).toBe(open.total);
      expect(await viewer.page.locator('button.todo-resolve-open').count()).toBe(0);
      await waitForCount(viewer.page, 0);
      await screenshot(viewer.page, 'todos-06-viewer');
      expect(viewer.takeProblems()).toEqual([]);
    } finally {
      await viewer.context.close();
    }
  });
});
