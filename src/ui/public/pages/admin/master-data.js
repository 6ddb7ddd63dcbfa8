// Master data: a searchable table per kind the API has, one record at a time (create, change, deactivate and
// reactivate, with the version read), CSV export, and CSV import with a dry run and the API's per-row report
// (the API imports all or nothing; the rows without problems can be sent again alone).
import { api } from '../../api.js';
import { dataTable, h } from '../../dom.js';
import { formatNumber, locale, t, tOr } from '../../i18n.js';
import {
  activeBadge,
  clearProblem,
  clip,
  csvRecords,
  debounce,
  downloadCsv,
  pager,
  postCsv,
  problemBox,
  showProblem,
  when,
  fill,
  flash,
} from './common.js';
import { openActiveToggle, openRecordEditor } from './record-dialogs.js';
import { canWrite } from './record-forms.js';

const yesNo = (value) => (value ? t('admin.yes') : t('admin.no'));
const num = (value) => (value === null || value === undefined ? '—' : formatNumber(value));
const ref = (kind) => ({ ref: kind });

/**
 * The kinds, their extra columns (after code and name) and whether an import may be split by row: BOMs and
 * routings group several rows into one revision, so there a file is fixed and sent again whole.
 */
export const KINDS = [
  {
    path: 'materials',
    columns: [
      ['materialClass', (r) => tOr('admin.materialClass', r.materialClass)],
      ['baseUnit', (r, refs) => refs('units', r.baseUnitId)],
      ['lotTracked', (r) => yesNo(r.lotTracked)],
      ['safetyStock', (r) => num(r.safetyStock)],
      ['reorderPoint', (r) => num(r.reorderPoint)],
    ],
    refs: { units: ref('units') },
    rowwise: true,
  },
  { path: 'boms', revision: true, rowwise: false },
  { path: 'routings', revision: true, rowwise: false },
  {
    path: 'units',
    columns: [
      ['dimension', (r) => tOr('admin.dimension', r.dimension)],
      ['decimals', (r) => num(r.decimals)],
    ],
    rowwise: true,
  },
  { path: 'areas', columns: [], rowwise: true },
  {
    path: 'lines',
    columns: [['area', (r, refs) => refs('areas', r.areaId)]],
    refs: { areas: ref('areas') },
    rowwise: true,
  },
  {
    path: 'work-centers',
    columns: [['line', (r, refs) => refs('lines', r.lineId)]],
    refs: { lines: ref('lines') },
    rowwise: true,
  },
  {
    path: 'equipment',
    columns: [
      ['workCenter', (r, refs) => refs('work-centers', r.workCenterId)],
      ['equipmentStatus', (r) => tOr('admin.equipmentStatus', r.status)],
      ['model', (r) => [r.manufacturer, r.model].filter(Boolean).join(' ') || '—'],
    ],
    refs: { 'work-centers': ref('work-centers') },
    rowwise: true,
  },
  {
    path: 'locations',
    columns: [
      ['locationType', (r) => tOr('admin.locationType', r.locationType)],
      ['line', (r, refs) => refs('lines', r.lineId)],
      ['parent', (r, refs) => refs('locations', r.parentId)],
    ],
    refs: { lines: ref('lines'), locations: ref('locations') },
    rowwise: true,
  },
  {
    path: 'reason-codes',
    columns: [['category', (r) => tOr('admin.reasonCategory', r.category)]],
    rowwise: true,
  },
  {
    path: 'partners',
    columns: [
      [
        'partnerRole',
        (r) =>
          [r.isSupplier ? t('admin.md.supplier') : null, r.isCustomer ? t('admin.md.customer') : null]
            .filter(Boolean)
            .join(t('list.separator')) || '—',
      ],
      ['contact', (r) => [r.contactName, r.phone, r.email].filter(Boolean).join(' · ') || '—'],
    ],
    rowwise: true,
  },
  {
    path: 'calendars',
    columns: [
      [
        'workCenter',
        (r, refs) => (r.workCenterId ? refs('work-centers', r.workCenterId) : t('admin.md.wholeSite')),
      ],
      ['shifts', (r) => num((r.shifts ?? []).length)],
    ],
    refs: { 'work-centers': ref('work-centers') },
    rowwise: true,
  },
];

