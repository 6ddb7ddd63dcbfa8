import type { Role } from './roles';

/** Who is calling: a signed-in person (possibly at a terminal) or a system client. Set on `req.user`. */
export interface Principal {
  kind: 'user' | 'api_client';
  id: string;
  /** Display name for people, client name for systems. */
  name: string;
  username?: string;
  roles: Role[];
  siteIds: string[];
  terminalId?: string;
  locale?: string;
}

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return principal.roles.some((r) => roles.includes(r));
}

export function canAccessSite(principal: Principal, siteId: string | null | undefined): boolean {
  return siteId !== null && siteId !== undefined && principal.siteIds.includes(siteId);
}
