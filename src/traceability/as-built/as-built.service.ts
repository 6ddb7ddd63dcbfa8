import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import { AuditService } from '../../platform/audit/audit.service';
import { RequestContext } from '../../platform/context/request-context';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { DomainError, PlatformErrorCode } from '../../platform/errors/domain-error';
import { InventoryFacade, type SerialRef } from '../../inventory/inventory.facade';
import { TraceabilityErrorCode } from '../traceability.errors';
import { MAX_DEPTH } from '../trace/trace.service';

export interface FittedComponent {
  linkId: string;
  serial: string;
  materialCode: string;
  lotCode: string;
  workOrderId: string;
  recordedAt: string;
  recordedBy: string;
}

/** A serial-numbered unit with what was fitted into it, to any depth (as-built, 装配记录). */
export interface SerialNode {
  serial: string;
  serialId: string;
  materialCode: string;
  lotId: string;
  lotCode: string;
  status: string;
  depth: number;
  /** backward: the component serials fitted into this unit; forward: the unit this one was fitted into. */
  links: Array<{
    serial: string;
    materialCode: string;
    lotCode: string;
    workOrderId: string;
    recordedAt: string;
  }>;
}

export interface SerialTraceView {
  serial: SerialRef;
  direction: 'backward' | 'forward';
  truncated: boolean;
  nodes: SerialNode[];
}

interface LinkRow {
  id: string;
  component_serial_id: string;
  unit_serial_id: string;
  work_order_id: string;
  recorded_at: Date;
  recorded_by: string;
}

/**
 * Serial-to-serial genealogy: which component serial went into which finished unit. Recorded at assembly or
 * final test once the unit's serial exists; a component must have been consumed by the work order that made the
 * unit, and is in one unit at a time (taking it out for repair ends the link, kept as history).
 */
