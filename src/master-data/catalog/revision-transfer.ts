import type { TransactionRunner, Tx } from '../../platform/database/transaction-runner';
import { DomainError, PlatformErrorCode } from '../../platform/errors/domain-error';
import { MasterDataErrorCode } from '../master-data.errors';
import { MAX_IMPORT_ROWS } from './catalog-dto';
import { type CsvTable, CsvSyntaxError, parseCsv } from './csv';

/** Shared by the BOM and routing imports: rows of a flat file grouped into revisions, all or nothing. */
export interface TransferRow {
  row: number;
  values: Record<string, unknown>;
}

export interface TransferReport {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  errors: Array<{ row: number; field: string; message: string }>;
}

/** Reads CSV rows, checking the header against the known and required columns. */
export function transferRowsFromCsv(
  text: string,
  columns: readonly string[],
  required: string[],
): { rows: TransferRow[]; errors: TransferReport['errors'] } {
  let table: CsvTable;
  try {
    table = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError)
      return { rows: [], errors: [{ row: err.line, field: '', message: err.message }] };
    throw err;
  }
  const allowed = new Set(columns);
  const errors = table.header
    .filter((h) => !allowed.has(h))
    .map((h) => ({ row: 1, field: h, message: `unknown column; expected some of: ${columns.join(', ')}` }));
  for (const r of required)
    if (!table.header.includes(r)) errors.push({ row: 1, field: r, message: 'this column is required' });
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

/** Rows of one revision: same material code and validFrom, in file order. */
export function groupByRevision(rows: TransferRow[]): TransferRow[][] {
  const groups = new Map<string, TransferRow[]>();
  for (const r of rows) {
    const key = `${text(r.values.material)}\u0000${text(r.values.validFrom)}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()];
}

class RollBack<R> extends Error {
  constructor(readonly report: R) {
    super('rolled back');
  }
}

/**
 * Runs an import in one transaction and rolls it back on a dry run or when any row has a problem, keeping
 * the report; a real run with problems answers 422 IMPORT_REJECTED listing every one of them.
 */
export async function runImport<R extends TransferReport>(
  tx: TransactionRunner,
  rows: number,
  dryRun: boolean,
  work: (t: Tx) => Promise<R>,
): Promise<R> {
  if (rows > MAX_IMPORT_ROWS) {
    throw new DomainError(
      'validation',
      PlatformErrorCode.VALIDATION_FAILED,
      `At most ${MAX_IMPORT_ROWS} rows per import`,
      {
        errors: [{ field: 'rows', message: `${rows} rows; split the file` }],
      },
    );
  }
  let report: R;
  try {
    report = await tx.run(async (t) => {
      const r = await work(t);
      r.errors.sort((a, b) => a.row - b.row);
      if (dryRun || r.errors.length) throw new RollBack(r);
      return r;
    });
  } catch (err) {
    if (!(err instanceof RollBack)) throw err;
    report = err.report as R;
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

/** A cell or JSON value as text: strings as they are, numbers written out, anything else empty. */
export function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

export function toInt(v: unknown): unknown {
  return typeof v === 'string' && /^-?\d{1,9}$/.test(v) ? Number(v) : v;
}

export function toBool(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.toLowerCase();
  return ['true', 'yes', '1', '是'].includes(s) ? true : ['false', 'no', '0', '否'].includes(s) ? false : v;
}

export function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
