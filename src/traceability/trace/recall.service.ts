import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import { AuditService } from '../../platform/audit/audit.service';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { compare, parseDecimal, ZERO } from '../../platform/engine/decimal';
import { DomainError } from '../../platform/errors/domain-error';
import { InventoryFacade, type LotShipmentRef, type LotSummary } from '../../inventory/inventory.facade';
import { ProductionFacade, type WorkOrderHead } from '../../production/production.facade';
import type { EdgePair } from '../genealogy/genealogy.store';
import { TraceabilityErrorCode } from '../traceability.errors';
import { MAX_DEPTH, TraceService, type Walk } from './trace.service';

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
  lots: RecallLot[];
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

  async scope(p: Principal, q: { lot: string; site?: string; depth?: number }): Promise<RecallView> {
    const m = this.dataSource.manager;
    const walk = await this.traces.reach(m, p, { lot: q.lot, site: q.site }, 'forward', q.depth ?? MAX_DEPTH);
    return this.view(m, walk);
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

  private async view(m: EntityManager, walk: Walk<EdgePair>): Promise<RecallView> {
    const ids = [...walk.depths.keys()];
    // One statement for the lots, their stock, what consumed them and their shipments; then the orders.
    const dossiers = await this.inventory.trace.dossiers(m, ids);
    const orderIds = new Set<string>();
    for (const d of dossiers) {
      if (d.lot.workOrderId) orderIds.add(d.lot.workOrderId);
      for (const i of d.issues) orderIds.add(i.workOrderId);
    }
    const orders = new Map(
      (await this.production.trace.heads(m, [...orderIds])).map((w) => [w.id, w] as const),
    );
    const wipOrders = new Map<string, Set<string>>();
    const byId = new Map<string, RecallLot>();
    for (const { lot: l, balances, issues, shipments } of dossiers) {
      const wip: RecallLot['wip'] = [];
      for (const i of issues) {
        const order = orders.get(i.workOrderId);
        if (!order || !WIP_STATUSES.has(order.status)) continue;
        wip.push({
          workOrderId: order.id,
          workOrderCode: order.code,
          status: order.status,
          quantity: i.quantity,
        });
        const codes = wipOrders.get(order.id) ?? new Set<string>();
        codes.add(l.code);
        wipOrders.set(order.id, codes);
      }
      byId.set(l.id, {
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
        locations: balances.map((b) => ({
          code: b.locationCode,
          name: b.locationName,
          type: b.locationType,
          quantity: b.quantity,
        })),
        wip,
        shipments,
        holdable: compare(parseDecimal(l.onHand), ZERO) > 0 && HOLDABLE_LOT_STATUSES.has(l.status),
      });
    }
    // In the order the walk reached them.
    const out: RecallLot[] = ids.flatMap((id) => byId.get(id) ?? []);
    const byStatus: Record<string, number> = {};
    let inStock = 0;
    for (const l of out) {
      if (l.locations.length === 0) continue;
      inStock++;
      byStatus[l.status] = (byStatus[l.status] ?? 0) + 1;
    }
    // Per customer the lots and shipments in the order first met (sets: a recall may ship thousands of lots).
    const customers = new Map<
      string,
      {
        customerId: string;
        customerCode: string;
        customerName: string;
        lots: Set<string>;
        shipments: Set<string>;
      }
    >();
    let shippedLots = 0;
    const shipmentCodes = new Set<string>();
    for (const l of out) {
      if (l.shipments.length > 0) shippedLots++;
      for (const s of l.shipments) {
        shipmentCodes.add(s.shipmentCode);
        let c = customers.get(s.customerId);
        if (!c) {
          c = {
            customerId: s.customerId,
            customerCode: s.customerCode,
            customerName: s.customerName,
            lots: new Set(),
            shipments: new Set(),
          };
          customers.set(s.customerId, c);
        }
        c.lots.add(l.code);
        c.shipments.add(s.shipmentCode);
      }
    }
    const workOrders = [...wipOrders].map(([id, codes]) => ({ ...orders.get(id)!, lots: [...codes] }));
    return {
      source: walk.root,
      depthLimit: walk.depthLimit,
      truncated: walk.truncated,
      summary: {
        lots: out.length,
        inStock: { lots: inStock, byStatus },
        wip: { workOrders: workOrders.length, lots: out.filter((l) => l.wip.length > 0).length },
        shipped: { customers: customers.size, lots: shippedLots, shipments: shipmentCodes.size },
        toHold: out.filter((l) => l.holdable).length,
      },
      lots: out,
      workOrders,
      customers: [...customers.values()].map((c) => ({
        ...c,
        lots: [...c.lots],
        shipments: [...c.shipments],
      })),
    };
  }
}
