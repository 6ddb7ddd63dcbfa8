// Assets (设备台账): the list of machines and components, and one asset with its meters (and a reading typed in),
// reliability (MTBF, MTTR), OEE over a period, its PM plans and its recent tickets.
import { api } from '../../api.js';
import { h, progressBar } from '../../dom.js';
import { formatDateTime, formatNumber, formatPercent, t } from '../../i18n.js';
import {
  actionButton,
  ACTIVE,
  assetHref,
  clearProblem,
  field,
  formatDuration,
  kindBadge,
  link,
  newKey,
  priorityBadge,
  problemBox,
  showProblem,
  statusBadge,
  ticketHref,
  time,
  fill,
  add,
} from './common.js';

const DAY = 86_400_000;
const PERIODS = [7, 30, 90];

export function mountAsset(container, ctx) {
  const id = ctx.params.get('id');
  return id ? mountOne(container, ctx, id) : mountList(container, ctx);
}

// ------------------------------------------------------------ the list

function mountList(container, ctx) {
  const { site } = ctx;
  const state = { rows: null, error: null, text: '' };
  let alive = true;
  const problem = problemBox('mt-assets-problem');
  const body = h('section', {
    class: 'card',
    id: 'mt-assets',
    'aria-labelledby': 'mt-assets-title',
    'aria-busy': 'true',
  });
  fill(container, problem, body);

  async function load() {
    try {
      const [assets, equipment] = await Promise.all([
        api(`/sites/${site.id}/maintenance/assets`),
        api(`/sites/${site.id}/equipment`, { query: { limit: 500 } }),
      ]);
      const registered = new Set(assets.map((a) => a.equipmentId));
      state.rows = [
        ...assets.map((a) => ({
          code: a.code,
          name: a.name,
          kind: a.kind,
          criticality: a.criticality,
          serialNo: a.serialNo,
          active: a.active,
          equipment: equipment.items.find((e) => e.id === a.equipmentId),
        })),
        // Machines not yet opened here: registered as assets on first look.
        ...equipment.items
          .filter((e) => !registered.has(e.id))
          .map((e) => ({
            code: e.code,
            name: e.name,
            kind: 'equipment',
            criticality: null,
            active: e.active,
            equipment: e,
          })),
      ].sort((a, b) => a.code.localeCompare(b.code));
      state.error = null;
    } catch (error) {
      state.error = error;
    }
    if (alive) paint();
  }

  function paint() {
    if (state.error) showProblem(problem, state.error);
    else clearProblem(problem);
    const search = h('input', {
      type: 'search',
      id: 'mt-assets-search',
      value: state.text,
      placeholder: t('maintenance.filter.searchHint'),
    });
    search.addEventListener('input', () => {
      state.text = search.value.trim().toLowerCase();
      paintRows();
    });
    const tbody = h('tbody', { id: 'mt-assets-rows' });
    fill(
      body,
      h(
        'div',
        { class: 'mt-plans-head' },
        h('h2', { id: 'mt-assets-title' }, t('maintenance.assets.title')),
        field('maintenance.filter.search', search),
      ),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['asset', 'kind', 'criticality', 'serial', 'machineStatus'].map((c) =>
                h('th', { scope: 'col' }, t(`maintenance.assets.col.${c}`)),
              ),
            ),
          ),
          tbody,
        ),
      ),
    );
    paintRows();
    if (state.rows) body.setAttribute('aria-busy', 'false');
  }

  function paintRows() {
    const tbody = body.querySelector('#mt-assets-rows');
    if (!tbody || !state.rows) return;
    const rows = state.rows.filter(
      (r) => !state.text || `${r.code} ${r.name}`.toLowerCase().includes(state.text),
    );
    fill(
      tbody,
      ...rows.map((r) =>
        h(
          'tr',
          { dataset: { asset: r.code } },
          h(
            'th',
            { scope: 'row' },
            link(assetHref(r.code), r.code),
            h('span', { class: 'muted small row-line' }, r.name),
          ),
          h('td', {}, t(`maintenance.assetKind.${r.kind}`)),
          h('td', {}, r.criticality ?? '—'),
          h('td', {}, r.serialNo ?? '—'),
          h('td', {}, r.equipment ? machineStatus(r.equipment.status) : '—'),
        ),
      ),
    );
  }

  void load();
  return {
    unmount() {
      alive = false;
    },
    relabel: paint,
  };
}

function machineStatus(status) {
  if (!status) return '—';
  return h('span', { class: `badge mt-machine-${status}` }, t(`maintenance.machine.${status}`));
}

// ------------------------------------------------------------ one asset

