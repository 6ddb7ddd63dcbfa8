// The todo inbox (待办): my open todos and my roles', overdue first, each with where it is dealt with; done or
// dismissed with a note; what was closed in the last days. New todos arrive live (todo.created / todo.closed).
import { api, ApiError, renderProblem } from '../api.js';
import { h } from '../dom.js';
import { formatDateTime, formatNumber, locale, t, tOr } from '../i18n.js';
import { sourceLinks, visibleFacts } from './todos/sources.js';

const TABS = ['open', 'closed'];
const SORTS = ['due', 'newest'];
const DAYS = [1, 7, 30];
const READ = 200;
const COALESCE_MS = 150;
/** Todos fall overdue with the clock alone: the list is read and drawn again this often. */
const REFRESH_EVERY_MS = 60_000;
/** How long a todo that arrived live stays marked as new. */
const NEW_MARK_MS = 15_000;
const DAY_MS = 86_400_000;
const DECIMAL = /^-?\d+(\.\d+)?$/;

export function mount(main, ctx) {
  const site = ctx.site;
  const params = new URLSearchParams(location.search);
  const state = {
    tab: TABS.includes(params.get('tab')) ? params.get('tab') : 'open',
    scope: params.get('scope') || 'mine',
    kind: params.get('kind') || '',
    sort: SORTS.includes(params.get('sort')) ? params.get('sort') : 'due',
    days: DAYS.includes(Number(params.get('days'))) ? Number(params.get('days')) : 7,
    text: '',
    me: null,
    open: null,
    closed: null,
    errors: { me: null, open: null, closed: null },
    /** Todos that arrived by a push, marked until `NEW_MARK_MS` after they were first shown. */
    fresh: new Map(),
    announced: new Set(),
    /** The resolve form open on a todo: `{id, element}` (kept across redraws so a typed note survives). */
    form: null,
    notice: null,
  };
  const timers = { coalesce: null, periodic: null, notice: null, fresh: null };
  const pending = new Set();
  const inFlight = new Set();
  const again = new Set();
  const removers = [];
  let alive = true;

  const head = h(
    'div',
    { class: 'page-head' },
    h('h1', { id: 'todos-title' }),
    h('p', { class: 'muted', id: 'todos-subtitle' }),
  );
  const summary = h('dl', { class: 'todos-summary', id: 'todos-summary' });
  const tabs = h('div', { class: 'todos-tabs', id: 'todos-tabs', role: 'group' });
  const filters = h('form', {
    class: 'todos-filters',
    id: 'todos-filters',
    onsubmit: (e) => e.preventDefault(),
  });
  const notice = h('div', {
    class: 'todos-notice',
    id: 'todos-notice',
    role: 'status',
    'aria-live': 'polite',
  });
  const problem = h('div', { id: 'todos-problem', hidden: true });
  const list = h('section', { class: 'todos-list', id: 'todos-list', 'aria-busy': 'true' });
  main.replaceChildren(h('div', { class: 'todos' }, head, summary, tabs, filters, notice, problem, list));

  // ------------------------------------------------------------------ what is shown

  const roles = () => state.me?.roles ?? ctx.session?.user?.roles ?? [];
  const isAdmin = () => roles().includes('admin');
  const mineOf = (todo) =>
    todo.assigneeUserId === state.me?.id || todo.assigneeRoles.some((role) => roles().includes(role));
  const canAct = (todo) => todo.status === 'open' && state.me !== null && (isAdmin() || mineOf(todo));
  const title = (todo) => (locale() === 'zh-CN' ? todo.titleZh || todo.title : todo.title);
  const overdue = (todo, now) =>
    todo.status === 'open' && todo.dueAt !== null && Date.parse(todo.dueAt) < now;

  /** The scope filter: mine and my roles' (the API's `mine`), only me, one of my roles, or the whole site. */
  function inScope(todo) {
    if (state.scope === 'site' || state.scope === 'mine') return true;
    if (state.scope === 'personal')
      return todo.assigneeUserId !== null && todo.assigneeUserId === state.me?.id;
    if (state.scope.startsWith('role:')) return todo.assigneeRoles.includes(state.scope.slice(5));
    return true;
  }

  function matches(todo) {
    if (!inScope(todo)) return false;
    if (state.kind && todo.kind !== state.kind) return false;
    const text = state.text.trim().toLowerCase();
    if (!text) return true;
    return [todo.title, todo.titleZh, ...visibleFacts(todo.detail).map(([, v]) => String(v))].some((s) =>
      String(s ?? '')
        .toLowerCase()
        .includes(text),
    );
  }

  function openShown() {
    const rows = (state.open?.items ?? []).filter(matches);
    if (state.sort === 'newest')
      return rows.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    // Overdue first (longest overdue on top), then by due time, then those without one (newest first).
    return rows.sort((a, b) => {
      if (a.dueAt && b.dueAt) return Date.parse(a.dueAt) - Date.parse(b.dueAt);
      if (a.dueAt) return -1;
      if (b.dueAt) return 1;
      return Date.parse(b.createdAt) - Date.parse(a.createdAt);
    });
  }

  function closedShown() {
    const since = Date.now() - state.days * DAY_MS;
    return (state.closed ?? [])
      .filter((todo) => todo.closedAt && Date.parse(todo.closedAt) >= since)
      .filter(matches)
      .sort((a, b) => Date.parse(b.closedAt) - Date.parse(a.closedAt));
  }

  // ------------------------------------------------------------------ drawing

  function relabel() {
    main.querySelector('#todos-title').textContent = t('todos.page.title');
    main.querySelector('#todos-subtitle').textContent = `${site.code} · ${site.name}`;
    paint();
  }

  function paint() {
    if (!alive) return;
    paintSummary();
    paintTabs();
    paintFilters();
    paintNotice();
    paintList();
  }

  function paintSummary() {
    const now = Date.now();
    const open = (state.open?.items ?? []).filter(inScope);
    const figures = [
      ['open', state.open ? open.length : null],
      ['overdue', state.open ? open.filter((todo) => overdue(todo, now)).length : null, 'danger'],
      [
        'personal',
        state.open && state.me ? open.filter((todo) => todo.assigneeUserId === state.me.id).length : null,
      ],
      ['closed', state.closed ? closedShown().length : null],
    ];
    summary.replaceChildren(
      ...figures.map(([name, value, tone]) =>
        h(
          'div',
          { class: tone && value > 0 ? `todos-figure ${tone}` : 'todos-figure' },
          h(
            'dt',
            {},
            name === 'closed' ? t('todos.summary.closed', { days: state.days }) : t(`todos.summary.${name}`),
          ),
          h('dd', { dataset: { figure: name } }, value === null ? '—' : formatNumber(value)),
        ),
      ),
    );
  }

  function paintTabs() {
    tabs.setAttribute('aria-label', t('todos.tabs.label'));
    const count = (tab) => {
      if (tab === 'open') return state.open ? openShown().length : null;
      return state.closed ? closedShown().length : null;
    };
    tabs.replaceChildren(
      ...TABS.map((tab) => {
        const n = count(tab);
        return h(
          'button',
          {
            type: 'button',
            id: `todos-tab-${tab}`,
            class: 'todos-tab',
            'aria-pressed': state.tab === tab ? 'true' : 'false',
            onclick: () => {
              state.tab = tab;
              remember();
              paint();
            },
          },
          tab === 'open' ? t('todos.tabs.open') : t('todos.tabs.closed', { days: state.days }),
          n === null
            ? null
            : h('span', { class: 'todos-tab-count', dataset: { count: tab } }, formatNumber(n)),
        );
      }),
    );
  }

  function paintFilters() {
    const focused = document.activeElement?.id;
    const kinds = new Set([...(state.open?.items ?? []), ...(state.closed ?? [])].map((todo) => todo.kind));
    if (state.kind) kinds.add(state.kind);
    const scopes = [
      ['mine', t('todos.scope.mine')],
      ['personal', t('todos.scope.personal')],
      ...roles().map((role) => [`role:${role}`, t('todos.scope.role', { role: tOr('role', role) })]),
      ['site', t('todos.scope.site')],
    ];
    filters.setAttribute('aria-label', t('todos.filters.label'));
    filters.replaceChildren(
      field(
        'todos-scope',
        t('todos.filters.scope'),
        h(
          'select',
          {
            id: 'todos-scope',
            onchange: (e) =>
              setFilter('scope', e.target.value, e.target.value === 'site' || state.scope === 'site'),
          },
          scopes.map(([value, label]) => h('option', { value, selected: value === state.scope }, label)),
        ),
      ),
      field(
        'todos-kind',
        t('todos.filters.kind'),
        h(
          'select',
          { id: 'todos-kind', onchange: (e) => setFilter('kind', e.target.value, false) },
          h('option', { value: '', selected: state.kind === '' }, t('todos.filters.allKinds')),
          [...kinds]
            .sort()
            .map((kind) => h('option', { value: kind, selected: kind === state.kind }, kindLabel(kind))),
        ),
      ),
      state.tab === 'open'
        ? field(
            'todos-sort',
            t('todos.filters.sort'),
            h(
              'select',
              { id: 'todos-sort', onchange: (e) => setFilter('sort', e.target.value, false) },
              SORTS.map((sort) =>
                h('option', { value: sort, selected: sort === state.sort }, t(`todos.sort.${sort}`)),
              ),
            ),
          )
        : field(
            'todos-days',
            t('todos.filters.days'),
            h(
              'select',
              { id: 'todos-days', onchange: (e) => setFilter('days', Number(e.target.value), false) },
              DAYS.map((days) =>
                h(
                  'option',
                  { value: String(days), selected: days === state.days },
                  t('todos.days', { days }),
                ),
              ),
            ),
          ),
      field(
        'todos-search',
        t('todos.filters.search'),
        h('input', {
          id: 'todos-search',
          type: 'search',
          value: state.text,
          placeholder: t('todos.filters.searchHint'),
          oninput: (e) => {
            state.text = e.target.value;
            paintSummary();
            paintTabs();
            paintList();
          },
        }),
      ),
      h(
        'button',
        {
          type: 'button',
          id: 'todos-reload',
          onclick: () => {
            refresh(['me', 'open', 'closed'], true);
            document.dispatchEvent(new CustomEvent('todos:changed'));
          },
        },
        t('todos.reload'),
      ),
    );
    if (focused) document.getElementById(focused)?.focus();
  }

  function field(id, label, control) {
    return h('div', { class: 'todos-field' }, h('label', { for: id }, label), control);
  }

  function setFilter(name, value, refetch) {
    state[name] = value;
    remember();
    if (refetch) {
      state.open = null;
      state.closed = null;
      paint();
      refresh(['open', 'closed'], true);
    } else paint();
  }

  /** The filters in the address, so the page can be bookmarked and comes back as it was. */
  function remember() {
    const q = new URLSearchParams();
    if (state.tab !== 'open') q.set('tab', state.tab);
    if (state.scope !== 'mine') q.set('scope', state.scope);
    if (state.kind) q.set('kind', state.kind);
    if (state.sort !== 'due') q.set('sort', state.sort);
    if (state.days !== 7) q.set('days', String(state.days));
    const path = q.toString() ? `/todos?${q}` : '/todos';
    if (path !== location.pathname + location.search) history.replaceState(null, '', path);
  }

  function paintNotice() {
    notice.replaceChildren();
    notice.className = 'todos-notice';
    if (!state.notice) return;
    notice.classList.add(state.notice.tone);
    notice.append(h('p', {}, state.notice.text()));
  }

  /** A message for a while; `text` is asked again after a language switch. */
  function say(text, tone = 'ok') {
    state.notice = { text, tone };
    paintNotice();
    clearTimeout(timers.notice);
    timers.notice = setTimeout(() => {
      state.notice = null;
      if (alive) paintNotice();
    }, 12_000);
  }

  function paintList() {
    const error = state.tab === 'open' ? state.errors.open : state.errors.closed;
    const error2 = state.errors.me;
    if (error || error2) renderProblem(problem, error ?? error2);
    else {
      problem.hidden = true;
      problem.replaceChildren();
    }
    const loaded = state.tab === 'open' ? state.open !== null : state.closed !== null;
    list.setAttribute('aria-busy', loaded ? 'false' : 'true');
    list.setAttribute(
      'aria-label',
      state.tab === 'open' ? t('todos.tabs.open') : t('todos.tabs.closed', { days: state.days }),
    );
    if (!loaded) {
      list.replaceChildren(error ? '' : h('p', { class: 'muted' }, t('todos.loading')));
      return;
    }
    const rows = state.tab === 'open' ? openShown() : closedShown();
    const focused = state.form?.element.contains(document.activeElement) ? document.activeElement : null;
    const now = Date.now();
    list.replaceChildren(
      rows.length === 0
        ? h(
            'p',
            { class: 'todos-empty muted', id: 'todos-empty' },
            state.tab === 'open' ? t('todos.emptyOpen') : t('todos.emptyClosed', { days: state.days }),
          )
        : h(
            'ul',
            { class: 'todo-items' },
            rows.map((todo) => item(todo, now)),
          ),
      state.tab === 'open' && state.open && state.open.total > state.open.items.length
        ? h(
            'p',
            { class: 'muted', id: 'todos-more' },
            t('todos.moreOpen', { count: formatNumber(state.open.total - state.open.items.length) }),
          )
        : '',
    );
    if (state.form && !rows.some((todo) => todo.id === state.form.id)) state.form = null;
    focused?.focus();
  }

  function item(todo, now) {
    const late = overdue(todo, now);
    const isNew = todo.status === 'open' && (state.fresh.get(todo.id) ?? 0) > now;
    const links = sourceLinks(todo);
    const facts = visibleFacts(todo.detail);
    const cls = ['todo-item', late ? 'overdue' : '', isNew ? 'is-new' : '', `status-${todo.status}`].filter(
      Boolean,
    );
    return h(
      'li',
      { class: cls.join(' '), dataset: { todo: todo.id, kind: todo.kind } },
      h(
        'div',
        { class: 'todo-main' },
        h(
          'p',
          { class: 'todo-head' },
          h('span', { class: 'badge todo-kind' }, kindLabel(todo.kind)),
          isNew ? h('span', { class: 'badge todo-new' }, t('todos.new')) : null,
          late ? h('span', { class: 'badge danger todo-overdue' }, t('todos.overdueBadge')) : null,
          todo.status !== 'open'
            ? h('span', { class: `badge todo-status ${todo.status}` }, t(`todos.status.${todo.status}`))
            : null,
        ),
        h('p', { class: 'todo-title', dataset: { field: 'title' } }, title(todo)),
        h(
          'p',
          { class: 'todo-meta muted small' },
          h('span', { dataset: { field: 'for' } }, t('todos.for', { who: assignees(todo) })),
          h('span', {}, t('todos.createdAt', { time: formatDateTime(todo.createdAt, site.timeZone) })),
          todo.detail?.rule ? h('span', {}, t('todos.byRule', { rule: String(todo.detail.rule) })) : null,
        ),
        links.length > 0
          ? h(
              'p',
              { class: 'todo-links' },
              h('span', { class: 'visually-hidden' }, t('todos.sourceLabel')),
              links.map((link) =>
                h(
                  'a',
                  { href: link.href, 'data-link': true, class: 'todo-source', dataset: { page: link.key } },
                  link.label,
                ),
              ),
            )
          : null,
        facts.length > 0
          ? h(
              'details',
              { class: 'todo-facts' },
              h('summary', {}, t('todos.facts')),
              h(
                'dl',
                {},
                facts.map(([key, value]) =>
                  h('div', {}, h('dt', {}, tOr('todos.fact', key)), h('dd', {}, factValue(value))),
                ),
              ),
            )
          : null,
        todo.status !== 'open' ? closedLine(todo) : null,
      ),
      h(
        'div',
        { class: 'todo-side' },
        h(
          'p',
          { class: late ? 'todo-due late' : 'todo-due', dataset: { field: 'due' } },
          todo.dueAt
            ? h(
                'time',
                { datetime: todo.dueAt },
                t('todos.dueAt', { time: formatDateTime(todo.dueAt, site.timeZone) }),
              )
            : h('span', { class: 'muted' }, t('todos.noDue')),
        ),
        canAct(todo) && state.form?.id !== todo.id
          ? h(
              'button',
              {
                type: 'button',
                class: 'primary todo-resolve-open',
                'aria-label': t('todos.resolveFor', { title: title(todo) }),
                onclick: () => openForm(todo),
              },
              t('todos.resolve'),
            )
          : null,
        todo.status === 'open' && !canAct(todo) && state.me
          ? h('p', { class: 'muted small todo-readonly' }, t('todos.notYours'))
          : null,
      ),
      state.form?.id === todo.id ? state.form.element : null,
    );
  }

  function closedLine(todo) {
    return h(
      'p',
      { class: 'todo-closed small', dataset: { field: 'closed' } },
      t('todos.closedBy', {
        who: todo.closedBy === 'system' ? t('todos.system') : (todo.closedBy ?? '—'),
        time: formatDateTime(todo.closedAt, site.timeZone),
      }),
      todo.closeNote ? h('span', { class: 'todo-note' }, ` — ${todo.closeNote}`) : null,
    );
  }

  function assignees(todo) {
    const who = todo.assigneeRoles.map((role) => tOr('role', role));
    if (todo.assigneeUserId)
      who.push(todo.assigneeUserId === state.me?.id ? t('todos.me') : t('todos.aPerson'));
    return who.join(t('list.separator'));
  }

  function kindLabel(kind) {
    return tOr('todos.kind', kind);
  }

  function factValue(value) {
    if (typeof value === 'number' || (typeof value === 'string' && DECIMAL.test(value)))
      return formatNumber(value);
    if (typeof value === 'boolean') return value ? t('todos.yes') : t('todos.no');
    return String(value);
  }

  // ------------------------------------------------------------------ resolving

  function openForm(todo) {
    const id = `todo-note-${todo.id}`;
    const box = h('div', { class: 'todo-form-problem', hidden: true });
    const note = h('textarea', { id, rows: '2', maxlength: '500', class: 'todo-note-input' });
    const submit = (status) => async () => {
      const current = state.open?.items.find((x) => x.id === todo.id) ?? todo;
      const buttons = element.querySelectorAll('button');
      buttons.forEach((b) => (b.disabled = true));
      box.hidden = true;
      try {
        const closed = await api(
          `/sites/${site.id}/todos/${todo.id}/${status === 'done' ? 'done' : 'dismiss'}`,
          {
            method: 'POST',
            body: {
              ...(note.value.trim() ? { note: note.value.trim() } : {}),
              expectedVersion: current.version,
            },
          },
        );
        if (!alive) return;
        state.form = null;
        if (state.open) {
          state.open.items = state.open.items.filter((x) => x.id !== todo.id);
          state.open.total = Math.max(0, state.open.total - 1);
        }
        if (state.closed) state.closed = [closed, ...state.closed.filter((x) => x.id !== closed.id)];
        document.dispatchEvent(new CustomEvent('todos:changed'));
        say(() =>
          t(status === 'done' ? 'todos.doneNotice' : 'todos.dismissedNotice', { title: title(closed) }),
        );
        paint();
        list.querySelector('.todo-item .todo-resolve-open')?.focus();
        refresh(['open', 'closed']);
      } catch (error) {
        if (!alive) return;
        buttons.forEach((b) => (b.disabled = false));
        renderProblem(box, error);
        // Closed or changed meanwhile: show the list as it is now (the form stays while the todo is open).
        if (error instanceof ApiError && (error.status === 409 || error.status === 404))
          refresh(['open', 'closed']);
      }
    };
    const element = h(
      'form',
      {
        class: 'todo-form',
        'aria-label': t('todos.resolveFor', { title: title(todo) }),
        onsubmit: (e) => {
          e.preventDefault();
          void submit('done')();
        },
      },
      h('label', { for: id }, t('todos.note')),
      note,
      h('p', { class: 'muted small' }, t('todos.noteHint')),
      box,
      h(
        'div',
        { class: 'todo-form-actions' },
        h('button', { type: 'submit', class: 'primary todo-done' }, t('todos.markDone')),
        h(
          'button',
          { type: 'button', class: 'todo-dismiss', onclick: () => void submit('dismissed')() },
          t('todos.dismiss'),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'todo-cancel',
            onclick: () => {
              state.form = null;
              paintList();
              list.querySelector(`[data-todo="${todo.id}"] .todo-resolve-open`)?.focus();
            },
          },
          t('todos.cancel'),
        ),
      ),
    );
    state.form = { id: todo.id, element };
    paintList();
    note.focus();
  }

  // ------------------------------------------------------------------ reading

  const SOURCES = {
    me: () => api('/auth/me'),
    open: () =>
      api(`/sites/${site.id}/todos`, {
        query: { status: 'open', mine: state.scope === 'site' ? undefined : true, limit: READ },
      }),
    closed: async () => {
      const mine = state.scope === 'site' ? undefined : true;
      const [done, dismissed] = await Promise.all(
        ['done', 'dismissed'].map((status) =>
          api(`/sites/${site.id}/todos`, { query: { status, mine, limit: READ } }),
        ),
      );
      return [...done.items, ...dismissed.items];
    },
  };

  function refresh(names, immediately = false) {
    for (const name of names) pending.add(name);
    if (immediately) {
      clearTimeout(timers.coalesce);
      timers.coalesce = null;
      flush();
    } else timers.coalesce ??= setTimeout(flush, COALESCE_MS);
  }

  function flush() {
    timers.coalesce = null;
    for (const name of [...pending]) {
      pending.delete(name);
      void load(name);
    }
  }

  async function load(name) {
    if (inFlight.has(name)) {
      again.add(name);
      return;
    }
    inFlight.add(name);
    const scope = state.scope;
    try {
      const answer = await SOURCES[name]();
      if (scope === state.scope || name === 'me') {
        state[name] = answer;
        state.errors[name] = null;
      }
    } catch (error) {
      state.errors[name] = error;
    } finally {
      inFlight.delete(name);
    }
    if (!alive) return;
    if (name === 'open') markArrivals();
    paint();
    if (again.delete(name)) void load(name);
  }

  /** Todos a push announced: marked as new for a while, and read out once. */
  function markArrivals() {
    const now = Date.now();
    for (const [id, until] of state.fresh) if (until !== null && until < now) state.fresh.delete(id);
    for (const todo of state.open?.items ?? []) {
      if (state.fresh.get(todo.id) !== null || state.announced.has(todo.id)) continue;
      state.fresh.set(todo.id, now + NEW_MARK_MS);
      state.announced.add(todo.id);
      if (matches(todo)) say(() => t('todos.arrived', { title: title(todo) }), 'info');
      clearTimeout(timers.fresh);
      timers.fresh = setTimeout(() => alive && paintList(), NEW_MARK_MS + 100);
    }
  }

  if (ctx.live) {
    removers.push(
      ctx.live.on('todo.created', (pushed) => {
        // The push is to my roles' and my own rooms (any site of mine): the list says whether it is here.
        if (pushed?.todoId && !state.fresh.has(pushed.todoId)) state.fresh.set(pushed.todoId, null);
        refresh(['open']);
      }),
      ctx.live.on('todo.closed', (pushed) => {
        if (!pushed?.siteId || pushed.siteId === site.id) refresh(['open', 'closed']);
      }),
      ctx.live.on('resync', () => refresh(['open', 'closed'])),
    );
  }
  timers.periodic = setInterval(() => refresh(['open']), REFRESH_EVERY_MS);
  remember();
  relabel();
  refresh(['me', 'open', 'closed'], true);

  return {
    unmount() {
      alive = false;
      clearTimeout(timers.coalesce);
      clearTimeout(timers.notice);
      clearTimeout(timers.fresh);
      clearInterval(timers.periodic);
      for (const remove of removers) remove();
    },
    relabel() {
      // A form open in the old language is drawn again in the new one (its note is kept).
      if (state.form) {
        const todo = state.open?.items.find((x) => x.id === state.form.id);
        const typed = state.form.element.querySelector('textarea')?.value ?? '';
        state.form = null;
        relabel();
        if (todo) {
          openForm(todo);
          state.form.element.querySelector('textarea').value = typed;
        }
        return;
      }
      relabel();
    },
  };
}
