// The manager's cockpit (管理驾驶舱): the analytics API of one site, refreshed live from the shop floor.
import { api, renderProblem } from '../api.js';
import { loadECharts } from '../charts.js';
import { h, progressBar } from '../dom.js';
import {
  formatDateTime,
  formatNumber,
  formatPercent,
  formatShortDateTime,
  formatTime,
  locale,
  t,
  tOr,
} from '../i18n.js';

const siteQuery = (siteId) => ({ query: { siteId } });

/** Each card and where its figures come from. */
const SOURCES = {
  lineProgress: (siteId) => api('/analytics/line-progress', siteQuery(siteId)),
  kitting: (siteId) => api('/analytics/kitting', siteQuery(siteId)),
  oee: (siteId) => api('/analytics/oee', siteQuery(siteId)),
  onTime: (siteId) => api('/analytics/on-time-delivery', siteQuery(siteId)),
  stock: (siteId) => api('/analytics/stock-gauges', siteQuery(siteId)),
  todos: async (siteId) => {
    const [summary, list] = await Promise.all([
      api('/analytics/todos', siteQuery(siteId)),
      api(`/sites/${siteId}/todos`, { query: { status: 'open', limit: TODO_LIST_SIZE } }),
    ]);
    return { summary, list };
  },
};
const CARDS = Object.keys(SOURCES);

/** Which cards a push from the shop floor changes. */
const REFRESH_ON = {
  'operation.progress': ['lineProgress', 'oee'],
  'workorder.status': ['lineProgress', 'kitting', 'onTime'],
  'todo.created': ['todos'],
  'stock.alert': ['stock', 'todos'],
  'pick.task': ['kitting'],
  'pick.shortage': ['kitting', 'todos'],
};

/** Pushes arriving together are fetched once. */
const COALESCE_MS = 150;
/** Figures that move with the clock alone (late orders, overdue todos, the periods) are read again as well. */
const REFRESH_EVERY_MS = 60_000;
const TODO_LIST_SIZE = 8;
const GAUGES_SHOWN = 8;

