import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Principal } from '../../platform/auth/principal';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import type { AndonChanged } from '../../production/production.events';
import type { ScheduleRunChanged } from '../planning.events';
import { PublishScheduleService } from '../publishing/publish-schedule.service';
import { ScheduleRunsService } from '../runs/schedule-runs.service';
import { ScheduleVersionsRepository } from '../versions/schedule-versions.repository';

/** A re-plan is a repair, not a search for the best plan: it gets at most this long. */
const REPLAN_BUDGET_SECONDS = 20;

/** Who queues and publishes automatic re-plans (audit: the system actor of the transaction). */
function aps(siteId: string): Principal {
  return { kind: 'api_client', id: 'aps', name: 'APS re-plan', roles: ['admin'], siteIds: [siteId] };
}

/**
 * A breakdown re-plans: when a machine goes down (a terminal's breakdown andon) and the live plan still has
 * work on it, a re-plan of the live plan's orders is queued in the andon's transaction — the machine's
 * calendar then excludes the repair (until the ticket's expected return), so its operations move to
 * alternative machines or after the repair, and the rest of the plan follows. The re-plan is published as
 * soon as it succeeds (dispatch lists and terminals follow) unless the live plan changed meanwhile: a live
 * plan computed after the breakdown already knows it, an older one gets a new re-plan. At most one waits per
 * site; it reads the factory when it starts, so breakdowns meanwhile are all in it. When the breakdown is
 * resolved (the machine is back, often before the expected return), the plan is repaired the same way.
 */
@Injectable()
export class BreakdownReplanService implements OnModuleInit {
  private readonly logger = new Logger(BreakdownReplanService.name);

  constructor(
    private readonly runner: TransactionRunner,
    private readonly versions: ScheduleVersionsRepository,
    private readonly runs: ScheduleRunsService,
    private readonly publishing: PublishScheduleService,
    private readonly masterData: MasterDataFacade,
  ) {}

  onModuleInit(): void {
    this.runner.onRaised('production.andon.changed', (e, tx) => this.breakdown(tx, e.payload));
    this.runner.onRaised('planning.schedule.run_changed', (e, tx) => this.succeeded(tx, e.payload));
  }

  private async breakdown(tx: Tx, e: AndonChanged): Promise<void> {
    if (!e.machineDown || e.state === 'acknowledged' || !e.equipmentId) return;
    const machine = await this.masterData.equipment(e.siteId, e.equipmentId, tx.manager);
    const label = machine?.code ?? e.equipmentId;
    if (e.state === 'raised') {
      await this.queue(tx, e.siteId, e.equipmentId, `Breakdown ${label}`, `${label} broke down`);
    } else {
      // Repaired (often before the expected return): its work comes back to it.
      await this.queue(tx, e.siteId, e.equipmentId, `${label} repaired`, `${label} is back in service`);
    }
  }

  /** Queues a re-plan of the live plan when it has work on the machine still to do. */
  private async queue(
    tx: Tx,
    siteId: string,
    equipmentId: string | null,
    name: string,
    why: string,
  ): Promise<void> {
    const m = tx.manager;
    const live = await this.versions.live(siteId, m);
    if (!live) return;
    if (equipmentId) {
      const affected: unknown[] = await m.query(
        `SELECT 1 FROM schedule_assignment WHERE version_id = $1 AND equipment_id = $2 AND ends_at > now() LIMIT 1`,
        [live.id, equipmentId],
      );
      if (affected.length === 0) return;
    }
    // One waiting re-plan per site is enough: it reads the factory (every machine down) when it starts.
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('planning.replan:' || $1))`, [siteId]);
    const waiting: unknown[] = await m.query(
      `SELECT 1 FROM schedule_version WHERE site_id = $1 AND status = 'queued' AND auto_publish LIMIT 1`,
      [siteId],
    );
    if (waiting.length > 0) return;
    const model = await this.versions.model(live.id, m);
    await this.runs.insert(tx, aps(siteId), siteId, {
      kind: 'live',
      status: 'queued',
      settings: {
        objective: live.objective,
        seconds: Math.min(live.budgetSeconds, REPLAN_BUDGET_SECONDS),
        seed: live.seed,
        notes: `Automatic re-plan of ${live.code}: ${why}`,
      },
      frozenHorizonMinutes: live.frozenHorizonMinutes,
      name,
      basedOnId: live.id,
      baselineId: live.id,
      workOrderIds: model ? [...new Set(model.problem.jobs.map((j) => j.id))] : live.workOrderIds,
      autoPublish: true,
    });
  }

  private async succeeded(tx: Tx, e: ScheduleRunChanged): Promise<void> {
    if (e.status !== 'succeeded') return;
    const m = tx.manager;
    const v = await this.versions.find(e.siteId, e.versionId, m);
    if (!v?.autoPublish) return;
    const live = await this.versions.live(e.siteId, m, true);
    if ((v.baselineId ?? null) === (live?.id ?? null)) {
      await this.publishing.publishIn(tx, aps(e.siteId), e.siteId, v.id, {
        reason: `${v.name ?? v.code}: published automatically`,
      });
      return;
    }
    // The live plan changed while this ran. One computed after this re-plan was asked for already plans
    // around the breakdown; an older one (published meanwhile from an earlier model) is re-planned again.
    if (live?.origin && live.origin >= v.createdAt) return;
    this.logger.log({ versionId: v.id, liveId: live?.id }, 'breakdown re-plan outdated: queued again');
    await this.queue(tx, e.siteId, null, v.name ?? 'Re-plan', `the live plan changed while ${v.code} ran`);
  }
}
