import { randomUUID } from 'node:crypto';
import { signRequest } from '../src/platform/auth/hmac-signature';
import { createSite, createUser, login } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

/** Signs like a WMS/ERP would: METHOD\nPATH_WITH_QUERY\nTIMESTAMP\nNONCE\nsha256(body). */
function signed(
  appKey: string,
  secret: string,
  method: string,
  path: string,
  body?: string,
  opts: { timestamp?: number; nonce?: string } = {},
) {
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? randomUUID().replace(/-/g, '');
  const signature = signRequest(secret, { method, pathWithQuery: path, timestamp, nonce, body });
  return { 'X-App-Key': appKey, 'X-Timestamp': timestamp, 'X-Nonce': nonce, 'X-Signature': signature };
}

interface ApiClientCredentials {
  id: string;
  appKey: string;
  secret: string;
}

describe('API clients: AppKey + HMAC-SHA256 signed requests', () => {
  let t: TestApp;
  let site: { id: string; code: string };
  let adminToken: string;
  let client: ApiClientCredentials;

  /** An admin registers a system; the secret is shown once. */
  async function registerClient(name: string, roles: string[]): Promise<ApiClientCredentials> {
    const res = await t.http
      .post('/api/v1/api-clients')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ name, roles, siteIds: [site.id] })
      .expect(201);
    expect(res.body.secret).toEqual(expect.any(String));
    return res.body;
  }

  beforeAll(async () => {
    t = await startTestApp({ HMAC_WINDOW_SECONDS: '300' });
    site = await createSite(t.dataSource);
    adminToken = await login(
      t.http,
      await createUser(t.dataSource, { roles: ['admin'], siteIds: [site.id] }),
    );
    client = await registerClient('ERP connector', ['admin']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('accepts a correctly signed GET with a query string and identifies the client', async () => {
    const path = `/api/v1/auth/me?probe=1&x=${encodeURIComponent('a b')}`;
    const headers = signed(client.appKey, client.secret, 'GET', path);
    const res = await t.http.get(path).set(headers).expect(200);
    expect(res.body).toMatchObject({
      kind: 'api_client',
      id: client.id,
      name: 'ERP connector',
      roles: ['admin'],
      siteIds: [site.id],
    });
  });

  it('accepts a signed POST whose body hash matches, and refuses the same request with a tampered body', async () => {
    const body = JSON.stringify({
      code: `E${site.code}`.slice(0, 32),
      name: 'Created by ERP',
      timeZone: 'Europe/Berlin',
    });
    const headers = signed(client.appKey, client.secret, 'POST', '/api/v1/sites', body);
    const created = await t.http
      .post('/api/v1/sites')
      .set(headers)
      .set('Content-Type', 'application/json')
      .send(body)
      .expect(201);
    expect(created.body.timeZone).toBe('Europe/Berlin');

    const tamperedBody = body.replace('Europe/Berlin', 'Asia/Tokyo');
    const h2 = signed(client.appKey, client.secret, 'POST', '/api/v1/sites', body);
    const res = await t.http
      .post('/api/v1/sites')
      .set(h2)
      .set('Content-Type', 'application/json')
      .send(tamperedBody)
      .expect(401);
    expect(res.body.code).toBe('SIGNATURE_INVALID');
  });

  it('refuses a replayed nonce', async () => {
    const headers = signed(client.appKey, client.secret, 'GET', '/api/v1/auth/me');
    await t.http.get('/api/v1/auth/me').set(headers).expect(200);
    const replay = await t.http.get('/api/v1/auth/me').set(headers).expect(401);
    expect(replay.body.code).toBe('NONCE_REUSED');
  });

  it('refuses a stale timestamp (outside the 5-minute window) and a future one', async () => {
    const now = Math.floor(Date.now() / 1000);
    // Well past the edge: on a slow machine a second or two pass before the server reads the clock.
    for (const ts of [now - 330, now + 330]) {
      const headers = signed(client.appKey, client.secret, 'GET', '/api/v1/auth/me', undefined, {
        timestamp: ts,
      });
      const res = await t.http.get('/api/v1/auth/me').set(headers).expect(401);
      expect(res.body.code).toBe('SIGNATURE_EXPIRED');
    }
  });

  it('refuses a wrong signature and an unknown app key; missing headers are named', async () => {
    const headers = signed(client.appKey, 'not-the-secret', 'GET', '/api/v1/auth/me');
    expect((await t.http.get('/api/v1/auth/me').set(headers).expect(401)).body.code).toBe(
      'SIGNATURE_INVALID',
    );
    const unknown = signed('ak_unknown_client', client.secret, 'GET', '/api/v1/auth/me');
    expect((await t.http.get('/api/v1/auth/me').set(unknown).expect(401)).body.code).toBe('UNKNOWN_APP_KEY');
    const missing = await t.http.get('/api/v1/auth/me').set('X-App-Key', client.appKey).expect(401);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'X-Timestamp',
      'X-Nonce',
      'X-Signature',
    ]);
  });

  it('throttles an app key after 5 bad signatures in a minute and audits the refusals', async () => {
    const c = await registerClient('WMS', ['warehouse']);
    for (let i = 0; i < 5; i++) {
      const bad = signed(c.appKey, 'wrong-secret', 'GET', '/api/v1/auth/me');
      await t.http.get('/api/v1/auth/me').set(bad).expect(401);
    }
    const good = signed(c.appKey, c.secret, 'GET', '/api/v1/auth/me');
    const res = await t.http.get('/api/v1/auth/me').set(good).expect(429);
    expect(res.body.code).toBe('TOO_MANY_FAILURES');
    const rows: Array<{ n: string }> = await t.dataSource.query(
      `SELECT count(*) AS n FROM audit_log WHERE action = 'auth.signature_refused' AND entity_id = $1`,
      [c.appKey],
    );
    expect(Number(rows[0]!.n)).toBe(5);
  });

  it('a client limited to the warehouse role cannot use admin endpoints', async () => {
    const c = await registerClient('WMS 2', ['warehouse']);
    const h = signed(c.appKey, c.secret, 'GET', '/api/v1/users');
    expect((await t.http.get('/api/v1/users').set(h).expect(403)).body.code).toBe('ROLE_REQUIRED');
  });
});
