import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { IsRoleList, IsSiteIdList } from './access-validators';
import { ROLES, type Role } from '../roles';

export class RegisterTerminalDto {
  @ApiProperty({ example: 'T-CNC-01' })
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'code must be 1-64 letters, digits, - or _' })
  code: string;

  @ApiProperty({ example: 'CNC cell 1 terminal / CNC一号机终端' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  siteId: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Work center the terminal serves (of the same site); its dispatch list and andon by default',
  })
  @IsOptional()
  @IsUUID()
  workCenterId?: string;
}

export class UpdateTerminalDto {
  @ApiPropertyOptional({ example: 'CNC cell 2 terminal / CNC二号机终端' })
  // Left out: unchanged; null is refused (a terminal always has a name).
  @ValidateIf((dto: UpdateTerminalDto) => dto.name !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Work center of the same site the terminal serves from now on; null: none',
  })
  @IsOptional()
  @IsUUID()
  workCenterId?: string | null;
}

export class RegisteredTerminalResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) workCenterId: string | null;
  @ApiProperty({ description: 'Shown once: the terminal stores it and sends it at every operator sign-in' })
  deviceKey: string;
}

export class TerminalResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ nullable: true, type: String }) workCenterId: string | null;
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: Date }) lastSignInAt: Date | null;
}

export class CreateApiClientDto {
  @ApiProperty({ example: 'Warehouse WMS' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ isArray: true, enum: ROLES, example: ['warehouse'] })
  @IsRoleList()
  roles: Role[];

  @ApiProperty({ type: [String], format: 'uuid' })
  @IsSiteIdList()
  siteIds: string[];

  @ApiPropertyOptional({ description: 'Chosen AppKey; generated when omitted' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{8,64}$/, { message: 'appKey must be 8-64 letters, digits, - or _' })
  appKey?: string;
}

export class ApiClientCredentialsResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() appKey: string;
  @ApiProperty({ description: 'Shown once; sign requests with it (HMAC-SHA256)' }) secret: string;
}

export class ApiClientResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() appKey: string;
  @ApiProperty({ isArray: true, enum: ROLES }) roles: Role[];
  @ApiProperty({ type: [String] }) siteIds: string[];
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: Date }) lastUsedAt: Date | null;
}
