import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Tx } from '../../platform/database/transaction-runner';
import { add, formatExact, parseDecimal, ZERO } from '../../platform/engine/decimal';
import type { InventoryMovement } from './inventory-movement.entity';
import type { Lot } from './lot.entity';

/**
 * What the audit trail records of a lot at each change: its quality status and what it has where. Every lot
 * audit row carries the fields of this state that the change touched, before and after, so replaying a lot's
 * rows in order rebuilds the lot as the API shows it (and a gap in the chain shows a change made outside it).
 */
export interface LotAuditState {
  status: string;
  statusReason: string | null;
  heldFrom: string | null;
  expiryDate: string | null;
  /** On hand, all locations. */
  quantity: string;
  /** On hand per location id (locations with nothing left are left out). */
  balances: Record<string, string>;
}

export const LOT_AUDIT_STATE_FIELDS = [
  'status',
  'statusReason',
  'heldFrom',
  'expiryDate',
  'quantity',
  'balances',
] as const satisfies ReadonlyArray<keyof LotAuditState>;

/** One ledger row as the lot's audit row names it: the audit trail and the ledger can be matched row for row. */
export interface LotAuditMovement {
  id: string;
  type: string;
  quantity: string;
  fromLocationId: string | null;
  toLocationId: string | null;
  workOrderId: string | null;
  reference: string | null;
}

export interface LotChange {
  lot: Pick<Lot, 'id' | 'siteId'>;
  action: string;
  /** The state before the command ({@link LotHistory.state}); null for a new lot. */
  before: LotAuditState | null;
  /** The ledger rows the command wrote for this lot. */
  movements?: readonly InventoryMovement[];
  /** What else the reader needs (the shipment, the lot split off …), kept beside the state in `after`. */
  details?: Record<string, unknown>;
  /** For a new lot: its record as created. */
  created?: Lot;
  reason?: string | null;
}

/**
 * Writes a lot's audit rows. Commands take the lot's state before they change it and hand it here at the end,
 * in the same transaction, once per lot they changed (status commands write their own row).
 */
@Injectable()
export class LotHistory {
  constructor(private readonly audit: AuditService) {}

  /**
   * One statement: the lot's status fields and its balances as they stand in this transaction. It locks the
   * lot row until commit, so no other command changes the lot between this read and the command's audit row
   * (each row's `before` is exactly what the previous one left). Lot commands call it before they lock any
   * balance: lot first, then balances, everywhere.
   */
  async state(manager: EntityManager, lotId: string): Promise<LotAuditState> {
    const [row] = await manager.query<
      Array<{
        status: string;
        status_reason: string | null;
        held_from: string | null;
        expiry_date: string | null;
        balances: Record<string, string> | null;
      }>
    >(
      `SELECT l.status, l.status_reason, l.held_from, to_char(l.expiry_date, 'YYYY-MM-DD') AS expiry_date,
              (SELECT json_object_agg(b.location_id, b.quantity::text ORDER BY b.location_id)
                 FROM stock_balance b WHERE b.lot_id = l.id AND b.quantity <> 0) AS balances
         FROM lot l WHERE l.id = $1
          FOR UPDATE OF l`,
      [lotId],
    );
    if (!row) throw new Error(`lot ${lotId} vanished inside its own transaction`);
    const balances: Record<string, string> = {};
    let total = ZERO;
    for (const [locationId, quantity] of Object.entries(row.balances ?? {}).sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      const q = parseDecimal(quantity);
      balances[locationId] = formatExact(q);
      total = add(total, q);
    }
    return {
      status: row.status,
      statusReason: row.status_reason,
      heldFrom: row.held_from,
      expiryDate: row.expiry_date,
      quantity: formatExact(total),
      balances,
    };
  }

  async record(tx: Tx, c: LotChange): Promise<void> {
    const now = await this.state(tx.manager, c.lot.id);
    const movements = (c.movements ?? []).map(movementView);
    const extra = { ...c.details, ...(movements.length ? { movements } : {}) };
    let before: Record<string, unknown> | null = null;
    let after: Record<string, unknown>;
    if (c.before === null) {
      after = { ...(c.created ?? {}), ...now, ...extra };
    } else {
      // Only what changed, on both sides: the reader sees the change, the replay applies it.
      const changed = LOT_AUDIT_STATE_FIELDS.filter(
        (f) => JSON.stringify(c.before![f]) !== JSON.stringify(now[f]),
      );
      before = Object.fromEntries(changed.map((f) => [f, c.before![f]]));
      after = { ...Object.fromEntries(changed.map((f) => [f, now[f]])), ...extra };
    }
    await this.audit.record(tx, {
      entityType: 'lot',
      entityId: c.lot.id,
      siteId: c.lot.siteId,
      action: c.action,
      before,
      after,
      reason: c.reason ?? undefined,
    });
  }
}

function movementView(m: InventoryMovement): LotAuditMovement {
  return {
    id: String(m.id),
    type: m.movementType,
    quantity: formatExact(parseDecimal(m.quantity)),
    fromLocationId: m.fromLocationId,
    toLocationId: m.toLocationId,
    workOrderId: m.workOrderId,
    reference: m.reference,
  };
}
