import { WorkOrderTraceQueries } from './work-orders/work-order-trace.queries';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InventoryModule } from '../inventory/inventory.module';
import { MasterDataModule } from '../master-data/master-data.module';
import { TerminalController, ShopFloorController } from './api/terminal.controller';
import { KittingRateController } from './api/kitting-rate.controller';
import { WorkOrdersController } from './api/work-orders.controller';
import { DispatchService } from './dispatch/dispatch.service';
import {
  MaterialConsumption,
  OperationLabor,
  OperationPause,
  OperationReport,
  WorkOrderOperation,
} from './operations/operation.entity';
import { OperationScheduleService } from './operations/operation-schedule.service';
import { ProductionFacade } from './production.facade';
import './production.events';
import { ProductionPushes } from './realtime/production-pushes.listener';
import { ProductionSettings } from './settings/production-settings.entity';
import {
  ProductionSettingsController,
  ProductionSettingsService,
} from './settings/production-settings.service';
import { AndonCall, DowntimeEvent, ProcessReading } from './shop-floor/shop-floor.entities';
import { ShopFloorService } from './shop-floor/shop-floor.service';
import { MachineDowntimeService } from './shop-floor/machine-downtime.service';
import { MachineHistoryQueries } from './shop-floor/machine-history.queries';
import { OperationCommandsService } from './terminal/operation-commands.service';
import { ReportQuantityService } from './terminal/report-quantity.service';
import { WorkOrder, WorkOrderMaterial } from './work-orders/work-order.entity';
import { KittingRateService } from './work-orders/kitting-rate.service';
import { ReservationSyncListener } from './work-orders/reservation-sync.listener';
import { WorkOrdersService } from './work-orders/work-orders.service';

@Module({
  imports: [
    MasterDataModule,
    InventoryModule,
    TypeOrmModule.forFeature([
      ProductionSettings,
      WorkOrder,
      WorkOrderMaterial,
      WorkOrderOperation,
      OperationLabor,
      OperationPause,
      OperationReport,
      MaterialConsumption,
      ProcessReading,
      DowntimeEvent,
      AndonCall,
    ]),
  ],
  controllers: [
    KittingRateController,
    WorkOrdersController,
    TerminalController,
    ShopFloorController,
    ProductionSettingsController,
  ],
  providers: [
    ProductionSettingsService,
    WorkOrdersService,
    ReservationSyncListener,
    KittingRateService,
    ReportQuantityService,
    OperationCommandsService,
    ShopFloorService,
    MachineDowntimeService,
    DispatchService,
    OperationScheduleService,
    ProductionPushes,
    WorkOrderTraceQueries,
    MachineHistoryQueries,
    ProductionFacade,
  ],
  exports: [ProductionFacade],
})
export class ProductionModule {}
