// The documents of a trace: the work orders that made or consumed its lots (operations, operators, machines,
// parameters), inspections, NCRs, shipments to customers, receipts from suppliers, stock on hand and the ledger
// of the lot traced. Everything is what the trace API answered; nothing is fetched here.
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, t, tOr } from '../../i18n.js';
import { materialName } from './model.js';
import { lotLink, table } from './widgets.js';

const byId = (lists) => {
  const map = new Map();
  for (const item of lists.flat()) if (!map.has(item.id)) map.set(item.id, item);
  return [...map.values()];
};

export function documentsPanel(r, site) {
  const when = (iso) => formatDateTime(iso, site.timeZone);
  const lotCode = (id) => r.nodes.get(id)?.code ?? '—';
  const entries = [...r.docs.values()];
  const workOrders = byId([r.backward.workOrders, r.forward.workOrders]);
  const inspections = byId(entries.map((d) => d.inspections));
  const ncrs = byId(entries.map((d) => d.ncrs));
  const shipments = entries.flatMap((d) => d.shipments.map((s) => ({ ...s, lotId: d.lotId })));
  const receipts = [...r.nodes.values()].filter((n) => n.origin === 'receipt');
  const stock = entries.flatMap((d) => d.locations.map((l) => ({ ...l, lotId: d.lotId })));
  const rootDocs = r.docs.get(r.lot.id);

  // What each order did in this trace: the lots it made, and the lots of the trace it consumed.
  const made = new Map();
  for (const n of r.nodes.values()) {
    if (n.workOrderId) made.set(n.workOrderId, [...(made.get(n.workOrderId) ?? []), n.code]);
  }
  const consumed = new Map();
  for (const d of entries) {
    for (const c of d.consumedBy) {
      const list = consumed.get(c.workOrderId) ?? [];
      list.push({ code: lotCode(d.lotId), quantity: c.quantity, unit: r.nodes.get(d.lotId)?.unit ?? '' });
      consumed.set(c.workOrderId, list);
    }
  }

  const section = (name, count, body) =>
    h(
      'section',
      { class: 'trace-section', id: `trace-docs-${name}`, 'aria-labelledby': `trace-docs-${name}-title` },
      h(
        'h3',
        { id: `trace-docs-${name}-title` },
        t(`trace.docs.${name}`),
        ' ',
        h('span', { class: 'badge', dataset: { count: name } }, formatNumber(count)),
      ),
      count === 0 ? h('p', { class: 'muted' }, t('trace.docs.none')) : body(),
    );

  return [
    h('h2', { class: 'visually-hidden' }, t('trace.tab.documents')),
    section('workOrders', workOrders.length, () =>
      h(
        'div',
        { class: 'trace-orders' },
        workOrders.map((w) =>
          h(
            'details',
            { class: 'trace-order', dataset: { wo: w.code } },
            h(
              'summary',
              {},
              h('strong', {}, w.code),
              h('span', { class: `badge status-${w.status}` }, tOr('status', w.status)),
              h(
                'span',
                { class: 'muted' },
                t('trace.wo.summary', {
                  material: w.materialCode,
                  line: w.lineCode,
                  good: formatNumber(w.goodQty),
                  planned: formatNumber(w.quantity),
                  scrap: formatNumber(w.scrapQty),
                }),
              ),
            ),
            h(
              'dl',
              { class: 'trace-facts' },
              h('div', {}, h('dt', {}, t('trace.wo.started')), h('dd', {}, when(w.startedAt))),
              h('div', {}, h('dt', {}, t('trace.wo.completed')), h('dd', {}, when(w.completedAt))),
              h(
                'div',
                {},
                h('dt', {}, t('trace.wo.made')),
                h(
                  'dd',
                  { dataset: { field: 'made' } },
                  listOf((made.get(w.id) ?? []).map((c) => lotLink(c))),
                ),
              ),
              h(
                'div',
                {},
                h('dt', {}, t('trace.wo.consumed')),
                h(
                  'dd',
                  { dataset: { field: 'consumed' } },
                  listOf(
                    (consumed.get(w.id) ?? []).map((c) => [
                      lotLink(c.code),
                      ` ${formatNumber(c.quantity)} ${c.unit}`,
                    ]),
                  ),
                ),
              ),
            ),
            w.operations.length === 0
              ? null
              : table(
                  `trace-ops-${w.code}`,
                  [
                    t('trace.op.seq'),
                    t('trace.op.name'),
                    t('trace.op.workCenter'),
                    t('trace.op.status'),
                    t('trace.op.goodScrap'),
                    t('trace.op.operators'),
                    t('trace.op.readings'),
                    t('trace.op.time'),
                  ],
                  w.operations.map((o) => ({
                    dataset: { seq: String(o.seq) },
                    head: String(o.seq),
                    cells: [
                      o.name,
                      [
                        o.workCenterCode,
                        o.equipmentCode ? h('span', { class: 'muted row-line' }, o.equipmentCode) : null,
                      ],
                      tOr('opState', o.status),
                      { class: 'num', text: `${formatNumber(o.goodQty)} / ${formatNumber(o.scrapQty)}` },
                      listOf(o.operators.map((p) => p.name)),
                      listOf(
                        o.readings.map((x) =>
                          h(
                            'span',
                            { class: x.inRange ? '' : 'trace-out-of-range' },
                            `${x.name} ${formatNumber(x.value)}${x.unit ? ` ${x.unit}` : ''}`,
                            x.inRange ? '' : ` (${t('trace.op.outOfRange')})`,
                          ),
                        ),
                      ),
                      `${when(o.startedAt)} – ${when(o.completedAt)}`,
                    ],
                  })),
                  t('trace.op.caption', { code: w.code }),
                ),
          ),
        ),
      ),
    ),
    section('inspections', inspections.length, () =>
      table(
        'trace-inspections',
        [
          t('trace.col.inspection'),
          t('trace.col.type'),
          t('trace.col.plan'),
          t('trace.col.lot'),
          t('trace.col.status'),
          t('trace.col.outcome'),
          t('trace.col.decided'),
        ],
        inspections.map((i) => ({
          dataset: { inspection: i.code },
          head: h(
            'a',
            { href: `/quality?view=inspections&inspection=${encodeURIComponent(i.id)}`, 'data-link': true },
            i.code,
          ),
          cells: [
            tOr('trace.inspectionType', i.type),
            i.planCode,
            i.lotId ? lotLink(lotCode(i.lotId)) : '—',
            tOr('trace.inspectionStatus', i.status),
            outcome(i.lotOutcome),
            i.decidedAt ? `${when(i.decidedAt)}${i.decidedBy ? ` · ${i.decidedBy}` : ''}` : '—',
          ],
        })),
        t('trace.docs.inspections'),
      ),
    ),
    section('ncrs', ncrs.length, () =>
      table(
        'trace-ncrs',
        [
          t('trace.col.ncr'),
          t('trace.col.title'),
          t('trace.col.status'),
          t('trace.col.disposition'),
          t('trace.col.source'),
          t('trace.col.lots'),
          t('trace.col.created'),
        ],
        ncrs.map((n) => ({
          dataset: { ncr: n.code },
          head: h(
            'a',
            { href: `/quality?view=ncr&ncr=${encodeURIComponent(n.id)}`, 'data-link': true },
            n.code,
          ),
          cells: [
            n.title,
            tOr('trace.ncrStatus', n.status),
            n.disposition ? tOr('trace.disposition', n.disposition) : '—',
            tOr('trace.ncrSource', n.source),
            listOf(n.lots.filter((l) => r.nodes.has(l.lotId)).map((l) => lotLink(lotCode(l.lotId)))),
            when(n.createdAt),
          ],
        })),
        t('trace.docs.ncrs'),
      ),
    ),
    section('shipments', shipments.length, () =>
      table(
        'trace-shipments',
        [
          t('trace.col.shipment'),
          t('trace.col.customer'),
          t('trace.col.lot'),
          t('trace.col.quantity'),
          t('trace.col.shippedAt'),
          t('trace.col.reference'),
          t('trace.col.serials'),
        ],
        shipments.map((s) => ({
          dataset: { shipment: s.shipmentCode, lot: lotCode(s.lotId) },
          head: s.shipmentCode,
          cells: [
            {
              field: 'customer',
              text: [s.customerCode, h('span', { class: 'muted row-line' }, s.customerName)],
            },
            lotLink(lotCode(s.lotId)),
            {
              class: 'num',
              field: 'quantity',
              text: `${formatNumber(s.quantity)} ${r.nodes.get(s.lotId)?.unit ?? ''}`,
            },
            when(s.shippedAt),
            s.reference ?? '—',
            s.serials?.length ? listOf(s.serials) : '—',
          ],
        })),
        t('trace.docs.shipments'),
      ),
    ),
    section('receipts', receipts.length, () =>
      table(
        'trace-receipts',
        [
          t('trace.col.lot'),
          t('trace.col.material'),
          t('trace.col.supplier'),
          t('trace.col.supplierLot'),
          t('trace.col.quantity'),
          t('trace.col.receivedAt'),
          t('trace.col.expiry'),
        ],
        receipts.map((n) => ({
          dataset: { lot: n.code },
          head: n.id === r.lot.id ? n.code : lotLink(n.code),
          cells: [
            [n.materialCode, h('span', { class: 'muted row-line' }, materialName(n))],
            n.supplierCode
              ? [
                  n.supplierCode,
                  n.supplierName ? h('span', { class: 'muted row-line' }, n.supplierName) : null,
                ]
              : '—',
            n.supplierLot ?? '—',
            { class: 'num', text: `${formatNumber(n.initialQty)} ${n.unit}` },
            when(n.receivedAt),
            n.expiryDate ?? '—',
          ],
        })),
        t('trace.docs.receipts'),
      ),
    ),
    section('stock', stock.length, () =>
      table(
        'trace-stock',
        [t('trace.col.lot'), t('trace.col.location'), t('trace.col.status'), t('trace.col.quantity')],
        stock.map((s) => {
          const n = r.nodes.get(s.lotId);
          return {
            dataset: { lot: n?.code ?? '', location: s.locationCode },
            head: n && n.id !== r.lot.id ? lotLink(n.code) : (n?.code ?? '—'),
            cells: [
              [s.locationCode, h('span', { class: 'muted row-line' }, s.locationName)],
              n ? tOr('trace.lotStatus', n.status) : '—',
              { class: 'num', field: 'quantity', text: `${formatNumber(s.quantity)} ${n?.unit ?? ''}` },
            ],
          };
        }),
        t('trace.docs.stock'),
      ),
    ),
    section('movements', rootDocs?.movements.length ?? 0, () =>
      table(
        'trace-movements',
        [
          t('trace.col.time'),
          t('trace.col.movement'),
          t('trace.col.quantity'),
          t('trace.col.fromTo'),
          t('trace.col.reference'),
          t('trace.col.by'),
        ],
        [...rootDocs.movements].reverse().map((m) => ({
          dataset: { movement: m.type },
          head: when(m.occurredAt),
          cells: [
            tOr('trace.movement', m.type),
            { class: 'num', text: `${formatNumber(m.quantity)} ${r.lot.unit}` },
            `${m.fromLocationCode ?? '—'} → ${m.toLocationCode ?? '—'}`,
            [m.reference ?? '', m.note ? h('span', { class: 'muted row-line' }, m.note) : null],
            m.actorName,
          ],
        })),
        t('trace.docs.movements'),
      ),
    ),
  ];
}

/** Items separated the reader's way, or a dash for none. */
function listOf(items) {
  if (items.length === 0) return '—';
  return items.flatMap((item, i) => (i === 0 ? [item] : [t('list.separator'), item]));
}

/** What an inspection's decision did to its lot (kept as JSON: from → to, or why nothing changed). */
function outcome(o) {
  if (!o) return '—';
  if (typeof o !== 'object') return String(o);
  const change = `${tOr('trace.lotStatus', o.from)} → ${tOr('trace.lotStatus', o.to)}`;
  return o.applied ? change : [change, h('span', { class: 'muted row-line' }, o.message)];
}
