// The Gantt chart of a schedule version (ECharts custom series on canvas), with the same bars as a table.
import { loadECharts } from '../../charts.js';
import { h } from '../../dom.js';
import { formatDateTime, formatShortDateTime, locale, t } from '../../i18n.js';
import { duration, fill } from './common.js';

/** Distinct colours dark enough for white text (WCAG AA on the bar labels). */
const PALETTE = [
  '#1f5fa8',
  '#2e7d32',
  '#8e24aa',
  '#b34700',
  '#00796b',
  '#6d4c41',
  '#ad1457',
  '#455a64',
  '#5e35b1',
  '#6b6a00',
  '#0277bd',
  '#7b1fa2',
];
const LATE = '#d50000';
const RUSH = '#111111';
const OFF_SHIFT = '#e4e8ee';
const NOW = '#b3261e';
const ROW_PX = 34;
const MAX_ROWS_SHOWN = 24;

const escapeHtml = (text) =>
  String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

/**
 * A Gantt in `container`: `set(gantt)` with the API's answer (GET planning/gantt), `relabel()` after a language
 * switch, `resize()`, `dispose()`. The bars are also listed in a table (for assistive technology and print).
 */
export function createGantt(container, { site, name }) {
  const chartBox = h('div', {
    class: 'gantt-chart',
    role: 'img',
    dataset: { gantt: name },
  });
  const legend = h('p', { class: 'gantt-legend muted small' });
  const empty = h('p', { class: 'muted gantt-empty', hidden: true });
  const tableBox = h('details', { class: 'gantt-table' });
  fill(container, chartBox, empty, legend, tableBox);
  let chart = null;
  let data = null;
  let alive = true;
  let paints = 0;
  let zoom = null;

  async function draw() {
    const generation = ++paints;
    paintTable();
    paintLegend();
    const rows = data?.rows ?? [];
    const bars = rows.reduce((sum, row) => sum + row.bars.length, 0);
    chartBox.dataset.bars = String(bars);
    chartBox.dataset.rows = String(rows.length);
    chartBox.setAttribute(
      'aria-label',
      data
        ? t(data.by === 'machine' ? 'planner.gantt.ariaMachine' : 'planner.gantt.ariaOrder', {
            code: data.version.code,
            rows: rows.length,
            bars,
          })
        : t('planner.gantt.title'),
    );
    empty.hidden = rows.length > 0 && bars > 0;
    empty.textContent = t('planner.gantt.empty');
    chartBox.hidden = !data || rows.length === 0;
    if (chartBox.hidden) {
      chart?.clear();
      return;
    }
    chartBox.style.height = `${Math.min(rows.length, MAX_ROWS_SHOWN) * ROW_PX + 96}px`;
    let echarts;
    try {
      echarts = await loadECharts();
    } catch {
      return; // The table below carries every bar; the drawing is an extra.
    }
    if (!alive || generation !== paints) return;
    if (!chart) {
      chart = echarts.init(chartBox, null, {
        renderer: 'canvas',
        locale: locale() === 'zh-CN' ? 'ZH' : 'EN',
      });
      chart.on('datazoom', () => {
        const option = chart.getOption();
        const x = option.dataZoom?.[0];
        if (x) zoom = { start: x.start, end: x.end };
      });
    } else chart.resize();
    chart.setOption(optionOf(echarts, data, site, zoom), { notMerge: true });
    chartBox.dataset.drawn = 'true';
  }

  function paintLegend() {
    if (!data) {
      fill(legend);
      return;
    }
    fill(
      legend,
      ...[
        h('span', { class: 'legend-item late' }, t('planner.gantt.legendLate')),
        h('span', { class: 'legend-item rush' }, t('planner.gantt.legendRush')),
        h('span', { class: 'legend-item setup' }, t('planner.gantt.legendSetup')),
        data.by === 'machine' ? h('span', { class: 'legend-item off' }, t('planner.gantt.legendOff')) : null,
        h('span', { class: 'legend-item now' }, t('planner.gantt.legendNow')),
        h(
          'span',
          {},
          t(data.by === 'machine' ? 'planner.gantt.colourByOrder' : 'planner.gantt.colourByMachine'),
        ),
      ].filter(Boolean),
    );
  }

  function paintTable() {
    if (!data) {
      fill(tableBox);
      return;
    }
    const bars = data.rows
      .flatMap((row) => row.bars)
      .sort((a, b) => a.start.localeCompare(b.start) || a.equipmentCode.localeCompare(b.equipmentCode));
    const open = tableBox.open;
    fill(
      tableBox,
      h('summary', {}, t('planner.gantt.asTable', { count: bars.length })),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table gantt-bars' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['order', 'operation', 'machine', 'setupStart', 'start', 'end', 'flags'].map((c) =>
                h('th', { scope: 'col' }, t(`planner.gantt.col.${c}`)),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            bars.map((b) =>
              h(
                'tr',
                { dataset: { op: b.operationId, wo: b.workOrderCode }, class: b.late ? 'late' : undefined },
                h('th', { scope: 'row' }, b.workOrderCode),
                h('td', {}, `${b.seq} ${b.name}`),
                h('td', {}, b.equipmentCode),
                h('td', { class: 'nowrap' }, formatShortDateTime(b.setupStart, site.timeZone)),
                h('td', { class: 'nowrap' }, formatShortDateTime(b.start, site.timeZone)),
                h('td', { class: 'nowrap' }, formatShortDateTime(b.end, site.timeZone)),
                h(
                  'td',
                  {},
                  b.late ? h('span', { class: 'badge danger' }, t('planner.late')) : null,
                  b.priority === 'rush' ? h('span', { class: 'badge rush' }, t('planner.rush')) : null,
                  b.frozen ? h('span', { class: 'badge' }, t('planner.gantt.frozen')) : null,
                ),
              ),
            ),
          ),
        ),
      ),
    );
    tableBox.open = open;
  }

  return {
    set(gantt, { keepZoom = false } = {}) {
      if (!keepZoom || gantt?.version?.id !== data?.version?.id || gantt?.by !== data?.by) zoom = null;
      data = gantt;
      void draw();
    },
    relabel() {
      if (chart) {
        chart.dispose();
        chart = null;
      }
      void draw();
    },
    resize() {
      chart?.resize();
    },
    dispose() {
      alive = false;
      chart?.dispose();
      chart = null;
    },
  };
}

