import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { DomainError, type FieldError, PlatformErrorCode } from '../../platform/errors/domain-error';
import { validatePlain } from '../../platform/errors/validation';
import { MAX_IMPORT_ROWS } from '../catalog/catalog-dto';
import { type CsvTable, CsvSyntaxError, parseCsv, toCsv } from '../catalog/csv';
import { MasterDataErrorCode } from '../master-data.errors';
import { Material } from '../materials/material.entity';
import { CreateBomDto } from './bom.dto';
import { Bom, BomLine } from './bom.entity';
import { BomsService } from './boms.service';

/** One line per row; rows of the same material and validFrom form one revision. `revision` is informational. */
export const BOM_CSV_COLUMNS = [
  'material',
  'revision',
  'validFrom',
  'validTo',
  'baseQuantity',
  'description',
  'lineNo',
  'component',
  'quantityPer',
  'scrapFactor',
  'issueMethod',
  'operationSeq',
] as const;

export interface BomImportReport {
  dryRun: boolean;
  rows: number;
  boms: number;
  created: number;
  updated: number;
  errors: Array<{ row: number; field: string; message: string }>;
}

interface Row {
  row: number;
  values: Record<string, unknown>;
}

/** Thrown inside the import transaction to undo it (dry run, or any problem) while keeping the report. */
class RollBack extends Error {
  constructor(readonly report: BomImportReport) {
    super('rolled back');
  }
}

const FIELD_NAMES: Record<string, string> = {
  materialId: 'material',
  componentId: 'component',
  lines: 'component',
};

/**
 * Bulk import and export of BOMs, all or nothing: every revision goes through the same checks as the API
 * (active references, cycles — also between the imported BOMs —, non-overlapping validity) inside one
 * transaction, which is rolled back on a dry run or when any row has a problem.
 */
