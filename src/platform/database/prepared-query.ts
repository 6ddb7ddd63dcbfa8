import { DataSource, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** Data sources behind the embedded PGlite server: one backend shared by all connections. */
const embedded = new WeakSet<DataSource>();

export function markEmbedded(dataSource: DataSource): void {
  embedded.add(dataSource);
}

/**
 * Runs a statement of a hot path (a terminal report) as a named prepared statement: PostgreSQL parses and
 * plans it once per pooled connection instead of on every call, which for a large CTE costs more than
 * executing it. It runs outside any transaction, on its own pooled connection; a failure is a TypeORM
 * QueryFailedError as usual. The embedded server shares one backend between its connections, where
 * statement names would collide, so there it runs as an ordinary query.
 */
export async function preparedQuery<T>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  if (embedded.has(dataSource)) return dataSource.query<T[]>(text, values);
  const pool = (dataSource.driver as PostgresDriver).master as PgPool;
  try {
    return (await pool.query({ name, text, values })).rows as T[];
  } catch (err) {
    throw new QueryFailedError(text, values, err as Error);
  }
}
