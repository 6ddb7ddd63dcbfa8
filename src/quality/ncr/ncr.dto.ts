import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../platform/http/pagination';
import { IsQuantity } from '../../platform/http/quantity';
import {
  NCR_DISPOSITIONS,
  NCR_SOURCES,
  NCR_STATUSES,
  type NcrDisposition,
  type NcrSource,
  type NcrStatus,
} from './ncr.entity';

/** Optional on every NCR command: refused with 409 STALE_VERSION when the NCR changed since it was read. */
class NcrCommandDto {
  @ApiPropertyOptional({ description: 'The NCR version you saw; refused with 409 when it changed meanwhile' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

export class NcrLotRefDto {
  @ApiProperty({ description: 'Lot id or code', example: 'SH-0001' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  lot: string;

  @ApiPropertyOptional({ example: '12', description: 'Nonconforming quantity of this lot, in the base unit' })
  @IsOptional()
  @IsQuantity('quantity')
  quantity?: string;
}

export class OpenNcrDto {
  @ApiProperty({
    enum: NCR_SOURCES,
    description: 'Operators raise NCRs from the terminal only (source terminal)',
  })
  @IsIn(NCR_SOURCES)
  source: NcrSource;

  @ApiProperty({ example: 'Shaft Ø40 oversize', description: 'What is wrong, in one line' })
  @IsString()
  @MaxLength(200)
  @Matches(/\S/, { message: 'title must not be blank' })
  title: string;

  @ApiPropertyOptional({ example: '3 of 5 samples above USL 40.025 mm' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @ApiPropertyOptional({ description: 'Material id or code; taken from the lots when they share one' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  material?: string;

  @ApiPropertyOptional({ example: '12', description: 'Nonconforming quantity in the base unit' })
  @IsOptional()
  @IsQuantity('quantity')
  quantity?: string;

  @ApiPropertyOptional({ type: [String], example: ['D-DIM'], description: 'Reason codes of category defect' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  defectCodes?: string[];

  @ApiPropertyOptional({ type: [NcrLotRefDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => NcrLotRefDto)
  lots?: NcrLotRefDto[];

  @ApiPropertyOptional({ description: 'Work order id or code' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  workOrder?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The operation (job order) where it was found' })
  @IsOptional()
  @IsUUID()
  operation?: string;

  @ApiPropertyOptional({ description: 'Supplier (partner id or code); required for source supplier' })
  @ValidateIf((d: OpenNcrDto) => d.source === 'supplier' || d.supplier !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  supplier?: string;

  @ApiPropertyOptional({ description: 'Who complained; required for source customer' })
  @ValidateIf((d: OpenNcrDto) => d.source === 'customer' || d.customer !== undefined)
  @IsString()
  @MaxLength(200)
  @Matches(/\S/, { message: 'customer must not be blank' })
  customer?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Put the named lots on hold now (quality only)',
  })
  @IsOptional()
  @IsBoolean()
  holdLots?: boolean;
}

export class NcrQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: NCR_STATUSES })
  @IsOptional()
  @IsIn(NCR_STATUSES)
  @Type(() => String)
  status?: NcrStatus;

  @ApiPropertyOptional({ enum: NCR_SOURCES })
  @IsOptional()
  @IsIn(NCR_SOURCES)
  @Type(() => String)
  source?: NcrSource;

  @ApiPropertyOptional({ description: 'Material id or code' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Type(() => String)
  material?: string;

  @ApiPropertyOptional({ description: 'NCRs naming this lot (id or code), reported or affected' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Type(() => String)
  lot?: string;
}

export class ReviewNcrDto extends NcrCommandDto {
  @ApiPropertyOptional({ example: 'Taking this one; measuring the retained samples' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ContainNcrDto extends NcrCommandDto {
  @ApiPropertyOptional({
    default: true,
    description: 'Hold the affected lots still in quarantine or available (false: only list them)',
  })
  @IsOptional()
  @IsBoolean()
  hold?: boolean;

  @ApiPropertyOptional({ example: 'Lots in WH and at line L1 frozen; customer shipments checked' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class DispositionNcrDto extends NcrCommandDto {
  @ApiProperty({ enum: NCR_DISPOSITIONS })
  @IsIn(NCR_DISPOSITIONS)
  disposition: NcrDisposition;

  @ApiPropertyOptional({ example: '12', description: 'At most the NCR quantity; defaults to it' })
  @IsOptional()
  @IsQuantity('quantity')
  quantity?: string;

  @ApiProperty({ example: 'Oversize confirmed on 5/5 samples; no rework possible', description: 'Why' })
  @IsString()
  @MaxLength(2000)
  @Matches(/\S/, { message: 'note must not be blank' })
  note: string;

  @ApiProperty({ format: 'password', description: 'Your password: the disposition is signed electronically' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;

  @ApiPropertyOptional({ description: 'Scrap reason code (id or code, category scrap); required for scrap' })
  @ValidateIf((d: DispositionNcrDto) => d.disposition === 'scrap' || d.scrapReasonCode !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  scrapReasonCode?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'rework: due date of the rework order (default +3 days)',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  reworkDueAt?: string;
}

export class CloseNcrDto extends NcrCommandDto {
  @ApiProperty({ example: 'Rework order done; 12 pcs re-inspected and released' })
  @IsString()
  @MaxLength(2000)
  @Matches(/\S/, { message: 'note must not be blank' })
  note: string;
}
