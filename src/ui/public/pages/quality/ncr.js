// Nonconformance reports (不合格品处理): the list by state, raising one, and one NCR's life — review, containment,
// a disposition signed electronically (password again, meaning "dispositioned"), further signatures, closing.
import { api } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, t, tOr } from '../../i18n.js';
import {
  badge,
  empty,
  facts,
  field,
  isWrongPassword,
  localName,
  newKey,
  options,
  problemBox,
  qualityPath,
  readAll,
  showProblem,
  fill,
} from './common.js';
import { combobox } from './pickers.js';

const STATUSES = ['open', 'under_review', 'dispositioned', 'closed'];
const SOURCES = ['inspection', 'spc', 'terminal', 'supplier', 'customer'];
/** The sources a person raises from this page (operators raise from the terminal). */
const RAISED_HERE = ['inspection', 'spc', 'supplier', 'customer'];
const DISPOSITIONS = ['use_as_is', 'rework', 'scrap', 'return_to_supplier'];
const MEANINGS = [
  'approved',
  'reviewed',
  'verified',
  'released',
  'rejected',
  'responsible',
  'authored',
  'dispositioned',
];
const COALESCE_MS = 200;

export function mountNcrs(container, env) {
  const { site, roles, ctx } = env;
  const state = {
    params: env.params,
    list: null,
    listError: null,
    detail: null,
    detailError: null,
    history: null,
    historyError: null,
    reasons: null,
    materials: null,
    busy: false,
    /** Form values kept across a language switch (never the password). */
    form: {},
    createKey: newKey(),
    formError: null,
    lastEffects: null,
  };
  let alive = true;
  let coalesce = null;

  const ncrId = () => state.params.ncr || null;
  const statusFilter = () => (STATUSES.includes(state.params.status) ? state.params.status : '');
  const sourceFilter = () => (SOURCES.includes(state.params.source) ? state.params.source : '');

  async function load() {
    if (!alive) return;
    const id = ncrId();
    if (id === 'new') {
      await loadLookups();
      render();
    } else if (id) await loadDetail(id);
    else await loadList();
  }

  async function loadList() {
    try {
      state.list = await api(qualityPath(site.id, 'ncrs'), {
        query: { status: statusFilter() || undefined, source: sourceFilter() || undefined, limit: 200 },
      });
      state.listError = null;
    } catch (error) {
      state.listError = error;
    }
    if (alive && !ncrId()) render();
  }

  async function loadDetail(id) {
    try {
      const detail = await api(qualityPath(site.id, `ncrs/${id}`));
      if (!alive || id !== ncrId()) return;
      state.detail = detail;
      state.detailError = null;
    } catch (error) {
      if (!alive || id !== ncrId()) return;
      state.detailError = error;
    }
    render();
    void loadHistory(id);
    if (roles.canDispose && state.detail?.allowedCommands.includes('disposition') && !state.reasons) {
      await loadLookups();
      if (alive && id === ncrId()) render();
    }
  }

  /** The NCR's audit trail (quality and administrators read it). */
  async function loadHistory(id) {
    if (!roles.canAct) return;
    try {
      const page = await api('/audit', {
        query: { entityType: 'ncr', entityId: id, order: 'asc', limit: 200 },
      });
      if (!alive || id !== ncrId()) return;
      state.history = page.items;
      state.historyError = null;
    } catch (error) {
      state.historyError = error;
    }
    if (alive && id === ncrId()) paintHistory();
  }

  async function loadLookups() {
    try {
      const [reasons, materials] = await Promise.all([
        state.reasons ?? readAll(`/sites/${site.id}/reason-codes`, { active: 'true' }),
        state.materials ?? readAll(`/sites/${site.id}/materials`, { active: 'true' }, 1000),
      ]);
      state.reasons = reasons;
      state.materials = materials;
    } catch (error) {
      state.formError = error;
      state.reasons = state.reasons ?? [];
      state.materials = state.materials ?? [];
    }
  }

  function render() {
    if (!alive) return;
    const id = ncrId();
    if (id === 'new') renderCreate();
    else if (id) renderDetail();
    else renderList();
  }

  // The list.

  function renderList() {
    const problem = problemBox('ncr-list-problem');
    const list = state.list;
    fill(
      container,
      h(
        'div',
        { class: 'q-toolbar' },
        h(
          'div',
          { class: 'q-segmented', role: 'group', 'aria-label': t('quality.ncr.statusFilter') },
          ['', ...STATUSES].map((s) =>
            h(
              'button',
              {
                type: 'button',
                'aria-pressed': String(statusFilter() === s),
                dataset: { status: s || 'all' },
                onclick: () => env.go({ status: s, source: sourceFilter() }),
              },
              s ? tOr('quality.ncrStatus', s) : t('quality.all'),
            ),
          ),
        ),
        field(
          t('quality.ncr.source'),
          h(
            'select',
            {
              id: 'ncr-source-filter',
              onchange: (e) => env.go({ status: statusFilter(), source: e.target.value }),
            },
            options(
              [['', t('quality.all')], ...SOURCES.map((s) => [s, tOr('quality.ncrSource', s)])],
              sourceFilter(),
            ),
          ),
        ),
        h(
          'div',
          { class: 'q-toolbar-actions' },
          h(
            'button',
            { type: 'button', id: 'ncr-refresh', onclick: () => void loadList() },
            t('quality.refresh'),
          ),
          roles.canAct
            ? h(
                'button',
                { type: 'button', class: 'primary', id: 'ncr-new', onclick: () => openNcr('new') },
                t('quality.ncr.new'),
              )
            : null,
        ),
      ),
      problem,
      list === null
        ? h('p', { class: 'muted' }, t('common.loading'))
        : list.items.length === 0
          ? empty(t('quality.ncr.none'))
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'table', id: 'ncr-table' },
                h('caption', { class: 'visually-hidden' }, t('quality.tabs.ncr')),
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['code', 'title', 'source', 'material', 'quantity', 'status', 'created'].map((c) =>
                      h('th', { scope: 'col' }, t(`quality.ncr.col.${c}`)),
                    ),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  list.items.map((n) =>
                    h(
                      'tr',
                      { dataset: { ncr: n.code } },
                      h(
                        'th',
                        { scope: 'row' },
                        h(
                          'a',
                          {
                            href: `/quality?view=ncr&ncr=${n.id}`,
                            onclick: (e) => {
                              e.preventDefault();
                              openNcr(n.id);
                            },
                          },
                          n.code,
                        ),
                      ),
                      h('td', {}, n.title),
                      h('td', {}, tOr('quality.ncrSource', n.source)),
                      h('td', {}, n.materialCode ?? '—'),
                      h('td', { class: 'num' }, formatNumber(n.quantity)),
                      h('td', { dataset: { field: 'status' } }, badge('ncrStatus', n.status)),
                      h('td', { class: 'nowrap' }, formatDateTime(n.createdAt, site.timeZone)),
                    ),
                  ),
                ),
              ),
            ),
      list && list.total > list.items.length
        ? h('p', { class: 'muted' }, t('quality.ncr.more', { count: list.total - list.items.length }))
        : null,
    );
    if (state.listError) showProblem(problem, state.listError);
  }

  function openNcr(id) {
    state.detail = null;
    state.detailError = null;
    state.history = null;
    state.form = {};
    state.formError = null;
    state.lastEffects = null;
    if (id === 'new') state.createKey = newKey();
    env.go({ ncr: id, status: state.params.status, source: state.params.source });
  }

  function backLink() {
    return h(
      'a',
      {
        href: '/quality?view=ncr',
        class: 'button link q-back',
        id: 'ncr-back',
        onclick: (e) => {
          e.preventDefault();
          env.go({ status: state.params.status, source: state.params.source });
        },
      },
      t('quality.ncr.back'),
    );
  }

  /** A text control bound to `state.form[name]`. */
  function bound(tag, name, attributes = {}) {
    const control = h(tag, {
      id: `ncr-${name}`,
      name,
      ...attributes,
      oninput: (e) => (state.form[name] = e.target.value),
      onchange: (e) => (state.form[name] = e.target.type === 'checkbox' ? e.target.checked : e.target.value),
    });
    if (control.type === 'checkbox') control.checked = Boolean(state.form[name]);
    else if (state.form[name] !== undefined) control.value = state.form[name];
    return control;
  }

  // Raising an NCR.

  function renderCreate() {
    if (!roles.canAct) {
      fill(container, backLink(), h('p', { class: 'notice' }, t('quality.ncr.mayNotRaise')));
      return;
    }
    if (state.materials === null) {
      fill(container, backLink(), h('p', { class: 'muted' }, t('common.loading')));
      return;
    }
    const source = state.form.source ?? 'inspection';
    const problem = problemBox('ncr-create-problem');
    const defects = (state.reasons ?? []).filter((r) => r.category === 'defect');
    const chosen = new Set(state.form.defectCodes ?? []);
    const form = h(
      'form',
      { id: 'ncr-create-form', class: 'panel q-panel q-form-grid', novalidate: true, onsubmit: submitCreate },
      h('h2', { class: 'q-span' }, t('quality.ncr.newTitle')),
      field(
        t('quality.ncr.source'),
        h(
          'select',
          {
            id: 'ncr-source',
            onchange: (e) => {
              state.form.source = e.target.value;
              render();
            },
          },
          options(
            RAISED_HERE.map((s) => [s, tOr('quality.ncrSource', s)]),
            source,
          ),
        ),
      ),
      field(
        t('quality.ncr.col.title'),
        bound('input', 'title', { type: 'text', maxlength: '200', required: true }),
      ),
      h(
        'div',
        { class: 'q-span' },
        field(
          t('quality.ncr.description'),
          bound('textarea', 'description', { rows: '3', maxlength: '4000' }),
        ),
      ),
      field(
        t('quality.ncr.col.material'),
        bound('input', 'material', {
          type: 'text',
          list: 'ncr-materials',
          maxlength: '64',
          autocomplete: 'off',
        }),
      ),
      h(
        'datalist',
        { id: 'ncr-materials' },
        state.materials.map((m) => h('option', { value: m.code }, localName(m))),
      ),
      field(
        t('quality.ncr.col.quantity'),
        bound('input', 'quantity', { type: 'text', inputmode: 'decimal', maxlength: '20' }),
      ),
      source === 'supplier' ? supplierField() : null,
      lotsField(),
      source === 'customer'
        ? field(t('quality.ncr.customer'), bound('input', 'customer', { type: 'text', maxlength: '200' }))
        : null,
      field(t('quality.ncr.workOrder'), bound('input', 'workOrder', { type: 'text', maxlength: '64' })),
      defects.length > 0
        ? h(
            'fieldset',
            { class: 'q-span q-checks', id: 'ncr-defects' },
            h('legend', {}, t('quality.ncr.defects')),
            defects.map((r) =>
              h(
                'label',
                { class: 'q-check' },
                h('input', {
                  type: 'checkbox',
                  value: r.code,
                  checked: chosen.has(r.code),
                  onchange: (e) => {
                    const set = new Set(state.form.defectCodes ?? []);
                    if (e.target.checked) set.add(r.code);
                    else set.delete(r.code);
                    state.form.defectCodes = [...set];
                  },
                }),
                h('span', {}, `${r.code} · ${localName(r)}`),
              ),
            ),
          )
        : null,
      h(
        'label',
        { class: 'q-check q-span' },
        bound('input', 'holdLots', { type: 'checkbox' }),
        h('span', {}, t('quality.ncr.holdLots')),
      ),
      h('div', { class: 'q-span' }, problem),
      h(
        'div',
        { class: 'q-actions q-span' },
        h(
          'button',
          { type: 'submit', class: 'primary', id: 'ncr-create', disabled: state.busy },
          t('quality.ncr.create'),
        ),
        h(
          'button',
          {
            type: 'button',
            onclick: () => env.go({ status: state.params.status, source: state.params.source }),
          },
          t('quality.cancel'),
        ),
      ),
    );
    fill(container, backLink(), form);
    paintLots();
    if (state.formError) showProblem(problem, state.formError);
  }

  /** The supplier, searched among the partners that are suppliers as the person types. */
  function supplierField() {
    const picker = combobox({
      id: 'ncr-supplier',
      value: state.form.supplier ?? '',
      maxlength: '64',
      placeholder: t('quality.ncr.supplierHint'),
      search: async (text) =>
        (
          await api(`/sites/${site.id}/partners`, {
            query: { q: text || undefined, isSupplier: 'true', active: 'true', limit: 20, sort: 'code' },
          })
        ).items,
      describe: (p) => [p.code, localName(p)],
      onText: (text) => {
        state.form.supplier = text;
        state.form.supplierName = null;
        paintSupplier();
      },
      pick: (p) => {
        state.form.supplier = p.code;
        state.form.supplierName = localName(p);
        picker.input.value = p.code;
        paintSupplier();
      },
    });
    return h(
      'div',
      { class: 'q-field' },
      h('label', { class: 'q-field-label', for: 'ncr-supplier' }, t('quality.ncr.supplier')),
      picker.element,
      h('span', { class: 'muted small', id: 'ncr-supplier-chosen' }, state.form.supplierName ?? ''),
    );
  }

  function paintSupplier() {
    const chosen = container.querySelector('#ncr-supplier-chosen');
    if (chosen) chosen.textContent = state.form.supplierName ?? '';
  }

  /** The lots concerned: searched by code as the person types (of the material, when one is given). */
  function lotsField() {
    const chosen = (state.form.lotList ??= []);
    const picker = combobox({
      id: 'ncr-lots',
      value: state.form.lots ?? '',
      maxlength: '64',
      placeholder: t('quality.ncr.lotsSearch'),
      search: async (text) => {
        const material = materialByCode(state.form.material);
        const page = await api(`/sites/${site.id}/lots`, {
          query: { code: text || undefined, materialId: material?.id, limit: 20 },
        });
        return page.items.filter((l) => !chosen.some((c) => c.code === l.code));
      },
      describe: (l) => [l.code, lotDetail(l)],
      onText: (text) => (state.form.lots = text),
      pick: (l) => addLot(l.code, l),
      onEnter: (text) => addLot(text, null),
    });
    return h(
      'div',
      { class: 'q-field q-span' },
      h('label', { class: 'q-field-label', for: 'ncr-lots' }, t('quality.ncr.lots')),
      picker.element,
      h('span', { class: 'muted small' }, t('quality.ncr.lotsHint')),
      h('ul', { class: 'q-lot-chips', id: 'ncr-lot-list', 'aria-label': t('quality.ncr.lotsChosen') }),
    );
  }

  function lotDetail(l) {
    const material = state.materials?.find((m) => m.id === l.materialId);
    return [
      material ? material.code : null,
      tOr('quality.lotStatus', l.status),
      t('quality.ncr.onHandQty', { qty: formatNumber(l.quantity) }),
    ]
      .filter(Boolean)
      .join(' · ');
  }

  function materialByCode(code) {
    const text = String(code ?? '')
      .trim()
      .toUpperCase();
    if (!text) return null;
    return state.materials?.find((m) => m.code.toUpperCase() === text) ?? null;
  }

  function addLot(code, lot) {
    const list = (state.form.lotList ??= []);
    const clean = code.trim();
    if (clean && !list.some((l) => l.code === clean)) {
      list.push({ code: clean, detail: lot ? lotDetail(lot) : null, quantity: '' });
    }
    state.form.lots = '';
    const input = container.querySelector('#ncr-lots');
    if (input) input.value = '';
    paintLots();
  }

  function paintLots() {
    const box = container.querySelector('#ncr-lot-list');
    if (!box) return;
    const list = state.form.lotList ?? [];
    box.replaceChildren(
      ...list.map((l) => {
        const qty = h('input', {
          type: 'text',
          inputmode: 'decimal',
          maxlength: '20',
          class: 'q-lot-qty',
          id: `ncr-lot-qty-${l.code}`,
          'aria-label': t('quality.ncr.lotQty', { lot: l.code }),
          placeholder: t('quality.ncr.lotQtyHint'),
          oninput: (e) => (l.quantity = e.target.value),
        });
        qty.value = l.quantity ?? '';
        return h(
          'li',
          { dataset: { lot: l.code } },
          h('strong', {}, l.code),
          l.detail ? h('span', { class: 'muted small' }, l.detail) : null,
          qty,
          h(
            'button',
            {
              type: 'button',
              class: 'q-small-button',
              'aria-label': t('quality.ncr.removeLot', { lot: l.code }),
              onclick: () => {
                state.form.lotList = list.filter((x) => x !== l);
                paintLots();
                container.querySelector('#ncr-lots')?.focus();
              },
            },
            '×',
          ),
        );
      }),
    );
  }

  async function submitCreate(event) {
    event.preventDefault();
    if (state.busy) return;
    const f = state.form;
    // The chosen lots, and a code still in the search field (typed or scanned, not yet added).
    const lots = [
      ...(f.lotList ?? []).map((l) => ({ lot: l.code, quantity: l.quantity?.trim() || undefined })),
      ...String(f.lots ?? '')
        .split(/[\s,;]+/)
        .filter((code) => code && !(f.lotList ?? []).some((l) => l.code === code))
        .map((lot) => ({ lot })),
    ];
    const body = {
      source: f.source ?? 'inspection',
      title: String(f.title ?? ''),
      description: f.description?.trim() || undefined,
      material: f.material?.trim() || undefined,
      quantity: f.quantity?.trim() || undefined,
      defectCodes: f.defectCodes?.length ? f.defectCodes : undefined,
      lots: lots.length ? lots : undefined,
      workOrder: f.workOrder?.trim() || undefined,
      supplier: body_if(f.source === 'supplier', f.supplier),
      customer: body_if(f.source === 'customer', f.customer),
      holdLots: f.holdLots ? true : undefined,
    };
    state.busy = true;
    state.formError = null;
    const button = container.querySelector('#ncr-create');
    if (button) button.disabled = true;
    try {
      const created = await api(qualityPath(site.id, 'ncrs'), {
        method: 'POST',
        body,
        idempotencyKey: state.createKey,
      });
      state.busy = false;
      env.notify(() => t('quality.ncr.created', { code: created.code }), 'ok');
      state.form = {};
      state.detail = created;
      env.go({ ncr: created.id });
      return;
    } catch (error) {
      state.formError = error;
      // A refused request may be corrected and sent again: a new key for the next try.
      state.createKey = newKey();
    }
    state.busy = false;
    render();
  }

  // One NCR.

  function renderDetail() {
    const n = state.detail;
    if (!n) {
      const box = problemBox('ncr-problem');
      fill(container, backLink(), state.detailError ? box : h('p', { class: 'muted' }, t('common.loading')));
      if (state.detailError) showProblem(box, state.detailError);
      return;
    }
    fill(
      container,
      backLink(),
      h(
        'section',
        { class: 'panel q-panel', 'aria-labelledby': 'ncr-title' },
        h(
          'h2',
          { id: 'ncr-title' },
          `${n.code} · ${n.title}`,
          h('span', { id: 'ncr-status' }, badge('ncrStatus', n.status)),
        ),
        n.description ? h('p', { class: 'q-description' }, n.description) : null,
        facts([
          [t('quality.ncr.source'), tOr('quality.ncrSource', n.source), 'source'],
          [
            t('quality.ncr.col.material'),
            n.material ? `${n.material.code} · ${localName(n.material)}` : '—',
            'material',
          ],
          [t('quality.ncr.col.quantity'), formatNumber(n.quantity), 'quantity'],
          [
            t('quality.ncr.defects'),
            n.defects.length
              ? n.defects.map((d) => `${d.code} · ${localName(d)}`).join(t('list.separator'))
              : '—',
            'defects',
          ],
          n.supplier
            ? [t('quality.ncr.supplier'), `${n.supplier.code} · ${localName(n.supplier)}`, 'supplier']
            : null,
          n.customer ? [t('quality.ncr.customer'), n.customer, 'customer'] : null,
          [
            t('quality.ncr.reportedBy'),
            `${n.reportedByName} · ${formatDateTime(n.createdAt, site.timeZone)}`,
            'reported',
          ],
          n.reviewerName ? [t('quality.ncr.reviewer'), n.reviewerName, 'reviewer'] : null,
          n.containedAt
            ? [
                t('quality.ncr.contained'),
                `${formatDateTime(n.containedAt, site.timeZone)}${n.containmentNote ? ` · ${n.containmentNote}` : ''}`,
                'contained',
              ]
            : null,
          n.disposition
            ? [
                t('quality.ncr.disposition'),
                `${tOr('quality.disposition', n.disposition)} · ${formatNumber(n.dispositionQty)}`,
                'disposition',
              ]
            : null,
          n.dispositionNote ? [t('quality.ncr.dispositionNote'), n.dispositionNote, 'dispositionNote'] : null,
          n.reworkWorkOrder
            ? [
                t('quality.ncr.rework'),
                `${n.reworkWorkOrder.code} · ${tOr('status', n.reworkWorkOrder.status)}`,
                'rework',
              ]
            : null,
          n.closedAt
            ? [
                t('quality.ncr.closed'),
                `${formatDateTime(n.closedAt, site.timeZone)} · ${n.closedByName ?? ''}${n.closeNote ? ` · ${n.closeNote}` : ''}`,
                'closed',
              ]
            : null,
        ]),
      ),
      lotsSection(n),
      effectsSection(),
      signaturesSection(n),
      actionsSection(n),
      h(
        'section',
        { class: 'panel q-panel', 'aria-labelledby': 'ncr-history-title' },
        h('h3', { id: 'ncr-history-title' }, t('quality.ncr.history')),
        h('div', { id: 'ncr-history' }),
      ),
    );
    paintHistory();
  }

  function lotsSection(n) {
    return h(
      'section',
      { class: 'panel q-panel', 'aria-labelledby': 'ncr-lots-title' },
      h('h3', { id: 'ncr-lots-title' }, t('quality.ncr.lots')),
      n.lots.length === 0
        ? empty(t('quality.ncr.noLots'))
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table', id: 'ncr-lots' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['lot', 'role', 'quantity', 'status', 'onHand'].map((c) =>
                    h('th', { scope: 'col' }, t(`quality.ncr.lotCol.${c}`)),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                n.lots.map((l) =>
                  h(
                    'tr',
                    { dataset: { lot: l.code } },
                    h('th', { scope: 'row' }, l.code),
                    h('td', {}, tOr('quality.lotRole', l.role)),
                    h('td', { class: 'num' }, formatNumber(l.quantity)),
                    h(
                      'td',
                      {},
                      badge('lotStatus', l.status),
                      l.heldByNcr
                        ? h('span', { class: 'muted small' }, ` ${t('quality.ncr.heldByNcr')}`)
                        : null,
                    ),
                    h('td', { class: 'num' }, formatNumber(l.onHand)),
                  ),
                ),
              ),
            ),
          ),
    );
  }

  function effectsSection() {
    const effects = state.lastEffects;
    if (!effects || effects.length === 0) return null;
    return h(
      'section',
      { class: 'panel q-panel', id: 'ncr-effects', 'aria-labelledby': 'ncr-effects-title' },
      h('h3', { id: 'ncr-effects-title' }, t('quality.ncr.effects')),
      h(
        'ul',
        { class: 'q-plain-list' },
        effects.map((e) =>
          h(
            'li',
            { dataset: { lot: e.code } },
            t('quality.ncr.effect', {
              lot: e.code,
              action: tOr('quality.lotAction', e.action),
              from: tOr('quality.lotStatus', e.statusBefore),
              to: tOr('quality.lotStatus', e.statusAfter),
            }),
          ),
        ),
      ),
    );
  }

  function signaturesSection(n) {
    return h(
      'section',
      { class: 'panel q-panel', 'aria-labelledby': 'ncr-signatures-title' },
      h('h3', { id: 'ncr-signatures-title' }, t('quality.ncr.signatures')),
      n.signatures.length === 0
        ? empty(t('quality.ncr.noSignatures'))
        : h(
            'ul',
            { class: 'q-signatures', id: 'ncr-signatures' },
            n.signatures.map((s) =>
              h(
                'li',
                { dataset: { signature: s.id, meaning: s.meaning } },
                h('strong', { dataset: { field: 'meaning' } }, tOr('quality.meaning', s.meaning)),
                h(
                  'span',
                  { dataset: { field: 'signer' } },
                  t('quality.ncr.signedBy', { name: s.signerName, username: s.signerUsername }),
                ),
                h(
                  'time',
                  { datetime: s.signedAt, dataset: { field: 'signedAt' } },
                  formatDateTime(s.signedAt, site.timeZone),
                ),
                s.reason ? h('span', { class: 'muted' }, s.reason) : null,
                h(
                  'span',
                  { class: `badge ${s.valid ? 'q-ok' : 'danger'}`, dataset: { field: 'valid' } },
                  s.valid
                    ? t('quality.ncr.signatureValid')
                    : s.invalidCode === 'signature_altered'
                      ? t('quality.ncr.signatureAltered')
                      : t('quality.ncr.signatureInvalid'),
                ),
                // What changed since signing (the record's field names, as the signed record has them).
                !s.valid && s.changedFields?.length
                  ? h(
                      'span',
                      { class: 'muted', dataset: { field: 'changedFields' } },
                      s.changedFields.join(', '),
                    )
                  : null,
              ),
            ),
          ),
    );
  }

  function actionsSection(n) {
    if (!roles.canAct) return null;
    const allowed = n.allowedCommands;
    const problem = problemBox('ncr-action-problem');
    const parts = [];
    if (allowed.includes('review')) {
      parts.push(
        commandForm(
          'review',
          t('quality.ncr.review'),
          [field(t('quality.ncr.note'), bound('textarea', 'reviewNote', { rows: '2', maxlength: '2000' }))],
          () => ({ note: state.form.reviewNote?.trim() || undefined }),
        ),
      );
    }
    if (allowed.includes('containment')) {
      if (state.form.containHold === undefined) state.form.containHold = true;
      parts.push(
        commandForm(
          'containment',
          t('quality.ncr.contain'),
          [
            h(
              'label',
              { class: 'q-check' },
              bound('input', 'containHold', { type: 'checkbox' }),
              h('span', {}, t('quality.ncr.containHold')),
            ),
            field(t('quality.ncr.note'), bound('textarea', 'containNote', { rows: '2', maxlength: '2000' })),
          ],
          () => ({
            hold: Boolean(state.form.containHold),
            note: state.form.containNote?.trim() || undefined,
          }),
        ),
      );
    }
    if (allowed.includes('disposition')) parts.push(dispositionForm(n));
    if (allowed.includes('close')) {
      parts.push(
        commandForm(
          'close',
          t('quality.ncr.close'),
          [
            field(
              t('quality.ncr.closeNote'),
              bound('textarea', 'closeNote', { rows: '2', maxlength: '2000' }),
            ),
          ],
          () => ({ note: String(state.form.closeNote ?? '') }),
        ),
      );
    }
    parts.push(signForm(n));
    const section = h(
      'section',
      { class: 'panel q-panel', 'aria-labelledby': 'ncr-actions-title' },
      h('h3', { id: 'ncr-actions-title' }, t('quality.ncr.actions')),
      problem,
      h('div', { class: 'q-action-forms' }, parts),
    );
    if (state.formError) showProblem(problem, state.formError);
    return section;
  }

  function commandForm(command, label, controls, body) {
    return h(
      'form',
      {
        class: 'q-inline-form',
        id: `ncr-${command}-form`,
        novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          void command_(command, body());
        },
      },
      h('h4', {}, label),
      controls,
      h(
        'div',
        { class: 'q-actions' },
        h('button', { type: 'submit', id: `ncr-${command}`, disabled: state.busy }, label),
      ),
    );
  }

  function signerLine() {
    const user = ctx.session?.user ?? {};
    return t('quality.sign.signer', {
      name: user.name ?? user.username ?? '',
      username: user.username ?? '',
    });
  }

  function dispositionForm(n) {
    if (!roles.canDispose) {
      return h('p', { class: 'notice', id: 'ncr-disposition-role' }, t('quality.ncr.disposeRole'));
    }
    const disposition = state.form.disposition ?? 'use_as_is';
    const scraps = (state.reasons ?? []).filter((r) => r.category === 'scrap');
    const password = h('input', {
      id: 'ncr-disposition-password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    });
    return h(
      'form',
      {
        class: 'q-inline-form q-sign-form',
        id: 'ncr-disposition-form',
        novalidate: true,
        onsubmit: (e) => void submitDisposition(e, n, password),
      },
      h('h4', {}, t('quality.ncr.dispose')),
      field(
        t('quality.ncr.disposition'),
        h(
          'select',
          {
            id: 'ncr-disposition',
            onchange: (e) => {
              state.form.disposition = e.target.value;
              render();
            },
          },
          options(
            DISPOSITIONS.map((d) => [d, tOr('quality.disposition', d)]),
            disposition,
          ),
        ),
      ),
      field(
        t('quality.ncr.dispositionQty'),
        bound('input', 'dispositionQty', {
          type: 'text',
          inputmode: 'decimal',
          placeholder: n.quantity ? formatNumber(n.quantity) : '',
        }),
        n.quantity ? t('quality.ncr.dispositionQtyHint', { qty: formatNumber(n.quantity) }) : null,
      ),
      disposition === 'scrap'
        ? field(
            t('quality.ncr.scrapReason'),
            h(
              'select',
              { id: 'ncr-scrap-reason', onchange: (e) => (state.form.scrapReason = e.target.value) },
              options(
                [['', '—'], ...scraps.map((r) => [r.code, `${r.code} · ${localName(r)}`])],
                state.form.scrapReason ?? '',
              ),
            ),
          )
        : null,
      disposition === 'rework'
        ? field(t('quality.ncr.reworkDue'), bound('input', 'reworkDue', { type: 'datetime-local' }))
        : null,
      field(
        t('quality.ncr.dispositionNote'),
        bound('textarea', 'dispositionNote', { rows: '2', maxlength: '2000', required: true }),
      ),
      h(
        'fieldset',
        { class: 'q-signature-box' },
        h('legend', {}, t('quality.sign.title')),
        h('p', { class: 'small' }, signerLine()),
        h(
          'p',
          { class: 'small', id: 'ncr-disposition-meaning' },
          t('quality.sign.meaningIs', { meaning: tOr('quality.meaning', 'dispositioned') }),
        ),
        field(t('quality.sign.password'), password),
        h('p', { class: 'muted small' }, t('quality.sign.statement')),
      ),
      h(
        'div',
        { class: 'q-actions' },
        h(
          'button',
          { type: 'submit', class: 'primary', id: 'ncr-disposition-submit', disabled: state.busy },
          t('quality.ncr.signDispose'),
        ),
      ),
    );
  }

  function signForm(n) {
    const meaning = state.form.meaning ?? 'reviewed';
    const password = h('input', {
      id: 'ncr-sign-password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    });
    return h(
      'details',
      {
        class: 'q-inline-form q-sign-more',
        open: state.form.signOpen ? true : undefined,
        ontoggle: (e) => (state.form.signOpen = e.target.open),
      },
      h('summary', {}, t('quality.sign.add')),
      h(
        'form',
        { id: 'ncr-sign-form', novalidate: true, onsubmit: (e) => void submitSignature(e, n, password) },
        h('p', { class: 'small' }, signerLine()),
        field(
          t('quality.sign.meaning'),
          h(
            'select',
            { id: 'ncr-sign-meaning', onchange: (e) => (state.form.meaning = e.target.value) },
            options(
              MEANINGS.map((m) => [m, tOr('quality.meaning', m)]),
              meaning,
            ),
          ),
        ),
        field(t('quality.sign.reason'), bound('input', 'signReason', { type: 'text', maxlength: '2000' })),
        field(t('quality.sign.password'), password),
        h('p', { class: 'muted small' }, t('quality.sign.statement')),
        h(
          'div',
          { class: 'q-actions' },
          h(
            'button',
            { type: 'submit', id: 'ncr-sign-submit', disabled: state.busy },
            t('quality.sign.submit'),
          ),
        ),
      ),
    );
  }

  async function command_(command, body) {
    const n = state.detail;
    if (!n || state.busy) return;
    await run(async () => {
      const answer = await api(qualityPath(site.id, `ncrs/${n.id}/${command}`), {
        method: 'POST',
        body: { ...body, expectedVersion: n.version },
      });
      state.detail = command === 'containment' ? answer.ncr : answer;
      env.notify(() => t(`quality.ncr.did.${command}`, { code: n.code }), 'ok');
      if (command === 'containment') {
        state.lastEffects = answer.lots.map((l) => ({
          code: l.code,
          action: l.heldNow ? 'held' : 'unchanged',
          statusBefore: l.statusBefore,
          statusAfter: l.statusAfter,
        }));
      }
    });
  }

  async function submitDisposition(event, n, password) {
    event.preventDefault();
    const f = state.form;
    const disposition = f.disposition ?? 'use_as_is';
    const body = {
      disposition,
      quantity: f.dispositionQty?.trim() || undefined,
      note: String(f.dispositionNote ?? ''),
      password: password.value,
      scrapReasonCode: disposition === 'scrap' ? f.scrapReason || '' : undefined,
      reworkDueAt: disposition === 'rework' && f.reworkDue ? new Date(f.reworkDue).toISOString() : undefined,
      expectedVersion: n.version,
    };
    await run(
      async () => {
        // The person's own token: a refused password is an answer to show here, not a signed-out session.
        const answer = await api(qualityPath(site.id, `ncrs/${n.id}/disposition`), {
          method: 'POST',
          body,
          token: ctx.session.token,
        });
        state.detail = answer;
        state.lastEffects = answer.effects;
        state.form = {};
        env.notify(() => t('quality.ncr.did.disposition', { code: n.code }), 'ok');
      },
      () => password.focus(),
    );
  }

  async function submitSignature(event, n, password) {
    event.preventDefault();
    const f = state.form;
    await run(
      async () => {
        await api('/signatures', {
          method: 'POST',
          body: {
            entityType: 'ncr',
            entityId: n.id,
            meaning: f.meaning ?? 'reviewed',
            password: password.value,
            reason: f.signReason?.trim() || undefined,
          },
          token: ctx.session.token,
        });
        state.form = {};
        env.notify(() => t('quality.sign.done', { code: n.code }), 'ok');
        state.detail = await api(qualityPath(site.id, `ncrs/${n.id}`));
      },
      () => password.focus(),
    );
  }

  /** Runs an action: the button waits, the answer redraws, a refusal is shown (a wrong password said plainly). */
  async function run(action, onError) {
    state.busy = true;
    state.formError = null;
    container.querySelectorAll('.q-action-forms button').forEach((b) => (b.disabled = true));
    try {
      await action();
    } catch (error) {
      state.formError = isWrongPassword(error) ? wrongPassword(error) : error;
    } finally {
      state.busy = false;
    }
    render();
    if (state.formError) {
      onError?.();
      container.querySelector('#ncr-action-problem')?.scrollIntoView({ block: 'nearest' });
    }
    if (state.detail) void loadHistory(state.detail.id);
  }

  /** The shared label speaks of a wrong username too: at signing only the password can be wrong. */
  function wrongPassword(error) {
    error.code = null;
    error.detail = t('quality.sign.wrongPassword');
    return error;
  }

  function paintHistory() {
    const target = container.querySelector('#ncr-history');
    if (!target) return;
    if (!roles.canAct) {
      target.replaceChildren(h('p', { class: 'muted' }, t('quality.ncr.historyRole')));
      return;
    }
    if (state.historyError) {
      showProblem(target, state.historyError);
      return;
    }
    if (!state.history) {
      target.replaceChildren(h('p', { class: 'muted' }, t('common.loading')));
      return;
    }
    target.replaceChildren(
      state.history.length === 0
        ? empty(t('quality.ncr.noHistory'))
        : h(
            'ol',
            { class: 'q-history' },
            state.history.map((entry) =>
              h(
                'li',
                { dataset: { action: entry.action } },
                h('time', { datetime: entry.occurredAt }, formatDateTime(entry.occurredAt, site.timeZone)),
                h('strong', {}, tOr('quality.audit', entry.action)),
                h('span', {}, entry.actorName),
                entry.after?.status ? badge('ncrStatus', entry.after.status) : null,
                entry.reason ? h('span', { class: 'muted' }, entry.reason) : null,
              ),
            ),
          ),
    );
  }

  function refreshSoon() {
    clearTimeout(coalesce);
    coalesce = setTimeout(() => {
      const id = ncrId();
      if (id === 'new') return;
      if (id) void loadDetail(id);
      else void loadList();
    }, COALESCE_MS);
  }

  render();
  void load();

  return {
    update(params) {
      const changed = params.ncr !== state.params.ncr;
      state.params = params;
      if (changed) {
        if (!(state.detail && state.detail.id === params.ncr)) state.detail = null;
        state.detailError = null;
        state.history = null;
        state.formError = null;
      }
      render();
      void load();
    },
    onLive(event, data) {
      if (event === 'ncr.changed' || event === 'resync') {
        const id = ncrId();
        if (!id || event === 'resync' || data.ncrId === id) {
          // Not while this page is sending a command: its own answer redraws.
          if (!state.busy) refreshSoon();
        }
      }
    },
    relabel: render,
    unmount() {
      alive = false;
      clearTimeout(coalesce);
    },
  };
}

function body_if(condition, value) {
  return condition ? String(value ?? '').trim() : undefined;
}
