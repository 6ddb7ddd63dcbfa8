import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { RoomKind } from './shop-floor-events';

export type RoomAccessCheck = (principal: Principal, id: string) => Promise<boolean>;

/**
 * Who may join which room. The platform answers for site/user/role rooms; master data and production
 * register the checks for line, workcenter, equipment and workorder rooms (by the owning site).
 * A room kind nobody answers for is refused.
 */
@Injectable()
export class RoomAccessRegistry {
  private readonly checks = new Map<RoomKind, RoomAccessCheck>([
    ['site', (p, id) => Promise.resolve(p.siteIds.includes(id))],
    ['user', (p, id) => Promise.resolve(p.id === id)],
    // `role:<role>@<siteId>`: the person's role at one of the person's sites.
    [
      'role',
      (p, id) => {
        const [role, siteId, ...rest] = id.split('@');
        return Promise.resolve(
          rest.length === 0 && (p.roles as string[]).includes(role!) && p.siteIds.includes(siteId ?? ''),
        );
      },
    ],
  ]);

  register(kind: RoomKind, check: RoomAccessCheck): void {
    this.checks.set(kind, check);
  }

  async mayJoin(principal: Principal, kind: RoomKind, id: string): Promise<boolean> {
    const check = this.checks.get(kind);
    return check ? check(principal, id) : false;
  }
}
