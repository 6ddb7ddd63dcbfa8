import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { iso8601 } from '../../platform/database/iso8601';
import { readQuery } from '../../platform/database/prepared-query';

/** A lot as a trace shows it: what it is, where it came from, how much is left. */
export interface LotSummary {
  id: string;
  siteId: string;
  code: string;
  materialId: string;
  materialCode: string;
  materialName: string;
  materialNameZh: string | null;
  unit: string;
  status: string;
  statusReason: string | null;
  origin: string;
  initialQty: string;
  onHand: string;
  workOrderId: string | null;
  supplierId: string | null;
  supplierCode: string | null;
  supplierName: string | null;
  supplierLot: string | null;
  expiryDate: string | null;
  receivedAt: string;
}

export interface LotBalance {
  locationId: string;
  locationCode: string;
  locationName: string;
  locationType: string;
  quantity: string;
}

export interface LotMovement {
  id: string;
  type: string;
  quantity: string;
  fromLocationCode: string | null;
  toLocationCode: string | null;
  workOrderId: string | null;
  operationId: string | null;
  reference: string | null;
  note: string | null;
  actorName: string;
  occurredAt: string;
}

/** Net quantity of a lot issued to a work order (issues minus returns), with the last consuming operation. */
export interface LotIssue {
  lotId: string;
  workOrderId: string;
  quantity: string;
  operationId: string | null;
  firstAt: string;
  lastAt: string;
}

/** A lot's shipment to a customer. */
export interface LotShipmentRef {
  shipmentId: string;
  shipmentCode: string;
  customerId: string;
  customerCode: string;
  customerName: string;
  quantity: string;
  /** ISO 8601. */
  shippedAt: string;
  reference: string | null;
  serials: string[] | null;
}

/** A lot with everything inventory knows about it: where it is, what consumed it, its ledger and shipments. */
export interface LotDossier {
  lot: LotSummary;
  /** Stock by location (positive balances only), by location code. */
  balances: LotBalance[];
  /** Net quantity issued to each work order (issues minus returns, when > 0), in the order first issued. */
  issues: Array<Omit<LotIssue, 'lotId'>>;
  /** The latest ledger rows, oldest first (none unless asked for). */
  movements: LotMovement[];
  shipments: LotShipmentRef[];
}

/** A lot as a recall lists it: what it is, where it is now, what consumed it and who received it. */
export interface LotWhereabouts {
  id: string;
  code: string;
  materialCode: string;
  materialName: string;
  unit: string;
  status: string;
  origin: string;
  onHand: string;
  workOrderId: string | null;
  supplierCode: string | null;
  supplierLot: string | null;
  balances: LotBalance[];
  issues: LotDossier['issues'];
  shipments: LotShipmentRef[];
}

/** What a scope of lots (a recall) amounts to; lots by code. */
export interface LotScopeSummary {
  lots: number;
  /** Lots with stock here (a positive balance), by lot status. */
  inStock: Record<string, number>;
  /** Lots with stock in one of the statuses asked about (what a hold would stop). */
  holdable: number;
  /** Work orders the lots were issued to (net of returns), with the lots. */
  consumers: Array<{ workOrderId: string; lots: string[] }>;
  /** Customers that received the lots, with the lots and shipments (by customer code). */
  customers: Array<{
    customerId: string;
    customerCode: string;
    customerName: string;
    lots: string[];
    shipments: string[];
  }>;
}

export interface WorkOrderLotFlows {
  /** Lots issued to the order, net of returns (may be 0 or less when all came back); empty while nothing is produced. */
  inputs: LotIssue[];
  /** Lots the order produced. */
  outputs: Array<{ lotId: string; siteId: string; receivedAt: string }>;
}

export interface SerialRef {
  id: string;
  siteId: string;
  serial: string;
  materialId: string;
  materialCode: string;
  lotId: string;
  lotCode: string;
  status: string;
  workOrderId: string | null;
}

const iso = (d: Date | string | null): string | null =>
  d === null ? null : d instanceof Date ? d.toISOString() : new Date(d).toISOString();

/**
 * Read-only queries traceability asks of inventory: one statement per question for any number of lots, so a
 * trace of thousands of lots costs a handful of round trips. Lot ids are matched with `IN (SELECT unnest(…))`:
 * for thousands of ids `= ANY(…)` makes the planner scan the whole table, the semi-join probes the index.
 */
