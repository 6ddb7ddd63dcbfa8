import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';
import { RequestContext } from '../context/request-context';
import { pgErrorCode } from './pg-error';
import { DomainEventBus } from '../events/domain-event-bus';
import { completeIdempotencyClaim } from '../idempotency/idempotency-store';
import type { DomainEvent, DomainEventMap, DomainEventType } from '../events/domain-events';

/**
 * What a use case gets inside its transaction: the transaction's EntityManager (hand it to repositories;
 * never use the DataSource meanwhile) and a place to raise domain events, published only after commit.
 */
export class Tx {
  readonly events: DomainEvent[] = [];
  private readonly afterCommit: Array<() => void | Promise<void>> = [];

  constructor(readonly manager: EntityManager) {}

  raise<T extends DomainEventType>(type: T, payload: DomainEventMap[T]): DomainEvent<T> {
    const event = DomainEventBus.create(type, payload);
    this.events.push(event);
    return event;
  }

  /** Runs after a successful commit (e.g. waking a worker); dropped on rollback. */
  onCommit(fn: () => void | Promise<void>): void {
    this.afterCommit.push(fn);
  }

  get commitCallbacks(): ReadonlyArray<() => void | Promise<void>> {
    return this.afterCommit;
  }
}

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /** Retries a serialization failure or deadlock this many times (the work must not have outside effects). */
  retries?: number;
}

const RETRYABLE = new Set(['40001', '40P01']);

@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: DomainEventBus,
  ) {}

  /** One command = one call: commits, then publishes the collected events; on error nothing is published. */
  async run<T>(work: (tx: Tx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const retries = options.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      let tx: Tx | undefined;
      try {
        const result = await this.dataSource.transaction(
          options.isolation ?? 'READ COMMITTED',
          async (manager) => {
            tx = new Tx(manager);
            const value = await work(tx);
            // The request's Idempotency-Key is completed with the answer in the same commit: a retry after
            // this point replays, and nothing is counted twice.
            const claim = RequestContext.pendingIdempotency();
            if (claim) await completeIdempotencyClaim(manager, claim, value);
            return value;
          },
        );
        const claim = RequestContext.pendingIdempotency();
        if (claim) claim.completed = true;
        if (tx) await this.afterCommit(tx);
        return result;
      } catch (err) {
        const code = pgErrorCode(err);
        if (code && RETRYABLE.has(code) && attempt < retries) {
          this.logger.warn({ code, attempt }, 'transaction retried after a serialization failure');
          continue;
        }
        throw err;
      }
    }
  }

  private async afterCommit(tx: Tx): Promise<void> {
    for (const fn of tx.commitCallbacks) {
      try {
        await fn();
      } catch (err) {
        this.logger.error({ err }, 'after-commit callback failed');
      }
    }
    await this.bus.publish(tx.events);
  }
}
