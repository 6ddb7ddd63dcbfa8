import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { CurrentPrincipal } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { formatExact, parseDecimal } from '../../platform/engine/decimal';
import { PageQueryDto, type Page } from '../../platform/http/pagination';
import { UuidParam } from '../../platform/http/uuid-param';
import type { ReservationStatus } from './reservation.entity';
import { ReservationsService } from './reservations.service';

export class ReservationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() materialId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() workOrderId?: string;
  @ApiPropertyOptional({ enum: ['active', 'closed'] })
  @IsOptional()
  @IsIn(['active', 'closed'])
  status?: ReservationStatus;
}

export interface ReservationView {
  id: string;
  workOrderId: string;
  workOrderCode: string;
  materialId: string;
  reservedQty: string;
  openQty: string;
  status: ReservationStatus;
  closeReason: string | null;
  createdAt: string;
  closedAt: string | null;
}

/** Who has stock promised: the planner's and warehouse's view of work order reservations. */
@ApiTags('inventory')
@Controller('sites/:siteId/inventory/reservations')
export class ReservationsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reservations: ReservationsService,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'Reservations, newest first' })
  async list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: ReservationQueryDto,
  ): Promise<Page<ReservationView>> {
    assertSiteAccess(p, siteId);
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const [rows, total] = await this.reservations.list(this.dataSource.manager, siteId, {
      ...q,
      limit,
      offset,
    });
    return {
      items: rows.map((r) => ({
        id: r.id,
        workOrderId: r.workOrderId,
        workOrderCode: r.workOrderCode,
        materialId: r.materialId,
        reservedQty: formatExact(parseDecimal(r.reservedQty)),
        openQty: formatExact(parseDecimal(r.quantity)),
        status: r.status,
        closeReason: r.closeReason,
        createdAt: r.createdAt.toISOString(),
        closedAt: r.closedAt?.toISOString() ?? null,
      })),
      total,
      limit,
      offset,
    };
  }
}
