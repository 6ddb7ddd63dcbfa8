import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Site } from '../../platform/sites/site.entity';
import { CatalogCreateDto, CatalogUpdateDto } from '../catalog/catalog-dto';
import { copyFields, type CatalogDefinition } from '../catalog/catalog-definition';
import { checkReference } from '../catalog/references';
import { WorkCenter } from '../hierarchy/work-center.entity';
import { availableIntervals, type IsoWeekday } from './engine/availability';
import { CalendarInputError } from './engine/zoned-time';
import { ShiftCalendar } from './shift-calendar.entity';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export class BreakDto {
  @ApiProperty({ example: '12:00' }) @Matches(HHMM, { message: 'start must be HH:MM' }) start: string;
  @ApiProperty({ example: '12:30' }) @Matches(HHMM, { message: 'end must be HH:MM' }) end: string;
}

export class ShiftPatternDto {
  @ApiProperty({ example: 'EARLY' })
  @Matches(/^[A-Za-z0-9_-]{1,16}$/, { message: 'code must be 1-16 letters, digits, _ or -' })
  code: string;

  @ApiProperty({
    example: [1, 2, 3, 4, 5],
    description: 'ISO weekdays on which the shift starts (Monday = 1)',
  })
  @ArrayUnique()
  @ArrayMaxSize(7)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(7, { each: true })
  weekdays: IsoWeekday[];

  @ApiProperty({ example: '08:00' }) @Matches(HHMM, { message: 'start must be HH:MM' }) start: string;
  @ApiProperty({ example: '16:00', description: 'Not after start: the shift ends the next day' })
  @Matches(HHMM, { message: 'end must be HH:MM' })
  end: string;

  @ApiPropertyOptional({ type: [BreakDto] })
  @IsOptional()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => BreakDto)
  breaks?: BreakDto[];
}

export class HolidayDto {
  @ApiProperty({ example: '2026-10-01' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'date must be YYYY-MM-DD' })
  date: string;

  @ApiPropertyOptional({ example: '国庆节 National Day' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;
}

export class CalendarExceptionDto {
  @ApiProperty({ example: '2026-11-25T10:00:00+08:00' }) @IsISO8601({ strict: true }) start: string;
  @ApiProperty({ example: '2026-11-25T14:00:00+08:00' }) @IsISO8601({ strict: true }) end: string;
  @ApiProperty({ enum: ['closed', 'extra'] }) @IsIn(['closed', 'extra']) kind: 'closed' | 'extra';
  @ApiPropertyOptional({ example: 'annual stocktaking' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}

export class CreateShiftCalendarDto extends CatalogCreateDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() workCenterId?: string;

  @ApiProperty({ type: [ShiftPatternDto] })
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => ShiftPatternDto)
  shifts: ShiftPatternDto[];

  @ApiPropertyOptional({ type: [HolidayDto] })
  @IsOptional()
  @ArrayMaxSize(400)
  @ValidateNested({ each: true })
  @Type(() => HolidayDto)
  holidays?: HolidayDto[];

  @ApiPropertyOptional({ type: [CalendarExceptionDto] })
  @IsOptional()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => CalendarExceptionDto)
  exceptions?: CalendarExceptionDto[];
}

/** Any field of the create body but the code and the work center (a calendar stays with it); plus the version read and a reason. */
export class UpdateShiftCalendarDto extends IntersectionType(
  CatalogUpdateDto,
  PartialType(OmitType(CreateShiftCalendarDto, ['code', 'name', 'nameZh', 'workCenterId'] as const)),
) {}

export const SHIFT_CALENDAR_CATALOG: CatalogDefinition<ShiftCalendar> = {
  entity: ShiftCalendar,
  entityType: 'shift_calendar',
  path: 'calendars',
  title: 'Shift calendar',
  createDto: CreateShiftCalendarDto,
  updateDto: UpdateShiftCalendarDto,
  writeRoles: ['admin', 'planner'],
  csv: [
    { name: 'code', kind: 'string', get: (c) => c.code },
    { name: 'name', kind: 'string', get: (c) => c.name },
    { name: 'nameZh', kind: 'string', get: (c) => c.nameZh },
    {
      name: 'workCenter',
      kind: 'string',
      get: (c) => c.workCenterId,
      ref: { entity: WorkCenter, property: 'workCenterId', title: 'work center' },
    },
    { name: 'shifts', kind: 'json', get: (c) => JSON.stringify(c.shifts) },
    { name: 'holidays', kind: 'json', get: (c) => JSON.stringify(c.holidays) },
    { name: 'exceptions', kind: 'json', get: (c) => JSON.stringify(c.exceptions) },
  ],
  filters: { workCenterId: { property: 'workCenterId', kind: 'uuid' } },
  prepare: async ({ manager, siteId, existing }, input) => {
    const { values } = copyFields<ShiftCalendar>(input);
    const ref = await checkReference(
      manager,
      WorkCenter,
      siteId,
      'workCenterId',
      input.workCenterId as string | undefined,
      'work center',
      {
        unchangedFrom: existing?.workCenterId,
      },
    );
    if (ref) return { values, errors: [ref] };
    if (existing && input.workCenterId !== undefined && input.workCenterId !== existing.workCenterId) {
      return {
        values,
        errors: [
          { field: 'workCenterId', message: 'a calendar stays with its work center; create another one' },
        ],
      };
    }
    // The engine checks what the DTO cannot: breaks inside their shift, consistent exceptions.
    const site = await manager.getRepository(Site).findOneByOrFail({ id: siteId });
    try {
      availableIntervals(
        {
          timeZone: site.timeZone,
          shifts: values.shifts ?? existing?.shifts ?? [],
          holidays: (values.holidays ?? existing?.holidays ?? []).map((h) => h.date),
          exceptions: values.exceptions ?? existing?.exceptions ?? [],
        },
        '2026-01-05T00:00:00Z',
        '2026-01-06T00:00:00Z',
      );
    } catch (err) {
      if (err instanceof CalendarInputError)
        return { values, errors: [{ field: 'shifts', message: err.message }] };
      throw err;
    }
    return { values, errors: [] };
  },
};
