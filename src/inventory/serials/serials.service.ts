import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { compare, parseDecimal } from '../../platform/engine/decimal';
import { DomainError, PlatformErrorCode } from '../../platform/errors/domain-error';
import { InventoryErrorCode } from '../inventory.errors';
import type { MovementType } from '../lots/inventory-movement.entity';
import { SerialNumber, type SerialStatus } from './serial-number.entity';

export const SERIAL_PATTERN = /^[A-Za-z0-9._\-/]{1,100}$/;

export interface SerialMove {
  siteId: string;
  lotId: string;
  materialId: string;
  movementType: MovementType;
  quantity: string;
  fromLocationId: string | null;
  toLocationId: string | null;
  workOrderId: string | null;
  /** The units moved, when the caller knows them (scanned); otherwise the first ones at the place are taken. */
  serials?: string[];
  /**
   * Split and merge: the lot (and place) the units now belong to. The outgoing movement re-points the units,
   * keeping their identity; the incoming movement of the other lot then has nothing left to do.
   */
  relink?: { lotId: string; locationId: string };
}

const OUT_STATUS: Partial<Record<MovementType, SerialStatus>> = {
  issue: 'consumed',
  scrap: 'scrapped',
  adjustment: 'written_off',
  shipment: 'shipped',
};

/** Movements that hand units from one lot to another (same material) instead of using them up. */
const RELINKING: readonly MovementType[] = ['split', 'merge'];

/**
 * Serial numbers follow the ledger: called for every movement of a lot, it moves as many serials as units —
 * the ones named, or the first in serial order at the place — and refuses serials that are not in the lot, not
 * at the place or not in stock. Lots without serials (materials that are not serial-tracked) are untouched.
 */
@Injectable()
export class SerialsService {
  /** Serials for a new lot: the given ones (checked, one per unit) or generated `<lot>-0001` … */
  async register(
    manager: EntityManager,
    lot: { id: string; code: string; siteId: string; materialId: string },
    locationId: string,
    quantity: string,
    given: string[] | undefined,
    prefix = lot.code,
  ): Promise<string[]> {
    const units = this.units(quantity);
    const serials =
      given ?? Array.from({ length: units }, (_, i) => `${prefix}-${String(i + 1).padStart(4, '0')}`);
    this.checkList(serials, units);
    const taken: Array<{ serial: string }> = await manager.query(
      `SELECT serial FROM serial_number WHERE site_id = $1 AND material_id = $2 AND serial = ANY($3::text[])`,
      [lot.siteId, lot.materialId, serials],
    );
    if (taken.length > 0) {
      throw new DomainError(
        'conflict',
        InventoryErrorCode.SERIAL_TAKEN,
        `Serial number(s) already exist for this material: ${taken.map((t) => t.serial).join(', ')}`,
        { extensions: { serials: taken.map((t) => t.serial) } },
      );
    }
    await manager.query(
      `INSERT INTO serial_number (site_id, material_id, serial, lot_id, location_id, status)
       SELECT $1, $2, s, $3, $4, 'in_stock' FROM unnest($5::text[]) AS s`,
      [lot.siteId, lot.materialId, lot.id, locationId, serials],
    );
    return serials;
  }

