import { Injectable } from '@nestjs/common';
import type { FieldError } from '../../platform/errors/domain-error';
import type { PlanObjective } from '../engine/model';
import { PlanModelBuilder } from '../model/plan-model.builder';
import type { PlanSnapshot } from '../model/plan-snapshot';
import { applyScenarioChanges, type ScenarioChange } from '../model/scenario-changes';
import { ScheduleVersionsRepository } from '../versions/schedule-versions.repository';

/** A what-if's model: the copied version's snapshot, with the orders it adds read from the factory, changed. */
@Injectable()
export class ScenarioModelService {
  constructor(
    private readonly versions: ScheduleVersionsRepository,
    private readonly builder: PlanModelBuilder,
  ) {}

  async compose(
    siteId: string,
    basedOnId: string,
    changes: readonly ScenarioChange[],
    objective: PlanObjective,
  ): Promise<{ snapshot: PlanSnapshot; errors: FieldError[] }> {
    const base = await this.versions.model(basedOnId);
    if (!base) {
      return {
        snapshot: emptySnapshot(),
        errors: [{ field: 'basedOnId', message: 'the version has no model (it never ran)' }],
      };
    }
    const addIds = changes.flatMap((c) => (c.type === 'add_order' ? [c.workOrderId] : []));
    const added = addIds.length
      ? await this.builder.fresh(siteId, {
          origin: new Date(base.origin),
          horizonEnd: new Date(base.horizonEnd),
          objective,
          frozenHorizonMinutes: 0,
          workOrderIds: addIds,
          alsoWorkOrderIds: addIds,
          liveVersionId: null,
        })
      : null;
    const result = applyScenarioChanges(base, changes, added);
    result.snapshot.problem = { ...result.snapshot.problem, objective };
    return result;
  }
}

function emptySnapshot(): PlanSnapshot {
  const now = new Date().toISOString();
  return {
    origin: now,
    horizonEnd: now,
    problem: { machines: [], jobs: [], operations: [], objective: 'makespan' },
    machines: {},
    orders: {},
    operations: {},
    warnings: [],
  };
}
