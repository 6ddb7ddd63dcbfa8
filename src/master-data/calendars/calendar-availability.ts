import { Controller, Get, Injectable, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { DataSource, IsNull } from 'typeorm';
import { CurrentPrincipal } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { DomainError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import { UuidParam } from '../../platform/http/uuid-param';
import { Site } from '../../platform/sites/site.entity';
import { Equipment } from '../hierarchy/equipment.entity';
import { availableIntervals, availableMinutes, type AvailableInterval } from './engine/availability';
import { CalendarInputError } from './engine/zoned-time';
import { ShiftCalendar } from './shift-calendar.entity';

export class AvailabilityQueryDto {
  @ApiProperty({ example: '2026-11-23T00:00:00+08:00' }) @IsISO8601({ strict: true }) from: string;
  @ApiProperty({ example: '2026-11-30T00:00:00+08:00' }) @IsISO8601({ strict: true }) to: string;
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The work center whose calendar applies (site default when it has none)',
  })
  @IsOptional()
  @IsUUID()
  workCenterId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Or a machine: its work center decides' })
  @IsOptional()
  @IsUUID()
  equipmentId?: string;
}

export interface Availability {
  calendarId: string;
  calendarCode: string;
  timeZone: string;
  from: string;
  to: string;
  availableMinutes: number;
  intervals: AvailableInterval[];
}

/** When a resource can work: its calendar's shifts, less holidays and closures, plus overtime. */
@Injectable()
export class CalendarAvailabilityService {
  constructor(private readonly dataSource: DataSource) {}

  async forResource(p: Principal, siteId: string, q: AvailabilityQueryDto): Promise<Availability> {
    assertSiteAccess(p, siteId);
    let workCenterId = q.workCenterId;
    if (q.equipmentId) {
      const eq = await this.dataSource.getRepository(Equipment).findOneBy({ id: q.equipmentId });
      if (!eq || eq.siteId !== siteId) throw notFound('equipment', q.equipmentId);
      workCenterId = eq.workCenterId;
    }
    const repo = this.dataSource.getRepository(ShiftCalendar);
    const calendar =
      (workCenterId ? await repo.findOneBy({ siteId, workCenterId, active: true }) : null) ??
      (await repo.findOneBy({ siteId, workCenterId: IsNull(), active: true }));
    if (!calendar) {
      throw new DomainError(
        'not_found',
        PlatformErrorCode.NOT_FOUND,
        'No active shift calendar for this resource or its site',
        {
          extensions: { workCenterId: workCenterId ?? null },
        },
      );
    }
    return this.compute(siteId, calendar, q.from, q.to);
  }

  async forCalendar(
    p: Principal,
    siteId: string,
    id: string,
    from: string,
    to: string,
  ): Promise<Availability> {
    assertSiteAccess(p, siteId);
    const calendar = await this.dataSource.getRepository(ShiftCalendar).findOneBy({ id });
    if (!calendar || calendar.siteId !== siteId) throw notFound('shift calendar', id);
    return this.compute(siteId, calendar, from, to);
  }

  private async compute(
    siteId: string,
    calendar: ShiftCalendar,
    from: string,
    to: string,
  ): Promise<Availability> {
    const site = await this.dataSource.getRepository(Site).findOneByOrFail({ id: siteId });
    try {
      const intervals = availableIntervals(
        {
          timeZone: site.timeZone,
          shifts: calendar.shifts,
          holidays: calendar.holidays.map((h) => h.date),
          exceptions: calendar.exceptions,
        },
        from,
        to,
      );
      return {
        calendarId: calendar.id,
        calendarCode: calendar.code,
        timeZone: site.timeZone,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        availableMinutes: availableMinutes(intervals),
        intervals,
      };
    } catch (err) {
      if (err instanceof CalendarInputError) {
        throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, err.message, {
          errors: [{ field: 'to', message: err.message }],
        });
      }
      throw err;
    }
  }
}

export class CalendarWindowDto {
  @ApiProperty({ example: '2026-11-23T00:00:00+08:00' }) @IsISO8601({ strict: true }) from: string;
  @ApiProperty({ example: '2026-11-30T00:00:00+08:00' }) @IsISO8601({ strict: true }) to: string;
}

@ApiTags('master data: calendars')
@Controller('sites/:siteId/calendars')
export class CalendarAvailabilityController {
  constructor(private readonly availability: CalendarAvailabilityService) {}

  @Get('availability')
  @ApiOkResponse({
    description: 'Available intervals (UTC) of a work center, a machine or the site between two instants',
  })
  forResource(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: AvailabilityQueryDto,
  ): Promise<Availability> {
    return this.availability.forResource(p, siteId, q);
  }

  @Get(':id/availability')
  @ApiOkResponse({ description: 'Available intervals (UTC) of one calendar between two instants' })
  forCalendar(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Query() q: CalendarWindowDto,
  ): Promise<Availability> {
    return this.availability.forCalendar(p, siteId, id, q.from, q.to);
  }
}