  /**
   * Keeps a serialized lot's units in step with one ledger movement; answers the serials it moved (none for a
   * lot without serials).
   */
  async follow(manager: EntityManager, m: SerialMove): Promise<string[]> {
    const relinking = RELINKING.includes(m.movementType);
    // The other lot's outgoing movement already handed the units over.
    if (relinking && m.fromLocationId === null) return [];
    const serialized: unknown[] = await manager.query(
      `SELECT 1 FROM serial_number WHERE lot_id = $1 LIMIT 1`,
      [m.lotId],
    );
    if (serialized.length === 0) {
      if (m.serials?.length) {
        throw new DomainError(
          'validation',
          PlatformErrorCode.VALIDATION_FAILED,
          'This lot has no serial numbers',
          {
            errors: [{ field: 'serials', message: 'the lot is not serial-tracked' }],
          },
        );
      }
      return [];
    }
    const [lot] = await manager.query<Array<{ code: string }>>(`SELECT code FROM lot WHERE id = $1`, [
      m.lotId,
    ]);
    const lotCode = lot?.code ?? m.lotId;
    const units = this.units(m.quantity);
    if (m.serials) this.checkList(m.serials, units);
    if (relinking) {
      if (!m.relink) throw new Error(`A ${m.movementType} movement of serials needs the lot they go to`);
      return this.pick(
        manager,
        m,
        lotCode,
        units,
        `status = 'in_stock' AND location_id = $3`,
        [m.fromLocationId],
        {
          status: 'in_stock',
          locationId: m.relink.locationId,
          workOrderId: null,
          lotId: m.relink.lotId,
        },
      );
    }
    if (m.fromLocationId === null) {
      if (m.movementType === 'return') {
        return this.pick(
          manager,
          m,
          lotCode,
          units,
          `status = 'consumed' AND work_order_id IS NOT DISTINCT FROM $3`,
          [m.workOrderId],
          { status: 'in_stock', locationId: m.toLocationId, workOrderId: null },
        );
      }
      // Found by a count (or booked in): new units, named by the caller or generated.
      const [row] = await manager.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM serial_number WHERE lot_id = $1`,
        [m.lotId],
      );
      const n = row?.n ?? 0;
      return this.register(
        manager,
        { id: m.lotId, code: lotCode, siteId: m.siteId, materialId: m.materialId },
        m.toLocationId!,
        m.quantity,
        m.serials ??
          Array.from({ length: units }, (_, i) => `${lotCode}-${String(n + i + 1).padStart(4, '0')}`),
      );
    }
    const out = m.toLocationId === null;
    return this.pick(
      manager,
      m,
      lotCode,
      units,
      `status = 'in_stock' AND location_id = $3`,
      [m.fromLocationId],
      out
        ? { status: OUT_STATUS[m.movementType] ?? 'consumed', locationId: null, workOrderId: m.workOrderId }
        : { status: 'in_stock', locationId: m.toLocationId, workOrderId: null },
    );
  }

  /** The units of a lot, in serial order. */
  ofLot(manager: EntityManager, lotId: string): Promise<SerialNumber[]> {
    return manager.getRepository(SerialNumber).find({ where: { lotId }, order: { serial: 'ASC' } });
  }

  find(manager: EntityManager, siteId: string, serial: string): Promise<SerialNumber[]> {
    return manager
      .getRepository(SerialNumber)
      .find({ where: { siteId, serial }, order: { createdAt: 'ASC' } });
  }

  private async pick(
    manager: EntityManager,
    m: SerialMove,
    lotCode: string,
    units: number,
    where: string,
    params: unknown[],
    to: { status: SerialStatus; locationId: string | null; workOrderId: string | null; lotId?: string },
  ): Promise<string[]> {
    const rows: Array<{ id: string; serial: string }> = await manager.query(
      `SELECT id, serial FROM serial_number
        WHERE lot_id = $1 AND ${where} AND ($2::text[] IS NULL OR serial = ANY($2::text[]))
        ORDER BY serial LIMIT ${units} FOR UPDATE`,
      [m.lotId, m.serials ?? null, ...params],
    );
    if (rows.length < units) {
      const found = new Set(rows.map((r) => r.serial));
      const missing = m.serials ? m.serials.filter((s) => !found.has(s)) : [];
      throw new DomainError(
        'conflict',
        InventoryErrorCode.SERIAL_NOT_AVAILABLE,
        m.serials
          ? `Serial number(s) not in lot ${lotCode} here: ${missing.join(', ')}`
          : `Lot ${lotCode} has only ${rows.length} serial-numbered unit(s) here; ${units} were moved`,
        {
          errors: [{ field: 'serials', message: 'must be units of this lot at this place' }],
          extensions: { missing },
        },
      );
    }
    await manager.query(
      `UPDATE serial_number
          SET status = $2, location_id = $3, work_order_id = $4, lot_id = coalesce($5::uuid, lot_id),
              updated_at = now()
        WHERE id = ANY($1::uuid[])`,
      [rows.map((r) => r.id), to.status, to.locationId, to.workOrderId, to.lotId ?? null],
    );
    return rows.map((r) => r.serial);
  }

  private units(quantity: string): number {
    const q = parseDecimal(quantity);
    const n = Number(quantity);
    if (!Number.isInteger(n) || compare(q, parseDecimal(String(n))) !== 0) {
      throw new DomainError(
        'validation',
        PlatformErrorCode.VALIDATION_FAILED,
        'Serial-numbered stock moves in whole units',
        {
          errors: [{ field: 'quantity', message: 'must be a whole number for a serial-tracked material' }],
        },
      );
    }
    return n;
  }

  private checkList(serials: string[], units: number): void {
    const errors: Array<{ field: string; message: string }> = [];
    if (serials.length !== units)
      errors.push({ field: 'serials', message: `${serials.length} serial number(s) for ${units} unit(s)` });
    const bad = serials.filter((s) => !SERIAL_PATTERN.test(s));
    if (bad.length)
      errors.push({ field: 'serials', message: `invalid serial number(s): ${bad.slice(0, 5).join(', ')}` });
    if (new Set(serials).size !== serials.length)
      errors.push({ field: 'serials', message: 'serial numbers repeat' });
    if (errors.length)
      throw new DomainError(
        'validation',
        PlatformErrorCode.VALIDATION_FAILED,
        'The serial numbers are invalid',
        {
          errors,
        },
      );
  }
}
