import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import { AuditService } from '../../platform/audit/audit.service';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { compare, parseDecimal, ZERO } from '../../platform/engine/decimal';
import { DomainError } from '../../platform/errors/domain-error';
import {
  InventoryFacade,
  type LotScopeSummary,
  type LotShipmentRef,
  type LotSummary,
  type LotWhereabouts,
} from '../../inventory/inventory.facade';
import { readAll } from '../../platform/database/read-all';
import { ProductionFacade, type WorkOrderHead } from '../../production/production.facade';
import { TraceabilityErrorCode } from '../traceability.errors';
import { MAX_DEPTH, type Reach, TraceService } from './trace.service';

/** Work order statuses in which consumed material is still work in progress (not yet in a finished lot). */
const WIP_STATUSES = new Set(['released', 'kitting', 'ready', 'running', 'held']);
/** Work orders a recall may stop. */
const HOLDABLE_ORDER_STATUSES = new Set(['released', 'kitting', 'ready', 'running']);
/** Lot statuses a recall hold applies to (a hold from any other is not allowed or not needed). */
const HOLDABLE_LOT_STATUSES = new Set(['available', 'quarantine']);

export interface RecallLot {
  id: string;
  code: string;
  depth: number;
  materialCode: string;
  materialName: string;
  unit: string;
  status: string;
  origin: string;
  onHand: string;
  supplierCode: string | null;
  supplierLot: string | null;
  workOrderCode: string | null;
  /** Stock by location (the lot's status applies to all of it). */
  locations: Array<{ code: string; name: string; type: string; quantity: string }>;
  /** Issued to work orders that have not finished: the material is on the shop floor now. */
  wip: Array<{ workOrderId: string; workOrderCode: string; status: string; quantity: string }>;
  shipments: LotShipmentRef[];
  /** Still in our hands and holdable (available or quarantine with stock). */
  holdable: boolean;
}

export interface RecallView {
  source: LotSummary;
  depthLimit: number;
  truncated: boolean;
  summary: {
    /** Affected lots, the source included. */
    lots: number;
    /** Lots with stock here, and how many of them are in each status. */
    inStock: { lots: number; byStatus: Record<string, number> };
    wip: { workOrders: number; lots: number };
    shipped: { customers: number; lots: number; shipments: number };
    /** What `recall/hold` would hold now. */
    toHold: number;
  };
  /** The lots of the page asked for, by depth then code (all of them in the CSV export and for a hold). */
  lots: RecallLot[];
  page: { offset: number; limit: number; total: number };
  /** Unfinished work orders the lots went into, with the lots (by code). */
  workOrders: Array<WorkOrderHead & { lots: string[] }>;
  customers: Array<{
    customerId: string;
    customerCode: string;
    customerName: string;
    lots: string[];
    shipments: string[];
  }>;
}

export interface RecallHoldResult {
  source: string;
  reason: string;
  held: string[];
  alreadyHeld: string[];
  /** Affected lots not held: nothing left here (consumed, shipped) or rejected/expired already. */
  notInHand: number;
  workOrdersHeld: string[];
}

/**
 * Recall scope (召回范围): every lot downstream of a lot (a supplier's lot, or any), where each is now — stock by
 * location and status, on the shop floor in unfinished work orders, shipped to which customer — and one action
 * that holds all of it still in our hands (the WMS freezes the stock through the lot status change).
 */
