/** MOM → WMS messages (DESIGN.md "WMS bridge contract"), as written to the outbox. */
export const WMS_DESTINATION = 'wms';

export type WmsMessageType =
  'createPickTask' | 'changePriority' | 'cancelPickTask' | 'createPutaway' | 'freezeLot' | 'unfreezeLot';

export interface CreatePickTaskPayload {
  taskId: string;
  /** null for a line replenishment (补料), which serves the line rather than one order. */
  workOrder: string | null;
  purpose: 'work_order' | 'line_replenishment';
  lines: Array<{ material: string; qty: string; uom: string; lot?: string }>;
  needBy: string;
  destination: { line: string; station: string | null; location: string | null };
  priority: 'normal' | 'rush';
}

export interface ChangePriorityPayload {
  taskId: string;
  workOrder: string;
  priority: 'normal' | 'rush';
}

export interface CancelPickTaskPayload {
  taskId: string;
  workOrder: string | null;
  reason: string | null;
}

export interface CreatePutawayPayload {
  putawayId: string;
  lot: string;
  material: string;
  qty: string;
  uom: string;
  from: string;
  workOrder: string | null;
}

export interface LotFreezePayload {
  lot: string;
  material: string;
  reason: string | null;
}

/** Path parameters the HTTP adapter fills into the configured path. */
export interface WmsTarget {
  taskId?: string;
  lot?: string;
}

/** Messages of one work order are delivered one at a time, in the order they were written. */
export const workOrderOrderingKey = (workOrderId: string): string => `wms:wo:${workOrderId}`;
export const replenishmentOrderingKey = (id: string): string => `wms:lr:${id}`;
export const lotOrderingKey = (lotId: string): string => `wms:lot:${lotId}`;
