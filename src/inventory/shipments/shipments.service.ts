import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import { RequestContext } from '../../platform/context/request-context';
import { nextSequenceValue } from '../../platform/database/document-sequence';
import type { Tx } from '../../platform/database/transaction-runner';
import { formatExact, parseDecimal } from '../../platform/engine/decimal';
import { DomainError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { InventoryErrorCode } from '../inventory.errors';
import { LineSideCheck } from '../line-side/line-side-check.service';
import { withFieldPrefix } from '../lots/field-errors';
import { LotHistory } from '../lots/lot-history';
import { Lot } from '../lots/lot.entity';
import { StockService } from '../lots/stock.service';
import { SafetyStockService } from '../safety-stock/safety-stock.service';
import { Shipment, ShipmentLine } from './shipment.entity';

/** How far ahead of the server's clock a stated shipping time may be (clock skew of the client). */
const FUTURE_TOLERANCE_MS = 2 * 60_000;

export interface ShipCommand {
  siteId: string;
  /** Partner id or code; must be a customer. */
  customer: string;
  reference?: string | null;
  note?: string | null;
  /** When the goods left (default now; never in the future). */
  shippedAt?: Date | null;
  lines: Array<{
    lotId: string;
    /** May be omitted when the lot is stocked at one location only. */
    locationId?: string | null;
    quantity: string;
    serials?: string[];
  }>;
}

export interface ShipmentView {
  id: string;
  code: string;
  customer: { id: string; code: string; name: string; nameZh: string | null };
  reference: string | null;
  note: string | null;
  shippedAt: string;
  shippedBy: string;
  createdAt: string;
  lines: Array<{
    lineNo: number;
    lotId: string;
    lotCode: string;
    materialId: string;
    materialCode: string;
    materialName: string;
    quantity: string;
    locationId: string;
    locationCode: string;
    serials: string[] | null;
    movementId: string;
  }>;
}

export interface ShipmentQuery {
  /** Partner id or code. */
  customer?: string;
  /** Lot id or code: shipments with a line of that lot. */
  lot?: string;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

interface HeaderRow {
  id: string;
  code: string;
  customer_id: string;
  customer_code: string;
  customer_name: string;
  customer_name_zh: string | null;
  reference: string | null;
  note: string | null;
  shipped_at: Date;
  shipped_by: string;
  created_at: Date;
}

interface LineRow {
  shipment_id: string;
  line_no: number;
  lot_id: string;
  lot_code: string;
  material_id: string;
  material_code: string;
  material_name: string;
  quantity: string;
  location_id: string;
  location_code: string;
  serials: string[] | null;
  movement_id: string;
}

/**
 * Shipments to customers (发货): available lots leave stock as `shipment` movements referencing the shipment
 * (`SHP-000001` per site); serial-numbered units are marked shipped and kept on the line. Every line is taken
 * with a guarded decrement (never below zero); a lot left empty is consumed.
 */
@Injectable()
export class ShipmentsService {
  constructor(
    private readonly stock: StockService,
    private readonly masterData: MasterDataFacade,
    private readonly audit: AuditService,
    private readonly safety: SafetyStockService,
    private readonly lineSide: LineSideCheck,
    private readonly history: LotHistory,
  ) {}

  async ship(tx: Tx, c: ShipCommand): Promise<Shipment> {
    const customer = await this.customer(tx.manager, c.siteId, c.customer);
    const now = new Date();
    const shippedAt = c.shippedAt ?? now;
    if (shippedAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      throw new DomainError(
        'validation',
        PlatformErrorCode.VALIDATION_FAILED,
        'A shipment cannot be in the future',
        {
          errors: [{ field: 'shippedAt', message: 'must not be in the future' }],
        },
      );
    }
    // Lots locked in id order (two shipments of the same lots cannot deadlock), then each line checked.
    const lotIds = [...new Set(c.lines.map((l) => l.lotId))].sort();
    await tx.manager.query(`SELECT id FROM lot WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [lotIds]);
    const lots = new Map(
      (await tx.manager.getRepository(Lot).findBy(lotIds.map((id) => ({ id, siteId: c.siteId })))).map(
        (l) => [l.id, l],
      ),
    );
    const lines: Array<{ lot: Lot; locationId: string; quantity: string; serials?: string[] }> = [];
    const seen = new Map<string, number>();
    for (const [i, line] of c.lines.entries()) {
      const lot = lots.get(line.lotId);
      if (!lot) throw notFound('lot', line.lotId);
      if (lot.status !== 'available') {
        throw new DomainError(
          'conflict',
          InventoryErrorCode.LOT_NOT_AVAILABLE,
          `Lot ${lot.code} is ${lot.status}${lot.statusReason ? ` (${lot.statusReason})` : ''}; only available lots can be shipped`,
          {
            errors: [{ field: `lines[${i}].lot`, message: `lot ${lot.code} is ${lot.status}` }],
            extensions: { lot: lot.code, lotStatus: lot.status },
          },
        );
      }
      const locationId = await this.stock.placeOf(
        tx.manager,
        lot,
        line.locationId ?? null,
        `lines[${i}].locationId`,
      );
      const key = `${lot.id}/${locationId}`;
      const first = seen.get(key);
      if (first !== undefined) {
        throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'A lot is listed twice', {
          errors: [
            {
              field: `lines[${i}].lot`,
              message: `lot ${lot.code} at this location is already line ${first + 1}`,
            },
          ],
        });
      }
      seen.set(key, i);
      await this.stock.checkQuantity(tx.manager, lot, line.quantity, `lines[${i}].quantity`);
      lines.push({ lot, locationId, quantity: line.quantity, serials: line.serials });
    }
    const n = await nextSequenceValue(tx.manager, c.siteId, 'shipment');
    const actor = RequestContext.actor() ?? { type: 'system' as const, id: 'system', name: 'system' };
    const shipment = await tx.manager.getRepository(Shipment).save(
      tx.manager.getRepository(Shipment).create({
        siteId: c.siteId,
        code: `SHP-${String(n).padStart(6, '0')}`,
        customerId: customer.id,
        reference: c.reference ?? null,
        note: c.note ?? null,
        shippedAt,
        shippedBy: actor.name,
      }),
    );
    const shipped: Array<{ lot: string; quantity: string; locationId: string; serials: string[] | null }> =
      [];
    for (const [i, line] of lines.entries()) {
      const { lot, locationId } = line;
      const quantity = formatExact(parseDecimal(line.quantity));
      const before = await this.history.state(tx.manager, lot.id);
      const out = await withFieldPrefix(`lines[${i}]`, async () => {
        await this.stock.take(tx.manager, lot, locationId, line.quantity);
        return this.stock.moveTracked(tx.manager, {
          siteId: c.siteId,
          movementType: 'shipment',
          lotId: lot.id,
          materialId: lot.materialId,
          quantity: line.quantity,
          fromLocationId: locationId,
          toLocationId: null,
          workOrderId: null,
          operationId: null,
          reference: shipment.code,
          note: `to ${customer.code}${c.reference ? ` (${c.reference})` : ''}`,
          serials: line.serials,
        });
      });
      const serials = out.serials.length > 0 ? out.serials : null;
      await tx.manager.insert(ShipmentLine, {
        shipmentId: shipment.id,
        lineNo: i + 1,
        lotId: lot.id,
        materialId: lot.materialId,
        quantity,
        locationId,
        movementId: out.movement.id,
        serials,
      });
      await this.stock.markConsumedIfEmpty(tx.manager, lot.id, `shipped (${shipment.code})`);
      await this.history.record(tx, {
        lot,
        action: 'lot.shipped',
        before,
        movements: [out.movement],
        details: { shipment: shipment.code, customer: customer.code, serials },
      });
      this.stock.raiseMoved(tx, lot, out.movement);
      shipped.push({ lot: lot.code, quantity, locationId, serials });
    }
    await this.audit.record(tx, {
      entityType: 'shipment',
      entityId: shipment.id,
      siteId: c.siteId,
      action: 'shipment.created',
      after: {
        code: shipment.code,
        customer: customer.code,
        reference: shipment.reference,
        shippedAt: shippedAt.toISOString(),
        lines: shipped,
      },
      reason: c.note ?? undefined,
    });
    for (const materialId of new Set(lines.map((l) => l.lot.materialId))) {
      await this.safety.check(tx, c.siteId, materialId);
    }
    const places = new Map(lines.map((l) => [`${l.locationId}/${l.lot.materialId}`, l]));
    for (const l of places.values()) {
      await this.lineSide.afterDecrease(tx, c.siteId, l.locationId, l.lot.materialId);
    }
    return shipment;
  }

  async list(manager: EntityManager, siteId: string, q: ShipmentQuery): Promise<[ShipmentView[], number]> {
    const where = ['s.site_id = $1'];
    const params: unknown[] = [siteId];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (q.customer) {
      where.push(
        isUUID(q.customer) ? `s.customer_id = ${param(q.customer)}` : `p.code = ${param(q.customer)}`,
      );
    }
    if (q.lot) {
      const lot = isUUID(q.lot) ? `l.id = ${param(q.lot)}` : `l.code = ${param(q.lot)}`;
      where.push(
        `EXISTS (SELECT 1 FROM shipment_line sl JOIN lot l ON l.id = sl.lot_id
                  WHERE sl.shipment_id = s.id AND ${lot})`,
      );
    }
    if (q.from) where.push(`s.shipped_at >= ${param(q.from)}`);
    if (q.to) where.push(`s.shipped_at < ${param(q.to)}`);
    const filter = where.join(' AND ');
    const [count] = await manager.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM shipment s JOIN partner p ON p.id = s.customer_id WHERE ${filter}`,
      params,
    );
    const headers = await manager.query<HeaderRow[]>(
      `${HEADER_SELECT} WHERE ${filter}
        ORDER BY s.shipped_at DESC, s.code DESC
        LIMIT ${param(q.limit)} OFFSET ${param(q.offset)}`,
      params,
    );
    return [await this.views(manager, headers), count?.n ?? 0];
  }

  async find(manager: EntityManager, siteId: string, idOrCode: string): Promise<ShipmentView | null> {
    const headers = await manager.query<HeaderRow[]>(
      `${HEADER_SELECT} WHERE s.site_id = $1 AND ${isUUID(idOrCode) ? 's.id = $2' : 's.code = $2'}`,
      [siteId, idOrCode],
    );
    return (await this.views(manager, headers))[0] ?? null;
  }

  private async views(manager: EntityManager, headers: HeaderRow[]): Promise<ShipmentView[]> {
    if (headers.length === 0) return [];
    const lines = await manager.query<LineRow[]>(
      `SELECT sl.shipment_id, sl.line_no, sl.lot_id, l.code AS lot_code, sl.material_id, m.code AS material_code,
              m.name AS material_name, trim_scale(sl.quantity)::text AS quantity, sl.location_id,
              loc.code AS location_code, sl.serials, sl.movement_id::text AS movement_id
         FROM shipment_line sl
         JOIN lot l ON l.id = sl.lot_id
         JOIN material m ON m.id = sl.material_id
         JOIN storage_location loc ON loc.id = sl.location_id
        WHERE sl.shipment_id = ANY($1::uuid[])
        ORDER BY sl.shipment_id, sl.line_no`,
      [headers.map((h) => h.id)],
    );
    return headers.map((h) => ({
      id: h.id,
      code: h.code,
      customer: {
        id: h.customer_id,
        code: h.customer_code,
        name: h.customer_name,
        nameZh: h.customer_name_zh,
      },
      reference: h.reference,
      note: h.note,
      shippedAt: h.shipped_at.toISOString(),
      shippedBy: h.shipped_by,
      createdAt: h.created_at.toISOString(),
      lines: lines
        .filter((l) => l.shipment_id === h.id)
        .map((l) => ({
          lineNo: l.line_no,
          lotId: l.lot_id,
          lotCode: l.lot_code,
          materialId: l.material_id,
          materialCode: l.material_code,
          materialName: l.material_name,
          quantity: l.quantity,
          locationId: l.location_id,
          locationCode: l.location_code,
          serials: l.serials,
          movementId: l.movement_id,
        })),
    }));
  }

  /** The partner to ship to: of this site, active, and a customer. */
  private async customer(
    manager: EntityManager,
    siteId: string,
    idOrCode: string,
  ): Promise<{ id: string; code: string; name: string }> {
    const row = await this.masterData.partner(siteId, idOrCode, manager);
    const problem = !row
      ? `partner ${idOrCode} does not exist at this site`
      : !row.isCustomer
        ? `${row.code} is not a customer (a supplier only)`
        : !row.active
          ? `${row.code} is deactivated`
          : null;
    if (!row || problem) {
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Unknown customer', {
        errors: [{ field: 'customer', message: problem ?? 'is not a customer' }],
      });
    }
    return row;
  }
}

const HEADER_SELECT = `SELECT s.id, s.code, s.customer_id, p.code AS customer_code, p.name AS customer_name,
        p.name_zh AS customer_name_zh, s.reference, s.note, s.shipped_at, s.shipped_by, s.created_at
   FROM shipment s JOIN partner p ON p.id = s.customer_id`;
