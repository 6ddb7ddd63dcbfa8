import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

export class ChartQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 5000, default: 200, description: 'The last this many points' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit?: number;

  @ApiPropertyOptional({
    description: 'Inspection code or id: only the points before it (to page back through a long chart)',
    example: 'INS-2026-000120',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  before?: string;
}

export class FreezeLimitsDto {
  @ApiPropertyOptional({
    description: 'First inspection (code or id) of the phase I range; default: the chart’s first point',
    example: 'INS-2026-000001',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  fromInspection?: string;

  @ApiPropertyOptional({
    description: 'Last inspection (code or id) of the phase I range; default: the chart’s latest point',
    example: 'INS-2026-000025',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  toInspection?: string;

  @ApiPropertyOptional({ example: '25 subgroups after the spindle overhaul, process stable' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;

  @ApiPropertyOptional({
    description:
      'The limits version you saw (0: none frozen yet); refused with 409 when it changed meanwhile',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  expectedLimitsVersion?: number;
}

export class ExclusionDto {
  @ApiProperty({ description: 'Inspection (code or id) whose point is excluded', example: 'INS-2026-000007' })
  @IsString()
  @MaxLength(64)
  inspection: string;

  @ApiProperty({ description: 'The assignable cause (可查明原因)', example: 'Tool broke, replaced at 10:40' })
  @IsString()
  @MaxLength(500)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason: string;
}

export class RemoveExclusionDto {
  @ApiProperty({ example: 'Tool break not confirmed by maintenance' })
  @IsString()
  @MaxLength(500)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason: string;
}

export class SignalQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only signals of this characteristic' })
  @IsOptional()
  @IsUUID()
  characteristic?: string;

  @ApiPropertyOptional({ description: 'Only signals detected at or after this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
