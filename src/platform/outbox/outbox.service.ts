import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { RequestContext } from '../context/request-context';
import type { Tx } from '../database/transaction-runner';
import { OutboxMessage } from './outbox-message.entity';

export interface NewOutboxMessage {
  destination: string;
  messageType: string;
  payload: unknown;
  target?: Record<string, unknown>;
  orderingKey?: string;
  /** Give a deterministic id to make the enqueue itself idempotent; random otherwise. */
  id?: string;
}

/** Writes messages for other systems inside the caller's transaction; the relay delivers them after commit. */
@Injectable()
export class OutboxService {
  private readonly wakers = new Set<() => void>();

  async enqueue(tx: Tx, message: NewOutboxMessage): Promise<string> {
    const id = message.id ?? randomUUID();
    await tx.manager.insert(OutboxMessage, <QueryDeepPartialEntity<OutboxMessage>>{
      id,
      destination: message.destination,
      messageType: message.messageType,
      payload: message.payload as object,
      target: message.target ?? {},
      orderingKey: message.orderingKey ?? null,
      correlationId: RequestContext.correlationId(),
    });
    tx.onCommit(() => this.notifyPending());
    return id;
  }

  /** Tells the relay there is something to deliver now. */
  notifyPending(): void {
    this.wakers.forEach((wake) => wake());
  }

  /** The relay subscribes here to deliver right after commit instead of at its next poll. */
  onEnqueued(wake: () => void): () => void {
    this.wakers.add(wake);
    return () => this.wakers.delete(wake);
  }
}
