import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { catchError, from, mergeMap, Observable } from 'rxjs';
import type { Principal } from '../auth/principal';
import { RequestContext } from '../context/request-context';
import { DomainError, PlatformErrorCode } from '../errors/domain-error';
import { ReplayedResponse, toProblem } from '../errors/problem-details.filter';
import { IdempotencyService } from './idempotency.service';

const KEY = /^[\x21-\x7E]{1,200}$/;
/** Where @HttpCode() keeps the status (@nestjs/common's HTTP_CODE_METADATA, not exported from the package root). */
const HTTP_CODE_METADATA = '__httpCode__';

/**
 * Requires an `Idempotency-Key` on the route: a replay answers the first response, a concurrent duplicate
 * 409, the same key with another body 422. The route's command must run in one TransactionRunner
 * transaction (which stores the answer in the same commit) and return what the route answers.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly keys: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    const header = req.headers['idempotency-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || !KEY.test(key)) {
      throw new DomainError(
        'validation',
        PlatformErrorCode.IDEMPOTENCY_KEY_REQUIRED,
        'Send an Idempotency-Key header (1-200 visible ASCII characters, e.g. a UUID) with this request',
        { errors: [{ field: 'Idempotency-Key', message: 'header is required' }] },
      );
    }
    const principal = req.user;
    const scope = principal ? `${principal.kind}:${principal.id}` : `ip:${req.ip ?? ''}`;
    const method = context.getHandler();
    const successStatus =
      this.reflector.get<number | undefined>(HTTP_CODE_METADATA, method) ??
      (req.method === 'POST' ? 201 : 200);
    return from(
      this.keys.claim({ scope, key, method: req.method, path: req.originalUrl, body: req.body as unknown }),
    ).pipe(
      mergeMap((claim) => {
        switch (claim.kind) {
          case 'replay':
            // Not an error: the filter answers it with the stored response.
            // eslint-disable-next-line @typescript-eslint/only-throw-error
            throw new ReplayedResponse(claim.status, claim.body);
          case 'in_progress':
            throw new DomainError(
              'conflict',
              PlatformErrorCode.IDEMPOTENCY_KEY_IN_USE,
              'A request with this Idempotency-Key is still being processed; retry in a moment',
              { retryAfterSeconds: 1 },
            );
          case 'mismatch':
            throw new DomainError(
              'unprocessable',
              PlatformErrorCode.IDEMPOTENCY_KEY_REUSED,
              'This Idempotency-Key was used for a different request; use a new key for a new request',
            );
          case 'claimed':
            return this.run(claim.id, successStatus, next, context);
        }
      }),
    );
  }

  private run(id: string, status: number, next: CallHandler, context: ExecutionContext): Observable<unknown> {
    const store = RequestContext.current();
    const pending = { id, status, completed: false };
    if (store) store.idempotency = pending;
    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        // A command that needed no transaction (nothing changed) is completed here.
        if (!pending.completed) await this.keys.complete(id, status, body);
        pending.completed = true;
        return body;
      }),
      catchError(async (err: unknown) => {
        const { problem } = toProblem(err, context.switchToHttp().getRequest<Request>().originalUrl);
        // A refusal is the answer to this request; a transient failure leaves the key free for a retry.
        const transient =
          problem.status >= 500 ||
          problem.status === 429 ||
          problem.code === String(PlatformErrorCode.CONCURRENT_MODIFICATION);
        if (!pending.completed) {
          if (transient) await this.keys.release(id);
          else await this.keys.complete(id, problem.status, problem);
        }
        throw err;
      }),
    );
  }
}

/** Marks a route as requiring an `Idempotency-Key` header. */
export function Idempotent(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      description:
        'Unique per intended action (e.g. a UUID). A retry with the same key returns the first response.',
    }),
  );
}
