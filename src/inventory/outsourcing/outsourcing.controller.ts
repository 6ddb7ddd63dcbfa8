import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { DataSource } from 'typeorm';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { formatExact, parseDecimal } from '../../platform/engine/decimal';
import { DomainError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import { PageQueryDto, type Page } from '../../platform/http/pagination';
import { IsQuantity } from '../../platform/http/quantity';
import { UuidParam } from '../../platform/http/uuid-param';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { lotView, type LotView } from '../api/lot-view';
import { isPositive, StockService } from '../lots/stock.service';
import { OUTSOURCING_STATUSES, type LotLink, type OutsourcingOrder } from './outsourcing.entities';
import { OutsourcingService } from './outsourcing.service';
import { locationIdIn, lotIdIn } from '../api/request-lookups';

export class CreateOutsourcingDto {
  @ApiProperty({ description: 'The supplier location (type supplier), id or code', example: 'SUP-HT' })
  @IsString()
  @MaxLength(64)
  supplierLocation: string;

  @ApiProperty({ example: 'Heat treatment 热处理' })
  @IsString()
  @Matches(/\S/, { message: 'process must not be blank' })
  @MaxLength(200)
  process: string;

  @ApiProperty({ description: 'What comes back (id or code)', example: 'SHAFT-HT' })
  @IsString()
  @MaxLength(64)
  outputMaterial: string;

  @ApiProperty({ example: '100' }) @IsQuantity('expectedQty') expectedQty: string;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z' }) @IsOptional() @IsISO8601() dueAt?: string;
}

export class SendDto {
  @ApiProperty({ example: 'SH-0001' }) @IsString() @MaxLength(64) lot: string;
  @ApiProperty({ example: 'WH' }) @IsString() @MaxLength(64) fromLocation: string;
  @ApiProperty({ example: '100' }) @IsQuantity('quantity') quantity: string;
}

export class InputDto {
  @ApiProperty({ example: 'SH-0001' }) @IsString() @MaxLength(64) lot: string;
  @ApiProperty({ example: '100' }) @IsQuantity('quantity') quantity: string;
}

export class ReceiveDto {
  @ApiProperty({ example: '98' }) @IsQuantity('quantity') quantity: string;
  @ApiProperty({ example: 'WH' }) @IsString() @MaxLength(64) toLocation: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) lotCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) supplierLot?: string;
  @ApiPropertyOptional({ example: '2027-06-30' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiryDate?: string;

  @ApiProperty({ type: [InputDto], description: 'Sent lots that went into it' })
  @ValidateNested({ each: true })
  @Type(() => InputDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  inputs: InputDto[];
}

export class CancelOutsourcingDto {
  @ApiProperty()
  @IsString()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxLength(500)
  reason: string;
}

export class OutsourcingQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: OUTSOURCING_STATUSES })
  @IsOptional()
  @IsIn(OUTSOURCING_STATUSES)
  status?: string;
}

const q = (v: string) => formatExact(parseDecimal(v));
const orderView = (o: OutsourcingOrder, links: LotLink[] = []) => ({
  id: o.id,
  code: o.code,
  status: o.status,
  supplierLocationId: o.supplierLocationId,
  supplierId: o.supplierId,
  process: o.process,
  outputMaterialId: o.outputMaterialId,
  expectedQty: q(o.expectedQty),
  receivedQty: q(o.receivedQty),
  dueAt: o.dueAt?.toISOString() ?? null,
  createdAt: o.createdAt.toISOString(),
  closedAt: o.closedAt?.toISOString() ?? null,
  version: o.version,
  genealogy: links.map((l) => ({
    parentLotId: l.parentLotId,
    childLotId: l.childLotId,
    quantity: q(l.quantity),
  })),
});
type OrderView = ReturnType<typeof orderView>;

