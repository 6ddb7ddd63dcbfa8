import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../platform/http/pagination';
import type { PlanObjective } from '../engine/model';
import { SCENARIO_CHANGE_TYPES, type ScenarioChangeType } from '../model/scenario-changes';
import {
  PLAN_OBJECTIVES,
  SCHEDULE_VERSION_KINDS,
  SCHEDULE_VERSION_STATUSES,
  type ScheduleVersionKind,
  type ScheduleVersionStatus,
} from '../versions/schedule-version.entity';

/** Longest improvement time a planner may ask for. */
export const MAX_BUDGET_SECONDS = 120;
export const DEFAULT_BUDGET_SECONDS = 10;

/** How the engine is asked to plan (shared by runs, rush insertions and what-ifs). */
export class EngineSettingsDto {
  @ApiPropertyOptional({ enum: PLAN_OBJECTIVES, default: 'tardiness-then-makespan' })
  @IsOptional()
  @IsIn(PLAN_OBJECTIVES)
  objective?: PlanObjective;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_BUDGET_SECONDS,
    default: DEFAULT_BUDGET_SECONDS,
    description: 'Seconds the engine improves the first plan',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_BUDGET_SECONDS)
  seconds?: number;

  @ApiPropertyOptional({ default: 1, description: 'Same seed, same inputs, same iterations: same plan' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  seed?: number;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  notes?: string;
}

export class CreateRunDto extends EngineSettingsDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 720,
    default: 0,
    description:
      'Operations the live plan starts within this many hours keep their machine and start (running ones always do)',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(720)
  frozenHorizonHours?: number;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Only these work orders (default: every open order of the site, planned to running)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5000)
  @IsUUID('all', { each: true })
  workOrderIds?: string[];
}

export class RushInsertDto extends EngineSettingsDto {
  @ApiProperty({ format: 'uuid', description: 'The order to insert (draft, planned or released)' })
  @IsUUID()
  workOrderId: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 720,
    default: 8,
    description: 'Operations the live plan starts within this many hours are not moved',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(720)
  frozenHorizonHours?: number;
}

/** One what-if edit; which fields it needs depends on `type`. */
export class ScenarioChangeDto {
  @ApiProperty({ enum: SCENARIO_CHANGE_TYPES })
  @IsIn(SCENARIO_CHANGE_TYPES)
  type: ScenarioChangeType;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'add_order, remove_order, set_priority, set_due',
  })
  @ValidateIf((c: ScenarioChangeDto) =>
    ['add_order', 'remove_order', 'set_priority', 'set_due'].includes(c.type),
  )
  @IsUUID()
  workOrderId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'machine_down; overtime (or workCenterId)' })
  @ValidateIf(
    (c: ScenarioChangeDto) =>
      c.type === 'machine_down' || (c.type === 'overtime' && c.workCenterId === undefined),
  )
  @IsUUID()
  equipmentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'overtime for every machine of a work center' })
  @IsOptional()
  @IsUUID()
  workCenterId?: string;

  @ApiPropertyOptional({ example: '2026-11-28T08:00:00+08:00', description: 'machine_down, overtime' })
  @ValidateIf((c: ScenarioChangeDto) => c.type === 'machine_down' || c.type === 'overtime')
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-28T16:00:00+08:00', description: 'machine_down, overtime' })
  @ValidateIf((c: ScenarioChangeDto) => c.type === 'machine_down' || c.type === 'overtime')
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: ['normal', 'rush'], description: 'set_priority' })
  @ValidateIf((c: ScenarioChangeDto) => c.type === 'set_priority')
  @IsIn(['normal', 'rush'])
  priority?: 'normal' | 'rush';

  @ApiPropertyOptional({ description: 'set_due' })
  @ValidateIf((c: ScenarioChangeDto) => c.type === 'set_due')
  @IsISO8601({ strict: true })
  dueAt?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}

export class CreateScenarioDto extends EngineSettingsDto {
  @ApiProperty({ example: 'Saturday overtime on the lathes' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The version to copy (default: the live plan)' })
  @IsOptional()
  @IsUUID()
  basedOnId?: string;

  @ApiPropertyOptional({ type: [ScenarioChangeDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ScenarioChangeDto)
  changes?: ScenarioChangeDto[];

  @ApiPropertyOptional({ default: true, description: 'Run it at once (else it stays a draft)' })
  @IsOptional()
  @IsBoolean()
  run?: boolean;
}

export class UpdateScenarioDto extends EngineSettingsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ type: [ScenarioChangeDto], description: 'Replaces the change list' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ScenarioChangeDto)
  changes?: ScenarioChangeDto[];
}

export class PublishDto {
  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Publish although the live plan changed since this version was made',
  })
  @IsOptional()
  @IsBoolean()
  allowStaleBaseline?: boolean;
}

export class ReasonDto {
  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class VersionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SCHEDULE_VERSION_KINDS })
  @IsOptional()
  @IsIn(SCHEDULE_VERSION_KINDS)
  kind?: ScheduleVersionKind;

  @ApiPropertyOptional({ description: `Comma-separated: ${SCHEDULE_VERSION_STATUSES.join(', ')}` })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  status?: string;
}

export class GanttQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Default: the live plan' })
  @IsOptional()
  @IsUUID()
  versionId?: string;

  @ApiPropertyOptional({ enum: ['machine', 'workorder'], default: 'machine' })
  @IsOptional()
  @IsIn(['machine', 'workorder'])
  by?: 'machine' | 'workorder';

  @ApiPropertyOptional({ description: 'Only bars ending after this instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Only bars starting before this instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this work center’s machines' })
  @IsOptional()
  @IsUUID()
  workCenterId?: string;
}

export class CompareQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The version to compare with (default: the one it was based on, else the live plan)',
  })
  @IsOptional()
  @IsUUID()
  with?: string;
}

export function statusesOf(text: string | undefined): ScheduleVersionStatus[] | undefined {
  if (!text) return undefined;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is ScheduleVersionStatus => (SCHEDULE_VERSION_STATUSES as readonly string[]).includes(s));
}
