import { startTestApp, type TestApp } from './support/test-app';
import { createSite, createUser, login } from './support/builders';

describe('platform smoke: a user signs in and sees their site', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('liveness and readiness answer', async () => {
    await t.http.get('/health').expect(200, { status: 'ok' });
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.details.database.status).toBe('up');
  });

  it('signs in and lists only the sites the user belongs to', async () => {
    const mine = await createSite(t.dataSource);
    const other = await createSite(t.dataSource);
    const user = await createUser(t.dataSource, { roles: ['planner'], siteIds: [mine.id] });
    const token = await login(t.http, user);
    const res = await t.http.get('/api/v1/sites').set('Authorization', `Bearer ${token}`).expect(200);
    const codes = (res.body as Array<{ code: string }>).map((s) => s.code);
    expect(codes).toEqual([mine.code]);
    expect(codes).not.toContain(other.code);
  });
});
