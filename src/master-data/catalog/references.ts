import type { EntityManager } from 'typeorm';
import type { FieldError } from '../../platform/errors/domain-error';
import type { CatalogRecord } from './catalog-record';

/**
 * Checks that `id` names a record of the same site that is active (a deactivated record may stay where it
 * is already used, but is not used anew). Returns the field error, or undefined when the reference is good.
 */
export async function checkReference<R extends CatalogRecord>(
  manager: EntityManager,
  entity: new () => R,
  siteId: string,
  field: string,
  id: string | null | undefined,
  title: string,
  options: { unchangedFrom?: string | null } = {},
): Promise<FieldError | undefined> {
  if (id === undefined || id === null) return undefined;
  const found = await manager.getRepository(entity).findOne({
    where: { id } as never,
    select: { id: true, siteId: true, active: true, code: true } as never,
  });
  if (!found || found.siteId !== siteId) return { field, message: `no ${title} ${id} at this site` };
  if (!found.active && options.unchangedFrom !== id)
    return { field, message: `${title} ${found.code} is deactivated` };
  return undefined;
}

export function compact(errors: Array<FieldError | undefined>): FieldError[] {
  return errors.filter((e): e is FieldError => e !== undefined);
}
