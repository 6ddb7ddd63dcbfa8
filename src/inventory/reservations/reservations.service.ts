import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Tx } from '../../platform/database/transaction-runner';
import { compare, parseDecimal, ZERO } from '../../platform/engine/decimal';
import { Reservation } from './reservation.entity';

export interface ReserveCommand {
  siteId: string;
  workOrderId: string;
  workOrderCode: string;
  /** Open quantity per material (lines of one material summed by the caller or here). */
  lines: Array<{ materialId: string; quantity: string }>;
}

/** Work order reservations: written in the caller's transaction, read for release availability. */
@Injectable()
export class ReservationsService {
  /** Reserves (or re-reserves, e.g. after a re-plan) what the order still needs, one row per material. */
  async reserve(tx: Tx, c: ReserveCommand): Promise<void> {
    const materials: string[] = [];
    const quantities: string[] = [];
    for (const l of c.lines) {
      if (compare(parseDecimal(l.quantity), ZERO) <= 0) continue;
      materials.push(l.materialId);
      quantities.push(l.quantity);
    }
    if (materials.length === 0) return;
    await tx.manager.query(
      `INSERT INTO inventory_reservation
              (site_id, work_order_id, work_order_code, material_id, reserved_qty, quantity, status)
       SELECT $1, $2, $3, r.material_id, sum(r.qty), sum(r.qty), 'active'
         FROM unnest($4::uuid[], $5::numeric[]) AS r(material_id, qty)
        GROUP BY r.material_id
       ON CONFLICT (work_order_id, material_id) DO UPDATE
          SET reserved_qty = EXCLUDED.reserved_qty, quantity = EXCLUDED.quantity, status = 'active',
              close_reason = NULL, closed_at = NULL, updated_at = now()`,
      [c.siteId, c.workOrderId, c.workOrderCode, materials, quantities],
    );
  }

  /** An issue to the order uses up its reservation of that material (never below zero). */
  async consume(
    manager: EntityManager,
    workOrderId: string,
    materialId: string,
    quantity: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE inventory_reservation SET quantity = greatest(quantity - $3::numeric, 0), updated_at = now()
        WHERE work_order_id = $1 AND material_id = $2 AND status = 'active'`,
      [workOrderId, materialId, quantity],
    );
  }

  /** The order no longer needs stock (completed, closed, cancelled, back to planned). */
  async close(tx: Tx, workOrderId: string, reason: string): Promise<number> {
    const [, count] = await tx.manager.query<[unknown[], number]>(
      `UPDATE inventory_reservation SET status = 'closed', close_reason = $2, closed_at = now(), updated_at = now()
        WHERE work_order_id = $1 AND status = 'active'`,
      [workOrderId, reason.slice(0, 200)],
    );
    return count;
  }

  list(
    manager: EntityManager,
    siteId: string,
    q: { materialId?: string; workOrderId?: string; status?: string; limit: number; offset: number },
  ): Promise<[Reservation[], number]> {
    const qb = manager
      .getRepository(Reservation)
      .createQueryBuilder('r')
      .where('r.siteId = :siteId', { siteId })
      .orderBy('r.createdAt', 'DESC')
      .addOrderBy('r.id', 'ASC')
      .take(q.limit)
      .skip(q.offset);
    if (q.materialId) qb.andWhere('r.materialId = :m', { m: q.materialId });
    if (q.workOrderId) qb.andWhere('r.workOrderId = :w', { w: q.workOrderId });
    if (q.status) qb.andWhere('r.status = :s', { s: q.status });
    return qb.getManyAndCount();
  }
}
