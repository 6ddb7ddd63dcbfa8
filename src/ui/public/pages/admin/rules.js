// Alert rules (预警规则): the shipped rules and the site's own, switched on and off, their thresholds and
// recipients changed, new rules written, and what the rules did lately (firings).
import { api, ApiError } from '../../api.js';
import { dataTable, h } from '../../dom.js';
import { formatNumber, locale, t, tOr } from '../../i18n.js';
import {
  checkedValues,
  checkGroup,
  clearProblem,
  clip,
  clipText,
  field,
  flash,
  formActions,
  openModal,
  problemBox,
  roleOptions,
  showProblem,
  submitting,
  when,
  fill,
} from './common.js';

const FIRINGS_SHOWN = 20;

/** Every comparison (`{field, op, value}`) in a condition tree, with a setter into a copy of the tree. */
function comparisons(tree, path = []) {
  if (!tree || typeof tree !== 'object') return [];
  if (Array.isArray(tree.all)) return tree.all.flatMap((c, i) => comparisons(c, [...path, 'all', i]));
  if (Array.isArray(tree.any)) return tree.any.flatMap((c, i) => comparisons(c, [...path, 'any', i]));
  if (tree.not) return comparisons(tree.not, [...path, 'not']);
  if (typeof tree.field === 'string') return [{ path, leaf: tree }];
  return [];
}

function at(tree, path) {
  return path.reduce((node, key) => node[key], tree);
}

/** The value typed in a box, read back as the type the rule had (number, list, true/false or text). */
function parseValue(text, before) {
  const trimmed = text.trim();
  if (typeof before === 'number') {
    const n = Number(trimmed);
    return trimmed !== '' && Number.isFinite(n) ? n : trimmed;
  }
  if (typeof before === 'boolean') return trimmed === 'true';
  if (Array.isArray(before)) {
    return trimmed === ''
      ? []
      : trimmed.split(',').map((part) => {
          const p = part.trim();
          return typeof before[0] === 'number' && Number.isFinite(Number(p)) ? Number(p) : p;
        });
  }
  return trimmed;
}

const showValue = (value) =>
  Array.isArray(value) ? value.join(', ') : value === undefined ? '' : String(value);

