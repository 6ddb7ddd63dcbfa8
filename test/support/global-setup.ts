import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/platform/database/embedded-postgres';
import { migrate } from './test-database';

/**
 * One fresh database per test run, migrations applied once:
 * - DATABASE_URL set (CI): a new database `mom_test_<time>_<pid>` on that PostgreSQL server, dropped afterwards;
 * - otherwise: an embedded PostgreSQL (PGlite, in memory) served on a local port for the whole run.
 * Test apps connect through TEST_DATABASE_URL.
 */
export default async function globalSetup(): Promise<void> {
  const base = process.env.DATABASE_URL;
  if (base) {
    const name = `mom_test_${Date.now()}_${process.pid}`;
    const admin = new Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    process.env.TEST_DATABASE_URL = url.toString();
    process.env.TEST_DATABASE_NAME = name;
    process.env.TEST_DATABASE_ADMIN_URL = base;
    process.env.TEST_DATABASE_KIND = 'postgresql';
  } else {
    const embedded = await startEmbeddedPostgres('memory://');
    (globalThis as { __embeddedTestDb?: { stop(): Promise<void> } }).__embeddedTestDb = embedded;
    process.env.TEST_DATABASE_URL = embedded.url;
    process.env.TEST_DATABASE_KIND = 'embedded';
  }
  await migrate(process.env.TEST_DATABASE_URL);
  process.stdout.write(
    `\nTest database: ${process.env.TEST_DATABASE_KIND} (${process.env.TEST_DATABASE_NAME ?? 'in memory'})\n`,
  );
}
