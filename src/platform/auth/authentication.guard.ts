import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { RequestContext } from '../context/request-context';
import { DomainError, PlatformErrorCode } from '../errors/domain-error';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators';
import type { Principal } from './principal';
import type { Role } from './roles';

function passportResult(err: unknown, user: Principal | false, info: unknown): Principal {
  if (err) throw err instanceof Error ? err : new Error('authentication failed');
  if (!user) {
    const message = info instanceof Error ? info.message : '';
    throw /no auth token/i.test(message)
      ? new DomainError(
          'unauthenticated',
          PlatformErrorCode.AUTHENTICATION_REQUIRED,
          'Sign in first: send a Bearer token or a signed request',
        )
      : new DomainError(
          'unauthenticated',
          PlatformErrorCode.TOKEN_INVALID,
          'The access token is invalid or expired',
        );
  }
  return user;
}

@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<TUser = Principal>(err: unknown, user: Principal | false, info: unknown): TUser {
    return passportResult(err, user, info) as TUser;
  }
}

@Injectable()
export class HmacAuthGuard extends AuthGuard('hmac') {
  override handleRequest<TUser = Principal>(err: unknown, user: Principal | false, info: unknown): TUser {
    return passportResult(err, user, info) as TUser;
  }
}

/**
 * Global: every route needs a Bearer token or an HMAC-signed request unless marked @Public().
 * Then checks @Roles(). Site scope is checked where the data is loaded (assertSiteAccess).
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtAuthGuard,
    private readonly hmac: HmacAuthGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const req = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    const signed = typeof req.headers['x-app-key'] === 'string';
    await (signed ? this.hmac : this.jwt).canActivate(context);
    const principal = req.user!;
    RequestContext.setActor({
      type: principal.kind,
      id: principal.id,
      name: principal.username ?? principal.name,
    });

    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (required && required.length > 0 && !principal.roles.some((r) => required.includes(r))) {
      throw new DomainError(
        'forbidden',
        PlatformErrorCode.ROLE_REQUIRED,
        `This action needs one of the roles: ${required.join(', ')}`,
        {
          extensions: { requiredRoles: required },
        },
      );
    }
    return true;
  }
}