export function mount(main, ctx) {
  const site = ctx.site;
  const data = {};
  const errors = {};
  const charts = [];
  const lineRooms = new Set();
  const timers = { coalesce: null, periodic: null };
  const pending = new Set();
  const inFlight = new Set();
  const again = new Set();
  const removers = [];
  let alive = true;
  let updatedAt = null;
  let gaugePaints = 0;

  main.replaceChildren(
    h(
      'div',
      { class: 'dashboard' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', { id: 'dashboard-title' }),
        h('p', { class: 'muted', id: 'dashboard-subtitle' }),
      ),
      h('div', { class: 'kpi-row' }, card('kitting'), card('oee'), card('onTime'), card('todosKpi', 'todos')),
      h('div', { class: 'dashboard-grid' }, card('lineProgress', null, 'wide'), card('stock')),
      card('todos', null, 'wide'),
    ),
  );

  function card(name, source = null, extra = '') {
    return h(
      'section',
      { class: `card ${extra}`.trim(), id: `card-${name}`, 'aria-labelledby': `card-${name}-title` },
      h('h2', { id: `card-${name}-title` }),
      h('div', { class: 'card-body', 'aria-busy': 'true', dataset: { source: source ?? name } }),
    );
  }

  const body = (name) => main.querySelector(`#card-${name} .card-body`);

  function relabel() {
    main.querySelector('#dashboard-title').textContent = t('dashboard.title');
    main.querySelector('#dashboard-subtitle').textContent = subtitle();
    for (const name of ['kitting', 'oee', 'onTime', 'todosKpi', 'lineProgress', 'stock', 'todos']) {
      main.querySelector(`#card-${name}-title`).textContent = t(`card.${name}`);
    }
    for (const name of CARDS) paint(name);
  }

  function subtitle() {
    const where = `${site.code} · ${site.name}`;
    return updatedAt
      ? `${where} · ${t('dashboard.updatedAt', { time: formatTime(updatedAt, site.timeZone) })}`
      : where;
  }

  /** Draws a card from what was last fetched (or the error of the last fetch). */
  function paint(name) {
    if (!alive) return;
    const targets = name === 'todos' ? ['todosKpi', 'todos'] : [name];
    if (name === 'stock') disposeCharts();
    for (const target of targets) {
      const element = body(target);
      if (errors[name]) {
        renderProblem(element, errors[name]);
        element.setAttribute('aria-busy', 'false');
        continue;
      }
      if (!data[name]) continue;
      element.replaceChildren(...[PAINTERS[target](data[name], site)].flat().filter(Boolean));
      element.setAttribute('aria-busy', 'false');
    }
    if (name === 'stock' && data.stock && !errors.stock) void drawGauges();
  }

  async function drawGauges() {
    const generation = ++gaugePaints;
    let echarts;
    try {
      echarts = await loadECharts();
    } catch {
      return; // The figures are written beside each gauge; the drawing is an extra.
    }
    // Only the last painting draws (the card may have been painted again while the library loaded).
    if (!alive || generation !== gaugePaints) return;
    const gauges = data.stock;
    for (const element of main.querySelectorAll('#card-stock .gauge-chart')) {
      const gauge = gauges.materials.find((m) => m.materialId === element.dataset.material);
      if (!gauge) continue;
      const chart = echarts.init(element, null, { renderer: 'canvas' });
      chart.setOption(gaugeOption(gauge));
      charts.push(chart);
    }
  }

  function disposeCharts() {
    for (const chart of charts.splice(0)) chart.dispose();
  }

  // Fetching: pushes are coalesced; a card asked for while its fetch runs is fetched once more afterwards.
  function refresh(names, immediately = false) {
    for (const name of names) pending.add(name);
    if (immediately) {
      clearTimeout(timers.coalesce);
      timers.coalesce = null;
      flush();
    } else timers.coalesce ??= setTimeout(flush, COALESCE_MS);
  }

  function flush() {
    timers.coalesce = null;
    for (const name of [...pending]) {
      pending.delete(name);
      void load(name);
    }
  }

  async function load(name) {
    if (inFlight.has(name)) {
      again.add(name);
      return;
    }
    inFlight.add(name);
    try {
      data[name] = await SOURCES[name](site.id);
      delete errors[name];
      updatedAt = new Date().toISOString();
    } catch (error) {
      errors[name] = error;
    } finally {
      inFlight.delete(name);
    }
    if (!alive) return;
    paint(name);
    main.querySelector('#dashboard-subtitle').textContent = subtitle();
    if (name === 'lineProgress' || name === 'kitting') followLines();
    if (again.delete(name)) void load(name);
  }

  /** Work progress is pushed to the line rooms: join the rooms of every line the cards show. */
  function followLines() {
    if (!ctx.live) return;
    const ids = [
      ...(data.lineProgress?.lines ?? []).map((line) => line.lineId),
      ...(data.kitting?.byLine ?? []).map((line) => line.lineId),
    ];
    const fresh = [...new Set(ids)].map((id) => `line:${id}`).filter((room) => !lineRooms.has(room));
    for (const room of fresh) lineRooms.add(room);
    if (fresh.length > 0) ctx.live.subscribe(fresh);
  }

  if (ctx.live) {
    for (const [event, names] of Object.entries(REFRESH_ON)) {
      // A person with several sites is in every site's room: another site's pushes change nothing here.
      removers.push(
        ctx.live.on(event, (pushed) => {
          if (!pushed?.siteId || pushed.siteId === site.id) refresh(names);
        }),
      );
    }
    removers.push(ctx.live.on('resync', () => refresh(CARDS)));
    // Progress made between our last read and joining a line's room came with no push: read it now.
    removers.push(
      ctx.live.on('joined', (rooms) => {
        if (rooms.some((room) => lineRooms.has(room))) refresh(['lineProgress', 'oee']);
      }),
    );
  }
  timers.periodic = setInterval(() => refresh(CARDS), REFRESH_EVERY_MS);
  const resize = () => charts.forEach((chart) => chart.resize());
  window.addEventListener('resize', resize);
  relabel();
  refresh(CARDS, true);

  return {
    unmount() {
      alive = false;
      clearTimeout(timers.coalesce);
      clearInterval(timers.periodic);
      for (const remove of removers) remove();
      window.removeEventListener('resize', resize);
      if (ctx.live && lineRooms.size > 0) ctx.live.unsubscribe([...lineRooms]);
      disposeCharts();
    },
    relabel,
  };
}

