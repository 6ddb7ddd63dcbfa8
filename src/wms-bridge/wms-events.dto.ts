import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsDateString,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsQuantity } from '../platform/http/quantity';

export const WMS_EVENT_TYPES = [
  'pick.accepted',
  'pick.picked',
  'pick.delivered',
  'pick.shortage',
  'putaway.confirmed',
  'stock.changed',
  'lot.frozen',
  'count.discrepancy',
] as const;
export type WmsEventType = (typeof WMS_EVENT_TYPES)[number];

/** `{eventId, type, occurredAt, data}` (DESIGN.md); `data` is checked per type after this envelope. */
export class WmsEventDto {
  @ApiProperty({ example: 'evt-000123' })
  @Matches(/^[A-Za-z0-9._:-]{1,100}$/, { message: 'eventId must be 1-100 letters, digits or . _ : -' })
  eventId: string;

  @ApiProperty({ enum: WMS_EVENT_TYPES })
  @IsIn(WMS_EVENT_TYPES)
  type: WmsEventType;

  @ApiProperty({ example: '2026-11-21T08:00:00Z' })
  @IsDateString({ strict: true })
  occurredAt: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  data: Record<string, unknown>;
}

export class PickLineDto {
  @ApiProperty() @IsString() @MaxLength(64) material: string;
  @ApiProperty({ example: '10' }) @IsQuantity('qty') qty: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) lot?: string;
}

export class PickEventDataDto {
  @ApiProperty() @IsUUID() taskId: string;
  @ApiPropertyOptional({ type: [PickLineDto] })
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => PickLineDto)
  @ArrayMaxSize(500)
  lines?: PickLineDto[];
}

export class ShortLineDto {
  @ApiProperty() @IsString() @MaxLength(64) material: string;
  @ApiProperty({ example: '5' }) @IsQuantity('shortQty') shortQty: string;
}

export class PickShortageDataDto {
  @ApiProperty() @IsUUID() taskId: string;
  @ApiProperty({ type: [ShortLineDto] })
  @ValidateNested({ each: true })
  @Type(() => ShortLineDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  lines: ShortLineDto[];
}

export class PutawayConfirmedDataDto {
  @ApiProperty() @IsString() @MaxLength(64) lot: string;
  @ApiProperty() @IsString() @MaxLength(64) location: string;
}

export class StockChangedDataDto {
  @ApiProperty() @IsString() @MaxLength(64) material: string;
  @ApiProperty() @IsString() @MaxLength(64) site: string;
  @ApiProperty() @IsQuantity('availableQty') availableQty: string;
}

export class LotFrozenDataDto {
  @ApiProperty() @IsString() @MaxLength(64) lot: string;
  @ApiProperty() @IsString() @MaxLength(500) reason: string;
}

export class CountDiscrepancyDataDto {
  @ApiProperty() @IsString() @MaxLength(64) material: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) lot?: string;
  @ApiProperty() @IsString() @MaxLength(64) location: string;
  @ApiProperty() @IsQuantity('countedQty') countedQty: string;
  @ApiProperty() @IsQuantity('bookQty') bookQty: string;
}

export const DATA_DTO: Record<WmsEventType, new () => object> = {
  'pick.accepted': PickEventDataDto,
  'pick.picked': PickEventDataDto,
  'pick.delivered': PickEventDataDto,
  'pick.shortage': PickShortageDataDto,
  'putaway.confirmed': PutawayConfirmedDataDto,
  'stock.changed': StockChangedDataDto,
  'lot.frozen': LotFrozenDataDto,
  'count.discrepancy': CountDiscrepancyDataDto,
};
