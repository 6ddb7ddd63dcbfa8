import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';

interface PgPoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** Prometheus metrics: process defaults, HTTP latency, DB pool and outbox backlog (read at scrape time). */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(private readonly dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'mom_' });
    this.httpDuration = new Histogram({
      name: 'mom_http_request_duration_seconds',
      help: 'HTTP request latency by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    const pool = (): PgPoolLike | undefined =>
      (this.dataSource.driver as unknown as { master?: PgPoolLike }).master;
    new Gauge({
      name: 'mom_db_pool_connections',
      help: 'Database pool connections by state',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const p = pool();
        this.reset();
        if (!p) return;
        this.set({ state: 'total' }, p.totalCount);
        this.set({ state: 'idle' }, p.idleCount);
        this.set({ state: 'waiting' }, p.waitingCount);
      },
    });
    const ds = this.dataSource;
    type OutboxRow = { status: string; n: string; oldest_age: string | null };
    // Both outbox gauges read one query per scrape: the first collector starts it, the second reuses it.
    let inFlight: Promise<OutboxRow[] | undefined> | undefined;
    const outboxQuery = (): Promise<OutboxRow[] | undefined> => {
      inFlight ??= (async () => {
        if (!ds.isInitialized) return undefined;
        return ds.query<OutboxRow[]>(
          `SELECT status, count(*) AS n, extract(epoch FROM now() - min(created_at)) AS oldest_age
             FROM outbox_message WHERE status IN ('pending', 'dead') GROUP BY status`,
        );
      })().finally(() => setImmediate(() => (inFlight = undefined)));
      return inFlight;
    };
    new Gauge({
      name: 'mom_outbox_messages',
      help: 'Outbox messages not delivered, by status (pending = backlog, dead = dead letters)',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const rows = await outboxQuery().catch(() => undefined);
        this.set({ status: 'pending' }, Number(rows?.find((r) => r.status === 'pending')?.n ?? 0));
        this.set({ status: 'dead' }, Number(rows?.find((r) => r.status === 'dead')?.n ?? 0));
      },
    });
    new Gauge({
      name: 'mom_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest undelivered outbox message',
      registers: [this.registry],
      async collect() {
        const rows = await outboxQuery().catch(() => undefined);
        this.set(Number(rows?.find((r) => r.status === 'pending')?.oldest_age ?? 0));
      },
    });
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }
}
