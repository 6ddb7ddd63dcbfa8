// The lead's overview (可靠性总览): every machine of the site over a period — MTBF, MTTR, availability, OEE,
// failures and downtime — worst first, sortable, each row leading to its asset page.
import { api } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, formatPercent, t } from '../../i18n.js';
import {
  assetHref,
  field,
  fill,
  formatDuration,
  link,
  problemBox,
  showProblem,
  clearProblem,
} from './common.js';

const DAY = 86_400_000;
const PERIODS = [7, 30, 90, 365];
/** The API takes the machines as a comma-separated list of at most 2000 characters. */
const MAX_QUERY = 1900;

/**
 * The columns: how each sorts (`worse` first: ascending for availability/OEE/MTBF, descending for downtime,
 * failures and MTTR). Unknown values (no failure, no planned time) always sort last.
 */
const COLUMNS = [
  { key: 'asset', value: (r) => r.code, text: true },
  { key: 'criticality', value: (r) => r.criticality ?? 'Z', text: true },
  { key: 'availability', value: (r) => r.reliability.availability, worseLow: true },
  { key: 'oee', value: (r) => r.oee.oee, worseLow: true },
  { key: 'mtbf', value: (r) => r.reliability.mtbfMs, worseLow: true },
  { key: 'mttr', value: (r) => r.reliability.mttrMs, worseLow: false },
  { key: 'failures', value: (r) => r.reliability.failures, worseLow: false },
  { key: 'downtime', value: (r) => r.reliability.downtimeMs, worseLow: false },
];

