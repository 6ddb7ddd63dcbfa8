import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** What the audit trail can be filtered by (the list and the export alike). */
export class AuditFilterDto {
  @ApiPropertyOptional({ example: 'user' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  entityType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  entityId?: string;

  @ApiPropertyOptional({ description: 'User or API client id' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  actorId?: string;

  @ApiPropertyOptional({ example: 'user.updated' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
}

export class AuditQueryDto extends AuditFilterDto {
  @ApiPropertyOptional({ description: 'Return entries older than this id (keyset paging, newest first)' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'before must be an entry id' }) // 19 digits may overflow a bigint
  before?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ enum: ['desc', 'asc'], default: 'desc' })
  @IsOptional()
  @IsIn(['desc', 'asc'])
  order?: 'desc' | 'asc';
}

export const AUDIT_EXPORT_FORMATS = ['csv', 'json'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

export class AuditExportQueryDto extends AuditFilterDto {
  @ApiPropertyOptional({
    enum: AUDIT_EXPORT_FORMATS,
    default: 'csv',
    description: 'csv: one row per entry, before/after as JSON text; json: an array of entries',
  })
  @IsOptional()
  @IsIn(AUDIT_EXPORT_FORMATS)
  format?: AuditExportFormat;
}

export class AuditEntryResponse {
  @ApiProperty() id: string;
  @ApiProperty() occurredAt: Date;
  @ApiProperty({ enum: ['user', 'api_client', 'system'] }) actorType: string;
  @ApiProperty() actorId: string;
  @ApiProperty() actorName: string;
  @ApiProperty({ nullable: true, type: String }) siteId: string | null;
  @ApiProperty() entityType: string;
  @ApiProperty() entityId: string;
  @ApiProperty() action: string;
  @ApiProperty({ nullable: true, type: Object }) before: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: Object }) after: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty() correlationId: string;
}

export class AuditPageResponse {
  @ApiProperty({ type: [AuditEntryResponse] }) items: AuditEntryResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `before` for the next page' })
  nextBefore: string | null;
}
