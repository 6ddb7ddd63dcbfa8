import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsRoleList, IsSiteIdList } from '../../auth/api/access-validators';
import { ROLES, type Role } from '../../auth/roles';
import { OptionalNotNull } from '../../errors/validation';

const LOCALES = ['zh-CN', 'en'];

export class CreateUserDto {
  @ApiProperty({ example: 'li.wei' })
  @Matches(/^[A-Za-z0-9._@-]{2,64}$/, { message: 'username must be 2-64 letters, digits, . _ @ or -' })
  username: string;

  @ApiProperty({ example: '李伟 Li Wei' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName: string;

  @ApiProperty({ format: 'password', minLength: 8 })
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password: string;

  @ApiProperty({ isArray: true, enum: ROLES })
  @IsRoleList()
  roles: Role[];

  @ApiProperty({ type: [String], format: 'uuid' })
  @IsSiteIdList()
  siteIds: string[];

  @ApiPropertyOptional({ example: 'B1001' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]{1,64}$/, { message: 'badgeCode must be 1-64 letters, digits or -' })
  badgeCode?: string;

  @ApiPropertyOptional({ example: '1234' })
  @IsOptional()
  @Matches(/^\d{4,8}$/, { message: 'pin must be 4 to 8 digits' })
  pin?: string;

  @ApiPropertyOptional({ enum: LOCALES, default: 'zh-CN' })
  @IsOptional()
  @IsIn(LOCALES)
  locale?: string;
}

export class UpdateUserDto {
  // displayName, roles, locale and active always have a value: null is refused, not stored (it was a 500);
  // badgeCode and pin may be cleared with null.
  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName?: string;

  @ApiPropertyOptional({ isArray: true, enum: ROLES })
  @OptionalNotNull()
  @IsRoleList()
  roles?: Role[];

  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOptional()
  @IsSiteIdList()
  siteIds?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]{1,64}$/, { message: 'badgeCode must be 1-64 letters, digits or -' })
  badgeCode?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^\d{4,8}$/, { message: 'pin must be 4 to 8 digits' })
  pin?: string;

  @ApiPropertyOptional({ enum: LOCALES })
  @OptionalNotNull()
  @IsIn(LOCALES)
  locale?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ description: 'Why (kept in the audit trail)' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class ResetPasswordDto {
  @ApiProperty({ format: 'password', minLength: 8 })
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ isArray: true, enum: ROLES }) roles: Role[];
  @ApiProperty({ type: [String], format: 'uuid' }) siteIds: string[];
  @ApiProperty({ nullable: true, type: String }) badgeCode: string | null;
  @ApiProperty() locale: string;
  @ApiProperty() active: boolean;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}
