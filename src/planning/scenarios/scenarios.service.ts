import { Injectable } from '@nestjs/common';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { DomainError, notFound } from '../../platform/errors/domain-error';
import type { CreateScenarioDto, ScenarioChangeDto, UpdateScenarioDto } from '../api/planning.dto';
import type { PlanObjective } from '../engine/model';
import type { ScenarioChange } from '../model/scenario-changes';
import { PlanningErrorCode, versionStateError } from '../planning.errors';
import { raiseRunChanged, ScheduleRunsService } from '../runs/schedule-runs.service';
import { ScheduleVersion, type ScheduleVersionStatus } from '../versions/schedule-version.entity';
import { ScheduleVersionsRepository } from '../versions/schedule-versions.repository';
import { viewOf, type ScheduleVersionView } from '../views/schedule-version.view';
import { ScenarioModelService } from './scenario-model.service';

/** Versions a what-if can be copied from: they ran, so they have a model. */
const COPYABLE: readonly ScheduleVersionStatus[] = ['succeeded', 'published', 'superseded'];
const EDITABLE: readonly ScheduleVersionStatus[] = ['draft', 'succeeded', 'failed', 'cancelled'];

/**
 * What-if scenarios: a copy of a version's model with changes (orders added or removed, a machine down,
 * overtime, priorities, due dates), run like any schedule and compared with the live plan. Nothing here
 * touches operations or the live plan; applying one publishes it (see PublishScheduleService).
 */
