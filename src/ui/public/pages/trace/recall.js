// The recall scope (召回范围) of the lot traced: every lot made from it, where each is now (stock, work in
// progress, shipped to which customer), what a hold would stop, the export, and the hold itself for the roles
// that may (quality, admin).
import { renderProblem } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, t, tOr } from '../../i18n.js';
import { lotLink, table } from './widgets.js';

export function recallPanel(p) {
  const { recall, site } = p;
  const head = h(
    'div',
    { class: 'trace-toolbar' },
    h('h2', { id: 'recall-title' }, t('trace.recall.title', { code: p.result.lot.code })),
    h('p', { class: 'muted small' }, t('trace.recall.help')),
  );
  if (p.error && !recall) return [head, problem(p.error)];
  if (!recall) return [head, h('p', { class: 'muted', role: 'status' }, t('trace.recall.loading'))];
  const s = recall.summary;
  const figure = (name, value, detail) =>
    h(
      'div',
      { class: 'recall-figure', dataset: { figure: name } },
      h('dt', {}, t(`trace.recall.figure.${name}`)),
      h(
        'dd',
        {},
        h('span', { class: 'recall-value', dataset: { value: name } }, formatNumber(value)),
        detail,
      ),
    );
  const byStatus = Object.entries(s.inStock.byStatus);
  return [
    head,
    p.error ? problem(p.error) : null,
    recall.truncated ? h('p', { class: 'notice' }, t('trace.recall.truncated')) : null,
    h(
      'dl',
      { class: 'recall-figures', id: 'recall-figures' },
      figure('lots', s.lots),
      figure(
        'inStock',
        s.inStock.lots,
        byStatus.length
          ? h(
              'span',
              { class: 'recall-detail' },
              byStatus.map(([status, count]) =>
                h(
                  'span',
                  { class: `badge lot-${status}`, dataset: { status } },
                  `${tOr('trace.lotStatus', status)} ${formatNumber(count)}`,
                ),
              ),
            )
          : null,
      ),
      figure(
        'wip',
        s.wip.lots,
        h(
          'span',
          { class: 'recall-detail muted', dataset: { detail: 'wip' } },
          t('trace.recall.wipOrders', { count: formatNumber(s.wip.workOrders) }),
        ),
      ),
      figure(
        'shipped',
        s.shipped.lots,
        h(
          'span',
          { class: 'recall-detail muted', dataset: { detail: 'shipped' } },
          t('trace.recall.shippedTo', {
            customers: formatNumber(s.shipped.customers),
            shipments: formatNumber(s.shipped.shipments),
          }),
        ),
      ),
      figure('toHold', s.toHold),
    ),
    h(
      'div',
      { class: 'trace-actions' },
      h(
        'button',
        { type: 'button', id: 'recall-export', onclick: p.on.exportCsv, disabled: p.exporting },
        p.exporting ? t('trace.recall.exporting') : t('trace.recall.export'),
      ),
      p.canHold && !p.hold.open
        ? h(
            'button',
            {
              type: 'button',
              class: 'danger',
              id: 'recall-hold-open',
              onclick: p.on.openHold,
              disabled: s.toHold === 0 && s.wip.workOrders === 0,
            },
            t('trace.recall.hold', { count: formatNumber(s.toHold) }),
          )
        : null,
    ),
    p.exportError ? problem(p.exportError) : null,
    p.hold.result ? holdResult(p.hold.result) : null,
    p.canHold && p.hold.open ? holdForm(p) : null,
    customers(recall),
    workOrders(recall),
    lots(p, site),
  ];
}

function problem(error) {
  const box = h('div', { class: 'recall-problem' });
  renderProblem(box, error);
  return box;
}

