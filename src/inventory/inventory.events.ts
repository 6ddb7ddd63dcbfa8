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
  /** Where the change came from: a person or system through the API, the WMS, or the expiry job. */
  source: 'api' | 'wms' | 'expiry';
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

declare module '../platform/events/domain-events' {
  interface DomainEventMap {
    'inventory.lot.status_changed': LotStatusChanged;
    'inventory.stock.moved': StockMoved;
  }
}
