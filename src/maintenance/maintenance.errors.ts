/** Error codes of the maintenance module (problem+json `code`). */
export enum MaintenanceErrorCode {
  /** The ticket's status does not take this command; `currentState`, `allowedCommands` and `missing` say why. */
  ILLEGAL_TRANSITION = 'ILLEGAL_TRANSITION',
  /** The record changed since the `expectedVersion` the caller saw; `currentVersion` is given. */
  STALE_VERSION = 'STALE_VERSION',
  /** The PM plan's rule cannot be used (interval, dates, meter); `errors` names the fields. */
  PM_RULE_INVALID = 'PM_RULE_INVALID',
  /** The technician named cannot take maintenance work at this site. */
  NOT_A_TECHNICIAN = 'NOT_A_TECHNICIAN',
  /** A manual reading below the meter's last one (meters only count up; say `reset` for a new meter). */
  METER_READING_BACKWARDS = 'METER_READING_BACKWARDS',
  /** The meter is fed by production; it takes no manual readings. */
  METER_FED = 'METER_FED',
  /** The machine already has an open breakdown ticket; `ticketId` and `ticketCode` name it. */
  BREAKDOWN_OPEN = 'BREAKDOWN_OPEN',
  /** Nothing to stop: the technician has no labour running on this ticket. */
  NO_LABOUR_RUNNING = 'NO_LABOUR_RUNNING',
  /** The ticket no longer takes parts, labour or checklist answers (done, verified or cancelled). */
  TICKET_CLOSED = 'TICKET_CLOSED',
}