function optionOf(echarts, data, site, zoom) {
  const byMachine = data.by === 'machine';
  const rows = data.rows;
  const colourKeys = [];
  const colourOf = (key) => {
    let index = colourKeys.indexOf(key);
    if (index < 0) index = colourKeys.push(key) - 1;
    return index % PALETTE.length;
  };
  const bars = [];
  rows.forEach((row, index) => {
    for (const b of row.bars) {
      bars.push({
        value: [
          index,
          Date.parse(b.setupStart),
          Date.parse(b.start),
          Date.parse(b.end),
          b.late ? 1 : 0,
          b.priority === 'rush' ? 1 : 0,
          colourOf(byMachine ? b.workOrderId : b.equipmentId),
        ],
        bar: b,
      });
    }
  });
  const gaps = byMachine
    ? rows.flatMap((row, index) =>
        (row.unavailable ?? []).map((g) => ({ value: [index, Date.parse(g.start), Date.parse(g.end)] })),
      )
    : [];
  const from = Date.parse(data.from);
  const to = Math.max(Date.parse(data.to), from + 3_600_000);
  const now = Date.now();
  const tz = site.timeZone;
  const labelOf = (row) => (byMachine ? row.code : `${row.code} · ${row.materialCode}`);
  const lateRow = (row) => (byMachine ? row.bars.some((b) => b.late) : row.late);
  const clip = (params, shape) =>
    echarts.graphic.clipRectByRect(shape, {
      x: params.coordSys.x,
      y: params.coordSys.y,
      width: params.coordSys.width,
      height: params.coordSys.height,
    });

  const tooltip = (bar) => {
    const lines = [
      `<strong>${escapeHtml(bar.workOrderCode)}</strong> · ${escapeHtml(bar.materialCode)}`,
      `${escapeHtml(t('planner.gantt.col.operation'))}: ${escapeHtml(`${bar.seq} ${bar.name}`)}`,
      `${escapeHtml(t('planner.gantt.col.machine'))}: ${escapeHtml(bar.equipmentCode)}`,
    ];
    if (bar.setupMinutes > 0) {
      lines.push(
        `${escapeHtml(t('planner.gantt.col.setupStart'))}: ${escapeHtml(formatDateTime(bar.setupStart, tz))} (${escapeHtml(duration(bar.setupMinutes))})`,
      );
    }
    lines.push(
      `${escapeHtml(t('planner.gantt.col.start'))}: ${escapeHtml(formatDateTime(bar.start, tz))}`,
      `${escapeHtml(t('planner.gantt.col.end'))}: ${escapeHtml(formatDateTime(bar.end, tz))}`,
    );
    const flags = [
      bar.late ? t('planner.late') : null,
      bar.priority === 'rush' ? t('planner.rush') : null,
      bar.frozen ? t('planner.gantt.frozen') : null,
    ].filter(Boolean);
    if (flags.length) lines.push(escapeHtml(flags.join(t('list.separator'))));
    return lines.join('<br>');
  };

  const yZoom = rows.length > MAX_ROWS_SHOWN;
  return {
    animation: false,
    grid: { left: byMachine ? 100 : 170, right: yZoom ? 40 : 24, top: 16, bottom: 64 },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (params) => (params.data?.bar ? tooltip(params.data.bar) : ''),
    },
    xAxis: {
      type: 'time',
      min: from,
      max: to,
      position: 'top',
      splitLine: { show: true, lineStyle: { color: '#dde2e8' } },
      axisLabel: {
        hideOverlap: true,
        color: '#1f2933',
        formatter: (value) => formatShortDateTime(new Date(value).toISOString(), tz),
      },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: rows.map((row) => ({
        value: labelOf(row),
        textStyle: lateRow(row) ? { color: LATE, fontWeight: 'bold' } : { color: '#1f2933' },
      })),
      axisTick: { show: false },
      splitLine: { show: true, lineStyle: { color: '#eef1f5' } },
      axisLabel: { width: byMachine ? 90 : 160, overflow: 'truncate' },
    },
    dataZoom: [
      {
        type: 'slider',
        xAxisIndex: 0,
        filterMode: 'weakFilter',
        bottom: 12,
        height: 22,
        labelFormatter: (value) => formatShortDateTime(new Date(value).toISOString(), tz),
        ...(zoom ?? {}),
      },
      { type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter', ...(zoom ?? {}) },
      ...(yZoom
        ? [
            {
              type: 'slider',
              yAxisIndex: 0,
              right: 8,
              width: 18,
              startValue: 0,
              endValue: MAX_ROWS_SHOWN - 1,
              filterMode: 'empty',
            },
            { type: 'inside', yAxisIndex: 0, zoomOnMouseWheel: false, moveOnMouseWheel: true },
          ]
        : []),
    ],
    series: [
      {
        type: 'custom',
        name: 'off',
        silent: true,
        z: 1,
        data: gaps,
        encode: { x: [1, 2], y: 0 },
        renderItem: (params, api) => {
          const a = api.coord([api.value(1), api.value(0)]);
          const b = api.coord([api.value(2), api.value(0)]);
          const height = api.size([0, 1])[1];
          const shape = clip(params, { x: a[0], y: a[1] - height / 2, width: b[0] - a[0], height });
          return shape && { type: 'rect', shape, style: { fill: OFF_SHIFT } };
        },
      },
      {
        type: 'custom',
        name: 'bars',
        z: 2,
        data: bars,
        encode: { x: [1, 2, 3], y: 0 },
        renderItem: (params, api) => {
          const row = api.value(0);
          const setup = api.coord([api.value(1), row]);
          const start = api.coord([api.value(2), row]);
          const end = api.coord([api.value(3), row]);
          const height = api.size([0, 1])[1] * 0.62;
          const y = start[1] - height / 2;
          const colour = PALETTE[api.value(6)];
          const late = api.value(4) === 1;
          const rush = api.value(5) === 1;
          const children = [];
          const setupShape = clip(params, { x: setup[0], y, width: start[0] - setup[0], height });
          if (setupShape && setupShape.width > 0) {
            children.push({
              type: 'rect',
              shape: setupShape,
              style: { fill: colour, opacity: 0.35 },
            });
          }
          const shape = clip(params, { x: start[0], y, width: Math.max(end[0] - start[0], 2), height });
          if (shape) {
            children.push({
              type: 'rect',
              shape: { ...shape, r: 3 },
              style: {
                fill: colour,
                stroke: late ? LATE : rush ? RUSH : null,
                lineWidth: late || rush ? 3 : 0,
                lineDash: rush && !late ? [4, 2] : null,
              },
            });
            if (shape.width > 46) {
              const bar = bars[params.dataIndex]?.bar;
              children.push({
                type: 'text',
                silent: true,
                style: {
                  text: byMachine ? bar?.workOrderCode : `${bar?.seq} ${bar?.equipmentCode}`,
                  x: shape.x + 5,
                  y: shape.y + shape.height / 2,
                  verticalAlign: 'middle',
                  fill: '#ffffff',
                  font: '12px system-ui, sans-serif',
                  width: shape.width - 10,
                  overflow: 'truncate',
                },
              });
            }
          }
          return { type: 'group', children };
        },
        markLine:
          now >= from && now <= to
            ? {
                silent: true,
                symbol: 'none',
                animation: false,
                lineStyle: { color: NOW, width: 2, type: 'dashed' },
                label: { formatter: t('planner.gantt.now'), position: 'end', color: NOW },
                data: [{ xAxis: now }],
              }
            : undefined,
      },
    ],
  };
}
