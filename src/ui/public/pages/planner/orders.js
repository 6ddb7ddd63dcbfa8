// The work orders of the site: filters, late orders, a new order, and the moves the planner makes.
import { ApiError, api, renderProblem } from '../../api.js';
import { h } from '../../dom.js';
import { formatNumber, t, tOr } from '../../i18n.js';
import { field, fill, isoToZonedInput, time, workOrders, zonedInputToIso } from './common.js';
import { createOrderDetail } from './detail.js';
import { createErpImport } from './erp.js';

export const OPEN_STATUSES = ['draft', 'planned', 'released', 'kitting', 'ready', 'running', 'held'];
const ALL_STATUSES = [...OPEN_STATUSES, 'completed', 'closed', 'cancelled'];
const FINAL = ['completed', 'closed', 'cancelled'];
const PAGE = 200;

/**
 * The planner's moves, offered when the order's `allowedCommands` (from the API's state machine) has them;
 * `path` is the endpoint's command when it differs. Start and complete belong to the shop floor.
 */
const MOVES = [
  { command: 'plan', primary: true },
  { command: 'release', primary: true },
  { command: 'start_kitting', path: 'start-kitting' },
  { command: 'mark_ready', path: 'mark-ready' },
  { command: 'hold', reason: true },
  { command: 'resume' },
  { command: 'close' },
  { command: 'cancel', reason: true },
];

/** The moves offered for an order now: only what the API says it accepts. */
export function movesFor(wo) {
  const allowed = wo.allowedCommands ?? [];
  return MOVES.filter((m) => allowed.includes(m.command));
}

/** Due before its planned (or forecast) end, or already past due while still open. */
export function isLate(wo, lateIds, now = Date.now()) {
  if (FINAL.includes(wo.status)) return false;
  const due = Date.parse(wo.dueAt);
  if (lateIds?.has(wo.id)) return true;
  if (wo.plannedEnd && Date.parse(wo.plannedEnd) > due) return true;
  return due < now;
}

/**
 * The orders panel. `board` gives the site, whether the person plans, the late orders of the live plan and
 * `changed()` (an order moved: the other panels refresh).
 */
