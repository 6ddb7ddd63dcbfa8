import { OutboxService } from '../src/platform/outbox/outbox.service';
import { TransactionRunner } from '../src/platform/database/transaction-runner';
import { siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

describe('operations: metrics and the API description', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No relay here, so an enqueued message stays in the backlog.
    t = await startTestApp({ OUTBOX_RELAY_ENABLED: 'false' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('exposes HTTP latency by route template, the DB pool and the outbox backlog and age to Prometheus', async () => {
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    await t.http
      .get(`/api/v1/sites/${site.id}`)
      .set('Authorization', `Bearer ${users.viewer.token}`)
      .expect(200);
    await t.app.get(TransactionRunner).run((tx) =>
      t.app.get(OutboxService).enqueue(tx, {
        destination: 'webhook',
        messageType: 'test.metrics',
        payload: {},
        target: { url: 'http://127.0.0.1:9/x' },
      }),
    );
    await new Promise((r) => setTimeout(r, 1100));
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const text = res.text;
    expect(text).toMatch(
      /mom_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/sites\/:id"[^}]*status="200"/,
    );
    expect(text).toMatch(/^mom_db_pool_connections\{state="total"\} [1-9]/m);
    expect(text).toMatch(/^mom_outbox_messages\{status="pending"\} [1-9]/m);
    const age = Number(/^mom_outbox_oldest_pending_age_seconds (\S+)/m.exec(text)?.[1]);
    expect(age).toBeGreaterThanOrEqual(1);
  });

  it('describes every endpoint, its schemas and both auth schemes in OpenAPI', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body;
    expect(doc.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      hmac: { type: 'apiKey', name: 'X-App-Key' },
    });
    const ops = Object.entries(
      doc.paths as Record<
        string,
        Record<string, { security?: unknown[]; responses: Record<string, unknown> }>
      >,
    ).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    const paths = ops.map((o) => `${o.method.toUpperCase()} ${o.path}`);
    for (const expected of [
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/terminal-login',
      'GET /api/v1/users',
      'POST /api/v1/signatures',
      'GET /api/v1/audit',
      'POST /api/v1/admin/outbox/messages/{id}/redrive',
      'GET /health/ready',
    ]) {
      expect(paths).toContain(expected);
    }
    const login = ops.find((o) => o.path === '/api/v1/auth/login')!.op;
    expect(login.security).toEqual([]);
    const users = ops.find((o) => o.path === '/api/v1/users' && o.method === 'get')!.op;
    expect(users.security).toEqual([{ bearer: [] }, { hmac: [] }]);
    expect(users.responses.default).toBeDefined();
    expect(doc.components.schemas.CreateUserDto.properties.roles).toBeDefined();
  });
});

describe('operations: readiness follows the database', () => {
  it('answers 503 problem+json on /health/ready once the database is unreachable, while /health stays up', async () => {
    const t = await startTestApp();
    try {
      await t.http.get('/health/ready').expect(200);
      await t.dataSource.destroy(); // the pool is gone: as good as a database outage for this instance
      const res = await t.http.get('/health/ready').expect(503);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('NOT_READY');
      expect(res.body.checks.details.database.status).toBe('down');
      await t.http.get('/health').expect(200, { status: 'ok' });
    } finally {
      await t.close();
    }
  });
});
