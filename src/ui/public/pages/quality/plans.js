// Inspection plans (检验计划): what is checked on a material (IQC on receipt, IPQC at a routing operation, OQC on
// completion), on how many samples, and how each characteristic is judged and charted. The list, one plan, and
// the form that creates, changes or copies one — the server checks it and its field errors show at the fields.
import { ApiError, api } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, t, tOr } from '../../i18n.js';
import {
  badge,
  empty,
  facts,
  field,
  localName,
  newKey,
  options,
  problemBox,
  qualityPath,
  readAll,
  showProblem,
  fill,
} from './common.js';

const TYPES = ['iqc', 'ipqc', 'oqc'];
const KINDS = ['variable', 'attribute'];
const ATTRIBUTE_TYPES = ['pass_fail', 'defect_count'];
const RULE_SETS = ['nelson', 'we', 'none'];
const CHARTS = {
  variable: ['xbar-r', 'xbar-s', 'imr'],
  pass_fail: ['p', 'np'],
  defect_count: ['c', 'u'],
};
const REACTIONS = ['violationOpensNcr', 'violationHoldsWorkOrder', 'violationHoldsLots'];
const COALESCE_MS = 300;

export function mountPlans(container, env) {
  const { site, roles } = env;
  const state = {
    params: env.params,
    list: null,
    listError: null,
    detail: null,
    detailError: null,
    inspections: null,
    inspectionsError: null,
    materials: null,
    reasons: null,
    lookupError: null,
    /** The form being filled in (kept across a language switch and a refresh). */
    draft: null,
    draftFor: null,
    formError: null,
    busy: false,
    actionError: null,
    createKey: newKey(),
    /** Routing operations by material id: an array, or null when the material has no routing valid today. */
    operations: new Map(),
    search: '',
  };
  let alive = true;
  let coalesce = null;
  let keySeq = 0;

  const planParam = () => state.params.plan || null;
  const editing = () => Boolean(planParam()) && (planParam() === 'new' || state.params.edit === '1');
  const typeFilter = () => (TYPES.includes(state.params.type) ? state.params.type : '');
  const activeFilter = () => (['true', 'false'].includes(state.params.active) ? state.params.active : '');

  // Loading.

  async function load() {
    if (!alive) return;
    const id = planParam();
    if (!id) return loadList();
    if (id === 'new') {
      await loadLookups();
      if (state.params.copy) await loadDetail(state.params.copy, false);
      if (!alive) return;
      ensureDraft();
      render();
      return;
    }
    await loadDetail(id, !editing());
    if (editing()) {
      await loadLookups();
      ensureDraft();
    }
    render();
  }

  async function loadList() {
    try {
      state.list = await readAll(qualityPath(site.id, 'inspection-plans'), {
        type: typeFilter() || undefined,
        active: activeFilter() || undefined,
      });
      state.listError = null;
    } catch (error) {
      state.listError = error;
    }
    if (alive && !planParam()) render();
  }

  async function loadDetail(id, withInspections) {
    try {
      const detail = await api(qualityPath(site.id, `inspection-plans/${id}`));
      if (!alive) return;
      state.detail = detail;
      state.detailError = null;
    } catch (error) {
      state.detailError = error;
    }
    if (withInspections && state.detail && !state.detailError) void loadInspections(id);
  }

  async function loadInspections(id) {
    try {
      const page = await api(qualityPath(site.id, 'inspections'), { query: { plan: id, limit: 10 } });
      if (!alive || id !== planParam()) return;
      state.inspections = page.items;
      state.inspectionsError = null;
    } catch (error) {
      state.inspectionsError = error;
    }
    if (alive && id === planParam() && !editing()) paintInspections();
  }

  async function loadLookups() {
    try {
      const [materials, reasons] = await Promise.all([
        state.materials ?? readAll(`/sites/${site.id}/materials`, { active: 'true' }, 1000),
        state.reasons ?? readAll(`/sites/${site.id}/reason-codes`, { active: 'true' }),
      ]);
      state.materials = materials;
      state.reasons = reasons.filter((r) => r.category === 'defect');
      state.lookupError = null;
    } catch (error) {
      state.lookupError = error;
      state.materials = state.materials ?? [];
      state.reasons = state.reasons ?? [];
    }
  }

  /** The operations of the material's routing valid today at the site (IPQC plans belong to one). */
  async function loadOperations(material) {
    if (!material || state.operations.has(material.id)) return;
    state.operations.set(material.id, 'loading');
    try {
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: site.timeZone }).format(new Date());
      const page = await api(`/sites/${site.id}/routings`, {
        query: { materialId: material.id, at: today, limit: 1 },
      });
      const header = page.items?.[0];
      const routing = header ? await api(`/sites/${site.id}/routings/${header.id}`) : null;
      state.operations.set(material.id, routing ? routing.operations : null);
    } catch {
      // Without the routing the sequence number is typed; the server names the valid ones if it is wrong.
      state.operations.set(material.id, null);
    }
    if (alive && editing()) paintOperation();
  }

  /** The material typed or picked: its name under the field, and the IPQC operations of its routing. */
  function paintMaterial() {
    const d = state.draft;
    if (!d) return;
    const material = materialOf(d.plan.material);
    const chosen = container.querySelector('#plan-material-chosen');
    if (chosen) chosen.textContent = material ? `${material.code} · ${localName(material)}` : '';
    if (d.plan.type === 'ipqc' && material) void loadOperations(material);
    paintOperation();
  }

  /** Redraws only the operation control (the rest of the form, and what is being typed, stays). */
  function paintOperation() {
    const d = state.draft;
    const current = container.querySelector('label.q-field[data-sub="operationSeq"]');
    if (!d || !current || d.plan.type !== 'ipqc') return;
    const focused = document.activeElement === current.querySelector('input, select');
    const next = operationControl(d.plan, materialOf(d.plan.material));
    current.replaceWith(next);
    if (focused) next.querySelector('input, select')?.focus();
  }

  // The draft.

  function ensureDraft() {
    const id = planParam();
    const key = id === 'new' ? `new:${state.params.copy ?? ''}` : id;
    if (state.draft && state.draftFor === key) return;
    state.formError = null;
    state.createKey = newKey();
    state.draftFor = key;
    if (id === 'new') {
      const source = state.params.copy && state.detail ? state.detail : null;
      state.draft = source ? copyDraft(source) : blankDraft();
    } else if (state.detail) {
      state.draft = editDraft(state.detail);
    }
  }

  function row(values = {}) {
    return {
      key: `c${++keySeq}`,
      id: null,
      code: '',
      name: '',
      nameZh: '',
      kind: 'variable',
      attributeType: 'pass_fail',
      unit: '',
      lsl: '',
      target: '',
      usl: '',
      chart: '',
      ruleSet: 'nelson',
      nSigma: '3',
      violationOpensNcr: false,
      violationHoldsWorkOrder: false,
      violationHoldsLots: false,
      defectCodes: [],
      active: true,
      limitsVersion: null,
      ...values,
    };
  }

  function blankDraft() {
    return {
      mode: 'create',
      plan: {
        code: '',
        name: '',
        nameZh: '',
        type: 'iqc',
        material: '',
        operationSeq: '',
        frequency: 'count',
        frequencyQty: '',
        frequencyMinutes: '',
        sampleSize: '5',
        notes: '',
      },
      characteristics: [row()],
      copyOf: null,
      deactivateSource: false,
    };
  }

  function rowFrom(c, keepId) {
    return row({
      id: keepId ? c.id : null,
      code: c.code,
      name: c.name,
      nameZh: c.nameZh ?? '',
      kind: c.kind,
      attributeType: c.attributeType ?? 'pass_fail',
      unit: c.unit ?? '',
      lsl: c.lsl ?? '',
      target: c.target ?? '',
      usl: c.usl ?? '',
      chart: c.chart ?? '',
      ruleSet: c.ruleSet,
      nSigma: String(c.nSigma),
      violationOpensNcr: c.violationOpensNcr,
      violationHoldsWorkOrder: c.violationHoldsWorkOrder,
      violationHoldsLots: c.violationHoldsLots,
      defectCodes: [...c.defectCodes],
      active: c.active,
      limitsVersion: keepId ? c.limitsVersion : null,
      original: keepId ? c : null,
    });
  }

  function planFields(p) {
    return {
      code: p.code,
      name: p.name,
      nameZh: p.nameZh ?? '',
      type: p.type,
      material: p.material.code,
      operationSeq: p.operationSeq === null ? '' : String(p.operationSeq),
      frequency: p.frequency === 'lot' ? 'count' : p.frequency,
      frequencyQty: p.frequencyQty ?? '',
      frequencyMinutes: p.frequencyMinutes === null ? '' : String(p.frequencyMinutes),
      sampleSize: String(p.sampleSize),
      notes: p.notes ?? '',
    };
  }

  function copyDraft(p) {
    return {
      mode: 'create',
      plan: { ...planFields(p), code: nextCode(p.code) },
      characteristics: p.characteristics.filter((c) => c.active).map((c) => rowFrom(c, false)),
      copyOf: { id: p.id, code: p.code, version: p.version, active: p.active },
      deactivateSource: p.active,
    };
  }

  function editDraft(p) {
    return {
      mode: 'edit',
      plan: planFields(p),
      version: p.version,
      characteristics: p.characteristics.map((c) => rowFrom(c, true)),
      original: p,
    };
  }

  /** IQC-SHAFT → IQC-SHAFT-V2, IQC-SHAFT-V2 → IQC-SHAFT-V3 (a suggestion; the code stays editable). */
  function nextCode(code) {
    const match = /^(.*)-V(\d+)$/i.exec(code);
    const next = match ? `${match[1]}-V${Number(match[2]) + 1}` : `${code}-V2`;
    return next.slice(0, 64);
  }

  // Rendering.

  function render() {
    if (!alive) return;
    const id = planParam();
    if (!id) renderList();
    else if (editing()) renderForm();
    else renderDetail();
  }

  function go(next) {
    env.go({ type: typeFilter(), active: activeFilter(), ...next });
  }

  function renderList() {
    const problem = problemBox('plans-list-problem');
    const search = state.search.trim().toLowerCase();
    const items = (state.list ?? []).filter(
      (p) =>
        !search ||
        [p.code, p.name, p.nameZh, p.material.code, p.material.name, p.material.nameZh]
          .filter(Boolean)
          .some((text) => text.toLowerCase().includes(search)),
    );
    fill(
      container,
      h(
        'div',
        { class: 'q-toolbar' },
        field(
          t('quality.plans.type'),
          h(
            'select',
            { id: 'plans-type-filter', onchange: (e) => go({ type: e.target.value }) },
            options(
              [['', t('quality.all')], ...TYPES.map((x) => [x, tOr('quality.inspectionType', x)])],
              typeFilter(),
            ),
          ),
        ),
        field(
          t('quality.plans.state'),
          h(
            'select',
            { id: 'plans-active-filter', onchange: (e) => go({ active: e.target.value }) },
            options(
              [
                ['', t('quality.all')],
                ['true', t('quality.plans.activeOnly')],
                ['false', t('quality.plans.inactiveOnly')],
              ],
              activeFilter(),
            ),
          ),
        ),
        field(
          t('quality.plans.search'),
          h('input', {
            id: 'plans-search',
            type: 'search',
            value: state.search,
            autocomplete: 'off',
            placeholder: t('quality.plans.searchHint'),
            oninput: (e) => {
              state.search = e.target.value;
              const at = e.target.selectionStart;
              renderList();
              const input = container.querySelector('#plans-search');
              input?.focus();
              input?.setSelectionRange(at, at);
            },
          }),
        ),
        h(
          'div',
          { class: 'q-toolbar-actions' },
          h(
            'button',
            { type: 'button', id: 'plans-refresh', onclick: () => void loadList() },
            t('quality.refresh'),
          ),
          roles.canAct
            ? h(
                'button',
                { type: 'button', class: 'primary', id: 'plans-new', onclick: () => open('new') },
                t('quality.plans.new'),
              )
            : null,
        ),
      ),
      problem,
      state.list === null
        ? h('p', { class: 'muted' }, t('common.loading'))
        : items.length === 0
          ? empty(t('quality.plans.none'))
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'table', id: 'plans-table' },
                h('caption', { class: 'visually-hidden' }, t('quality.tabs.plans')),
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    [
                      'code',
                      'name',
                      'type',
                      'material',
                      'when',
                      'sampleSize',
                      'characteristics',
                      'state',
                    ].map((c) => h('th', { scope: 'col' }, t(`quality.plans.col.${c}`))),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  items.map((p) => {
                    const active = p.characteristics.filter((c) => c.active);
                    return h(
                      'tr',
                      { dataset: { plan: p.code }, class: p.active ? '' : 'q-inactive' },
                      h(
                        'th',
                        { scope: 'row' },
                        h(
                          'a',
                          {
                            href: `/quality?view=plans&plan=${p.id}`,
                            onclick: (e) => {
                              e.preventDefault();
                              open(p.id);
                            },
                          },
                          p.code,
                        ),
                      ),
                      h('td', {}, localName(p)),
                      h('td', { dataset: { field: 'type' } }, tOr('quality.inspectionType', p.type)),
                      h(
                        'td',
                        { dataset: { field: 'material' } },
                        h('span', { class: 'nowrap' }, p.material.code),
                        ' ',
                        h('span', { class: 'muted small' }, localName(p.material)),
                      ),
                      h('td', {}, whenText(p)),
                      h('td', { class: 'num' }, formatNumber(p.sampleSize)),
                      h(
                        'td',
                        { class: 'num', dataset: { field: 'characteristics' } },
                        active.length === p.characteristics.length
                          ? formatNumber(active.length)
                          : t('quality.plans.activeOfTotal', {
                              active: formatNumber(active.length),
                              total: formatNumber(p.characteristics.length),
                            }),
                      ),
                      h('td', { dataset: { field: 'state' } }, activeBadge(p.active)),
                    );
                  }),
                ),
              ),
            ),
    );
    if (state.listError) showProblem(problem, state.listError);
  }

  function open(id, extra = {}) {
    state.detail = null;
    state.detailError = null;
    state.inspections = null;
    state.actionError = null;
    state.draft = null;
    state.draftFor = null;
    go({ plan: id, ...extra });
  }

  function backLink() {
    return h(
      'a',
      {
        href: '/quality?view=plans',
        class: 'button link q-back',
        id: 'plans-back',
        onclick: (e) => {
          e.preventDefault();
          state.draft = null;
          state.draftFor = null;
          go({});
        },
      },
      t('quality.plans.back'),
    );
  }

  function whenText(p) {
    if (p.type !== 'ipqc') return t('quality.plans.perLot');
    const op = t('quality.plans.atOperation', { seq: p.operationSeq });
    if (p.frequency === 'count')
      return `${op} · ${t('quality.plans.everyUnits', { qty: formatNumber(p.frequencyQty) })}`;
    return `${op} · ${t('quality.plans.everyMinutes', { minutes: formatNumber(p.frequencyMinutes) })}`;
  }

  function activeBadge(active) {
    return h(
      'span',
      { class: `badge q-badge ${active ? 'q-plan-active' : 'q-plan-inactive'}`, dataset: { active } },
      active ? t('quality.plans.active') : t('quality.plans.inactive'),
    );
  }

  // One plan.

  function renderDetail() {
    const p = state.detail;
    if (state.detailError) {
      const box = problemBox('plans-detail-problem');
      fill(container, backLink(), box);
      showProblem(box, state.detailError);
      return;
    }
    if (!p || p.id !== planParam()) {
      fill(container, backLink(), h('p', { class: 'muted' }, t('common.loading')));
      return;
    }
    const actionProblem = problemBox('plans-action-problem');
    fill(
      container,
      backLink(),
      h(
        'section',
        { class: 'panel q-panel', 'aria-labelledby': 'plan-title' },
        h(
          'div',
          { class: 'q-plan-head' },
          h(
            'h2',
            { id: 'plan-title' },
            `${p.code} · ${localName(p)} `,
            h('span', { class: 'badge q-chart-type' }, tOr('quality.inspectionType', p.type)),
            ' ',
            h('span', { id: 'plan-state' }, activeBadge(p.active)),
          ),
          roles.canAct ? planActions(p) : null,
        ),
        actionProblem,
        facts([
          [t('quality.plans.col.material'), `${p.material.code} · ${localName(p.material)}`, 'material'],
          [t('quality.plans.col.when'), whenText(p), 'when'],
          [t('quality.plans.col.sampleSize'), formatNumber(p.sampleSize), 'sampleSize'],
          [t('quality.plans.version'), formatNumber(p.version), 'version'],
          [t('quality.plans.updated'), formatDateTime(p.updatedAt, site.timeZone), 'updated'],
          [t('quality.plans.created'), formatDateTime(p.createdAt, site.timeZone), 'created'],
        ]),
        p.notes ? h('p', { class: 'q-description', id: 'plan-notes' }, p.notes) : null,
        p.active
          ? null
          : h('p', { class: 'notice', id: 'plan-inactive-note' }, t('quality.plans.inactiveNote')),
      ),
      characteristicsSection(p),
      h(
        'section',
        { class: 'panel q-panel', 'aria-labelledby': 'plan-inspections-title' },
        h('h3', { id: 'plan-inspections-title' }, t('quality.plans.recentInspections')),
        h('div', { id: 'plan-inspections' }),
      ),
    );
    if (state.actionError) showProblem(actionProblem, state.actionError);
    paintInspections();
  }

  function planActions(p) {
    return h(
      'div',
      { class: 'q-actions' },
      h(
        'button',
        { type: 'button', class: 'primary', id: 'plan-edit', onclick: () => open(p.id, { edit: '1' }) },
        t('quality.plans.edit'),
      ),
      h(
        'button',
        { type: 'button', id: 'plan-copy', onclick: () => open('new', { copy: p.id }) },
        t('quality.plans.copy'),
      ),
      h(
        'button',
        {
          type: 'button',
          id: p.active ? 'plan-deactivate' : 'plan-activate',
          class: p.active ? 'q-danger' : '',
          disabled: state.busy,
          onclick: () => void setActive(p, !p.active),
        },
        p.active ? t('quality.plans.deactivate') : t('quality.plans.activate'),
      ),
    );
  }

  async function setActive(p, active) {
    if (state.busy) return;
    state.busy = true;
    state.actionError = null;
    try {
      const changed = await api(qualityPath(site.id, `inspection-plans/${p.id}`), {
        method: 'PATCH',
        body: { expectedVersion: p.version, active },
      });
      state.detail = changed;
      env.notify(
        () => t(active ? 'quality.plans.activated' : 'quality.plans.deactivated', { code: p.code }),
        'ok',
      );
    } catch (error) {
      state.actionError = error;
      if (error instanceof ApiError && error.status === 409) await loadDetail(p.id, false);
    }
    state.busy = false;
    render();
  }

  function characteristicsSection(p) {
    return h(
      'section',
      { class: 'panel q-panel', 'aria-labelledby': 'plan-characteristics-title' },
      h('h3', { id: 'plan-characteristics-title' }, t('quality.plans.characteristics')),
      p.characteristics.length === 0
        ? empty(t('quality.plans.noCharacteristics'))
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table', id: 'plan-characteristics' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['code', 'name', 'kind', 'spec', 'chart', 'reactions', 'defects', 'state'].map((c) =>
                    h('th', { scope: 'col' }, t(`quality.plans.cc.${c}`)),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                p.characteristics.map((c) =>
                  h(
                    'tr',
                    { dataset: { characteristic: c.code }, class: c.active ? '' : 'q-inactive' },
                    h('th', { scope: 'row' }, c.code),
                    h('td', {}, localName(c)),
                    h(
                      'td',
                      { dataset: { field: 'kind' } },
                      c.kind === 'variable'
                        ? t('quality.plans.kind.variable')
                        : tOr('quality.attributeType', c.attributeType),
                    ),
                    h('td', { class: 'nowrap', dataset: { field: 'spec' } }, specText(c)),
                    h(
                      'td',
                      { dataset: { field: 'chart' } },
                      c.chart
                        ? [
                            h(
                              'a',
                              {
                                href: `/quality?view=spc&characteristic=${c.id}`,
                                onclick: (e) => {
                                  e.preventDefault();
                                  env.goView('spc', { characteristic: c.id });
                                },
                              },
                              tOr('quality.chartType', c.chart),
                            ),
                            h(
                              'span',
                              { class: 'muted small q-block' },
                              t('quality.plans.rulesSigma', {
                                set: tOr('quality.ruleSet', c.ruleSet),
                                sigma: formatNumber(c.nSigma),
                              }),
                            ),
                            c.limitsVersion
                              ? h(
                                  'span',
                                  { class: 'muted small q-block' },
                                  t('quality.plans.frozenLimits', { version: c.limitsVersion }),
                                )
                              : null,
                          ]
                        : t('quality.plans.noChart'),
                    ),
                    h(
                      'td',
                      { dataset: { field: 'reactions' } },
                      REACTIONS.filter((r) => c[r]).map((r) =>
                        h('span', { class: 'badge q-reaction' }, t(`quality.plans.reaction.${r}`)),
                      ),
                      REACTIONS.some((r) => c[r]) ? null : '—',
                    ),
                    h('td', {}, c.defectCodes.length ? c.defectCodes.join(t('list.separator')) : '—'),
                    h('td', {}, activeBadge(c.active)),
                  ),
                ),
              ),
            ),
          ),
    );
  }

  function specText(c) {
    if (c.kind !== 'variable') return '—';
    const unit = c.unit ? ` ${c.unit}` : '';
    const parts = [
      c.lsl !== null ? `${t('quality.spec.lsl')} ${decimal(c.lsl)}` : null,
      c.target !== null ? `${t('quality.spec.target')} ${decimal(c.target)}` : null,
      c.usl !== null ? `${t('quality.spec.usl')} ${decimal(c.usl)}` : null,
    ].filter(Boolean);
    return `${parts.join(' · ')}${unit}`;
  }

  function paintInspections() {
    const box = container.querySelector('#plan-inspections');
    if (!box) return;
    if (state.inspectionsError) {
      const problem = problemBox('plan-inspections-problem');
      fill(box, problem);
      showProblem(problem, state.inspectionsError);
      return;
    }
    const items = state.inspections;
    if (items === null) return fill(box, h('p', { class: 'muted' }, t('common.loading')));
    if (items.length === 0) return fill(box, empty(t('quality.plans.noInspections')));
    fill(
      box,
      h(
        'ul',
        { class: 'q-plan-inspections' },
        items.map((i) =>
          h(
            'li',
            { dataset: { inspection: i.code } },
            h(
              'a',
              {
                href: `/quality?view=inspections&inspection=${i.id}`,
                onclick: (e) => {
                  e.preventDefault();
                  env.goView('inspections', { inspection: i.id });
                },
              },
              i.code,
            ),
            badge('inspectionStatus', i.status),
            i.lot ? h('span', {}, i.lot.code) : null,
            i.workOrder ? h('span', {}, i.workOrder.code) : null,
            h('span', { class: 'muted nowrap' }, formatDateTime(i.dueAt, site.timeZone)),
          ),
        ),
      ),
    );
  }

  // The form: create, copy, change.

  function renderForm() {
    if (!roles.canAct) {
      fill(container, backLink(), h('p', { class: 'notice' }, t('quality.plans.mayNotEdit')));
      return;
    }
    if (state.detailError) {
      const box = problemBox('plans-detail-problem');
      fill(container, backLink(), box);
      showProblem(box, state.detailError);
      return;
    }
    const d = state.draft;
    if (!d || state.materials === null) {
      fill(container, backLink(), h('p', { class: 'muted' }, t('common.loading')));
      return;
    }
    const create = d.mode === 'create';
    const p = d.plan;
    const problem = problemBox('plan-form-problem');
    const material = materialOf(p.material);
    if (p.type === 'ipqc' && material) void loadOperations(material);

    const planFieldset = h(
      'fieldset',
      { class: 'q-plan-fields q-form-grid' },
      h(
        'legend',
        {},
        create
          ? d.copyOf
            ? t('quality.plans.copyTitle', { code: d.copyOf.code })
            : t('quality.plans.newTitle')
          : t('quality.plans.editTitle', { code: d.original.code, version: d.version }),
      ),
      create
        ? control(t('quality.plans.col.code'), 'code', input(p, 'code', { maxlength: '64', required: true }))
        : h(
            'div',
            { class: 'q-span' },
            facts([
              [t('quality.plans.type'), tOr('quality.inspectionType', d.original.type), 'type'],
              [
                t('quality.plans.col.material'),
                `${d.original.material.code} · ${localName(d.original.material)}`,
                'material',
              ],
              [t('quality.plans.col.when'), whenText(d.original), 'when'],
            ]),
          ),
      control(t('quality.plans.col.name'), 'name', input(p, 'name', { maxlength: '200', required: true })),
      control(t('quality.plans.nameZh'), 'nameZh', input(p, 'nameZh', { maxlength: '200' })),
      create
        ? control(
            t('quality.plans.type'),
            'type',
            select(
              p,
              'type',
              TYPES.map((x) => [x, tOr('quality.inspectionType', x)]),
              true,
            ),
          )
        : null,
      create
        ? control(
            t('quality.plans.col.material'),
            'material',
            input(p, 'material', {
              list: 'plan-materials',
              maxlength: '64',
              autocomplete: 'off',
              required: true,
              placeholder: t('quality.plans.materialHint'),
              oninput: (e) => {
                p.material = e.target.value;
                paintMaterial();
              },
            }),
            h(
              'span',
              { class: 'muted small', id: 'plan-material-chosen' },
              material ? `${material.code} · ${localName(material)}` : '',
            ),
          )
        : null,
      create
        ? h(
            'datalist',
            { id: 'plan-materials' },
            state.materials.map((m) => h('option', { value: m.code }, `${m.code} · ${localName(m)}`)),
          )
        : null,
      create && p.type === 'ipqc' ? operationControl(p, material) : null,
      create && p.type === 'ipqc'
        ? control(
            t('quality.plans.frequency'),
            'frequency',
            select(
              p,
              'frequency',
              ['count', 'time'].map((x) => [x, t(`quality.plans.frequencyKind.${x}`)]),
              true,
            ),
          )
        : null,
      frequencyValue(d),
      control(
        t('quality.plans.col.sampleSize'),
        'sampleSize',
        input(p, 'sampleSize', { type: 'number', min: '1', max: '1000', step: '1', inputmode: 'numeric' }),
        t('quality.plans.sampleSizeHint'),
      ),
      h('div', { class: 'q-span' }, control(t('quality.plans.notes'), 'notes', textarea(p, 'notes'))),
      !create || p.type === 'ipqc'
        ? null
        : h(
            'p',
            { class: 'muted small q-span', id: 'plan-quarantine-hint' },
            t('quality.plans.quarantineHint'),
          ),
    );

    const rows = d.characteristics;
    const characteristicsFieldset = h(
      'fieldset',
      { class: 'q-plan-characteristics', id: 'plan-form-characteristics' },
      h('legend', {}, t('quality.plans.characteristics')),
      rows.length === 0 ? empty(t('quality.plans.addOne')) : null,
      rows.map((r, i) => characteristicCard(d, r, i)),
      h(
        'div',
        { class: 'q-actions' },
        h(
          'button',
          {
            type: 'button',
            id: 'plan-add-characteristic',
            onclick: () => {
              const added = row();
              d.characteristics.push(added);
              render();
              container.querySelector(`#pc-${added.key}-code`)?.focus();
            },
          },
          t('quality.plans.addCharacteristic'),
        ),
      ),
    );

    const form = h(
      'form',
      { id: 'plan-form', class: 'panel q-panel q-plan-form', novalidate: true, onsubmit: submit },
      planFieldset,
      characteristicsFieldset,
      create && d.copyOf && d.copyOf.active
        ? h(
            'label',
            { class: 'q-check' },
            h('input', {
              type: 'checkbox',
              id: 'plan-deactivate-source',
              checked: d.deactivateSource,
              onchange: (e) => (d.deactivateSource = e.target.checked),
            }),
            h('span', {}, t('quality.plans.deactivateSource', { code: d.copyOf.code })),
          )
        : null,
      problem,
      h(
        'div',
        { class: 'q-actions' },
        h(
          'button',
          { type: 'submit', class: 'primary', id: 'plan-save', disabled: state.busy },
          create ? t('quality.plans.create') : t('quality.plans.save'),
        ),
        h(
          'button',
          {
            type: 'button',
            id: 'plan-cancel',
            onclick: () => {
              state.draft = null;
              state.draftFor = null;
              state.formError = null;
              if (create) go(d.copyOf ? { plan: d.copyOf.id } : {});
              else go({ plan: d.original.id });
            },
          },
          t('quality.cancel'),
        ),
      ),
    );
    const focused = container.contains(document.activeElement) ? document.activeElement.id : null;
    fill(container, backLink(), form);
    if (focused) container.querySelector(`#${CSS.escape(focused)}`)?.focus();
    if (state.lookupError) showProblem(problem, state.lookupError);
    if (state.formError) {
      showProblem(problem, state.formError);
      markFieldErrors(form, state.formError);
    }
  }

  /** The sequence number of the IPQC operation: chosen from the routing when it is known. */
  function operationControl(p, material) {
    const ops = material ? state.operations.get(material.id) : undefined;
    if (Array.isArray(ops) && ops.length > 0) {
      return control(
        t('quality.plans.operation'),
        'operationSeq',
        select(p, 'operationSeq', [
          ['', t('quality.plans.chooseOperation')],
          ...ops.map((o) => [
            String(o.seq),
            `${o.seq} · ${localName(o)}${o.workCenterCode ? ` (${o.workCenterCode})` : ''}`,
          ]),
        ]),
      );
    }
    return control(
      t('quality.plans.operation'),
      'operationSeq',
      input(p, 'operationSeq', { type: 'number', min: '1', max: '9999', step: '1', inputmode: 'numeric' }),
      ops === null ? t('quality.plans.noRouting') : null,
    );
  }

  function frequencyValue(d) {
    const p = d.plan;
    if (p.type !== 'ipqc') return null;
    if (p.frequency === 'time') {
      return control(
        t('quality.plans.frequencyMinutes'),
        'frequencyMinutes',
        input(p, 'frequencyMinutes', {
          type: 'number',
          min: '1',
          max: '10080',
          step: '1',
          inputmode: 'numeric',
        }),
      );
    }
    return control(
      t('quality.plans.frequencyQty'),
      'frequencyQty',
      input(p, 'frequencyQty', { type: 'text', inputmode: 'decimal', maxlength: '20' }),
    );
  }

  function characteristicCard(d, r, i) {
    const existing = Boolean(r.id);
    const id = (name) => `pc-${r.key}-${name}`;
    const path = (name) => `characteristics[${i}].${name}`;
    const sub = (name) => `${r.key}.${name}`;
    const variable = r.kind === 'variable';
    const family = variable ? 'variable' : r.attributeType;
    const charts = CHARTS[family] ?? [];
    const frozenWarning =
      existing &&
      r.original?.limitsVersion &&
      (r.chart !== (r.original.chart ?? '') || Number(r.nSigma) !== Number(r.original.nSigma));
    const title = r.code || t('quality.plans.newCharacteristic', { n: i + 1 });
    return h(
      'fieldset',
      {
        class: `q-plan-characteristic${r.active ? '' : ' q-inactive'}`,
        dataset: { row: String(i), key: r.key, code: r.code },
      },
      h('legend', {}, title),
      h(
        'div',
        { class: 'q-form-grid q-characteristic-grid' },
        control(
          t('quality.plans.cc.code'),
          sub('code'),
          input(r, 'code', {
            id: id('code'),
            maxlength: '64',
            readonly: existing,
            oninput: (e) => {
              r.code = e.target.value;
              const legend = e.target.closest('fieldset')?.querySelector('legend');
              if (legend) legend.textContent = r.code || t('quality.plans.newCharacteristic', { n: i + 1 });
            },
          }),
        ),
        control(
          t('quality.plans.cc.name'),
          sub('name'),
          input(r, 'name', { id: id('name'), maxlength: '200' }),
        ),
        control(
          t('quality.plans.nameZh'),
          sub('nameZh'),
          input(r, 'nameZh', { id: id('nameZh'), maxlength: '200' }),
        ),
        control(
          t('quality.plans.cc.kind'),
          sub('kind'),
          select(
            r,
            'kind',
            KINDS.map((k) => [k, t(`quality.plans.kind.${k}`)]),
            true,
            { id: id('kind'), disabled: existing, after: () => fitChart(r) },
          ),
        ),
        variable
          ? null
          : control(
              t('quality.plans.attributeType'),
              sub('attributeType'),
              select(
                r,
                'attributeType',
                ATTRIBUTE_TYPES.map((k) => [k, tOr('quality.attributeType', k)]),
                true,
                { id: id('attributeType'), disabled: existing, after: () => fitChart(r) },
              ),
            ),
        variable
          ? control(
              t('quality.plans.unit'),
              sub('unit'),
              input(r, 'unit', { id: id('unit'), maxlength: '32' }),
            )
          : null,
        variable ? limitInput(r, 'lsl', id, sub, t('quality.spec.lsl')) : null,
        variable ? limitInput(r, 'target', id, sub, t('quality.spec.target')) : null,
        variable ? limitInput(r, 'usl', id, sub, t('quality.spec.usl')) : null,
        control(
          t('quality.plans.cc.chart'),
          sub('chart'),
          select(
            r,
            'chart',
            [['', t('quality.plans.noChart')], ...charts.map((c) => [c, tOr('quality.chartType', c)])],
            true,
            {
              id: id('chart'),
              after: () => {
                if (!r.chart) for (const reaction of REACTIONS) r[reaction] = false;
              },
            },
          ),
          variable ? t('quality.plans.chartHintVariable') : null,
        ),
        r.chart
          ? control(
              t('quality.plans.ruleSet'),
              sub('ruleSet'),
              select(
                r,
                'ruleSet',
                RULE_SETS.map((x) => [x, tOr('quality.ruleSet', x)]),
                false,
                { id: id('ruleSet') },
              ),
            )
          : null,
        r.chart
          ? control(
              t('quality.plans.nSigma'),
              sub('nSigma'),
              input(r, 'nSigma', {
                id: id('nSigma'),
                type: 'number',
                min: '0.01',
                max: '6',
                step: '0.01',
                inputmode: 'decimal',
                oninput: () => paintFrozenWarning(r),
              }),
            )
          : null,
        r.chart
          ? h(
              'fieldset',
              { class: 'q-span q-checks', dataset: { path: path('reactions') } },
              h('legend', {}, t('quality.plans.reactions')),
              REACTIONS.map((reaction) =>
                h(
                  'label',
                  { class: 'q-check', dataset: { path: path(reaction), sub: sub(reaction) } },
                  h('input', {
                    type: 'checkbox',
                    id: id(reaction),
                    checked: r[reaction],
                    onchange: (e) => (r[reaction] = e.target.checked),
                  }),
                  h('span', {}, t(`quality.plans.reaction.${reaction}`)),
                ),
              ),
            )
          : null,
        !variable && state.reasons.length > 0
          ? h(
              'fieldset',
              { class: 'q-span q-checks', dataset: { sub: sub('defectCodes') } },
              h('legend', {}, t('quality.plans.defectCodes')),
              state.reasons.map((reason) =>
                h(
                  'label',
                  { class: 'q-check' },
                  h('input', {
                    type: 'checkbox',
                    value: reason.code,
                    checked: r.defectCodes.includes(reason.code),
                    onchange: (e) => {
                      const set = new Set(r.defectCodes);
                      if (e.target.checked) set.add(reason.code);
                      else set.delete(reason.code);
                      r.defectCodes = [...set];
                    },
                  }),
                  h('span', {}, `${reason.code} · ${localName(reason)}`),
                ),
              ),
              h('p', { class: 'muted small q-span' }, t('quality.plans.defectCodesHint')),
            )
          : null,
        existing && r.original.limitsVersion
          ? h(
              'p',
              { class: 'notice q-span q-frozen-warning', id: id('frozen-warning'), hidden: !frozenWarning },
              t('quality.plans.frozenWarning', { version: r.original.limitsVersion }),
            )
          : null,
      ),
      h(
        'div',
        { class: 'q-actions' },
        existing
          ? h(
              'label',
              { class: 'q-check' },
              h('input', {
                type: 'checkbox',
                id: id('active'),
                checked: r.active,
                onchange: (e) => {
                  r.active = e.target.checked;
                  e.target
                    .closest('fieldset.q-plan-characteristic')
                    ?.classList.toggle('q-inactive', !r.active);
                },
              }),
              h('span', {}, t('quality.plans.characteristicActive')),
            )
          : h(
              'button',
              {
                type: 'button',
                class: 'q-small-button',
                id: id('remove'),
                onclick: () => {
                  d.characteristics = d.characteristics.filter((x) => x !== r);
                  render();
                },
              },
              t('quality.plans.removeCharacteristic'),
            ),
      ),
    );
  }

  function paintFrozenWarning(r) {
    const box = container.querySelector(`#pc-${r.key}-frozen-warning`);
    if (!box || !r.original) return;
    box.hidden = !(
      r.original.limitsVersion &&
      (r.chart !== (r.original.chart ?? '') || Number(r.nSigma) !== Number(r.original.nSigma))
    );
  }

  /** A kind or attribute type changed: a chart that no longer fits is dropped. */
  function fitChart(r) {
    const family = r.kind === 'variable' ? 'variable' : r.attributeType;
    if (r.chart && !(CHARTS[family] ?? []).includes(r.chart)) r.chart = '';
    if (!r.chart) for (const reaction of REACTIONS) r[reaction] = false;
  }

  function limitInput(r, name, id, sub, label) {
    return control(
      label,
      sub(name),
      input(r, name, {
        id: id(name),
        type: 'text',
        inputmode: 'decimal',
        maxlength: '20',
        autocomplete: 'off',
        class: 'q-limit-input',
      }),
    );
  }

  /** A labelled control that can show its field's error in place; `sub` names it in the draft. */
  function control(label, sub, element, hint) {
    element.dataset.sub = sub;
    return h(
      'label',
      { class: 'q-field', dataset: { sub } },
      h('span', { class: 'q-field-label' }, label),
      element,
      hint instanceof Node ? hint : hint ? h('span', { class: 'muted small' }, hint) : null,
      h('span', { class: 'q-field-error', role: 'alert', hidden: true }),
    );
  }

  function input(target, name, attributes = {}) {
    const { oninput, onchange, ...rest } = attributes;
    const element = h('input', {
      type: 'text',
      id: rest.id ?? `plan-${name}`,
      name,
      ...rest,
      oninput:
        oninput ??
        ((e) => {
          target[name] = e.target.value;
        }),
      onchange: (e) => {
        target[name] = e.target.value;
        onchange?.(e);
      },
    });
    if (oninput) element.addEventListener('input', (e) => (target[name] = e.target.value));
    element.value = target[name] ?? '';
    return element;
  }

  function textarea(target, name) {
    const element = h('textarea', {
      id: `plan-${name}`,
      name,
      rows: '3',
      maxlength: '4000',
      oninput: (e) => (target[name] = e.target.value),
    });
    element.value = target[name] ?? '';
    return element;
  }

  /** A select bound to `target[name]`; `rerender` redraws the form when what follows depends on it. */
  function select(target, name, choices, rerender = false, { id, disabled, after } = {}) {
    return h(
      'select',
      {
        id: id ?? `plan-${name}`,
        name,
        disabled,
        onchange: (e) => {
          target[name] = e.target.value;
          after?.();
          if (rerender) {
            const focused = e.target.id;
            render();
            container.querySelector(`#${CSS.escape(focused)}`)?.focus();
          } else if (name === 'chart' || name === 'nSigma') paintFrozenWarning(target);
        },
      },
      options(choices, target[name] ?? ''),
    );
  }

  function materialOf(text) {
    const code = String(text ?? '').trim();
    if (!code || !state.materials) return null;
    return (
      state.materials.find((m) => m.code === code) ??
      state.materials.find((m) => m.code.toUpperCase() === code.toUpperCase()) ??
      null
    );
  }

  /**
   * Shows each field error of the problem at its control: `characteristics[1].usl` → the USL of the second
   * characteristic sent. Errors without a control stay in the summary above the buttons.
   */
  function markFieldErrors(form, error) {
    if (!(error instanceof ApiError)) return;
    const sent = state.sentRows ?? [];
    let first = null;
    for (const fe of error.fieldErrors) {
      const match = /^characteristics\[(\d+)\]\.(\w+)/.exec(fe.field);
      let sub;
      if (match) {
        const key = sent[Number(match[1])];
        if (!key) continue;
        sub = `${key}.${match[2]}`;
      } else sub = fe.field.split(/[.[]/)[0];
      const holder =
        form.querySelector(`label.q-field[data-sub="${CSS.escape(sub)}"]`) ??
        form.querySelector(`[data-sub="${CSS.escape(sub)}"]`);
      if (!holder) continue;
      holder.classList.add('q-invalid');
      const message = holder.querySelector(':scope > .q-field-error');
      const controlElement = holder.querySelector('input, select, textarea');
      if (message) {
        message.hidden = false;
        message.textContent = message.textContent ? `${message.textContent} ${fe.message}` : fe.message;
        message.id = message.id || `${controlElement?.id ?? 'x'}-error`;
        controlElement?.setAttribute('aria-describedby', message.id);
      }
      controlElement?.setAttribute('aria-invalid', 'true');
      first = first ?? controlElement;
    }
    first?.focus();
  }

  // Sending.

  async function submit(event) {
    event.preventDefault();
    if (state.busy) return;
    const d = state.draft;
    let request;
    try {
      request = d.mode === 'create' ? createBody(d) : updateBody(d);
    } catch (error) {
      state.formError = error;
      render();
      return;
    }
    state.sentRows = request.rows;
    state.busy = true;
    state.formError = null;
    const button = container.querySelector('#plan-save');
    if (button) button.disabled = true;
    try {
      if (d.mode === 'create') {
        const created = await api(qualityPath(site.id, 'inspection-plans'), {
          method: 'POST',
          body: request.body,
          idempotencyKey: state.createKey,
        });
        let deactivated = null;
        if (d.copyOf && d.copyOf.active && d.deactivateSource) {
          try {
            await api(qualityPath(site.id, `inspection-plans/${d.copyOf.id}`), {
              method: 'PATCH',
              body: { expectedVersion: d.copyOf.version, active: false },
            });
            deactivated = d.copyOf.code;
          } catch (error) {
            state.actionError = error;
          }
        }
        const inspection = created.materialInspection;
        env.notify(
          () =>
            [
              t('quality.plans.createdNotice', { code: created.code }),
              deactivated ? t('quality.plans.deactivated', { code: deactivated }) : null,
              inspection?.changed
                ? t('quality.plans.materialNowInspected', { material: created.material.code })
                : null,
            ]
              .filter(Boolean)
              .join(' '),
          'ok',
        );
        finish(created);
      } else {
        const changed = await api(qualityPath(site.id, `inspection-plans/${d.original.id}`), {
          method: 'PATCH',
          body: request.body,
        });
        env.notify(
          () => t('quality.plans.savedNotice', { code: changed.code, version: changed.version }),
          'ok',
        );
        finish(changed);
      }
      return;
    } catch (error) {
      state.formError = error;
      if (d.mode === 'create') state.createKey = newKey();
      else if (error instanceof ApiError && error.status === 409) {
        // Someone changed the plan meanwhile: show the latest and let the person redo the change on it.
        await loadDetail(d.original.id, false);
        if (state.detail) {
          state.draft = editDraft(state.detail);
          state.sentRows = [];
        }
      }
    }
    state.busy = false;
    render();
  }

  function finish(plan) {
    state.busy = false;
    state.draft = null;
    state.draftFor = null;
    state.formError = null;
    state.detail = plan;
    state.inspections = null;
    state.list = null;
    go({ plan: plan.id });
  }

  const text = (v) => String(v ?? '').trim();
  const orUndefined = (v) => (text(v) === '' ? undefined : text(v));
  const integer = (v) => (text(v) === '' ? undefined : Number(text(v)));

  function characteristicBody(r) {
    const variable = r.kind === 'variable';
    const body = {
      code: text(r.code),
      name: text(r.name),
      nameZh: orUndefined(r.nameZh),
      kind: r.kind,
      attributeType: variable ? undefined : r.attributeType,
      unit: variable ? orUndefined(r.unit) : undefined,
      lsl: variable ? orUndefined(r.lsl) : undefined,
      target: variable ? orUndefined(r.target) : undefined,
      usl: variable ? orUndefined(r.usl) : undefined,
      defectCodes: !variable && r.defectCodes.length ? r.defectCodes : undefined,
      chart: r.chart || undefined,
      ruleSet: r.chart ? r.ruleSet : undefined,
      nSigma: r.chart && text(r.nSigma) !== '' ? Number(text(r.nSigma)) : undefined,
    };
    for (const reaction of REACTIONS) if (r.chart && r[reaction]) body[reaction] = true;
    return body;
  }

  function createBody(d) {
    const p = d.plan;
    const ipqc = p.type === 'ipqc';
    const body = {
      code: text(p.code),
      name: text(p.name),
      nameZh: orUndefined(p.nameZh),
      type: p.type,
      material: text(p.material),
      operationSeq: ipqc ? integer(p.operationSeq) : undefined,
      frequency: ipqc ? p.frequency : undefined,
      frequencyQty: ipqc && p.frequency === 'count' ? orUndefined(p.frequencyQty) : undefined,
      frequencyMinutes: ipqc && p.frequency === 'time' ? integer(p.frequencyMinutes) : undefined,
      sampleSize: integer(p.sampleSize),
      notes: orUndefined(p.notes),
      characteristics: d.characteristics.map(characteristicBody),
    };
    return { body, rows: d.characteristics.map((r) => r.key) };
  }

  /** Only what changed: plan fields, changed characteristics (by code) and new ones. */
  function updateBody(d) {
    const p = d.plan;
    const o = d.original;
    const body = { expectedVersion: d.version };
    const nullable = (v) => (text(v) === '' ? null : text(v));
    if (text(p.name) !== o.name) body.name = text(p.name);
    if (nullable(p.nameZh) !== (o.nameZh ?? null)) body.nameZh = nullable(p.nameZh);
    if (integer(p.sampleSize) !== o.sampleSize) body.sampleSize = integer(p.sampleSize);
    if (o.frequency === 'count' && text(p.frequencyQty) !== (o.frequencyQty ?? ''))
      body.frequencyQty = text(p.frequencyQty);
    if (o.frequency === 'time' && integer(p.frequencyMinutes) !== o.frequencyMinutes)
      body.frequencyMinutes = integer(p.frequencyMinutes);
    if (nullable(p.notes) !== (o.notes ?? null)) body.notes = nullable(p.notes);
    const changes = [];
    const rows = [];
    for (const r of d.characteristics) {
      if (!r.id) {
        changes.push(characteristicBody(r));
        rows.push(r.key);
        continue;
      }
      const c = r.original;
      const change = { code: c.code };
      const set = (name, value, current) => {
        if (value !== current) change[name] = value;
      };
      set('name', text(r.name), c.name);
      set('nameZh', nullable(r.nameZh), c.nameZh ?? null);
      if (c.kind === 'variable') {
        set('unit', nullable(r.unit), c.unit ?? null);
        for (const limit of ['lsl', 'target', 'usl']) {
          const value = nullable(r[limit]);
          if (!sameDecimal(value, c[limit])) change[limit] = value;
        }
      }
      set('chart', r.chart || null, c.chart ?? null);
      if (r.chart) {
        set('ruleSet', r.ruleSet, c.ruleSet);
        const sigma = text(r.nSigma) === '' ? undefined : Number(text(r.nSigma));
        if (sigma !== undefined && sigma !== c.nSigma) change.nSigma = sigma;
      }
      for (const reaction of REACTIONS) set(reaction, Boolean(r.chart && r[reaction]), c[reaction]);
      if ([...r.defectCodes].sort().join() !== [...c.defectCodes].sort().join())
        change.defectCodes = r.defectCodes;
      set('active', r.active, c.active);
      if (Object.keys(change).length > 1) {
        changes.push(change);
        rows.push(r.key);
      }
    }
    if (changes.length > 0) body.characteristics = changes;
    if (Object.keys(body).length === 1) {
      throw new ApiError(422, { detail: t('quality.plans.nothingChanged') });
    }
    return { body, rows };
  }

  load();

  return {
    update(params) {
      const before = state.params;
      state.params = params;
      const samePlan = before.plan === params.plan && before.copy === params.copy;
      if (!samePlan || before.edit !== params.edit) {
        state.actionError = null;
        if (!samePlan) state.detail = params.plan === before.plan ? state.detail : null;
      }
      if (!params.plan && (before.type !== params.type || before.active !== params.active)) state.list = null;
      render();
      void load();
    },
    onLive(event) {
      // Never while a form is filled in: what is typed stays as it is.
      if (editing()) return;
      const id = planParam();
      if (id && ['inspection.changed', 'inspection.results', 'resync'].includes(event)) {
        clearTimeout(coalesce);
        coalesce = setTimeout(() => void loadInspections(id), COALESCE_MS);
      } else if (!id && event === 'resync') {
        clearTimeout(coalesce);
        coalesce = setTimeout(() => void loadList(), COALESCE_MS);
      }
    },
    relabel: render,
    unmount() {
      alive = false;
      clearTimeout(coalesce);
    },
  };
}

/** A decimal string as the API writes it, in the reader's locale (exact: Intl formats the string). */
function decimal(value) {
  return formatNumber(value, { maximumFractionDigits: 6 });
}

/** "40.000" and "40" are the same limit. */
function sameDecimal(a, b) {
  if (a === null || b === null) return a === b;
  const norm = (v) => {
    const [int, frac = ''] = String(v)
      .replace(/^(-?)0+(?=\d)/, '$1')
      .split('.');
    const f = frac.replace(/0+$/, '');
    return f ? `${int}.${f}` : int;
  };
  return norm(a) === norm(b);
}
