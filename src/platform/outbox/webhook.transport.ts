import { Injectable, OnModuleInit } from '@nestjs/common';
import { parseRetryAfter } from './backoff';
import {
  classifyHttpStatus,
  DeliveryResult,
  OutboundMessage,
  OutboxTransport,
  OutboxTransportRegistry,
  requestFailed,
} from './outbox-transport';

export interface WebhookTarget {
  url: string;
  method?: 'POST' | 'PUT';
  headers?: Record<string, string>;
}

/** `webhook` destination: POSTs the payload as JSON to target.url with the message id as Idempotency-Key. */
@Injectable()
export class WebhookTransport implements OutboxTransport, OnModuleInit {
  readonly destination = 'webhook';

  constructor(private readonly registry: OutboxTransportRegistry) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async deliver(message: OutboundMessage, signal: AbortSignal): Promise<DeliveryResult> {
    const target = message.target as Partial<WebhookTarget>;
    if (typeof target.url !== 'string' || !/^https?:\/\//.test(target.url)) {
      return { outcome: 'reject', error: 'target.url is missing or not http(s)' };
    }
    try {
      const res = await fetch(target.url, {
        method: target.method ?? 'POST',
        redirect: 'manual',
        signal,
        headers: {
          ...(target.headers ?? {}),
          'Content-Type': 'application/json',
          'Idempotency-Key': message.id,
          'X-Message-Id': message.id,
          'X-Message-Type': message.messageType,
          'X-Correlation-Id': message.correlationId,
        },
        body: JSON.stringify(message.payload),
      });
      // Always consume the body, so the connection goes back to the pool instead of waiting for GC.
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
