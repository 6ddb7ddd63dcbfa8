import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedInChild } from './embedded-child';
import { migrate } from './test-database';

export interface OwnDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A database of the spec's own, migrated, beside the run's shared one: for specs that need what loads once per
 * database (the demo factory) regardless of which other specs ran first. Same kind as the run's database.
 */
export async function ownDatabase(): Promise<OwnDatabase> {
  if (process.env.TEST_DATABASE_KIND === 'postgresql') {
    const adminUrl = process.env.TEST_DATABASE_ADMIN_URL!;
    const name = `${process.env.TEST_DATABASE_NAME}_${randomBytes(4).toString('hex')}`;
    const run = async (sql: string) => {
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(sql);
      } finally {
        await admin.end();
      }
    };
    await run(`CREATE DATABASE "${name}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    await migrate(url.toString());
    return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
  }
  const embedded = await startEmbeddedInChild();
  await migrate(embedded.url);
  return { url: embedded.url, drop: () => embedded.stop() };
}
