import type { LoggerService } from '@nestjs/common';
import pino, { type Logger as Pino } from 'pino';
import { RequestContext } from '../context/request-context';

/** One JSON line per event, each carrying the correlation id of the request or job it belongs to. */
export function createPino(level: string, pretty: boolean): Pino {
  return pino({
    level,
    base: { service: 'mom-suite', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    mixin: () => {
      const ctx = RequestContext.current();
      return ctx
        ? {
            correlationId: ctx.correlationId,
            ...(ctx.actor && { actor: `${ctx.actor.type}:${ctx.actor.id}` }),
          }
        : {};
    },
    serializers: { err: pino.stdSerializers.err },
    redact: {
      paths: ['password', 'pin', 'secret', '*.password', '*.pin', '*.secret', 'req.headers.authorization'],
      remove: true,
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
  });
}

/** Adapts pino to Nest's LoggerService so framework and module logs share one format. */
export class PinoLoggerService implements LoggerService {
  constructor(readonly pino: Pino) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    // Nest passes the context (logger name) last; an error stack may precede it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const isObject = typeof message === 'object' && message !== null && !(message instanceof Error);
    const stack =
      !isObject && typeof rest[0] === 'string' && level === 'error' ? (rest.shift() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (stack) fields.stack = stack;
    if (isObject) {
      const { msg, ...obj } = message as Record<string, unknown>;
      this.pino[level](
        { ...fields, ...obj },
        typeof rest[0] === 'string' ? rest[0] : typeof msg === 'string' ? msg : '',
      );
    } else if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else {
      this.pino[level](fields, typeof message === 'string' ? message : JSON.stringify(message));
    }
  }
}
