// Stock (库存): lots with what they have where and their status; a lot's movements; transfers and receipts.
import { api } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, t } from '../../i18n.js';
import {
  badge,
  cleanQuantity,
  codeOf,
  field,
  input,
  localProblem,
  locationOptions,
  lookups,
  materialOptions,
  newKey,
  qty,
  quantityInput,
  showProblem,
  plain,
  unitOf,
} from './common.js';

const LOT_STATUSES = ['available', 'quarantine', 'hold', 'rejected', 'expired', 'consumed'];
const RECEIVABLE = ['warehouse', 'zone', 'bin', 'line_side', 'quarantine'];
const PAGE = 100;

export function mountStock(container, ctx) {
  const site = ctx.site;
  const can = ctx.can;
  const filter = {
    code: ctx.params.get('code') ?? '',
    status: LOT_STATUSES.includes(ctx.params.get('status')) ? ctx.params.get('status') : '',
    materialId: ctx.params.get('material') ?? '',
  };
  const state = {
    look: null,
    lots: null,
    lot: null,
    selected: ctx.params.get('lot'),
    receiving: false,
    errors: {},
    notice: null,
    busy: false,
  };
  let alive = true;
  const root = h('div', { class: 'wh-stock' });
  container.replaceChildren(root);

  function remember() {
    const query = new URLSearchParams({ view: 'stock' });
    if (filter.code) query.set('code', filter.code);
    if (filter.status) query.set('status', filter.status);
    if (filter.materialId) query.set('material', filter.materialId);
    if (state.selected) query.set('lot', state.selected);
    history.replaceState(null, '', `/warehouse?${query}`);
  }

  async function loadList() {
    try {
      state.look ??= await lookups(site.id);
      state.lots = await api(`/sites/${site.id}/lots`, {
        query: { limit: PAGE, code: filter.code, status: filter.status, materialId: filter.materialId },
      });
      delete state.errors.list;
    } catch (error) {
      state.errors.list = error;
    }
  }

  async function loadLot() {
    if (!state.selected) {
      state.lot = null;
      return;
    }
    try {
      state.lot = await api(`/sites/${site.id}/lots/${encodeURIComponent(state.selected)}`);
      delete state.errors.lot;
    } catch (error) {
      state.lot = null;
      state.errors.lot = error;
    }
  }

  async function load() {
    await Promise.all([loadList(), loadLot()]);
    if (alive) paint();
  }

  function paint() {
    if (!alive) return;
    root.replaceChildren(
      ...[
        h('p', { class: 'notice wh-notice', role: 'status', hidden: !state.notice }, state.notice ?? ''),
        listPanel(),
        state.receiving ? receivePanel() : null,
        lotPanel(),
      ].filter(Boolean),
    );
  }

  function listPanel() {
    const look = state.look;
    const problem = h('div', { class: 'wh-problem' });
    if (state.errors.list) showProblem(problem, state.errors.list);
    const codeInput = input({ value: filter.code, placeholder: t('warehouse.stock.codePlaceholder') });
    const statusSelect = h(
      'select',
      {},
      h('option', { value: '' }, t('warehouse.stock.anyStatus')),
      LOT_STATUSES.map((s) =>
        h('option', { value: s, selected: s === filter.status }, t(`warehouse.lotStatus.${s}`)),
      ),
    );
    const materialSelect = h(
      'select',
      {},
      look
        ? materialOptions(look, {
            selected: filter.materialId,
            placeholder: t('warehouse.stock.anyMaterial'),
          })
        : null,
    );
    const lots = state.lots;
    return h(
      'section',
      { class: 'panel wh-panel', 'aria-labelledby': 'wh-stock-title' },
      h(
        'div',
        { class: 'wh-panel-head' },
        h('h2', { id: 'wh-stock-title' }, t('warehouse.stock.title')),
        can.receive
          ? h(
              'button',
              {
                type: 'button',
                id: 'wh-receive-open',
                'aria-expanded': String(state.receiving),
                onclick: () => {
                  state.receiving = !state.receiving;
                  paint();
                },
              },
              t('warehouse.receive.open'),
            )
          : null,
      ),
      h(
        'form',
        {
          class: 'wh-filters',
          id: 'wh-stock-filter',
          role: 'search',
          onsubmit: (e) => {
            e.preventDefault();
            filter.code = codeInput.value.trim();
            filter.status = statusSelect.value;
            filter.materialId = materialSelect.value;
            remember();
            void load();
          },
        },
        field('wh-filter-code', t('warehouse.stock.lotCode'), codeInput),
        field('wh-filter-status', t('warehouse.stock.status'), statusSelect),
        field('wh-filter-material', t('warehouse.stock.material'), materialSelect),
        h('button', { type: 'submit', class: 'primary' }, t('warehouse.stock.search')),
      ),
      problem,
      !lots || !look
        ? h('p', { class: 'muted', 'aria-busy': 'true' }, t('warehouse.loading'))
        : lots.items.length === 0
          ? h('p', { class: 'muted' }, t('warehouse.stock.empty'))
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'table wh-table', id: 'wh-lot-table' },
                h('caption', { class: 'visually-hidden' }, t('warehouse.stock.title')),
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['lot', 'material', 'status', 'onHand', 'where', 'expiry', 'received'].map((c) =>
                      h('th', { scope: 'col' }, t(`warehouse.stock.col.${c}`)),
                    ),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  lots.items.map((lot) => {
                    const unit = unitOf(look, lot.materialId);
                    return h(
                      'tr',
                      {
                        dataset: { lot: lot.code },
                        class: lot.code === state.lot?.code ? 'selected' : undefined,
                      },
                      h(
                        'th',
                        { scope: 'row' },
                        h(
                          'button',
                          { type: 'button', class: 'link', onclick: () => openLot(lot.code) },
                          lot.code,
                        ),
                      ),
                      h('td', {}, codeOf(look.materials, lot.materialId)),
                      h('td', {}, badge('lotStatus', lot.status)),
                      h('td', { class: 'num', dataset: { field: 'onHand' } }, qty(lot.quantity, unit)),
                      h(
                        'td',
                        { dataset: { field: 'where' } },
                        h(
                          'ul',
                          { class: 'wh-inline-list' },
                          lot.balances.map((b) =>
                            h(
                              'li',
                              { dataset: { location: codeOf(look.locations, b.locationId) } },
                              `${codeOf(look.locations, b.locationId)}: ${qty(b.quantity)}`,
                            ),
                          ),
                        ),
                      ),
                      h('td', {}, lot.expiryDate ?? '—'),
                      h('td', {}, formatDateTime(lot.receivedAt, site.timeZone)),
                    );
                  }),
                ),
              ),
              lots.total > lots.items.length
                ? h(
                    'p',
                    { class: 'muted small' },
                    t('warehouse.stock.more', { shown: lots.items.length, total: lots.total }),
                  )
                : null,
            ),
    );
  }

  function openLot(code) {
    state.selected = code;
    remember();
    void loadLot().then(() => {
      paint();
      root.querySelector('#wh-lot-detail')?.focus();
    });
  }

  function receivePanel() {
    const look = state.look;
    if (!look) return null;
    const problem = h('div', { class: 'wh-problem', id: 'wh-receive-problem' });
    if (state.errors.receive) showProblem(problem, state.errors.receive);
    const material = h(
      'select',
      { required: true },
      materialOptions(look, { placeholder: t('warehouse.choose') }),
    );
    const quantity = quantityInput({ required: true });
    const location = h(
      'select',
      { required: true },
      locationOptions(look, { types: RECEIVABLE, placeholder: t('warehouse.choose') }),
    );
    const lotCode = input({ maxlength: '64' });
    const supplierLot = input({ maxlength: '64' });
    const expiry = h('input', { type: 'date' });
    const reference = input({ maxlength: '200' });
    return h(
      'section',
      { class: 'panel wh-panel', 'aria-labelledby': 'wh-receive-title' },
      h('h2', { id: 'wh-receive-title' }, t('warehouse.receive.title')),
      problem,
      h(
        'form',
        {
          class: 'wh-form wh-grid-form',
          id: 'wh-receive-form',
          onsubmit: (e) => {
            e.preventDefault();
            const value = cleanQuantity(quantity.value);
            if (!material.value || !location.value || value === null) {
              state.errors.receive = localProblem(t('warehouse.receive.incomplete'));
              paint();
              return;
            }
            const body = {
              material: material.value,
              quantity: value,
              location: location.value,
              ...(lotCode.value.trim() ? { lotCode: lotCode.value.trim() } : {}),
              ...(supplierLot.value.trim() ? { supplierLot: supplierLot.value.trim() } : {}),
              ...(expiry.value ? { expiryDate: expiry.value } : {}),
              ...(reference.value.trim() ? { reference: reference.value.trim() } : {}),
            };
            void command('receive', async () => {
              const lot = await api(`/sites/${site.id}/inventory/receipts`, { method: 'POST', body });
              state.receiving = false;
              state.selected = lot.code;
              remember();
              return t('warehouse.receive.done', { lot: lot.code });
            });
          },
        },
        field('wh-receive-material', t('warehouse.stock.material'), material),
        field('wh-receive-qty', t('warehouse.receive.quantity'), quantity),
        field('wh-receive-location', t('warehouse.receive.location'), location),
        field('wh-receive-lot', t('warehouse.receive.lotCode'), lotCode, t('warehouse.receive.lotCodeHint')),
        field('wh-receive-supplier-lot', t('warehouse.receive.supplierLot'), supplierLot),
        field('wh-receive-expiry', t('warehouse.receive.expiry'), expiry),
        field('wh-receive-reference', t('warehouse.receive.reference'), reference),
        h(
          'div',
          { class: 'wh-actions' },
          h(
            'button',
            { type: 'submit', class: 'primary', disabled: state.busy },
            t('warehouse.receive.submit'),
          ),
        ),
      ),
    );
  }

  function lotPanel() {
    if (!state.selected) return null;
    const look = state.look;
    const problem = h('div', { class: 'wh-problem', id: 'wh-lot-problem' });
    if (state.errors.lot) showProblem(problem, state.errors.lot);
    else if (state.errors.move) showProblem(problem, state.errors.move);
    const lot = state.lot;
    if (!lot || !look) {
      return h('section', { class: 'panel wh-panel', id: 'wh-lot-detail', tabindex: '-1' }, problem);
    }
    const unit = unitOf(look, lot.materialId);
    return h(
      'section',
      {
        class: 'panel wh-panel',
        id: 'wh-lot-detail',
        tabindex: '-1',
        'aria-labelledby': 'wh-lot-title',
        dataset: { lot: lot.code, status: lot.status },
      },
      h(
        'div',
        { class: 'wh-panel-head' },
        h('h2', { id: 'wh-lot-title' }, t('warehouse.lot.title', { lot: lot.code })),
        badge('lotStatus', lot.status),
        h(
          'a',
          { href: `/trace?lot=${encodeURIComponent(lot.code)}`, 'data-link': true },
          t('warehouse.lot.trace'),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            onclick: () => {
              state.selected = null;
              state.lot = null;
              remember();
              paint();
            },
          },
          t('warehouse.close'),
        ),
      ),
      h(
        'dl',
        { class: 'wh-facts' },
        fact(
          t('warehouse.stock.material'),
          `${codeOf(look.materials, lot.materialId)} · ${look.materials.get(lot.materialId)?.name ?? ''}`,
        ),
        fact(t('warehouse.stock.col.onHand'), qty(lot.quantity, unit)),
        fact(t('warehouse.lot.origin'), t(`warehouse.origin.${lot.origin}`)),
        fact(t('warehouse.stock.col.expiry'), lot.expiryDate ?? '—'),
        fact(t('warehouse.receive.supplierLot'), lot.supplierLot ?? '—'),
        lot.statusReason ? fact(t('warehouse.lot.statusReason'), lot.statusReason) : null,
      ),
      problem,
      h('h3', {}, t('warehouse.lot.balances')),
      lot.balances.length === 0
        ? h('p', { class: 'muted' }, t('warehouse.lot.noStock'))
        : h(
            'ul',
            { class: 'wh-balances', id: 'wh-lot-balances' },
            lot.balances.map((b) =>
              h(
                'li',
                { dataset: { location: codeOf(look.locations, b.locationId) } },
                h('strong', {}, codeOf(look.locations, b.locationId)),
                ` ${qty(b.quantity, unit)}`,
              ),
            ),
          ),
      can.transfer && lot.balances.length > 0 ? transferForm(lot, look) : null,
      can.hold && ['available', 'quarantine'].includes(lot.status) ? holdForm(lot) : null,
      h('h3', {}, t('warehouse.lot.movements')),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table wh-table', id: 'wh-movements' },
          h('caption', { class: 'visually-hidden' }, t('warehouse.lot.movements')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['when', 'type', 'quantity', 'route', 'reference', 'who'].map((c) =>
                h('th', { scope: 'col' }, t(`warehouse.move.col.${c}`)),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            [...lot.movements]
              .reverse()
              .map((m) =>
                h(
                  'tr',
                  { dataset: { movement: m.id, type: m.movementType } },
                  h('th', { scope: 'row' }, formatDateTime(m.occurredAt, site.timeZone)),
                  h('td', {}, t(`warehouse.moveType.${m.movementType}`)),
                  h('td', { class: 'num' }, qty(m.quantity, unit)),
                  h(
                    'td',
                    { class: 'nowrap' },
                    `${codeOf(look.locations, m.fromLocationId)} → ${codeOf(look.locations, m.toLocationId)}`,
                  ),
                  h('td', {}, [m.reference, m.note].filter(Boolean).join(' · ') || '—'),
                  h('td', {}, m.actorName ?? '—'),
                ),
              ),
          ),
        ),
      ),
    );
  }

  function transferForm(lot, look) {
    const from = h(
      'select',
      {},
      lot.balances.map((b) =>
        h(
          'option',
          { value: codeOf(look.locations, b.locationId) },
          `${codeOf(look.locations, b.locationId)} (${qty(b.quantity)})`,
        ),
      ),
    );
    const to = h('select', {}, locationOptions(look, { placeholder: t('warehouse.choose') }));
    const quantity = quantityInput({
      value: lot.balances.length === 1 ? plain(lot.balances[0].quantity) : '',
    });
    const note = input({ maxlength: '500' });
    return h(
      'form',
      {
        class: 'wh-form wh-grid-form',
        id: 'wh-transfer-form',
        'aria-label': t('warehouse.transfer.title'),
        onsubmit: (e) => {
          e.preventDefault();
          const value = cleanQuantity(quantity.value);
          if (!to.value || value === null) {
            state.errors.move = localProblem(t('warehouse.transfer.incomplete'));
            paint();
            return;
          }
          void command('move', async () => {
            await api(`/sites/${site.id}/inventory/transfers`, {
              method: 'POST',
              body: {
                lot: lot.code,
                fromLocation: from.value,
                toLocation: to.value,
                quantity: value,
                ...(note.value.trim() ? { note: note.value.trim() } : {}),
              },
              idempotencyKey: newKey(),
            });
            return t('warehouse.transfer.done', { lot: lot.code, to: to.value });
          });
        },
      },
      h('h3', { class: 'wh-form-title' }, t('warehouse.transfer.title')),
      field('wh-transfer-from', t('warehouse.transfer.from'), from),
      field('wh-transfer-to', t('warehouse.transfer.to'), to),
      field('wh-transfer-qty', t('warehouse.transfer.quantity'), quantity),
      field('wh-transfer-note', t('warehouse.transfer.note'), note),
      h(
        'div',
        { class: 'wh-actions' },
        h(
          'button',
          { type: 'submit', class: 'primary', disabled: state.busy },
          t('warehouse.transfer.submit'),
        ),
      ),
    );
  }

  function holdForm(lot) {
    const reason = input({ maxlength: '500', required: true });
    return h(
      'form',
      {
        class: 'wh-form wh-inline-form',
        id: 'wh-hold-form',
        'aria-label': t('warehouse.hold.title'),
        onsubmit: (e) => {
          e.preventDefault();
          if (!reason.value.trim()) {
            state.errors.move = localProblem(t('warehouse.hold.needReason'));
            paint();
            return;
          }
          void command('move', async () => {
            await api(`/sites/${site.id}/lots/${encodeURIComponent(lot.code)}/hold`, {
              method: 'POST',
              body: { reason: reason.value.trim(), expectedVersion: lot.version },
            });
            return t('warehouse.hold.done', { lot: lot.code });
          });
        },
      },
      field('wh-hold-reason', t('warehouse.hold.reason'), reason),
      h('button', { type: 'submit', disabled: state.busy }, t('warehouse.hold.submit')),
    );
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

function fact(label, value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}
