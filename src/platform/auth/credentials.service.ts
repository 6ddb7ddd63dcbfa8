import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Secrets } from '../config/secrets';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError, notFound, PlatformErrorCode } from '../errors/domain-error';
import { ApiClient } from './api-client.entity';
import { sha256Hex } from './hmac-signature';
import type { Principal } from './principal';
import type { Role } from './roles';
import { assertSiteAccess } from './site-access';
import { Terminal } from './terminal.entity';

export interface ApiClientView {
  id: string;
  name: string;
  appKey: string;
  roles: Role[];
  siteIds: string[];
  active: boolean;
  lastUsedAt: Date | null;
}

/** Terminal registration and API-client (AppKey + Secret) administration. Secrets are shown once. */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly secrets: Secrets,
  ) {}

  async registerTerminal(admin: Principal, input: { code: string; name: string; siteId: string }) {
    assertSiteAccess(admin, input.siteId);
    const deviceKey = randomBytes(24).toString('base64url');
    return this.tx.run(async (tx) => {
      if (await tx.manager.getRepository(Terminal).exists({ where: { code: input.code } })) {
        throw new DomainError(
          'conflict',
          PlatformErrorCode.ALREADY_EXISTS,
          `Terminal ${input.code} is already registered`,
          {
            errors: [{ field: 'code', message: 'is already registered' }],
          },
        );
      }
      const t = await tx.manager.getRepository(Terminal).save(
        tx.manager.create(Terminal, {
          code: input.code,
          name: input.name,
          siteId: input.siteId,
          deviceKeyHash: sha256Hex(deviceKey),
        }),
      );
      await this.audit.record(tx, {
        entityType: 'terminal',
        entityId: t.id,
        siteId: t.siteId,
        action: 'terminal.registered',
        after: { id: t.id, code: t.code, name: t.name, siteId: t.siteId },
      });
      return { id: t.id, code: t.code, name: t.name, siteId: t.siteId, deviceKey };
    });
  }

  listTerminals(admin: Principal): Promise<Terminal[]> {
    if (admin.siteIds.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(Terminal)
      .createQueryBuilder('t')
      .where('t.siteId = ANY(:sites)', { sites: admin.siteIds })
      .orderBy('t.code')
      .getMany();
  }

  async setTerminalActive(admin: Principal, id: string, active: boolean): Promise<Terminal> {
    return this.tx.run(async (tx) => {
      const t = await tx.manager
        .getRepository(Terminal)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!t) throw notFound('terminal', id);
      assertSiteAccess(admin, t.siteId);
      await tx.manager.update(Terminal, { id }, { active });
      await this.audit.record(tx, {
        entityType: 'terminal',
        entityId: id,
        siteId: t.siteId,
        action: active ? 'terminal.enabled' : 'terminal.disabled',
        before: { active: t.active },
        after: { active },
      });
      return { ...t, active };
    });
  }

  async createApiClient(
    admin: Principal,
    input: { name: string; roles: Role[]; siteIds: string[]; appKey?: string },
  ) {
    for (const s of input.siteIds) assertSiteAccess(admin, s);
    const appKey = input.appKey ?? `ak_${randomBytes(12).toString('hex')}`;
    const secret = randomBytes(32).toString('base64url');
    return this.tx.run(async (tx) => {
      if (await tx.manager.getRepository(ApiClient).exists({ where: { appKey } })) {
        throw new DomainError('conflict', PlatformErrorCode.ALREADY_EXISTS, `App key ${appKey} exists`, {
          errors: [{ field: 'appKey', message: 'is already used' }],
        });
      }
      const inserted = await tx.manager.insert(ApiClient, {
        name: input.name,
        appKey,
        roles: input.roles,
        secretCiphertext: this.secrets.encrypt(secret),
      });
      const id = (inserted.identifiers[0] as { id: string }).id;
      await tx.manager.query(
        'INSERT INTO api_client_site (api_client_id, site_id) SELECT $1, unnest($2::uuid[])',
        [id, input.siteIds],
      );
      await this.audit.record(tx, {
        entityType: 'api_client',
        entityId: id,
        action: 'api_client.created',
        after: { id, name: input.name, appKey, roles: input.roles, siteIds: input.siteIds },
      });
      return { id, name: input.name, appKey, secret };
    });
  }

  async rotateApiClientSecret(admin: Principal, id: string) {
    const secret = randomBytes(32).toString('base64url');
    return this.tx.run(async (tx) => {
      const client = await this.loadClient(admin, id, tx.manager);
      await tx.manager.update(ApiClient, { id }, { secretCiphertext: this.secrets.encrypt(secret) });
      await this.audit.record(tx, {
        entityType: 'api_client',
        entityId: id,
        action: 'api_client.secret_rotated',
      });
      return { id, name: client.name, appKey: client.appKey, secret };
    });
  }

  async setApiClientActive(admin: Principal, id: string, active: boolean): Promise<ApiClientView> {
    return this.tx.run(async (tx) => {
      const client = await this.loadClient(admin, id, tx.manager);
      await tx.manager.update(ApiClient, { id }, { active });
      await this.audit.record(tx, {
        entityType: 'api_client',
        entityId: id,
        action: active ? 'api_client.enabled' : 'api_client.disabled',
        before: { active: client.active },
        after: { active },
      });
      return { ...this.view(client), active };
    });
  }

  async listApiClients(admin: Principal): Promise<ApiClientView[]> {
    const clients = await this.dataSource
      .getRepository(ApiClient)
      .find({ relations: { sites: true }, order: { name: 'ASC' } });
    return clients.filter((c) => c.sites.some((s) => admin.siteIds.includes(s.id))).map((c) => this.view(c));
  }

  private async loadClient(
    admin: Principal,
    id: string,
    manager = this.dataSource.manager,
  ): Promise<ApiClient> {
    const client = await manager
      .getRepository(ApiClient)
      .findOne({ where: { id }, relations: { sites: true } });
    if (!client) throw notFound('api client', id);
    if (!client.sites.some((s) => admin.siteIds.includes(s.id))) {
      throw new DomainError(
        'forbidden',
        PlatformErrorCode.SITE_FORBIDDEN,
        'This API client belongs to sites you have no access to',
      );
    }
    return client;
  }

  private view(c: ApiClient): ApiClientView {
    return {
      id: c.id,
      name: c.name,
      appKey: c.appKey,
      roles: c.roles,
      siteIds: c.sites.map((s) => s.id).sort(),
      active: c.active,
      lastUsedAt: c.lastUsedAt,
    };
  }
}
