import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { iso8601 } from '../../platform/database/iso8601';
import { compare, parseDecimal, ZERO } from '../../platform/engine/decimal';
import type { GenealogyEdgeKind } from './genealogy.entities';
import { readQuery } from '../../platform/database/prepared-query';

/** One edge as read: `quantity` of the parent lot went into the child lot. */
export interface EdgeRow {
  parentLotId: string;
  childLotId: string;
  kind: GenealogyEdgeKind;
  quantity: string;
  workOrderId: string | null;
  operationId: string | null;
  referenceId: string | null;
  occurredAt: string;
}

interface RawEdge {
  parent_lot_id: string;
  child_lot_id: string;
  kind: GenealogyEdgeKind;
  quantity: string;
  work_order_id: string | null;
  operation_id: string | null;
  reference_id: string | null;
  occurred_at: string;
}

// The time already as ISO 8601 text (UTC, milliseconds): a trace draws hundreds of edges.
const EDGE_COLUMNS = `e.parent_lot_id, e.child_lot_id, e.kind, trim_scale(e.quantity)::text AS quantity,
  e.work_order_id, e.operation_id, e.reference_id, ${iso8601('e.occurred_at')} AS occurred_at`;

const toEdge = (r: RawEdge): EdgeRow => ({
  parentLotId: r.parent_lot_id,
  childLotId: r.child_lot_id,
  kind: r.kind,
  quantity: r.quantity,
  workOrderId: r.work_order_id,
  operationId: r.operation_id,
  referenceId: r.reference_id,
  occurredAt: r.occurred_at,
});

/**
 * Where a closure starts: a lot, or the lots with a code at some sites (the caller makes sure that is one lot:
 * the closure can then be read while the lot is looked up).
 */
export type ClosureRoot = { lotId: string } | { code: string; siteIds: string[] };

/**
 * The closure statement ($1 root lot id or code, $2 sites, $3 most lots, $4 the sites of a code). Both the
 * recursion and the final step look up (lot, site) in the direction's index (ix_genealogy_edge_child /
 * _parent), which also holds the other lot.
 */
function closureSql(direction: 'backward' | 'forward', columns: string, byCode: boolean): string {
  const [from, to] =
    direction === 'backward' ? ['child_lot_id', 'parent_lot_id'] : ['parent_lot_id', 'child_lot_id'];
  const root = byCode
    ? 'SELECT id FROM lot WHERE site_id = ANY($4::uuid[]) AND code = $1'
    : 'SELECT $1::uuid';
  return `WITH RECURSIVE reached(id) AS (
       ${root}
       UNION
       SELECT e.${to} FROM reached r JOIN genealogy_edge e ON e.${from} = r.id AND e.site_id = ANY($2::uuid[])
     ), ids AS (SELECT id FROM reached LIMIT $3)
     SELECT ${columns} FROM ids JOIN genealogy_edge e ON e.${from} = ids.id AND e.site_id = ANY($2::uuid[])`;
}

const closureParams = (root: ClosureRoot, siteIds: string[], maxLots: number): unknown[] =>
  'lotId' in root ? [root.lotId, siteIds, maxLots] : [root.code, siteIds, maxLots, root.siteIds];

/** One level of a breadth-first reach: the lots first met at that depth. */
export interface ReachLevel {
  depth: number;
  lotIds: string[];
}

/** The breadth-first statement ($1 root lot id or code, $2 sites, $3 depth limit, $4 most lots, $5 sites of a code). */
function reachSql(direction: 'backward' | 'forward', byCode: boolean): string {
  const [from, to] =
    direction === 'backward' ? ['child_lot_id', 'parent_lot_id'] : ['parent_lot_id', 'child_lot_id'];
  const root = byCode
    ? `SELECT 0, r.ids, r.ids
         FROM (SELECT array_agg(id) AS ids FROM lot WHERE site_id = ANY($5::uuid[]) AND code = $1) r
        WHERE r.ids IS NOT NULL`
    : 'SELECT 0, ARRAY[$1::uuid], ARRAY[$1::uuid]';
  return `WITH RECURSIVE level(depth, lots, seen) AS (
       ${root}
       UNION ALL
       SELECT l.depth + 1, n.lots, l.seen || n.lots
         FROM level l
         CROSS JOIN LATERAL (
           SELECT array_agg(x.id) AS lots
             FROM (SELECT e.${to} AS id FROM genealogy_edge e
                    WHERE e.${from} = ANY(l.lots) AND e.site_id = ANY($2::uuid[])
                   EXCEPT
                   SELECT unnest(l.seen)) x
         ) n
        WHERE n.lots IS NOT NULL AND l.depth < $3 AND cardinality(l.seen) <= $4
     )
     SELECT depth, array_to_string(lots, ',') AS lot_ids FROM level ORDER BY depth`;
}

/** Reads and writes of the genealogy graph (genealogy_edge). */
@Injectable()
export class GenealogyStore {
  /** One step from the given lots at the given sites: the edges into them (backward) or out of them (forward). */
  async step(
    manager: EntityManager,
    direction: 'backward' | 'forward',
    lotIds: string[],
    siteIds: string[],
  ): Promise<EdgeRow[]> {
    const from = direction === 'backward' ? 'child_lot_id' : 'parent_lot_id';
    const rows: RawEdge[] = await readQuery(
      manager,
      `SELECT ${EDGE_COLUMNS} FROM genealogy_edge e
        WHERE e.${from} IN (SELECT unnest($1::uuid[])) AND e.site_id = ANY($2::uuid[])`,
      [lotIds, siteIds],
    );
    return rows.map(toEdge);
  }

