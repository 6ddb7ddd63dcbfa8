import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsDateString, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

/** Codes or ids separated by commas (`LATHE-1,PRESS-1`). */
const LIST = /^[A-Za-z0-9._/-]{1,64}(,[A-Za-z0-9._/-]{1,64})*$/;

export const listOf = (value: string | undefined): string[] =>
  value === undefined ? [] : [...new Set(value.split(','))];

export class SiteQueryDto {
  @ApiProperty({ format: 'uuid', description: 'The site (every dashboard is about one)' })
  @IsUUID()
  siteId: string;
}

export class LineQueryDto extends SiteQueryDto {
  @ApiPropertyOptional({ description: 'One production line: id or code', example: 'L1' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  line?: string;
}

export class PeriodQueryDto extends SiteQueryDto {
  @ApiPropertyOptional({
    description: 'Start of the period (ISO 8601); the default depends on the dashboard',
    example: '2026-05-01T00:00:00+08:00',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'End of the period (ISO 8601, exclusive)' })
  @IsOptional()
  @IsDateString({ strict: true })
  to?: string;
}

export class LinePeriodQueryDto extends IntersectionType(PeriodQueryDto, LineQueryDto) {}

export class MachinesQueryDto extends LinePeriodQueryDto {
  @ApiPropertyOptional({
    description:
      'Machines by code or id, comma-separated (ignored when a line is named); every active one by default',
    example: 'LATHE-1,PRESS-1',
  })
  @IsOptional()
  @Matches(LIST, { message: 'equipment must be codes or ids separated by commas' })
  @MaxLength(2000)
  equipment?: string;
}

export class StockGaugesQueryDto extends SiteQueryDto {
  @ApiPropertyOptional({
    description:
      'Materials by code or id, comma-separated; by default every active material with a safety stock or reorder point',
    example: 'SHAFT,GREASE',
  })
  @IsOptional()
  @Matches(LIST, { message: 'material must be codes or ids separated by commas' })
  @MaxLength(2000)
  material?: string;
}
