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
  toBool,
  toInt,
  type TransferReport,
  type TransferRow,
  transferRowsFromCsv,
} from '../catalog/revision-transfer';
import { Equipment } from '../hierarchy/equipment.entity';
import { WorkCenter } from '../hierarchy/work-center.entity';
import { Material } from '../materials/material.entity';
import { CreateRoutingDto } from './routing.dto';
import { Routing, RoutingOperation, RoutingOperationEquipment } from './routing.entity';
import { RoutingsService } from './routings.service';

/**
 * One eligible machine per row: rows with the same `seq` form an operation, rows with the same material and
 * validFrom a revision. Instructions, attachments and parameters are kept as they are on update and edited
 * through the API. `revision` is informational.
 */
export const ROUTING_CSV_COLUMNS = [
  'material',
  'revision',
  'validFrom',
  'validTo',
  'description',
  'seq',
  'operation',
  'operationZh',
  'workCenter',
  'minTransferQty',
  'inspectionPoint',
  'equipment',
  'runTimePerUnitSec',
  'setupTimeSec',
  'setupFamily',
] as const;

const OPERATION_FIELDS = [
  'operation',
  'operationZh',
  'workCenter',
  'minTransferQty',
  'inspectionPoint',
] as const;
const FIELD_NAMES: Record<string, string> = {
  materialId: 'material',
  workCenterId: 'workCenter',
  name: 'operation',
  nameZh: 'operationZh',
  equipmentId: 'equipment',
};

export interface RoutingImportReport extends TransferReport {
  routings: number;
}