function holdForm(p) {
  const s = p.recall.summary;
  const reason = h('textarea', {
    id: 'recall-hold-reason',
    name: 'reason',
    rows: '3',
    maxlength: '400',
    required: true,
    'aria-describedby': 'recall-hold-note',
  });
  reason.value = p.hold.reason;
  const orders = h('input', { type: 'checkbox', id: 'recall-hold-orders', name: 'holdWorkOrders' });
  orders.checked = p.hold.workOrders;
  const errorBox = h('div', { id: 'recall-hold-problem', hidden: true });
  if (p.hold.error) renderProblem(errorBox, p.hold.error);
  return h(
    'form',
    {
      class: 'recall-hold form',
      id: 'recall-hold-form',
      novalidate: true,
      'aria-labelledby': 'recall-hold-title',
      onsubmit: (event) => {
        event.preventDefault();
        p.on.submitHold(reason.value.trim(), orders.checked);
      },
    },
    h('h3', { id: 'recall-hold-title' }, t('trace.hold.title')),
    h(
      'p',
      { id: 'recall-hold-note' },
      t('trace.hold.note', { count: formatNumber(s.toHold), orders: formatNumber(s.wip.workOrders) }),
    ),
    h('label', { for: 'recall-hold-reason' }, t('trace.hold.reason')),
    reason,
    h(
      'label',
      { class: 'check' },
      orders,
      ' ',
      t('trace.hold.workOrders', { count: formatNumber(s.wip.workOrders) }),
    ),
    errorBox,
    h(
      'div',
      { class: 'trace-actions' },
      h(
        'button',
        { type: 'submit', class: 'danger primary', id: 'recall-hold-submit', disabled: p.hold.busy },
        p.hold.busy ? t('trace.hold.busy') : t('trace.hold.submit'),
      ),
      h(
        'button',
        { type: 'button', id: 'recall-hold-cancel', onclick: p.on.cancelHold },
        t('trace.hold.cancel'),
      ),
    ),
  );
}

function holdResult(result) {
  const codes = (list) => (list.length ? list.join(t('list.separator')) : '—');
  return h(
    'div',
    { class: 'notice recall-result', id: 'recall-hold-result', role: 'status', tabindex: '-1' },
    h(
      'p',
      { dataset: { field: 'held' } },
      t('trace.hold.done', { count: formatNumber(result.held.length) }),
      ' ',
      h('span', { class: 'small' }, codes(result.held)),
    ),
    h(
      'p',
      { class: 'small' },
      t('trace.hold.already', { count: formatNumber(result.alreadyHeld.length) }),
      ' · ',
      t('trace.hold.notInHand', { count: formatNumber(result.notInHand) }),
      result.workOrdersHeld.length
        ? [' · ', t('trace.hold.ordersHeld', { codes: codes(result.workOrdersHeld) })]
        : null,
    ),
  );
}

function customers(recall) {
  return h(
    'section',
    { class: 'trace-section', 'aria-labelledby': 'recall-customers-title' },
    h('h3', { id: 'recall-customers-title' }, t('trace.recall.customers')),
    recall.customers.length === 0
      ? h('p', { class: 'muted' }, t('trace.recall.noCustomers'))
      : table(
          'recall-customers',
          [t('trace.col.customer'), t('trace.col.name'), t('trace.col.lots'), t('trace.col.shipments')],
          recall.customers.map((c) => ({
            dataset: { customer: c.customerCode },
            head: c.customerCode,
            cells: [
              c.customerName,
              {
                field: 'lots',
                text: c.lots.flatMap((code, i) =>
                  i ? [t('list.separator'), lotLink(code)] : [lotLink(code)],
                ),
              },
              { field: 'shipments', text: c.shipments.join(t('list.separator')) },
            ],
          })),
          t('trace.recall.customers'),
        ),
  );
}

