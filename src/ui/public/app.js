// The shell: header (navigation, site picker, language switch, user menu), the router and the live connection.
import { api, clearSession, onUnauthorized, saveSession, session } from './api.js';
import { h } from './dom.js';
import { LOCALES, locale, onLocaleChange, setLocale, t, tOr } from './i18n.js';
import { connectShopFloor } from './socket.js';

/**
 * The pages. Only pages that exist are routed and linked; any other path shows "page not found".
 * A page module exports `mount(main, ctx)` returning `{unmount(), relabel()}`.
 */
const ROUTES = [
  { path: '/login', title: 'login.title', load: () => import('./pages/login.js'), public: true },
  {
    path: '/dashboard',
    title: 'nav.dashboard',
    load: () => import('./pages/dashboard.js'),
    nav: true,
    needsSite: true,
  },
  // The operator terminal signs people in itself (device key + badge/PIN), so the shell lets it through.
  { path: '/terminal', title: 'terminal.title', load: () => import('./pages/terminal.js'), public: true },
];
const HOME = '/dashboard';

const header = document.getElementById('app-header');
const main = document.getElementById('main');
const skipLink = document.getElementById('skip-link');

const state = {
  /** The page on screen: its route and what mount() returned. */
  page: null,
  /** The route being shown (null: page not found). */
  route: null,
  /** The signed-in person's sites (from GET /sites), for the picker. */
  sites: [],
  live: null,
  renderId: 0,
};

function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  void render();
}

function currentSite() {
  const siteId = session()?.siteId;
  return state.sites.find((site) => site.id === siteId) ?? null;
}

/** Called by the sign-in page once the person (whose token it saved) has picked one of their sites. */
function signedIn({ sites, siteId }) {
  saveSession({ siteId });
  state.sites = sites;
  openLive();
}

function signOut() {
  clearSession();
  state.sites = [];
  state.live?.close();
  state.live = null;
  navigate('/login', { replace: true });
}

function openLive() {
  const current = session();
  if (!current || state.live) return;
  state.live = connectShopFloor(current.token);
  state.live.onStatus(paintLiveStatus);
  state.live.on('joined', paintLiveStatus);
  // A site renamed or moved to another time zone: the picker and the pages show it at once.
  state.live.on('site.changed', () => void reloadSites());
}

async function reloadSites() {
  try {
    state.sites = await api('/sites');
  } catch {
    return; // Shown again at the next successful read.
  }
  if (state.page?.route?.needsSite) void render();
  else renderHeader();
}

/** The connection's state in the header; `data-rooms` lists the rooms joined beyond the automatic ones. */
function paintLiveStatus() {
  const element = document.getElementById('live-status');
  if (!element) return;
  const status = state.live?.status() ?? 'offline';
  element.className = `live-status ${status}`;
  element.textContent = t(`live.${status}`);
  element.dataset.rooms = (state.live?.joinedRooms() ?? []).join(' ');
}

/** After a reload the token is still in this tab: fetch the sites again (they may have changed). */
async function restore() {
  const current = session();
  if (!current) return;
  try {
    state.sites = await api('/sites');
    openLive();
  } catch {
    // A refused token already led to the sign-in page (onUnauthorized); a network failure shows on the page.
  }
}

function routeFor(path) {
  const clean = path.replace(/\/+$/, '') || '/';
  return ROUTES.find((route) => route.path === clean) ?? null;
}

async function render() {
  const renderId = ++state.renderId;
  const path = location.pathname;
  if (path === '/' || path === '') {
    history.replaceState(null, '', session() ? HOME : '/login');
    return render();
  }
  const route = routeFor(path);
  const current = session();
  if (route && !route.public && !current) {
    history.replaceState(null, '', `/login?next=${encodeURIComponent(path)}`);
    return render();
  }
  if (route?.needsSite && !currentSite()) {
    history.replaceState(null, '', `/login?next=${encodeURIComponent(path)}`);
    return render();
  }
  state.page?.instance.unmount();
  state.page = null;
  state.route = route;
  main.replaceChildren();
  renderHeader();
  if (!route) {
    state.page = { route: null, instance: mountNotFound(main) };
    document.title = `${t('notFound.title')} · ${t('app.name')}`;
    return;
  }
  const module = await route.load();
  if (renderId !== state.renderId) return;
  state.page = {
    route,
    instance: module.mount(main, {
      site: currentSite(),
      sites: state.sites,
      live: state.live,
      session: current,
      navigate,
      signedIn,
    }),
  };
  document.title = `${t(route.title)} · ${t('app.name')}`;
  renderHeader();
}

