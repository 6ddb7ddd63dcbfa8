import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { RequestContext } from '../context/request-context';

export interface ScheduledJobDefinition {
  /** Unique, e.g. `maintenance.pm-due`. Also the lock name shared by all instances. */
  name: string;
  /** Cron expression (site time zones are the job's business; the schedule itself runs in UTC) ... */
  cron?: string;
  /** ... or a fixed period. */
  everyMs?: number;
  /**
   * A run claimed less than this long after the previous one is skipped, so instances whose clocks fire a
   * moment apart do not run the same tick twice. Defaults to half the period for `everyMs`, else 0.
   */
  minIntervalMs?: number;
  run: () => Promise<void>;
}

export type JobRunOutcome = 'ran' | 'skipped' | 'failed';

/**
 * Scheduled jobs that run on one instance at a time: each run takes a PostgreSQL advisory lock, then claims
 * its row in scheduled_job_state (which also stops a second instance from repeating the same tick, and
 * excludes concurrent runs on the embedded database, where all connections share one session). Modules define their jobs in onModuleInit; JOBS_ENABLED=false turns timers off.
 */
@Injectable()
export class ScheduledJobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ScheduledJobs.name);
  private readonly definitions = new Map<string, ScheduledJobDefinition>();
  private readonly runningHere = new Map<string, Promise<JobRunOutcome>>();
  private stopping = false;
  /** PGlite serves every connection from one session, so advisory locks do not exclude there. */
  private sharedSession?: Promise<boolean>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  define(def: ScheduledJobDefinition): void {
    if (this.definitions.has(def.name)) throw new Error(`scheduled job ${def.name} defined twice`);
    if (!def.cron === !def.everyMs)
      throw new Error(`scheduled job ${def.name} needs exactly one of cron or everyMs`);
    this.definitions.set(def.name, def);
  }

  onApplicationBootstrap(): void {
    if (!this.config.get('JOBS_ENABLED')) return;
    for (const def of this.definitions.values()) {
      const tick = (): void => void this.runNow(def.name);
      if (def.cron) {
        const job = CronJob.from({ cronTime: def.cron, onTick: tick, start: true, timeZone: 'UTC' });
        this.scheduler.addCronJob(def.name, job);
      } else {
        const timer = setInterval(tick, def.everyMs);
        timer.unref();
        this.scheduler.addInterval(def.name, timer);
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const name of this.definitions.keys()) {
      if (this.scheduler.doesExist('cron', name)) this.scheduler.deleteCronJob(name);
      if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
    }
    await Promise.allSettled(this.runningHere.values());
  }

  /** Runs a defined job now unless it is running on any instance (or ran too recently). */
  runNow(name: string): Promise<JobRunOutcome> {
    const def = this.definitions.get(name);
    if (!def) throw new Error(`unknown scheduled job ${name}`);
    const minInterval = def.minIntervalMs ?? (def.everyMs ? Math.floor(def.everyMs / 2) : 0);
    return this.runExclusive(name, def.run, minInterval);
  }

  async runExclusive(name: string, work: () => Promise<void>, minIntervalMs = 0): Promise<JobRunOutcome> {
    if (this.stopping || this.runningHere.has(name)) return 'skipped';
    const run = this.lockAndRun(name, work, minIntervalMs);
    this.runningHere.set(name, run);
    try {
      return await run;
    } finally {
      this.runningHere.delete(name);
    }
  }

  private async lockAndRun(
    name: string,
    work: () => Promise<void>,
    minIntervalMs: number,
  ): Promise<JobRunOutcome> {
    const lockKey = `mom-job:${name}`;
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [{ locked }] = (await runner.query(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [lockKey],
      )) as [{ locked: boolean }];
      if (!locked) return 'skipped';
      this.sharedSession ??= (runner.query('SELECT version() AS v') as Promise<Array<{ v: string }>>).then(
        (rows) => /PGlite/i.test(rows[0]?.v ?? ''),
      );
      // Holding a real lock means nobody else runs the job: a 'running' row was left by a crashed instance.
      const takeOver = !(await this.sharedSession);
      try {
        const claimed = (await runner.query(
          `INSERT INTO scheduled_job_state (name, last_started_at, last_status, last_instance, run_count)
           VALUES ($1, clock_timestamp(), 'running', $2, 1)
           ON CONFLICT (name) DO UPDATE
              SET last_started_at = clock_timestamp(), last_status = 'running', last_instance = $2, last_error = NULL,
                  run_count = scheduled_job_state.run_count + 1
            WHERE (scheduled_job_state.last_status IS DISTINCT FROM 'running' OR $4::boolean
                   OR scheduled_job_state.last_started_at < clock_timestamp() - interval '1 hour')
              AND (scheduled_job_state.last_started_at IS NULL
                   OR scheduled_job_state.last_started_at <= clock_timestamp() - make_interval(secs => $3::double precision / 1000))
           RETURNING name`,
          [name, this.config.instanceId, minIntervalMs, takeOver],
        )) as unknown[];
        if (claimed.length === 0) return 'skipped';
        let outcome: JobRunOutcome = 'ran';
        let error: string | null = null;
        try {
          await RequestContext.runAsSystem(`job:${name}`, work);
        } catch (err) {
          outcome = 'failed';
          error = err instanceof Error ? err.message : String(err);
          this.logger.error({ err, job: name }, 'scheduled job failed');
        }
        await runner.query(
          `UPDATE scheduled_job_state SET last_finished_at = clock_timestamp(), last_status = $2, last_error = $3 WHERE name = $1`,
          [name, outcome === 'ran' ? 'succeeded' : 'failed', error],
        );
        return outcome;
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]);
      }
    } catch (err) {
      this.logger.warn({ err, job: name }, 'scheduled job could not run');
      return 'failed';
    } finally {
      await runner.release();
    }
  }
}
