// The warehouse page (仓库): pick tasks and putaways, stock and lots, counts with their adjustments, and what
// the lines are short of. Each view is addressable by its query string (/warehouse?view=stock&lot=SH-001).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { permissions } from './warehouse/common.js';
import { mountCounts } from './warehouse/counts.js';
import { mountShortages } from './warehouse/shortages.js';
import { mountStock } from './warehouse/stock.js';
import { mountTasks } from './warehouse/tasks.js';

const VIEWS = { tasks: mountTasks, stock: mountStock, counts: mountCounts, shortages: mountShortages };

export function mount(main, ctx) {
  const params = new URLSearchParams(location.search);
  const view = VIEWS[params.get('view')] ? params.get('view') : 'tasks';
  const site = ctx.site;
  const body = h('div', { class: 'wh-view', id: 'wh-view', dataset: { view } });
  const tabs = h('ul', { class: 'wh-tabs' });
  main.replaceChildren(
    h(
      'div',
      { class: 'warehouse' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', { id: 'warehouse-title' }),
        h('p', { class: 'muted', id: 'warehouse-subtitle' }),
      ),
      h('nav', { class: 'wh-tabs-nav', id: 'wh-tabs' }, tabs),
      body,
    ),
  );

  const go = (query) => ctx.navigate(`/warehouse?${new URLSearchParams(query)}`);
  const child = VIEWS[view](body, { ...ctx, params, go, can: permissions(ctx.session) });

  function relabel() {
    main.querySelector('#warehouse-title').textContent = t('warehouse.title');
    main.querySelector('#warehouse-subtitle').textContent = `${site.code} · ${site.name}`;
    main.querySelector('#wh-tabs').setAttribute('aria-label', t('warehouse.tabs'));
    tabs.replaceChildren(
      ...Object.keys(VIEWS).map((name) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              href: `/warehouse?view=${name}`,
              'data-link': true,
              id: `wh-tab-${name}`,
              'aria-current': name === view ? 'page' : undefined,
            },
            t(`warehouse.tab.${name}`),
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
