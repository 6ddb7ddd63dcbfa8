import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { TransactionRunner, type Tx } from '../database/transaction-runner';
import { DomainError, notFound, PlatformErrorCode } from '../errors/domain-error';
import type { Page } from '../http/pagination';
import { OutboxMessage, type OutboxStatus } from './outbox-message.entity';
import { OutboxService } from './outbox.service';

/** Lists outbox messages and sends dead letters round again. */
@Injectable()
export class OutboxAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  async list(f: {
    status?: OutboxStatus;
    destination?: string;
    limit: number;
    offset: number;
  }): Promise<Page<OutboxMessage>> {
    const qb = this.dataSource.getRepository(OutboxMessage).createQueryBuilder('m');
    if (f.status) qb.andWhere('m.status = :status', { status: f.status });
    if (f.destination) qb.andWhere('m.destination = :destination', { destination: f.destination });
    const [items, total] = await qb.orderBy('m.seq', 'DESC').skip(f.offset).take(f.limit).getManyAndCount();
    return { items, total, limit: f.limit, offset: f.offset };
  }

  async get(id: string): Promise<OutboxMessage> {
    const m = await this.dataSource.getRepository(OutboxMessage).findOneBy({ id });
    if (!m) throw notFound('outbox message', id);
    return m;
  }

  /** Dead → pending with a fresh attempt budget. The message keeps its id, so receivers still deduplicate. */
  async redrive(id: string, reason?: string): Promise<OutboxMessage> {
    return this.tx.run(async (tx) => {
      const m = await tx.manager
        .getRepository(OutboxMessage)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!m) throw notFound('outbox message', id);
      if (m.status !== 'dead') {
        throw new DomainError(
          'conflict',
          PlatformErrorCode.NOT_DEAD_LETTERED,
          `Message ${id} is ${m.status}, not dead-lettered`,
          {
            extensions: { currentStatus: m.status },
          },
        );
      }
      await tx.manager.query(
        `UPDATE outbox_message SET status = 'pending', attempts = 0, next_attempt_at = now(), dead_at = NULL,
                locked_until = NULL, locked_by = NULL, redrive_count = redrive_count + 1 WHERE id = $1`,
        [id],
      );
      await this.audit.record(tx, {
        entityType: 'outbox_message',
        entityId: id,
        action: 'outbox.redriven',
        before: { status: m.status, attempts: m.attempts, lastError: m.lastError },
        after: { status: 'pending' },
        reason,
      });
      this.wakeRelay(tx);
      return await tx.manager.getRepository(OutboxMessage).findOneByOrFail({ id });
    });
  }

  async redriveAll(f: {
    destination?: string;
    messageType?: string;
    reason?: string;
  }): Promise<{ redriven: number }> {
    return this.tx.run(async (tx) => {
      const rows: Array<{ id: string }> = await tx.manager
        .query(
          `UPDATE outbox_message SET status = 'pending', attempts = 0, next_attempt_at = now(), dead_at = NULL,
                locked_until = NULL, locked_by = NULL, redrive_count = redrive_count + 1
          WHERE status = 'dead' AND ($1::text IS NULL OR destination = $1) AND ($2::text IS NULL OR message_type = $2)
          RETURNING id`,
          [f.destination ?? null, f.messageType ?? null],
        )
        .then((r: [Array<{ id: string }>, number]) => r[0]);
      for (const r of rows) {
        await this.audit.record(tx, {
          entityType: 'outbox_message',
          entityId: r.id,
          action: 'outbox.redriven',
          after: { status: 'pending' },
          reason: f.reason,
        });
      }
      if (rows.length) this.wakeRelay(tx);
      return { redriven: rows.length };
    });
  }

  private wakeRelay(tx: Tx): void {
    tx.onCommit(() => this.outbox.notifyPending());
  }
}
