import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_DEPTH } from './trace.service';

export class TraceQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_DEPTH,
    default: MAX_DEPTH,
    description: 'How many levels to follow (1 = direct parents or children only)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_DEPTH)
  depth?: number;

  @ApiPropertyOptional({ description: 'Site id, when the lot code exists at more than one of your sites' })
  @IsOptional()
  @IsUUID()
  site?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'true',
    description: 'false: the graph only, without each lot’s documents (faster for very large graphs)',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  documents?: 'true' | 'false';
}

/** Lots a recall scope lists per page by default, and at most. */
export const RECALL_PAGE = 500;
export const MAX_RECALL_PAGE = 10_000;

/** The lot a recall starts from. */
export class RecallSourceDto {
  @ApiProperty({
    description: 'Lot code (or id) the recall starts from: a supplier’s lot as received, or any lot',
    example: 'BAR-40CR-001',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  lot: string;

  @ApiPropertyOptional({ description: 'Site id, when the lot code exists at more than one of your sites' })
  @IsOptional()
  @IsUUID()
  site?: string;
}

export class RecallDto extends RecallSourceDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_DEPTH, default: MAX_DEPTH })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DEPTH)
  depth?: number;

  @ApiPropertyOptional({
    minimum: 0,
    default: 0,
    description: 'Lots to skip (lots come by depth, then code)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000) // as PageQueryDto: beyond a bigint the query itself would fail
  offset?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_RECALL_PAGE,
    description: `Lots in the page (default ${RECALL_PAGE}; the CSV export lists every lot unless a limit is given). The summary, work orders and customers always cover the whole scope.`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RECALL_PAGE)
  limit?: number;
}

export class RecallHoldDto extends RecallSourceDto {
  @ApiProperty({
    description: 'Why (kept on every lot held and in the audit trail)',
    example: 'Supplier notice SN-88: cracks',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(400)
  reason: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Also hold the unfinished work orders that consumed affected lots',
  })
  @IsOptional()
  @IsBoolean()
  holdWorkOrders?: boolean;
}

export class SerialQueryDto {
  @ApiPropertyOptional({
    description: 'Material code or id, when the serial number exists for several materials',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  material?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_DEPTH, default: MAX_DEPTH })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_DEPTH)
  depth?: number;
}

export class ComponentDto {
  @ApiProperty({ description: 'Serial number of the component', example: 'MTR-0001' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  serial: string;

  @ApiPropertyOptional({
    description: 'Material code or id, when the serial number exists for several materials',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  material?: string;
}

export class FitComponentsDto {
  @ApiProperty({ description: 'Serial number of the finished unit', example: 'GB-R80-000001-0001' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  unit: string;

  @ApiPropertyOptional({ description: 'Material code or id of the unit, when its serial exists for several' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  unitMaterial?: string;

  @ApiProperty({ type: [ComponentDto], description: 'Component serials fitted into the unit' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => ComponentDto)
  components: ComponentDto[];
}

/** The component serial to take out of its unit. */
export class RemoveComponentDto extends ComponentDto {
  @ApiProperty({ example: 'Bearing noisy at run-in; replaced' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;
}
