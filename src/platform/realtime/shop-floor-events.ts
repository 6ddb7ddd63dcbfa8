/**
 * Server → client events on the `/shop-floor` namespace (DESIGN.md). Quantities travel as decimal strings.
 * Every push is wrapped in a ShopFloorEnvelope carrying the room's sequence number.
 */
export interface ShopFloorEventMap {
  'workorder.status': {
    workOrderId: string;
    code: string;
    status: string;
    previousStatus?: string;
    siteId: string;
  };
  'operation.progress': {
    operationId: string;
    workOrderId: string;
    workOrderCode: string;
    seq: number;
    workCenterId: string;
    equipmentId: string | null;
    status: string;
    goodQty: string;
    scrapQty: string;
    /** started, joined, left, paused, resumed, reported, consumed, completed. */
    change: string;
  };
  andon: {
    andonId: string;
    kind: string;
    state: 'raised' | 'acknowledged' | 'resolved';
    workCenterId?: string;
    equipmentId?: string;
    message?: string;
  };
  /** A control chart broke a run rule: to the work center and the quality room (NCR opened, holds made). */
  'spc.violation': {
    characteristicId: string;
    characteristicCode: string;
    inspectionId: string;
    inspectionCode: string;
    pointIndex: number;
    value: number;
    /** Rule ids that fired ("N1" … "N8", "WE1" … "WE4"). */
    rules: string[];
    workCenterId: string | null;
    workOrderId: string | null;
    ncrId: string | null;
    ncrCode: string | null;
    heldWorkOrderId: string | null;
    heldLots: string[];
  };
  /** An inspection fell due (IQC, IPQC at the terminal, OQC) or was decided. */
  'inspection.changed': {
    inspectionId: string;
    code: string;
    type: string;
    status: string;
    workCenterId: string | null;
    lotId: string | null;
    workOrderId: string | null;
    dueAt?: string;
  };
  /** A nonconformance report was opened or moved on. */
  'ncr.changed': { ncrId: string; code: string; status: string; source: string; disposition: string | null };
  'ticket.changed': { ticketId: string; code: string; status: string; equipmentId?: string };
  'stock.alert': { materialId: string; siteId: string; availableQty: string; thresholdQty: string };
  'schedule.published': { scheduleId: string; siteId: string; version: number };
  'todo.created': { todoId: string; title: string; dueAt?: string; link?: string };
  /** A process parameter outside its limits at an operation. */
  'process.alert': {
    operationId: string;
    workOrderId: string;
    name: string;
    value: string;
    min: number | null;
    max: number | null;
    unit: string | null;
    equipmentId: string | null;
  };
  /** A machine stopped or restarted, or its stop got its reason (machine-reported stops start without one). */
  'downtime.changed': {
    downtimeId: string;
    equipmentId: string;
    workCenterId: string;
    category: string;
    reasonCodeId: string | null;
    source: 'operator' | 'machine';
    state: 'started' | 'ended' | 'classified';
    startedAt: string;
    endedAt: string | null;
  };
  /** A warehouse pick task for a work order moved (sent, accepted, picking, delivered, shortage …). */
  'pick.task': {
    taskId: string;
    workOrderId: string;
    workOrderCode: string;
    status: string;
    priority: string;
    siteId: string;
  };
  /** The warehouse cannot bring everything: who has to act (planner, warehouse supervisor) sees what is short. */
  'pick.shortage': {
    taskId: string;
    workOrderId: string;
    workOrderCode: string;
    siteId: string;
    lines: Array<{ materialId: string; materialCode: string; shortQty: string }>;
  };
  /** Site settings changed (name, time zone): screens refresh their headers and calendars. */
  'site.changed': { siteId: string; code: string };
  /** A machine reported a new state (machine data): running, idle, down, setup, off. */
  'machine.state': { equipmentId: string; state: string; previousState: string | null; at: string };
  /** A machine's connection to the broker (Sparkplug birth and death). */
  'machine.connection': { equipmentId: string; connection: 'online' | 'offline'; at: string };
  /** The latest values of a machine's tags (at most about one push per machine and second). */
  'machine.values': {
    equipmentId: string;
    values: Array<{
      tagId: string;
      role: string;
      name: string;
      value: number | string | boolean;
      ts: string;
    }>;
  };
  /** Pieces a machine counted (reported on its operation in authority mode). */
  'machine.counted': {
    equipmentId: string;
    operationId: string | null;
    goodQty: string;
    scrapQty: string;
    reported: boolean;
    at: string;
  };
  /** A machine's process value left its limits (`side` low/high) or came back (`side` null). */
  'machine.parameter': {
    equipmentId: string;
    equipmentCode: string;
    tagId: string;
    parameterName: string;
    value: number;
    min: number | null;
    max: number | null;
    unit: string | null;
    side: 'low' | 'high' | null;
    operationId: string | null;
    workOrderCode: string | null;
    at: string;
  };
  /** The machine's count and the operators' reports of a completed operation differ beyond tolerance. */
  'machine.count.discrepancy': {
    equipmentId: string;
    equipmentCode: string;
    operationId: string;
    workOrderCode: string;
    seq: number;
    machineTotal: string;
    reportedTotal: string;
    difference: string;
  };
}

export type ShopFloorEvent = keyof ShopFloorEventMap;

export interface ShopFloorEnvelope<E extends ShopFloorEvent = ShopFloorEvent> {
  /** Same id in every room the push went to, so a client in several rooms can drop repeats. */
  id: string;
  event: E;
  room: string;
  /** Increases by one per push to this room; a gap tells the client to refetch. */
  seq: number;
  at: string;
  data: ShopFloorEventMap[E];
}

export const ROOM_KINDS = ['site', 'line', 'workcenter', 'equipment', 'workorder', 'role', 'user'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

/**
 * The room of a role at one site (`role:quality@<siteId>`): pushes for a role never reach the people with that
 * role at other sites. Every socket joins the rooms of its roles at each of its sites.
 */
export function roleRoom(role: string, siteId: string): string {
  return `role:${role}@${siteId}`;
}

export function parseRoom(room: unknown): { kind: RoomKind; id: string } | undefined {
  if (typeof room !== 'string') return undefined;
  const m = /^([a-z]+):([A-Za-z0-9_@-]{1,100})$/.exec(room);
  if (!m || !(ROOM_KINDS as readonly string[]).includes(m[1]!)) return undefined;
  return { kind: m[1] as RoomKind, id: m[2]! };
}
