import type { FastifyInstance } from 'fastify';
import { inspectJson, jsonBodyError, nulError } from './input-guards';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's bytes as received: signed requests (HMAC) are verified against them. */
    rawBody?: Buffer;
  }
}

/**
 * The bodies the API takes: JSON (`application/json`, `application/*+json`) and CSV (`text/csv`, for the
 * master-data imports), each kept as raw bytes too. Anything else answers 415.
 */
export function installBodyParsers(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  const json = fastify.getDefaultJsonParser('error', 'error');
  for (const type of ['application/json', /^application\/[\w.+-]+\+json$/]) {
    fastify.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit }, (req, body: Buffer, done) => {
      req.rawBody = body;
      // An empty JSON body is taken as `{}`: a command sent with no fields.
      if (body.length === 0) return done(null, {});
      const problem = inspectJson(body);
      if (problem) done(jsonBodyError(problem), undefined);
      else void json(req, body.toString('utf8'), done);
    });
  }
  fastify.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit }, (req, body: Buffer, done) => {
    req.rawBody = body;
    if (body.includes(0)) done(nulError('The CSV'), undefined);
    else done(null, body.toString('utf8'));
  });
}
