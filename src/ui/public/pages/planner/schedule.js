// Schedule runs (APS), their progress and result, the Gantt of any version, and publishing.
import { ApiError, renderProblem } from '../../api.js';
import { h, progressBar } from '../../dom.js';
import { formatNumber, formatPercent, t, tOr } from '../../i18n.js';
import {
  ACTIVE,
  duration,
  field,
  fill,
  followVersion,
  kpiList,
  planning,
  time,
  versionLabel,
} from './common.js';
import { createGantt } from './gantt.js';

const OBJECTIVES = ['tardiness-then-makespan', 'tardiness', 'makespan'];
/** Versions with bars to draw. */
const DRAWABLE = ['succeeded', 'published', 'superseded'];

/** A run's progress and result: the panel of a version being computed or just computed. */
export function runStatus(v, site, { canPlan, onPublish, onCancel, extra } = {}) {
  if (!v) return null;
  const progress = v.progress;
  const active = ACTIVE.includes(v.status);
  return h(
    'div',
    { class: `run-status status-${v.status}`, dataset: { version: v.id, status: v.status } },
    h(
      'p',
      { class: 'run-head' },
      h('strong', {}, versionLabel(v)),
      h(
        'span',
        { class: `badge version-${v.status}`, dataset: { field: 'status' } },
        tOr('planner.vstatus', v.status),
      ),
      v.live ? h('span', { class: 'badge ok' }, t('planner.livePlan')) : null,
    ),
    active
      ? h(
          'div',
          { class: 'run-progress', role: 'status', 'aria-live': 'polite' },
          progressBar(progress?.fraction ?? 0, t('planner.run.progress'), 'run-bar'),
          h(
            'span',
            { class: 'num' },
            progress
              ? t('planner.run.progressText', {
                  percent: formatPercent(progress.fraction, 0),
                  seconds: formatNumber(Math.round(progress.elapsedMs / 100) / 10),
                  iterations: formatNumber(progress.iterations),
                })
              : t(v.status === 'queued' ? 'planner.run.queued' : 'planner.run.starting'),
          ),
          progress
            ? h(
                'span',
                { class: 'muted small' },
                t('planner.run.best', {
                  makespan: duration(progress.best.makespanMinutes),
                  late: formatNumber(progress.best.lateOrderCount),
                  tardiness: duration(progress.best.totalTardinessMinutes),
                }),
              )
            : null,
        )
      : null,
    v.status === 'failed' && v.error ? h('p', { class: 'problem', role: 'alert' }, v.error) : null,
    v.kpis && !active ? kpiList(v.kpis, site) : null,
    v.kpis && !active && v.kpis.lateOrders.length > 0
      ? h(
          'details',
          { class: 'late-orders' },
          h('summary', {}, t('planner.run.lateOrders', { count: v.kpis.lateOrders.length })),
          h(
            'ul',
            {},
            v.kpis.lateOrders.map((o) =>
              h(
                'li',
                { dataset: { wo: o.code } },
                h('strong', {}, o.code),
                ' ',
                t('planner.run.lateBy', { late: duration(o.minutesLate) }),
                ' ',
                time(o.dueAt, site),
              ),
            ),
          ),
        )
      : null,
    v.warnings?.length
      ? h(
          'details',
          { class: 'warnings' },
          h('summary', {}, t('planner.run.warnings', { count: v.warnings.length })),
          h(
            'ul',
            {},
            v.warnings.map((w) => h('li', {}, h('code', {}, w.code), ' ', w.message)),
          ),
        )
      : null,
    canPlan
      ? h(
          'div',
          { class: 'planner-actions' },
          v.allowedActions.includes('publish') && onPublish
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'primary',
                  dataset: { action: 'publish' },
                  onclick: () => onPublish(v),
                },
                t('planner.run.publish'),
              )
            : null,
          v.allowedActions.includes('cancel') && onCancel
            ? h(
                'button',
                { type: 'button', dataset: { action: 'cancel-run' }, onclick: () => onCancel(v) },
                t('planner.run.cancel'),
              )
            : null,
          extra ?? null,
        )
      : null,
  );
}