const LIMIT = 50;

export function mountMasterData(container, ctx) {
  const { site, admin } = ctx;
  const roles = ctx.session?.user?.roles ?? [];
  /** Records of referenced kinds for the forms' pickers (emptied when a record changes). */
  let refCache = {};
  const url = (path) => `/sites/${site.id}/${path}`;
  const state = {
    kind: KINDS[0],
    q: '',
    active: 'true',
    offset: 0,
    page: null,
    error: null,
    lookups: {},
    importKind: KINDS[0],
    file: null,
    result: null,
    importError: null,
    busy: false,
  };
  let alive = true;
  let generation = 0;
  // One file input for the tab's life: a language switch relabels around it and the chosen file stays.
  const fileInput = h('input', {
    type: 'file',
    id: 'md-file',
    accept: '.csv,text/csv',
    onchange: (event) => {
      state.file = event.target.files?.[0] ?? null;
      state.result = null;
      state.importError = null;
      paintResult();
    },
  });

  const title = h('h2', { class: 'visually-hidden', id: 'md-title' });
  const kindNav = h('div', { class: 'admin-subnav', id: 'md-kinds' });
  const toolbar = h('div', { class: 'admin-toolbar', id: 'md-toolbar' });
  const problem = problemBox('md-problem');
  const message = h('p', { class: 'admin-flash', id: 'md-flash', role: 'status', hidden: true });
  const body = h('div', { class: 'admin-body', id: 'md-body', 'aria-busy': 'true' });
  const importPanel = h('section', {
    class: 'admin-card',
    id: 'md-import',
    'aria-labelledby': 'md-import-title',
  });
  fill(
    container,
    title,
    h(
      'div',
      { class: 'admin-split' },
      h(
        'section',
        { class: 'admin-card', 'aria-labelledby': 'md-title' },
        kindNav,
        toolbar,
        message,
        problem,
        body,
      ),
      importPanel,
    ),
  );

  const search = debounce(() => {
    state.offset = 0;
    void load();
  }, 300);

  /** id → code of the records another kind refers to (loaded once per kind, up to 500). */
  async function loadLookups(kind) {
    const needed = Object.keys(kind.refs ?? {}).filter((path) => !state.lookups[path]);
    await Promise.all(
      needed.map(async (path) => {
        const page = await api(url(path), { query: { limit: 500 } });
        state.lookups[path] = new Map(page.items.map((item) => [item.id, item.code]));
      }),
    );
  }

  const refs = (path, id) => (id ? (state.lookups[path]?.get(id) ?? id) : '—');

  async function load() {
    const mine = ++generation;
    body.setAttribute('aria-busy', 'true');
    try {
      const kind = state.kind;
      const [page] = await Promise.all([
        api(url(kind.path), {
          query: { q: state.q.trim(), active: state.active || undefined, limit: LIMIT, offset: state.offset },
        }),
        loadLookups(kind),
      ]);
      if (mine !== generation) return;
      state.page = page;
      state.error = null;
    } catch (error) {
      if (mine !== generation) return;
      state.error = error;
    }
    if (!alive) return;
    body.setAttribute('aria-busy', 'false');
    paintList();
  }

  function paintNav() {
    title.textContent = t('admin.tab.master-data');
    kindNav.setAttribute('aria-label', t('admin.md.kinds'));
    fill(
      kindNav,
      ...KINDS.map((kind) =>
        h(
          'button',
          {
            type: 'button',
            class: 'admin-chip',
            id: `md-kind-${kind.path}`,
            'aria-pressed': kind === state.kind ? 'true' : 'false',
            onclick: () => {
              if (kind === state.kind) return;
              state.kind = kind;
              state.offset = 0;
              // A search for one kind's codes means nothing in another.
              state.q = '';
              search.cancel();
              state.page = null;
              state.importKind = kind;
              message.hidden = true;
              paint();
              void load();
            },
          },
          t(`admin.md.kind.${kind.path}`),
        ),
      ),
    );
    fill(
      toolbar,
      h(
        'label',
        { class: 'admin-search' },
        h('span', {}, t('admin.md.search')),
        h('input', {
          type: 'search',
          id: 'md-search',
          value: state.q,
          oninput: (event) => {
            state.q = event.target.value;
            search();
          },
        }),
      ),
      h(
        'label',
        { class: 'admin-search' },
        h('span', {}, t('admin.md.show')),
        h(
          'select',
          {
            id: 'md-active',
            onchange: (event) => {
              state.active = event.target.value;
              state.offset = 0;
              void load();
            },
          },
          [
            ['true', 'admin.md.onlyActive'],
            ['false', 'admin.md.onlyInactive'],
            ['', 'admin.md.all'],
          ].map(([value, key]) => h('option', { value, selected: state.active === value }, t(key))),
        ),
      ),
      h(
        'button',
        {
          type: 'button',
          id: 'md-export',
          onclick: async () => {
            clearProblem(problem);
            try {
              await downloadCsv(url(`${state.kind.path}/export`), `${state.kind.path}.csv`, {
                q: state.q.trim(),
                ...(state.kind.revision ? {} : { active: state.active || undefined }),
              });
            } catch (error) {
              showProblem(problem, error);
            }
          },
        },
        t('admin.md.export'),
      ),
      canWrite(state.kind.path, roles)
        ? h(
            'button',
            { type: 'button', class: 'primary', id: 'md-new', onclick: () => void edit(null) },
            t('admin.rec.new', { kind: t(`admin.md.kind.${state.kind.path}`) }),
          )
        : null,
    );
  }

  /** After the API accepted a change: its answer in a message, the list read again, the pickers refreshed. */
  function saved(record, created) {
    refCache = {};
    state.lookups = {};
    const code = record.code ?? `${record.materialCode}/${record.revision}`;
    flash(
      message,
      t(created ? 'admin.rec.created' : record.active ? 'admin.rec.saved' : 'admin.rec.deactivated', {
        code,
        version: record.version,
      }),
    );
    message.dataset.id = record.id;
    void load();
  }

  function edit(record) {
    clearProblem(problem);
    return openRecordEditor(container, {
      site,
      kindPath: state.kind.path,
      record,
      cache: refCache,
      onSaved: saved,
      onProblem: (error) => showProblem(problem, error),
    });
  }

  function rowActions(record) {
    if (!canWrite(state.kind.path, roles)) return null;
    return h(
      'div',
      { class: 'admin-row-actions' },
      h(
        'button',
        { type: 'button', dataset: { action: 'edit' }, onclick: () => void edit(record) },
        t('admin.rec.edit'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: record.active ? 'danger' : '',
          dataset: { action: record.active ? 'deactivate' : 'reactivate' },
          onclick: () => {
            clearProblem(problem);
            openActiveToggle(container, { site, kindPath: state.kind.path, record, onSaved: saved });
          },
        },
        t(record.active ? 'admin.rec.deactivate' : 'admin.rec.reactivate'),
      ),
    );
  }

  function paintList() {
    if (!alive) return;
    if (state.error) {
      fill(body);
      showProblem(problem, state.error);
      return;
    }
    clearProblem(problem);
    const page = state.page;
    if (!page) return;
    const kind = state.kind;
    const name = (r) => (locale() === 'zh-CN' && r.nameZh ? r.nameZh : r.name);
    const writable = canWrite(kind.path, roles);
    const table = kind.revision
      ? dataTable(
          'admin-table',
          [
            t('admin.md.col.material'),
            t('admin.md.col.revision'),
            t('admin.md.col.validFrom'),
            t('admin.md.col.validTo'),
            t('admin.md.col.description'),
            t('admin.md.col.status'),
            t('admin.md.col.updated'),
            writable ? t('admin.col.actions') : null,
          ].filter(Boolean),
          page.items,
          (r) => ({
            key: { code: `${r.materialCode}/${r.revision}`, id: r.id },
            head: h('span', {}, r.materialCode, h('span', { class: 'row-line muted' }, r.materialName ?? '')),
            cells: [
              num(r.revision),
              r.validFrom ?? '—',
              r.validTo ?? '—',
              clip(r.description),
              activeBadge(r.active),
              when(r.updatedAt, site),
              writable ? rowActions(r) : null,
            ].filter((c) => c !== null),
          }),
        )
      : dataTable(
          'admin-table',
          [
            t('admin.md.col.code'),
            t('admin.md.col.name'),
            ...kind.columns.map(([key]) => t(`admin.md.col.${key}`)),
            t('admin.md.col.status'),
            t('admin.md.col.updated'),
            writable ? t('admin.col.actions') : null,
          ].filter(Boolean),
          page.items,
          (r) => ({
            key: { code: r.code, id: r.id },
            head: r.code,
            cells: [
              name(r),
              ...kind.columns.map(([key, get]) => ({ class: `col-${key}`, text: get(r, refs) })),
              activeBadge(r.active),
              when(r.updatedAt, site),
              writable ? rowActions(r) : null,
            ].filter((c) => c !== null),
          }),
        );
    fill(
      body,
      page.items.length === 0
        ? h('p', { class: 'muted' }, t('admin.md.none'))
        : h('div', { class: 'table-wrap' }, table),
      pager(page, (offset) => {
        state.offset = offset;
        void load();
      }),
    );
  }

  // ---------- import ----------

  function paintImport() {
    const kind = state.importKind;
    fill(
      importPanel,
      h('h2', { id: 'md-import-title' }, t('admin.md.importTitle')),
      h('p', { class: 'muted' }, t('admin.md.importExplain')),
      admin ? null : h('p', { class: 'notice' }, t('admin.md.importNeedsRole')),
      h(
        'div',
        { class: 'admin-form' },
        h(
          'label',
          { class: 'admin-field' },
          h('span', { class: 'admin-field-label' }, t('admin.md.importKind')),
          h(
            'select',
            {
              id: 'md-import-kind',
              onchange: (event) => {
                state.importKind = KINDS.find((k) => k.path === event.target.value) ?? KINDS[0];
                state.result = null;
                state.importError = null;
                paintResult();
              },
            },
            KINDS.map((k) =>
              h('option', { value: k.path, selected: k === kind }, t(`admin.md.kind.${k.path}`)),
            ),
          ),
        ),
        h(
          'label',
          { class: 'admin-field' },
          h('span', { class: 'admin-field-label' }, t('admin.md.file')),
          fileInput,
          h('small', { class: 'muted' }, t('admin.md.fileHint')),
        ),
        h(
          'div',
          { class: 'admin-actions start' },
          h(
            'button',
            { type: 'button', id: 'md-dry-run', onclick: () => void runImport(true) },
            t('admin.md.dryRun'),
          ),
          h(
            'button',
            { type: 'button', class: 'primary', id: 'md-import-run', onclick: () => void runImport(false) },
            t('admin.md.import'),
          ),
        ),
      ),
      h('div', { id: 'md-import-result', 'aria-live': 'polite' }),
    );
    paintResult();
  }

  async function runImport(dryRun, text) {
    if (state.busy) return;
    const kind = state.importKind;
    let csv = text;
    if (csv === undefined) {
      if (!state.file) {
        state.importError = { local: t('admin.md.chooseFile') };
        state.result = null;
        paintResult();
        return;
      }
      csv = await state.file.text();
    }
    state.busy = true;
    paintResult();
    try {
      state.result = { report: await postCsv(url(`${kind.path}/import`), csv, { dryRun }), csv, kind };
      state.importError = null;
      if (!dryRun) {
        state.lookups = {};
        if (state.kind === kind) void load();
      }
    } catch (error) {
      state.result = error.report ? { report: error.report, csv, kind, rejected: true } : null;
      state.importError = error;
    } finally {
      state.busy = false;
    }
    if (alive) paintResult();
  }

  function paintResult() {
    const out = importPanel.querySelector('#md-import-result');
    if (!out) return;
    for (const button of importPanel.querySelectorAll('#md-dry-run, #md-import-run')) {
      button.disabled = state.busy;
    }
    out.setAttribute('aria-busy', state.busy ? 'true' : 'false');
    const parts = [];
    if (state.importError?.local)
      parts.push(h('p', { class: 'problem', role: 'alert' }, state.importError.local));
    else if (state.importError) {
      const box = problemBox('md-import-problem');
      const error = state.importError;
      if (state.result) {
        // The rows' problems are listed in the report's table: the box keeps the summary and the reference.
        const saved = error.fieldErrors;
        error.fieldErrors = [];
        showProblem(box, error);
        error.fieldErrors = saved;
      } else showProblem(box, error);
      parts.push(box);
    }
    const result = state.result;
    if (result) parts.push(...reportView(result));
    fill(out, ...parts);
  }

  function reportView({ report, csv, kind, rejected }) {
    const figures = ['rows', 'created', 'updated', 'unchanged', 'boms', 'routings']
      .filter((key) => typeof report[key] === 'number')
      .map((key) =>
        h(
          'div',
          { dataset: { figure: key } },
          h('dt', {}, t(`admin.md.report.${key}`)),
          h('dd', {}, formatNumber(report[key])),
        ),
      );
    const errors = report.errors ?? [];
    const headline = report.dryRun
      ? errors.length
        ? t('admin.md.dryRunProblems', { count: errors.length })
        : t('admin.md.dryRunOk')
      : rejected
        ? t('admin.md.rejected', { count: errors.length })
        : t('admin.md.imported', { created: report.created ?? 0, updated: report.updated ?? 0 });
    const parts = [
      h(
        'p',
        { class: `admin-result ${errors.length ? 'bad' : 'good'}`, id: 'md-import-headline', role: 'status' },
        headline,
      ),
      h('dl', { class: 'figures admin-figures', id: 'md-import-figures' }, figures),
    ];
    if (errors.length) {
      parts.push(
        h(
          'div',
          { class: 'table-wrap' },
          dataTable(
            'admin-table admin-import-errors',
            [t('admin.md.col.row'), t('admin.md.col.column'), t('admin.md.col.problem')],
            errors,
            (e) => ({
              key: { row: String(e.row) },
              head: formatNumber(e.row),
              cells: [e.field || '—', e.message],
            }),
          ),
        ),
      );
      const bad = new Set(errors.map((e) => e.row));
      const records = csvRecords(csv);
      const [header, ...rows] = records;
      const good = rows.filter((r) => !bad.has(r.line));
      if (kind.rowwise && header && !bad.has(1) && good.length > 0 && admin) {
        parts.push(
          h(
            'div',
            { class: 'admin-actions start' },
            h(
              'button',
              {
                type: 'button',
                class: 'primary',
                id: 'md-import-good',
                onclick: () =>
                  void runImport(false, [header.raw, ...good.map((r) => r.raw)].join('\n') + '\n'),
              },
              t('admin.md.importGood', { count: good.length, skipped: rows.length - good.length }),
            ),
          ),
        );
      }
    }
    return parts;
  }

  function paint() {
    paintNav();
    paintList();
    paintImport();
  }

  paint();
  void load();

  return {
    unmount() {
      alive = false;
      search.cancel();
    },
    relabel: paint,
  };
}
