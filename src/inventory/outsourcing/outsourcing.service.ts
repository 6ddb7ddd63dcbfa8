import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import { nextSequenceValue } from '../../platform/database/document-sequence';
import type { Tx } from '../../platform/database/transaction-runner';
import { add, compare, formatExact, parseDecimal, subtract, ZERO } from '../../platform/engine/decimal';
import { DomainError, notFound } from '../../platform/errors/domain-error';
import { InventoryErrorCode } from '../inventory.errors';
import { LotHistory } from '../lots/lot-history';
import { Lot } from '../lots/lot.entity';
import { StockMovementsService } from '../lots/stock-movements.service';
import { StockService } from '../lots/stock.service';
import { LotLink, OutsourcingOrder } from './outsourcing.entities';

export interface ReceiveCommand {
  quantity: string;
  toLocationId: string;
  lotCode?: string;
  supplierLot?: string | null;
  expiryDate?: string | null;
  /** Which sent lots went into what comes back, and how much of each. */
  inputs: Array<{ lotId: string; quantity: string }>;
}

/**
 * 委外: send material to a supplier's location (transfers referencing the order), receive the processed goods
 * as a new lot of the output material (IQC quarantine when the material needs inspection), consuming the
 * stated quantities of the sent lots at the supplier and linking each to the new lot (genealogy).
 */
@Injectable()
export class OutsourcingService {
  constructor(
    private readonly stock: StockService,
    private readonly movements: StockMovementsService,
    private readonly audit: AuditService,
    private readonly history: LotHistory,
  ) {}

  async create(
    tx: Tx,
    c: {
      siteId: string;
      supplierLocationId: string;
      supplierId: string | null;
      process: string;
      outputMaterialId: string;
      expectedQty: string;
      dueAt: Date | null;
    },
  ): Promise<OutsourcingOrder> {
    const n = await nextSequenceValue(tx.manager, c.siteId, 'outsourcing_order');
    const order = await tx.manager.getRepository(OutsourcingOrder).save(
      tx.manager.getRepository(OutsourcingOrder).create({
        ...c,
        code: `OS-${String(n).padStart(6, '0')}`,
        status: 'open',
      }),
    );
    await this.audit.record(tx, {
      entityType: 'outsourcing_order',
      entityId: order.id,
      siteId: c.siteId,
      action: 'outsourcing_order.created',
      after: { code: order.code, process: c.process, expectedQty: c.expectedQty },
    });
    return this.reload(tx.manager, order.id);
  }

  async send(
    tx: Tx,
    siteId: string,
    id: string,
    s: { lotId: string; fromLocationId: string; quantity: string },
  ): Promise<OutsourcingOrder> {
    const order = await this.lock(tx, siteId, id, ['open', 'sent', 'partially_received']);
    await this.movements.transfer(tx, {
      siteId,
      lotId: s.lotId,
      fromLocationId: s.fromLocationId,
      toLocationId: order.supplierLocationId,
      quantity: s.quantity,
      reference: order.code,
      note: `outsourcing: ${order.process}`,
    });
    if (order.status === 'open') await this.setStatus(tx, order, 'sent');
    return this.reload(tx.manager, id);
  }

