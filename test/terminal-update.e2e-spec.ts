import { randomUUID } from 'node:crypto';
import { unique } from './support/builders';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * An administrator renames a registered terminal or moves it to another work center of its site: the change is
 * checked like a registration, audited with the values before and after, and open to administrators only.
 */
describe('terminals: rename and move to another work center', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let other: ProductionFactory;

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const admin = () => as(f.users.admin.token);
  const patch = (id: string, body: object) => t.http.patch(`/api/v1/terminals/${id}`).set(admin()).send(body);

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    other = await productionFactory(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const register = async () =>
    (
      await t.http
        .post('/api/v1/terminals')
        .set(admin())
        .send({
          code: unique('T-UPD-').slice(0, 40),
          name: 'Turning terminal',
          siteId: f.site.id,
          workCenterId: f.workCenters.turn.id,
        })
        .expect(201)
    ).body as { id: string; code: string; deviceKey: string };

  it('renames and moves a terminal, audited before and after, and the list agrees', async () => {
    const terminal = await register();
    const moved = await patch(terminal.id, {
      name: 'Assembly terminal',
      workCenterId: f.workCenters.assy.id,
    }).expect(200);
    expect(moved.body).toMatchObject({
      id: terminal.id,
      code: terminal.code,
      name: 'Assembly terminal',
      siteId: f.site.id,
      workCenterId: f.workCenters.assy.id,
      active: true,
    });
    expect(moved.body.deviceKeyHash).toBeUndefined();

    const listed = await t.http.get('/api/v1/terminals').set(admin()).expect(200);
    expect(listed.body.find((x: { id: string }) => x.id === terminal.id)).toMatchObject({
      name: 'Assembly terminal',
      workCenterId: f.workCenters.assy.id,
    });

    const audit = await t.http
      .get(`/api/v1/audit?entityType=terminal&entityId=${terminal.id}`)
      .set(admin())
      .expect(200);
    const entry = audit.body.items.find((e: { action: string }) => e.action === 'terminal.updated');
    expect(entry).toMatchObject({
      actorId: f.users.admin.id,
      before: { name: 'Turning terminal', workCenterId: f.workCenters.turn.id },
      after: { name: 'Assembly terminal', workCenterId: f.workCenters.assy.id },
    });

    // Only the work center: the name stays; null takes the terminal off any work center.
    const unassigned = await patch(terminal.id, { workCenterId: null }).expect(200);
    expect(unassigned.body).toMatchObject({ name: 'Assembly terminal', workCenterId: null });

    // Nothing changed: no new audit entry.
    await patch(terminal.id, { name: 'Assembly terminal' }).expect(200);
    const after = await t.http
      .get(`/api/v1/audit?entityType=terminal&entityId=${terminal.id}`)
      .set(admin())
      .expect(200);
    expect(after.body.items.filter((e: { action: string }) => e.action === 'terminal.updated')).toHaveLength(
      2,
    );
  });

  it('refuses a work center of another site, an unknown one, a blank name and people who are not admins', async () => {
    const terminal = await register();
    const foreign = await patch(terminal.id, { workCenterId: other.workCenters.turn.id }).expect(400);
    expect(foreign.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'workCenterId', message: 'is not a work center of this site' }],
    });
    const unknown = await patch(terminal.id, { workCenterId: randomUUID() }).expect(400);
    expect(unknown.body.errors).toEqual([{ field: 'workCenterId', message: 'no such work center' }]);
    const blank = await patch(terminal.id, { name: '' }).expect(400);
    expect(blank.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]));
    const nullName = await patch(terminal.id, { name: null }).expect(400);
    expect(nullName.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'name' })]),
    );

    await t.http
      .patch(`/api/v1/terminals/${terminal.id}`)
      .set(as(f.users.planner.token))
      .send({ name: 'Nope' })
      .expect(403);
    await t.http.patch(`/api/v1/terminals/${randomUUID()}`).set(admin()).send({ name: 'X' }).expect(404);
    // The other site's administrator cannot see it.
    await t.http
      .patch(`/api/v1/terminals/${terminal.id}`)
      .set(as(other.users.admin.token))
      .send({ name: 'Nope' })
      .expect((res) => expect([403, 404]).toContain(res.status));

    const listed = await t.http.get('/api/v1/terminals').set(admin()).expect(200);
    expect(listed.body.find((x: { id: string }) => x.id === terminal.id)).toMatchObject({
      name: 'Turning terminal',
      workCenterId: f.workCenters.turn.id,
    });
  });
});
