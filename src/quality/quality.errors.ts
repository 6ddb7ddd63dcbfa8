/** Error codes of the quality module (problem+json `code`). */
export enum QualityErrorCode {
  /** The data do not fit the chart (sizes, ranges, counts above their sample size, …); `errors` names the fields. */
  SPC_INPUT_INVALID = 'SPC_INPUT_INVALID',
}