@Injectable()
export class LotTraceQueries {
  /** Lots with this code (or id) at any of the given sites. */
  async findInSites(manager: EntityManager, siteIds: string[], idOrCode: string): Promise<LotSummary[]> {
    if (siteIds.length === 0) return [];
    const rows = await readQuery<LotRow>(manager, isUUID(idOrCode) ? FIND_BY_ID_SQL : FIND_BY_CODE_SQL, [
      siteIds,
      idOrCode,
    ]);
    return rows.map(toSummary);
  }

  async summaries(manager: EntityManager, lotIds: string[]): Promise<LotSummary[]> {
    if (lotIds.length === 0) return [];
    return (await readQuery<LotRow>(manager, SUMMARIES_SQL, [lotIds])).map(toSummary);
  }

  /**
   * Lots with where they are, what consumed them, their latest `movements` ledger rows (0: none) and their
   * shipments, in one statement whatever the number of lots: a row per lot, each kind of document a JSON array
   * (null when there is none).
   */
  async dossiers(manager: EntityManager, lotIds: string[], movements = 0): Promise<LotDossier[]> {
    if (lotIds.length === 0) return [];
    const rows = await inParts(manager, lotIds, lotIds.length >= 64 ? 2 : 1, (ids) =>
      movements > 0
        ? readQuery<DossierRow>(manager, DOSSIERS_WITH_MOVEMENTS_SQL, [ids, movements])
        : readQuery<DossierRow>(manager, DOSSIERS_SQL, [ids]),
    );
    return rows.map((r) => ({
      lot: toSummary(r),
      balances: r.balances ?? [],
      issues: r.issues ?? [],
      movements: r.movements ?? [],
      shipments: r.shipments ?? [],
    }));
  }