@Injectable()
export class AsBuiltService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runner: TransactionRunner,
    private readonly inventory: InventoryFacade,
    private readonly audit: AuditService,
  ) {}

  async fit(
    p: Principal,
    c: { unit: string; unitMaterial?: string; components: Array<{ serial: string; material?: string }> },
  ): Promise<{ unit: SerialRef; components: FittedComponent[] }> {
    return this.runner.run(async (tx) => {
      const unit = await this.resolve(tx.manager, p, c.unit, c.unitMaterial, 'unit');
      const [unitLot] = await this.inventory.trace.summaries(tx.manager, [unit.lotId]);
      if (!unitLot || unitLot.origin !== 'production' || !unitLot.workOrderId) {
        throw new DomainError(
          'conflict',
          TraceabilityErrorCode.UNIT_NOT_PRODUCED,
          `Unit ${unit.serial} is in lot ${unit.lotCode}, which no work order produced`,
          { errors: [{ field: 'unit', message: 'not a produced unit' }] },
        );
      }
      const workOrderId = unitLot.workOrderId;
      const seen = new Set<string>();
      const components: SerialRef[] = [];
      for (const [i, comp] of c.components.entries()) {
        const s = await this.resolve(tx.manager, p, comp.serial, comp.material, `components[${i}].serial`);
        if (seen.has(s.id) || s.id === unit.id) {
          throw new DomainError(
            'validation',
            PlatformErrorCode.VALIDATION_FAILED,
            'A serial is listed twice',
            {
              errors: [{ field: `components[${i}].serial`, message: `${s.serial} is listed twice` }],
            },
          );
        }
        seen.add(s.id);
        if (s.status !== 'consumed' || s.workOrderId !== workOrderId) {
          throw new DomainError(
            'conflict',
            TraceabilityErrorCode.COMPONENT_NOT_CONSUMED,
            `Component ${s.materialCode} ${s.serial} was not consumed by the work order that made ${unit.serial}`,
            {
              errors: [{ field: `components[${i}].serial`, message: `status ${s.status}` }],
              extensions: { serialStatus: s.status },
            },
          );
        }
        components.push(s);
      }
      // Locked so two terminals cannot fit one component into two units.
      const fitted: Array<{ component_serial_id: string; unit_serial_id: string }> = await tx.manager.query(
        `SELECT component_serial_id, unit_serial_id FROM serial_link
          WHERE component_serial_id = ANY($1::uuid[]) AND removed_at IS NULL FOR UPDATE`,
        [components.map((s) => s.id)],
      );
      const already = fitted.find((f) => f.unit_serial_id !== unit.id);
      if (already) {
        const [other] = await this.inventory.trace.serialsById(tx.manager, [already.unit_serial_id]);
        const comp = components.find((s) => s.id === already.component_serial_id)!;
        throw new DomainError(
          'conflict',
          TraceabilityErrorCode.COMPONENT_ALREADY_FITTED,
          `Component ${comp.serial} is fitted in unit ${other?.serial ?? '?'}; remove it there first`,
          { extensions: { unitSerial: other?.serial ?? null } },
        );
      }
      const fresh = components.filter((s) => !fitted.some((f) => f.component_serial_id === s.id));
      const actor = RequestContext.actor()?.name ?? 'system';
      if (fresh.length > 0) {
        await tx.manager.query(
          `INSERT INTO serial_link (site_id, component_serial_id, unit_serial_id, component_lot_id, unit_lot_id,
                                    work_order_id, recorded_by)
           SELECT $1, c, $2, l, $3, $4, $5 FROM unnest($6::uuid[], $7::uuid[]) AS x(c, l)`,
          [
            unit.siteId,
            unit.id,
            unit.lotId,
            workOrderId,
            actor,
            fresh.map((s) => s.id),
            fresh.map((s) => s.lotId),
          ],
        );
        await this.audit.record(tx, {
          entityType: 'serial_number',
          entityId: unit.id,
          siteId: unit.siteId,
          action: 'serial.components_fitted',
          after: { unit: unit.serial, components: fresh.map((s) => `${s.materialCode} ${s.serial}`) },
        });
      }
      return { unit, components: await this.fittedIn(tx.manager, unit.id) };
    });
  }

  async remove(
    p: Principal,
    c: { serial: string; material?: string; reason: string },
  ): Promise<{ component: SerialRef; unit: SerialRef }> {
    return this.runner.run(async (tx) => {
      const comp = await this.resolve(tx.manager, p, c.serial, c.material, 'serial');
      const actor = RequestContext.actor()?.name ?? 'system';
      const [rows] = await tx.manager.query<[Array<{ unit_serial_id: string }>, number]>(
        `UPDATE serial_link SET removed_at = clock_timestamp(), removed_by = $2, removal_reason = $3
          WHERE component_serial_id = $1 AND removed_at IS NULL RETURNING unit_serial_id`,
        [comp.id, actor, c.reason],
      );
      if (!rows[0]) {
        throw new DomainError(
          'conflict',
          TraceabilityErrorCode.COMPONENT_NOT_FITTED,
          `Component ${comp.serial} is not fitted in any unit`,
        );
      }
      const [unit] = await this.inventory.trace.serialsById(tx.manager, [rows[0].unit_serial_id]);
      await this.audit.record(tx, {
        entityType: 'serial_number',
        entityId: rows[0].unit_serial_id,
        siteId: comp.siteId,
        action: 'serial.component_removed',
        before: { unit: unit?.serial, component: comp.serial },
        reason: c.reason,
      });
      return { component: comp, unit: unit! };
    });
  }

  /** backward: everything fitted into the unit, to any depth; forward: the unit(s) it went into, up to the top. */
  async trace(
    p: Principal,
    serial: string,
    direction: 'backward' | 'forward',
    q: { material?: string; depth?: number },
  ): Promise<SerialTraceView> {
    const m = this.dataSource.manager;
    const root = await this.resolve(m, p, serial, q.material, 'serial');
    const limit = q.depth ?? MAX_DEPTH;
    const depths = new Map<string, number>([[root.id, 0]]);
    const linksOf = new Map<string, LinkRow[]>();
    let frontier = [root.id];
    let truncated = false;
    for (let depth = 1; frontier.length > 0; depth++) {
      const column = direction === 'backward' ? 'unit_serial_id' : 'component_serial_id';
      const rows: LinkRow[] = await m.query(
        `SELECT id::text AS id, component_serial_id, unit_serial_id, work_order_id, recorded_at, recorded_by
           FROM serial_link WHERE ${column} = ANY($1::uuid[]) AND removed_at IS NULL AND site_id = ANY($2::uuid[])
          ORDER BY recorded_at, id`,
        [frontier, p.siteIds],
      );
      if (depth > limit) {
        truncated = rows.length > 0;
        break;
      }
      const next: string[] = [];
      for (const r of rows) {
        const from = direction === 'backward' ? r.unit_serial_id : r.component_serial_id;
        const to = direction === 'backward' ? r.component_serial_id : r.unit_serial_id;
        const list = linksOf.get(from) ?? [];
        list.push(r);
        linksOf.set(from, list);
        if (depths.has(to)) continue;
        depths.set(to, depth);
        next.push(to);
      }
      frontier = next;
    }
    const refs = new Map(
      (await this.inventory.trace.serialsById(m, [...depths.keys()])).map((s) => [s.id, s] as const),
    );
    const nodes: SerialNode[] = [...depths].map(([id, depth]) => {
      const s = refs.get(id)!;
      return {
        serial: s.serial,
        serialId: s.id,
        materialCode: s.materialCode,
        lotId: s.lotId,
        lotCode: s.lotCode,
        status: s.status,
        depth,
        links: (linksOf.get(id) ?? []).map((r) => {
          const other = refs.get(direction === 'backward' ? r.component_serial_id : r.unit_serial_id)!;
          return {
            serial: other.serial,
            materialCode: other.materialCode,
            lotCode: other.lotCode,
            workOrderId: r.work_order_id,
            recordedAt: new Date(r.recorded_at).toISOString(),
          };
        }),
      };
    });
    return { serial: root, direction, truncated, nodes };
  }

  private async fittedIn(m: EntityManager, unitId: string): Promise<FittedComponent[]> {
    const rows: LinkRow[] = await m.query(
      `SELECT id::text AS id, component_serial_id, unit_serial_id, work_order_id, recorded_at, recorded_by
         FROM serial_link WHERE unit_serial_id = $1 AND removed_at IS NULL ORDER BY recorded_at, id`,
      [unitId],
    );
    const refs = new Map(
      (
        await this.inventory.trace.serialsById(
          m,
          rows.map((r) => r.component_serial_id),
        )
      ).map((s) => [s.id, s] as const),
    );
    return rows.map((r) => {
      const s = refs.get(r.component_serial_id)!;
      return {
        linkId: r.id,
        serial: s.serial,
        materialCode: s.materialCode,
        lotCode: s.lotCode,
        workOrderId: r.work_order_id,
        recordedAt: new Date(r.recorded_at).toISOString(),
        recordedBy: r.recorded_by,
      };
    });
  }

  /** A serial the user may see, by value (and material code when the value exists for several materials). */
  private async resolve(
    m: EntityManager,
    p: Principal,
    serial: string,
    material: string | undefined,
    field: string,
  ): Promise<SerialRef> {
    const all = await this.inventory.trace.serialsByValue(m, p.siteIds, serial);
    const found = material
      ? all.filter((s) => s.materialCode === material || s.materialId === material)
      : all;
    if (found.length === 0) {
      throw new DomainError(
        'not_found',
        TraceabilityErrorCode.SERIAL_NOT_FOUND,
        `No serial number ${serial}${material ? ` of ${material}` : ''} at your sites`,
        { errors: [{ field, message: 'unknown serial number' }] },
      );
    }
    if (found.length > 1) {
      throw new DomainError(
        'conflict',
        TraceabilityErrorCode.SERIAL_AMBIGUOUS,
        `Serial number ${serial} exists for ${found.length} materials; say which`,
        { extensions: { materials: found.map((s) => s.materialCode) } },
      );
    }
    return found[0]!;
  }
}
