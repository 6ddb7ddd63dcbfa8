import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsQuantity } from '../../platform/http/quantity';
import { CHART_TYPES, type ChartType } from '../spc/engine/charts';
import {
  ATTRIBUTE_TYPES,
  CHARACTERISTIC_KINDS,
  INSPECTION_FREQUENCIES,
  INSPECTION_TYPES,
  RULE_SETS,
  type AttributeType,
  type CharacteristicKind,
  type InspectionFrequency,
  type InspectionType,
  type RuleSet,
} from './inspection-plan.entity';

const CODE = /^[A-Za-z0-9._-]{1,64}$/;

/** A signed decimal (spec limits may be negative); JSON numbers are kept as written, never summed as floats. */
const IsSignedDecimal = (field: string): PropertyDecorator =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'number' && Number.isFinite(value) ? String(value) : value,
    ),
    Matches(/^-?\d{1,12}(\.\d{1,6})?$/, {
      message: `${field} must be a decimal with at most 12 integer and 6 fraction digits`,
    }),
  );

/** A characteristic's settings that may change after creation (spec, chart, rules, reactions). */
class CharacteristicSettingsDto {
  @ApiPropertyOptional({ example: 'mm' }) @IsOptional() @IsString() @MaxLength(32) unit?: string;

  @ApiPropertyOptional({ example: '39.975', description: 'Lower spec limit (variable)' })
  @IsOptional()
  @IsSignedDecimal('lsl')
  lsl?: string;

  @ApiPropertyOptional({ example: '40.000', description: 'Upper spec limit (variable)' })
  @IsOptional()
  @IsSignedDecimal('usl')
  usl?: string;

  @ApiPropertyOptional({ example: '39.988', description: 'Nominal (variable), between the limits' })
  @IsOptional()
  @IsSignedDecimal('target')
  target?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['D-SCRATCH'],
    description: 'Reason codes (category defect) an inspector may record; empty = any active one',
  })
  @IsOptional()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  defectCodes?: string[];

  @ApiPropertyOptional({
    enum: CHART_TYPES,
    description: 'xbar-r, xbar-s, imr (variable); p, np (pass_fail); c, u (defect_count)',
  })
  @IsOptional()
  @IsIn(CHART_TYPES)
  chart?: ChartType;

  @ApiPropertyOptional({ enum: RULE_SETS, default: 'nelson' })
  @IsOptional()
  @IsIn(RULE_SETS)
  ruleSet?: RuleSet;

  @ApiPropertyOptional({ example: 3, default: 3, description: 'Control limits at ± this many sigma' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0.01)
  @Max(6)
  nSigma?: number;

  @ApiPropertyOptional({ default: false, description: 'A rule violation opens an NCR' })
  @IsOptional()
  @IsBoolean()
  violationOpensNcr?: boolean;

  @ApiPropertyOptional({ default: false, description: 'A rule violation holds the running work order' })
  @IsOptional()
  @IsBoolean()
  violationHoldsWorkOrder?: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'A rule violation holds the lots produced since the last good sample',
  })
  @IsOptional()
  @IsBoolean()
  violationHoldsLots?: boolean;
}

export class CharacteristicDto extends CharacteristicSettingsDto {
  @ApiProperty({ example: 'DIA' })
  @Matches(CODE, { message: 'code must be 1-64 letters, digits, . _ or -' })
  code: string;

  @ApiProperty({ example: 'Diameter Ø40 h6' }) @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiPropertyOptional({ example: '直径 Ø40 h6' }) @IsOptional() @IsString() @MaxLength(200) nameZh?: string;

  @ApiProperty({ enum: CHARACTERISTIC_KINDS }) @IsIn(CHARACTERISTIC_KINDS) kind: CharacteristicKind;

  @ApiPropertyOptional({ enum: ATTRIBUTE_TYPES, description: 'Required for an attribute' })
  @IsOptional()
  @IsIn(ATTRIBUTE_TYPES)
  attributeType?: AttributeType;
}

