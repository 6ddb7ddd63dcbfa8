import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { DomainError, type FieldError } from '../../platform/errors/domain-error';
import { validatePlain } from '../../platform/errors/validation';
import { toCsv } from '../catalog/csv';
import {
  groupByRevision,
  runImport,
  stripUndefined,
  text,
  toInt,
  type TransferReport,
  type TransferRow,
  transferRowsFromCsv,
} from '../catalog/revision-transfer';
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

export interface BomImportReport extends TransferReport {
  boms: number;
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

  rowsFromCsv(csv: string) {
    return transferRowsFromCsv(csv, BOM_CSV_COLUMNS, [
      'material',
      'validFrom',
      'lineNo',
      'component',
      'quantityPer',
    ]);
  }

  import(
    p: Principal,
    siteId: string,
    rows: TransferRow[],
    dryRun: boolean,
    parseErrors: TransferReport['errors'] = [],
  ): Promise<BomImportReport> {
    assertSiteAccess(p, siteId);
    const groups = groupByRevision(rows);
    return runImport(this.tx, rows.length, dryRun, async (tx) => {
      const result: BomImportReport = {
        dryRun,
        rows: rows.length,
        boms: groups.length,
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
      for (const group of groups) {
        const first = group[0]!;
        const errorsBefore = result.errors.length;
        const fail = (row: number, field: string, message: string) =>
          result.errors.push({ row, field, message });
        const materialId = materials.get(text(first.values.material));
        if (!materialId)
          fail(
            first.row,
            'material',
            `no material with code ${text(first.values.material).slice(0, 64)} at this site`,
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
            if (text(r.values[h]) !== text(first.values[h]))
              fail(r.row, h, `differs from row ${first.row} of the same BOM`);
          }
          return stripUndefined({
            lineNo: toInt(r.values.lineNo),
            componentId: componentId ?? '',
            quantityPer: r.values.quantityPer,
            scrapFactor: r.values.scrapFactor,
            issueMethod: r.values.issueMethod,
            operationSeq: r.values.operationSeq === undefined ? undefined : toInt(r.values.operationSeq),
          });
        });
        if (result.errors.length > errorsBefore) continue;
        const plain = {
          materialId,
          validFrom: first.values.validFrom,
          validTo: first.values.validTo,
          baseQuantity: first.values.baseQuantity,
          description: first.values.description,
          lines,
        };
        const { value, errors } = await validatePlain(CreateBomDto, stripUndefined(plain));
        if (errors.length) {
          errors.forEach((e) => fail(...locate(group, e)));
          continue;
        }
        const existing = await tx.manager.getRepository(Bom).findOne({
          where: { materialId: value.materialId, validFrom: value.validFrom, active: true },
          lock: { mode: 'pessimistic_write' },
        });
        try {
          if (existing) {
            const update = {
              version: existing.version,
              validTo: value.validTo,
              baseQuantity: value.baseQuantity,
              description: value.description,
              lines: value.lines,
            };
            await this.boms.updateIn(tx, siteId, existing, update, 'imported');
            result.updated++;
          } else {
            await this.boms.createIn(tx, siteId, value, 'imported');
            result.created++;
          }
        } catch (err) {
          if (!(err instanceof DomainError) || err.errors.length === 0) throw err;
          err.errors.forEach((e) => fail(...locate(group, e)));
        }
      }
      return result;
    });
  }

  async exportCsv(p: Principal, siteId: string, materialId?: string): Promise<string> {
    assertSiteAccess(p, siteId);
    const boms = await this.dataSource
      .getRepository(Bom)
      .find({ where: { siteId, active: true, ...(materialId ? { materialId } : {}) } });
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
}

/** Maps an error about the assembled BOM back to the row and column it came from. */
function locate(group: TransferRow[], e: FieldError): [number, string, string] {
  const m = /^lines\[(\d+)\]\.(\w+)$/.exec(e.field);
  if (m) return [group[Number(m[1])]?.row ?? group[0]!.row, FIELD_NAMES[m[2]!] ?? m[2]!, e.message];
  return [group[0]!.row, FIELD_NAMES[e.field] ?? e.field, e.message];
}
