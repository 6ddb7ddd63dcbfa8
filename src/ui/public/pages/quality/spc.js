// Control charts (控制图): one characteristic's stored results as the API charts them — center line, control
// limits, zones A/B/C, the points with the rules they broke, the secondary chart and capability — updated live.
import { api } from '../../api.js';
import { loadECharts } from '../../charts.js';
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, t, tOr } from '../../i18n.js';
import {
  clearProblem,
  empty,
  facts,
  field,
  index2,
  localName,
  newKey,
  problemBox,
  qualityPath,
  showProblem,
  stat,
  fill,
} from './common.js';

const COALESCE_MS = 200;
const REFRESH_EVERY_MS = 60_000;
const WINDOWS = [50, 100, 200, 500];
const TYPED_FIELDS = ['spc-exclusion-reason', 'spc-freeze-reason'];
const COLORS = {
  line: '#0b4f8a',
  center: '#1b6e3a',
  limit: '#b3261e',
  violation: '#b3261e',
  excluded: '#7b8794',
  zoneA: 'rgba(179, 38, 30, 0.10)',
  zoneB: 'rgba(178, 106, 0, 0.10)',
  zoneC: 'rgba(27, 110, 58, 0.08)',
  text: '#1f2933',
  muted: '#52606d',
};

export function mountSpc(container, env) {
  const { site, roles } = env;
  const state = {
    params: env.params,
    characteristics: null,
    chart: null,
    signals: [],
    error: null,
    listError: null,
    loading: false,
    window: Number(env.params.limit) || 200,
    excluding: null,
  };
  let chartInstance = null;
  let drawId = 0;
  let alive = true;
  let coalesce = null;
  const periodic = setInterval(() => void loadChart(), REFRESH_EVERY_MS);
  const resize = () => chartInstance?.resize();
  window.addEventListener('resize', resize);

  const characteristicId = () => state.params.characteristic || null;

  async function loadCharacteristics() {
    try {
      const page = await api(qualityPath(site.id, 'inspection-plans'), { query: { limit: 500 } });
      state.characteristics = page.items.flatMap((plan) =>
        plan.characteristics
          .filter((c) => c.chart && c.active)
          .map((c) => ({
            ...c,
            plan: { id: plan.id, code: plan.code, name: plan.name, nameZh: plan.nameZh },
          })),
      );
      state.listError = null;
    } catch (error) {
      state.listError = error;
      state.characteristics = state.characteristics ?? [];
    }
    if (!alive) return;
    if (!characteristicId() && state.characteristics.length > 0) {
      env.go({ characteristic: state.characteristics[0].id }, { replace: true });
      return;
    }
    render();
    void loadChart();
  }

  async function loadChart() {
    const id = characteristicId();
    if (!id || !alive) return;
    state.loading = true;
    try {
      const [chart, signals] = await Promise.all([
        api(qualityPath(site.id, `characteristics/${id}/chart`), { query: { limit: state.window } }),
        api(qualityPath(site.id, 'spc/signals'), { query: { characteristic: id, limit: 20 } }),
      ]);
      if (!alive || id !== characteristicId()) return;
      state.chart = chart;
      state.signals = signals;
      state.error = null;
    } catch (error) {
      if (!alive || id !== characteristicId()) return;
      state.error = error;
    } finally {
      state.loading = false;
    }
    render();
  }

  function refreshSoon() {
    clearTimeout(coalesce);
    coalesce = setTimeout(() => void loadChart(), COALESCE_MS);
  }

  function render() {
    if (!alive) return;
    // What is typed in the limit forms (and where the cursor is) survives a live refresh.
    const typed = TYPED_FIELDS.map((id) => [id, container.querySelector(`#${id}`)?.value]);
    const focused = container.contains(document.activeElement) ? document.activeElement.id : null;
    paint();
    for (const [id, value] of typed) {
      const input = container.querySelector(`#${id}`);
      if (input && value) input.value = value;
    }
    if (focused) container.querySelector(`#${CSS.escape(focused)}`)?.focus();
  }

  function paint() {
    disposeChart();
    const list = state.characteristics;
    if (list === null) {
      fill(container, h('p', { class: 'muted' }, t('common.loading')));
      return;
    }
    const listProblem = problemBox('spc-list-problem');
    const children = [
      h(
        'div',
        { class: 'q-toolbar' },
        field(
          t('quality.spc.characteristic'),
          h(
            'select',
            {
              id: 'spc-characteristic',
              onchange: (e) => {
                state.chart = null;
                state.signals = [];
                env.go({ characteristic: e.target.value, limit: state.window });
              },
            },
            groupByPlan(list).map(([plan, items]) =>
              h(
                'optgroup',
                { label: `${plan.code} · ${localName(plan)}` },
                items.map((c) =>
                  h(
                    'option',
                    { value: c.id, selected: c.id === characteristicId() },
                    `${c.code} · ${localName(c)} (${tOr('quality.chartType', c.chart)})`,
                  ),
                ),
              ),
            ),
          ),
        ),
        field(
          t('quality.spc.window'),
          h(
            'select',
            {
              id: 'spc-window',
              onchange: (e) => {
                state.window = Number(e.target.value);
                env.go({ characteristic: characteristicId(), limit: state.window }, { replace: true });
              },
            },
            WINDOWS.map((n) =>
              h(
                'option',
                { value: String(n), selected: n === state.window },
                t('quality.spc.lastPoints', { count: n }),
              ),
            ),
          ),
        ),
        h(
          'div',
          { class: 'q-toolbar-actions' },
          h(
            'button',
            { type: 'button', id: 'spc-refresh', onclick: () => void loadChart() },
            t('quality.refresh'),
          ),
          state.chart
            ? h(
                'button',
                { type: 'button', id: 'spc-csv', onclick: () => void downloadCsv() },
                t('quality.spc.csv'),
              )
            : null,
        ),
      ),
      listProblem,
    ];
    if (list.length === 0) children.push(empty(t('quality.spc.noCharacteristics')));
    if (state.error) {
      const box = problemBox('spc-problem');
      children.push(box);
      showProblem(box, state.error);
    } else if (characteristicId() && !state.chart) {
      children.push(h('p', { class: 'muted' }, t('common.loading')));
    } else if (state.chart) {
      children.push(...chartSection(state.chart).filter(Boolean));
    }
    fill(container, ...children);
    if (state.listError) showProblem(listProblem, state.listError);
    if (state.chart && state.chart.points.length > 0) void draw(state.chart);
  }

  function chartSection(c) {
    const ch = c.characteristic;
    const unit = ch.unit ? ` ${ch.unit}` : '';
    const limits = c.limits;
    const head = h(
      'div',
      { class: 'q-chart-head' },
      h(
        'h2',
        { id: 'spc-title' },
        `${ch.code} · ${localName(ch)}`,
        h(
          'span',
          { class: 'badge q-chart-type', id: 'spc-chart-type', dataset: { chart: c.chart } },
          tOr('quality.chartType', c.chart),
        ),
      ),
      h(
        'p',
        { class: 'muted', id: 'spc-limits-basis' },
        limits.provisional
          ? t('quality.spc.provisional', { count: formatNumber(limits.pointsUsed) })
          : t('quality.spc.frozen', {
              version: limits.version,
              time: formatDateTime(limits.frozenAt, site.timeZone),
              by: limits.frozenBy ?? '—',
            }),
        ' · ',
        t('quality.spc.rules', {
          set: tOr('quality.ruleSet', c.ruleSet),
          sigma: formatNumber(c.nSigma),
        }),
      ),
    );
    const status =
      c.status === 'ok'
        ? null
        : h(
            'p',
            { class: 'notice', id: 'spc-status', dataset: { status: c.status } },
            tOr('quality.spc.status', c.status),
          );
    const chartBox = h('div', {
      class: 'q-chart',
      id: 'spc-chart',
      role: 'img',
      'aria-label': t('quality.spc.chartLabel', {
        code: ch.code,
        count: c.points.length,
        violations: c.points.filter((p) => p.violations.length > 0).length,
      }),
    });
    if (c.secondary) chartBox.classList.add('with-secondary');
    const side = h(
      'aside',
      { class: 'q-chart-side' },
      h('h3', {}, t('quality.spc.limits')),
      facts([
        [t('quality.spc.center'), limitText(c.center, unit), 'center'],
        [t('quality.spc.ucl'), limitText(c.ucl, unit), 'ucl'],
        [t('quality.spc.lcl'), limitText(c.lcl, unit), 'lcl'],
        [t('quality.spc.sigma'), stat(c.sigma), 'sigma'],
        c.secondary
          ? [
              t('quality.spc.secondaryLimits', { statistic: c.secondary.statistic }),
              `${limitText(c.secondary.lcl)} · ${limitText(c.secondary.center)} · ${limitText(c.secondary.ucl)}`,
              'secondary',
            ]
          : null,
        [t('quality.spc.points'), formatNumber(c.totalPoints), 'points'],
      ]),
      h('h3', {}, t('quality.spc.spec')),
      facts([
        [t('quality.spec.lsl'), ch.lsl === null ? '—' : `${stat(ch.lsl, 6)}${unit}`, 'lsl'],
        [t('quality.spec.target'), ch.target === null ? '—' : `${stat(ch.target, 6)}${unit}`, 'target'],
        [t('quality.spec.usl'), ch.usl === null ? '—' : `${stat(ch.usl, 6)}${unit}`, 'usl'],
      ]),
      h('h3', {}, t('quality.spc.capability')),
      c.capability
        ? h(
            'dl',
            { class: 'q-capability', id: 'spc-capability' },
            [
              ['cp', 'Cp'],
              ['cpk', 'Cpk'],
              ['pp', 'Pp'],
              ['ppk', 'Ppk'],
              ['cpm', 'Cpm'],
            ].map(([key, label]) =>
              h(
                'div',
                { class: capabilityTone(c.capability[key]) },
                h('dt', {}, label),
                h('dd', { dataset: { cap: key } }, index2(c.capability[key])),
              ),
            ),
          )
        : h('p', { class: 'muted', id: 'spc-capability' }, t('quality.spc.noCapability')),
      c.capability
        ? facts([
            [t('quality.spc.mean'), stat(c.capability.mean), 'mean'],
            [t('quality.spc.sigmaWithin'), stat(c.capability.sigmaWithin), 'sigmaWithin'],
            [t('quality.spc.sigmaOverall'), stat(c.capability.sigmaOverall), 'sigmaOverall'],
          ])
        : null,
    );
    return [
      head,
      status,
      h(
        'div',
        { class: 'q-chart-layout' },
        h('div', { class: 'q-chart-main' }, chartBox, zoneLegend()),
        side,
      ),
      violationsSection(c),
      roles.canAct ? limitsActions(c) : null,
      signalsSection(),
    ];
  }

  function zoneLegend() {
    return h(
      'p',
      { class: 'q-zone-legend small' },
      ['A', 'B', 'C'].map((zone) =>
        h('span', { class: `q-zone q-zone-${zone}` }, t(`quality.spc.zone${zone}`)),
      ),
      h('span', { class: 'q-zone q-zone-violation' }, t('quality.spc.violationMark')),
      h('span', { class: 'q-zone q-zone-excluded' }, t('quality.spc.excludedMark')),
    );
  }

  function violationsSection(c) {
    const rows = c.points.filter((p) => p.violations.length > 0 || p.excluded);
    return h(
      'section',
      { class: 'q-section', 'aria-labelledby': 'spc-violations-title' },
      h('h3', { id: 'spc-violations-title' }, t('quality.spc.violations')),
      rows.length === 0
        ? empty(t('quality.spc.noViolations'))
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table', id: 'spc-violations' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['point', 'inspection', 'time', 'value', 'rules', 'workOrder', 'actions'].map((col) =>
                    h('th', { scope: 'col' }, t(`quality.spc.col.${col}`)),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                rows.map((p) =>
                  h(
                    'tr',
                    { dataset: { violationIndex: String(p.index), inspection: p.inspectionCode } },
                    h('th', { scope: 'row' }, formatNumber(p.index + 1)),
                    h('td', {}, p.inspectionCode),
                    h('td', { class: 'nowrap' }, formatDateTime(p.at, site.timeZone)),
                    h('td', { class: 'num', dataset: { field: 'value' } }, stat(p.value)),
                    h(
                      'td',
                      { dataset: { field: 'rules', rules: p.violations.join(' ') } },
                      p.violations.map((rule) =>
                        h('span', { class: 'badge danger q-rule', title: tOr('quality.rule', rule) }, rule),
                      ),
                      p.violations.length > 0
                        ? h(
                            'span',
                            { class: 'q-rule-text small' },
                            p.violations.map((r) => tOr('quality.rule', r)).join(t('list.separator')),
                          )
                        : null,
                      p.excluded
                        ? h(
                            'span',
                            { class: 'badge q-excluded' },
                            t('quality.spc.excludedBecause', { reason: p.exclusionReason ?? '' }),
                          )
                        : null,
                    ),
                    h('td', {}, p.workOrderCode ?? '—'),
                    h('td', {}, roles.canAct ? exclusionButton(p) : null),
                  ),
                ),
              ),
            ),
          ),
    );
  }

  function exclusionButton(p) {
    return h(
      'button',
      {
        type: 'button',
        class: 'q-small-button',
        dataset: { exclude: p.inspectionCode },
        onclick: () => {
          state.excluding = { code: p.inspectionCode, undo: p.excluded };
          const previous = container.querySelector('#spc-exclusion-reason');
          if (previous) previous.value = '';
          render();
          container.querySelector('#spc-exclusion-reason')?.focus();
        },
      },
      p.excluded ? t('quality.spc.include') : t('quality.spc.exclude'),
    );
  }

  function limitsActions(c) {
    const problem = problemBox('spc-action-problem');
    const excluding = state.excluding;
    const reason = h('input', { id: 'spc-exclusion-reason', type: 'text', maxlength: '500', required: true });
    const freezeReason = h('input', { id: 'spc-freeze-reason', type: 'text', maxlength: '1000' });
    const busy = (form, on) => form.querySelectorAll('button').forEach((b) => (b.disabled = on));
    const exclusionForm = excluding
      ? h(
          'form',
          {
            class: 'q-inline-form',
            id: 'spc-exclusion-form',
            onsubmit: async (e) => {
              e.preventDefault();
              busy(e.target, true);
              clearProblem(problem);
              try {
                if (excluding.undo) {
                  await api(
                    qualityPath(
                      site.id,
                      `characteristics/${c.characteristic.id}/exclusions/${encodeURIComponent(excluding.code)}`,
                    ),
                    { method: 'DELETE', body: { reason: reason.value } },
                  );
                } else {
                  await api(qualityPath(site.id, `characteristics/${c.characteristic.id}/exclusions`), {
                    method: 'POST',
                    body: { inspection: excluding.code, reason: reason.value },
                    idempotencyKey: newKey(),
                  });
                }
                state.excluding = null;
                reason.value = '';
                env.notify(
                  () =>
                    t(excluding.undo ? 'quality.spc.included' : 'quality.spc.excluded', {
                      code: excluding.code,
                    }),
                  'ok',
                );
                await loadChart();
              } catch (error) {
                busy(e.target, false);
                showProblem(problem, error);
              }
            },
          },
          h(
            'h3',
            {},
            t(excluding.undo ? 'quality.spc.includeTitle' : 'quality.spc.excludeTitle', {
              code: excluding.code,
            }),
          ),
          field(t('quality.spc.exclusionReason'), reason),
          h(
            'div',
            { class: 'q-actions' },
            h(
              'button',
              { type: 'submit', class: 'primary' },
              excluding.undo ? t('quality.spc.include') : t('quality.spc.exclude'),
            ),
            h(
              'button',
              {
                type: 'button',
                onclick: () => {
                  state.excluding = null;
                  render();
                },
              },
              t('quality.cancel'),
            ),
          ),
        )
      : null;
    const freezeForm = h(
      'form',
      {
        class: 'q-inline-form',
        id: 'spc-freeze-form',
        onsubmit: async (e) => {
          e.preventDefault();
          busy(e.target, true);
          clearProblem(problem);
          try {
            const frozen = await api(qualityPath(site.id, `characteristics/${c.characteristic.id}/limits`), {
              method: 'POST',
              body: {
                reason: freezeReason.value || undefined,
                expectedLimitsVersion: c.limits.version ?? 0,
              },
              idempotencyKey: newKey(),
            });
            freezeReason.value = '';
            env.notify(() => t('quality.spc.frozenNow', { version: frozen.version }), 'ok');
            await loadChart();
          } catch (error) {
            busy(e.target, false);
            showProblem(problem, error);
          }
        },
      },
      h('h3', {}, t('quality.spc.freezeTitle')),
      h('p', { class: 'muted small' }, t('quality.spc.freezeHint')),
      field(t('quality.spc.freezeReason'), freezeReason),
      h(
        'div',
        { class: 'q-actions' },
        h('button', { type: 'submit', id: 'spc-freeze' }, t('quality.spc.freeze')),
      ),
    );
    return h('section', { class: 'q-section q-limit-actions' }, problem, exclusionForm, freezeForm);
  }

  function signalsSection() {
    return h(
      'section',
      { class: 'q-section', 'aria-labelledby': 'spc-signals-title' },
      h('h3', { id: 'spc-signals-title' }, t('quality.spc.signals')),
      state.signals.length === 0
        ? empty(t('quality.spc.noSignals'))
        : h(
            'ul',
            { class: 'q-signal-list', id: 'spc-signals' },
            state.signals.map((s) =>
              h(
                'li',
                { dataset: { signal: s.id } },
                h('span', { class: 'nowrap' }, formatDateTime(s.detectedAt, site.timeZone)),
                h('strong', {}, s.inspectionCode),
                s.rules.map((r) => h('span', { class: 'badge danger', title: tOr('quality.rule', r) }, r)),
                h('span', { class: 'num' }, stat(s.value)),
                s.ncrCode
                  ? h(
                      'a',
                      {
                        href: `/quality?view=ncr&ncr=${s.ncrId}`,
                        onclick: (e) => {
                          e.preventDefault();
                          env.goView('ncr', { ncr: s.ncrId });
                        },
                      },
                      t('quality.spc.signalNcr', { code: s.ncrCode }),
                    )
                  : null,
                s.workOrderCode ? h('span', { class: 'muted' }, s.workOrderCode) : null,
                s.heldWorkOrderId
                  ? h('span', { class: 'badge status-held' }, t('quality.spc.heldWorkOrder'))
                  : null,
                s.heldLots.length > 0
                  ? h(
                      'span',
                      { class: 'badge status-held' },
                      t('quality.spc.heldLots', {
                        lots: s.heldLots.map((l) => l.lotCode).join(t('list.separator')),
                      }),
                    )
                  : null,
              ),
            ),
          ),
    );
  }

  async function downloadCsv() {
    const c = state.chart;
    if (!c) return;
    try {
      const text = await api(qualityPath(site.id, `characteristics/${c.characteristic.id}/chart.csv`), {
        query: { limit: state.window },
      });
      const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
      const link = h('a', { href: url, download: `${c.characteristic.code}-chart.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      showProblem(container.querySelector('#spc-list-problem'), error);
    }
  }

  async function draw(c) {
    const id = ++drawId;
    let echarts;
    try {
      echarts = await loadECharts();
    } catch (error) {
      showProblem(container.querySelector('#spc-list-problem'), error);
      return;
    }
    const element = container.querySelector('#spc-chart');
    if (!alive || id !== drawId || !element) return;
    chartInstance = echarts.init(element, null, { renderer: 'canvas' });
    chartInstance.setOption(chartOption(c, site));
  }

  function disposeChart() {
    drawId++;
    chartInstance?.dispose();
    chartInstance = null;
  }

  loadCharacteristics();

  return {
    update(params) {
      const changed = params.characteristic !== state.params.characteristic;
      state.params = params;
      if (params.limit) state.window = Number(params.limit) || state.window;
      if (changed) {
        state.chart = null;
        state.error = null;
        state.excluding = null;
      }
      render();
      void loadChart();
    },
    onLive(event, data) {
      if (event === 'spc.violation') {
        if (data.characteristicId === characteristicId()) {
          env.notify(
            () =>
              t('quality.spc.liveViolation', {
                code: data.characteristicCode,
                inspection: data.inspectionCode,
                rules: (data.rules ?? []).join(t('list.separator')),
              }),
            'danger',
          );
          refreshSoon();
        }
      } else if (event === 'inspection.results') {
        // Results recorded without a violation: the chart catches up at once (not only at its refresh).
        const id = characteristicId();
        if (id && (data.characteristicIds ?? []).includes(id)) {
          if ((data.newPointCharacteristicIds ?? []).includes(id))
            env.notify(() => t('quality.spc.liveResults', { inspection: data.code }));
          refreshSoon();
        }
      } else if (event === 'inspection.changed' || event === 'resync') refreshSoon();
    },
    relabel: render,
    unmount() {
      alive = false;
      clearTimeout(coalesce);
      clearInterval(periodic);
      window.removeEventListener('resize', resize);
      disposeChart();
    },
  };
}

function groupByPlan(list) {
  const groups = new Map();
  for (const c of list) {
    if (!groups.has(c.plan.id)) groups.set(c.plan.id, [c.plan, []]);
    groups.get(c.plan.id)[1].push(c);
  }
  return [...groups.values()];
}

/** A limit as the API gives it: one number, or one per point when subgroup sizes vary. */
function limitText(value, unit = '') {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return t('quality.spc.varies');
  return `${stat(value)}${unit}`;
}

function capabilityTone(value) {
  if (value === null || value === undefined) return '';
  if (value >= 1.33) return 'q-cap-ok';
  if (value >= 1) return 'q-cap-warning';
  return 'q-cap-danger';
}

/** Value axes: rounded labels, without the odd ones at the padded ends. */
const VALUE_LABEL = {
  color: COLORS.muted,
  showMinLabel: false,
  showMaxLabel: false,
  formatter: (value) => stat(value),
};

const at = (limit, i) => (Array.isArray(limit) ? limit[i] : limit);

/** The ECharts option: the statistic with its limits and zones, and the secondary chart below it. */
function chartOption(c, site) {
  const points = c.points;
  const labels = points.map((p) => String(p.index + 1));
  const uniform = !Array.isArray(c.center) && !Array.isArray(c.ucl) && !Array.isArray(c.lcl);
  const hasLimits = c.center !== null && c.ucl !== null && c.lcl !== null;
  const mainHeight = c.secondary ? '52%' : '76%';
  const grids = [{ left: 64, right: 96, top: 28, height: mainHeight }];
  const xAxes = [
    { type: 'category', data: labels, gridIndex: 0, boundaryGap: false, axisLabel: { color: COLORS.muted } },
  ];
  const yAxes = [
    {
      type: 'value',
      gridIndex: 0,
      scale: true,
      axisLabel: VALUE_LABEL,
      splitLine: { show: false },
      ...range([
        ...points.map((p) => p.value),
        ...(hasLimits ? points.flatMap((p, i) => [at(c.ucl, i), at(c.lcl, i)]) : []),
      ]),
    },
  ];
  const markLines = [];
  const markAreas = [];
  if (hasLimits && uniform) {
    markLines.push(
      limitLine(c.ucl, `UCL ${stat(c.ucl)}`, COLORS.limit, 'dashed'),
      limitLine(c.center, `CL ${stat(c.center)}`, COLORS.center, 'solid'),
      limitLine(c.lcl, `LCL ${stat(c.lcl)}`, COLORS.limit, 'dashed'),
    );
    const z = c.zones;
    if (z && !Array.isArray(z.upper1)) {
      markAreas.push(
        zoneArea(z.upper2, c.ucl, COLORS.zoneA, 'A'),
        zoneArea(z.upper1, z.upper2, COLORS.zoneB, 'B'),
        zoneArea(z.lower1, z.upper1, COLORS.zoneC, 'C'),
        zoneArea(z.lower2, z.lower1, COLORS.zoneB, 'B'),
        zoneArea(c.lcl, z.lower2, COLORS.zoneA, 'A'),
      );
    }
  }
  const series = [
    {
      name: c.characteristic.code,
      type: 'line',
      xAxisIndex: 0,
      yAxisIndex: 0,
      symbolSize: 7,
      lineStyle: { color: COLORS.line, width: 1.5 },
      itemStyle: { color: COLORS.line },
      data: points.map((p) => pointDatum(p.value, p.violations, p.excluded)),
      markLine: markLines.length ? { silent: true, symbol: 'none', data: markLines } : undefined,
      markArea: markAreas.length ? { silent: true, data: markAreas } : undefined,
      z: 3,
    },
  ];
  if (hasLimits && !uniform) {
    // Limits per point (subgroup sizes vary): drawn as stepped lines.
    for (const [name, limit, color, type] of [
      ['UCL', c.ucl, COLORS.limit, 'dashed'],
      ['CL', c.center, COLORS.center, 'solid'],
      ['LCL', c.lcl, COLORS.limit, 'dashed'],
    ]) {
      series.push({
        name,
        type: 'line',
        step: 'middle',
        symbol: 'none',
        xAxisIndex: 0,
        yAxisIndex: 0,
        lineStyle: { color, type, width: 1 },
        data: points.map((p, i) => at(limit, i)),
        silent: true,
      });
    }
  }
  if (c.secondary) {
    const s = c.secondary;
    const byIndex = new Map(s.points.map((p) => [p.index, p]));
    grids.push({ left: 64, right: 96, top: '70%', bottom: 28 });
    xAxes.push({
      type: 'category',
      data: labels,
      gridIndex: 1,
      boundaryGap: false,
      axisLabel: { color: COLORS.muted },
    });
    const values = s.points.map((p) => p.value);
    yAxes.push({
      type: 'value',
      gridIndex: 1,
      scale: true,
      name: s.statistic,
      nameTextStyle: { color: COLORS.text },
      axisLabel: VALUE_LABEL,
      splitLine: { show: false },
      ...range([...values, ...s.points.flatMap((p) => [p.ucl, p.lcl])]),
    });
    series.push({
      name: s.statistic,
      type: 'line',
      xAxisIndex: 1,
      yAxisIndex: 1,
      symbolSize: 5,
      connectNulls: false,
      lineStyle: { color: COLORS.line, width: 1.2 },
      itemStyle: { color: COLORS.line },
      data: points.map((p) => {
        const sp = byIndex.get(p.index);
        return sp ? pointDatum(sp.value, sp.violations, false) : '-';
      }),
    });
  }
  if (c.secondary) {
    // The secondary chart's limits: one value per point (the points carry their own), drawn as lines.
    const s = c.secondary;
    const byIndex = new Map(s.points.map((p) => [p.index, p]));
    for (const [name, pick, color, type] of [
      ['UCL', (sp) => sp.ucl, COLORS.limit, 'dashed'],
      ['CL', (sp, i) => (Array.isArray(s.center) ? (s.center[i] ?? '-') : s.center), COLORS.center, 'solid'],
      ['LCL', (sp) => sp.lcl, COLORS.limit, 'dashed'],
    ]) {
      const data = points.map((p, i) => {
        const sp = byIndex.get(p.index);
        return sp ? pick(sp, i) : '-';
      });
      const last = [...data].reverse().find((v) => v !== '-');
      series.push({
        name: `${s.statistic} ${name}`,
        type: 'line',
        step: 'middle',
        symbol: 'none',
        silent: true,
        xAxisIndex: 1,
        yAxisIndex: 1,
        lineStyle: { color, type, width: 1.5 },
        data,
        endLabel: {
          show: last !== undefined,
          formatter: `${name} ${stat(last)}`,
          color,
          fontSize: 11,
        },
      });
    }
  }
  return {
    animation: false,
    grid: grids,
    xAxis: xAxes,
    yAxis: yAxes,
    series,
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    tooltip: {
      trigger: 'axis',
      confine: true,
      formatter: (items) => {
        const first = Array.isArray(items) ? items[0] : items;
        const p = points[first?.dataIndex];
        if (!p) return '';
        const lines = [
          `${t('quality.spc.col.point')} ${p.index + 1} · ${p.inspectionCode}`,
          formatDateTime(p.at, site.timeZone),
          `${t('quality.spc.col.value')}: ${stat(p.value)} (n = ${p.n})`,
        ];
        if (p.workOrderCode) lines.push(p.workOrderCode);
        for (const rule of p.violations) lines.push(`${rule}: ${tOr('quality.rule', rule)}`);
        if (p.excluded) lines.push(t('quality.spc.excludedBecause', { reason: p.exclusionReason ?? '' }));
        // Text only: the tooltip is set as text, never as markup from data.
        return lines.map(escapeHtml).join('<br>');
      },
    },
  };
}

function pointDatum(value, violations, excluded) {
  if (violations.length > 0) {
    return {
      value,
      symbol: 'diamond',
      symbolSize: 12,
      itemStyle: { color: COLORS.violation },
      label: {
        show: true,
        position: 'top',
        color: COLORS.violation,
        fontWeight: 'bold',
        formatter: violations.join(' '),
      },
    };
  }
  if (excluded) {
    return {
      value,
      symbol: 'emptyCircle',
      itemStyle: { color: COLORS.excluded, borderColor: COLORS.excluded },
    };
  }
  return value;
}

function limitLine(value, label, color, type) {
  return {
    yAxis: value,
    lineStyle: { color, type, width: 1.5 },
    label: { show: true, position: 'end', formatter: label, color, fontSize: 11 },
  };
}

function zoneArea(from, to, color, name) {
  return [
    {
      yAxis: from,
      itemStyle: { color },
      label: { show: true, position: 'insideLeft', formatter: name, color: COLORS.muted, fontSize: 10 },
    },
    { yAxis: to },
  ];
}

/** The axis range: every value and limit in view, with a little room. */
function range(values) {
  const finite = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (finite.length === 0) return {};
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const pad = (max - min || Math.abs(max) || 1) * 0.08;
  const digits = 6;
  const round = (v) => Number(v.toFixed(digits));
  return { min: round(min - pad), max: round(max + pad) };
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
