// System administration (系统管理): users and roles, master data and its CSV import, alert rules, API clients,
// webhooks, dead letters of the outbox and the audit trail. One tab at a time, addressable as /admin?tab=….
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { fill, isAdmin } from './admin/common.js';
import { mountUsers } from './admin/users.js';
import { mountMasterData } from './admin/master-data.js';
import { mountRules } from './admin/rules.js';
import { mountApiClients } from './admin/api-clients.js';
import { mountDeadLetters } from './admin/dead-letters.js';
import { mountWebhooks } from './admin/webhooks.js';
import { mountAudit } from './admin/audit.js';

/** The tabs in order: query-string name, label key and the section that fills the panel. */
const TABS = [
  { name: 'users', mount: mountUsers },
  { name: 'master-data', mount: mountMasterData },
  { name: 'rules', mount: mountRules },
  { name: 'api-clients', mount: mountApiClients },
  { name: 'webhooks', mount: mountWebhooks },
  { name: 'dead-letters', mount: mountDeadLetters },
  { name: 'audit', mount: mountAudit },
];

function tabFromUrl() {
  const wanted = new URLSearchParams(location.search).get('tab');
  return TABS.find((tab) => tab.name === wanted) ?? TABS[0];
}

export function mount(main, ctx) {
  const site = ctx.site;
  const admin = isAdmin(ctx);
  let current = null;
  let section = null;

  const tabList = h('div', { class: 'admin-tabs', role: 'tablist', id: 'admin-tabs' });
  const panel = h('section', { class: 'admin-panel', role: 'tabpanel', id: 'admin-panel', tabindex: '-1' });
  fill(
    main,
    h(
      'div',
      { class: 'admin' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', { id: 'admin-title' }),
        h('p', { class: 'muted', id: 'admin-subtitle' }),
      ),
      admin ? null : h('p', { class: 'notice', id: 'admin-not-admin' }),
      tabList,
      panel,
    ),
  );

  function paintTabs() {
    tabList.setAttribute('aria-label', t('admin.tabs'));
    fill(
      tabList,
      ...TABS.map((tab) =>
        h(
          'a',
          {
            href: `/admin?tab=${tab.name}`,
            role: 'tab',
            id: `admin-tab-${tab.name}`,
            class: 'admin-tab',
            'aria-selected': tab === current ? 'true' : 'false',
            'aria-controls': 'admin-panel',
            tabindex: tab === current ? '0' : '-1',
            onclick: (event) => {
              if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
                return;
              event.preventDefault();
              event.stopPropagation();
              select(tab, true);
            },
            onkeydown: onTabKey,
          },
          t(`admin.tab.${tab.name}`),
        ),
      ),
    );
  }

  /** Arrow keys move between the tabs (the tab list pattern of WAI-ARIA). */
  function onTabKey(event) {
    const index = TABS.indexOf(current);
    let next = null;
    if (event.key === 'ArrowRight') next = TABS[(index + 1) % TABS.length];
    else if (event.key === 'ArrowLeft') next = TABS[(index - 1 + TABS.length) % TABS.length];
    else if (event.key === 'Home') next = TABS[0];
    else if (event.key === 'End') next = TABS[TABS.length - 1];
    if (!next) return;
    event.preventDefault();
    select(next, true);
    document.getElementById(`admin-tab-${next.name}`)?.focus();
  }

  function select(tab, push) {
    if (tab === current) return;
    section?.unmount();
    current = tab;
    if (push) history.pushState(null, '', `/admin?tab=${tab.name}`);
    paintTabs();
    panel.setAttribute('aria-labelledby', `admin-tab-${tab.name}`);
    fill(panel);
    section = tab.mount(panel, { ...ctx, site, admin });
  }

  function relabel() {
    main.querySelector('#admin-title').textContent = t('admin.title');
    main.querySelector('#admin-subtitle').textContent = `${site.code} · ${site.name}`;
    const notice = main.querySelector('#admin-not-admin');
    if (notice) notice.textContent = t('admin.notAdmin');
    paintTabs();
    section?.relabel();
  }

  select(tabFromUrl(), false);
  relabel();

  return {
    unmount() {
      section?.unmount();
      section = null;
    },
    relabel,
  };
}
