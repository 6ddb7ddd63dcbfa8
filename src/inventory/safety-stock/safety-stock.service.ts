import { Injectable } from '@nestjs/common';
import type { Tx } from '../../platform/database/transaction-runner';
import { add, compare, formatExact, parseDecimal, subtract, ZERO } from '../../platform/engine/decimal';

interface FlipRow {
  below: boolean;
  inserted: boolean;
  available_qty: string;
  safety_stock: string;
  reorder_point: string;
  lot_size: string;
  code: string;
}

/**
 * Safety stock (安全库存): after anything that changes a material's available stock at a site, compares it with
 * the material's safety level. Crossing below raises `inventory.safety_stock.changed` (state `below`, with a
 * replenishment suggestion up to reorder point + lot size); coming back above raises it with `recovered`.
 * Only a flip of the stored state raises anything, so an event fires once per crossing however many
 * movements follow, and two concurrent movements cannot both fire it (the conditional upsert decides).
 */
@Injectable()
export class SafetyStockService {
  async check(tx: Tx, siteId: string, materialId: string): Promise<void> {
    const rows: FlipRow[] = await tx.manager.query(
      `WITH m AS (
         SELECT id, code, safety_stock, reorder_point, lot_size FROM material WHERE id = $2 AND safety_stock > 0
       ), a AS (
         SELECT coalesce(sum(b.quantity), 0) AS qty
           FROM stock_balance b JOIN lot l ON l.id = b.lot_id
          WHERE b.site_id = $1 AND b.material_id = $2 AND l.status = 'available' AND b.quantity > 0
            AND EXISTS (SELECT 1 FROM m)
       ), s AS (
         INSERT INTO safety_stock_state AS st (site_id, material_id, below, available_qty, changed_at)
         SELECT $1, m.id, a.qty < m.safety_stock, a.qty, now() FROM m, a
         ON CONFLICT (site_id, material_id) DO UPDATE
            SET below = EXCLUDED.below, available_qty = EXCLUDED.available_qty, changed_at = now()
          WHERE st.below IS DISTINCT FROM EXCLUDED.below
         RETURNING st.below, (st.xmax = 0) AS inserted, st.available_qty
       )
       SELECT s.below, s.inserted, s.available_qty::text AS available_qty, m.safety_stock::text AS safety_stock,
              m.reorder_point::text AS reorder_point, m.lot_size::text AS lot_size, m.code
         FROM s, m`,
      [siteId, materialId],
    );
    const row = rows[0];
    // First sight of a material above its level is just recorded; every other returned row is a crossing.
    if (!row || (row.inserted && !row.below)) return;
    const available = parseDecimal(row.available_qty);
    const target = add(parseDecimal(row.reorder_point), parseDecimal(row.lot_size));
    const level =
      compare(target, parseDecimal(row.safety_stock)) > 0 ? target : parseDecimal(row.safety_stock);
    const gap = subtract(level, available);
    tx.raise('inventory.safety_stock.changed', {
      siteId,
      materialId,
      materialCode: row.code,
      state: row.below ? 'below' : 'recovered',
      availableQty: formatExact(available),
      safetyStock: formatExact(parseDecimal(row.safety_stock)),
      reorderPoint: formatExact(parseDecimal(row.reorder_point)),
      lotSize: formatExact(parseDecimal(row.lot_size)),
      suggestedQty: row.below ? formatExact(compare(gap, ZERO) > 0 ? gap : ZERO) : '0',
    });
  }
}
