import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DomainError, PlatformErrorCode } from '../errors/domain-error';
import { AuthFailure } from './auth-failure.entity';

/**
 * Counts failed sign-ins and signature checks per key in the database (so every instance sees them) and
 * refuses further attempts with 429 once AUTH_MAX_FAILURES fall inside AUTH_FAILURE_WINDOW_SECONDS.
 * Password checks for one key run one after another (`oneAtATime`), so attempts sent all at once are all counted.
 */
@Injectable()
export class FailureThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** The attempts being checked now, per key: the next one waits for the one before it. */
  private readonly turns = new Map<string, Promise<unknown>>();

  /**
   * Runs `check` (count the key's failures, check the password, record a failure) after the attempts for the same
   * key that came before it in this process: attempts sent all at once are then counted one by one instead of all
   * passing the count before the first of them has failed, and correct attempts sent together all succeed.
   */
  async oneAtATime<T>(key: string, check: () => Promise<T>): Promise<T> {
    const previous = this.turns.get(key) ?? Promise.resolve();
    const mine = previous.then(check, check);
    const settled = mine.catch(() => undefined);
    this.turns.set(key, settled);
    try {
      return await mine;
    } finally {
      if (this.turns.get(key) === settled) this.turns.delete(key);
    }
  }

  async assertNotThrottled(key: string): Promise<void> {
    const windowSeconds = this.config.get('AUTH_FAILURE_WINDOW_SECONDS');
    const rows: Array<{ failures: string; oldest: Date | null }> = await this.dataSource.query(
      `SELECT count(*) AS failures, min(occurred_at) AS oldest
         FROM auth_failure WHERE key = $1 AND occurred_at > now() - make_interval(secs => $2)`,
      [key, windowSeconds],
    );
    const failures = Number(rows[0]?.failures ?? 0);
    if (failures >= this.config.get('AUTH_MAX_FAILURES')) {
      const oldest = rows[0]?.oldest ? new Date(rows[0].oldest).getTime() : Date.now();
      const retryAfter = Math.max(1, Math.ceil((oldest + windowSeconds * 1000 - Date.now()) / 1000));
      throw new DomainError(
        'rate_limited',
        PlatformErrorCode.TOO_MANY_FAILURES,
        'Too many failed attempts; wait and try again',
        {
          retryAfterSeconds: retryAfter,
        },
      );
    }
  }

  async recordFailure(key: string, ip: string | undefined): Promise<void> {
    await this.dataSource.manager.insert(AuthFailure, { key, ip: ip?.slice(0, 64) ?? null });
  }

  async clear(key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM auth_failure WHERE key = $1', [key]);
  }
}
