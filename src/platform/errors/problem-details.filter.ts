import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { RequestContext } from '../context/request-context';
import { DomainError, ErrorKind, FieldError, PlatformErrorCode } from './domain-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  validation: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  payload_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

const TITLE_BY_STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors: FieldError[];
  correlationId: string;
  instance?: string;
  [extension: string]: unknown;
}

interface Normalised {
  status: number;
  code: string;
  detail: string;
  errors: FieldError[];
  extensions: Record<string, unknown>;
  retryAfterSeconds?: number;
}

const PG_CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
]);

/** Turns anything thrown into one RFC 9457 problem document. Never leaks stack traces or SQL. */
export function toProblem(
  exception: unknown,
  instance?: string,
): { problem: ProblemDocument; retryAfterSeconds?: number } {
  const n = normalise(exception);
  const problem: ProblemDocument = {
    ...n.extensions,
    type: `/problems/${n.code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLE_BY_STATUS[n.status] ?? 'Error',
    status: n.status,
    detail: n.detail,
    code: n.code,
    errors: n.errors,
    correlationId: RequestContext.correlationId(),
    instance,
  };
  return { problem, retryAfterSeconds: n.retryAfterSeconds };
}

function normalise(exception: unknown): Normalised {
  if (exception instanceof DomainError) {
    return {
      status: STATUS_BY_KIND[exception.kind],
      code: exception.code,
      detail: exception.message,
      errors: exception.errors,
      extensions: exception.extensions,
      retryAfterSeconds: exception.retryAfterSeconds,
    };
  }
  // Nest hands Fastify's own errors over wrapped in an HttpException.
  const bodyParser = bodyParserError(
    exception instanceof HttpException ? (exception.cause ?? exception) : exception,
  );
  if (bodyParser) return bodyParser;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code =
      status === 404
        ? PlatformErrorCode.ROUTE_NOT_FOUND
        : status === 401
          ? PlatformErrorCode.AUTHENTICATION_REQUIRED
          : status === 403
            ? PlatformErrorCode.ROLE_REQUIRED
            : status === 413
              ? PlatformErrorCode.PAYLOAD_TOO_LARGE
              : status === 405
                ? PlatformErrorCode.METHOD_NOT_ALLOWED
                : status < 500
                  ? PlatformErrorCode.VALIDATION_FAILED
                  : PlatformErrorCode.INTERNAL;
    return {
      status,
      code,
      detail: status >= 500 ? 'Internal error' : exception.message,
      errors: [],
      extensions: {},
    };
  }
  if (exception instanceof QueryFailedError) {
    const pgCode = (exception.driverError as { code?: string } | undefined)?.code;
    if (pgCode === '23505') {
      return {
        status: 409,
        code: PlatformErrorCode.ALREADY_EXISTS,
        detail: 'A record with the same unique key already exists',
        errors: [],
        extensions: {},
      };
    }
    if (pgCode === '23502') {
      // A null the request gave for a column that holds none, which its DTO let through: refused as the
      // validation would have (the transaction rolled back, nothing changed), named by the column's field.
      const column = (exception.driverError as { column?: string } | undefined)?.column;
      const field = column ? column.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) : undefined;
      return {
        status: 400,
        code: PlatformErrorCode.VALIDATION_FAILED,
        detail: field ? `${field} must not be null` : 'A required value is missing',
        errors: field ? [{ field, message: `${field} must not be null` }] : [],
        extensions: {},
      };
    }
    if (pgCode === '40001' || pgCode === '40P01') {
      return {
        status: 409,
        code: PlatformErrorCode.CONCURRENT_MODIFICATION,
        detail: 'A concurrent change interfered; retry the request',
        errors: [],
        extensions: {},
      };
    }
    if (pgCode && PG_CONNECTION_CODES.has(pgCode)) return unavailable();
  }
  if (isConnectionError(exception)) return unavailable();
  return {
    status: 500,
    code: PlatformErrorCode.INTERNAL,
    detail: 'Internal error',
    errors: [],
    extensions: {},
  };
}

function unavailable(): Normalised {
  return {
    status: 503,
    code: PlatformErrorCode.DATABASE_UNAVAILABLE,
    detail: 'The database is unavailable; retry shortly',
    errors: [],
    extensions: {},
    retryAfterSeconds: 5,
  };
}

function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: string }).code;
  return (
    (code !== undefined && PG_CONNECTION_CODES.has(code)) ||
    /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(e.message)
  );
}

/** Errors Fastify raises before a route runs (reading the URL or the body), told by their FST_ code. */
function bodyParserError(e: unknown): Normalised | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e) || !('statusCode' in e)) return undefined;
  const { code, statusCode } = e;
  if (typeof code !== 'string' || !code.startsWith('FST_') || typeof statusCode !== 'number')
    return undefined;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: PlatformErrorCode.PAYLOAD_TOO_LARGE,
        detail: 'The request body exceeds the size limit',
        errors: [],
        extensions: {},
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return {
        status: 400,
        code: PlatformErrorCode.MALFORMED_JSON,
        detail: 'The request body is not valid JSON',
        errors: [{ field: '', message: 'malformed JSON' }],
        extensions: {},
      };
    case 'FST_ERR_BAD_URL':
      return {
        status: 400,
        code: PlatformErrorCode.MALFORMED_URL,
        detail: 'The URL is not valid (malformed percent-encoding)',
        errors: [],
        extensions: {},
      };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        status: 414,
        code: PlatformErrorCode.MALFORMED_URL,
        detail: 'A path segment of the URL is too long',
        errors: [],
        extensions: {},
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        code: PlatformErrorCode.UNSUPPORTED_MEDIA_TYPE,
        detail: 'Send the body as application/json (text/csv for imports)',
        errors: [],
        extensions: {},
      };
    default:
      return statusCode >= 400 && statusCode < 500
        ? {
            status: statusCode,
            code: PlatformErrorCode.VALIDATION_FAILED,
            detail: 'The request body could not be read',
            errors: [],
            extensions: {},
          }
        : undefined;
  }
}

export function sendProblem(
  reply: FastifyReply,
  req: FastifyRequest | undefined,
  exception: unknown,
): ProblemDocument {
  const { problem, retryAfterSeconds } = toProblem(exception, req?.url.split('?')[0]);
  if (retryAfterSeconds !== undefined) void reply.header('Retry-After', String(retryAfterSeconds));
  void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  return problem;
}

/**
 * Fastify's `frameworkErrors`: a URL the router cannot read (bad percent-encoding, an over-long segment) is
 * answered before any hook runs, so it gets its correlation id here.
 */
export function answerFrameworkError(error: Error, req: FastifyRequest, reply: FastifyReply): void {
  const correlationId = randomUUID();
  void reply.header('X-Correlation-Id', correlationId);
  RequestContext.run({ correlationId, ip: req.ip }, () => sendProblem(reply, req, error));
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before Fastify sees a request (headers over
 * the size limit, a request that is not valid HTTP, one that took too long to arrive) gets the same
 * problem+json as every other error instead of Fastify's plain JSON; the connection is then closed.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, PlatformErrorCode.HEADERS_TOO_LARGE, 'The request line and headers exceed the size limit']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, PlatformErrorCode.REQUEST_TIMEOUT, 'The request did not arrive in time']
        : [400, PlatformErrorCode.MALFORMED_REQUEST, 'The request is not valid HTTP'];
  const correlationId = randomUUID();
  const problem: ProblemDocument = {
    type: `/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLE_BY_STATUS[status] ?? 'Error',
    status,
    detail,
    code,
    errors: [],
    correlationId,
  };
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Correlation-Id: ${correlationId}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** Thrown to answer a request with the stored response of its first attempt (an idempotent replay). */
export class ReplayedResponse {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<FastifyRequest>();
    if (res.sent) return;
    if (exception instanceof ReplayedResponse) {
      void res.header('Idempotent-Replayed', 'true');
      const body = exception.body;
      const isProblem = exception.status >= 400;
      void res
        .status(exception.status)
        .type(isProblem ? PROBLEM_CONTENT_TYPE : 'application/json')
        .send(body === null || body === undefined ? '' : JSON.stringify(body));
      return;
    }
    const problem = sendProblem(res, req, exception);
    if (problem.status >= 500) {
      this.logger.error(
        { err: exception, correlationId: problem.correlationId },
        `${req.method} ${req.url} failed`,
      );
    } else if (exception instanceof QueryFailedError) {
      // Refused by the database rather than by validation (a not-null column): the DTO let it through.
      this.logger.warn(
        { err: exception, correlationId: problem.correlationId },
        `${req.method} ${req.url} refused by a database constraint`,
      );
    }
  }
}
