// The genealogy as a layered graph (ECharts `graph`, laid out here): where the lot came from on the left, the lot
// in the middle, where it went on the right; one column per level, edges parent → child with the quantity.
import { formatNumber, t, tOr } from '../../i18n.js';
import { displayStatus, materialName } from './model.js';

/** Fill of a node by what the lot is now (white text on each meets WCAG AA). */
export const STATUS_COLORS = {
  available: '#1b6e3a',
  quarantine: '#8a5300',
  hold: '#b3261e',
  rejected: '#6d1b16',
  consumed: '#52606d',
  expired: '#3e4c59',
  shipped: '#0b4f8a',
};
const FALLBACK_COLOR = '#52606d';
const COLUMN_GAP = 240;
const ROW_GAP = 64;
const NODE_SIZE = [168, 46];
/** Beyond this many lots the graph gets hard to read: it is drawn without edge labels. */
const MANY_EDGES = 60;

/** Tallest drawing (px): beyond it rows get closer (the chart can be zoomed). */
const MAX_HEIGHT = 1400;
const LEGEND_SPACE = 44;
const PAD = 24;

/**
 * The layout of a trace: every lot once (backward at negative columns, forward at positive ones), with the
 * edges met on both walks once each.
 */
export function layout(trace) {
  const nodes = new Map();
  const place = (node, column) => {
    if (!nodes.has(node.id)) nodes.set(node.id, { node, column });
  };
  place(trace.lot, 0);
  for (const n of trace.backward?.nodes ?? []) place(n, -n.depth);
  for (const n of trace.forward?.nodes ?? []) place(n, n.depth);
  const columns = new Map();
  for (const entry of nodes.values()) {
    const list = columns.get(entry.column) ?? [];
    list.push(entry);
    columns.set(entry.column, list);
  }
  let tallest = 1;
  for (const list of columns.values()) {
    list.sort(
      (a, b) =>
        a.node.materialCode.localeCompare(b.node.materialCode) || a.node.code.localeCompare(b.node.code),
    );
    list.forEach((entry, i) => {
      entry.row = i - (list.length - 1) / 2;
    });
    tallest = Math.max(tallest, list.length);
  }
  const edges = new Map();
  for (const e of [...(trace.backward?.edges ?? []), ...(trace.forward?.edges ?? [])]) {
    const key = `${e.from}>${e.to}>${e.kind}`;
    if (!edges.has(key)) edges.set(key, e);
  }
  const keys = [...columns.keys()];
  return {
    nodes: [...nodes.values()],
    edges: [...edges.values()],
    tallest,
    minColumn: Math.min(...keys),
    maxColumn: Math.max(...keys),
  };
}

/** The drawing's size (px): as wide as the columns need (the box scrolls), as tall as the rows need. */
export function graphSize(laid, availableWidth) {
  const columns = laid.maxColumn - laid.minColumn + 1;
  const width = Math.max(availableWidth, (columns - 1) * COLUMN_GAP + NODE_SIZE[0] + 2 * PAD);
  const height = Math.min(MAX_HEIGHT, Math.max(240, laid.tallest * ROW_GAP + LEGEND_SPACE + 2 * PAD));
  return { width, height };
}

/**
 * Two invisible corner points that give the drawing the box's proportions, so ECharts (which fits the points'
 * bounding box into the box, keeping its aspect) draws at one pixel per unit whatever the graph's shape.
 */
function frame(laid, size) {
  const xs = laid.nodes.map((e) => e.column * COLUMN_GAP);
  const ys = laid.nodes.map((e) => e.row * ROW_GAP);
  let [x0, x1] = [Math.min(...xs) - NODE_SIZE[0] / 2 - PAD, Math.max(...xs) + NODE_SIZE[0] / 2 + PAD];
  let [y0, y1] = [Math.min(...ys) - NODE_SIZE[1] / 2 - PAD, Math.max(...ys) + NODE_SIZE[1] / 2 + PAD];
  const aspect = size.width / (size.height - LEGEND_SPACE);
  if ((x1 - x0) / (y1 - y0) < aspect) {
    const grow = ((y1 - y0) * aspect - (x1 - x0)) / 2;
    [x0, x1] = [x0 - grow, x1 + grow];
  } else {
    const grow = ((x1 - x0) / aspect - (y1 - y0)) / 2;
    [y0, y1] = [y0 - grow, y1 + grow];
  }
  const corner = (id, x, y) => ({ id, name: '', x, y, symbolSize: 0, label: { show: false } });
  return [corner('frame-0', x0, y0), corner('frame-1', x1, y1)];
}

