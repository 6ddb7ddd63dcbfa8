// What the OpenAPI fuzzer needs from the running app besides the document: signed-in users for every role,
// real ids and codes for path parameters and body fields (read from the app's own database, so records
// created during the run are used too), and a valid CSV for the import operations.
//
// Users the fuzzer signs in with are protected from what it sends: path ids for users, terminals and API
// clients only ever name records the fuzzer created for the purpose, and the own-password change runs as a
// throwaway user (a success there would end that user's sessions).

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { api, DEMO_PASSWORD, login, mapLimit } from '../../../bench/common.mjs';

const ROLES = [
  'admin',
  'planner',
  'operator',
  'quality',
  'maintenance',
  'warehouse',
  'warehouse_supervisor',
  'purchasing',
  'maintenance_lead',
  'viewer',
];

/** A path segment (or a parameter / field name) → the table behind it, where plain singularising misses it. */
const TABLE_OF = {
  adjustments: 'stock_adjustment',
  andon: 'andon_call',
  assets: 'maintenance_asset',
  asset: 'maintenance_asset',
  calendars: 'shift_calendar',
  calendar: 'shift_calendar',
  characteristics: 'inspection_characteristic',
  characteristic: 'inspection_characteristic',
  downtime: 'downtime_event',
  exclusions: 'inspection',
  lines: 'production_line',
  line: 'production_line',
  locations: 'storage_location',
  location: 'storage_location',
  fromLocation: 'storage_location',
  toLocation: 'storage_location',
  destination: 'storage_location',
  machines: 'equipment',
  machine: 'equipment',
  meters: 'maintenance_meter',
  meter: 'maintenance_meter',
  operations: 'work_order_operation',
  operation: 'work_order_operation',
  'pick-tasks': 'wms_pick_task',
  pickTask: 'wms_pick_task',
  task: 'wms_pick_task',
  plan: 'pm_plan',
  putaways: 'wms_putaway',
  requisition: 'purchase_requisition',
  'rush-inserts': 'schedule_version',
  scenarios: 'schedule_version',
  scenario: 'schedule_version',
  versions: 'schedule_version',
  version: 'schedule_version',
  serials: 'serial_number',
  serial: 'serial_number',
  tags: 'machine_tag',
  tag: 'machine_tag',
  tickets: 'maintenance_ticket',
  ticket: 'maintenance_ticket',
  units: 'unit_of_measure',
  unit: 'unit_of_measure',
  baseUnit: 'unit_of_measure',
  uom: 'unit_of_measure',
  webhooks: 'webhook_subscription',
  rules: 'alert_rule',
  rule: 'alert_rule',
  messages: 'outbox',
  component: 'material',
  product: 'material',
  supplier: 'partner',
  customer: 'partner',
  'api-clients': 'api_client',
  users: 'app_user',
  user: 'app_user',
  signer: 'app_user',
  assignee: 'app_user',
  technician: 'app_user',
  lotCode: 'lot',
};

/** Path segments for records the fuzzer's own sign-ins depend on: only records it created are used there. */
const PROTECTED = {
  app_user: "username LIKE 'fuzz-target-%'",
  terminal: "code LIKE 'FUZZ-T-%'",
  api_client: "name LIKE 'fuzz-target-%'",
};

// The demo factory's assembly terminal and operator badge (seeds/demo-factory.ts).
const DEMO_TERMINAL_LOGIN = {
  terminalCode: 'T-ASSY-01',
  deviceKey: 'demo-terminal-device-key-0001',
  badgeCode: 'B1001',
  pin: '1234',
};

const CODE_COLUMNS = ['code', 'serial', 'serial_number', 'username', 'name'];

const snake = (s) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
const singular = (s) => (s.endsWith('ies') ? `${s.slice(0, -3)}y` : s.endsWith('s') ? s.slice(0, -1) : s);
const quote = (name) => `"${name.replace(/"/g, '""')}"`;

export class Fixtures {
  constructor() {
    this.tokens = {};
    this.tokenByOp = new Map();
    this.pathPools = new Map();
    this.fieldPool = new Map(); // table → [{ id, code }]
    this.csv = new Map();
    /** Path parameters no real value was found for (the schema's sample is sent instead). */
    this.unresolved = new Set();
  }

