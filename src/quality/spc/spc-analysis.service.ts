import { Injectable } from '@nestjs/common';
import { DomainError } from '../../platform/errors/domain-error';
import { QualityErrorCode } from '../quality.errors';
import { analyze, SpcInputError, type SpcAnalysis } from './engine/analyze';
import type { SpcAnalyzeDto } from './spc-analyze.dto';

/** Stateless analysis of any data set: limits, rule violations and capability, nothing stored. */
@Injectable()
export class SpcAnalysisService {
  analyze(dto: SpcAnalyzeDto): SpcAnalysis {
    try {
      return analyze(dto);
    } catch (err) {
      if (err instanceof SpcInputError)
        throw new DomainError(
          'unprocessable',
          QualityErrorCode.SPC_INPUT_INVALID,
          `The data do not fit a ${dto.chart} chart: ${err.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
          { errors: err.errors },
        );
      throw err;
    }
  }
}
