import { Injectable, OnModuleInit } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthService } from '../auth/auth.service';
import { canAccessSite, hasRole, type Principal } from '../auth/principal';
import { RequestContext } from '../context/request-context';
import { TransactionRunner, type Tx } from '../database/transaction-runner';
import { DomainError, notFound, PlatformErrorCode } from '../errors/domain-error';
import { Site } from '../sites/site.entity';
import { User } from '../users/user.entity';
import { canonicalJson, recordHash } from './canonical-json';
import { ElectronicSignature } from './electronic-signature.entity';
import { SignableRecord, SignableRecordRegistry } from './signable-records';

export const SIGNATURE_MEANINGS = [
  'approved',
  'reviewed',
  'verified',
  'dispositioned',
  'released',
  'rejected',
  'authored',
  'responsible',
] as const;
export type SignatureMeaning = (typeof SIGNATURE_MEANINGS)[number];

export interface SignatureView {
  id: string;
  entityType: string;
  entityId: string;
  meaning: string;
  reason: string | null;
  signerId: string;
  signerName: string;
  signerUsername: string;
  signedAt: Date;
  recordHash: string;
  /** True while the record still hashes to what was signed (and the signature itself is intact). */
  valid: boolean;
  currentRecordHash: string | null;
  /** Why the signature no longer holds; null while valid. */
  invalidCode: SignatureInvalidCode | null;
  /** The same, in words for the reader. */
  invalidReason: string | null;
  /** Top-level fields of the record that differ from what was signed (empty while valid). */
  changedFields: string[];
}

/**
 * Why a signature is invalid: the record changed after signing, the record is gone, or the stored signature no
 * longer matches what it says was signed (its row was altered outside the application).
 */
export type SignatureInvalidCode = 'record_changed' | 'record_missing' | 'signature_altered';

