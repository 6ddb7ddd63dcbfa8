/**
 * Maintenance ticket lifecycle: a pure state machine (no framework, no I/O, no clock).
 *
 *   open → assigned → in_progress → done → verified        cancelled from open or assigned
 *
 * A technician may start an open ticket (it is then theirs); a ticket may be handed to another technician
 * until it is done; work found wanting at verification goes back to in_progress (`reopen`). Finishing asks for
 * what the kind of ticket needs: a breakdown's failure code, cause and remedy, a preventive ticket's whole
 * checklist; verification asks for a signature where the plan requires one.
 */

export const TICKET_STATUSES = ['open', 'assigned', 'in_progress', 'done', 'verified', 'cancelled'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_KINDS = ['preventive', 'corrective', 'improvement'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];

export const TICKET_COMMANDS = ['assign', 'start', 'complete', 'reopen', 'verify', 'cancel'] as const;
export type TicketCommand = (typeof TICKET_COMMANDS)[number];

export interface TicketContext {
  kind: TicketKind;
  /** A technician is named on the ticket (or in the command). */
  assignee?: boolean;
  /** Corrective: failure code, cause and remedy given. */
  closure?: { failureCode?: boolean; cause?: boolean; remedy?: boolean };
  /** Preventive: every checklist item answered. */
  checklistComplete?: boolean;
  /** Verification needs an electronic signature (the plan says so) … */
  signatureRequired?: boolean;
  /** … and one was given. */
  signed?: boolean;
}

export type TicketTransition =
  | { ok: true; status: TicketStatus }
  | { ok: false; current: TicketStatus; allowed: TicketCommand[]; reason: string; missing?: string[] };

const FROM: Record<TicketCommand, readonly TicketStatus[]> = {
  assign: ['open', 'assigned', 'in_progress'],
  start: ['open', 'assigned'],
  complete: ['in_progress'],
  reopen: ['done'],
  verify: ['done'],
  cancel: ['open', 'assigned'],
};

/** What finishing a ticket of this kind still lacks (field names), empty when nothing. */
export function missingForCompletion(ctx: TicketContext): string[] {
  if (ctx.kind === 'corrective') {
    const c = ctx.closure ?? {};
    return (['failureCode', 'cause', 'remedy'] as const).filter((k) => !c[k]);
  }
  if (ctx.kind === 'preventive' && !ctx.checklistComplete) return ['checklist'];
  return [];
}

/** The commands a ticket in `status` accepts (before checking what they need). */
export const allowedCommands = (status: TicketStatus): TicketCommand[] =>
  TICKET_COMMANDS.filter((c) => FROM[c].includes(status));

export function transition(
  status: TicketStatus,
  command: TicketCommand,
  ctx: TicketContext,
): TicketTransition {
  const refuse = (reason: string, missing?: string[]): TicketTransition => ({
    ok: false,
    current: status,
    allowed: allowedCommands(status),
    reason,
    ...(missing ? { missing } : {}),
  });
  if (!FROM[command].includes(status)) {
    return refuse(`A ${status.replace('_', ' ')} ticket cannot be given '${command}'`);
  }
  switch (command) {
    case 'assign':
      if (!ctx.assignee) return refuse('Name the technician to assign', ['assignee']);
      return { ok: true, status: status === 'in_progress' ? 'in_progress' : 'assigned' };
    case 'start':
      if (!ctx.assignee) return refuse('A ticket is started by a technician', ['assignee']);
      return { ok: true, status: 'in_progress' };
    case 'complete': {
      const missing = missingForCompletion(ctx);
      if (missing.length > 0) {
        const what =
          ctx.kind === 'corrective' ? 'the failure code, cause and remedy' : 'every checklist item answered';
        return refuse(`A ${ctx.kind} ticket is finished with ${what}`, missing);
      }
      return { ok: true, status: 'done' };
    }
    case 'reopen':
      return { ok: true, status: 'in_progress' };
    case 'verify':
      if (ctx.signatureRequired && !ctx.signed)
        return refuse('Verification needs your signature', ['signature']);
      return { ok: true, status: 'verified' };
    case 'cancel':
      return { ok: true, status: 'cancelled' };
  }
}