/** Bulk import and export of routings, all or nothing, through the same checks as the API. */
@Injectable()
export class RoutingTransferService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly routings: RoutingsService,
  ) {}

  rowsFromCsv(csv: string) {
    return transferRowsFromCsv(csv, ROUTING_CSV_COLUMNS, [
      'material',
      'validFrom',
      'seq',
      'operation',
      'workCenter',
      'equipment',
      'runTimePerUnitSec',
    ]);
  }

  import(
    p: Principal,
    siteId: string,
    rows: TransferRow[],
    dryRun: boolean,
    parseErrors: TransferReport['errors'] = [],
  ): Promise<RoutingImportReport> {
    assertSiteAccess(p, siteId);
    const groups = groupByRevision(rows);
    return runImport(this.tx, rows.length, dryRun, async (tx) => {
      const result: RoutingImportReport = {
        dryRun,
        rows: rows.length,
        routings: groups.length,
        created: 0,
        updated: 0,
        errors: [...parseErrors],
      };
      const codes = async <T extends { id: string; code: string }>(entity: new () => T) =>
        new Map(
          (
            await tx.manager
              .getRepository(entity)
              .find({ where: { siteId } as never, select: { id: true, code: true } as never })
          ).map((r) => [r.code, r.id]),
        );
      const materials = await codes(Material);
      const workCenters = await codes(WorkCenter);
      const machines = await codes(Equipment);
      for (const group of groups) {
        const first = group[0]!;
        const errorsBefore = result.errors.length;
        const fail = (row: number, field: string, message: string) =>
          result.errors.push({ row, field, message });
        const unknown = (row: number, field: string, title: string, code: unknown) =>
          fail(row, field, `no ${title} with code ${text(code).slice(0, 64)} at this site`);
        const materialId = materials.get(text(first.values.material));
        if (!materialId) unknown(first.row, 'material', 'material', first.values.material);
        const bySeq = new Map<string, TransferRow[]>();
        for (const r of group) {
          for (const h of ['validTo', 'description'] as const)
            if (text(r.values[h]) !== text(first.values[h]))
              fail(r.row, h, `differs from row ${first.row} of the same routing`);
          bySeq.set(text(r.values.seq), [...(bySeq.get(text(r.values.seq)) ?? []), r]);
        }
        const opRows = [...bySeq.values()];
        const operations = opRows.map((op) => {
          const head = op[0]!;
          for (const r of op.slice(1))
            for (const h of OPERATION_FIELDS)
              if (text(r.values[h]) !== text(head.values[h]))
                fail(r.row, h, `differs from row ${head.row} of the same operation`);
          const workCenterId = workCenters.get(text(head.values.workCenter));
          if (!workCenterId) unknown(head.row, 'workCenter', 'work center', head.values.workCenter);
          return stripUndefined({
            seq: toInt(head.values.seq),
            name: head.values.operation,
            nameZh: head.values.operationZh,
            workCenterId: workCenterId ?? '',
            minTransferQty: head.values.minTransferQty,
            inspectionPoint: toBool(head.values.inspectionPoint),
            equipment: op.map((r) => {
              const equipmentId = machines.get(text(r.values.equipment));
              if (!equipmentId) unknown(r.row, 'equipment', 'equipment', r.values.equipment);
              return stripUndefined({
                equipmentId: equipmentId ?? '',
                runTimePerUnitSec: r.values.runTimePerUnitSec,
                setupTimeSec: r.values.setupTimeSec,
                setupFamily: r.values.setupFamily,
              });
            }),
          });
        });
        if (result.errors.length > errorsBefore) continue;
        const { value, errors } = await validatePlain(
          CreateRoutingDto,
          stripUndefined({
            materialId,
            validFrom: first.values.validFrom,
            validTo: first.values.validTo,
            description: first.values.description,
            operations,
          }),
        );
        const locate = (e: FieldError): [number, string, string] => {
          const m = /^operations\[(\d+)\](?:\.equipment\[(\d+)\])?\.(\w+)$/.exec(e.field);
          if (!m) return [first.row, FIELD_NAMES[e.field] ?? e.field, e.message];
          const op = opRows[Number(m[1])] ?? group;
          const row = m[2] !== undefined ? (op[Number(m[2])]?.row ?? op[0]!.row) : op[0]!.row;
          return [row, FIELD_NAMES[m[3]!] ?? m[3]!, e.message];
        };
        if (errors.length) {
          errors.forEach((e) => fail(...locate(e)));
          continue;
        }
        const existing = await tx.manager.getRepository(Routing).findOne({
          where: { materialId: value.materialId, validFrom: value.validFrom, active: true },
          lock: { mode: 'pessimistic_write' },
        });
        try {
          if (existing) {
            await this.routings.updateIn(
              tx,
              siteId,
              existing,
              {
                version: existing.version,
                validTo: value.validTo,
                description: value.description,
                operations: await this.keepDetails(tx.manager, existing.id, value.operations),
              },
              'imported',
            );
            result.updated++;
          } else {
            await this.routings.createIn(tx, siteId, value, 'imported');
            result.created++;
          }
        } catch (err) {
          if (!(err instanceof DomainError) || err.errors.length === 0) throw err;
          err.errors.forEach((e) => fail(...locate(e)));
        }
      }
      return result;
    });
  }

  async exportCsv(p: Principal, siteId: string, materialId?: string): Promise<string> {
    assertSiteAccess(p, siteId);
    const m = this.dataSource.manager;
    const routings = await m
      .getRepository(Routing)
      .find({ where: { siteId, active: true, ...(materialId ? { materialId } : {}) } });
    const ops = routings.length
      ? await m
          .getRepository(RoutingOperation)
          .find({ where: { routingId: In(routings.map((r) => r.id)) }, order: { seq: 'ASC' } })
      : [];
    const eqs = ops.length
      ? await m.getRepository(RoutingOperationEquipment).findBy({ operationId: In(ops.map((o) => o.id)) })
      : [];
    const code = async <T extends { id: string; code: string }>(entity: new () => T, ids: string[]) =>
      new Map(
        (ids.length ? await m.getRepository(entity).findBy({ id: In([...new Set(ids)]) } as never) : []).map(
          (r) => [r.id, r.code],
        ),
      );
    const materials = await code(
      Material,
      routings.map((r) => r.materialId),
    );
    const wcs = await code(
      WorkCenter,
      ops.map((o) => o.workCenterId),
    );
    const machines = await code(
      Equipment,
      eqs.map((e) => e.equipmentId),
    );
    const rows = routings
      .sort(
        (a, b) =>
          (materials.get(a.materialId) ?? '').localeCompare(materials.get(b.materialId) ?? '') ||
          a.revision - b.revision,
      )
      .flatMap((r) =>
        ops
          .filter((o) => o.routingId === r.id)
          .flatMap((o) =>
            eqs
              .filter((e) => e.operationId === o.id)
              .sort((a, b) =>
                (machines.get(a.equipmentId) ?? '').localeCompare(machines.get(b.equipmentId) ?? ''),
              )
              .map((e) => [
                materials.get(r.materialId),
                r.revision,
                r.validFrom,
                r.validTo,
                r.description,
                o.seq,
                o.name,
                o.nameZh,
                wcs.get(o.workCenterId),
                o.minTransferQty,
                o.inspectionPoint,
                machines.get(e.equipmentId),
                e.runTimePerUnitSec,
                e.setupTimeSec,
                e.setupFamily,
              ]),
          ),
      );
    return toCsv([...ROUTING_CSV_COLUMNS], rows);
  }

  /** An update from a file keeps each operation's instructions, attachments and parameters (not in the file). */
  private async keepDetails(
    manager: DataSource['manager'],
    routingId: string,
    operations: CreateRoutingDto['operations'],
  ): Promise<CreateRoutingDto['operations']> {
    const current = await manager.getRepository(RoutingOperation).findBy({ routingId });
    return operations.map((op) => {
      const was = current.find((c) => c.seq === op.seq);
      return was
        ? {
            ...op,
            instructions: was.instructions ?? undefined,
            attachments: was.attachments,
            parameters: was.parameters,
          }
        : op;
    });
  }
}
