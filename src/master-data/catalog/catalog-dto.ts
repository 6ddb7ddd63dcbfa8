import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { PageQueryDto } from '../../platform/http/pagination';

export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
const CODE_MESSAGE = 'code must be 1-64 letters, digits, . _ / or -, starting with a letter or digit';

/** Fields every create DTO has. */
export class CatalogCreateDto {
  @ApiProperty({ example: 'M-100234', description: 'Unique per site' })
  @Matches(CODE_PATTERN, { message: CODE_MESSAGE })
  code: string;

  @ApiProperty({ example: 'Hex bolt M8x20' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: '六角螺栓 M8x20' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  nameZh?: string;
}

/** Fields every update DTO has: the version read (optimistic concurrency) and an optional reason. */
export class CatalogUpdateDto {
  @ApiProperty({ description: 'The version you read; a newer version on the server answers 409' })
  @IsInt()
  @Min(1)
  version: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  nameZh?: string;

  @ApiPropertyOptional({ description: 'Why (kept in the audit trail)' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class ChangeActiveDto {
  @ApiProperty({ description: 'The version you read' })
  @IsInt()
  @Min(1)
  version: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class CatalogListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Search in code and names (case-insensitive, substring)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ description: 'Comma-separated fields, `-` for descending, e.g. `-updatedAt,code`' })
  @IsOptional()
  @Matches(/^-?[A-Za-z]{1,40}(,-?[A-Za-z]{1,40}){0,4}$/, {
    message: 'sort must be up to 5 field names, each optionally prefixed by -',
  })
  sort?: string;

  @ApiPropertyOptional({ description: 'Only active (true) or inactive (false) records; both when omitted' })
  @IsOptional()
  @Type(() => String)
  @Matches(/^(true|false)$/, { message: 'active must be true or false' })
  active?: string;
}

export class ImportQueryDto {
  @ApiPropertyOptional({ description: 'Check every row and report, importing nothing', default: false })
  @IsOptional()
  @Matches(/^(true|false)$/, { message: 'dryRun must be true or false' })
  dryRun?: string;
}

export class ImportJsonDto {
  @ApiProperty({ type: [Object], description: 'Rows with the same fields as the create body' })
  rows: unknown[];
}

export class ImportErrorResponse {
  @ApiProperty({ description: 'Line in the CSV file (header = 1) or 1-based index in the JSON rows' })
  row: number;
  @ApiProperty() field: string;
  @ApiProperty() message: string;
}

export class ImportReportResponse {
  @ApiProperty() dryRun: boolean;
  @ApiProperty() rows: number;
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
  @ApiProperty({ type: [ImportErrorResponse] }) errors: ImportErrorResponse[];
}

export const MAX_IMPORT_ROWS = 10000;
