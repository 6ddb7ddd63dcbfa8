import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CurrentPrincipal, Roles } from '../platform/auth/auth.decorators';
import type { Principal } from '../platform/auth/principal';
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { IsQuantity } from '../platform/http/quantity';
import { UuidParam } from '../platform/http/uuid-param';
import { PICK_TASK_STATUSES, type PickTaskStatus } from './pick-task.entity';
import { PickTasksService, type PickSuggestion, type PickTaskView } from './pick-tasks.service';
import { PUTAWAY_STATUSES, type Putaway } from './putaway.entity';
import { WmsEventDto } from './wms-events.dto';
import { WmsEventsService, type WmsEventAnswer } from './wms-events.service';

const list = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').filter(Boolean) : value;

export class PickTaskQueryDto {
  @ApiPropertyOptional({ description: 'Comma-separated statuses', example: 'pending,sent,accepted' })
  @IsOptional()
  @Transform(list)
  @ArrayMaxSize(8)
  @IsIn(PICK_TASK_STATUSES, { each: true })
  status?: PickTaskStatus[];

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() workOrderId?: string;

  @ApiPropertyOptional({ default: 100, maximum: 500 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class PutawayQueryDto {
  @ApiPropertyOptional({ description: 'Comma-separated statuses', example: 'pending,sent' })
  @IsOptional()
  @Transform(list)
  @ArrayMaxSize(4)
  @IsIn(PUTAWAY_STATUSES, { each: true })
  status?: string[];
}

export class PickedLineDto {
  @ApiProperty({ example: 10, description: 'The task line picked' })
  @IsInt()
  @Min(1)
  lineNo: number;

  @ApiProperty({ example: '48', description: 'Picked, in the base unit; less than open is a short pick' })
  @IsQuantity('qty')
  qty: string;

  @ApiPropertyOptional({ description: 'The lot scanned (code or id); else FIFO/FEFO', example: 'SH-0042' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  lot?: string;
}

export class ConfirmPickDto {
  @ApiPropertyOptional({ type: [PickedLineDto], description: 'Lines as picked; the others by FIFO/FEFO' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PickedLineDto)
  lines?: PickedLineDto[];

  @ApiPropertyOptional({
    example: 'Bin empty, supplier delivery late',
    description: 'Required for a short pick',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  shortReason?: string;
}

export class ConfirmPutawayDto {
  @ApiProperty({ description: 'Warehouse bin (code or id) the lot was put in', example: 'WH-A-01' })
  @IsString()
  @MaxLength(64)
  location: string;
}

/** The warehouse's work list (embedded warehouse: accept and confirm here). */
@ApiTags('wms')
@Controller('sites/:siteId/wms')
export class WmsController {
  constructor(private readonly picks: PickTasksService) {}

  @Get('pick-tasks')
  @ApiOkResponse({ description: 'Pick tasks, rush first, then by need-by time, with their lines' })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: PickTaskQueryDto,
  ): Promise<PickTaskView[]> {
    return this.picks.list(p, siteId, q);
  }

  @Get('pick-tasks/:id')
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<PickTaskView> {
    return this.picks.get(p, siteId, id);
  }

  @Post('pick-tasks/:id/accept')
  @HttpCode(200)
  @Roles('warehouse', 'admin')
  @Idempotent()
  @ApiOkResponse({ description: 'Taken by the warehouse; the work order is kitting' })
  accept(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<PickTaskView> {
    return this.picks.accept(p, siteId, id);
  }

  @Post('pick-tasks/:id/confirm')
  @HttpCode(200)
  @Roles('warehouse', 'admin')
  @Idempotent()
  @ApiOkResponse({ description: 'Picked and delivered to the line side (or short, with what is missing)' })
  confirm(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ConfirmPickDto,
  ): Promise<PickTaskView> {
    return this.picks.confirm(p, siteId, id, dto ?? {});
  }

  @Get('pick-tasks/:id/suggestions')
  @ApiOkResponse({ description: 'Per open line, the lots a pick would take now (site policy FIFO/FEFO)' })
  suggestions(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<PickSuggestion[]> {
    return this.picks.suggestions(p, siteId, id);
  }

  @Get('putaways')
  putaways(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: PutawayQueryDto,
  ): Promise<Putaway[]> {
    return this.picks.putaways(p, siteId, q.status);
  }

  @Post('putaways/:id/confirm')
  @HttpCode(200)
  @Roles('warehouse', 'admin')
  @Idempotent()
  confirmPutaway(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ConfirmPutawayDto,
  ): Promise<Putaway> {
    return this.picks.confirmPutaway(p, siteId, id, dto.location);
  }
}

/** Inbound events from an external WMS, signed (X-App-Key …) with a client holding the warehouse role. */
@ApiTags('wms')
@Controller('wms')
export class WmsEventsController {
  constructor(private readonly events: WmsEventsService) {}

  @Post('events')
  @HttpCode(200)
  @Roles('warehouse', 'admin')
  @ApiOkResponse({ description: 'Taken (or the stored outcome of a repeated eventId, duplicate: true)' })
  receive(@CurrentPrincipal() p: Principal, @Body() event: WmsEventDto): Promise<WmsEventAnswer> {
    return this.events.receive(p, event);
  }
}
