import fastifyStatic from '@fastify/static';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dirname, join } from 'node:path';

/** Where the pages live: beside this file in the sources, copied beside the compiled file by `nest build`. */
export const UI_PUBLIC_DIR = join(__dirname, 'public');

/** Paths that belong to the server, never to the pages: unknown ones keep the API's 404 problem. */
const SERVER_PATHS = /^\/(api|health|metrics|socket\.io)(\/|$)/;

/** The pages' own scripts, styles and the Socket.IO endpoint; nothing inline, nothing from elsewhere. */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the pages at `/`: the files of `public/`, the chart library from node_modules under `/vendor/`, and
 * index.html for any other page path (the client routes by the URL with history.pushState). The Socket.IO
 * client comes from the Socket.IO server itself (`/socket.io/socket.io.esm.min.js`).
 */
@Injectable()
export class UiStaticServer implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Queued, not awaited: the plugin loads when the server starts, after the app has set its body parsers and
    // error handling (loading it now would start Fastify's plugin tree early, and body-parse errors would no
    // longer be answered as problem+json).
    void fastify.register(servePages);
  }
}

async function servePages(ui: FastifyInstance): Promise<void> {
  const echartsDir = dirname(require.resolve('echarts/dist/echarts.esm.min'));
  ui.addHook('onSend', async (_req, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) {
      void reply.header('Content-Security-Policy', UI_CONTENT_SECURITY_POLICY);
    }
    return payload;
  });
  await ui.register(fastifyStatic, {
    root: UI_PUBLIC_DIR,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    // Files are not fingerprinted: browsers revalidate them (ETag) on every load, so a deploy shows at once.
    cacheControl: false,
    setHeaders: (reply) => void reply.header('Cache-Control', 'no-cache'),
  });
  ui.get('/vendor/echarts.esm.min.js', (_req, reply) => reply.sendFile('echarts.esm.min.js', echartsDir));
  ui.get('/*', (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0]!;
    const lastSegment = path.slice(path.lastIndexOf('/') + 1);
    // A missing file (a name with an extension) or a server path is a real 404, not a page.
    if (SERVER_PATHS.test(path) || lastSegment.includes('.')) return reply.callNotFound();
    return reply.sendFile('index.html');
  });
}
