/** Events production emits (after commit). Quantities are decimal strings. */
export interface WorkOrderStatusChanged {
  workOrderId: string;
  siteId: string;
  code: string;
  lineId: string;
  status: string;
  previousStatus: string | null;
  reason: string | null;
}

export interface WorkOrderReleased {
  workOrderId: string;
  siteId: string;
  code: string;
  lineId: string;
  materialId: string;
  quantity: string;
  dueAt: string;
  plannedStart: string | null;
  priority: 'normal' | 'rush';
  releasedWithShortage: boolean;
  lineCode: string;
  firstWorkCenterCode: string | null;
  /** Where the order's material is staged (the line's first line-side location), if the line has one. */
  lineSideLocation: { id: string; code: string } | null;
  /** What the warehouse has to bring: open quantity per material line, and what was short at release. */
  materials: Array<{
    lineNo: number;
    materialId: string;
    materialCode: string;
    unitId: string;
    unitCode: string;
    requiredQty: string;
    shortQty: string;
    operationSeq: number | null;
  }>;
  /** Where the material goes first (the first operation's work center). */
  firstWorkCenterId: string;
}

export interface WorkOrderPriorityChanged {
  workOrderId: string;
  siteId: string;
  code: string;
  priority: 'normal' | 'rush';
  previousPriority: 'normal' | 'rush';
}

export interface OperationChanged {
  operationId: string;
  workOrderId: string;
  workOrderCode: string;
  siteId: string;
  lineId: string;
  workCenterId: string;
  equipmentId: string | null;
  seq: number;
  status: string;
  goodQty: string;
  scrapQty: string;
  /** What happened: started, joined, paused, resumed, reported, completed, consumed. */
  change: string;
}

export interface WorkOrderCompleted {
  workOrderId: string;
  siteId: string;
  code: string;
  lineId: string;
  materialId: string;
  goodQty: string;
  scrapQty: string;
  lots: Array<{ lotId: string; code: string; quantity: string; status: string; locationId: string }>;
}

export interface ProcessParameterOutOfRange {
  readingId: string;
  siteId: string;
  operationId: string;
  workOrderId: string;
  workCenterId: string;
  lineId: string;
  equipmentId: string | null;
  name: string;
  value: string;
  min: number | null;
  max: number | null;
  unit: string | null;
}

export interface AndonChanged {
  andonId: string;
  siteId: string;
  kind: 'material' | 'quality' | 'maintenance' | 'help';
  state: 'raised' | 'acknowledged' | 'resolved';
  lineId: string;
  workCenterId: string;
  equipmentId: string | null;
  workOrderId: string | null;
  operationId: string | null;
  message: string | null;
  /** A breakdown: the machine was set down and downtime started (`downtimeId`) with the call. */
  machineDown: boolean;
  downtimeId: string | null;
  raisedBy: string;
}

export interface DowntimeChanged {
  downtimeId: string;
  siteId: string;
  equipmentId: string;
  workCenterId: string;
  /** Null while a machine-reported stop waits for its reason. */
  reasonCodeId: string | null;
  category: string;
  source: 'operator' | 'machine';
  state: 'started' | 'ended' | 'classified';
  startedAt: string;
  endedAt: string | null;
}

declare module '../platform/events/domain-events' {
  interface DomainEventMap {
    'production.workorder.status_changed': WorkOrderStatusChanged;
    'production.workorder.released': WorkOrderReleased;
    'production.workorder.priority_changed': WorkOrderPriorityChanged;
    'production.workorder.completed': WorkOrderCompleted;
    'production.operation.changed': OperationChanged;
    'production.operation.completed': OperationChanged;
    'production.parameter.out_of_range': ProcessParameterOutOfRange;
    'production.andon.changed': AndonChanged;
    'production.downtime.changed': DowntimeChanged;
  }
}
