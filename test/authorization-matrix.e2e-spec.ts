import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { API_PREFIX, createApp } from '../src/bootstrap';
import { ROLES, type Role } from '../src/platform/auth/roles';
import { AppConfig } from '../src/platform/config/app-config';
import {
  discoverRoutes,
  operationOf,
  recordFastifyRoutes,
  sampleBody,
  type OpenApiDocument,
  type ServedRoute,
} from './support/authz-routes';
import { createUser, login, type TestUser } from './support/builders';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import type { TestApp } from './support/test-app';

/**
 * Authorisation matrix over every route the running server answers (found from Fastify's route table and the
 * handlers' @Public()/@Roles() metadata, never listed by hand):
 *  (a) no token → 401, except the declared public routes;
 *  (b) every role outside a route's @Roles, on its own site with its own records → 403;
 *  (c) a user holding every role at site A only, on site B's path and records, and on site A's path with site
 *      B's records (path and body) → never 2xx;
 *  (d) what site A's user may list shows nothing of site B;
 * and nothing refused changes a row of either site. Then brute force on sign-in and on signing is throttled
 * and every checked failure is audited, also when the attempts come all at once.
 */

/** The routes that need no credentials; anything else answering without a token is a hole. */
const DECLARED_PUBLIC = [
  'GET /health',
  'GET /health/ready',
  'GET /metrics',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/terminal-login',
];
/** Served by Fastify outside Nest, public by nature: the web pages (static files) and the OpenAPI document. */
const WEB_PAGES = /^GET \/(?!api\/v1\/|health|metrics)/;
/**
 * Platform administration that is not scoped to a site by design (the admin role runs the installation):
 * the outbox (delivery log of every site) and enterprises. They are role-checked in (b) but not site-checked.
 */
const PLATFORM_WIDE = /^\/api\/v1\/(admin\/outbox|enterprises)(\/|$)/;

/**
 * Writes without @Roles (any signed-in person with access to the site passes the guard), each reviewed: one's own
 * password, a stateless SPC calculation, signing (the record's own access rule and a password re-check), closing
 * a todo (the service allows the todo's role or assignee only), and the recall scope (a read sent as POST).
 */
const OPEN_WRITES = [
  'POST /api/v1/auth/password',
  'POST /api/v1/quality/spc/analyze',
  'POST /api/v1/signatures',
  'POST /api/v1/sites/:siteId/todos/:id/dismiss',
  'POST /api/v1/sites/:siteId/todos/:id/done',
  'POST /api/v1/trace/recall',
  'POST /api/v1/trace/recall.csv',
];
/** The table behind a path segment that precedes an id (`work-orders/:id` → work_order). */
const TABLE_OF: Record<string, string> = {
  adjustments: 'stock_adjustment',
  andon: 'andon_call',
  areas: 'area',
  assets: 'maintenance_asset',
  boms: 'bom',
  calendars: 'shift_calendar',
  characteristics: 'inspection_characteristic',
  downtime: 'downtime_event',
  equipment: 'equipment',
  exclusions: 'inspection',
  'inspection-plans': 'inspection_plan',
  inspections: 'inspection',
  'line-replenishments': 'line_replenishment',
  lines: 'production_line',
  locations: 'storage_location',
  lots: 'lot',
  machines: 'equipment',
  materials: 'material',
  meters: 'maintenance_meter',
  ncrs: 'ncr',
  operations: 'work_order_operation',
  'outsourcing-orders': 'outsourcing_order',
  partners: 'partner',
  'pick-tasks': 'wms_pick_task',
  'pm-plans': 'pm_plan',
  'purchase-requisitions': 'purchase_requisition',
  putaways: 'wms_putaway',
  'reason-codes': 'reason_code',
  routings: 'routing',
  rules: 'alert_rule',
  'rush-inserts': 'schedule_version',
  scenarios: 'schedule_version',
  serials: 'serial_number',
  shipments: 'shipment',
  tags: 'machine_tag',
  terminals: 'terminal',
  tickets: 'maintenance_ticket',
  todos: 'todo',
  units: 'unit_of_measure',
  versions: 'schedule_version',
  webhooks: 'webhook_subscription',
  'work-centers': 'work_center',
  'work-orders': 'work_order',
};
/** Body fields that name a record of the site (`material`, `workCenterId`, …) → its table. */
const FIELD_TABLE: Record<string, string> = {
  material: 'material',
  materialId: 'material',
  component: 'material',
  componentId: 'material',
  workCenter: 'work_center',
  workCenterId: 'work_center',
  equipment: 'equipment',
  equipmentId: 'equipment',
  asset: 'equipment',
  location: 'storage_location',
  locationId: 'storage_location',
  fromLocation: 'storage_location',
  toLocation: 'storage_location',
  line: 'production_line',
  lineId: 'production_line',
  areaId: 'area',
  lot: 'lot',
  lotId: 'lot',
  workOrder: 'work_order',
  workOrderId: 'work_order',
  operation: 'work_order_operation',
  operationId: 'work_order_operation',
  baseUnitId: 'unit_of_measure',
  unitId: 'unit_of_measure',
  supplier: 'partner',
  supplierId: 'partner',
  customer: 'partner',
  partnerId: 'partner',
  calendarId: 'shift_calendar',
  routingId: 'routing',
  bomId: 'bom',
  ncrId: 'ncr',
  ticketId: 'maintenance_ticket',
};

