import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';
import { RequestContext } from '../context/request-context';
import { pgErrorCode } from './pg-error';
import { DomainEventBus } from '../events/domain-event-bus';
import { completeIdempotencyClaim } from '../idempotency/idempotency-store';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { refuseRepeat } from '../idempotency/idempotent.decorator';
import type { DomainEvent, DomainEventMap, DomainEventType } from '../events/domain-events';

/** Reacts to an event inside the transaction that raised it (its writes commit or roll back with the command). */
export type InTransactionHandler<T extends DomainEventType> = (
  event: DomainEvent<T>,
  tx: Tx,
) => Promise<void>;

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

  private savepoints = 0;

  /**
   * Runs `work` so that its failure undoes only what it did — its writes (a savepoint), the events it raised
   * and the after-commit callbacks it added — and leaves the transaction usable: for a reaction that must
   * not fail the command that caused it (a rule's action). Answers the error instead of throwing it.
   */
  async attempt<T>(work: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
    const name = `attempt_${++this.savepoints}`;
    const events = this.events.length;
    const callbacks = this.afterCommit.length;
    await this.manager.query(`SAVEPOINT ${name}`);
    try {
      const value = await work();
      await this.manager.query(`RELEASE SAVEPOINT ${name}`);
      return { ok: true, value };
    } catch (error) {
      await this.manager.query(`ROLLBACK TO SAVEPOINT ${name}`);
      this.events.splice(events);
      this.afterCommit.splice(callbacks);
      return { ok: false, error };
    }
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
  private readonly inTransaction = new Map<DomainEventType, InTransactionHandler<DomainEventType>[]>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: DomainEventBus,
  ) {}

  /**
   * Subscribes a handler that runs before commit, in the raising command's transaction, for every event of
   * this type raised through `tx.raise`. For writes that must not be lost or happen without the change (an
   * outbox message, a pick task); a failing handler fails the command. Events it raises are handled too.
   */
  onRaised<T extends DomainEventType>(type: T, handler: InTransactionHandler<T>): void {
    const list = this.inTransaction.get(type) ?? [];
    list.push(handler as unknown as InTransactionHandler<DomainEventType>);
    this.inTransaction.set(type, list);
  }

  /** One command = one call: commits, then publishes the collected events; on error nothing is published. */
  async run<T>(work: (tx: Tx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const retries = options.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      let tx: Tx | undefined;
      // The request's Idempotency-Key, claimed by this transaction's first statement (see IdempotencyService).
      const deferred = RequestContext.deferredIdempotency();
      try {
        const result = await this.dataSource.transaction(
          options.isolation ?? 'READ COMMITTED',
          async (manager) => {
            if (deferred?.deferred) {
              const claim = await IdempotencyService.claimIn(manager, deferred.deferred);
              if (claim.kind !== 'claimed') refuseRepeat(claim);
              deferred.id = claim.id;
            }
            tx = new Tx(manager);
            const value = await work(tx);
            await this.dispatchInTransaction(tx);
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
        // Rolled back: so is the claim this transaction made.
        if (deferred && !deferred.completed) deferred.id = '';
        const code = pgErrorCode(err);
        if (code && RETRYABLE.has(code) && attempt < retries) {
          this.logger.warn({ code, attempt }, 'transaction retried after a serialization failure');
          continue;
        }
        throw err;
      }
    }
  }

  private async dispatchInTransaction(tx: Tx): Promise<void> {
    if (this.inTransaction.size === 0) return;
    // Sequential on purpose: one transaction, one connection. Handlers may raise more events.
    for (let i = 0; i < tx.events.length; i++) {
      const event = tx.events[i]!;
      for (const handler of this.inTransaction.get(event.type) ?? []) await handler(event, tx);
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
