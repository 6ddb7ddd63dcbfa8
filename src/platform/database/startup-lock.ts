import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/** Names of the start-up steps that only one instance may do at a time. */
export type StartupStep = 'migrations' | 'demo-seed';

export interface StartupLockOptions {
  /** How long to wait for another instance to finish before giving up (the start then fails). */
  timeoutMs?: number;
  /** How often to try again meanwhile. */
  pollMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_POLL_MS = 250;

/**
 * Runs `work` while holding a PostgreSQL session advisory lock named after the step, so instances started
 * together on one database migrate and seed one after another: the second finds the work done instead of
 * failing halfway through the same DDL or inserting the demo factory twice.
 *
 * The lock is tried in a loop rather than waited for in one statement because a single wait is cut off by
 * the pool's statement_timeout, and migrating a large database may take longer than that. It is held on a
 * connection of its own and released even when `work` fails (and by PostgreSQL if the process dies). On the
 * embedded database every connection shares one session, so the lock is always granted there, which is
 * right: one process owns an embedded database.
 */
export async function withStartupLock<T>(
  dataSource: DataSource,
  step: StartupStep,
  work: () => Promise<T>,
  options: StartupLockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const key = `mom-startup:${step}`;
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    const started = Date.now();
    let waiting = false;
    for (;;) {
      const [{ locked }] = (await runner.query(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [key],
      )) as [{ locked: boolean }];
      if (locked) break;
      if (!waiting) {
        waiting = true;
        new Logger('Startup').log(`another instance is doing the ${step} step; waiting for it to finish`);
      }
      if (Date.now() - started > timeoutMs)
        throw new Error(
          `gave up waiting ${Math.round(timeoutMs / 1000)} s for another instance's ${step} step`,
        );
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
    }
  } finally {
    await runner.release();
  }
}
