import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InventoryModule } from '../inventory/inventory.module';
import { MaintenanceModule } from '../maintenance/maintenance.module';
import { MasterDataModule } from '../master-data/master-data.module';
import { ProductionModule } from '../production/production.module';
import { PlanningController } from './api/planning.controller';
import { PlanModelBuilder } from './model/plan-model.builder';
import './planning.events';
import { PublishScheduleService } from './publishing/publish-schedule.service';
import { PlanningPushes } from './realtime/planning-pushes.listener';
import { BreakdownReplanService } from './replan/breakdown-replan.service';
import { PlanSolver } from './runs/plan-solver';
import { ScheduleRunExecutor } from './runs/schedule-run.executor';
import { ScheduleRunsService } from './runs/schedule-runs.service';
import { ScenarioModelService } from './scenarios/scenario-model.service';
import { ScenariosService } from './scenarios/scenarios.service';
import { ScheduleAssignment, ScheduleVersion } from './versions/schedule-version.entity';
import { ScheduleVersionsRepository } from './versions/schedule-versions.repository';
import { ScheduleViewsService } from './views/schedule-views.service';

/** APS: schedule runs in worker threads, versions, publication to the shop floor, rush orders, what-ifs. */
@Module({
  imports: [
    MasterDataModule,
    InventoryModule,
    ProductionModule,
    MaintenanceModule,
    TypeOrmModule.forFeature([ScheduleVersion, ScheduleAssignment]),
  ],
  controllers: [PlanningController],
  providers: [
    ScheduleVersionsRepository,
    PlanModelBuilder,
    ScenarioModelService,
    PlanSolver,
    ScheduleRunExecutor,
    ScheduleRunsService,
    ScenariosService,
    PublishScheduleService,
    ScheduleViewsService,
    PlanningPushes,
    BreakdownReplanService,
  ],
})
export class PlanningModule {}
