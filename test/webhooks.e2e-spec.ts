import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from './support/eventually';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A subscriber's endpoint: records every request and answers with the next status of `plan` (then 200). */
async function receiver(plan: number[] = []): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = plan.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, server };
}

/** What a subscriber does with a delivery: check the signature over timestamp + "." + body. */
function signatureValid(secret: string, r: Received): boolean {
  const ts = String(r.headers['x-webhook-timestamp']);
  const expected = `v1=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`;
  return r.headers['x-webhook-signature'] === expected;
}

/**
 * Webhook subscribers: registered by an admin with event types; each event is written to the outbox with the
 * change (a refused change sends nothing), delivered signed, retried until accepted (one event, one id however
 * many attempts), dead-lettered after the last attempt and redriven.
 */
describe('webhooks: signed, retried and dead-lettered deliveries to subscribers', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const servers: Server[] = [];

  const admin = () => f.auth(f.users.admin.token);
  const deliveries = async (id: string) =>
    (
      await t.http
        .get(f.url(`webhooks/${id}/deliveries`))
        .set(admin())
        .expect(200)
    ).body.items as Array<{
      id: string;
      event: string;
      status: string;
      attempts: number;
      lastHttpStatus: number | null;
    }>;
  const receive = (lotCode: string) =>
    t.http
      .post(f.url('inventory/receipts'))
      .set(f.auth(f.users.warehouse.token))
      .send({ material: 'GREASE', quantity: '5', location: 'WH', lotCode })
      .expect(201);
  const hold = (lotCode: string) =>
    t.http
      .post(f.url(`lots/${lotCode}/hold`))
      .set(f.auth(f.users.quality.token))
      .send({ reason: 'smell' });

  beforeAll(async () => {
    t = await startTestApp({
      OUTBOX_MAX_ATTEMPTS: '3',
      OUTBOX_BACKOFF_BASE_MS: '50',
      OUTBOX_BACKOFF_CAP_MS: '200',
    });
    f = await productionFactory(t);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('refuses unknown event types and shows the secret only once', async () => {
    const bad = await t.http
      .post(f.url('webhooks'))
      .set(admin())
      .send({
        name: 'ERP',
        url: 'https://erp.example.com/hooks',
        eventTypes: ['inventory.lot.status_changed', 'lot.eaten'],
      })
      .expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'eventTypes[1]' })]);
    const notUrl = await t.http
      .post(f.url('webhooks'))
      .set(admin())
      .send({ name: 'ERP', url: 'ftp://erp', eventTypes: ['inventory.lot.status_changed'] })
      .expect(400);
    expect(notUrl.body.errors.map((e: { field: string }) => e.field)).toEqual(['url']);
    expect((await t.http.get(f.url('webhooks')).set(admin()).expect(200)).body).toEqual([]);
    await t.http.get(f.url('webhooks')).set(f.auth(f.users.planner.token)).expect(403);
    const events = await t.http.get(f.url('webhooks/events')).set(admin()).expect(200);
    expect(events.body).toContain('quality.spc.violation');
  });

  it('delivers an event signed, retries a failing receiver and delivers it once, and sends nothing for a refused change', async () => {
    const hook = await receiver([503, 500]);
    servers.push(hook.server);
    const created = await t.http
      .post(f.url('webhooks'))
      .set(admin())
      .send({ name: 'Quality feed', url: hook.url, eventTypes: ['inventory.lot.status_changed'] })
      .expect(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const shown = await t.http
      .get(f.url(`webhooks/${created.body.id}`))
      .set(admin())
      .expect(200);
    expect(shown.body.secret).toBeUndefined();
    expect(JSON.stringify(shown.body)).not.toContain(secret);

    await receive('GR-W1');
    await hold('GR-W1').expect(200);
    // Held twice: the second is refused (409) and rolls back — nothing is sent for it.
    await hold('GR-W1').expect(409);
    const delivered = await eventually(async () => {
      const list = await deliveries(created.body.id);
      return list.length === 1 && list[0]!.status === 'delivered' ? list : undefined;
    }, 'the delivery');
    expect(delivered[0]).toMatchObject({
      event: 'inventory.lot.status_changed',
      attempts: 3,
      lastHttpStatus: 200,
    });
    // Three attempts of one event: the same id each time, every one signed with the secret.
    expect(hook.received).toHaveLength(3);
    expect(new Set(hook.received.map((r) => r.headers['x-webhook-id']))).toEqual(new Set([delivered[0]!.id]));
    expect(hook.received.every((r) => signatureValid(secret, r))).toBe(true);
    expect(signatureValid('whsec_wrong', hook.received[2]!)).toBe(false);
    const body = JSON.parse(hook.received[2]!.body);
    expect(body).toMatchObject({
      type: 'inventory.lot.status_changed',
      siteId: f.site.id,
      data: { lotCode: 'GR-W1', status: 'hold', previousStatus: 'available' },
    });

    // A rotated secret signs the next delivery; the old one no longer verifies.
    const rotated = await t.http
      .post(f.url(`webhooks/${created.body.id}/rotate-secret`))
      .set(admin())
      .send({})
      .expect(200);
    await t.http
      .post(f.url(`webhooks/${created.body.id}/ping`))
      .set(admin())
      .expect(202);
    const ping = await eventually(
      async () => hook.received.find((r) => r.headers['x-webhook-event'] === 'ping'),
      'the ping',
    );
    expect(signatureValid(rotated.body.secret, ping)).toBe(true);
    expect(signatureValid(secret, ping)).toBe(false);
  });

  it('dead-letters after the last attempt and delivers on redrive', async () => {
    const hook = await receiver([500, 500, 500]);
    servers.push(hook.server);
    const created = await t.http
      .post(f.url('webhooks'))
      .set(admin())
      .send({ name: 'Flaky', url: hook.url, eventTypes: ['inventory.lot.status_changed'] })
      .expect(201);
    await receive('GR-W2');
    await hold('GR-W2').expect(200);
    const dead = await eventually(async () => {
      const list = await deliveries(created.body.id);
      return list[0]?.status === 'dead' ? list[0] : undefined;
    }, 'the dead letter');
    expect(dead).toMatchObject({ attempts: 3, lastHttpStatus: 500 });
    expect(hook.received).toHaveLength(3);
    await t.http
      .post(`/api/v1/admin/outbox/messages/${dead.id}/redrive`)
      .set(admin())
      .send({ reason: 'receiver fixed' })
      .expect(200);
    await eventually(async () => {
      const list = await deliveries(created.body.id);
      return list[0]?.status === 'delivered' ? list : undefined;
    }, 'the redriven delivery');
    expect(hook.received).toHaveLength(4);
    expect(new Set(hook.received.map((r) => r.headers['x-webhook-id'])).size).toBe(1);
  });
});
