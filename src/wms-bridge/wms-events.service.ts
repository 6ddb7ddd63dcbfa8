import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuditService } from '../platform/audit/audit.service';
import type { Principal } from '../platform/auth/principal';
import { assertSiteAccess } from '../platform/auth/site-access';
import { TransactionRunner, type Tx } from '../platform/database/transaction-runner';
import { DomainError, PlatformErrorCode } from '../platform/errors/domain-error';
import { validatePlain } from '../platform/errors/validation';
import { InventoryFacade } from '../inventory/inventory.facade';
import { MasterDataFacade } from '../master-data/master-data.facade';
import { PickTask } from './pick-task.entity';
import { PickTasksService, type Applied } from './pick-tasks.service';
import { Putaway } from './putaway.entity';
import { WmsInboundEvent } from './inbound-event.entity';
import { WmsErrorCode } from './wms-bridge.errors';
import {
  DATA_DTO,
  type CountDiscrepancyDataDto,
  type LotFrozenDataDto,
  type PickEventDataDto,
  type PickShortageDataDto,
  type PutawayConfirmedDataDto,
  type StockChangedDataDto,
  type WmsEventDto,
} from './wms-events.dto';

export interface WmsEventAnswer extends Applied {
  eventId: string;
  type: string;
  /** True when this eventId was taken before: the stored outcome, nothing changed now. */
  duplicate: boolean;
}

/**
 * WMS → MOM events (`POST /api/v1/wms/events`). The request is signed (checked by the HMAC guard: window,
 * nonce); the eventId is recorded in the same transaction as the event's effect, so a repeat answers the
 * first outcome and changes nothing, and the same id with other content is refused.
 */
