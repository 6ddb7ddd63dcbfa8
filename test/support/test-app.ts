import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  http: ReturnType<typeof request>;
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * Boots the real application (same bootstrap as production) on a free port against the run's test
 * database. `env` overrides settings for this instance only.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let app: NestFastifyApplication;
  try {
    app = await createApp();
    await app.listen(0, '127.0.0.1');
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    url,
    http: request(url),
    dataSource: app.get(DataSource),
    close: () => app.close(),
  };
}
