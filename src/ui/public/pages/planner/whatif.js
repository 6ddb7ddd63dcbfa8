// What-if scenarios (模拟排产): a copy of a plan with changes, run beside the live plan, compared, applied.
import { renderProblem } from '../../api.js';
import { h } from '../../dom.js';
import { formatNumber, t, tOr } from '../../i18n.js';
import {
  ACTIVE,
  duration,
  field,
  fill,
  followVersion,
  isoToZonedInput,
  planning,
  time,
  versionLabel,
  workOrders,
  zonedInputToIso,
} from './common.js';
import { kpiTable, ordersTable } from './compare.js';
import { createGantt } from './gantt.js';
import { OPEN_STATUSES } from './orders.js';

const CHANGE_TYPES = ['machine_down', 'overtime', 'set_priority', 'set_due', 'add_order', 'remove_order'];
const COMPARABLE = ['succeeded', 'published', 'superseded'];

export function createWhatIfPanel(board) {
  const { site } = board;
  const soon = (hours) =>
    isoToZonedInput(new Date(Date.now() + hours * 3_600_000).toISOString(), site.timeZone);
  const blankChange = () => ({
    type: 'machine_down',
    equipmentId: '',
    workCenterId: '',
    workOrderId: '',
    from: soon(24),
    to: soon(28),
    priority: 'rush',
    dueAt: soon(72),
  });
  const state = {
    scenarios: null,
    versions: [],
    error: null,
    machines: [],
    orders: [],
    form: { name: '', basedOnId: '', seconds: '5', changes: [], draft: blankChange(), editing: null },
    formProblem: null,
    saved: null,
    creating: false,
    actionProblem: null,
    compare: { leftId: '', rightId: '', result: null, error: null },
  };
  const follows = new Map();

  const title = h('h2', { id: 'whatif-title' });
  const intro = h('p', { class: 'muted' });
  const formBox = h('div', { class: 'card' });
  const listBox = h('div', { class: 'card', id: 'scenarios' });
  const compareBox = h('div', { class: 'card', id: 'compare' });
  const compareResult = h('div', { id: 'compare-result' });
  const leftHead = h('h4', { dataset: { side: 'left' } });
  const rightHead = h('h4', { dataset: { side: 'right' } });
  const leftGanttBox = h('div', { class: 'gantt', id: 'compare-gantt-left' });
  const rightGanttBox = h('div', { class: 'gantt', id: 'compare-gantt-right' });
  const columns = h(
    'div',
    { class: 'compare-cols', id: 'compare-cols', hidden: true },
    h('div', { class: 'compare-col', dataset: { side: 'left' } }, leftHead, leftGanttBox),
    h('div', { class: 'compare-col', dataset: { side: 'right' } }, rightHead, rightGanttBox),
  );
  const compareControls = h('div', {});
  compareBox.append(compareControls, compareResult, columns);
  const element = h(
    'section',
    { class: 'planner-panel', id: 'panel-whatif', 'aria-labelledby': 'tab-whatif' },
    h('div', { class: 'planner-toolbar' }, title),
    intro,
    formBox,
    listBox,
    compareBox,
  );
  const leftGantt = createGantt(leftGanttBox, { site, name: 'left' });
  const rightGantt = createGantt(rightGanttBox, { site, name: 'right' });

  function paint() {
    title.textContent = t('planner.whatif.title');
    intro.textContent = t('planner.whatif.intro');
    paintForm();
    paintList();
    paintCompare();
  }

  const byId = (id) =>
    state.versions.find((v) => v.id === id) ?? state.scenarios?.items.find((v) => v.id === id);

  function paintForm() {
    if (!board.canPlan) {
      formBox.hidden = true;
      return;
    }
    formBox.hidden = false;
    const f = state.form;
    const problem = h('div', { hidden: true });
    if (state.formProblem) renderProblem(problem, state.formProblem);
    const bases = state.versions.filter((v) => COMPARABLE.includes(v.status) && !v.live);
    const editing = f.editing;
    formBox.classList.toggle('editing', Boolean(editing));
    fill(
      formBox,
      h(
        'h3',
        { id: 'scenario-form-title' },
        editing ? t('planner.whatif.editTitle', { code: versionLabel(editing) }) : t('planner.whatif.new'),
      ),
      editing ? h('p', { class: 'muted small' }, t('planner.whatif.editIntro')) : null,
      h(
        'form',
        {
          id: 'scenario-form',
          dataset: editing ? { editing: editing.code } : {},
          onsubmit: (e) => {
            e.preventDefault();
            void (editing ? saveEdit(true) : create(true));
          },
        },
        h(
          'div',
          { class: 'planner-form-grid' },
          field(
            t('planner.whatif.name'),
            h('input', {
              id: 'scenario-name',
              required: true,
              maxlength: '200',
              value: f.name,
              oninput: (e) => (f.name = e.target.value),
            }),
            'wide',
          ),
          field(
            t('planner.whatif.basedOn'),
            h(
              'select',
              {
                id: 'scenario-base',
                disabled: Boolean(editing),
                onchange: (e) => (f.basedOnId = e.target.value),
              },
              editing
                ? h('option', { value: '' }, baseLabel(editing))
                : [
                    h('option', { value: '' }, t('planner.whatif.basedOnLive')),
                    bases.map((v) =>
                      h('option', { value: v.id, selected: f.basedOnId === v.id }, versionLabel(v)),
                    ),
                  ],
            ),
          ),
          field(
            t('planner.run.seconds'),
            h('input', {
              id: 'scenario-seconds',
              type: 'number',
              min: '1',
              max: '120',
              required: true,
              value: f.seconds,
              oninput: (e) => (f.seconds = e.target.value),
            }),
          ),
        ),
        h('h4', {}, t('planner.whatif.changes')),
        f.changes.length === 0
          ? h('p', { class: 'muted small' }, t('planner.whatif.noChanges'))
          : h(
              'ol',
              { class: 'change-list', id: 'scenario-changes' },
              f.changes.map((c, index) =>
                h(
                  'li',
                  {},
                  h('span', {}, describe(c)),
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'small-button',
                      'aria-label': t('planner.whatif.removeChange', { change: describe(c) }),
                      onclick: () => {
                        f.changes.splice(index, 1);
                        paintForm();
                      },
                    },
                    t('planner.whatif.remove'),
                  ),
                ),
              ),
            ),
        changeEditor(),
        problem,
        editing
          ? h(
              'div',
              { class: 'planner-actions' },
              h(
                'button',
                { type: 'submit', class: 'primary', id: 'scenario-save-run', disabled: state.creating },
                t('planner.whatif.saveRun'),
              ),
              h(
                'button',
                {
                  type: 'button',
                  id: 'scenario-save',
                  disabled: state.creating,
                  onclick: () => void saveEdit(false),
                },
                t('planner.whatif.save'),
              ),
              h(
                'button',
                { type: 'button', id: 'scenario-edit-cancel', onclick: stopEditing },
                t('planner.whatif.stopEditing'),
              ),
            )
          : h(
              'div',
              { class: 'planner-actions' },
              h(
                'button',
                { type: 'submit', class: 'primary', id: 'scenario-run', disabled: state.creating },
                t('planner.whatif.createRun'),
              ),
              h(
                'button',
                {
                  type: 'button',
                  id: 'scenario-draft',
                  disabled: state.creating,
                  onclick: () => void create(false),
                },
                t('planner.whatif.saveDraft'),
              ),
            ),
      ),
    );
  }

  function baseLabel(v) {
    const base = byId(v.basedOnId);
    return base ? versionLabel(base) : t('planner.whatif.basedOnLive');
  }

  /** Loads a what-if into the form: its name, budget and changes (each can be removed, new ones added). */
  function startEditing(v) {
    state.form = {
      name: v.name ?? '',
      basedOnId: v.basedOnId ?? '',
      seconds: String(v.budgetSeconds ?? state.form.seconds),
      changes: (v.changes ?? []).map((c) => ({ ...c })),
      draft: blankChange(),
      editing: v,
    };
    state.formProblem = null;
    paintForm();
    formBox.scrollIntoView({ block: 'start' });
    element.querySelector('#scenario-name')?.focus();
  }

  function stopEditing() {
    state.form = {
      name: '',
      basedOnId: '',
      seconds: state.form.seconds,
      changes: [],
      draft: blankChange(),
      editing: null,
    };
    state.formProblem = null;
    paintForm();
  }

  /** PATCH replaces name, budget and the whole change list (the API sends the what-if back to draft); then run. */
  async function saveEdit(run) {
    const f = state.form;
    const v = f.editing;
    state.creating = true;
    state.formProblem = null;
    paintForm();
    try {
      let after = await planning(site.id, `scenarios/${v.id}`, {
        method: 'PATCH',
        body: { name: f.name.trim(), seconds: Number(f.seconds), changes: f.changes },
      });
      if (run) after = await planning(site.id, `scenarios/${after.id}/run`, { method: 'POST', body: {} });
      if (ACTIVE.includes(after.status)) track(after);
      state.form = {
        name: '',
        basedOnId: '',
        seconds: f.seconds,
        changes: [],
        draft: blankChange(),
        editing: null,
      };
      state.saved = after.code;
      await load();
    } catch (error) {
      state.formProblem = error;
    }
    state.creating = false;
    paintForm();
  }

  /** The change being put together: its fields follow its type. */
  function changeEditor() {
    const d = state.form.draft;
    const set = (key) => (e) => {
      d[key] = e.target.value;
    };
    const machineSelect = () =>
      h(
        'select',
        { id: 'change-equipment', onchange: set('equipmentId') },
        h('option', { value: '' }, t('planner.whatif.chooseMachine')),
        state.machines.map((m) =>
          h(
            'option',
            { value: m.equipmentId, selected: d.equipmentId === m.equipmentId },
            `${m.code} · ${m.name}`,
          ),
        ),
      );
    const orderSelect = () =>
      h(
        'select',
        { id: 'change-order', onchange: set('workOrderId') },
        h('option', { value: '' }, t('planner.whatif.chooseOrder')),
        state.orders.map((wo) =>
          h(
            'option',
            { value: wo.id, selected: d.workOrderId === wo.id },
            `${wo.code} · ${wo.materialCode} · ${tOr('status', wo.status)}`,
          ),
        ),
      );
    const range = () => [
      field(
        t('planner.whatif.from'),
        h('input', { id: 'change-from', type: 'datetime-local', value: d.from, oninput: set('from') }),
      ),
      field(
        t('planner.whatif.to'),
        h('input', { id: 'change-to', type: 'datetime-local', value: d.to, oninput: set('to') }),
      ),
    ];
    const fields = {
      machine_down: () => [field(t('planner.whatif.machine'), machineSelect()), ...range()],
      overtime: () => [field(t('planner.whatif.machine'), machineSelect()), ...range()],
      set_priority: () => [
        field(t('planner.whatif.order'), orderSelect()),
        field(
          t('planner.orders.priority'),
          h(
            'select',
            { id: 'change-priority', onchange: set('priority') },
            ['rush', 'normal'].map((p) =>
              h('option', { value: p, selected: d.priority === p }, t(`planner.priority.${p}`)),
            ),
          ),
        ),
      ],
      set_due: () => [
        field(t('planner.whatif.order'), orderSelect()),
        field(
          t('planner.whatif.newDue'),
          h('input', { id: 'change-due', type: 'datetime-local', value: d.dueAt, oninput: set('dueAt') }),
        ),
      ],
      add_order: () => [field(t('planner.whatif.order'), orderSelect())],
      remove_order: () => [field(t('planner.whatif.order'), orderSelect())],
    };
    return h(
      'fieldset',
      { class: 'change-editor' },
      h('legend', {}, t('planner.whatif.addChange')),
      h(
        'div',
        { class: 'planner-form-grid' },
        field(
          t('planner.whatif.changeType'),
          h(
            'select',
            {
              id: 'change-type',
              onchange: (e) => {
                d.type = e.target.value;
                paintForm();
                element.querySelector('#change-type')?.focus();
              },
            },
            CHANGE_TYPES.map((type) =>
              h('option', { value: type, selected: d.type === type }, t(`planner.change.${type}`)),
            ),
          ),
        ),
        fields[d.type](),
      ),
      h('button', { type: 'button', id: 'change-add', onclick: addChange }, t('planner.whatif.add')),
    );
  }

  function addChange() {
    const d = state.form.draft;
    const change = { type: d.type };
    if (d.type === 'machine_down' || d.type === 'overtime') {
      change.equipmentId = d.equipmentId;
      change.from = zonedInputToIso(d.from, site.timeZone) ?? d.from;
      change.to = zonedInputToIso(d.to, site.timeZone) ?? d.to;
    } else {
      change.workOrderId = d.workOrderId;
      if (d.type === 'set_priority') change.priority = d.priority;
      if (d.type === 'set_due') change.dueAt = zonedInputToIso(d.dueAt, site.timeZone) ?? d.dueAt;
    }
    // An empty choice goes to the API as it is: its field error says what is missing.
    for (const key of ['equipmentId', 'workOrderId']) if (change[key] === '') delete change[key];
    state.form.changes.push(change);
    state.form.draft = { ...blankChange(), type: d.type };
    paintForm();
  }

  function describe(c) {
    const machine = state.machines.find((m) => m.equipmentId === c.equipmentId)?.code ?? c.equipmentId ?? '?';
    const order = state.orders.find((wo) => wo.id === c.workOrderId)?.code ?? c.workOrderId ?? '?';
    const params = {
      machine,
      order,
      from: c.from ? time(c.from, site).textContent : '',
      to: c.to ? time(c.to, site).textContent : '',
      priority: c.priority ? t(`planner.priority.${c.priority}`) : '',
      due: c.dueAt ? time(c.dueAt, site).textContent : '',
    };
    return t(`planner.changeText.${c.type}`, params);
  }

  function paintList() {
    fill(listBox, h('h3', {}, t('planner.whatif.list')));
    if (state.error) {
      const box = h('div', {});
      renderProblem(box, state.error);
      listBox.append(box);
    }
    if (state.saved) {
      listBox.append(
        h(
          'p',
          { class: 'notice ok', role: 'status', id: 'scenario-saved' },
          t('planner.whatif.saved', { code: state.saved }),
        ),
      );
    }
    if (state.actionProblem) {
      const box = h('div', { id: 'scenario-problem' });
      renderProblem(box, state.actionProblem);
      listBox.append(box);
    }
    const items = state.scenarios?.items;
    if (!items) {
      listBox.append(h('p', { class: 'muted' }, t('common.loading')));
      return;
    }
    if (items.length === 0) {
      listBox.append(h('p', { class: 'muted', id: 'scenarios-empty' }, t('planner.whatif.empty')));
      return;
    }
    const cols = ['name', 'status', 'changes', 'makespan', 'late', 'actions'];
    listBox.append(
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table planner-scenarios' },
          h('caption', { class: 'visually-hidden' }, t('planner.whatif.list')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              cols.map((c) => h('th', { scope: 'col' }, t(`planner.whatif.col.${c}`))),
            ),
          ),
          h(
            'tbody',
            {},
            items.map((v) =>
              h(
                'tr',
                { dataset: { version: v.code, status: v.status } },
                h(
                  'th',
                  { scope: 'row' },
                  versionLabel(v),
                  h('span', { class: 'muted small row-line' }, v.createdByName),
                ),
                h(
                  'td',
                  {},
                  h(
                    'span',
                    { class: `badge version-${v.status}`, dataset: { field: 'status' } },
                    tOr('planner.vstatus', v.status),
                  ),
                  ACTIVE.includes(v.status) && v.progress
                    ? h(
                        'span',
                        { class: 'muted small row-line' },
                        `${Math.round(v.progress.fraction * 100)} %`,
                      )
                    : null,
                ),
                h('td', { class: 'num' }, formatNumber(v.changes?.length ?? 0)),
                h('td', { class: 'num' }, v.kpis ? duration(v.kpis.makespanMinutes) : '—'),
                h('td', { class: 'num' }, v.kpis ? formatNumber(v.kpis.lateOrderCount) : '—'),
                h('td', { class: 'row-actions' }, scenarioActions(v)),
              ),
            ),
          ),
        ),
      ),
    );
  }

  function scenarioActions(v) {
    const button = (action, label, onclick, primary = false) =>
      h(
        'button',
        {
          type: 'button',
          class: primary ? 'small-button primary' : 'small-button',
          dataset: { action },
          onclick,
        },
        label,
      );
    const can = (a) => board.canPlan && v.allowedActions.includes(a);
    return [
      COMPARABLE.includes(v.status)
        ? button('compare', t('planner.whatif.compare'), () => {
            state.compare.rightId = v.id;
            state.compare.leftId =
              v.baselineId && byId(v.baselineId) ? v.baselineId : (board.live()?.id ?? '');
            void runCompare();
            compareBox.scrollIntoView({ behavior: 'smooth', block: 'start' });
          })
        : null,
      can('update') ? button('edit', t('planner.whatif.edit'), () => startEditing(v)) : null,
      can('run') ? button('run', t('planner.whatif.runAgain'), () => void act(v, 'run')) : null,
      can('publish') ? button('apply', t('planner.whatif.apply'), () => void act(v, 'apply'), true) : null,
      can('cancel') ? button('cancel-run', t('planner.run.cancel'), () => void act(v, 'cancel')) : null,
      can('discard') ? button('discard', t('planner.whatif.discard'), () => void act(v, 'discard')) : null,
    ];
  }

  function paintCompare() {
    const c = state.compare;
    const options = state.versions.filter((v) => COMPARABLE.includes(v.status));
    const select = (id, key) =>
      h(
        'select',
        { id, required: true, onchange: (e) => (c[key] = e.target.value) },
        h('option', { value: '' }, t('planner.whatif.choosePlan')),
        options.map((v) =>
          h(
            'option',
            { value: v.id, selected: c[key] === v.id },
            `${versionLabel(v)} · ${v.live ? t('planner.livePlan') : tOr('planner.vstatus', v.status)}`,
          ),
        ),
      );
    fill(
      compareControls,
      h('h3', {}, t('planner.compare.title')),
      h(
        'form',
        {
          id: 'compare-form',
          class: 'planner-filters',
          onsubmit: (e) => {
            e.preventDefault();
            void runCompare();
          },
        },
        field(t('planner.compare.left'), select('compare-left', 'leftId')),
        field(t('planner.compare.right'), select('compare-right', 'rightId')),
        h('button', { type: 'submit', class: 'primary', id: 'compare-run' }, t('planner.compare.run')),
      ),
    );
    paintCompareResult();
  }

  function paintCompareResult() {
    const c = state.compare;
    if (c.error) {
      renderProblem(compareResult, c.error);
      columns.hidden = true;
      return;
    }
    compareResult.hidden = false;
    const r = c.result;
    if (!r) {
      fill(compareResult);
      columns.hidden = true;
      return;
    }
    const left = versionLabel(r.left);
    const right = versionLabel(r.right);
    leftHead.textContent = left;
    rightHead.textContent = right;
    columns.hidden = false;
    fill(
      compareResult,
      h('h4', {}, t('planner.compare.kpis')),
      kpiTable(r.kpis, left, right, site, 'compare-kpis'),
      h(
        'details',
        {},
        h('summary', {}, t('planner.compare.ordersCount', { count: r.orders.length })),
        ordersTable(r.orders, left, right, site, 'compare-orders'),
      ),
    );
  }

  async function runCompare() {
    const c = state.compare;
    paintCompare();
    if (!c.leftId || !c.rightId) return;
    try {
      const [result, leftChart, rightChart] = await Promise.all([
        planning(site.id, `versions/${c.rightId}/compare`, { query: { with: c.leftId } }),
        planning(site.id, 'gantt', { query: { versionId: c.leftId, by: 'machine' } }),
        planning(site.id, 'gantt', { query: { versionId: c.rightId, by: 'machine' } }),
      ]);
      c.result = result;
      c.error = null;
      paintCompareResult();
      // Both charts on one time scale, so the same instant is at the same place in both columns.
      const from = [leftChart.from, rightChart.from].sort()[0];
      const to = [leftChart.to, rightChart.to].sort()[1];
      leftGantt.set({ ...leftChart, from, to });
      rightGantt.set({ ...rightChart, from, to });
    } catch (error) {
      c.error = error;
      c.result = null;
      paintCompareResult();
    }
  }

  async function create(run) {
    const f = state.form;
    state.creating = true;
    state.formProblem = null;
    paintForm();
    try {
      const created = await planning(site.id, 'scenarios', {
        method: 'POST',
        body: {
          name: f.name.trim(),
          seconds: Number(f.seconds),
          run,
          changes: f.changes,
          ...(f.basedOnId ? { basedOnId: f.basedOnId } : {}),
        },
      });
      state.form = {
        name: '',
        basedOnId: '',
        seconds: f.seconds,
        changes: [],
        draft: blankChange(),
        editing: null,
      };
      state.saved = null;
      if (ACTIVE.includes(created.status)) track(created);
      await load();
    } catch (error) {
      state.formProblem = error;
    }
    state.creating = false;
    paintForm();
  }

  async function act(v, action) {
    state.actionProblem = null;
    try {
      if (action === 'run')
        track(await planning(site.id, `scenarios/${v.id}/run`, { method: 'POST', body: {} }));
      else if (action === 'cancel')
        await planning(site.id, `versions/${v.id}/cancel`, { method: 'POST', body: {} });
      else if (action === 'discard')
        await planning(site.id, `scenarios/${v.id}/discard`, { method: 'POST', body: {} });
      else if (action === 'apply') {
        const result = await planning(site.id, `scenarios/${v.id}/apply`, { method: 'POST', body: {} });
        await board.published(result);
      }
    } catch (error) {
      state.actionProblem = error;
    }
    await load();
  }

  function track(v) {
    follows.get(v.id)?.stop();
    follows.set(
      v.id,
      followVersion(
        site.id,
        v.id,
        (fresh) => {
          const items = state.scenarios?.items ?? [];
          const index = items.findIndex((x) => x.id === fresh.id);
          if (index >= 0) items[index] = fresh;
          paintList();
          if (!ACTIVE.includes(fresh.status)) {
            follows.delete(v.id);
            void load();
          }
        },
        () => {},
      ),
    );
  }

  async function load() {
    try {
      const [scenarios, versions] = await Promise.all([
        planning(site.id, 'versions', { query: { kind: 'scenario', limit: 30 } }),
        planning(site.id, 'versions', { query: { status: COMPARABLE.join(','), limit: 50 } }),
      ]);
      state.scenarios = scenarios;
      state.versions = versions.items;
      state.error = null;
      for (const v of scenarios.items) if (ACTIVE.includes(v.status) && !follows.has(v.id)) track(v);
    } catch (error) {
      state.error = error;
    }
    paintList();
    paintCompare();
    if (!state.machines.length) paintForm();
  }

  async function loadChoices() {
    const live = board.live();
    const [machines, orders] = await Promise.allSettled([
      live
        ? planning(site.id, 'gantt', { query: { versionId: live.id, by: 'machine' } })
        : Promise.resolve({ rows: [] }),
      workOrders(site.id, '', { query: { status: OPEN_STATUSES.join(','), limit: 200 } }),
    ]);
    state.machines = machines.status === 'fulfilled' ? machines.value.rows : [];
    state.orders = orders.status === 'fulfilled' ? orders.value.items : [];
    paintForm();
  }

  paint();
  void load();
  void loadChoices();

  return {
    element,
    relabel() {
      paint();
      leftGantt.relabel();
      rightGantt.relabel();
    },
    refresh() {
      void load();
      void loadChoices();
    },
    liveChanged: () => void loadChoices(),
    onRun(pushed) {
      const f = follows.get(pushed.scheduleId);
      if (f) f.poke();
      else if (pushed.kind === 'scenario') void load();
    },
    resize() {
      leftGantt.resize();
      rightGantt.resize();
    },
    unmount() {
      for (const f of follows.values()) f.stop();
      leftGantt.dispose();
      rightGantt.dispose();
    },
  };
}
