/** Error codes of the quality module (problem+json `code`). */
export enum QualityErrorCode {
  /** The data do not fit the chart (sizes, ranges, counts above their sample size, …); `errors` names the fields. */
  SPC_INPUT_INVALID = 'SPC_INPUT_INVALID',
  /** The NCR is not in a status that takes this command; `currentState` and `allowedCommands` say what is. */
  NCR_ILLEGAL_TRANSITION = 'ILLEGAL_TRANSITION',
  /** The record (NCR, plan, …) changed since the `expectedVersion` the caller saw; `currentVersion` is given. */
  STALE_VERSION = 'STALE_VERSION',
  /** The disposition cannot be carried out for this NCR (no supplier to return to, no material to rework, …). */
  NCR_DISPOSITION_NOT_POSSIBLE = 'NCR_DISPOSITION_NOT_POSSIBLE',
  /** The characteristic has no control chart (chart is null): nothing to plot, freeze or exclude. */
  SPC_NOT_CHARTED = 'SPC_NOT_CHARTED',
  /** Freezing limits needs more usable points in the range; `errors` says how many there are. */
  SPC_TOO_FEW_POINTS = 'SPC_TOO_FEW_POINTS',
  /** The limits in use changed since the `expectedLimitsVersion` the caller saw; `currentLimitsVersion` is given. */
  SPC_LIMITS_CHANGED = 'SPC_LIMITS_CHANGED',
  /** The point is already excluded from the limits; `reason` says why. */
  SPC_POINT_ALREADY_EXCLUDED = 'SPC_POINT_ALREADY_EXCLUDED',
  /** The inspection is decided (passed or failed): results and decisions are final; `currentState` says which. */
  INSPECTION_DECIDED = 'INSPECTION_DECIDED',
  /** The inspection was cancelled: nothing more is recorded on it. */
  INSPECTION_CANCELLED = 'INSPECTION_CANCELLED',
  /** A decision needs at least one result per characteristic; `missing` lists what is still to record. */
  INSPECTION_INCOMPLETE = 'INSPECTION_INCOMPLETE',
  /** A partial inspection, or a decision against what the results suggest, needs a note saying why. */
  DECISION_NOTE_REQUIRED = 'DECISION_NOTE_REQUIRED',
  /** A lot awaiting (or having failed) an inspection cannot be released by hand; `inspections` names them. */
  INSPECTION_PENDING = 'INSPECTION_PENDING',
}
