import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InventoryModule } from '../inventory/inventory.module';
import { MasterDataModule } from '../master-data/master-data.module';
import { ProductionModule } from '../production/production.module';
import { WmsInboundEvent } from './inbound-event.entity';
import { PickTask, PickTaskLine } from './pick-task.entity';
import { PickTasksService } from './pick-tasks.service';
import { Putaway } from './putaway.entity';
import { WmsController, WmsEventsController } from './wms.controller';
import { WmsBridgeFacade } from './wms-bridge.facade';
import { WmsEventsService } from './wms-events.service';
import { WmsOutboundListener } from './wms-outbound.listener';
import { WmsPushes } from './wms-pushes.listener';
import { WmsTransport } from './wms.transport';

/** Warehouse out (pick, priority, cancel, putaway, freeze through the outbox) and in (signed WMS events). */
@Module({
  imports: [
    MasterDataModule,
    InventoryModule,
    ProductionModule,
    TypeOrmModule.forFeature([PickTask, PickTaskLine, Putaway, WmsInboundEvent]),
  ],
  controllers: [WmsController, WmsEventsController],
  providers: [
    WmsTransport,
    WmsOutboundListener,
    PickTasksService,
    WmsEventsService,
    WmsPushes,
    WmsBridgeFacade,
  ],
  exports: [WmsBridgeFacade],
})
export class WmsBridgeModule {}
