import { localDate } from '../../platform/engine/local-date';
import type { EntityManager } from 'typeorm';
import type { AuditService } from '../../platform/audit/audit.service';
import type { Tx } from '../../platform/database/transaction-runner';
import { DomainError, type FieldError, notFound } from '../../platform/errors/domain-error';
import { MasterDataErrorCode } from '../master-data.errors';
import { Material } from '../materials/material.entity';

/** Documents kept per material in numbered revisions with validity dates (BOMs, routings). */
export type RevisionTable = 'bom' | 'routing';

export async function nextRevision(
  manager: EntityManager,
  table: RevisionTable,
  materialId: string,
): Promise<number> {
  const rows: Array<{ next: number }> = await manager.query(
    `SELECT coalesce(max(revision), 0) + 1 AS next FROM ${table} WHERE material_id = $1`,
    [materialId],
  );
  return Number(rows[0]!.next);
}

/** Active revisions of the material whose validity overlaps [from, to) — none may, so one applies per day. */
export async function overlapError(
  manager: EntityManager,
  table: RevisionTable,
  materialId: string,
  materialCode: string,
  selfId: string | undefined,
  from: string,
  to: string | null,
): Promise<FieldError | undefined> {
  const rows: Array<{ revision: number }> = await manager.query(
    `SELECT revision FROM ${table} WHERE material_id = $1 AND active AND id <> coalesce($2::uuid, '00000000-0000-0000-0000-000000000000')
        AND valid_from < coalesce($4::date, 'infinity') AND coalesce(valid_to, 'infinity') > $3::date ORDER BY revision`,
    [materialId, selfId ?? null, from, to],
  );
  if (rows.length === 0) return undefined;
  return {
    field: 'validFrom',
    message: `overlaps revision ${rows.map((o) => o.revision).join(', ')} of ${materialCode}; end that one first (validTo)`,
  };
}

export function validityError(from: string, to: string | null): FieldError | undefined {
  return to !== null && to <= from
    ? { field: 'validTo', message: 'validTo must be after validFrom' }
    : undefined;
}

export function assertCurrentVersion(what: string, current: number, given: number): void {
  if (current !== given) {
    throw new DomainError(
      'conflict',
      MasterDataErrorCode.STALE_VERSION,
      `${what} was changed by someone else (version ${current}); reload and try again`,
      {
        extensions: { currentVersion: current },
      },
    );
  }
}

export { localDate };

/** Lists revisions (BOMs, routings) of a site: by material, valid on a date, active or not, searched by material. */
export async function listRevisions<
  R extends { id: string; materialId: string; revision: number; siteId: string },
>(
  manager: EntityManager,
  entity: new () => R,
  siteId: string,
  f: { materialId?: string; at?: string; q?: string; active?: string; limit?: number; offset?: number },
): Promise<{
  items: Array<R & { materialCode: string; materialName: string }>;
  total: number;
  limit: number;
  offset: number;
}> {
  const limit = f.limit ?? 50;
  const offset = f.offset ?? 0;
  const qb = manager
    .getRepository(entity)
    .createQueryBuilder('r')
    .innerJoin(Material, 'm', 'm.id = r.materialId')
    .addSelect(['m.code', 'm.name'])
    .where('r.siteId = :siteId', { siteId });
  if (f.materialId) qb.andWhere('r.materialId = :materialId', { materialId: f.materialId });
  if (f.at)
    qb.andWhere('r.active AND r.validFrom <= :at AND (r.validTo IS NULL OR r.validTo > :at)', { at: f.at });
  if (f.active !== undefined) qb.andWhere('r.active = :active', { active: f.active === 'true' });
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    qb.andWhere('(m.code ILIKE :like OR m.name ILIKE :like OR m.nameZh ILIKE :like)', { like });
  }
  const total = await qb.getCount();
  const { entities, raw } = await qb
    .orderBy('m.code')
    .addOrderBy('r.revision')
    .offset(offset)
    .limit(limit)
    .getRawAndEntities<{ m_code: string; m_name: string }>();
  return {
    items: entities.map((e, i) => ({ ...e, materialCode: raw[i]!.m_code, materialName: raw[i]!.m_name })),
    total,
    limit,
    offset,
  };
}

/** A revision of the site by id (locked for update when asked); another site's revision is reported missing. */
export async function loadRevision<R extends { id: string; siteId: string }>(
  manager: EntityManager,
  entity: new () => R,
  table: RevisionTable,
  siteId: string,
  id: string,
  lock = false,
): Promise<R> {
  const found = await manager
    .getRepository(entity)
    .findOne({ where: { id } as never, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  if (!found || found.siteId !== siteId) throw notFound(table, id);
  return found;
}

/** Audits a revision change in its transaction and announces it after commit. */
export async function recordRevisionChange(
  audit: AuditService,
  tx: Tx,
  table: RevisionTable,
  view: {
    id: string;
    siteId: string;
    materialCode: string;
    revision: number;
    active: boolean;
    version: number;
  },
  action: string,
  before: unknown,
  reason?: string,
): Promise<void> {
  await audit.record(tx, {
    entityType: table,
    entityId: view.id,
    siteId: view.siteId,
    action: `${table}.${action}`,
    before,
    after: view,
    reason,
  });
  tx.raise('master-data.record.changed', {
    entityType: table,
    id: view.id,
    siteId: view.siteId,
    code: `${view.materialCode}/${view.revision}`,
    action,
    active: view.active,
    version: view.version,
  });
}
