import { Injectable, type OnModuleInit } from '@nestjs/common';
import { RequestContext } from '../../platform/context/request-context';
import { ScheduledJobs } from '../../platform/jobs/scheduled-jobs.service';
import { PmPlansService } from './pm-plans.service';

export const PM_DUE_JOB = 'maintenance.pm-due';

/**
 * Every five minutes, on one instance at a time (the job lock), PM plans that are due get their ticket and
 * window. The plan lock and the ticket's unique (plan, due date) keep it single even without the job lock.
 */
@Injectable()
export class PmDueJob implements OnModuleInit {
  constructor(
    private readonly jobs: ScheduledJobs,
    private readonly plans: PmPlansService,
  ) {}

  onModuleInit(): void {
    this.jobs.define({
      name: PM_DUE_JOB,
      everyMs: 5 * 60_000,
      run: async () => {
        await this.run();
      },
    });
  }

  run(now: Date = new Date()) {
    return RequestContext.runAsSystem('pm-schedule', () => this.plans.runDue(now));
  }
}
