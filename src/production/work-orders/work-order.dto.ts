import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PageQueryDto } from '../../platform/http/pagination';
import { IsQuantity } from '../../platform/http/quantity';
import { WORK_ORDER_STATUSES, type WorkOrderStatus } from '../engine/work-order-state';
import { WORK_ORDER_PRIORITIES, type WorkOrderPriority } from './work-order.entity';

const CODE = /^[A-Za-z0-9._\-/]{1,64}$/;
/** Revisions are integer columns: a larger "integer" (1e308 is one to JavaScript) would fail the query. */
const INT4_MAX = 2_147_483_647;

export class CreateWorkOrderDto {
  @ApiPropertyOptional({
    example: 'WO-2026-000123',
    description: 'Generated (WO-<year>-<number>) when omitted',
  })
  @IsOptional()
  @Matches(CODE, { message: 'code must be 1-64 letters, digits or . _ - /' })
  code?: string;

  @ApiProperty({ description: 'Material to make: id or code', example: 'GB-R80' })
  @IsString()
  @MaxLength(64)
  material: string;

  @ApiProperty({ example: '50', description: 'Decimal, in the material base unit' })
  @IsQuantity('quantity')
  quantity: string;

  @ApiProperty({ example: '2026-12-01T16:00:00Z' })
  @IsDateString({ strict: true })
  dueAt: string;

  @ApiPropertyOptional({ example: '2026-11-28T00:00:00Z' })
  @IsOptional()
  @IsDateString({ strict: true })
  plannedStart?: string;

  @ApiPropertyOptional({ enum: WORK_ORDER_PRIORITIES, default: 'normal' })
  @IsOptional()
  @IsIn(WORK_ORDER_PRIORITIES)
  priority?: WorkOrderPriority;

  @ApiPropertyOptional({ description: 'BOM revision to use; the one valid on the planned start by default' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT4_MAX)
  bomRevision?: number;

  @ApiPropertyOptional({
    description: 'Routing revision to use; the one valid on the planned start by default',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT4_MAX)
  routingRevision?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) notes?: string;
}

export class UpdateWorkOrderDto {
  @ApiProperty({ description: 'Version read; refused when the order changed since' })
  @IsInt()
  @Min(1)
  expectedVersion: number;

  @ApiPropertyOptional({ description: 'Only before release' })
  @IsOptional()
  @IsQuantity('quantity')
  quantity?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString({ strict: true }) dueAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString({ strict: true }) plannedStart?: string;

  @ApiPropertyOptional({ enum: WORK_ORDER_PRIORITIES, description: 'Rush raises the warehouse priority too' })
  @IsOptional()
  @IsIn(WORK_ORDER_PRIORITIES)
  priority?: WorkOrderPriority;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) notes?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class TransitionDto {
  @ApiPropertyOptional({ example: 'customer changed the colour' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class HoldDto {
  @ApiProperty({ example: 'waiting for engineering change ECN-2026-014' })
  @IsString()
  @MaxLength(500)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason: string;
}

export class ReleaseDto {
  @ApiPropertyOptional({
    default: false,
    description: 'Release although material is short (the shortage stays visible on the order)',
  })
  @IsOptional()
  @IsBoolean()
  allowShortage?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class WorkOrderQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: WORK_ORDER_STATUSES,
    isArray: true,
    description: 'One or several, comma separated',
  })
  @IsOptional()
  @Matches(new RegExp(`^(${WORK_ORDER_STATUSES.join('|')})(,(${WORK_ORDER_STATUSES.join('|')}))*$`), {
    message: `status must be one or more of ${WORK_ORDER_STATUSES.join(', ')}, comma separated`,
  })
  status?: string;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() materialId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() lineId?: string;
  @ApiPropertyOptional({ enum: WORK_ORDER_PRIORITIES })
  @IsOptional()
  @IsIn(WORK_ORDER_PRIORITIES)
  priority?: WorkOrderPriority;
  @ApiPropertyOptional({ description: 'Code or ERP order id contains' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  q?: string;
}

export type StatusList = WorkOrderStatus[];
