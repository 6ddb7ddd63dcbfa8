import helmet from '@fastify/helmet';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { OPENAPI_PUBLIC } from './platform/auth/auth.decorators';
import { AppConfig } from './platform/config/app-config';
import { validateEnvironment } from './platform/config/env.schema';
import {
  answerClientError,
  answerFrameworkError,
  PROBLEM_CONTENT_TYPE,
  ProblemDetailsFilter,
} from './platform/errors/problem-details.filter';
import { createValidationPipe } from './platform/errors/validation';
import { installBodyParsers } from './platform/http/body-parsers';
import { installInputGuards } from './platform/http/input-guards';
import { installRequestContext } from './platform/http/request-context.hooks';
import { createPino, PinoLoggerService } from './platform/logging/pino-logger';
import { installHttpObserver } from './platform/metrics/http-observer';
import { MetricsService } from './platform/metrics/metrics.service';
import { RedisIoAdapter } from './platform/realtime/redis-io.adapter';

export const API_PREFIX = 'api/v1';

/**
 * Builds the HTTP application exactly as production runs it; the e2e tests use the same function. Fastify
 * serves it: on the terminals' hot path its per-request cost is a fraction of Express's.
 */
export async function createApp(): Promise<NestFastifyApplication> {
  const env = validateEnvironment(process.env);
  const pino = createPino(env.LOG_LEVEL, env.LOG_PRETTY);
  const logger = new PinoLoggerService(pino);
  const bodyLimit = parseByteSize(env.BODY_LIMIT);
  const adapter = new FastifyAdapter({
    // X-Forwarded-For is believed only from a proxy on this host or the private network.
    trustProxy: 'loopback,linklocal,uniquelocal',
    bodyLimit,
    routerOptions: { ignoreTrailingSlash: true },
    // Requests refused before any route or hook runs are answered in problem+json like every other error.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    bodyParser: false,
    logger,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();

  installRequestContext(fastify);
  await app.register(helmet, { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false });
  installHttpObserver(fastify, app.get(MetricsService), pino);
  installInputGuards(fastify);
  installBodyParsers(fastify, bodyLimit);

  app.setGlobalPrefix(API_PREFIX, { exclude: ['health', 'health/ready', 'metrics'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();

  const config = app.get(AppConfig);
  const redisUrl = config.get('REDIS_URL');
  if (redisUrl) {
    const adapter = new RedisIoAdapter(app, redisUrl, config.get('REDIS_KEY_PREFIX'));
    await adapter.connect();
    app.useWebSocketAdapter(adapter);
  }

  setupOpenApi(app);
  return app;
}

/** '512kb' or '1mb' in bytes. */
function parseByteSize(size: string): number {
  const m = /^(\d+)(kb|mb)$/i.exec(size);
  if (!m) throw new Error(`not a size: ${size}`);
  return Number(m[1]) * (m[2]!.toLowerCase() === 'mb' ? 1024 * 1024 : 1024);
}

function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('MOM Suite API')
      .setDescription(
        'Manufacturing operations (ISA-95 Level 3). People sign in with POST /api/v1/auth/login and send ' +
          '`Authorization: Bearer <token>`. Systems (WMS, ERP) sign each request: X-App-Key, X-Timestamp (Unix ' +
          's), X-Nonce, X-Signature = hex HMAC-SHA256(secret, METHOD\\nPATH_WITH_QUERY\\nTIMESTAMP\\nNONCE\\n' +
          'hex SHA-256(body)). Errors are application/problem+json.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
      .addApiKey(
        {
          type: 'apiKey',
          in: 'header',
          name: 'X-App-Key',
          description: 'With X-Timestamp, X-Nonce and X-Signature',
        },
        'hmac',
      )
      .build(),
  );
  for (const path of Object.values(document.paths)) {
    for (const op of Object.values(path) as Array<
      { responses?: Record<string, unknown>; security?: unknown[] } & Record<string, unknown>
    >) {
      if (op && typeof op === 'object' && op.responses) {
        // A person's Bearer token or a system's signed request: either one authenticates.
        op.security = op[OPENAPI_PUBLIC] ? [] : [{ bearer: [] }, { hmac: [] }];
        delete op[OPENAPI_PUBLIC];
        op.responses['default'] ??= {
          description: 'Error (RFC 9457 problem details)',
          content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
        };
      }
    }
  }
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas['Problem'] = {
    type: 'object',
    required: ['type', 'title', 'status', 'detail', 'code', 'errors', 'correlationId'],
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string' },
      errors: {
        type: 'array',
        items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
      },
      correlationId: { type: 'string' },
      instance: { type: 'string' },
    },
  };
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
    customSiteTitle: 'MOM Suite API',
  });
}
