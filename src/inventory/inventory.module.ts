import { LotTraceQueries } from './trace/lot-trace.queries';
import { Shipment, ShipmentLine } from './shipments/shipment.entity';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MasterDataModule } from '../master-data/master-data.module';
import { InventoryController } from './api/inventory.controller';
import { StockController } from './api/stock.controller';
import { LotSplitMergeController } from './api/lot-split-merge.controller';
import { InventoryFacade } from './inventory.facade';
import { InventoryMovement } from './lots/inventory-movement.entity';
import { Lot } from './lots/lot.entity';
import { StockBalance } from './lots/stock-balance.entity';
import { LotExpiryJob } from './lots/lot-expiry.job';
import { LotStatusService } from './lots/lot-status.service';
import { LotHistory } from './lots/lot-history';
import { StockMovementsService } from './lots/stock-movements.service';
import { StockService } from './lots/stock.service';
import { LotSplitMergeService } from './lots/lot-split-merge.service';
import { ShipmentsController } from './shipments/shipments.controller';
import { ShipmentsService } from './shipments/shipments.service';
import { AdjustmentsController } from './adjustments/adjustments.controller';
import { AdjustmentsService } from './adjustments/adjustments.service';
import { StockAdjustment } from './adjustments/stock-adjustment.entity';
import { LineReplenishmentsService } from './line-side/line-replenishments.service';
import { LineSideCheck } from './line-side/line-side-check.service';
import { LineSideController } from './line-side/line-side.controller';
import { LineReplenishment, LineStockLevel } from './line-side/line-side.entities';
import { OutsourcingController } from './outsourcing/outsourcing.controller';
import { LotLink, OutsourcingOrder } from './outsourcing/outsourcing.entities';
import { OutsourcingService } from './outsourcing/outsourcing.service';
import { Reservation } from './reservations/reservation.entity';
import { SerialNumber } from './serials/serial-number.entity';
import { SerialsController } from './serials/serials.controller';
import { SerialsService } from './serials/serials.service';
import { SafetyStockState } from './safety-stock/safety-stock-state.entity';
import { SafetyStockService } from './safety-stock/safety-stock.service';
import { ReservationsController } from './reservations/reservations.controller';
import { ReservationsService } from './reservations/reservations.service';
import { InventorySettings } from './settings/inventory-settings.entity';
import { InventorySettingsController, InventorySettingsService } from './settings/inventory-settings.service';

import { PurchaseRequisition } from './requisitions/purchase-requisition.entity';
import { PurchaseRequisitionsController } from './requisitions/purchase-requisitions.controller';
import { PurchaseRequisitionsService } from './requisitions/purchase-requisitions.service';

@Module({
  imports: [
    MasterDataModule,
    TypeOrmModule.forFeature([
      Lot,
      StockBalance,
      InventoryMovement,
      InventorySettings,
      Reservation,
      StockAdjustment,
      SafetyStockState,
      LineStockLevel,
      LineReplenishment,
      OutsourcingOrder,
      LotLink,
      SerialNumber,
      Shipment,
      ShipmentLine,
      PurchaseRequisition,
    ]),
  ],
  controllers: [
    InventoryController,
    StockController,
    InventorySettingsController,
    ReservationsController,
    AdjustmentsController,
    LineSideController,
    OutsourcingController,
    SerialsController,
    LotSplitMergeController,
    ShipmentsController,
    PurchaseRequisitionsController,
  ],
  providers: [
    LotHistory,
    StockService,
    StockMovementsService,
    LotStatusService,
    InventorySettingsService,
    ReservationsService,
    SafetyStockService,
    AdjustmentsService,
    LineSideCheck,
    LineReplenishmentsService,
    OutsourcingService,
    LotExpiryJob,
    SerialsService,
    LotSplitMergeService,
    ShipmentsService,
    LotTraceQueries,
    PurchaseRequisitionsService,
    InventoryFacade,
  ],
  exports: [InventoryFacade],
})
export class InventoryModule {}