  /**
   * Where lots are now, for scopes of thousands (a recall): what each is, its stock by location, what consumed it
   * and who received it — only that. In the order of `ranks` (one per lot, smallest first), then by code; only
   * `page.limit` of them from `page.offset` when a page is asked for (the other lots are not read beyond their
   * code).
   */
  async whereabouts(
    manager: EntityManager,
    lotIds: string[],
    ranks: number[],
    page?: { offset: number; limit: number },
  ): Promise<LotWhereabouts[]> {
    if (lotIds.length === 0) return [];
    const rows = await readQuery<WhereaboutsRow>(manager, WHEREABOUTS_SQL, [
      lotIds,
      ranks,
      page?.offset ?? 0,
      page?.limit ?? null,
    ]);
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      materialCode: r.material_code,
      materialName: r.material_name,
      unit: r.unit,
      status: r.status,
      origin: r.origin,
      onHand: r.on_hand,
      workOrderId: r.work_order_id,
      supplierCode: r.supplier_code,
      supplierLot: r.supplier_lot,
      balances: r.balances ?? [],
      issues: r.issues ?? [],
      shipments: r.shipments ?? [],
    }));
  }

  /**
   * What a scope of lots amounts to, counted by PostgreSQL (for scopes of thousands only the counts and the
   * codes travel): how many have stock and in which status, how many a hold would stop (stock in one of
   * `holdableStatuses`), the work orders they were issued to (net of returns) and the customers that received
   * them, each with the lot codes. In a few statements at once, each over a part of the lots.
   */
  async scopeSummary(
    manager: EntityManager,
    lotIds: string[],
    holdableStatuses: string[],
  ): Promise<LotScopeSummary> {
    const parts = await inParts(manager, lotIds, Math.min(4, Math.ceil(lotIds.length / 1000)), (ids) =>
      readQuery<ScopeRow>(manager, SCOPE_SQL, [ids, holdableStatuses]),
    );
    const out: LotScopeSummary = { lots: 0, inStock: {}, holdable: 0, consumers: [], customers: [] };
    const consumers = new Map<string, Set<string>>();
    const customers = new Map<string, { head: ScopeCustomer; lots: Set<string>; shipments: Set<string> }>();
    for (const part of parts) {
      out.lots += part.lots;
      out.holdable += part.holdable;
      for (const [status, n] of Object.entries(part.in_stock ?? {})) {
        out.inStock[status] = (out.inStock[status] ?? 0) + n;
      }
      for (const c of part.consumers ?? []) {
        const lots = consumers.get(c.workOrderId) ?? new Set<string>();
        for (const code of c.lots) lots.add(code);
        consumers.set(c.workOrderId, lots);
      }
      for (const c of part.customers ?? []) {
        const entry = customers.get(c.customerId) ?? { head: c, lots: new Set(), shipments: new Set() };
        for (const code of c.lots) entry.lots.add(code);
        for (const code of c.shipments) entry.shipments.add(code);
        customers.set(c.customerId, entry);
      }
    }
    out.consumers = [...consumers].map(([workOrderId, lots]) => ({ workOrderId, lots: [...lots].sort() }));
    out.customers = [...customers.values()]
      .map(({ head, lots, shipments }) => ({
        customerId: head.customerId,
        customerCode: head.customerCode,
        customerName: head.customerName,
        lots: [...lots].sort(),
        shipments: [...shipments].sort(),
      }))
      .sort((a, b) => a.customerCode.localeCompare(b.customerCode));
    return out;
  }

  /** A work order's inputs (net issued lots) and outputs (lots it produced), for its genealogy edges. */
  async workOrderFlows(manager: EntityManager, workOrderId: string): Promise<WorkOrderLotFlows> {
    const outputs = await manager.query<Array<{ id: string; site_id: string; received_at: Date }>>(
      `SELECT id, site_id, received_at FROM lot WHERE work_order_id = $1 AND origin = 'production'
        ORDER BY received_at, id`,
      [workOrderId],
    );
    // Nothing produced yet (the usual case while the order runs): no edges to draw, no need to sum issues.
    const inputs =
      outputs.length === 0
        ? []
        : await manager.query<IssueRow[]>(
            `${ISSUES_SQL} WHERE m.work_order_id = $1 AND m.movement_type IN ('issue', 'return')
              GROUP BY m.lot_id, m.work_order_id ORDER BY min(m.occurred_at)`,
            [workOrderId],
          );
    return {
      inputs: inputs.map(toIssue),
      outputs: outputs.map((o) => ({ lotId: o.id, siteId: o.site_id, receivedAt: iso(o.received_at)! })),
    };
  }

  /** Serial numbers with this value at the given sites (one per material). */
  async serialsByValue(manager: EntityManager, siteIds: string[], serial: string): Promise<SerialRef[]> {
    const rows: SerialRow[] = await readQuery(
      manager,
      `${SERIAL_SQL} WHERE s.site_id = ANY($1::uuid[]) AND s.serial = $2 ORDER BY mt.code`,
      [siteIds, serial],
    );
    return rows.map(toSerial);
  }

  async serialsById(manager: EntityManager, ids: string[]): Promise<SerialRef[]> {
    if (ids.length === 0) return [];
    const rows: SerialRow[] = await readQuery(manager, `${SERIAL_SQL} WHERE s.id = ANY($1::uuid[])`, [ids]);
    return rows.map(toSerial);
  }
}

const NET = `sum(CASE WHEN m.movement_type = 'issue' THEN m.quantity ELSE -m.quantity END)`;

/** Per (lot, work order) group of issue/return rows `m`: net quantity, last consuming operation, first and last time. */
const ISSUE_AGGREGATES = `trim_scale(${NET})::text AS quantity,
       (array_agg(m.operation_id ORDER BY m.occurred_at DESC, m.id DESC)
          FILTER (WHERE m.operation_id IS NOT NULL))[1] AS operation_id,
       min(m.occurred_at) AS first_at, max(m.occurred_at) AS last_at`;

const ISSUES_SQL = `SELECT m.lot_id, m.work_order_id, ${ISSUE_AGGREGATES} FROM inventory_movement m`;

interface IssueRow {
  lot_id: string;
  work_order_id: string;
  quantity: string;
  operation_id: string | null;
  first_at: Date;
  last_at: Date;
}

const toIssue = (r: IssueRow): LotIssue => ({
  lotId: r.lot_id,
  workOrderId: r.work_order_id,
  quantity: r.quantity,
  operationId: r.operation_id,
  firstAt: iso(r.first_at)!,
  lastAt: iso(r.last_at)!,
});