@Injectable()
export class RecallService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runner: TransactionRunner,
    private readonly traces: TraceService,
    private readonly inventory: InventoryFacade,
    private readonly production: ProductionFacade,
    private readonly audit: AuditService,
  ) {}

  /** The scope with one page of its lots (`limit` from `offset`), or all of them without `limit`. */
  async scope(
    p: Principal,
    q: { lot: string; site?: string; depth?: number; offset?: number; limit?: number },
  ): Promise<RecallView> {
    const m = this.dataSource.manager;
    const walk = await this.traces.reach(m, p, { lot: q.lot, site: q.site }, 'forward', q.depth ?? MAX_DEPTH);
    return this.view(m, walk, q.limit === undefined ? undefined : { offset: q.offset ?? 0, limit: q.limit });
  }

  async hold(
    p: Principal,
    q: { lot: string; site?: string; reason: string; holdWorkOrders?: boolean },
  ): Promise<RecallHoldResult> {
    return this.runner.run(async (tx) => {
      const walk = await this.traces.reach(tx.manager, p, { lot: q.lot, site: q.site }, 'forward', MAX_DEPTH);
      const source = walk.root;
      if (walk.truncated) {
        throw new DomainError(
          'unprocessable',
          TraceabilityErrorCode.RECALL_SCOPE_TRUNCATED,
          `The recall scope of ${source.code} is larger than one action may hold; hold it in parts`,
          { extensions: { lots: walk.depths.size } },
        );
      }
      const view = await this.view(tx.manager, walk);
      const reason = `Recall of ${source.code}: ${q.reason}`;
      const held: string[] = [];
      const alreadyHeld: string[] = [];
      for (const lot of view.lots) {
        if (lot.holdable) {
          await this.inventory.changeLotStatus(tx, {
            siteId: source.siteId,
            lot: lot.id,
            command: 'hold',
            reason,
          });
          held.push(lot.code);
        } else if (lot.status === 'hold') alreadyHeld.push(lot.code);
      }
      const workOrdersHeld: string[] = [];
      if (q.holdWorkOrders) {
        for (const w of view.workOrders) {
          if (!HOLDABLE_ORDER_STATUSES.has(w.status)) continue;
          if (await this.production.holdWorkOrder(tx, w.siteId, w.id, reason)) workOrdersHeld.push(w.code);
        }
      }
      const result: RecallHoldResult = {
        source: source.code,
        reason: q.reason,
        held,
        alreadyHeld,
        notInHand: view.lots.length - held.length - alreadyHeld.length,
        workOrdersHeld,
      };
      await this.audit.record(tx, {
        entityType: 'lot',
        entityId: source.id,
        siteId: source.siteId,
        action: 'lot.recall_hold',
        after: result,
        reason: q.reason,
      });
      return result;
    });
  }

  /**
   * The scope's summary over all its lots (counted by inventory: only counts and codes travel), the page of lots
   * asked for (all of them without `page`) with their whereabouts, at once; then the work orders involved.
   */
  private async view(
    m: EntityManager,
    walk: Reach,
    page?: { offset: number; limit: number },
  ): Promise<RecallView> {
    const ids = [...walk.depths.keys()];
    const depths = ids.map((id) => walk.depths.get(id)!);
    const [scope, lots] = await readAll<[LotScopeSummary, LotWhereabouts[]]>(m, [
      () => this.inventory.trace.scopeSummary(m, ids, [...HOLDABLE_LOT_STATUSES]),
      () => this.inventory.trace.whereabouts(m, ids, depths, page),
    ]);
    // The orders the lots went into (WIP: those not finished yet) and the ones that made the lots shown.
    const orderIds = new Set(scope.consumers.map((c) => c.workOrderId));
    for (const l of lots) if (l.workOrderId) orderIds.add(l.workOrderId);
    const orders = new Map(
      (await this.production.trace.heads(m, [...orderIds])).map((w) => [w.id, w] as const),
    );
    const wipOrder = (id: string) => {
      const order = orders.get(id);
      return order && WIP_STATUSES.has(order.status) ? order : undefined;
    };
    const workOrders: RecallView['workOrders'] = [];
    const wipLots = new Set<string>();
    for (const c of scope.consumers) {
      const order = wipOrder(c.workOrderId);
      if (!order) continue;
      workOrders.push({ ...order, lots: c.lots });
      for (const code of c.lots) wipLots.add(code);
    }
    const out: RecallLot[] = [];
    for (const l of lots) {
      const wip: RecallLot['wip'] = [];
      for (const i of l.issues) {
        const order = wipOrder(i.workOrderId);
        if (order) {
          wip.push({
            workOrderId: order.id,
            workOrderCode: order.code,
            status: order.status,
            quantity: i.quantity,
          });
        }
      }
      out.push({
        id: l.id,
        code: l.code,
        depth: walk.depths.get(l.id)!,
        materialCode: l.materialCode,
        materialName: l.materialName,
        unit: l.unit,
        status: l.status,
        origin: l.origin,
        onHand: l.onHand,
        supplierCode: l.supplierCode,
        supplierLot: l.supplierLot,
        workOrderCode: l.workOrderId ? (orders.get(l.workOrderId)?.code ?? null) : null,
        locations: l.balances.map((b) => ({
          code: b.locationCode,
          name: b.locationName,
          type: b.locationType,
          quantity: b.quantity,
        })),
        wip,
        shipments: l.shipments,
        holdable: compare(parseDecimal(l.onHand), ZERO) > 0 && HOLDABLE_LOT_STATUSES.has(l.status),
      });
    }
    const shippedLots = new Set<string>();
    let shipments = 0;
    for (const c of scope.customers) {
      for (const code of c.lots) shippedLots.add(code);
      shipments += c.shipments.length; // a shipment goes to one customer
    }
    return {
      source: walk.root,
      depthLimit: walk.depthLimit,
      truncated: walk.truncated,
      summary: {
        lots: scope.lots,
        inStock: {
          lots: Object.values(scope.inStock).reduce((a, b) => a + b, 0),
          byStatus: scope.inStock,
        },
        wip: { workOrders: workOrders.length, lots: wipLots.size },
        shipped: { customers: scope.customers.length, lots: shippedLots.size, shipments },
        toHold: scope.holdable,
      },
      lots: out,
      page: { offset: page?.offset ?? 0, limit: page?.limit ?? ids.length, total: ids.length },
      workOrders,
      customers: scope.customers,
    };
  }
}