  async receive(
    tx: Tx,
    siteId: string,
    id: string,
    r: ReceiveCommand,
  ): Promise<{ order: OutsourcingOrder; lot: Lot }> {
    const order = await this.lock(tx, siteId, id, ['sent', 'partially_received']);
    // What each input lot may still give: sent under this order minus what earlier receipts used.
    for (const input of r.inputs) {
      const [row] = await tx.manager.query<Array<{ sent: string; used: string }>>(
        `SELECT (SELECT coalesce(sum(quantity), 0) FROM inventory_movement
                  WHERE lot_id = $1 AND reference = $2 AND to_location_id = $3)::text AS sent,
                (SELECT coalesce(sum(quantity), 0) FROM lot_link
                  WHERE parent_lot_id = $1 AND reference_id = $4)::text AS used`,
        [input.lotId, order.code, order.supplierLocationId, order.id],
      );
      const left = subtract(parseDecimal(row?.sent ?? '0'), parseDecimal(row?.used ?? '0'));
      if (compare(parseDecimal(input.quantity), left) > 0) {
        const max = formatExact(compare(left, ZERO) > 0 ? left : ZERO);
        throw new DomainError(
          'conflict',
          InventoryErrorCode.NOT_SENT_FOR_ORDER,
          `Only ${max} of that lot was sent for ${order.code} and is not yet accounted for`,
          {
            errors: [{ field: 'inputs', message: `at most ${max} of lot ${input.lotId}` }],
            extensions: { maxQty: max },
          },
        );
      }
    }
    const lot = await this.stock.createLot(tx, {
      siteId,
      materialId: order.outputMaterialId,
      quantity: r.quantity,
      locationId: r.toLocationId,
      origin: 'outsourcing',
      code: r.lotCode,
      supplierId: order.supplierId,
      supplierLot: r.supplierLot ?? null,
      expiryDate: r.expiryDate ?? null,
      reference: order.code,
    });
    for (const input of r.inputs) {
      const parent = await tx.manager.getRepository(Lot).findOneByOrFail({ id: input.lotId, siteId });
      const before = await this.history.state(tx.manager, parent.id);
      await this.stock.take(tx.manager, parent, order.supplierLocationId, input.quantity);
      const used = await this.stock.move(tx.manager, {
        siteId,
        movementType: 'issue',
        lotId: parent.id,
        materialId: parent.materialId,
        quantity: input.quantity,
        fromLocationId: order.supplierLocationId,
        toLocationId: null,
        workOrderId: null,
        operationId: null,
        reference: order.code,
        note: `processed into ${lot.code}`,
      });
      await this.stock.markConsumedIfEmpty(tx.manager, parent.id, `processed at supplier (${order.code})`);
      await this.history.record(tx, {
        lot: parent,
        action: 'lot.issued',
        before,
        movements: [used],
        details: { outsourcingOrder: order.code, processedInto: lot.code },
      });
      await tx.manager.insert(LotLink, {
        siteId,
        parentLotId: parent.id,
        childLotId: lot.id,
        quantity: input.quantity,
        referenceType: 'outsourcing_order',
        referenceId: order.id,
      });
      tx.raise('inventory.lots.linked', {
        siteId,
        kind: 'outsourcing',
        parentLotId: parent.id,
        childLotId: lot.id,
        quantity: formatExact(parseDecimal(input.quantity)),
        referenceId: order.id,
      });
    }
    const received = add(parseDecimal(order.receivedQty), parseDecimal(r.quantity));
    const status =
      compare(received, parseDecimal(order.expectedQty)) >= 0 ? 'received' : 'partially_received';
    await tx.manager.getRepository(OutsourcingOrder).update(
      { id },
      {
        receivedQty: formatExact(received),
        status,
        closedAt: status === 'received' ? new Date() : null,
        version: order.version + 1,
      },
    );
    await this.audit.record(tx, {
      entityType: 'outsourcing_order',
      entityId: id,
      siteId,
      action: 'outsourcing_order.received',
      before: { status: order.status, receivedQty: order.receivedQty },
      after: { status, receivedQty: formatExact(received), lot: lot.code, inputs: r.inputs },
    });
    return { order: await this.reload(tx.manager, id), lot };
  }

  async cancel(tx: Tx, siteId: string, id: string, reason: string): Promise<OutsourcingOrder> {
    const order = await this.lock(tx, siteId, id, ['open']);
    await this.setStatus(tx, order, 'cancelled', reason);
    return this.reload(tx.manager, id);
  }

  list(
    manager: EntityManager,
    siteId: string,
    q: { status?: string; limit: number; offset: number },
  ): Promise<[OutsourcingOrder[], number]> {
    return manager.getRepository(OutsourcingOrder).findAndCount({
      where: { siteId, ...(q.status ? { status: q.status as OutsourcingOrder['status'] } : {}) },
      order: { createdAt: 'DESC', code: 'DESC' },
      take: q.limit,
      skip: q.offset,
    });
  }

  find(manager: EntityManager, siteId: string, id: string): Promise<OutsourcingOrder | null> {
    return manager.getRepository(OutsourcingOrder).findOneBy({ id, siteId });
  }

  links(manager: EntityManager, orderId: string): Promise<LotLink[]> {
    return manager
      .getRepository(LotLink)
      .find({ where: { referenceType: 'outsourcing_order', referenceId: orderId }, order: { id: 'ASC' } });
  }

  private reload(manager: EntityManager, id: string): Promise<OutsourcingOrder> {
    return manager.getRepository(OutsourcingOrder).findOneByOrFail({ id });
  }

  private async lock(
    tx: Tx,
    siteId: string,
    id: string,
    allowed: Array<OutsourcingOrder['status']>,
  ): Promise<OutsourcingOrder> {
    const order = await tx.manager
      .getRepository(OutsourcingOrder)
      .findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } });
    if (!order) throw notFound('outsourcing order', id);
    if (!allowed.includes(order.status)) {
      throw new DomainError(
        'conflict',
        InventoryErrorCode.ILLEGAL_LOT_TRANSITION,
        `Outsourcing order ${order.code} is ${order.status}`,
        { extensions: { currentState: order.status } },
      );
    }
    return order;
  }

  private async setStatus(
    tx: Tx,
    order: OutsourcingOrder,
    status: OutsourcingOrder['status'],
    reason?: string,
  ): Promise<void> {
    await tx.manager
      .getRepository(OutsourcingOrder)
      .update(
        { id: order.id },
        { status, version: order.version + 1, ...(status === 'cancelled' ? { closedAt: new Date() } : {}) },
      );
    await this.audit.record(tx, {
      entityType: 'outsourcing_order',
      entityId: order.id,
      siteId: order.siteId,
      action: `outsourcing_order.${status}`,
      before: { status: order.status },
      after: { status },
      reason,
    });
  }
}