@Injectable()
export class WmsEventsService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly picks: PickTasksService,
    private readonly inventory: InventoryFacade,
    private readonly masterData: MasterDataFacade,
    private readonly audit: AuditService,
  ) {}

  async receive(p: Principal, event: WmsEventDto): Promise<WmsEventAnswer> {
    const { value: data, errors } = await validatePlain(DATA_DTO[event.type], event.data);
    if (errors.length > 0) {
      throw new DomainError(
        'validation',
        PlatformErrorCode.VALIDATION_FAILED,
        `The ${event.type} event has ${errors.length} invalid field(s)`,
        { errors: errors.map((e) => ({ ...e, field: e.field ? `data.${e.field}` : 'data' })) },
      );
    }
    const bodyHash = createHash('sha256')
      .update(JSON.stringify([event.type, event.occurredAt, event.data]))
      .digest('hex');
    return this.tx.run(async (tx) => {
      // The id is taken first: a concurrent repeat waits here on the row, then finds it.
      const taken: unknown[] = await tx.manager.query(
        `INSERT INTO wms_inbound_event (api_client_id, event_id, type, body_hash, occurred_at, outcome)
         VALUES ($1, $2, $3, $4, $5, '{}') ON CONFLICT DO NOTHING RETURNING event_id`,
        [p.id, event.eventId, event.type, bodyHash, event.occurredAt],
      );
      if (taken.length === 0) {
        const prior = await tx.manager
          .getRepository(WmsInboundEvent)
          .findOneByOrFail({ apiClientId: p.id, eventId: event.eventId });
        if (prior.bodyHash !== bodyHash) {
          throw new DomainError(
            'unprocessable',
            WmsErrorCode.EVENT_ID_REUSED,
            `Event ${event.eventId} was received before with other content`,
          );
        }
        return {
          ...(prior.outcome as unknown as Applied),
          eventId: event.eventId,
          type: event.type,
          duplicate: true,
        };
      }
      const outcome = await this.apply(tx, p, event.type, data);
      await tx.manager.query(
        `UPDATE wms_inbound_event SET outcome = $3::jsonb WHERE api_client_id = $1 AND event_id = $2`,
        [p.id, event.eventId, JSON.stringify(outcome)],
      );
      return { ...outcome, eventId: event.eventId, type: event.type, duplicate: false };
    });
  }

  private async apply(tx: Tx, p: Principal, type: WmsEventDto['type'], data: object): Promise<Applied> {
    switch (type) {
      case 'pick.accepted':
      case 'pick.picked':
      case 'pick.delivered':
      case 'pick.shortage':
        return this.pickEvent(tx, p, type, data as PickEventDataDto | PickShortageDataDto);
      case 'putaway.confirmed': {
        const d = data as PutawayConfirmedDataDto;
        const putaway = await tx.manager.getRepository(Putaway).findOne({
          where: { lotCode: d.lot, siteId: this.anySite(p) },
          lock: { mode: 'pessimistic_write' },
        });
        if (!putaway) throw this.unknown('data.lot', `putaway for lot ${d.lot}`);
        return this.picks.putawayConfirmed(tx, putaway, d.location);
      }
      case 'lot.frozen': {
        const d = data as LotFrozenDataDto;
        const siteId = this.anySite(p);
        const lot = await this.inventory.findLot(tx.manager, siteId, d.lot);
        if (!lot) throw this.unknown('data.lot', `lot ${d.lot}`);
        if (lot.status === 'hold')
          return { applied: false, ignored: 'lot is on hold already', status: 'hold' };
        if (lot.status !== 'available' && lot.status !== 'quarantine')
          return { applied: false, ignored: `lot is ${lot.status}`, status: lot.status };
        await this.inventory.changeLotStatus(tx, {
          siteId,
          lot: lot.id,
          command: 'hold',
          reason: `WMS: ${d.reason}`,
          source: 'wms',
        });
        return { applied: true, status: 'hold' };
      }
      case 'stock.changed': {
        // The WMS's stock moved: the material is checked against its safety level here (once per crossing).
        const d = data as StockChangedDataDto;
        const siteId = this.anySite(p);
        const material = await this.masterData.material(siteId, d.material, tx.manager);
        if (!material) throw this.unknown('data.material', `material ${d.material}`);
        await this.audit.record(tx, {
          entityType: 'wms_event',
          entityId: type,
          siteId,
          action: 'wms.stock.changed',
          after: { ...d },
        });
        await this.inventory.checkSafetyStock(tx, siteId, material.id);
        return { applied: true, status: 'checked' };
      }
      case 'count.discrepancy': {
        const d = data as CountDiscrepancyDataDto;
        const siteId = this.anySite(p);
        const location = await this.masterData.location(siteId, d.location, tx.manager);
        if (!location) throw this.unknown('data.location', `location ${d.location}`);
        const lot = d.lot ? await this.inventory.findLot(tx.manager, siteId, d.lot) : null;
        if (d.lot && !lot) throw this.unknown('data.lot', `lot ${d.lot}`);
        if (!lot) {
          // A count without a lot cannot be booked against one: recorded for the supervisor to recount.
          await this.audit.record(tx, {
            entityType: 'wms_event',
            entityId: type,
            siteId,
            action: 'wms.count.discrepancy',
            after: { ...d },
          });
          return { applied: false, ignored: 'no lot given: recorded, not adjusted', status: 'recorded' };
        }
        const counted = await this.inventory.countFromWms(tx, {
          siteId,
          lotId: lot.id,
          locationId: location.id,
          countedQty: d.countedQty,
          note: `WMS count (WMS book ${d.bookQty})`,
        });
        if (!counted.adjustment)
          return { applied: false, ignored: 'count matches the book', status: 'matched' };
        if (counted.alreadyPending)
          return {
            applied: false,
            ignored: `adjustment ${counted.adjustment.code} is waiting for approval already`,
            status: 'pending_approval',
            adjustmentId: counted.adjustment.id,
          };
        return { applied: true, status: 'pending_approval', adjustmentId: counted.adjustment.id };
      }
    }
  }

  /**
   * Pick events: about a work order's pick task, or — when no task has the id — a line replenishment (补料) sent
   * as a pick task without a work order.
   */
  private async pickEvent(
    tx: Tx,
    p: Principal,
    type: 'pick.accepted' | 'pick.picked' | 'pick.delivered' | 'pick.shortage',
    d: PickEventDataDto | PickShortageDataDto,
  ): Promise<Applied> {
    const task = await tx.manager
      .getRepository(PickTask)
      .findOne({ where: { id: d.taskId }, lock: { mode: 'pessimistic_write' } });
    if (!task) {
      const replenishment = await this.lineReplenishment(tx, p, type, d);
      if (replenishment) return replenishment;
      throw new DomainError('not_found', WmsErrorCode.UNKNOWN_TASK, `Unknown pick task ${d.taskId}`);
    }
    assertSiteAccess(p, task.siteId);
    switch (type) {
      case 'pick.accepted':
        return this.picks.progress(tx, task, 'accepted');
      case 'pick.picked':
        return this.picks.progress(tx, task, 'picking');
      case 'pick.delivered':
        return this.picks.delivered(tx, task, (d as PickEventDataDto).lines);
      case 'pick.shortage': {
        const lines = [];
        for (const l of (d as PickShortageDataDto).lines) {
          const material = await this.masterData.material(task.siteId, l.material, tx.manager);
          if (!material) throw this.unknown('data.lines', `material ${l.material}`);
          lines.push({ materialId: material.id, materialCode: material.code, shortQty: l.shortQty });
        }
        return this.picks.shortage(tx, task, lines, 'reported short by the WMS');
      }
    }
  }

  private async lineReplenishment(
    tx: Tx,
    p: Principal,
    type: WmsEventDto['type'],
    d: PickEventDataDto | PickShortageDataDto,
  ): Promise<Applied | null> {
    const line = type === 'pick.delivered' ? (d as PickEventDataDto).lines?.[0] : undefined;
    const result = await this.inventory.lineReplenishmentFromWms(
      tx,
      this.anySite(p),
      d.taskId,
      type === 'pick.delivered' ? 'delivered' : type === 'pick.shortage' ? 'short' : 'progress',
      line?.qty ?? null,
      line?.lot,
    );
    if (!result) return null;
    return result.changed
      ? { applied: true, status: result.status }
      : { applied: type === 'pick.accepted' || type === 'pick.picked', status: result.status };
  }

  /** The WMS client's site (a WMS serves one site; the first when it was given several). */
  private anySite(p: Principal): string {
    const siteId = p.siteIds[0];
    if (!siteId)
      throw new DomainError(
        'forbidden',
        PlatformErrorCode.SITE_FORBIDDEN,
        'This WMS client is not assigned to a site',
      );
    return siteId;
  }

  private unknown(field: string, what: string): DomainError {
    return new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, `Unknown ${what}`, {
      errors: [{ field, message: `${what} is not known at this site` }],
    });
  }
}
