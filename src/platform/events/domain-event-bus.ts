import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RequestContext } from '../context/request-context';
import type { DomainEvent, DomainEventHandler, DomainEventMap, DomainEventType } from './domain-events';
import './platform.events';

/**
 * In-process publish/subscribe for domain events. Events reach handlers only after the transaction that
 * raised them has committed (see TransactionRunner). A failing handler is logged and never affects the
 * command or the other handlers; durable reactions belong in the outbox, written inside the transaction.
 */
@Injectable()
export class DomainEventBus {
  private readonly logger = new Logger(DomainEventBus.name);
  private readonly handlers = new Map<DomainEventType, DomainEventHandler<DomainEventType>[]>();

  on<T extends DomainEventType>(type: T, handler: DomainEventHandler<T>): () => void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler as unknown as DomainEventHandler<DomainEventType>);
    this.handlers.set(type, list);
    return () => {
      const current = this.handlers.get(type) ?? [];
      this.handlers.set(
        type,
        current.filter((h) => h !== (handler as unknown as DomainEventHandler<DomainEventType>)),
      );
    };
  }

  static create<T extends DomainEventType>(type: T, payload: DomainEventMap[T]): DomainEvent<T> {
    const ctx = RequestContext.current();
    return {
      id: randomUUID(),
      type,
      occurredAt: new Date().toISOString(),
      correlationId: ctx?.correlationId ?? randomUUID(),
      actor: ctx?.actor,
      payload,
    };
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (const event of events) {
      for (const handler of this.handlers.get(event.type) ?? []) {
        try {
          await handler(event);
        } catch (err) {
          this.logger.error({ err, eventType: event.type, eventId: event.id }, 'domain event handler failed');
        }
      }
    }
  }
}
