import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TodosService } from '../src/alerts/todos/todos.service';
import type { Role } from '../src/platform/auth/roles';
import { TransactionRunner } from '../src/platform/database/transaction-runner';
import { AUDITED, AUDITED_WITH_PARENT, NOT_AUDITED } from './support/audit-coverage';
import { eventually } from './support/eventually';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { settledVersion } from './support/schedule-version';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * 21 CFR Part 11 checks against the real application:
 * 1. every entity is either audited (create and update — and delete/deactivate where the API has it — driven
 *    through the API, each leaving a row with actor, entity, action, reason, correlation id and before/after),
 *    audited with its parent, or left out for a stated reason;
 * 2. the application's database role — and a production-like role that owns no tables — cannot change or
 *    remove audit rows, nor switch off or drop the trigger that guards them;
 * 3. a signed record changed afterwards (through the API, or in SQL as a tamperer would) shows its signature
 *    invalid, with the reason;
 * 4. the audit export of a lot reproduces its history: replaying before/after rebuilds the lot as the API shows
 *    it, and the rows name exactly the lot's ledger movements.
 */

type Json = Record<string, unknown>;
type Kind = 'create' | 'update' | 'delete';

interface AuditRow {
  id: string;
  occurred_at: Date;
  actor_type: string;
  actor_id: string;
  actor_name: string;
  site_id: string | null;
  entity_type: string;
  entity_id: string;
  action: string;
  before: Json | null;
  after: Json | null;
  reason: string | null;
  correlation_id: string;
}

interface Call {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies of many endpoints
  cid: string;
}

interface Actor {
  id: string;
  token: string;
}

const RUN = randomUUID().slice(0, 6);
let counter = 0;
/** Codes unique to this run (the test database is shared by every spec). */
const code = (prefix: string) => `${prefix}-${RUN}-${(++counter).toString(36)}`.toUpperCase();

