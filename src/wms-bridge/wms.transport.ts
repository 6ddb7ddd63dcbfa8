import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { signRequest } from '../platform/auth/hmac-signature';
import { AuditService } from '../platform/audit/audit.service';
import { AppConfig } from '../platform/config/app-config';
import { TransactionRunner } from '../platform/database/transaction-runner';
import { DomainEventBus } from '../platform/events/domain-event-bus';
import { parseRetryAfter } from '../platform/outbox/backoff';
import {
  classifyHttpStatus,
  OutboxTransportRegistry,
  requestFailed,
  type DeliveryResult,
  type OutboundMessage,
  type OutboxTransport,
} from '../platform/outbox/outbox-transport';
import './wms-bridge.events';
import { WMS_DESTINATION, type WmsMessageType, type WmsTarget } from './wms-messages';

/**
 * The `wms` outbox destination. `WMS_MODE=http`: each message is POSTed to the external WMS, signed as in
 * DESIGN.md, with the message id as Idempotency-Key; 2xx and 409 (already known) count as delivered.
 * `WMS_MODE=embedded`: the inventory module is the warehouse, so the message is delivered where it was
 * written — the pick task or putaway becomes `sent`, visible on the warehouse's list.
 */
@Injectable()
export class WmsTransport implements OutboxTransport, OnModuleInit {
  readonly destination = WMS_DESTINATION;

  constructor(
    private readonly registry: OutboxTransportRegistry,
    private readonly config: AppConfig,
    private readonly bus: DomainEventBus,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async deliver(message: OutboundMessage, signal: AbortSignal): Promise<DeliveryResult> {
    const type = message.messageType as WmsMessageType;
    const result =
      this.config.get('WMS_MODE') === 'http'
        ? await this.post(type, message, signal)
        : ({ outcome: 'delivered' } as const);
    if (result.outcome === 'delivered') await this.markSent(type, message.target, message);
    return result;
  }

  /** The path for a message type, with its parameters filled in (encoded). */
  pathFor(type: WmsMessageType, target: WmsTarget): string {
    const template = {
      createPickTask: this.config.get('WMS_PATH_PICK_TASKS'),
      changePriority: this.config.get('WMS_PATH_PICK_PRIORITY'),
      cancelPickTask: this.config.get('WMS_PATH_PICK_CANCEL'),
      createPutaway: this.config.get('WMS_PATH_PUTAWAYS'),
      freezeLot: this.config.get('WMS_PATH_LOT_FREEZE'),
      unfreezeLot: this.config.get('WMS_PATH_LOT_UNFREEZE'),
    }[type];
    return template
      .replace('{taskId}', encodeURIComponent(target.taskId ?? ''))
      .replace('{lot}', encodeURIComponent(target.lot ?? ''));
  }

  private async post(
    type: WmsMessageType,
    message: OutboundMessage,
    signal: AbortSignal,
  ): Promise<DeliveryResult> {
    const base = this.config.get('WMS_BASE_URL');
    const appKey = this.config.get('WMS_APP_KEY');
    const secret = this.config.get('WMS_APP_SECRET');
    if (!base || !appKey || !secret) return { outcome: 'retry', error: 'the WMS is not configured' };
    const url = new URL(this.pathFor(type, message.target), base);
    // The base URL may carry a path prefix (https://wms.example.com/api): keep it.
    const prefix = new URL(base).pathname.replace(/\/$/, '');
    if (prefix) url.pathname = prefix + url.pathname;
    const body = JSON.stringify(message.payload);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(16).toString('hex');
    const pathWithQuery = url.pathname + url.search;
    try {
      const res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal,
        headers: {
          'Content-Type': 'application/json',
          'X-App-Key': appKey,
          'X-Timestamp': timestamp,
          'X-Nonce': nonce,
          'X-Signature': signRequest(secret, { method: 'POST', pathWithQuery, timestamp, nonce, body }),
          'Idempotency-Key': message.id,
          'X-Message-Type': message.messageType,
          'X-Correlation-Id': message.correlationId,
        },
        body,
      });
      const text = await res.text().catch(() => '');
      if (res.status === 409) return { outcome: 'delivered', httpStatus: 409 };
      return classifyHttpStatus(
        res.status,
        parseRetryAfter(res.headers.get('retry-after')),
        res.ok ? undefined : text,
      );
    } catch (err) {
      return requestFailed(err, signal);
    }
  }

  /**
   * The warehouse has the task or putaway now; later news (accepted, delivered) comes as events. The status
   * change is audited in its own transaction, as the relay under the correlation id of the command that wrote
   * the message.
   */
  private async markSent(type: WmsMessageType, target: WmsTarget, message: OutboundMessage): Promise<void> {
    if (type === 'createPickTask' && target.taskId) {
      const taskId = target.taskId;
      const rows = await this.tx.run(async (tx) => {
        const [updated]: [Array<Record<string, unknown>>, number] = await tx.manager.query(
          `UPDATE wms_pick_task SET status = 'sent', version = version + 1, updated_at = now()
            WHERE id = $1 AND status = 'pending'
            RETURNING id, site_id, work_order_id, work_order_code, line_id, priority`,
          [taskId],
        );
        if (updated[0]) {
          await this.audit.record(tx, {
            entityType: 'wms_pick_task',
            entityId: taskId,
            siteId: updated[0].site_id as string,
            action: 'wms.pick_task.sent',
            before: { status: 'pending' },
            after: { status: 'sent', messageId: message.id },
          });
        }
        return updated;
      });
      const row = rows[0] as
        | {
            id: string;
            site_id: string;
            work_order_id: string;
            work_order_code: string;
            line_id: string;
            priority: 'normal' | 'rush';
          }
        | undefined;
      if (row) {
        await this.bus.publish([
          DomainEventBus.create('wms.pick_task.changed', {
            taskId: row.id,
            siteId: row.site_id,
            workOrderId: row.work_order_id,
            workOrderCode: row.work_order_code,
            lineId: row.line_id,
            status: 'sent',
            previousStatus: 'pending',
            priority: row.priority,
          }),
        ]);
      }
    } else if (type === 'createPutaway') {
      const putawayId = (message.payload as { putawayId?: string }).putawayId;
      if (putawayId)
        await this.tx.run(async (tx) => {
          const [updated]: [Array<{ site_id: string }>, number] = await tx.manager.query(
            `UPDATE wms_putaway SET status = 'sent' WHERE id = $1 AND status = 'pending' RETURNING site_id`,
            [putawayId],
          );
          if (updated[0]) {
            await this.audit.record(tx, {
              entityType: 'wms_putaway',
              entityId: putawayId,
              siteId: updated[0].site_id,
              action: 'wms.putaway.sent',
              before: { status: 'pending' },
              after: { status: 'sent', messageId: message.id },
            });
          }
        });
    }
  }
}
