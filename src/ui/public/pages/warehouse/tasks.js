// Pick tasks (备料) and putaways (入库上架): the warehouse's queue, live as releases create tasks.
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

const OPEN = ['pending', 'sent', 'accepted', 'picking', 'shortage'];
const DONE = ['delivered', 'cancelled', 'failed'];
const ACCEPTABLE = ['pending', 'sent'];
const CONFIRMABLE = ['pending', 'sent', 'accepted', 'picking', 'shortage'];
const COALESCE_MS = 150;
const REFRESH_EVERY_MS = 30_000;

export function mountTasks(container, ctx) {
  const site = ctx.site;
  const can = ctx.can;
  const state = {
    look: null,
    tasks: null,
    putaways: null,
    suggestions: new Map(),
    selected: ctx.params.get('task'),
    show: ctx.params.get('show') === 'done' ? 'done' : 'open',
    errors: {},
    notice: null,
    busy: false,
  };
  /** What the person typed, kept across live repaints: `${taskId}:${lineNo}` → {lot, qty}; reasons by task. */
  const draft = new Map();
  const reasons = new Map();
  const bins = new Map();
  const removers = [];
  const timers = { coalesce: null, periodic: null };
  let alive = true;

  const root = h('div', { class: 'wh-tasks' });
  container.replaceChildren(root);

  async function load({ suggestions = true } = {}) {
    try {
      state.look ??= await lookups(site.id);
      const [tasks, putaways] = await Promise.all([
        api(`/sites/${site.id}/wms/pick-tasks`, {
          query: { status: (state.show === 'done' ? DONE : OPEN).join(','), limit: 200 },
        }),
        api(`/sites/${site.id}/wms/putaways`, { query: { status: 'pending,sent' } }),
      ]);
      state.tasks = tasks;
      state.putaways = putaways;
      delete state.errors.load;
      if (suggestions && state.selected) await loadSuggestions(state.selected);
    } catch (error) {
      state.errors.load = error;
    }
    if (alive) paint();
  }

  async function loadSuggestions(id) {
    const task = state.tasks?.find((x) => x.id === id);
    if (!task || !CONFIRMABLE.includes(task.status)) return;
    try {
      state.suggestions.set(id, await api(`/sites/${site.id}/wms/pick-tasks/${id}/suggestions`));
      delete state.errors.suggestions;
    } catch (error) {
      state.errors.suggestions = error;
    }
  }

  function refreshSoon() {
    timers.coalesce ??= setTimeout(() => {
      timers.coalesce = null;
      void load();
    }, COALESCE_MS);
  }

  function select(id) {
    state.selected = id;
    const query = new URLSearchParams({ view: 'tasks', ...(id ? { task: id } : {}) });
    history.replaceState(null, '', `/warehouse?${query}`);
    paint();
    void loadSuggestions(id).then(() => alive && paint());
    requestAnimationFrame(() => root.querySelector('#wh-task-detail')?.focus());
  }

  // ——— painting ———

  function paint() {
    if (!alive) return;
    const focusedId = document.activeElement?.id;
    root.replaceChildren(...[notice(), taskList(), detail(), putawayList()].filter(Boolean));
    if (focusedId && root.querySelector(`#${CSS.escape(focusedId)}`)) {
      root.querySelector(`#${CSS.escape(focusedId)}`).focus();
    }
  }

  function notice() {
    return h(
      'p',
      { class: 'notice wh-notice', id: 'wh-notice', role: 'status', hidden: !state.notice },
      state.notice ?? '',
    );
  }

  function taskList() {
    const problem = h('div', { class: 'wh-problem', id: 'wh-tasks-problem' });
    if (state.errors.load) showProblem(problem, state.errors.load);
    const tasks = state.tasks;
    return h(
      'section',
      { class: 'panel wh-panel', 'aria-labelledby': 'wh-tasks-title' },
      h(
        'div',
        { class: 'wh-panel-head' },
        h('h2', { id: 'wh-tasks-title' }, t('warehouse.tasks.title')),
        h(
          'div',
          { class: 'wh-toolbar', role: 'group', 'aria-label': t('warehouse.tasks.show') },
          ['open', 'done'].map((name) =>
            h(
              'button',
              {
                type: 'button',
                id: `wh-show-${name}`,
                'aria-pressed': String(state.show === name),
                class: state.show === name ? 'primary' : undefined,
                onclick: () => {
                  state.show = name;
                  state.selected = null;
                  void load();
                },
              },
              t(`warehouse.tasks.show.${name}`),
            ),
          ),
        ),
      ),
      problem,
      tasks === null
        ? h('p', { class: 'muted', 'aria-busy': 'true' }, t('warehouse.loading'))
        : tasks.length === 0
          ? h('p', { class: 'muted', id: 'wh-tasks-empty' }, t(`warehouse.tasks.empty.${state.show}`))
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'table wh-table', id: 'wh-task-table' },
                h('caption', { class: 'visually-hidden' }, t('warehouse.tasks.title')),
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['workOrder', 'line', 'priority', 'needBy', 'status', 'route', 'materials'].map((c) =>
                      h('th', { scope: 'col' }, t(`warehouse.tasks.col.${c}`)),
                    ),
                  ),
                ),
                h('tbody', {}, tasks.map(taskRow)),
              ),
            ),
    );
  }

  function taskRow(task) {
    const look = state.look;
    const late = OPEN.includes(task.status) && new Date(task.needBy).getTime() < Date.now();
    return h(
      'tr',
      {
        dataset: { task: task.id, wo: task.workOrderCode, status: task.status },
        class: [task.id === state.selected ? 'selected' : '', task.priority === 'rush' ? 'rush' : '']
          .join(' ')
          .trim(),
      },
      h(
        'th',
        { scope: 'row' },
        h(
          'button',
          {
            type: 'button',
            class: 'link wh-open-task',
            'aria-expanded': String(task.id === state.selected),
            onclick: () => select(task.id === state.selected ? null : task.id),
          },
          task.workOrderCode,
        ),
      ),
      h('td', {}, codeOf(look.lines, task.lineId)),
      h('td', {}, badge('priority', task.priority)),
      h(
        'td',
        { class: late ? 'wh-late' : undefined },
        h('time', { datetime: task.needBy }, formatDateTime(task.needBy, site.timeZone)),
        late ? h('span', { class: 'badge danger' }, t('warehouse.tasks.late')) : null,
      ),
      h('td', { dataset: { field: 'status' } }, badge('taskStatus', task.status)),
      h(
        'td',
        { class: 'nowrap' },
        `${t('warehouse.tasks.fromWarehouse')} → ${codeOf(look.locations, task.destinationLocationId)}`,
      ),
      h(
        'td',
        {},
        h(
          'ul',
          { class: 'wh-inline-list' },
          task.lines.map((l) =>
            h('li', {}, `${l.materialCode} ${qty(l.openQty === '0' ? l.quantity : l.openQty, l.unitCode)}`),
          ),
        ),
      ),
    );
  }

  function detail() {
    const task = state.tasks?.find((x) => x.id === state.selected);
    if (!task) return null;
    const look = state.look;
    const suggestions = state.suggestions.get(task.id) ?? [];
    const problem = h('div', { class: 'wh-problem', id: 'wh-pick-problem' });
    if (state.errors.pick) showProblem(problem, state.errors.pick);
    else if (state.errors.suggestions) showProblem(problem, state.errors.suggestions);
    const actionable = can.pick && CONFIRMABLE.includes(task.status);
    const rows = task.lines.map((line) => {
      const key = `${task.id}:${line.lineNo}`;
      const own = draft.get(key) ?? { lot: '', qty: line.openQty };
      const suggestion = suggestions.find((s) => s.lineNo === line.lineNo);
      const open = compareDecimal(line.openQty, '0') > 0;
      const lotInput = input({
        id: `wh-lot-${line.lineNo}`,
        class: 'wh-scan',
        value: own.lot,
        placeholder: suggestion?.allocations[0]?.lotCode ?? t('warehouse.pick.anyLot'),
        'aria-label': t('warehouse.pick.lotFor', { material: line.materialCode }),
        oninput: (e) => draft.set(key, { ...own, ...draft.get(key), lot: e.target.value.trim() }),
      });
      const qtyInput = quantityInput({
        id: `wh-qty-${line.lineNo}`,
        value: own.qty,
        'aria-label': t('warehouse.pick.qtyFor', { material: line.materialCode }),
        oninput: (e) => draft.set(key, { ...own, ...draft.get(key), qty: e.target.value }),
      });
      return h(
        'tr',
        { dataset: { line: String(line.lineNo), material: line.materialCode } },
        h(
          'th',
          { scope: 'row' },
          line.materialCode,
          h('span', { class: 'muted row-line' }, look.materials.get(line.materialId)?.name ?? ''),
        ),
        h('td', { class: 'num' }, qty(line.quantity, line.unitCode)),
        h('td', { class: 'num', dataset: { field: 'delivered' } }, qty(line.deliveredQty, line.unitCode)),
        h(
          'td',
          { class: 'num', dataset: { field: 'short' } },
          compareDecimal(line.shortQty, '0') > 0
            ? h('span', { class: 'badge danger' }, qty(line.shortQty, line.unitCode))
            : '—',
        ),
        h('td', { class: 'num', dataset: { field: 'open' } }, qty(line.openQty, line.unitCode)),
        h('td', { dataset: { field: 'suggestion' } }, suggestionCell(suggestion, line.unitCode)),
        actionable ? h('td', {}, open ? lotInput : '—') : null,
        actionable ? h('td', {}, open ? qtyInput : '—') : null,
      );
    });
    const reasonInput = input({
      value: reasons.get(task.id) ?? '',
      maxlength: '500',
      oninput: (e) => reasons.set(task.id, e.target.value),
    });
    return h(
      'section',
      {
        class: 'panel wh-panel wh-task-detail',
        id: 'wh-task-detail',
        tabindex: '-1',
        'aria-labelledby': 'wh-task-detail-title',
        dataset: { task: task.id, status: task.status },
      },
      h(
        'div',
        { class: 'wh-panel-head' },
        h('h2', { id: 'wh-task-detail-title' }, t('warehouse.pick.title', { wo: task.workOrderCode })),
        badge('taskStatus', task.status),
        badge('priority', task.priority),
        h('button', { type: 'button', class: 'link', onclick: () => select(null) }, t('warehouse.close')),
      ),
      h(
        'dl',
        { class: 'wh-facts' },
        fact(t('warehouse.tasks.col.line'), codeOf(look.lines, task.lineId)),
        fact(t('warehouse.tasks.col.needBy'), formatDateTime(task.needBy, site.timeZone)),
        fact(
          t('warehouse.tasks.col.route'),
          `${t('warehouse.tasks.fromWarehouse')} → ${codeOf(look.locations, task.destinationLocationId)}`,
        ),
        fact(
          t('warehouse.pick.policy'),
          suggestions[0] ? t(`warehouse.policy.${suggestions[0].policy}`) : '—',
        ),
        task.note ? fact(t('warehouse.pick.note'), task.note) : null,
        task.deliveredAt
          ? fact(t('warehouse.pick.deliveredAt'), formatDateTime(task.deliveredAt, site.timeZone))
          : null,
      ),
      problem,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table wh-table wh-pick-lines', id: 'wh-pick-lines' },
          h('caption', { class: 'visually-hidden' }, t('warehouse.pick.lines')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['material', 'quantity', 'delivered', 'short', 'open', 'suggested'].map((c) =>
                h('th', { scope: 'col' }, t(`warehouse.pick.col.${c}`)),
              ),
              actionable ? h('th', { scope: 'col' }, t('warehouse.pick.col.lot')) : null,
              actionable ? h('th', { scope: 'col' }, t('warehouse.pick.col.picked')) : null,
            ),
          ),
          h('tbody', {}, rows),
        ),
      ),
      actionable
        ? h(
            'form',
            {
              class: 'wh-form wh-pick-form',
              id: 'wh-pick-form',
              onsubmit: (e) => {
                e.preventDefault();
                void confirmPick(task);
              },
            },
            field(
              'wh-short-reason',
              t('warehouse.pick.shortReason'),
              reasonInput,
              t('warehouse.pick.shortReasonHint'),
            ),
            h(
              'div',
              { class: 'wh-actions' },
              ACCEPTABLE.includes(task.status)
                ? h(
                    'button',
                    {
                      type: 'button',
                      id: 'wh-accept-pick',
                      disabled: state.busy,
                      onclick: () => void accept(task),
                    },
                    t('warehouse.pick.accept'),
                  )
                : null,
              h(
                'button',
                { type: 'submit', class: 'primary', id: 'wh-confirm-pick', disabled: state.busy },
                t('warehouse.pick.confirm'),
              ),
            ),
          )
        : null,
    );
  }

  function suggestionCell(suggestion, unit) {
    if (!suggestion) return '—';
    const look = state.look;
    return h(
      'ul',
      { class: 'wh-inline-list wh-suggestions' },
      suggestion.allocations.map((a) =>
        h(
          'li',
          { dataset: { lot: a.lotCode } },
          h('strong', {}, a.lotCode),
          ` ${qty(a.quantity, unit)} @ ${codeOf(look.locations, a.locationId)}`,
          a.expiryDate
            ? h('span', { class: 'muted' }, ` ${t('warehouse.expires', { date: a.expiryDate })}`)
            : null,
        ),
      ),
      compareDecimal(suggestion.shortQty, '0') > 0
        ? h(
            'li',
            { class: 'wh-short' },
            t('warehouse.pick.wouldBeShort', { qty: qty(suggestion.shortQty, unit) }),
          )
        : null,
    );
  }

  function putawayList() {
    const look = state.look;
    const list = state.putaways;
    if (!look || !list) return null;
    const problem = h('div', { class: 'wh-problem', id: 'wh-putaway-problem' });
    if (state.errors.putaway) showProblem(problem, state.errors.putaway);
    return h(
      'section',
      { class: 'panel wh-panel', 'aria-labelledby': 'wh-putaways-title' },
      h('h2', { id: 'wh-putaways-title' }, t('warehouse.putaway.title')),
      problem,
      list.length === 0
        ? h('p', { class: 'muted' }, t('warehouse.putaway.empty'))
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table wh-table', id: 'wh-putaway-table' },
              h('caption', { class: 'visually-hidden' }, t('warehouse.putaway.title')),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['lot', 'material', 'quantity', 'from', 'created', 'status'].map((c) =>
                    h('th', { scope: 'col' }, t(`warehouse.putaway.col.${c}`)),
                  ),
                  can.pick ? h('th', { scope: 'col' }, t('warehouse.putaway.col.bin')) : null,
                ),
              ),
              h(
                'tbody',
                {},
                list.map((p) => {
                  const select = h(
                    'select',
                    {
                      id: `wh-bin-${p.id}`,
                      'aria-label': t('warehouse.putaway.binFor', { lot: p.lotCode }),
                      onchange: (e) => bins.set(p.id, e.target.value),
                    },
                    locationOptions(look, {
                      types: ['warehouse', 'zone', 'bin'],
                      selected: bins.get(p.id),
                      placeholder: t('warehouse.putaway.pickBin'),
                    }),
                  );
                  return h(
                    'tr',
                    { dataset: { putaway: p.id, lot: p.lotCode } },
                    h(
                      'th',
                      { scope: 'row' },
                      h(
                        'a',
                        {
                          href: `/warehouse?view=stock&lot=${encodeURIComponent(p.lotCode)}`,
                          'data-link': true,
                        },
                        p.lotCode,
                      ),
                    ),
                    h('td', {}, codeOf(look.materials, p.materialId)),
                    h('td', { class: 'num' }, qty(p.quantity, unitOf(look, p.materialId))),
                    h('td', {}, codeOf(look.locations, p.fromLocationId)),
                    h('td', {}, formatDateTime(p.createdAt, site.timeZone)),
                    h('td', {}, badge('putawayStatus', p.status)),
                    can.pick
                      ? h(
                          'td',
                          { class: 'wh-row-form' },
                          select,
                          h(
                            'button',
                            {
                              type: 'button',
                              class: 'primary',
                              disabled: state.busy,
                              dataset: { action: 'putaway' },
                              onclick: () => void confirmPutaway(p),
                            },
                            t('warehouse.putaway.confirm'),
                          ),
                        )
                      : null,
                  );
                }),
              ),
            ),
          ),
    );
  }

  // ——— commands ———

  async function run(kind, work) {
    state.busy = true;
    delete state.errors[kind];
    state.notice = null;
    paint();
    try {
      state.notice = await work();
    } catch (error) {
      state.errors[kind] = error;
    } finally {
      state.busy = false;
    }
    await load();
    if (state.errors[kind]) root.querySelector('.wh-problem .problem')?.scrollIntoView({ block: 'nearest' });
  }

  function accept(task) {
    return run('pick', async () => {
      await api(`/sites/${site.id}/wms/pick-tasks/${task.id}/accept`, {
        method: 'POST',
        body: {},
        idempotencyKey: newKey(),
      });
      return t('warehouse.pick.accepted', { wo: task.workOrderCode });
    });
  }

  function confirmPick(task) {
    const lines = [];
    let short = false;
    for (const line of task.lines) {
      if (compareDecimal(line.openQty, '0') <= 0) continue;
      const own = draft.get(`${task.id}:${line.lineNo}`);
      const typed = own?.qty ?? line.openQty;
      const value = cleanQuantity(typed);
      if (value === null) {
        state.errors.pick = localProblem(t('warehouse.pick.badQty', { material: line.materialCode }));
        paint();
        return Promise.resolve();
      }
      if (compareDecimal(value, line.openQty) < 0) short = true;
      if (own?.lot || compareDecimal(value, line.openQty) !== 0) {
        lines.push({ lineNo: line.lineNo, qty: value, ...(own?.lot ? { lot: own.lot } : {}) });
      }
    }
    const reason = (reasons.get(task.id) ?? '').trim();
    if (short && !reason) {
      state.errors.pick = localProblem(t('warehouse.pick.needReason'));
      paint();
      root.querySelector('#wh-short-reason')?.focus();
      return Promise.resolve();
    }
    return run('pick', async () => {
      const done = await api(`/sites/${site.id}/wms/pick-tasks/${task.id}/confirm`, {
        method: 'POST',
        body: { ...(lines.length ? { lines } : {}), ...(short && reason ? { shortReason: reason } : {}) },
        idempotencyKey: newKey(),
      });
      for (const line of task.lines) draft.delete(`${task.id}:${line.lineNo}`);
      reasons.delete(task.id);
      return done.status === 'delivered'
        ? t('warehouse.pick.delivered', { wo: task.workOrderCode })
        : t('warehouse.pick.shortReported', { wo: task.workOrderCode });
    });
  }

  function confirmPutaway(p) {
    const bin = bins.get(p.id);
    if (!bin) {
      state.errors.putaway = localProblem(t('warehouse.putaway.needBin', { lot: p.lotCode }));
      paint();
      return Promise.resolve();
    }
    return run('putaway', async () => {
      await api(`/sites/${site.id}/wms/putaways/${p.id}/confirm`, {
        method: 'POST',
        body: { location: bin },
        idempotencyKey: newKey(),
      });
      bins.delete(p.id);
      return t('warehouse.putaway.done', { lot: p.lotCode, bin });
    });
  }

  // ——— live ———
  if (ctx.live) {
    for (const event of ['pick.task', 'pick.shortage']) {
      removers.push(
        ctx.live.on(event, (pushed) => {
          if (!pushed?.siteId || pushed.siteId === site.id) refreshSoon();
        }),
      );
    }
    removers.push(ctx.live.on('resync', () => refreshSoon()));
  }
  timers.periodic = setInterval(() => void load({ suggestions: false }), REFRESH_EVERY_MS);
  void load();

  return {
    unmount() {
      alive = false;
      clearTimeout(timers.coalesce);
      clearInterval(timers.periodic);
      for (const remove of removers) remove();
    },
    relabel: paint,
  };
}

function fact(label, value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}