  /** Signs in, creates the protected targets, and learns the database's tables. */
  static async setUp(app, databaseUrl, log) {
    const f = new Fixtures();
    f.app = app;
    f.db = new pg.Pool({ connectionString: databaseUrl, max: 2 });

    // Everyone signs in; the operator also at the demo terminal (its token names the terminal).
    for (const role of ROLES) f.tokens[role] = await login(app, role, DEMO_PASSWORD);
    const sites = (await api(app, 'GET', '/sites', { token: f.tokens.admin })).body;
    const site = (Array.isArray(sites) ? sites : sites.items).find((x) => x.code === 'SZ01');
    if (!site) throw new Error('the demo site SZ01 is missing');
    f.siteId = site.id;
    const { body: terminal } = await api(app, 'POST', '/auth/terminal-login', {
      body: DEMO_TERMINAL_LOGIN,
      expect: [200],
    });
    f.tokens.operator = terminal.accessToken;
    await workSomeOfTheDemo(app, f.tokens, f.siteId, log);

    // Targets for the operations on users, terminals and API clients, and the throwaway user whose own
    // password the fuzzer tries to change.
    const admin = f.tokens.admin;
    const password = `fuzz-${randomBytes(12).toString('hex')}`;
    for (let i = 1; i <= 3; i++) {
      await api(app, 'POST', '/users', {
        token: admin,
        body: {
          username: `fuzz-target-${i}`,
          displayName: `Fuzz target ${i}`,
          password,
          roles: ['viewer'],
          siteIds: [f.siteId],
        },
      });
    }
    await api(app, 'POST', '/users', {
      token: admin,
      body: {
        username: 'fuzz-own-password',
        displayName: 'Fuzz own password',
        password,
        roles: ['viewer'],
        siteIds: [f.siteId],
      },
    });
    f.ownPasswordToken = await login(app, 'fuzz-own-password', password);
    f.protectedFailures = [];
    for (let i = 1; i <= 2; i++) {
      await api(app, 'POST', '/api-clients', {
        token: admin,
        body: { name: `fuzz-target-${i}`, roles: ['warehouse'], siteIds: [f.siteId] },
      }).catch((e) => f.protectedFailures.push(`api client: ${e.message}`));
      await api(app, 'POST', '/terminals', {
        token: admin,
        body: { code: `FUZZ-T-${i}`, name: `Fuzz terminal ${i}`, siteId: f.siteId },
      }).catch((e) => f.protectedFailures.push(`terminal: ${e.message}`));
    }

    const { rows: columns } = await f.db.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    f.columns = new Map();
    for (const c of columns) {
      if (!f.columns.has(c.table_name)) f.columns.set(c.table_name, new Map());
      f.columns.get(c.table_name).set(c.column_name, c.data_type);
    }
    const { rows: fks } = await f.db.query(
      `SELECT cl.relname AS child, a.attname AS col, pcl.relname AS parent
         FROM pg_constraint c
         JOIN pg_class cl ON cl.oid = c.conrelid
         JOIN pg_class pcl ON pcl.oid = c.confrelid
         JOIN pg_namespace n ON n.oid = cl.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND n.nspname = 'public' AND array_length(c.conkey, 1) = 1`,
    );
    f.foreignKeys = fks;
    await f.refreshFieldPool();
    return f;
  }

  async close() {
    await this.db?.end();
  }

  /** The table a segment, parameter or field names, if the database has it (with an `id` column). */
  tableFor(name) {
    if (!name) return undefined;
    const base = name.replace(/(Ids|Id|Code|Codes)$/, '');
    const candidates = [
      TABLE_OF[name],
      TABLE_OF[base],
      snake(singular(base)),
      snake(base),
      `${snake(singular(base))}s`,
    ];
    return candidates.find((t) => t && this.columns.get(t)?.has('id'));
  }

  codeColumn(table) {
    return CODE_COLUMNS.find((c) => this.columns.get(table)?.has(c));
  }

  async rowsOf(table, { parentColumn, parentIds, limit = 25 } = {}) {
    const cols = this.columns.get(table);
    const code = this.codeColumn(table);
    const where = [];
    const params = [];
    if (cols.has('site_id')) {
      params.push(this.siteId);
      where.push(`site_id = $${params.length}`);
    }
    if (PROTECTED[table]) where.push(PROTECTED[table]);
    if (parentColumn) {
      params.push(parentIds);
      where.push(`${quote(parentColumn)} = ANY($${params.length}::uuid[])`);
    }
    const order = cols.has('created_at') ? 'created_at DESC, id' : 'id';
    const sql =
      `SELECT id::text AS id${code ? `, ${quote(code)}::text AS code` : ''}` +
      `${parentColumn ? `, ${quote(parentColumn)}::text AS parent` : ''} FROM ${quote(table)}` +
      `${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${limit}`;
    try {
      return (await this.db.query(sql, params)).rows;
    } catch {
      return [];
    }
  }

