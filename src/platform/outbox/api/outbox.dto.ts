import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../http/pagination';

export class OutboxQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'dead'] })
  @IsOptional()
  @IsIn(['pending', 'delivered', 'dead'])
  status?: 'pending' | 'delivered' | 'dead';

  @ApiPropertyOptional({ example: 'wms' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  destination?: string;
}

export class RedriveDto {
  @ApiPropertyOptional({ description: 'Why (kept in the audit trail)' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class RedriveAllDto extends RedriveDto {
  @ApiPropertyOptional({ description: 'Only dead letters of this destination' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  destination?: string;

  @ApiPropertyOptional({ description: 'Only dead letters of this message type' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  messageType?: string;
}

export class OutboxMessageResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() seq: string;
  @ApiProperty() destination: string;
  @ApiProperty() messageType: string;
  @ApiProperty({ type: Object }) payload: unknown;
  @ApiProperty({ type: Object }) target: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) orderingKey: string | null;
  @ApiProperty({ enum: ['pending', 'delivered', 'dead'] }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty() nextAttemptAt: Date;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: Number }) lastHttpStatus: number | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) deliveredAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) deadAt: Date | null;
  @ApiProperty() redriveCount: number;
  @ApiProperty() correlationId: string;
}

export class OutboxPageResponse {
  @ApiProperty({ type: [OutboxMessageResponse] }) items: OutboxMessageResponse[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export class RedriveAllResponse {
  @ApiProperty() redriven: number;
}
