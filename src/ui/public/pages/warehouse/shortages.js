// What the lines are short of (缺料): short pick tasks and line-side replenishment requests (补料).
import { api } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, t } from '../../i18n.js';
import { badge, codeOf, compareDecimal, lookups, newKey, qty, showProblem, unitOf } from './common.js';

const COALESCE_MS = 150;

export function mountShortages(container, ctx) {
  const site = ctx.site;
  const can = ctx.can;
  const state = { look: null, short: null, replenishments: null, errors: {}, notice: null, busy: false };
  const removers = [];
  let timer = null;
  let alive = true;
  const root = h('div', { class: 'wh-shortages' });
  container.replaceChildren(root);

  async function load() {
    try {
      state.look ??= await lookups(site.id);
      const [short, replenishments] = await Promise.all([
        api(`/sites/${site.id}/wms/pick-tasks`, { query: { status: 'shortage', limit: 200 } }),
        api(`/sites/${site.id}/inventory/line-replenishments`, { query: { status: 'open', limit: 100 } }),
      ]);
      state.short = short;
      state.replenishments = replenishments;
      delete state.errors.list;
    } catch (error) {
      state.errors.list = error;
    }
    if (alive) paint();
  }

  function paint() {
    if (!alive) return;
    const problem = h('div', { class: 'wh-problem', id: 'wh-short-problem' });
    if (state.errors.list) showProblem(problem, state.errors.list);
    else if (state.errors.act) showProblem(problem, state.errors.act);
    root.replaceChildren(
      ...[
        h('p', { class: 'notice wh-notice', role: 'status', hidden: !state.notice }, state.notice ?? ''),
        problem,
        shortPanel(),
        replenishPanel(),
      ].filter(Boolean),
    );
  }

  function shortPanel() {
    const look = state.look;
    const list = state.short;
    return h(
      'section',
      { class: 'panel wh-panel', 'aria-labelledby': 'wh-short-title' },
      h('h2', { id: 'wh-short-title' }, t('warehouse.short.title')),
      !list || !look
        ? h('p', { class: 'muted', 'aria-busy': 'true' }, t('warehouse.loading'))
        : list.length === 0
          ? h('p', { class: 'muted', id: 'wh-short-empty' }, t('warehouse.short.empty'))
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'table wh-table', id: 'wh-short-table' },
                h('caption', { class: 'visually-hidden' }, t('warehouse.short.title')),
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['workOrder', 'line', 'needBy', 'missing', 'reason'].map((c) =>
                      h('th', { scope: 'col' }, t(`warehouse.short.col.${c}`)),
                    ),
                    can.pick ? h('th', { scope: 'col' }, t('warehouse.short.col.action')) : null,
                  ),
                ),
                h(
                  'tbody',
                  {},
                  list.map((task) =>
                    h(
                      'tr',
                      { dataset: { task: task.id, wo: task.workOrderCode } },
                      h(
                        'th',
                        { scope: 'row' },
                        h(
                          'a',
                          { href: `/warehouse?view=tasks&task=${task.id}`, 'data-link': true },
                          task.workOrderCode,
                        ),
                      ),
                      h('td', {}, codeOf(look.lines, task.lineId)),
                      h('td', {}, formatDateTime(task.needBy, site.timeZone)),
                      h(
                        'td',
                        { dataset: { field: 'missing' } },
                        h(
                          'ul',
                          { class: 'wh-inline-list' },
                          task.lines
                            .filter((l) => compareDecimal(l.openQty, '0') > 0)
                            .map((l) => h('li', {}, `${l.materialCode} ${qty(l.openQty, l.unitCode)}`)),
                        ),
                      ),
                      h('td', {}, task.note ?? '—'),
                      can.pick
                        ? h(
                            'td',
                            {},
                            h(
                              'button',
                              {
                                type: 'button',
                                disabled: state.busy,
                                dataset: { action: 'retry' },
                                onclick: () =>
                                  void command(async () => {
                                    const done = await api(
                                      `/sites/${site.id}/wms/pick-tasks/${task.id}/confirm`,
                                      {
                                        method: 'POST',
                                        body: {},
                                        idempotencyKey: newKey(),
                                      },
                                    );
                                    return done.status === 'delivered'
                                      ? t('warehouse.pick.delivered', { wo: task.workOrderCode })
                                      : t('warehouse.short.stillShort', { wo: task.workOrderCode });
                                  }),
                              },
                              t('warehouse.short.retry'),
                            ),
                          )
                        : null,
                    ),
                  ),
                ),
              ),
            ),
    );
  }

  function replenishPanel() {
    const look = state.look;
    const list = state.replenishments;
    return h(
      'section',
      { class: 'panel wh-panel', 'aria-labelledby': 'wh-repl-title' },
      h('h2', { id: 'wh-repl-title' }, t('warehouse.repl.title')),
      !list || !look
        ? h('p', { class: 'muted', 'aria-busy': 'true' }, t('warehouse.loading'))
        : list.items.length === 0
          ? h('p', { class: 'muted', id: 'wh-repl-empty' }, t('warehouse.repl.empty'))
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'table wh-table', id: 'wh-repl-table' },
                h('caption', { class: 'visually-hidden' }, t('warehouse.repl.title')),
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['code', 'location', 'material', 'requested', 'availableAt', 'created', 'status'].map(
                      (c) => h('th', { scope: 'col' }, t(`warehouse.repl.col.${c}`)),
                    ),
                    can.replenish ? h('th', { scope: 'col' }, t('warehouse.repl.col.action')) : null,
                  ),
                ),
                h(
                  'tbody',
                  {},
                  list.items.map((r) => {
                    const unit = unitOf(look, r.materialId);
                    return h(
                      'tr',
                      { dataset: { replenishment: r.code } },
                      h('th', { scope: 'row' }, r.code),
                      h('td', {}, codeOf(look.locations, r.locationId)),
                      h('td', {}, codeOf(look.materials, r.materialId)),
                      h('td', { class: 'num' }, qty(r.requestedQty, unit)),
                      h('td', { class: 'num' }, qty(r.availableQtyAtRequest, unit)),
                      h('td', {}, formatDateTime(r.createdAt, site.timeZone)),
                      h('td', {}, badge('replStatus', r.status)),
                      can.replenish
                        ? h(
                            'td',
                            {},
                            h(
                              'button',
                              {
                                type: 'button',
                                class: 'primary',
                                disabled: state.busy,
                                dataset: { action: 'deliver' },
                                onclick: () =>
                                  void command(async () => {
                                    const done = await api(
                                      `/sites/${site.id}/inventory/line-replenishments/${r.id}/confirm`,
                                      { method: 'POST', body: {}, idempotencyKey: newKey() },
                                    );
                                    return t('warehouse.repl.done', {
                                      code: r.code,
                                      status: t(`warehouse.replStatus.${done.status}`),
                                    });
                                  }),
                              },
                              t('warehouse.repl.deliver'),
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

  async function command(work) {
    state.busy = true;
    state.notice = null;
    delete state.errors.act;
    paint();
    try {
      state.notice = await work();
    } catch (error) {
      state.errors.act = error;
    } finally {
      state.busy = false;
    }
    await load();
  }

  if (ctx.live) {
    for (const event of ['pick.task', 'pick.shortage', 'stock.alert']) {
      removers.push(
        ctx.live.on(event, (pushed) => {
          if (pushed?.siteId && pushed.siteId !== site.id) return;
          timer ??= setTimeout(() => {
            timer = null;
            void load();
          }, COALESCE_MS);
        }),
      );
    }
    removers.push(ctx.live.on('resync', () => void load()));
  }
  void load();
  return {
    unmount() {
      alive = false;
      clearTimeout(timer);
      for (const remove of removers) remove();
    },
    relabel: paint,
  };
}
