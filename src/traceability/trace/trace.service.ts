import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { readAll } from '../../platform/database/read-all';
import type { Principal } from '../../platform/auth/principal';
import { DomainError } from '../../platform/errors/domain-error';
import {
  InventoryFacade,
  type LotBalance,
  type LotDossier,
  type LotMovement,
  type LotShipmentRef,
  type LotSummary,
} from '../../inventory/inventory.facade';
import { ProductionFacade, type WorkOrderTrace } from '../../production/production.facade';
import {
  QualityFacade,
  type InspectionTrace,
  type NcrTrace,
  type QualityRecords,
} from '../../quality/quality.facade';
import type { GenealogyEdgeKind } from '../genealogy/genealogy.entities';
import {
  type ClosureRoot,
  type EdgeRow,
  GenealogyStore,
  type ReachLevel,
} from '../genealogy/genealogy.store';
import { TraceabilityErrorCode } from '../traceability.errors';

export type Direction = 'backward' | 'forward';

/** Deepest a trace goes when no depth is asked for (real genealogies are far shallower). */
export const MAX_DEPTH = 100;
/** Ledger rows a trace shows per lot (the latest). */
const MOVEMENTS_PER_LOT = 50;
/** Most lots one trace or recall walks; beyond it the answer says `truncated`. */
export const MAX_LOTS = 100_000;

/** The lots a walk reaches: each once, at the smallest depth it was reached. */
export interface Reach {
  root: LotSummary;
  direction: Direction;
  depthLimit: number;
  /** Lot id → depth (root 0), level by level. */
  depths: Map<string, number>;
  /** Cut off by the depth limit or the lot cap while the graph went on. */
  truncated: boolean;
}

/** The graph of a walk: its lots, and every edge met on the way. */
export interface Walk extends Reach {
  edges: EdgeRow[];
}

/** Those of `more` not among `known` (by id). */
function newById<T extends { id: string }>(known: T[], more: T[]): T[] {
  const ids = new Set(known.map((k) => k.id));
  return more.filter((x) => !ids.has(x.id));
}

/** Where a walk starts: a lot's code (or id), at one site of the user's or any. */
export interface WalkStart {
  lot: string;
  site?: string;
}

/** Where the closure of the lot a user means starts (see GenealogyStore: used once the lot is found to be one). */
const closureRoot = (p: Principal, start: WalkStart): ClosureRoot =>
  isUUID(start.lot) ? { lotId: start.lot } : { code: start.lot, siteIds: rootSites(p, start.site) };

/** The sites a lot is looked up at: the one asked for (if it is the user's), or all of the user's. */
const rootSites = (p: Principal, site?: string): string[] =>
  site ? p.siteIds.filter((s) => s === site) : p.siteIds;

export interface TraceNode extends LotSummary {
  depth: number;
  workOrderCode: string | null;
}

export interface TraceEdge {
  /** The lot that went in (parent) … */
  from: string;
  fromCode: string;
  /** … and the lot it went into (child). */
  to: string;
  toCode: string;
  kind: GenealogyEdgeKind;
  quantity: string;
  unit: string;
  workOrderId: string | null;
  workOrderCode: string | null;
  operationId: string | null;
  referenceId: string | null;
  occurredAt: string;
}

export interface LotDocuments {
  lotId: string;
  /** Where it is now: stock by location (its status is the lot's). */
  locations: LotBalance[];
  /** Work orders it was issued to (net of returns), with their status. */
  consumedBy: Array<{
    workOrderId: string;
    workOrderCode: string | null;
    workOrderStatus: string | null;
    quantity: string;
    firstAt: string;
    lastAt: string;
  }>;
  shipments: LotShipmentRef[];
  inspections: InspectionTrace[];
  ncrs: NcrTrace[];
  movements: LotMovement[];
}

export interface TraceView {
  lot: LotSummary;
  direction: Direction;
  depthLimit: number;
  /** Deepest level reached. */
  depth: number;
  truncated: boolean;
  nodes: TraceNode[];
  edges: TraceEdge[];
  /** Work orders that made or consumed lots in the graph: operations, operators, machines, parameters. */
  workOrders: WorkOrderTrace[];
  /** Per lot (same order as nodes); left out when `documents=false`. */
  documents?: LotDocuments[];
}

