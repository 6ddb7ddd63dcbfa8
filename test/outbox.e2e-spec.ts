import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { TransactionRunner } from '../src/platform/database/transaction-runner';
import { OutboxService, type NewOutboxMessage } from '../src/platform/outbox/outbox.service';
import { WebhookTransport } from '../src/platform/outbox/webhook.transport';
import { createSite, createUser, login, unique } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The transactional outbox end to end: messages are written in the business transaction, the relay inside
 * the real app delivers them to a scripted local webhook receiver, retries with backoff, dead-letters, and
 * admins redrive. Every wait polls the database (or the stub) against a deadline; nothing sleeps to assert.
 */

// ---------------------------------------------------------------------------------------------------------
// A scriptable webhook receiver
// ---------------------------------------------------------------------------------------------------------

interface ReceivedRequest {
  /** Arrival time (Date.now()) of the request, before it is answered. */
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  messageId: string;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

/** Decides the answer; `nth` counts the requests for the same message id, starting at 1. */
type Script = (req: ReceivedRequest, nth: number) => Reply;

class WebhookStub {
  readonly requests: ReceivedRequest[] = [];

  private constructor(
    private readonly server: Server,
    public script: Script,
  ) {}

  static async start(script: Script): Promise<WebhookStub> {
    const server = createServer();
    const stub = new WebhookStub(server, script);
    server.on('request', (req, res) => {
      const at = Date.now();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received: ReceivedRequest = {
          at,
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          messageId: String(req.headers['x-message-id'] ?? ''),
        };
        stub.requests.push(received);
        const reply = stub.script(received, stub.forMessage(received.messageId).length);
        const send = () => {
          res.writeHead(reply.status, { 'Content-Type': 'text/plain', ...(reply.headers ?? {}) });
          res.end(reply.body ?? '');
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  forMessage(id: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.messageId === id);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const ok: Script = () => ({ status: 200, body: 'ok' });
/** Answers with the given statuses in turn per message id, then keeps answering the last one. */
const sequence =
  (...replies: Array<number | Reply>): Script =>
  (_req, nth) => {
    const r = replies[Math.min(nth, replies.length) - 1]!;
    return typeof r === 'number' ? { status: r, body: `status ${r}` } : r;
  };

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

/** Polls `probe` until it returns something truthy; on timeout fails naming what was awaited and the last value seen. */
async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 5000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await probe();
    if (last) return last as T;
    if (Date.now() >= deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

interface Row {
  id: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  delivered_at: Date | null;
  dead_at: Date | null;
  last_error: string | null;
  last_http_status: number | null;
  redrive_count: number;
}

async function rowOf(ds: DataSource, id: string): Promise<Row | undefined> {
  const rows = await ds.query<Row[]>(
    `SELECT id, status, attempts, delivered_at, dead_at, last_error, last_http_status, redrive_count FROM outbox_message WHERE id = $1`,
    [id],
  );
  return rows[0];
}

async function waitForStatus(
  ds: DataSource,
  id: string,
  status: Row['status'],
  timeoutMs = 5000,
): Promise<Row> {
  let last: Row | undefined;
  try {
    return await waitFor(
      `outbox message ${id} to become ${status}`,
      async () => {
        last = await rowOf(ds, id);
        return last?.status === status ? last : undefined;
      },
      timeoutMs,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nrow: ${JSON.stringify(last)}`, { cause: err });
  }
}

/** Enqueues exactly as a module does: inside a TransactionRunner transaction, through OutboxService. */
async function enqueue(
  t: TestApp,
  messages: Array<Omit<NewOutboxMessage, 'destination'>>,
): Promise<string[]> {
  const tx = t.app.get(TransactionRunner);
  const outbox = t.app.get(OutboxService);
  return tx.run(async (work) => {
    const ids: string[] = [];
    for (const m of messages) ids.push(await outbox.enqueue(work, { destination: 'webhook', ...m }));
    return ids;
  });
}

const ping = (
  stub: WebhookStub,
  extra: Partial<NewOutboxMessage> = {},
): Omit<NewOutboxMessage, 'destination'> => ({
  messageType: 'test.ping',
  payload: { ref: unique('P'), quantity: 3, nested: { ok: true } },
  target: { url: stub.url },
  ...extra,
});

const gaps = (reqs: ReceivedRequest[]): number[] => reqs.slice(1).map((r, i) => r.at - reqs[i]!.at);

/** Timestamps come from two clocks (Node, the database) read at millisecond precision. */
const CLOCK_TOLERANCE_MS = 15;

// Stubs opened by a test are closed after it, whatever happened.
const openStubs: WebhookStub[] = [];
async function stub(script: Script): Promise<WebhookStub> {
  const s = await WebhookStub.start(script);
  openStubs.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(openStubs.splice(0).map((s) => s.close()));
});

// ---------------------------------------------------------------------------------------------------------
// One relay: OUTBOX_MAX_ATTEMPTS=3, backoff base 100 ms, cap 400 ms
// ---------------------------------------------------------------------------------------------------------

describe('outbox: one app instance relaying', () => {
  const BASE_MS = 100;
  const CAP_MS = 400;
  const MAX_ATTEMPTS = 3;
  let t: TestApp;
  let adminToken: string;
  let adminId: string;
  let plannerToken: string;

  beforeAll(async () => {
    t = await startTestApp({
      OUTBOX_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      OUTBOX_BACKOFF_BASE_MS: String(BASE_MS),
      OUTBOX_BACKOFF_CAP_MS: String(CAP_MS),
      INSTANCE_ID: unique('relay-'),
    });
    const site = await createSite(t.dataSource);
    const admin = await createUser(t.dataSource, { roles: ['admin'], siteIds: [site.id] });
    const planner = await createUser(t.dataSource, { roles: ['planner'], siteIds: [site.id] });
    adminId = admin.id;
    adminToken = await login(t.http, admin);
    plannerToken = await login(t.http, planner);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('writes and delivers nothing when the enqueuing transaction rolls back', async () => {
    const receiver = await stub(ok);
    const tx = t.app.get(TransactionRunner);
    const outbox = t.app.get(OutboxService);
    let rolledBackId: string | undefined;
    let visibleInsideTx = -1;

    await expect(
      tx.run(async (work) => {
        rolledBackId = await outbox.enqueue(work, { destination: 'webhook', ...ping(receiver) });
        const found = await work.manager.query<Array<{ n: number }>>(
          'SELECT count(*)::int AS n FROM outbox_message WHERE id = $1',
          [rolledBackId],
        );
        visibleInsideTx = found[0]!.n;
        throw new Error('business rule violated after enqueue');
      }),
    ).rejects.toThrow('business rule violated after enqueue');
    const rolledBackAt = Date.now();

    expect(rolledBackId).toMatch(/^[0-9a-f-]{36}$/);
    expect(visibleInsideTx).toBe(1); // it was written in the transaction ...
    expect(await rowOf(t.dataSource, rolledBackId!)).toBeUndefined(); // ... and went away with it

    // Proof the relay is alive and polling this receiver: a committed message afterwards gets through.
    const [sentinelId] = await enqueue(t, [ping(receiver)]);
    await waitForStatus(t.dataSource, sentinelId!, 'delivered');
    // Keep watching for the rest of a one-second window: the rolled-back message never shows up.
    const remaining = 1000 - (Date.now() - rolledBackAt);
    if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));

    expect(receiver.forMessage(rolledBackId!)).toHaveLength(0);
    expect(receiver.requests.map((r) => r.messageId)).toEqual([sentinelId]);
    expect(await rowOf(t.dataSource, rolledBackId!)).toBeUndefined();
  });

  it('delivers a committed message promptly, once, with its id as Idempotency-Key', async () => {
    const receiver = await stub(ok);
    const message = ping(receiver, { messageType: 'test.ping' });
    const [id] = await enqueue(t, [message]);
    const committedAt = Date.now();

    const row = await waitForStatus(t.dataSource, id!, 'delivered');
    expect(row.attempts).toBe(1);
    expect(row.delivered_at).toBeInstanceOf(Date);
    expect(row.last_error).toBeNull();
    expect(row.last_http_status).toBe(200);

    const reqs = receiver.forMessage(id!);
    expect(reqs).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);
    const [req] = reqs;
    // The relay is woken by the commit; it does not wait for a poll, let alone a long one.
    expect(req!.at - committedAt).toBeLessThan(1000);
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/hook');
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
    expect(req!.headers['idempotency-key']).toBe(id);
    expect(req!.headers['x-message-id']).toBe(id);
    expect(req!.headers['x-message-type']).toBe('test.ping');
    expect(req!.headers['x-correlation-id']).toEqual(expect.any(String));
    expect(JSON.parse(req!.body)).toEqual(message.payload);
  });

  it('retries with exponential backoff (503, 503, then 200) and delivers exactly once', async () => {
    const receiver = await stub(sequence(503, 503, 200));
    const [id] = await enqueue(t, [ping(receiver)]);

    const row = await waitForStatus(t.dataSource, id!, 'delivered');
    expect(row.attempts).toBe(3);
    expect(row.last_http_status).toBe(200);

    const reqs = receiver.forMessage(id!);
    expect(reqs).toHaveLength(3);
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(reqs.map((r) => r.headers['idempotency-key']))).toEqual(new Set([id]));
    expect(new Set(reqs.map((r) => r.body)).size).toBe(1);

    // Equal jitter: after failed attempt n the relay waits between d/2 and d, d = min(cap, base * 2^(n-1)).
    const [afterFirst, afterSecond] = gaps(reqs);
    const d1 = Math.min(CAP_MS, BASE_MS * 2 ** 0);
    const d2 = Math.min(CAP_MS, BASE_MS * 2 ** 1);
    expect(afterFirst).toBeGreaterThanOrEqual(d1 / 2 - CLOCK_TOLERANCE_MS);
    expect(afterSecond).toBeGreaterThanOrEqual(d2 / 2 - CLOCK_TOLERANCE_MS);
    // Loose ceilings (polls are 50 ms apart): with the default 1 s base the second gap alone would be ≥ 1 s.
    expect(afterFirst).toBeLessThan(d1 + 800);
    expect(afterSecond).toBeLessThan(d2 + 800);
  });

  it('dead-letters after OUTBOX_MAX_ATTEMPTS failures and lists it among the dead letters', async () => {
    const receiver = await stub(() => ({ status: 500, body: 'receiver exploded' }));
    const [id] = await enqueue(t, [ping(receiver)]);

    const row = await waitForStatus(t.dataSource, id!, 'dead');
    expect(row.attempts).toBe(MAX_ATTEMPTS);
    expect(row.last_error).toMatch(/500/);
    expect(row.last_http_status).toBe(500);
    expect(row.dead_at).toBeInstanceOf(Date);
    expect(row.delivered_at).toBeNull();
    expect(receiver.forMessage(id!)).toHaveLength(MAX_ATTEMPTS);

    const list = await t.http
      .get('/api/v1/admin/outbox/messages?status=dead&limit=500')
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(200);
    const items = list.body.items as Array<{
      id: string;
      status: string;
      attempts: number;
      lastError: string;
    }>;
    expect(items.every((m) => m.status === 'dead')).toBe(true);
    expect(items.find((m) => m.id === id)).toEqual(
      expect.objectContaining({
        status: 'dead',
        attempts: MAX_ATTEMPTS,
        lastError: expect.stringMatching(/500/),
      }),
    );

    const pendingList = await t.http
      .get('/api/v1/admin/outbox/messages?status=pending&limit=500')
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(200);
    expect((pendingList.body.items as Array<{ id: string }>).map((m) => m.id)).not.toContain(id);

    // Nothing more arrives once it is dead: another message through the same receiver is the only traffic.
    receiver.script = ok;
    const [laterId] = await enqueue(t, [ping(receiver)]);
    await waitForStatus(t.dataSource, laterId!, 'delivered');
    expect(receiver.forMessage(id!)).toHaveLength(MAX_ATTEMPTS);
  });

  it('dead-letters a permanently refused message (400) after a single attempt', async () => {
    const receiver = await stub(() => ({ status: 400, body: 'unknown sku' }));
    const [id] = await enqueue(t, [ping(receiver)]);

    const row = await waitForStatus(t.dataSource, id!, 'dead');
    expect(row.attempts).toBe(1);
    expect(row.last_http_status).toBe(400);
    expect(row.last_error).toMatch(/400/);
    expect(row.last_error).toContain('unknown sku');
    expect(receiver.forMessage(id!)).toHaveLength(1);
  });

  it('redrives a dead letter: same message id delivered, audited; a delivered one answers 409', async () => {
    const receiver = await stub(() => ({ status: 500, body: 'down for maintenance' }));
    const [id] = await enqueue(t, [ping(receiver)]);
    await waitForStatus(t.dataSource, id!, 'dead');
    expect(receiver.forMessage(id!)).toHaveLength(MAX_ATTEMPTS);

    const detail = await t.http
      .get(`/api/v1/admin/outbox/messages/${id}`)
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(200);
    expect(detail.body).toEqual(
      expect.objectContaining({
        id,
        status: 'dead',
        attempts: MAX_ATTEMPTS,
        redriveCount: 0,
        destination: 'webhook',
        messageType: 'test.ping',
      }),
    );

    receiver.script = ok;
    const reason = 'receiver fixed (INC-42)';
    const redriven = await t.http
      .post(`/api/v1/admin/outbox/messages/${id}/redrive`)
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ reason })
      .expect(200);
    expect(redriven.body).toEqual(
      expect.objectContaining({ id, status: 'pending', attempts: 0, redriveCount: 1, deadAt: null }),
    );

    const row = await waitForStatus(t.dataSource, id!, 'delivered');
    expect(row.attempts).toBe(1);
    expect(row.redrive_count).toBe(1);
    const reqs = receiver.forMessage(id!);
    expect(reqs).toHaveLength(MAX_ATTEMPTS + 1);
    // The receiver sees the same message (same id / idempotency key) it failed before, so it can deduplicate.
    expect(reqs[MAX_ATTEMPTS]!.headers['idempotency-key']).toBe(id);
    expect(reqs[MAX_ATTEMPTS]!.headers['x-message-id']).toBe(id);
    expect(reqs[MAX_ATTEMPTS]!.body).toBe(reqs[0]!.body);

    const audit = await t.dataSource.query<
      Array<{
        actor_type: string;
        actor_id: string;
        reason: string;
        before: { status: string };
        after: { status: string };
      }>
    >(
      `SELECT actor_type, actor_id, reason, before, after FROM audit_log
        WHERE entity_type = 'outbox_message' AND entity_id = $1 AND action = 'outbox.redriven'`,
      [id],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toEqual(expect.objectContaining({ actor_type: 'user', actor_id: adminId, reason }));
    expect(audit[0]!.before.status).toBe('dead');
    expect(audit[0]!.after.status).toBe('pending');

    const conflict = await t.http
      .post(`/api/v1/admin/outbox/messages/${id}/redrive`)
      .set('Authorization', `Bearer ${adminToken}`)
      .send({})
      .expect(409);
    expect(conflict.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(conflict.body).toEqual(
      expect.objectContaining({ status: 409, code: 'NOT_DEAD_LETTERED', currentStatus: 'delivered' }),
    );
    // The refused redrive changed nothing and sent nothing.
    expect((await rowOf(t.dataSource, id!))!.status).toBe('delivered');
    expect(receiver.forMessage(id!)).toHaveLength(MAX_ATTEMPTS + 1);
  });

  it('redrives all dead letters of one message type at once', async () => {
    const receiver = await stub(() => ({ status: 422, body: 'not yet' }));
    const messageType = unique('test.batch.').slice(0, 100);
    const ids = await enqueue(t, [ping(receiver, { messageType }), ping(receiver, { messageType })]);
    const [otherId] = await enqueue(t, [ping(receiver, { messageType: 'test.other' })]);
    for (const id of [...ids, otherId!]) await waitForStatus(t.dataSource, id, 'dead');

    receiver.script = ok;
    const res = await t.http
      .post('/api/v1/admin/outbox/dead-letters/redrive')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ messageType, reason: 'bulk redrive' })
      .expect(200);
    expect(res.body).toEqual({ redriven: 2 });

    for (const id of ids) await waitForStatus(t.dataSource, id, 'delivered');
    const audited = await t.dataSource.query<Array<{ entity_id: string }>>(
      `SELECT entity_id FROM audit_log WHERE entity_type = 'outbox_message' AND action = 'outbox.redriven' AND entity_id = ANY($1)`,
      [[...ids, otherId]],
    );
    expect(audited.map((a) => a.entity_id).sort()).toEqual([...ids].sort());
    // A dead letter of another type is left alone.
    expect((await rowOf(t.dataSource, otherId!))!.status).toBe('dead');
    expect(receiver.forMessage(otherId!)).toHaveLength(1);
  });

  it('keeps the outbox admin endpoints for admins: 401 without a token, 403 for a planner', async () => {
    const receiver = await stub(() => ({ status: 400 }));
    const [id] = await enqueue(t, [ping(receiver)]);
    await waitForStatus(t.dataSource, id!, 'dead');

    const calls = [
      () => t.http.get('/api/v1/admin/outbox/messages?status=dead'),
      () => t.http.get(`/api/v1/admin/outbox/messages/${id}`),
      () => t.http.post(`/api/v1/admin/outbox/messages/${id}/redrive`).send({}),
      () => t.http.post('/api/v1/admin/outbox/dead-letters/redrive').send({}),
    ];
    for (const call of calls) {
      const anonymous = await call();
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
      const planner = await call().set('Authorization', `Bearer ${plannerToken}`);
      expect(planner.status).toBe(403);
      expect(planner.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    // Neither refused redrive touched the dead letter.
    const row = await rowOf(t.dataSource, id!);
    expect(row).toEqual(expect.objectContaining({ status: 'dead', redrive_count: 0 }));
    expect(receiver.forMessage(id!)).toHaveLength(1);
  });

  it('delivers messages sharing an orderingKey in order, even when the first needs a retry', async () => {
    // A's first attempt fails; everything else is accepted.
    const receiver = await stub((req, nth) =>
      (JSON.parse(req.body) as { step: string }).step === 'A' && nth === 1
        ? { status: 503 }
        : { status: 200 },
    );
    const orderingKey = unique('pick-task-');
    const [a, b, c] = await enqueue(t, [
      ping(receiver, { orderingKey, payload: { step: 'A' } }),
      ping(receiver, { orderingKey, payload: { step: 'B' } }),
      ping(receiver, { orderingKey: unique('other-task-'), payload: { step: 'C' } }),
    ]);

    const rowA = await waitForStatus(t.dataSource, a!, 'delivered');
    await waitForStatus(t.dataSource, b!, 'delivered');
    await waitForStatus(t.dataSource, c!, 'delivered');
    expect(rowA.attempts).toBe(2);

    const order = receiver.requests
      .filter((r) => r.messageId === a || r.messageId === b)
      .map((r) => (r.messageId === a ? 'A' : 'B'));
    expect(order).toEqual(['A', 'A', 'B']);
    const [aFailed, aDelivered] = receiver.forMessage(a!);
    const [bOnly] = receiver.forMessage(b!);
    expect(bOnly!.at).toBeGreaterThanOrEqual(aDelivered!.at);
    expect(bOnly!.at).toBeGreaterThanOrEqual(rowA.delivered_at!.getTime() - CLOCK_TOLERANCE_MS);
    // Another ordering key is not held back by A's retry.
    const [cOnly] = receiver.forMessage(c!);
    expect(cOnly!.at).toBeLessThan(aDelivered!.at);
    expect(aFailed!.at).toBeLessThan(aDelivered!.at);
  });

  it('holds the later messages of an ordering key behind a dead letter until it is redriven, then keeps their order', async () => {
    // A fails until the receiver is "fixed"; everything else is accepted. (A WMS would otherwise get a pick
    // task's cancellation, and the pick task itself only after the redrive.)
    let fixed = false;
    const receiver = await stub((req) =>
      (JSON.parse(req.body) as { step: string }).step === 'A' && !fixed ? { status: 503 } : { status: 200 },
    );
    const orderingKey = unique('work-order-');
    const [a, b] = await enqueue(t, [
      ping(receiver, { orderingKey, payload: { step: 'A' } }),
      ping(receiver, { orderingKey, payload: { step: 'B' } }),
    ]);
    await waitForStatus(t.dataSource, a!, 'dead');
    // Written after A died: it waits behind A as well.
    const [c] = await enqueue(t, [ping(receiver, { orderingKey, payload: { step: 'C' } })]);
    // The relay is busy and passes B and C over: a message of another key, enqueued after them, gets through.
    const [other] = await enqueue(t, [
      ping(receiver, { orderingKey: unique('other-'), payload: { step: 'D' } }),
    ]);
    await waitForStatus(t.dataSource, other!, 'delivered');
    await new Promise((r) => setTimeout(r, 3 * BASE_MS));
    for (const id of [b!, c!]) {
      expect(await rowOf(t.dataSource, id)).toEqual(
        expect.objectContaining({ status: 'pending', attempts: 0 }),
      );
      expect(receiver.forMessage(id)).toHaveLength(0);
    }

    fixed = true;
    await t.http
      .post(`/api/v1/admin/outbox/messages/${a}/redrive`)
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ reason: 'receiver fixed' })
      .expect(200);
    const rowA = await waitForStatus(t.dataSource, a!, 'delivered');
    await waitForStatus(t.dataSource, b!, 'delivered');
    await waitForStatus(t.dataSource, c!, 'delivered');
    const order = receiver.requests
      .filter((r) => [a, b, c].includes(r.messageId))
      .map((r) => (r.messageId === a ? 'A' : r.messageId === b ? 'B' : 'C'));
    expect(order).toEqual([...Array<string>(MAX_ATTEMPTS).fill('A'), 'A', 'B', 'C']);
    expect(receiver.forMessage(b!)[0]!.at).toBeGreaterThanOrEqual(
      rowA.delivered_at!.getTime() - CLOCK_TOLERANCE_MS,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Retry-After: backoff base 50 ms, so only the receiver's Retry-After can explain a one-second wait
// ---------------------------------------------------------------------------------------------------------

describe('outbox: Retry-After', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      OUTBOX_MAX_ATTEMPTS: '5',
      OUTBOX_BACKOFF_BASE_MS: '50',
      OUTBOX_BACKOFF_CAP_MS: '400',
      INSTANCE_ID: unique('relay-'),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('waits as long as a 429 Retry-After asks before trying again', async () => {
    const receiver = await stub(
      sequence({ status: 429, headers: { 'Retry-After': '1' }, body: 'slow down' }, 200),
    );
    const [id] = await enqueue(t, [ping(receiver)]);

    const row = await waitForStatus(t.dataSource, id!, 'delivered', 5000);
    expect(row.attempts).toBe(2);
    const reqs = receiver.forMessage(id!);
    expect(reqs).toHaveLength(2);
    const [gap] = gaps(reqs);
    // Backoff alone would have waited 25-50 ms.
    expect(gap).toBeGreaterThanOrEqual(1000 - CLOCK_TOLERANCE_MS);
    expect(gap).toBeLessThan(1000 + 800);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Two instances sharing one database
// ---------------------------------------------------------------------------------------------------------

// Both databases: on the embedded one all connections share one session, which the wire server hands to one
// connection at a time for a whole exchange (src/platform/database/pglite-wire-server.ts).
describe('outbox: two app instances relaying concurrently', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // Small batches and a slow receiver keep both relays busy at the same time.
    const settings = {
      OUTBOX_BATCH_SIZE: '4',
      OUTBOX_MAX_ATTEMPTS: '5',
      OUTBOX_BACKOFF_BASE_MS: '100',
      OUTBOX_BACKOFF_CAP_MS: '400',
    };
    a = await startTestApp({ ...settings, INSTANCE_ID: unique('relay-a-') });
    b = await startTestApp({ ...settings, INSTANCE_ID: unique('relay-b-') });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('delivers each of 30 messages exactly once between them', async () => {
    const receiver = await stub(() => ({ status: 200, delayMs: 40 }));
    const byA = jest.spyOn(a.app.get(WebhookTransport), 'deliver');
    const byB = jest.spyOn(b.app.get(WebhookTransport), 'deliver');

    // Half enqueued through each instance, concurrently, so both are woken and both poll.
    const batch = (n: number) => Array.from({ length: n }, (_, i) => ping(receiver, { payload: { n: i } }));
    const [idsA, idsB] = await Promise.all([enqueue(a, batch(15)), enqueue(b, batch(15))]);
    const ids = [...idsA, ...idsB];
    expect(new Set(ids).size).toBe(30);

    let lastSeen: unknown;
    await waitFor(
      'all 30 messages delivered',
      async () => {
        const found = await a.dataSource.query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM outbox_message WHERE id = ANY($1) AND status = 'delivered'`,
          [ids],
        );
        if (found[0]!.n === 30) return true;
        lastSeen = await a.dataSource.query(
          `SELECT status, attempts, locked_by, locked_until, next_attempt_at, last_error, now() AS db_now
             FROM outbox_message WHERE id = ANY($1) AND status <> 'delivered'`,
          [ids],
        );
        return undefined;
      },
      15000,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}\nundelivered: ${JSON.stringify(lastSeen)}\nrequests: ${receiver.requests.length}, by A: ${byA.mock.calls.length}, by B: ${byB.mock.calls.length}`,
        { cause: err },
      );
    });

    const perId = new Map<string, number>();
    for (const r of receiver.requests) perId.set(r.messageId, (perId.get(r.messageId) ?? 0) + 1);
    const duplicates = [...perId].filter(([, n]) => n !== 1);
    expect(duplicates).toEqual([]);
    expect([...perId.keys()].sort()).toEqual([...ids].sort());
    expect(receiver.requests).toHaveLength(30);

    const rows = await a.dataSource.query<Array<{ attempts: number; locked_by: string | null }>>(
      `SELECT attempts, locked_by FROM outbox_message WHERE id = ANY($1)`,
      [ids],
    );
    expect(rows.every((r) => r.attempts === 1 && r.locked_by === null)).toBe(true);
    // Both relays did part of the work (otherwise this would not test concurrent claiming at all).
    expect(byA.mock.calls.length).toBeGreaterThan(0);
    expect(byB.mock.calls.length).toBeGreaterThan(0);
    expect(byA.mock.calls.length + byB.mock.calls.length).toBe(30);
  });
});
