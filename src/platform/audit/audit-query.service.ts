import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { hasRole, type Principal } from '../auth/principal';
import { AuditEntry } from './audit-entry.entity';

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  before?: string;
  limit?: number;
  order?: 'asc' | 'desc';
}

/**
 * Reads the audit trail. Entries tied to a site are visible to readers of that site; entries with no site
 * (accounts, API clients, sign-ins) only to admins.
 */
@Injectable()
export class AuditQueryService {
  constructor(private readonly dataSource: DataSource) {}

  async find(reader: Principal, f: AuditFilter): Promise<{ items: AuditEntry[]; nextBefore: string | null }> {
    const limit = f.limit ?? 100;
    const order = f.order ?? 'desc';
    const qb = this.dataSource.getRepository(AuditEntry).createQueryBuilder('a');
    qb.where(
      hasRole(reader, 'admin') ? '(a.siteId IS NULL OR a.siteId = ANY(:sites))' : 'a.siteId = ANY(:sites)',
      {
        sites: reader.siteIds,
      },
    );
    if (f.entityType) qb.andWhere('a.entityType = :entityType', { entityType: f.entityType });
    if (f.entityId) qb.andWhere('a.entityId = :entityId', { entityId: f.entityId });
    if (f.actorId) qb.andWhere('a.actorId = :actorId', { actorId: f.actorId });
    if (f.action) qb.andWhere('a.action = :action', { action: f.action });
    if (f.from) qb.andWhere('a.occurredAt >= :from', { from: f.from });
    if (f.to) qb.andWhere('a.occurredAt < :to', { to: f.to });
    if (f.before) qb.andWhere(order === 'desc' ? 'a.id < :cursor' : 'a.id > :cursor', { cursor: f.before });
    const items = await qb
      .orderBy('a.id', order === 'desc' ? 'DESC' : 'ASC')
      .take(limit + 1)
      .getMany();
    const more = items.length > limit;
    if (more) items.pop();
    return { items, nextBefore: more ? items[items.length - 1]!.id : null };
  }
}
