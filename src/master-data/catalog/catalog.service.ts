import { DataSource, type EntityManager, In, type ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import {
  DomainError,
  type FieldError,
  notFound,
  PlatformErrorCode,
} from '../../platform/errors/domain-error';
import { validatedOrThrow, validatePlain } from '../../platform/errors/validation';
import type { Page } from '../../platform/http/pagination';
import { MasterDataErrorCode } from '../master-data.errors';
import { CatalogListQueryDto, ChangeActiveDto, MAX_IMPORT_ROWS } from './catalog-dto';
import type { CatalogDefinition, CsvKind } from './catalog-definition';
import { NON_COLUMN_FIELDS } from './catalog-definition';
import type { CatalogRecord } from './catalog-record';
import { CsvSyntaxError, parseCsv, toCsv } from './csv';
import { assertCurrentVersion } from './revisions';

export interface ImportRow {
  /** CSV line (header = 1) or 1-based index in a JSON array. */
  row: number;
  values: Record<string, unknown>;
}

export interface ImportReport {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: Array<{ row: number; field: string; message: string }>;
}

const ALWAYS_SORTABLE = ['code', 'name', 'createdAt', 'updatedAt'];
const LIST_KEYS = new Set(['limit', 'offset', 'q', 'sort', 'active']);

/**
 * Create, read, update, deactivate, list, import and export for one kind of master data (see
 * CatalogDefinition). Codes are unique per site; updates carry the version read and a stale one answers 409;
 * records are deactivated, never deleted; every write is audited in its transaction.
 */
export class CatalogService<E extends CatalogRecord & ObjectLiteral> {
  constructor(
    readonly def: CatalogDefinition<E>,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async list(principal: Principal, siteId: string, rawQuery: Record<string, unknown>): Promise<Page<E>> {
    assertSiteAccess(principal, siteId);
    const filters = this.def.filters ?? {};
    const unknown = Object.keys(rawQuery).filter((k) => !LIST_KEYS.has(k) && !(k in filters));
    if (unknown.length) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Unknown query parameters', {
        errors: unknown.map((k) => ({ field: k, message: `${k} is not a filter of ${this.def.path}` })),
      });
    }
    const base = Object.fromEntries(Object.entries(rawQuery).filter(([k]) => LIST_KEYS.has(k)));
    const q = await validatedOrThrow(CatalogListQueryDto, base);
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const qb = this.dataSource
      .getRepository(this.def.entity)
      .createQueryBuilder('r')
      .where('r.siteId = :siteId', { siteId });
    if (q.active !== undefined) qb.andWhere('r.active = :active', { active: q.active === 'true' });
    for (const [param, f] of Object.entries(filters)) {
      const raw = rawQuery[param];
      if (raw === undefined) continue;
      const value = this.filterValue(param, f.kind, raw);
      qb.andWhere(`r.${f.property} = :f_${param}`, { [`f_${param}`]: value });
    }
    if (q.q) {
      const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const props = ['code', 'name', 'nameZh', ...(this.def.searchProperties ?? [])];
      qb.andWhere(`(${props.map((p) => `r.${p} ILIKE :like`).join(' OR ')})`, { like });
    }
    const sortable = new Set([...ALWAYS_SORTABLE, ...(this.def.sortProperties ?? [])]);
    const sorts = (q.sort ?? 'code').split(',');
    const bad = sorts.map((s) => s.replace(/^-/, '')).filter((s) => !sortable.has(s));
    if (bad.length) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Unknown sort fields', {
        errors: [
          { field: 'sort', message: `can sort by ${[...sortable].join(', ')}; not ${bad.join(', ')}` },
        ],
      });
    }
    sorts.forEach((s, i) => {
      const desc = s.startsWith('-');
      const prop = `r.${s.replace(/^-/, '')}`;
      if (i === 0) qb.orderBy(prop, desc ? 'DESC' : 'ASC');
      else qb.addOrderBy(prop, desc ? 'DESC' : 'ASC');
    });
    qb.addOrderBy('r.id', 'ASC');
    const [items, total] = await qb.skip(offset).take(limit).getManyAndCount();
    return { items, total, limit, offset };
  }

  async get(principal: Principal, siteId: string, id: string): Promise<E> {
    assertSiteAccess(principal, siteId);
    return this.load(this.dataSource.manager, siteId, id);
  }

  async getByCode(principal: Principal, siteId: string, code: string): Promise<E> {
    assertSiteAccess(principal, siteId);
    const found = await this.dataSource.getRepository(this.def.entity).findOneBy({ siteId, code } as never);
    if (!found) throw notFound(this.def.entityType, code);
    return found;
  }

  async create(principal: Principal, siteId: string, body: unknown): Promise<E> {
    assertSiteAccess(principal, siteId);
    const dto = await validatedOrThrow(this.def.createDto, body);
    return this.tx.run(async (tx) => {
      const input = dto as Record<string, unknown>;
      await this.assertCodeFree(tx.manager, siteId, String(input.code));
      const { values, errors } = await this.def.prepare({ manager: tx.manager, siteId }, input);
      this.throwIfInvalid(errors);
      const created = await this.insert(tx, siteId, values);
      await this.record(tx, created, 'created', undefined, created);
      return created;
    });
  }

  async update(principal: Principal, siteId: string, id: string, body: unknown): Promise<E> {
    assertSiteAccess(principal, siteId);
    const dto = (await validatedOrThrow(this.def.updateDto, body)) as Record<string, unknown> & {
      version: number;
      reason?: string;
    };
    return this.tx.run(async (tx) => {
      const existing = await this.load(tx.manager, siteId, id, true);
      assertCurrentVersion(`${this.def.title} ${existing.code}`, existing.version, dto.version);
      const { values, errors } = await this.def.prepare({ manager: tx.manager, siteId, existing }, dto);
      this.throwIfInvalid(errors);
      const updated = await this.apply(tx, existing, values);
      await this.record(tx, updated, 'updated', existing, updated, dto.reason);
      return updated;
    });
  }

  async setActive(
    principal: Principal,
    siteId: string,
    id: string,
    active: boolean,
    body: unknown,
  ): Promise<E> {
    assertSiteAccess(principal, siteId);
    const dto = await validatedOrThrow(ChangeActiveDto, body);
    return this.tx.run(async (tx) => {
      const existing = await this.load(tx.manager, siteId, id, true);
      assertCurrentVersion(`${this.def.title} ${existing.code}`, existing.version, dto.version);
      if (existing.active === active) return existing;
      const updated = await this.apply(tx, existing, { active } as Partial<E>);
      await this.record(tx, updated, active ? 'reactivated' : 'deactivated', existing, updated, dto.reason);
      return updated;
    });
  }

  /** Reads CSV text into rows for import: every cell converted by its column kind; bad cells become errors. */
  rowsFromCsv(text: string): { rows: ImportRow[]; errors: ImportReport['errors'] } {
    let table;
    try {
      table = parseCsv(text);
    } catch (err) {
      if (err instanceof CsvSyntaxError)
        return { rows: [], errors: [{ row: err.line, field: '', message: err.message }] };
      throw err;
    }
    const columns = new Map(this.def.csv.map((c) => [c.name, c]));
    const errors: ImportReport['errors'] = [];
    table.header.forEach((h) => {
      if (!columns.has(h))
        errors.push({
          row: 1,
          field: h,
          message: `unknown column; expected some of: ${[...columns.keys()].join(', ')}`,
        });
    });
    if (!table.header.includes('code'))
      errors.push({ row: 1, field: 'code', message: 'the code column is required' });
    if (errors.length) return { rows: [], errors };
    const rows = table.rows.map(({ line, values }) => {
      const out: Record<string, unknown> = {};
      table.header.forEach((h, i) => {
        const cell = (values[i] ?? '').trim();
        if (cell === '') return;
        const converted = convertCell(columns.get(h)!.kind, cell);
        if (converted.ok) out[h] = converted.value;
        else errors.push({ row: line, field: h, message: converted.message });
      });
      if (values.length > table.header.length)
        errors.push({
          row: line,
          field: '',
          message: `${values.length} cells but ${table.header.length} columns`,
        });
      return { row: line, values: out };
    });
    return { rows, errors };
  }

  /**
   * All or nothing: every row is checked (fields, references, duplicate codes) and every problem reported;
   * rows are written — created, or updated by code — only when none has a problem and this is no dry run.
   */
  async import(
    principal: Principal,
    siteId: string,
    rows: ImportRow[],
    dryRun: boolean,
    parseErrors: ImportReport['errors'] = [],
  ): Promise<ImportReport> {
    assertSiteAccess(principal, siteId);
    if (rows.length > MAX_IMPORT_ROWS) {
      throw new DomainError(
        'validation',
        PlatformErrorCode.VALIDATION_FAILED,
        `At most ${MAX_IMPORT_ROWS} rows per import`,
        {
          errors: [{ field: 'rows', message: `${rows.length} rows; split the file` }],
        },
      );
    }
    const run = async (tx: Tx): Promise<ImportReport> => {
      const report: ImportReport = {
        dryRun,
        rows: rows.length,
        created: 0,
        updated: 0,
        unchanged: 0,
        errors: [...parseErrors],
      };
      // The records the file will change are locked: an edit made meanwhile waits instead of being overwritten.
      const codes = [
        ...new Set(rows.map((r) => r.values.code).filter((c): c is string => typeof c === 'string')),
      ];
      const existingByCode = new Map(
        (codes.length
          ? await tx.manager
              .getRepository(this.def.entity)
              .find({ where: { siteId, code: In(codes) } as never, lock: { mode: 'pessimistic_write' } })
          : []
        ).map((r) => [r.code, r]),
      );
      const seen = new Map<string, number>();
      const plan: Array<{ row: number; existing?: E; values: Partial<E> }> = [];
      const resolveRefs = await this.referenceResolver(tx.manager, siteId, rows);
      for (const { row, values: given } of rows) {
        const { values: raw, errors: refErrors } = resolveRefs(given);
        report.errors.push(...refErrors.map((e) => ({ row, field: e.field, message: e.message })));
        const { value, errors } = await validatePlain(this.def.createDto, raw);
        // A reference whose code is unknown is reported once, by its column, not again as a missing id.
        const unresolved = new Set(
          refErrors.map((e) => this.def.csv.find((c) => c.name === e.field)?.ref?.property),
        );
        const fieldErrors: FieldError[] = errors.filter((e) => !unresolved.has(e.field));
        const code =
          typeof (value as { code?: unknown }).code === 'string'
            ? (value as { code: string }).code
            : undefined;
        if (code !== undefined) {
          if (seen.has(code))
            fieldErrors.push({ field: 'code', message: `repeats the code of row ${seen.get(code)}` });
          else seen.set(code, row);
        }
        if (fieldErrors.length === 0 && refErrors.length === 0) {
          const existing = code === undefined ? undefined : existingByCode.get(code);
          const prepared = await this.def.prepare(
            { manager: tx.manager, siteId, existing },
            value as Record<string, unknown>,
          );
          fieldErrors.push(...prepared.errors);
          if (prepared.errors.length === 0) plan.push({ row, existing, values: prepared.values });
        }
        report.errors.push(...fieldErrors.map((e) => ({ row, field: e.field, message: e.message })));
      }
      report.errors.sort((a, b) => a.row - b.row);
      for (const p of plan) {
        if (!p.existing) report.created++;
        else if (this.changes(p.existing, p.values)) report.updated++;
        else report.unchanged++;
      }
      if (dryRun || report.errors.length) return report;
      for (const p of plan) {
        if (!p.existing) {
          const created = await this.insert(tx, siteId, p.values);
          await this.record(tx, created, 'imported', undefined, created);
        } else if (this.changes(p.existing, p.values)) {
          const updated = await this.apply(tx, p.existing, p.values);
          await this.record(tx, updated, 'imported', p.existing, updated);
        }
      }
      return report;
    };
    const report = await this.tx.run(run);
    if (!dryRun && report.errors.length) {
      throw new DomainError(
        'unprocessable',
        MasterDataErrorCode.IMPORT_REJECTED,
        `Nothing imported: ${report.errors.length} problem(s) in the rows`,
        {
          errors: report.errors.map((e) => ({
            field: `row ${e.row}${e.field ? `: ${e.field}` : ''}`,
            message: e.message,
          })),
          extensions: { report },
        },
      );
    }
    return report;
  }

  async exportCsv(principal: Principal, siteId: string, rawQuery: Record<string, unknown>): Promise<string> {
    const rows: E[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await this.list(principal, siteId, { ...rawQuery, limit: '500', offset: String(offset) });
      rows.push(...page.items);
      if (page.items.length < 500) break;
    }
    const codes = new Map<string, Map<string, string>>();
    for (const c of this.def.csv) {
      if (!c.ref) continue;
      const ids = [...new Set(rows.map((r) => c.get(r)).filter((v): v is string => typeof v === 'string'))];
      const found = ids.length
        ? await this.dataSource.getRepository(c.ref.entity).findBy({ id: In(ids) })
        : [];
      codes.set(c.name, new Map(found.map((f) => [f.id, f.code])));
    }
    return toCsv(
      this.def.csv.map((c) => c.name),
      rows.map((r) =>
        this.def.csv.map((c) => {
          const value = c.get(r);
          return c.ref && typeof value === 'string' ? (codes.get(c.name)?.get(value) ?? value) : value;
        }),
      ),
    );
  }

  /** Turns reference codes in import rows (`baseUnit: 'KG'`) into ids (`baseUnitId`), one lookup per kind. */
  private async referenceResolver(
    manager: EntityManager,
    siteId: string,
    rows: ImportRow[],
  ): Promise<(values: Record<string, unknown>) => { values: Record<string, unknown>; errors: FieldError[] }> {
    const refs = this.def.csv.filter((c) => c.ref && rows.some((r) => r.values[c.name] !== undefined));
    const byCode = new Map<string, Map<string, string>>();
    for (const c of refs) {
      const records = await manager
        .getRepository(c.ref!.entity)
        .find({ where: { siteId } as never, select: { id: true, code: true } });
      byCode.set(c.name, new Map(records.map((r) => [r.code, r.id])));
    }
    return (values) => {
      const out = { ...values };
      const errors: FieldError[] = [];
      for (const c of refs) {
        const code = out[c.name];
        if (code === undefined) continue;
        delete out[c.name];
        const id = typeof code === 'string' ? byCode.get(c.name)?.get(code) : undefined;
        if (id) out[c.ref!.property] = id;
        else
          errors.push({
            field: c.name,
            message:
              typeof code === 'string'
                ? `no ${c.ref!.title} with code ${code.slice(0, 64)} at this site`
                : `must be the code of a ${c.ref!.title}`,
          });
      }
      return { values: out, errors };
    };
  }

  private async load(manager: EntityManager, siteId: string, id: string, lock = false): Promise<E> {
    const found = await manager.getRepository(this.def.entity).findOne({
      where: { id } as never,
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    // A record of another site is reported as missing: its existence is not the caller's business.
    if (!found || found.siteId !== siteId) throw notFound(this.def.entityType, id);
    return found;
  }

  private async assertCodeFree(manager: EntityManager, siteId: string, code: string): Promise<void> {
    const taken = await manager.getRepository(this.def.entity).exists({ where: { siteId, code } as never });
    if (taken) {
      throw new DomainError(
        'conflict',
        PlatformErrorCode.ALREADY_EXISTS,
        `${this.def.title} ${code} already exists at this site`,
        {
          errors: [{ field: 'code', message: 'is already used at this site' }],
        },
      );
    }
  }

  private throwIfInvalid(errors: FieldError[]): void {
    if (errors.length) {
      throw new DomainError(
        'unprocessable',
        MasterDataErrorCode.INVALID_REFERENCE,
        `The ${this.def.title.toLowerCase()} refers to records that cannot be used`,
        { errors },
      );
    }
  }

  private async insert(tx: Tx, siteId: string, values: Partial<E>): Promise<E> {
    const repo = tx.manager.getRepository(this.def.entity);
    const result = await repo.insert({ ...values, siteId });
    const id = (result.identifiers[0] as { id: string }).id;
    return repo.findOneByOrFail({ id } as never);
  }

  private async apply(tx: Tx, existing: E, values: Partial<E>): Promise<E> {
    const repo = tx.manager.getRepository(this.def.entity);
    const set = { ...values } as Record<string, unknown>;
    for (const k of ['id', 'siteId', 'code', 'version', 'createdAt', 'updatedAt']) delete set[k];
    await repo.update({ id: existing.id } as never, set as QueryDeepPartialEntity<E>);
    return repo.findOneByOrFail({ id: existing.id } as never);
  }

  private changes(existing: E, values: Partial<E>): boolean {
    return Object.entries(values).some(
      ([k, v]) => !NON_COLUMN_FIELDS.has(k) && k !== 'code' && !sameValue(existing[k as keyof E], v),
    );
  }

  private async record(
    tx: Tx,
    r: E,
    action: string,
    before: E | undefined,
    after: E,
    reason?: string,
  ): Promise<void> {
    await this.audit.record(tx, {
      entityType: this.def.entityType,
      entityId: r.id,
      siteId: r.siteId,
      action: `${this.def.entityType}.${action}`,
      before,
      after,
      reason,
    });
    tx.raise('master-data.record.changed', {
      entityType: this.def.entityType,
      id: r.id,
      siteId: r.siteId,
      code: r.code,
      action,
      active: r.active,
      version: r.version,
    });
  }

  private filterValue(param: string, kind: 'string' | 'uuid' | 'boolean', raw: unknown): unknown {
    const fail = (message: string) =>
      new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, `Bad filter ${param}`, {
        errors: [{ field: param, message }],
      });
    if (typeof raw !== 'string' || raw.length === 0 || raw.length > 200)
      throw fail('must be a single value of 1-200 characters');
    if (kind === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw))
      throw fail('must be a UUID');
    if (kind === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw fail('must be true or false');
      return raw === 'true';
    }
    return raw;
  }
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Equal as stored: decimals by value ("25.5" is "25.500000"), everything else by JSON. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && DECIMAL.test(a) && DECIMAL.test(b)) {
    const norm = (s: string) =>
      (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s).replace(/^(-?)0+(?=\d)/, '$1');
    return norm(a) === norm(b);
  }
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function convertCell(
  kind: CsvKind,
  cell: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  switch (kind) {
    case 'string':
      return { ok: true, value: cell };
    case 'integer':
      return /^-?\d{1,15}$/.test(cell)
        ? { ok: true, value: Number(cell) }
        : { ok: false, message: `"${cell.slice(0, 40)}" is not a whole number` };
    case 'number': {
      const n = Number(cell);
      return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(cell) && Number.isFinite(n)
        ? { ok: true, value: n }
        : { ok: false, message: `"${cell.slice(0, 40)}" is not a number` };
    }
    case 'decimal':
      // Quantities stay decimal strings end to end; the DTO checks precision.
      return { ok: true, value: cell };
    case 'boolean': {
      const v = cell.toLowerCase();
      if (['true', 'yes', 'y', '1', '是'].includes(v)) return { ok: true, value: true };
      if (['false', 'no', 'n', '0', '否'].includes(v)) return { ok: true, value: false };
      return { ok: false, message: `"${cell.slice(0, 40)}" is not true/false` };
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(cell) as unknown };
      } catch {
        return { ok: false, message: 'is not valid JSON' };
      }
    case 'list':
      return {
        ok: true,
        value: cell
          .split('|')
          .map((s) => s.trim())
          .filter(Boolean),
      };
  }
}
