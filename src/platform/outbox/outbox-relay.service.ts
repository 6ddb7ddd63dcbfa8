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

type Outcome = { message: OutboundMessage; result: DeliveryResult };

/**
 * Delivers outbox messages at least once. Each pass claims due messages with FOR UPDATE SKIP LOCKED and a
 * lease (so several instances, and OUTBOX_RELAY_WORKERS passes within one, share the work and a crashed
 * relay's messages come back), delivers them concurrently outside any transaction, then records the outcomes
 * in one statement per kind: delivered, retry later (capped exponential backoff with jitter, Retry-After
 * honoured) or dead-lettered after OUTBOX_MAX_ATTEMPTS.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running?: Promise<void>;
  private stopping = false;
  /** Idle workers waiting for a nudge or their poll interval. */
  private readonly sleepers = new Set<() => void>();
  private pendingWake = 0;
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
    const workers = this.config.get('OUTBOX_RELAY_WORKERS');
    this.running = Promise.all(Array.from({ length: workers }, () => this.loop())).then(() => undefined);
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
    if (rows.length === 0) return 0;
    const outcomes = await Promise.all(rows.map((row) => this.deliver(row)));
    await this.record(outcomes);
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

  /** New messages were committed: every idle worker looks (a nudge with none idle is kept for the next). */
  private nudge(): void {
    if (this.sleepers.size === 0) {
      this.pendingWake = this.config.get('OUTBOX_RELAY_WORKERS');
      return;
    }
    for (const wake of [...this.sleepers]) wake();
  }

  private idle(ms: number): Promise<void> {
    if (this.pendingWake > 0) {
      this.pendingWake--;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.sleepers.add(done);
    });
  }

  /**
   * Claims due messages. A message with an ordering key waits while an earlier one of its key is pending, and
   * also while one is dead-lettered: delivering it past the dead letter would put the receiver's copy out of
   * order once the dead letter is redriven (a WMS would get a task's cancellation, then the task). The dead
   * letter's redrive releases the ones behind it, in order.
   */
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
                 AND (o.ordering_key IS NULL OR (NOT EXISTS (
                       SELECT 1 FROM outbox_message p
                        WHERE p.ordering_key = o.ordering_key AND p.status = 'pending' AND p.seq < o.seq)
                   AND NOT EXISTS (
                       SELECT 1 FROM outbox_message d
                        WHERE d.ordering_key = o.ordering_key AND d.status = 'dead' AND d.seq < o.seq)))
               ORDER BY o.seq
               LIMIT $1
               FOR UPDATE SKIP LOCKED)
      RETURNING m.id, m.destination, m.message_type, m.payload, m.target, m.attempts, m.correlation_id`,
      [this.config.get('OUTBOX_BATCH_SIZE'), leaseSeconds, this.config.instanceId],
    );
    // TypeORM returns [rows, affected] for UPDATE ... RETURNING on postgres.
    return Array.isArray(result[0]) ? result[0] : (result as ClaimedRow[]);
  }

  private async deliver(row: ClaimedRow): Promise<Outcome> {
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
    if (!transport) {
      return {
        message,
        result: { outcome: 'retry', error: `no transport registered for destination ${message.destination}` },
      };
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.config.get('OUTBOX_HTTP_TIMEOUT_MS'));
    try {
      return await RequestContext.run(
        {
          correlationId: message.correlationId,
          actor: { type: 'system', id: 'outbox-relay', name: 'outbox-relay' },
        },
        async () => ({ message, result: await transport.deliver(message, abort.signal) }),
      );
    } catch (err) {
      return {
        message,
        result: { outcome: 'retry', error: err instanceof Error ? err.message : String(err) },
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Records a pass's outcomes: one statement for the delivered, one for the retries, dead letters one by one. */
  private async record(outcomes: Outcome[]): Promise<void> {
    const me = this.config.instanceId;
    const delivered: Outcome[] = [];
    const retries: Array<Outcome & { delayMs: number; error: string; httpStatus?: number }> = [];
    const dead: Array<{ message: OutboundMessage; error: string; httpStatus?: number }> = [];
    for (const o of outcomes) {
      const r = o.result;
      if (r.outcome === 'delivered') delivered.push(o);
      else if (r.outcome === 'reject' || o.message.attempts >= this.config.get('OUTBOX_MAX_ATTEMPTS'))
        dead.push({ message: o.message, error: r.error, httpStatus: r.httpStatus });
      else
        retries.push({
          ...o,
          error: r.error,
          httpStatus: r.httpStatus,
          delayMs: retryDelayMs(
            o.message.attempts,
            this.config.get('OUTBOX_BACKOFF_BASE_MS'),
            this.config.get('OUTBOX_BACKOFF_CAP_MS'),
            Math.random,
            r.retryAfterMs,
          ),
        });
    }
    if (delivered.length)
      await this.dataSource.query(
        `UPDATE outbox_message m SET status = 'delivered', delivered_at = now(), locked_until = NULL,
                locked_by = NULL, last_error = NULL, last_http_status = d.http_status
           FROM unnest($1::uuid[], $2::int[]) AS d(id, http_status)
          WHERE m.id = d.id AND m.locked_by = $3 AND m.status = 'pending'`,
        [
          delivered.map((o) => o.message.id),
          delivered.map((o) => (o.result.outcome === 'delivered' ? (o.result.httpStatus ?? null) : null)),
          me,
        ],
      );
    if (retries.length) {
      await this.dataSource.query(
        `UPDATE outbox_message m
            SET next_attempt_at = now() + make_interval(secs => d.delay_ms / 1000),
                locked_until = NULL, locked_by = NULL, last_error = d.error, last_http_status = d.http_status
           FROM unnest($1::uuid[], $2::double precision[], $3::text[], $4::int[])
                AS d(id, delay_ms, error, http_status)
          WHERE m.id = d.id AND m.locked_by = $5 AND m.status = 'pending'`,
        [
          retries.map((r) => r.message.id),
          retries.map((r) => r.delayMs),
          retries.map((r) => r.error.slice(0, 2000)),
          retries.map((r) => r.httpStatus ?? null),
          me,
        ],
      );
      // One line per pass, not one per message: an outage of the receiver must not flood the log.
      const first = retries[0]!;
      this.logger.warn(
        {
          count: retries.length,
          destinations: [...new Set(retries.map((r) => r.message.destination))],
          messageIds: retries.slice(0, 5).map((r) => r.message.id),
          firstError: first.error,
          delayMs: first.delayMs,
        },
        'outbox deliveries will be retried',
      );
    }
    for (const d of dead)
      await RequestContext.run(
        {
          correlationId: d.message.correlationId,
          actor: { type: 'system', id: 'outbox-relay', name: 'outbox-relay' },
        },
        () => this.deadLetter(d.message, d.error, d.httpStatus),
      );
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
