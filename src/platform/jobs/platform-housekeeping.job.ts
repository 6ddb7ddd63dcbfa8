import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ScheduledJobs } from './scheduled-jobs.service';

/**
 * Forgets throttling failures and seen nonces once they can no longer matter, idempotency keys after a day;
 * keeps delivered outbox rows 30 days.
 */
@Injectable()
export class PlatformHousekeepingJob implements OnModuleInit {
  constructor(
    private readonly jobs: ScheduledJobs,
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.define({
      name: 'platform.housekeeping',
      cron: '*/10 * * * *',
      minIntervalMs: 5 * 60 * 1000,
      run: () => this.run(),
    });
  }

  async run(): Promise<void> {
    const failureWindow = this.config.get('AUTH_FAILURE_WINDOW_SECONDS');
    const nonceWindow = this.config.get('HMAC_WINDOW_SECONDS');
    await this.dataSource.query(
      `DELETE FROM auth_failure WHERE occurred_at < now() - make_interval(secs => $1)`,
      [Math.max(failureWindow * 2, 3600)],
    );
    // A nonce older than twice the timestamp window cannot be replayed: its timestamp is refused anyway.
    await this.dataSource.query(`DELETE FROM api_nonce WHERE seen_at < now() - make_interval(secs => $1)`, [
      nonceWindow * 2,
    ]);
    await this.dataSource.query(`DELETE FROM idempotency_key WHERE created_at < now() - interval '24 hours'`);
    await this.dataSource.query(
      `DELETE FROM outbox_message WHERE status = 'delivered' AND delivered_at < now() - interval '30 days'`,
    );
  }
}