/** Outsourcing (委外): send to a supplier, receive the processed goods with genealogy. */
@ApiTags('inventory')
@Controller('sites/:siteId/outsourcing-orders')
export class OutsourcingController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly outsourcing: OutsourcingService,
    private readonly stock: StockService,
    private readonly masterData: MasterDataFacade,
  ) {}

  @Post()
  @Roles('admin', 'planner', 'warehouse', 'warehouse_supervisor')
  @ApiCreatedResponse({ description: 'The order (OS-000001)' })
  async create(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateOutsourcingDto,
  ): Promise<OrderView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const location = await this.masterData.location(siteId, dto.supplierLocation, tx.manager);
      const material = await this.masterData.material(siteId, dto.outputMaterial, tx.manager);
      const errors = [
        !location && {
          field: 'supplierLocation',
          message: `location ${dto.supplierLocation} does not exist`,
        },
        location &&
          location.locationType !== 'supplier' && {
            field: 'supplierLocation',
            message: `${location.code} is a ${location.locationType} location, not a supplier's`,
          },
        !material && { field: 'outputMaterial', message: `material ${dto.outputMaterial} does not exist` },
        !isPositive(dto.expectedQty) && {
          field: 'expectedQty',
          message: 'expectedQty must be greater than 0',
        },
      ].filter((e): e is { field: string; message: string } => Boolean(e));
      if (errors.length > 0 || !location || !material) {
        throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'The order is invalid', {
          errors,
        });
      }
      return orderView(
        await this.outsourcing.create(tx, {
          siteId,
          supplierLocationId: location.id,
          supplierId: location.partnerId,
          process: dto.process,
          outputMaterialId: material.id,
          expectedQty: dto.expectedQty,
          dueAt: dto.dueAt ? new Date(dto.dueAt) : null,
        }),
      );
    });
  }

  @Get()
  async list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() query: OutsourcingQueryDto,
  ): Promise<Page<OrderView>> {
    assertSiteAccess(p, siteId);
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const [rows, total] = await this.outsourcing.list(this.dataSource.manager, siteId, {
      ...query,
      limit,
      offset,
    });
    return { items: rows.map((o) => orderView(o)), total, limit, offset };
  }

  @Get(':id')
  async get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<OrderView> {
    assertSiteAccess(p, siteId);
    const order = await this.outsourcing.find(this.dataSource.manager, siteId, id);
    if (!order) throw notFound('outsourcing order', id);
    return orderView(order, await this.outsourcing.links(this.dataSource.manager, id));
  }

  @Post(':id/send')
  @HttpCode(200)
  @Idempotent()
  @Roles('admin', 'warehouse', 'warehouse_supervisor')
  async send(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: SendDto,
  ): Promise<OrderView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const lotId = await lotIdIn(this.stock, tx.manager, siteId, dto.lot, 'lot');
      const from = await locationIdIn(this.masterData, tx.manager, siteId, dto.fromLocation, 'fromLocation');
      this.positive(dto.quantity, 'quantity');
      return orderView(
        await this.outsourcing.send(tx, siteId, id, { lotId, fromLocationId: from, quantity: dto.quantity }),
      );
    });
  }

  @Post(':id/receive')
  @Idempotent()
  @Roles('admin', 'warehouse', 'warehouse_supervisor')
  @ApiCreatedResponse({ description: 'The order and the new lot' })
  async receive(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ReceiveDto,
  ): Promise<{ order: OrderView; lot: LotView }> {
    assertSiteAccess(p, siteId);
    const { order, lot } = await this.tx.run(async (tx) => {
      const toLocationId = await locationIdIn(
        this.masterData,
        tx.manager,
        siteId,
        dto.toLocation,
        'toLocation',
      );
      this.positive(dto.quantity, 'quantity');
      const inputs = [];
      for (const [i, input] of dto.inputs.entries()) {
        this.positive(input.quantity, `inputs[${i}].quantity`);
        inputs.push({
          lotId: await lotIdIn(this.stock, tx.manager, siteId, input.lot, `inputs[${i}].lot`),
          quantity: input.quantity,
        });
      }
      return this.outsourcing.receive(tx, siteId, id, {
        quantity: dto.quantity,
        toLocationId,
        lotCode: dto.lotCode,
        supplierLot: dto.supplierLot ?? null,
        expiryDate: dto.expiryDate ?? null,
        inputs,
      });
    });
    const links = await this.outsourcing.links(this.dataSource.manager, id);
    return {
      order: orderView(order, links),
      lot: lotView(lot, await this.stock.balancesOf(this.dataSource.manager, [lot.id])),
    };
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('admin', 'planner', 'warehouse_supervisor')
  async cancel(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: CancelOutsourcingDto,
  ): Promise<OrderView> {
    assertSiteAccess(p, siteId);
    return orderView(await this.tx.run((tx) => this.outsourcing.cancel(tx, siteId, id, dto.reason)));
  }

  private positive(quantity: string, field: string): void {
    if (!isPositive(quantity))
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Nothing to move', {
        errors: [{ field, message: `${field} must be greater than 0` }],
      });
  }
}
