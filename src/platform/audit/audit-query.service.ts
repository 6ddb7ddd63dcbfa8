import { Injectable } from '@nestjs/common';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
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

/** Rows an export reads per statement: large enough to be cheap, small enough to keep memory flat. */
const EXPORT_BATCH = 500;

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
    const qb = this.filtered(reader, f);
    if (f.before) qb.andWhere(order === 'desc' ? 'a.id < :cursor' : 'a.id > :cursor', { cursor: f.before });
    const items = await qb
      .orderBy('a.id', order === 'desc' ? 'DESC' : 'ASC')
      .take(limit + 1)
      .getMany();
    const more = items.length > limit;
    if (more) items.pop();
    return { items, nextBefore: more ? items[items.length - 1]!.id : null };
  }

  /**
   * Every entry matching the filter, oldest first, in batches. The export covers what was written before it
   * started: entries appended while it runs (ids above the highest one at the start) are left out, so a long
   * export ends. Each batch is its own short statement, so a slow reader holds no connection or transaction.
   * The first batch is read before this answers, so an unreachable database fails the request instead of
   * cutting a download short.
   */
  async exportBatches(
    reader: Principal,
    f: Omit<AuditFilter, 'before' | 'limit' | 'order'>,
  ): Promise<AsyncGenerator<AuditEntry[]>> {
    const [top] = await this.dataSource.query<Array<{ id: string | null }>>(
      'SELECT max(id)::text AS id FROM audit_log',
    );
    const upTo = top?.id ?? '0';
    const batch = (after: string) =>
      this.filtered(reader, f)
        .andWhere('a.id > :after AND a.id <= :upTo', { after, upTo })
        .orderBy('a.id', 'ASC')
        .take(EXPORT_BATCH)
        .getMany();
    const first = await batch('0');
    return (async function* () {
      let rows = first;
      while (rows.length > 0) {
        yield rows;
        if (rows.length < EXPORT_BATCH) return;
        rows = await batch(rows[rows.length - 1]!.id);
      }
    })();
  }

  private filtered(
    reader: Principal,
    f: Omit<AuditFilter, 'before' | 'limit' | 'order'>,
  ): SelectQueryBuilder<AuditEntry> {
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
    return qb;
  }
}