/** A lot `l` (with SUMMARY_JOINS) but its stock on hand. */
const LOT_COLUMNS = `l.id, l.site_id, l.code, l.material_id, mt.code AS material_code, mt.name AS material_name,
       mt.name_zh AS material_name_zh, u.code AS unit, l.status, l.status_reason, l.origin,
       trim_scale(l.initial_qty)::text AS initial_qty, l.work_order_id, l.supplier_id, p.code AS supplier_code,
       p.name AS supplier_name, l.supplier_lot, to_char(l.expiry_date, 'YYYY-MM-DD') AS expiry_date,
       ${iso8601('l.received_at')} AS received_at`;

const SUMMARY_COLUMNS = `${LOT_COLUMNS},
       coalesce((SELECT trim_scale(sum(b.quantity))::text FROM stock_balance b WHERE b.lot_id = l.id), '0') AS on_hand`;

const SUMMARY_JOINS = `
  JOIN material mt ON mt.id = l.material_id
  JOIN unit_of_measure u ON u.id = l.unit_id
  LEFT JOIN partner p ON p.id = l.supplier_id`;

/**
 * `read` over the ids in `parts` pieces at once on pooled connections (PostgreSQL runs a statement on one core);
 * in one piece inside a transaction (one connection).
 */
async function inParts<T>(
  manager: EntityManager,
  ids: string[],
  parts: number,
  read: (ids: string[]) => Promise<T[]>,
): Promise<T[]> {
  if (parts <= 1 || manager.queryRunner) return read(ids);
  const size = Math.ceil(ids.length / parts);
  const pieces: string[][] = [];
  for (let i = 0; i < ids.length; i += size) pieces.push(ids.slice(i, i + size));
  return (await Promise.all(pieces.map(read))).flat();
}

/** The lots asked for ($1) as `l`: OFFSET 0 keeps them a subquery, so per-lot subqueries run for them only. */
const LOTS_BY_ID = `(SELECT * FROM lot WHERE id IN (SELECT unnest($1::uuid[])) OFFSET 0) l`;

const FIND_BY_CODE_SQL = `SELECT ${SUMMARY_COLUMNS} FROM lot l ${SUMMARY_JOINS}
  WHERE l.site_id = ANY($1::uuid[]) AND l.code = $2 ORDER BY l.site_id`;
const FIND_BY_ID_SQL = `SELECT ${SUMMARY_COLUMNS} FROM lot l ${SUMMARY_JOINS}
  WHERE l.site_id = ANY($1::uuid[]) AND l.id = $2::uuid ORDER BY l.site_id`;
const SUMMARIES_SQL = `SELECT ${SUMMARY_COLUMNS} FROM ${LOTS_BY_ID} ${SUMMARY_JOINS}`;

/**
 * A lot's stock in one look-up of its balances (a lateral subquery on `l`): on hand, and the positive balances by
 * location code as a JSON array (null when none).
 */
const STOCK = `LEFT JOIN LATERAL (
    SELECT trim_scale(sum(b.quantity))::text AS on_hand,
           json_agg(json_build_object('locationId', b.location_id, 'locationCode', s.code, 'locationName', s.name,
                                      'locationType', s.location_type, 'quantity', trim_scale(b.quantity)::text)
                    ORDER BY s.code) FILTER (WHERE b.quantity > 0) AS balances
      FROM stock_balance b JOIN storage_location s ON s.id = b.location_id
     WHERE b.lot_id = l.id) stock ON true`;