interface SiteObjects {
  siteId: string;
  /** table → one record of the site */
  rows: Map<string, { id: string; code: string | null }>;
  /** non-site-scoped records that belong to the site's people: users, api clients, signatures */
  extra: Record<'users' | 'api-clients' | 'signatures', string>;
}

interface Outcome {
  scenario: string;
  route: ServedRoute;
  who: string;
  path: string;
  status: number;
  code?: string;
}

describe('authorisation matrix', () => {
  let app: NestFastifyApplication;
  let t: TestApp;
  let doc: OpenApiDocument;
  let routes: ServedRoute[];
  let unmatched: string[];
  let orphans: string[];
  let A: ProductionFactory;
  let B: ProductionFactory;
  const staff = {} as Record<Role, TestUser & { token: string }>;
  let everyRoleA: TestUser & { token: string };
  let objA: SiteObjects;
  let objB: SiteObjects;
  let before: Map<string, string>;
  const outcomes: Outcome[] = [];
  const summary: string[] = [];

  const call = async (
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
  ): Promise<{ status: number; code?: string; text: string }> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (method !== 'GET') headers['idempotency-key'] = randomUUID();
    const hasBody = method !== 'GET' && method !== 'DELETE';
    if (hasBody) headers['content-type'] = 'application/json';
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers,
      body: hasBody ? JSON.stringify(body ?? {}) : undefined,
    });
    const text = await res.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { code?: string }).code;
    } catch {
      code = undefined;
    }
    return { status: res.status, code, text };
  };

  /** Up to `limit` at a time. */
  const inParallel = async <T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: limit }, async () => {
        while (next < items.length) await fn(items[next++]!);
      }),
    );
  };

  /** One record per table of the site; its code is one the `other` site does not use (so it names this site's). */
  async function objectsOf(f: ProductionFactory, other?: ProductionFactory): Promise<SiteObjects> {
    const ds = t.dataSource;
    const rows = new Map<string, { id: string; code: string | null }>();
    const tables = [...new Set([...Object.values(TABLE_OF), ...Object.values(FIELD_TABLE)])];
    const columns: Array<{ table_name: string; column_name: string }> = await ds.query(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = ANY($1) AND column_name IN ('code', 'serial', 'serial_no')`,
      [tables],
    );
    for (const table of tables) {
      const [row] = await ds.query<Array<{ id: string }>>(
        `SELECT id::text AS id FROM ${table} WHERE site_id = $1 ORDER BY id LIMIT 1`,
        [f.site.id],
      );
      if (!row) continue;
      const codeColumn = columns.find((c) => c.table_name === table)?.column_name;
      const [coded] = codeColumn
        ? await ds.query<Array<{ code: string }>>(
            `SELECT ${codeColumn}::text AS code FROM ${table} x WHERE site_id = $1
                AND NOT EXISTS (SELECT 1 FROM ${table} y WHERE y.site_id = $2 AND y.${codeColumn} = x.${codeColumn})
              ORDER BY 1 LIMIT 1`,
            [f.site.id, other?.site.id ?? null],
          )
        : [];
      rows.set(table, { id: row.id, code: coded?.code ?? null });
    }
    const [client] = await ds.query<Array<{ id: string }>>(
      `SELECT c.id FROM api_client c JOIN api_client_site s ON s.api_client_id = c.id WHERE s.site_id = $1 LIMIT 1`,
      [f.site.id],
    );
    const [signature] = await ds.query<Array<{ id: string }>>(
      `SELECT id FROM electronic_signature WHERE entity_id = $1 LIMIT 1`,
      [f.site.id],
    );
    return {
      siteId: f.site.id,
      rows,
      extra: { users: f.users.viewer.id, 'api-clients': client!.id, signatures: signature!.id },
    };
  }

  /**
   * The request path of a route for one site's records: the site in `:siteId` (or `?siteId=`), each id
   * parameter from the records of `objects`. `real` is false when an id parameter had no such record.
   */
  function pathFor(route: ServedRoute, site: string, objects: SiteObjects): { path: string; real: boolean } {
    let real = true;
    const op = operationOf(doc, route);
    const segments = route.url.split('/');
    const filled = segments.map((segment, i) => {
      if (!segment.startsWith(':')) return segment;
      const name = segment.slice(1);
      if (name === 'siteId') return site;
      const documented = op?.parameters?.find((p) => p.in === 'path' && p.name === name)?.schema?.enum;
      if (documented?.length) return String(documented[0]);
      let owner = segments[i - 1]!;
      if (owner === 'by-code') owner = segments[i - 2]!;
      if (owner === 'sites') return site;
      if (owner in objects.extra) return objects.extra[owner as keyof SiteObjects['extra']];
      const row = objects.rows.get(TABLE_OF[owner] ?? '');
      const wantsCode = /code|serial/i.test(name) && name !== 'idOrCode';
      const value = wantsCode ? row?.code : row?.id;
      if (!value) real = false;
      return encodeURIComponent(value ?? (wantsCode ? 'NO-SUCH-CODE' : randomUUID()));
    });
    const query = (op?.parameters ?? [])
      .filter((p) => p.in === 'query' && (p.required || p.name === 'siteId' || p.name === 'site'))
      .map((p) => {
        const v =
          p.name === 'siteId' || p.name === 'site'
            ? site
            : JSON.stringify(p.example ?? p.schema?.example ?? p.schema?.enum?.[0] ?? 1).replace(
                /^"|"$/g,
                '',
              );
        return `${p.name}=${encodeURIComponent(v)}`;
      });
    return { path: filled.join('/') + (query.length ? `?${query.join('&')}` : ''), real };
  }

  const bodyFor = (route: ServedRoute, objects: SiteObjects): unknown =>
    sampleBody(doc, operationOf(doc, route), (field) => {
      if (field === 'siteId') return objects.siteId;
      const row = objects.rows.get(FIELD_TABLE[field] ?? '');
      return row?.id;
    });

  /** Row fingerprints of every site-scoped table for sites A and B, and of their people and site rows. */
  async function fingerprint(): Promise<Map<string, string>> {
    const ds = t.dataSource;
    const tables: Array<{ table_name: string }> = await ds.query(
      `SELECT c.table_name FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND c.column_name = 'site_id' AND t.table_type = 'BASE TABLE'
          AND c.table_name NOT IN ('audit_log')
        ORDER BY 1`,
    );
    const sites = [A.site.id, B.site.id];
    const out = new Map<string, string>();
    const put = async (name: string, sql: string, params: unknown[]) => {
      const [row] = await ds.query<Array<{ n: string; h: string | null }>>(sql, params);
      out.set(name, `${row!.n}:${row!.h ?? ''}`);
    };
    for (const { table_name: table } of tables) {
      await put(
        table,
        `SELECT count(*) AS n, md5(string_agg(x::text, '|' ORDER BY x::text)) AS h FROM ${table} x WHERE site_id = ANY($1)`,
        [sites],
      );
    }
    await put(
      'site',
      `SELECT count(*) AS n, md5(string_agg(x::text, '|' ORDER BY x::text)) AS h FROM site x WHERE id = ANY($1)`,
      [sites],
    );
    await put(
      'app_user',
      `SELECT count(*) AS n, md5(string_agg(x::text, '|' ORDER BY x::text)) AS h FROM app_user x
        WHERE id IN (SELECT user_id FROM user_site WHERE site_id = ANY($1))`,
      [sites],
    );
    await put(
      'api_client',
      `SELECT count(*) AS n, md5(string_agg(x::text, '|' ORDER BY x::text)) AS h FROM api_client x
        WHERE id IN (SELECT api_client_id FROM api_client_site WHERE site_id = ANY($1))`,
      [sites],
    );
    await put(
      'electronic_signature',
      `SELECT count(*) AS n, md5(string_agg(x::text, '|' ORDER BY x::text)) AS h FROM electronic_signature x
        WHERE entity_id = ANY($1::text[])`,
      [sites],
    );
    return out;
  }

  /** Records of a site beyond master data: a work order, a lot, a ticket, an NCR, a webhook, a terminal, … */
  async function populate(f: ProductionFactory, tag: string): Promise<void> {
    const as = (role: Role) => f.auth(f.users[role].token);
    const post = async (path: string, role: Role, body: object, idempotent = false) => {
      const req = t.http.post(path).set(as(role));
      if (idempotent) void req.set('Idempotency-Key', randomUUID());
      const res = await req.send(body);
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string };
    };
    // Codes of this site's own (`tag`): a code in the path then names this site's record and no other's.
    const own = (code: string) => `${code}-${tag}`;
    await post(f.url('units'), 'admin', { code: own('BOX'), name: 'Box', dimension: 'count', decimals: 0 });
    await post(f.url('areas'), 'admin', { code: own('AREA'), name: 'Hall' });
    await post(f.url('locations'), 'admin', { code: own('WH'), name: 'Store', locationType: 'warehouse' });
    await post(f.url('reason-codes'), 'admin', { code: own('S'), name: 'Scrap', category: 'scrap' });
    await post(f.url('materials'), 'admin', {
      code: own('MAT'),
      name: 'Material',
      materialClass: 'raw',
      baseUnitId: f.units.pcs.id,
    });
    const supplier = await post(f.url('partners'), 'admin', {
      code: own('SUP'),
      name: 'Supplier',
      isSupplier: true,
    });
    await post(f.url('calendars'), 'admin', {
      code: own('CAL'),
      name: 'Calendar',
      workCenterId: f.workCenters.turn.id,
      shifts: [],
    });
    await post(f.url('work-orders'), 'planner', {
      material: f.materials.product.code,
      quantity: '10',
      dueAt: '2030-01-01T00:00:00Z',
    });
    await post(
      f.url('inventory/receipts'),
      'warehouse',
      {
        material: f.materials.shaft.code,
        quantity: '20',
        location: 'WH',
        supplierId: supplier.id,
      },
      true,
    );
    await post(
      f.url('maintenance/tickets'),
      'maintenance',
      { kind: 'corrective', asset: f.equipment.lathe.code, title: 'Noise' },
      true,
    );
    await post(
      f.url('quality/ncrs'),
      'quality',
      {
        source: 'supplier',
        title: 'Bad shaft',
        supplier: own('SUP'),
        material: f.materials.shaft.code,
        quantity: '1',
      },
      true,
    );
    await post(f.url('webhooks'), 'admin', {
      name: 'hook',
      url: 'https://erp.example.com/hooks/mom',
      eventTypes: ['inventory.lot.status_changed'],
    });
    await post('/api/v1/terminals', 'admin', {
      code: `T-${f.site.code}`,
      name: 'Terminal',
      siteId: f.site.id,
    });
    await post('/api/v1/api-clients', 'admin', {
      name: `WMS ${f.site.code}`,
      roles: ['warehouse'],
      siteIds: [f.site.id],
    });
    await post('/api/v1/signatures', 'quality', {
      entityType: 'site',
      entityId: f.site.id,
      meaning: 'approved',
      password: f.users.quality.password,
    });
  }

  beforeAll(async () => {
    app = await createApp();
    const served = recordFastifyRoutes(app);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    t = {
      app,
      url: `http://127.0.0.1:${port}`,
      http: request(`http://127.0.0.1:${port}`),
      dataSource: app.get(DataSource),
      close: () => app.close(),
    };
    ({ routes, unmatched, orphans } = discoverRoutes(app, served, API_PREFIX));
    doc = (await t.http.get('/api/docs-json').expect(200)).body as OpenApiDocument;

    [A, B] = await Promise.all([productionFactory(t), productionFactory(t)]);
    await Promise.all([populate(A, 'A'), populate(B, 'B')]);
    Object.assign(staff, A.users);
    for (const role of ROLES.filter((r) => !(r in staff))) {
      const u = await createUser(t.dataSource, { roles: [role], siteIds: [A.site.id] });
      staff[role] = { ...u, token: await login(t.http, u) };
    }
    const all = await createUser(t.dataSource, { roles: [...ROLES], siteIds: [A.site.id] });
    everyRoleA = { ...all, token: await login(t.http, all) };
    [objA, objB] = await Promise.all([objectsOf(A), objectsOf(B, A)]);
    before = await fingerprint();
  }, 120_000);

  afterAll(async () => {
    const count = (s: string) => outcomes.filter((o) => o.scenario === s).length;
    const refused = outcomes.filter((o) => o.status >= 400 && o.status < 500).length;
    const failures = outcomes.filter((o) => o.scenario !== 'd-ok' && (o.status < 300 || o.status >= 500));
    console.log(
      [
        'Authorisation matrix',
        `  routes served: ${routes?.length ?? 0} (public ${DECLARED_PUBLIC.length}, with @Roles ${
          routes?.filter((r) => r.roles).length ?? 0
        }), roles: ${ROLES.length}`,
        `  (a) no token: ${count('a')} requests`,
        `  (b) role outside @Roles: ${count('b')} requests (route × role)`,
        `  (c) other site: ${count('c-path')} on site B's path, ${count('c-ids')} on site A's path with site B's records`,
        `  (d) lists read by site A's user: ${count('d') + count('d-ok')} (${count('d-ok')} answered 2xx)`,
        `  refusals (4xx): ${refused} of ${outcomes.length}; failures (2xx or 5xx where refused): ${failures.length}`,
        ...failures
          .slice(0, 40)
          .map(
            (o) => `    ✗ (${o.scenario}) ${o.who} ${o.route.method} ${o.path} → ${o.status} ${o.code ?? ''}`,
          ),
        ...summary,
      ].join('\n'),
    );
    await t?.close();
  });

  const failuresOf = (scenario: string) =>
    outcomes
      .filter((o) => o.scenario === scenario && (o.status < 300 || o.status >= 500))
      .map((o) => `${o.who} ${o.route.method} ${o.path} → ${o.status} ${o.code ?? ''}`);

  it('finds every served route, each from a Nest handler, and only the declared ones public', () => {
    expect(orphans).toEqual([]);
    expect(unmatched.filter((r) => !WEB_PAGES.test(r))).toEqual([]);
    expect(unmatched).toContain('GET /*');
    expect(routes.length).toBeGreaterThan(300);
    expect(
      routes
        .filter((r) => r.isPublic)
        .map((r) => `${r.method} ${r.url}`)
        .sort(),
    ).toEqual([...DECLARED_PUBLIC].sort());
    // Every route is documented: the bodies and query parameters below come from the OpenAPI document.
    const undocumented = routes.filter(
      (r) => !operationOf(doc, r) && !r.isPublic && !r.url.startsWith('/health'),
    );
    expect(undocumented.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('(a) answers 401 without a token on every non-public route', async () => {
    await inParallel(
      routes.filter((r) => !r.isPublic),
      8,
      async (route) => {
        const { path } = pathFor(route, A.site.id, objA);
        const res = await call(route.method, path, undefined, bodyFor(route, objA));
        outcomes.push({ scenario: 'a', route, who: 'anonymous', path, ...res });
      },
    );
    const wrong = outcomes.filter((o) => o.scenario === 'a' && o.status !== 401);
    expect(wrong.map((o) => `${o.route.method} ${o.path} → ${o.status} ${o.code ?? ''}`)).toEqual([]);
  });

  it('(b) answers 403 to every role outside a route’s @Roles, on its own site with its own records', async () => {
    const cases = routes.flatMap((route) =>
      route.roles
        ? ROLES.filter((role) => !route.roles!.includes(role)).map((role) => ({ route, role }))
        : [],
    );
    await inParallel(cases, 8, async ({ route, role }) => {
      const { path } = pathFor(route, A.site.id, objA);
      const res = await call(route.method, path, staff[role].token, bodyFor(route, objA));
      outcomes.push({ scenario: 'b', route, who: role, path, ...res });
    });
    expect(failuresOf('b')).toEqual([]);
    // The role check comes before anything else looks at the request.
    const notRoleRefusal = outcomes.filter(
      (o) => o.scenario === 'b' && (o.status !== 403 || o.code !== 'ROLE_REQUIRED'),
    );
    expect(notRoleRefusal.map((o) => `${o.who} ${o.route.method} ${o.path} → ${o.status}`)).toEqual([]);
    // A write that loses its @Roles shows up here.
    const open = routes.filter((r) => !r.roles && !r.isPublic && r.method !== 'GET');
    summary.push(`  writes open to any signed-in role (no @Roles; reviewed): ${open.length}`);
    expect(open.map((r) => `${r.method} ${r.url}`).sort()).toEqual([...OPEN_WRITES].sort());
  });

  it('(c) refuses site A’s every-role user site B’s path and site B’s records, in the path or the body', async () => {
    const siteScoped = (r: ServedRoute) =>
      !r.isPublic &&
      !PLATFORM_WIDE.test(r.url) &&
      (r.url.includes(':') ||
        (operationOf(doc, r)?.parameters ?? []).some(
          (p) => p.in === 'query' && (p.name === 'siteId' || p.name === 'site'),
        ));
    let realForeign = 0;
    const cases = routes.filter(siteScoped);
    await inParallel(cases, 8, async (route) => {
      // Site B's path (or ?siteId=B) with site B's records.
      const onB = pathFor(route, B.site.id, objB);
      const res = await call(route.method, onB.path, everyRoleA.token, bodyFor(route, objB));
      outcomes.push({ scenario: 'c-path', route, who: 'every-role@A', path: onB.path, ...res });
      // Site A's path with site B's records: only where the route takes a record (in the path or the body).
      if (route.url.replace(/:siteId/, '').includes(':') || route.method !== 'GET') {
        const mixed = pathFor(route, A.site.id, objB);
        const onA = pathFor(route, A.site.id, objA);
        const bodyB = bodyFor(route, objB);
        const bodyA = bodyFor(route, objA);
        const namesB = mixed.path !== onA.path || JSON.stringify(bodyB) !== JSON.stringify(bodyA);
        if (!namesB || !mixed.real) return;
        realForeign++;
        const res2 = await call(route.method, mixed.path, everyRoleA.token, bodyB);
        outcomes.push({ scenario: 'c-ids', route, who: 'every-role@A', path: mixed.path, ...res2 });
      }
    });
    summary.push(
      `  (c) routes checked: ${cases.length}; with a real site B record in the path or body: ${realForeign}; ` +
        `reached the site or record check (403/404/409/422): ${
          outcomes.filter((o) => o.scenario.startsWith('c') && [403, 404, 409, 422].includes(o.status)).length
        }, stopped by validation (400): ${
          outcomes.filter((o) => o.scenario.startsWith('c') && o.status === 400).length
        }`,
    );
    expect(failuresOf('c-path')).toEqual([]);
    expect(failuresOf('c-ids')).toEqual([]);
  });

  it('(d) shows site A’s every-role user nothing of site B in what it may read', async () => {
    const reads = routes.filter(
      (r) => r.method === 'GET' && !r.isPublic && !r.url.replace(/:siteId/, '').includes(':'),
    );
    const leaks: string[] = [];
    const foreign = [B.site.id, ...[...objB.rows.values()].map((r) => r.id), ...Object.values(objB.extra)];
    await inParallel(reads, 8, async (route) => {
      const { path } = pathFor(route, A.site.id, objA);
      const res = await call('GET', path, everyRoleA.token);
      outcomes.push({ scenario: 'd', route, who: 'every-role@A', path, status: res.status, code: res.code });
      if (res.status < 300 && !PLATFORM_WIDE.test(route.url)) {
        // The audit trail (and its export, JSON or CSV) shows admins the entries of no site (accounts, API
        // clients, sign-ins) by design: there only entries of site B count.
        const seen = /\/audit(\/export)?$/.test(route.url)
          ? [`"siteId":"${B.site.id}"`, `,${B.site.id},`].filter((s) => res.text.includes(s))
          : foreign.filter((id) => res.text.includes(id));
        if (seen.length) leaks.push(`${path} shows ${seen.length} of site B's records`);
      }
    });
    // Reads are allowed here (2xx is right): a 5xx is the only failure, and a leak of site B's records.
    for (const o of outcomes) if (o.scenario === 'd' && o.status < 300) o.scenario = 'd-ok';
    expect(failuresOf('d')).toEqual([]);
    expect(leaks).toEqual([]);
  });

  it('changed nothing of either site while refusing', async () => {
    const after = await fingerprint();
    const changed = [...after.keys()].filter((k) => after.get(k) !== before.get(k));
    expect(changed).toEqual([]);
    const [wo] = await t.dataSource.query<Array<{ n: string }>>(
      'SELECT count(*) AS n FROM work_order WHERE site_id = ANY($1)',
      [[A.site.id, B.site.id]],
    );
    expect(Number(wo!.n)).toBe(2);
  });
  it('answers a signature look-up for a record id that is no UUID with a refusal, not a server error', async () => {
    const query = '/api/v1/signatures?entityType=site&entityId=not-a-uuid';
    const read = await call('GET', query, staff.viewer.token);
    expect(read).toMatchObject({ status: 403, code: 'SITE_FORBIDDEN' });
    const sign = await call('POST', '/api/v1/signatures', staff.quality.token, {
      entityType: 'user',
      entityId: 'not-a-uuid',
      meaning: 'reviewed',
      password: staff.quality.password,
    });
    expect(sign).toMatchObject({ status: 403, code: 'SITE_FORBIDDEN' });
  });

  describe('brute force', () => {
    const attempts = 20;
    let max: number;
    beforeAll(() => {
      max = app.get(AppConfig).get('AUTH_MAX_FAILURES');
      expect(max).toBeLessThan(attempts);
    });
    const refusedAudits = async (userId: string, reason: string): Promise<number> => {
      const [row] = await t.dataSource.query<Array<{ n: string }>>(
        `SELECT count(*) AS n FROM audit_log
          WHERE action = 'auth.login_refused' AND entity_id = $1 AND after->>'reason' = $2`,
        [userId, reason],
      );
      return Number(row!.n);
    };
    const tally = (statuses: Array<{ status: number; code?: string }>) => ({
      checked: statuses.filter((r) => r.status === 401 && r.code === 'INVALID_CREDENTIALS').length,
      throttled: statuses.filter((r) => r.status === 429 && r.code === 'TOO_MANY_FAILURES').length,
    });
    const wrongLogin = (u: TestUser) =>
      call('POST', '/api/v1/auth/login', undefined, { username: u.username, password: 'guess' });
    const wrongSigning = (u: TestUser & { token: string }) =>
      call('POST', '/api/v1/signatures', u.token, {
        entityType: 'site',
        entityId: A.site.id,
        meaning: 'approved',
        password: 'guess',
      });
    const signatures = async () =>
      Number(
        (
          await t.dataSource.query<Array<{ n: string }>>(
            'SELECT count(*) AS n FROM electronic_signature WHERE entity_id = $1',
            [A.site.id],
          )
        )[0]!.n,
      );

    it.each([
      ['one after another', false],
      ['all at once', true],
    ])(
      'sign-in: %s, wrong passwords are checked at most AUTH_MAX_FAILURES times, then 429; each check audited',
      async (_how, atOnce) => {
        const user = await createUser(t.dataSource, { roles: ['planner'], siteIds: [A.site.id] });
        const results = atOnce
          ? await Promise.all(Array.from({ length: attempts }, () => wrongLogin(user)))
          : await Array.from({ length: attempts }).reduce<Promise<Awaited<ReturnType<typeof call>>[]>>(
              async (acc) => [...(await acc), await wrongLogin(user)],
              Promise.resolve([]),
            );
        const { checked, throttled } = tally(results);
        summary.push(
          `  brute force, sign-in ${_how}: ${checked} checked, ${throttled} throttled of ${attempts}`,
        );
        expect(checked + throttled).toBe(attempts);
        expect(checked).toBeLessThanOrEqual(max);
        expect(checked).toBeGreaterThan(0);
        if (!atOnce)
          expect(results.map((r) => r.status)).toEqual([
            ...Array(max).fill(401),
            ...Array(attempts - max).fill(429),
          ]);
        expect(await refusedAudits(user.id, 'wrong credentials')).toBe(checked);
        // The right password does not get through either while throttled.
        const right = await call('POST', '/api/v1/auth/login', undefined, {
          username: user.username,
          password: user.password,
        });
        expect(right.status).toBe(429);
      },
    );

    it.each([
      ['one after another', false],
      ['all at once', true],
    ])(
      'signing: %s, wrong passwords are checked at most AUTH_MAX_FAILURES times, sign nothing, and are audited',
      async (_how, atOnce) => {
        const u = await createUser(t.dataSource, { roles: ['quality'], siteIds: [A.site.id] });
        const signer = { ...u, token: await login(t.http, u) };
        const before = await signatures();
        const results = atOnce
          ? await Promise.all(Array.from({ length: attempts }, () => wrongSigning(signer)))
          : await Array.from({ length: attempts }).reduce<Promise<Awaited<ReturnType<typeof call>>[]>>(
              async (acc) => [...(await acc), await wrongSigning(signer)],
              Promise.resolve([]),
            );
        const { checked, throttled } = tally(results);
        summary.push(
          `  brute force, signing ${_how}: ${checked} checked, ${throttled} throttled of ${attempts}`,
        );
        expect(checked + throttled).toBe(attempts);
        expect(checked).toBeLessThanOrEqual(max);
        expect(checked).toBeGreaterThan(0);
        expect(await refusedAudits(signer.id, 'wrong password at signing')).toBe(checked);
        expect(await signatures()).toBe(before);
        // Throttled: the right password signs nothing, and sign-in (the same account) is throttled too.
        const right = await call('POST', '/api/v1/signatures', signer.token, {
          entityType: 'site',
          entityId: A.site.id,
          meaning: 'approved',
          password: signer.password,
        });
        expect(right.status).toBe(429);
        expect(
          (
            await call('POST', '/api/v1/auth/login', undefined, {
              username: signer.username,
              password: signer.password,
            })
          ).status,
        ).toBe(429);
        expect(await signatures()).toBe(before);
      },
    );
  });
});
