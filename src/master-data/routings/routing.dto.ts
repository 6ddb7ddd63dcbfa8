import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsQuantity } from '../../platform/http/quantity';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class ProcessParameterDto {
  @ApiProperty({ example: 'Spindle speed' }) @IsString() @MinLength(1) @MaxLength(100) name: string;
  @ApiPropertyOptional({ example: 'rpm' }) @IsOptional() @IsString() @MaxLength(20) unit?: string;
  @ApiPropertyOptional({ example: 2800 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  min?: number;
  @ApiPropertyOptional({ example: 3200 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  max?: number;
}

export class AttachmentDto {
  @ApiProperty({ example: 'Drawing rev C' }) @IsString() @MinLength(1) @MaxLength(200) title: string;
  @ApiProperty({ example: 'https://docs.example.com/drawings/SH-100-C.pdf' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(1000)
  url: string;
}

export class OperationEquipmentDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() equipmentId: string;

  @ApiProperty({ example: '45', description: 'Seconds per unit on this machine' })
  @IsQuantity('runTimePerUnitSec')
  runTimePerUnitSec: string;

  @ApiPropertyOptional({ example: '900', default: '0', description: 'Setup seconds' })
  @IsOptional()
  @IsQuantity('setupTimeSec')
  setupTimeSec?: string;

  @ApiPropertyOptional({ example: 'STEEL-D40' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,32}$/, { message: 'setupFamily must be 1-32 letters, digits, . _ or -' })
  setupFamily?: string;
}

export class RoutingOperationDto {
  @ApiProperty({ example: 10 }) @IsInt() @Min(1) @Max(9999) seq: number;
  @ApiProperty({ example: 'Turning' }) @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiPropertyOptional({ example: '车削' }) @IsOptional() @IsString() @MaxLength(200) nameZh?: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() workCenterId: string;
  @ApiPropertyOptional({ example: '20' }) @IsOptional() @IsQuantity('minTransferQty') minTransferQty?: string;
  @ApiPropertyOptional({ description: 'Markdown' })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  instructions?: string;

  @ApiPropertyOptional({ type: [AttachmentDto] })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AttachmentDto)
  attachments?: AttachmentDto[];

  @ApiPropertyOptional({ type: [ProcessParameterDto] })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ProcessParameterDto)
  parameters?: ProcessParameterDto[];

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() inspectionPoint?: boolean;

  @ApiProperty({ type: [OperationEquipmentDto], description: 'Machines that can do it (at least one)' })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OperationEquipmentDto)
  equipment: OperationEquipmentDto[];
}

export class CreateRoutingDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() materialId: string;

  @ApiProperty({ example: '2026-12-01' })
  @Matches(DATE, { message: 'validFrom must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'validFrom must be a date YYYY-MM-DD' })
  validFrom: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(DATE, { message: 'validTo must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'validTo must be a date YYYY-MM-DD' })
  validTo?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;

  @ApiProperty({ type: [RoutingOperationDto] })
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => RoutingOperationDto)
  operations: RoutingOperationDto[];
}

export class UpdateRoutingDto {
  @ApiProperty() @IsInt() @Min(1) version: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(DATE, { message: 'validFrom must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'validFrom must be a date YYYY-MM-DD' })
  validFrom?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(DATE, { message: 'validTo must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'validTo must be a date YYYY-MM-DD' })
  validTo?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;

  @ApiPropertyOptional({ type: [RoutingOperationDto], description: 'Replaces all operations when given' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => RoutingOperationDto)
  operations?: RoutingOperationDto[];

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) reason?: string;
}

export class RoutingListQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() materialId?: string;

  @ApiPropertyOptional({ example: '2026-12-01' })
  @IsOptional()
  @Matches(DATE, { message: 'at must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'at must be a date YYYY-MM-DD' })
  at?: string;
}
