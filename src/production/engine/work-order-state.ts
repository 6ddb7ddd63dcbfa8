/**
 * Work order lifecycle: a pure state machine (no framework, no I/O, no clock).
 *
 *   draft → planned → released → kitting → ready → running ⇄ held → completed → closed
 *
 * `cancelled` is reachable from every state before work has started. A hold remembers the state it was
 * held from (the caller stores it and passes it back as `ctx.heldFrom`), so that resume returns there.
 */

export const WORK_ORDER_STATUSES = [
  'draft',
  'planned',
  'released',
  'kitting',
  'ready',
  'running',
  'held',
  'completed',
  'closed',
  'cancelled',
] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

export const WORK_ORDER_COMMANDS = [
  'plan',
  'release',
  'start_kitting',
  'mark_ready',
  'start',
  'hold',
  'resume',
  'complete',
  'close',
  'cancel',
] as const;
export type WorkOrderCommand = (typeof WORK_ORDER_COMMANDS)[number];

export interface WorkOrderStateContext {
  /** The state a held order was held from (stored by the caller when it applied `hold`). */
  heldFrom?: WorkOrderStatus | null;
  /** Any quantity has been reported on the order (an operation started, good or scrap reported). */
  hasProgress?: boolean;
}

export type TransitionResult =
  | { ok: true; status: WorkOrderStatus }
  | { ok: false; current: WorkOrderStatus; allowed: WorkOrderCommand[]; reason: string };

/** The states a work order can be put on hold from, and therefore the only valid `heldFrom` values. */
const HOLDABLE: readonly WorkOrderStatus[] = ['released', 'kitting', 'ready', 'running'];

/** The target state, or the reason the command is refused. */
type Outcome = { to: WorkOrderStatus } | { refused: string };

/** How a command reads in a refusal: "it cannot be <participle>". */
function participle(command: WorkOrderCommand): string {
  switch (command) {
    case 'plan':
      return 'planned';
    case 'release':
      return 'released';
    case 'start_kitting':
      return 'kitted';
    case 'mark_ready':
      return 'marked ready';
    case 'start':
      return 'started';
    case 'hold':
      return 'put on hold';
    case 'resume':
      return 'resumed';
    case 'complete':
      return 'completed';
    case 'close':
      return 'closed';
    case 'cancel':
      return 'cancelled';
  }
}

const notFrom = (current: WorkOrderStatus, command: WorkOrderCommand): Outcome => ({
  refused: `Work order is ${current}; it cannot be ${participle(command)}`,
});

/** `to` when `current` is one of `from`, else the standard refusal. */
const from = (
  current: WorkOrderStatus,
  command: WorkOrderCommand,
  sources: readonly WorkOrderStatus[],
  to: WorkOrderStatus,
): Outcome => (sources.includes(current) ? { to } : notFrom(current, command));

function resume(current: WorkOrderStatus, ctx: WorkOrderStateContext): Outcome {
  if (current !== 'held') {
    return notFrom(current, 'resume');
  }
  const heldFrom = ctx.heldFrom;
  if (heldFrom === undefined || heldFrom === null) {
    return {
      refused: 'Work order is held but the state it was held from is unknown; it cannot be resumed',
    };
  }
  // A corrupt stored value must not let resume jump to e.g. completed.
  if (!HOLDABLE.includes(heldFrom)) {
    return {
      refused: `Work order is held from ${heldFrom}, which cannot be put on hold; it cannot be resumed`,
    };
  }
  return { to: heldFrom };
}

function cancel(current: WorkOrderStatus, ctx: WorkOrderStateContext): Outcome {
  switch (current) {
    case 'draft':
    case 'planned':
    case 'released':
    case 'kitting':
    case 'ready':
      return { to: 'cancelled' };
    case 'held':
      // Only a hold before production can be cancelled: produced parts must be completed, not thrown away.
      return ctx.heldFrom === 'running' || ctx.hasProgress === true
        ? { refused: 'Work order is held after work has started; it cannot be cancelled' }
        : { to: 'cancelled' };
    case 'running':
    case 'completed':
      return { refused: `Work order is ${current}; it cannot be cancelled because work has started` };
    case 'closed':
    case 'cancelled':
      return { refused: `Work order is ${current}; it cannot be cancelled because it is already final` };
  }
}

function outcome(current: WorkOrderStatus, command: WorkOrderCommand, ctx: WorkOrderStateContext): Outcome {
  switch (command) {
    case 'plan':
      return from(current, command, ['draft'], 'planned');
    case 'release':
      return from(current, command, ['planned'], 'released');
    case 'start_kitting':
      return from(current, command, ['released'], 'kitting');
    case 'mark_ready':
      return from(current, command, ['released', 'kitting'], 'ready');
    case 'start':
      return from(current, command, ['released', 'kitting', 'ready'], 'running');
    case 'hold':
      return from(current, command, HOLDABLE, 'held');
    case 'resume':
      return resume(current, ctx);
    case 'complete':
      return from(current, command, ['running'], 'completed');
    case 'close':
      return from(current, command, ['completed'], 'closed');
    case 'cancel':
      return cancel(current, ctx);
  }
}

/** The commands `current` accepts with this context, in `WORK_ORDER_COMMANDS` order. */
export function allowedWorkOrderCommands(
  current: WorkOrderStatus,
  ctx: WorkOrderStateContext = {},
): WorkOrderCommand[] {
  return WORK_ORDER_COMMANDS.filter((command) => 'to' in outcome(current, command, ctx));
}

/**
 * Applies `command` to a work order in state `current`. On success the new state; on refusal the current
 * state, the commands it does accept and a short English reason naming the current state.
 */
export function transitionWorkOrder(
  current: WorkOrderStatus,
  command: WorkOrderCommand,
  ctx: WorkOrderStateContext = {},
): TransitionResult {
  const result = outcome(current, command, ctx);
  if ('to' in result) {
    return { ok: true, status: result.to };
  }
  return { ok: false, current, allowed: allowedWorkOrderCommands(current, ctx), reason: result.refused };
}

export function isWorkOrderStatus(v: unknown): v is WorkOrderStatus {
  return typeof v === 'string' && (WORK_ORDER_STATUSES as readonly string[]).includes(v);
}
