// The trace explorer (追溯): type or scan a lot (or a serial number) and see where it came from, where it went,
// the documents of every lot on the way, and the recall scope with one action that holds what is still here.
// The address holds the lot (/trace?lot=…&view=…), so a trace can be shared and the browser's back button works.
import { api, ApiError, renderProblem } from '../api.js';
import { loadECharts } from '../charts.js';
import { h } from '../dom.js';
import { formatDateTime, formatNumber, t, tOr } from '../i18n.js';
import { documentsPanel } from './trace/documents.js';
import { graphOption, graphSize, layout } from './trace/graph.js';
import { displayStatus, download, fileName, materialName, newKey, recallCsv } from './trace/model.js';
import { recallPanel } from './trace/recall.js';
import { listenForScans } from './trace/scanner.js';
import { fill, lotLink, table } from './trace/widgets.js';

const VIEWS = ['genealogy', 'documents', 'recall'];
const DEPTHS = ['', '1', '2', '3', '5', '10'];
/** Roles that may hold a recall scope (the API's @Roles of POST /trace/recall/hold). */
const HOLD_ROLES = ['admin', 'quality'];
const RECALL_PAGE = 200;
/** Lots the CSV export asks for at a time (the API's largest page). */
const EXPORT_PAGE = 10_000;
const SUGGEST_DELAY_MS = 250;

