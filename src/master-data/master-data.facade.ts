import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '../platform/audit/audit.service';
import type { Tx } from '../platform/database/transaction-runner';
import { Site } from '../platform/sites/site.entity';
import { Bom, BomLine } from './boms/bom.entity';
import { availableIntervals, MAX_RANGE_DAYS, type AvailableInterval } from './calendars/engine/availability';
import { ShiftCalendar } from './calendars/shift-calendar.entity';
import { addDays, utcToZonedParts, zonedWallTimeToUtc } from './calendars/engine/zoned-time';
import { explodeBom, type BomInput } from './boms/engine/bom-explosion';
import { EquipmentStatusService } from './hierarchy/equipment-status';
import { Routing, RoutingOperation, RoutingOperationEquipment } from './routings/routing.entity';
import type { CatalogRecord } from './catalog/catalog-record';
import { Equipment, type EquipmentStatus } from './hierarchy/equipment.entity';
import { ProductionLine } from './hierarchy/production-line.entity';
import { WorkCenter } from './hierarchy/work-center.entity';
import { StorageLocation, type LocationType } from './locations/storage-location.entity';
import { Material } from './materials/material.entity';
import { Partner } from './partners/partner.entity';
import { ReasonCode } from './reason-codes/reason-code.entity';
import { UnitOfMeasure } from './units/unit.entity';

export type { Material } from './materials/material.entity';
export type { StorageLocation, LocationType } from './locations/storage-location.entity';
export type { ReasonCode, ReasonCategory } from './reason-codes/reason-code.entity';
export type { Equipment, EquipmentStatus } from './hierarchy/equipment.entity';
export type { Routing, RoutingOperation, RoutingOperationEquipment } from './routings/routing.entity';
export type { Bom } from './boms/bom.entity';
export type { WorkCenter } from './hierarchy/work-center.entity';
export type { UnitOfMeasure } from './units/unit.entity';
export type { AvailableInterval } from './calendars/engine/availability';
export {
  DEFAULT_LOT_CODE_PATTERN,
  formatLotCode,
  lotCodeSequenceScope,
  validateLotCodePattern,
} from './materials/engine/lot-code';

/** What other modules may ask master data. Reads only: changes go through the master-data API. */
export interface RoutingSnapshot {
  routing: Routing;
  operations: Array<RoutingOperation & { equipment: RoutingOperationEquipment[] }>;
}

export interface BomSnapshot {
  bom: Bom;
  /** The direct components, sized for the quantity (gross of scrap, 6 decimals). */
  lines: Array<{
    lineNo: number;
    componentId: string;
    unitId: string;
    quantity: string;
    issueMethod: 'manual' | 'backflush';
    operationSeq: number | null;
  }>;
}

/** A machine as the scheduler sees it: where it is and when it can work. */
export interface MachineCalendar {
  equipmentId: string;
  code: string;
  name: string;
  active: boolean;
  status: EquipmentStatus;
  workCenterId: string;
  workCenterCode: string;
  /** The calendar that applies (the work center's, else the site default); null: none, always available. */
  calendarCode: string | null;
  /** Working intervals (UTC) between the two instants asked for; null when no calendar applies. */
  intervals: AvailableInterval[] | null;
}

