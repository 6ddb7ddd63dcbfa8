import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class AuditQueryDto {
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

  @ApiPropertyOptional({ description: 'Return entries older than this id (keyset paging, newest first)' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'before must be an entry id' })
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
