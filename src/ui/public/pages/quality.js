// The quality engineer's page (质量): inspections to do, control charts, nonconformance reports, lots on hold.
// Each view is addressable: /quality?view=spc&characteristic=…, ?view=inspections&inspection=…, ?view=ncr&ncr=…,
// ?view=plans&plan=… (plan=new to define one, &edit=1 to change one).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { rolesOf } from './quality/common.js';
import { mountHolds } from './quality/holds.js';
import { mountInspections } from './quality/inspections.js';
import { mountNcrs } from './quality/ncr.js';
import { mountPlans } from './quality/plans.js';
import { mountSpc } from './quality/spc.js';

const VIEWS = {
  inspections: mountInspections,
  spc: mountSpc,
  ncr: mountNcrs,
  holds: mountHolds,
  plans: mountPlans,
};
const DEFAULT_VIEW = 'inspections';
/** The pushes a view may care about (each view decides what to refetch). */
const LIVE_EVENTS = ['spc.violation', 'inspection.changed', 'inspection.results', 'ncr.changed', 'resync'];

export function mount(main, ctx) {
  const site = ctx.site;
  const roles = rolesOf(ctx);
  const removers = [];
  let current = null;
  let currentName = null;
  let noticeTimer = null;
  let noticeLabel = null;
  let alive = true;

  const tabs = h('nav', { class: 'q-tabs', id: 'quality-tabs' });
  const notice = h('div', {
    class: 'q-live-notice',
    id: 'quality-notice',
    role: 'status',
    'aria-live': 'polite',
  });
  const body = h('div', { class: 'q-view', id: 'quality-view' });
  main.replaceChildren(
    h(
      'div',
      { class: 'quality' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', { id: 'quality-title' }),
        h('p', { class: 'muted', id: 'quality-subtitle' }),
      ),
      tabs,
      notice,
      body,
    ),
  );

  function params() {
    return Object.fromEntries(new URLSearchParams(location.search));
  }

  /** Changes the address (and the view when `view` changes) without reloading the page. */
  function go(next, { replace = false } = {}) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(next)) {
      if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
    }
    const path = `/quality?${query.toString()}`;
    if (path !== location.pathname + location.search) {
      if (replace) history.replaceState(null, '', path);
      else history.pushState(null, '', path);
    }
    show();
  }

  function show() {
    if (!alive) return;
    const p = params();
    const name = VIEWS[p.view] ? p.view : DEFAULT_VIEW;
    paintTabs(name);
    if (current && currentName === name && current.update) {
      current.update(p);
      return;
    }
    current?.unmount();
    body.replaceChildren();
    currentName = name;
    current = VIEWS[name](body, {
      ctx,
      site,
      roles,
      params: p,
      go: (next, options) => go({ view: name, ...next }, options),
      goView: (view, next = {}, options) => go({ view, ...next }, options),
      notify,
    });
  }

  function paintTabs(active) {
    tabs.setAttribute('aria-label', t('quality.tabs.label'));
    tabs.replaceChildren(
      h(
        'ul',
        {},
        Object.keys(VIEWS).map((name) =>
          h(
            'li',
            {},
            h(
              'a',
              {
                href: `/quality?view=${name}`,
                id: `quality-tab-${name}`,
                'aria-current': name === active ? 'page' : undefined,
                onclick: (event) => {
                  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
                  event.preventDefault();
                  go({ view: name });
                },
              },
              t(`quality.tabs.${name}`),
            ),
          ),
        ),
      ),
    );
  }

  /** A short message in the notice line (live events, what an action did); `label()` gives it in the language. */
  function notify(label, tone = 'info') {
    noticeLabel = typeof label === 'function' ? label : () => String(label);
    notice.className = `q-live-notice ${tone}`;
    notice.textContent = noticeLabel();
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => {
      noticeLabel = null;
      notice.textContent = '';
      notice.className = 'q-live-notice';
    }, 15_000);
  }

  function relabel() {
    main.querySelector('#quality-title').textContent = t('quality.title');
    main.querySelector('#quality-subtitle').textContent = `${site.code} · ${site.name}`;
    paintTabs(currentName ?? DEFAULT_VIEW);
    if (noticeLabel) notice.textContent = noticeLabel();
    current?.relabel();
  }

  if (ctx.live) {
    for (const event of LIVE_EVENTS) {
      removers.push(ctx.live.on(event, (data) => current?.onLive?.(event, data ?? {})));
    }
  }

  main.querySelector('#quality-title').textContent = t('quality.title');
  main.querySelector('#quality-subtitle').textContent = `${site.code} · ${site.name}`;
  show();

  return {
    unmount() {
      alive = false;
      clearTimeout(noticeTimer);
      for (const remove of removers) remove();
      current?.unmount();
      current = null;
    },
    relabel,
  };
}
