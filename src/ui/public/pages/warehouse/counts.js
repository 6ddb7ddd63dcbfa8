// Counts (盘点): what is physically there against the book; differences wait for a warehouse supervisor.
import { api } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, t } from '../../i18n.js';
import {
  badge,
  cleanQuantity,
  codeOf,
  compareDecimal,
  field,
  input,
  localProblem,
  locationOptions,
  lookups,
  newKey,
  qty,
  quantityInput,
  showProblem,
  unitOf,
} from './common.js';

const FILTERS = ['pending', 'approved', 'rejected'];

export function mountCounts(container, ctx) {
  const site = ctx.site;
  const can = ctx.can;
  const state = {
    look: null,
    adjustments: null,
    show: FILTERS.includes(ctx.params.get('status')) ? ctx.params.get('status') : 'pending',
    result: null,
    errors: {},
    notice: null,
    busy: false,
  };
  const form = { lot: ctx.params.get('lot') ?? '', location: '', counted: '', note: '' };
  const notes = new Map();
  let alive = true;
  const root = h('div', { class: 'wh-counts' });
  container.replaceChildren(root);

  async function load() {
    try {
      state.look ??= await lookups(site.id);
      state.adjustments = await api(`/sites/${site.id}/inventory/adjustments`, {
        query: { status: state.show, limit: 100 },
      });
      delete state.errors.list;
    } catch (error) {
      state.errors.list = error;
    }
    if (alive) paint();
  }

  function paint() {
    if (!alive) return;
    root.replaceChildren(
      ...[
        h('p', { class: 'notice wh-notice', role: 'status', hidden: !state.notice }, state.notice ?? ''),
        can.count ? countPanel() : null,
        adjustmentsPanel(),
      ].filter(Boolean),
    );
  }

  function countPanel() {
    const look = state.look;
    if (!look) return null;
    const problem = h('div', { class: 'wh-problem', id: 'wh-count-problem' });
    if (state.errors.count) showProblem(problem, state.errors.count);
    const lot = input({
      value: form.lot,
      class: 'wh-scan',
      maxlength: '64',
      oninput: (e) => (form.lot = e.target.value.trim()),
    });
    const location = h(
      'select',
      { onchange: (e) => (form.location = e.target.value) },
      locationOptions(look, { selected: form.location, placeholder: t('warehouse.choose') }),
    );
    const counted = quantityInput({ value: form.counted, oninput: (e) => (form.counted = e.target.value) });
    const note = input({ value: form.note, maxlength: '500', oninput: (e) => (form.note = e.target.value) });
    const r = state.result;
    return h(
      'section',
      { class: 'panel wh-panel', 'aria-labelledby': 'wh-count-title' },
      h('h2', { id: 'wh-count-title' }, t('warehouse.count.title')),
      h('p', { class: 'muted' }, t('warehouse.count.help')),
      problem,
      h(
        'form',
        {
          class: 'wh-form wh-grid-form',
          id: 'wh-count-form',
          onsubmit: (e) => {
            e.preventDefault();
            const value = cleanQuantity(form.counted);
            if (!form.lot || !form.location || value === null) {
              state.errors.count = localProblem(t('warehouse.count.incomplete'));
              paint();
              return;
            }
            void command('count', async () => {
              const result = await api(`/sites/${site.id}/inventory/counts`, {
                method: 'POST',
                body: {
                  lot: form.lot,
                  location: form.location,
                  countedQty: value,
                  ...(form.note.trim() ? { note: form.note.trim() } : {}),
                },
                idempotencyKey: newKey(),
              });
              state.result = { ...result, lot: form.lot, location: form.location };
              form.lot = '';
              form.counted = '';
              form.note = '';
              return null;
            });
          },
        },
        field('wh-count-lot', t('warehouse.count.lot'), lot),
        field('wh-count-location', t('warehouse.count.location'), location),
        field('wh-count-qty', t('warehouse.count.counted'), counted),
        field('wh-count-note', t('warehouse.count.note'), note),
        h(
          'div',
          { class: 'wh-actions' },
          h(
            'button',
            { type: 'submit', class: 'primary', disabled: state.busy, id: 'wh-count-submit' },
            t('warehouse.count.submit'),
          ),
        ),
      ),
      r
        ? h(
            'div',
            {
              class: `wh-count-result ${r.discrepancy ? 'wh-diff' : 'wh-match'}`,
              id: 'wh-count-result',
              role: 'status',
              dataset: { discrepancy: String(r.discrepancy) },
            },
            r.discrepancy
              ? t('warehouse.count.difference', {
                  lot: r.lot,
                  location: r.location,
                  book: qty(r.bookQty),
                  counted: qty(r.countedQty),
                  delta: signed(r.adjustment?.deltaQty ?? '0'),
                  code: r.adjustment?.code ?? '—',
                })
              : t('warehouse.count.matches', { lot: r.lot, location: r.location, book: qty(r.bookQty) }),
          )
        : null,
    );
  }

  function adjustmentsPanel() {
    const look = state.look;
    const problem = h('div', { class: 'wh-problem', id: 'wh-adjust-problem' });
    if (state.errors.list) showProblem(problem, state.errors.list);
    else if (state.errors.decide) showProblem(problem, state.errors.decide);
    const list = state.adjustments;
    const decide = can.decide && state.show === 'pending';
    return h(
      'section',
      { class: 'panel wh-panel', 'aria-labelledby': 'wh-adjust-title' },
      h(
        'div',
        { class: 'wh-panel-head' },
        h('h2', { id: 'wh-adjust-title' }, t('warehouse.adjust.title')),
        h(
          'div',
          { class: 'wh-toolbar', role: 'group', 'aria-label': t('warehouse.adjust.show') },
          FILTERS.map((name) =>
            h(
              'button',
              {
                type: 'button',
                id: `wh-adjust-${name}`,
                'aria-pressed': String(state.show === name),
                class: state.show === name ? 'primary' : undefined,
                onclick: () => {
                  state.show = name;
                  void load();
                },
              },
              t(`warehouse.adjustStatus.${name}`),
            ),
          ),
        ),
      ),
      state.show === 'pending' && !can.decide
        ? h('p', { class: 'muted' }, t('warehouse.adjust.supervisorOnly'))
        : null,
      problem,
      !list || !look
        ? h('p', { class: 'muted', 'aria-busy': 'true' }, t('warehouse.loading'))
        : list.items.length === 0
          ? h('p', { class: 'muted', id: 'wh-adjust-empty' }, t(`warehouse.adjust.empty.${state.show}`))
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'table wh-table', id: 'wh-adjust-table' },
                h('caption', { class: 'visually-hidden' }, t('warehouse.adjust.title')),
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    [
                      'code',
                      'lot',
                      'material',
                      'location',
                      'book',
                      'counted',
                      'delta',
                      'requested',
                      'status',
                    ].map((c) => h('th', { scope: 'col' }, t(`warehouse.adjust.col.${c}`))),
                    decide ? h('th', { scope: 'col' }, t('warehouse.adjust.col.decision')) : null,
                    !decide && state.show !== 'pending'
                      ? h('th', { scope: 'col' }, t('warehouse.adjust.col.decided'))
                      : null,
                  ),
                ),
                h(
                  'tbody',
                  {},
                  list.items.map((a) => {
                    const unit = unitOf(look, a.materialId);
                    const note = input({
                      value: notes.get(a.id) ?? '',
                      maxlength: '500',
                      id: `wh-adjust-note-${a.code}`,
                      'aria-label': t('warehouse.adjust.noteFor', { code: a.code }),
                      placeholder: t('warehouse.adjust.notePlaceholder'),
                      oninput: (e) => notes.set(a.id, e.target.value),
                    });
                    return h(
                      'tr',
                      { dataset: { adjustment: a.code, status: a.status } },
                      h('th', { scope: 'row' }, a.code),
                      h(
                        'td',
                        {},
                        h(
                          'a',
                          {
                            href: `/warehouse?view=stock&lot=${encodeURIComponent(a.lotCode)}`,
                            'data-link': true,
                          },
                          a.lotCode,
                        ),
                      ),
                      h('td', {}, codeOf(look.materials, a.materialId)),
                      h('td', {}, codeOf(look.locations, a.locationId)),
                      h('td', { class: 'num' }, qty(a.bookQty, unit)),
                      h('td', { class: 'num' }, qty(a.countedQty, unit)),
                      h(
                        'td',
                        {
                          class: `num ${compareDecimal(a.deltaQty, '0') < 0 ? 'wh-minus' : 'wh-plus'}`,
                          dataset: { field: 'delta' },
                        },
                        signed(a.deltaQty),
                      ),
                      h(
                        'td',
                        {},
                        a.requestedBy,
                        h('span', { class: 'muted row-line' }, formatDateTime(a.requestedAt, site.timeZone)),
                      ),
                      h('td', {}, badge('adjustStatus', a.status)),
                      decide
                        ? h(
                            'td',
                            { class: 'wh-row-form' },
                            note,
                            h(
                              'button',
                              {
                                type: 'button',
                                class: 'primary',
                                dataset: { action: 'approve' },
                                disabled: state.busy,
                                onclick: () => void decideOn(a, 'approve'),
                              },
                              t('warehouse.adjust.approve'),
                            ),
                            h(
                              'button',
                              {
                                type: 'button',
                                dataset: { action: 'reject' },
                                disabled: state.busy,
                                onclick: () => void decideOn(a, 'reject'),
                              },
                              t('warehouse.adjust.reject'),
                            ),
                          )
                        : null,
                      !decide && state.show !== 'pending'
                        ? h(
                            'td',
                            {},
                            a.decidedBy ?? '—',
                            a.decisionNote ? h('span', { class: 'muted row-line' }, a.decisionNote) : null,
                          )
                        : null,
                    );
                  }),
                ),
              ),
            ),
    );
  }

  function decideOn(a, decision) {
    const note = (notes.get(a.id) ?? '').trim();
    if (decision === 'reject' && !note) {
      state.errors.decide = localProblem(t('warehouse.adjust.rejectNeedsNote', { code: a.code }));
      paint();
      return Promise.resolve();
    }
    return command('decide', async () => {
      await api(`/sites/${site.id}/inventory/adjustments/${a.id}/${decision}`, {
        method: 'POST',
        body: { ...(note ? { note } : {}), expectedVersion: a.version },
        idempotencyKey: newKey(),
      });
      notes.delete(a.id);
      return t(decision === 'approve' ? 'warehouse.adjust.approved' : 'warehouse.adjust.rejected', {
        code: a.code,
      });
    });
  }

  async function command(kind, work) {
    state.busy = true;
    state.notice = null;
    delete state.errors[kind];
    paint();
    try {
      state.notice = await work();
    } catch (error) {
      state.errors[kind] = error;
    } finally {
      state.busy = false;
    }
    await load();
  }

  void load();
  return {
    unmount() {
      alive = false;
    },
    relabel: paint,
  };
}

/** A difference with its sign (+2, −3). */
function signed(value) {
  const text = qty(value);
  return compareDecimal(value, '0') > 0 ? `+${text}` : text;
}
