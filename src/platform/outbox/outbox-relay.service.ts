import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { RequestContext } from '../context/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { retryDelayMs } from './backoff';
import type { DeliveryResult, OutboundMessage } from './outbox-transport';
import { OutboxTransportRegistry } from './outbox-transport';
import { OutboxService } from './outbox.service';

interface ClaimedRow {
  id: string;
  destination: string;
  message_type: string;
  payload: unknown;
  target: Record<string, unknown>;
  attempts: number;
  correlation_id: string;
}

/**
 * Delivers outbox messages at least once. Each pass claims due messages with FOR UPDATE SKIP LOCKED and a
 * lease (so several instances share the work and a crashed relay's messages come back), delivers outside any
 * transaction, then records the outcome: delivered, retry later (capped exponential backoff with jitter,
 * Retry-After honoured) or dead-lettered after OUTBOX_MAX_ATTEMPTS.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running?: Promise<void>;
  private stopping = false;
  private wake?: () => void;
  private pendingWake = false;
  private unsubscribe?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly transports: OutboxTransportRegistry,
    private readonly outbox: OutboxService,
    private readonly tx: TransactionRunner,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.get('OUTBOX_RELAY_ENABLED')) return;
    this.unsubscribe = this.outbox.onEnqueued(() => this.nudge());
    this.running = this.loop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.nudge();
    // In-flight deliveries finish (bounded by the HTTP timeout); no new claims are made.
    await this.running;
  }

  /** One pass: claims and delivers what is due. Returns how many messages were handled. */
  private async drainOnce(): Promise<number> {
    const rows = await this.claim();
    await Promise.all(rows.map((row) => this.deliver(row)));
    return rows.length;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let handled = 0;
      try {
        handled = await RequestContext.runAsSystem('outbox-relay', () => this.drainOnce());
      } catch (err) {
        this.logger.warn({ err }, 'outbox relay pass failed; retrying');
      }
      if (handled === 0 && !this.stopping) await this.idle(this.config.get('OUTBOX_POLL_INTERVAL_MS'));
    }
  }

  private nudge(): void {
    this.pendingWake = true;
    this.wake?.();
  }

  private idle(ms: number): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.pendingWake = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
    });
  }

  private async claim(): Promise<ClaimedRow[]> {
    const leaseSeconds = Math.ceil(this.config.get('OUTBOX_HTTP_TIMEOUT_MS') / 1000) + 30;
    const result: [ClaimedRow[], number] | ClaimedRow[] = await this.dataSource.query(
      `UPDATE outbox_message m
          SET attempts = m.attempts + 1,
              locked_until = now() + make_interval(secs => $2),
              locked_by = $3
        WHERE m.id IN (
              SELECT o.id FROM outbox_message o
               WHERE o.status = 'pending' AND o.next_attempt_at <= now()
                 AND (o.locked_until IS NULL OR o.locked_until < now())
                 AND (o.ordering_key IS NULL OR NOT EXISTS (
                       SELECT 1 FROM outbox_message p
                        WHERE p.ordering_key = o.ordering_key AND p.status = 'pending' AND p.seq < o.seq))
               ORDER BY o.seq
               LIMIT $1
               FOR UPDATE SKIP LOCKED)
      RETURNING m.id, m.destination, m.message_type, m.payload, m.target, m.attempts, m.correlation_id`,
      [this.config.get('OUTBOX_BATCH_SIZE'), leaseSeconds, this.config.instanceId],
    );
    // TypeORM returns [rows, affected] for UPDATE ... RETURNING on postgres.
    return Array.isArray(result[0]) ? result[0] : (result as ClaimedRow[]);
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    const message: OutboundMessage = {
      id: row.id,
      destination: row.destination,
      messageType: row.message_type,
      payload: row.payload,
      target: row.target,
      attempts: row.attempts,
      correlationId: row.correlation_id,
    };
    const transport = this.transports.get(message.destination);
    let result: DeliveryResult;
    if (!transport) {
      result = { outcome: 'retry', error: `no transport registered for destination ${message.destination}` };
    } else {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), this.config.get('OUTBOX_HTTP_TIMEOUT_MS'));
      try {
        result = await transport.deliver(message, abort.signal);
      } catch (err) {
        result = { outcome: 'retry', error: err instanceof Error ? err.message : String(err) };
      } finally {
        clearTimeout(timer);
      }
    }
    await RequestContext.run(
      {
        correlationId: message.correlationId,
        actor: { type: 'system', id: 'outbox-relay', name: 'outbox-relay' },
      },
      () => this.record(message, result),
    );
  }

  private async record(message: OutboundMessage, result: DeliveryResult): Promise<void> {
    const me = this.config.instanceId;
    switch (result.outcome) {
      case 'delivered':
        await this.dataSource.query(
          `UPDATE outbox_message SET status = 'delivered', delivered_at = now(), locked_until = NULL, locked_by = NULL,
                  last_error = NULL, last_http_status = $2
            WHERE id = $1 AND locked_by = $3 AND status = 'pending'`,
          [message.id, result.httpStatus ?? null, me],
        );
        return;
      case 'retry':
        if (message.attempts < this.config.get('OUTBOX_MAX_ATTEMPTS')) {
          const delay = retryDelayMs(
            message.attempts,
            this.config.get('OUTBOX_BACKOFF_BASE_MS'),
            this.config.get('OUTBOX_BACKOFF_CAP_MS'),
            Math.random,
            result.retryAfterMs,
          );
          await this.dataSource.query(
            `UPDATE outbox_message SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
                    locked_until = NULL, locked_by = NULL, last_error = $3, last_http_status = $4
              WHERE id = $1 AND locked_by = $5 AND status = 'pending'`,
            [message.id, delay, result.error.slice(0, 2000), result.httpStatus ?? null, me],
          );
          this.logger.warn(
            { messageId: message.id, attempts: message.attempts, delayMs: delay, error: result.error },
            'outbox delivery will be retried',
          );
          return;
        }
        await this.deadLetter(message, result.error, result.httpStatus);
        return;
      case 'reject':
        await this.deadLetter(message, result.error, result.httpStatus);
        return;
    }
  }

  private async deadLetter(
    message: OutboundMessage,
    error: string,
    httpStatus: number | undefined,
  ): Promise<void> {
    await this.tx.run(async (tx) => {
      const rows: [unknown[], number] = await tx.manager.query(
        `UPDATE outbox_message SET status = 'dead', dead_at = now(), locked_until = NULL, locked_by = NULL,
                last_error = $2, last_http_status = $3
          WHERE id = $1 AND locked_by = $4 AND status = 'pending' RETURNING id`,
        [message.id, error.slice(0, 2000), httpStatus ?? null, this.config.instanceId],
      );
      if (rows[1] === 0) return;
      tx.raise('platform.outbox.dead_lettered', {
        messageId: message.id,
        destination: message.destination,
        messageType: message.messageType,
        attempts: message.attempts,
        lastError: error.slice(0, 500),
      });
    });
    this.logger.error(
      { messageId: message.id, destination: message.destination, attempts: message.attempts, error },
      'outbox message dead-lettered',
    );
  }
}
