import { Injectable } from '@nestjs/common';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { DomainError, notFound } from '../../platform/errors/domain-error';
import { ProductionFacade, type ScheduleApplied } from '../../production/production.facade';
import type { PublishDto } from '../api/planning.dto';
import type { ScenarioChange } from '../model/scenario-changes';
import { PlanningErrorCode, versionStateError } from '../planning.errors';
import { raiseRunChanged } from '../runs/schedule-runs.service';
import { ScheduleVersion } from '../versions/schedule-version.entity';
import { ScheduleVersionsRepository } from '../versions/schedule-versions.repository';
import { viewOf, type ScheduleVersionView } from '../views/schedule-version.view';

export interface PublishResult {
  version: ScheduleVersionView;
  previousVersionId: string | null;
  applied: ScheduleApplied;
  /** Work orders whose priority the publication changed (a rush insertion, a what-if's priorities). */
  prioritiesChanged: Array<{ workOrderId: string; priority: 'normal' | 'rush' }>;
  /**
   * What-if changes the plan assumed but that publishing does not make (overtime, a machine down, another due
   * date): calendars, machines and orders are changed in master data and production.
   */
  assumptions: ScenarioChange[];
}

/**
 * Publishing makes a succeeded version the live plan, in one transaction: the previous live plan is
 * superseded, operations get their machine and times (dispatch lists follow), work orders their planned start
 * and end, a rush insertion's order becomes rush (the warehouse's pick task follows), a what-if's priority
 * changes are made; audited; after commit terminals are told (`schedule.published`).
 */
@Injectable()
export class PublishScheduleService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly versions: ScheduleVersionsRepository,
    private readonly production: ProductionFacade,
  ) {}

  publish(
    p: Principal,
    siteId: string,
    id: string,
    dto: PublishDto,
    expected?: 'scenario' | 'rush',
  ): Promise<PublishResult> {
    assertSiteAccess(p, siteId);
    return this.tx.run((tx) => this.publishIn(tx, p, siteId, id, dto, expected));
  }

  /** Publishes inside the caller's transaction (an automatic re-plan publishes as its run succeeds). */
  async publishIn(
    tx: Tx,
    p: Principal,
    siteId: string,
    id: string,
    dto: PublishDto,
    expected?: 'scenario' | 'rush',
  ): Promise<PublishResult> {
    const m = tx.manager;
    // One publication per site at a time: the live plan changes hands in order.
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('planning.publish:' || $1))`, [siteId]);
    const v = await this.versions.lock(m, siteId, id);
    if (!v) throw notFound('schedule version', id);
    if (expected === 'scenario' && v.kind !== 'scenario')
      throw new DomainError(
        'conflict',
        PlanningErrorCode.NOT_A_SCENARIO,
        `Schedule ${v.code} is not a what-if`,
      );
    if (expected === 'rush' && !v.rushWorkOrderId)
      throw new DomainError(
        'conflict',
        PlanningErrorCode.NOT_A_RUSH_INSERT,
        `Schedule ${v.code} is not a rush insertion`,
      );
    if (v.status !== 'succeeded') throw versionStateError(v.code, v.status, 'published', ['succeeded']);
    const live = await this.versions.live(siteId, m, true);
    if ((v.baselineId ?? null) !== (live?.id ?? null) && !dto.allowStaleBaseline) {
      throw new DomainError(
        'conflict',
        PlanningErrorCode.BASELINE_CHANGED,
        `The live plan changed since ${v.code} was made (it was compared with ${v.baselineId ? 'another version' : 'no plan'}, the live plan is ${live?.code ?? 'none'}); run it again, or publish with allowStaleBaseline`,
        {
          extensions: { baselineId: v.baselineId, liveId: live?.id ?? null, liveCode: live?.code ?? null },
        },
      );
    }
    const now = new Date();
    if (live) {
      await m.update(ScheduleVersion, { id: live.id }, { status: 'superseded' });
      await this.audit.record(tx, {
        entityType: 'schedule_version',
        entityId: live.id,
        siteId,
        action: 'schedule_version.superseded',
        before: { status: 'published' },
        after: { status: 'superseded', code: live.code, by: v.code },
        reason: dto.reason,
      });
    }
    await m.update(
      ScheduleVersion,
      { id },
      { status: 'published', publishedAt: now, publishedById: p.id, publishedByName: p.name.slice(0, 200) },
    );
    const assignments = await this.versions.assignments(id, m);
    const spans = await this.versions.orderSpans(id, m);
    const applied = await this.production.applySchedule(tx, siteId, {
      versionCode: v.code,
      operations: assignments.map((a) => ({
        operationId: a.operationId,
        equipmentId: a.equipmentId,
        start: a.startsAt,
        end: a.endsAt,
      })),
      workOrders: [...spans].map(([workOrderId, s]) => ({
        workOrderId,
        plannedStart: s.start,
        plannedEnd: s.end,
      })),
    });
    const prioritiesChanged: PublishResult['prioritiesChanged'] = [];
    const why = `schedule ${v.code} published`;
    if (v.rushWorkOrderId) {
      if (
        await this.production.changePriority(tx, siteId, v.rushWorkOrderId, 'rush', `rush insertion: ${why}`)
      )
        prioritiesChanged.push({ workOrderId: v.rushWorkOrderId, priority: 'rush' });
    }
    for (const change of v.changes) {
      if (change.type !== 'set_priority') continue;
      if (
        await this.production.changePriority(
          tx,
          siteId,
          change.workOrderId,
          change.priority,
          `what-if: ${why}`,
        )
      )
        prioritiesChanged.push({ workOrderId: change.workOrderId, priority: change.priority });
    }
    const assumptions = v.changes.filter(
      (c) => c.type === 'overtime' || c.type === 'machine_down' || c.type === 'set_due',
    );
    const after = (await this.versions.find(siteId, id, m))!;
    await this.audit.record(tx, {
      entityType: 'schedule_version',
      entityId: id,
      siteId,
      action: 'schedule_version.published',
      before: { status: 'succeeded', live: live?.code ?? null },
      after: {
        status: 'published',
        code: v.code,
        kind: v.kind,
        ...applied,
        prioritiesChanged,
        assumptions,
        makespanMinutes: v.kpis?.makespanMinutes,
        lateOrders: v.kpis?.lateOrderCount,
      },
      reason: dto.reason,
    });
    // One after the other: both read on the transaction's one connection.
    const model = await this.versions.model(id, m);
    const previous = live ? await this.versions.model(live.id, m) : null;
    const machines = { ...(previous?.machines ?? {}), ...(model?.machines ?? {}) };
    tx.raise('planning.schedule.published', {
      versionId: id,
      siteId,
      code: v.code,
      number: v.number,
      previousVersionId: live?.id ?? null,
      rushWorkOrderId: v.rushWorkOrderId,
      equipmentIds: Object.keys(machines),
      workCenterIds: [...new Set(Object.values(machines).map((x) => x.workCenterId))],
    });
    if (live) raiseRunChanged(tx, { ...live, status: 'superseded' });
    raiseRunChanged(tx, after);
    return {
      version: viewOf(after, id),
      previousVersionId: live?.id ?? null,
      applied,
      prioritiesChanged,
      assumptions,
    };
  }
}
