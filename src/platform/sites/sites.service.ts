import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { assertSiteAccess } from '../auth/site-access';
import type { Principal } from '../auth/principal';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError, notFound, PlatformErrorCode } from '../errors/domain-error';
import { Site } from './site.entity';

export interface CreateSite {
  code: string;
  name: string;
  timeZone: string;
}

@Injectable()
export class SitesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  list(principal: Principal): Promise<Site[]> {
    if (principal.siteIds.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(Site)
      .find({ where: { id: In(principal.siteIds) }, order: { code: 'ASC' } });
  }

  async get(principal: Principal, id: string): Promise<Site> {
    const site = await this.dataSource.getRepository(Site).findOneBy({ id });
    if (!site) throw notFound('site', id);
    assertSiteAccess(principal, site.id);
    return site;
  }

  /** The creating admin is given access to the new site. */
  create(principal: Principal, input: CreateSite): Promise<Site> {
    return this.tx.run(async (tx) => {
      const exists = await tx.manager.getRepository(Site).exists({ where: { code: input.code } });
      if (exists) {
        throw new DomainError(
          'conflict',
          PlatformErrorCode.ALREADY_EXISTS,
          `Site ${input.code} already exists`,
          {
            errors: [{ field: 'code', message: 'is already used by another site' }],
          },
        );
      }
      const site = await tx.manager.getRepository(Site).save(tx.manager.create(Site, input));
      if (principal.kind === 'user') {
        await tx.manager.query(
          'INSERT INTO user_site (user_id, site_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [principal.id, site.id],
        );
      }
      await this.audit.record(tx, {
        entityType: 'site',
        entityId: site.id,
        siteId: site.id,
        action: 'site.created',
        after: site,
      });
      tx.raise('platform.site.created', { siteId: site.id, code: site.code });
      return site;
    });
  }

  update(
    principal: Principal,
    id: string,
    patch: { name?: string; timeZone?: string; reason?: string },
  ): Promise<Site> {
    return this.tx.run(async (tx) => {
      const repo = tx.manager.getRepository(Site);
      const site = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!site) throw notFound('site', id);
      assertSiteAccess(principal, site.id);
      const before = { ...site };
      if (patch.name !== undefined) site.name = patch.name;
      if (patch.timeZone !== undefined) site.timeZone = patch.timeZone;
      const saved = await repo.save(site);
      await this.audit.record(tx, {
        entityType: 'site',
        entityId: site.id,
        siteId: site.id,
        action: 'site.updated',
        before,
        after: saved,
        reason: patch.reason,
      });
      tx.raise('platform.site.updated', { siteId: site.id, code: site.code });
      return saved;
    });
  }
}
