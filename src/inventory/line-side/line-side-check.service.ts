import { Injectable } from '@nestjs/common';
import { AuditService } from '../../platform/audit/audit.service';
import { nextSequenceValue } from '../../platform/database/document-sequence';
import type { Tx } from '../../platform/database/transaction-runner';
import { formatExact, parseDecimal, subtract } from '../../platform/engine/decimal';

/**
 * JIT line-side replenishment (补料): after stock leaves a line-side location, compares what is left there with
 * the material's min for that location; below it, one open replenishment request (up to max) is written in
 * the same transaction. The partial unique index keeps it to one open request per location and material.
 */
@Injectable()
export class LineSideCheck {
  constructor(private readonly audit: AuditService) {}

  async afterDecrease(tx: Tx, siteId: string, locationId: string, materialId: string): Promise<void> {
    const [below] = await tx.manager.query<
      Array<{ min_qty: string; max_qty: string; available: string; line_id: string | null }>
    >(
      `WITH lvl AS (
         SELECT min_qty, max_qty FROM line_stock_level
          WHERE location_id = $1 AND material_id = $2 AND active
       ), have AS (
         SELECT coalesce(sum(b.quantity), 0) AS qty FROM stock_balance b JOIN lot l ON l.id = b.lot_id
          WHERE b.location_id = $1 AND b.material_id = $2 AND l.status = 'available' AND EXISTS (SELECT 1 FROM lvl)
       )
       SELECT lvl.min_qty::text AS min_qty, lvl.max_qty::text AS max_qty, have.qty::text AS available,
              (SELECT line_id FROM storage_location WHERE id = $1) AS line_id
         FROM lvl, have
        WHERE have.qty < lvl.min_qty
          AND NOT EXISTS (SELECT 1 FROM line_replenishment r
                           WHERE r.location_id = $1 AND r.material_id = $2 AND r.status = 'open')`,
      [locationId, materialId],
    );
    if (!below) return;
    await this.request(tx, {
      siteId,
      locationId,
      lineId: below.line_id,
      materialId,
      quantity: formatExact(subtract(parseDecimal(below.max_qty), parseDecimal(below.available))),
      available: below.available,
      minQty: below.min_qty,
    });
  }

  /** Writes an open request unless one is open already; raises the event when it wrote one. */
  async request(
    tx: Tx,
    r: {
      siteId: string;
      locationId: string;
      lineId: string | null;
      materialId: string;
      quantity: string;
      available: string;
      minQty: string | null;
    },
  ): Promise<string | null> {
    const n = await nextSequenceValue(tx.manager, r.siteId, 'line_replenishment');
    const code = `LR-${String(n).padStart(6, '0')}`;
    const inserted: Array<{ id: string }> = await tx.manager.query(
      `INSERT INTO line_replenishment (site_id, code, location_id, line_id, material_id, requested_qty,
                                       available_qty_at_request)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (location_id, material_id) WHERE status = 'open' DO NOTHING RETURNING id`,
      [r.siteId, code, r.locationId, r.lineId, r.materialId, r.quantity, r.available],
    );
    const id = inserted[0]?.id;
    if (!id) return null;
    await this.audit.record(tx, {
      entityType: 'line_replenishment',
      entityId: id,
      siteId: r.siteId,
      action: 'line_replenishment.requested',
      after: {
        code,
        status: 'open',
        locationId: r.locationId,
        materialId: r.materialId,
        requestedQty: formatExact(parseDecimal(r.quantity)),
        availableQty: formatExact(parseDecimal(r.available)),
        minQty: r.minQty === null ? null : formatExact(parseDecimal(r.minQty)),
      },
    });
    tx.raise('inventory.line_replenishment.requested', {
      replenishmentId: id,
      code,
      siteId: r.siteId,
      locationId: r.locationId,
      lineId: r.lineId,
      materialId: r.materialId,
      requestedQty: formatExact(parseDecimal(r.quantity)),
      availableQty: formatExact(parseDecimal(r.available)),
      minQty: r.minQty === null ? null : formatExact(parseDecimal(r.minQty)),
    });
    return id;
  }
}
