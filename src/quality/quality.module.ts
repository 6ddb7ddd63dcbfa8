import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Inspection, InspectionResult } from './inspections/inspection.entity';
import { Ncr, NcrLot } from './ncr/ncr.entity';
import { InspectionCharacteristic, InspectionPlan } from './plans/inspection-plan.entity';
import { SpcAnalysisService } from './spc/spc-analysis.service';
import { SpcController } from './spc/spc.controller';
import { SpcExclusion, SpcLimitSet, SpcSignal } from './spc/spc.entities';

/** Quality: inspection plans, inspections, SPC (stateless analysis and stored charts), nonconformance. */
@Module({
  imports: [
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
  controllers: [SpcController],
  providers: [SpcAnalysisService],
})
export class QualityModule {}
