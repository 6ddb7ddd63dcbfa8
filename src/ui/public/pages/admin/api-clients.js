// API clients (machine-to-machine credentials: AppKey + secret, HMAC-signed requests) and the registered
// shop-floor terminals (renamed or moved to another work center here). A secret is shown once, when it is made.
import { api } from '../../api.js';
import { dataTable, h } from '../../dom.js';
import { t } from '../../i18n.js';
import { refLabel, refSelect, showFieldErrors } from './record-forms.js';
import {
  activeBadge,
  checkedValues,
  checkGroup,
  clearProblem,
  copyButton,
  field,
  flash,
  formActions,
  openModal,
  problemBox,
  roleBadges,
  roleOptions,
  showProblem,
  siteCodes,
  siteOptions,
  submitting,
  when,
  fill,
} from './common.js';

export function mountApiClients(container, ctx) {
  const { site, sites, admin } = ctx;
  const state = { clients: null, error: null, terminals: null, terminalsError: null, secret: null };
  /** Work centers by site (the terminals' sites), for the list and the picker. */
  const workCenters = new Map();
  let alive = true;

  const head = h('div', { class: 'admin-toolbar' });
  const message = h('p', { class: 'admin-flash', id: 'clients-flash', role: 'status', hidden: true });
  const secretBox = h('div', { id: 'client-secret-box', hidden: true });
  const problem = problemBox('clients-problem');
  const body = h('div', { class: 'admin-body', id: 'clients-body', 'aria-busy': 'true' });
  const terminals = h('section', {
    class: 'admin-card',
    id: 'terminals',
    'aria-labelledby': 'terminals-title',
  });
  fill(
    container,
    h('h2', { class: 'visually-hidden', id: 'clients-title' }),
    head,
    message,
    secretBox,
    problem,
    body,
    terminals,
  );

  async function load() {
    body.setAttribute('aria-busy', 'true');
    const [clients, devices] = await Promise.allSettled([api('/api-clients'), api('/terminals')]);
    if (!alive) return;
    if (clients.status === 'fulfilled') {
      state.clients = clients.value;
      state.error = null;
    } else state.error = clients.reason;
    if (devices.status === 'fulfilled') {
      state.terminals = devices.value;
      state.terminalsError = null;
      try {
        await loadWorkCenters(state.terminals.map((terminal) => terminal.siteId));
      } catch (error) {
        state.terminalsError = error;
      }
      if (!alive) return;
    } else state.terminalsError = devices.reason;
    body.setAttribute('aria-busy', 'false');
    paint();
  }

  async function loadWorkCenters(siteIds, fresh = false) {
    const wanted = [...new Set(siteIds)].filter((id) => fresh || !workCenters.has(id));
    const pages = await Promise.all(
      wanted.map((id) => api(`/sites/${id}/work-centers`, { query: { limit: 500, sort: 'code' } })),
    );
    wanted.forEach((id, i) => workCenters.set(id, pages[i].items));
  }

  function workCenterOf(terminal) {
    if (!terminal.workCenterId) return h('span', { class: 'muted' }, t('admin.terminals.noWorkCenter'));
    const wc = workCenters.get(terminal.siteId)?.find((w) => w.id === terminal.workCenterId);
    return wc ? refLabel(wc) : terminal.workCenterId;
  }

  function paint() {
    if (!alive) return;
    container.querySelector('#clients-title').textContent = t('admin.tab.api-clients');
    fill(
      head,
      h('p', { class: 'muted admin-grow' }, t('admin.clients.explain')),
      admin
        ? h(
            'button',
            { type: 'button', class: 'primary', id: 'client-new', onclick: newClient },
            t('admin.clients.new'),
          )
        : null,
    );
    if (state.error) {
      fill(body);
      showProblem(problem, state.error);
    } else if (state.clients) {
      clearProblem(problem);
      fill(
        body,
        state.clients.length === 0
          ? h('p', { class: 'muted' }, t('admin.clients.none'))
          : h(
              'div',
              { class: 'table-wrap' },
              dataTable(
                'admin-table',
                [
                  t('admin.clients.col.name'),
                  t('admin.clients.col.appKey'),
                  t('admin.clients.col.roles'),
                  t('admin.clients.col.sites'),
                  t('admin.clients.col.status'),
                  t('admin.clients.col.lastUsed'),
                  admin ? t('admin.col.actions') : null,
                ].filter(Boolean),
                state.clients,
                (client) => ({
                  key: { client: client.name, appKey: client.appKey },
                  head: client.name,
                  cells: [
                    h('code', {}, client.appKey),
                    roleBadges(client.roles),
                    siteCodes(client.siteIds, sites),
                    activeBadge(client.active, 'admin.status.active', 'admin.clients.revoked'),
                    client.lastUsedAt ? when(client.lastUsedAt, site) : t('admin.clients.never'),
                    admin ? actions(client) : null,
                  ].filter((cell) => cell !== null),
                }),
              ),
            ),
      );
    }
    paintSecret();
    paintTerminals();
  }

  function actions(client) {
    if (!client.active) return '—';
    return h(
      'div',
      { class: 'admin-row-actions' },
      h(
        'button',
        { type: 'button', dataset: { action: 'rotate' }, onclick: () => confirmClient(client, 'rotate') },
        t('admin.clients.rotate'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          dataset: { action: 'revoke' },
          onclick: () => confirmClient(client, 'revoke'),
        },
        t('admin.clients.revoke'),
      ),
    );
  }

  /** Shows a fresh secret once, with a copy button; it is gone when the box is closed or the tab left. */
  function showSecret(credentials) {
    state.secret = credentials;
    paintSecret();
    secretBox.querySelector('#client-secret-copy')?.focus();
  }

  function paintSecret() {
    const credentials = state.secret;
    if (!credentials) {
      secretBox.hidden = true;
      fill(secretBox);
      return;
    }
    const secret = h('code', { id: 'client-secret', class: 'admin-secret' }, credentials.secret);
    secretBox.hidden = false;
    fill(
      secretBox,
      h(
        'div',
        { class: 'admin-secret-box', role: 'region', 'aria-labelledby': 'client-secret-title' },
        h('h3', { id: 'client-secret-title' }, t('admin.clients.secretTitle', { name: credentials.name })),
        h('p', { class: 'notice' }, t('admin.clients.secretOnce')),
        h(
          'dl',
          { class: 'admin-secret-list' },
          h('dt', {}, t('admin.clients.col.appKey')),
          h('dd', {}, h('code', { id: 'client-appkey' }, credentials.appKey)),
          h('dt', {}, t('admin.clients.secret')),
          h('dd', {}, secret, ' ', copyButton('client-secret-copy', credentials.secret, secret)),
        ),
        h(
          'button',
          {
            type: 'button',
            id: 'client-secret-done',
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

  function newClient() {
    openModal(container, {
      id: 'client-dialog',
      title: t('admin.clients.new'),
      wide: true,
      build: (close) => {
        const box = problemBox('client-dialog-problem');
        const form = h(
          'form',
          { class: 'admin-form', id: 'client-form', novalidate: true },
          h(
            'div',
            { class: 'admin-grid' },
            field(
              t('admin.clients.col.name'),
              h('input', { name: 'name', id: 'client-name', autocomplete: 'off' }),
            ),
            field(
              t('admin.clients.col.appKey'),
              h('input', { name: 'appKey', id: 'client-appkey-input', autocomplete: 'off' }),
              t('admin.clients.appKeyHint'),
            ),
          ),
          checkGroup(t('admin.clients.col.roles'), 'roles', roleOptions(), []),
          checkGroup(t('admin.clients.col.sites'), 'siteIds', siteOptions(sites), [site.id]),
          box,
          formActions(close, t('admin.clients.create'), { submitId: 'client-submit' }),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void submitting(form, box, async () => {
            const appKey = form.elements.appKey.value.trim();
            const created = await api('/api-clients', {
              method: 'POST',
              body: {
                name: form.elements.name.value.trim(),
                roles: checkedValues(form, 'roles'),
                siteIds: checkedValues(form, 'siteIds'),
                ...(appKey ? { appKey } : {}),
              },
            });
            close();
            await load();
            showSecret(created);
          });
        });
        return form;
      },
    });
  }

  function confirmClient(client, what) {
    openModal(container, {
      id: 'client-confirm-dialog',
      title: t(what === 'rotate' ? 'admin.clients.rotateTitle' : 'admin.clients.revokeTitle', {
        name: client.name,
      }),
      build: (close) => {
        const box = problemBox('client-confirm-problem');
        const form = h(
          'form',
          { class: 'admin-form', id: 'client-confirm-form' },
          h('p', {}, t(what === 'rotate' ? 'admin.clients.rotateExplain' : 'admin.clients.revokeExplain')),
          box,
          formActions(close, t(what === 'rotate' ? 'admin.clients.rotate' : 'admin.clients.revoke'), {
            submitId: 'client-confirm-submit',
            danger: true,
          }),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void submitting(form, box, async () => {
            if (what === 'rotate') {
              const credentials = await api(`/api-clients/${client.id}/rotate-secret`, {
                method: 'POST',
                body: {},
              });
              close();
              await load();
              showSecret(credentials);
              return;
            } else {
              await api(`/api-clients/${client.id}/disable`, { method: 'POST', body: {} });
              close();
              flash(message, t('admin.clients.revokedNow', { name: client.name }));
            }
            await load();
          });
        });
        return form;
      },
    });
  }

  function paintTerminals() {
    const parts = [h('h2', { id: 'terminals-title' }, t('admin.terminals.title'))];
    if (state.terminalsError) {
      const box = problemBox('terminals-problem');
      showProblem(box, state.terminalsError);
      parts.push(box);
    } else if (state.terminals) {
      parts.push(
        state.terminals.length === 0
          ? h('p', { class: 'muted' }, t('admin.terminals.none'))
          : h(
              'div',
              { class: 'table-wrap' },
              dataTable(
                'admin-table',
                [
                  t('admin.terminals.col.code'),
                  t('admin.terminals.col.name'),
                  t('admin.terminals.col.site'),
                  t('admin.terminals.col.workCenter'),
                  t('admin.terminals.col.status'),
                  t('admin.terminals.col.lastSignIn'),
                  admin ? t('admin.col.actions') : null,
                ].filter(Boolean),
                state.terminals,
                (terminal) => ({
                  key: { terminal: terminal.code },
                  head: terminal.code,
                  cells: [
                    terminal.name,
                    siteCodes([terminal.siteId], sites),
                    { class: 'col-workCenter', text: workCenterOf(terminal) },
                    activeBadge(terminal.active),
                    terminal.lastSignInAt ? when(terminal.lastSignInAt, site) : t('admin.clients.never'),
                    admin
                      ? h(
                          'div',
                          { class: 'admin-row-actions' },
                          h(
                            'button',
                            {
                              type: 'button',
                              dataset: { action: 'edit' },
                              onclick: () => editTerminal(terminal),
                            },
                            t('admin.terminals.edit'),
                          ),
                          h(
                            'button',
                            {
                              type: 'button',
                              class: terminal.active ? 'danger' : '',
                              dataset: { action: terminal.active ? 'disable' : 'enable' },
                              onclick: (event) => void toggleTerminal(terminal, event.currentTarget),
                            },
                            t(terminal.active ? 'admin.terminals.disable' : 'admin.terminals.enable'),
                          ),
                        )
                      : null,
                  ].filter((cell) => cell !== null),
                }),
              ),
            ),
      );
    }
    fill(terminals, ...parts);
  }

  /** Renames a terminal or moves it to another work center of its site (PATCH /terminals/{id}). */
  function editTerminal(terminal) {
    openModal(container, {
      id: 'terminal-dialog',
      title: t('admin.terminals.editTitle', { code: terminal.code }),
      build: (close) => {
        const box = problemBox('terminal-dialog-problem');
        const form = h(
          'form',
          { class: 'admin-form', id: 'terminal-form', novalidate: true },
          h(
            'label',
            { class: 'admin-field', dataset: { field: 'name' } },
            h('span', { class: 'admin-field-label' }, t('admin.terminals.col.name')),
            h('input', {
              name: 'name',
              id: 'terminal-name',
              value: terminal.name,
              maxlength: 200,
              autocomplete: 'off',
            }),
          ),
          h(
            'label',
            { class: 'admin-field', dataset: { field: 'workCenterId' } },
            h('span', { class: 'admin-field-label' }, t('admin.terminals.col.workCenter')),
            refSelect(
              { name: 'workCenterId', id: 'terminal-work-center' },
              workCenters.get(terminal.siteId),
              terminal.workCenterId,
            ),
            h('small', { class: 'muted' }, t('admin.terminals.workCenterHint')),
          ),
          box,
          formActions(close, t('admin.terminals.save'), { submitId: 'terminal-submit' }),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void submitting(form, box, async () => {
            const body = {};
            const name = form.elements.name.value.trim();
            const workCenterId = form.elements.workCenterId.value || null;
            if (name !== terminal.name) body.name = name;
            if (workCenterId !== terminal.workCenterId) body.workCenterId = workCenterId;
            try {
              const updated = await api(`/terminals/${terminal.id}`, { method: 'PATCH', body });
              close();
              flash(message, t('admin.terminals.saved', { code: updated.code, name: updated.name }));
              await load();
            } catch (error) {
              showFieldErrors(form, error);
              throw error;
            }
          });
        });
        return form;
      },
    });
  }

  async function toggleTerminal(terminal, button) {
    button.disabled = true;
    clearProblem(problem);
    try {
      await api(`/terminals/${terminal.id}/${terminal.active ? 'disable' : 'enable'}`, {
        method: 'POST',
        body: {},
      });
      await load();
    } catch (error) {
      showProblem(problem, error);
      button.disabled = false;
    }
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
