import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { compare, parseDecimal } from '../../platform/engine/decimal';
import { fieldError } from '../../platform/errors/domain-error';
import { sumQuantities } from '../engine/kpi';

export const GAUGE_STATUSES = ['below_safety', 'below_reorder', 'ok'] as const;
export type GaugeStatus = (typeof GAUGE_STATUSES)[number];

export interface StockGauge {
  materialId: string;
  code: string;
  name: string;
  materialClass: string;
  unit: string;
  /** Stock of available lots (what production may use). */
  available: string;
  /** Everything on the shelves: lots of any status with stock (quarantine, held, rejected, expired too). */
  onHand: string;
  /** Promised to released work orders (and maintenance tickets) and not issued yet. */
  reserved: string;
  safetyStock: string;
  reorderPoint: string;
  lotSize: string;
  /** What a replenishment brings stock up to: reorder point + lot size (the top of the gauge). */
  replenishTo: string;
  /** below_safety: available < safety stock; below_reorder: available < reorder point; else ok. */
  status: GaugeStatus;
}

export interface StockGauges {
  siteId: string;
  at: string;
  counts: Record<GaugeStatus, number>;
  materials: StockGauge[];
}

interface Row {
  id: string;
  code: string;
  name: string;
  material_class: string;
  unit: string;
  available: string;
  on_hand: string;
  reserved: string;
  safety_stock: string;
  reorder_point: string;
  lot_size: string;
}

const ORDER: Record<GaugeStatus, number> = { below_safety: 0, below_reorder: 1, ok: 2 };

/** The status of one gauge: below safety stock first, then below the reorder point. */
export function gaugeStatus(available: string, safetyStock: string, reorderPoint: string): GaugeStatus {
  const a = parseDecimal(available);
  if (compare(a, parseDecimal(safetyStock)) < 0) return 'below_safety';
  if (compare(a, parseDecimal(reorderPoint)) < 0) return 'below_reorder';
  return 'ok';
}

/**
 * Stock of the key materials against their levels (安全库存 / 订货点), as gauges: the site's active materials
 * with a safety stock or a reorder point, or the ones named. Worst first, then by code.
 */
@Injectable()
export class StockGaugesService {
  constructor(private readonly dataSource: DataSource) {}

  async gauges(siteId: string, materials: string[], now: Date = new Date()): Promise<StockGauges> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT m.id, m.code, m.name, m.material_class, u.code AS unit,
              trim_scale(coalesce((SELECT sum(b.quantity) FROM stock_balance b JOIN lot l ON l.id = b.lot_id
                                    WHERE b.material_id = m.id AND b.site_id = m.site_id
                                      AND l.status = 'available'), 0))::text AS available,
              trim_scale(coalesce((SELECT sum(b.quantity) FROM stock_balance b
                                    WHERE b.material_id = m.id AND b.site_id = m.site_id), 0))::text AS on_hand,
              trim_scale(coalesce((SELECT sum(r.quantity) FROM inventory_reservation r
                                    WHERE r.material_id = m.id AND r.site_id = m.site_id
                                      AND r.status = 'active'), 0))::text AS reserved,
              trim_scale(m.safety_stock)::text AS safety_stock, trim_scale(m.reorder_point)::text AS reorder_point,
              trim_scale(m.lot_size)::text AS lot_size
         FROM material m JOIN unit_of_measure u ON u.id = m.base_unit_id
        WHERE m.site_id = $1 AND m.active
          AND (CASE WHEN cardinality($2::text[]) = 0 THEN m.safety_stock > 0 OR m.reorder_point > 0
                    ELSE m.code = ANY($2::text[]) OR m.id::text = ANY($2::text[]) END)
        ORDER BY m.code`,
      [siteId, materials],
    );
    const unknown = materials.filter((ref) => !rows.some((r) => r.code === ref || r.id === ref));
    if (unknown.length > 0)
      throw fieldError('material', `no active material ${unknown.join(', ')} at this site`);
    const gauges = rows
      .map((r): StockGauge => ({
        materialId: r.id,
        code: r.code,
        name: r.name,
        materialClass: r.material_class,
        unit: r.unit,
        available: r.available,
        onHand: r.on_hand,
        reserved: r.reserved,
        safetyStock: r.safety_stock,
        reorderPoint: r.reorder_point,
        lotSize: r.lot_size,
        replenishTo: sumQuantities([r.reorder_point, r.lot_size]),
        status: gaugeStatus(r.available, r.safety_stock, r.reorder_point),
      }))
      .sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.code.localeCompare(b.code));
    const counts: Record<GaugeStatus, number> = { below_safety: 0, below_reorder: 0, ok: 0 };
    for (const g of gauges) counts[g.status] += 1;
    return { siteId, at: now.toISOString(), counts, materials: gauges };
  }
}
