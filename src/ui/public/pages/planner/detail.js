// One work order in full: its figures, the moves allowed now, its change form (before release the quantity too),
// operations with planned and actual times, material availability, produced lots (linked to /trace), history.
import { ApiError, api, renderProblem } from '../../api.js';
import { h } from '../../dom.js';
import { formatNumber, locale, t, tOr } from '../../i18n.js';
import { field, fill, isoToZonedInput, time, workOrders, zonedInputToIso } from './common.js';

const FINAL = ['completed', 'closed', 'cancelled'];
const PRE_RELEASE = ['draft', 'planned'];
const HISTORY_FIELDS = ['quantity', 'dueAt', 'plannedStart', 'plannedEnd', 'priority', 'notes'];

/** "160.000000" → "160", "12.500" → "12.5": the API's decimal string without trailing zeros (no float). */
export function plainDecimal(value) {
  const text = String(value ?? '');
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/**
 * The detail of one order, shown above the list. `commands(wo)` builds the move buttons (the orders panel's own,
 * so a move here behaves as one in the list); `changed(wo)` tells the board an order changed.
 */
export function createOrderDetail(board, { commands, changed, closed }) {
  const { site } = board;
  const state = {
    id: null,
    wo: null,
    kitting: null,
    history: null,
    lots: null,
    errors: {},
    form: null,
    /** The fields the person changed since the form was filled. */
    touched: new Set(),
    problem: null,
    saved: false,
    saving: false,
  };
  const element = h('section', {
    class: 'panel order-detail',
    id: 'order-detail',
    hidden: true,
    tabindex: '-1',
    'aria-labelledby': 'order-detail-title',
  });
  let loadId = 0;

  function formOf(wo) {
    return {
      quantity: plainDecimal(wo.quantity),
      dueAt: isoToZonedInput(wo.dueAt, site.timeZone),
      plannedStart: wo.plannedStart ? isoToZonedInput(wo.plannedStart, site.timeZone) : '',
      priority: wo.priority,
      notes: wo.notes ?? '',
      reason: '',
    };
  }

  async function open(id) {
    const again = state.id === id;
    state.id = id;
    if (!again) {
      state.wo = null;
      state.form = null;
      state.problem = null;
      state.saved = false;
    }
    element.hidden = false;
    paint();
    await load({ keepForm: again });
    element.focus();
    element.scrollIntoView({ block: 'start' });
  }

  function close() {
    loadId++;
    state.id = null;
    element.hidden = true;
    fill(element);
    closed?.();
  }

  /** Reads the order and what belongs to it; `keepForm` keeps what the person typed (a reload after a conflict). */
  async function load({ keepForm = false } = {}) {
    const id = state.id;
    if (!id) return;
    const mine = ++loadId;
    const [wo, kitting, history, lots] = await Promise.allSettled([
      workOrders(site.id, id),
      workOrders(site.id, `${id}/kitting`),
      workOrders(site.id, `${id}/history`),
      api(`/sites/${site.id}/lots`, { query: { workOrderId: id, limit: 100 } }),
    ]);
    if (mine !== loadId) return;
    const value = (r) => (r.status === 'fulfilled' ? r.value : null);
    const reason = (r) => (r.status === 'rejected' ? r.reason : null);
    state.errors = { wo: reason(wo), kitting: reason(kitting), history: reason(history), lots: reason(lots) };
    if (wo.status === 'fulfilled') {
      state.wo = wo.value;
      if (!keepForm || !state.form || state.touched.size === 0) {
        state.form = formOf(wo.value);
        state.touched.clear();
      } else {
        // What the person typed stays; every other field shows the order as it is now.
        const fresh = formOf(wo.value);
        for (const name of state.touched) fresh[name] = state.form[name];
        state.form = fresh;
      }
    }
    state.kitting = value(kitting);
    state.history = value(history)?.items ?? null;
    state.lots = value(lots)?.items ?? null;
    paint();
  }

  function section(id, title, ...body) {
    return h('section', { class: 'detail-section', id, 'aria-labelledby': `${id}-title` }, [
      h('h4', { id: `${id}-title` }, title),
      ...body,
    ]);
  }

  function problemBox(error, id) {
    if (!error) return null;
    const box = h('div', { id });
    renderProblem(box, error);
    return box;
  }

  function paint() {
    if (!state.id) return;
    const wo = state.wo;
    const closeButton = h(
      'button',
      {
        type: 'button',
        class: 'small-button detail-close',
        id: 'order-detail-close',
        onclick: close,
      },
      t('planner.detail.close'),
    );
    if (!wo) {
      fill(
        element,
        h('div', { class: 'detail-head' }, h('h3', { id: 'order-detail-title' }, t('planner.detail.title'))),
        closeButton,
        state.errors.wo
          ? problemBox(state.errors.wo, 'order-detail-problem')
          : h('p', { class: 'muted', 'aria-busy': 'true' }, t('common.loading')),
      );
      return;
    }
    element.dataset.wo = wo.code;
    element.dataset.status = wo.status;
    element.dataset.version = String(wo.version);
    fill(
      element,
      h(
        'div',
        { class: 'detail-head' },
        h(
          'h3',
          { id: 'order-detail-title' },
          t('planner.detail.heading', { code: wo.code, material: wo.materialCode }),
        ),
        h(
          'span',
          { class: `badge status-${wo.status}`, id: 'order-detail-status' },
          tOr('status', wo.status),
        ),
        wo.priority === 'rush' ? h('span', { class: 'badge rush' }, t('planner.rush')) : null,
        closeButton,
      ),
      wo.materialName ? h('p', { class: 'muted' }, wo.materialName) : null,
      facts(wo),
      board.canPlan && wo.allowedCommands?.length
        ? h('div', { class: 'planner-actions', id: 'order-detail-actions' }, commands(wo))
        : null,
      board.canPlan && !FINAL.includes(wo.status) ? editForm(wo) : null,
      h(
        'div',
        { class: 'detail-grid' },
        section('order-operations', t('planner.detail.operations'), operationsTable(wo)),
        section(
          'order-materials',
          t('planner.detail.materials'),
          problemBox(state.errors.kitting, 'order-kitting-problem'),
          materialsTable(wo),
        ),
        section(
          'order-lots',
          t('planner.detail.lots'),
          problemBox(state.errors.lots, 'order-lots-problem'),
          lotsList(),
        ),
        section(
          'order-history',
          t('planner.detail.history'),
          problemBox(state.errors.history, 'order-history-problem'),
          historyList(),
        ),
      ),
    );
  }

  function facts(wo) {
    const row = (name, label, value) =>
      value === null || value === undefined || value === ''
        ? null
        : h('div', {}, h('dt', {}, label), h('dd', { dataset: { fact: name } }, value));
    return h(
      'dl',
      { class: 'figures detail-facts' },
      row('quantity', t('planner.orders.quantity'), formatNumber(wo.quantity)),
      row('due', t('planner.orders.col.due'), time(wo.dueAt, site)),
      row('plannedStart', t('planner.orders.col.plannedStart'), time(wo.plannedStart, site)),
      row('plannedEnd', t('planner.orders.col.plannedEnd'), time(wo.plannedEnd, site)),
      row('released', t('planner.detail.releasedAt'), wo.releasedAt ? time(wo.releasedAt, site) : null),
      row(
        'revisions',
        t('planner.detail.revisions'),
        t('planner.detail.revisionText', {
          bom: wo.bomRevision ?? '—',
          routing: wo.routingRevision ?? '—',
        }),
      ),
      row(
        'erp',
        t('planner.detail.erpOrder'),
        wo.erpOrderId ? `${wo.erpOrderId}${wo.erpSegmentId ? ` / ${wo.erpSegmentId}` : ''}` : null,
      ),
      row('source', t('planner.detail.source'), wo.source ? tOr('planner.source', wo.source) : null),
      row('hold', t('planner.detail.holdReason'), wo.status === 'held' ? wo.holdReason : null),
      row('shortage', t('planner.detail.shortage'), wo.releasedWithShortage ? t('planner.detail.yes') : null),
      row('notes', t('planner.detail.notes'), wo.notes),
      row('version', t('planner.detail.version'), formatNumber(wo.version)),
    );
  }

  function editForm(wo) {
    const f = state.form;
    const bind = (key) => ({
      value: f[key],
      oninput: (e) => {
        f[key] = e.target.value;
        state.touched.add(key);
      },
    });
    const quantityFrozen = !PRE_RELEASE.includes(wo.status);
    const problem = h('div', { class: 'form-problem', id: 'order-edit-problem', hidden: true });
    if (state.problem) renderProblem(problem, state.problem);
    return h(
      'form',
      {
        class: 'order-edit',
        id: 'order-edit',
        'aria-labelledby': 'order-edit-title',
        onsubmit: (e) => {
          e.preventDefault();
          void save();
        },
      },
      h('h4', { id: 'order-edit-title' }, t('planner.detail.edit')),
      h(
        'div',
        { class: 'planner-form-grid' },
        field(
          quantityFrozen ? t('planner.detail.quantityFrozen') : t('planner.orders.quantity'),
          h('input', {
            id: 'edit-quantity',
            name: 'quantity',
            inputmode: 'decimal',
            required: true,
            pattern: '^\\d+(\\.\\d+)?$',
            disabled: quantityFrozen,
            ...bind('quantity'),
          }),
        ),
        field(
          t('planner.orders.dueAt', { zone: site.timeZone }),
          h('input', { id: 'edit-due', type: 'datetime-local', required: true, ...bind('dueAt') }),
        ),
        field(
          t('planner.detail.plannedStartZone', { zone: site.timeZone }),
          h('input', { id: 'edit-start', type: 'datetime-local', ...bind('plannedStart') }),
        ),
        field(
          t('planner.orders.priority'),
          h(
            'select',
            {
              id: 'edit-priority',
              onchange: (e) => {
                f.priority = e.target.value;
                state.touched.add('priority');
              },
            },
            ['normal', 'rush'].map((p) =>
              h('option', { value: p, selected: f.priority === p }, t(`planner.priority.${p}`)),
            ),
          ),
        ),
        field(
          t('planner.detail.notes'),
          h('textarea', { id: 'edit-notes', rows: '2', maxlength: '2000', ...bind('notes') }, f.notes),
          'wide',
        ),
        field(
          t('planner.detail.changeReason'),
          h('input', { id: 'edit-reason', maxlength: '500', ...bind('reason') }),
          'wide',
        ),
      ),
      problem,
      state.saved
        ? h('p', { class: 'notice ok', role: 'status', id: 'order-saved' }, t('planner.detail.saved'))
        : null,
      h(
        'div',
        { class: 'planner-actions' },
        h(
          'button',
          { type: 'submit', class: 'primary', id: 'order-save', disabled: state.saving },
          t('planner.detail.save'),
        ),
        h(
          'button',
          {
            type: 'button',
            id: 'order-edit-reset',
            onclick: () => {
              state.form = formOf(wo);
              state.touched.clear();
              state.problem = null;
              state.saved = false;
              paint();
            },
          },
          t('planner.detail.reset'),
        ),
      ),
    );
  }

  /** Only what changed goes to the API, with the version read: a change made meanwhile is refused (409). */
  async function save() {
    const wo = state.wo;
    const f = state.form;
    const initial = formOf(wo);
    const body = { expectedVersion: wo.version };
    if (PRE_RELEASE.includes(wo.status) && f.quantity.trim() !== initial.quantity)
      body.quantity = f.quantity.trim();
    if (f.dueAt !== initial.dueAt) body.dueAt = zonedInputToIso(f.dueAt, site.timeZone) ?? f.dueAt;
    if (f.plannedStart && f.plannedStart !== initial.plannedStart) {
      body.plannedStart = zonedInputToIso(f.plannedStart, site.timeZone) ?? f.plannedStart;
    }
    if (f.priority !== initial.priority) body.priority = f.priority;
    if (f.notes !== initial.notes) body.notes = f.notes;
    if (f.reason.trim()) body.reason = f.reason.trim();
    state.saving = true;
    state.saved = false;
    state.problem = null;
    paint();
    try {
      const after = await workOrders(site.id, wo.id, { method: 'PATCH', body });
      state.wo = after;
      state.form = formOf(after);
      state.touched.clear();
      state.saved = true;
      state.saving = false;
      changed(after);
      await load();
    } catch (error) {
      state.problem = error;
      state.saving = false;
      // Someone changed the order meanwhile: show the latest figures, keep what was typed to try again.
      if (error instanceof ApiError && error.code === 'STALE_VERSION') await load({ keepForm: true });
      else paint();
    }
  }

  function opName(op) {
    return locale() === 'zh-CN' && op.nameZh ? op.nameZh : op.name;
  }

  function operationsTable(wo) {
    const ops = wo.operations ?? [];
    if (ops.length === 0) return h('p', { class: 'muted' }, t('planner.detail.noOperations'));
    const cols = ['seq', 'name', 'status', 'planned', 'good', 'scrap', 'scheduled', 'actual'];
    const span = (from, to) => [time(from, site), ' – ', time(to, site)];
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table detail-ops', id: 'order-ops' },
        h('caption', { class: 'visually-hidden' }, t('planner.detail.operations')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            cols.map((c) => h('th', { scope: 'col' }, t(`planner.detail.op.${c}`))),
          ),
        ),
        h(
          'tbody',
          {},
          ops.map((op) =>
            h(
              'tr',
              { dataset: { seq: String(op.seq), status: op.status } },
              h('th', { scope: 'row', class: 'num' }, formatNumber(op.seq)),
              h(
                'td',
                {},
                opName(op),
                op.inspectionPoint ? h('span', { class: 'badge' }, t('planner.detail.ipqc')) : null,
              ),
              h('td', {}, h('span', { class: `badge op-${op.status}` }, tOr('planner.opstatus', op.status))),
              h('td', { class: 'num' }, formatNumber(op.plannedQty)),
              h('td', { class: 'num', dataset: { field: 'good' } }, formatNumber(op.goodQty)),
              h('td', { class: 'num' }, formatNumber(op.scrapQty)),
              h(
                'td',
                { class: 'nowrap' },
                op.scheduledStart ? span(op.scheduledStart, op.scheduledEnd) : '—',
              ),
              h('td', { class: 'nowrap' }, op.startedAt ? span(op.startedAt, op.completedAt) : '—'),
            ),
          ),
        ),
      ),
    );
  }

  function materialsTable(wo) {
    // The order's lines (required, issued) with the kitting picture's availability for the same material.
    const kitLines = state.kitting?.lines ?? [];
    const lines = (wo.materials ?? []).map((m) => {
      const k = kitLines.find((l) => l.materialId === m.materialId);
      return { ...m, availableQty: k?.availableQty, shortQty: k?.shortQty };
    });
    if (lines.length === 0) return h('p', { class: 'muted' }, t('planner.detail.noMaterials'));
    const kitting = state.kitting;
    const cols = ['material', 'required', 'issued', 'open', 'available', 'short'];
    return [
      kitting
        ? h(
            'p',
            { class: kitting.complete ? 'ok-text' : 'late-text', id: 'order-kitting-state' },
            kitting.complete
              ? t('planner.detail.kitted')
              : t('planner.detail.shortLines', { count: formatNumber(kitting.shortLines) }),
          )
        : null,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table detail-materials', id: 'order-materials-table' },
          h('caption', { class: 'visually-hidden' }, t('planner.detail.materials')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              cols.map((c) => h('th', { scope: 'col' }, t(`planner.detail.mat.${c}`))),
            ),
          ),
          h(
            'tbody',
            {},
            lines.map((l) => {
              const short = l.shortQty !== undefined && !/^0(\.0+)?$/.test(String(l.shortQty));
              return h(
                'tr',
                { dataset: { material: l.materialCode }, class: short ? 'late' : undefined },
                h('th', { scope: 'row' }, l.materialCode),
                h('td', { class: 'num' }, formatNumber(l.requiredQty)),
                h('td', { class: 'num' }, formatNumber(l.issuedQty)),
                h('td', { class: 'num' }, formatNumber(l.openQty)),
                h('td', { class: 'num' }, l.availableQty !== undefined ? formatNumber(l.availableQty) : '—'),
                h(
                  'td',
                  { class: short ? 'num late-text' : 'num', dataset: { field: 'short' } },
                  l.shortQty !== undefined ? formatNumber(l.shortQty) : '—',
                ),
              );
            }),
          ),
        ),
      ),
    ];
  }

  function lotsList() {
    const lots = state.lots;
    if (!lots) return state.errors.lots ? null : h('p', { class: 'muted' }, t('common.loading'));
    if (lots.length === 0)
      return h('p', { class: 'muted', id: 'order-lots-none' }, t('planner.detail.noLots'));
    return h(
      'ul',
      { class: 'detail-lots' },
      lots.map((lot) =>
        h(
          'li',
          { dataset: { lot: lot.code } },
          h(
            'a',
            {
              href: `/trace?lot=${encodeURIComponent(lot.code)}`,
              'aria-label': t('planner.detail.traceLot', { lot: lot.code }),
            },
            lot.code,
          ),
          ' · ',
          formatNumber(lot.quantity),
          ' · ',
          tOr('planner.lotstatus', lot.status),
        ),
      ),
    );
  }

  function historyValue(name, value) {
    if (value === null || value === undefined || value === '') return '—';
    if (name === 'priority') return t(`planner.priority.${value}`);
    if (['dueAt', 'plannedStart', 'plannedEnd'].includes(name)) return time(String(value), site).textContent;
    if (name === 'quantity') return formatNumber(String(value));
    return String(value);
  }

  function historyList() {
    const items = state.history;
    if (!items) return state.errors.history ? null : h('p', { class: 'muted' }, t('common.loading'));
    if (items.length === 0) return h('p', { class: 'muted' }, t('planner.detail.noHistory'));
    return h(
      'ol',
      { class: 'detail-history', id: 'order-history-list' },
      [...items].reverse().map((e) => {
        const action = e.action.replace(/^work_order\./, '');
        return h(
          'li',
          { dataset: { event: action } },
          h(
            'div',
            { class: 'history-line' },
            time(e.occurredAt, site),
            ' · ',
            h('strong', {}, tOr('planner.history', action)),
            e.fromStatus && e.toStatus && e.fromStatus !== e.toStatus
              ? ` · ${tOr('status', e.fromStatus)} → ${tOr('status', e.toStatus)}`
              : '',
            ' · ',
            h('span', { class: 'muted' }, e.actorName),
          ),
          e.changes?.length
            ? h(
                'ul',
                { class: 'history-changes' },
                e.changes
                  .filter((c) => HISTORY_FIELDS.includes(c.field))
                  .map((c) =>
                    h(
                      'li',
                      { dataset: { field: c.field } },
                      t('planner.detail.changeText', {
                        field: tOr('planner.field', c.field),
                        before: historyValue(c.field, c.before),
                        after: historyValue(c.field, c.after),
                      }),
                    ),
                  ),
              )
            : null,
          e.reason
            ? h('p', { class: 'muted small' }, t('planner.detail.because', { reason: e.reason }))
            : null,
        );
      }),
    );
  }

  return {
    element,
    open: (id) => void open(id),
    close,
    isOpen: () => state.id !== null,
    openId: () => state.id,
    /** After a move made here or elsewhere (`keepForm`: a push, keep what is being typed). */
    refresh: (keepForm = true) => (state.id ? load({ keepForm }) : Promise.resolve()),
    relabel: paint,
  };
}
