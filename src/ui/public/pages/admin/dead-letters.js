// Dead letters (死信): messages to other systems (WMS, ERP, webhooks) the outbox gave up on after its last
// attempt, with the error; an administrator sends them again (one, or all of a destination).
import { api } from '../../api.js';
import { dataTable, h } from '../../dom.js';
import { formatNumber, t, tOr } from '../../i18n.js';
import {
  clearProblem,
  clip,
  debounce,
  field,
  flash,
  formActions,
  openModal,
  pager,
  problemBox,
  showProblem,
  submitting,
  when,
  fill,
} from './common.js';

const LIMIT = 50;
const STATUSES = ['dead', 'pending', 'delivered'];
/** After a redrive the relay needs a moment: the list is read again once more by itself. */
const RECHECK_MS = 2500;

export function mountDeadLetters(container, ctx) {
  const { site, admin } = ctx;
  const state = { status: 'dead', destination: '', offset: 0, page: null, error: null };
  let alive = true;
  let generation = 0;
  let recheck = null;

  const head = h('div', { class: 'admin-toolbar' });
  const message = h('p', { class: 'admin-flash', id: 'outbox-flash', role: 'status', hidden: true });
  const problem = problemBox('outbox-problem');
  const body = h('div', { class: 'admin-body', id: 'outbox-body', 'aria-busy': 'true' });
  fill(container, h('h2', { class: 'visually-hidden', id: 'outbox-title' }), head, message, problem, body);

  const reload = debounce(() => {
    state.offset = 0;
    void load();
  }, 300);

  async function load() {
    const mine = ++generation;
    body.setAttribute('aria-busy', 'true');
    try {
      const page = await api('/admin/outbox/messages', {
        query: {
          status: state.status || undefined,
          destination: state.destination.trim() || undefined,
          limit: LIMIT,
          offset: state.offset,
        },
      });
      if (mine !== generation) return;
      state.page = page;
      state.error = null;
    } catch (error) {
      if (mine !== generation) return;
      state.error = error;
    }
    if (!alive) return;
    body.setAttribute('aria-busy', 'false');
    paintBody();
  }

  function paintHead() {
    container.querySelector('#outbox-title').textContent = t('admin.tab.dead-letters');
    fill(
      head,
      h(
        'label',
        { class: 'admin-search' },
        h('span', {}, t('admin.outbox.status')),
        h(
          'select',
          {
            id: 'outbox-status',
            onchange: (event) => {
              state.status = event.target.value;
              state.offset = 0;
              const all = head.querySelector('#outbox-redrive-all');
              if (all) all.hidden = state.status !== 'dead';
              void load();
            },
          },
          [...STATUSES, ''].map((status) =>
            h(
              'option',
              { value: status, selected: state.status === status },
              t(`admin.outbox.filter.${status || 'all'}`),
            ),
          ),
        ),
      ),
      h(
        'label',
        { class: 'admin-search' },
        h('span', {}, t('admin.outbox.destination')),
        h('input', {
          type: 'search',
          id: 'outbox-destination',
          value: state.destination,
          placeholder: t('admin.outbox.destinationHint'),
          oninput: (event) => {
            state.destination = event.target.value;
            reload();
          },
        }),
      ),
      h('button', { type: 'button', id: 'outbox-refresh', onclick: () => void load() }, t('admin.refresh')),
      admin
        ? h(
            'button',
            {
              type: 'button',
              class: 'primary',
              id: 'outbox-redrive-all',
              hidden: state.status !== 'dead',
              onclick: redriveAll,
            },
            t('admin.outbox.redriveAll'),
          )
        : null,
    );
  }

  function paintBody() {
    if (!alive) return;
    if (state.error) {
      fill(body);
      showProblem(problem, state.error);
      return;
    }
    clearProblem(problem);
    const page = state.page;
    if (!page) return;
    fill(
      body,
      page.items.length === 0
        ? h(
            'p',
            { class: 'muted', id: 'outbox-empty' },
            t(state.status === 'dead' ? 'admin.outbox.noneDead' : 'admin.outbox.none'),
          )
        : h(
            'div',
            { class: 'table-wrap' },
            dataTable(
              'admin-table admin-outbox',
              [
                t('admin.outbox.col.created'),
                t('admin.outbox.col.destination'),
                t('admin.outbox.col.type'),
                t('admin.outbox.col.status'),
                t('admin.outbox.col.attempts'),
                t('admin.outbox.col.error'),
                t('admin.outbox.col.when'),
                admin ? t('admin.col.actions') : null,
              ].filter(Boolean),
              page.items,
              (m) => ({
                key: { message: m.id, status: m.status },
                head: when(m.createdAt, site),
                cells: [
                  h(
                    'span',
                    {},
                    m.destination,
                    m.target?.url ? h('span', { class: 'row-line muted' }, clip(m.target.url, 60)) : null,
                  ),
                  m.messageType,
                  h(
                    'span',
                    { class: `badge ${STATUS_TONE[m.status] ?? ''}`, dataset: { field: 'status' } },
                    tOr('admin.outbox.state', m.status),
                  ),
                  { class: 'num', text: formatNumber(m.attempts) },
                  h(
                    'span',
                    { dataset: { field: 'error' } },
                    m.lastHttpStatus
                      ? h('span', { class: 'badge danger' }, `HTTP ${m.lastHttpStatus}`)
                      : null,
                    ' ',
                    clip(m.lastError, 140),
                    details(m),
                  ),
                  m.status === 'dead'
                    ? t('admin.outbox.deadAt', { time: when(m.deadAt, site) })
                    : m.status === 'delivered'
                      ? t('admin.outbox.deliveredAt', { time: when(m.deliveredAt, site) })
                      : t('admin.outbox.nextAt', { time: when(m.nextAttemptAt, site) }),
                  admin
                    ? m.status === 'dead'
                      ? h(
                          'button',
                          {
                            type: 'button',
                            class: 'primary',
                            dataset: { action: 'redrive' },
                            onclick: () => redrive(m),
                          },
                          t('admin.outbox.redrive'),
                        )
                      : '—'
                    : null,
                ].filter((cell) => cell !== null),
              }),
            ),
          ),
      pager(page, (offset) => {
        state.offset = offset;
        void load();
      }),
    );
  }

  function details(m) {
    return h(
      'details',
      { class: 'admin-payload' },
      h('summary', {}, t('admin.outbox.details')),
      h(
        'dl',
        { class: 'admin-secret-list' },
        h('dt', {}, t('admin.outbox.messageId')),
        h('dd', {}, h('code', {}, m.id)),
        h('dt', {}, t('admin.outbox.redrives')),
        h('dd', {}, formatNumber(m.redriveCount)),
        h('dt', {}, t('admin.outbox.correlation')),
        h('dd', {}, h('code', {}, m.correlationId)),
      ),
      h('pre', {}, JSON.stringify(m.payload, null, 2)),
    );
  }

  function scheduleRecheck() {
    clearTimeout(recheck);
    recheck = setTimeout(() => {
      if (alive) void load();
    }, RECHECK_MS);
  }

  function redrive(m) {
    openModal(container, {
      id: 'redrive-dialog',
      title: t('admin.outbox.redriveTitle', { type: m.messageType }),
      build: (close) => {
        const box = problemBox('redrive-problem');
        const form = h(
          'form',
          { class: 'admin-form', id: 'redrive-form', novalidate: true },
          h('p', {}, t('admin.outbox.redriveExplain', { destination: m.destination })),
          field(t('admin.reason'), h('input', { name: 'reason', id: 'redrive-reason', autocomplete: 'off' })),
          box,
          formActions(close, t('admin.outbox.redrive'), { submitId: 'redrive-submit' }),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void submitting(form, box, async () => {
            const reason = form.elements.reason.value.trim();
            await api(`/admin/outbox/messages/${m.id}/redrive`, {
              method: 'POST',
              body: reason ? { reason } : {},
            });
            close();
            flash(message, t('admin.outbox.redriven', { type: m.messageType }));
            await load();
            scheduleRecheck();
          });
        });
        return form;
      },
    });
  }

  function redriveAll() {
    const destination = state.destination.trim();
    openModal(container, {
      id: 'redrive-all-dialog',
      title: t('admin.outbox.redriveAll'),
      build: (close) => {
        const box = problemBox('redrive-all-problem');
        const form = h(
          'form',
          { class: 'admin-form', id: 'redrive-all-form', novalidate: true },
          h(
            'p',
            {},
            destination
              ? t('admin.outbox.redriveAllOf', { destination })
              : t('admin.outbox.redriveAllExplain'),
          ),
          field(
            t('admin.reason'),
            h('input', { name: 'reason', id: 'redrive-all-reason', autocomplete: 'off' }),
          ),
          box,
          formActions(close, t('admin.outbox.redriveAll'), { submitId: 'redrive-all-submit' }),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void submitting(form, box, async () => {
            const reason = form.elements.reason.value.trim();
            const result = await api('/admin/outbox/dead-letters/redrive', {
              method: 'POST',
              body: { ...(destination ? { destination } : {}), ...(reason ? { reason } : {}) },
            });
            close();
            flash(message, t('admin.outbox.redrivenAll', { count: formatNumber(result.redriven) }));
            await load();
            scheduleRecheck();
          });
        });
        return form;
      },
    });
  }

  function paint() {
    paintHead();
    paintBody();
  }

  paint();
  void load();

  return {
    unmount() {
      alive = false;
      reload.cancel();
      clearTimeout(recheck);
    },
    relabel: paint,
  };
}

const STATUS_TONE = { dead: 'danger', delivered: 'status-running', pending: 'status-held' };