@Injectable()
export class ScenariosService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly versions: ScheduleVersionsRepository,
    private readonly runs: ScheduleRunsService,
    private readonly model: ScenarioModelService,
  ) {}

  async create(p: Principal, siteId: string, dto: CreateScenarioDto): Promise<ScheduleVersionView> {
    assertSiteAccess(p, siteId);
    const base = dto.basedOnId
      ? await this.versions.find(siteId, dto.basedOnId)
      : await this.versions.live(siteId);
    if (!base) {
      if (dto.basedOnId) throw notFound('schedule version', dto.basedOnId);
      throw new DomainError(
        'conflict',
        PlanningErrorCode.NO_LIVE_PLAN,
        'There is no published plan to copy; name the version to copy in basedOnId',
      );
    }
    if (!COPYABLE.includes(base.status)) throw versionStateError(base.code, base.status, 'copied', COPYABLE);
    const changes = (dto.changes ?? []).map(toChange);
    const objective = dto.objective ?? base.objective;
    await this.validate(siteId, base.id, changes, objective);
    return this.tx.run(async (tx) => {
      const live = await this.versions.live(siteId, tx.manager);
      const version = await this.runs.insert(tx, p, siteId, {
        kind: 'scenario',
        status: dto.run === false ? 'draft' : 'queued',
        settings: {
          ...dto,
          objective,
          seed: dto.seed ?? base.seed,
          seconds: dto.seconds ?? base.budgetSeconds,
        },
        frozenHorizonMinutes: base.frozenHorizonMinutes,
        name: dto.name,
        basedOnId: base.id,
        baselineId: live?.id ?? null,
        workOrderIds: base.workOrderIds,
        changes,
      });
      return viewOf(version, live?.id ?? null);
    });
  }

  async update(
    p: Principal,
    siteId: string,
    id: string,
    dto: UpdateScenarioDto,
  ): Promise<ScheduleVersionView> {
    assertSiteAccess(p, siteId);
    const current = await this.scenario(siteId, id);
    const changes = dto.changes ? dto.changes.map(toChange) : current.changes;
    const objective = dto.objective ?? current.objective;
    if (dto.changes || dto.objective) await this.validate(siteId, current.basedOnId!, changes, objective);
    return this.tx.run(async (tx) => {
      const v = await this.lockScenario(tx.manager, siteId, id);
      if (!EDITABLE.includes(v.status)) throw versionStateError(v.code, v.status, 'changed', EDITABLE);
      await tx.manager.query(`DELETE FROM schedule_assignment WHERE version_id = $1`, [id]);
      await tx.manager.update(
        ScheduleVersion,
        { id },
        {
          status: 'draft',
          name: dto.name ?? v.name,
          notes: dto.notes ?? v.notes,
          changes,
          objective,
          budgetSeconds: dto.seconds ?? v.budgetSeconds,
          seed: dto.seed ?? v.seed,
          kpis: null,
          progress: null,
          error: null,
          iterations: null,
          elapsedMs: null,
          startedAt: null,
          finishedAt: null,
        },
      );
      const after = (await this.versions.find(siteId, id, tx.manager))!;
      await this.audit.record(tx, {
        entityType: 'schedule_version',
        entityId: id,
        siteId,
        action: 'schedule_version.updated',
        before: { status: v.status, name: v.name, changes: v.changes, objective: v.objective, seed: v.seed },
        after: { status: after.status, name: after.name, changes, objective, seed: after.seed },
      });
      raiseRunChanged(tx, after);
      return viewOf(after, (await this.versions.live(siteId, tx.manager))?.id ?? null);
    });
  }

  run(p: Principal, siteId: string, id: string): Promise<ScheduleVersionView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const v = await this.lockScenario(tx.manager, siteId, id);
      if (!EDITABLE.includes(v.status)) throw versionStateError(v.code, v.status, 'run', EDITABLE);
      const after = await this.runs.requeue(tx, v);
      return viewOf(after, (await this.versions.live(siteId, tx.manager))?.id ?? null);
    });
  }

  discard(p: Principal, siteId: string, id: string, reason?: string): Promise<ScheduleVersionView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const v = await this.lockScenario(tx.manager, siteId, id);
      if (!EDITABLE.includes(v.status)) throw versionStateError(v.code, v.status, 'discarded', EDITABLE);
      await tx.manager.query(`DELETE FROM schedule_assignment WHERE version_id = $1`, [id]);
      await tx.manager.update(ScheduleVersion, { id }, { status: 'discarded' });
      const after = (await this.versions.find(siteId, id, tx.manager))!;
      await this.audit.record(tx, {
        entityType: 'schedule_version',
        entityId: id,
        siteId,
        action: 'schedule_version.discarded',
        before: { status: v.status },
        after: { status: 'discarded', code: v.code, name: v.name },
        reason,
      });
      raiseRunChanged(tx, after);
      return viewOf(after, (await this.versions.live(siteId, tx.manager))?.id ?? null);
    });
  }

  private async validate(
    siteId: string,
    basedOnId: string,
    changes: ScenarioChange[],
    objective: PlanObjective,
  ): Promise<void> {
    const { errors } = await this.model.compose(siteId, basedOnId, changes, objective);
    if (errors.length > 0) {
      throw new DomainError(
        'validation',
        PlanningErrorCode.INVALID_CHANGE,
        'The scenario’s changes do not fit its plan',
        {
          errors,
        },
      );
    }
  }

  private async scenario(siteId: string, id: string): Promise<ScheduleVersion> {
    const v = await this.versions.find(siteId, id);
    if (!v) throw notFound('schedule version', id);
    if (v.kind !== 'scenario') throw notAScenario(v);
    return v;
  }

  private async lockScenario(
    m: Parameters<ScheduleVersionsRepository['lock']>[0],
    siteId: string,
    id: string,
  ): Promise<ScheduleVersion> {
    const v = await this.versions.lock(m, siteId, id);
    if (!v) throw notFound('schedule version', id);
    if (v.kind !== 'scenario') throw notAScenario(v);
    return v;
  }
}

function notAScenario(v: ScheduleVersion): DomainError {
  return new DomainError(
    'conflict',
    PlanningErrorCode.NOT_A_SCENARIO,
    `Schedule ${v.code} is not a what-if scenario`,
    { extensions: { kind: v.kind } },
  );
}

export function toChange(dto: ScenarioChangeDto): ScenarioChange {
  switch (dto.type) {
    case 'add_order':
    case 'remove_order':
      return { type: dto.type, workOrderId: dto.workOrderId! };
    case 'machine_down':
      return {
        type: 'machine_down',
        equipmentId: dto.equipmentId!,
        from: dto.from!,
        to: dto.to!,
        ...(dto.reason ? { reason: dto.reason } : {}),
      };
    case 'overtime':
      return {
        type: 'overtime',
        ...(dto.equipmentId ? { equipmentId: dto.equipmentId } : { workCenterId: dto.workCenterId! }),
        from: dto.from!,
        to: dto.to!,
        ...(dto.reason ? { reason: dto.reason } : {}),
      };
    case 'set_priority':
      return { type: 'set_priority', workOrderId: dto.workOrderId!, priority: dto.priority! };
    case 'set_due':
      return { type: 'set_due', workOrderId: dto.workOrderId!, dueAt: dto.dueAt! };
  }
}
