import { Body, Controller, Get, HttpCode, Param, ParseEnumPipe, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { DataSource, type FindOptionsWhere } from 'typeorm';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import type { Role } from '../../platform/auth/roles';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { DomainError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import { PageQueryDto, type Page } from '../../platform/http/pagination';
import { IsQuantity } from '../../platform/http/quantity';
import { UuidParam } from '../../platform/http/uuid-param';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { LOT_COMMANDS, type LotCommand } from '../engine/lot-state';
import { InventoryMovement, MOVEMENT_TYPES, type MovementType } from '../lots/inventory-movement.entity';
import type { LotStatus } from '../lots/lot.entity';
import { LotStatusService } from '../lots/lot-status.service';
import { StockMovementsService } from '../lots/stock-movements.service';
import { isPositive, StockService } from '../lots/stock.service';
import { SerialList } from '../serials/serials.dto';
import { lotView, type LotView } from './lot-view';
import { locationIdIn } from './request-lookups';

export class LotStatusChangeDto {
  @ApiPropertyOptional({
    description: 'Required to hold, reject or extend',
    example: 'Supplier recall 2026-11',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional({ enum: ['available', 'quarantine'], description: 'extend: the status after re-test' })
  @IsOptional()
  @IsIn(['available', 'quarantine'])
  target?: LotStatus;

  @ApiPropertyOptional({ description: 'The lot version you saw; refused with 409 when it changed meanwhile' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

class MoveBaseDto {
  @ApiProperty({ description: 'Lot id or code', example: 'BRG-6205-20261121-001' })
  @IsString()
  @MaxLength(64)
  lot: string;

  @ApiProperty({ example: '20', description: 'Decimal, in the base unit' })
  @IsQuantity('quantity')
  quantity: string;

  @ApiPropertyOptional({ example: 'TR-0042' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reference?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;

  @SerialList()
  serials?: string[];
}

export class TransferDto extends MoveBaseDto {
  @ApiProperty({ description: 'Location id or code the stock is taken from', example: 'WH-RM' })
  @IsString()
  @MaxLength(64)
  fromLocation: string;

  @ApiProperty({ description: 'Location id or code it goes to', example: 'LS-L1' })
  @IsString()
  @MaxLength(64)
  toLocation: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The work order it is staged for, if any' })
  @IsOptional()
  @IsUUID()
  workOrderId?: string;
}

export class ScrapDto extends MoveBaseDto {
  @ApiProperty({ description: 'Location id or code', example: 'LS-L1' })
  @IsString()
  @MaxLength(64)
  location: string;

  @ApiProperty({ description: 'Scrap reason code (id or code)', example: 'S-DMG' })
  @IsString()
  @MaxLength(64)
  reasonCode: string;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() workOrderId?: string;
}

export class ReturnDto extends MoveBaseDto {
  @ApiProperty({ format: 'uuid', description: 'The work order the material was issued to' })
  @IsUUID()
  workOrderId: string;

  @ApiProperty({ description: 'Where it goes back to (id or code)', example: 'WH-RM' })
  @IsString()
  @MaxLength(64)
  toLocation: string;

  @ApiPropertyOptional({ description: 'Reason code for defectives (id or code)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  reasonCode?: string;
}

export class MovementQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() lotId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() materialId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Movements from or to this location' })
  @IsOptional()
  @IsUUID()
  locationId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() workOrderId?: string;
  @ApiPropertyOptional({ enum: MOVEMENT_TYPES })
  @IsOptional()
  @IsIn(MOVEMENT_TYPES)
  @Type(() => String)
  type?: MovementType;
}

/** Who may change a lot's status: anyone in the warehouse may freeze, only quality decides the rest. */
const STATUS_ROLES: Record<LotCommand, readonly Role[]> = {
  hold: ['admin', 'quality', 'warehouse'],
  unhold: ['admin', 'quality'],
  release: ['admin', 'quality'],
  reject: ['admin', 'quality'],
  expire: ['admin', 'quality'],
  extend: ['admin', 'quality'],
  consume: [],
  restock: [],
};
const API_COMMANDS = LOT_COMMANDS.filter((c) => STATUS_ROLES[c].length > 0);
const STATUS_WRITERS = [...new Set(Object.values(STATUS_ROLES).flat())];

/** Lot status (quality) and stock movements: transfers, scrap and returns from work orders (退料). */
@ApiTags('inventory')
@Controller('sites/:siteId')
export class StockController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly stock: StockService,
    private readonly movements: StockMovementsService,
    private readonly statuses: LotStatusService,
    private readonly masterData: MasterDataFacade,
  ) {}

  @Post('lots/:idOrCode/:command')
  @HttpCode(200)
  @Roles(...STATUS_WRITERS)
  @ApiParam({ name: 'command', enum: API_COMMANDS })
  @ApiOkResponse({
    description: 'The lot with its new status; 409 ILLEGAL_TRANSITION with the allowed commands',
  })
  async changeStatus(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('idOrCode') idOrCode: string,
    @Param('command', new ParseEnumPipe(Object.fromEntries(API_COMMANDS.map((c) => [c, c]))))
    command: LotCommand,
    @Body() dto: LotStatusChangeDto,
  ): Promise<LotView> {
    assertSiteAccess(p, siteId);
    if (!p.roles.some((r) => STATUS_ROLES[command].includes(r))) {
      throw new DomainError(
        'forbidden',
        PlatformErrorCode.ROLE_REQUIRED,
        `Your role may not ${command} a lot`,
        {
          extensions: { requiredRoles: STATUS_ROLES[command] },
        },
      );
    }
    const lot = await this.tx.run((tx) =>
      this.statuses.change(tx, { siteId, lot: idOrCode, command, ...dto }),
    );
    return lotView(lot, await this.stock.balancesOf(this.dataSource.manager, [lot.id]));
  }

  @Post('inventory/transfers')
  @Idempotent()
  @Roles('admin', 'warehouse', 'operator')
  @ApiCreatedResponse({ description: 'The ledger movement' })
  transfer(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: TransferDto,
  ): Promise<InventoryMovement> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      // One after the other: the transaction has one connection.
      const lotId = await this.lotId(tx, siteId, dto.lot);
      const from = await locationIdIn(this.masterData, tx.manager, siteId, dto.fromLocation, 'fromLocation');
      const to = await locationIdIn(this.masterData, tx.manager, siteId, dto.toLocation, 'toLocation');
      this.assertPositive(dto.quantity);
      return this.movements.transfer(tx, {
        siteId,
        lotId,
        fromLocationId: from,
        toLocationId: to,
        quantity: dto.quantity,
        workOrderId: dto.workOrderId ?? null,
        reference: dto.reference ?? null,
        note: dto.note ?? null,
        serials: dto.serials,
      });
    });
  }

  @Post('inventory/scraps')
  @Idempotent()
  @Roles('admin', 'warehouse', 'quality', 'operator')
  @ApiCreatedResponse({ description: 'The ledger movement' })
  scrap(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: ScrapDto,
  ): Promise<InventoryMovement> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const lotId = await this.lotId(tx, siteId, dto.lot);
      const locationId = await locationIdIn(this.masterData, tx.manager, siteId, dto.location, 'location');
      const reason = await this.masterData.reasonCode(siteId, dto.reasonCode, tx.manager);
      if (!reason || reason.category !== 'scrap' || !reason.active) {
        throw new DomainError(
          'validation',
          PlatformErrorCode.VALIDATION_FAILED,
          'Scrap needs a scrap reason code',
          {
            errors: [{ field: 'reasonCode', message: 'must be an active reason code of category scrap' }],
          },
        );
      }
      this.assertPositive(dto.quantity);
      return this.movements.scrap(tx, {
        siteId,
        lotId,
        locationId,
        quantity: dto.quantity,
        reasonCodeId: reason.id,
        workOrderId: dto.workOrderId ?? null,
        reference: dto.reference ?? null,
        note: dto.note ?? null,
        serials: dto.serials,
      });
    });
  }

  @Post('inventory/returns')
  @Idempotent()
  @Roles('admin', 'warehouse', 'operator')
  @ApiCreatedResponse({
    description: 'The ledger movement; 409 RETURN_EXCEEDS_ISSUED beyond what was issued',
  })
  returnFromWorkOrder(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: ReturnDto,
  ): Promise<InventoryMovement> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const lotId = await this.lotId(tx, siteId, dto.lot);
      const toLocationId = await locationIdIn(
        this.masterData,
        tx.manager,
        siteId,
        dto.toLocation,
        'toLocation',
      );
      const reason = dto.reasonCode
        ? await this.masterData.reasonCode(siteId, dto.reasonCode, tx.manager)
        : undefined;
      if (dto.reasonCode && (!reason || !reason.active)) {
        throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Unknown reason code', {
          errors: [
            { field: 'reasonCode', message: `reason code ${dto.reasonCode} does not exist at this site` },
          ],
        });
      }
      this.assertPositive(dto.quantity);
      return this.movements.returnFromWorkOrder(tx, {
        siteId,
        lotId,
        workOrderId: dto.workOrderId,
        toLocationId,
        quantity: dto.quantity,
        reasonCodeId: reason?.id ?? null,
        reference: dto.reference ?? null,
        note: dto.note ?? null,
        serials: dto.serials,
      });
    });
  }

  @Get('inventory/movements')
  @ApiOkResponse({ description: 'The stock ledger, newest first' })
  async list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: MovementQueryDto,
  ): Promise<Page<InventoryMovement>> {
    assertSiteAccess(p, siteId);
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const base: FindOptionsWhere<InventoryMovement> = {
      siteId,
      ...(q.lotId && { lotId: q.lotId }),
      ...(q.materialId && { materialId: q.materialId }),
      ...(q.workOrderId && { workOrderId: q.workOrderId }),
      ...(q.type && { movementType: q.type }),
    };
    const where = q.locationId
      ? [
          { ...base, fromLocationId: q.locationId },
          { ...base, toLocationId: q.locationId },
        ]
      : base;
    const [items, total] = await this.dataSource.getRepository(InventoryMovement).findAndCount({
      where,
      order: { occurredAt: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
    return { items, total, limit, offset };
  }

  private async lotId(tx: Tx, siteId: string, idOrCode: string): Promise<string> {
    const lot = await this.stock.findLot(tx.manager, siteId, idOrCode);
    if (!lot) throw notFound('lot', idOrCode);
    return lot.id;
  }

  private assertPositive(quantity: string): void {
    if (!isPositive(quantity)) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Nothing to move', {
        errors: [{ field: 'quantity', message: 'quantity must be greater than 0' }],
      });
    }
  }
}