// Painters: data → nodes. Figures come only from the API's answers.

const PAINTERS = {
  kitting: (k) => [
    kpi(formatPercent(k.rate), 'kitting-rate'),
    h('p', { class: 'kpi-caption' }, t('kitting.staged', { staged: k.staged, released: k.released })),
    k.byLine.length > 0
      ? h(
          'ul',
          { class: 'mini-list' },
          k.byLine.map((line) =>
            h(
              'li',
              {},
              h('span', {}, line.lineCode),
              progressBar(line.rate, t('kitting.lineRate', { line: line.lineCode })),
              h('span', { class: 'num' }, formatPercent(line.rate)),
            ),
          ),
        )
      : null,
    shortOrders(k.orders),
  ],

  oee: (o) => {
    const total = o.total;
    return [
      kpi(formatPercent(total?.oee ?? null), 'oee'),
      h('p', { class: 'kpi-caption' }, t('period.last7days')),
      h(
        'ul',
        { class: 'mini-list' },
        [
          ['availability', total?.availability],
          ['effectiveness', total?.effectiveness],
          ['qualityRatio', total?.qualityRatio],
        ].map(([name, value]) =>
          h(
            'li',
            { dataset: { oeePart: name } },
            h('span', {}, t(`oee.${name}`)),
            progressBar(value ?? null, t(`oee.${name}`)),
            h('span', { class: 'num' }, formatPercent(value ?? null)),
          ),
        ),
      ),
      o.machines.length === 0 ? h('p', { class: 'muted' }, t('oee.noMachines')) : null,
    ];
  },

  onTime: (d) => [
    kpi(formatPercent(d.rate), 'on-time-rate'),
    h('p', { class: 'kpi-caption' }, t('period.last7days')),
    h(
      'dl',
      { class: 'figures' },
      figure(t('onTime.completed'), formatNumber(d.completed), 'completed'),
      figure(t('onTime.onTime'), formatNumber(d.onTime), 'on-time'),
      figure(t('onTime.late'), formatNumber(d.late), 'late'),
    ),
  ],

  todosKpi: ({ summary }) => [
    kpi(formatNumber(summary.open), 'todos-open'),
    h('p', { class: 'kpi-caption' }, t('todos.open')),
    h(
      'dl',
      { class: 'figures' },
      figure(t('todos.overdue'), formatNumber(summary.overdue), 'todos-overdue', summary.overdue > 0),
      figure(t('todos.personal'), formatNumber(summary.personal.open), 'todos-personal'),
    ),
  ],

  lineProgress: (p, site) => {
    if (p.workOrders.length === 0) return h('p', { class: 'muted' }, t('lineProgress.empty'));
    return [
      h(
        'ul',
        { class: 'line-list' },
        p.lines.map((line) =>
          h(
            'li',
            { dataset: { line: line.lineCode } },
            h('strong', {}, line.lineCode),
            h(
              'span',
              { class: 'muted' },
              t('lineProgress.lineSummary', { orders: line.orders, late: line.late }),
            ),
            progressBar(line.progress, t('lineProgress.lineBar', { line: line.lineCode })),
            h(
              'span',
              { class: 'num' },
              `${formatNumber(line.goodQty)} / ${formatNumber(line.plannedQty)} · ${formatPercent(line.progress)}`,
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table' },
          h('caption', { class: 'visually-hidden' }, t('card.lineProgress')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['workOrder', 'material', 'status', 'good', 'scrap', 'progress', 'due'].map((c) =>
                h('th', { scope: 'col' }, t(`lineProgress.col.${c}`)),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            p.workOrders.map((wo) =>
              h(
                'tr',
                { dataset: { wo: wo.code }, class: wo.late ? 'late' : undefined },
                h('th', { scope: 'row' }, wo.code, h('span', { class: 'muted row-line' }, wo.lineCode)),
                h('td', { class: 'nowrap' }, wo.materialCode),
                h('td', {}, h('span', { class: `badge status-${wo.status}` }, tOr('status', wo.status))),
                h(
                  'td',
                  { class: 'num', dataset: { field: 'good' } },
                  `${formatNumber(wo.goodQty)} / ${formatNumber(wo.plannedQty)} ${wo.unit}`,
                ),
                h('td', { class: 'num', dataset: { field: 'scrap' } }, formatNumber(wo.scrapQty)),
                h(
                  'td',
                  {},
                  h(
                    'div',
                    { class: 'progress-cell' },
                    progressBar(wo.progress, t('lineProgress.orderBar', { code: wo.code })),
                    h('span', { class: 'num', dataset: { field: 'progress' } }, formatPercent(wo.progress)),
                  ),
                ),
                h(
                  'td',
                  { dataset: { field: 'due' } },
                  h('time', { datetime: wo.dueAt }, formatShortDateTime(wo.dueAt, site.timeZone)),
                  wo.late ? h('span', { class: 'badge danger' }, t('lineProgress.late')) : null,
                ),
              ),
            ),
          ),
        ),
      ),
    ];
  },

  stock: (s) => {
    if (s.materials.length === 0) return h('p', { class: 'muted' }, t('stock.empty'));
    const shown = s.materials.slice(0, GAUGES_SHOWN);
    return [
      h(
        'p',
        { class: 'stock-counts' },
        ['below_safety', 'below_reorder', 'ok'].map((status) =>
          h(
            'span',
            { class: `badge gauge-${status}`, dataset: { count: status } },
            `${tOr('gauge', status)} ${formatNumber(s.counts[status] ?? 0)}`,
          ),
        ),
      ),
      h(
        'ul',
        { class: 'gauges' },
        shown.map((g) =>
          h(
            'li',
            { class: `gauge gauge-${g.status}`, dataset: { material: g.code } },
            h('div', {
              class: 'gauge-chart',
              dataset: { material: g.materialId },
              role: 'img',
              'aria-label': t('stock.gaugeLabel', {
                code: g.code,
                available: formatNumber(g.available),
                unit: g.unit,
                safety: formatNumber(g.safetyStock),
                reorder: formatNumber(g.reorderPoint),
              }),
            }),
            h(
              'p',
              { class: 'gauge-code' },
              h('strong', {}, g.code),
              ' ',
              h('span', { class: 'muted' }, g.name),
            ),
            h(
              'p',
              { class: 'num', dataset: { field: 'available' } },
              `${formatNumber(g.available)} ${g.unit}`,
            ),
            h(
              'p',
              { class: 'muted small' },
              t('stock.levels', {
                safety: formatNumber(g.safetyStock),
                reorder: formatNumber(g.reorderPoint),
              }),
            ),
            h('span', { class: `badge gauge-${g.status}` }, tOr('gauge', g.status)),
          ),
        ),
      ),
      s.materials.length > shown.length
        ? h('p', { class: 'muted' }, t('stock.more', { count: s.materials.length - shown.length }))
        : null,
    ];
  },

  todos: ({ summary, list }, site) => {
    const now = Date.now();
    return [
      summary.byKind.length > 0
        ? h(
            'p',
            { class: 'chips' },
            summary.byKind.map((k) =>
              h(
                'span',
                { class: 'badge', dataset: { kind: k.kind } },
                `${tOr('todoKind', k.kind)} ${formatNumber(k.open)}`,
                k.overdue > 0 ? ` (${t('todos.overdueCount', { count: formatNumber(k.overdue) })})` : '',
              ),
            ),
          )
        : null,
      list.items.length === 0
        ? h('p', { class: 'muted' }, t('todos.none'))
        : h(
            'ul',
            { class: 'todo-list' },
            list.items.map((todo) => {
              const overdue = todo.dueAt && Date.parse(todo.dueAt) < now;
              return h(
                'li',
                { dataset: { todo: todo.id } },
                h(
                  'span',
                  { class: 'todo-title' },
                  locale() === 'zh-CN' ? todo.titleZh || todo.title : todo.title,
                ),
                h('span', { class: 'badge' }, tOr('todoKind', todo.kind)),
                h(
                  'span',
                  { class: 'muted small' },
                  todo.dueAt
                    ? t('todos.due', { time: formatDateTime(todo.dueAt, site.timeZone) })
                    : t('todos.created', { time: formatDateTime(todo.createdAt, site.timeZone) }),
                ),
                overdue ? h('span', { class: 'badge danger' }, t('todos.overdue')) : null,
              );
            }),
          ),
      list.total > list.items.length
        ? h('p', { class: 'muted' }, t('todos.more', { count: list.total - list.items.length }))
        : null,
    ];
  },
};

function kpi(text, name) {
  return h('p', { class: 'kpi', dataset: { kpi: name } }, text);
}

function figure(label, value, name, alert = false) {
  return h(
    'div',
    { class: alert ? 'alert' : undefined },
    h('dt', {}, label),
    h('dd', { dataset: { figure: name } }, value),
  );
}

/** Released orders still waiting for material, with what is missing (the first few). */
function shortOrders(orders) {
  const short = orders.filter((o) => !o.staged);
  if (short.length === 0) return null;
  return h(
    'details',
    { class: 'short-orders' },
    h('summary', {}, t('kitting.shortOrders', { count: short.length })),
    h(
      'ul',
      {},
      short
        .slice(0, 5)
        .map((o) =>
          h(
            'li',
            {},
            h('strong', {}, o.code),
            ' ',
            o.missing
              .map((m) => `${m.materialCode} −${formatNumber(m.missingQty)}`)
              .join(t('list.separator')),
          ),
        ),
    ),
  );
}

const COLORS = { danger: '#b3261e', warning: '#b26a00', ok: '#1b6e3a', needle: '#1f2933' };

function gaugeOption(g) {
  const available = Number(g.available);
  const safety = Number(g.safetyStock);
  const reorder = Number(g.reorderPoint);
  // The scale reaches what a replenishment brings, and always leaves room above the levels and the stock.
  const max = Math.max(Number(g.replenishTo), available, reorder * 1.25, safety * 1.5, 1);
  const stop = (value) => Math.min(1, Math.max(0, value / max));
  // Colour stops must rise: a reorder point below the safety stock adds no amber band.
  const red = stop(safety);
  const amber = Math.max(red, stop(reorder));
  return {
    animationDuration: 300,
    series: [
      {
        type: 'gauge',
        min: 0,
        max,
        radius: '92%',
        center: ['50%', '58%'],
        startAngle: 200,
        endAngle: -20,
        axisLine: {
          lineStyle: {
            width: 12,
            color: [
              [red, COLORS.danger],
              [amber, COLORS.warning],
              [1, COLORS.ok],
            ],
          },
        },
        pointer: { width: 4, length: '62%', itemStyle: { color: COLORS.needle } },
        anchor: { show: true, size: 8, itemStyle: { color: COLORS.needle } },
        axisTick: { show: false },
        splitLine: { show: false },
        axisLabel: { show: false },
        title: { show: false },
        detail: { show: false },
        data: [{ value: Math.min(available, max) }],
      },
    ],
  };
}
