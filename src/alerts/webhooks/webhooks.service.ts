import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { Secrets } from '../../platform/config/secrets';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { DomainError, invalidFields, notFound } from '../../platform/errors/domain-error';
import type { DomainEvent, DomainEventType } from '../../platform/events/domain-events';
import { OutboxService } from '../../platform/outbox/outbox.service';
import { WEBHOOK_EVENTS, WEBHOOK_SUBSCRIPTION_DESTINATION } from './webhook-events';
import { WebhookSubscription } from './webhook-subscription.entity';

export interface WebhookView {
  id: string;
  name: string;
  url: string;
  eventTypes: string[];
  active: boolean;
  version: number;
  updatedByName: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookInput {
  name?: string;
  url?: string;
  eventTypes?: string[];
  active?: boolean;
  expectedVersion?: number;
}

export interface DeliveryView {
  id: string;
  event: string;
  status: string;
  attempts: number;
  lastHttpStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  deadAt: string | null;
  nextAttemptAt: string | null;
}

const view = (s: WebhookSubscription): WebhookView => ({
  id: s.id,
  name: s.name,
  url: s.url,
  eventTypes: s.eventTypes,
  active: s.active,
  version: s.version,
  updatedByName: s.updatedByName,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

const newSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

/**
 * Webhook subscribers: an admin registers a URL and event types; every such event of the site is written to
 * the outbox in the transaction that raised it (nothing acknowledged is lost; a rolled-back change sends
 * nothing) and delivered signed, retried with backoff and dead-lettered by the outbox relay.
 */
@Injectable()
export class WebhooksService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runner: TransactionRunner,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly secrets: Secrets,
  ) {}

  onModuleInit(): void {
    for (const type of WEBHOOK_EVENTS as DomainEventType[]) {
      this.runner.onRaised(type, (e, tx) => this.publish(tx, e));
    }
  }

  private async publish(tx: Tx, e: DomainEvent): Promise<void> {
    const siteId = (e.payload as { siteId?: unknown }).siteId;
    if (typeof siteId !== 'string') return;
    const subs = await tx.manager.query<Array<{ id: string }>>(
      `SELECT id FROM webhook_subscription WHERE site_id = $1 AND active AND $2 = ANY(event_types) ORDER BY id`,
      [siteId, e.type],
    );
    for (const s of subs) {
      await this.outbox.enqueue(tx, {
        destination: WEBHOOK_SUBSCRIPTION_DESTINATION,
        messageType: e.type,
        payload: { id: e.id, type: e.type, siteId, occurredAt: e.occurredAt, data: e.payload },
        target: { subscriptionId: s.id },
      });
    }
  }

  async list(p: Principal, siteId: string): Promise<WebhookView[]> {
    assertSiteAccess(p, siteId);
    const rows = await this.dataSource
      .getRepository(WebhookSubscription)
      .find({ where: { siteId }, order: { name: 'ASC', id: 'ASC' } });
    return rows.map(view);
  }

  async get(p: Principal, siteId: string, id: string): Promise<WebhookView> {
    assertSiteAccess(p, siteId);
    const s = await this.dataSource.getRepository(WebhookSubscription).findOneBy({ id, siteId });
    if (!s) throw notFound('webhook subscription', id);
    return view(s);
  }

  /** Registers a subscriber; the answer carries its signing secret, shown this once. */
  create(p: Principal, siteId: string, input: WebhookInput): Promise<WebhookView & { secret: string }> {
    assertSiteAccess(p, siteId);
    this.check(input);
    return this.runner.run(async (tx) => {
      const secret = newSecret();
      const repo = tx.manager.getRepository(WebhookSubscription);
      const saved = await repo.save(
        repo.create({
          siteId,
          name: input.name!.trim(),
          url: input.url!,
          eventTypes: [...new Set(input.eventTypes)].sort(),
          secretCiphertext: this.secrets.encrypt(secret),
          active: input.active ?? true,
          updatedByName: p.name.slice(0, 200),
        }),
      );
      await this.audit.record(tx, {
        entityType: 'webhook_subscription',
        entityId: saved.id,
        siteId,
        action: 'webhook_subscription.created',
        after: { name: saved.name, url: saved.url, eventTypes: saved.eventTypes, active: saved.active },
      });
      return { ...view(saved), secret };
    });
  }

  update(p: Principal, siteId: string, id: string, input: WebhookInput): Promise<WebhookView> {
    assertSiteAccess(p, siteId);
    this.check(input, true);
    return this.change(p, siteId, id, input.expectedVersion, 'webhook_subscription.updated', (s) => ({
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.eventTypes !== undefined ? { eventTypes: [...new Set(input.eventTypes)].sort() } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      version: s.version + 1,
    })).then((r) => r.view);
  }

  /** A new signing secret (the old one stops working at once); shown this once. */
  async rotateSecret(
    p: Principal,
    siteId: string,
    id: string,
    expectedVersion?: number,
  ): Promise<WebhookView & { secret: string }> {
    assertSiteAccess(p, siteId);
    const secret = newSecret();
    const r = await this.change(
      p,
      siteId,
      id,
      expectedVersion,
      'webhook_subscription.secret_rotated',
      (s) => ({
        secretCiphertext: this.secrets.encrypt(secret),
        version: s.version + 1,
      }),
    );
    return { ...r.view, secret };
  }

  remove(p: Principal, siteId: string, id: string): Promise<void> {
    assertSiteAccess(p, siteId);
    return this.runner.run(async (tx) => {
      const s = await tx.manager
        .getRepository(WebhookSubscription)
        .findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } });
      if (!s) throw notFound('webhook subscription', id);
      await tx.manager.delete(WebhookSubscription, { id });
      await this.audit.record(tx, {
        entityType: 'webhook_subscription',
        entityId: id,
        siteId,
        action: 'webhook_subscription.deleted',
        before: { name: s.name, url: s.url, eventTypes: s.eventTypes },
      });
    });
  }

  /** Sends a `ping` delivery now (to check the URL and the signature on the receiving side). */
  ping(p: Principal, siteId: string, id: string): Promise<{ deliveryId: string }> {
    assertSiteAccess(p, siteId);
    return this.runner.run(async (tx) => {
      const s = await tx.manager.getRepository(WebhookSubscription).findOneBy({ id, siteId });
      if (!s) throw notFound('webhook subscription', id);
      const deliveryId = await this.outbox.enqueue(tx, {
        destination: WEBHOOK_SUBSCRIPTION_DESTINATION,
        messageType: 'ping',
        payload: {
          id: null,
          type: 'ping',
          siteId,
          occurredAt: new Date().toISOString(),
          data: { name: s.name },
        },
        target: { subscriptionId: s.id },
      });
      return { deliveryId };
    });
  }

  /** What was sent to a subscriber, newest first (redrive dead ones: POST /api/v1/admin/outbox/messages/{id}/redrive). */
  async deliveries(
    p: Principal,
    siteId: string,
    id: string,
    q: { status?: string; limit: number; offset: number },
  ): Promise<[DeliveryView[], number]> {
    await this.get(p, siteId, id);
    const params: unknown[] = [WEBHOOK_SUBSCRIPTION_DESTINATION, id, q.limit, q.offset];
    const status = q.status ? `AND status = $5` : '';
    if (q.status) params.push(q.status);
    const rows = await this.dataSource.query<
      Array<{
        id: string;
        message_type: string;
        status: string;
        attempts: number;
        last_http_status: number | null;
        last_error: string | null;
        created_at: Date;
        delivered_at: Date | null;
        dead_at: Date | null;
        next_attempt_at: Date;
        total: number;
      }>
    >(
      `SELECT id, message_type, status, attempts, last_http_status, last_error, created_at, delivered_at, dead_at,
              next_attempt_at, count(*) OVER ()::int AS total
         FROM outbox_message WHERE destination = $1 AND target->>'subscriptionId' = $2 ${status}
        ORDER BY created_at DESC, seq DESC LIMIT $3 OFFSET $4`,
      params,
    );
    return [
      rows.map((r) => ({
        id: r.id,
        event: r.message_type,
        status: r.status,
        attempts: r.attempts,
        lastHttpStatus: r.last_http_status,
        lastError: r.last_error,
        createdAt: r.created_at.toISOString(),
        deliveredAt: r.delivered_at?.toISOString() ?? null,
        deadAt: r.dead_at?.toISOString() ?? null,
        nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
      })),
      rows[0]?.total ?? 0,
    ];
  }

  private change(
    p: Principal,
    siteId: string,
    id: string,
    expectedVersion: number | undefined,
    action: string,
    patch: (s: WebhookSubscription) => Partial<WebhookSubscription>,
  ): Promise<{ view: WebhookView }> {
    return this.runner.run(async (tx) => {
      const repo = tx.manager.getRepository(WebhookSubscription);
      const s = await repo.findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } });
      if (!s) throw notFound('webhook subscription', id);
      if (expectedVersion !== undefined && expectedVersion !== s.version)
        throw new DomainError('conflict', 'STALE_VERSION', 'The subscription changed meanwhile; reload it', {
          extensions: { currentVersion: s.version },
        });
      await repo.update({ id }, { ...patch(s), updatedByName: p.name.slice(0, 200), updatedAt: new Date() });
      const after = await repo.findOneByOrFail({ id });
      await this.audit.record(tx, {
        entityType: 'webhook_subscription',
        entityId: id,
        siteId,
        action,
        before: { name: s.name, url: s.url, eventTypes: s.eventTypes, active: s.active },
        after: { name: after.name, url: after.url, eventTypes: after.eventTypes, active: after.active },
      });
      return { view: view(after) };
    });
  }

  private check(input: WebhookInput, partial = false): void {
    const errors: Array<{ field: string; message: string }> = [];
    if (!partial || input.eventTypes !== undefined) {
      const unknown = (input.eventTypes ?? []).filter((t) => !WEBHOOK_EVENTS.includes(t));
      if (!input.eventTypes || input.eventTypes.length === 0)
        errors.push({ field: 'eventTypes', message: 'name at least one event type' });
      unknown.forEach((t) =>
        errors.push({
          field: `eventTypes[${input.eventTypes!.indexOf(t)}]`,
          message: `${t} is not an event one can subscribe to (GET webhooks/events)`,
        }),
      );
    }
    if (errors.length > 0) throw invalidFields(errors, errors.map((e) => e.message).join('; '));
  }
}
