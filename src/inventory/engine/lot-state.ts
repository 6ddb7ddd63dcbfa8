/**
 * Lot quality status: a pure state machine (no framework, no I/O, no clock).
 *
 *   quarantine (待检) --release--> available --consume--> consumed --restock--> available
 *   quarantine | available --hold--> hold (冻结) --unhold--> the status it was held from
 *   quarantine | available | hold --reject--> rejected      (final)
 *   quarantine | available | hold --expire--> expired --extend--> available | quarantine
 *
 * A hold remembers the status it was held from (the caller stores it and passes it back as `heldFrom`), so
 * that unhold returns a lot still awaiting inspection to quarantine. Holding, rejecting and extending need
 * a reason (kept by the caller for the audit trail).
 */

export const LOT_STATUSES = ['quarantine', 'available', 'hold', 'rejected', 'consumed', 'expired'] as const;
export type LotStatus = (typeof LOT_STATUSES)[number];

export const LOT_COMMANDS = [
  'release',
  'hold',
  'unhold',
  'reject',
  'expire',
  'consume',
  'restock',
  'extend',
] as const;
export type LotCommand = (typeof LOT_COMMANDS)[number];

export interface LotTransitionOptions {
  /** The status a held lot was held from (stored by the caller when it applied `hold`). */
  heldFrom?: LotStatus | null;
  /** Why the lot is held, rejected or extended; required (non-blank) for those commands. */
  reason?: string | null;
  /** For `extend`: the status the lot returns to, `available` or `quarantine`. */
  target?: LotStatus;
}

export type LotTransitionResult =
  | { ok: true; next: LotStatus }
  | { ok: false; code: 'ILLEGAL_TRANSITION' | 'REASON_REQUIRED'; message: string; allowed: LotCommand[] };

/** The statuses a lot can be put on hold from, and therefore the only statuses unhold returns to. */
const HOLDABLE: readonly LotStatus[] = ['quarantine', 'available'];

/** The statuses an expired lot can be extended to. */
const EXTEND_TARGETS: readonly LotStatus[] = ['available', 'quarantine'];

/** Commands that must carry a non-blank reason. */
const NEEDS_REASON: readonly LotCommand[] = ['hold', 'reject', 'extend'];

/** The statuses each command applies to. */
const SOURCES: Record<LotCommand, readonly LotStatus[]> = {
  release: ['quarantine'],
  hold: HOLDABLE,
  unhold: ['hold'],
  reject: ['quarantine', 'available', 'hold'],
  expire: ['quarantine', 'available', 'hold'],
  consume: ['available'],
  restock: ['consumed'],
  extend: ['expired'],
};

/** How a command reads in a refusal: "it cannot be <participle>". */
function participle(command: LotCommand): string {
  switch (command) {
    case 'release':
      return 'released';
    case 'hold':
      return 'held';
    case 'unhold':
      return 'taken off hold';
    case 'reject':
      return 'rejected';
    case 'expire':
      return 'expired';
    case 'consume':
      return 'consumed';
    case 'restock':
      return 'restocked';
    case 'extend':
      return 'extended';
  }
}

/** How a lot in `status` is named at the start of a refusal. */
function aLot(status: LotStatus): string {
  switch (status) {
    case 'quarantine':
      return 'A lot in quarantine';
    case 'available':
      return 'An available lot';
    case 'hold':
      return 'A lot on hold';
    case 'rejected':
      return 'A rejected lot';
    case 'consumed':
      return 'A consumed lot';
    case 'expired':
      return 'An expired lot';
  }
}

/** The commands `current` accepts, in `LOT_COMMANDS` order (reasons and targets are not considered). */
export function allowedLotCommands(current: LotStatus): LotCommand[] {
  return LOT_COMMANDS.filter((command) => SOURCES[command].includes(current));
}

/** Only an available lot can be reserved, picked or issued. */
export function isAllocatable(status: LotStatus): boolean {
  return status === 'available';
}

export function isLotStatus(v: unknown): v is LotStatus {
  return typeof v === 'string' && (LOT_STATUSES as readonly string[]).includes(v);
}

/**
 * Applies `command` to a lot in status `current`. On success the new status; on refusal a code, a short
 * English message naming the current status and the command, and the commands `current` does accept.
 *
 * - `unhold` returns to `opts.heldFrom` when that is `quarantine` or `available`; when it is unknown
 *   (missing, null, or a status a lot cannot be held from) the lot becomes `available`.
 * - `extend` needs `opts.target` set to `available` or `quarantine`; anything else is an illegal transition.
 * - `hold`, `reject` and `extend` need a reason that is not blank; the status is checked first.
 */
export function lotTransition(
  current: LotStatus,
  command: LotCommand,
  opts: LotTransitionOptions = {},
): LotTransitionResult {
  const refuse = (code: 'ILLEGAL_TRANSITION' | 'REASON_REQUIRED', message: string): LotTransitionResult => ({
    ok: false,
    code,
    message,
    allowed: allowedLotCommands(current),
  });

  if (!SOURCES[command].includes(current)) {
    return refuse('ILLEGAL_TRANSITION', `${aLot(current)} cannot be ${participle(command)}`);
  }

  let next: LotStatus;
  switch (command) {
    case 'release':
      next = 'available';
      break;
    case 'hold':
      next = 'hold';
      break;
    case 'unhold': {
      const heldFrom = opts.heldFrom;
      next =
        heldFrom !== undefined && heldFrom !== null && HOLDABLE.includes(heldFrom) ? heldFrom : 'available';
      break;
    }
    case 'reject':
      next = 'rejected';
      break;
    case 'expire':
      next = 'expired';
      break;
    case 'consume':
      next = 'consumed';
      break;
    case 'restock':
      next = 'available';
      break;
    case 'extend': {
      const target = opts.target;
      if (target === undefined || !EXTEND_TARGETS.includes(target)) {
        return refuse(
          'ILLEGAL_TRANSITION',
          target === undefined
            ? `${aLot(current)} cannot be extended without a target status (available or quarantine)`
            : `${aLot(current)} cannot be extended to ${target}; only to available or quarantine`,
        );
      }
      next = target;
      break;
    }
  }

  if (NEEDS_REASON.includes(command) && (opts.reason ?? '').trim() === '') {
    return refuse('REASON_REQUIRED', `${aLot(current)} cannot be ${participle(command)} without a reason`);
  }
  return { ok: true, next };
}
