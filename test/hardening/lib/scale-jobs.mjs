// Scheduled jobs seen from the database during the scale-out run: every claim of a job increments its
// scheduled_job_state.run_count (src/platform/jobs/scheduled-jobs.service.ts), so polling that table often
// enough sees each run, when it started and on which instance, and would see two instances running one tick.

import { performance } from 'node:perf_hooks';
import { sleep } from '../../../bench/common.mjs';

/**
 * The jobs whose period is known (where they are defined): an interval job runs on every instance's timer and
 * is guarded so that a claim less than half a period after the previous one is skipped; a cron job fires on
 * every instance at the same second. Jobs not listed are still watched for double claims.
 */
export const JOB_PERIODS_MS = {
  'machine-data.rollup': 10_000, // src/machine-data/series/series.service.ts
  'planning.schedule-runs': 30_000, // src/planning/runs/schedule-run.executor.ts
  'quality.inspections-due': 60_000, // src/quality/inspections/inspection-triggers.ts
  'alerts.rule-metrics': 60_000, // src/alerts/rules/rule-runner.ts
  'maintenance.pm-due': 300_000, // src/maintenance/pm/pm-due.job.ts
};
/** The smallest gap between two runs the guard allows (ScheduledJobs: half the period of an interval job). */
export const minGapMs = (periodMs) => periodMs / 2;

export class JobWatcher {
  /** `db`: a pg client of its own; `pollMs`: how often scheduled_job_state is read. */
  constructor(db, pollMs = 100) {
    this.db = db;
    this.pollMs = pollMs;
    this.jobs = new Map(); // name → { runs: [{ startedAt, instance, observedAt }], claimsPerPoll: [], failed }
    this.polls = 0;
    this.pollErrors = 0;
    this.maxPollGapMs = 0;
    this.stopped = false;
  }

  start() {
    this.startedAt = performance.now();
    this.loop = (async () => {
      let last = null;
      while (!this.stopped) {
        try {
          await this.poll();
          const now = performance.now();
          if (last !== null) this.maxPollGapMs = Math.max(this.maxPollGapMs, now - last);
          last = now;
        } catch {
          this.pollErrors++;
        }
        await sleep(this.pollMs);
      }
    })();
  }

  async poll() {
    const { rows } = await this.db.query(
      `SELECT name, run_count, last_started_at, last_instance, last_status FROM scheduled_job_state`,
    );
    const firstPoll = this.polls === 0;
    this.polls++;
    for (const r of rows) {
      let job = this.jobs.get(r.name);
      if (!job) {
        // What ran before the watch began is the baseline; a job whose row appears later ran for the first time.
        job = { count: firstPoll ? r.run_count : 0, runs: [], maxClaimsPerPoll: 0, failed: 0 };
        this.jobs.set(r.name, job);
        if (firstPoll) continue;
      }
      const claims = r.run_count - job.count;
      if (claims <= 0) continue;
      job.maxClaimsPerPoll = Math.max(job.maxClaimsPerPoll, claims);
      job.count = r.run_count;
      job.runs.push({
        startedAt: new Date(r.last_started_at).getTime(),
        instance: r.last_instance,
        claims,
      });
      if (r.last_status === 'failed') job.failed++;
    }
  }

  async stop() {
    this.stopped = true;
    await this.loop;
    this.stoppedAt = performance.now();
  }

  /**
   * Per job: runs seen, by which instances, the smallest gap between two runs, the most claims between two
   * polls, and what the guard allows: at most one run per period plus one (two timers out of phase) plus one
   * per restart (a restarted timer starts a new phase).
   */
  summary(restarts) {
    const windowMs = (this.stoppedAt ?? performance.now()) - this.startedAt;
    return [...this.jobs.entries()].map(([name, job]) => {
      const period = JOB_PERIODS_MS[name] ?? null;
      const starts = job.runs.map((r) => r.startedAt);
      let minGap = Infinity;
      for (let i = 1; i < starts.length; i++) minGap = Math.min(minGap, starts[i] - starts[i - 1]);
      const runs = job.runs.reduce((s, r) => s + r.claims, 0);
      const byInstance = {};
      for (const r of job.runs) byInstance[r.instance] = (byInstance[r.instance] ?? 0) + r.claims;
      const maxRuns = period === null ? null : Math.floor(windowMs / period) + 1 + restarts;
      return {
        name,
        period,
        runs,
        byInstance,
        minGapMs: Number.isFinite(minGap) ? minGap : null,
        maxClaimsPerPoll: job.maxClaimsPerPoll,
        failed: job.failed,
        maxRuns,
        windowMs,
        ok:
          job.maxClaimsPerPoll <= 1 &&
          (period === null || ((minGap === Infinity || minGap >= minGapMs(period) - 50) && runs <= maxRuns)),
      };
    });
  }
}
