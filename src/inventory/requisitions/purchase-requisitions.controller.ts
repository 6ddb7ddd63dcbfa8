import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsDateString, IsIn, IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { PageQueryDto, type Page } from '../../platform/http/pagination';
import { IsQuantity } from '../../platform/http/quantity';
import { UuidParam } from '../../platform/http/uuid-param';
import { REQUISITION_STATUSES, type RequisitionStatus } from './purchase-requisition.entity';
import { PurchaseRequisitionsService, type RequisitionView } from './purchase-requisitions.service';

const BUYERS = ['admin', 'purchasing', 'planner'] as const;

export class CreateRequisitionDto {
  @ApiProperty({ description: 'Material id or code', example: 'GREASE' })
  @IsString()
  @MaxLength(64)
  material: string;

  @ApiProperty({ example: '50' }) @IsQuantity('quantity') quantity: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString({ strict: true }) needBy?: string;

  @ApiProperty({ example: 'Customer order 4711 needs more than we keep' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;
}

export class OrderedDto {
  @ApiProperty({ description: 'The ERP purchase order', example: 'PO-2026-1187' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  purchaseOrder: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) reason?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) expectedVersion?: number;
}

export class CancelRequisitionDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(500) reason: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) expectedVersion?: number;
}

export class RequisitionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: REQUISITION_STATUSES })
  @IsOptional()
  @IsIn(REQUISITION_STATUSES)
  status?: RequisitionStatus;

  @ApiPropertyOptional({ description: 'Material id or code' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  material?: string;
}

/** Purchase requisitions (请购单) of a site: raised by hand or by rules, sent to the ERP, ordered or cancelled. */
@ApiTags('inventory: purchase requisitions')
@Controller('sites/:siteId/purchase-requisitions')
export class PurchaseRequisitionsController {
  constructor(private readonly requisitions: PurchaseRequisitionsService) {}

  @Get()
  async list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: RequisitionQueryDto,
  ): Promise<Page<RequisitionView>> {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const [items, total] = await this.requisitions.list(p, siteId, { ...q, limit, offset });
    return { items, total, limit, offset };
  }

  @Get(':requisition')
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('requisition') id: string,
  ): Promise<RequisitionView> {
    return this.requisitions.get(p, siteId, id);
  }

  @Post()
  @Roles(...BUYERS)
  @ApiCreatedResponse({ description: 'A new requisition' })
  @ApiOkResponse({ description: 'The open requisition of that material, already there' })
  async create(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateRequisitionDto,
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ): Promise<RequisitionView> {
    const r = await this.requisitions.create(p, siteId, dto);
    res.status(r.created ? 201 : 200);
    return r.requisition;
  }

  @Post(':requisition/ordered')
  @HttpCode(200)
  @Roles('admin', 'purchasing')
  ordered(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('requisition') id: string,
    @Body() dto: OrderedDto,
  ): Promise<RequisitionView> {
    return this.requisitions.close(p, siteId, id, 'ordered', dto);
  }

  @Post(':requisition/cancel')
  @HttpCode(200)
  @Roles(...BUYERS)
  cancel(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('requisition') id: string,
    @Body() dto: CancelRequisitionDto,
  ): Promise<RequisitionView> {
    return this.requisitions.close(p, siteId, id, 'cancelled', dto);
  }
}
