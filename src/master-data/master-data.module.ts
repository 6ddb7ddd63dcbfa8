import { Injectable, Module, type OnModuleInit, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../platform/audit/audit.service';
import { TransactionRunner } from '../platform/database/transaction-runner';
import { RoomAccessRegistry } from '../platform/realtime/room-access';
import type { CatalogDefinition } from './catalog/catalog-definition';
import type { CatalogRecord } from './catalog/catalog-record';
import {
  CalendarAvailabilityController,
  CalendarAvailabilityService,
} from './calendars/calendar-availability';
import { SHIFT_CALENDAR_CATALOG } from './calendars/shift-calendar.catalog';
import { ShiftCalendar } from './calendars/shift-calendar.entity';
import { catalogController, catalogServiceToken } from './catalog/catalog.controller';
import { CatalogService } from './catalog/catalog.service';
import { BomTransferService } from './boms/bom-transfer';
import { BomsController } from './boms/boms.controller';
import { BomsService } from './boms/boms.service';
import { Bom, BomLine } from './boms/bom.entity';
import { Area } from './hierarchy/area.entity';
import { EquipmentStatusController, EquipmentStatusService } from './hierarchy/equipment-status';
import { Equipment } from './hierarchy/equipment.entity';
import { HierarchyTreeController, HierarchyTreeService } from './hierarchy/hierarchy-tree';
import {
  AREA_CATALOG,
  EQUIPMENT_CATALOG,
  LINE_CATALOG,
  WORK_CENTER_CATALOG,
} from './hierarchy/hierarchy.catalogs';
import { ProductionLine } from './hierarchy/production-line.entity';
import { WorkCenter } from './hierarchy/work-center.entity';
import { MasterDataFacade } from './master-data.facade';
import { RoutingTransferService } from './routings/routing-transfer';
import { RoutingsController } from './routings/routings.controller';
import { RoutingsService } from './routings/routings.service';
import { Routing, RoutingOperation, RoutingOperationEquipment } from './routings/routing.entity';
import './master-data.events';
import { STORAGE_LOCATION_CATALOG } from './locations/storage-location.catalog';
import { StorageLocation } from './locations/storage-location.entity';
import { MATERIAL_CATALOG } from './materials/material.catalog';
import { Material } from './materials/material.entity';
import { MaterialUnitConversion } from './materials/unit-conversion.entity';
import { UnitConversionsController, UnitConversionsService } from './materials/unit-conversions';
import { PARTNER_CATALOG } from './partners/partner.catalog';
import { Partner } from './partners/partner.entity';
import { REASON_CODE_CATALOG } from './reason-codes/reason-code.catalog';
import { ReasonCode } from './reason-codes/reason-code.entity';
import { UNIT_CATALOG } from './units/unit.catalog';
import { UnitOfMeasure } from './units/unit.entity';

type AnyRecord = CatalogRecord & Record<string, unknown>;
/** The catalogs differ in their record type; the generic service and controller only need the shared part. */
const erase = <E extends CatalogRecord>(def: CatalogDefinition<E>): CatalogDefinition<AnyRecord> =>
  def as unknown as CatalogDefinition<AnyRecord>;

const CATALOGS = [
  UNIT_CATALOG,
  AREA_CATALOG,
  LINE_CATALOG,
  WORK_CENTER_CATALOG,
  EQUIPMENT_CATALOG,
  PARTNER_CATALOG,
  STORAGE_LOCATION_CATALOG,
  MATERIAL_CATALOG,
  REASON_CODE_CATALOG,
  SHIFT_CALENDAR_CATALOG,
].map(erase);

const catalogProviders: Provider[] = CATALOGS.map((def) => ({
  provide: catalogServiceToken(def.path),
  inject: [DataSource, TransactionRunner, AuditService],
  useFactory: (ds: DataSource, tx: TransactionRunner, audit: AuditService) =>
    new CatalogService<AnyRecord>(def, ds, tx, audit),
}));

/** Who may join line/workcenter/equipment rooms: users of the site that owns the thing. */
@Injectable()
class MasterDataRooms implements OnModuleInit {
  constructor(
    private readonly rooms: RoomAccessRegistry,
    private readonly facade: MasterDataFacade,
  ) {}

  onModuleInit(): void {
    for (const kind of ['line', 'workcenter', 'equipment'] as const) {
      this.rooms.register(kind, async (p, id) => {
        const siteId = await this.facade.siteOf(kind, id);
        return siteId !== undefined && p.siteIds.includes(siteId);
      });
    }
  }
}

@Module({
  imports: [
    TypeOrmModule.forFeature([
      UnitOfMeasure,
      Area,
      ProductionLine,
      WorkCenter,
      Equipment,
      Partner,
      StorageLocation,
      Material,
      ReasonCode,
      Bom,
      BomLine,
      Routing,
      RoutingOperation,
      RoutingOperationEquipment,
      ShiftCalendar,
      MaterialUnitConversion,
    ]),
  ],
  // Specific routes (equipment status, calendar availability) come before the generic catalog routes,
  // so /equipment/:id/status and /calendars/availability are not taken for /:id.
  controllers: [
    EquipmentStatusController,
    CalendarAvailabilityController,
    HierarchyTreeController,
    UnitConversionsController,
    BomsController,
    RoutingsController,
    ...CATALOGS.map((def) => catalogController(def)),
  ],
  providers: [
    ...catalogProviders,
    EquipmentStatusService,
    CalendarAvailabilityService,
    HierarchyTreeService,
    UnitConversionsService,
    BomsService,
    BomTransferService,
    RoutingsService,
    RoutingTransferService,
    MasterDataFacade,
    MasterDataRooms,
  ],
  exports: [MasterDataFacade],
})
export class MasterDataModule {}
