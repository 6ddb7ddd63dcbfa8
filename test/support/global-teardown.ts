import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __embeddedTestDb?: { stop(): Promise<void> } }).__embeddedTestDb;
  if (embedded) await embedded.stop();
  const name = process.env.TEST_DATABASE_NAME;
  const admin = process.env.TEST_DATABASE_ADMIN_URL;
  if (name && admin) {
    const client = new Client({ connectionString: admin });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  }
}
