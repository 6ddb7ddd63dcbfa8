import { Injectable, type OnModuleInit } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Secrets } from '../../platform/config/secrets';
import { parseRetryAfter } from '../../platform/outbox/backoff';
import {
  classifyHttpStatus,
  OutboxTransportRegistry,
  requestFailed,
  type DeliveryResult,
  type OutboundMessage,
  type OutboxTransport,
} from '../../platform/outbox/outbox-transport';
import { WEBHOOK_SUBSCRIPTION_DESTINATION } from './webhook-events';
import { WebhookSubscription } from './webhook-subscription.entity';

/**
 * The signature a subscriber checks: lowercase hex HMAC-SHA256 with the subscription's secret over
 * `timestamp + "." + body` (the exact bytes sent), sent as `X-Webhook-Signature: v1=<hex>` with the Unix
 * timestamp in `X-Webhook-Timestamp`. A receiver refuses old timestamps and deduplicates on `X-Webhook-Id`.
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * `webhook_subscription` destination: POSTs an event to a subscriber, signed at send time with its current
 * secret (so a retry hours later carries a fresh timestamp). A subscription deleted or paused meanwhile
 * rejects the message (dead letter, redrivable once it is active again).
 */
@Injectable()
export class WebhookSubscriptionTransport implements OutboxTransport, OnModuleInit {
  readonly destination = WEBHOOK_SUBSCRIPTION_DESTINATION;

  constructor(
    private readonly registry: OutboxTransportRegistry,
    private readonly dataSource: DataSource,
    private readonly secrets: Secrets,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async deliver(message: OutboundMessage, signal: AbortSignal): Promise<DeliveryResult> {
    const id = message.target.subscriptionId;
    const sub =
      typeof id === 'string'
        ? await this.dataSource.getRepository(WebhookSubscription).findOneBy({ id })
        : null;
    if (!sub) return { outcome: 'reject', error: 'the webhook subscription no longer exists' };
    if (!sub.active) return { outcome: 'reject', error: `the webhook subscription ${sub.name} is paused` };
    const body = JSON.stringify(message.payload);
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(sub.url, {
        method: 'POST',
        redirect: 'manual',
        signal,
        headers: {
          'Content-Type': 'application/json',
          'Idempotency-Key': message.id,
          'X-Webhook-Id': message.id,
          'X-Webhook-Event': message.messageType,
          'X-Webhook-Timestamp': String(timestamp),
          'X-Webhook-Signature': webhookSignature(
            this.secrets.decrypt(sub.secretCiphertext),
            timestamp,
            body,
          ),
          'X-Correlation-Id': message.correlationId,
        },
        body,
      });
      const text = await res.text().catch(() => '');
      return classifyHttpStatus(
        res.status,
        parseRetryAfter(res.headers.get('retry-after')),
        res.ok ? undefined : text,
      );
    } catch (err) {
      return requestFailed(err, signal);
    }
  }
}