@Injectable()
export class MasterDataFacade {
  constructor(
    private readonly dataSource: DataSource,
    private readonly equipmentStatus: EquipmentStatusService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Marks a material as inspected on arrival (an IQC or OQC plan now covers it): its new lots start in quarantine.
   * Inside the caller's transaction, audited; false when it was marked already.
   */
  async requireInspection(tx: Tx, siteId: string, materialId: string, reason: string): Promise<boolean> {
    // TypeORM answers [rows, affected] to UPDATE … RETURNING on PostgreSQL.
    const [, affected] = await tx.manager.query<[unknown[], number]>(
      `UPDATE material SET inspection_required = true, version = version + 1, updated_at = now()
        WHERE id = $1 AND site_id = $2 AND NOT inspection_required RETURNING id`,
      [materialId, siteId],
    );
    if (!affected) return false;
    await this.audit.record(tx, {
      entityType: 'material',
      entityId: materialId,
      siteId,
      action: 'material.inspection_required',
      before: { inspectionRequired: false },
      after: { inspectionRequired: true },
      reason,
    });
    return true;
  }

  /** The routing revision of a material valid on a site-local day (or the given revision). */
  async routingFor(
    siteId: string,
    materialId: string,
    day: string,
    revision: number | undefined,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<RoutingSnapshot | undefined> {
    const routing = await this.revisionFor(manager, Routing, siteId, materialId, day, revision);
    if (!routing) return undefined;
    const ops = await manager
      .getRepository(RoutingOperation)
      .find({ where: { routingId: routing.id }, order: { seq: 'ASC' } });
    const eqs = ops.length
      ? await manager
          .getRepository(RoutingOperationEquipment)
          .findBy({ operationId: In(ops.map((o) => o.id)) })
      : [];
    return {
      routing,
      operations: ops.map((o) => ({ ...o, equipment: eqs.filter((e) => e.operationId === o.id) })),
    };
  }

  /** The BOM revision valid on a day (or the given one) with its direct components sized for a quantity. */
  async bomFor(
    siteId: string,
    materialId: string,
    quantity: string,
    day: string,
    revision: number | undefined,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<BomSnapshot | undefined> {
    const bom = await this.revisionFor(manager, Bom, siteId, materialId, day, revision);
    if (!bom) return undefined;
    const lines = await manager
      .getRepository(BomLine)
      .find({ where: { bomId: bom.id }, order: { lineNo: 'ASC' } });
    const input: BomInput = {
      bomId: bom.id,
      materialId,
      baseQuantity: bom.baseQuantity,
      lines: lines.map((l) => ({
        lineNo: l.lineNo,
        componentId: l.componentId,
        quantityPer: l.quantityPer,
        scrapFactor: l.scrapFactor,
        issueMethod: l.issueMethod,
        operationSeq: l.operationSeq,
      })),
    };
    // Only the root BOM is given: sub-assemblies are made by their own work orders.
    const exploded = explodeBom(materialId, quantity, (id) => (id === materialId ? input : undefined));
    const components = await manager
      .getRepository(Material)
      .findBy({ id: In(lines.map((l) => l.componentId)) });
    const unitOf = new Map(components.map((m) => [m.id, m.baseUnitId]));
    return {
      bom,
      lines: exploded.lines.map((l) => ({
        lineNo: l.lineNo,
        componentId: l.componentId,
        unitId: unitOf.get(l.componentId) ?? '',
        quantity: l.grossQuantity,
        issueMethod: l.issueMethod,
        operationSeq: l.operationSeq,
      })),
    };
  }

  /**
   * Machines with their work center and working intervals between two instants (the work center's active
   * calendar, else the site default; a range longer than the calendar engine answers is cut to its limit).
   */
  async machineCalendars(
    siteId: string,
    equipmentIds: string[],
    from: Date,
    to: Date,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<MachineCalendar[]> {
    const ids = [...new Set(equipmentIds)];
    if (ids.length === 0) return [];
    const machines = await manager.getRepository(Equipment).findBy({ siteId, id: In(ids) });
    const centers = new Map(
      (
        await manager
          .getRepository(WorkCenter)
          .findBy({ siteId, id: In([...new Set(machines.map((e) => e.workCenterId))]) })
      ).map((w) => [w.id, w]),
    );
    const calendars = await manager.getRepository(ShiftCalendar).findBy({ siteId, active: true });
    const site = await manager.getRepository(Site).findOneByOrFail({ id: siteId });
    const until = new Date(Math.min(to.getTime(), from.getTime() + MAX_RANGE_DAYS * 86_400_000));
    const computed = new Map<string, AvailableInterval[]>();
    const intervalsOf = (calendar: ShiftCalendar): AvailableInterval[] => {
      let intervals = computed.get(calendar.id);
      if (!intervals) {
        intervals = availableIntervals(
          {
            timeZone: site.timeZone,
            shifts: calendar.shifts,
            holidays: calendar.holidays.map((h) => h.date),
            exceptions: calendar.exceptions,
          },
          from.toISOString(),
          until.toISOString(),
        );
        computed.set(calendar.id, intervals);
      }
      return intervals;
    };
    const siteDefault = calendars.find((c) => c.workCenterId === null);
    return machines.map((e) => {
      const calendar = calendars.find((c) => c.workCenterId === e.workCenterId) ?? siteDefault;
      return {
        equipmentId: e.id,
        code: e.code,
        name: e.name,
        active: e.active,
        status: e.status,
        workCenterId: e.workCenterId,
        workCenterCode: centers.get(e.workCenterId)?.code ?? '',
        calendarCode: calendar?.code ?? null,
        intervals: calendar ? intervalsOf(calendar) : null,
      };
    });
  }

  /** Changes a machine's operational state inside the caller's transaction (audited, event raised). */
  setEquipmentStatus(
    tx: Tx,
    siteId: string,
    equipmentId: string,
    status: EquipmentStatus,
    reason?: string,
  ): Promise<Equipment> {
    return this.equipmentStatus.changeIn(tx, siteId, equipmentId, status, reason);
  }

  private async revisionFor<R extends Bom | Routing>(
    manager: EntityManager,
    entity: new () => R,
    siteId: string,
    materialId: string,
    day: string,
    revision: number | undefined,
  ): Promise<R | undefined> {
    const qb = manager
      .getRepository<Bom | Routing>(entity)
      .createQueryBuilder('r')
      .where('r.siteId = :siteId AND r.materialId = :materialId', { siteId, materialId });
    if (revision !== undefined) qb.andWhere('r.revision = :revision', { revision });
    else qb.andWhere('r.active AND r.validFrom <= :day AND (r.validTo IS NULL OR r.validTo > :day)', { day });
    return ((await qb.orderBy('r.revision', 'DESC').getOne()) as R | null) ?? undefined;
  }

  material(siteId: string, idOrCode: string, manager?: EntityManager): Promise<Material | undefined> {
    return this.find(Material, siteId, idOrCode, manager);
  }

  unit(siteId: string, idOrCode: string, manager?: EntityManager): Promise<UnitOfMeasure | undefined> {
    return this.find(UnitOfMeasure, siteId, idOrCode, manager);
  }

  workCenter(siteId: string, idOrCode: string, manager?: EntityManager): Promise<WorkCenter | undefined> {
    return this.find(WorkCenter, siteId, idOrCode, manager);
  }

  equipment(siteId: string, idOrCode: string, manager?: EntityManager): Promise<Equipment | undefined> {
    return this.find(Equipment, siteId, idOrCode, manager);
  }

  /** The machines of a line (through its work centers), by code. */
  async equipmentOfLine(siteId: string, lineId: string, manager?: EntityManager): Promise<Equipment[]> {
    return (manager ?? this.dataSource.manager)
      .getRepository(Equipment)
      .createQueryBuilder('e')
      .innerJoin(WorkCenter, 'w', 'w.id = e.workCenterId')
      .where('e.siteId = :siteId AND w.lineId = :lineId', { siteId, lineId })
      .orderBy('e.code', 'ASC')
      .getMany();
  }

  line(siteId: string, idOrCode: string, manager?: EntityManager): Promise<ProductionLine | undefined> {
    return this.find(ProductionLine, siteId, idOrCode, manager);
  }

  location(siteId: string, idOrCode: string, manager?: EntityManager): Promise<StorageLocation | undefined> {
    return this.find(StorageLocation, siteId, idOrCode, manager);
  }

  /** A supplier or customer (or both) of the site. */
  partner(siteId: string, idOrCode: string, manager?: EntityManager): Promise<Partner | undefined> {
    return this.find(Partner, siteId, idOrCode, manager);
  }

  reasonCode(siteId: string, idOrCode: string, manager?: EntityManager): Promise<ReasonCode | undefined> {
    return this.find(ReasonCode, siteId, idOrCode, manager);
  }

  /** Code and name of materials by id (for views listing many of them). */
  async materialNames(
    ids: string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, { code: string; name: string }>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await manager
      .getRepository(Material)
      .find({ where: { id: In(unique) }, select: { id: true, code: true, name: true } });
    return new Map(rows.map((r) => [r.id, { code: r.code, name: r.name }]));
  }

  /** Active locations of a type serving a line (line side, WIP), by code. */
  locationsOfLine(
    siteId: string,
    lineId: string,
    type: LocationType,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<StorageLocation[]> {
    return manager
      .getRepository(StorageLocation)
      .find({ where: { siteId, lineId, locationType: type, active: true }, order: { code: 'ASC' } });
  }

  /** The site a line, work center or equipment belongs to (for access checks), if the id exists. */
  async siteOf(
    kind: 'line' | 'workcenter' | 'equipment',
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<string | undefined> {
    if (!isUUID(id)) return undefined;
    const entity = kind === 'line' ? ProductionLine : kind === 'workcenter' ? WorkCenter : Equipment;
    const found = await manager
      .getRepository<CatalogRecord>(entity)
      .findOne({ where: { id }, select: { siteId: true } });
    return found?.siteId;
  }

  /**
   * The instant a local calendar day begins in a time zone: the day `at` falls on there, moved by `dayOffset`
   * days (0: today's midnight, 1: tomorrow's, -6: six days ago). For periods such as "today" or "the last
   * 7 days" in the site's time zone.
   */
  localDayStart(timeZone: string, at: Date, dayOffset = 0): Date {
    const day = addDays(utcToZonedParts(at, timeZone), dayOffset);
    return zonedWallTimeToUtc(day.year, day.month, day.day, 0, 0, timeZone);
  }

  private async find<E extends CatalogRecord>(
    entity: new () => E,
    siteId: string,
    idOrCode: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<E | undefined> {
    const repo = manager.getRepository<CatalogRecord>(entity);
    const where = isUUID(idOrCode) ? { id: idOrCode, siteId } : { code: idOrCode, siteId };
    return ((await repo.findOneBy(where)) as E | null) ?? undefined;
  }
}