  /** Ids and codes for body fields, by table; refreshed between the phases of the run. */
  async refreshFieldPool() {
    for (const table of this.columns.keys()) {
      if (!this.columns.get(table).has('id')) continue;
      this.fieldPool.set(table, await this.rowsOf(table, { limit: 20 }));
    }
  }

  /**
   * Consistent values for an operation's path parameters, read now: `[{ param: value, … }]`. A parameter after
   * another one is taken from the rows that belong to it when a foreign key links them (an operation of that
   * work order). Parameters with an enum, or naming no table, are left to the schema (undefined here).
   */
  async preparePath(op, book) {
    const segments = op.path.split('/').filter(Boolean);
    let tuples = [{}];
    let previous = null; // { table, name }
    for (const param of op.pathParams) {
      const schema = book.resolve(param.schema ?? {});
      const index = segments.indexOf(`{${param.name}}`);
      // The collection the parameter picks from: the static segment right before it (`lots/{idOrCode}`,
      // `materials/by-code/{code}`); none when another parameter comes first (`{id}/{command}`).
      let before = segments[index - 1];
      if (before === 'by-code') before = segments[index - 2];
      if (before?.startsWith('{')) before = undefined;
      if (param.name === 'siteId') {
        tuples = tuples.map((t) => ({ ...t, siteId: this.siteId }));
        continue;
      }
      const table = schema.enum ? undefined : (this.tableFor(param.name) ?? this.tableFor(before));
      if (!table) {
        if (!schema.enum) this.unresolved.add(`${param.name} in ${op.key}`);
        continue;
      }
      const wantsCode = /code$/i.test(param.name) || param.name === 'serial';
      const fk = previous && this.foreignKeys.find((k) => k.child === table && k.parent === previous.table);
      let rows;
      if (fk) {
        const parentIds = [...new Set(tuples.map((t) => t[`${previous.name}#id`]).filter(Boolean))];
        rows = parentIds.length
          ? await this.rowsOf(table, { parentColumn: fk.col, parentIds, limit: 60 })
          : [];
      } else rows = await this.rowsOf(table);
      if (rows.length === 0) {
        this.unresolved.add(`${param.name} in ${op.key} (no ${table} rows)`);
        previous = null;
        continue;
      }
      const valueOf = (row) => (wantsCode ? (row.code ?? row.id) : row.id);
      const next = [];
      for (const t of tuples) {
        const matching = fk ? rows.filter((r) => r.parent === t[`${previous.name}#id`]) : rows;
        for (const r of matching.slice(0, 8)) {
          next.push({
            ...t,
            [param.name]: valueOf(r),
            [`${param.name}#id`]: r.id,
            [`${param.name}#code`]: r.code,
          });
        }
      }
      if (next.length) tuples = next.slice(0, 60);
      previous = { table, name: param.name };
    }
    this.pathPools.set(op.key, tuples);
  }

  /** One consistent set of path values for a request; `idOrCode`-like parameters get the code half the time. */
  pathTuple(op, rnd, book) {
    const pool = this.pathPools.get(op.key) ?? [{}];
    const t = rnd.pick(pool);
    const out = {};
    for (const p of op.pathParams) {
      if (t[p.name] !== undefined) {
        const code = t[`${p.name}#code`];
        const acceptsCode = /code/i.test(p.name) || (!/^id$|Id$/.test(p.name) && p.name !== 'siteId');
        out[p.name] = acceptsCode && code && rnd.chance(0.5) ? code : t[p.name];
      } else out[p.name] = book.sample(p.schema ?? { type: 'string' }, rnd, this.hint, p.name);
    }
    return out;
  }

