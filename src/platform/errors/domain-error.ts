/**
 * What went wrong, in terms the HTTP layer can map without knowing the module:
 * the filter turns a kind into a status code; the code is the module's enum value.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable';

export interface FieldError {
  field: string;
  message: string;
}

export interface DomainErrorOptions {
  errors?: FieldError[];
  /** Extra members placed on the problem document (e.g. `currentState` for a refused transition). */
  extensions?: Record<string, unknown>;
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class DomainError extends Error {
  readonly errors: FieldError[];
  readonly extensions: Record<string, unknown>;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.errors = options.errors ?? [];
    this.extensions = options.extensions ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export enum PlatformErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  MALFORMED_JSON = 'MALFORMED_JSON',
  JSON_TOO_DEEP = 'JSON_TOO_DEEP',
  JSON_TOO_MANY_ITEMS = 'JSON_TOO_MANY_ITEMS',
  NUL_CHARACTER = 'NUL_CHARACTER',
  INVALID_UNICODE = 'INVALID_UNICODE',
  MALFORMED_URL = 'MALFORMED_URL',
  MALFORMED_REQUEST = 'MALFORMED_REQUEST',
  HEADERS_TOO_LARGE = 'HEADERS_TOO_LARGE',
  REQUEST_TIMEOUT = 'REQUEST_TIMEOUT',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  ROUTE_NOT_FOUND = 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  AUTHENTICATION_REQUIRED = 'AUTHENTICATION_REQUIRED',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  TOKEN_INVALID = 'TOKEN_INVALID',
  ACCOUNT_DISABLED = 'ACCOUNT_DISABLED',
  TOO_MANY_FAILURES = 'TOO_MANY_FAILURES',
  SIGNATURE_INVALID = 'SIGNATURE_INVALID',
  SIGNATURE_EXPIRED = 'SIGNATURE_EXPIRED',
  NONCE_REUSED = 'NONCE_REUSED',
  UNKNOWN_APP_KEY = 'UNKNOWN_APP_KEY',
  ROLE_REQUIRED = 'ROLE_REQUIRED',
  SITE_FORBIDDEN = 'SITE_FORBIDDEN',
  TERMINAL_UNKNOWN = 'TERMINAL_UNKNOWN',
  NOT_FOUND = 'NOT_FOUND',
  ALREADY_EXISTS = 'ALREADY_EXISTS',
  CONCURRENT_MODIFICATION = 'CONCURRENT_MODIFICATION',
  RECORD_TYPE_NOT_SIGNABLE = 'RECORD_TYPE_NOT_SIGNABLE',
  NOT_DEAD_LETTERED = 'NOT_DEAD_LETTERED',
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
  NOT_READY = 'NOT_READY',
  IDEMPOTENCY_KEY_REQUIRED = 'IDEMPOTENCY_KEY_REQUIRED',
  IDEMPOTENCY_KEY_IN_USE = 'IDEMPOTENCY_KEY_IN_USE',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  INTERNAL = 'INTERNAL',
}

export const notFound = (what: string, id: string): DomainError =>
  new DomainError('not_found', PlatformErrorCode.NOT_FOUND, `${what} ${id} does not exist`, {
    extensions: { entity: what, id },
  });

/** A 400 naming the fields that are wrong, as the validation pipe answers (summary: every field's message). */
export const invalidFields = (
  errors: FieldError[],
  summary = errors.map((e) => `${e.field}: ${e.message}`).join('; '),
): DomainError =>
  new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, summary.slice(0, 1000), { errors });

/** A 400 naming one wrong field. */
export const fieldError = (field: string, message: string): DomainError =>
  invalidFields([{ field, message }]);
