import { Injectable } from '@nestjs/common';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { DomainError, notFound } from '../../platform/errors/domain-error';
import { Site } from '../../platform/sites/site.entity';
import { ProductionFacade } from '../../production/production.facade';
import {
  DEFAULT_BUDGET_SECONDS,
  type CreateRunDto,
  type EngineSettingsDto,
  type RushInsertDto,
} from '../api/planning.dto';
import type { ScenarioChange } from '../model/scenario-changes';
import { PlanningErrorCode, versionStateError } from '../planning.errors';
import {
  ScheduleVersion,
  type ScheduleVersionKind,
  type ScheduleVersionStatus,
} from '../versions/schedule-version.entity';
import { ScheduleVersionsRepository } from '../versions/schedule-versions.repository';
import { viewOf, type ScheduleVersionView } from '../views/schedule-version.view';
import { ScheduleRunExecutor } from './schedule-run.executor';

/** Runs a site may have waiting or running at once (the engine runs a few at a time per instance). */
const MAX_ACTIVE_PER_SITE = 5;
/** Default frozen horizon of a rush insertion: one shift is not moved. */
const RUSH_FROZEN_HOURS = 8;
const RUSH_INSERTABLE = ['draft', 'planned', 'released', 'kitting', 'ready'];

export interface NewVersion {
  kind: ScheduleVersionKind;
  status: Extract<ScheduleVersionStatus, 'draft' | 'queued'>;
  settings: EngineSettingsDto;
  frozenHorizonMinutes: number;
  name?: string | null;
  basedOnId?: string | null;
  baselineId: string | null;
  rushWorkOrderId?: string | null;
  workOrderIds?: string[] | null;
  changes?: ScenarioChange[];
  autoPublish?: boolean;
}

