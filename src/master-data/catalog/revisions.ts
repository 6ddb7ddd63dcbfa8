import type { EntityManager } from 'typeorm';
import { DomainError, type FieldError } from '../../platform/errors/domain-error';
import { MasterDataErrorCode } from '../master-data.errors';

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

/** Today's date (YYYY-MM-DD) in a time zone: which revisions apply "now" at a site. */
export function localDate(timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}
