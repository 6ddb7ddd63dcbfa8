// Sign-in: username and password, then one of the person's sites.
import { api, ApiError, clearSession, lastSiteId, renderProblem, saveSession, session } from '../api.js';
import { h } from '../dom.js';
import { LOCALES, locale, setLocale, t } from '../i18n.js';

export function mount(main, ctx) {
  const params = new URLSearchParams(location.search);
  const next = safeNext(params.get('next'));
  const view = {
    step: session() ? 'site' : 'credentials',
    sites: null,
    selected: null,
    busy: false,
    error: null,
    notice: params.get('expired') ? 'login.expired' : null,
  };
  let alive = true;

  const problemBox = () => main.querySelector('#login-problem');

  function render() {
    const username = main.querySelector('#login-username')?.value ?? '';
    const password = main.querySelector('#login-password')?.value ?? '';
    main.replaceChildren(
      h(
        'section',
        { class: 'panel narrow login', 'aria-labelledby': 'login-title' },
        h(
          'div',
          { class: 'login-top' },
          h(
            'div',
            { class: 'brand' },
            h('img', { src: '/favicon.svg', alt: '', width: '32', height: '32' }),
            h('span', {}, t('app.name')),
          ),
          h(
            'label',
            { class: 'picker' },
            h('span', {}, t('header.language')),
            h(
              'select',
              { id: 'login-locale', onchange: (e) => setLocale(e.target.value) },
              LOCALES.map((l) =>
                h('option', { value: l.code, selected: l.code === locale(), lang: l.code }, l.label),
              ),
            ),
          ),
        ),
        view.step === 'credentials' ? credentialsStep(username) : siteStep(),
      ),
    );
    const passwordInput = main.querySelector('#login-password');
    if (passwordInput) passwordInput.value = password;
    const box = problemBox();
    if (view.error) renderProblem(box, view.error);
    else box.hidden = true;
  }

  function credentialsStep(username) {
    return [
      h('h1', { id: 'login-title', tabindex: '-1' }, t('login.title')),
      view.notice ? h('p', { class: 'notice', role: 'status' }, t(view.notice)) : null,
      h(
        'form',
        { id: 'login-form', class: 'form', novalidate: true, onsubmit: submitCredentials },
        h(
          'label',
          { for: 'login-username' },
          t('login.username'),
          h('input', {
            id: 'login-username',
            name: 'username',
            autocomplete: 'username',
            autocapitalize: 'none',
            spellcheck: 'false',
            value: username,
          }),
        ),
        h(
          'label',
          { for: 'login-password' },
          t('login.password'),
          h('input', {
            id: 'login-password',
            name: 'password',
            type: 'password',
            autocomplete: 'current-password',
          }),
        ),
        h('div', { id: 'login-problem', hidden: true }),
        h(
          'button',
          { type: 'submit', class: 'button primary', disabled: view.busy },
          view.busy ? t('login.signingIn') : t('login.submit'),
        ),
      ),
    ];
  }

  function siteStep() {
    const user = session()?.user;
    if (view.sites === null) {
      return [
        h('h1', { id: 'login-title', tabindex: '-1' }, t('login.pickSite')),
        h('p', { class: 'muted' }, t('common.loading')),
        h('div', { id: 'login-problem', hidden: true }),
      ];
    }
    return [
      h('h1', { id: 'login-title', tabindex: '-1' }, t('login.pickSite')),
      user ? h('p', { class: 'muted' }, t('login.signedInAs', { name: user.name })) : null,
      view.sites.length === 0
        ? h('p', { class: 'notice' }, t('login.noSites'))
        : h(
            'form',
            { id: 'site-form', class: 'form', onsubmit: submitSite },
            h(
              'fieldset',
              { class: 'site-list' },
              h('legend', {}, t('login.sites')),
              view.sites.map((site) =>
                h(
                  'label',
                  { class: 'site-option' },
                  h('input', {
                    type: 'radio',
                    name: 'siteId',
                    value: site.id,
                    checked: site.id === view.selected,
                    onchange: () => {
                      view.selected = site.id;
                    },
                  }),
                  h('span', { class: 'site-code' }, site.code),
                  h(
                    'span',
                    { class: 'site-name' },
                    site.name,
                    h('span', { class: 'muted small site-zone' }, site.timeZone),
                  ),
                ),
              ),
            ),
            h(
              'button',
              { type: 'submit', class: 'button primary', id: 'site-continue' },
              t('login.continue'),
            ),
          ),
      h('div', { id: 'login-problem', hidden: true }),
      h('button', { type: 'button', class: 'button link', onclick: startOver }, t('login.otherUser')),
    ];
  }

  async function submitCredentials(event) {
    event.preventDefault();
    if (view.busy) return;
    const form = event.currentTarget;
    const username = form.elements.username.value.trim();
    const password = form.elements.password.value;
    view.busy = true;
    view.error = null;
    view.notice = null;
    render();
    try {
      const token = await api('/auth/login', {
        method: 'POST',
        body: { username, password },
        auth: false,
      });
      saveSession({ token: token.accessToken, expiresAt: Date.now() + token.expiresIn * 1000 });
      view.busy = false;
      view.step = 'site';
      await loadSites();
    } catch (error) {
      if (!alive) return;
      view.busy = false;
      view.error = error;
      render();
      main.querySelector('#login-password')?.focus();
    }
  }

  async function loadSites() {
    view.sites = null;
    render();
    try {
      const [user, sites] = await Promise.all([api('/auth/me'), api('/sites')]);
      if (!alive) return;
      saveSession({ user: { name: user.name, username: user.username, roles: user.roles } });
      view.sites = sites;
      const remembered = lastSiteId();
      view.selected = sites.some((s) => s.id === remembered) ? remembered : (sites[0]?.id ?? null);
      view.error = null;
    } catch (error) {
      if (!alive) return;
      if (error instanceof ApiError && error.status === 401) {
        // The token kept in this tab is no longer accepted: sign in again.
        clearSession();
        view.step = 'credentials';
        view.notice = 'login.expired';
        view.error = null;
        render();
        main.querySelector('#login-username')?.focus();
        return;
      }
      view.sites = [];
      view.error = error;
    }
    render();
    main.querySelector('#login-title')?.focus();
  }

  function submitSite(event) {
    event.preventDefault();
    const siteId = new FormData(event.currentTarget).get('siteId');
    if (!siteId) return;
    ctx.signedIn({ sites: view.sites, siteId: String(siteId) });
    ctx.navigate(next, { replace: true });
  }

  function startOver() {
    clearSession();
    view.step = 'credentials';
    view.sites = null;
    view.error = null;
    render();
    main.querySelector('#login-username')?.focus();
  }

  render();
  if (view.step === 'site') void loadSites();
  else main.querySelector('#login-username')?.focus();

  return {
    unmount() {
      alive = false;
    },
    relabel: render,
  };
}

/** Only a path of this app (never another origin) may follow the sign-in. */
function safeNext(value) {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/login')) {
    return '/dashboard';
  }
  return value;
}