  /** A real value for a body or query field that names a record; undefined to let the schema decide. */
  hint = (field, schema, type) => {
    if (!field) return undefined;
    if (field === 'siteId' && type === 'string') return this.siteId;
    if (field === 'siteIds' && type === 'string') return this.siteId;
    if (/^(password|currentPassword)$/.test(field) && type === 'string' && this.hintRandom() < 0.5)
      return DEMO_PASSWORD;
    if (type !== 'string' || schema.enum) return undefined;
    const table = this.tableFor(field);
    if (!table) return undefined;
    const rows = this.fieldPool.get(table) ?? [];
    if (rows.length === 0) return undefined;
    const row = rows[Math.floor(this.hintRandom() * rows.length)];
    if (schema.format === 'uuid' || /Ids?$/.test(field)) return row.id;
    // "id or code" fields: the schema's example (a demo code) is already a good value; vary it sometimes.
    if (this.hintRandom() < 0.5) return undefined;
    return row.code ?? row.id;
  };

  /** Set by the fuzzer to the current operation's generator, so hints stay reproducible. */
  hintRandom = () => 0;

  /** A CSV the import operation accepts: what the sibling export answers (the import columns). */
  async prepareCsv(op) {
    if (!op.body || !Object.keys(op.body.content).some((t) => t.startsWith('text/csv'))) return;
    const exportPath = op.path.replace(/\/import$/, '/export').replace('{siteId}', this.siteId);
    if (exportPath === op.path) return;
    const res = await fetch(`${this.app.baseUrl}${exportPath}`, {
      headers: { authorization: `Bearer ${this.tokens.admin}` },
    });
    const text = await res.text();
    if (res.ok) this.csv.set(op.key, text);
  }

  csvFor(op) {
    return this.csv.get(op.key);
  }

  /**
   * The token for an operation: the throwaway user for the own-password change; otherwise the admin, unless a
   * probe answered 403 ROLE_REQUIRED, then a demo user holding the first of the roles the answer names.
   */
  tokenFor(op) {
    if (op.path === '/api/v1/auth/password') return this.ownPasswordToken;
    return this.tokenByOp.get(op.key) ?? this.tokens.admin;
  }

  /** Learns the role from a 403 ROLE_REQUIRED answer; true when the token changed. */
  learnRole(op, res) {
    if (res.status !== 403) return false;
    let problem;
    try {
      problem = JSON.parse(res.text);
    } catch {
      return false;
    }
    const roles = problem.code === 'ROLE_REQUIRED' ? (problem.requiredRoles ?? []) : [];
    const role = roles.find((r) => this.tokens[r]);
    if (!role || this.tokenByOp.get(op.key) === this.tokens[role]) return false;
    this.tokenByOp.set(op.key, this.tokens[role]);
    this.roleByOp ??= new Map();
    this.roleByOp.set(op.key, role);
    return true;
  }

  roleOf(op) {
    if (op.path === '/api/v1/auth/password') return 'fuzz-own-password';
    return this.roleByOp?.get(op.key) ?? 'admin';
  }
}

/**
 * The demo factory after a little work, so that stock, lots, picks and released orders have real ids: a lot of
 * each of a few bought materials received into a bin, and a few planned work orders released.
 */
async function workSomeOfTheDemo(app, tokens, siteId, log) {
  const s = `/sites/${siteId}`;
  const list = async (path) => {
    const { body } = await api(app, 'GET', `${s}/${path}`, { token: tokens.admin });
    return Array.isArray(body) ? body : body.items;
  };
  const [materials, locations, planned] = await Promise.all([
    list('materials?limit=500'),
    list('locations?limit=500'),
    list('work-orders?status=planned&limit=500'),
  ]);
  const bins = locations.filter((l) => l.locationType === 'bin');
  const bought = materials
    .filter((m) => m.lotTracked && !m.serialTracked && m.materialClass !== 'finished')
    .slice(0, 6);
  log(`set-up: receiving ${bought.length} lots and releasing ${Math.min(3, planned.length)} work orders`);
  await mapLimit(bought, 2, (m, i) =>
    api(app, 'POST', `${s}/inventory/receipts`, {
      token: tokens.warehouse,
      body: { material: m.code, location: bins[i % bins.length].code, quantity: '500' },
      expect: [201],
    }),
  );
  // One at a time: a release takes the site's release lock.
  for (const wo of planned.slice(0, 3)) {
    await api(app, 'POST', `${s}/work-orders/${wo.id}/release`, {
      token: tokens.planner,
      body: { allowShortage: true },
      expect: [200],
    });
  }
}
