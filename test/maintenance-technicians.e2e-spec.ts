import { randomUUID } from 'node:crypto';
import { createSite, createUser } from './support/builders';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface Technician {
  id: string;
  username: string;
  name: string;
  roles: string[];
  assignable: boolean;
  openTickets: number;
  inProgress: number;
}

/**
 * The technician picker: the active maintenance people of a site (technicians and leads) with the work they
 * hold, readable by anyone at the site — not users of other sites, inactive ones or other roles.
 */
describe('maintenance: the site’s technicians', () => {
  let t: TestApp;
  let f: ProductionFactory;

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const mt = (path: string) => f.url(`maintenance/${path}`);

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists active technicians and leads of the site with their open tickets; assigning counts', async () => {
    const lead = await createUser(t.dataSource, { roles: ['maintenance_lead'], siteIds: [f.site.id] });
    const both = await createUser(t.dataSource, {
      roles: ['maintenance', 'maintenance_lead'],
      siteIds: [f.site.id],
    });
    const gone = await createUser(t.dataSource, {
      roles: ['maintenance'],
      siteIds: [f.site.id],
      active: false,
    });
    const other = await createSite(t.dataSource);
    const elsewhere = await createUser(t.dataSource, { roles: ['maintenance'], siteIds: [other.id] });

    const ticket = await t.http
      .post(mt('tickets'))
      .set(as('operator'))
      .set('Idempotency-Key', randomUUID())
      .send({ kind: 'corrective', asset: 'PRESS-1', title: 'Oil leak' })
      .expect(201);
    await t.http
      .post(mt(`tickets/${ticket.body.code}/assign`))
      .set(as('maintenance'))
      .send({ technician: both.username })
      .expect(200);

    // Anyone at the site may read it (a viewer too); the user administration stays admin-only.
    const res = await t.http.get(mt('technicians')).set(as('viewer')).expect(200);
    const list = res.body as Technician[];
    const ids = list.map((x) => x.id);
    expect(ids).toEqual(expect.arrayContaining([f.users.maintenance.id, lead.id, both.id]));
    expect(ids).not.toContain(gone.id);
    expect(ids).not.toContain(elsewhere.id);
    expect(ids).not.toContain(f.users.admin.id);
    expect(ids).not.toContain(f.users.operator.id);
    expect(list).toHaveLength(3);
    expect(list.find((x) => x.id === both.id)).toEqual({
      id: both.id,
      username: both.username,
      name: `User ${both.username}`,
      roles: ['maintenance', 'maintenance_lead'],
      assignable: true,
      openTickets: 1,
      inProgress: 0,
    });
    expect(list.find((x) => x.id === lead.id)).toMatchObject({ assignable: false, openTickets: 0 });
    expect(list.find((x) => x.id === f.users.maintenance.id)).toMatchObject({
      assignable: true,
      openTickets: 0,
    });
    await t.http.get('/api/v1/users').set(as('maintenance')).expect(403);
  });

  it('refuses a site the caller has no access to', async () => {
    const other = await createSite(t.dataSource);
    await t.http.get(`/api/v1/sites/${other.id}/maintenance/technicians`).set(as('maintenance')).expect(403);
  });
});
