/** Events the WMS bridge emits (after commit). Quantities are decimal strings. */
export interface PickTaskChanged {
  taskId: string;
  siteId: string;
  workOrderId: string;
  workOrderCode: string;
  lineId: string;
  status: string;
  previousStatus: string | null;
  priority: 'normal' | 'rush';
}

export interface PickShortage {
  taskId: string;
  siteId: string;
  workOrderId: string;
  workOrderCode: string;
  lineId: string;
  lines: Array<{ materialId: string; materialCode: string; shortQty: string }>;
}

declare module '../platform/events/domain-events' {
  interface DomainEventMap {
    'wms.pick_task.changed': PickTaskChanged;
    'wms.pick.shortage': PickShortage;
  }
}
