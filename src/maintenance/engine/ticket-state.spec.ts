import {
  allowedCommands,
  missingForCompletion,
  TICKET_COMMANDS,
  TICKET_STATUSES,
  type TicketCommand,
  type TicketContext,
  type TicketStatus,
  transition,
} from './ticket-state';

const corrective: TicketContext = {
  kind: 'corrective',
  assignee: true,
  closure: { failureCode: true, cause: true, remedy: true },
};
const preventive: TicketContext = { kind: 'preventive', assignee: true, checklistComplete: true };

/** Applies commands in turn; the state after each. */
function run(ctx: TicketContext, commands: TicketCommand[], from: TicketStatus = 'open'): TicketStatus[] {
  const out: TicketStatus[] = [];
  let status = from;
  for (const c of commands) {
    const r = transition(status, c, ctx);
    if (!r.ok) throw new Error(`${c} from ${status}: ${r.reason}`);
    status = r.status;
    out.push(status);
  }
  return out;
}

describe('maintenance ticket lifecycle', () => {
  it('the whole way: open → assigned → in_progress → done → verified', () => {
    expect(run(corrective, ['assign', 'start', 'complete', 'verify'])).toEqual([
      'assigned',
      'in_progress',
      'done',
      'verified',
    ]);
  });

  it('a technician may start an open ticket; it may be handed over until done; rejected work goes back', () => {
    expect(run(preventive, ['start', 'assign', 'complete', 'reopen', 'complete', 'verify'])).toEqual([
      'in_progress',
      'in_progress',
      'done',
      'in_progress',
      'done',
      'verified',
    ]);
    expect(run(preventive, ['assign', 'assign'])).toEqual(['assigned', 'assigned']);
  });

  it('a breakdown is finished only with failure code, cause and remedy; a PM only with its whole checklist', () => {
    const r = transition('in_progress', 'complete', { kind: 'corrective', closure: { failureCode: true } });
    expect(r).toMatchObject({ ok: false, current: 'in_progress', missing: ['cause', 'remedy'] });
    expect(transition('in_progress', 'complete', { kind: 'preventive' })).toMatchObject({
      ok: false,
      missing: ['checklist'],
    });
    expect(transition('in_progress', 'complete', { kind: 'improvement' })).toEqual({
      ok: true,
      status: 'done',
    });
    expect(missingForCompletion(corrective)).toEqual([]);
  });

  it('verification asks for a signature where the plan requires one', () => {
    const ctx = { ...preventive, signatureRequired: true };
    expect(transition('done', 'verify', ctx)).toMatchObject({ ok: false, missing: ['signature'] });
    expect(transition('done', 'verify', { ...ctx, signed: true })).toEqual({ ok: true, status: 'verified' });
  });

  it('assigning and starting need a technician', () => {
    const ctx = { ...corrective, assignee: false };
    expect(transition('open', 'assign', ctx)).toMatchObject({ ok: false, missing: ['assignee'] });
    expect(transition('open', 'start', ctx)).toMatchObject({ ok: false, missing: ['assignee'] });
  });

  it('cancel only before work began; nothing leaves verified or cancelled', () => {
    expect(transition('assigned', 'cancel', corrective)).toEqual({ ok: true, status: 'cancelled' });
    expect(transition('in_progress', 'cancel', corrective)).toMatchObject({
      ok: false,
      current: 'in_progress',
      allowed: ['assign', 'complete'],
    });
    for (const end of ['verified', 'cancelled'] as const) {
      expect(allowedCommands(end)).toEqual([]);
      for (const c of TICKET_COMMANDS) expect(transition(end, c, corrective).ok).toBe(false);
    }
  });

  it('every refusal names the current state and what is allowed from it', () => {
    for (const s of TICKET_STATUSES) {
      for (const c of TICKET_COMMANDS) {
        const r = transition(s, c, corrective);
        if (!r.ok) {
          expect(r.current).toBe(s);
          expect(r.allowed).toEqual(allowedCommands(s));
          expect(r.reason.length).toBeGreaterThan(0);
        }
      }
    }
  });
});
