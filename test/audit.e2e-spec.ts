import { AuditService } from '../src/platform/audit/audit.service';
import { TransactionRunner } from '../src/platform/database/transaction-runner';
import { createSite, createUser, login, siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

interface AuditRow {
  actor_id: string;
  actor_type: string;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
  correlation_id: string;
  site_id: string | null;
}

describe('audit trail', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const rowsFor = (entityId: string): Promise<AuditRow[]> =>
    t.dataSource.query('SELECT * FROM audit_log WHERE entity_id = $1 ORDER BY id', [entityId]);

  it('records who changed what, before and after, why, and the request’s correlation id', async () => {
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    const res = await t.http
      .patch(`/api/v1/sites/${site.id}`)
      .set('Authorization', `Bearer ${users.admin.token}`)
      .set('X-Correlation-Id', 'change-tz-1')
      .send({ timeZone: 'Europe/Berlin', reason: 'plant moved to CET reporting' })
      .expect(200);
    expect(res.body.timeZone).toBe('Europe/Berlin');
    const rows = (await rowsFor(site.id)).filter((r) => r.action === 'site.updated');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_type: 'user',
      actor_id: users.admin.id,
      reason: 'plant moved to CET reporting',
      correlation_id: 'change-tz-1',
      site_id: site.id,
    });
    expect(rows[0]!.before).toMatchObject({ timeZone: 'Asia/Shanghai', version: 1 });
    expect(rows[0]!.after).toMatchObject({ timeZone: 'Europe/Berlin', version: 2 });
  });

  it('is written in the same transaction as the change: a rollback leaves neither', async () => {
    const site = await createSite(t.dataSource);
    const tx = t.app.get(TransactionRunner);
    const audit = t.app.get(AuditService);
    await expect(
      tx.run(async (x) => {
        await x.manager.query('UPDATE site SET name = $2 WHERE id = $1', [site.id, 'should vanish']);
        await audit.record(x, {
          entityType: 'site',
          entityId: site.id,
          action: 'site.updated',
          before: {},
          after: { name: 'should vanish' },
        });
        throw new Error('business rule failed after the write');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await rowsFor(site.id)).toHaveLength(0);
    const [s] = await t.dataSource.query<Array<{ name: string }>>('SELECT name FROM site WHERE id = $1', [
      site.id,
    ]);
    expect(s!.name).not.toBe('should vanish');
  });

  it('never stores secrets: a user created with password and PIN has neither in the trail', async () => {
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    const res = await t.http
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${users.admin.token}`)
      .send({
        username: `op.${site.code}`,
        displayName: 'Op',
        password: 'secret-password',
        pin: '9876',
        badgeCode: `X${site.code}`,
        roles: ['operator'],
        siteIds: [site.id],
      })
      .expect(201);
    const rows = await rowsFor(res.body.id);
    expect(rows.map((r) => r.action)).toEqual(['user.created']);
    const text = JSON.stringify(rows);
    expect(text).not.toContain('secret-password');
    expect(text).not.toContain('9876');
    expect(text).not.toMatch(/argon2/);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the audit table, even for the application’s own role', async () => {
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    await t.http
      .patch(`/api/v1/sites/${site.id}`)
      .set('Authorization', `Bearer ${users.admin.token}`)
      .send({ name: 'renamed' })
      .expect(200);
    await expect(
      t.dataSource.query(`UPDATE audit_log SET reason = 'tampered' WHERE entity_id = $1`, [site.id]),
    ).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`DELETE FROM audit_log WHERE entity_id = $1`, [site.id])).rejects.toThrow(
      /append-only/,
    );
    await expect(t.dataSource.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    const rows = await rowsFor(site.id);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.reason !== 'tampered')).toBe(true);
  });

  it('query API: admins and quality filter by entity, actor and time; others are refused; other sites stay hidden', async () => {
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    const start = new Date(Date.now() - 1000).toISOString();
    await t.http
      .patch(`/api/v1/sites/${site.id}`)
      .set('Authorization', `Bearer ${users.admin.token}`)
      .send({ name: 'A' })
      .expect(200);
    await t.http
      .patch(`/api/v1/sites/${site.id}`)
      .set('Authorization', `Bearer ${users.admin.token}`)
      .send({ name: 'B' })
      .expect(200);

    const q = `/api/v1/audit?entityType=site&entityId=${site.id}&actorId=${users.admin.id}&from=${encodeURIComponent(start)}`;
    const asQuality = await t.http.get(q).set('Authorization', `Bearer ${users.quality.token}`).expect(200);
    expect(asQuality.body.items.map((e: { after: { name: string } }) => e.after.name)).toEqual(['B', 'A']);
    const page = await t.http
      .get(`${q}&limit=1`)
      .set('Authorization', `Bearer ${users.admin.token}`)
      .expect(200);
    expect(page.body.items).toHaveLength(1);
    const next = await t.http
      .get(`${q}&limit=1&before=${page.body.nextBefore}`)
      .set('Authorization', `Bearer ${users.admin.token}`)
      .expect(200);
    expect(next.body.items[0].after.name).toBe('A');

    await t.http.get(q).set('Authorization', `Bearer ${users.operator.token}`).expect(403);
    const other = await createSite(t.dataSource);
    const otherAdmin = await createUser(t.dataSource, { roles: ['admin'], siteIds: [other.id] });
    const hidden = await t.http
      .get(q)
      .set('Authorization', `Bearer ${await login(t.http, otherAdmin)}`)
      .expect(200);
    expect(hidden.body.items).toEqual([]);
  });
});
