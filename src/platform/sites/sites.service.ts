import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { PrincipalLoader } from '../auth/principal.loader';
import { AuditService } from '../audit/audit.service';
import { assertSiteAccess } from '../auth/site-access';
import type { Principal } from '../auth/principal';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError, notFound, PlatformErrorCode } from '../errors/domain-error';
import { Enterprise } from './enterprise.entity';
import { Site } from './site.entity';

export interface CreateSite {
  enterpriseId?: string;
  code: string;
  name: string;
  timeZone: string;
  /** ISO 4217; CNY when omitted. */
  currency?: string;
}

@Injectable()
export class SitesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly principals: PrincipalLoader,
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
      if (input.enterpriseId) await this.assertEnterprise(tx.manager, input.enterpriseId);
      const site = await tx.manager.getRepository(Site).save(tx.manager.create(Site, input));
      if (principal.kind === 'user') {
        await tx.manager.query(
          'INSERT INTO user_site (user_id, site_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [principal.id, site.id],
        );
        tx.onCommit(() => this.principals.forget(principal.id));
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
    patch: { name?: string; timeZone?: string; currency?: string; enterpriseId?: string; reason?: string },
  ): Promise<Site> {
    return this.tx.run(async (tx) => {
      const repo = tx.manager.getRepository(Site);
      const site = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!site) throw notFound('site', id);
      assertSiteAccess(principal, site.id);
      const before = { ...site };
      if (patch.name !== undefined) site.name = patch.name;
      if (patch.timeZone !== undefined) site.timeZone = patch.timeZone;
      if (patch.currency !== undefined) site.currency = patch.currency;
      if (patch.enterpriseId !== undefined) {
        await this.assertEnterprise(tx.manager, patch.enterpriseId);
        site.enterpriseId = patch.enterpriseId;
      }
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

  /** Enterprises the caller sees: those of their sites, and (for admins) ones that have no site yet. */
  async listEnterprises(principal: Principal): Promise<Enterprise[]> {
    const rows = await this.dataSource
      .getRepository(Enterprise)
      .createQueryBuilder('e')
      .where(
        `EXISTS (SELECT 1 FROM site s WHERE s.enterprise_id = e.id AND s.id = ANY(:sites))
         OR (:admin AND NOT EXISTS (SELECT 1 FROM site s WHERE s.enterprise_id = e.id))`,
        { sites: principal.siteIds, admin: principal.roles.includes('admin') },
      )
      .orderBy('e.code')
      .getMany();
    return rows;
  }

  createEnterprise(input: { code: string; name: string; nameZh?: string }): Promise<Enterprise> {
    return this.tx.run(async (tx) => {
      if (await tx.manager.getRepository(Enterprise).exists({ where: { code: input.code } })) {
        throw new DomainError(
          'conflict',
          PlatformErrorCode.ALREADY_EXISTS,
          `Enterprise ${input.code} already exists`,
          {
            errors: [{ field: 'code', message: 'is already used' }],
          },
        );
      }
      const e = await tx.manager
        .getRepository(Enterprise)
        .save(tx.manager.create(Enterprise, { ...input, nameZh: input.nameZh ?? null }));
      await this.audit.record(tx, {
        entityType: 'enterprise',
        entityId: e.id,
        action: 'enterprise.created',
        after: e,
      });
      return e;
    });
  }

  private async assertEnterprise(manager: EntityManager, id: string): Promise<void> {
    if (!(await manager.getRepository(Enterprise).exists({ where: { id } }))) {
      throw new DomainError('unprocessable', PlatformErrorCode.NOT_FOUND, `Enterprise ${id} does not exist`, {
        errors: [{ field: 'enterpriseId', message: 'no such enterprise' }],
      });
    }
  }
}