export function mount(main, ctx) {
  const site = ctx.site;
  const params = new URLSearchParams(location.search);
  const wanted = {
    lot: params.get('lot')?.trim() || null,
    serial: params.get('serial')?.trim() || null,
    depth: DEPTHS.includes(params.get('depth') ?? '') ? (params.get('depth') ?? '') : '',
  };
  const roles = ctx.session?.user?.roles ?? [];
  const state = {
    view: VIEWS.includes(params.get('view')) ? params.get('view') : 'genealogy',
    loading: false,
    error: null,
    notFound: null,
    result: null,
    recall: null,
    recallError: null,
    recallLoading: false,
    recallOffset: 0,
    exporting: false,
    exportError: null,
    hold: { open: false, busy: false, error: null, result: null, reason: '', workOrders: false },
  };
  const canHold = roles.some((r) => HOLD_ROLES.includes(r));
  let alive = true;
  let chart = null;
  let fitGraph = null;
  let drawing = 0;
  let suggestTimer = null;
  let suggestAbort = null;
  const removers = [];

  // The skeleton: built once; the regions are painted from `state`.
  const input = h('input', {
    id: 'trace-input',
    name: 'code',
    type: 'search',
    list: 'trace-suggestions',
    autocomplete: 'off',
    autocapitalize: 'none',
    spellcheck: 'false',
    enterkeyhint: 'search',
    required: true,
    maxlength: '100',
    oninput: () => suggest(),
  });
  input.value = wanted.lot ?? wanted.serial ?? '';
  const depthSelect = h('select', { id: 'trace-depth', name: 'depth' });
  const tabs = VIEWS.map((view) =>
    h('button', {
      type: 'button',
      role: 'tab',
      id: `trace-tab-${view}`,
      'aria-controls': 'trace-panel',
      dataset: { view },
      onclick: () => switchView(view),
      onkeydown: tabKeys,
    }),
  );
  main.replaceChildren(
    h(
      'div',
      { class: 'trace' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', { id: 'trace-title' }),
        h('p', { class: 'muted', id: 'trace-subtitle' }),
      ),
      h(
        'form',
        { id: 'trace-search', class: 'trace-search', role: 'search', novalidate: true, onsubmit: submit },
        h('label', { for: 'trace-input', id: 'trace-input-label', class: 'trace-search-label' }),
        h(
          'div',
          { class: 'trace-search-row' },
          input,
          h('datalist', { id: 'trace-suggestions' }),
          h('label', { class: 'picker', for: 'trace-depth' }, h('span', { id: 'trace-depth-label' })),
          depthSelect,
          h('button', { type: 'submit', class: 'primary', id: 'trace-submit' }),
        ),
        h('p', { class: 'muted small', id: 'trace-hint' }),
      ),
      h('div', { id: 'trace-problem', hidden: true }),
      h(
        'div',
        { class: 'trace-status-row' },
        h('p', { id: 'trace-status', role: 'status', class: 'muted' }),
        h('button', { type: 'button', id: 'trace-refresh', hidden: true, onclick: () => void refresh() }),
      ),
      h('section', {
        id: 'trace-lot',
        class: 'trace-lot',
        hidden: true,
        'aria-labelledby': 'trace-lot-title',
      }),
      h('div', { class: 'trace-tabs', role: 'tablist', id: 'trace-tabs', hidden: true }, tabs),
      h('section', { id: 'trace-panel', class: 'trace-panel', role: 'tabpanel', hidden: true }),
    ),
  );
  const $ = (selector) => main.querySelector(selector);

  function relabel() {
    $('#trace-title').textContent = t('trace.title');
    $('#trace-subtitle').textContent = `${site.code} · ${site.name}`;
    $('#trace-input-label').textContent = t('trace.search.label');
    input.placeholder = t('trace.search.placeholder');
    $('#trace-depth-label').textContent = t('trace.search.depth');
    depthSelect.replaceChildren(
      ...DEPTHS.map((d) =>
        h(
          'option',
          { value: d, selected: d === wanted.depth },
          d ? t('trace.search.levels', { count: d }) : t('trace.search.allLevels'),
        ),
      ),
    );
    $('#trace-submit').textContent = t('trace.search.submit');
    $('#trace-hint').textContent = t('trace.search.hint');
    $('#trace-tabs').setAttribute('aria-label', t('trace.tabs.label'));
    for (const tab of tabs) tab.textContent = t(`trace.tab.${tab.dataset.view}`);
    paint();
  }

  // Painting ------------------------------------------------------------------------------------------------

  function paint() {
    if (!alive) return;
    const problem = $('#trace-problem');
    if (state.error) renderProblem(problem, state.error);
    else if (state.notFound) {
      problem.hidden = false;
      problem.replaceChildren(
        h(
          'div',
          { class: 'problem', role: 'alert' },
          h('p', { class: 'problem-detail' }, t('trace.notFound', { code: state.notFound })),
        ),
      );
    } else {
      problem.hidden = true;
      problem.replaceChildren();
    }
    const status = $('#trace-status');
    status.textContent = state.loading
      ? t('trace.loading', { code: wanted.lot ?? wanted.serial })
      : state.result
        ? t('trace.loadedAt', { time: formatDateTime(state.result.loadedAt, site.timeZone) })
        : wanted.lot || wanted.serial
          ? ''
          : t('trace.empty');
    const r = state.result;
    const again = $('#trace-refresh');
    again.hidden = !r;
    again.disabled = state.loading;
    again.textContent = t('trace.refresh');
    $('#trace-lot').hidden = !r;
    $('#trace-tabs').hidden = !r;
    $('#trace-panel').hidden = !r;
    if (!r) {
      disposeChart();
      return;
    }
    paintLot(r);
    for (const tab of tabs) {
      const selected = tab.dataset.view === state.view;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    $('#trace-panel').setAttribute('aria-labelledby', `trace-tab-${state.view}`);
    paintPanel();
  }

  function paintLot(r) {
    const lot = r.lot;
    const shipped = (r.docs.get(lot.id)?.shipments ?? []).length > 0;
    const status = displayStatus(lot, shipped);
    const field = (name, value) =>
      value === null || value === undefined || value === ''
        ? null
        : h('div', {}, h('dt', {}, t(`trace.field.${name}`)), h('dd', { dataset: { field: name } }, value));
    fill(
      $('#trace-lot'),
      h(
        'div',
        { class: 'trace-lot-head' },
        h('h2', { id: 'trace-lot-title' }, lot.code),
        h(
          'span',
          { class: `badge lot-${status}`, dataset: { field: 'status' } },
          tOr('trace.lotStatus', status),
        ),
        h('span', { class: 'muted' }, `${lot.materialCode} · ${materialName(lot)}`),
        r.serial
          ? h(
              'span',
              { class: 'badge', dataset: { field: 'serial' } },
              t('trace.serialOf', { serial: r.serial.backward.serial.serial }),
            )
          : null,
      ),
      lot.statusReason ? h('p', { class: 'muted small' }, lot.statusReason) : null,
      h(
        'dl',
        { class: 'trace-facts' },
        field('origin', tOr('trace.origin', lot.origin)),
        field('onHand', `${formatNumber(lot.onHand)} ${lot.unit}`),
        field('initialQty', `${formatNumber(lot.initialQty)} ${lot.unit}`),
        field('workOrder', r.backward.nodes.find((n) => n.id === lot.id)?.workOrderCode ?? null),
        field(
          'supplier',
          lot.supplierCode ? `${lot.supplierCode}${lot.supplierName ? ` · ${lot.supplierName}` : ''}` : null,
        ),
        field('supplierLot', lot.supplierLot),
        field('receivedAt', formatDateTime(lot.receivedAt, site.timeZone)),
        field('expiryDate', lot.expiryDate),
        field('upstream', t('trace.counts.lots', { count: formatNumber(r.backward.nodes.length - 1) })),
        field('downstream', t('trace.counts.lots', { count: formatNumber(r.forward.nodes.length - 1) })),
      ),
      r.backward.truncated || r.forward.truncated
        ? h('p', { class: 'notice', dataset: { field: 'truncated' } }, t('trace.truncated'))
        : null,
      r.retriedAtSite ? h('p', { class: 'notice' }, t('trace.atThisSite', { site: site.code })) : null,
    );
  }

  function paintPanel() {
    const panel = $('#trace-panel');
    const r = state.result;
    disposeChart();
    if (state.view === 'genealogy') {
      const graph = h('div', {
        class: 'trace-graph',
        id: 'trace-graph',
        role: 'img',
        'aria-label': t('trace.graph.label', {
          code: r.lot.code,
          up: r.backward.nodes.length - 1,
          down: r.forward.nodes.length - 1,
        }),
      });
      const laid = layout({ lot: r.lot, backward: r.backward, forward: r.forward });
      const box = h('div', { class: 'trace-graph-box' }, graph);
      fill(
        panel,
        h(
          'div',
          { class: 'trace-toolbar' },
          h('h2', { id: 'trace-graph-title' }, t('trace.graph.title')),
          h('p', { class: 'muted small' }, t('trace.graph.help')),
          h(
            'div',
            { class: 'trace-actions' },
            h(
              'button',
              { type: 'button', id: 'trace-csv-backward', onclick: () => traceCsv('backward') },
              t('trace.export.backward'),
            ),
            h(
              'button',
              { type: 'button', id: 'trace-csv-forward', onclick: () => traceCsv('forward') },
              t('trace.export.forward'),
            ),
          ),
        ),
        h('div', { id: 'trace-export-problem', hidden: true }),
        box,
        r.serial ? asBuilt(r.serial) : null,
        genealogyTable('backward', r),
        genealogyTable('forward', r),
      );
      void drawGraph(graph, box, laid, r);
    } else if (state.view === 'documents') {
      fill(panel, documentsPanel(r, site));
    } else {
      fill(
        panel,
        ...recallPanel({
          site,
          result: r,
          recall: state.recall,
          error: state.recallError,
          loading: state.recallLoading,
          exporting: state.exporting,
          exportError: state.exportError,
          canHold,
          hold: state.hold,
          pageSize: RECALL_PAGE,
          on: {
            page: (offset) => void loadRecall(offset),
            exportCsv: () => void exportRecall(),
            openHold: () => {
              state.hold = { ...state.hold, open: true, error: null, result: null };
              paint();
              $('#recall-hold-reason')?.focus();
            },
            cancelHold: () => {
              state.hold = { ...state.hold, open: false, error: null };
              paint();
              $('#recall-hold-open')?.focus();
            },
            submitHold: (reason, workOrders) => void hold(reason, workOrders),
          },
        }),
      );
    }
  }

  async function drawGraph(element, box, laid, r) {
    const generation = ++drawing;
    let echarts;
    try {
      echarts = await loadECharts();
    } catch {
      return; // The tables below say the same; the drawing is an extra.
    }
    if (!alive || generation !== drawing || !element.isConnected) return;
    // As wide as the columns need (the box scrolls sideways), as tall as the rows need.
    const size = graphSize(laid, box.clientWidth - 2);
    element.style.width = `${size.width}px`;
    element.style.height = `${size.height}px`;
    chart = echarts.init(element, null, { renderer: 'canvas' });
    fitGraph = () => {
      const next = graphSize(laid, box.clientWidth - 2);
      if (next.width === size.width && next.height === size.height) return;
      // A new box size: lay the drawing out again for it.
      if (alive && state.view === 'genealogy') paint();
    };
    chart.setOption(graphOption(laid, r, (id) => (r.docs.get(id)?.shipments ?? []).length > 0, size));
    chart.on('click', (p) => {
      if (p.dataType === 'node' && p.data.node && p.data.node.id !== r.lot.id)
        goTo({ lot: p.data.node.code });
    });
    element.dataset.drawn = String(laid.nodes.length);
  }

  function disposeChart() {
    drawing++;
    fitGraph = null;
    chart?.dispose();
    chart = null;
  }

  /** One direction's lots as a table: what each lot is, and what it was made from or went into. */
  function genealogyTable(direction, r) {
    const view = r[direction];
    const linked = new Map();
    for (const e of view.edges) {
      const [node, other, otherCode] =
        direction === 'backward' ? [e.from, e.to, e.toCode] : [e.to, e.from, e.fromCode];
      const list = linked.get(node) ?? [];
      list.push({ other, otherCode, e });
      linked.set(node, list);
    }
    const nodes = [...view.nodes].sort((a, b) => a.depth - b.depth || a.code.localeCompare(b.code));
    const id = `trace-table-${direction}`;
    return h(
      'section',
      { class: 'trace-section', 'aria-labelledby': `${id}-title` },
      h(
        'h3',
        { id: `${id}-title` },
        t(`trace.${direction}.title`),
        ' ',
        h('span', { class: 'muted small' }, t(`trace.${direction}.help`)),
      ),
      nodes.length <= 1
        ? h('p', { class: 'muted', dataset: { empty: direction } }, t(`trace.${direction}.none`))
        : table(
            id,
            [
              t('trace.col.level'),
              t('trace.col.lot'),
              t('trace.col.material'),
              t('trace.col.status'),
              t('trace.col.onHand'),
              t('trace.col.origin'),
              t('trace.col.supplier'),
              t(`trace.col.${direction === 'backward' ? 'wentInto' : 'madeFrom'}`),
            ],
            nodes.map((n) => {
              const shipped = (r.docs.get(n.id)?.shipments ?? []).length > 0;
              const status = displayStatus(n, shipped);
              return {
                dataset: { lot: n.code, depth: String(n.depth) },
                head: formatNumber(n.depth),
                cells: [
                  n.id === r.lot.id ? h('strong', {}, n.code) : lotLink(n.code),
                  [h('span', {}, n.materialCode), h('span', { class: 'muted row-line' }, materialName(n))],
                  [
                    h(
                      'span',
                      { class: `badge lot-${status}`, dataset: { field: 'status' } },
                      tOr('trace.lotStatus', status),
                    ),
                    (r.docs.get(n.id)?.ncrs ?? []).length > 0
                      ? h(
                          'span',
                          { class: 'badge danger', dataset: { field: 'ncrs' } },
                          t('trace.ncrCount', { count: r.docs.get(n.id).ncrs.length }),
                        )
                      : null,
                  ],
                  { class: 'num', field: 'onHand', text: `${formatNumber(n.onHand)} ${n.unit}` },
                  [
                    tOr('trace.origin', n.origin),
                    n.workOrderCode ? h('span', { class: 'muted row-line' }, n.workOrderCode) : null,
                  ],
                  n.supplierCode
                    ? [
                        n.supplierCode,
                        n.supplierLot ? h('span', { class: 'muted row-line' }, n.supplierLot) : null,
                      ]
                    : '—',
                  {
                    field: 'links',
                    text: (linked.get(n.id) ?? []).map(({ otherCode, e }) =>
                      h(
                        'span',
                        { class: 'trace-link-item' },
                        direction === 'backward' ? '→ ' : '← ',
                        lotLink(otherCode),
                        ` ${formatNumber(e.quantity)} ${e.unit}`,
                        h(
                          'span',
                          { class: 'muted' },
                          ` · ${tOr('trace.edgeKind', e.kind)}${e.workOrderCode ? ` ${e.workOrderCode}` : ''}`,
                        ),
                      ),
                    ),
                  },
                ],
              };
            }),
            t(`trace.${direction}.title`),
          ),
    );
  }

  /** A serial's as-built: the component serials fitted into it, and the unit it went into. */
  function asBuilt(s) {
    const rows = [
      ...s.backward.nodes.filter((n) => n.depth > 0).map((n) => ({ n, direction: 'backward' })),
      ...s.forward.nodes.filter((n) => n.depth > 0).map((n) => ({ n, direction: 'forward' })),
    ];
    return h(
      'section',
      { class: 'trace-section', 'aria-labelledby': 'trace-asbuilt-title' },
      h('h3', { id: 'trace-asbuilt-title' }, t('trace.asBuilt.title', { serial: s.backward.serial.serial })),
      rows.length === 0
        ? h('p', { class: 'muted' }, t('trace.asBuilt.none'))
        : table(
            'trace-asbuilt',
            [
              t('trace.col.relation'),
              t('trace.col.serial'),
              t('trace.col.material'),
              t('trace.col.lot'),
              t('trace.col.status'),
            ],
            rows.map(({ n, direction }) => ({
              dataset: { serial: n.serial },
              head: t(`trace.asBuilt.${direction}`, { depth: n.depth }),
              cells: [
                h(
                  'a',
                  { href: `/trace?serial=${encodeURIComponent(n.serial)}`, 'data-link': true },
                  n.serial,
                ),
                n.materialCode,
                lotLink(n.lotCode),
                tOr('trace.serialStatus', n.status),
              ],
            })),
            t('trace.asBuilt.title', { serial: s.backward.serial.serial }),
          ),
    );
  }

  // Loading ------------------------------------------------------------------------------------------------

  /** Reads the trace (and the scope, when shown) again: statuses and stock move on. */
  async function refresh() {
    state.error = null;
    state.notFound = null;
    state.recall = null;
    state.hold = { ...state.hold, result: null };
    await load();
  }

  async function load() {
    if (!wanted.lot && !wanted.serial) {
      paint();
      input.focus();
      return;
    }
    state.loading = true;
    paint();
    try {
      const result = wanted.serial ? await traceSerial(wanted.serial) : await traceLotOrSerial(wanted.lot);
      if (!alive) return;
      if (result) {
        state.result = result;
        // What was typed was a serial number: the address says so (a shared link opens the same unit).
        if (result.serial && wanted.lot) {
          const q = new URLSearchParams(location.search);
          q.delete('lot');
          q.set('serial', wanted.lot);
          history.replaceState(null, '', `/trace?${q}`);
        }
        document.title = `${result.lot.code} · ${t('nav.trace')} · ${t('app.name')}`;
      }
    } catch (error) {
      if (!alive) return;
      state.error = error;
    }
    state.loading = false;
    paint();
    if (state.result && state.view === 'recall') void loadRecall(0);
  }

  /** A code is a lot's, else perhaps a serial number's; neither: nothing found. */
  async function traceLotOrSerial(code) {
    try {
      return await traceLot(code);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'LOT_NOT_FOUND')) throw error;
    }
    try {
      return await traceSerial(code);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'SERIAL_NOT_FOUND') {
        state.notFound = code;
        return null;
      }
      throw error;
    }
  }

  async function traceLot(code, serial = null) {
    const get = (direction, siteId) =>
      api(`/trace/lots/${encodeURIComponent(code)}/${direction}`, {
        query: { depth: wanted.depth || undefined, site: siteId },
      });
    let siteId;
    let backward;
    let forward;
    try {
      [backward, forward] = await Promise.all([get('backward'), get('forward')]);
    } catch (error) {
      // The code is a lot's at several of the person's sites: the one they are working at is meant.
      if (!(error instanceof ApiError && error.code === 'LOT_AMBIGUOUS')) throw error;
      siteId = site.id;
      [backward, forward] = await Promise.all([get('backward', siteId), get('forward', siteId)]);
    }
    return indexTrace({ code, backward, forward, serial, retriedAtSite: Boolean(siteId) });
  }

  async function traceSerial(serial) {
    const get = (direction) => api(`/trace/serials/${encodeURIComponent(serial)}/${direction}`);
    const [backward, forward] = await Promise.all([get('backward'), get('forward')]);
    // The serial's lot, traced by id (unambiguous across sites).
    return traceLot(backward.serial.lotId, { backward, forward });
  }

  /** The two walks with every lot's documents found by lot id. */
  function indexTrace({ backward, forward, serial, retriedAtSite }) {
    const docs = new Map();
    const nodes = new Map();
    for (const view of [backward, forward]) {
      view.nodes.forEach((node, i) => {
        if (!nodes.has(node.id)) nodes.set(node.id, node);
        const d = view.documents?.[i];
        if (d && !docs.has(d.lotId)) docs.set(d.lotId, d);
      });
    }
    return {
      lot: backward.lot,
      backward,
      forward,
      serial,
      retriedAtSite,
      nodes,
      docs,
      loadedAt: new Date().toISOString(),
    };
  }

  async function loadRecall(offset) {
    const r = state.result;
    if (!r) return;
    state.recallLoading = true;
    state.recallOffset = offset;
    paint();
    try {
      const recall = await api('/trace/recall', {
        method: 'POST',
        body: {
          lot: r.lot.id,
          depth: wanted.depth ? Number(wanted.depth) : undefined,
          offset,
          limit: RECALL_PAGE,
        },
      });
      if (!alive) return;
      state.recall = recall;
      state.recallError = null;
    } catch (error) {
      if (!alive) return;
      state.recallError = error;
    }
    state.recallLoading = false;
    if (state.view === 'recall') paint();
  }

  /** Every lot of the scope (page by page), written as CSV here in the browser. */
  async function exportRecall() {
    const r = state.result;
    state.exporting = true;
    state.exportError = null;
    paint();
    try {
      const lots = [];
      let total = Infinity;
      for (let offset = 0; offset < total; offset += EXPORT_PAGE) {
        const page = await api('/trace/recall', {
          method: 'POST',
          body: {
            lot: r.lot.id,
            depth: wanted.depth ? Number(wanted.depth) : undefined,
            offset,
            limit: EXPORT_PAGE,
          },
        });
        lots.push(...page.lots);
        total = page.page.total;
      }
      download(`${fileName(r.lot.code)}-recall.csv`, recallCsv(lots));
    } catch (error) {
      state.exportError = error;
    }
    state.exporting = false;
    if (alive) paint();
  }

  async function traceCsv(direction) {
    const r = state.result;
    const box = $('#trace-export-problem');
    try {
      const text = await api(`/trace/lots/${encodeURIComponent(r.lot.id)}/${direction}.csv`, {
        query: { depth: wanted.depth || undefined },
      });
      download(`${fileName(r.lot.code)}-${direction}.csv`, text);
      if (box) box.hidden = true;
    } catch (error) {
      if (alive && box) renderProblem(box, error);
    }
  }

  async function hold(reason, workOrders) {
    const r = state.result;
    state.hold = { ...state.hold, busy: true, error: null, reason, workOrders };
    paint();
    try {
      const result = await api('/trace/recall/hold', {
        method: 'POST',
        body: { lot: r.lot.id, reason, holdWorkOrders: workOrders },
        idempotencyKey: newKey(),
      });
      if (!alive) return;
      state.hold = { open: false, busy: false, error: null, result, reason: '', workOrders: false };
      // The statuses changed: read the trace and the scope again.
      const fresh = r.serial ? await traceSerial(r.serial.backward.serial.serial) : await traceLot(r.lot.id);
      if (!alive) return;
      state.result = fresh;
      await loadRecall(state.recallOffset);
      $('#recall-hold-result')?.focus();
    } catch (error) {
      if (!alive) return;
      state.hold = { ...state.hold, busy: false, error };
      paint();
    }
  }

  // Input ---------------------------------------------------------------------------------------------------

  function submit(event) {
    event.preventDefault();
    const code = input.value.trim();
    if (!code) {
      state.error = null;
      state.notFound = null;
      renderProblem($('#trace-problem'), new ApiError(400, { detail: t('trace.search.required') }));
      input.focus();
      return;
    }
    goTo({ lot: code, depth: depthSelect.value });
  }

  /** Opens a lot (or serial): a new address, so it can be shared and the back button returns here. */
  function goTo({ lot, serial, depth = wanted.depth }) {
    const q = new URLSearchParams();
    if (serial) q.set('serial', serial);
    else q.set('lot', lot);
    if (depth) q.set('depth', depth);
    if (state.view !== 'genealogy') q.set('view', state.view);
    ctx.navigate(`/trace?${q}`);
  }

  function switchView(view) {
    if (view === state.view) return;
    state.view = view;
    const q = new URLSearchParams(location.search);
    if (view === 'genealogy') q.delete('view');
    else q.set('view', view);
    history.replaceState(null, '', `/trace?${q}`);
    paint();
    if (view === 'recall' && !state.recall && !state.recallLoading) void loadRecall(0);
  }

  /** Arrow keys move between the tabs (the WAI-ARIA tabs pattern). */
  function tabKeys(event) {
    const i = tabs.indexOf(event.currentTarget);
    const next =
      event.key === 'ArrowRight'
        ? (i + 1) % tabs.length
        : event.key === 'ArrowLeft'
          ? (i - 1 + tabs.length) % tabs.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? tabs.length - 1
              : -1;
    if (next < 0) return;
    event.preventDefault();
    switchView(tabs[next].dataset.view);
    tabs[next].focus();
  }

  /** Lot codes starting with what is typed, at this site, as the field's suggestions. */
  function suggest() {
    clearTimeout(suggestTimer);
    const prefix = input.value.trim();
    if (prefix.length < 2) return;
    suggestTimer = setTimeout(async () => {
      suggestAbort?.abort();
      suggestAbort = new AbortController();
      try {
        const page = await api(`/sites/${site.id}/lots`, {
          query: { code: prefix, limit: 10 },
          signal: suggestAbort.signal,
        });
        if (!alive) return;
        $('#trace-suggestions').replaceChildren(
          ...page.items.map((lot) =>
            h('option', { value: lot.code }, `${lot.code} · ${tOr('trace.lotStatus', lot.status)}`),
          ),
        );
      } catch {
        // Suggestions are a convenience: the search itself shows any error.
      }
    }, SUGGEST_DELAY_MS);
  }

  removers.push(listenForScans(document, (code) => goTo({ lot: code })));
  let resizeTimer = null;
  const resize = () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => fitGraph?.(), 200);
  };
  window.addEventListener('resize', resize);
  removers.push(() => window.removeEventListener('resize', resize));

  relabel();
  void load();

  return {
    unmount() {
      alive = false;
      clearTimeout(suggestTimer);
      clearTimeout(resizeTimer);
      suggestAbort?.abort();
      for (const remove of removers) remove();
      disposeChart();
    },
    relabel,
  };
}