/**
 * Forward and backward trace over the genealogy graph. The walk reads the whole closure in one statement (or,
 * under a depth limit, one indexed query per level) and goes level by level keeping every lot it has reached,
 * so a cycle (a lot split and merged back) or a diamond (one lot reached by two paths) is visited once, at its
 * smallest depth.
 */
@Injectable()
export class TraceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly inventory: InventoryFacade,
    private readonly production: ProductionFacade,
    private readonly quality: QualityFacade,
    private readonly store: GenealogyStore,
  ) {}

  /** The lot a user means by a code (or id), among the sites the user may see. */
  async resolveLot(m: EntityManager, p: Principal, code: string, site?: string): Promise<LotSummary> {
    const found = await this.inventory.trace.findInSites(m, rootSites(p, site), code);
    if (found.length === 0) {
      throw new DomainError(
        'not_found',
        TraceabilityErrorCode.LOT_NOT_FOUND,
        `No lot ${code} at your sites`,
        {
          extensions: { lotCode: code },
        },
      );
    }
    if (found.length > 1) {
      throw new DomainError(
        'conflict',
        TraceabilityErrorCode.LOT_AMBIGUOUS,
        `Lot ${code} exists at ${found.length} of your sites; say which with ?site=`,
        { extensions: { lotCode: code, sites: found.map((l) => l.siteId) } },
      );
    }
    return found[0]!;
  }

  /**
   * Walks the graph from the lot a user means (see {@link resolveLot}): parents (backward) or children
   * (forward), up to `depthLimit` levels.
   */
  async walk(
    m: EntityManager,
    p: Principal,
    start: WalkStart,
    direction: Direction,
    depthLimit = MAX_DEPTH,
  ): Promise<Walk> {
    const siteIds = p.siteIds;
    if (depthLimit < MAX_DEPTH) {
      // Under a depth limit, one indexed query per level: nothing beyond the limit is read.
      const root = await this.resolveLot(m, p, start.lot, start.site);
      return this.breadthFirst(root, direction, depthLimit, {
        step: (frontier) => this.store.step(m, direction, frontier, siteIds),
        beyond: (frontier) => this.store.anyBeyond(m, direction, frontier, siteIds),
      });
    }
    // Otherwise the whole closure's edges in one statement, read while the lot is looked up, walked here level
    // by level.
    const [root, edges] = await readAll<[LotSummary, EdgeRow[]]>(m, [
      () => this.resolveLot(m, p, start.lot, start.site),
      () => this.store.closure(m, direction, closureRoot(p, start), siteIds, MAX_LOTS + 1),
    ]);
    const out = new Map<string, EdgeRow[]>();
    for (const e of edges) {
      const from = direction === 'backward' ? e.childLotId : e.parentLotId;
      const list = out.get(from);
      if (list) list.push(e);
      else out.set(from, [e]);
    }
    const step = (frontier: string[]) => frontier.flatMap((id) => out.get(id) ?? []);
    return this.breadthFirst(root, direction, depthLimit, {
      step: (frontier) => Promise.resolve(step(frontier)),
      beyond: (frontier) => Promise.resolve(step(frontier).length > 0),
    });
  }

  /**
   * The lots a walk would reach, each at its depth, without the edges: for scopes of many thousands of lots (a
   * recall). PostgreSQL goes breadth first itself (see GenealogyStore.reach), while the lot is looked up.
   */
  async reach(
    m: EntityManager,
    p: Principal,
    start: WalkStart,
    direction: Direction,
    depthLimit = MAX_DEPTH,
  ): Promise<Reach> {
    const [root, levels] = await readAll<[LotSummary, ReachLevel[]]>(m, [
      () => this.resolveLot(m, p, start.lot, start.site),
      // One level beyond the limit: whether the graph goes on.
      () => this.store.reach(m, direction, closureRoot(p, start), p.siteIds, depthLimit + 1, MAX_LOTS),
    ]);
    const depths = new Map<string, number>();
    let truncated = false;
    for (const level of levels) {
      if (level.depth > depthLimit) {
        truncated = true;
        break;
      }
      for (const id of level.lotIds) depths.set(id, level.depth);
    }
    if (depths.size > MAX_LOTS) truncated = true;
    return { root, direction, depthLimit, depths, truncated };
  }

  /**
   * Breadth first from the root: each lot is kept at the depth it is first reached (its smallest), so a cycle or
   * a diamond is visited once; every edge met is kept for drawing. Stops at the depth limit or the lot cap.
   */
  private async breadthFirst(
    root: LotSummary,
    direction: Direction,
    depthLimit: number,
    read: { step(frontier: string[]): Promise<EdgeRow[]>; beyond(frontier: string[]): Promise<boolean> },
  ): Promise<Walk> {
    const depths = new Map<string, number>([[root.id, 0]]);
    const edges: EdgeRow[] = [];
    let frontier = [root.id];
    let truncated = false;
    for (let depth = 1; frontier.length > 0; depth++) {
      if (depth > depthLimit) {
        truncated = await read.beyond(frontier);
        break;
      }
      const next: string[] = [];
      for (const e of await read.step(frontier)) {
        edges.push(e);
        const other = direction === 'backward' ? e.parentLotId : e.childLotId;
        if (depths.has(other)) continue;
        depths.set(other, depth);
        next.push(other);
      }
      if (depths.size > MAX_LOTS) {
        truncated = true;
        break;
      }
      frontier = next;
    }
    return { root, direction, depthLimit, depths, edges, truncated };
  }

  async trace(
    p: Principal,
    code: string,
    direction: Direction,
    q: { depth?: number; site?: string; documents?: boolean },
  ): Promise<TraceView> {
    const m = this.dataSource.manager;
    const walk = await this.walk(m, p, { lot: code, site: q.site }, direction, q.depth ?? MAX_DEPTH);
    return this.view(m, walk, q.documents ?? true);
  }

  /**
   * The walk's lots with their documents: inventory's lots (with documents: their stock, consumption, ledger and
   * shipments), production's work orders and quality's records, all at once for the orders on the walk's
   * edges; then, only if the lots name orders not met on an edge (a lot made without genealogy, an order that
   * consumed a lot of the graph), those orders and their records.
   */
  private async view(m: EntityManager, walk: Walk, withDocuments: boolean): Promise<TraceView> {
    const ids = [...walk.depths.keys()];
    // Orders that made a lot of the graph or linked two of its lots.
    const orderIds = new Set<string>();
    if (walk.root.workOrderId) orderIds.add(walk.root.workOrderId);
    for (const e of walk.edges) if (e.workOrderId) orderIds.add(e.workOrderId);
    const [lots, dossiers, workOrders, quality] = await readAll<
      [LotSummary[] | null, LotDossier[] | null, WorkOrderTrace[], QualityRecords | null]
    >(m, [
      () => (withDocuments ? Promise.resolve(null) : this.inventory.trace.summaries(m, ids)),
      () =>
        withDocuments ? this.inventory.trace.dossiers(m, ids, MOVEMENTS_PER_LOT) : Promise.resolve(null),
      () => this.production.trace.workOrders(m, [...orderIds]),
      () => (withDocuments ? this.quality.records(m, ids, [...orderIds]) : Promise.resolve(null)),
    ]);
    const byId = new Map<string, LotSummary>();
    for (const l of lots ?? dossiers!.map((d) => d.lot)) byId.set(l.id, l);
    // Orders the lots name that no edge did: ones that made a lot of the graph, or consumed one.
    const makers = new Set<string>();
    for (const l of byId.values())
      if (l.workOrderId && !orderIds.has(l.workOrderId)) makers.add(l.workOrderId);
    const consumers = new Set<string>();
    for (const d of dossiers ?? []) {
      for (const i of d.issues) if (!orderIds.has(i.workOrderId)) consumers.add(i.workOrderId);
    }
    if (makers.size > 0 || consumers.size > 0) {
      const [more, moreQuality] = await readAll<[WorkOrderTrace[], QualityRecords | null]>(m, [
        () => this.production.trace.workOrders(m, [...new Set([...makers, ...consumers])]),
        // Records of an order belong to the lots it made (those of consumers outside the graph do not show).
        () => (quality && makers.size > 0 ? this.quality.records(m, [], [...makers]) : Promise.resolve(null)),
      ]);
      workOrders.push(...more);
      if (quality && moreQuality) {
        quality.inspections.push(...newById(quality.inspections, moreQuality.inspections));
        quality.ncrs.push(...newById(quality.ncrs, moreQuality.ncrs));
      }
    }
    const orderById = new Map(workOrders.map((w) => [w.id, w]));
    // The lots read for this trace become its nodes (no copies: a trace may hold thousands).
    const nodes: TraceNode[] = [];
    for (const id of ids) {
      const node = byId.get(id) as TraceNode | undefined;
      if (!node) continue;
      node.depth = walk.depths.get(id)!;
      node.workOrderCode = node.workOrderId ? (orderById.get(node.workOrderId)?.code ?? null) : null;
      nodes.push(node);
    }
    const edges: TraceEdge[] = walk.edges.map((e) => ({
      from: e.parentLotId,
      fromCode: byId.get(e.parentLotId)?.code ?? '',
      to: e.childLotId,
      toCode: byId.get(e.childLotId)?.code ?? '',
      kind: e.kind,
      quantity: e.quantity,
      unit: byId.get(e.parentLotId)?.unit ?? '',
      workOrderId: e.workOrderId,
      workOrderCode: e.workOrderId ? (orderById.get(e.workOrderId)?.code ?? null) : null,
      operationId: e.operationId,
      referenceId: e.referenceId,
      occurredAt: e.occurredAt,
    }));
    const view: TraceView = {
      lot: walk.root,
      direction: walk.direction,
      depthLimit: walk.depthLimit,
      depth: nodes.reduce((d, n) => Math.max(d, n.depth), 0),
      truncated: walk.truncated,
      nodes,
      edges,
      workOrders,
    };
    if (dossiers && quality) view.documents = this.documents(nodes, dossiers, orderById, quality);
    return view;
  }

  /** For every lot: where it is, what consumed it, shipments, inspections, NCRs and its ledger. */
  private documents(
    nodes: TraceNode[],
    dossiers: LotDossier[],
    orders: Map<string, { code: string; status: string }>,
    quality: QualityRecords,
  ): LotDocuments[] {
    const docs = new Map<string, LotDocuments>(
      dossiers.map((d) => [
        d.lot.id,
        {
          lotId: d.lot.id,
          locations: d.balances,
          consumedBy: d.issues.map((i) => {
            const order = orders.get(i.workOrderId);
            return {
              workOrderId: i.workOrderId,
              workOrderCode: order?.code ?? null,
              workOrderStatus: order?.status ?? null,
              quantity: i.quantity,
              firstAt: i.firstAt,
              lastAt: i.lastAt,
            };
          }),
          shipments: d.shipments,
          inspections: [],
          ncrs: [],
          movements: d.movements,
        },
      ]),
    );
    // An inspection of a lot belongs to it; an in-process one to the lots its work order produced.
    const producedBy = new Map<string, string[]>();
    for (const { lot: l } of dossiers) {
      if (l.origin === 'production' && l.workOrderId) {
        const list = producedBy.get(l.workOrderId) ?? [];
        list.push(l.id);
        producedBy.set(l.workOrderId, list);
      }
    }
    for (const i of quality.inspections) {
      const targets = i.lotId ? [i.lotId] : i.workOrderId ? (producedBy.get(i.workOrderId) ?? []) : [];
      for (const t of targets) docs.get(t)?.inspections.push(i);
    }
    for (const n of quality.ncrs) {
      const targets = new Set(n.lots.map((l) => l.lotId));
      if (n.workOrderId) for (const t of producedBy.get(n.workOrderId) ?? []) targets.add(t);
      for (const t of targets) docs.get(t)?.ncrs.push(n);
    }
    return nodes.map((n) => docs.get(n.id)!);
  }
}
