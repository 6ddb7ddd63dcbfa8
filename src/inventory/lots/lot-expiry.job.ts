import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RequestContext } from '../../platform/context/request-context';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { localDate } from '../../platform/engine/local-date';
import { ScheduledJobs } from '../../platform/jobs/scheduled-jobs.service';
import { Site } from '../../platform/sites/site.entity';
import { LotStatusService } from './lot-status.service';

const BATCH = 200;

/**
 * Expiry (过期): every hour, lots past their expiry date in their site's own calendar (quarantine, available
 * or held) become `expired` through the lot state machine — audited, announced with source `expiry` (so the
 * WMS bridge freezes nothing twice and safety stock is re-checked), never allocated again. One instance runs
 * it at a time (the job lock); each lot changes in its own transaction, so one bad lot does not stop the rest.
 */
@Injectable()
export class LotExpiryJob implements OnModuleInit {
  private readonly logger = new Logger(LotExpiryJob.name);

  constructor(
    private readonly jobs: ScheduledJobs,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly statuses: LotStatusService,
  ) {}

  onModuleInit(): void {
    this.jobs.define({
      name: 'inventory.lot-expiry',
      cron: '5 * * * *',
      minIntervalMs: 30 * 60 * 1000,
      run: async () => {
        await this.run();
      },
    });
  }

  /** Expires what is due now, as the system actor `lot-expiry`; returns how many lots it expired. */
  run(now: Date = new Date()): Promise<number> {
    return RequestContext.runAsSystem('lot-expiry', () => this.expireDue(now));
  }

  private async expireDue(now: Date): Promise<number> {
    let expired = 0;
    const sites = await this.dataSource.getRepository(Site).find();
    for (const site of sites) {
      const today = localDate(site.timeZone, now);
      for (;;) {
        const due: Array<{ id: string; code: string; expiry: string }> = await this.dataSource.query(
          `SELECT id, code, to_char(expiry_date, 'YYYY-MM-DD') AS expiry FROM lot
            WHERE site_id = $1 AND expiry_date < $2::date AND status IN ('quarantine', 'available', 'hold')
            ORDER BY expiry_date, id LIMIT $3`,
          [site.id, today, BATCH],
        );
        let progressed = 0;
        for (const lot of due) {
          try {
            await this.tx.run((tx) =>
              this.statuses.change(tx, {
                siteId: site.id,
                lot: lot.id,
                command: 'expire',
                reason: `shelf life ended ${lot.expiry}`,
                source: 'expiry',
              }),
            );
            expired++;
            progressed++;
          } catch (err) {
            this.logger.warn({ err, lot: lot.code }, 'lot could not be expired; it is tried again next run');
          }
        }
        // A full batch of lots that all failed would come back unchanged: stop until the next run.
        if (due.length < BATCH || progressed === 0) break;
      }
    }
    if (expired > 0) this.logger.log({ expired }, 'lots expired');
    return expired;
  }
}
