import { Body, Controller, Get, HttpCode, Param, ParseEnumPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import { hasRole, type Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { formatExact, parseDecimal } from '../../platform/engine/decimal';
import { DomainError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import { PageQueryDto, type Page } from '../../platform/http/pagination';
import { IsQuantity } from '../../platform/http/quantity';
import { UuidParam } from '../../platform/http/uuid-param';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { StockService } from '../lots/stock.service';
import { AdjustmentsService } from './adjustments.service';
import { ADJUSTMENT_STATUSES, type AdjustmentStatus, type StockAdjustment } from './stock-adjustment.entity';

export class CountDto {
  @ApiProperty({ description: 'Lot id or code', example: 'BRG-6205-20261121-001' })
  @IsString()
  @MaxLength(64)
  lot: string;

  @ApiProperty({ description: 'Location id or code', example: 'WH-RM' })
  @IsString()
  @MaxLength(64)
  location: string;

  @ApiProperty({ example: '48', description: 'What is physically there, in the base unit (0 allowed)' })
  @IsQuantity('countedQty')
  countedQty: string;

  @ApiPropertyOptional({ example: 'Cycle count zone A' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class DecisionDto {
  @ApiPropertyOptional({ example: 'Recounted with the team lead: 2 boxes were damaged' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;

  @ApiPropertyOptional({ description: 'The version you saw; 409 when it changed meanwhile' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

export class AdjustmentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ADJUSTMENT_STATUSES })
  @IsOptional()
  @IsIn(ADJUSTMENT_STATUSES)
  status?: AdjustmentStatus;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() lotId?: string;
}

export interface AdjustmentView {
  id: string;
  code: string;
  status: AdjustmentStatus;
  source: string;
  lotId: string;
  lotCode: string;
  materialId: string;
  locationId: string;
  bookQty: string;
  countedQty: string;
  deltaQty: string;
  note: string | null;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  movementId: string | null;
  version: number;
}

function adjustmentView(a: StockAdjustment): AdjustmentView {
  const q = (v: string) => formatExact(parseDecimal(v));
  return {
    id: a.id,
    code: a.code,
    status: a.status,
    source: a.source,
    lotId: a.lotId,
    lotCode: a.lotCode,
    materialId: a.materialId,
    locationId: a.locationId,
    bookQty: q(a.bookQty),
    countedQty: q(a.countedQty),
    deltaQty: q(a.deltaQty),
    note: a.note,
    requestedBy: a.requestedByName,
    requestedAt: a.requestedAt.toISOString(),
    decidedBy: a.decidedByName,
    decidedAt: a.decidedAt?.toISOString() ?? null,
    decisionNote: a.decisionNote,
    movementId: a.movementId,
    version: a.version,
  };
}

/** Counts (盘点) and the adjustments they lead to, decided by a warehouse supervisor. */
@ApiTags('inventory')
@Controller('sites/:siteId/inventory')
export class AdjustmentsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly adjustments: AdjustmentsService,
    private readonly stock: StockService,
    private readonly masterData: MasterDataFacade,
  ) {}

  @Post('counts')
  @Idempotent()
  @Roles('admin', 'warehouse', 'warehouse_supervisor')
  @ApiOkResponse({ description: 'The count matches the book: discrepancy false, nothing to adjust' })
  @ApiCreatedResponse({ description: 'The count differs from the book: the pending adjustment' })
  async count(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CountDto,
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ): Promise<{
    discrepancy: boolean;
    bookQty: string;
    countedQty: string;
    adjustment: AdjustmentView | null;
  }> {
    assertSiteAccess(p, siteId);
    const result = await this.tx.run(async (tx) => {
      const lot = await this.stock.findLot(tx.manager, siteId, dto.lot);
      const location = await this.masterData.location(siteId, dto.location, tx.manager);
      const errors = [
        !lot && { field: 'lot', message: `lot ${dto.lot} does not exist at this site` },
        !location && { field: 'location', message: `location ${dto.location} does not exist at this site` },
      ].filter((e): e is { field: string; message: string } => Boolean(e));
      if (errors.length > 0 || !lot || !location) {
        throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'The count is invalid', {
          errors,
        });
      }
      return this.adjustments.count(tx, {
        siteId,
        lotId: lot.id,
        locationId: location.id,
        countedQty: dto.countedQty,
        source: 'count',
        note: dto.note ?? null,
      });
    });
    res.status(result.discrepancy ? 201 : 200);
    return { ...result, adjustment: result.adjustment && adjustmentView(result.adjustment) };
  }

  @Get('adjustments')
  @ApiOkResponse({ description: 'Adjustments, newest first' })
  async list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: AdjustmentQueryDto,
  ): Promise<Page<AdjustmentView>> {
    assertSiteAccess(p, siteId);
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const [rows, total] = await this.adjustments.list(this.dataSource.manager, siteId, {
      ...q,
      limit,
      offset,
    });
    return { items: rows.map(adjustmentView), total, limit, offset };
  }

  @Get('adjustments/:id')
  async get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<AdjustmentView> {
    assertSiteAccess(p, siteId);
    const found = await this.adjustments.find(this.dataSource.manager, siteId, id);
    if (!found) throw notFound('adjustment', id);
    return adjustmentView(found);
  }

  @Post('adjustments/:id/:decision')
  @HttpCode(200)
  @Idempotent()
  @Roles('admin', 'warehouse_supervisor')
  @ApiParam({ name: 'decision', enum: ['approve', 'reject'] })
  async decide(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Param('decision', new ParseEnumPipe(['approve', 'reject'])) decision: 'approve' | 'reject',
    @Body() dto: DecisionDto,
  ): Promise<AdjustmentView> {
    assertSiteAccess(p, siteId);
    if (decision === 'reject' && !dto.note?.trim()) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'A rejection needs a note', {
        errors: [{ field: 'note', message: 'say why the count is rejected' }],
      });
    }
    const adjustment = await this.tx.run((tx) =>
      this.adjustments.decide(tx, siteId, id, decision === 'approve' ? 'approved' : 'rejected', {
        note: dto.note,
        expectedVersion: dto.expectedVersion,
        mayApproveOwn: hasRole(p, 'admin'),
      }),
    );
    return adjustmentView(adjustment);
  }
}
