import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DomainError, PlatformErrorCode } from '../errors/domain-error';
import { AuthFailure } from './auth-failure.entity';

/**
 * Counts failed sign-ins and signature checks per key in the database (so every instance sees them) and
 * refuses further attempts with 429 once AUTH_MAX_FAILURES fall inside AUTH_FAILURE_WINDOW_SECONDS.
 */
@Injectable()
export class FailureThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

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
