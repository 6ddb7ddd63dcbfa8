import { ROLES } from '../roles';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'planner' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username: string;

  @ApiProperty({ example: 'planner123', format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;
}

export class TerminalLoginDto {
  @ApiProperty({ description: 'Code of the registered terminal', example: 'T-CNC-01' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  terminalCode: string;

  @ApiProperty({ description: 'Device key handed out when the terminal was registered' })
  @IsString()
  @MinLength(16)
  @MaxLength(128)
  deviceKey: string;

  @ApiProperty({ description: 'Badge code, scanned or typed', example: 'B1001' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  badgeCode: string;

  @ApiProperty({ example: '1234', format: 'password' })
  @IsString()
  @Matches(/^\d{4,8}$/, { message: 'pin must be 4 to 8 digits' })
  pin: string;
}

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  currentPassword: string;

  @ApiProperty({ format: 'password', minLength: 8 })
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  newPassword: string;
}

export class TokenResponse {
  @ApiProperty()
  accessToken: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';

  @ApiProperty({ description: 'Seconds until the token expires' })
  expiresIn: number;
}

export class PrincipalResponse {
  @ApiProperty({ enum: ['user', 'api_client'] })
  kind: 'user' | 'api_client';

  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ required: false })
  username?: string;

  @ApiProperty({
    isArray: true,
    enum: ROLES,
  })
  roles: string[];

  @ApiProperty({ type: [String], format: 'uuid' })
  siteIds: string[];

  @ApiProperty({ required: false, format: 'uuid' })
  terminalId?: string;
}
