import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { DataSource } from 'typeorm';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { notFound } from '../../platform/errors/domain-error';
import { PageQueryDto, type Page } from '../../platform/http/pagination';
import { IsQuantity } from '../../platform/http/quantity';
import { UuidParam } from '../../platform/http/uuid-param';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { StockService } from '../lots/stock.service';
import { SerialList } from '../serials/serials.dto';
import { ShipmentsService, type ShipmentView } from './shipments.service';
import { locationIdIn, lotIdIn } from '../api/request-lookups';

export class ShipmentLineDto {
  @ApiProperty({ description: 'Lot id or code', example: 'SA-100-261121-001' })
  @IsString()
  @MaxLength(64)
  lot: string;

  @ApiPropertyOptional({
    description: 'Location id or code; required when the lot is at several',
    example: 'FG',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  locationId?: string;

  @ApiProperty({ example: '20', description: 'Decimal, in the base unit' })
  @IsQuantity('quantity')
  quantity: string;

  @SerialList()
  serials?: string[];
}

export class CreateShipmentDto {
  @ApiProperty({
    description: 'Customer (partner id or code; the partner must be a customer)',
    example: 'C-ACME',
  })
  @IsString()
  @MaxLength(64)
  customer: string;

  @ApiPropertyOptional({
    description: "The customer's order or our delivery note number",
    example: 'PO-88123',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  reference?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;

  @ApiPropertyOptional({
    example: '2026-11-21T15:30:00+08:00',
    description: 'When the goods left; now when omitted; never in the future',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  shippedAt?: string;

  @ApiProperty({ type: [ShipmentLineDto] })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ShipmentLineDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  lines: ShipmentLineDto[];
}

export class ShipmentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Customer (partner id or code)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  customer?: string;

  @ApiPropertyOptional({ description: 'Shipments with a line of this lot (id or code)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  lot?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Shipped at or after' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Shipped before' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

/** Shipments to customers (发货): available lots leave stock, serial numbers are marked shipped. */
@ApiTags('inventory')
@Controller('sites/:siteId/inventory/shipments')
export class ShipmentsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly shipments: ShipmentsService,
    private readonly stock: StockService,
    private readonly masterData: MasterDataFacade,
  ) {}

  @Post()
  @Idempotent()
  @Roles('admin', 'warehouse', 'warehouse_supervisor')
  @ApiCreatedResponse({
    description:
      'The shipment (SHP-000001) with its lines; 409 LOT_NOT_AVAILABLE for a lot that is not available, ' +
      'INSUFFICIENT_STOCK beyond what is there',
  })
  create(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateShipmentDto,
  ): Promise<ShipmentView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const lines = [];
      for (const [i, line] of dto.lines.entries()) {
        lines.push({
          lotId: await lotIdIn(this.stock, tx.manager, siteId, line.lot, `lines[${i}].lot`),
          locationId: line.locationId
            ? await locationIdIn(
                this.masterData,
                tx.manager,
                siteId,
                line.locationId,
                `lines[${i}].locationId`,
              )
            : null,
          quantity: line.quantity,
          serials: line.serials,
        });
      }
      const shipment = await this.shipments.ship(tx, {
        siteId,
        customer: dto.customer,
        reference: dto.reference ?? null,
        note: dto.note ?? null,
        shippedAt: dto.shippedAt ? new Date(dto.shippedAt) : null,
        lines,
      });
      return (await this.shipments.find(tx.manager, siteId, shipment.id))!;
    });
  }

  @Get()
  @ApiOkResponse({ description: 'Shipments, newest first, with their lines' })
  async list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: ShipmentQueryDto,
  ): Promise<Page<ShipmentView>> {
    assertSiteAccess(p, siteId);
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const [items, total] = await this.shipments.list(this.dataSource.manager, siteId, {
      customer: q.customer,
      lot: q.lot,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      limit,
      offset,
    });
    return { items, total, limit, offset };
  }

  @Get(':idOrCode')
  @ApiOkResponse({ description: 'A shipment with its lines (lot, material, quantity, location, serials)' })
  async get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('idOrCode') idOrCode: string,
  ): Promise<ShipmentView> {
    assertSiteAccess(p, siteId);
    const shipment = await this.shipments.find(this.dataSource.manager, siteId, idOrCode);
    if (!shipment) throw notFound('shipment', idOrCode);
    return shipment;
  }
}