export class CreateInspectionPlanDto {
  @ApiProperty({ example: 'IQC-SHAFT' })
  @Matches(CODE, { message: 'code must be 1-64 letters, digits, . _ or -' })
  code: string;

  @ApiProperty({ example: 'Incoming shaft blanks' }) @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiPropertyOptional({ example: '轴毛坯来料检验' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  nameZh?: string;

  @ApiProperty({ enum: INSPECTION_TYPES }) @IsIn(INSPECTION_TYPES) type: InspectionType;

  @ApiProperty({ description: 'Material id or code', example: 'SHAFT' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  material: string;

  @ApiPropertyOptional({ example: 10, description: 'IPQC: the operation (seq) in the material routing' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(9999)
  operationSeq?: number;

  @ApiPropertyOptional({
    enum: INSPECTION_FREQUENCIES,
    description: 'lot for IQC/OQC (the default); count or time for IPQC',
  })
  @IsOptional()
  @IsIn(INSPECTION_FREQUENCIES)
  frequency?: InspectionFrequency;

  @ApiPropertyOptional({ example: '10', description: 'count: an inspection every this many good units' })
  @IsOptional()
  @IsQuantity('frequencyQty')
  frequencyQty?: string;

  @ApiPropertyOptional({ example: 60, description: 'time: an inspection every this many minutes' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10080)
  frequencyMinutes?: number;

  @ApiProperty({ example: 5, description: 'Samples per inspection (subgroup size)' })
  @IsInt()
  @Min(1)
  @Max(1000)
  sampleSize: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) notes?: string;

  @ApiProperty({ type: [CharacteristicDto] })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CharacteristicDto)
  characteristics: CharacteristicDto[];
}

/**
 * A characteristic in a plan change: an existing one (by code) takes the settings given; a new code adds a
 * characteristic and then needs what a new one needs (name, kind …). Kind and attribute type never change.
 */
export class CharacteristicChangeDto extends CharacteristicSettingsDto {
  @ApiProperty({ example: 'DIA', description: 'An existing code changes it; a new code adds one' })
  @Matches(CODE, { message: 'code must be 1-64 letters, digits, . _ or -' })
  code: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) nameZh?: string;
  @ApiPropertyOptional({ enum: CHARACTERISTIC_KINDS })
  @IsOptional()
  @IsIn(CHARACTERISTIC_KINDS)
  kind?: CharacteristicKind;
  @ApiPropertyOptional({ enum: ATTRIBUTE_TYPES })
  @IsOptional()
  @IsIn(ATTRIBUTE_TYPES)
  attributeType?: AttributeType;
  @ApiPropertyOptional({ description: 'false: no longer inspected on new inspections' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateInspectionPlanDto {
  @ApiProperty({ description: 'The plan version you saw; 409 when someone changed it meanwhile' })
  @IsInt()
  @Min(1)
  expectedVersion: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) nameZh?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(1000) sampleSize?: number;
  @ApiPropertyOptional({ description: 'count plans' })
  @IsOptional()
  @IsQuantity('frequencyQty')
  frequencyQty?: string;
  @ApiPropertyOptional({ description: 'time plans' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10080)
  frequencyMinutes?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) notes?: string;
  @ApiPropertyOptional({ description: 'false: no more inspections are created from the plan' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: [CharacteristicChangeDto] })
  @IsOptional()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CharacteristicChangeDto)
  characteristics?: CharacteristicChangeDto[];
}

export class InspectionPlanQueryDto {
  @ApiPropertyOptional({ enum: INSPECTION_TYPES })
  @IsOptional()
  @IsIn(INSPECTION_TYPES)
  type?: InspectionType;
  @ApiPropertyOptional({ description: 'Material id or code' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  material?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  active?: 'true' | 'false';
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1000000)
  offset?: number;
}