function workOrders(recall) {
  return h(
    'section',
    { class: 'trace-section', 'aria-labelledby': 'recall-wip-title' },
    h('h3', { id: 'recall-wip-title' }, t('trace.recall.workOrders')),
    recall.workOrders.length === 0
      ? h('p', { class: 'muted' }, t('trace.recall.noWorkOrders'))
      : table(
          'recall-wip',
          [
            t('trace.col.workOrder'),
            t('trace.col.status'),
            t('trace.col.material'),
            t('trace.col.line'),
            t('trace.col.lots'),
          ],
          recall.workOrders.map((w) => ({
            dataset: { wo: w.code },
            head: w.code,
            cells: [
              h('span', { class: `badge status-${w.status}` }, tOr('status', w.status)),
              w.materialCode,
              w.lineCode,
              w.lots.flatMap((code, i) => (i ? [t('list.separator'), lotLink(code)] : [lotLink(code)])),
            ],
          })),
          t('trace.recall.workOrders'),
        ),
  );
}

function lots(p, site) {
  const { recall } = p;
  const { offset, total } = recall.page;
  const shown = recall.lots.length;
  const where = (l) => {
    const parts = [
      ...l.locations.map((loc) =>
        h(
          'span',
          { class: 'recall-where' },
          t('trace.recall.atLocation', {
            location: loc.code,
            quantity: formatNumber(loc.quantity),
            unit: l.unit,
          }),
        ),
      ),
      ...l.wip.map((w) =>
        h(
          'span',
          { class: 'recall-where' },
          t('trace.recall.inOrder', {
            order: w.workOrderCode,
            quantity: formatNumber(w.quantity),
            unit: l.unit,
          }),
        ),
      ),
      ...l.shipments.map((s) =>
        h(
          'span',
          { class: 'recall-where' },
          t('trace.recall.shippedLine', {
            customer: s.customerCode,
            quantity: formatNumber(s.quantity),
            unit: l.unit,
            shipment: s.shipmentCode,
            time: formatDateTime(s.shippedAt, site.timeZone),
          }),
        ),
      ),
    ];
    return parts.length ? parts : h('span', { class: 'muted' }, t('trace.recall.usedUp'));
  };
  return h(
    'section',
    { class: 'trace-section', 'aria-labelledby': 'recall-lots-title' },
    h('h3', { id: 'recall-lots-title' }, t('trace.recall.lots')),
    table(
      'recall-lots',
      [
        t('trace.col.lot'),
        t('trace.col.level'),
        t('trace.col.material'),
        t('trace.col.status'),
        t('trace.col.onHand'),
        t('trace.col.where'),
        t('trace.col.holdable'),
      ],
      recall.lots.map((l) => ({
        dataset: { lot: l.code },
        head: l.id === p.result.lot.id ? l.code : lotLink(l.code),
        cells: [
          formatNumber(l.depth),
          [l.materialCode, h('span', { class: 'muted row-line' }, l.materialName)],
          h(
            'span',
            { class: `badge lot-${l.status}`, dataset: { field: 'status' } },
            tOr('trace.lotStatus', l.status),
          ),
          { class: 'num', field: 'onHand', text: `${formatNumber(l.onHand)} ${l.unit}` },
          { class: 'recall-where-cell', field: 'where', text: where(l) },
          { field: 'holdable', text: l.holdable ? t('trace.recall.yes') : t('trace.recall.no') },
        ],
      })),
      t('trace.recall.lots'),
    ),
    total > shown || offset > 0
      ? h(
          'div',
          { class: 'trace-pager' },
          h(
            'button',
            {
              type: 'button',
              id: 'recall-prev',
              disabled: offset === 0 || p.loading,
              onclick: () => p.on.page(Math.max(0, offset - p.pageSize)),
            },
            t('trace.recall.prev'),
          ),
          h(
            'span',
            { role: 'status' },
            t('trace.recall.range', {
              from: formatNumber(offset + 1),
              to: formatNumber(offset + shown),
              total: formatNumber(total),
            }),
          ),
          h(
            'button',
            {
              type: 'button',
              id: 'recall-next',
              disabled: offset + shown >= total || p.loading,
              onclick: () => p.on.page(offset + p.pageSize),
            },
            t('trace.recall.next'),
          ),
        )
      : null,
  );
}
