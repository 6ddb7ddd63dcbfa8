import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsTimeZone, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { OptionalNotNull } from '../../errors/validation';

const CURRENCY = /^[A-Z]{3}$/;

export class CreateSiteDto {
  @ApiProperty({ example: 'SZ01', description: 'Business code, unique: letters, digits, - and _' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'code must be 1-32 letters, digits, - or _' })
  code: string;

  @ApiProperty({ example: 'Suzhou Plant 苏州工厂' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'Asia/Shanghai', description: 'IANA time zone' })
  @IsTimeZone()
  timeZone: string;

  @ApiPropertyOptional({ example: 'CNY', default: 'CNY', description: 'ISO 4217 currency costs are kept in' })
  @OptionalNotNull()
  @Matches(CURRENCY, { message: 'currency must be an ISO 4217 code (3 capital letters)' })
  currency?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The enterprise that owns the site' })
  @IsOptional()
  @IsUUID()
  enterpriseId?: string;
}

export class UpdateSiteDto {
  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin' })
  @OptionalNotNull()
  @IsTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({ example: 'EUR', description: 'ISO 4217 currency costs are kept in' })
  @OptionalNotNull()
  @Matches(CURRENCY, { message: 'currency must be an ISO 4217 code (3 capital letters)' })
  currency?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @OptionalNotNull()
  @IsUUID()
  enterpriseId?: string;

  @ApiPropertyOptional({ description: 'Why the change is made (kept in the audit trail)' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class SiteResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty() timeZone: string;
  @ApiProperty({ example: 'CNY' }) currency: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) enterpriseId: string | null;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class CreateEnterpriseDto {
  @ApiProperty({ example: 'SPD' })
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'code must be 1-32 letters, digits, - or _' })
  code: string;

  @ApiProperty({ example: 'Suzhou Precision Drives Group' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: '苏州精密传动集团' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  nameZh?: string;
}

export class EnterpriseResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) nameZh: string | null;
  @ApiProperty() version: number;
}
