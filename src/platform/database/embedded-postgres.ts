import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export interface DatabaseEndpoint {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * PostgreSQL in WASM (PGlite) behind its wire-protocol socket on a free local port, so the ordinary `pg`
 * driver and TypeORM work unchanged. `dataDir` 'memory://' keeps nothing (tests); otherwise data persists.
 * One process per data folder: PGlite does not lock it.
 */
export async function startEmbeddedPostgres(dataDir: string, poolSize: number): Promise<DatabaseEndpoint> {
  const location = dataDir.startsWith('memory://') ? dataDir : resolve(dataDir);
  if (!location.startsWith('memory://')) mkdirSync(location, { recursive: true });
  const db = await PGlite.create({ dataDir: location });
  // The pool plus one spare for the migration runner and the advisory-lock connection of scheduled jobs.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: poolSize + 4 });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  let stopped = false;
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    embedded: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}
