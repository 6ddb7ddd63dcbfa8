import type { NcrStatus } from './ncr.entity';

/**
 * The NCR state machine (DESIGN.md), pure:
 *
 *   open --review--> under_review --disposition (e-signed)--> dispositioned --close--> closed
 *   open | under_review --containment--> (same status: affected lots listed and held)
 */
export const NCR_COMMANDS = ['review', 'containment', 'disposition', 'close'] as const;
export type NcrCommand = (typeof NCR_COMMANDS)[number];

const SOURCES: Record<NcrCommand, readonly NcrStatus[]> = {
  review: ['open'],
  containment: ['open', 'under_review'],
  disposition: ['under_review'],
  close: ['dispositioned'],
};

/** The commands an NCR in `status` accepts, in `NCR_COMMANDS` order. */
export function allowedNcrCommands(status: NcrStatus): NcrCommand[] {
  return NCR_COMMANDS.filter((c) => SOURCES[c].includes(status));
}

export type NcrTransitionResult =
  { ok: true; next: NcrStatus } | { ok: false; message: string; allowed: NcrCommand[] };

/** Applies `command` to an NCR in `status`: the next status, or a refusal naming what is allowed instead. */
export function ncrTransition(status: NcrStatus, command: NcrCommand): NcrTransitionResult {
  if (!SOURCES[command].includes(status)) {
    const allowed = allowedNcrCommands(status);
    return {
      ok: false,
      message: `An NCR in status ${status} cannot take ${command}${
        allowed.length > 0 ? `; allowed now: ${allowed.join(', ')}` : '; it is closed'
      }`,
      allowed,
    };
  }
  switch (command) {
    case 'review':
      return { ok: true, next: 'under_review' };
    case 'containment':
      return { ok: true, next: status };
    case 'disposition':
      return { ok: true, next: 'dispositioned' };
    case 'close':
      return { ok: true, next: 'closed' };
  }
}
