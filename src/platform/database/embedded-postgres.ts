import { PGlite } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PgliteWireServer } from './pglite-wire-server';

export interface DatabaseEndpoint {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * PostgreSQL in WASM (PGlite) behind a wire-protocol server on a free local port, so the ordinary `pg`
 * driver and TypeORM work unchanged. `dataDir` 'memory://' keeps nothing (tests); otherwise data persists.
 * One process per data folder: PGlite does not lock it.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<DatabaseEndpoint> {
  const location = dataDir.startsWith('memory://') ? dataDir : resolve(dataDir);
  if (!location.startsWith('memory://')) mkdirSync(location, { recursive: true });
  const db = await PGlite.create({ dataDir: location });
  const server = new PgliteWireServer(db);
  const port = await server.listen('127.0.0.1', 0);
  let stopped = false;
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    embedded: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await db.close();
    },
  };
}
