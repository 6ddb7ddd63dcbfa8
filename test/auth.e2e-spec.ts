import { createSite, createUser, login, siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

const PROBLEM = /application\/problem\+json/;

describe('authentication and authorisation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_MAX_FAILURES: '5', AUTH_FAILURE_WINDOW_SECONDS: '60' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 401 problem+json without a token and with a forged one', async () => {
    const none = await t.http.get('/api/v1/sites').expect(401);
    expect(none.headers['content-type']).toMatch(PROBLEM);
    expect(none.body).toMatchObject({ status: 401, code: 'AUTHENTICATION_REQUIRED' });
    const forged = await t.http
      .get('/api/v1/sites')
      .set('Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad')
      .expect(401);
    expect(forged.body.code).toBe('TOKEN_INVALID');
  });

  it('keeps login, health and docs public', async () => {
    await t.http.get('/health').expect(200);
    await t.http.get('/api/docs-json').expect(200);
    await t.http.post('/api/v1/auth/login').send({ username: 'nobody-here', password: 'x' }).expect(401);
  });

  it('answers 403 for a wrong role and for another site’s data', async () => {
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    const other = await createSite(t.dataSource);
    const asPlanner = await t.http
      .post('/api/v1/sites')
      .set('Authorization', `Bearer ${users.planner.token}`)
      .send({ code: 'X1', name: 'x', timeZone: 'UTC' })
      .expect(403);
    expect(asPlanner.body).toMatchObject({ code: 'ROLE_REQUIRED', requiredRoles: ['admin'] });

    await t.http
      .get(`/api/v1/sites/${site.id}`)
      .set('Authorization', `Bearer ${users.viewer.token}`)
      .expect(200);
    const foreign = await t.http
      .get(`/api/v1/sites/${other.id}`)
      .set('Authorization', `Bearer ${users.viewer.token}`)
      .expect(403);
    expect(foreign.body.code).toBe('SITE_FORBIDDEN');

    // An admin of one site cannot change a site, or a user, of another.
    await t.http
      .patch(`/api/v1/sites/${other.id}`)
      .set('Authorization', `Bearer ${users.admin.token}`)
      .send({ name: 'taken over' })
      .expect(403);
    const stranger = await createUser(t.dataSource, { roles: ['operator'], siteIds: [other.id] });
    await t.http
      .patch(`/api/v1/users/${stranger.id}`)
      .set('Authorization', `Bearer ${users.admin.token}`)
      .send({ roles: ['admin'] })
      .expect(403);
    const roles: Array<{ roles: string[] }> = await t.dataSource.query(
      'SELECT roles FROM app_user WHERE id = $1',
      [stranger.id],
    );
    expect(roles[0]!.roles).toEqual(['operator']);
  });

  it('admin manages users of their site; role changes apply to the next request', async () => {
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    const created = await t.http
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${users.admin.token}`)
      .send({
        username: `new.${site.code}`,
        displayName: '新用户',
        password: 'longenough1',
        roles: ['viewer'],
        siteIds: [site.id],
      })
      .expect(201);
    expect(created.body).toMatchObject({ roles: ['viewer'], siteIds: [site.id], active: true });
    expect(created.body.passwordHash).toBeUndefined();
    const token = await login(t.http, { username: `new.${site.code}`, password: 'longenough1' });
    await t.http
      .post('/api/v1/sites')
      .set('Authorization', `Bearer ${token}`)
      .send({ code: 'Y1', name: 'y', timeZone: 'UTC' })
      .expect(403);

    await t.http
      .patch(`/api/v1/users/${created.body.id}`)
      .set('Authorization', `Bearer ${users.admin.token}`)
      .send({ active: false })
      .expect(200);
    const disabled = await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
    expect(disabled.body.code).toBe('TOKEN_INVALID');
    const relogin = await t.http
      .post('/api/v1/auth/login')
      .send({ username: `new.${site.code}`, password: 'longenough1' })
      .expect(401);
    expect(relogin.body.code).toBe('ACCOUNT_DISABLED');

    const dup = await t.http
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${users.admin.token}`)
      .send({
        username: `NEW.${site.code}`,
        displayName: 'dup',
        password: 'longenough1',
        roles: ['viewer'],
        siteIds: [site.id],
      })
      .expect(409);
    expect(dup.body.errors).toEqual([{ field: 'username', message: 'is already taken' }]);
  });

  it('throttles login after 5 failures in a minute (429 with Retry-After), even with the right password, and audits them', async () => {
    const site = await createSite(t.dataSource);
    const user = await createUser(t.dataSource, { roles: ['planner'], siteIds: [site.id] });
    for (let i = 0; i < 5; i++) {
      const res = await t.http
        .post('/api/v1/auth/login')
        .send({ username: user.username, password: 'wrong' });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('INVALID_CREDENTIALS');
    }
    const throttled = await t.http
      .post('/api/v1/auth/login')
      .send({ username: user.username, password: user.password })
      .expect(429);
    expect(throttled.headers['content-type']).toMatch(PROBLEM);
    expect(throttled.body.code).toBe('TOO_MANY_FAILURES');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(60);

    const audited: Array<{ n: string }> = await t.dataSource.query(
      `SELECT count(*) AS n FROM audit_log WHERE action = 'auth.login_refused' AND entity_id = $1`,
      [user.id],
    );
    expect(Number(audited[0]!.n)).toBe(5);
    // Another account is not affected.
    const other = await createUser(t.dataSource, { roles: ['planner'], siteIds: [site.id] });
    await login(t.http, other);
  });

  it('a password change voids earlier tokens and returns a working one', async () => {
    const site = await createSite(t.dataSource);
    const user = await createUser(t.dataSource, { roles: ['quality'], siteIds: [site.id] });
    const old = await login(t.http, user);
    await new Promise((r) => setTimeout(r, 1100)); // tokens carry second-resolution issue times
    const res = await t.http
      .post('/api/v1/auth/password')
      .set('Authorization', `Bearer ${old}`)
      .send({ currentPassword: user.password, newPassword: 'a brand new secret' })
      .expect(200);
    await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${old}`).expect(401);
    const me = await t.http
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${res.body.accessToken}`)
      .expect(200);
    expect(me.body).toMatchObject({ id: user.id, roles: ['quality'], siteIds: [site.id] });
  });

  describe('operators at a registered terminal', () => {
    it('sign in with badge + PIN; the token names the terminal', async () => {
      const { site, users } = await siteWithStaff(t.dataSource, t.http);
      const reg = await t.http
        .post('/api/v1/terminals')
        .set('Authorization', `Bearer ${users.admin.token}`)
        .send({ code: `T-${site.code}`, name: 'Line 1 terminal', siteId: site.id })
        .expect(201);
      expect(reg.body.deviceKey).toEqual(expect.any(String));
      const badge = `B${site.code}`.slice(0, 60);
      const op = await createUser(t.dataSource, {
        roles: ['operator'],
        siteIds: [site.id],
        badgeCode: badge,
        pin: '2468',
      });

      const ok = await t.http
        .post('/api/v1/auth/terminal-login')
        .send({
          terminalCode: `T-${site.code}`,
          deviceKey: reg.body.deviceKey,
          badgeCode: badge,
          pin: '2468',
        })
        .expect(200);
      const me = await t.http
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${ok.body.accessToken}`)
        .expect(200);
      expect(me.body).toMatchObject({ id: op.id, roles: ['operator'], terminalId: reg.body.id });

      const wrongPin = await t.http
        .post('/api/v1/auth/terminal-login')
        .send({
          terminalCode: `T-${site.code}`,
          deviceKey: reg.body.deviceKey,
          badgeCode: badge,
          pin: '1111',
        })
        .expect(401);
      expect(wrongPin.body.code).toBe('INVALID_CREDENTIALS');
      const wrongDevice = await t.http
        .post('/api/v1/auth/terminal-login')
        .send({ terminalCode: `T-${site.code}`, deviceKey: 'x'.repeat(32), badgeCode: badge, pin: '2468' })
        .expect(401);
      expect(wrongDevice.body.code).toBe('TERMINAL_UNKNOWN');

      // An operator of another site cannot sign in at this terminal.
      const otherSite = await createSite(t.dataSource);
      const outsiderBadge = `O${site.code}`.slice(0, 60);
      await createUser(t.dataSource, {
        roles: ['operator'],
        siteIds: [otherSite.id],
        badgeCode: outsiderBadge,
        pin: '2468',
      });
      await t.http
        .post('/api/v1/auth/terminal-login')
        .send({
          terminalCode: `T-${site.code}`,
          deviceKey: reg.body.deviceKey,
          badgeCode: outsiderBadge,
          pin: '2468',
        })
        .expect(401);
    });
  });
});