describe('21 CFR Part 11', () => {
  let t: TestApp;

  /** One request, with its own correlation id (to find its audit rows) and an Idempotency-Key on writes. */
  const call = async (
    who: Actor,
    method: 'get' | 'post' | 'patch' | 'put' | 'delete',
    path: string,
    body?: object,
    expected?: number,
  ): Promise<Call> => {
    const cid = `p11-${RUN}-${++counter}`;
    let req = t.http[method](path).set('Authorization', `Bearer ${who.token}`).set('X-Correlation-Id', cid);
    if (method !== 'get') req = req.set('Idempotency-Key', randomUUID());
    const res = body === undefined ? await req : await req.send(body);
    const ok = expected === undefined ? res.status < 300 : res.status === expected;
    if (!ok) {
      throw new Error(
        `${method.toUpperCase()} ${path}: ${res.status} (expected ${expected ?? '2xx'}) ${JSON.stringify(res.body)}`,
      );
    }
    return { status: res.status, body: res.body, cid };
  };

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('every entity type’s changes are audited with before and after', () => {
    let f: ProductionFactory;
    const proven = new Map<string, Set<Kind>>();
    const as = (role: keyof ProductionFactory['users']): Actor => f.users[role];
    const url = (path: string) => f.url(path);

    /**
     * The audit row a request left for a record: written by the request's user, under its correlation id, with
     * `before` null on create and both sides holding each changed field (with different values) on update.
     */
    const audited = async (
      table: string,
      kind: Kind,
      c: Call,
      e: { id: string; action: string; by: Actor; reason?: string; changed?: string[] },
    ): Promise<AuditRow> => {
      const entity = AUDITED[table];
      if (!entity) throw new Error(`${table} is not in the audited list`);
      const rows = await t.dataSource.query<AuditRow[]>(
        `SELECT * FROM audit_log WHERE correlation_id = $1 AND entity_type = $2 AND entity_id = $3 ORDER BY id`,
        [c.cid, entity.auditType, e.id],
      );
      const row = rows.find((r) => r.action === e.action);
      const where = `${table} ${e.id} (${kind}, ${e.action}, request ${c.cid})`;
      if (!row) {
        throw new Error(
          `no audit row for ${where}; the request wrote: ${JSON.stringify(rows.map((r) => r.action))}`,
        );
      }
      const problems: string[] = [];
      if (row.actor_type !== 'user' || row.actor_id !== e.by.id)
        problems.push(`actor ${row.actor_type}:${row.actor_id}, expected user:${e.by.id}`);
      if (e.reason !== undefined && row.reason !== e.reason)
        problems.push(`reason ${JSON.stringify(row.reason)}, expected ${JSON.stringify(e.reason)}`);
      if (kind === 'create') {
        if (row.before !== null)
          problems.push(`before should be null on create: ${JSON.stringify(row.before)}`);
        if (row.after === null || Object.keys(row.after).length === 0)
          problems.push('after is empty on create');
      } else {
        if (row.before === null) problems.push(`before is null on ${kind}`);
        for (const field of e.changed ?? []) {
          const b = row.before?.[field];
          const a = row.after?.[field];
          if (!row.before || !(field in row.before)) problems.push(`before lacks ${field}`);
          else if (!row.after || !(field in row.after)) problems.push(`after lacks ${field}`);
          else if (JSON.stringify(b) === JSON.stringify(a))
            problems.push(`${field} is ${JSON.stringify(a)} on both sides`);
        }
      }
      if (problems.length > 0) {
        throw new Error(`audit row of ${where}: ${problems.join('; ')}\n${JSON.stringify(row, null, 1)}`);
      }
      const set = proven.get(table) ?? new Set<Kind>();
      set.add(kind);
      proven.set(table, set);
      return row;
    };

    beforeAll(async () => {
      f = await productionFactory(t);
    });

    it('classifies every entity: audited, audited with its parent, or left out with a reason', () => {
      const tables = t.dataSource.entityMetadatas.map((m) => m.tableName).sort();
      const lists = [
        ['audited', Object.keys(AUDITED)],
        ['audited with parent', Object.keys(AUDITED_WITH_PARENT)],
        ['not audited', Object.keys(NOT_AUDITED)],
      ] as const;
      const unclassified = tables.filter((name) => !lists.some(([, list]) => list.includes(name)));
      expect({ unclassified }).toEqual({ unclassified: [] });
      const twice = tables.filter((name) => lists.filter(([, list]) => list.includes(name)).length > 1);
      expect({ inMoreThanOneList: twice }).toEqual({ inMoreThanOneList: [] });
      const stale = lists.flatMap(([, list]) => list.filter((name) => !tables.includes(name)));
      expect({ noSuchEntity: stale }).toEqual({ noSuchEntity: [] });
      for (const [table, { parent }] of Object.entries(AUDITED_WITH_PARENT)) {
        expect({ table, parentAudited: parent in AUDITED }).toEqual({ table, parentAudited: true });
      }
      for (const [table, reason] of Object.entries(NOT_AUDITED)) {
        expect({ table, reason: reason.length >= 20 }).toEqual({ table, reason: true });
      }
    });

    it('platform: enterprises, sites, users, terminals and API clients', async () => {
      const admin = as('admin');
      const ent = await call(admin, 'post', '/api/v1/enterprises', {
        code: code('ENT'),
        name: 'Part 11 Holdings',
        nameZh: '第十一部分控股',
      });
      await audited('enterprise', 'create', ent, {
        id: ent.body.id,
        action: 'enterprise.created',
        by: admin,
      });

      const site = await call(admin, 'post', '/api/v1/sites', {
        code: code('S'),
        name: 'Part 11 plant',
        timeZone: 'Asia/Shanghai',
        enterpriseId: ent.body.id,
      });
      await audited('site', 'create', site, { id: site.body.id, action: 'site.created', by: admin });
      const renamed = await call(admin, 'patch', `/api/v1/sites/${site.body.id}`, {
        name: 'Part 11 plant (renamed)',
        reason: 'new plant name',
      });
      await audited('site', 'update', renamed, {
        id: site.body.id,
        action: 'site.updated',
        by: admin,
        reason: 'new plant name',
        changed: ['name'],
      });

      const user = await call(admin, 'post', '/api/v1/users', {
        username: code('u').toLowerCase(),
        displayName: 'Auditor',
        password: 'a long enough password',
        roles: ['viewer'],
        siteIds: [f.site.id],
      });
      await audited('app_user', 'create', user, { id: user.body.id, action: 'user.created', by: admin });
      const promoted = await call(admin, 'patch', `/api/v1/users/${user.body.id}`, {
        roles: ['quality'],
        reason: 'moves to quality',
      });
      await audited('app_user', 'update', promoted, {
        id: user.body.id,
        action: 'user.updated',
        by: admin,
        reason: 'moves to quality',
        changed: ['roles'],
      });
      const off = await call(admin, 'patch', `/api/v1/users/${user.body.id}`, {
        active: false,
        reason: 'left the company',
      });
      await audited('app_user', 'delete', off, {
        id: user.body.id,
        action: 'user.updated',
        by: admin,
        changed: ['active'],
      });

      const terminal = await call(admin, 'post', '/api/v1/terminals', {
        code: code('T'),
        name: 'Assembly terminal',
        siteId: f.site.id,
        workCenterId: f.workCenters.assy.id,
      });
      await audited('terminal', 'create', terminal, {
        id: terminal.body.id,
        action: 'terminal.registered',
        by: admin,
      });
      const moved = await call(admin, 'patch', `/api/v1/terminals/${terminal.body.id}`, {
        name: 'Assembly terminal 装配终端',
      });
      await audited('terminal', 'update', moved, {
        id: terminal.body.id,
        action: 'terminal.updated',
        by: admin,
        changed: ['name'],
      });
      const disabled = await call(admin, 'post', `/api/v1/terminals/${terminal.body.id}/disable`, {});
      await audited('terminal', 'delete', disabled, {
        id: terminal.body.id,
        action: 'terminal.disabled',
        by: admin,
        changed: ['active'],
      });

      const client = await call(admin, 'post', '/api/v1/api-clients', {
        name: 'Part 11 WMS',
        roles: ['warehouse'],
        siteIds: [f.site.id],
      });
      const created = await audited('api_client', 'create', client, {
        id: client.body.id,
        action: 'api_client.created',
        by: admin,
      });
      expect(JSON.stringify(created.after)).not.toContain(client.body.secret);
      const rotated = await call(admin, 'post', `/api/v1/api-clients/${client.body.id}/rotate-secret`, {});
      const rotation = await audited('api_client', 'update', rotated, {
        id: client.body.id,
        action: 'api_client.secret_rotated',
        by: admin,
        changed: ['secretFingerprint'],
      });
      expect(JSON.stringify(rotation)).not.toContain(rotated.body.secret);
      const revoked = await call(admin, 'post', `/api/v1/api-clients/${client.body.id}/disable`, {});
      await audited('api_client', 'delete', revoked, {
        id: client.body.id,
        action: 'api_client.disabled',
        by: admin,
        changed: ['active'],
      });
    });

    it('master data: every catalog, BOMs and routings — create, update, deactivate', async () => {
      const admin = as('admin');
      const ids: Record<string, string> = {};
      // In order: later bodies refer to records created by earlier ones.
      const catalogs: Array<[string, string, () => Json]> = [
        ['units', 'unit_of_measure', () => ({ dimension: 'count' })],
        ['areas', 'area', () => ({})],
        ['lines', 'production_line', () => ({ areaId: ids.areas })],
        ['work-centers', 'work_center', () => ({ lineId: ids.lines })],
        ['equipment', 'equipment', () => ({ workCenterId: ids['work-centers'] })],
        ['partners', 'partner', () => ({ isSupplier: true })],
        ['locations', 'storage_location', () => ({ locationType: 'warehouse' })],
        ['materials', 'material', () => ({ materialClass: 'raw', baseUnitId: ids.units })],
        ['reason-codes', 'reason_code', () => ({ category: 'scrap' })],
        ['calendars', 'shift_calendar', () => ({ workCenterId: ids['work-centers'], shifts: [] })],
      ];
      for (const [path, table, extra] of catalogs) {
        const type = AUDITED[table]!.auditType;
        const created = await call(admin, 'post', url(path), {
          code: code('MD'),
          name: 'Audited',
          ...extra(),
        });
        ids[path] = created.body.id;
        await audited(table, 'create', created, {
          id: created.body.id,
          action: `${type}.created`,
          by: admin,
        });
        const updated = await call(admin, 'patch', url(`${path}/${created.body.id}`), {
          version: created.body.version,
          name: 'Audited and renamed 已改名',
          reason: 'typo',
        });
        await audited(table, 'update', updated, {
          id: created.body.id,
          action: `${type}.updated`,
          by: admin,
          reason: 'typo',
          changed: ['name'],
        });
        const off = await call(admin, 'post', url(`${path}/${created.body.id}/deactivate`), {
          version: updated.body.version,
        });
        await audited(table, 'delete', off, {
          id: created.body.id,
          action: `${type}.deactivated`,
          by: admin,
          changed: ['active'],
        });
        // Back in use: later catalogs refer to it.
        const on = await call(admin, 'post', url(`${path}/${created.body.id}/reactivate`), {
          version: off.body.version,
        });
        await audited(table, 'update', on, {
          id: created.body.id,
          action: `${type}.reactivated`,
          by: admin,
          changed: ['active'],
        });
      }

      const assembly = await call(admin, 'post', url('materials'), {
        code: code('ASSY'),
        name: 'Audited assembly',
        materialClass: 'semi_finished',
        baseUnitId: f.units.pcs.id,
      });
      const bom = await call(admin, 'post', url('boms'), {
        materialId: assembly.body.id,
        validFrom: '2020-01-01',
        lines: [{ lineNo: 10, componentId: f.materials.shaft.id, quantityPer: '2' }],
      });
      const bomRow = await audited('bom', 'create', bom, {
        id: bom.body.id,
        action: 'bom.created',
        by: admin,
      });
      expect(JSON.stringify(bomRow.after)).toContain(f.materials.shaft.id);
      const bomChanged = await call(admin, 'patch', url(`boms/${bom.body.id}`), {
        version: bom.body.version,
        description: 'two shafts per assembly',
        lines: [{ lineNo: 10, componentId: f.materials.shaft.id, quantityPer: '3' }],
      });
      await audited('bom', 'update', bomChanged, {
        id: bom.body.id,
        action: 'bom.updated',
        by: admin,
        changed: ['lines'],
      });
      const bomOff = await call(admin, 'post', url(`boms/${bom.body.id}/deactivate`), {
        version: bomChanged.body.version,
      });
      await audited('bom', 'delete', bomOff, {
        id: bom.body.id,
        action: 'bom.deactivated',
        by: admin,
        changed: ['active'],
      });

      const routing = await call(admin, 'post', url('routings'), {
        materialId: assembly.body.id,
        validFrom: '2020-01-01',
        operations: [
          {
            seq: 10,
            name: 'Assemble',
            workCenterId: f.workCenters.assy.id,
            equipment: [{ equipmentId: f.equipment.press.id, runTimePerUnitSec: '30', setupTimeSec: '0' }],
          },
        ],
      });
      await audited('routing', 'create', routing, {
        id: routing.body.id,
        action: 'routing.created',
        by: admin,
      });
      const routingChanged = await call(admin, 'patch', url(`routings/${routing.body.id}`), {
        version: routing.body.version,
        description: 'press fit',
      });
      await audited('routing', 'update', routingChanged, {
        id: routing.body.id,
        action: 'routing.updated',
        by: admin,
        changed: ['description'],
      });
      const routingOff = await call(admin, 'post', url(`routings/${routing.body.id}/deactivate`), {
        version: routingChanged.body.version,
      });
      await audited('routing', 'delete', routingOff, {
        id: routing.body.id,
        action: 'routing.deactivated',
        by: admin,
        changed: ['active'],
      });
    });

    it('settings, rules and webhooks', async () => {
      const admin = as('admin');
      const warehouse = as('warehouse');
      const inv1 = await call(warehouse, 'put', url('inventory-settings'), { allocationPolicy: 'fefo' });
      // Settings: a site's first write replaces the defaults it had, which the row holds as `before`.
      await audited('inventory_settings', 'update', inv1, {
        id: f.site.id,
        action: 'inventory_settings.updated',
        by: warehouse,
        changed: ['allocationPolicy'],
      });
      const prod = await call(admin, 'put', url('production-settings'), { allowConcurrentOperations: true });
      await audited('production_settings', 'update', prod, {
        id: f.site.id,
        action: 'production_settings.updated',
        by: admin,
        changed: ['allowConcurrentOperations'],
      });

      const ruleCode = `p11.${RUN.toLowerCase()}`;
      const rule = await call(admin, 'post', url('rules'), {
        code: ruleCode,
        name: 'Quality andon → notify quality',
        trigger: {
          kind: 'event',
          event: 'production.andon.changed',
          filter: { field: 'kind', op: 'eq', value: 'quality' },
        },
        actions: [{ type: 'notify', to: ['role:quality'], message: 'Quality call: {{message}}' }],
      });
      await audited('alert_rule', 'create', rule, { id: ruleCode, action: 'alert_rule.created', by: admin });
      const ruleChanged = await call(admin, 'put', url(`rules/${ruleCode}`), {
        name: 'Quality andon → notify quality engineers',
        expectedVersion: rule.body.version,
      });
      await audited('alert_rule', 'update', ruleChanged, {
        id: ruleCode,
        action: 'alert_rule.updated',
        by: admin,
        changed: ['name'],
      });
      const ruleGone = await call(
        admin,
        'delete',
        url(`rules/${ruleCode}?expectedVersion=${ruleChanged.body.version}`),
      );
      await audited('alert_rule', 'delete', ruleGone, {
        id: ruleCode,
        action: 'alert_rule.deleted',
        by: admin,
      });

      const hook = await call(admin, 'post', url('webhooks'), {
        name: 'ERP',
        url: 'https://erp.example.com/hooks',
        eventTypes: ['inventory.lot.status_changed'],
      });
      const hookRow = await audited('webhook_subscription', 'create', hook, {
        id: hook.body.id,
        action: 'webhook_subscription.created',
        by: admin,
      });
      expect(JSON.stringify(hookRow.after)).not.toContain(hook.body.secret);
      const hookChanged = await call(admin, 'patch', url(`webhooks/${hook.body.id}`), {
        name: 'ERP (plant 2)',
      });
      await audited('webhook_subscription', 'update', hookChanged, {
        id: hook.body.id,
        action: 'webhook_subscription.updated',
        by: admin,
        changed: ['name'],
      });
      const hookGone = await call(admin, 'delete', url(`webhooks/${hook.body.id}`), undefined, 204);
      await audited('webhook_subscription', 'delete', hookGone, {
        id: hook.body.id,
        action: 'webhook_subscription.deleted',
        by: admin,
      });
    });

    it('inventory: lots, requisitions, line-side levels and replenishments, counts, outsourcing, shipments, todos', async () => {
      const admin = as('admin');
      const warehouse = as('warehouse');
      const quality = as('quality');
      const planner = as('planner');
      const receive = (material: string, quantity: string, location: string, lotCode: string) =>
        call(warehouse, 'post', url('inventory/receipts'), { material, quantity, location, lotCode });

      const lotCode = code('L');
      const lot = await receive('SHAFT', '100', 'WH', lotCode);
      await audited('lot', 'create', lot, { id: lot.body.id, action: 'lot.created', by: warehouse });
      const held = await call(quality, 'post', url(`lots/${lotCode}/hold`), { reason: 'supplier complaint' });
      await audited('lot', 'update', held, {
        id: lot.body.id,
        action: 'lot.hold',
        by: quality,
        reason: 'supplier complaint',
        changed: ['status'],
      });

      const req = await call(planner, 'post', url('purchase-requisitions'), {
        material: 'GREASE',
        quantity: '5',
        reason: 'summer demand',
      });
      await audited('purchase_requisition', 'create', req, {
        id: req.body.id,
        action: 'purchase_requisition.opened',
        by: planner,
      });
      const ordered = await call(admin, 'post', url(`purchase-requisitions/${req.body.id}/ordered`), {
        purchaseOrder: 'PO-P11-1',
      });
      await audited('purchase_requisition', 'update', ordered, {
        id: req.body.id,
        action: 'purchase_requisition.ordered',
        by: admin,
        changed: ['status'],
      });
      const req2 = await call(planner, 'post', url('purchase-requisitions'), {
        material: 'GREASE',
        quantity: '2',
        reason: 'spare',
      });
      const cancelled = await call(admin, 'post', url(`purchase-requisitions/${req2.body.id}/cancel`), {
        reason: 'not needed after all',
      });
      await audited('purchase_requisition', 'delete', cancelled, {
        id: req2.body.id,
        action: 'purchase_requisition.cancelled',
        by: admin,
        reason: 'not needed after all',
        changed: ['status'],
      });

      // A line-side level for grease, which the line does not have: the level itself asks for replenishment.
      const levelId = `${f.locations.lineSide.id}:${f.materials.grease.id}`;
      const level = await call(planner, 'put', url('inventory/line-stock-levels'), {
        location: 'LS-L1',
        material: 'GREASE',
        minQty: '1',
        maxQty: '5',
      });
      await audited('line_stock_level', 'create', level, {
        id: levelId,
        action: 'line_stock_level.created',
        by: planner,
      });
      const replenishment = await t.dataSource.query<Array<{ id: string }>>(
        `SELECT id FROM line_replenishment WHERE location_id = $1 AND material_id = $2 AND status = 'open'`,
        [f.locations.lineSide.id, f.materials.grease.id],
      );
      expect(replenishment).toHaveLength(1);
      await audited('line_replenishment', 'create', level, {
        id: replenishment[0]!.id,
        action: 'line_replenishment.requested',
        by: planner,
      });
      const raised = await call(planner, 'put', url('inventory/line-stock-levels'), {
        location: 'LS-L1',
        material: 'GREASE',
        minQty: '1',
        maxQty: '8',
      });
      await audited('line_stock_level', 'update', raised, {
        id: levelId,
        action: 'line_stock_level.changed',
        by: planner,
        changed: ['maxQty'],
      });
      const dropped = await call(
        planner,
        'post',
        url(`inventory/line-replenishments/${replenishment[0]!.id}/cancel`),
        {
          reason: 'line stopped for changeover',
        },
      );
      await audited('line_replenishment', 'delete', dropped, {
        id: replenishment[0]!.id,
        action: 'line_replenishment.cancelled',
        by: planner,
        reason: 'line stopped for changeover',
        changed: ['status'],
      });
      await receive('GREASE', '10', 'WH', code('GR'));
      const asked = await call(warehouse, 'post', url('inventory/line-replenishments'), {
        location: 'LS-L1',
        material: 'GREASE',
        quantity: '2',
      });
      await audited('line_replenishment', 'create', asked, {
        id: asked.body.id,
        action: 'line_replenishment.requested',
        by: warehouse,
      });
      const delivered = await call(
        warehouse,
        'post',
        url(`inventory/line-replenishments/${asked.body.id}/confirm`),
        {},
      );
      await audited('line_replenishment', 'update', delivered, {
        id: asked.body.id,
        action: 'line_replenishment.delivered',
        by: warehouse,
        changed: ['status'],
      });

      const counted = code('CNT');
      await receive('SHAFT', '50', 'WH', counted);
      const count = await call(warehouse, 'post', url('inventory/counts'), {
        lot: counted,
        location: 'WH',
        countedQty: '47',
        note: 'cycle count A',
      });
      const adjustment = count.body.adjustment as { id: string };
      await audited('stock_adjustment', 'create', count, {
        id: adjustment.id,
        action: 'stock_adjustment.requested',
        by: warehouse,
      });
      const supervisor = as('warehouse_supervisor');
      const approved = await call(supervisor, 'post', url(`inventory/adjustments/${adjustment.id}/approve`), {
        note: 'recounted',
      });
      await audited('stock_adjustment', 'update', approved, {
        id: adjustment.id,
        action: 'stock_adjustment.approved',
        by: supervisor,
        changed: ['status'],
      });

      const supplier = await call(admin, 'post', url('partners'), {
        code: code('SUP'),
        name: 'Heat treatment Co.',
        isSupplier: true,
      });
      const supplierLocation = await call(admin, 'post', url('locations'), {
        code: code('SUPLOC'),
        name: 'At heat treatment',
        locationType: 'supplier',
        partnerId: supplier.body.id,
      });
      const hardened = await call(admin, 'post', url('materials'), {
        code: code('HT'),
        name: 'Shaft, hardened',
        materialClass: 'semi_finished',
        baseUnitId: f.units.pcs.id,
        lotTracked: true,
      });
      const sendable = code('OS');
      await receive('SHAFT', '20', 'WH', sendable);
      const order = await call(planner, 'post', url('outsourcing-orders'), {
        supplierLocation: supplierLocation.body.code,
        process: 'Heat treatment 热处理',
        outputMaterial: hardened.body.code,
        expectedQty: '20',
      });
      await audited('outsourcing_order', 'create', order, {
        id: order.body.id,
        action: 'outsourcing_order.created',
        by: planner,
      });
      const sent = await call(warehouse, 'post', url(`outsourcing-orders/${order.body.id}/send`), {
        lot: sendable,
        fromLocation: 'WH',
        quantity: '20',
      });
      await audited('outsourcing_order', 'update', sent, {
        id: order.body.id,
        action: 'outsourcing_order.sent',
        by: warehouse,
        changed: ['status'],
      });
      const spare = await call(planner, 'post', url('outsourcing-orders'), {
        supplierLocation: supplierLocation.body.code,
        process: 'Plating',
        outputMaterial: hardened.body.code,
        expectedQty: '5',
      });
      const dropOrder = await call(planner, 'post', url(`outsourcing-orders/${spare.body.id}/cancel`), {
        reason: 'plating moved in-house',
      });
      await audited('outsourcing_order', 'delete', dropOrder, {
        id: spare.body.id,
        action: 'outsourcing_order.cancelled',
        by: planner,
        reason: 'plating moved in-house',
        changed: ['status'],
      });

      const customer = await call(admin, 'post', url('partners'), {
        code: code('CUS'),
        name: 'ACME Gear Co.',
        isCustomer: true,
      });
      const shipped = code('SHP');
      await receive('SHAFT', '5', 'WH', shipped);
      const shipment = await call(warehouse, 'post', url('inventory/shipments'), {
        customer: customer.body.code,
        lines: [{ lot: shipped, quantity: '5' }],
      });
      await audited('shipment', 'create', shipment, {
        id: shipment.body.id,
        action: 'shipment.created',
        by: warehouse,
      });

      // A rejected lot opens a todo for the planner (in the rejecting transaction); a person closes it.
      const rejected = code('REJ');
      await receive('GREASE', '5', 'WH', rejected);
      const reject = await call(quality, 'post', url(`lots/${rejected}/reject`), { reason: 'contaminated' });
      const [todo] = await t.dataSource.query<Array<{ id: string; version: number }>>(
        `SELECT id, version FROM todo WHERE site_id = $1 AND kind = 'quality_problem' AND status = 'open'
          ORDER BY created_at DESC LIMIT 1`,
        [f.site.id],
      );
      await audited('todo', 'create', reject, { id: todo!.id, action: 'todo.opened', by: quality });
      // The same cause again refreshes the open todo (no second one): the refresh is audited with before/after.
      const [open] = await t.dataSource.query<
        Array<{
          kind: string;
          title: string;
          assignee_roles: Role[];
          reference_type: string;
          reference_id: string;
          dedupe_key: string;
        }>
      >(
        'SELECT kind, title, assignee_roles, reference_type, reference_id, dedupe_key FROM todo WHERE id = $1',
        [todo!.id],
      );
      const refreshed = await t.app.get(TransactionRunner).run((tx) =>
        t.app.get(TodosService).open(tx, {
          siteId: f.site.id,
          kind: open!.kind,
          title: `${open!.title} (seen again)`,
          titleZh: '再次出现',
          roles: open!.assignee_roles,
          referenceType: open!.reference_type,
          referenceId: open!.reference_id,
          dedupeKey: open!.dedupe_key,
        }),
      );
      expect(refreshed).toMatchObject({ created: false, todo: { id: todo!.id } });
      const [refresh] = await t.dataSource.query<AuditRow[]>(
        `SELECT * FROM audit_log WHERE entity_type = 'todo' AND entity_id = $1 AND action = 'todo.refreshed'`,
        [todo!.id],
      );
      expect(refresh).toMatchObject({
        before: { title: open!.title },
        after: { title: `${open!.title} (seen again)`, titleZh: '再次出现' },
      });
      const done = await call(planner, 'post', url(`todos/${todo!.id}/done`), {
        note: 'Re-planned with another lot',
        expectedVersion: refreshed.todo.version,
      });
      await audited('todo', 'update', done, {
        id: todo!.id,
        action: 'todo.done',
        by: planner,
        changed: ['status'],
      });
    });

    it('production: work orders, operations at the terminal, downtime, andon, pick tasks and putaways', async () => {
      const planner = as('planner');
      const operator = as('operator');
      const warehouse = as('warehouse');
      await call(warehouse, 'post', url('inventory/receipts'), {
        material: 'SHAFT',
        quantity: '30',
        location: 'LS-L1',
        lotCode: code('PSH'),
      });
      const shaftLot = (
        await t.dataSource.query<Array<{ code: string }>>(
          `SELECT code FROM lot WHERE site_id = $1 AND material_id = $2 AND status = 'available'
          AND EXISTS (SELECT 1 FROM stock_balance b WHERE b.lot_id = lot.id AND b.location_id = $3 AND b.quantity >= 10)
          ORDER BY created_at DESC LIMIT 1`,
          [f.site.id, f.materials.shaft.id, f.locations.lineSide.id],
        )
      )[0]!.code;
      await call(warehouse, 'post', url('inventory/receipts'), {
        material: 'GREASE',
        quantity: '5',
        location: 'LS-L1',
        lotCode: code('PGR'),
      });

      const wo = await call(planner, 'post', url('work-orders'), {
        material: 'SA-100',
        quantity: '10',
        dueAt: '2030-01-01T00:00:00Z',
      });
      const created = await audited('work_order', 'create', wo, {
        id: wo.body.id,
        action: 'work_order.created',
        by: planner,
      });
      const ops = wo.body.operations as Array<{ id: string; seq: number }>;
      // The operations are created with the order: its row names each of them.
      expect((created.after!.operations as Array<{ id: string }>).map((o) => o.id).sort()).toEqual(
        ops.map((o) => o.id).sort(),
      );
      proven.set('work_order_operation', new Set<Kind>(['create'])); // created with (and named by) the order
      const edited = await call(planner, 'patch', url(`work-orders/${wo.body.id}`), {
        expectedVersion: wo.body.version,
        notes: 'customer 88231 — 加急',
        reason: 'customer call',
      });
      await audited('work_order', 'update', edited, {
        id: wo.body.id,
        action: 'work_order.updated',
        by: planner,
        reason: 'customer call',
        changed: ['notes'],
      });
      await call(planner, 'post', url(`work-orders/${wo.body.id}/plan`), {});
      const released = await call(planner, 'post', url(`work-orders/${wo.body.id}/release`), {});
      const task = await eventually(async () => {
        const res = await call(warehouse, 'get', url(`wms/pick-tasks?workOrderId=${wo.body.id}`));
        return res.body[0]?.status === 'sent' ? (res.body[0] as { id: string }) : undefined;
      }, 'pick task sent');
      await audited('wms_pick_task', 'create', released, {
        id: task.id,
        action: 'wms.pick_task.created',
        by: planner,
      });
      const accepted = await call(warehouse, 'post', url(`wms/pick-tasks/${task.id}/accept`));
      await audited('wms_pick_task', 'update', accepted, {
        id: task.id,
        action: 'wms.pick_task.accepted',
        by: warehouse,
        changed: ['status'],
      });

      const [op10, op20] = ops;
      const terminal = (op: { id: string }, command: string, body: object = {}) =>
        call(operator, 'post', `/api/v1/terminal/operations/${op.id}/${command}`, body);
      const started = await terminal(op10!, 'start');
      await audited('work_order_operation', 'update', started, {
        id: op10!.id,
        action: 'operation.started',
        by: operator,
        changed: ['status'],
      });
      const paused = await terminal(op10!, 'pause', { reasonCode: 'P-BREAK' });
      await audited('work_order_operation', 'update', paused, {
        id: op10!.id,
        action: 'operation.paused',
        by: operator,
        changed: ['status'],
      });
      await terminal(op10!, 'resume');
      await terminal(op10!, 'consume', { lot: shaftLot, quantity: '10' });
      await terminal(op10!, 'complete', { goodQty: '10' });
      await terminal(op20!, 'start');
      const done = await terminal(op20!, 'complete', { goodQty: '10' });
      const produced = done.body.producedLots[0] as { id: string; code: string };
      const putaway = await eventually(async () => {
        const res = await call(warehouse, 'get', url('wms/putaways?status=sent'));
        return (res.body as Array<{ id: string; lotCode: string }>).find((p) => p.lotCode === produced.code);
      }, 'putaway sent');
      await audited('wms_putaway', 'create', done, {
        id: putaway.id,
        action: 'wms.putaway.created',
        by: operator,
      });
      const stored = await call(warehouse, 'post', url(`wms/putaways/${putaway.id}/confirm`), {
        location: 'WH',
      });
      await audited('wms_putaway', 'update', stored, {
        id: putaway.id,
        action: 'wms.putaway.confirmed',
        by: warehouse,
        changed: ['status'],
      });
      // The relay's own step (pending → sent) is audited too, as the system, under the order's request.
      const relay = await t.dataSource.query<AuditRow[]>(
        `SELECT * FROM audit_log WHERE entity_id = ANY($1::text[]) AND action IN ('wms.pick_task.sent', 'wms.putaway.sent')`,
        [[task.id, putaway.id]],
      );
      expect(relay.map((r) => [r.action, r.actor_type, r.before, r.after?.status])).toEqual(
        expect.arrayContaining([
          ['wms.pick_task.sent', 'system', { status: 'pending' }, 'sent'],
          ['wms.putaway.sent', 'system', { status: 'pending' }, 'sent'],
        ]),
      );
      expect(relay.find((r) => r.action === 'wms.pick_task.sent')!.correlation_id).toBe(released.cid);

      const cancellable = await call(planner, 'post', url('work-orders'), {
        material: 'SA-100',
        quantity: '5',
        dueAt: '2030-01-01T00:00:00Z',
      });
      const cancelled = await call(planner, 'post', url(`work-orders/${cancellable.body.id}/cancel`), {
        reason: 'customer withdrew',
      });
      await audited('work_order', 'delete', cancelled, {
        id: cancellable.body.id,
        action: 'work_order.cancel',
        by: planner,
        reason: 'customer withdrew',
        changed: ['status'],
      });

      await call(as('admin'), 'post', url('reason-codes'), {
        code: code('P-SETUP'),
        name: 'Planned set-up',
        category: 'downtime_planned',
      });
      const setup = (
        await t.dataSource.query<Array<{ code: string }>>(
          `SELECT code FROM reason_code WHERE site_id = $1 AND category = 'downtime_planned' ORDER BY created_at DESC LIMIT 1`,
          [f.site.id],
        )
      )[0]!.code;
      const down = await call(operator, 'post', '/api/v1/terminal/equipment/PRESS-1/downtime/start', {
        reasonCode: setup,
        note: 'die change',
      });
      await audited('downtime_event', 'create', down, {
        id: down.body.id,
        action: 'downtime.started',
        by: operator,
      });
      const up = await call(operator, 'post', '/api/v1/terminal/equipment/PRESS-1/downtime/stop', {
        note: 'die changed',
      });
      await audited('downtime_event', 'update', up, {
        id: down.body.id,
        action: 'downtime.ended',
        by: operator,
        changed: ['endedAt'],
      });

      const andon = await call(operator, 'post', '/api/v1/terminal/andon', {
        kind: 'material',
        workCenterId: f.workCenters.turn.id,
        message: 'need shafts 缺料',
      });
      await audited('andon_call', 'create', andon, {
        id: andon.body.id,
        action: 'andon.raised',
        by: operator,
      });
      const ack = await call(warehouse, 'post', `/api/v1/terminal/andon/${andon.body.id}/acknowledge`, {
        note: 'on my way',
      });
      await audited('andon_call', 'update', ack, {
        id: andon.body.id,
        action: 'andon.acknowledged',
        by: warehouse,
        changed: ['state'],
      });
    });

    it('quality: inspection plans, inspections, SPC exclusions and limits, NCRs', async () => {
      const admin = as('admin');
      const quality = as('quality');
      const warehouse = as('warehouse');
      const rod = await call(admin, 'post', url('materials'), {
        code: code('ROD'),
        name: 'Steel rod',
        materialClass: 'raw',
        baseUnitId: f.units.pcs.id,
        lotTracked: true,
      });
      const plan = await call(quality, 'post', url('quality/inspection-plans'), {
        code: code('IQC'),
        name: 'Incoming rod',
        type: 'iqc',
        material: rod.body.code,
        sampleSize: 1,
        characteristics: [
          { code: 'DIA', name: 'Diameter', kind: 'variable', unit: 'mm', lsl: '9', usl: '11', chart: 'imr' },
        ],
      });
      const planRow = await audited('inspection_plan', 'create', plan, {
        id: plan.body.id,
        action: 'inspection_plan.created',
        by: quality,
      });
      // Its characteristics are created with it: the plan's row names each of them.
      const characteristic = (plan.body.characteristics as Array<{ id: string }>)[0]!.id;
      expect(JSON.stringify(planRow.after)).toContain(characteristic);
      proven.set('inspection_characteristic', new Set<Kind>(['create']));
      const renamed = await call(quality, 'patch', url(`quality/inspection-plans/${plan.body.id}`), {
        expectedVersion: plan.body.version,
        name: 'Incoming rod 来料检验',
      });
      await audited('inspection_plan', 'update', renamed, {
        id: plan.body.id,
        action: 'inspection_plan.updated',
        by: quality,
        changed: ['name'],
      });

      // Three lots, one inspection each, one measured point each on the individuals chart.
      const inspections: Array<{ id: string; code: string }> = [];
      for (const [i, value] of ['10.0', '10.2', '9.9', '10.1'].entries()) {
        const receipt = await call(warehouse, 'post', url('inventory/receipts'), {
          material: rod.body.code,
          quantity: '10',
          location: 'WH',
          lotCode: code(`ROD${i}`),
        });
        const [inspection] = (await call(quality, 'get', url(`quality/inspections?lot=${receipt.body.code}`)))
          .body.items as Array<{ id: string; code: string }>;
        await audited('inspection', 'create', receipt, {
          id: inspection!.id,
          action: 'inspection.created',
          by: warehouse,
        });
        if (i === 3) {
          const cancelled = await call(quality, 'post', url(`quality/inspections/${inspection!.id}/cancel`), {
            reason: 'lot returned unopened',
          });
          await audited('inspection', 'delete', cancelled, {
            id: inspection!.id,
            action: 'inspection.cancelled',
            by: quality,
            reason: 'lot returned unopened',
            changed: ['status'],
          });
          continue;
        }
        const results = await call(quality, 'post', url(`quality/inspections/${inspection!.id}/results`), {
          results: [{ characteristic: 'DIA', sampleNo: 1, value }],
        });
        await audited('inspection', 'update', results, {
          id: inspection!.id,
          action: 'inspection.results_recorded',
          by: quality,
        });
        await call(quality, 'post', url(`quality/inspections/${inspection!.id}/decision`), {
          outcome: 'pass',
        });
        inspections.push(inspection!);
      }
      const chart = (suffix: string) => url(`quality/characteristics/${characteristic}/${suffix}`);
      const excluded = await call(quality, 'post', chart('exclusions'), {
        inspection: inspections[1]!.code,
        reason: 'probe not zeroed',
      });
      await audited('inspection_characteristic', 'update', excluded, {
        id: characteristic,
        action: 'spc.point_excluded',
        by: quality,
        reason: 'probe not zeroed',
        changed: ['excluded'],
      });
      const included = await call(quality, 'delete', chart(`exclusions/${inspections[1]!.code}`), {
        reason: 'probe was zeroed after all',
      });
      await audited('inspection_characteristic', 'update', included, {
        id: characteristic,
        action: 'spc.point_included',
        by: quality,
        reason: 'probe was zeroed after all',
        changed: ['excluded'],
      });
      const frozen = await call(quality, 'post', chart('limits'), { reason: 'first three lots, stable' });
      await audited('inspection_characteristic', 'update', frozen, {
        id: characteristic,
        action: 'spc.limits_frozen',
        by: quality,
        reason: 'first three lots, stable',
        changed: ['limitsVersion'],
      });

      await call(admin, 'post', url('reason-codes'), {
        code: code('D-P11'),
        name: 'Surface damage',
        category: 'defect',
      });
      const defect = (
        await t.dataSource.query<Array<{ code: string }>>(
          `SELECT code FROM reason_code WHERE site_id = $1 AND category = 'defect' ORDER BY created_at DESC LIMIT 1`,
          [f.site.id],
        )
      )[0]!.code;
      const ncr = await call(quality, 'post', url('quality/ncrs'), {
        source: 'customer',
        customer: 'ACME complaint 2026-118',
        title: 'Grease leaking at the seal',
        material: 'SA-100',
        quantity: '5',
        defectCodes: [defect],
      });
      await audited('ncr', 'create', ncr, { id: ncr.body.id, action: 'ncr.opened', by: quality });
      const review = await call(quality, 'post', url(`quality/ncrs/${ncr.body.id}/review`), {});
      await audited('ncr', 'update', review, {
        id: ncr.body.id,
        action: 'ncr.review_started',
        by: quality,
        changed: ['status'],
      });
    });

    it('maintenance: assets, meters, PM plans and tickets', async () => {
      const maintenance = as('maintenance');
      const mt = (path: string) => url(`maintenance/${path}`);
      const asset = await call(maintenance, 'post', mt('assets'), {
        equipment: 'PRESS-1',
        serialNo: 'YH32-100',
        criticality: 'B',
      });
      await audited('maintenance_asset', 'create', asset, {
        id: asset.body.id,
        action: 'asset.created',
        by: maintenance,
      });
      const changed = await call(maintenance, 'patch', mt('assets/PRESS-1'), { criticality: 'A' });
      await audited('maintenance_asset', 'update', changed, {
        id: asset.body.id,
        action: 'asset.updated',
        by: maintenance,
        changed: ['criticality'],
      });
      const meter = await call(maintenance, 'post', mt('assets/PRESS-1/meters'), {
        code: 'STROKES',
        kind: 'strokes',
        feed: 'manual',
      });
      await audited('maintenance_meter', 'create', meter, {
        id: meter.body.id,
        action: 'meter.created',
        by: maintenance,
      });
      const read = await call(maintenance, 'post', mt('assets/PRESS-1/meters/STROKES/readings'), {
        value: '480',
      });
      await audited('maintenance_meter', 'update', read, {
        id: meter.body.id,
        action: 'meter.read',
        by: maintenance,
        changed: ['value'],
      });
      const planCode = code('PM');
      const plan = await call(maintenance, 'post', mt('pm-plans'), {
        asset: 'PRESS-1',
        code: planCode,
        name: 'Monthly lubrication',
        trigger: 'calendar',
        every: 1,
        unit: 'month',
        estimatedMinutes: 60,
      });
      await audited('pm_plan', 'create', plan, {
        id: plan.body.id,
        action: 'pm_plan.created',
        by: maintenance,
      });
      const longer = await call(maintenance, 'patch', mt(`pm-plans/${planCode}`), { estimatedMinutes: 90 });
      await audited('pm_plan', 'update', longer, {
        id: plan.body.id,
        action: 'pm_plan.updated',
        by: maintenance,
        changed: ['estimatedMinutes'],
      });
      const ticket = await call(maintenance, 'post', mt('tickets'), {
        kind: 'corrective',
        asset: 'PRESS-1',
        title: 'Hydraulic leak',
      });
      await audited('maintenance_ticket', 'create', ticket, {
        id: ticket.body.id,
        action: 'ticket.opened',
        by: maintenance,
      });
      const retitled = await call(maintenance, 'patch', mt(`tickets/${ticket.body.code}`), {
        title: 'Hydraulic leak at the main cylinder 主油缸漏油',
      });
      await audited('maintenance_ticket', 'update', retitled, {
        id: ticket.body.id,
        action: 'ticket.updated',
        by: maintenance,
        changed: ['title'],
      });
      const dropped = await call(maintenance, 'post', mt(`tickets/${ticket.body.code}/cancel`), {
        reason: 'duplicate of an open ticket',
      });
      await audited('maintenance_ticket', 'delete', dropped, {
        id: ticket.body.id,
        action: 'ticket.cancelled',
        by: maintenance,
        reason: 'duplicate of an open ticket',
        changed: ['status'],
      });
    });

    it('machine data mappings, schedules and serial as-built', async () => {
      const admin = as('admin');
      const planner = as('planner');
      const md = url('machine-data/machines/LATHE-1');
      const topic = (kind: string) => `mom/${f.site.code}/L1/LATHE-1/${kind}`;
      const mapped = await call(admin, 'put', md, {
        countMode: 'off',
        tags: [{ source: topic('state'), metric: 'value', role: 'state' }],
      });
      const equipmentId = f.equipment.lathe.id;
      await audited('machine_config', 'create', mapped, {
        id: equipmentId,
        action: 'machine_data.mapping_created',
        by: admin,
      });
      const remapped = await call(admin, 'put', md, {
        countMode: 'off',
        tags: [
          { source: topic('state'), metric: 'value', role: 'state' },
          { source: topic('count'), metric: 'good', role: 'good_count' },
        ],
      });
      await audited('machine_config', 'update', remapped, {
        id: equipmentId,
        action: 'machine_data.mapping_changed',
        by: admin,
        changed: ['tags'],
      });
      const unmapped = await call(admin, 'delete', md);
      await audited('machine_config', 'delete', unmapped, {
        id: equipmentId,
        action: 'machine_data.mapping_removed',
        by: admin,
      });

      const run = await call(planner, 'post', url('planning/runs'), { seconds: 1, seed: 1 }, 202);
      await audited('schedule_version', 'create', run, {
        id: run.body.id,
        action: 'schedule_version.queued',
        by: planner,
      });
      const done = await settledVersion(
        t.http,
        url(`planning/versions/${run.body.id}`),
        f.auth(planner.token),
      );
      expect(done.status).toBe('succeeded');
      // The run's own steps are audited as the system (the run is a job of its own, with its own correlation id).
      const steps = await t.dataSource.query<AuditRow[]>(
        `SELECT * FROM audit_log WHERE entity_type = 'schedule_version' AND entity_id = $1 ORDER BY id`,
        [run.body.id],
      );
      expect(steps.map((r) => [r.action, r.actor_type])).toEqual([
        ['schedule_version.queued', 'user'],
        ['schedule_version.started', 'system'],
        ['schedule_version.succeeded', 'system'],
      ]);
      expect(steps[0]!.correlation_id).toBe(run.cid);
      expect(steps[2]!.correlation_id).toBe(steps[1]!.correlation_id);
      expect([steps[1]!.before, steps[1]!.after?.status]).toEqual([{ status: 'queued' }, 'running']);
      const published = await call(planner, 'post', url(`planning/versions/${run.body.id}/publish`), {});
      await audited('schedule_version', 'update', published, {
        id: run.body.id,
        action: 'schedule_version.published',
        by: planner,
        changed: ['status'],
      });

      // Serial as-built: a motor fitted into the unit made from it, then taken out at repair.
      const operator = as('operator');
      const motor = await call(admin, 'post', url('materials'), {
        code: code('MOTOR'),
        name: 'Motor',
        materialClass: 'raw',
        baseUnitId: f.units.pcs.id,
        lotTracked: true,
        serialTracked: true,
      });
      const unitMaterial = await call(admin, 'post', url('materials'), {
        code: code('UNIT'),
        name: 'Drive unit',
        materialClass: 'finished',
        baseUnitId: f.units.pcs.id,
        lotTracked: true,
        serialTracked: true,
      });
      await call(admin, 'post', url('boms'), {
        materialId: unitMaterial.body.id,
        validFrom: '2020-01-01',
        lines: [{ lineNo: 10, componentId: motor.body.id, quantityPer: '1', operationSeq: 10 }],
      });
      await call(admin, 'post', url('routings'), {
        materialId: unitMaterial.body.id,
        validFrom: '2020-01-01',
        operations: [
          {
            seq: 10,
            name: 'Fit motor',
            workCenterId: f.workCenters.assy.id,
            equipment: [{ equipmentId: f.equipment.press.id, runTimePerUnitSec: '10', setupTimeSec: '0' }],
          },
        ],
      });
      const motorSerial = code('M');
      const motorLot = code('MOT');
      await call(as('warehouse'), 'post', url('inventory/receipts'), {
        material: motor.body.code,
        quantity: '1',
        location: 'LS-L1',
        lotCode: motorLot,
        serials: [motorSerial],
      });
      const wo = await call(planner, 'post', url('work-orders'), {
        material: unitMaterial.body.code,
        quantity: '1',
        dueAt: '2030-01-01T00:00:00Z',
      });
      await call(planner, 'post', url(`work-orders/${wo.body.id}/plan`), {});
      const released = await call(planner, 'post', url(`work-orders/${wo.body.id}/release`), {
        allowShortage: true,
        reason: 'motor at the line',
      });
      const op = (released.body.operations as Array<{ id: string }>)[0]!.id;
      const terminal = (command: string, body: object) =>
        call(operator, 'post', `/api/v1/terminal/operations/${op}/${command}`, body);
      await terminal('start', {});
      await terminal('consume', { lot: motorLot, quantity: '1' });
      const made = await terminal('complete', { goodQty: '1' });
      const unitSerial = `${(made.body.producedLots[0] as { code: string }).code}-0001`;
      const fitted = await call(operator, 'post', '/api/v1/trace/as-built', {
        unit: unitSerial,
        components: [{ serial: motorSerial }],
      });
      await audited('serial_link', 'create', fitted, {
        id: fitted.body.unit.id,
        action: 'serial.components_fitted',
        by: operator,
      });
      const quality = as('quality');
      const removed = await call(quality, 'post', '/api/v1/trace/as-built/remove', {
        serial: motorSerial,
        reason: 'noisy at run-in',
      });
      await audited('serial_link', 'delete', removed, {
        id: fitted.body.unit.id,
        action: 'serial.component_removed',
        by: quality,
        reason: 'noisy at run-in',
      });
    });

    it('drove a create and an update of every audited entity (and its delete where the API has one)', () => {
      const missing: string[] = [];
      for (const [table, entity] of Object.entries(AUDITED)) {
        const kinds = proven.get(table) ?? new Set<Kind>();
        const wanted: Kind[] = entity.settings ? [] : ['create'];
        if (!entity.noUpdate) wanted.push('update');
        if (entity.deletable) wanted.push('delete');
        for (const kind of wanted) if (!kinds.has(kind)) missing.push(`${table}: ${kind}`);
      }
      expect(missing).toEqual([]);
    });
  });

  describe('the application’s database role cannot alter audit rows', () => {
    let f: ProductionFactory;
    beforeAll(async () => {
      f = await productionFactory(t);
    });

    /** An audit row written just now through the API (a site renamed), to try to tamper with. */
    const freshRow = async (): Promise<AuditRow> => {
      const renamed = await call(f.users.admin, 'patch', `/api/v1/sites/${f.site.id}`, {
        name: `Plant ${code('N')}`,
        reason: 'tamper target',
      });
      const [row] = await t.dataSource.query<AuditRow[]>(
        `SELECT * FROM audit_log WHERE correlation_id = $1 AND action = 'site.updated'`,
        [renamed.cid],
      );
      expect(row).toBeDefined();
      return row!;
    };
    const unchanged = async (row: AuditRow) => {
      const [now] = await t.dataSource.query<AuditRow[]>('SELECT * FROM audit_log WHERE id = $1', [row.id]);
      expect(now).toEqual(row);
    };

    it('refuses UPDATE, DELETE and TRUNCATE through the application’s own connection', async () => {
      const row = await freshRow();
      for (const sql of [
        `UPDATE audit_log SET reason = 'tampered', after = '{}' WHERE id = ${row.id}`,
        `DELETE FROM audit_log WHERE id = ${row.id}`,
        'TRUNCATE audit_log',
        'TRUNCATE audit_log CASCADE',
      ]) {
        await expect(t.dataSource.query(sql)).rejects.toThrow(/audit_log is append-only/);
      }
      // The signatures and the stock ledger are guarded the same way.
      await expect(t.dataSource.query('TRUNCATE electronic_signature')).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query('TRUNCATE inventory_movement')).rejects.toThrow(/append-only/);
      await unchanged(row);
    });

    const postgresOnly = process.env.TEST_DATABASE_KIND === 'postgresql' ? it : it.skip;

    postgresOnly(
      'a production-like role that owns no tables runs the application but cannot change, remove or unguard audit rows',
      async () => {
        const role = `mom_app_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
        const database = process.env.TEST_DATABASE_NAME!;
        const owner = new Client({ connectionString: process.env.TEST_DATABASE_URL });
        await owner.connect();
        const roleUrl = new URL(process.env.TEST_DATABASE_URL!);
        roleUrl.username = role;
        roleUrl.password = 'app-role-password';
        let app: TestApp | undefined;
        let stopped = false;
        const asRole = new Client({ connectionString: roleUrl.toString() });
        try {
          // What README "Database roles" tells an operator to run as the owner (the role that migrates).
          await owner.query(`CREATE ROLE ${role} LOGIN PASSWORD 'app-role-password'`);
          await owner.query(`GRANT CONNECT, TEMPORARY ON DATABASE "${database}" TO ${role}`);
          await owner.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
          await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
          await owner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
          await owner.query(
            `REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, electronic_signature, inventory_movement FROM ${role}`,
          );

          // The application runs as that role: it signs in, changes a record and writes its audit row. (Passport
          // keeps one strategy per name for the whole process, so two applications alive at once would both
          // authenticate through the later one: the spec's own application stops meanwhile.)
          await t.close();
          stopped = true;
          app = await startTestApp({ DATABASE_URL: roleUrl.toString() });
          const res = await app.http
            .patch(`/api/v1/sites/${f.site.id}`)
            .set('Authorization', `Bearer ${f.users.admin.token}`)
            .set('X-Correlation-Id', `p11-role-${RUN}`)
            .send({ name: `Plant run by ${role}`, reason: 'running as a role that owns nothing' });
          expect(res.status).toBe(200);
          const {
            rows: [row],
          } = await owner.query<AuditRow>(
            `SELECT * FROM audit_log WHERE correlation_id = $1 AND action = 'site.updated'`,
            [`p11-role-${RUN}`],
          );
          expect(row).toMatchObject({
            actor_id: f.users.admin.id,
            reason: 'running as a role that owns nothing',
          });

          await asRole.connect();
          const refused = async (sql: string, why: RegExp) => {
            await expect(asRole.query(sql)).rejects.toThrow(why);
          };
          // Not granted: refused by privileges before the trigger is even reached.
          await refused(
            `UPDATE audit_log SET reason = 'tampered' WHERE id = ${row!.id}`,
            /permission denied/,
          );
          await refused(`DELETE FROM audit_log WHERE id = ${row!.id}`, /permission denied/);
          await refused('TRUNCATE audit_log', /permission denied/);
          // Only the owner may switch the guard off, drop it, replace its function or drop the table; only a
          // superuser may skip triggers for the session.
          await refused(
            'ALTER TABLE audit_log DISABLE TRIGGER trg_audit_log_no_update_delete',
            /must be owner/,
          );
          await refused('ALTER TABLE audit_log DISABLE TRIGGER ALL', /must be owner/);
          await refused('DROP TRIGGER trg_audit_log_no_update_delete ON audit_log', /must be owner/);
          await refused('DROP TRIGGER trg_audit_log_no_truncate ON audit_log', /must be owner/);
          await refused(
            `CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
            /must be owner|permission denied/,
          );
          await refused('DROP FUNCTION audit_log_refuse_change() CASCADE', /must be owner/);
          await refused('DROP TABLE audit_log', /must be owner/);
          await refused('ALTER TABLE audit_log RENAME TO audit_log_old', /must be owner/);
          await refused('SET session_replication_role = replica', /permission denied/);

          // An operator who granted everything on the table still gets no further: the trigger holds.
          await owner.query(`GRANT ALL PRIVILEGES ON audit_log TO ${role}`);
          await refused(`UPDATE audit_log SET reason = 'tampered' WHERE id = ${row!.id}`, /append-only/);
          await refused(`DELETE FROM audit_log WHERE id = ${row!.id}`, /append-only/);
          await refused('TRUNCATE audit_log', /append-only/);
          await refused('ALTER TABLE audit_log DISABLE TRIGGER ALL', /must be owner/);
          const { rows: now } = await owner.query<AuditRow>('SELECT * FROM audit_log WHERE id = $1', [
            row!.id,
          ]);
          expect(now).toEqual([row]);
        } finally {
          await asRole.end().catch(() => undefined);
          await app?.close();
          if (stopped) t = await startTestApp();
          await owner.query(`DROP OWNED BY ${role}`).catch(() => undefined);
          await owner.query(`DROP ROLE IF EXISTS ${role}`);
          await owner.end();
        }
      },
      120_000,
    );
  });

  describe('a signed record changed afterwards shows its signature invalid, with the reason', () => {
    let f: ProductionFactory;
    interface SignatureBody {
      id: string;
      valid: boolean;
      recordHash: string;
      currentRecordHash: string | null;
      invalidCode: string | null;
      invalidReason: string | null;
      changedFields: string[];
    }
    const signaturesOf = async (who: Actor, entityType: string, entityId: string): Promise<SignatureBody[]> =>
      (await call(who, 'get', `/api/v1/signatures?entityType=${entityType}&entityId=${entityId}`))
        .body as SignatureBody[];

    beforeAll(async () => {
      f = await productionFactory(t);
    });

    it('an access review signed, then the user’s roles changed through the API', async () => {
      const admin = f.users.admin;
      const reviewed = f.users.operator;
      const signed = await call(admin, 'post', '/api/v1/signatures', {
        entityType: 'user',
        entityId: reviewed.id,
        meaning: 'reviewed',
        password: f.users.admin.password,
        reason: 'quarterly access review',
      });
      expect(signed.body).toMatchObject({
        valid: true,
        invalidCode: null,
        invalidReason: null,
        changedFields: [],
      });
      await call(admin, 'patch', `/api/v1/users/${reviewed.id}`, {
        roles: ['operator', 'warehouse'],
        reason: 'helps in the warehouse',
      });
      const [after] = await signaturesOf(admin, 'user', reviewed.id);
      expect(after).toMatchObject({
        id: signed.body.id,
        valid: false,
        invalidCode: 'record_changed',
        changedFields: ['roles'],
        recordHash: signed.body.recordHash,
      });
      expect(after!.invalidReason).toBe('The record changed after it was signed (roles)');
      expect(after!.currentRecordHash).not.toBe(signed.body.recordHash);
    });

    it('a maintenance ticket verified by signature, then reopened and closed with another remedy', async () => {
      const maintenance = f.users.maintenance;
      const mt = (path: string) => f.url(`maintenance/${path}`);
      await call(f.users.admin, 'post', f.url('reason-codes'), {
        code: 'LEAK',
        name: 'Leak',
        category: 'failure',
      });
      const ticket = await call(maintenance, 'post', mt('tickets'), {
        kind: 'corrective',
        asset: 'PRESS-1',
        title: 'Oil on the floor',
      });
      const c = ticket.body.code as string;
      await call(maintenance, 'post', mt(`tickets/${c}/assign`), { technician: maintenance.username });
      await call(maintenance, 'post', mt(`tickets/${c}/start`), {});
      await call(maintenance, 'post', mt(`tickets/${c}/complete`), {
        failureCode: 'LEAK',
        cause: 'Worn seal',
        remedy: 'Replaced the seal',
      });
      const quality = f.users.quality;
      const signed = await call(quality, 'post', '/api/v1/signatures', {
        entityType: 'maintenance_ticket',
        entityId: ticket.body.id,
        meaning: 'verified',
        password: quality.password,
      });
      expect(signed.body.valid).toBe(true);
      await call(maintenance, 'post', mt(`tickets/${c}/reopen`), { reason: 'still dripping' });
      await call(maintenance, 'post', mt(`tickets/${c}/complete`), {
        failureCode: 'LEAK',
        cause: 'Worn seal and scored rod',
        remedy: 'Replaced the seal and the piston rod',
      });
      const [after] = await signaturesOf(quality, 'maintenance_ticket', ticket.body.id);
      expect(after).toMatchObject({ valid: false, invalidCode: 'record_changed' });
      expect(after!.changedFields).toEqual(expect.arrayContaining(['cause', 'remedy', 'doneAt']));
      expect(after!.invalidReason).toContain('remedy');
    });

    it('an NCR disposition signed, then changed in SQL: invalid; the signature row itself cannot be altered', async () => {
      const quality = f.users.quality;
      await call(f.users.admin, 'post', f.url('reason-codes'), {
        code: 'D-SEAL',
        name: 'Seal damage',
        category: 'defect',
      });
      const ncr = await call(quality, 'post', f.url('quality/ncrs'), {
        source: 'customer',
        customer: 'ACME complaint 2026-201',
        title: 'Seal cut on assembly',
        material: 'SA-100',
        quantity: '4',
        defectCodes: ['D-SEAL'],
      });
      await call(quality, 'post', f.url(`quality/ncrs/${ncr.body.id}/review`), {});
      const dispositioned = await call(quality, 'post', f.url(`quality/ncrs/${ncr.body.id}/disposition`), {
        disposition: 'use_as_is',
        note: 'cosmetic only, customer agreed',
        password: quality.password,
      });
      const [signature] = dispositioned.body.signatures as SignatureBody[];
      expect(signature).toMatchObject({ valid: true, invalidCode: null });
      // Through the API the decision cannot change any more: only closing is left, which the signature allows.
      expect(dispositioned.body.allowedCommands).toEqual(['close']);
      await call(quality, 'post', f.url(`quality/ncrs/${ncr.body.id}/close`), { note: 'customer informed' });
      expect((await signaturesOf(quality, 'ncr', ncr.body.id))[0]).toMatchObject({ valid: true });

      // A tamperer with SQL access rewrites the decision.
      await t.dataSource.query(
        `UPDATE ncr SET disposition_qty = 40, disposition_note = 'all good' WHERE id = $1`,
        [ncr.body.id],
      );
      const [tampered] = await signaturesOf(quality, 'ncr', ncr.body.id);
      expect(tampered).toMatchObject({
        id: signature!.id,
        valid: false,
        invalidCode: 'record_changed',
        changedFields: ['dispositionNote', 'dispositionQty'],
      });
      expect(tampered!.invalidReason).toBe(
        'The record changed after it was signed (dispositionNote, dispositionQty)',
      );
      const detail = await call(quality, 'get', `/api/v1/signatures/${signature!.id}`);
      expect(detail.body).toMatchObject({
        valid: false,
        signedRecord: { dispositionNote: 'cosmetic only, customer agreed' },
      });

      // Re-pointing the signature at the tampered record is refused: signatures are append-only.
      await expect(
        t.dataSource.query(`UPDATE electronic_signature SET record_hash = $2 WHERE id = $1`, [
          signature!.id,
          tampered!.currentRecordHash,
        ]),
      ).rejects.toThrow(/electronic_signature is append-only/);
      await expect(
        t.dataSource.query(`DELETE FROM electronic_signature WHERE id = $1`, [signature!.id]),
      ).rejects.toThrow(/append-only/);

      // Even the owner, switching the guard off, cannot make the altered signature pass: its stored record no
      // longer hashes to its hash.
      const owner = t.dataSource.createQueryRunner();
      try {
        await owner.startTransaction();
        await owner.query(
          'ALTER TABLE electronic_signature DISABLE TRIGGER trg_electronic_signature_no_update_delete',
        );
        await owner.query(`UPDATE electronic_signature SET record_hash = $2 WHERE id = $1`, [
          signature!.id,
          tampered!.currentRecordHash,
        ]);
        await owner.query(
          'ALTER TABLE electronic_signature ENABLE TRIGGER trg_electronic_signature_no_update_delete',
        );
        await owner.commitTransaction();
      } finally {
        await owner.release();
      }
      const [altered] = await signaturesOf(quality, 'ncr', ncr.body.id);
      expect(altered).toMatchObject({ valid: false, invalidCode: 'signature_altered' });
      expect(altered!.invalidReason).toMatch(/signature was altered/);
    });
  });

  describe('the audit export reproduces a lot’s history', () => {
    let f: ProductionFactory;
    beforeAll(async () => {
      f = await productionFactory(t);
    });

    /** RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks. */
    const parseCsv = (text: string): string[][] => {
      const rows: string[][] = [];
      let row: string[] = [];
      let cell = '';
      let quoted = false;
      for (let i = 0; i < text.length; i++) {
        const ch = text[i]!;
        if (quoted) {
          if (ch === '"' && text[i + 1] === '"') {
            cell += '"';
            i++;
          } else if (ch === '"') quoted = false;
          else cell += ch;
        } else if (ch === '"') quoted = true;
        else if (ch === ',') {
          row.push(cell);
          cell = '';
        } else if (ch === '\r' && text[i + 1] === '\n') {
          row.push(cell);
          rows.push(row);
          row = [];
          cell = '';
          i++;
        } else cell += ch;
      }
      if (cell !== '' || row.length > 0) throw new Error('the CSV does not end with CRLF');
      return rows;
    };

    it('receipt, quality release, hold and release, transfer, consumption, return, scrap, count and split: replayed, they give the lot as it is', async () => {
      const as = (role: keyof ProductionFactory['users']) => f.users[role];
      const quality = as('quality');
      const warehouse = as('warehouse');
      const operator = as('operator');
      const planner = as('planner');
      const lotCode = code('LH');

      // Incoming inspection: new shaft lots wait in quarantine until their inspection passes.
      await call(quality, 'post', f.url('quality/inspection-plans'), {
        code: code('IQC'),
        name: 'Incoming shaft blanks',
        nameZh: '轴毛坯来料检验',
        type: 'iqc',
        material: 'SHAFT',
        sampleSize: 1,
        characteristics: [{ code: 'DIA', name: 'Diameter', kind: 'variable', lsl: '39.9', usl: '40.1' }],
      });
      const received = await call(warehouse, 'post', f.url('inventory/receipts'), {
        material: 'SHAFT',
        quantity: '100',
        location: 'WH',
        lotCode,
        reference: 'PO-2026-0042 供应商 "华东钢铁", 第2批',
      });
      expect(received.body.status).toBe('quarantine');
      const lotId = received.body.id as string;
      const [inspection] = (await call(quality, 'get', f.url(`quality/inspections?lot=${lotCode}`))).body
        .items as Array<{ id: string }>;
      await call(quality, 'post', f.url(`quality/inspections/${inspection!.id}/results`), {
        results: [{ characteristic: 'DIA', sampleNo: 1, value: '40.01' }],
      });
      await call(quality, 'post', f.url(`quality/inspections/${inspection!.id}/decision`), {
        outcome: 'pass',
      });
      const holdReason = '供应商投诉：尺寸超差, "复检" 中\n第二行';
      await call(quality, 'post', f.url(`lots/${lotCode}/hold`), { reason: holdReason });
      await call(quality, 'post', f.url(`lots/${lotCode}/unhold`), { reason: '复检合格 re-inspected OK' });
      await call(warehouse, 'post', f.url('inventory/transfers'), {
        lot: lotCode,
        fromLocation: 'WH',
        toLocation: 'LS-L1',
        quantity: '40',
        note: '补料 to line 1',
      });

      // A work order consumes 20 at the terminal; 3 come back, 1 is scrapped at the line.
      await call(warehouse, 'post', f.url('inventory/receipts'), {
        material: 'GREASE',
        quantity: '5',
        location: 'LS-L1',
        lotCode: code('LHG'),
      });
      const wo = await call(planner, 'post', f.url('work-orders'), {
        material: 'SA-100',
        quantity: '20',
        dueAt: '2030-01-01T00:00:00Z',
      });
      await call(planner, 'post', f.url(`work-orders/${wo.body.id}/plan`), {});
      const released = await call(planner, 'post', f.url(`work-orders/${wo.body.id}/release`), {});
      const op10 = (released.body.operations as Array<{ id: string }>)[0]!.id;
      await call(operator, 'post', `/api/v1/terminal/operations/${op10}/start`, {});
      await call(operator, 'post', `/api/v1/terminal/operations/${op10}/consume`, {
        lot: lotCode,
        quantity: '20',
      });
      await call(operator, 'post', `/api/v1/terminal/operations/${op10}/complete`, { goodQty: '20' });
      await call(warehouse, 'post', f.url('inventory/returns'), {
        lot: lotCode,
        workOrderId: wo.body.id,
        toLocation: 'LS-L1',
        quantity: '3',
        note: 'left over',
      });
      await call(operator, 'post', f.url('inventory/scraps'), {
        lot: lotCode,
        location: 'LS-L1',
        quantity: '1',
        reasonCode: 'S-DIM',
        note: '磕碰 dropped',
      });
      // A count finds 58 of the 60 in the warehouse; the supervisor approves the difference.
      const count = await call(warehouse, 'post', f.url('inventory/counts'), {
        lot: lotCode,
        location: 'WH',
        countedQty: '58',
        note: 'cycle count',
      });
      await call(
        as('warehouse_supervisor'),
        'post',
        f.url(`inventory/adjustments/${count.body.adjustment.id}/approve`),
        {
          note: 'recounted twice',
        },
      );
      await call(warehouse, 'post', f.url(`inventory/lots/${lotCode}/split`), {
        quantity: '8',
        locationId: f.locations.warehouse.id,
        code: `${lotCode}-A`,
        note: 'half pallet for the second line',
      });

      const lot = (await call(quality, 'get', f.url(`lots/${lotCode}`))).body as {
        status: string;
        statusReason: string | null;
        heldFrom: string | null;
        expiryDate: string | null;
        quantity: string;
        balances: Array<{ locationId: string; quantity: string }>;
      };
      expect(lot).toMatchObject({ status: 'available', quantity: '72' });

      // The export: only the lot's rows, oldest first, as JSON and as CSV.
      const exportOf = (format: string) =>
        t.http
          .get(`/api/v1/audit/export?entityType=lot&entityId=${lotId}&format=${format}`)
          .set('Authorization', `Bearer ${quality.token}`)
          .buffer(true)
          .parse((res, done) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
          });
      const json = await exportOf('json');
      expect(json.status).toBe(200);
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      expect(json.headers['content-disposition']).toMatch(
        /^attachment; filename="audit-\d{8}T\d{6}Z\.json"$/,
      );
      const rows = JSON.parse(json.body as string) as Array<{
        id: string;
        action: string;
        actorId: string;
        correlationId: string;
        occurredAt: string;
        reason: string | null;
        before: Json | null;
        after: Json | null;
      }>;
      expect(rows.map((r) => r.action)).toEqual([
        'lot.created',
        'lot.release',
        'lot.hold',
        'lot.unhold',
        'lot.transferred',
        'lot.issued',
        'lot.returned',
        'lot.scrapped',
        'lot.adjusted',
        'lot.split',
      ]);
      expect(rows.map((r) => Number(r.id))).toEqual([...rows.map((r) => Number(r.id))].sort((a, b) => a - b));
      expect(rows.find((r) => r.action === 'lot.hold')!.reason).toBe(holdReason);

      // Replay: each row's `before` is the state the previous rows left; its `after` gives the next one.
      const STATE = ['status', 'statusReason', 'heldFrom', 'expiryDate', 'quantity', 'balances'];
      const state: Json = {};
      for (const [i, row] of rows.entries()) {
        if (i === 0) {
          expect(row.before).toBeNull();
        } else {
          for (const key of Object.keys(row.before ?? {}).filter((k) => STATE.includes(k))) {
            expect({ row: row.action, key, value: row.before![key] }).toEqual({
              row: row.action,
              key,
              value: state[key],
            });
          }
        }
        for (const key of Object.keys(row.after ?? {}).filter((k) => STATE.includes(k)))
          state[key] = row.after![key];
      }
      const exact = (q: string) => q.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
      expect(state).toEqual({
        status: lot.status,
        statusReason: lot.statusReason,
        heldFrom: lot.heldFrom,
        expiryDate: lot.expiryDate,
        quantity: lot.quantity,
        balances: Object.fromEntries(lot.balances.map((b) => [b.locationId, exact(b.quantity)])),
      });

      // The rows name exactly the lot's ledger movements, each with the same request and quantities.
      const ledger = (await call(quality, 'get', f.url(`inventory/movements?lotId=${lotId}&limit=200`))).body
        .items as Array<{
        id: string;
        movementType: string;
        quantity: string;
        fromLocationId: string | null;
        toLocationId: string | null;
        correlationId: string;
      }>;
      const named = rows.flatMap((r) =>
        ((r.after?.movements ?? []) as Array<Json>).map((m) => ({ ...m, correlationId: r.correlationId })),
      );
      const key = (m: Json) => Number(m.id);
      expect(named.sort((a, b) => key(a) - key(b))).toEqual(
        ledger
          .map((m) => ({
            id: String(m.id),
            type: m.movementType,
            quantity: exact(m.quantity),
            fromLocationId: m.fromLocationId,
            toLocationId: m.toLocationId,
            correlationId: m.correlationId,
          }))
          .sort((a, b) => key(a) - key(b))
          .map((m) => expect.objectContaining(m)),
      );
      expect(ledger.map((m) => m.movementType).sort()).toEqual(
        ['adjustment', 'issue', 'receipt', 'return', 'scrap', 'split', 'transfer'].sort(),
      );

      // The CSV holds the same rows: a header, every field escaped, zh-CN text and line breaks intact.
      const csv = await exportOf('csv');
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      const [header, ...lines] = parseCsv(csv.body as string);
      expect(header).toEqual([
        'id',
        'occurredAt',
        'actorType',
        'actorId',
        'actorName',
        'siteId',
        'entityType',
        'entityId',
        'action',
        'reason',
        'correlationId',
        'before',
        'after',
      ]);
      expect(lines).toHaveLength(rows.length);
      for (const [i, line] of lines.entries()) {
        const rec = Object.fromEntries(header!.map((h, j) => [h, line[j]]));
        const row = rows[i]!;
        expect(rec).toMatchObject({
          id: row.id,
          occurredAt: row.occurredAt,
          actorId: row.actorId,
          entityType: 'lot',
          entityId: lotId,
          action: row.action,
          reason: row.reason ?? '',
          correlationId: row.correlationId,
        });
        expect(rec.before === '' ? null : JSON.parse(rec.before!)).toEqual(row.before);
        expect(rec.after === '' ? null : JSON.parse(rec.after!)).toEqual(row.after);
      }
      expect(csv.body as string).toContain('供应商投诉：尺寸超差');
    });

    it('is for admins and quality only, validates its filters, and shows a reader only their sites', async () => {
      const other = await productionFactory(t);
      await call(other.users.warehouse, 'post', other.url('inventory/receipts'), {
        material: 'SHAFT',
        quantity: '1',
        location: 'WH',
        lotCode: code('OTHER'),
      });
      const get = (who: Actor, query: string) =>
        t.http.get(`/api/v1/audit/export?${query}`).set('Authorization', `Bearer ${who.token}`);
      await get(f.users.operator, 'entityType=lot').expect(403);
      await get(f.users.viewer, 'entityType=lot').expect(403);
      const bad = await get(f.users.quality, 'format=xml&from=yesterday&before=1').expect(400);
      expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
      expect((bad.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(
        ['before', 'format', 'from'].sort(),
      );
      const mine = await get(f.users.quality, 'entityType=lot&format=json').expect(200);
      const sites = new Set((JSON.parse(mine.text) as Array<{ siteId: string }>).map((r) => r.siteId));
      expect([...sites]).toEqual([f.site.id]);
      const empty = await get(f.users.quality, 'entityType=no_such_type&format=json').expect(200);
      expect(JSON.parse(empty.text)).toEqual([]);
      const emptyCsv = await get(f.users.quality, 'entityType=no_such_type').expect(200);
      expect(emptyCsv.text.split('\r\n')).toHaveLength(2);
    });
  });
});