function mountOne(container, ctx, id) {
  const { site, can, params } = ctx;
  const days = PERIODS.includes(Number(params.get('days'))) ? Number(params.get('days')) : 30;
  const state = { asset: null, perf: null, perfError: null, tickets: [], plans: [], error: null, days };
  const removers = [];
  let alive = true;

  const problem = problemBox('mt-asset-problem');
  const body = h('div', { class: 'mt-asset', id: 'mt-asset', 'aria-busy': 'true' });
  fill(
    container,
    h(
      'p',
      { class: 'mt-back' },
      h('a', { href: '/maintenance?view=asset', 'data-link': true, id: 'mt-back-assets' }),
    ),
    problem,
    body,
  );

  async function load() {
    try {
      state.asset = await api(`/sites/${site.id}/maintenance/assets/${encodeURIComponent(id)}`);
      const equipment = state.asset.equipmentCode;
      const [tickets, plans] = await Promise.all([
        api(`/sites/${site.id}/maintenance/tickets`, { query: { equipment, limit: 15 } }),
        api(`/sites/${site.id}/maintenance/pm-plans`, { query: { asset: state.asset.id } }),
      ]);
      state.tickets = tickets.items.filter(
        (x) => x.assetId === state.asset.id || state.asset.kind === 'equipment',
      );
      state.plans = plans;
      state.error = null;
    } catch (error) {
      state.error = error;
    }
    if (!alive) return;
    paint();
    await loadPerformance();
  }

  function period() {
    const to = new Date();
    return { from: new Date(to.getTime() - state.days * DAY).toISOString(), to: to.toISOString() };
  }

  async function loadPerformance() {
    if (!state.asset) return;
    try {
      state.perf = await api(`/sites/${site.id}/maintenance/performance`, {
        query: { ...period(), equipment: state.asset.equipmentCode },
      });
      state.perfError = null;
    } catch (error) {
      state.perfError = error;
    }
    if (alive) paintPerformance();
  }

  function paint() {
    container.querySelector('#mt-back-assets').textContent = `← ${t('maintenance.assets.back')}`;
    if (state.error) showProblem(problem, state.error);
    else clearProblem(problem);
    const a = state.asset;
    if (!a) return;
    body.setAttribute('aria-busy', 'false');
    fill(
      body,
      h(
        'header',
        { class: 'mt-ticket-head' },
        h(
          'h2',
          { id: 'mt-asset-title' },
          h('span', { class: 'mt-code' }, a.code),
          ' ',
          h('span', {}, a.name),
        ),
        h(
          'p',
          { class: 'mt-badges' },
          h('span', { class: 'badge' }, t(`maintenance.assetKind.${a.kind}`)),
          machineStatus(a.equipmentStatus),
          a.active ? null : h('span', { class: 'badge' }, t('maintenance.plans.inactive')),
        ),
      ),
      h(
        'div',
        { class: 'mt-ticket-grid' },
        h(
          'div',
          { class: 'mt-ticket-main' },
          h('section', { class: 'card', id: 'mt-performance', 'aria-labelledby': 'mt-perf-title' }),
          meters(a),
          recentTickets(),
        ),
        h('div', { class: 'mt-ticket-side' }, facts(a), pmPlans(), components(a)),
      ),
    );
    paintPerformance();
  }

  function facts(a) {
    const row = (key, value, name) =>
      h(
        'div',
        {},
        h('dt', {}, t(key)),
        h('dd', { dataset: name ? { fact: name } : undefined }, value ?? '—'),
      );
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'mt-asset-facts' },
      h('h3', { id: 'mt-asset-facts' }, t('maintenance.assets.data')),
      h(
        'dl',
        { class: 'mt-facts' },
        row('maintenance.ticket.equipment', a.equipmentCode, 'equipment'),
        row('maintenance.assets.col.criticality', a.criticality, 'criticality'),
        row('maintenance.assets.col.serial', a.serialNo, 'serial'),
        row('maintenance.assets.manufacturer', a.manufacturer),
        row('maintenance.assets.model', a.model),
        row('maintenance.assets.installDate', a.installDate),
      ),
      a.documents?.length > 0
        ? h(
            'ul',
            { class: 'mt-mini' },
            a.documents.map((d) =>
              h('li', {}, h('a', { href: d.url, target: '_blank', rel: 'noopener noreferrer' }, d.title)),
            ),
          )
        : null,
    );
  }

  function components(a) {
    if (!a.components?.length) return null;
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'mt-asset-components' },
      h('h3', { id: 'mt-asset-components' }, t('maintenance.assets.components')),
      h(
        'ul',
        { class: 'mt-mini' },
        a.components.map((c) =>
          h('li', {}, link(assetHref(c.code), c.code), h('span', { class: 'muted small' }, ` ${c.name}`)),
        ),
      ),
    );
  }

  // ------------------------------------------------------------ performance

  function paintPerformance() {
    const section = body.querySelector('#mt-performance');
    if (!section) return;
    const select = h(
      'select',
      { id: 'mt-perf-period' },
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
      history.replaceState(
        null,
        '',
        `/maintenance?${new URLSearchParams({ view: 'asset', id, days: String(state.days) })}`,
      );
      void loadPerformance();
    });
    const content = h('div', {
      class: 'mt-perf',
      id: 'mt-perf-body',
      'aria-busy': state.perf || state.perfError ? 'false' : 'true',
    });
    fill(
      section,
      h(
        'div',
        { class: 'mt-plans-head' },
        h('h3', { id: 'mt-perf-title' }, t('maintenance.perf.title')),
        field('maintenance.perf.period', select),
      ),
      content,
    );
    if (state.perfError) {
      showProblem(content, state.perfError);
      return;
    }
    const machine = state.perf?.machines?.[0];
    if (!state.perf) return;
    if (!machine) {
      add(content, h('p', { class: 'muted' }, t('maintenance.perf.none')));
      return;
    }
    const { oee, reliability: r } = machine;
    const kpi = (key, value, name) =>
      h(
        'div',
        { class: 'mt-kpi', dataset: { kpi: name } },
        h('p', { class: 'mt-tile-label' }, t(key)),
        h('p', { class: 'mt-kpi-value num', dataset: { value: name } }, value),
      );
    const part = (key, value, name) =>
      h(
        'li',
        { dataset: { oeePart: name } },
        h('span', {}, t(key)),
        progressBar(value ?? null, t(key)),
        h('span', { class: 'num', dataset: { value: name } }, formatPercent(value ?? null)),
      );
    add(
      content,
      h(
        'div',
        { class: 'mt-kpis' },
        kpi('maintenance.perf.oee', formatPercent(oee.oee), 'oee'),
        kpi('maintenance.perf.mtbf', formatDuration(r.mtbfMs), 'mtbf'),
        kpi('maintenance.perf.mttr', formatDuration(r.mttrMs), 'mttr'),
        kpi('maintenance.perf.failures', formatNumber(r.failures), 'failures'),
        kpi(
          'maintenance.perf.availabilityReliability',
          formatPercent(r.availability),
          'reliability-availability',
        ),
      ),
      h(
        'ul',
        { class: 'mini-list mt-oee-parts' },
        part('maintenance.perf.availability', oee.availability, 'availability'),
        part('maintenance.perf.performance', oee.effectiveness, 'performance'),
        part('maintenance.perf.quality', oee.qualityRatio, 'quality'),
      ),
      h(
        'p',
        { class: 'muted small' },
        t('maintenance.perf.basis', {
          from: formatDateTime(state.perf.from, site.timeZone),
          to: formatDateTime(state.perf.to, site.timeZone),
          planned: formatDuration(oee.plannedBusyMs),
          down: formatDuration(oee.downMs),
          produced: formatNumber(oee.producedQuantity),
          good: formatNumber(oee.goodQuantity),
        }),
      ),
      oee.losses.availability.length > 0
        ? h(
            'details',
            { class: 'mt-losses' },
            h('summary', {}, t('maintenance.perf.losses')),
            h(
              'ul',
              { class: 'mt-mini' },
              oee.losses.availability.map((l) =>
                h('li', {}, h('strong', {}, l.cause), ` ${formatDuration(l.ms)}`),
              ),
            ),
          )
        : null,
    );
  }

  // ------------------------------------------------------------ meters

  function meters(a) {
    const section = h(
      'section',
      { class: 'card', id: 'mt-meters', 'aria-labelledby': 'mt-meters-title' },
      h('h3', { id: 'mt-meters-title' }, t('maintenance.meters.title')),
    );
    if (a.meters.length === 0) {
      add(section, h('p', { class: 'muted' }, t('maintenance.meters.none')));
      return section;
    }
    add(
      section,
      h(
        'ul',
        { class: 'mt-meters' },
        a.meters.map((m) => {
          const box = problemBox(`mt-meter-problem-${m.code}`);
          let form = null;
          if (can.read && m.feed === 'manual') {
            const value = h('input', {
              id: `mt-meter-value-${m.code}`,
              inputmode: 'decimal',
              size: '10',
              'aria-label': t('maintenance.meters.newReading', { meter: m.code }),
            });
            const note = h('input', {
              id: `mt-meter-note-${m.code}`,
              maxlength: '200',
              placeholder: t('maintenance.form.note'),
              'aria-label': t('maintenance.form.note'),
            });
            form = h(
              'div',
              { class: 'mt-inline-form' },
              value,
              note,
              actionButton(
                t('maintenance.meters.record'),
                async () => {
                  clearProblem(box);
                  try {
                    await api(`/sites/${site.id}/maintenance/assets/${a.id}/meters/${m.id}/readings`, {
                      method: 'POST',
                      body: {
                        value: value.value.trim(),
                        ...(note.value.trim() ? { note: note.value.trim() } : {}),
                      },
                      idempotencyKey: newKey(),
                    });
                    await load();
                  } catch (error) {
                    showProblem(box, error);
                  }
                },
                { name: `reading-${m.code}` },
              ),
            );
          }
          return h(
            'li',
            { dataset: { meter: m.code } },
            h(
              'p',
              { class: 'mt-meter-head' },
              h('strong', {}, m.code),
              ' ',
              h('span', { class: 'badge' }, t(`maintenance.meterFeed.${m.feed}`)),
            ),
            h(
              'p',
              { class: 'mt-kpi-value num', dataset: { field: 'value' } },
              `${formatNumber(m.value)} ${m.unit}`,
            ),
            h(
              'p',
              { class: 'muted small' },
              m.lastReadAt
                ? t('maintenance.meters.lastRead', { time: formatDateTime(m.lastReadAt, site.timeZone) })
                : t('maintenance.meters.neverRead'),
            ),
            box,
            form,
          );
        }),
      ),
    );
    return section;
  }

  // ------------------------------------------------------------ PM plans and tickets

  function pmPlans() {
    return h(
      'section',
      { class: 'card', id: 'mt-asset-plans', 'aria-labelledby': 'mt-asset-plans-title' },
      h('h3', { id: 'mt-asset-plans-title' }, t('maintenance.plans.title')),
      state.plans.length === 0
        ? h('p', { class: 'muted' }, t('maintenance.plans.none'))
        : h(
            'ul',
            { class: 'mt-mini' },
            state.plans.map((p) =>
              h(
                'li',
                { dataset: { plan: p.code } },
                h('strong', {}, p.code),
                ` ${p.name} · `,
                h(
                  'span',
                  { class: 'muted small' },
                  p.next?.dueAt
                    ? t('maintenance.dueAt', { time: formatDateTime(p.next.dueAt, site.timeZone) })
                    : '—',
                ),
              ),
            ),
          ),
      h(
        'p',
        {},
        link(`/maintenance?${new URLSearchParams({ view: 'calendar' })}`, t('maintenance.assets.toCalendar')),
      ),
    );
  }

  function recentTickets() {
    const rows = state.tickets;
    return h(
      'section',
      { class: 'card', id: 'mt-asset-tickets', 'aria-labelledby': 'mt-asset-tickets-title' },
      h('h3', { id: 'mt-asset-tickets-title' }, t('maintenance.assets.recentTickets')),
      rows.length === 0
        ? h('p', { class: 'muted' }, t('maintenance.assets.noTickets'))
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['ticket', 'kind', 'priority', 'status', 'created', 'duration'].map((c) =>
                    h('th', { scope: 'col' }, t(`maintenance.assets.tcol.${c}`)),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                rows.map((x) =>
                  h(
                    'tr',
                    { dataset: { ticket: x.code } },
                    h(
                      'th',
                      { scope: 'row' },
                      link(ticketHref(x.code), x.code),
                      h('span', { class: 'muted small row-line' }, x.title),
                    ),
                    h('td', {}, kindBadge(x.kind)),
                    h('td', {}, priorityBadge(x.priority)),
                    h('td', {}, statusBadge(x.status)),
                    h('td', {}, time(x.createdAt, site)),
                    h(
                      'td',
                      { class: 'num' },
                      x.doneAt
                        ? formatDuration(Date.parse(x.doneAt) - Date.parse(x.createdAt))
                        : ACTIVE.includes(x.status)
                          ? t('maintenance.assets.openFor', {
                              time: formatDuration(Date.now() - Date.parse(x.createdAt)),
                            })
                          : '—',
                    ),
                  ),
                ),
              ),
            ),
          ),
      can.raise ? h('p', {}, link('/maintenance?view=board', t('maintenance.assets.raiseOnBoard'))) : null,
    );
  }

  if (ctx.live) {
    removers.push(
      ctx.live.on('ticket.changed', (pushed) => {
        if (state.asset && pushed?.equipmentId === state.asset.equipmentId) void load();
      }),
      ctx.live.on('resync', () => void load()),
    );
  }

  void load();
  return {
    unmount() {
      alive = false;
      for (const remove of removers) remove();
    },
    relabel: paint,
  };
}