/** What else a lot's dossier gathers, each kind a subquery per lot `l` giving a JSON array or null. */
const DOCUMENTS = {
  // Net issues per work order, in the order first issued.
  issues: `
    SELECT json_agg(json_build_object('workOrderId', i.work_order_id, 'quantity', i.quantity,
                                      'operationId', i.operation_id, 'firstAt', ${iso8601('i.first_at')},
                                      'lastAt', ${iso8601('i.last_at')}) ORDER BY i.first_at)
      FROM (SELECT m.work_order_id, ${ISSUE_AGGREGATES}
              FROM inventory_movement m
             WHERE m.lot_id = l.id AND m.movement_type IN ('issue', 'return') AND m.work_order_id IS NOT NULL
             GROUP BY m.work_order_id HAVING ${NET} > 0) i`,
  // Shipments to customers, oldest first.
  shipments: `
    SELECT json_agg(json_build_object('shipmentId', sh.id, 'shipmentCode', sh.code, 'customerId', sh.customer_id,
                                      'customerCode', c.code, 'customerName', c.name,
                                      'quantity', trim_scale(sl.quantity)::text,
                                      'shippedAt', ${iso8601('sh.shipped_at')}, 'reference', sh.reference,
                                      'serials', sl.serials) ORDER BY sh.shipped_at, sh.code, sl.line_no)
      FROM shipment_line sl JOIN shipment sh ON sh.id = sl.shipment_id JOIN partner c ON c.id = sh.customer_id
     WHERE sl.lot_id = l.id`,
  // The latest $2 ledger rows, oldest first.
  movements: `
    SELECT json_agg(json_build_object('id', m.id::text, 'type', m.movement_type,
                                      'quantity', trim_scale(m.quantity)::text, 'fromLocationCode', f.code,
                                      'toLocationCode', t.code, 'workOrderId', m.work_order_id,
                                      'operationId', m.operation_id, 'reference', m.reference, 'note', m.note,
                                      'actorName', m.actor_name, 'occurredAt', ${iso8601('m.occurred_at')})
                    ORDER BY m.occurred_at, m.id)
      FROM (SELECT * FROM inventory_movement im WHERE im.lot_id = l.id
             ORDER BY im.occurred_at DESC, im.id DESC LIMIT $2) m
      LEFT JOIN storage_location f ON f.id = m.from_location_id
      LEFT JOIN storage_location t ON t.id = m.to_location_id`,
};

const dossiersSql = (withMovements: boolean) => `
  SELECT ${LOT_COLUMNS}, coalesce(stock.on_hand, '0') AS on_hand, stock.balances, (${DOCUMENTS.issues}) AS issues,
         ${withMovements ? `(${DOCUMENTS.movements})` : 'NULL::json'} AS movements, (${DOCUMENTS.shipments}) AS shipments
    FROM ${LOTS_BY_ID} ${SUMMARY_JOINS} ${STOCK}`;

/** $1 lots, $2 their ranks, $3 offset, $4 limit (null: all): the lots of the page in rank, code order. */
const WHEREABOUTS_SQL = `
  SELECT l.id, l.code, mt.code AS material_code, mt.name AS material_name, u.code AS unit, l.status, l.origin,
         coalesce(stock.on_hand, '0') AS on_hand, l.work_order_id, p.code AS supplier_code, l.supplier_lot,
         stock.balances, (${DOCUMENTS.issues}) AS issues, (${DOCUMENTS.shipments}) AS shipments
    FROM (SELECT lot.*, s.rank FROM unnest($1::uuid[], $2::int[]) AS s(id, rank) JOIN lot ON lot.id = s.id
           ORDER BY s.rank, lot.code OFFSET $3 LIMIT $4) l
    ${SUMMARY_JOINS} ${STOCK}
   ORDER BY l.rank, l.code`;

/** $1 lots, $2 the statuses a hold applies to: the counts and codes of LotScopeSummary for these lots. */
const SCOPE_SQL = `
  WITH lots AS MATERIALIZED (
    SELECT l.id, l.code, l.status, st.in_stock, st.on_hand > 0 AND l.status = ANY($2::text[]) AS holdable
      FROM (SELECT id, code, status FROM lot WHERE id IN (SELECT unnest($1::uuid[])) OFFSET 0) l
      CROSS JOIN LATERAL (
        SELECT coalesce(sum(b.quantity), 0) AS on_hand, coalesce(bool_or(b.quantity > 0), false) AS in_stock
          FROM stock_balance b WHERE b.lot_id = l.id) st
  ), issued AS (
    SELECT m.work_order_id, l.code
      FROM lots l JOIN inventory_movement m ON m.lot_id = l.id
     WHERE m.movement_type IN ('issue', 'return') AND m.work_order_id IS NOT NULL
     GROUP BY m.work_order_id, l.code HAVING ${NET} > 0
  ), shipped AS (
    SELECT sh.customer_id, l.code AS lot_code, sh.code AS shipment_code
      FROM lots l JOIN shipment_line sl ON sl.lot_id = l.id JOIN shipment sh ON sh.id = sl.shipment_id
  )
  SELECT (SELECT count(*)::int FROM lots) AS lots,
         (SELECT count(*)::int FROM lots WHERE holdable) AS holdable,
         (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM lots WHERE in_stock GROUP BY status) x)
           AS in_stock,
         (SELECT json_agg(json_build_object('workOrderId', work_order_id, 'lots', codes))
            FROM (SELECT work_order_id, array_agg(code) AS codes FROM issued GROUP BY work_order_id) x) AS consumers,
         (SELECT json_agg(json_build_object('customerId', c.id, 'customerCode', c.code, 'customerName', c.name,
                                            'lots', x.lots, 'shipments', x.shipments))
            FROM (SELECT customer_id, array_agg(DISTINCT lot_code) AS lots, array_agg(DISTINCT shipment_code) AS shipments
                    FROM shipped GROUP BY customer_id) x
            JOIN partner c ON c.id = x.customer_id) AS customers`;

