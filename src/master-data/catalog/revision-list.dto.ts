import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../platform/http/pagination';

/** Filters of BOM and routing lists. */
export class RevisionListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() materialId?: string;

  @ApiPropertyOptional({ example: '2026-12-01', description: 'Only revisions valid on this date' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'at must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'at must be a date YYYY-MM-DD' })
  at?: string;

  @ApiPropertyOptional({ description: 'Search the material code and names' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @Matches(/^(true|false)$/, { message: 'active must be true or false' })
  active?: string;
}