function mountNotFound(container) {
  const build = () =>
    container.replaceChildren(
      h(
        'section',
        { class: 'panel narrow', 'aria-labelledby': 'not-found-title' },
        h('h1', { id: 'not-found-title' }, t('notFound.title')),
        h('p', {}, t('notFound.body', { path: location.pathname })),
        h('a', { href: session() ? HOME : '/login', 'data-link': true, class: 'button' }, t('notFound.back')),
      ),
    );
  build();
  return { unmount() {}, relabel: build };
}

function renderHeader() {
  skipLink.textContent = t('app.skipToContent');
  const current = session();
  const route = state.route;
  if (!current || route?.public || !currentSite()) {
    header.hidden = true;
    header.replaceChildren();
    return;
  }
  header.hidden = false;
  const site = currentSite();
  header.replaceChildren(
    h(
      'div',
      { class: 'brand' },
      h('img', { src: '/favicon.svg', alt: '', width: '28', height: '28' }),
      h('span', {}, t('app.name')),
    ),
    h(
      'nav',
      { class: 'main-nav', 'aria-label': t('nav.label') },
      h(
        'ul',
        {},
        ROUTES.filter((r) => r.nav).map((r) =>
          h(
            'li',
            {},
            h(
              'a',
              { href: r.path, 'data-link': true, 'aria-current': r === route ? 'page' : undefined },
              t(r.title),
            ),
          ),
        ),
      ),
    ),
    h(
      'div',
      { class: 'header-tools' },
      h('span', { id: 'live-status', role: 'status' }),
      h(
        'label',
        { class: 'picker' },
        h('span', {}, t('header.site')),
        h(
          'select',
          { id: 'site-select', onchange: (e) => switchSite(e.target.value) },
          state.sites.map((s) =>
            h('option', { value: s.id, selected: s.id === site?.id }, `${s.code} · ${s.name}`),
          ),
        ),
      ),
      h(
        'label',
        { class: 'picker' },
        h('span', {}, t('header.language')),
        h(
          'select',
          { id: 'locale-select', onchange: (e) => setLocale(e.target.value) },
          LOCALES.map((l) =>
            h('option', { value: l.code, selected: l.code === locale(), lang: l.code }, l.label),
          ),
        ),
      ),
      userMenu(current.user),
    ),
  );
  paintLiveStatus();
}

function userMenu(user) {
  const name = user?.name ?? user?.username ?? '';
  return h(
    'details',
    { class: 'user-menu' },
    h('summary', { 'aria-label': t('header.userMenu', { name }) }, name),
    h(
      'div',
      { class: 'user-menu-body' },
      h('p', { class: 'muted' }, user?.username ?? ''),
      h(
        'p',
        {},
        t('header.roles'),
        ' ',
        (user?.roles ?? []).map((r) => tOr('role', r)).join(t('list.separator')),
      ),
      h('button', { type: 'button', id: 'sign-out', onclick: signOut }, t('header.signOut')),
    ),
  );
}

function switchSite(siteId) {
  saveSession({ siteId });
  void render();
}

document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[data-link]') : null;
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', () => void render());
onLocaleChange(() => {
  renderHeader();
  state.page?.instance.relabel();
  const route = state.route;
  document.title = `${t(route ? route.title : 'notFound.title')} · ${t('app.name')}`;
});
onUnauthorized(() => {
  if (location.pathname === '/login') return;
  clearSession();
  state.live?.close();
  state.live = null;
  navigate(`/login?next=${encodeURIComponent(location.pathname)}&expired=1`, { replace: true });
});

await restore();
await render();
