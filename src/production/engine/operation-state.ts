/**
 * Dispatch state of a work order operation: whether it can be started now, and if not, every reason why.
 * Pure (no framework, no I/O, no clock); quantities are decimal strings compared exactly.
 */
import { compare, parseDecimal } from '../../platform/engine/decimal';
import { type WorkOrderStatus } from './work-order-state';

export const OPERATION_STATUSES = ['waiting', 'ready', 'running', 'paused', 'completed'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

export const WAITING_REASONS = [
  'work_order_not_released',
  'work_order_held',
  'predecessor',
  'material',
  'machine_down',
] as const;
export type WaitingReason = (typeof WAITING_REASONS)[number];

export interface DispatchStateInput {
  /** Stored status of the operation. */
  status: OperationStatus;
  workOrderStatus: WorkOrderStatus;
  /** The previous operation of the same work order (by seq); null for the first operation. */
  predecessor: { status: OperationStatus; goodQty: string } | null;
  /**
   * Of THIS operation's predecessor relation: this operation may start once the predecessor has passed on
   * at least this many good parts (overlapping operations); null = the predecessor must be completed.
   */
  minTransferQty: string | null;
  /** A material needed at this operation is short. */
  materialShort: boolean;
  /** Every eligible machine is down or in maintenance (false when none is listed). */
  machinesDown: boolean;
}

export interface DispatchState {
  state: OperationStatus;
  /** In `WAITING_REASONS` order; empty unless `state` is 'waiting'. */
  waitingReasons: WaitingReason[];
}

/**
 * True when the predecessor lets this operation start: there is none, it is completed, or it has passed
 * on at least `minTransferQty` good parts. Throws a `RangeError` for a malformed quantity.
 */
export function predecessorAllowsStart(
  predecessor: { status: OperationStatus; goodQty: string } | null,
  minTransferQty: string | null,
): boolean {
  if (predecessor === null || predecessor.status === 'completed') {
    return true;
  }
  if (minTransferQty === null) {
    return false;
  }
  return compare(parseDecimal(predecessor.goodQty), parseDecimal(minTransferQty)) >= 0;
}

/** The work order's contribution to the waiting reasons. */
function workOrderReason(status: WorkOrderStatus): WaitingReason | null {
  switch (status) {
    // Final order states are not expected for an open operation, but must read as "not workable", not crash.
    case 'draft':
    case 'planned':
    case 'completed':
    case 'closed':
    case 'cancelled':
      return 'work_order_not_released';
    case 'held':
      return 'work_order_held';
    case 'released':
    case 'kitting':
    case 'ready':
    case 'running':
      return null;
  }
}

/**
 * The state to dispatch an operation by. Started operations (running, paused, completed) keep their
 * stored state; a waiting or ready operation is 'ready' when nothing blocks it, else 'waiting' with every
 * blocking reason, so the shop floor sees all of them at once rather than one after another.
 */
export function dispatchState(input: DispatchStateInput): DispatchState {
  switch (input.status) {
    case 'running':
    case 'paused':
    case 'completed':
      return { state: input.status, waitingReasons: [] };
    case 'waiting':
    case 'ready':
      break;
  }
  const reasons: WaitingReason[] = [];
  const orderReason = workOrderReason(input.workOrderStatus);
  if (orderReason !== null) {
    reasons.push(orderReason);
  }
  if (!predecessorAllowsStart(input.predecessor, input.minTransferQty)) {
    reasons.push('predecessor');
  }
  if (input.materialShort) {
    reasons.push('material');
  }
  if (input.machinesDown) {
    reasons.push('machine_down');
  }
  return { state: reasons.length === 0 ? 'ready' : 'waiting', waitingReasons: reasons };
}
