/** Error codes of the machine-data module (problem+json `code`). */
export enum MachineDataErrorCode {
  /** The mapping changed since the `expectedVersion` the caller saw; `currentVersion` is given. */
  STALE_VERSION = 'STALE_VERSION',
}
