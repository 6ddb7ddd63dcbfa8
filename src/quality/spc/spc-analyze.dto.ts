import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import type { RuleId } from './engine/analyze';

export const SPC_CHARTS = ['xbar-r', 'xbar-s', 'imr', 'p', 'np', 'c', 'u'] as const;
const MAX_POINTS = 10_000;
const MAX_SUBGROUP = 1_000;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** An array of arrays of finite numbers (subgroups), within size limits. */
function IsSubgroups(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSubgroups',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.length <= MAX_POINTS &&
          value.every(
            (g) => Array.isArray(g) && g.length >= 1 && g.length <= MAX_SUBGROUP && g.every((x) => finite(x)),
          ),
        defaultMessage: () =>
          `subgroups must be at most ${MAX_POINTS} arrays of 1 to ${MAX_SUBGROUP} finite numbers each`,
      },
    },
    options,
  );
}

/** An array of finite numbers. */
function IsFiniteNumbers(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isFiniteNumbers',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) && value.length <= MAX_POINTS && value.every((x) => finite(x)),
        defaultMessage: (args) =>
          `${args?.property} must be an array of at most ${MAX_POINTS} finite numbers`,
      },
    },
    options,
  );
}

export class SpcCountDto {
  @ApiProperty({
    description: 'Nonconforming units (p, np) or nonconformities (c, u) in the sample',
    minimum: 0,
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  count: number;

  @ApiProperty({ description: 'Sample size (units inspected; inspection units for u), above 0' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(Number.MIN_VALUE)
  size: number;
}

export class SpcPhaseIDto {
  @ApiProperty({ description: 'First point of the phase I (limit-setting) data, 0-based' })
  @IsInt()
  @Min(0)
  first: number;

  @ApiProperty({ description: 'Last point of the phase I data, 0-based, inclusive' })
  @IsInt()
  @Min(0)
  last: number;
}

export class SpcSpecDto {
  @ApiPropertyOptional({ description: 'Lower specification limit' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  lsl?: number;

  @ApiPropertyOptional({ description: 'Upper specification limit' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  usl?: number;

  @ApiPropertyOptional({ description: 'Target (nominal) value, for Cpm' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  target?: number;
}

/** POST /quality/spc/analyze: any data set, analysed without storing anything. */
export class SpcAnalyzeDto {
  @ApiProperty({ enum: SPC_CHARTS })
  @IsIn(SPC_CHARTS)
  chart: (typeof SPC_CHARTS)[number];

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'array', items: { type: 'number' } },
    description: 'xbar-r, xbar-s: one array of measurements per subgroup (sizes may vary)',
  })
  @IsOptional()
  @IsSubgroups()
  subgroups?: number[][];

  @ApiPropertyOptional({ type: [Number], description: 'imr: individual measurements in time order' })
  @IsOptional()
  @IsFiniteNumbers()
  values?: number[];

  @ApiPropertyOptional({ type: [SpcCountDto], description: 'p, np, c, u: one count per sample' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_POINTS)
  @ValidateNested({ each: true })
  @Type(() => SpcCountDto)
  counts?: SpcCountDto[];

  @ApiPropertyOptional({
    type: SpcPhaseIDto,
    description: 'Limits from these points only; later points are judged',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => SpcPhaseIDto)
  phaseI?: SpcPhaseIDto;

  @ApiPropertyOptional({
    type: [Number],
    description: 'Points left out of the limits (assignable causes), 0-based; still plotted and judged',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_POINTS)
  @IsInt({ each: true })
  @Min(0, { each: true })
  exclude?: number[];

  @ApiPropertyOptional({ default: 3, minimum: 1, maximum: 6 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(6)
  nSigma?: number;

  @ApiPropertyOptional({
    oneOf: [
      { type: 'string', enum: ['we', 'nelson'] },
      { type: 'array', items: { oneOf: [{ type: 'integer' }, { type: 'string' }] } },
    ],
    description:
      'Western Electric 1–4 ("we", the default), Nelson 1–8 ("nelson"), or a list: Nelson numbers or ids WE1–WE4, N1–N8',
  })
  @IsOptional()
  @ValidateBy({
    name: 'isRules',
    validator: {
      validate: (v: unknown) =>
        v === 'we' ||
        v === 'nelson' ||
        (Array.isArray(v) &&
          v.length >= 1 &&
          v.length <= 12 &&
          v.every((x) => Number.isInteger(x) || (typeof x === 'string' && /^(WE[1-4]|N[1-8])$/.test(x)))),
      defaultMessage: () =>
        'rules must be "we", "nelson" or a list of rules: Nelson numbers 1–8 or ids "WE1"–"WE4", "N1"–"N8"',
    },
  })
  rules?: 'we' | 'nelson' | Array<number | RuleId>;

  @ApiPropertyOptional({
    type: SpcSpecDto,
    description: 'Specification limits: capability is computed when given',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => SpcSpecDto)
  spec?: SpcSpecDto;

  @ApiPropertyOptional({
    enum: ['table', 'exact'],
    default: 'table',
    description: 'Printed-table control chart constants or exact d2/c4 values',
  })
  @IsOptional()
  @IsIn(['table', 'exact'])
  constants?: 'table' | 'exact';

  @ApiPropertyOptional({
    enum: ['mr', 'sd'],
    default: 'mr',
    description:
      'imr only: sigma from the average moving range (MR̄/d2) or the overall standard deviation (s/c4)',
  })
  @IsOptional()
  @IsIn(['mr', 'sd'])
  sigmaMethod?: 'mr' | 'sd';
}
