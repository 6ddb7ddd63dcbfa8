import type { NextFunction, Request, Response } from 'express';
import type { Logger as Pino } from 'pino';
import { RequestContext } from '../context/request-context';
import type { MetricsService } from './metrics.service';

/** Access log line and latency histogram per request, labelled by route template (not raw path). */
export function httpObserver(metrics: MetricsService, log: Pino) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route =
        (req.route as { path?: string } | undefined)?.path ??
        (res.statusCode === 404 ? 'unmatched' : req.path);
      const routeLabel = `${req.baseUrl ?? ''}${route}`;
      metrics.httpDuration.observe(
        { method: req.method, route: routeLabel, status: String(res.statusCode) },
        seconds,
      );
      const ctx = RequestContext.current();
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      if (req.path === '/health' || req.path === '/metrics') return;
      log[level](
        {
          http: {
            method: req.method,
            path: req.originalUrl.split('?')[0],
            status: res.statusCode,
            ms: Math.round(seconds * 1000),
          },
          actor: ctx?.actor?.id,
        },
        'request',
      );
    });
    next();
  };
}
