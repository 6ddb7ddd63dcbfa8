import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Secrets } from '../config/secrets';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError, fieldError, notFound, PlatformErrorCode } from '../errors/domain-error';
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

  async registerTerminal(
    admin: Principal,
    input: { code: string; name: string; siteId: string; workCenterId?: string },
  ) {
    assertSiteAccess(admin, input.siteId);
    const deviceKey = randomBytes(24).toString('base64url');
    return this.tx.run(async (tx) => {
      if (input.workCenterId) await this.checkWorkCenter(tx.manager, input.workCenterId, input.siteId);
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
          workCenterId: input.workCenterId ?? null,
          deviceKeyHash: sha256Hex(deviceKey),
        }),
      );
      await this.audit.record(tx, {
        entityType: 'terminal',
        entityId: t.id,
        siteId: t.siteId,
        action: 'terminal.registered',
        after: { id: t.id, code: t.code, name: t.name, siteId: t.siteId, workCenterId: t.workCenterId },
      });
      return {
        id: t.id,
        code: t.code,
        name: t.name,
        siteId: t.siteId,
        workCenterId: t.workCenterId,
        deviceKey,
      };
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

  /** The work center is master data: read by its table here (the platform imports no domain module). */
  private async checkWorkCenter(manager: EntityManager, workCenterId: string, siteId: string): Promise<void> {
    const [wc] = await manager.query<Array<{ site_id: string }>>(
      'SELECT site_id FROM work_center WHERE id = $1',
      [workCenterId],
    );
    if (!wc) throw fieldError('workCenterId', 'no such work center');
    if (wc.site_id !== siteId) throw fieldError('workCenterId', 'is not a work center of this site');
  }

  /**
   * Renames a terminal or moves it to another work center of its site (`workCenterId: null` unassigns it).
   * Fields left out stay as they are; the change is audited with the values before and after.
   */
  async updateTerminal(
    admin: Principal,
    id: string,
    input: { name?: string; workCenterId?: string | null },
  ): Promise<Terminal> {
    return this.tx.run(async (tx) => {
      const t = await tx.manager
        .getRepository(Terminal)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!t) throw notFound('terminal', id);
      assertSiteAccess(admin, t.siteId);
      const changes: { name?: string; workCenterId?: string | null } = {};
      if (input.name !== undefined && input.name !== t.name) changes.name = input.name;
      if (input.workCenterId !== undefined && input.workCenterId !== t.workCenterId) {
        if (input.workCenterId !== null) await this.checkWorkCenter(tx.manager, input.workCenterId, t.siteId);
        changes.workCenterId = input.workCenterId;
      }
      if (Object.keys(changes).length === 0) return t;
      const before = Object.fromEntries(Object.keys(changes).map((k) => [k, t[k as keyof typeof changes]]));
      await tx.manager.update(Terminal, { id }, changes);
      await this.audit.record(tx, {
        entityType: 'terminal',
        entityId: id,
        siteId: t.siteId,
        action: 'terminal.updated',
        before,
        after: { ...changes },
      });
      return tx.manager.getRepository(Terminal).findOneByOrFail({ id });
    });
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
      const [old] = await tx.manager.query<Array<{ secret_ciphertext: string }>>(
        'SELECT secret_ciphertext FROM api_client WHERE id = $1',
        [id],
      );
      await tx.manager.update(ApiClient, { id }, { secretCiphertext: this.secrets.encrypt(secret) });
      // The trail shows which secret was replaced by which without holding either: a short fingerprint of a
      // 256-bit random secret tells nothing about it, yet lets its holder check which one is in force.
      await this.audit.record(tx, {
        entityType: 'api_client',
        entityId: id,
        action: 'api_client.secret_rotated',
        before: { secretFingerprint: secretFingerprint(this.secrets.decrypt(old!.secret_ciphertext)) },
        after: { secretFingerprint: secretFingerprint(secret) },
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

/** The first 12 hex digits of the secret's SHA-256: enough to tell secrets apart, nothing to recover one. */
function secretFingerprint(secret: string): string {
  return sha256Hex(secret).slice(0, 12);
}
