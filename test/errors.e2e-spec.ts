import type request from 'supertest';
import { siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

const PROBLEM = /application\/problem\+json/;

describe('errors are problem+json with field-level messages and change nothing', () => {
  let t: TestApp;
  let admin: string;
  let siteId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    admin = users.admin.token;
    siteId = site.id;
  });
  afterAll(async () => {
    await t.close();
  });

  const countUsers = async (): Promise<number> =>
    Number((await t.dataSource.query<Array<{ n: string }>>('SELECT count(*) AS n FROM app_user'))[0]!.n);

  it('400 for wrong types, unknown fields, bad enums and oversized strings — each field named, nothing created', async () => {
    const before = await countUsers();
    const res = await t.http
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        username: 'ok.name',
        displayName: 'x'.repeat(5000),
        password: 12345678,
        roles: ['admin', 'superuser'],
        siteIds: ['not-a-uuid'],
        isRoot: true,
      })
      .expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      type: '/problems/validation-failed',
      title: 'Bad Request',
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    const fields = new Set((res.body.errors as Array<{ field: string }>).map((e) => e.field));
    expect([...fields].sort()).toEqual(['displayName', 'isRoot', 'password', 'roles', 'siteIds']);
    expect(res.body.errors).toContainEqual({ field: 'isRoot', message: 'isRoot should not exist' });
    expect(res.body.correlationId).toBe(res.headers['x-correlation-id']);
    expect(res.body.stack).toBeUndefined();
    expect(await countUsers()).toBe(before);
  });

  it('400 for non-finite numbers and absurd page sizes in queries', async () => {
    for (const q of ['limit=NaN', 'limit=Infinity', 'limit=1e6', 'limit=-1', 'offset=abc', 'limit=2.5']) {
      const res = await t.http.get(`/api/v1/users?${q}`).set('Authorization', `Bearer ${admin}`).expect(400);
      expect(res.body.errors[0].field).toBe(q.split('=')[0]);
    }
  });

  it('400 for a query value a uuid column would refuse (a non-UUID ticket assignee was a 500)', async () => {
    const tickets = `/api/v1/sites/${siteId}/maintenance/tickets`;
    const bad = await t.http
      .get(`${tickets}?assignee=EzD5YwzBMp`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(400);
    expect(bad.body.errors).toEqual([
      { field: 'assignee', message: 'assignee must be a technician id or "me"' },
    ]);
    await t.http.get(`${tickets}?assignee=me`).set('Authorization', `Bearer ${admin}`).expect(200);
  });

  it('400, not 500, for null where a column holds none, a list where an object is due, an integer beyond its column', async () => {
    const as = (req: request.Test) => req.set('Authorization', `Bearer ${admin}`);
    const nullUnit = await as(t.http.post(`/api/v1/sites/${siteId}/units`))
      .send({ code: 'FUZZ-U', name: 'Unit', dimension: 'count', decimals: null })
      .expect(400);
    const fields = (res: request.Response) => [
      ...new Set(res.body.errors.map((e: { field: string }) => e.field)),
    ];
    expect(fields(nullUnit)).toEqual(['decimals']);
    const nullName = await as(t.http.patch(`/api/v1/sites/${siteId}`))
      .send({ name: null })
      .expect(400);
    expect(fields(nullName)).toEqual(['name']);
    // A column with a default is not "give me the default" when sent null (found by the fuzz's null sweep).
    const sitesBefore = (await as(t.http.get('/api/v1/sites')).expect(200)).body;
    const nullCurrency = await as(t.http.post('/api/v1/sites'))
      .send({ code: 'FUZZ-S', name: 'Site', timeZone: 'Asia/Shanghai', currency: null })
      .expect(400);
    expect(fields(nullCurrency)).toEqual(['currency']);
    expect((await as(t.http.get('/api/v1/sites')).expect(200)).body).toEqual(sitesBefore);
    const me = (await as(t.http.get('/api/v1/auth/me')).expect(200)).body as { id: string };
    const nullActive = await as(t.http.patch(`/api/v1/users/${me.id}`))
      .send({ active: null, locale: null })
      .expect(400);
    expect(fields(nullActive).sort()).toEqual(['active', 'locale']);
    const nestedList = await as(t.http.post(`/api/v1/sites/${siteId}/quality/ncrs`))
      .set('Idempotency-Key', 'errors-spec-nested-list-1')
      .send({ source: 'terminal', title: 'Burr', lots: [[{ lot: 'L-1', quantity: '1' }]] })
      .expect(400);
    expect(nestedList.body.errors).toEqual([
      { field: 'lots[0]', message: 'each item must be an object, not a list' },
    ]);
    const huge = await as(t.http.post(`/api/v1/sites/${siteId}/work-orders`))
      .set('Content-Type', 'application/json')
      .send(
        '{"material":"X","quantity":"1","dueAt":"2030-01-01T00:00:00Z","bomRevision":1.7976931348623157e308}',
      )
      .expect(400);
    expect(fields(huge)).toEqual(['bomRevision']);
  });

  it('400 when a number overflows to Infinity in JSON (1e999) where a string is due', async () => {
    const res = await t.http
      .patch(`/api/v1/sites/${siteId}`)
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'application/json')
      .send('{"name": 1e999}')
      .expect(400);
    expect(res.body.errors).toContainEqual({ field: 'name', message: 'name must be a string' });
  });

  it('400 MALFORMED_JSON for a body that is not JSON', async () => {
    const res = await t.http
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username": "a",')
      .expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.code).toBe('MALFORMED_JSON');
    expect(res.headers['x-correlation-id']).toEqual(expect.any(String));
  });

  it('413 for a 10 MB body, before it reaches any handler', async () => {
    const huge = JSON.stringify({ username: 'x', password: 'y'.repeat(10 * 1024 * 1024) });
    const res = await t.http
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send(huge)
      .expect(413);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('400 JSON_TOO_DEEP for a body nested thousands of levels deep (it used to overflow the stack: 500)', async () => {
    for (const body of [
      `{"name":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
      `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    ]) {
      const res = await t.http
        .patch(`/api/v1/sites/${siteId}`)
        .set('Authorization', `Bearer ${admin}`)
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ status: 400, code: 'JSON_TOO_DEEP' });
    }
    // Brackets inside strings are text, not nesting.
    const res = await t.http
      .patch(`/api/v1/sites/${siteId}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: '['.repeat(1000) })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('400 JSON_TOO_MANY_ITEMS for an array of 100,000 items (validating them held the event loop for seconds)', async () => {
    const res = await t.http
      .patch(`/api/v1/sites/${siteId}`)
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'application/json')
      .send(`{"name":[${Array(100_000).fill('{}').join(',')}]}`)
      .expect(400);
    expect(res.body).toMatchObject({ status: 400, code: 'JSON_TOO_MANY_ITEMS' });
  });

  it('400 for U+0000 in a body, a CSV or the URL (PostgreSQL cannot store it) and for lone surrogates: both were 500', async () => {
    const body = await t.http
      .patch(`/api/v1/sites/${siteId}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'a\u0000b' })
      .expect(400);
    expect(body.body).toMatchObject({ status: 400, code: 'NUL_CHARACTER' });
    const csv = await t.http
      .post(`/api/v1/sites/${siteId}/units/import`)
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'text/csv')
      .send('code,name\r\nX\u0000,Y\r\n')
      .expect(400);
    expect(csv.body.code).toBe('NUL_CHARACTER');
    const url = await t.http
      .get(`/api/v1/sites/${siteId}/units/by-code/A%00B`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(400);
    expect(url.headers['content-type']).toMatch(PROBLEM);
    expect(url.body.code).toBe('NUL_CHARACTER');
    // Half of a surrogate pair is not text either (the e-mail validator threw on it: 500).
    const surrogate = await t.http
      .patch(`/api/v1/sites/${siteId}`)
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'application/json')
      .send('{"name":"x\\udc00"}')
      .expect(400);
    expect(surrogate.body.code).toBe('INVALID_UNICODE');
    // An escaped backslash followed by "u0000" is text, not a NUL.
    const text = await t.http
      .patch(`/api/v1/sites/${siteId}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'a\\u0000b', unexpected: 1 })
      .expect(400);
    expect(text.body.code).toBe('VALIDATION_FAILED');
  });

  it('400, not 500, when a number overflowing to Infinity reaches a route that hashes its body for idempotency', async () => {
    const res = await t.http
      .post(`/api/v1/sites/${siteId}/inventory/counts`)
      .set('Authorization', `Bearer ${admin}`)
      .set('Idempotency-Key', 'errors-spec-infinity-1')
      .set('Content-Type', 'application/json')
      .send('{"lot":"X","location":"Y","countedQty":1e999}')
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('problem+json also for what is refused before routing: bad URLs, over-long segments, huge headers', async () => {
    const badUrl = await fetch(`${t.url}/api/v1/sites/%ZZ`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(badUrl.status).toBe(400);
    expect(badUrl.headers.get('content-type')).toMatch(PROBLEM);
    expect(await badUrl.json()).toMatchObject({ status: 400, code: 'MALFORMED_URL' });
    expect(badUrl.headers.get('x-correlation-id')).toEqual(expect.any(String));

    // A POST: for a GET the router falls back to the web pages' catch-all route, a 404 problem.
    const longSegment = await fetch(`${t.url}/api/v1/sites/${siteId}/areas/${'a'.repeat(8000)}/deactivate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(longSegment.status).toBe(414);
    expect(longSegment.headers.get('content-type')).toMatch(PROBLEM);
    expect(await longSegment.json()).toMatchObject({ status: 414, code: 'MALFORMED_URL' });

    // Over Node's 16 KiB limit for the request line and headers: refused by the HTTP parser itself.
    const huge = await fetch(`${t.url}/api/v1/sites`, {
      headers: { authorization: `Bearer ${admin}`, 'x-padding': 'p'.repeat(20_000) },
    });
    expect(huge.status).toBe(431);
    expect(huge.headers.get('content-type')).toMatch(PROBLEM);
    expect(await huge.json()).toMatchObject({
      type: '/problems/headers-too-large',
      status: 431,
      code: 'HEADERS_TOO_LARGE',
      correlationId: expect.any(String),
    });
  });

  it('400 naming the parameter for a malformed id; 404 problem for unknown ids and routes', async () => {
    const bad = await t.http.get('/api/v1/sites/123').set('Authorization', `Bearer ${admin}`).expect(400);
    expect(bad.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    const missing = await t.http
      .get('/api/v1/users/00000000-0000-4000-8000-000000000000')
      .set('Authorization', `Bearer ${admin}`)
      .expect(404);
    expect(missing.body.code).toBe('NOT_FOUND');
    const route = await t.http
      .get('/api/v1/no-such-thing')
      .set('Authorization', `Bearer ${admin}`)
      .expect(404);
    expect(route.headers['content-type']).toMatch(PROBLEM);
  });

  it('every response carries X-Correlation-Id, echoing a well-formed incoming one', async () => {
    const echoed = await t.http.get('/health').set('X-Correlation-Id', 'wms-req-42').expect(200);
    expect(echoed.headers['x-correlation-id']).toBe('wms-req-42');
    const replaced = await t.http
      .get('/health')
      .set('X-Correlation-Id', 'bad id with spaces <script>')
      .expect(200);
    expect(replaced.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    const failing = await t.http.get('/api/v1/sites').expect(401);
    expect(failing.body.correlationId).toBe(failing.headers['x-correlation-id']);
  });

  it('sets security headers (helmet)', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
