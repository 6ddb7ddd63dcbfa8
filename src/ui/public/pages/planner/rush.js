// Rush-order insertion (插单): the live plan with the order put in, its impact, then accept or drop it.
import { ApiError, renderProblem } from '../../api.js';
import { h } from '../../dom.js';
import { formatNumber, t, tOr } from '../../i18n.js';
import { ACTIVE, duration, field, fill, followVersion, planning, time, workOrders } from './common.js';
import { kpiTable, ordersTable } from './compare.js';
import { createGantt } from './gantt.js';
import { runStatus } from './schedule.js';

const INSERTABLE = ['draft', 'planned', 'released', 'kitting', 'ready'];

export function createRushPanel(board) {
  const { site } = board;
  const state = {
    candidates: null,
    candidatesError: null,
    form: { workOrderId: '', frozen: '8', seconds: '5' },
    version: null,
    runError: null,
    impact: null,
    problem: null,
    stale: false,
    applied: null,
  };
  let follow = null;

  const formBox = h('div', { class: 'card' });
  const runBox = h('div', { id: 'rush-run' });
  const impactBox = h('div', { id: 'rush-impact' });
  const ganttCard = h('div', { class: 'card gantt-card', hidden: true });
  const ganttTitle = h('h3', {});
  const ganttBox = h('div', { class: 'gantt', id: 'rush-gantt' });
  ganttCard.append(ganttTitle, ganttBox);
  const title = h('h2', { id: 'rush-title' });
  const intro = h('p', { class: 'muted' });
  const element = h(
    'section',
    { class: 'planner-panel', id: 'panel-rush', 'aria-labelledby': 'tab-rush' },
    h('div', { class: 'planner-toolbar' }, title),
    intro,
    formBox,
    runBox,
    impactBox,
    ganttCard,
  );
  const gantt = createGantt(ganttBox, { site, name: 'rush' });

  function paint() {
    title.textContent = t('planner.rush.title');
    intro.textContent = t('planner.rush.intro');
    ganttTitle.textContent = t('planner.rush.ganttTitle');
    paintForm();
    paintRun();
    paintImpact();
  }

  function paintForm() {
    const live = board.live();
    const f = state.form;
    const children = [h('h3', {}, t('planner.rush.pick'))];
    if (!live) children.push(h('p', { class: 'notice', id: 'rush-no-live' }, t('planner.rush.noLive')));
    if (state.candidatesError) {
      const box = h('div', {});
      renderProblem(box, state.candidatesError);
      children.push(box);
    }
    const candidates = state.candidates ?? [];
    if (!board.canPlan) {
      children.push(h('p', { class: 'muted' }, t('planner.readOnly')));
      fill(formBox, ...children);
      return;
    }
    const active = state.version && ACTIVE.includes(state.version.status);
    children.push(
      h(
        'form',
        {
          id: 'rush-form',
          onsubmit: (e) => {
            e.preventDefault();
            void insert(e.target);
          },
        },
        h(
          'div',
          { class: 'planner-form-grid' },
          field(
            t('planner.rush.order'),
            h(
              'select',
              { id: 'rush-order', required: true, onchange: (e) => (f.workOrderId = e.target.value) },
              h('option', { value: '' }, t('planner.rush.choose')),
              candidates.map((wo) =>
                h(
                  'option',
                  { value: wo.id, selected: wo.id === f.workOrderId },
                  t('planner.rush.option', {
                    code: wo.code,
                    material: wo.materialCode,
                    quantity: formatNumber(wo.quantity),
                    status: tOr('status', wo.status),
                  }),
                ),
              ),
            ),
            'wide',
          ),
          field(
            t('planner.rush.frozen'),
            h('input', {
              id: 'rush-frozen',
              type: 'number',
              min: '0',
              max: '720',
              step: '0.5',
              required: true,
              value: f.frozen,
              oninput: (e) => (f.frozen = e.target.value),
            }),
          ),
          field(
            t('planner.run.seconds'),
            h('input', {
              id: 'rush-seconds',
              type: 'number',
              min: '1',
              max: '120',
              required: true,
              value: f.seconds,
              oninput: (e) => (f.seconds = e.target.value),
            }),
          ),
        ),
        h(
          'div',
          { class: 'planner-actions' },
          h(
            'button',
            { type: 'submit', class: 'primary', id: 'rush-insert', disabled: !live || active },
            t('planner.rush.insert'),
          ),
          h(
            'button',
            { type: 'button', id: 'rush-new-order', onclick: () => board.newOrder('rush') },
            t('planner.rush.newOrder'),
          ),
        ),
      ),
    );
    fill(formBox, ...children);
  }

  function paintRun() {
    fill(runBox);
    if (state.runError) {
      const box = h('div', {});
      renderProblem(box, state.runError);
      runBox.append(box);
    }
    if (state.applied) {
      runBox.append(
        h(
          'p',
          { class: 'notice ok', role: 'status', id: 'rush-applied' },
          t('planner.rush.applied', { code: state.applied.version.code }),
        ),
      );
    }
    if (state.version && ACTIVE.includes(state.version.status)) {
      runBox.append(
        h(
          'div',
          { class: 'card' },
          runStatus(state.version, site, {
            canPlan: board.canPlan,
            onCancel: (v) => void cancel(v),
          }),
        ),
      );
    } else if (state.version && state.version.status !== 'succeeded' && !state.applied) {
      runBox.append(h('div', { class: 'card' }, runStatus(state.version, site)));
    }
  }

  function paintImpact() {
    const report = state.impact;
    if (!report || state.applied) {
      fill(impactBox);
      ganttCard.hidden = true;
      return;
    }
    const rush = report.rushOrder;
    const problem = h('div', { hidden: true, id: 'rush-problem' });
    if (state.problem) {
      renderProblem(problem, state.problem);
      if (state.stale) {
        problem.append(
          h(
            'p',
            {},
            h(
              'button',
              {
                type: 'button',
                id: 'rush-apply-anyway',
                onclick: () => void apply({ allowStaleBaseline: true }),
              },
              t('planner.run.publishAnyway'),
            ),
          ),
        );
      }
    }
    const baseline = report.baseline.code;
    fill(
      impactBox,
      h(
        'div',
        { class: 'card impact' },
        h('h3', {}, t('planner.rush.impactTitle', { code: report.code, baseline })),
        rush
          ? h(
              'p',
              { class: `impact-rush ${rush.late ? 'late-text' : 'ok-text'}`, dataset: { rush: rush.code } },
              rush.late
                ? t('planner.rush.rushLate', { code: rush.code, late: duration(rush.minutesLate) })
                : t('planner.rush.rushOnTime', { code: rush.code }),
              ' · ',
              t('planner.rush.rushEnd'),
              ' ',
              time(rush.plannedEnd, site),
              ' · ',
              t('planner.compare.due'),
              ' ',
              time(rush.dueAt, site),
            )
          : null,
        h(
          'dl',
          { class: 'figures impact-figures' },
          figure(
            'slipped',
            t('planner.rush.slipped'),
            formatNumber(report.slipped.length),
            report.slipped.length > 0,
          ),
          figure(
            'newlyLate',
            t('planner.rush.newlyLate'),
            formatNumber(report.newlyLate.length),
            report.newlyLate.length > 0,
          ),
          figure('advanced', t('planner.rush.advanced'), formatNumber(report.advanced.length)),
          figure('unchanged', t('planner.rush.unchanged'), formatNumber(report.unchanged)),
        ),
        report.newlyLate.length > 0
          ? h(
              'p',
              { class: 'late-text', id: 'rush-newly-late' },
              t('planner.rush.newlyLateList', { codes: report.newlyLate.join(t('list.separator')) }),
            )
          : null,
        report.slipped.length > 0
          ? [
              h('h4', {}, t('planner.rush.slippedTitle')),
              ordersTable(report.slipped, baseline, report.code, site, 'rush-slipped'),
            ]
          : h('p', { class: 'muted', id: 'rush-none-slipped' }, t('planner.rush.noneSlipped')),
        report.advanced.length > 0
          ? h(
              'details',
              {},
              h('summary', {}, t('planner.rush.advancedTitle', { count: report.advanced.length })),
              ordersTable(report.advanced, baseline, report.code, site, 'rush-advanced'),
            )
          : null,
        h('h4', {}, t('planner.compare.kpis')),
        kpiTable(report.kpis, baseline, report.code, site, 'rush-kpis'),
        problem,
        board.canPlan
          ? h(
              'div',
              { class: 'planner-actions' },
              h(
                'button',
                { type: 'button', class: 'primary', id: 'rush-apply', onclick: () => void apply() },
                t('planner.rush.apply'),
              ),
              h(
                'button',
                { type: 'button', id: 'rush-discard', onclick: discard },
                t('planner.rush.discard'),
              ),
            )
          : null,
      ),
    );
  }

  function figure(name, label, value, alert = false) {
    return h(
      'div',
      { class: alert ? 'alert' : undefined },
      h('dt', {}, label),
      h('dd', { dataset: { figure: name } }, value),
    );
  }

  async function loadCandidates() {
    try {
      const page = await workOrders(site.id, '', { query: { status: INSERTABLE.join(','), limit: 200 } });
      state.candidates = page.items;
      state.candidatesError = null;
    } catch (error) {
      state.candidatesError = error;
    }
    paintForm();
  }

  async function insert(form) {
    const f = state.form;
    if (!f.workOrderId) return;
    form.querySelector('#rush-insert').disabled = true;
    state.impact = null;
    state.applied = null;
    state.problem = null;
    state.runError = null;
    paintImpact();
    try {
      const queued = await planning(site.id, 'rush-inserts', {
        method: 'POST',
        body: {
          workOrderId: f.workOrderId,
          frozenHorizonHours: Number(f.frozen),
          seconds: Number(f.seconds),
        },
      });
      track(queued);
    } catch (error) {
      state.runError = error;
      paint();
    }
  }

  function track(version) {
    follow?.stop();
    state.version = version;
    follow = followVersion(
      site.id,
      version.id,
      (v) => {
        state.version = v;
        state.runError = null;
        if (!ACTIVE.includes(v.status)) {
          follow = null;
          if (v.status === 'succeeded') void loadImpact(v);
        }
        paintRun();
        paintForm();
      },
      (error) => {
        state.runError = error;
        paintRun();
      },
    );
  }

  async function loadImpact(v) {
    try {
      const [impact, chart] = await Promise.all([
        planning(site.id, `rush-inserts/${v.id}/impact`),
        planning(site.id, 'gantt', { query: { versionId: v.id, by: 'machine' } }),
      ]);
      state.impact = impact;
      ganttCard.hidden = false;
      gantt.set(chart);
    } catch (error) {
      state.runError = error;
    }
    paintRun();
    paintImpact();
  }

  async function apply(extra = {}) {
    const v = state.version;
    if (!v) return;
    state.problem = null;
    state.stale = false;
    try {
      const result = await planning(site.id, `rush-inserts/${v.id}/apply`, {
        method: 'POST',
        body: { ...extra },
      });
      state.applied = result;
      state.version = result.version;
      state.form.workOrderId = '';
      await board.published(result);
    } catch (error) {
      state.problem = error;
      state.stale = error instanceof ApiError && error.code === 'BASELINE_CHANGED';
    }
    paint();
    void loadCandidates();
  }

  function discard() {
    state.impact = null;
    state.version = null;
    state.problem = null;
    paint();
  }

  async function cancel(v) {
    try {
      await planning(site.id, `versions/${v.id}/cancel`, { method: 'POST', body: {} });
      follow?.poke();
    } catch (error) {
      state.runError = error;
      paintRun();
    }
  }

  paint();
  void loadCandidates();

  return {
    element,
    relabel() {
      paint();
      gantt.relabel();
    },
    refresh() {
      paintForm();
      void loadCandidates();
    },
    onRun(pushed) {
      if (state.version && pushed.scheduleId === state.version.id) follow?.poke();
    },
    select(workOrderId) {
      state.form.workOrderId = workOrderId;
      void loadCandidates();
    },
    liveChanged: paintForm,
    resize: () => gantt.resize(),
    unmount() {
      follow?.stop();
      gantt.dispose();
    },
  };
}
