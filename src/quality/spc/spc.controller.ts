import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { SpcAnalysis } from './engine/analyze';
import { SpcAnalysisService } from './spc-analysis.service';
import { SpcAnalyzeDto } from './spc-analyze.dto';

@ApiTags('quality: SPC')
@Controller('quality/spc')
export class SpcController {
  constructor(private readonly spc: SpcAnalysisService) {}

  /** Any signed-in user may analyse a data set: nothing is read or stored. */
  @Post('analyze')
  @HttpCode(200)
  @ApiOkResponse({
    description:
      'Center line and control limits (per point when sample sizes vary), the estimated process sigma, every point with the rules it violates, and capability when spec limits are given',
  })
  @ApiUnprocessableEntityResponse({
    description: 'SPC_INPUT_INVALID: the data do not fit the chart (fields named)',
  })
  analyze(@Body() dto: SpcAnalyzeDto): SpcAnalysis {
    return this.spc.analyze(dto);
  }
}
