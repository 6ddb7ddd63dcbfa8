import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InventoryFacade } from '../../inventory/inventory.facade';
import { MaintenanceFacade } from '../../maintenance/maintenance.facade';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { ProductionFacade } from '../../production/production.facade';
import type { PlanObjective } from '../engine/model';
import { composePlan, type LiveAssignment } from './compose-plan';
import type { PlanSnapshot } from './plan-snapshot';
import { MINUTE_MS } from './plan-time';

const DAY_MS = 86_400_000;
/** Stock reserved by no order: freeByMaterial counts every reservation against this id. */
const NO_ORDER = '00000000-0000-0000-0000-000000000000';

export interface FreshModelOptions {
  origin: Date;
  /** Defaults to 60 days after the origin or 30 days after the latest due date, at most a year. */
  horizonEnd?: Date;
  objective: PlanObjective;
  frozenHorizonMinutes: number;
  workOrderIds?: string[] | null;
  alsoWorkOrderIds?: string[];
  rushWorkOrderId?: string | null;
  /** The published version whose starts the frozen horizon keeps. */
  liveVersionId: string | null;
}

/** Reads the factory (open work, machines and calendars, stock, the live plan) into a plan snapshot. */
@Injectable()
export class PlanModelBuilder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly production: ProductionFacade,
    private readonly masterData: MasterDataFacade,
    private readonly inventory: InventoryFacade,
    private readonly maintenance: MaintenanceFacade,
  ) {}

  async fresh(siteId: string, o: FreshModelOptions): Promise<PlanSnapshot> {
    const m = this.dataSource.manager;
    const feed = await this.production.schedulingFeed(
      siteId,
      { workOrderIds: o.workOrderIds ?? undefined, alsoWorkOrderIds: o.alsoWorkOrderIds },
      m,
    );
    const origin = new Date(Math.floor(o.origin.getTime() / MINUTE_MS) * MINUTE_MS);
    const latestDue = Math.max(origin.getTime(), ...feed.workOrders.map((w) => w.dueAt.getTime()));
    const horizonEnd =
      o.horizonEnd ??
      new Date(
        Math.min(
          origin.getTime() + 365 * DAY_MS,
          Math.max(origin.getTime() + 60 * DAY_MS, latestDue + 30 * DAY_MS),
        ),
      );
    const machineIds = new Set<string>();
    for (const op of feed.operations) {
      for (const e of op.equipmentOptions) machineIds.add(e.equipmentId);
      if (op.equipmentId) machineIds.add(op.equipmentId);
    }
    const calendars = await this.masterData.machineCalendars(siteId, [...machineIds], origin, horizonEnd, m);
    // Maintenance windows and machines that are down are not working time.
    const machines = await this.maintenance.withoutMaintenance(m, calendars, origin, horizonEnd);
    const materialIds = [...new Set(feed.materials.map((l) => l.materialId))];
    const names = await this.masterData.materialNames(
      [...materialIds, ...feed.workOrders.map((w) => w.materialId)],
      m,
    );
    const free = await this.inventory.freeByMaterial(m, siteId, materialIds, NO_ORDER);
    const live =
      o.liveVersionId && o.frozenHorizonMinutes > 0 ? await this.liveStarts(o.liveVersionId) : null;
    const snapshot = composePlan({
      origin,
      horizonEnd,
      objective: o.objective,
      frozenHorizonMinutes: o.frozenHorizonMinutes,
      feed,
      machines,
      onHand: new Map([...free].map(([id, f]) => [id, f.onHand])),
      materialCodes: new Map([...names].map(([id, n]) => [id, n.code])),
      live,
      rushWorkOrderId: o.rushWorkOrderId ?? null,
    });
    const found = new Set(feed.workOrders.map((w) => w.id));
    for (const id of new Set([...(o.workOrderIds ?? []), ...(o.alsoWorkOrderIds ?? [])])) {
      if (found.has(id)) continue;
      snapshot.warnings.push({
        code: 'ORDER_NOT_FOUND',
        message: `Work order ${id} is not an open order of this site (completed, cancelled or unknown)`,
        workOrderId: id,
      });
    }
    return snapshot;
  }

  private async liveStarts(versionId: string): Promise<Map<string, LiveAssignment>> {
    const rows: Array<{ operation_id: string; equipment_id: string; starts_at: Date }> =
      await this.dataSource.query(
        `SELECT operation_id, equipment_id, starts_at FROM schedule_assignment WHERE version_id = $1`,
        [versionId],
      );
    return new Map(rows.map((r) => [r.operation_id, { equipmentId: r.equipment_id, startsAt: r.starts_at }]));
  }
}
