import { randomUUID } from 'node:crypto';
import { createSite, createUser, unique } from './support/builders';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * A terminal registered for a work center: the registration keeps the work center (of the same site only), the
 * operator signed in there learns it from whoami, and the work center's open andon calls are listed with who
 * raised and acknowledged them.
 */
describe('production: the terminal of a work center', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const pin = '1357';
  let badge: string;
  let operatorName: string;

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const admin = () => as(f.users.admin.token);
  const register = (body: object) => t.http.post('/api/v1/terminals').set(admin()).send(body);
  const signIn = async (terminal: { code: string; deviceKey: string }) =>
    (
      await t.http
        .post('/api/v1/auth/terminal-login')
        .send({ terminalCode: terminal.code, deviceKey: terminal.deviceKey, badgeCode: badge, pin })
        .expect(200)
    ).body.accessToken as string;

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    badge = unique('BW').slice(0, 32);
    const user = await createUser(t.dataSource, {
      roles: ['operator'],
      siteIds: [f.site.id],
      badgeCode: badge,
      pin,
    });
    operatorName = `User ${user.username}`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('registers a terminal for a work center of its site and refuses one of another site', async () => {
    const other = await createSite(t.dataSource);
    const refused = await register({
      code: unique('T-X-').slice(0, 40),
      name: 'Wrong site',
      siteId: other.id,
      workCenterId: f.workCenters.turn.id,
    });
    // The administrator has no access to the other site at all: refused before the work center is looked at.
    expect([403, 400]).toContain(refused.status);

    const mismatch = await register({
      code: unique('T-X-').slice(0, 40),
      name: 'Unknown work center',
      siteId: f.site.id,
      workCenterId: randomUUID(),
    }).expect(400);
    expect(mismatch.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'workCenterId', message: 'no such work center' }],
    });
    const malformed = await register({
      code: unique('T-X-').slice(0, 40),
      name: 'Malformed',
      siteId: f.site.id,
      workCenterId: 'TURN',
    }).expect(400);
    expect(malformed.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'workCenterId' })]),
    );

    const code = unique('T-TURN-').slice(0, 40);
    const registered = await register({
      code,
      name: 'Turning terminal',
      siteId: f.site.id,
      workCenterId: f.workCenters.turn.id,
    }).expect(201);
    expect(registered.body).toMatchObject({
      code,
      siteId: f.site.id,
      workCenterId: f.workCenters.turn.id,
      deviceKey: expect.any(String),
    });
    const listed = await t.http.get('/api/v1/terminals').set(admin()).expect(200);
    expect(listed.body.find((x: { code: string }) => x.code === code)).toMatchObject({
      workCenterId: f.workCenters.turn.id,
    });

    // An older registration without a work center still works (null).
    const plain = await register({
      code: unique('T-PLAIN-').slice(0, 40),
      name: 'Plain',
      siteId: f.site.id,
    }).expect(201);
    expect(plain.body.workCenterId).toBeNull();
  });

  it('tells the operator signed in at the terminal which work center it serves (whoami)', async () => {
    const registered = await register({
      code: unique('T-ASSY-').slice(0, 40),
      name: 'Assembly terminal',
      siteId: f.site.id,
      workCenterId: f.workCenters.assy.id,
    }).expect(201);
    const token = await signIn(registered.body);
    const me = await t.http.get('/api/v1/terminal/whoami').set(as(token)).expect(200);
    expect(me.body).toMatchObject({
      operator: { name: operatorName, roles: ['operator'], siteIds: [f.site.id] },
      terminal: {
        id: registered.body.id,
        code: registered.body.code,
        siteId: f.site.id,
        workCenterId: f.workCenters.assy.id,
        active: true,
      },
      workCenter: { id: f.workCenters.assy.id, code: 'ASSY' },
    });
    // The dispatch list of that terminal defaults to its work center.
    await t.http.get('/api/v1/terminal/dispatch').set(as(token)).expect(200);

    const plain = await register({
      code: unique('T-PLAIN-').slice(0, 40),
      name: 'Plain',
      siteId: f.site.id,
    }).expect(201);
    const plainMe = await t.http
      .get('/api/v1/terminal/whoami')
      .set(as(await signIn(plain.body)))
      .expect(200);
    expect(plainMe.body).toMatchObject({ terminal: { workCenterId: null }, workCenter: null });

    // Signed in with a password (no terminal): the person only.
    const desk = await t.http.get('/api/v1/terminal/whoami').set(as(f.users.planner.token)).expect(200);
    expect(desk.body).toMatchObject({ terminal: null, workCenter: null });
    await t.http.get('/api/v1/terminal/whoami').expect(401);
  });

  it('lists the open andon calls of the terminal work center with who raised and acknowledged them', async () => {
    const registered = await register({
      code: unique('T-TURN-').slice(0, 40),
      name: 'Turning terminal',
      siteId: f.site.id,
      workCenterId: f.workCenters.turn.id,
    }).expect(201);
    const token = await signIn(registered.body);
    const raise = (body: object) =>
      t.http
        .post('/api/v1/terminal/andon')
        .set(as(token))
        .set('Idempotency-Key', randomUUID())
        .send(body)
        .expect(201);
    const material = await raise({ kind: 'material' });
    expect(material.body.workCenterId).toBe(f.workCenters.turn.id);
    const quality = await raise({ kind: 'quality', message: 'Burr on OD' });
    await t.http
      .post('/api/v1/terminal/andon')
      .set(as(f.users.operator.token))
      .set('Idempotency-Key', randomUUID())
      .send({ kind: 'help', workCenterId: f.workCenters.assy.id })
      .expect(201);

    await t.http
      .post(`/api/v1/terminal/andon/${material.body.id}/acknowledge`)
      .set(as(f.users.maintenance.token))
      .set('Idempotency-Key', randomUUID())
      .send({})
      .expect(200);

    const open = await t.http.get('/api/v1/terminal/andon').set(as(token)).expect(200);
    expect(open.body).toEqual([
      expect.objectContaining({
        id: material.body.id,
        kind: 'material',
        state: 'acknowledged',
        workCenterId: f.workCenters.turn.id,
        raisedBy: { id: expect.any(String), name: operatorName },
        acknowledgedBy: { id: expect.any(String), name: expect.any(String) },
        raisedAt: expect.any(String),
        acknowledgedAt: expect.any(String),
      }),
      expect.objectContaining({
        id: quality.body.id,
        kind: 'quality',
        state: 'raised',
        message: 'Burr on OD',
        acknowledgedBy: null,
      }),
    ]);

    // Resolved calls leave the list; another work center is asked for by id; outside a terminal it is required.
    await t.http
      .post(`/api/v1/terminal/andon/${quality.body.id}/resolve`)
      .set(as(token))
      .set('Idempotency-Key', randomUUID())
      .send({ note: 'Deburred' })
      .expect(200);
    const after = await t.http.get('/api/v1/terminal/andon').set(as(token)).expect(200);
    expect(after.body.map((c: { id: string }) => c.id)).toEqual([material.body.id]);
    const assy = await t.http
      .get('/api/v1/terminal/andon')
      .query({ workCenterId: f.workCenters.assy.id })
      .set(as(f.users.viewer.token))
      .expect(200);
    expect(assy.body).toEqual([expect.objectContaining({ kind: 'help', state: 'raised' })]);
    const missing = await t.http.get('/api/v1/terminal/andon').set(as(f.users.planner.token)).expect(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'workCenterId' })]);
    await t.http
      .get('/api/v1/terminal/andon')
      .query({ workCenterId: randomUUID() })
      .set(as(f.users.planner.token))
      .expect(404);
  });
});
