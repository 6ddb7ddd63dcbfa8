import type { FastifyInstance, FastifyRequest } from 'fastify';
import { acceptCorrelationId, RequestContext, type RequestContextStore } from '../context/request-context';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's context (correlation id, actor, idempotency claim); see RequestContext. */
    context?: RequestContextStore;
  }
}

/**
 * First hook: every request gets a correlation id (taken from X-Correlation-Id when well-formed) and runs in
 * its RequestContext. The body arrives on the socket's own async context, so the context is entered again
 * once the body is parsed, before guards and the handler run.
 */
export function installRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    const store: RequestContextStore = {
      correlationId: acceptCorrelationId(req.headers['x-correlation-id']),
      ip: req.ip,
    };
    req.context = store;
    void reply.header('X-Correlation-Id', store.correlationId);
    RequestContext.run(store, done);
  });
  fastify.addHook('preValidation', (req: FastifyRequest, _reply, done) => {
    if (req.context) RequestContext.run(req.context, done);
    else done();
  });
}