@Injectable()
export class BomTransferService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly boms: BomsService,
  ) {}

  rowsFromCsv(text: string): { rows: Row[]; errors: BomImportReport['errors'] } {
    let table: CsvTable;
    try {
      table = parseCsv(text);
    } catch (err) {
      if (err instanceof CsvSyntaxError)
        return { rows: [], errors: [{ row: err.line, field: '', message: err.message }] };
      throw err;
    }
    const allowed = new Set<string>(BOM_CSV_COLUMNS);
    const errors = table.header
      .filter((h) => !allowed.has(h))
      .map((h) => ({
        row: 1,
        field: h,
        message: `unknown column; expected some of: ${BOM_CSV_COLUMNS.join(', ')}`,
      }));
    for (const required of ['material', 'validFrom', 'lineNo', 'component', 'quantityPer']) {
      if (!table.header.includes(required))
        errors.push({ row: 1, field: required, message: 'this column is required' });
    }
    if (errors.length) return { rows: [], errors };
    return {
      rows: table.rows.map(({ line, values }) => ({
        row: line,
        values: Object.fromEntries(
          table.header
            .map((h, i): [string, string] => [h, (values[i] ?? '').trim()])
            .filter(([, v]) => v !== ''),
        ),
      })),
      errors: [],
    };
  }

  async import(
    p: Principal,
    siteId: string,
    rows: Row[],
    dryRun: boolean,
    parseErrors: BomImportReport['errors'] = [],
  ): Promise<BomImportReport> {
    assertSiteAccess(p, siteId);
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
    const groups = new Map<string, Row[]>();
    for (const r of rows) {
      const key = `${text(r.values.material)}\u0000${text(r.values.validFrom)}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    let report: BomImportReport;
    try {
      report = await this.tx.run(async (tx) => {
        const result: BomImportReport = {
          dryRun,
          rows: rows.length,
          boms: groups.size,
          created: 0,
          updated: 0,
          errors: [...parseErrors],
        };
        const materials = new Map(
          (
            await tx.manager
              .getRepository(Material)
              .find({ where: { siteId }, select: { id: true, code: true } })
          ).map((m) => [m.code, m.id]),
        );
        for (const group of groups.values()) {
          const [first] = group;
          const errorsBefore = result.errors.length;
          const fail = (row: number, field: string, message: string) =>
            result.errors.push({ row, field, message });
          const materialId = materials.get(text(first!.values.material));
          if (!materialId)
            fail(
              first!.row,
              'material',
              `no material with code ${text(first!.values.material).slice(0, 64)} at this site`,
            );
          const lines = group.map((r) => {
            const componentId = materials.get(text(r.values.component));
            if (!componentId)
              fail(
                r.row,
                'component',
                `no material with code ${text(r.values.component).slice(0, 64)} at this site`,
              );
            for (const h of ['validTo', 'baseQuantity', 'description'] as const) {
              if ((r.values[h] ?? '') !== (first!.values[h] ?? ''))
                fail(r.row, h, `differs from row ${first!.row} of the same BOM`);
            }
            return {
              lineNo: toInt(r.values.lineNo),
              componentId: componentId ?? '',
              quantityPer: r.values.quantityPer,
              scrapFactor: r.values.scrapFactor,
              issueMethod: r.values.issueMethod,
              operationSeq: r.values.operationSeq === undefined ? undefined : toInt(r.values.operationSeq),
            };
          });
          if (result.errors.length > errorsBefore) continue;
          const plain = {
            materialId,
            validFrom: first!.values.validFrom,
            validTo: first!.values.validTo,
            baseQuantity: first!.values.baseQuantity,
            description: first!.values.description,
            lines,
          };
          const { value, errors } = await validatePlain(CreateBomDto, stripUndefined(plain));
          if (errors.length) {
            errors.forEach((e) => fail(...this.locate(group, e)));
            continue;
          }
          const existing = await tx.manager
            .getRepository(Bom)
            .findOneBy({ materialId: value.materialId, validFrom: value.validFrom, active: true });
          try {
            if (existing) {
              await this.boms.updateIn(
                tx,
                siteId,
                existing,
                {
                  version: existing.version,
                  validTo: value.validTo,
                  baseQuantity: value.baseQuantity,
                  description: value.description,
                  lines: value.lines,
                },
                'imported',
              );
              result.updated++;
            } else {
              await this.boms.createIn(tx, siteId, value, 'imported');
              result.created++;
            }
          } catch (err) {
            if (!(err instanceof DomainError) || err.errors.length === 0) throw err;
            err.errors.forEach((e) => fail(...this.locate(group, e)));
          }
        }
        result.errors.sort((a, b) => a.row - b.row);
        if (dryRun || result.errors.length) throw new RollBack(result);
        return result;
      });
    } catch (err) {
      if (!(err instanceof RollBack)) throw err;
      report = err.report;
    }
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

  async exportCsv(p: Principal, siteId: string, materialId?: string): Promise<string> {
    assertSiteAccess(p, siteId);
    const boms = await this.dataSource.getRepository(Bom).find({
      where: { siteId, active: true, ...(materialId ? { materialId } : {}) },
      order: { materialId: 'ASC', revision: 'ASC' },
    });
    const lines = boms.length
      ? await this.dataSource
          .getRepository(BomLine)
          .find({ where: { bomId: In(boms.map((b) => b.id)) }, order: { lineNo: 'ASC' } })
      : [];
    const ids = new Set([...boms.map((b) => b.materialId), ...lines.map((l) => l.componentId)]);
    const codes = new Map(
      (await this.dataSource.getRepository(Material).findBy({ id: In([...ids]) })).map((m) => [m.id, m.code]),
    );
    const rows = boms
      .sort(
        (a, b) =>
          (codes.get(a.materialId) ?? '').localeCompare(codes.get(b.materialId) ?? '') ||
          a.revision - b.revision,
      )
      .flatMap((b) =>
        lines
          .filter((l) => l.bomId === b.id)
          .map((l) => [
            codes.get(b.materialId),
            b.revision,
            b.validFrom,
            b.validTo,
            b.baseQuantity,
            b.description,
            l.lineNo,
            codes.get(l.componentId),
            l.quantityPer,
            l.scrapFactor,
            l.issueMethod,
            l.operationSeq,
          ]),
      );
    return toCsv([...BOM_CSV_COLUMNS], rows);
  }

  /** Maps an error about the assembled BOM back to the row and column it came from. */
  private locate(group: Row[], e: FieldError): [number, string, string] {
    const m = /^lines\[(\d+)\]\.(\w+)$/.exec(e.field);
    if (m) return [group[Number(m[1])]?.row ?? group[0]!.row, FIELD_NAMES[m[2]!] ?? m[2]!, e.message];
    return [group[0]!.row, FIELD_NAMES[e.field] ?? e.field, e.message];
  }
}

/** A cell or JSON value as text: strings as they are, numbers written out, anything else empty. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function toInt(v: unknown): unknown {
  return typeof v === 'string' && /^-?\d{1,9}$/.test(v) ? Number(v) : v;
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
