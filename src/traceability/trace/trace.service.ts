import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
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
import { type EdgePair, type EdgeRow, GenealogyStore } from '../genealogy/genealogy.store';
import { TraceabilityErrorCode } from '../traceability.errors';

export type Direction = 'backward' | 'forward';

/** Deepest a trace goes when no depth is asked for (real genealogies are far shallower). */
export const MAX_DEPTH = 100;
/** Ledger rows a trace shows per lot (the latest). */
const MOVEMENTS_PER_LOT = 50;
/** Most lots one trace or recall walks; beyond it the answer says `truncated`. */
export const MAX_LOTS = 100_000;

/** The graph of a walk: each lot once, at the smallest depth it was reached, and every edge met on the way. */
export interface Walk<E extends EdgePair = EdgeRow> {
  root: LotSummary;
  direction: Direction;
  depthLimit: number;
  /** Lot id → depth (root 0), in the order reached. */
  depths: Map<string, number>;
  edges: E[];
  /** Cut off by the depth limit or the lot cap while the graph went on. */
  truncated: boolean;
}

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
    const siteIds = site ? p.siteIds.filter((s) => s === site) : p.siteIds;
    const found = await this.inventory.trace.findInSites(m, siteIds, code);
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

  /** Walks the graph from a lot: parents (backward) or children (forward), up to `depthLimit` levels. */
  async walk(
    m: EntityManager,
    p: Principal,
    root: LotSummary,
    direction: Direction,
    depthLimit = MAX_DEPTH,
  ): Promise<Walk> {
    return this.walkWith(m, p, root, direction, depthLimit, {
      closure: (siteIds) => this.store.closure(m, direction, root.id, siteIds, MAX_LOTS + 1),
      step: (frontier, siteIds) => this.store.step(m, direction, frontier, siteIds),
    });
  }

  /**
   * {@link walk} that keeps only which lot went into which: for scopes of thousands of lots (a recall), whose
   * closure is then read from the genealogy's indexes alone.
   */
  async reach(
    m: EntityManager,
    p: Principal,
    root: LotSummary,
    direction: Direction,
    depthLimit = MAX_DEPTH,
  ): Promise<Walk<EdgePair>> {
    return this.walkWith<EdgePair>(m, p, root, direction, depthLimit, {
      closure: (siteIds) => this.store.closurePairs(m, direction, root.id, siteIds, MAX_LOTS + 1),
      step: (frontier, siteIds) => this.store.step(m, direction, frontier, siteIds),
    });
  }

  private async walkWith<E extends EdgePair>(
    m: EntityManager,
    p: Principal,
    root: LotSummary,
    direction: Direction,
    depthLimit: number,
    read: {
      closure(siteIds: string[]): Promise<E[]>;
      step(frontier: string[], siteIds: string[]): Promise<E[]>;
    },
  ): Promise<Walk<E>> {
    const siteIds = p.siteIds;
    if (depthLimit < MAX_DEPTH) {
      // Under a depth limit, one indexed query per level: nothing beyond the limit is read.
      return this.breadthFirst<E>(root, direction, depthLimit, {
        step: (frontier) => read.step(frontier, siteIds),
        beyond: (frontier) => this.store.anyBeyond(m, direction, frontier, siteIds),
      });
    }
    // Otherwise the whole closure's edges in one statement, walked here level by level.
    const edges = await read.closure(siteIds);
    const out = new Map<string, E[]>();
    for (const e of edges) {
      const from = direction === 'backward' ? e.childLotId : e.parentLotId;
      const list = out.get(from);
      if (list) list.push(e);
      else out.set(from, [e]);
    }
    const step = (frontier: string[]) => frontier.flatMap((id) => out.get(id) ?? []);
    return this.breadthFirst<E>(root, direction, depthLimit, {
      step: (frontier) => Promise.resolve(step(frontier)),
      beyond: (frontier) => Promise.resolve(step(frontier).length > 0),
    });
  }

  /**
   * Breadth first from the root: each lot is kept at the depth it is first reached (its smallest), so a cycle or
   * a diamond is visited once; every edge met is kept for drawing. Stops at the depth limit or the lot cap.
   */
  private async breadthFirst<E extends EdgePair>(
    root: LotSummary,
    direction: Direction,
    depthLimit: number,
    read: { step(frontier: string[]): Promise<E[]>; beyond(frontier: string[]): Promise<boolean> },
  ): Promise<Walk<E>> {
    const depths = new Map<string, number>([[root.id, 0]]);
    const edges: E[] = [];
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
    const root = await this.resolveLot(m, p, code, q.site);
    const walk = await this.walk(m, p, root, direction, q.depth ?? MAX_DEPTH);
    return this.view(m, walk, q.documents ?? true);
  }

  /**
   * The walk's lots with their documents: inventory's lots (with documents: their stock, consumption, ledger and
   * shipments, one statement per kind at once), then production's work orders and quality's records at once.
   */
  private async view(m: EntityManager, walk: Walk, withDocuments: boolean): Promise<TraceView> {
    const ids = [...walk.depths.keys()];
    const dossiers = withDocuments ? await this.inventory.trace.dossiers(m, ids, MOVEMENTS_PER_LOT) : null;
    const lots = dossiers ? dossiers.map(summaryOf) : await this.inventory.trace.summaries(m, ids);
    const byId = new Map(lots.map((l) => [l.id, l]));
    // Orders that made a lot of the graph, linked two of its lots, or consumed one of them.
    const orderIds = new Set<string>();
    for (const l of lots) if (l.workOrderId) orderIds.add(l.workOrderId);
    for (const e of walk.edges) if (e.workOrderId) orderIds.add(e.workOrderId);
    for (const d of dossiers ?? []) for (const i of d.issues) orderIds.add(i.workOrderId);
    const [workOrders, quality] = await Promise.all([
      this.production.trace.workOrders(m, [...orderIds]),
      dossiers ? this.quality.records(m, ids, [...orderIds]) : Promise.resolve(null),
    ]);
    const orderById = new Map(workOrders.map((w) => [w.id, w]));
    const nodes: TraceNode[] = ids.flatMap((id) => {
      const lot = byId.get(id);
      if (!lot) return [];
      return [
        {
          ...lot,
          depth: walk.depths.get(id)!,
          workOrderCode: lot.workOrderId ? (orderById.get(lot.workOrderId)?.code ?? null) : null,
        },
      ];
    });
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
      lot: byId.get(walk.root.id) ?? walk.root,
      direction: walk.direction,
      depthLimit: walk.depthLimit,
      depth: nodes.reduce((d, n) => Math.max(d, n.depth), 0),
      truncated: walk.truncated,
      nodes,
      edges,
      workOrders,
    };
    if (dossiers && quality) view.documents = this.documents(dossiers, orderById, quality);
    return view;
  }

  /** For every lot: where it is, what consumed it, shipments, inspections, NCRs and its ledger. */
  private documents(
    dossiers: LotDossier[],
    orders: Map<string, { code: string; status: string }>,
    quality: QualityRecords,
  ): LotDocuments[] {
    const docs = new Map<string, LotDocuments>(
      dossiers.map((d) => [
        d.id,
        {
          lotId: d.id,
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
    for (const l of dossiers) {
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
    return dossiers.map((d) => docs.get(d.id)!);
  }
}

/** A lot's summary without its documents. */
function summaryOf(d: LotDossier): LotSummary {
  const { balances: _b, issues: _i, movements: _m, shipments: _s, ...summary } = d;
  return summary;
}
