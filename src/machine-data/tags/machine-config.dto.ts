import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  COUNT_MODES,
  TAG_ROLES,
  type CountMode,
  type MachineState,
  type TagRole,
} from '../machine-data.entities';

export class TagMappingDto {
  @ApiProperty({
    description:
      'Where the value comes from: a plain JSON topic `mom/{site}/{line}/{equipment}/{state|count|param}`, or a ' +
      'Sparkplug B device `spBv1.0/{group}/{edge node}/{device}` (or an edge node `spBv1.0/{group}/{edge node}`)',
    example: 'mom/P1/L1/LATHE-1/count',
  })
  @IsString()
  @Length(1, 300)
  source: string;

  @ApiProperty({
    description: 'The payload key (plain JSON; `value` for a bare value) or Sparkplug metric name',
    example: 'good',
  })
  @IsString()
  @Length(1, 100)
  metric: string;

  @ApiProperty({ enum: TAG_ROLES, description: 'What the tag means for the machine' })
  @IsIn(TAG_ROLES)
  role: TagRole;

  @ApiPropertyOptional({
    description:
      'For `parameter`: the routing parameter it measures (its limits apply while an operation runs)',
    example: 'Spindle temperature',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  parameterName?: string;

  @ApiPropertyOptional({ example: '°C' }) @IsOptional() @IsString() @MaxLength(32) unit?: string;

  @ApiPropertyOptional({ description: 'Own lower limit (instead of the routing parameter’s)' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1e15)
  @Max(1e15)
  min?: number;

  @ApiPropertyOptional({ description: 'Own upper limit (instead of the routing parameter’s)' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1e15)
  @Max(1e15)
  max?: number;

  @ApiPropertyOptional({
    description: 'For `state`: the machine’s own codes to running, idle, down, setup, off',
    example: { '1': 'running', '2': 'idle', '3': 'down' },
  })
  @IsOptional()
  @IsObject()
  stateMap?: Record<string, MachineState>;
}

export class PutMachineDto {
  @ApiPropertyOptional({
    enum: COUNT_MODES,
    default: 'cross_check',
    description:
      '`authority`: the machine’s counts are reported on the running operation; `cross_check`: operators report, ' +
      'the machine’s count is compared at completion; `off`: counts only feed meters',
  })
  @IsOptional()
  @IsIn(COUNT_MODES)
  countMode?: CountMode;

  @ApiPropertyOptional({
    description: 'Cross-check tolerance: share of the reported total, %',
    default: 0,
    example: 2,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  tolerancePct?: number;

  @ApiPropertyOptional({
    description: 'Cross-check tolerance in pieces (the larger of the two applies)',
    default: 0,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e9)
  toleranceQty?: number;

  @ApiPropertyOptional({
    description: 'Scrap reason for scrap the machine counts (required for authority with a scrap counter)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  scrapReasonCode?: string;

  @ApiProperty({
    type: [TagMappingDto],
    description: 'The machine’s tags; tags left out are removed with their values',
  })
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => TagMappingDto)
  tags: TagMappingDto[];

  @ApiPropertyOptional({ description: 'The version read (optimistic lock); omit when creating' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

export class SeriesQueryDto {
  @ApiProperty({ example: '2026-11-22T08:00:00Z' }) @IsISO8601({ strict: true }) from: string;
  @ApiProperty({ example: '2026-11-22T09:00:00Z' }) @IsISO8601({ strict: true }) to: string;

  @ApiPropertyOptional({
    enum: ['auto', 'raw', 'minute', 'hour'],
    default: 'auto',
    description: 'auto: raw up to 2 h, minute rollups up to 7 days, hour rollups beyond',
  })
  @IsOptional()
  @IsIn(['auto', 'raw', 'minute', 'hour'])
  resolution?: 'auto' | 'raw' | 'minute' | 'hour';

  @ApiPropertyOptional({ default: 5000, maximum: 20000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20000)
  limit?: number;
}

export class TagChartQueryDto {
  @ApiProperty({ example: '2026-11-22T08:00:00Z' }) @IsISO8601({ strict: true }) from: string;
  @ApiProperty({ example: '2026-11-22T16:00:00Z' }) @IsISO8601({ strict: true }) to: string;

  @ApiPropertyOptional({ enum: ['imr', 'xbar-r', 'xbar-s'], default: 'imr' })
  @IsOptional()
  @IsIn(['imr', 'xbar-r', 'xbar-s'])
  chart?: 'imr' | 'xbar-r' | 'xbar-s';

  @ApiPropertyOptional({
    description: 'Subgroup size for x̄ charts (consecutive values)',
    default: 5,
    minimum: 2,
    maximum: 25,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(25)
  n?: number;

  @ApiPropertyOptional({ enum: ['nelson', 'we'], default: 'nelson' })
  @IsOptional()
  @IsIn(['nelson', 'we'])
  rules?: 'nelson' | 'we';

  @ApiPropertyOptional({ description: 'Lower specification limit (default: the tag’s own min)' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  lsl?: number;

  @ApiPropertyOptional({ description: 'Upper specification limit (default: the tag’s own max)' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  usl?: number;
}
