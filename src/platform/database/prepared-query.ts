import { createHash } from 'node:crypto';
import { DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { pgErrorCode } from './pg-error';

interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** PostgreSQL's duplicate_prepared_statement: another connection of the same backend prepared the name. */
const DUPLICATE_PREPARED_STATEMENT = '42P05';

/** Data sources whose connections share one backend (the embedded PGlite server, seen or found out). */
const embedded = new WeakSet<DataSource>();

export function markEmbedded(dataSource: DataSource): void {
  embedded.add(dataSource);
}

/**
 * Runs a statement of a hot path (a terminal report) as a named prepared statement: PostgreSQL parses and
 * plans it once per pooled connection instead of on every call, which for a large CTE costs more than
 * executing it. It runs outside any transaction, on its own pooled connection; a failure is a TypeORM
 * QueryFailedError as usual. The embedded server shares one backend between its connections, where
 * statement names would collide, so there it runs as an ordinary query. A backend found shared only when a
 * name collides (the embedded server reached through a plain DATABASE_URL, as the tests do) is remembered as
 * such, and the statement runs again as an ordinary query.
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
    const failed = new QueryFailedError(text, values, err as Error);
    if (pgErrorCode(failed) !== DUPLICATE_PREPARED_STATEMENT) throw failed;
    // Nothing ran: the statement failed at preparation.
    embedded.add(dataSource);
    return dataSource.query<T[]>(text, values);
  }
}

/** Statement text → its name: the same text always gets the same name, two texts never one. */
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `mom_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * A read that runs often with different values (a trace's lookups): outside a transaction a named prepared
 * statement, named after its text (see {@link preparedQuery}); inside one, an ordinary query on the
 * transaction's connection (a statement failing at preparation would abort the transaction).
 */
export function readQuery<T>(manager: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  if (manager.queryRunner) return manager.query<T[]>(text, values);
  return preparedQuery<T>(manager.dataSource, statementName(text), text, values);
}
