import type { EntityManager } from 'typeorm';
import type { Role } from '../../platform/auth/roles';
import type { FieldError } from '../../platform/errors/domain-error';
import type { CatalogRecord } from './catalog-record';

/** How a CSV cell becomes a field of the create body (and back, for export). */
export type CsvKind = 'string' | 'integer' | 'number' | 'decimal' | 'boolean' | 'list' | 'json';

export interface CsvColumn<E> {
  /** Header in the file; also the property name in the create body (unless it is a reference). */
  name: string;
  kind: CsvKind;
  get(record: E): string | number | boolean | null | undefined;
  /**
   * A reference written by code in files (`baseUnit` = `KG`) and stored by id (`baseUnitId`): imports look the
   * code up among the site's records, exports write the code. `get` returns the id.
   */
  ref?: { entity: new () => CatalogRecord; property: string; title: string };
}

export interface PrepareContext<E> {
  manager: EntityManager;
  siteId: string;
  /** The record being updated, absent on create. */
  existing?: E;
}

/** Everything the generic catalog service and controller need to know about one kind of master data. */
export interface CatalogDefinition<E extends CatalogRecord> {
  entity: new () => E;
  /** Audit and event name, e.g. `material`. */
  entityType: string;
  /** URL segment under /sites/{siteId}/, e.g. `materials`. */
  path: string;
  /** For people: `Material`. */
  title: string;
  createDto: new () => object;
  updateDto: new () => object;
  /** Roles allowed to create, change, deactivate and import; everyone with access to the site may read. */
  writeRoles: Role[];
  /** Columns of the CSV import and export, in order (code, name and nameZh included). */
  csv: Array<CsvColumn<E>>;
  /** Properties (besides code, name, nameZh) searched by `q`. */
  searchProperties?: string[];
  /** Properties the list may be sorted by (code, name, createdAt, updatedAt are always allowed). */
  sortProperties?: string[];
  /** Query parameters that filter the list by equality. */
  filters?: Record<string, { property: string; kind: 'string' | 'uuid' | 'boolean' }>;
  /**
   * Turns a validated create/update body into column values, checking what lies outside the record:
   * referenced records exist in the same site and are active, values are consistent. Field errors are
   * returned, not thrown, so an import can report every row.
   */
  prepare(
    ctx: PrepareContext<E>,
    input: Record<string, unknown>,
  ): Promise<{ values: Partial<E>; errors: FieldError[] }>;
}

/** Common fields of the create/update bodies that are not columns. */
export const NON_COLUMN_FIELDS = new Set(['version', 'reason']);

/** A prepare() for records whose body maps one to one onto their columns. */
export function copyFields<E>(input: Record<string, unknown>): { values: Partial<E>; errors: FieldError[] } {
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined && !NON_COLUMN_FIELDS.has(k)) values[k] = v;
  return { values: values as Partial<E>, errors: [] };
}
