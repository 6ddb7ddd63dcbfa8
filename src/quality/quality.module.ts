import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InventoryModule } from '../inventory/inventory.module';
import { MasterDataModule } from '../master-data/master-data.module';
import { ProductionModule } from '../production/production.module';
import { Inspection, InspectionResult } from './inspections/inspection.entity';
import { InspectionTriggers } from './inspections/inspection-triggers';
import { InspectionsController } from './inspections/inspections.controller';
import { InspectionsService } from './inspections/inspections.service';
import { NcrController } from './ncr/ncr.controller';
import { Ncr, NcrLot } from './ncr/ncr.entity';
import { NcrService } from './ncr/ncr.service';
import { InspectionCharacteristic, InspectionPlan } from './plans/inspection-plan.entity';
import { InspectionPlansController } from './plans/inspection-plans.controller';
import { InspectionPlansService } from './plans/inspection-plans.service';
import { QualityFacade } from './quality.facade';
import { QualityPushes } from './realtime/quality-pushes.listener';
import { SpcAnalysisService } from './spc/spc-analysis.service';
import { SpcChartsController } from './spc/spc-charts.controller';
import { SpcChartsService } from './spc/spc-charts.service';
import { SpcMonitor } from './spc/spc-monitor.service';
import { SpcController } from './spc/spc.controller';
import { SpcExclusion, SpcLimitSet, SpcSignal } from './spc/spc.entities';

/**
 * Quality: inspection plans, inspections (created when due), SPC (stateless analysis and stored charts with
 * frozen limits), the closed loop on rule violations, and nonconformance with signed dispositions. Quality acts
 * on production (holds, rework orders) and inventory (lot status, scrap) through their facades.
 */
@Module({
  imports: [
    MasterDataModule,
    InventoryModule,
    ProductionModule,
    TypeOrmModule.forFeature([
      InspectionPlan,
      InspectionCharacteristic,
      Inspection,
      InspectionResult,
      SpcLimitSet,
      SpcExclusion,
      SpcSignal,
      Ncr,
      NcrLot,
    ]),
  ],
  controllers: [
    SpcController,
    InspectionPlansController,
    InspectionsController,
    SpcChartsController,
    NcrController,
  ],
  providers: [
    SpcAnalysisService,
    InspectionPlansService,
    InspectionsService,
    InspectionTriggers,
    SpcMonitor,
    SpcChartsService,
    NcrService,
    QualityPushes,
    QualityFacade,
  ],
  exports: [QualityFacade],
})
export class QualityModule {}
