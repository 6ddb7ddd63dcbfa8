// The planner board (计划看板): work orders, APS runs and their Gantt, rush orders, what-if plans, publishing.
import { renderProblem } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { canPlan, fill, planning, time, versionLabel } from './planner/common.js';
import { createOrdersPanel } from './planner/orders.js';
import { createRushPanel } from './planner/rush.js';
import { createSchedulePanel } from './planner/schedule.js';
import { createWhatIfPanel } from './planner/whatif.js';

const TABS = ['schedule', 'orders', 'rush', 'whatif'];
const COALESCE_MS = 300;

export function mount(main, ctx) {
  const site = ctx.site;
  const removers = [];
  const timers = { orders: null, plans: null };
  let alive = true;
  let live = null;
  let liveLoaded = false;
  let liveError = null;
  let tab = TABS.includes(new URLSearchParams(location.search).get('tab'))
    ? new URLSearchParams(location.search).get('tab')
    : 'schedule';

  const board = {
    site,
    canPlan: canPlan(ctx.session),
    live: () => live,
    /** Orders the live plan finishes after their due date. */
    lateIds: () => new Set((live?.kpis?.lateOrders ?? []).map((o) => o.workOrderId)),
    changed: () => {
      rush.refresh();
      whatIf.refresh();
    },
    async published() {
      await loadLive();
      orders.refresh();
      void schedule.refresh();
      rush.refresh();
      whatIf.refresh();
    },
    newOrder(priority) {
      switchTab('orders');
      orders.openForm(priority);
      pendingRush = priority === 'rush';
    },
    orderCreated(created) {
      if (pendingRush) {
        pendingRush = false;
        rush.select(created.id);
        switchTab('rush');
      }
    },
  };
  let pendingRush = false;

  const title = h('h1', { id: 'planner-title' });
  const subtitle = h('p', { class: 'muted', id: 'planner-subtitle' });
  const liveChip = h('p', { class: 'live-plan', id: 'live-plan', role: 'status' });
  const tabList = h('div', { class: 'planner-tabs', role: 'tablist', id: 'planner-tabs' });
  const schedule = createSchedulePanel(board);
  const orders = createOrdersPanel(board);
  const rush = createRushPanel(board);
  const whatIf = createWhatIfPanel(board);
  const panels = { schedule, orders, rush, whatif: whatIf };
  for (const [name, panel] of Object.entries(panels)) {
    panel.element.setAttribute('role', 'tabpanel');
    panel.element.id = `panel-${name}`;
    panel.element.setAttribute('aria-labelledby', `tab-${name}`);
    panel.element.tabIndex = -1;
  }

  fill(
    main,
    h(
      'div',
      { class: 'planner' },
      h('div', { class: 'page-head planner-head' }, title, subtitle, liveChip),
      board.canPlan ? null : h('p', { class: 'notice', id: 'planner-read-only' }),
      tabList,
      ...Object.values(panels).map((p) => p.element),
    ),
  );

  function paintTabs() {
    fill(
      tabList,
      ...TABS.map((name) =>
        h(
          'button',
          {
            type: 'button',
            role: 'tab',
            id: `tab-${name}`,
            'aria-selected': String(tab === name),
            'aria-controls': `panel-${name}`,
            tabindex: tab === name ? '0' : '-1',
            onclick: () => switchTab(name),
            onkeydown: (e) => {
              const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
              if (!step) return;
              e.preventDefault();
              const next = TABS[(TABS.indexOf(name) + step + TABS.length) % TABS.length];
              switchTab(next);
              document.getElementById(`tab-${next}`)?.focus();
            },
          },
          t(`planner.tab.${name}`),
        ),
      ),
    );
    for (const [name, panel] of Object.entries(panels)) panel.element.hidden = name !== tab;
  }

  function switchTab(name) {
    if (!TABS.includes(name)) return;
    tab = name;
    const url = new URL(location.href);
    url.searchParams.set('tab', name);
    history.replaceState(null, '', url.pathname + url.search);
    paintTabs();
    // Charts drawn while hidden have no size: they are measured again once shown.
    requestAnimationFrame(() => panels[name].resize?.());
  }

  function paintHead() {
    title.textContent = t('planner.title');
    subtitle.textContent = `${site.code} · ${site.name} · ${t('planner.timeZone', { zone: site.timeZone })}`;
    const readOnly = main.querySelector('#planner-read-only');
    if (readOnly) readOnly.textContent = t('planner.readOnly');
    if (!liveLoaded) {
      fill(liveChip, t('common.loading'));
      return;
    }
    if (liveError) {
      renderProblem(liveChip, liveError);
      return;
    }
    fill(
      liveChip,
      live
        ? h(
            'span',
            {},
            t('planner.liveIs'),
            ' ',
            h('strong', { id: 'live-plan-code' }, versionLabel(live)),
            ' · ',
            t('planner.publishedAt'),
            ' ',
            time(live.publishedAt, site),
            live.publishedByName ? ` · ${live.publishedByName}` : '',
          )
        : h('span', { id: 'live-plan-none' }, t('planner.noLive')),
    );
  }

  async function loadLive() {
    // Read from the list (a site without a published plan is a state, not a 404 in the console).
    try {
      const page = await planning(site.id, 'versions', { query: { status: 'published', limit: 1 } });
      live = page.items[0] ?? null;
      liveError = null;
    } catch (error) {
      live = null;
      liveError = error;
    }
    liveLoaded = true;
    if (!alive) return;
    paintHead();
    for (const panel of Object.values(panels)) panel.liveChanged?.();
  }

  function later(name, fn) {
    clearTimeout(timers[name]);
    timers[name] = setTimeout(() => {
      timers[name] = null;
      if (alive) fn();
    }, COALESCE_MS);
  }

  if (ctx.live) {
    const mine = (pushed) => !pushed?.siteId || pushed.siteId === site.id;
    removers.push(
      ctx.live.on('workorder.status', (pushed) => {
        if (!mine(pushed)) return;
        later('orders', () => {
          orders.refresh();
          rush.refresh();
        });
      }),
      ctx.live.on('schedule.run', (pushed) => {
        if (!mine(pushed)) return;
        schedule.onRun(pushed);
        rush.onRun(pushed);
        whatIf.onRun(pushed);
      }),
      ctx.live.on('schedule.published', (pushed) => {
        if (!mine(pushed)) return;
        later('plans', () => void board.published());
      }),
      ctx.live.on('resync', () =>
        later('plans', () => {
          void board.published();
        }),
      ),
    );
  }
  const resize = () => {
    for (const panel of Object.values(panels)) panel.resize?.();
  };
  window.addEventListener('resize', resize);

  paintHead();
  paintTabs();
  void loadLive();

  return {
    unmount() {
      alive = false;
      clearTimeout(timers.orders);
      clearTimeout(timers.plans);
      for (const remove of removers) remove();
      window.removeEventListener('resize', resize);
      for (const panel of Object.values(panels)) panel.unmount();
    },
    relabel() {
      paintHead();
      paintTabs();
      for (const panel of Object.values(panels)) panel.relabel();
    },
  };
}
