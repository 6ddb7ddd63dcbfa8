import type { TicketKind, TicketStatus } from './engine/ticket-state';

/** A maintenance ticket was opened or changed (status, assignee, window, parts, labour). */
export interface TicketChanged {
  ticketId: string;
  siteId: string;
  code: string;
  kind: TicketKind;
  status: TicketStatus;
  previousStatus: TicketStatus | null;
  equipmentId: string;
  assigneeId: string | null;
  breakdown: boolean;
  windowStart: string | null;
  windowEnd: string | null;
  /** opened, assigned, started, labour, parts, checklist, rescheduled, completed, verified, reopened, cancelled, … */
  change: string;
}

declare module '../platform/events/domain-events' {
  interface DomainEventMap {
    'maintenance.ticket.changed': TicketChanged;
  }
}