/** Starting schedule runs (a new plan, a rush insertion) and cancelling them; the runs themselves are jobs. */
@Injectable()
export class ScheduleRunsService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly versions: ScheduleVersionsRepository,
    private readonly executor: ScheduleRunExecutor,
    private readonly production: ProductionFacade,
  ) {}

  /** Queues a plan of the site's open work (the live plan's frozen horizon kept); the run starts at once. */
  createRun(p: Principal, siteId: string, dto: CreateRunDto): Promise<ScheduleVersionView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const live = await this.versions.live(siteId, tx.manager);
      const version = await this.insert(tx, p, siteId, {
        kind: 'live',
        status: 'queued',
        settings: dto,
        frozenHorizonMinutes: Math.round((dto.frozenHorizonHours ?? 0) * 60),
        baselineId: live?.id ?? null,
        workOrderIds: dto.workOrderIds ? [...new Set(dto.workOrderIds)] : null,
      });
      return viewOf(version, live?.id ?? null);
    });
  }

  /**
   * Queues the live plan's open work with a rush order inserted: what the live plan starts within the frozen
   * horizon stays; the result's impact report says which orders slip, and applying it publishes it.
   */
  createRush(p: Principal, siteId: string, dto: RushInsertDto): Promise<ScheduleVersionView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const live = await this.versions.live(siteId, tx.manager);
      if (!live) {
        throw new DomainError(
          'conflict',
          PlanningErrorCode.NO_LIVE_PLAN,
          'There is no published plan to insert a rush order into; publish a schedule first',
        );
      }
      const feed = await this.production.schedulingFeed(
        siteId,
        { workOrderIds: [dto.workOrderId], alsoWorkOrderIds: [dto.workOrderId] },
        tx.manager,
      );
      const wo = feed.workOrders[0];
      if (!wo || !RUSH_INSERTABLE.includes(wo.status)) {
        if (!wo) {
          const exists: unknown[] = await tx.manager.query(
            `SELECT 1 FROM work_order WHERE id = $1 AND site_id = $2`,
            [dto.workOrderId, siteId],
          );
          if (exists.length === 0) throw notFound('work order', dto.workOrderId);
        }
        throw new DomainError(
          'conflict',
          PlanningErrorCode.WORK_ORDER_NOT_SCHEDULABLE,
          `Only an order that has not started can be inserted as a rush order (draft, planned or released)`,
          { extensions: { currentState: wo?.status ?? 'closed' } },
        );
      }
      const liveModel = await this.versions.model(live.id, tx.manager);
      const version = await this.insert(tx, p, siteId, {
        kind: 'live',
        status: 'queued',
        settings: { objective: 'tardiness-then-makespan', ...dto },
        frozenHorizonMinutes: Math.round((dto.frozenHorizonHours ?? RUSH_FROZEN_HOURS) * 60),
        name: `Rush ${wo.code}`,
        basedOnId: live.id,
        baselineId: live.id,
        rushWorkOrderId: wo.id,
        // Into the live plan as it is: its orders (not those it left out or that came since) and the rush order.
        workOrderIds: [...new Set([...(liveModel?.problem.jobs.map((j) => j.id) ?? []), wo.id])],
      });
      return viewOf(version, live.id);
    });
  }

  /** Stops a queued or running version (its worker is stopped); nothing it computed is kept. */
  cancel(p: Principal, siteId: string, id: string, reason?: string): Promise<ScheduleVersionView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const v = await this.versions.lock(tx.manager, siteId, id);
      if (!v) throw notFound('schedule version', id);
      if (v.status !== 'queued' && v.status !== 'running')
        throw versionStateError(v.code, v.status, 'cancelled', ['queued', 'running']);
      await tx.manager.update(ScheduleVersion, { id }, { status: 'cancelled', finishedAt: new Date() });
      const after = (await this.versions.find(siteId, id, tx.manager))!;
      await this.audit.record(tx, {
        entityType: 'schedule_version',
        entityId: id,
        siteId,
        action: 'schedule_version.cancelled',
        before: { status: v.status },
        after: { status: 'cancelled', code: v.code },
        reason,
      });
      raiseRunChanged(tx, after);
      tx.onCommit(() => this.executor.abort(id));
      return viewOf(after, (await this.versions.live(siteId, tx.manager))?.id ?? null);
    });
  }

  /** Inserts a version (numbered per site), audited; a queued one starts after commit. */
  async insert(tx: Tx, p: Principal, siteId: string, n: NewVersion): Promise<ScheduleVersion> {
    // An automatic re-plan is not refused for capacity: at most one waits per site, and it must run.
    if (n.status === 'queued' && !n.autoPublish) await this.assertCapacity(tx, siteId);
    const site = await tx.manager.getRepository(Site).findOneByOrFail({ id: siteId });
    const { number, code } = await this.versions.nextCode(tx.manager, siteId, site.timeZone);
    const repo = tx.manager.getRepository(ScheduleVersion);
    const { id } = await repo.save(
      repo.create({
        siteId,
        number,
        code,
        kind: n.kind,
        status: n.status,
        name: n.name ?? null,
        notes: n.settings.notes ?? null,
        basedOnId: n.basedOnId ?? null,
        baselineId: n.baselineId,
        rushWorkOrderId: n.rushWorkOrderId ?? null,
        objective: n.settings.objective ?? 'tardiness-then-makespan',
        budgetSeconds: n.settings.seconds ?? DEFAULT_BUDGET_SECONDS,
        seed: n.settings.seed ?? 1,
        frozenHorizonMinutes: n.frozenHorizonMinutes,
        workOrderIds: n.workOrderIds ?? null,
        changes: n.changes ?? [],
        autoPublish: n.autoPublish ?? false,
        warnings: [],
        createdById: p.id,
        createdByName: p.name.slice(0, 200),
      }),
    );
    const version = await repo.findOneByOrFail({ id });
    await this.audit.record(tx, {
      entityType: 'schedule_version',
      entityId: id,
      siteId,
      action: `schedule_version.${n.status === 'queued' ? 'queued' : 'created'}`,
      after: {
        code,
        kind: version.kind,
        name: version.name,
        objective: version.objective,
        budgetSeconds: version.budgetSeconds,
        seed: version.seed,
        frozenHorizonMinutes: version.frozenHorizonMinutes,
        basedOnId: version.basedOnId,
        rushWorkOrderId: version.rushWorkOrderId,
        changes: version.changes,
        autoPublish: version.autoPublish,
      },
    });
    raiseRunChanged(tx, version);
    if (n.status === 'queued') tx.onCommit(() => this.executor.start(id));
    return version;
  }

  /** Puts a draft or finished what-if back in the queue (its old plan is dropped). */
  async requeue(tx: Tx, v: ScheduleVersion): Promise<ScheduleVersion> {
    await this.assertCapacity(tx, v.siteId);
    await tx.manager.query(`DELETE FROM schedule_assignment WHERE version_id = $1`, [v.id]);
    await tx.manager.update(
      ScheduleVersion,
      { id: v.id },
      {
        status: 'queued',
        progress: null,
        kpis: null,
        error: null,
        iterations: null,
        elapsedMs: null,
        startedAt: null,
        finishedAt: null,
        runner: null,
        heartbeatAt: null,
      },
    );
    const after = (await this.versions.find(v.siteId, v.id, tx.manager))!;
    await this.audit.record(tx, {
      entityType: 'schedule_version',
      entityId: v.id,
      siteId: v.siteId,
      action: 'schedule_version.queued',
      before: { status: v.status },
      after: { status: 'queued', changes: after.changes, objective: after.objective, seed: after.seed },
    });
    raiseRunChanged(tx, after);
    tx.onCommit(() => this.executor.start(v.id));
    return after;
  }

  private async assertCapacity(tx: Tx, siteId: string): Promise<void> {
    // Counted under a per-site lock, so two requests cannot both take the last place.
    await tx.manager.query(`SELECT pg_advisory_xact_lock(hashtext('planning.runs:' || $1))`, [siteId]);
    const [{ active }] = await tx.manager.query<[{ active: number }]>(
      `SELECT count(*)::int AS active FROM schedule_version WHERE site_id = $1 AND status IN ('queued', 'running')`,
      [siteId],
    );
    if (active >= MAX_ACTIVE_PER_SITE) {
      throw new DomainError(
        'rate_limited',
        PlanningErrorCode.TOO_MANY_RUNS,
        `${active} schedule runs of this site are waiting or running; wait for one to finish or cancel one`,
        { retryAfterSeconds: 10 },
      );
    }
  }
}

export function raiseRunChanged(tx: Tx, v: ScheduleVersion): void {
  tx.raise('planning.schedule.run_changed', {
    versionId: v.id,
    siteId: v.siteId,
    code: v.code,
    kind: v.kind,
    status: v.status,
    createdById: v.createdById,
    progress: v.progress,
    kpis: v.kpis,
    error: v.error,
  });
}
