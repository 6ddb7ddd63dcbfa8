import type { LotStatus } from './engine/lot-state';
import type { MovementType } from './lots/inventory-movement.entity';

/** Events inventory emits (after commit). Quantities are decimal strings. */
export interface LotStatusChanged {
  lotId: string;
  lotCode: string;
  siteId: string;
  materialId: string;
  status: LotStatus;
  previousStatus: LotStatus;
  reason: string | null;
  /** Where the change came from: a person or system through the API, the WMS, the expiry job, quality (an inspection's outcome, an NCR's containment or disposition), or an alert rule's action. */
  source: 'api' | 'wms' | 'expiry' | 'quality' | 'rule';
}

/**
 * A lot came into stock: received, produced, back from outsourcing, or split off another lot (origin `split`,
 * which keeps its lot's status; quality makes no incoming inspection for it). Raised inside the creating
 * transaction.
 */
export interface LotCreated {
  lotId: string;
  lotCode: string;
  siteId: string;
  materialId: string;
  origin: string;
  status: LotStatus;
  quantity: string;
  locationId: string;
  workOrderId: string | null;
  supplierId: string | null;
}

/**
 * Part of one lot went into another lot without a work order: processed at a supplier (outsourcing), split off
 * into a new lot, or merged into an existing lot. Raised inside the transaction that moves the stock.
 */
export interface LotsLinked {
  siteId: string;
  kind: 'outsourcing' | 'split' | 'merge';
  parentLotId: string;
  childLotId: string;
  /** How much of the parent went into the child (decimal string, the parent's unit). */
  quantity: string;
  /** outsourcing: the outsourcing order. */
  referenceId: string | null;
}

export interface StockMoved {
  siteId: string;
  movementId: string;
  movementType: MovementType;
  lotId: string;
  lotCode: string;
  materialId: string;
  quantity: string;
  fromLocationId: string | null;
  toLocationId: string | null;
  workOrderId: string | null;
}

/** A material's available stock at a site crossed its safety level (once per crossing). */
export interface SafetyStockChanged {
  siteId: string;
  materialId: string;
  materialCode: string;
  state: 'below' | 'recovered';
  availableQty: string;
  safetyStock: string;
  reorderPoint: string;
  lotSize: string;
  /** What to order or make to get back up to reorder point + lot size ("0" when recovered). */
  suggestedQty: string;
}

export interface AdjustmentRequested {
  adjustmentId: string;
  code: string;
  siteId: string;
  source: 'count' | 'wms';
  lotCode: string;
  materialId: string;
  locationId: string;
  bookQty: string;
  countedQty: string;
  deltaQty: string;
  requestedBy: string;
}

export interface AdjustmentDecided {
  adjustmentId: string;
  code: string;
  siteId: string;
  decision: 'approved' | 'rejected';
  decidedBy: string;
}

/** A line-side location needs material (补料): below its min, or asked for by hand. */
export interface LineReplenishmentRequested {
  replenishmentId: string;
  code: string;
  siteId: string;
  locationId: string;
  lineId: string | null;
  materialId: string;
  requestedQty: string;
  availableQty: string;
  /** The min that was crossed; null for a request made by hand. */
  minQty: string | null;
}

export interface LineReplenishmentClosed {
  replenishmentId: string;
  code: string;
  siteId: string;
  status: 'delivered' | 'short' | 'cancelled';
  deliveredQty: string;
}

declare module '../platform/events/domain-events' {
  interface DomainEventMap {
    'inventory.safety_stock.changed': SafetyStockChanged;
    'inventory.adjustment.requested': AdjustmentRequested;
    'inventory.adjustment.decided': AdjustmentDecided;
    'inventory.line_replenishment.requested': LineReplenishmentRequested;
    'inventory.line_replenishment.closed': LineReplenishmentClosed;
    'inventory.lot.status_changed': LotStatusChanged;
    'inventory.lot.created': LotCreated;
    'inventory.stock.moved': StockMoved;
    'inventory.lots.linked': LotsLinked;
  }
}
