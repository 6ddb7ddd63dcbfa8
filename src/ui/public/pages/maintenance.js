// The maintenance page (设备维护): the ticket board, a ticket, the PM calendar and the assets, each addressable
// by its query string (/maintenance?view=ticket&id=MT-2026-000001).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { mountAsset } from './maintenance/asset.js';
import { mountBoard } from './maintenance/board.js';
import { mountCalendar } from './maintenance/calendar.js';
import { permissions } from './maintenance/common.js';
import { mountReliability } from './maintenance/reliability.js';
import { mountSetup } from './maintenance/setup.js';
import { mountTicket } from './maintenance/ticket.js';

const VIEWS = {
  board: mountBoard,
  ticket: mountTicket,
  calendar: mountCalendar,
  asset: mountAsset,
  reliability: mountReliability,
  setup: mountSetup,
};

/** The tabs; a ticket belongs to the board. */
const TABS = [
  { view: 'board', label: 'maintenance.tab.board', also: ['ticket'] },
  { view: 'calendar', label: 'maintenance.tab.calendar', also: [] },
  { view: 'asset', label: 'maintenance.tab.assets', also: [] },
  { view: 'reliability', label: 'maintenance.tab.reliability', also: [] },
  { view: 'setup', label: 'maintenance.tab.setup', also: [], only: 'setup' },
];

export function mount(main, ctx) {
  const params = new URLSearchParams(location.search);
  const view = VIEWS[params.get('view')] ? params.get('view') : 'board';
  const site = ctx.site;
  const body = h('div', { class: 'mt-view', id: 'mt-view', dataset: { view } });
  const tabs = h('ul', { class: 'mt-tabs' });
  main.replaceChildren(
    h(
      'div',
      { class: 'maintenance' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', { id: 'maintenance-title' }),
        h('p', { class: 'muted', id: 'maintenance-subtitle' }),
      ),
      h('nav', { class: 'mt-tabs-nav', id: 'mt-tabs' }, tabs),
      body,
    ),
  );

  const go = (query) => ctx.navigate(`/maintenance?${new URLSearchParams(query)}`);
  const can = permissions(ctx.session);
  const child = VIEWS[view](body, { ...ctx, params, go, can });

  function relabel() {
    main.querySelector('#maintenance-title').textContent = t('maintenance.title');
    main.querySelector('#maintenance-subtitle').textContent = `${site.code} · ${site.name}`;
    main.querySelector('#mt-tabs').setAttribute('aria-label', t('maintenance.tabs'));
    tabs.replaceChildren(
      ...TABS.filter((tab) => !tab.only || can[tab.only] || tab.view === view).map((tab) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              href: `/maintenance?view=${tab.view}`,
              'data-link': true,
              id: `mt-tab-${tab.view}`,
              'aria-current': tab.view === view || tab.also.includes(view) ? 'page' : undefined,
            },
            t(tab.label),
          ),
        ),
      ),
    );
    child.relabel();
  }

  relabel();
  return {
    unmount() {
      child.unmount();
    },
    relabel,
  };
}
