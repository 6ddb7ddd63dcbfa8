// The shell: header (navigation, site picker, language switch, user menu), the router and the live connection.
import { api, clearSession, onUnauthorized, saveSession, session } from './api.js';
import { h } from './dom.js';
import { LOCALES, formatNumber, locale, onLocaleChange, setLocale, t, tOr } from './i18n.js';
import { connectShopFloor } from './socket.js';

/**
 * The pages. Only pages that exist are routed and linked; any other path shows "page not found".
 * A page module exports `mount(main, ctx)` returning `{unmount(), relabel()}`. `nav` lists the roles whose
 * navigation links the page (`'all'`: everyone); anyone signed in may still open it by its address.
 */
const ROUTES = [
  { path: '/login', title: 'login.title', load: () => import('./pages/login.js'), public: true },
  {
    path: '/dashboard',
    title: 'nav.dashboard',
    load: () => import('./pages/dashboard.js'),
    nav: 'all',
    needsSite: true,
  },
  {
    path: '/planner',
    title: 'nav.planner',
    load: () => import('./pages/planner.js'),
    nav: ['planner', 'admin', 'viewer'],
    needsSite: true,
  },
  {
    path: '/quality',
    title: 'nav.quality',
    load: () => import('./pages/quality.js'),
    nav: ['quality', 'admin', 'viewer'],
    needsSite: true,
  },
  {
    path: '/maintenance',
    title: 'nav.maintenance',
    load: () => import('./pages/maintenance.js'),
    nav: ['maintenance', 'maintenance_lead', 'admin', 'viewer'],
    needsSite: true,
  },
  {
    path: '/trace',
    title: 'nav.trace',
    load: () => import('./pages/trace.js'),
    nav: ['quality', 'planner', 'warehouse', 'warehouse_supervisor', 'admin', 'viewer'],
    needsSite: true,
  },
  {
    path: '/warehouse',
    title: 'nav.warehouse',
    load: () => import('./pages/warehouse.js'),
    nav: ['warehouse', 'warehouse_supervisor', 'admin', 'viewer'],
    needsSite: true,
  },
  {
    path: '/todos',
    title: 'nav.todos',
    load: () => import('./pages/todos.js'),
    // Not in the navigation: the header's todo count links here.
    needsSite: true,
  },
  {
    path: '/admin',
    title: 'nav.admin',
    load: () => import('./pages/admin.js'),
    nav: ['admin'],
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
  /** The header's count of my open todos (mine or my roles'): `{siteId, open, overdue}` once read. */
  todos: null,
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
  state.todos = null;
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
  // A todo opened for me or my roles, or closed: the header's count follows (pushes may have been missed).
  for (const event of ['todo.created', 'todo.closed', 'resync'])
    state.live.on(event, () => refreshTodoCount());
}

const TODO_COUNT_COALESCE_MS = 200;
const TODO_COUNT_EVERY_MS = 60_000;
const TODO_COUNT_READ = 200;
const todoCount = { timer: null, loading: false, again: false };

/** Reads my open todos' count again (pushes arriving together are read once). */
function refreshTodoCount() {
  todoCount.timer ??= setTimeout(() => {
    todoCount.timer = null;
    void loadTodoCount();
  }, TODO_COUNT_COALESCE_MS);
}

async function loadTodoCount() {
  const site = currentSite();
  if (!session() || !site) return;
  if (todoCount.loading) {
    todoCount.again = true;
    return;
  }
  todoCount.loading = true;
  try {
    const page = await api(`/sites/${site.id}/todos`, {
      query: { status: 'open', mine: true, limit: TODO_COUNT_READ },
    });
    const now = Date.now();
    state.todos = {
      siteId: site.id,
      open: page.total,
      overdue: page.items.filter((todo) => todo.dueAt && Date.parse(todo.dueAt) < now).length,
    };
  } catch {
    // The count stays as last read; the todo page shows what went wrong.
  } finally {
    todoCount.loading = false;
  }
  paintTodoCount();
  if (todoCount.again) {
    todoCount.again = false;
    void loadTodoCount();
  }
}

/** The todo link's count: shown when there is something to do, red when some of it is overdue. */
function paintTodoCount() {
  const link = document.getElementById('todo-link');
  if (!link) return;
  const counts = state.todos?.siteId === currentSite()?.id ? state.todos : null;
  const badge = link.querySelector('.todo-count');
  const open = counts?.open ?? null;
  link.dataset.count = open === null ? '' : String(open);
  link.classList.toggle('has-overdue', (counts?.overdue ?? 0) > 0);
  badge.hidden = !open;
  badge.textContent = open ? formatNumber(open) : '';
  link.setAttribute(
    'aria-label',
    open === null
      ? t('todos.header.link')
      : counts.overdue > 0
        ? t('todos.header.countOverdue', { count: formatNumber(open), overdue: formatNumber(counts.overdue) })
        : t('todos.header.count', { count: formatNumber(open) }),
  );
  link.title = link.getAttribute('aria-label');
}

// The count moves with the clock too (todos fall overdue); a page that closed a todo asks for a new count.
setInterval(() => {
  if (state.live) refreshTodoCount();
}, TODO_COUNT_EVERY_MS);
document.addEventListener('todos:changed', () => refreshTodoCount());

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
    history.replaceState(null, '', `/login?next=${encodeURIComponent(path + location.search)}`);
    return render();
  }
  if (route?.needsSite && !currentSite()) {
    history.replaceState(null, '', `/login?next=${encodeURIComponent(path + location.search)}`);
    return render();
  }
  state.page?.instance.unmount();
  state.page = null;
  state.route = route;
  main.replaceChildren();
  renderHeader();
  if (current && currentSite()) refreshTodoCount();
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
  // The header is built again when a page finishes loading or the sites are re-read: a user menu the user has
  // just opened stays open (it closed under the pointer before, on a slow page load).
  const menuOpen = header.querySelector('.user-menu')?.open === true;
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
        ROUTES.filter((r) => inNav(r, current.user)).map((r) =>
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
      todoLink(route),
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
  if (menuOpen) header.querySelector('.user-menu').open = true;
  paintLiveStatus();
  paintTodoCount();
}

/** The todo inbox: a link with the count of my open todos. */
function todoLink(route) {
  return h(
    'a',
    {
      id: 'todo-link',
      class: 'todo-link',
      href: '/todos',
      'data-link': true,
      'aria-current': route?.path === '/todos' ? 'page' : undefined,
    },
    h('span', { class: 'todo-link-label', 'aria-hidden': 'true' }, t('todos.header.link')),
    h('span', { class: 'todo-count', 'aria-hidden': 'true', hidden: true }),
  );
}

/** A page is linked for everyone (`nav: 'all'`) or for the roles that work there; the API still decides. */
function inNav(route, user) {
  if (route.nav === 'all') return true;
  if (!Array.isArray(route.nav)) return false;
  return (user?.roles ?? []).some((role) => route.nav.includes(role));
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
  navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}&expired=1`, {
    replace: true,
  });
});

await restore();
await render();