export function createOrdersPanel(board) {
  const { site } = board;
  const state = {
    filter: { status: 'open', q: '', priority: '' },
    page: null,
    error: null,
    materials: [],
    form: blankForm(),
    formOpen: false,
    formProblem: null,
    busy: new Set(),
    rowProblem: null,
    created: null,
  };
  const element = h('section', {
    class: 'planner-panel',
    id: 'panel-orders',
    'aria-labelledby': 'tab-orders',
  });
  const dialog = h('dialog', { class: 'planner-dialog', id: 'reason-dialog' });
  const content = h('div', {});
  element.append(content, dialog);
  let loadId = 0;
  const detail = createOrderDetail(board, {
    commands: (wo) => actions(wo, 'detail'),
    changed: (wo) => {
      board.changed(wo);
      void load();
    },
  });
  const erp = createErpImport(board, {
    imported: () => {
      board.changed();
      void load();
    },
    openOrder: (id) => detail.open(id),
  });

  function blankForm() {
    return {
      material: '',
      quantity: '',
      dueAt: isoToZonedInput(new Date(Date.now() + 7 * 86_400_000).toISOString(), site.timeZone),
      priority: 'normal',
      code: '',
    };
  }

  async function load() {
    const id = ++loadId;
    const status = state.filter.status === 'open' ? OPEN_STATUSES.join(',') : state.filter.status;
    try {
      const page = await workOrders(site.id, '', {
        query: { status, q: state.filter.q.trim(), priority: state.filter.priority, limit: PAGE },
      });
      if (id !== loadId) return;
      state.page = page;
      state.error = null;
    } catch (error) {
      if (id !== loadId) return;
      state.error = error;
    }
    paint();
  }

  async function loadMaterials() {
    try {
      const page = await api(`/sites/${site.id}/materials`, { query: { limit: 500, active: 'true' } });
      state.materials = page.items ?? [];
      paint();
    } catch {
      // The material is typed by its code all the same; the list only helps.
    }
  }

  function bind(target, key) {
    return {
      value: target[key],
      oninput: (e) => {
        target[key] = e.target.value;
      },
    };
  }

  function paint() {
    const focused = element.contains(document.activeElement) ? document.activeElement.id : null;
    fill(
      content,
      h(
        'div',
        { class: 'planner-toolbar' },
        h('h2', { id: 'orders-title' }, t('planner.orders.title')),
        h(
          'form',
          {
            class: 'planner-filters',
            role: 'search',
            onsubmit: (e) => {
              e.preventDefault();
              void load();
            },
          },
          field(
            t('planner.orders.filterStatus'),
            h(
              'select',
              {
                id: 'orders-status',
                onchange: (e) => {
                  state.filter.status = e.target.value;
                  void load();
                },
              },
              h(
                'option',
                { value: 'open', selected: state.filter.status === 'open' },
                t('planner.orders.open'),
              ),
              h(
                'option',
                { value: ALL_STATUSES.join(','), selected: state.filter.status.includes(',') },
                t('planner.orders.all'),
              ),
              ALL_STATUSES.map((s) =>
                h('option', { value: s, selected: state.filter.status === s }, tOr('status', s)),
              ),
            ),
          ),
          field(
            t('planner.orders.filterPriority'),
            h(
              'select',
              {
                id: 'orders-priority',
                onchange: (e) => {
                  state.filter.priority = e.target.value;
                  void load();
                },
              },
              h('option', { value: '', selected: !state.filter.priority }, t('planner.orders.anyPriority')),
              ['rush', 'normal'].map((p) =>
                h('option', { value: p, selected: state.filter.priority === p }, t(`planner.priority.${p}`)),
              ),
            ),
          ),
          field(
            t('planner.orders.search'),
            h('input', { id: 'orders-q', type: 'search', ...bind(state.filter, 'q') }),
          ),
          h('button', { type: 'submit' }, t('planner.orders.apply')),
        ),
        board.canPlan
          ? h(
              'button',
              {
                type: 'button',
                class: 'primary',
                id: 'order-new',
                'aria-expanded': String(state.formOpen),
                'aria-controls': 'order-form',
                onclick: () => {
                  state.formOpen = !state.formOpen;
                  paint();
                  if (state.formOpen) element.querySelector('#order-material')?.focus();
                },
              },
              t('planner.orders.new'),
            )
          : null,
        board.canPlan
          ? h(
              'button',
              {
                type: 'button',
                id: 'erp-open',
                'aria-expanded': String(erp.isOpen()),
                'aria-controls': 'erp-import',
                onclick: () => {
                  erp.toggle();
                  paint();
                  if (erp.isOpen()) element.querySelector('#erp-json')?.focus();
                },
              },
              t('planner.erp.open'),
            )
          : null,
      ),
      state.formOpen && board.canPlan ? orderForm() : null,
      state.created
        ? h(
            'p',
            { class: 'notice ok', role: 'status', id: 'order-created' },
            t('planner.orders.created', { code: state.created }),
          )
        : null,
      board.canPlan ? erp.element : null,
      rowProblemBox(),
      detail.element,
      listBody(),
    );
    if (focused) content.querySelector(`#${focused}`)?.focus();
  }

  function orderForm() {
    const problem = h('div', { class: 'form-problem', hidden: true });
    if (state.formProblem) renderProblem(problem, state.formProblem);
    const f = state.form;
    return h(
      'form',
      {
        class: 'planner-form panel',
        id: 'order-form',
        'aria-labelledby': 'order-form-title',
        onsubmit: (e) => {
          e.preventDefault();
          void createOrder(e.target);
        },
      },
      h('h3', { id: 'order-form-title' }, t('planner.orders.newTitle')),
      h(
        'div',
        { class: 'planner-form-grid' },
        field(
          t('planner.orders.material'),
          h('input', {
            id: 'order-material',
            name: 'material',
            required: true,
            list: 'order-materials',
            autocomplete: 'off',
            ...bind(f, 'material'),
          }),
        ),
        h(
          'datalist',
          { id: 'order-materials' },
          state.materials
            .filter((m) => ['finished', 'semi_finished'].includes(m.materialClass))
            .map((m) => h('option', { value: m.code }, m.name)),
        ),
        field(
          t('planner.orders.quantity'),
          h('input', {
            id: 'order-quantity',
            name: 'quantity',
            required: true,
            inputmode: 'decimal',
            pattern: '^\\d+(\\.\\d+)?$',
            ...bind(f, 'quantity'),
          }),
        ),
        field(
          t('planner.orders.dueAt', { zone: site.timeZone }),
          h('input', {
            id: 'order-due',
            name: 'dueAt',
            type: 'datetime-local',
            required: true,
            ...bind(f, 'dueAt'),
          }),
        ),
        field(
          t('planner.orders.priority'),
          h(
            'select',
            { id: 'order-priority', name: 'priority', onchange: (e) => (f.priority = e.target.value) },
            ['normal', 'rush'].map((p) =>
              h('option', { value: p, selected: f.priority === p }, t(`planner.priority.${p}`)),
            ),
          ),
        ),
        field(
          t('planner.orders.code'),
          h('input', {
            id: 'order-code',
            name: 'code',
            placeholder: t('planner.orders.codeAuto'),
            ...bind(f, 'code'),
          }),
        ),
      ),
      problem,
      h(
        'div',
        { class: 'planner-actions' },
        h('button', { type: 'submit', class: 'primary', id: 'order-submit' }, t('planner.orders.create')),
        h(
          'button',
          {
            type: 'button',
            onclick: () => {
              state.formOpen = false;
              state.formProblem = null;
              paint();
            },
          },
          t('planner.cancel'),
        ),
      ),
    );
  }

  async function createOrder(form) {
    const f = state.form;
    const submit = form.querySelector('#order-submit');
    submit.disabled = true;
    const body = {
      material: f.material.trim(),
      quantity: f.quantity.trim(),
      dueAt: zonedInputToIso(f.dueAt, site.timeZone) ?? f.dueAt,
      priority: f.priority,
      ...(f.code.trim() ? { code: f.code.trim() } : {}),
    };
    try {
      const created = await workOrders(site.id, '', { method: 'POST', body });
      state.created = created.code;
      state.form = blankForm();
      state.formOpen = false;
      state.formProblem = null;
      board.changed(created);
      await load();
      board.orderCreated?.(created);
    } catch (error) {
      state.formProblem = error;
      paint();
    }
  }

  function rowProblemBox() {
    if (!state.rowProblem) return null;
    const box = h('div', { class: 'row-problem', id: 'orders-problem' });
    renderProblem(box, state.rowProblem.error);
    const { error, wo } = state.rowProblem;
    if (error instanceof ApiError && error.code === 'MATERIAL_SHORT' && board.canPlan) {
      box.append(
        h(
          'p',
          {},
          h('span', {}, t('planner.orders.shortHint', { code: wo.code })),
          ' ',
          h(
            'button',
            {
              type: 'button',
              id: 'release-anyway',
              onclick: () => void move(wo, 'release', { allowShortage: true }),
            },
            t('planner.orders.releaseAnyway'),
          ),
        ),
      );
    }
    return box;
  }

  function listBody() {
    if (state.error) {
      const box = h('div', {});
      renderProblem(box, state.error);
      return box;
    }
    if (!state.page) return h('p', { class: 'muted', 'aria-busy': 'true' }, t('common.loading'));
    const items = state.page.items;
    if (items.length === 0) return h('p', { class: 'muted', id: 'orders-empty' }, t('planner.orders.empty'));
    const lateIds = board.lateIds();
    const lateCount = items.filter((wo) => isLate(wo, lateIds)).length;
    const columns = ['code', 'material', 'quantity', 'status', 'due', 'plannedStart', 'plannedEnd'];
    return h(
      'div',
      {},
      h(
        'p',
        { class: 'muted small', id: 'orders-count' },
        t('planner.orders.count', {
          shown: formatNumber(items.length),
          total: formatNumber(state.page.total),
        }),
        lateCount > 0 ? ' · ' : '',
        lateCount > 0
          ? h(
              'strong',
              { class: 'late-text' },
              t('planner.orders.lateCount', { count: formatNumber(lateCount) }),
            )
          : '',
      ),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table planner-orders', id: 'orders-table' },
          h('caption', { class: 'visually-hidden' }, t('planner.orders.title')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              columns.map((c) => h('th', { scope: 'col' }, t(`planner.orders.col.${c}`))),
              board.canPlan ? h('th', { scope: 'col' }, t('planner.orders.col.actions')) : null,
            ),
          ),
          h(
            'tbody',
            {},
            items.map((wo) => {
              const late = isLate(wo, lateIds);
              return h(
                'tr',
                {
                  dataset: { wo: wo.code, status: wo.status },
                  class:
                    [late ? 'late' : '', detail.openId() === wo.id ? 'selected' : ''].join(' ').trim() ||
                    undefined,
                },
                h(
                  'th',
                  { scope: 'row' },
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'link-button',
                      dataset: { open: wo.code },
                      'aria-expanded': String(detail.openId() === wo.id),
                      'aria-controls': 'order-detail',
                      'aria-label': t('planner.orders.openDetail', { code: wo.code }),
                      onclick: () => detail.open(wo.id),
                    },
                    wo.code,
                  ),
                  wo.priority === 'rush' ? h('span', { class: 'badge rush' }, t('planner.rush')) : null,
                ),
                h('td', {}, wo.materialCode),
                h('td', { class: 'num' }, formatNumber(wo.quantity)),
                h(
                  'td',
                  {},
                  h('span', { class: `badge status-${wo.status}` }, tOr('status', wo.status)),
                  wo.status === 'held' && wo.holdReason
                    ? h('span', { class: 'muted small row-line' }, wo.holdReason)
                    : null,
                ),
                h(
                  'td',
                  { class: 'nowrap', dataset: { field: 'due' } },
                  time(wo.dueAt, site),
                  late
                    ? h('span', { class: 'badge danger', dataset: { late: 'true' } }, t('planner.late'))
                    : null,
                ),
                h('td', { class: 'nowrap' }, time(wo.plannedStart, site)),
                h('td', { class: 'nowrap' }, time(wo.plannedEnd, site)),
                board.canPlan ? h('td', { class: 'row-actions' }, actions(wo)) : null,
              );
            }),
          ),
        ),
      ),
    );
  }

  function actions(wo, where = 'row') {
    const busy = state.busy.has(wo.id);
    return movesFor(wo).map((m) =>
      h(
        'button',
        {
          type: 'button',
          class: m.primary ? 'primary small-button' : 'small-button',
          disabled: busy,
          dataset: { action: m.command, where },
          'aria-label': t('planner.orders.actionOn', {
            action: t(`planner.orders.action.${m.command}`),
            code: wo.code,
          }),
          onclick: () => void ask(wo, m),
        },
        t(`planner.orders.action.${m.command}`),
      ),
    );
  }

  async function ask(wo, m) {
    if (!m.reason) return move(wo, m.command, {});
    const reason = await askReason(t(`planner.orders.reasonTitle.${m.command}`, { code: wo.code }));
    if (reason === null) return;
    return move(wo, m.command, { reason });
  }

  async function move(wo, command, body) {
    state.busy.add(wo.id);
    state.rowProblem = null;
    paint();
    try {
      const path = MOVES.find((m) => m.command === command)?.path ?? command;
      await workOrders(site.id, `${wo.id}/${path}`, { method: 'POST', body });
      board.changed(wo);
    } catch (error) {
      state.rowProblem = { wo, error };
    } finally {
      state.busy.delete(wo.id);
    }
    await load();
    if (detail.openId() === wo.id) await detail.refresh(false);
  }

  /** A reason in a modal dialog (hold, cancel): the text, or null when the person backs out. */
  function askReason(title) {
    return new Promise((resolve) => {
      const input = h('textarea', { id: 'reason-input', required: true, maxlength: '500', rows: '3' });
      const finish = (value) => {
        dialog.close();
        resolve(value);
      };
      fill(
        dialog,
        h(
          'form',
          {
            method: 'dialog',
            onsubmit: (e) => {
              e.preventDefault();
              if (!input.value.trim()) return input.reportValidity();
              finish(input.value.trim());
            },
          },
          h('h3', {}, title),
          field(t('planner.orders.reason'), input),
          h(
            'div',
            { class: 'planner-actions' },
            h('button', { type: 'submit', class: 'primary', id: 'reason-confirm' }, t('planner.confirm')),
            h('button', { type: 'button', onclick: () => finish(null) }, t('planner.cancel')),
          ),
        ),
      );
      dialog.oncancel = () => resolve(null);
      dialog.showModal();
      input.focus();
    });
  }

  paint();
  void load();
  void loadMaterials();

  return {
    element,
    refresh: () => {
      void detail.refresh();
      return load();
    },
    relabel() {
      erp.relabel();
      detail.relabel();
      paint();
    },
    openOrder: (id) => detail.open(id),
    liveChanged: paint,
    openForm(priority) {
      state.formOpen = true;
      state.form.priority = priority ?? state.form.priority;
      paint();
    },
    unmount() {
      loadId++;
      if (dialog.open) dialog.close();
    },
  };
}
