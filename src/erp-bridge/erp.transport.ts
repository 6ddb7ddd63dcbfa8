import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../platform/config/app-config';
import { parseRetryAfter } from '../platform/outbox/backoff';
import {
  classifyHttpStatus,
  OutboxTransportRegistry,
  requestFailed,
  type DeliveryResult,
  type OutboundMessage,
  type OutboxTransport,
} from '../platform/outbox/outbox-transport';

/** `erp` destination: OperationsPerformance and purchase requisitions POSTed to the ERP as JSON. */
@Injectable()
export class ErpTransport implements OutboxTransport, OnModuleInit {
  readonly destination = 'erp';

  constructor(
    private readonly registry: OutboxTransportRegistry,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async deliver(message: OutboundMessage, signal: AbortSignal): Promise<DeliveryResult> {
    const base = this.config.get('ERP_BASE_URL');
    // Without an ERP the messages wait (retried with backoff) until one is configured; nothing is lost.
    if (!base) return { outcome: 'retry', error: 'ERP_BASE_URL is not configured' };
    try {
      const path =
        message.messageType === 'purchaseRequisition'
          ? this.config.get('ERP_REQUISITION_PATH')
          : this.config.get('ERP_PERFORMANCE_PATH');
      const res = await fetch(new URL(path, base), {
        method: 'POST',
        redirect: 'manual',
        signal,
        headers: {
          'Content-Type': 'application/json',
          'Idempotency-Key': message.id,
          'X-Message-Type': message.messageType,
          'X-Correlation-Id': message.correlationId,
        },
        body: JSON.stringify(message.payload),
      });
      const text = await res.text().catch(() => '');
      // 409 on a known id means the ERP has it already.
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
}
