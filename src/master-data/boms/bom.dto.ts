import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsQuantity } from '../../platform/http/quantity';
import { ISSUE_METHODS, type IssueMethod } from './bom.entity';

const DATE_MESSAGE = 'must be a date YYYY-MM-DD';

export class BomLineDto {
  @ApiProperty({ example: 10 })
  @IsInt()
  @Min(1)
  @Max(9999)
  lineNo: number;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  componentId: string;

  @ApiProperty({ example: '2', description: 'Per baseQuantity of the parent, in the component base unit' })
  @IsQuantity('quantityPer')
  quantityPer: string;

  @ApiPropertyOptional({ example: '0.05', default: '0', description: 'Share added for losses, 0 ≤ x < 1' })
  @IsOptional()
  @Matches(/^0(\.\d{1,6})?$/, {
    message: 'scrapFactor must be a decimal from 0 up to (not including) 1, e.g. 0.05',
  })
  scrapFactor?: string;

  @ApiPropertyOptional({ enum: ISSUE_METHODS, default: 'manual' })
  @IsOptional()
  @IsIn(ISSUE_METHODS)
  issueMethod?: IssueMethod;

  @ApiPropertyOptional({ example: 20, description: 'Routing operation where it is consumed' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(9999)
  operationSeq?: number;
}

export class CreateBomDto {
  @ApiProperty({ format: 'uuid', description: 'The parent material' })
  @IsUUID()
  materialId: string;

  @ApiProperty({ example: '2026-12-01' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: `validFrom ${DATE_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `validFrom ${DATE_MESSAGE}` })
  validFrom: string;

  @ApiPropertyOptional({ example: '2027-06-01', description: 'First day it no longer applies' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: `validTo ${DATE_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `validTo ${DATE_MESSAGE}` })
  validTo?: string;

  @ApiPropertyOptional({ example: '1', default: '1' })
  @IsOptional()
  @IsQuantity('baseQuantity')
  baseQuantity?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiProperty({ type: [BomLineDto] })
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => BomLineDto)
  lines: BomLineDto[];
}

export class UpdateBomDto {
  @ApiProperty({ description: 'The version you read' })
  @IsInt()
  @Min(1)
  version: number;

  @ApiPropertyOptional({ example: '2026-12-01' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: `validFrom ${DATE_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `validFrom ${DATE_MESSAGE}` })
  validFrom?: string;

  @ApiPropertyOptional({ example: '2027-06-01' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: `validTo ${DATE_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `validTo ${DATE_MESSAGE}` })
  validTo?: string;

  @ApiPropertyOptional() @IsOptional() @IsQuantity('baseQuantity') baseQuantity?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;

  @ApiPropertyOptional({ type: [BomLineDto], description: 'Replaces all lines when given' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => BomLineDto)
  lines?: BomLineDto[];

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) reason?: string;
}

export class BomListQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() materialId?: string;

  @ApiPropertyOptional({ example: '2026-12-01', description: 'Only revisions valid on this date' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: `at ${DATE_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `at ${DATE_MESSAGE}` })
  at?: string;
}

export class ExplosionQueryDto {
  @ApiProperty({ example: '100', description: 'Quantity of the material to make' })
  @IsQuantity('quantity')
  quantity: string;

  @ApiPropertyOptional({
    example: '2026-12-01',
    description: 'Date whose BOM revisions apply (default: today at the site)',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: `at ${DATE_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `at ${DATE_MESSAGE}` })
  at?: string;
}
