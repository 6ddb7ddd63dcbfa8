import type { FastifyInstance } from 'fastify';
import type { Logger as Pino } from 'pino';
import { RequestContext } from '../context/request-context';
import type { MetricsService } from './metrics.service';

const QUIET = new Set(['/health', '/health/ready', '/metrics']);

/** Access log line and latency histogram per request, labelled by route template (not raw path). */
export function installHttpObserver(fastify: FastifyInstance, metrics: MetricsService, log: Pino): void {
  fastify.addHook('onResponse', (req, reply, done) => {
    const seconds = reply.elapsedTime / 1000;
    const status = reply.statusCode;
    const path = req.url.split('?')[0]!;
    const route = req.routeOptions.url ?? (status === 404 ? 'unmatched' : path);
    metrics.httpDuration.observe({ method: req.method, route, status: String(status) }, seconds);
    if (!QUIET.has(path)) {
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (log.isLevelEnabled(level)) {
        const line = () =>
          log[level](
            {
              http: { method: req.method, path, status, ms: Math.round(seconds * 1000) },
              actor: req.context?.actor?.id,
            },
            'request',
          );
        // In the request's context, so the line carries its correlation id.
        if (req.context) RequestContext.run(req.context, line);
        else line();
      }
    }
    done();
  });
}
