// The audit trail (审计追踪): who changed what, when, before and after, and why — newest first, filtered.
import { api } from '../../api.js';
import { dataTable, h } from '../../dom.js';
import { t, tOr } from '../../i18n.js';
import { clearProblem, clip, downloadCsv, fill, problemBox, showProblem, when } from './common.js';

const LIMIT = 50;

export function mountAudit(container, ctx) {
  const { site } = ctx;
  const state = {
    entityType: '',
    action: '',
    entityId: '',
    items: [],
    nextBefore: null,
    error: null,
    loaded: false,
  };
  let alive = true;
  let generation = 0;

  const head = h('form', { class: 'admin-toolbar', id: 'audit-filters' });
  const problem = problemBox('audit-problem');
  const body = h('div', { class: 'admin-body', id: 'audit-body', 'aria-busy': 'true' });
  fill(container, h('h2', { class: 'visually-hidden', id: 'audit-title' }), head, problem, body);

  head.addEventListener('submit', (event) => {
    event.preventDefault();
    state.entityType = head.elements.entityType.value.trim();
    state.action = head.elements.action.value.trim();
    state.entityId = head.elements.entityId.value.trim();
    void load(false);
  });

  async function load(more) {
    const mine = ++generation;
    body.setAttribute('aria-busy', 'true');
    try {
      const page = await api('/audit', {
        query: {
          entityType: state.entityType || undefined,
          action: state.action || undefined,
          entityId: state.entityId || undefined,
          before: more ? state.nextBefore : undefined,
          limit: LIMIT,
        },
      });
      if (mine !== generation) return;
      state.items = more ? [...state.items, ...page.items] : page.items;
      state.nextBefore = page.nextBefore;
      state.error = null;
      state.loaded = true;
    } catch (error) {
      if (mine !== generation) return;
      state.error = error;
    }
    if (!alive) return;
    body.setAttribute('aria-busy', 'false');
    paintBody();
  }

  function paintHead() {
    container.querySelector('#audit-title').textContent = t('admin.tab.audit');
    const input = (name, label, hint) =>
      h(
        'label',
        { class: 'admin-search' },
        h('span', {}, label),
        h('input', { name, id: `audit-${name}`, value: state[name], placeholder: hint, autocomplete: 'off' }),
      );
    fill(
      head,
      input('entityType', t('admin.audit.entityType'), t('admin.audit.entityTypeHint')),
      input('action', t('admin.audit.action'), t('admin.audit.actionHint')),
      input('entityId', t('admin.audit.entityId')),
      h('button', { type: 'submit', class: 'primary', id: 'audit-apply' }, t('admin.audit.apply')),
      h(
        'button',
        { type: 'button', id: 'audit-export', onclick: () => void exportCsv() },
        t('admin.audit.export'),
      ),
    );
  }

  /** Every entry matching the filters in the form (not only the page shown), oldest first, as CSV. */
  async function exportCsv() {
    clearProblem(problem);
    const value = (name) => head.elements[name].value.trim() || undefined;
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '');
    try {
      await downloadCsv('/audit/export', `audit-${stamp}.csv`, {
        format: 'csv',
        entityType: value('entityType'),
        action: value('action'),
        entityId: value('entityId'),
      });
    } catch (error) {
      showProblem(problem, error);
    }
  }

  function paintBody() {
    if (!alive) return;
    if (state.error) {
      fill(body);
      showProblem(problem, state.error);
      return;
    }
    clearProblem(problem);
    if (!state.loaded) return;
    fill(
      body,
      state.items.length === 0
        ? h('p', { class: 'muted' }, t('admin.audit.none'))
        : h(
            'div',
            { class: 'table-wrap' },
            dataTable(
              'admin-table',
              [
                t('admin.audit.col.when'),
                t('admin.audit.col.who'),
                t('admin.audit.col.action'),
                t('admin.audit.col.entity'),
                t('admin.audit.col.reason'),
                t('admin.audit.col.change'),
              ],
              state.items,
              (entry) => ({
                key: { entry: entry.id, action: entry.action },
                head: when(entry.occurredAt, site),
                cells: [
                  h(
                    'span',
                    {},
                    entry.actorName,
                    h('span', { class: 'row-line muted' }, tOr('admin.audit.actor', entry.actorType)),
                  ),
                  h('code', {}, entry.action),
                  h(
                    'span',
                    {},
                    entry.entityType,
                    h('span', { class: 'row-line muted' }, clip(entry.entityId, 40)),
                  ),
                  clip(entry.reason, 80),
                  entry.before || entry.after ? change(entry) : '—',
                ],
              }),
            ),
          ),
      state.nextBefore
        ? h(
            'button',
            { type: 'button', id: 'audit-more', onclick: () => void load(true) },
            t('admin.audit.more'),
          )
        : null,
    );
  }

  function change(entry) {
    const before = entry.before ?? {};
    const after = entry.after ?? {};
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (key) =>
        JSON.stringify(before[key]) !== JSON.stringify(after[key]) && !['updatedAt', 'version'].includes(key),
    );
    return h(
      'details',
      { class: 'admin-payload' },
      h('summary', {}, t('admin.audit.fields', { count: keys.length })),
      h(
        'dl',
        { class: 'admin-diff' },
        keys.flatMap((key) => [
          h('dt', {}, key),
          h(
            'dd',
            {},
            entry.before ? h('del', {}, clip(JSON.stringify(before[key] ?? null), 200)) : null,
            ' → ',
            h('ins', {}, clip(JSON.stringify(after[key] ?? null), 200)),
          ),
        ]),
      ),
    );
  }

  paintHead();
  paintBody();
  void load(false);

  return {
    unmount() {
      alive = false;
    },
    relabel: () => {
      paintHead();
      paintBody();
    },
  };
}
