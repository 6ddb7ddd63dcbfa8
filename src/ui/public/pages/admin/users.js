// Users and roles: who may sign in, with which roles at which sites; badge and PIN for the terminals.
import { api } from '../../api.js';
import { dataTable, h } from '../../dom.js';
import { t } from '../../i18n.js';
import {
  activeBadge,
  checkedValues,
  checkGroup,
  clearProblem,
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

const LOCALES = ['zh-CN', 'en'];
const PAGE = 500;

export function mountUsers(container, ctx) {
  const { site, sites, admin } = ctx;
  const state = { users: null, error: null, filter: '', showInactive: true };
  let alive = true;

  const head = h('div', { class: 'admin-toolbar' });
  const message = h('p', { class: 'admin-flash', id: 'users-flash', role: 'status', hidden: true });
  const problem = problemBox('users-problem');
  const body = h('div', { class: 'admin-body', id: 'users-body', 'aria-busy': 'true' });
  fill(container, h('h2', { class: 'visually-hidden', id: 'users-title' }), head, message, problem, body);

  async function load() {
    body.setAttribute('aria-busy', 'true');
    try {
      const items = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await api('/users', { query: { limit: PAGE, offset } });
        items.push(...page.items);
        if (items.length >= page.total || page.items.length === 0) break;
      }
      state.users = items;
      state.error = null;
    } catch (error) {
      state.error = error;
    }
    if (!alive) return;
    body.setAttribute('aria-busy', 'false');
    paint();
  }

  function paintHead() {
    container.querySelector('#users-title').textContent = t('admin.tab.users');
    fill(
      head,
      h(
        'label',
        { class: 'admin-search' },
        h('span', {}, t('admin.users.search')),
        h('input', {
          type: 'search',
          id: 'users-search',
          value: state.filter,
          oninput: (event) => {
            state.filter = event.target.value;
            paint();
          },
        }),
      ),
      h(
        'label',
        { class: 'admin-check' },
        h('input', {
          type: 'checkbox',
          id: 'users-show-inactive',
          checked: state.showInactive,
          onchange: (event) => {
            state.showInactive = event.target.checked;
            paint();
          },
        }),
        h('span', {}, t('admin.users.showInactive')),
      ),
      admin
        ? h(
            'button',
            { type: 'button', class: 'primary', id: 'user-new', onclick: () => editUser(null) },
            t('admin.users.new'),
          )
        : null,
    );
  }

  function visibleUsers() {
    const needle = state.filter.trim().toLowerCase();
    return state.users.filter(
      (user) =>
        (state.showInactive || user.active) &&
        (!needle ||
          [user.username, user.displayName, user.badgeCode ?? '', ...user.roles].some((text) =>
            text.toLowerCase().includes(needle),
          )),
    );
  }

  function paint() {
    if (!alive) return;
    paintHead();
    if (state.error) {
      fill(body);
      showProblem(problem, state.error);
      return;
    }
    if (!state.users) return;
    clearProblem(problem);
    const users = visibleUsers();
    fill(
      body,
      h(
        'p',
        { class: 'muted admin-count' },
        t('admin.users.count', { shown: users.length, total: state.users.length }),
      ),
      users.length === 0
        ? h('p', { class: 'muted' }, t('admin.users.none'))
        : h(
            'div',
            { class: 'table-wrap' },
            dataTable(
              'admin-table',
              [
                t('admin.users.col.username'),
                t('admin.users.col.name'),
                t('admin.users.col.roles'),
                t('admin.users.col.sites'),
                t('admin.users.col.badge'),
                t('admin.users.col.status'),
                t('admin.users.col.updated'),
                admin ? t('admin.col.actions') : null,
              ].filter(Boolean),
              users,
              (user) => ({
                key: { user: user.username },
                head: user.username,
                cells: [
                  user.displayName,
                  roleBadges(user.roles),
                  siteCodes(user.siteIds, sites),
                  user.badgeCode ?? '—',
                  activeBadge(user.active),
                  when(user.updatedAt, site),
                  admin ? actions(user) : null,
                ].filter((cell) => cell !== null),
              }),
            ),
          ),
    );
  }

  function actions(user) {
    const self = user.id === ctx.session?.user?.id || user.username === ctx.session?.user?.username;
    return h(
      'div',
      { class: 'admin-row-actions' },
      h(
        'button',
        { type: 'button', dataset: { action: 'edit' }, onclick: () => editUser(user) },
        t('admin.edit'),
      ),
      h(
        'button',
        { type: 'button', dataset: { action: 'password' }, onclick: () => resetPassword(user) },
        t('admin.users.resetPassword'),
      ),
      self
        ? null
        : h(
            'button',
            {
              type: 'button',
              class: user.active ? 'danger' : '',
              dataset: { action: user.active ? 'disable' : 'enable' },
              onclick: () => setActive(user, !user.active),
            },
            t(user.active ? 'admin.users.disable' : 'admin.users.enable'),
          ),
    );
  }

  /** Creates a user (`user` null) or changes one: only the fields that changed are sent. */
  function editUser(user) {
    const creating = user === null;
    openModal(container, {
      id: 'user-dialog',
      title: creating ? t('admin.users.new') : t('admin.users.editTitle', { username: user.username }),
      wide: true,
      build: (close) => {
        const box = problemBox('user-dialog-problem');
        const form = h(
          'form',
          { class: 'admin-form', id: 'user-form', novalidate: true },
          h(
            'div',
            { class: 'admin-grid' },
            creating
              ? field(
                  t('admin.users.col.username'),
                  h('input', { name: 'username', id: 'user-username', required: true, autocomplete: 'off' }),
                  t('admin.users.usernameHint'),
                )
              : null,
            field(
              t('admin.users.col.name'),
              h('input', {
                name: 'displayName',
                id: 'user-name',
                required: true,
                value: user?.displayName ?? '',
              }),
            ),
            creating
              ? field(
                  t('admin.users.password'),
                  h('input', {
                    name: 'password',
                    id: 'user-password',
                    type: 'password',
                    required: true,
                    autocomplete: 'new-password',
                  }),
                  t('admin.users.passwordHint'),
                )
              : null,
            field(
              t('admin.users.col.badge'),
              h('input', {
                name: 'badgeCode',
                id: 'user-badge',
                value: user?.badgeCode ?? '',
                autocomplete: 'off',
              }),
              t('admin.users.badgeHint'),
            ),
            field(
              t('admin.users.pin'),
              h('input', {
                name: 'pin',
                id: 'user-pin',
                type: 'password',
                inputmode: 'numeric',
                autocomplete: 'new-password',
              }),
              creating ? t('admin.users.pinHint') : t('admin.users.pinKeep'),
            ),
            field(
              t('admin.users.locale'),
              h(
                'select',
                { name: 'locale', id: 'user-locale' },
                LOCALES.map((code) =>
                  h(
                    'option',
                    { value: code, selected: (user?.locale ?? 'zh-CN') === code },
                    t(`admin.locale.${code}`),
                  ),
                ),
              ),
            ),
          ),
          checkGroup(t('admin.users.col.roles'), 'roles', roleOptions(), user?.roles ?? []),
          checkGroup(t('admin.users.col.sites'), 'siteIds', siteOptions(sites), user?.siteIds ?? [site.id]),
          creating
            ? null
            : field(
                t('admin.reason'),
                h('input', { name: 'reason', id: 'user-reason', autocomplete: 'off' }),
              ),
          box,
          formActions(close, creating ? t('admin.users.create') : t('admin.save'), {
            submitId: 'user-submit',
          }),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void submitting(form, box, async () => {
            const value = (name) => form.elements[name]?.value ?? '';
            const roles = checkedValues(form, 'roles');
            const siteIds = checkedValues(form, 'siteIds');
            let saved;
            if (creating) {
              const bodyOut = {
                username: value('username').trim(),
                displayName: value('displayName').trim(),
                password: value('password'),
                roles,
                siteIds,
                locale: value('locale'),
              };
              if (value('badgeCode').trim()) bodyOut.badgeCode = value('badgeCode').trim();
              if (value('pin')) bodyOut.pin = value('pin');
              saved = await api('/users', { method: 'POST', body: bodyOut });
            } else {
              const patch = {};
              if (value('displayName').trim() !== user.displayName)
                patch.displayName = value('displayName').trim();
              if (!sameSet(roles, user.roles)) patch.roles = roles;
              const visible = user.siteIds.filter((id) => sites.some((s) => s.id === id));
              if (!sameSet(siteIds, visible)) patch.siteIds = siteIds;
              if (value('badgeCode').trim() !== (user.badgeCode ?? '') && value('badgeCode').trim())
                patch.badgeCode = value('badgeCode').trim();
              if (value('pin')) patch.pin = value('pin');
              if (value('locale') !== user.locale) patch.locale = value('locale');
              if (value('reason').trim()) patch.reason = value('reason').trim();
              saved = await api(`/users/${user.id}`, { method: 'PATCH', body: patch });
            }
            close();
            flash(
              message,
              t(creating ? 'admin.users.created' : 'admin.users.saved', { username: saved.username }),
            );
            await load();
          });
        });
        return form;
      },
    });
  }

  function resetPassword(user) {
    openModal(container, {
      id: 'password-dialog',
      title: t('admin.users.resetTitle', { username: user.username }),
      build: (close) => {
        const box = problemBox('password-dialog-problem');
        const form = h(
          'form',
          { class: 'admin-form', id: 'password-form', novalidate: true },
          h('p', { class: 'muted' }, t('admin.users.resetExplain')),
          field(
            t('admin.users.newPassword'),
            h('input', {
              name: 'password',
              id: 'reset-password',
              type: 'password',
              required: true,
              autocomplete: 'new-password',
            }),
            t('admin.users.passwordHint'),
          ),
          field(t('admin.reason'), h('input', { name: 'reason', id: 'reset-reason', autocomplete: 'off' })),
          box,
          formActions(close, t('admin.users.resetPassword'), { submitId: 'password-submit' }),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void submitting(form, box, async () => {
            const reason = form.elements.reason.value.trim();
            await api(`/users/${user.id}/password`, {
              method: 'POST',
              body: { password: form.elements.password.value, ...(reason ? { reason } : {}) },
            });
            close();
            flash(message, t('admin.users.passwordReset', { username: user.username }));
          });
        });
        return form;
      },
    });
  }

  function setActive(user, active) {
    openModal(container, {
      id: 'active-dialog',
      title: t(active ? 'admin.users.enableTitle' : 'admin.users.disableTitle', { username: user.username }),
      build: (close) => {
        const box = problemBox('active-dialog-problem');
        const form = h(
          'form',
          { class: 'admin-form', id: 'active-form', novalidate: true },
          h('p', {}, t(active ? 'admin.users.enableExplain' : 'admin.users.disableExplain')),
          field(t('admin.reason'), h('input', { name: 'reason', id: 'active-reason', autocomplete: 'off' })),
          box,
          formActions(close, t(active ? 'admin.users.enable' : 'admin.users.disable'), {
            submitId: 'active-submit',
            danger: !active,
          }),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void submitting(form, box, async () => {
            const reason = form.elements.reason.value.trim();
            await api(`/users/${user.id}`, {
              method: 'PATCH',
              body: { active, ...(reason ? { reason } : {}) },
            });
            close();
            flash(
              message,
              t(active ? 'admin.users.enabled' : 'admin.users.disabled', { username: user.username }),
            );
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

function sameSet(a, b) {
  return a.length === b.length && a.every((x) => b.includes(x));
}
