import { ScheduledJobs, type JobRunOutcome } from '../src/platform/jobs/scheduled-jobs.service';
import { unique } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Scheduled jobs run on one instance at a time. The test apps start with JOBS_ENABLED=false, so no timer
 * fires: each test defines its own uniquely named job and calls runNow itself.
 */

interface JobState {
  name: string;
  last_started_at: Date | null;
  last_finished_at: Date | null;
  last_status: string | null;
  last_error: string | null;
  last_instance: string | null;
  run_count: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('scheduled jobs: one instance at a time', () => {
  let a: TestApp;
  let b: TestApp;
  let jobsA: ScheduledJobs;
  let jobsB: ScheduledJobs;

  beforeAll(async () => {
    a = await startTestApp({ INSTANCE_ID: 'a' });
    b = await startTestApp({ INSTANCE_ID: 'b' });
    jobsA = a.app.get(ScheduledJobs);
    jobsB = b.app.get(ScheduledJobs);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  async function state(name: string): Promise<JobState | undefined> {
    const rows = await a.dataSource.query<JobState[]>(`SELECT * FROM scheduled_job_state WHERE name = $1`, [
      name,
    ]);
    return rows[0];
  }

  /** The work of a job: records which instance ran it, at what time, and lasts `ms`. */
  function recordingWork(log: Array<{ instance: string; at: number }>, instance: string, ms = 300) {
    return async (): Promise<void> => {
      log.push({ instance, at: Date.now() });
      await sleep(ms);
    };
  }

  it('runs once when two instances start the same job at the same moment', async () => {
    const name = unique('test.job-once-');
    const runs: Array<{ instance: string; at: number }> = [];
    jobsA.define({ name, everyMs: 3_600_000, minIntervalMs: 0, run: recordingWork(runs, 'a') });
    jobsB.define({ name, everyMs: 3_600_000, minIntervalMs: 0, run: recordingWork(runs, 'b') });

    const outcomes = await Promise.all([jobsA.runNow(name), jobsB.runNow(name)]);

    expect([...outcomes].sort()).toEqual<JobRunOutcome[]>(['ran', 'skipped']);
    expect(runs).toHaveLength(1);
    const winner = outcomes[0] === 'ran' ? 'a' : 'b';
    expect(runs[0]!.instance).toBe(winner);
    const row = await state(name);
    expect(row).toMatchObject({
      name,
      run_count: 1,
      last_status: 'succeeded',
      last_error: null,
      last_instance: winner,
    });
    expect(row!.last_started_at).not.toBeNull();
    expect(new Date(row!.last_finished_at!).getTime()).toBeGreaterThanOrEqual(
      new Date(row!.last_started_at!).getTime(),
    );
  });

  it('skips a second run on the same instance while the first is still going', async () => {
    const name = unique('test.job-local-');
    const runs: Array<{ instance: string; at: number }> = [];
    jobsA.define({ name, cron: '0 0 1 1 *', run: recordingWork(runs, 'a') });
    const outcomes = await Promise.all([jobsA.runNow(name), jobsA.runNow(name)]);
    expect(outcomes).toEqual<JobRunOutcome[]>(['ran', 'skipped']);
    expect(runs).toHaveLength(1);
    expect(await state(name)).toMatchObject({ run_count: 1, last_status: 'succeeded', last_instance: 'a' });
  });

  it('runs again once the previous run has finished, on either instance', async () => {
    const name = unique('test.job-again-');
    const runs: Array<{ instance: string; at: number }> = [];
    jobsA.define({ name, cron: '*/5 * * * *', run: recordingWork(runs, 'a', 10) });
    jobsB.define({ name, cron: '*/5 * * * *', run: recordingWork(runs, 'b', 10) });

    expect(await jobsA.runNow(name)).toBe('ran');
    expect(await state(name)).toMatchObject({ run_count: 1, last_status: 'succeeded', last_instance: 'a' });
    expect(await jobsB.runNow(name)).toBe('ran');
    expect(await state(name)).toMatchObject({ run_count: 2, last_status: 'succeeded', last_instance: 'b' });
    expect(runs.map((r) => r.instance)).toEqual(['a', 'b']);
  });

  it('with minIntervalMs, skips a rerun that comes too soon, on any instance', async () => {
    const name = unique('test.job-interval-');
    const runs: Array<{ instance: string; at: number }> = [];
    jobsA.define({ name, cron: '* * * * *', minIntervalMs: 60_000, run: recordingWork(runs, 'a', 10) });
    jobsB.define({ name, cron: '* * * * *', minIntervalMs: 60_000, run: recordingWork(runs, 'b', 10) });

    expect(await jobsA.runNow(name)).toBe('ran');
    const first = await state(name);
    expect(await jobsA.runNow(name)).toBe('skipped');
    expect(await jobsB.runNow(name)).toBe('skipped');
    expect(runs).toHaveLength(1);
    // A skipped run leaves the state as it was.
    expect(await state(name)).toEqual(first);
    expect(first).toMatchObject({ run_count: 1, last_status: 'succeeded', last_instance: 'a' });

    // Once the interval has passed, it runs again.
    await a.dataSource.query(
      `UPDATE scheduled_job_state SET last_started_at = last_started_at - interval '61 seconds' WHERE name = $1`,
      [name],
    );
    expect(await jobsB.runNow(name)).toBe('ran');
    expect(await state(name)).toMatchObject({ run_count: 2, last_status: 'succeeded', last_instance: 'b' });
  });

  it('an everyMs job defaults minIntervalMs to half its period', async () => {
    const name = unique('test.job-every-');
    const runs: Array<{ instance: string; at: number }> = [];
    jobsA.define({ name, everyMs: 120_000, run: recordingWork(runs, 'a', 10) });
    expect(await jobsA.runNow(name)).toBe('ran');
    expect(await jobsA.runNow(name)).toBe('skipped');
    await a.dataSource.query(
      `UPDATE scheduled_job_state SET last_started_at = last_started_at - interval '61 seconds' WHERE name = $1`,
      [name],
    );
    expect(await jobsA.runNow(name)).toBe('ran');
    expect(runs).toHaveLength(2);
  });

  it('records a failure with its message, and the failure does not block the next run', async () => {
    const name = unique('test.job-fails-');
    let attempts = 0;
    const work = async (): Promise<void> => {
      attempts++;
      if (attempts === 1) throw new Error('the warehouse system did not answer');
    };
    jobsA.define({ name, cron: '0 * * * *', run: work });
    jobsB.define({ name, cron: '0 * * * *', run: work });

    expect(await jobsA.runNow(name)).toBe('failed');
    const failed = await state(name);
    expect(failed).toMatchObject({
      run_count: 1,
      last_status: 'failed',
      last_error: 'the warehouse system did not answer',
      last_instance: 'a',
    });
    expect(failed!.last_finished_at).not.toBeNull();

    expect(await jobsB.runNow(name)).toBe('ran');
    expect(await state(name)).toMatchObject({
      run_count: 2,
      last_status: 'succeeded',
      last_error: null,
      last_instance: 'b',
    });
    expect(attempts).toBe(2);
  });

  it('takes over a job left "running" by a crashed instance an hour ago', async () => {
    const name = unique('test.job-stale-');
    const runs: Array<{ instance: string; at: number }> = [];
    jobsA.define({ name, cron: '0 * * * *', run: recordingWork(runs, 'a', 10) });
    await a.dataSource.query(
      `INSERT INTO scheduled_job_state (name, last_started_at, last_status, last_instance, run_count)
       VALUES ($1, now() - interval '2 hours', 'running', 'crashed', 7)`,
      [name],
    );
    expect(await jobsA.runNow(name)).toBe('ran');
    expect(await state(name)).toMatchObject({ run_count: 8, last_status: 'succeeded', last_instance: 'a' });
  });

  it('refuses to define a job twice or without exactly one schedule, and to run an unknown job', () => {
    const name = unique('test.job-define-');
    jobsA.define({ name, cron: '0 * * * *', run: async () => undefined });
    expect(() => jobsA.define({ name, cron: '0 * * * *', run: async () => undefined })).toThrow(
      /defined twice/,
    );
    expect(() => jobsA.define({ name: unique('test.job-none-'), run: async () => undefined })).toThrow(
      /exactly one/,
    );
    expect(() =>
      jobsA.define({
        name: unique('test.job-both-'),
        cron: '0 * * * *',
        everyMs: 1000,
        run: async () => undefined,
      }),
    ).toThrow(/exactly one/);
    expect(() => jobsA.runNow(unique('test.job-unknown-'))).toThrow(/unknown scheduled job/);
  });
});
