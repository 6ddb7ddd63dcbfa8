import { Module } from '@nestjs/common';
import { SpcAnalysisService } from './spc/spc-analysis.service';
import { SpcController } from './spc/spc.controller';

/** Quality: SPC analysis (inspection plans, inspections and nonconformance join here). */
@Module({
  controllers: [SpcController],
  providers: [SpcAnalysisService],
})
export class QualityModule {}