@Injectable()
export class SignaturesService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly registry: SignableRecordRegistry,
  ) {}

  /** The platform's own signable records: a site's settings and a user's access rights (access reviews). */
  onModuleInit(): void {
    // Ids are free text in the API (other record types may differ): a non-UUID names no site or user.
    this.registry.register('site', async (m, id) => {
      if (!isUUID(id)) return undefined;
      const s = await m.getRepository(Site).findOneBy({ id });
      return s
        ? {
            record: { id: s.id, code: s.code, name: s.name, timeZone: s.timeZone, version: s.version },
            siteIds: [s.id],
          }
        : undefined;
    });
    this.registry.register('user', async (m, id) => {
      if (!isUUID(id)) return undefined;
      const u = await m.getRepository(User).findOne({ where: { id }, relations: { sites: true } });
      if (!u) return undefined;
      const siteIds = u.sites.map((s) => s.id).sort();
      return {
        record: {
          id: u.id,
          username: u.username,
          displayName: u.displayName,
          roles: [...u.roles].sort(),
          siteIds,
          active: u.active,
          badgeCode: u.badgeCode,
        },
        siteIds,
      };
    });
  }

  async sign(
    signer: Principal,
    input: {
      entityType: string;
      entityId: string;
      meaning: SignatureMeaning;
      password: string;
      reason?: string;
    },
    ip: string | undefined,
  ): Promise<SignatureView> {
    if (signer.kind !== 'user' || !signer.username) {
      throw new DomainError(
        'forbidden',
        PlatformErrorCode.ROLE_REQUIRED,
        'Only a person can sign electronically',
      );
    }
    const loader = this.loaderFor(input.entityType);
    // Part 11 §11.200: each signing re-checks the signer's password.
    await this.auth.reauthenticate(signer.id, signer.username, input.password, ip);
    return this.tx.run(async (tx) => {
      const current = await this.loadAccessible(signer, loader, tx.manager, input.entityId);
      if (!current) throw notFound(input.entityType, input.entityId);
      return this.store(tx, signer, input, current);
    });
  }

  /**
   * First half of a signature given with a command (e.g. an NCR disposition): the signer must be a person and
   * re-enter their password. Call it before the command's transaction; then `recordIn` inside it.
   */
  async verifySigner(signer: Principal, password: string, ip: string | undefined): Promise<void> {
    if (signer.kind !== 'user' || !signer.username) {
      throw new DomainError(
        'forbidden',
        PlatformErrorCode.ROLE_REQUIRED,
        'Only a person can sign electronically',
      );
    }
    await this.auth.reauthenticate(signer.id, signer.username, password, ip);
  }

  /**
   * Second half: records the signature of the record as it stands inside the caller's transaction (after the
   * command changed it), so the signature covers what was decided and commits or rolls back with it.
   */
  async recordIn(
    tx: Tx,
    signer: Principal,
    input: { entityType: string; entityId: string; meaning: SignatureMeaning; reason?: string },
  ): Promise<SignatureView> {
    const loader = this.loaderFor(input.entityType);
    const current = await this.loadAccessible(signer, loader, tx.manager, input.entityId);
    if (!current) throw notFound(input.entityType, input.entityId);
    return this.store(tx, signer, input, current);
  }

  private async store(
    tx: Tx,
    signer: Principal,
    input: { entityType: string; entityId: string; meaning: SignatureMeaning; reason?: string },
    current: SignableRecord,
  ): Promise<SignatureView> {
    const hash = recordHash(current.record);
    const sig = await tx.manager.getRepository(ElectronicSignature).save(
      tx.manager.create(ElectronicSignature, {
        entityType: input.entityType,
        entityId: input.entityId,
        meaning: input.meaning,
        reason: input.reason ?? null,
        signerId: signer.id,
        signerName: signer.name,
        signerUsername: signer.username,
        recordHash: hash,
        signedRecord: current.record,
        correlationId: RequestContext.correlationId(),
      }),
    );
    await this.audit.record(tx, {
      entityType: input.entityType,
      entityId: input.entityId,
      siteId: current.siteIds[0] ?? null,
      action: 'signature.recorded',
      after: { signatureId: sig.id, meaning: sig.meaning, recordHash: hash, signer: signer.username },
      reason: input.reason,
    });
    tx.raise('platform.signature.recorded', {
      signatureId: sig.id,
      entityType: sig.entityType,
      entityId: sig.entityId,
      meaning: sig.meaning,
      signerId: signer.id,
    });
    return this.view(sig, current.record);
  }

  async listFor(reader: Principal, entityType: string, entityId: string): Promise<SignatureView[]> {
    const loader = this.loaderFor(entityType);
    const current = await this.loadAccessible(reader, loader, this.dataSource.manager, entityId);
    const sigs = await this.dataSource
      .getRepository(ElectronicSignature)
      .find({ where: { entityType, entityId }, order: { signedAt: 'ASC' } });
    return sigs.map((s) => this.view(s, current?.record ?? null));
  }

  async get(reader: Principal, id: string): Promise<SignatureView & { signedRecord: unknown }> {
    const sig = await this.dataSource.getRepository(ElectronicSignature).findOneBy({ id });
    if (!sig) throw notFound('signature', id);
    const current = await this.loadAccessible(
      reader,
      this.loaderFor(sig.entityType),
      this.dataSource.manager,
      sig.entityId,
    );
    return { ...this.view(sig, current?.record ?? null), signedRecord: sig.signedRecord };
  }

  private loaderFor(entityType: string) {
    const loader = this.registry.get(entityType);
    if (!loader) {
      throw new DomainError(
        'validation',
        PlatformErrorCode.RECORD_TYPE_NOT_SIGNABLE,
        `Records of type ${entityType} cannot be signed`,
        {
          errors: [{ field: 'entityType', message: `must be one of: ${this.registry.types().join(', ')}` }],
        },
      );
    }
    return loader;
  }

  private async loadAccessible(
    who: Principal,
    loader: (m: EntityManager, id: string) => Promise<SignableRecord | undefined>,
    manager: EntityManager,
    entityId: string,
  ): Promise<SignableRecord | undefined> {
    const rec = await loader(manager, entityId);
    // A deleted record leaves its signatures readable (and invalid) to admins.
    if (!rec) {
      if (!hasRole(who, 'admin'))
        throw new DomainError(
          'forbidden',
          PlatformErrorCode.SITE_FORBIDDEN,
          'You have no access to this record',
        );
      return undefined;
    }
    const allowed =
      rec.siteIds.length === 0 ? hasRole(who, 'admin') : rec.siteIds.some((s) => canAccessSite(who, s));
    if (!allowed)
      throw new DomainError(
        'forbidden',
        PlatformErrorCode.SITE_FORBIDDEN,
        'You have no access to this record',
      );
    return rec;
  }

  private view(s: ElectronicSignature, current: Record<string, unknown> | null): SignatureView {
    const currentHash = current ? recordHash(current) : null;
    const check = signatureCheck(s, current, currentHash);
    return {
      id: s.id,
      entityType: s.entityType,
      entityId: s.entityId,
      meaning: s.meaning,
      reason: s.reason,
      signerId: s.signerId,
      signerName: s.signerName,
      signerUsername: s.signerUsername,
      signedAt: s.signedAt,
      recordHash: s.recordHash,
      valid: check === null,
      currentRecordHash: currentHash,
      invalidCode: check?.code ?? null,
      invalidReason: check?.reason ?? null,
      changedFields: check?.changedFields ?? [],
    };
  }
}

/**
 * Whether a stored signature still holds for the record as it is now: the signature row must hash to what it
 * says it signed (else it was altered outside the application), and the record must hash to the same value.
 * Answers null while it holds, else the code, the reason in words and the fields that differ.
 */
function signatureCheck(
  s: ElectronicSignature,
  current: Record<string, unknown> | null,
  currentHash: string | null,
): { code: SignatureInvalidCode; reason: string; changedFields: string[] } | null {
  const signed = (s.signedRecord ?? {}) as Record<string, unknown>;
  if (recordHash(signed) !== s.recordHash) {
    return {
      code: 'signature_altered',
      reason: 'The stored signature does not match the record it says was signed: the signature was altered',
      changedFields: [],
    };
  }
  if (!current) {
    return { code: 'record_missing', reason: 'The signed record no longer exists', changedFields: [] };
  }
  if (currentHash === s.recordHash) return null;
  const changedFields = [...new Set([...Object.keys(signed), ...Object.keys(current)])]
    .filter((k) => canonicalJson(signed[k] ?? null) !== canonicalJson(current[k] ?? null))
    .sort();
  return {
    code: 'record_changed',
    reason: `The record changed after it was signed (${changedFields.join(', ') || 'content'})`,
    changedFields,
  };
}