/** The ECharts option of a laid-out trace. `root` is the lot in the middle. */
export function graphOption(laid, trace, hasShipments, size) {
  const statuses = [...new Set(laid.nodes.map((e) => displayStatus(e.node, hasShipments(e.node.id))))];
  const categories = statuses.map((status) => ({
    name: tOr('trace.lotStatus', status),
    itemStyle: { color: STATUS_COLORS[status] ?? FALLBACK_COLOR },
  }));
  const many = laid.edges.length > MANY_EDGES;
  return {
    animationDuration: 300,
    aria: { enabled: true, label: { description: t('trace.graph.aria', { code: trace.lot.code }) } },
    legend: {
      data: categories.map((c) => c.name),
      top: 0,
      left: 'center',
      textStyle: { color: '#1f2933' },
      selectedMode: false,
    },
    tooltip: {
      renderMode: 'richText',
      confine: true,
      formatter: (p) =>
        p.dataType === 'edge' ? edgeTip(p.data.edge) : p.data.node ? nodeTip(p.data.node) : '',
    },
    series: [
      {
        type: 'graph',
        layout: 'none',
        roam: true,
        top: LEGEND_SPACE,
        bottom: 0,
        left: 0,
        right: 0,
        nodeScaleRatio: 0,
        categories,
        symbol: 'roundRect',
        symbolSize: NODE_SIZE,
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: 9,
        label: {
          show: true,
          position: 'inside',
          color: '#ffffff',
          fontSize: 12,
          lineHeight: 15,
          formatter: (p) => (p.data.node ? `${p.data.node.code}\n${p.data.node.materialCode}` : ''),
        },
        edgeLabel: {
          show: !many,
          fontSize: 11,
          color: '#1f2933',
          backgroundColor: '#ffffff',
          padding: [1, 3],
          formatter: (p) => `${formatNumber(p.data.edge.quantity)} ${p.data.edge.unit}`,
        },
        lineStyle: { color: '#52606d', width: 1.5, curveness: 0.08, opacity: 0.9 },
        emphasis: { focus: 'adjacency', lineStyle: { width: 3 } },
        data: [
          ...frame(laid, size),
          ...laid.nodes.map(({ node, column, row }) => {
            const status = displayStatus(node, hasShipments(node.id));
            const root = node.id === trace.lot.id;
            return {
              id: node.id,
              name: node.code,
              node,
              x: column * COLUMN_GAP,
              y: row * ROW_GAP,
              category: statuses.indexOf(status),
              itemStyle: root ? { borderColor: '#f5a623', borderWidth: 4 } : { borderColor: '#ffffff' },
              cursor: root ? 'default' : 'pointer',
            };
          }),
        ],
        links: laid.edges.map((edge) => ({
          source: edge.from,
          target: edge.to,
          edge,
          lineStyle: edge.kind === 'production' ? {} : { type: 'dashed' },
        })),
      },
    ],
  };
}

function nodeTip(node) {
  const lines = [
    `${node.code} · ${tOr('trace.lotStatus', node.status)}`,
    `${node.materialCode} ${materialName(node)}`,
    `${t('trace.field.onHand')}: ${formatNumber(node.onHand)} / ${formatNumber(node.initialQty)} ${node.unit}`,
    `${t('trace.field.origin')}: ${tOr('trace.origin', node.origin)}`,
  ];
  if (node.workOrderCode) lines.push(`${t('trace.field.workOrder')}: ${node.workOrderCode}`);
  if (node.supplierCode)
    lines.push(`${t('trace.field.supplier')}: ${node.supplierCode} ${node.supplierLot ?? ''}`.trim());
  return lines.join('\n');
}

function edgeTip(edge) {
  const head = `${edge.fromCode} → ${edge.toCode}`;
  const what = `${tOr('trace.edgeKind', edge.kind)} ${formatNumber(edge.quantity)} ${edge.unit}`;
  return edge.workOrderCode ? `${head}\n${what}\n${edge.workOrderCode}` : `${head}\n${what}`;
}
