import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RequestContext, type Actor } from '../context/request-context';
import type { Tx } from '../database/transaction-runner';
import { AuditEntry } from './audit-entry.entity';

export interface AuditRecord {
  entityType: string;
  entityId: string;
  action: string;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  siteId?: string | null;
  /** Defaults to the request's principal, or the system. */
  actor?: Actor;
}

const SECRET_KEYS =
  /^(password|passwordHash|pin|pinHash|secret|secretCiphertext|deviceKey|deviceKeyHash|token|accessToken)$/i;

/** A JSON snapshot fit for the audit trail: plain data, secrets removed, dates as ISO strings. */
export function auditSnapshot(value: unknown): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  const json = JSON.parse(
    JSON.stringify(value, (key, v: unknown) => (key !== '' && SECRET_KEYS.test(key) ? undefined : v)),
  ) as unknown;
  return typeof json === 'object' && json !== null && !Array.isArray(json)
    ? (json as Record<string, unknown>)
    : { value: json };
}

/** The one way every module writes the audit trail: inside the transaction of the change it records. */
@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  async record(tx: Tx, record: AuditRecord): Promise<void> {
    await tx.manager.insert(AuditEntry, this.toRow(record));
  }

  /** For events with no business transaction of their own (refused sign-ins, bad signatures). */
  async recordStandalone(record: AuditRecord): Promise<void> {
    await this.dataSource.manager.insert(AuditEntry, this.toRow(record));
  }

  private toRow(
    r: AuditRecord,
  ): Partial<Omit<AuditEntry, 'before' | 'after'>> & { before: object | null; after: object | null } {
    const actor = r.actor ??
      RequestContext.actor() ?? { type: 'system' as const, id: 'system', name: 'system' };
    return {
      actorType: actor.type,
      actorId: actor.id,
      actorName: actor.name,
      siteId: r.siteId ?? null,
      entityType: r.entityType,
      entityId: r.entityId,
      action: r.action,
      before: auditSnapshot(r.before),
      after: auditSnapshot(r.after),
      reason: r.reason ?? null,
      correlationId: RequestContext.correlationId(),
    };
  }
}
