import { Injectable } from '@nestjs/common';
import { AuditService } from '../../platform/audit/audit.service';
import type { Tx } from '../../platform/database/transaction-runner';
import { DomainError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import { type LotCommand, type LotStatus, lotTransition } from '../engine/lot-state';
import { InventoryErrorCode } from '../inventory.errors';
import type { LotStatusChanged } from '../inventory.events';
import { Lot } from './lot.entity';
import { SafetyStockService } from '../safety-stock/safety-stock.service';
import { StockService } from './stock.service';

export interface LotStatusCommand {
  siteId: string;
  /** Lot id or code. */
  lot: string;
  command: LotCommand;
  reason?: string | null;
  /** For `extend`: back to `available` or `quarantine`. */
  target?: LotStatus;
  /** Optimistic check: the version the caller saw. */
  expectedVersion?: number;
  source?: LotStatusChanged['source'];
}

/**
 * Quality status of a lot (待检 / 可用 / 冻结 / 不合格 …): guarded by the lot state machine, audited with the
 * reason, and announced so the warehouse (WMS) freezes or releases the stock too.
 */
@Injectable()
export class LotStatusService {
  constructor(
    private readonly stock: StockService,
    private readonly audit: AuditService,
    private readonly safety: SafetyStockService,
  ) {}

  async change(tx: Tx, c: LotStatusCommand): Promise<Lot> {
    const found = await this.stock.findLot(tx.manager, c.siteId, c.lot);
    if (!found) throw notFound('lot', c.lot);
    const lot = await tx.manager
      .getRepository(Lot)
      .findOneOrFail({ where: { id: found.id }, lock: { mode: 'pessimistic_write' } });
    if (c.expectedVersion !== undefined && c.expectedVersion !== lot.version) {
      throw new DomainError(
        'conflict',
        InventoryErrorCode.STALE_VERSION,
        `Lot ${lot.code} was changed by someone else (version ${lot.version}); reload and try again`,
        { extensions: { currentVersion: lot.version } },
      );
    }
    const result = lotTransition(lot.status, c.command, {
      heldFrom: lot.heldFrom,
      reason: c.reason ?? null,
      target: c.target,
    });
    if (!result.ok) {
      if (result.code === 'REASON_REQUIRED') {
        throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, result.message, {
          errors: [{ field: 'reason', message: 'is required for this change' }],
        });
      }
      throw new DomainError('conflict', InventoryErrorCode.ILLEGAL_LOT_TRANSITION, result.message, {
        extensions: { currentState: lot.status, allowedCommands: result.allowed },
      });
    }
    const before = { status: lot.status, statusReason: lot.statusReason, heldFrom: lot.heldFrom };
    const reason = c.reason?.trim() || null;
    const heldFrom = result.next === 'hold' ? lot.status : null;
    await tx.manager.query(
      `UPDATE lot SET status = $2, status_reason = $3, held_from = $4, updated_at = now(), version = version + 1
        WHERE id = $1`,
      [lot.id, result.next, reason, heldFrom],
    );
    await this.audit.record(tx, {
      entityType: 'lot',
      entityId: lot.id,
      siteId: lot.siteId,
      action: `lot.${c.command}`,
      before,
      after: { status: result.next, statusReason: reason, heldFrom },
      reason: reason ?? undefined,
    });
    tx.raise('inventory.lot.status_changed', {
      lotId: lot.id,
      lotCode: lot.code,
      siteId: lot.siteId,
      materialId: lot.materialId,
      status: result.next,
      previousStatus: lot.status,
      reason,
      source: c.source ?? 'api',
    });
    // Held, released, rejected, expired: what counts as available changed.
    await this.safety.check(tx, lot.siteId, lot.materialId);
    return tx.manager.getRepository(Lot).findOneByOrFail({ id: lot.id });
  }
}