export function mountReliability(container, ctx) {
  const { site, params } = ctx;
  const days = PERIODS.includes(Number(params.get('days'))) ? Number(params.get('days')) : 30;
  const sortKey = COLUMNS.some((c) => c.key === params.get('sort')) ? params.get('sort') : 'availability';
  const state = {
    days,
    sort: { key: sortKey, worstFirst: params.get('dir') !== 'best' },
    rows: null,
    report: null,
    error: null,
    loading: false,
  };
  let alive = true;
  let generation = 0;

  const problem = problemBox('mt-rel-problem');
  const section = h('section', {
    class: 'card mt-rel',
    id: 'mt-rel',
    'aria-labelledby': 'mt-rel-title',
    'aria-busy': 'true',
  });
  fill(container, problem, section);

  async function load() {
    const mine = ++generation;
    state.loading = true;
    section.setAttribute('aria-busy', 'true');
    const to = new Date();
    const from = new Date(to.getTime() - state.days * DAY);
    try {
      const [assets, equipment] = await Promise.all([
        api(`/sites/${site.id}/maintenance/assets`),
        api(`/sites/${site.id}/equipment`, { query: { limit: 500 } }),
      ]);
      const machines = (equipment.items ?? []).filter((e) => e.active !== false);
      const reports = [];
      for (const batch of batches(machines.map((e) => e.code))) {
        reports.push(
          await api(`/sites/${site.id}/maintenance/performance`, {
            query: { from: from.toISOString(), to: to.toISOString(), equipment: batch.join(',') },
          }),
        );
      }
      const own = new Map(assets.filter((a) => a.kind === 'equipment').map((a) => [a.equipmentId, a]));
      state.rows = reports
        .flatMap((r) => r.machines)
        .map((m) => {
          const asset = own.get(m.equipmentId);
          return {
            ...m,
            assetCode: asset?.code ?? m.code,
            criticality: asset?.criticality ?? null,
          };
        });
      state.report = {
        from: reports[0]?.from ?? from.toISOString(),
        to: reports[0]?.to ?? to.toISOString(),
      };
      state.error = null;
    } catch (error) {
      state.error = error;
    }
    if (!alive || mine !== generation) return;
    state.loading = false;
    paint();
  }

  function batches(codes) {
    const out = [];
    let current = [];
    let length = 0;
    for (const code of codes) {
      if (current.length > 0 && length + code.length + 1 > MAX_QUERY) {
        out.push(current);
        current = [];
        length = 0;
      }
      current.push(code);
      length += code.length + 1;
    }
    if (current.length > 0) out.push(current);
    return out;
  }

  function sorted() {
    const column = COLUMNS.find((c) => c.key === state.sort.key) ?? COLUMNS[2];
    const rows = [...(state.rows ?? [])];
    // Worst first: low availability/OEE/MTBF, high MTTR/failures/downtime; text columns A→Z.
    const ascending = column.text ? state.sort.worstFirst : column.worseLow === state.sort.worstFirst;
    rows.sort((a, b) => {
      const x = column.value(a);
      const y = column.value(b);
      if (x === null || x === undefined) return y === null || y === undefined ? tie(a, b) : 1;
      if (y === null || y === undefined) return -1;
      const order = column.text ? String(x).localeCompare(String(y)) : x - y;
      return (ascending ? order : -order) || tie(a, b);
    });
    return rows;
  }

  /** Equal on the column: more downtime first, then by code. */
  function tie(a, b) {
    return b.reliability.downtimeMs - a.reliability.downtimeMs || a.code.localeCompare(b.code);
  }

  function remember() {
    const query = { view: 'reliability', days: String(state.days), sort: state.sort.key };
    if (!state.sort.worstFirst) query.dir = 'best';
    history.replaceState(null, '', `/maintenance?${new URLSearchParams(query)}`);
  }

  function paint() {
    if (state.error) showProblem(problem, state.error);
    else clearProblem(problem);
    const select = h(
      'select',
      { id: 'mt-rel-period' },
      PERIODS.map((d) =>
        h(
          'option',
          { value: String(d), selected: d === state.days },
          t('maintenance.perf.lastDays', { days: d }),
        ),
      ),
    );
    select.addEventListener('change', () => {
      state.days = Number(select.value);
      remember();
      void load();
    });
    const rows = sorted();
    fill(
      section,
      h(
        'div',
        { class: 'mt-plans-head' },
        h('h2', { id: 'mt-rel-title' }, t('maintenance.rel.title')),
        field('maintenance.perf.period', select),
      ),
      h(
        'p',
        { class: 'muted small', id: 'mt-rel-basis' },
        state.report
          ? t('maintenance.rel.basis', {
              from: formatDateTime(state.report.from, site.timeZone),
              to: formatDateTime(state.report.to, site.timeZone),
              count: formatNumber(rows.length),
            })
          : t('maintenance.rel.loading'),
      ),
      state.rows && rows.length === 0 ? h('p', { class: 'muted' }, t('maintenance.rel.none')) : null,
      state.rows && rows.length > 0 ? summary(rows) : null,
      state.rows && rows.length > 0
        ? h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table mt-rel-table', id: 'mt-rel-table' },
              h('caption', { class: 'visually-hidden' }, t('maintenance.rel.caption')),
              h('thead', {}, h('tr', {}, COLUMNS.map(header))),
              h('tbody', {}, rows.map(row)),
            ),
          )
        : null,
    );
    section.setAttribute('aria-busy', state.loading ? 'true' : 'false');
  }

  function summary(rows) {
    const failures = rows.reduce((sum, r) => sum + r.reliability.failures, 0);
    const down = rows.reduce((sum, r) => sum + r.reliability.downtimeMs, 0);
    const required = rows.reduce((sum, r) => sum + r.reliability.requiredMs, 0);
    const below = rows.filter((r) => r.reliability.availability !== null && r.reliability.availability < 0.9);
    const tile = (name, value, alert) =>
      h(
        'div',
        { class: `mt-tile ${alert ? 'alert' : ''}`.trim(), dataset: { tile: name } },
        h('p', { class: 'mt-tile-label' }, t(`maintenance.rel.tile.${name}`)),
        h('p', { class: 'mt-tile-value num', dataset: { figure: name } }, value),
      );
    return h(
      'div',
      { class: 'mt-tiles', id: 'mt-rel-summary' },
      tile('machines', formatNumber(rows.length), false),
      tile('failures', formatNumber(failures), failures > 0),
      tile('downtime', formatDuration(down), down > 0),
      tile('availability', formatPercent(required > 0 ? (required - down) / required : null), false),
      tile('below', formatNumber(below.length), below.length > 0),
    );
  }

  function header(column) {
    const active = state.sort.key === column.key;
    const ascending = column.text ? state.sort.worstFirst : column.worseLow === state.sort.worstFirst;
    return h(
      'th',
      {
        scope: 'col',
        class: column.text ? undefined : 'num',
        'aria-sort': active ? (ascending ? 'ascending' : 'descending') : undefined,
      },
      h(
        'button',
        {
          type: 'button',
          class: 'mt-sort',
          id: `mt-rel-sort-${column.key}`,
          dataset: { sort: column.key },
          onclick: () => {
            state.sort = active
              ? { key: column.key, worstFirst: !state.sort.worstFirst }
              : { key: column.key, worstFirst: true };
            remember();
            paint();
            section.querySelector(`#mt-rel-sort-${column.key}`)?.focus();
          },
        },
        t(`maintenance.rel.col.${column.key}`),
        h('span', { 'aria-hidden': 'true', class: 'mt-sort-mark' }, active ? (ascending ? ' ▲' : ' ▼') : ''),
      ),
    );
  }

  function row(r) {
    const rel = r.reliability;
    const poor = rel.availability !== null && rel.availability < 0.9;
    return h(
      'tr',
      { dataset: { asset: r.assetCode, equipment: r.code }, class: poor ? 'late' : undefined },
      h(
        'th',
        { scope: 'row' },
        link(assetHref(r.assetCode), r.assetCode),
        h('span', { class: 'muted small row-line' }, r.name),
      ),
      h('td', { dataset: { field: 'criticality' } }, r.criticality ?? '—'),
      h(
        'td',
        { class: 'num', dataset: { field: 'availability' } },
        formatPercent(rel.availability),
        availabilityBar(rel.availability),
      ),
      h('td', { class: 'num', dataset: { field: 'oee' } }, formatPercent(r.oee.oee)),
      h('td', { class: 'num', dataset: { field: 'mtbf' } }, formatDuration(rel.mtbfMs)),
      h('td', { class: 'num', dataset: { field: 'mttr' } }, formatDuration(rel.mttrMs)),
      h('td', { class: 'num', dataset: { field: 'failures' } }, formatNumber(rel.failures)),
      h('td', { class: 'num', dataset: { field: 'downtime' } }, formatDuration(rel.downtimeMs)),
    );
  }

  function availabilityBar(ratio) {
    if (ratio === null || ratio === undefined) return null;
    const bar = h('span', { class: 'mt-rel-bar', 'aria-hidden': 'true' }, h('span', {}));
    const fillPart = bar.firstChild;
    fillPart.style.width = `${Math.max(0, Math.min(1, ratio)) * 100}%`;
    fillPart.className = ratio < 0.9 ? 'bad' : ratio < 0.97 ? 'warn' : 'ok';
    return bar;
  }

  paint();
  void load();
  return {
    unmount() {
      alive = false;
    },
    relabel: paint,
  };
}
