import { Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import { AppConfig } from '../../platform/config/app-config';
import { RequestContext } from '../../platform/context/request-context';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { ScheduledJobs } from '../../platform/jobs/scheduled-jobs.service';
import type { PlanProgress, PlanResult } from '../engine/model';
import { PlanModelBuilder } from '../model/plan-model.builder';
import { assignmentsOf, kpisOf, progressOf, type ProgressView } from '../model/plan-outcome';
import type { PlanSnapshot } from '../model/plan-snapshot';
import { ScenarioModelService } from '../scenarios/scenario-model.service';
import { ScheduleVersion } from '../versions/schedule-version.entity';
import { ScheduleVersionsRepository } from '../versions/schedule-versions.repository';
import { PlanSolver } from './plan-solver';

/** A run that has not reported for this long is taken as lost (its instance stopped). */
const LOST_AFTER_SECONDS = 120;
/** A queued run no instance has picked up for this long is started by the sweep. */
const ORPHANED_AFTER_SECONDS = 20;
const PROGRESS_EVERY_MS = 1000;

/**
 * Runs queued schedule versions: claims one (queued → running), builds its model (from the factory, or for
 * a what-if from the copied version and its changes), solves it in a worker thread while progress is saved and
 * pushed, then stores the plan and its KPIs (succeeded) or the reason (failed), each step in its own short
 * transaction. A cancelled run stops at its next progress report. Every 30 s one instance sweeps: lost runs
 * fail, orphaned queued runs start, month-old models of versions nobody will publish are dropped.
 */
@Injectable()
export class ScheduleRunExecutor implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(ScheduleRunExecutor.name);
  private readonly active = new Map<string, AbortController>();
  private readonly pending = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly jobs: ScheduledJobs,
    private readonly versions: ScheduleVersionsRepository,
    private readonly builder: PlanModelBuilder,
    private readonly scenarios: ScenarioModelService,
    private readonly solver: PlanSolver,
  ) {}

  onModuleInit(): void {
    this.jobs.define({ name: 'planning.schedule-runs', everyMs: 30_000, run: () => this.sweep() });
  }

  /** Starts a queued version in the background on this instance. */
  start(versionId: string): void {
    if (this.stopping) return;
    const run = RequestContext.runAsSystem('aps', () => this.execute(versionId)).catch((err: unknown) =>
      this.logger.error({ err, versionId }, 'schedule run failed unexpectedly'),
    );
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  /** Stops a run of this instance (its row was cancelled); a run elsewhere notices at its next report. */
  abort(versionId: string): void {
    this.active.get(versionId)?.abort('cancelled');
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const controller of this.active.values()) controller.abort('interrupted: the service stopped');
    await Promise.allSettled([...this.pending]);
  }

  /** Fails lost runs and starts orphaned queued ones (the scheduled job; also callable directly). */
  async sweep(): Promise<void> {
    const lost: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM schedule_version
        WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1)`,
      [LOST_AFTER_SECONDS],
    );
    for (const { id } of lost) {
      if (this.active.has(id)) continue;
      await RequestContext.runAsSystem('aps', () =>
        this.fail(id, `lost: no progress for ${LOST_AFTER_SECONDS} s (the instance running it stopped)`),
      );
    }
    const orphans: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM schedule_version
        WHERE status = 'queued' AND updated_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT 20`,
      [ORPHANED_AFTER_SECONDS],
    );
    for (const { id } of orphans) this.start(id);
    // What nobody will publish keeps its record and KPIs, not its model and plan, after a month.
    await this.dataSource.query(
      `WITH stale AS (
         UPDATE schedule_version SET model = NULL
          WHERE status IN ('failed', 'cancelled', 'discarded') AND model IS NOT NULL
            AND updated_at < now() - interval '30 days'
          RETURNING id)
       DELETE FROM schedule_assignment a USING stale WHERE a.version_id = stale.id`,
    );
  }

  private async execute(id: string): Promise<void> {
    const release = await this.solver.acquire();
    const controller = new AbortController();
    try {
      if (this.stopping) return;
      const version = await this.claim(id);
      if (!version) return;
      this.active.set(id, controller);
      try {
        await this.runClaimed(version, controller.signal);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (message !== 'cancelled') await this.fail(id, message);
      }
    } finally {
      this.active.delete(id);
      release();
    }
  }

  private claim(id: string): Promise<ScheduleVersion | null> {
    return this.tx.run(async (tx) => {
      const [rows] = await tx.manager.query<[Array<{ id: string }>, number]>(
        `UPDATE schedule_version SET status = 'running', started_at = now(), heartbeat_at = now(), runner = $2,
                progress = NULL, error = NULL, updated_at = now()
          WHERE id = $1 AND status = 'queued' RETURNING id`,
        [id, this.config.instanceId.slice(0, 200)],
      );
      if (rows.length === 0) return null;
      const version = await tx.manager.getRepository(ScheduleVersion).findOneByOrFail({ id });
      await this.audit.record(tx, {
        entityType: 'schedule_version',
        entityId: id,
        siteId: version.siteId,
        action: 'schedule_version.started',
        before: { status: 'queued' },
        after: { status: 'running', runner: version.runner },
      });
      this.raise(tx, version, null);
      return version;
    });
  }

  private async runClaimed(version: ScheduleVersion, signal: AbortSignal): Promise<void> {
    const snapshot = await this.model(version);
    const stored = await this.dataSource.query<[unknown[], number]>(
      `UPDATE schedule_version SET model = $2, origin = $3, warnings = $4, heartbeat_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'running' RETURNING id`,
      [version.id, JSON.stringify(snapshot), snapshot.origin, JSON.stringify(snapshot.warnings)],
    );
    if (stored[0].length === 0) throw new Error('cancelled');
    let result: PlanResult;
    if (snapshot.problem.operations.length === 0) {
      result = emptyResult();
    } else {
      let lastReport = 0;
      let reporting: Promise<void> = Promise.resolve();
      const outcome = await this.solver.solve(
        { problem: snapshot.problem, seconds: version.budgetSeconds, seed: version.seed },
        (progress) => {
          const now = Date.now();
          if (now - lastReport < PROGRESS_EVERY_MS) return;
          lastReport = now;
          reporting = reporting.then(() => this.report(version, progress, signal));
        },
        signal,
      );
      await reporting;
      if (outcome.kind === 'invalid') {
        throw new Error(`the plan's inputs are inconsistent: ${outcome.errors.slice(0, 10).join('; ')}`);
      }
      if (outcome.violations.length > 0) {
        throw new Error(`the engine's plan breaks a rule: ${outcome.violations.slice(0, 10).join('; ')}`);
      }
      result = outcome.result;
    }
    await this.succeed(version, snapshot, result);
  }

  private async model(v: ScheduleVersion): Promise<PlanSnapshot> {
    if (v.kind === 'scenario') {
      const { snapshot, errors } = await this.scenarios.compose(
        v.siteId,
        v.basedOnId!,
        v.changes,
        v.objective,
      );
      if (errors.length > 0) throw new Error(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
      return snapshot;
    }
    return this.builder.fresh(v.siteId, {
      origin: new Date(),
      objective: v.objective,
      frozenHorizonMinutes: v.frozenHorizonMinutes,
      workOrderIds: v.workOrderIds,
      alsoWorkOrderIds: v.rushWorkOrderId ? [v.rushWorkOrderId] : [],
      rushWorkOrderId: v.rushWorkOrderId,
      liveVersionId: v.baselineId,
    });
  }

  /** Saves and pushes progress; a run whose row is no longer running (cancelled) is stopped. */
  private async report(version: ScheduleVersion, progress: PlanProgress, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const view = progressOf(progress, version.budgetSeconds);
    try {
      const still = await this.tx.run(async (tx) => {
        const [rows] = await tx.manager.query<[unknown[], number]>(
          `UPDATE schedule_version SET progress = $2, heartbeat_at = now() WHERE id = $1 AND status = 'running'
            RETURNING id`,
          [version.id, JSON.stringify(view)],
        );
        if (rows.length > 0) this.raise(tx, { ...version, status: 'running' }, view);
        return rows.length > 0;
      });
      if (!still) this.abort(version.id);
    } catch (err) {
      this.logger.warn({ err, versionId: version.id }, 'schedule progress not saved');
    }
  }

  private succeed(version: ScheduleVersion, snapshot: PlanSnapshot, result: PlanResult): Promise<void> {
    return this.tx.run(async (tx) => {
      const kpis = kpisOf(snapshot, result);
      const progress: ProgressView = {
        ...progressOf(
          { elapsedMs: result.elapsedMs, iterations: result.iterations, kpis: result.kpis },
          version.budgetSeconds,
        ),
        fraction: 1,
      };
      const [rows] = await tx.manager.query<[unknown[], number]>(
        `UPDATE schedule_version SET status = 'succeeded', kpis = $2, progress = $3, iterations = $4, elapsed_ms = $5,
                finished_at = now(), heartbeat_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'running' RETURNING id`,
        [
          version.id,
          JSON.stringify(kpis),
          JSON.stringify(progress),
          result.iterations,
          Math.round(result.elapsedMs),
        ],
      );
      if (rows.length === 0) return; // cancelled meanwhile
      await this.versions.insertAssignments(tx.manager, version.id, assignmentsOf(snapshot, result));
      await this.audit.record(tx, {
        entityType: 'schedule_version',
        entityId: version.id,
        siteId: version.siteId,
        action: 'schedule_version.succeeded',
        before: { status: 'running' },
        after: {
          status: 'succeeded',
          code: version.code,
          makespanMinutes: kpis.makespanMinutes,
          totalTardinessMinutes: kpis.totalTardinessMinutes,
          lateOrders: kpis.lateOrderCount,
          iterations: result.iterations,
          warnings: snapshot.warnings.length,
        },
      });
      this.raise(tx, { ...version, status: 'succeeded', kpis }, progress);
    });
  }

  private fail(id: string, message: string): Promise<void> {
    return this.tx.run(async (tx) => {
      const [rows] = await tx.manager.query<[Array<{ status: string }>, number]>(
        `UPDATE schedule_version SET status = 'failed', error = $2, finished_at = now(), updated_at = now()
          WHERE id = $1 AND status IN ('queued', 'running') RETURNING id`,
        [id, message.slice(0, 4000)],
      );
      if (rows.length === 0) return;
      const version = await tx.manager.getRepository(ScheduleVersion).findOneByOrFail({ id });
      await this.audit.record(tx, {
        entityType: 'schedule_version',
        entityId: id,
        siteId: version.siteId,
        action: 'schedule_version.failed',
        after: { status: 'failed', code: version.code, error: version.error },
      });
      this.raise(tx, version, null);
    });
  }

  private raise(tx: Tx, v: ScheduleVersion, progress: ProgressView | null): void {
    tx.raise('planning.schedule.run_changed', {
      versionId: v.id,
      siteId: v.siteId,
      code: v.code,
      kind: v.kind,
      status: v.status,
      createdById: v.createdById,
      progress,
      kpis: v.kpis,
      error: v.error,
    });
  }
}

function emptyResult(): PlanResult {
  return {
    operations: [],
    kpis: {
      makespan: 0,
      totalWeightedTardiness: 0,
      totalTardiness: 0,
      lateJobs: [],
      utilisation: {},
      totalSetup: 0,
    },
    iterations: 0,
    elapsedMs: 0,
  };
}