  /**
   * Every edge of a lot's whole closure in one statement: the recursive part collects the lots reached (UNION
   * keeps each lot once, so a cycle ends), at most `maxLots` of them, and the edges leaving them in the
   * direction are returned.
   */
  async closure(
    manager: EntityManager,
    direction: 'backward' | 'forward',
    root: ClosureRoot,
    siteIds: string[],
    maxLots: number,
  ): Promise<EdgeRow[]> {
    const rows = await readQuery<RawEdge>(
      manager,
      closureSql(direction, EDGE_COLUMNS, !('lotId' in root)),
      closureParams(root, siteIds, maxLots),
    );
    return rows.map(toEdge);
  }

  /**
   * The lots reached from a root, level by level, in one statement: PostgreSQL goes breadth first, each level
   * the lots one edge further (an index scan over the whole frontier) that no earlier level holds (a hashed
   * EXCEPT), so a cycle or a diamond is met once, at its smallest depth, and no edge is read twice. Stops below
   * `depthLimit` levels, or after the level that passes `maxLots` lots (the caller tells the cut).
   */
  async reach(
    manager: EntityManager,
    direction: 'backward' | 'forward',
    root: ClosureRoot,
    siteIds: string[],
    depthLimit: number,
    maxLots: number,
  ): Promise<ReachLevel[]> {
    const byCode = !('lotId' in root);
    const rows = await readQuery<{ depth: number; lot_ids: string }>(
      manager,
      reachSql(direction, byCode),
      byCode
        ? [root.code, siteIds, depthLimit, maxLots, root.siteIds]
        : [root.lotId, siteIds, depthLimit, maxLots],
    );
    // The ids come as one comma-separated text per level (a uuid holds no comma): thousands per level.
    return rows.map((r) => ({ depth: r.depth, lotIds: r.lot_ids === '' ? [] : r.lot_ids.split(',') }));
  }

  /** Whether any of the lots has an edge further in the direction (used to say a trace was cut at its depth). */
  async anyBeyond(
    manager: EntityManager,
    direction: 'backward' | 'forward',
    lotIds: string[],
    siteIds: string[],
  ): Promise<boolean> {
    if (lotIds.length === 0) return false;
    const column = direction === 'backward' ? 'child_lot_id' : 'parent_lot_id';
    const rows: unknown[] = await readQuery(
      manager,
      `SELECT 1 FROM genealogy_edge
        WHERE ${column} IN (SELECT unnest($1::uuid[])) AND site_id = ANY($2::uuid[]) LIMIT 1`,
      [lotIds, siteIds],
    );
    return rows.length > 0;
  }

  /**
   * Sets a work order's production edges to what its ledger says: every lot issued to it (net of returns)
   * went into every lot it produced. Edges of lots that came back in full are removed.
   */
  async setProductionEdges(
    manager: EntityManager,
    e: {
      siteId: string;
      workOrderId: string;
      inputs: Array<{ lotId: string; quantity: string; operationId: string | null; firstAt: string }>;
      outputLotIds: string[];
    },
  ): Promise<void> {
    const parents: string[] = [];
    const children: string[] = [];
    const quantities: string[] = [];
    const operations: Array<string | null> = [];
    const times: string[] = [];
    for (const child of e.outputLotIds) {
      for (const input of e.inputs) {
        if (input.lotId === child || compare(parseDecimal(input.quantity), ZERO) <= 0) continue;
        parents.push(input.lotId);
        children.push(child);
        quantities.push(input.quantity);
        operations.push(input.operationId);
        times.push(input.firstAt);
      }
    }
    await manager.query(
      `DELETE FROM genealogy_edge
        WHERE work_order_id = $1 AND kind = 'production'
          AND (parent_lot_id, child_lot_id) NOT IN (SELECT * FROM unnest($2::uuid[], $3::uuid[]))`,
      [e.workOrderId, parents, children],
    );
    if (parents.length === 0) return;
    await manager.query(
      `INSERT INTO genealogy_edge (site_id, parent_lot_id, child_lot_id, kind, quantity, work_order_id,
                                   operation_id, occurred_at)
       SELECT $1, p, c, 'production', q, $2, o, t
         FROM unnest($3::uuid[], $4::uuid[], $5::numeric[], $6::uuid[], $7::timestamptz[]) AS x(p, c, q, o, t)
       ON CONFLICT (parent_lot_id, child_lot_id, kind)
       DO UPDATE SET quantity = EXCLUDED.quantity, operation_id = EXCLUDED.operation_id`,
      [e.siteId, e.workOrderId, parents, children, quantities, operations, times],
    );
  }

  /** A link without a work order (outsourcing, split, merge): quantities add up when it happens again. */
  async addLink(
    manager: EntityManager,
    l: {
      siteId: string;
      kind: Exclude<GenealogyEdgeKind, 'production'>;
      parentLotId: string;
      childLotId: string;
      quantity: string;
      referenceId: string | null;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO genealogy_edge (site_id, parent_lot_id, child_lot_id, kind, quantity, reference_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (parent_lot_id, child_lot_id, kind)
       DO UPDATE SET quantity = genealogy_edge.quantity + EXCLUDED.quantity`,
      [l.siteId, l.parentLotId, l.childLotId, l.kind, l.quantity, l.referenceId],
    );
  }
}
