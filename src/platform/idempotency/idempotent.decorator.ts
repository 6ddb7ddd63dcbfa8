import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, Observable } from 'rxjs';
import type { Principal } from '../auth/principal';
import { type PendingIdempotency, RequestContext } from '../context/request-context';
import { DomainError, PlatformErrorCode } from '../errors/domain-error';
import { ReplayedResponse, toProblem } from '../errors/problem-details.filter';
import { type ClaimResult, IdempotencyService } from './idempotency.service';

const KEY = /^[\x21-\x7E]{1,200}$/;
const INLINE_METADATA = 'mom:idempotency-inline';

/**
 * Answers a request whose key is already taken: the stored response (a replay), 409 while the first request
 * is still running, 422 when the key was used for another request.
 */
export function refuseRepeat(claim: Exclude<ClaimResult, { kind: 'claimed' }>): never {
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
  }
}
/** Where @HttpCode() keeps the status (@nestjs/common's HTTP_CODE_METADATA, not exported from the package root). */
const HTTP_CODE_METADATA = '__httpCode__';

/**
 * Requires an `Idempotency-Key` on the route: a replay answers the first response, a concurrent duplicate
 * waits for the first and replays it, the same key with another body 422. The route's command must run in
 * one TransactionRunner transaction (which claims the key and stores the answer in the same commit) and
 * return what the route answers.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly keys: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
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
    const ref = IdempotencyService.ref({
      scope,
      key,
      method: req.method,
      path: req.originalUrl,
      body: req.body,
    });
    if (this.reflector.get<boolean | undefined>(INLINE_METADATA, method)) {
      // The command claims the key in the very statement that does its work (one round trip).
      return this.run({ id: '', status: successStatus, completed: false, inline: ref }, next, context);
    }
    // A stored answer is replayed at once; otherwise the command's first transaction claims the key.
    return from(this.keys.lookup(ref)).pipe(
      mergeMap((stored) =>
        stored
          ? refuseRepeat(stored)
          : this.run({ id: '', status: successStatus, completed: false, deferred: ref }, next, context),
      ),
    );
  }

  private run(
    pending: PendingIdempotency,
    next: CallHandler,
    context: ExecutionContext,
  ): Observable<unknown> {
    const store = RequestContext.current();
    if (store) store.idempotency = pending;
    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        // A command that needed no transaction (nothing changed) is completed here.
        if (!pending.completed) {
          if (pending.id) await this.keys.complete(pending.id, pending.status, body);
          else if (pending.deferred) await this.keys.store(pending.deferred, pending.status, body);
        }
        pending.completed = true;
        return body;
      }),
      catchError(async (err: unknown) => {
        // The key's stored answer (not an error: the filter sends it): nothing to store.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        if (err instanceof ReplayedResponse) throw err;
        const { problem } = toProblem(err, context.switchToHttp().getRequest<FastifyRequest>().url);
        // A refusal is the answer to this request; a transient failure leaves the key free for a retry.
        const transient =
          problem.status >= 500 ||
          problem.status === 429 ||
          problem.code === String(PlatformErrorCode.CONCURRENT_MODIFICATION) ||
          problem.code === String(PlatformErrorCode.IDEMPOTENCY_KEY_IN_USE);
        if (!pending.completed) {
          // A key claimed and kept (an inline report's refusal) is completed or freed; a deferred claim was
          // rolled back with its transaction, so a refusal is stored as a new completed key.
          if (pending.id) {
            if (transient) await this.keys.release(pending.id);
            else await this.keys.complete(pending.id, problem.status, problem);
          } else if (pending.deferred && !transient) {
            await this.keys.store(pending.deferred, problem.status, problem);
          }
        }
        throw err;
      }),
    );
  }
}

/**
 * Marks a route as requiring an `Idempotency-Key` header. With `inline`, the route's command claims and
 * completes the key itself in the statement that does its work, from `RequestContext.inlineIdempotency()`
 * (the terminal's hot path: one round trip instead of two): it must answer a stored key with
 * {@link refuseRepeat}, and set the pending claim's `id` when it claims the key without answering.
 */
export function Idempotent(options: { inline?: boolean } = {}): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(INLINE_METADATA, options.inline === true),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      description:
        'Unique per intended action (e.g. a UUID). A retry with the same key returns the first response.',
    }),
  );
}
