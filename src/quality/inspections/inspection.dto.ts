import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { INSPECTION_TYPES, type InspectionType } from '../plans/inspection-plan.entity';
import { INSPECTION_STATUSES } from './inspection.entity';

/** A measured value: a decimal string or a JSON number (kept as written), at most 6 fraction digits. */
const IsMeasuredValue = (): PropertyDecorator =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'number' && Number.isFinite(value) ? String(value) : value,
    ),
    Matches(/^-?\d{1,12}(\.\d{1,6})?$/, {
      message: 'value must be a decimal number with at most 12 integer and 6 fraction digits',
    }),
  );

export class ResultDto {
  @ApiProperty({ description: 'Characteristic id or code', example: 'DIA' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  characteristic: string;

  @ApiProperty({ example: 1, description: '1 … the inspection sample size' })
  @IsInt()
  @Min(1)
  @Max(1000)
  sampleNo: number;

  @ApiPropertyOptional({ example: '39.987', description: 'Variable characteristics: the measured value' })
  @IsOptional()
  @IsMeasuredValue()
  value?: string;

  @ApiPropertyOptional({ description: 'pass_fail attributes' })
  @IsOptional()
  @IsBoolean()
  passed?: boolean;

  @ApiPropertyOptional({ example: 0, description: 'defect_count attributes: defects found on the sample' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  defectCount?: number;

  @ApiPropertyOptional({ type: [String], example: ['D-SCRATCH'], description: 'Defect codes found' })
  @IsOptional()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  defectCodes?: string[];

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class RecordResultsDto {
  @ApiProperty({ type: [ResultDto] })
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ResultDto)
  results: ResultDto[];
}

export class DecisionDto {
  @ApiProperty({ enum: ['pass', 'fail'] })
  @IsIn(['pass', 'fail'])
  outcome: 'pass' | 'fail';

  @ApiPropertyOptional({
    description:
      'Why: required for a partial inspection (fewer samples than the plan) or a decision against suggestedOutcome',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;
}

export class CancelInspectionDto {
  @ApiProperty({ example: 'Lot returned to the supplier unopened' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
}

export class CreateInspectionDto {
  @ApiProperty({ description: 'Inspection plan id or code', example: 'OQC-SA100' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  plan: string;

  @ApiPropertyOptional({ description: 'IQC/OQC: the lot (id or code)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  lot?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'IPQC: the work order operation' })
  @IsOptional()
  @IsUUID()
  operation?: string;
}

const STATUS_LIST = new RegExp(`^(${INSPECTION_STATUSES.join('|')})(,(${INSPECTION_STATUSES.join('|')}))*$`);

export class InspectionQueryDto {
  @ApiPropertyOptional({ example: 'pending,in_progress', description: 'Comma-separated statuses' })
  @IsOptional()
  @Matches(STATUS_LIST, {
    message: `status must be a comma-separated list of ${INSPECTION_STATUSES.join(', ')}`,
  })
  status?: string;

  @ApiPropertyOptional({ enum: INSPECTION_TYPES })
  @IsOptional()
  @IsIn(INSPECTION_TYPES)
  type?: InspectionType;

  @ApiPropertyOptional({ description: 'Work center id or code (the terminal list)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  workCenter?: string;

  @ApiPropertyOptional({ description: 'Lot id or code' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  lot?: string;

  @ApiPropertyOptional({ description: 'Work order id or code' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  workOrder?: string;

  @ApiPropertyOptional({ description: 'Inspection plan id or code' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  plan?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
