import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MasterDataModule } from '../master-data/master-data.module';
import { InventoryController } from './api/inventory.controller';
import { StockController } from './api/stock.controller';
import { InventoryFacade } from './inventory.facade';
import { InventoryMovement } from './lots/inventory-movement.entity';
import { Lot } from './lots/lot.entity';
import { StockBalance } from './lots/stock-balance.entity';
import { LotStatusService } from './lots/lot-status.service';
import { StockMovementsService } from './lots/stock-movements.service';
import { StockService } from './lots/stock.service';
import { Reservation } from './reservations/reservation.entity';
import { ReservationsController } from './reservations/reservations.controller';
import { ReservationsService } from './reservations/reservations.service';
import { InventorySettings } from './settings/inventory-settings.entity';
import { InventorySettingsController, InventorySettingsService } from './settings/inventory-settings.service';

@Module({
  imports: [
    MasterDataModule,
    TypeOrmModule.forFeature([Lot, StockBalance, InventoryMovement, InventorySettings, Reservation]),
  ],
  controllers: [InventoryController, StockController, InventorySettingsController, ReservationsController],
  providers: [
    StockService,
    StockMovementsService,
    LotStatusService,
    InventorySettingsService,
    ReservationsService,
    InventoryFacade,
  ],
  exports: [InventoryFacade],
})
export class InventoryModule {}
