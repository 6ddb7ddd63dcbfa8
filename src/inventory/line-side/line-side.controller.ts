import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { AppConfig } from '../../platform/config/app-config';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { compare, formatExact, parseDecimal } from '../../platform/engine/decimal';
import { DomainError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import { PageQueryDto, type Page } from '../../platform/http/pagination';
import { IsQuantity } from '../../platform/http/quantity';
import { UuidParam } from '../../platform/http/uuid-param';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { InventoryErrorCode } from '../inventory.errors';
import { isPositive } from '../lots/stock.service';
import { LineReplenishmentsService } from './line-replenishments.service';
import { LineSideCheck } from './line-side-check.service';
import {
  LINE_REPLENISHMENT_STATUSES,
  type LineReplenishment,
  type LineReplenishmentStatus,
  type LineStockLevel,
} from './line-side.entities';

export class LineStockLevelDto {
  @ApiProperty({ description: 'Line-side location id or code', example: 'LS-L1' })
  @IsString()
  @MaxLength(64)
  location: string;

  @ApiProperty({ description: 'Material id or code', example: 'BOLT-M8' })
  @IsString()
  @MaxLength(64)
  material: string;

  @ApiProperty({ example: '200', description: 'Below this, a replenishment is requested' })
  @IsQuantity('minQty')
  minQty: string;

  @ApiProperty({ example: '1000', description: 'Replenishment fills up to this; more than minQty' })
  @IsQuantity('maxQty')
  maxQty: string;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() active?: boolean;
}

export class ManualReplenishmentDto {
  @ApiProperty({ example: 'LS-L1' }) @IsString() @MaxLength(64) location: string;
  @ApiProperty({ example: 'BOLT-M8' }) @IsString() @MaxLength(64) material: string;
  @ApiProperty({ example: '300' }) @IsQuantity('quantity') quantity: string;
}

export class CancelReplenishmentDto {
  @ApiProperty({ example: 'Line stopped for changeover' })
  @IsString()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxLength(500)
  reason: string;
}

export class LevelQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() locationId?: string;
}

export class ReplenishmentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: LINE_REPLENISHMENT_STATUSES })
  @IsOptional()
  @IsIn(LINE_REPLENISHMENT_STATUSES)
  status?: LineReplenishmentStatus;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() locationId?: string;
}

const q = (v: string) => formatExact(parseDecimal(v));
const levelView = (l: LineStockLevel) => ({
  locationId: l.locationId,
  materialId: l.materialId,
  minQty: q(l.minQty),
  maxQty: q(l.maxQty),
  active: l.active,
  version: l.version,
});
const replenishmentView = (r: LineReplenishment) => ({
  id: r.id,
  code: r.code,
  locationId: r.locationId,
  lineId: r.lineId,
  materialId: r.materialId,
  requestedQty: q(r.requestedQty),
  deliveredQty: q(r.deliveredQty),
  availableQtyAtRequest: q(r.availableQtyAtRequest),
  status: r.status,
  createdAt: r.createdAt.toISOString(),
  closedAt: r.closedAt?.toISOString() ?? null,
  version: r.version,
});
type ReplenishmentView = ReturnType<typeof replenishmentView>;

