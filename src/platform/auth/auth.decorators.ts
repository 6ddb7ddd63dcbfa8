import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal';
import type { Role } from './roles';

export const IS_PUBLIC = 'mom:isPublic';
export const REQUIRED_ROLES = 'mom:requiredRoles';

/** The route needs no credentials (login, health, docs). Everything else requires a token or a signature. */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(OPENAPI_PUBLIC, true));

/** Marks public operations in the OpenAPI document (replaced by `security: []` when it is built). */
export const OPENAPI_PUBLIC = 'x-public';

/** The caller needs at least one of these roles. Without it, any authenticated caller passes. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_ROLES, roles);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
  if (!req.user) throw new Error('CurrentPrincipal used on a public route');
  return req.user;
});
