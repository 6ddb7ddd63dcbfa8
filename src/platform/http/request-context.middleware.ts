import type { NextFunction, Request, Response } from 'express';
import { acceptCorrelationId, RequestContext } from '../context/request-context';

/** First middleware: every request gets a correlation id (taken from X-Correlation-Id when well-formed). */
export function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
  const correlationId = acceptCorrelationId(req.headers['x-correlation-id']);
  res.setHeader('X-Correlation-Id', correlationId);
  RequestContext.run({ correlationId, ip: req.ip }, () => next());
}
