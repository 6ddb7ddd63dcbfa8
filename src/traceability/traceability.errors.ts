/** Error codes of the traceability module (problem+json `code`). */
export enum TraceabilityErrorCode {
  /** No lot with that code at any site the user may see. */
  LOT_NOT_FOUND = 'LOT_NOT_FOUND',
  /** The code names lots at more than one of the user's sites; `sites` lists them: pass `site`. */
  LOT_AMBIGUOUS = 'LOT_AMBIGUOUS',
  /** No serial number with that value at any site the user may see. */
  SERIAL_NOT_FOUND = 'SERIAL_NOT_FOUND',
  /** The serial number exists for more than one material; `materials` lists them: pass `material`. */
  SERIAL_AMBIGUOUS = 'SERIAL_AMBIGUOUS',
  /** The finished unit's serial is not in a lot produced by a work order, so nothing can be fitted to it. */
  UNIT_NOT_PRODUCED = 'UNIT_NOT_PRODUCED',
  /** The component's serial was not consumed by the work order that made the unit; `serialStatus` says what it is. */
  COMPONENT_NOT_CONSUMED = 'COMPONENT_NOT_CONSUMED',
  /** The component is fitted in another unit already; `unitSerial` names it (remove it there first). */
  COMPONENT_ALREADY_FITTED = 'COMPONENT_ALREADY_FITTED',
  /** The component is not fitted in any unit (nothing to remove). */
  COMPONENT_NOT_FITTED = 'COMPONENT_NOT_FITTED',
  /** The recall scope was cut off (too many lots or the depth limit): holding only part of it is refused. */
  RECALL_SCOPE_TRUNCATED = 'RECALL_SCOPE_TRUNCATED',
}
