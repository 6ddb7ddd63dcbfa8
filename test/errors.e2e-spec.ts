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