export function mountRules(container, ctx) {
  const { site, admin } = ctx;
  const url = (path = '') => `/sites/${site.id}/rules${path}`;
  const state = { rules: null, error: null, catalog: null, firings: null, firingsError: null };
  let alive = true;

  const head = h('div', { class: 'admin-toolbar' });
  const message = h('p', { class: 'admin-flash', id: 'rules-flash', role: 'status', hidden: true });
  const problem = problemBox('rules-problem');
  const body = h('div', { class: 'admin-body', id: 'rules-body', 'aria-busy': 'true' });
  const firings = h('section', {
    class: 'admin-card',
    id: 'rules-firings',
    'aria-labelledby': 'firings-title',
  });
  fill(
    container,
    h('h2', { class: 'visually-hidden', id: 'rules-title' }),
    head,
    message,
    problem,
    body,
    firings,
  );

  const ruleName = (rule) => (locale() === 'zh-CN' ? rule.nameZh || rule.name : rule.name || rule.nameZh);

  async function load() {
    body.setAttribute('aria-busy', 'true');
    const [rules, catalog, fired] = await Promise.allSettled([
      api(url()),
      state.catalog ? Promise.resolve(state.catalog) : api(url('/catalog')),
      api(url('/firings'), { query: { limit: FIRINGS_SHOWN } }),
    ]);
    if (!alive) return;
    if (rules.status === 'fulfilled') {
      state.rules = rules.value;
      state.error = null;
    } else state.error = rules.reason;
    if (catalog.status === 'fulfilled') state.catalog = catalog.value;
    if (fired.status === 'fulfilled') {
      state.firings = fired.value;
      state.firingsError = null;
    } else state.firingsError = fired.reason;
    body.setAttribute('aria-busy', 'false');
    paint();
  }

  function triggerText(trigger) {
    if (!trigger) return '—';
    if (trigger.kind === 'metric') return t('admin.rules.metric', { name: trigger.metric });
    return t('admin.rules.event', { name: trigger.event });
  }

  function paint() {
    if (!alive) return;
    container.querySelector('#rules-title').textContent = t('admin.tab.rules');
    fill(
      head,
      h('p', { class: 'muted admin-grow' }, t('admin.rules.explain')),
      admin
        ? h(
            'button',
            { type: 'button', class: 'primary', id: 'rule-new', onclick: () => newRule() },
            t('admin.rules.new'),
          )
        : null,
    );
    if (state.error) {
      fill(body);
      showProblem(problem, state.error);
    } else if (state.rules) {
      clearProblem(problem);
      fill(
        body,
        state.rules.length === 0
          ? h('p', { class: 'muted' }, t('admin.rules.none'))
          : h(
              'div',
              { class: 'table-wrap' },
              dataTable(
                'admin-table',
                [
                  t('admin.rules.col.rule'),
                  t('admin.rules.col.trigger'),
                  t('admin.rules.col.source'),
                  t('admin.rules.col.status'),
                  t('admin.rules.col.changed'),
                  admin ? t('admin.col.actions') : null,
                ].filter(Boolean),
                state.rules,
                (rule) => ({
                  key: { rule: rule.code },
                  head: h('span', {}, ruleName(rule), h('span', { class: 'row-line muted' }, rule.code)),
                  cells: [
                    triggerText(rule.trigger),
                    h(
                      'span',
                      { class: 'badge', dataset: { field: 'source' } },
                      t(
                        rule.builtin
                          ? rule.customized
                            ? 'admin.rules.customized'
                            : 'admin.rules.shipped'
                          : 'admin.rules.own',
                      ),
                    ),
                    h(
                      'span',
                      {
                        class: `badge ${rule.enabled ? 'status-running' : 'danger'}`,
                        dataset: { field: 'enabled' },
                      },
                      t(rule.enabled ? 'admin.rules.enabled' : 'admin.rules.disabled'),
                    ),
                    rule.updatedAt ? `${rule.updatedByName ?? '—'} · ${when(rule.updatedAt, site)}` : '—',
                    admin ? actions(rule) : null,
                  ].filter((cell) => cell !== null),
                }),
              ),
            ),
      );
    }
    paintFirings();
  }

  function actions(rule) {
    return h(
      'div',
      { class: 'admin-row-actions' },
      h(
        'button',
        {
          type: 'button',
          class: rule.enabled ? 'danger' : '',
          dataset: { action: rule.enabled ? 'disable' : 'enable' },
          onclick: (event) => void toggle(rule, event.currentTarget),
        },
        t(rule.enabled ? 'admin.rules.disable' : 'admin.rules.enable'),
      ),
      h(
        'button',
        { type: 'button', dataset: { action: 'edit' }, onclick: () => editRule(rule) },
        t('admin.edit'),
      ),
      rule.builtin && !rule.customized
        ? null
        : h(
            'button',
            { type: 'button', dataset: { action: 'remove' }, onclick: () => removeRule(rule) },
            t(rule.builtin ? 'admin.rules.restore' : 'admin.rules.delete'),
          ),
    );
  }

  async function toggle(rule, button) {
    button.disabled = true;
    clearProblem(problem);
    try {
      const changed = await api(
        url(`/${encodeURIComponent(rule.code)}/${rule.enabled ? 'disable' : 'enable'}`),
        {
          method: 'POST',
          body: { expectedVersion: rule.version },
        },
      );
      flash(
        message,
        t(changed.enabled ? 'admin.rules.nowEnabled' : 'admin.rules.nowDisabled', {
          name: ruleName(changed),
        }),
      );
      await load();
    } catch (error) {
      showProblem(problem, error);
      button.disabled = false;
    }
  }

  function removeRule(rule) {
    openModal(container, {
      id: 'rule-remove-dialog',
      title: t(rule.builtin ? 'admin.rules.restoreTitle' : 'admin.rules.deleteTitle', {
        name: ruleName(rule),
      }),
      build: (close) => {
        const box = problemBox('rule-remove-problem');
        const form = h(
          'form',
          { class: 'admin-form', id: 'rule-remove-form' },
          h('p', {}, t(rule.builtin ? 'admin.rules.restoreExplain' : 'admin.rules.deleteExplain')),
          box,
          formActions(close, t(rule.builtin ? 'admin.rules.restore' : 'admin.rules.delete'), {
            submitId: 'rule-remove-submit',
            danger: true,
          }),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void submitting(form, box, async () => {
            await api(url(`/${encodeURIComponent(rule.code)}`), {
              method: 'DELETE',
              query: { expectedVersion: rule.version },
            });
            close();
            flash(
              message,
              t(rule.builtin ? 'admin.rules.restored' : 'admin.rules.deleted', { name: ruleName(rule) }),
            );
            await load();
          });
        });
        return form;
      },
    });
  }

  /** Thresholds (the comparisons' values) and recipients in plain fields; the whole rule as JSON for the rest. */
  function editRule(rule) {
    const definition = { trigger: rule.trigger, conditions: rule.conditions, actions: rule.actions };
    const json = JSON.stringify(definition, null, 2);
    const leaves = [
      ...comparisons(rule.trigger?.filter, ['trigger', 'filter']),
      ...comparisons(rule.conditions, ['conditions']),
    ];
    const ops = state.catalog?.comparisons ?? [
      'eq',
      'ne',
      'gt',
      'gte',
      'lt',
      'lte',
      'in',
      'not_in',
      'contains',
      'exists',
    ];
    openModal(container, {
      id: 'rule-dialog',
      title: t('admin.rules.editTitle', { name: ruleName(rule) }),
      wide: true,
      build: (close) => {
        const box = problemBox('rule-dialog-problem');
        const thresholdRows = leaves.map(({ leaf }, i) =>
          h(
            'div',
            { class: 'admin-threshold', dataset: { field: leaf.field } },
            h('span', { class: 'admin-threshold-field' }, leaf.field),
            h(
              'select',
              { name: `op-${i}`, 'aria-label': t('admin.rules.comparison', { field: leaf.field }) },
              ops.map((op) => h('option', { value: op, selected: op === leaf.op }, tOr('admin.op', op))),
            ),
            h('input', {
              name: `value-${i}`,
              id: `rule-threshold-${i}`,
              value: showValue(leaf.value),
              'aria-label': t('admin.rules.threshold', { field: leaf.field }),
            }),
          ),
        );
        const recipientRows = (rule.actions ?? []).flatMap((action, i) => {
          if (action.type === 'notify') {
            return [
              field(
                t('admin.rules.notifyTo', { n: i + 1 }),
                h('input', { name: `to-${i}`, id: `rule-to-${i}`, value: (action.to ?? []).join(', ') }),
                t('admin.rules.notifyHint'),
              ),
            ];
          }
          if (action.type === 'todo') {
            return [
              h(
                'div',
                { class: 'admin-todo-action' },
                checkGroup(
                  t('admin.rules.todoRoles', {
                    n: i + 1,
                    title: clipText(
                      action.titleZh && locale() === 'zh-CN' ? action.titleZh : action.title,
                      60,
                    ),
                  }),
                  `roles-${i}`,
                  roleOptions(),
                  action.roles ?? [],
                ),
                field(
                  t('admin.rules.dueIn'),
                  h('input', {
                    name: `due-${i}`,
                    id: `rule-due-${i}`,
                    type: 'number',
                    min: '1',
                    step: '1',
                    value: action.dueInMinutes ?? '',
                  }),
                ),
              ),
            ];
          }
          return [];
        });
        const advanced = h(
          'textarea',
          { name: 'definition', id: 'rule-json', rows: '14', spellcheck: 'false' },
          json,
        );
        const form = h(
          'form',
          { class: 'admin-form', id: 'rule-form', novalidate: true },
          h(
            'div',
            { class: 'admin-grid' },
            field(
              t('admin.rules.nameEn'),
              h('input', { name: 'name', id: 'rule-name', value: rule.name ?? '' }),
            ),
            field(
              t('admin.rules.nameZh'),
              h('input', { name: 'nameZh', id: 'rule-name-zh', value: rule.nameZh ?? '' }),
            ),
          ),
          field(
            t('admin.rules.description'),
            h('textarea', { name: 'description', id: 'rule-description', rows: '2' }, rule.description ?? ''),
          ),
          h(
            'label',
            { class: 'admin-check' },
            h('input', { type: 'checkbox', name: 'enabled', id: 'rule-enabled', checked: rule.enabled }),
            h('span', {}, t('admin.rules.enabledLabel')),
          ),
          h(
            'fieldset',
            { class: 'admin-checks' },
            h('legend', {}, t('admin.rules.thresholds')),
            thresholdRows.length ? thresholdRows : h('p', { class: 'muted' }, t('admin.rules.noThresholds')),
          ),
          h(
            'fieldset',
            { class: 'admin-checks' },
            h('legend', {}, t('admin.rules.recipients')),
            recipientRows.length ? recipientRows : h('p', { class: 'muted' }, t('admin.rules.noRecipients')),
          ),
          h(
            'details',
            { class: 'admin-advanced' },
            h('summary', {}, t('admin.rules.advanced')),
            h('p', { class: 'muted' }, t('admin.rules.advancedHint')),
            advanced,
          ),
          box,
          formActions(close, t('admin.save'), { submitId: 'rule-submit' }),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void submitting(form, box, async () => {
            let next;
            if (advanced.value.trim() !== json.trim()) {
              next = parseJson(advanced.value);
            } else {
              next = structuredClone(definition);
              leaves.forEach(({ path, leaf }, i) => {
                const target = at(next, path);
                target.op = form.elements[`op-${i}`].value;
                if (target.op === 'exists') delete target.value;
                else target.value = parseValue(form.elements[`value-${i}`].value, leaf.value);
              });
              (next.actions ?? []).forEach((action, i) => {
                if (action.type === 'notify' && form.elements[`to-${i}`]) {
                  action.to = form.elements[`to-${i}`].value
                    .split(',')
                    .map((room) => room.trim())
                    .filter(Boolean);
                }
                if (action.type === 'todo') {
                  const roles = checkedValues(form, `roles-${i}`);
                  if (roles.length) action.roles = roles;
                  else delete action.roles;
                  const due = form.elements[`due-${i}`]?.value.trim();
                  if (due) action.dueInMinutes = Number(due);
                  else delete action.dueInMinutes;
                }
              });
            }
            const description = form.elements.description.value.trim();
            const saved = await api(url(`/${encodeURIComponent(rule.code)}`), {
              method: 'PUT',
              body: {
                name: form.elements.name.value.trim(),
                nameZh: form.elements.nameZh.value.trim(),
                description: description || null,
                enabled: form.elements.enabled.checked,
                trigger: next.trigger,
                conditions: next.conditions ?? null,
                actions: next.actions,
                expectedVersion: rule.version,
              },
            });
            close();
            flash(message, t('admin.rules.saved', { name: ruleName(saved) }));
            await load();
          });
        });
        return form;
      },
    });
  }

  /** A rule of the site's own: code and names, and its trigger, conditions and actions as JSON. */
  function newRule() {
    const firstEvent = state.catalog?.events?.[0];
    const template = {
      trigger: firstEvent ? { kind: 'event', event: firstEvent.type } : { kind: 'event', event: '' },
      conditions: null,
      actions: [{ type: 'notify', to: ['role:planner'], message: t('admin.rules.templateMessage') }],
    };
    openModal(container, {
      id: 'rule-new-dialog',
      title: t('admin.rules.new'),
      wide: true,
      build: (close) => {
        const box = problemBox('rule-new-problem');
        const catalogList = state.catalog
          ? h(
              'details',
              { class: 'admin-advanced' },
              h('summary', {}, t('admin.rules.catalog')),
              h(
                'ul',
                { class: 'admin-catalog' },
                [...(state.catalog.events ?? []), ...(state.catalog.metrics ?? [])].map((entry) =>
                  h(
                    'li',
                    {},
                    h('code', {}, entry.type ?? entry.metric),
                    ' — ',
                    locale() === 'zh-CN'
                      ? (entry.descriptionZh ?? entry.description ?? '')
                      : (entry.description ?? ''),
                    h('span', { class: 'row-line muted' }, (entry.fields ?? []).join(', ')),
                  ),
                ),
              ),
            )
          : null;
        const form = h(
          'form',
          { class: 'admin-form', id: 'rule-new-form', novalidate: true },
          h(
            'div',
            { class: 'admin-grid' },
            field(
              t('admin.rules.code'),
              h('input', { name: 'code', id: 'rule-new-code', autocomplete: 'off' }),
              t('admin.rules.codeHint'),
            ),
            field(t('admin.rules.nameEn'), h('input', { name: 'name', id: 'rule-new-name' })),
            field(t('admin.rules.nameZh'), h('input', { name: 'nameZh', id: 'rule-new-name-zh' })),
          ),
          field(
            t('admin.rules.definition'),
            h(
              'textarea',
              { name: 'definition', id: 'rule-new-json', rows: '14', spellcheck: 'false' },
              JSON.stringify(template, null, 2),
            ),
            t('admin.rules.definitionHint'),
          ),
          catalogList,
          box,
          formActions(close, t('admin.rules.create'), { submitId: 'rule-new-submit' }),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void submitting(form, box, async () => {
            const definition = parseJson(form.elements.definition.value);
            const created = await api(url(), {
              method: 'POST',
              body: {
                code: form.elements.code.value.trim(),
                name: form.elements.name.value.trim(),
                nameZh: form.elements.nameZh.value.trim(),
                trigger: definition.trigger,
                conditions: definition.conditions ?? null,
                actions: definition.actions,
              },
            });
            close();
            flash(message, t('admin.rules.created', { name: ruleName(created) }));
            await load();
          });
        });
        return form;
      },
    });
  }

  function paintFirings() {
    const parts = [h('h2', { id: 'firings-title' }, t('admin.rules.firings'))];
    if (state.firingsError) {
      const box = problemBox('firings-problem');
      showProblem(box, state.firingsError);
      parts.push(box);
    } else if (state.firings) {
      const items = state.firings.items;
      parts.push(
        items.length === 0
          ? h('p', { class: 'muted' }, t('admin.rules.noFirings'))
          : h(
              'div',
              { class: 'table-wrap' },
              dataTable(
                'admin-table',
                [
                  t('admin.rules.col.firedAt'),
                  t('admin.rules.col.rule'),
                  t('admin.rules.col.trigger'),
                  t('admin.rules.col.outcome'),
                  t('admin.rules.col.actions'),
                ],
                items,
                (firing) => ({
                  key: { firing: firing.id },
                  head: when(firing.firedAt, site),
                  cells: [
                    firing.ruleCode,
                    clip(firing.trigger, 60),
                    h(
                      'span',
                      { class: `badge ${firing.outcome === 'done' ? 'status-running' : 'danger'}` },
                      tOr('admin.outcome', firing.outcome),
                    ),
                    formatNumber((firing.actions ?? []).length),
                  ],
                }),
              ),
            ),
      );
      if (state.firings.total > items.length) {
        parts.push(
          h(
            'p',
            { class: 'muted' },
            t('admin.rules.moreFirings', { count: state.firings.total - items.length }),
          ),
        );
      }
    }
    fill(firings, ...parts);
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

/** JSON typed by a person: a syntax error is shown like the API's field errors, on the definition. */
function parseJson(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, {
      detail: t('admin.rules.badJson'),
      errors: [{ field: 'definition', message: error.message }],
    });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError(400, {
      detail: t('admin.rules.badJson'),
      errors: [{ field: 'definition', message: t('admin.rules.jsonObject') }],
    });
  }
  return value;
}
