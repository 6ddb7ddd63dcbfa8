import { createSite, siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

describe('electronic signatures (21 CFR Part 11 style)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('binds a signature to the record’s content: valid until the record changes, then shown invalid', async () => {
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    const auth = { Authorization: `Bearer ${users.quality.token}` };
    const signed = await t.http
      .post('/api/v1/signatures')
      .set(auth)
      .send({
        entityType: 'site',
        entityId: site.id,
        meaning: 'approved',
        password: users.quality.password,
        reason: 'site settings reviewed',
      })
      .expect(201);
    expect(signed.body).toMatchObject({
      meaning: 'approved',
      signerId: users.quality.id,
      signerUsername: users.quality.username,
      valid: true,
    });
    expect(signed.body.recordHash).toMatch(/^[0-9a-f]{64}$/);

    const before = await t.http
      .get(`/api/v1/signatures?entityType=site&entityId=${site.id}`)
      .set(auth)
      .expect(200);
    expect(before.body).toHaveLength(1);
    expect(before.body[0].valid).toBe(true);

    await t.http
      .patch(`/api/v1/sites/${site.id}`)
      .set('Authorization', `Bearer ${users.admin.token}`)
      .send({ name: 'changed after signing' })
      .expect(200);
    const after = await t.http
      .get(`/api/v1/signatures?entityType=site&entityId=${site.id}`)
      .set(auth)
      .expect(200);
    expect(after.body[0]).toMatchObject({
      id: signed.body.id,
      valid: false,
      recordHash: signed.body.recordHash,
    });
    expect(after.body[0].currentRecordHash).not.toBe(signed.body.recordHash);

    const detail = await t.http.get(`/api/v1/signatures/${signed.body.id}`).set(auth).expect(200);
    expect(detail.body.signedRecord).toMatchObject({ id: site.id, name: `Site ${site.code}` });
    const audit: Array<{ n: string }> = await t.dataSource.query(
      `SELECT count(*) AS n FROM audit_log WHERE action = 'signature.recorded' AND entity_id = $1`,
      [site.id],
    );
    expect(Number(audit[0]!.n)).toBe(1);
  });

  it('re-checks the password: a wrong one signs nothing', async () => {
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    const res = await t.http
      .post('/api/v1/signatures')
      .set('Authorization', `Bearer ${users.quality.token}`)
      .send({ entityType: 'site', entityId: site.id, meaning: 'approved', password: 'not my password' })
      .expect(401);
    expect(res.body.code).toBe('INVALID_CREDENTIALS');
    const rows: unknown[] = await t.dataSource.query(
      'SELECT 1 FROM electronic_signature WHERE entity_id = $1',
      [site.id],
    );
    expect(rows).toHaveLength(0);
  });

  it('refuses unknown record types, unknown meanings and other sites’ records', async () => {
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    const auth = { Authorization: `Bearer ${users.quality.token}` };
    const type = await t.http
      .post('/api/v1/signatures')
      .set(auth)
      .send({
        entityType: 'invoice',
        entityId: site.id,
        meaning: 'approved',
        password: users.quality.password,
      })
      .expect(400);
    expect(type.body.code).toBe('RECORD_TYPE_NOT_SIGNABLE');
    const meaning = await t.http
      .post('/api/v1/signatures')
      .set(auth)
      .send({ entityType: 'site', entityId: site.id, meaning: 'liked', password: users.quality.password })
      .expect(400);
    expect(meaning.body.errors[0].field).toBe('meaning');
    const other = await createSite(t.dataSource);
    const foreign = await t.http
      .post('/api/v1/signatures')
      .set(auth)
      .send({ entityType: 'site', entityId: other.id, meaning: 'approved', password: users.quality.password })
      .expect(403);
    expect(foreign.body.code).toBe('SITE_FORBIDDEN');
    await t.http.get(`/api/v1/signatures?entityType=site&entityId=${other.id}`).set(auth).expect(403);
  });

  it('an access review signature on a user becomes invalid when that user’s roles change', async () => {
    const { users } = await siteWithStaff(t.dataSource, t.http);
    const admin = { Authorization: `Bearer ${users.admin.token}` };
    const sig = await t.http
      .post('/api/v1/signatures')
      .set(admin)
      .send({
        entityType: 'user',
        entityId: users.planner.id,
        meaning: 'reviewed',
        password: users.admin.password,
      })
      .expect(201);
    expect(sig.body.valid).toBe(true);
    await t.http
      .patch(`/api/v1/users/${users.planner.id}`)
      .set(admin)
      .send({ roles: ['planner', 'viewer'] })
      .expect(200);
    const list = await t.http
      .get(`/api/v1/signatures?entityType=user&entityId=${users.planner.id}`)
      .set(admin)
      .expect(200);
    expect(list.body[0].valid).toBe(false);
  });
});