const DOSSIERS_SQL = dossiersSql(false);
const DOSSIERS_WITH_MOVEMENTS_SQL = dossiersSql(true);

interface LotRow {
  id: string;
  site_id: string;
  code: string;
  material_id: string;
  material_code: string;
  material_name: string;
  material_name_zh: string | null;
  unit: string;
  status: string;
  status_reason: string | null;
  origin: string;
  initial_qty: string;
  on_hand: string;
  work_order_id: string | null;
  supplier_id: string | null;
  supplier_code: string | null;
  supplier_name: string | null;
  supplier_lot: string | null;
  expiry_date: string | null;
  received_at: string;
}

interface DossierRow extends LotRow {
  balances: LotDossier['balances'] | null;
  issues: LotDossier['issues'] | null;
  movements: LotDossier['movements'] | null;
  shipments: LotDossier['shipments'] | null;
}

interface ScopeCustomer {
  customerId: string;
  customerCode: string;
  customerName: string;
  lots: string[];
  shipments: string[];
}

interface ScopeRow {
  lots: number;
  holdable: number;
  in_stock: Record<string, number> | null;
  consumers: Array<{ workOrderId: string; lots: string[] }> | null;
  customers: ScopeCustomer[] | null;
}

interface WhereaboutsRow {
  id: string;
  code: string;
  material_code: string;
  material_name: string;
  unit: string;
  status: string;
  origin: string;
  on_hand: string;
  work_order_id: string | null;
  supplier_code: string | null;
  supplier_lot: string | null;
  balances: LotBalance[] | null;
  issues: LotWhereabouts['issues'] | null;
  shipments: LotShipmentRef[] | null;
}

const toSummary = (r: LotRow): LotSummary => ({
  id: r.id,
  siteId: r.site_id,
  code: r.code,
  materialId: r.material_id,
  materialCode: r.material_code,
  materialName: r.material_name,
  materialNameZh: r.material_name_zh,
  unit: r.unit,
  status: r.status,
  statusReason: r.status_reason,
  origin: r.origin,
  initialQty: r.initial_qty,
  onHand: r.on_hand,
  workOrderId: r.work_order_id,
  supplierId: r.supplier_id,
  supplierCode: r.supplier_code,
  supplierName: r.supplier_name,
  supplierLot: r.supplier_lot,
  expiryDate: r.expiry_date,
  receivedAt: r.received_at,
});

const SERIAL_SQL = `
SELECT s.id, s.site_id, s.serial, s.material_id, mt.code AS material_code, s.lot_id, l.code AS lot_code, s.status,
       s.work_order_id
  FROM serial_number s JOIN material mt ON mt.id = s.material_id JOIN lot l ON l.id = s.lot_id`;

interface SerialRow {
  id: string;
  site_id: string;
  serial: string;
  material_id: string;
  material_code: string;
  lot_id: string;
  lot_code: string;
  status: string;
  work_order_id: string | null;
}

const toSerial = (r: SerialRow): SerialRef => ({
  id: r.id,
  siteId: r.site_id,
  serial: r.serial,
  materialId: r.material_id,
  materialCode: r.material_code,
  lotId: r.lot_id,
  lotCode: r.lot_code,
  status: r.status,
  workOrderId: r.work_order_id,
});