/** Line-side stock levels (min/max) and replenishment to the line (补料 / 叫料). */
@ApiTags('inventory')
@Controller('sites/:siteId/inventory')
export class LineSideController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly replenishments: LineReplenishmentsService,
    private readonly check: LineSideCheck,
    private readonly masterData: MasterDataFacade,
    private readonly config: AppConfig,
  ) {}

  @Get('line-stock-levels')
  async levels(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() query: LevelQueryDto,
  ): Promise<ReturnType<typeof levelView>[]> {
    assertSiteAccess(p, siteId);
    return (await this.replenishments.levels(this.dataSource.manager, siteId, query.locationId)).map(
      levelView,
    );
  }

  @Put('line-stock-levels')
  @Roles('admin', 'planner', 'warehouse_supervisor')
  @ApiOkResponse({ description: 'The level; when stock is below the new min, a replenishment is requested' })
  async setLevel(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: LineStockLevelDto,
  ): Promise<ReturnType<typeof levelView>> {
    assertSiteAccess(p, siteId);
    const level = await this.tx.run(async (tx) => {
      const { locationId, materialId } = await this.target(tx, siteId, dto.location, dto.material);
      if (compare(parseDecimal(dto.maxQty), parseDecimal(dto.minQty)) <= 0) {
        throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'The level is invalid', {
          errors: [{ field: 'maxQty', message: 'maxQty must be greater than minQty' }],
        });
      }
      return this.replenishments.setLevel(tx, {
        siteId,
        locationId,
        materialId,
        minQty: dto.minQty,
        maxQty: dto.maxQty,
        active: dto.active ?? true,
      });
    });
    return levelView(level);
  }

  @Get('line-replenishments')
  async list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() query: ReplenishmentQueryDto,
  ): Promise<Page<ReplenishmentView>> {
    assertSiteAccess(p, siteId);
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const [rows, total] = await this.replenishments.list(this.dataSource.manager, siteId, {
      ...query,
      limit,
      offset,
    });
    return { items: rows.map(replenishmentView), total, limit, offset };
  }

  @Post('line-replenishments')
  @Idempotent()
  @Roles('admin', 'planner', 'operator', 'warehouse', 'warehouse_supervisor')
  @ApiCreatedResponse({ description: 'The request; 409 when one is open for that place and material' })
  async request(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: ManualReplenishmentDto,
  ): Promise<ReplenishmentView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const { locationId, materialId, lineId } = await this.target(tx, siteId, dto.location, dto.material);
      if (!isPositive(dto.quantity)) {
        throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Nothing to bring', {
          errors: [{ field: 'quantity', message: 'quantity must be greater than 0' }],
        });
      }
      const id = await this.check.request(tx, {
        siteId,
        locationId,
        lineId,
        materialId,
        quantity: dto.quantity,
        available: '0',
        minQty: null,
      });
      if (!id) {
        throw new DomainError(
          'conflict',
          InventoryErrorCode.REPLENISHMENT_OPEN,
          'A replenishment of this material to this location is open already',
        );
      }
      return replenishmentView((await this.replenishments.find(tx.manager, siteId, id))!);
    });
  }

  @Post('line-replenishments/:id/confirm')
  @HttpCode(200)
  @Idempotent()
  @Roles('admin', 'warehouse', 'warehouse_supervisor')
  async confirm(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<ReplenishmentView> {
    assertSiteAccess(p, siteId);
    if (this.config.get('WMS_MODE') === 'http') {
      throw new DomainError(
        'conflict',
        InventoryErrorCode.EXTERNAL_WMS,
        'The external WMS delivers line replenishments and reports them by event',
      );
    }
    return replenishmentView(await this.tx.run((tx) => this.replenishments.confirm(tx, siteId, id)));
  }

  @Post('line-replenishments/:id/cancel')
  @HttpCode(200)
  @Roles('admin', 'planner', 'warehouse_supervisor')
  async cancel(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: CancelReplenishmentDto,
  ): Promise<ReplenishmentView> {
    assertSiteAccess(p, siteId);
    return replenishmentView(
      await this.tx.run((tx) => this.replenishments.cancel(tx, siteId, id, dto.reason)),
    );
  }

  private async target(
    tx: Tx,
    siteId: string,
    location: string,
    material: string,
  ): Promise<{ locationId: string; materialId: string; lineId: string | null }> {
    const loc = await this.masterData.location(siteId, location, tx.manager);
    const mat = await this.masterData.material(siteId, material, tx.manager);
    const errors = [
      !loc && { field: 'location', message: `location ${location} does not exist at this site` },
      loc &&
        loc.locationType !== 'line_side' && {
          field: 'location',
          message: `${loc.code} is a ${loc.locationType} location; levels and replenishment are for line-side locations`,
        },
      !mat && { field: 'material', message: `material ${material} does not exist at this site` },
    ].filter((e): e is { field: string; message: string } => Boolean(e));
    if (errors.length > 0 || !loc || !mat) {
      if (!loc && !mat && errors.length === 0) throw notFound('location', location);
      throw new DomainError(
        'validation',
        PlatformErrorCode.VALIDATION_FAILED,
        'Unknown location or material',
        {
          errors,
        },
      );
    }
    return { locationId: loc.id, materialId: mat.id, lineId: loc.lineId };
  }
}
