// The read-load fixture and request mix (test/hardening/read-load.hardening.mjs): the demo factory after some
// work, and what each role reads.

import { randomUUID } from 'node:crypto';
import { api, DEMO_PASSWORD, log, login, mapLimit } from '../../../bench/common.mjs';

// The demo factory's assembly terminal and operator badge (seeds/demo-factory.ts).
const DEMO_TERMINAL = { terminalCode: 'T-ASSY-01', deviceKey: 'demo-terminal-device-key-0001' };
const DEMO_BADGE = { badgeCode: 'B1001', pin: '1234' };

// ---------------------------------------------------------------------------------------------------------
// Set-up: the demo factory after some work
// ---------------------------------------------------------------------------------------------------------

const itemsOf = (body) => (Array.isArray(body) ? body : body.items);

async function listAll(app, token, path) {
  const { body } = await api(app, 'GET', `${path}${path.includes('?') ? '&' : '?'}limit=500`, {
    token,
    expect: [200],
  });
  return itemsOf(body);
}

export async function setUp(app) {
  const tokens = {
    admin: await login(app, 'admin', DEMO_PASSWORD),
    planner: await login(app, 'planner', DEMO_PASSWORD),
    warehouse: await login(app, 'warehouse', DEMO_PASSWORD),
    viewer: await login(app, 'viewer', DEMO_PASSWORD),
  };
  const { body: terminalLogin } = await api(app, 'POST', '/auth/terminal-login', {
    body: { ...DEMO_TERMINAL, ...DEMO_BADGE },
    expect: [200],
  });
  tokens.operator = terminalLogin.accessToken;

  const sites = itemsOf((await api(app, 'GET', '/sites', { token: tokens.admin })).body);
  const site = sites.find((s) => s.code === 'SZ01');
  if (!site) throw new Error(`the demo site SZ01 is missing; sites: ${JSON.stringify(sites)}`);
  const s = `/sites/${site.id}`;

  const [materials, locations, lines, workCenters] = await Promise.all(
    ['materials', 'locations', 'lines', 'work-centers'].map((c) => listAll(app, tokens.admin, `${s}/${c}`)),
  );
  const loc = (code) => {
    const found = locations.find((l) => l.code === code);
    if (!found) throw new Error(`the demo location ${code} is missing`);
    return found;
  };
  const bins = locations.filter((l) => l.locationType === 'bin');
  const lineSide = locations.filter((l) => l.locationType === 'line_side');
  if (bins.length === 0 || lineSide.length === 0)
    throw new Error('the demo bins or line-side locations are missing');

  // Stock: two lots of every bought or raw material in the warehouse bins, one at a line side.
  const stocked = materials.filter(
    (m) => m.lotTracked && !m.serialTracked && m.materialClass !== 'finished' && m.active !== false,
  );
  if (stocked.length === 0) throw new Error('the demo factory has no lot-tracked materials to receive');
  const receipts = stocked.flatMap((m, i) => [
    ...[0, 1].map((k) => ({
      material: m.code,
      location: bins[(i + k) % bins.length].code,
      quantity: '400',
    })),
    { material: m.code, location: lineSide[i % lineSide.length].code, quantity: '120' },
  ]);
  log(`receiving ${receipts.length} lots of ${stocked.length} materials`);
  const lots = await mapLimit(receipts, 4, async (r) => {
    const { body } = await api(app, 'POST', `${s}/inventory/receipts`, {
      token: tokens.warehouse,
      body: r,
      expect: [201],
    });
    return body;
  });

  // Line stock levels for what was put at the line side.
  await mapLimit(
    receipts.filter((r) => lineSide.some((l) => l.code === r.location)),
    4,
    (r) =>
      api(app, 'PUT', `${s}/inventory/line-stock-levels`, {
        token: tokens.planner,
        body: { location: r.location, material: r.material, minQty: '20', maxQty: '200' },
        expect: [200],
      }),
  );

  // Half of the planned orders released (one at a time: release takes the site's release lock).
  const planned = await listAll(app, tokens.planner, `${s}/work-orders?status=planned`);
  const toRelease = planned.filter((_, i) => i % 2 === 0);
  log(`releasing ${toRelease.length} of ${planned.length} planned work orders`);
  await mapLimit(toRelease, 1, (wo) =>
    api(app, 'POST', `${s}/work-orders/${wo.id}/release`, {
      token: tokens.planner,
      body: { allowShortage: true },
      expect: [200],
    }),
  );
  const workOrders = await listAll(app, tokens.planner, `${s}/work-orders`);

  // The terminal's dispatch list, and one operation started there so the list has a running one.
  const { body: dispatch } = await api(app, 'GET', '/terminal/dispatch', {
    token: tokens.operator,
    expect: [200],
  });
  const startable = dispatch.find((d) => d.state === 'ready');
  if (startable) {
    const equipment = (
      await api(app, 'GET', `/terminal/operations/${startable.operationId}`, { token: tokens.operator })
    ).body.equipmentOptions?.[0]?.equipmentId;
    const res = await api(app, 'POST', `/terminal/operations/${startable.operationId}/start`, {
      token: tokens.operator,
      body: equipment ? { equipment } : {},
      headers: { 'idempotency-key': randomUUID() },
      expect: null,
    });
    if (res.status !== 200) log(`starting ${startable.workOrderCode} at the terminal answered ${res.status}`);
  }
  const operationIds = dispatch.map((d) => d.operationId);
  if (operationIds.length === 0) throw new Error('the terminal dispatch list is empty after the releases');

  return {
    tokens,
    siteId: site.id,
    materials,
    stockedMaterials: stocked,
    lots,
    lineSide,
    lines,
    workCenters,
    workOrders,
    operationIds,
    warehouse: loc('WH-RM'),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The mix
// ---------------------------------------------------------------------------------------------------------

/** A small deterministic generator (mulberry32), so that every run asks the same questions. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const isPage = (b) => b && Array.isArray(b.items) && Number.isInteger(b.total);
const nonEmptyPage = (b) => isPage(b) && b.items.length > 0;

/**
 * Each request kind: its weight in the mix, who asks, the path it asks (from the generator `r`) and what a
 * right answer looks like.
 */
export function mixOf(fx) {
  const s = `/sites/${fx.siteId}`;
  const pick = (r, list) => list[Math.floor(r() * list.length)];
  const statuses = ['released', 'planned', 'released,kitting,ready,running', 'planned,released'];
  const codes = fx.workOrders.map((w) => w.code);
  const producedMaterials = [...new Set(fx.workOrders.map((w) => w.materialId))];
  const assemblyLines = fx.lines;
  return [
    {
      name: 'work-order list (filters, paging)',
      weight: 18,
      token: fx.tokens.planner,
      path: (r) => {
        const limit = pick(r, [20, 50]);
        const filter = pick(r, [
          () => `status=${pick(r, statuses)}`,
          () => `lineId=${pick(r, assemblyLines).id}`,
          () => `materialId=${pick(r, producedMaterials)}`,
          () => `q=${encodeURIComponent(pick(r, codes).slice(0, -1))}`,
          () => 'priority=normal',
        ])();
        return `${s}/work-orders?${filter}&limit=${limit}&offset=${pick(r, [0, 0, limit])}`;
      },
      check: isPage,
    },
    {
      name: 'work-order detail',
      weight: 14,
      token: fx.tokens.planner,
      path: (r) => `${s}/work-orders/${pick(r, fx.workOrders).id}`,
      check: (b) => b && typeof b.code === 'string' && Array.isArray(b.operations),
    },
    {
      name: 'work-order kitting',
      weight: 5,
      token: fx.tokens.planner,
      path: (r) => `${s}/work-orders/${pick(r, fx.workOrders).id}/kitting`,
      check: (b) => b && typeof b.code === 'string' && Array.isArray(b.lines),
    },
    {
      name: 'terminal dispatch list',
      weight: 16,
      token: fx.tokens.operator,
      path: () => '/terminal/dispatch',
      check: (b) => Array.isArray(b) && b.length > 0,
    },
    {
      name: 'terminal operation',
      weight: 5,
      token: fx.tokens.operator,
      path: (r) => `/terminal/operations/${pick(r, fx.operationIds)}`,
      check: (b) => b && typeof b.id === 'string',
    },
    {
      name: 'work center dispatch list',
      weight: 10,
      token: fx.tokens.planner,
      path: (r) => `${s}/dispatch?workCenterId=${pick(r, fx.workCenters).id}`,
      check: Array.isArray,
    },
    {
      name: 'lots (material, status, code, paging)',
      weight: 12,
      token: fx.tokens.warehouse,
      path: (r) => {
        const filter = pick(r, [
          () => `materialId=${pick(r, fx.stockedMaterials).id}`,
          () => 'status=available',
          () => `code=${encodeURIComponent(pick(r, fx.lots).code.slice(0, 4))}`,
        ])();
        return `${s}/lots?${filter}&limit=${pick(r, [20, 50])}&offset=${pick(r, [0, 0, 20])}`;
      },
      check: isPage,
    },
    {
      name: 'lot with balances and ledger',
      weight: 6,
      token: fx.tokens.warehouse,
      path: (r) => `${s}/lots/${encodeURIComponent(pick(r, fx.lots).code)}`,
      check: (b) => b && Array.isArray(b.balances) && Array.isArray(b.movements) && b.movements.length > 0,
    },
    {
      name: 'stock ledger by location / material',
      weight: 5,
      token: fx.tokens.warehouse,
      path: (r) =>
        r() < 0.5
          ? `${s}/inventory/movements?locationId=${pick(r, fx.lineSide).id}&limit=50`
          : `${s}/inventory/movements?materialId=${pick(r, fx.stockedMaterials).id}&limit=50`,
      check: nonEmptyPage,
    },
    {
      name: 'line-side stock levels',
      weight: 3,
      token: fx.tokens.warehouse,
      path: (r) => `${s}/inventory/line-stock-levels?locationId=${pick(r, fx.lineSide).id}`,
      check: (b) => Array.isArray(b) && b.length > 0,
    },
    {
      name: 'kitting rate (line)',
      weight: 3,
      token: fx.tokens.planner,
      path: (r) => `${s}/kitting-rate${r() < 0.5 ? '' : `?lineId=${pick(r, assemblyLines).id}`}`,
      check: (b) => b && Array.isArray(b.orders),
    },
    {
      name: 'stock gauges',
      weight: 3,
      token: fx.tokens.viewer,
      path: () => `/analytics/stock-gauges?siteId=${fx.siteId}`,
      check: (b) => b && Array.isArray(b.materials),
    },
  ];
}
