import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Tx } from '../../platform/database/transaction-runner';
import { compare, formatExact, parseDecimal, subtract, ZERO } from '../../platform/engine/decimal';
import { DomainError } from '../../platform/errors/domain-error';
import { InventoryErrorCode } from '../inventory.errors';
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

  /**
   * Promises `quantity` of a material to a maintenance ticket (replacing what it had), if that much is free:
   * available stock minus every other active reservation. One reservation of a material at a time is checked
   * (a transaction lock per material), so two tickets cannot both take the last spare.
   */
  async reserveForMaintenance(
    tx: Tx,
    c: { siteId: string; ticketId: string; ticketCode: string; materialId: string; quantity: string },
    free: (m: EntityManager) => Promise<{ onHand: string; reserved: string } | undefined>,
  ): Promise<{ reserved: string; available: string }> {
    await tx.manager.query(`SELECT pg_advisory_xact_lock(hashtext('reserve:' || $1::text))`, [c.materialId]);
    const f = (await free(tx.manager)) ?? { onHand: '0', reserved: '0' };
    const available = subtract(parseDecimal(f.onHand), parseDecimal(f.reserved));
    const want = parseDecimal(c.quantity);
    if (compare(want, available) > 0) {
      const have = formatExact(compare(available, ZERO) > 0 ? available : ZERO);
      throw new DomainError(
        'conflict',
        InventoryErrorCode.INSUFFICIENT_STOCK,
        `Only ${have} is free to reserve (available stock less other reservations); ${formatExact(want)} was asked for`,
        {
          errors: [{ field: 'quantity', message: `at most ${have} is free` }],
          extensions: { availableQty: have },
        },
      );
    }
    await tx.manager.query(
      `INSERT INTO inventory_reservation
              (site_id, demand, work_order_id, work_order_code, material_id, reserved_qty, quantity, status)
       VALUES ($1, 'maintenance', $2, $3, $4, $5, $5, 'active')
       ON CONFLICT (work_order_id, material_id) DO UPDATE
          SET reserved_qty = EXCLUDED.reserved_qty, quantity = EXCLUDED.quantity, status = 'active',
              close_reason = NULL, closed_at = NULL, updated_at = now()`,
      [c.siteId, c.ticketId, c.ticketCode, c.materialId, c.quantity],
    );
    return { reserved: formatExact(want), available: formatExact(available) };
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
