// Webhooks: other systems subscribed to events of this site, each delivery signed with the subscriber's
// secret (shown once), with a test ping and the history of deliveries.
import { api } from '../../api.js';
import { dataTable, h } from '../../dom.js';
import { formatNumber, t, tOr } from '../../i18n.js';
import {
  activeBadge,
  checkedValues,
  checkGroup,
  clearProblem,
  clip,
  copyButton,
  field,
  flash,
  formActions,
  openModal,
  problemBox,
  showProblem,
  submitting,
  when,
  fill,
} from './common.js';

const DELIVERIES_SHOWN = 20;
const TONE = { dead: 'danger', delivered: 'status-running', pending: 'status-held' };

export function mountWebhooks(container, ctx) {
  const { site, admin } = ctx;
  const url = (path = '') => `/sites/${site.id}/webhooks${path}`;
  const state = {
    hooks: null,
    error: null,
    events: null,
    secret: null,
    open: null,
    deliveries: null,
    deliveriesError: null,
  };
  let alive = true;

  const head = h('div', { class: 'admin-toolbar' });
  const message = h('p', { class: 'admin-flash', id: 'webhooks-flash', role: 'status', hidden: true });
  const secretBox = h('div', { id: 'webhook-secret-box', hidden: true });
  const problem = problemBox('webhooks-problem');
  const body = h('div', { class: 'admin-body', id: 'webhooks-body', 'aria-busy': 'true' });
  const deliveries = h('section', {
    class: 'admin-card',
    id: 'webhook-deliveries',
    hidden: true,
    'aria-labelledby': 'deliveries-title',
  });
  fill(
    container,
    h('h2', { class: 'visually-hidden', id: 'webhooks-title' }),
    head,
    message,
    secretBox,
    problem,
    body,
    deliveries,
  );

  async function load() {
    body.setAttribute('aria-busy', 'true');
    try {
      const [hooks, events] = await Promise.all([
        api(url()),
        state.events ? state.events : api(url('/events')),
      ]);
      state.hooks = hooks;
      state.events = events;
      state.error = null;
    } catch (error) {
      state.error = error;
    }
    if (!alive) return;
    body.setAttribute('aria-busy', 'false');
    paint();
    if (state.open) void loadDeliveries(state.open);
  }

  async function loadDeliveries(hook) {
    state.open = hook;
    try {
      state.deliveries = await api(url(`/${hook.id}/deliveries`), { query: { limit: DELIVERIES_SHOWN } });
      state.deliveriesError = null;
    } catch (error) {
      state.deliveriesError = error;
    }
    if (alive) paintDeliveries();
  }

  function paint() {
    if (!alive) return;
    container.querySelector('#webhooks-title').textContent = t('admin.tab.webhooks');
    fill(
      head,
      h('p', { class: 'muted admin-grow' }, t('admin.webhooks.explain')),
      admin && state.events
        ? h(
            'button',
            { type: 'button', class: 'primary', id: 'webhook-new', onclick: () => editHook(null) },
            t('admin.webhooks.new'),
          )
        : null,
    );
    paintSecret();
    if (state.error) {
      fill(body);
      showProblem(problem, state.error);
    } else if (state.hooks) {
      clearProblem(problem);
      fill(
        body,
        state.hooks.length === 0
          ? h('p', { class: 'muted' }, t('admin.webhooks.none'))
          : h(
              'div',
              { class: 'table-wrap' },
              dataTable(
                'admin-table',
                [
                  t('admin.webhooks.col.name'),
                  t('admin.webhooks.col.url'),
                  t('admin.webhooks.col.events'),
                  t('admin.webhooks.col.status'),
                  t('admin.webhooks.col.changed'),
                  t('admin.col.actions'),
                ],
                state.hooks,
                (hook) => ({
                  key: { webhook: hook.name },
                  head: hook.name,
                  cells: [
                    h('code', {}, clip(hook.url, 60)),
                    clip(hook.eventTypes.join(', '), 80),
                    activeBadge(hook.active),
                    `${hook.updatedByName ?? '—'} · ${when(hook.updatedAt, site)}`,
                    h(
                      'div',
                      { class: 'admin-row-actions' },
                      h(
                        'button',
                        {
                          type: 'button',
                          dataset: { action: 'deliveries' },
                          onclick: () => void loadDeliveries(hook),
                        },
                        t('admin.webhooks.deliveries'),
                      ),
                      h(
                        'button',
                        { type: 'button', dataset: { action: 'edit' }, onclick: () => editHook(hook) },
                        t('admin.edit'),
                      ),
                      h(
                        'button',
                        {
                          type: 'button',
                          dataset: { action: 'ping' },
                          onclick: (event) => void ping(hook, event.currentTarget),
                        },
                        t('admin.webhooks.ping'),
                      ),
                      h(
                        'button',
                        { type: 'button', dataset: { action: 'rotate' }, onclick: () => void rotate(hook) },
                        t('admin.webhooks.rotate'),
                      ),
                      h(
                        'button',
                        {
                          type: 'button',
                          class: 'danger',
                          dataset: { action: 'delete' },
                          onclick: () => removeHook(hook),
                        },
                        t('admin.webhooks.delete'),
                      ),
                    ),
                  ],
                }),
              ),
            ),
      );
    }
    paintDeliveries();
  }

  function paintSecret() {
    const shown = state.secret;
    secretBox.hidden = !shown;
    if (!shown) {
      fill(secretBox);
      return;
    }
    const secret = h('code', { id: 'webhook-secret', class: 'admin-secret' }, shown.secret);
    fill(
      secretBox,
      h(
        'div',
        { class: 'admin-secret-box', role: 'region', 'aria-labelledby': 'webhook-secret-title' },
        h('h3', { id: 'webhook-secret-title' }, t('admin.webhooks.secretTitle', { name: shown.name })),
        h('p', { class: 'notice' }, t('admin.webhooks.secretOnce')),
        h('p', {}, secret, ' ', copyButton('webhook-secret-copy', shown.secret, secret)),
        h(
          'button',
          {
            type: 'button',
            id: 'webhook-secret-done',
            onclick: () => {
              state.secret = null;
              paintSecret();
            },
          },
          t('admin.clients.secretDone'),
        ),
      ),
    );
  }

  function paintDeliveries() {
    const hook = state.open;
    deliveries.hidden = !hook;
    if (!hook) return;
    const parts = [
      h('h2', { id: 'deliveries-title' }, t('admin.webhooks.deliveriesOf', { name: hook.name })),
    ];
    if (state.deliveriesError) {
      const box = problemBox('deliveries-problem');
      showProblem(box, state.deliveriesError);
      parts.push(box);
    } else if (state.deliveries) {
      const items = state.deliveries.items;
      parts.push(
        items.length === 0
          ? h('p', { class: 'muted' }, t('admin.webhooks.noDeliveries'))
          : h(
              'div',
              { class: 'table-wrap' },
              dataTable(
                'admin-table',
                [
                  t('admin.outbox.col.created'),
                  t('admin.outbox.col.type'),
                  t('admin.outbox.col.status'),
                  t('admin.outbox.col.attempts'),
                  t('admin.outbox.col.error'),
                ],
                items,
                (d) => ({
                  key: { delivery: d.id },
                  head: when(d.createdAt, site),
                  cells: [
                    d.event,
                    h(
                      'span',
                      { class: `badge ${TONE[d.status] ?? ''}` },
                      tOr('admin.outbox.state', d.status),
                    ),
                    { class: 'num', text: formatNumber(d.attempts) },
                    [d.lastHttpStatus ? `HTTP ${d.lastHttpStatus} ` : '', clip(d.lastError, 100)],
                  ],
                }),
              ),
            ),
      );
      if (items.some((d) => d.status === 'dead')) {
        parts.push(
          h(
            'p',
            {},
            h('a', { href: '/admin?tab=dead-letters', 'data-link': true }, t('admin.webhooks.toDeadLetters')),
          ),
        );
      }
    }
    parts.push(
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            state.open = null;
            state.deliveries = null;
            paintDeliveries();
          },
        },
        t('admin.close'),
      ),
    );
    fill(deliveries, ...parts);
  }

  async function ping(hook, button) {
    button.disabled = true;
    clearProblem(problem);
    try {
      await api(url(`/${hook.id}/ping`), { method: 'POST', body: {} });
      flash(message, t('admin.webhooks.pinged', { name: hook.name }));
      await loadDeliveries(hook);
    } catch (error) {
      showProblem(problem, error);
    } finally {
      button.disabled = false;
    }
  }

  async function rotate(hook) {
    clearProblem(problem);
    try {
      const rotated = await api(url(`/${hook.id}/rotate-secret`), {
        method: 'POST',
        body: { expectedVersion: hook.version },
      });
      state.secret = { name: rotated.name, secret: rotated.secret };
      await load();
      secretBox.querySelector('#webhook-secret-copy')?.focus();
    } catch (error) {
      showProblem(problem, error);
    }
  }

  function editHook(hook) {
    const creating = hook === null;
    openModal(container, {
      id: 'webhook-dialog',
      title: creating ? t('admin.webhooks.new') : t('admin.webhooks.editTitle', { name: hook.name }),
      wide: true,
      build: (close) => {
        const box = problemBox('webhook-dialog-problem');
        const form = h(
          'form',
          { class: 'admin-form', id: 'webhook-form', novalidate: true },
          h(
            'div',
            { class: 'admin-grid' },
            field(
              t('admin.webhooks.col.name'),
              h('input', { name: 'name', id: 'webhook-name', value: hook?.name ?? '' }),
            ),
            field(
              t('admin.webhooks.col.url'),
              h('input', { name: 'url', id: 'webhook-url', type: 'url', value: hook?.url ?? '' }),
              t('admin.webhooks.urlHint'),
            ),
          ),
          checkGroup(
            t('admin.webhooks.col.events'),
            'eventTypes',
            (state.events ?? []).map((event) => ({ value: event, label: event })),
            hook?.eventTypes ?? [],
          ),
          h(
            'label',
            { class: 'admin-check' },
            h('input', {
              type: 'checkbox',
              name: 'active',
              id: 'webhook-active',
              checked: hook ? hook.active : true,
            }),
            h('span', {}, t('admin.webhooks.activeLabel')),
          ),
          box,
          formActions(close, creating ? t('admin.webhooks.create') : t('admin.save'), {
            submitId: 'webhook-submit',
          }),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void submitting(form, box, async () => {
            const values = {
              name: form.elements.name.value.trim(),
              url: form.elements.url.value.trim(),
              eventTypes: checkedValues(form, 'eventTypes'),
              active: form.elements.active.checked,
            };
            if (creating) {
              const created = await api(url(), { method: 'POST', body: values });
              state.secret = { name: created.name, secret: created.secret };
            } else {
              await api(url(`/${hook.id}`), {
                method: 'PATCH',
                body: { ...values, expectedVersion: hook.version },
              });
              flash(message, t('admin.webhooks.saved', { name: values.name }));
            }
            close();
            await load();
          });
        });
        return form;
      },
    });
  }

  function removeHook(hook) {
    openModal(container, {
      id: 'webhook-delete-dialog',
      title: t('admin.webhooks.deleteTitle', { name: hook.name }),
      build: (close) => {
        const box = problemBox('webhook-delete-problem');
        const form = h(
          'form',
          { class: 'admin-form', id: 'webhook-delete-form' },
          h('p', {}, t('admin.webhooks.deleteExplain')),
          box,
          formActions(close, t('admin.webhooks.delete'), { submitId: 'webhook-delete-submit', danger: true }),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void submitting(form, box, async () => {
            await api(url(`/${hook.id}`), { method: 'DELETE' });
            close();
            if (state.open?.id === hook.id) state.open = null;
            flash(message, t('admin.webhooks.deleted', { name: hook.name }));
            await load();
          });
        });
        return form;
      },
    });
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
