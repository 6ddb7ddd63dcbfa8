import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError, PlatformErrorCode } from '../../errors/domain-error';
import { CurrentPrincipal, Public } from '../auth.decorators';
import { AuthService } from '../auth.service';
import type { Principal } from '../principal';
import { ChangePasswordDto, LoginDto, PrincipalResponse, TerminalLoginDto, TokenResponse } from './auth.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponse })
  @ApiUnauthorizedResponse({ description: 'Wrong username or password (problem+json)' })
  @ApiTooManyRequestsResponse({ description: 'Too many failures in the window; see Retry-After' })
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest): Promise<TokenResponse> {
    return this.auth.login(dto.username, dto.password, req.ip);
  }

  @Public()
  @Post('terminal-login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponse })
  terminalLogin(@Body() dto: TerminalLoginDto, @Req() req: FastifyRequest): Promise<TokenResponse> {
    return this.auth.terminalLogin(dto.terminalCode, dto.deviceKey, dto.badgeCode, dto.pin, req.ip);
  }

  @Get('me')
  @ApiBearerAuth('bearer')
  @ApiOkResponse({ type: PrincipalResponse })
  me(@CurrentPrincipal() principal: Principal): PrincipalResponse {
    return principal;
  }

  @Post('password')
  @HttpCode(200)
  @ApiBearerAuth('bearer')
  @ApiOkResponse({
    type: TokenResponse,
    description: 'A new token; tokens issued before the change stop working',
  })
  changePassword(
    @Body() dto: ChangePasswordDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ): Promise<TokenResponse> {
    if (principal.kind !== 'user') {
      throw new DomainError(
        'forbidden',
        PlatformErrorCode.ROLE_REQUIRED,
        'API clients have no password to change',
      );
    }
    return this.auth.changeOwnPassword(
      principal.id,
      principal.username ?? principal.name,
      dto.currentPassword,
      dto.newPassword,
      req.ip,
    );
  }
}