export function createSchedulePanel(board) {
  const { site } = board;
  const state = {
    versions: null,
    versionsError: null,
    selectedId: null,
    mode: 'machine',
    gantt: null,
    ganttError: null,
    run: null,
    runError: null,
    form: { objective: OBJECTIVES[0], seconds: '10', frozen: '0' },
    problem: null,
    stale: null,
  };
  let follow = null;
  let ganttLoad = 0;

  const runBox = h('div', { class: 'run-box', id: 'run-box' });
  const formBox = h('div', {});
  const ganttHead = h('div', { class: 'planner-toolbar gantt-head' });
  const ganttProblem = h('div', { hidden: true });
  const ganttBox = h('div', { class: 'gantt', id: 'schedule-gantt' });
  const versionsBox = h('div', { id: 'versions' });
  const title = h('h2', { id: 'schedule-title' });
  const versionsTitle = h('h3', { id: 'versions-title' });
  const element = h(
    'section',
    { class: 'planner-panel', id: 'panel-schedule', 'aria-labelledby': 'tab-schedule' },
    h('div', { class: 'planner-toolbar' }, title),
    h('div', { class: 'schedule-top' }, formBox, runBox),
    h('div', { class: 'card gantt-card' }, ganttHead, ganttProblem, ganttBox),
    h('div', { class: 'card' }, versionsTitle, versionsBox),
  );
  const gantt = createGantt(ganttBox, { site, name: 'schedule' });

  function paint() {
    title.textContent = t('planner.schedule.title');
    versionsTitle.textContent = t('planner.versions.title');
    paintForm();
    paintRun();
    paintGanttHead();
    paintVersions();
  }

  function paintForm() {
    if (!board.canPlan) {
      fill(formBox);
      formBox.hidden = true;
      return;
    }
    const f = state.form;
    formBox.hidden = false;
    formBox.className = 'card run-form';
    fill(
      formBox,
      h('h3', {}, t('planner.run.title')),
      h(
        'form',
        {
          id: 'run-form',
          onsubmit: (e) => {
            e.preventDefault();
            void startRun(e.target);
          },
        },
        h(
          'div',
          { class: 'planner-form-grid' },
          field(
            t('planner.run.objective'),
            h(
              'select',
              { id: 'run-objective', onchange: (e) => (f.objective = e.target.value) },
              OBJECTIVES.map((o) =>
                h('option', { value: o, selected: f.objective === o }, t(`planner.objective.${o}`)),
              ),
            ),
          ),
          field(
            t('planner.run.seconds'),
            h('input', {
              id: 'run-seconds',
              type: 'number',
              min: '1',
              max: '120',
              step: '1',
              required: true,
              value: f.seconds,
              oninput: (e) => (f.seconds = e.target.value),
            }),
          ),
          field(
            t('planner.run.frozen'),
            h('input', {
              id: 'run-frozen',
              type: 'number',
              min: '0',
              max: '720',
              step: '0.5',
              required: true,
              value: f.frozen,
              oninput: (e) => (f.frozen = e.target.value),
            }),
          ),
        ),
        h('p', { class: 'muted small' }, t('planner.run.hint')),
        h(
          'div',
          { class: 'planner-actions' },
          h(
            'button',
            {
              type: 'submit',
              class: 'primary',
              id: 'run-start',
              disabled: state.run && ACTIVE.includes(state.run.status),
            },
            t('planner.run.start'),
          ),
        ),
      ),
    );
  }

  function paintRun() {
    fill(runBox);
    if (state.runError) {
      const box = h('div', {});
      renderProblem(box, state.runError);
      runBox.append(box);
    }
    if (state.problem) {
      const box = h('div', { id: 'publish-problem' });
      renderProblem(box, state.problem);
      if (state.stale && board.canPlan) {
        const v = state.stale;
        box.append(
          h(
            'p',
            {},
            h(
              'button',
              {
                type: 'button',
                id: 'publish-anyway',
                onclick: () => void publish(v, { allowStaleBaseline: true }),
              },
              t('planner.run.publishAnyway'),
            ),
          ),
        );
      }
      runBox.append(box);
    }
    const live = board.live();
    if (!state.run) {
      runBox.append(
        h(
          'div',
          { class: 'card' },
          h('h3', {}, t('planner.run.resultTitle')),
          live ? runStatus(live, site) : h('p', { class: 'muted' }, t('planner.run.none')),
        ),
      );
      return;
    }
    runBox.append(
      h(
        'div',
        { class: 'card', id: 'run-result' },
        h('h3', {}, t('planner.run.resultTitle')),
        runStatus(state.run, site, {
          canPlan: board.canPlan,
          onPublish: (v) => void publish(v),
          onCancel: (v) => void cancel(v),
        }),
      ),
    );
  }

  function drawableVersions() {
    const items = state.versions?.items ?? [];
    return items.filter((v) => DRAWABLE.includes(v.status));
  }

  function paintGanttHead() {
    const options = drawableVersions();
    fill(
      ganttHead,
      h('h3', { id: 'gantt-title' }, t('planner.gantt.title')),
      field(
        t('planner.gantt.version'),
        h(
          'select',
          {
            id: 'gantt-version',
            onchange: (e) => {
              state.selectedId = e.target.value;
              void loadGantt();
            },
          },
          options.map((v) =>
            h(
              'option',
              { value: v.id, selected: v.id === state.selectedId },
              `${versionLabel(v)} · ${tOr('planner.vstatus', v.status)}${v.live ? ` · ${t('planner.livePlan')}` : ''}`,
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'segmented', role: 'group', 'aria-label': t('planner.gantt.view') },
        ['machine', 'workorder'].map((mode) =>
          h(
            'button',
            {
              type: 'button',
              id: `gantt-by-${mode}`,
              'aria-pressed': String(state.mode === mode),
              onclick: () => {
                if (state.mode === mode) return;
                state.mode = mode;
                paintGanttHead();
                void loadGantt();
              },
            },
            t(`planner.gantt.by.${mode}`),
          ),
        ),
      ),
    );
  }

  function paintVersions() {
    if (state.versionsError) {
      renderProblem(versionsBox, state.versionsError);
      return;
    }
    const items = state.versions?.items;
    if (!items) {
      fill(versionsBox, h('p', { class: 'muted' }, t('common.loading')));
      return;
    }
    if (items.length === 0) {
      fill(versionsBox, h('p', { class: 'muted', id: 'versions-empty' }, t('planner.versions.empty')));
      return;
    }
    const cols = ['code', 'kind', 'status', 'created', 'makespan', 'late', 'actions'];
    fill(
      versionsBox,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table planner-versions' },
          h('caption', { class: 'visually-hidden' }, t('planner.versions.title')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              cols.map((c) => h('th', { scope: 'col' }, t(`planner.versions.col.${c}`))),
            ),
          ),
          h(
            'tbody',
            {},
            items.map((v) =>
              h(
                'tr',
                { dataset: { version: v.code, status: v.status }, class: v.live ? 'live' : undefined },
                h(
                  'th',
                  { scope: 'row' },
                  versionLabel(v),
                  v.live
                    ? h('span', { class: 'badge ok', dataset: { live: 'true' } }, t('planner.livePlan'))
                    : null,
                ),
                h('td', {}, t(v.rushWorkOrderId ? 'planner.kind.rush' : `planner.kind.${v.kind}`)),
                h(
                  'td',
                  {},
                  h('span', { class: `badge version-${v.status}` }, tOr('planner.vstatus', v.status)),
                ),
                h(
                  'td',
                  { class: 'nowrap' },
                  time(v.createdAt, site),
                  h('span', { class: 'muted small row-line' }, v.createdByName),
                ),
                h('td', { class: 'num' }, v.kpis ? duration(v.kpis.makespanMinutes) : '—'),
                h('td', { class: 'num' }, v.kpis ? formatNumber(v.kpis.lateOrderCount) : '—'),
                h(
                  'td',
                  { class: 'row-actions' },
                  DRAWABLE.includes(v.status)
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'small-button',
                          dataset: { action: 'show' },
                          onclick: () => {
                            state.selectedId = v.id;
                            paintGanttHead();
                            void loadGantt();
                            ganttBox.scrollIntoView({ behavior: 'smooth', block: 'start' });
                          },
                        },
                        t('planner.versions.show'),
                      )
                    : null,
                  board.canPlan && v.allowedActions.includes('publish')
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'small-button primary',
                          dataset: { action: 'publish' },
                          onclick: () => void publish(v),
                        },
                        t('planner.run.publish'),
                      )
                    : null,
                  board.canPlan && v.allowedActions.includes('cancel')
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'small-button',
                          dataset: { action: 'cancel-run' },
                          onclick: () => void cancel(v),
                        },
                        t('planner.run.cancel'),
                      )
                    : null,
                ),
              ),
            ),
          ),
        ),
      ),
      state.versions.total > items.length
        ? h(
            'p',
            { class: 'muted small' },
            t('planner.versions.more', { count: state.versions.total - items.length }),
          )
        : '',
    );
  }

  async function loadVersions() {
    try {
      state.versions = await planning(site.id, 'versions', { query: { limit: 30 } });
      state.versionsError = null;
    } catch (error) {
      state.versionsError = error;
    }
    const drawable = drawableVersions();
    if (!state.selectedId || !drawable.some((v) => v.id === state.selectedId)) {
      const live = drawable.find((v) => v.live);
      state.selectedId = (live ?? drawable[0])?.id ?? null;
      void loadGantt();
    }
    paintGanttHead();
    paintVersions();
    // A run started elsewhere (another planner, a breakdown re-plan) is followed here too.
    const active = (state.versions?.items ?? []).find((v) => ACTIVE.includes(v.status) && v.kind === 'live');
    if (active && !follow && (!state.run || state.run.id !== active.id)) track(active);
  }

  async function loadGantt({ keepZoom = false } = {}) {
    const id = ++ganttLoad;
    if (!state.selectedId) {
      gantt.set(null);
      ganttProblem.hidden = true;
      return;
    }
    try {
      const data = await planning(site.id, 'gantt', {
        query: { versionId: state.selectedId, by: state.mode },
      });
      if (id !== ganttLoad) return;
      ganttProblem.hidden = true;
      gantt.set(data, { keepZoom });
    } catch (error) {
      if (id !== ganttLoad) return;
      renderProblem(ganttProblem, error);
    }
  }

  function track(version) {
    follow?.stop();
    state.run = version;
    state.runError = null;
    follow = followVersion(
      site.id,
      version.id,
      (v) => {
        const was = state.run?.status;
        state.run = v;
        state.runError = null;
        paintRun();
        paintForm();
        if (!ACTIVE.includes(v.status)) {
          follow = null;
          if (was !== v.status) void settled(v);
        }
      },
      (error) => {
        state.runError = error;
        paintRun();
      },
    );
  }

  async function settled(v) {
    await loadVersions();
    if (v.status === 'succeeded') {
      state.selectedId = v.id;
      paintGanttHead();
      await loadGantt();
    }
  }

  async function startRun(form) {
    const f = state.form;
    const button = form.querySelector('#run-start');
    button.disabled = true;
    state.problem = null;
    state.stale = null;
    try {
      const queued = await planning(site.id, 'runs', {
        method: 'POST',
        body: {
          objective: f.objective,
          seconds: Number(f.seconds),
          frozenHorizonHours: Number(f.frozen),
        },
      });
      track(queued);
      void loadVersions();
    } catch (error) {
      state.runError = error;
      button.disabled = false;
      paintRun();
    }
  }

  async function publish(v, extra = {}) {
    state.problem = null;
    state.stale = null;
    try {
      const result = await planning(site.id, `versions/${v.id}/publish`, {
        method: 'POST',
        body: { ...extra },
      });
      if (state.run?.id === v.id) state.run = result.version;
      state.selectedId = v.id;
      await board.published(result);
    } catch (error) {
      state.problem = error;
      state.stale = error instanceof ApiError && error.code === 'BASELINE_CHANGED' ? v : null;
    }
    paintRun();
    await loadVersions();
    await loadGantt();
  }

  async function cancel(v) {
    try {
      await planning(site.id, `versions/${v.id}/cancel`, { method: 'POST', body: {} });
      follow?.poke();
    } catch (error) {
      state.problem = error;
      paintRun();
    }
    await loadVersions();
  }

  paint();
  void loadVersions();

  return {
    element,
    relabel() {
      paint();
      gantt.relabel();
    },
    /** A `schedule.run` push: the run followed is read now; any other one refreshes the list. */
    onRun(pushed) {
      if (state.run && pushed.scheduleId === state.run.id && follow) follow.poke();
      else if (!(pushed.status === 'running' && pushed.progress)) void loadVersions();
    },
    async refresh() {
      await loadVersions();
      paintRun();
      await loadGantt({ keepZoom: true });
    },
    liveChanged: paintRun,
    resize: () => gantt.resize(),
    unmount() {
      follow?.stop();
      ganttLoad++;
      gantt.dispose();
    },
  };
}
