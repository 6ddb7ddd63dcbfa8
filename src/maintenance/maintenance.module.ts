import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InventoryModule } from '../inventory/inventory.module';
import { MasterDataModule } from '../master-data/master-data.module';
import { ProductionModule } from '../production/production.module';
import {
  AssetsController,
  MaintenanceBoardController,
  PmPlansController,
  TicketsController,
} from './api/maintenance.controllers';
import { Asset, Meter, MeterReadingRow } from './assets/asset.entities';
import { AssetsService } from './assets/assets.service';
import { BoardService } from './board/board.service';
import { TechniciansService } from './board/technicians.service';
import { MaintenanceFacade } from './maintenance.facade';
import './maintenance.events';
import { PmDueJob } from './pm/pm-due.job';
import { PmPlan } from './pm/pm-plan.entity';
import { PmDueCalculator } from './pm/pm-due.calculator';
import { PmPlansService } from './pm/pm-plans.service';
import { MaintenancePushes } from './realtime/maintenance-pushes.listener';
import { PerformanceService } from './reliability/performance.service';
import { Ticket, TicketLabour, TicketPart } from './tickets/ticket.entities';
import { TicketsService } from './tickets/tickets.service';

/** EAM/CMMS: assets, meters, PM plans, tickets, spare parts, reliability and OEE. */
@Module({
  imports: [
    MasterDataModule,
    InventoryModule,
    ProductionModule,
    TypeOrmModule.forFeature([Asset, Meter, MeterReadingRow, PmPlan, Ticket, TicketLabour, TicketPart]),
  ],
  controllers: [AssetsController, PmPlansController, TicketsController, MaintenanceBoardController],
  providers: [
    AssetsService,
    PmDueCalculator,
    TicketsService,
    PmPlansService,
    PmDueJob,
    PerformanceService,
    BoardService,
    TechniciansService,
    MaintenancePushes,
    MaintenanceFacade,
  ],
  exports: [MaintenanceFacade],
})
export class MaintenanceModule {}
