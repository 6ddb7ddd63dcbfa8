import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { InventoryFacade } from '../../inventory/inventory.facade';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import { add, divide, formatExact, formatFixed, parseDecimal, rational } from '../../platform/engine/decimal';
import { kittingRate, type KittingRateResult } from '../engine/kitting';
import { WorkOrder, WorkOrderMaterial } from './work-order.entity';

/** Released but not yet started: the orders whose material should be at the line. */
const WAITING = ['released', 'kitting', 'ready'] as const;

export interface KittingRateView extends Omit<KittingRateResult, 'orders'> {
  byLine: Array<{ lineId: string; lineCode: string; released: number; staged: number; rate: string }>;
  orders: Array<
    KittingRateResult['orders'][number] & {
      code: string;
      status: string;
      plannedStart: string | null;
      missing: Array<{ materialId: string; materialCode: string; missingQty: string }>;
    }
  >;
}

/**
 * 齐套率 as a figure: of the released, not yet started orders, the share whose every material is staged at
 * their line (available stock at the line's line-side locations), earliest planned start served first.
 */
@Injectable()
export class KittingRateService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly inventory: InventoryFacade,
    private readonly masterData: MasterDataFacade,
  ) {}

  async of(p: Principal, siteId: string, lineId?: string): Promise<KittingRateView> {
    assertSiteAccess(p, siteId);
    const m = this.dataSource.manager;
    const orders = await m.getRepository(WorkOrder).find({
      where: { siteId, status: In([...WAITING]), ...(lineId ? { lineId } : {}) },
      order: { plannedStart: { direction: 'ASC', nulls: 'LAST' }, dueAt: 'ASC', code: 'ASC' },
    });
    const lines = orders.length
      ? await m.getRepository(WorkOrderMaterial).find({ where: { workOrderId: In(orders.map((o) => o.id)) } })
      : [];
    const materialIds = [...new Set(lines.map((l) => l.materialId))];
    const lineIds = [...new Set(orders.map((o) => o.lineId))];
    const requirementsOf = (o: WorkOrder) =>
      lines
        .filter((l) => l.workOrderId === o.id)
        .map((l) => ({
          lineNo: l.lineNo,
          materialId: l.materialId,
          requiredQty: l.requiredQty,
          issuedQty: l.issuedQty,
        }));
    // Stock staged at one line serves only that line's orders, so each line is its own calculation.
    const perLine: Array<{ lineId: string; lineCode: string; result: KittingRateResult }> = [];
    for (const id of lineIds) {
      const locations = await this.masterData.locationsOfLine(siteId, id, 'line_side', m);
      const rows = await this.inventory.availableAt(
        m,
        locations.map((l) => l.id),
        materialIds,
      );
      const staged = new Map<string, string>();
      for (const r of rows)
        staged.set(
          r.materialId,
          formatExact(add(parseDecimal(staged.get(r.materialId) ?? '0'), parseDecimal(r.quantity))),
        );
      perLine.push({
        lineId: id,
        lineCode: (await this.masterData.line(siteId, id, m))?.code ?? '',
        result: kittingRate(
          orders
            .filter((o) => o.lineId === id)
            .map((o) => ({ workOrderId: o.id, lineId: id, requirements: requirementsOf(o) })),
          new Map([[id, staged]]),
        ),
      });
    }
    const released = orders.length;
    const stagedCount = perLine.reduce((n, l) => n + l.result.staged, 0);
    const codes = await this.masterData.materialNames(materialIds, m);
    const results = new Map(perLine.flatMap((l) => l.result.orders.map((o) => [o.workOrderId, o] as const)));
    return {
      released,
      staged: stagedCount,
      rate: shareOf(stagedCount, released),
      byLine: perLine.map((l) => ({
        lineId: l.lineId,
        lineCode: l.lineCode,
        released: l.result.released,
        staged: l.result.staged,
        rate: l.result.rate,
      })),
      // In planned-start order across lines.
      orders: orders.map((wo) => {
        const o = results.get(wo.id)!;
        return {
          ...o,
          code: wo.code,
          status: wo.status,
          plannedStart: wo.plannedStart?.toISOString() ?? null,
          missing: o.missing.map((x) => ({ ...x, materialCode: codes.get(x.materialId)?.code ?? '' })),
        };
      }),
    };
  }
}

/** part / whole with 4 decimals; "1.0000" when there is nothing to count. */
function shareOf(part: number, whole: number): string {
  return whole === 0 ? '1.0000' : formatFixed(divide(rational(BigInt(part)), rational(BigInt(whole))), 4);
}
