import { DomainError, PlatformErrorCode } from '../errors/domain-error';
import { canAccessSite, Principal } from './principal';

/** Refuses access to another site's data with 403; every site-scoped read and write calls it. */
export function assertSiteAccess(principal: Principal, siteId: string | null | undefined): void {
  if (!canAccessSite(principal, siteId)) {
    throw new DomainError('forbidden', PlatformErrorCode.SITE_FORBIDDEN, 'You have no access to this site', {
      extensions: { siteId: siteId ?? null },
    });
  }
}
