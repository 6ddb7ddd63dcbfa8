// Two plans side by side: the KPI table and the orders that move (shared by rush insertion and what-ifs).
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, formatPercent, t } from '../../i18n.js';
import { duration, signedNumber, signedPercent, time } from './common.js';

/** Lower is better for every figure but utilisation. */
const KPI_ROWS = [
  ['makespanMinutes', (v) => duration(v), (d) => duration(d, { signed: true }), -1],
  ['totalTardinessMinutes', (v) => duration(v), (d) => duration(d, { signed: true }), -1],
  ['lateOrderCount', (v) => formatNumber(v), (d) => signedNumber(d), -1],
  ['totalWeightedTardiness', (v) => formatNumber(v), (d) => signedNumber(d), -1],
  ['totalSetupMinutes', (v) => duration(v), (d) => duration(d, { signed: true }), -1],
  ['averageUtilisation', (v) => formatPercent(v), (d) => signedPercent(d), 1],
];

const tone = (delta, better) => {
  if (delta === null || delta === undefined || delta === 0) return '';
  return delta * better > 0 ? 'better' : 'worse';
};

/** `kpis` of a comparison (left: the reference, right: the candidate) as a table with a delta column. */
export function kpiTable(kpis, leftLabel, rightLabel, site, id) {
  const planEnd = kpis.planEnd;
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table kpi-compare', id },
      h('caption', { class: 'visually-hidden' }, t('planner.compare.kpis')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('planner.compare.kpi')),
          h('th', { scope: 'col', dataset: { side: 'left' } }, leftLabel),
          h('th', { scope: 'col', dataset: { side: 'right' } }, rightLabel),
          h('th', { scope: 'col' }, t('planner.compare.delta')),
        ),
      ),
      h(
        'tbody',
        {},
        h(
          'tr',
          { dataset: { kpi: 'planEnd' } },
          h('th', { scope: 'row' }, t('planner.kpi.planEnd')),
          h('td', { class: 'nowrap' }, formatDateTime(planEnd.left, site.timeZone)),
          h('td', { class: 'nowrap' }, formatDateTime(planEnd.right, site.timeZone)),
          h(
            'td',
            { class: `num ${tone(planEnd.deltaMinutes, -1)}`.trim() },
            duration(planEnd.deltaMinutes, { signed: true }),
          ),
        ),
        KPI_ROWS.map(([name, fmt, fmtDelta, better]) => {
          const k = kpis[name];
          return h(
            'tr',
            { dataset: { kpi: name } },
            h('th', { scope: 'row' }, t(`planner.compare.${name}`)),
            h('td', { class: 'num', dataset: { side: 'left' } }, k.left === null ? '—' : fmt(k.left)),
            h('td', { class: 'num', dataset: { side: 'right' } }, k.right === null ? '—' : fmt(k.right)),
            h(
              'td',
              { class: `num ${tone(k.delta, better)}`.trim() },
              k.delta === null ? '—' : fmtDelta(k.delta),
            ),
          );
        }),
      ),
    ),
  );
}

/** The orders of a comparison, most slipped first: where each ends in both plans. */
export function ordersTable(orders, leftLabel, rightLabel, site, id) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table order-compare', id },
      h('caption', { class: 'visually-hidden' }, t('planner.compare.orders')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('planner.compare.order')),
          h('th', { scope: 'col' }, t('planner.compare.due')),
          h('th', { scope: 'col' }, t('planner.compare.endIn', { plan: leftLabel })),
          h('th', { scope: 'col' }, t('planner.compare.endIn', { plan: rightLabel })),
          h('th', { scope: 'col' }, t('planner.compare.slip')),
        ),
      ),
      h(
        'tbody',
        {},
        orders.map((o) =>
          h(
            'tr',
            { dataset: { wo: o.code }, class: o.rightLate ? 'late' : undefined },
            h(
              'th',
              { scope: 'row' },
              o.code,
              o.newlyLate
                ? h(
                    'span',
                    { class: 'badge danger', dataset: { newlyLate: 'true' } },
                    t('planner.rush.newlyLate'),
                  )
                : null,
            ),
            h('td', { class: 'nowrap' }, time(o.dueAt, site)),
            h(
              'td',
              { class: 'nowrap' },
              o.leftEnd ? time(o.leftEnd, site) : t('planner.compare.notPlanned'),
              o.leftLate ? h('span', { class: 'badge danger' }, t('planner.late')) : null,
            ),
            h(
              'td',
              { class: 'nowrap' },
              o.rightEnd ? time(o.rightEnd, site) : t('planner.compare.notPlanned'),
              o.rightLate ? h('span', { class: 'badge danger' }, t('planner.late')) : null,
            ),
            h(
              'td',
              { class: `num ${tone(o.slipMinutes, -1)}`.trim(), dataset: { field: 'slip' } },
              o.slipMinutes === null ? '—' : duration(o.slipMinutes, { signed: true }),
            ),
          ),
        ),
      ),
    ),
  );
}
