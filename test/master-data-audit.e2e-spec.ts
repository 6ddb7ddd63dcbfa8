import { siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

/** Every kind of write on every catalog leaves its audit row: who, what, before/after, which request. */
describe('master data: every write is audited', () => {
  let t: TestApp;
  let siteId: string;
  let admin: { id: string; token: string };
  const ids: Record<string, string> = {};
  const url = (path: string) => `/api/v1/sites/${siteId}/${path}`;

  beforeAll(async () => {
    t = await startTestApp();
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    siteId = site.id;
    admin = users.admin;
  });
  afterAll(async () => {
    await t.close();
  });

  // In order: later bodies refer to records created by earlier ones.
  const catalogs: Array<[string, string, () => Record<string, unknown>]> = [
    ['units', 'unit_of_measure', () => ({ dimension: 'count' })],
    ['areas', 'area', () => ({})],
    ['lines', 'production_line', () => ({ areaId: ids.areas })],
    ['work-centers', 'work_center', () => ({ lineId: ids.lines })],
    ['equipment', 'equipment', () => ({ workCenterId: ids['work-centers'] })],
    ['partners', 'partner', () => ({ isSupplier: true })],
    ['locations', 'storage_location', () => ({ locationType: 'warehouse' })],
    ['materials', 'material', () => ({ materialClass: 'raw', baseUnitId: ids.units })],
    ['reason-codes', 'reason_code', () => ({ category: 'scrap' })],
    ['calendars', 'shift_calendar', () => ({ workCenterId: ids['work-centers'], shifts: [] })],
  ];

  it.each(catalogs)(
    '%s: create, update, deactivate, reactivate and import each write one row',
    async (path, entityType, extra) => {
      const code = `AUD-${path}`.slice(0, 30);
      const call = async (method: 'post' | 'patch', route: string, body: object, correlationId: string) => {
        const res = await t.http[method](url(route))
          .set('Authorization', `Bearer ${admin.token}`)
          .set('X-Correlation-Id', correlationId)
          .send(body);
        if (res.status >= 300)
          throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body as { id: string; version: number };
      };
      const created = await call('post', path, { code, name: 'Audited', ...extra() }, `${path}-1`);
      ids[path] = created.id;
      const updated = await call(
        'patch',
        `${path}/${created.id}`,
        { version: created.version, name: 'Audited and renamed', reason: 'typo' },
        `${path}-2`,
      );
      const off = await call(
        'post',
        `${path}/${created.id}/deactivate`,
        { version: updated.version },
        `${path}-3`,
      );
      await call('post', `${path}/${created.id}/reactivate`, { version: off.version }, `${path}-4`);
      await call(
        'post',
        `${path}/import`,
        { rows: [{ code, name: 'Renamed by import', ...extra() }] },
        `${path}-5`,
      );

      const rows = await t.dataSource.query<
        Array<{
          action: string;
          actor_id: string;
          correlation_id: string;
          site_id: string;
          before: { name?: string } | null;
          after: { name?: string };
        }>
      >(
        'SELECT action, actor_id, correlation_id, site_id, before, after FROM audit_log WHERE entity_id = $1 ORDER BY id',
        [created.id],
      );
      expect(rows.map((r) => [r.action, r.correlation_id])).toEqual([
        [`${entityType}.created`, `${path}-1`],
        [`${entityType}.updated`, `${path}-2`],
        [`${entityType}.deactivated`, `${path}-3`],
        [`${entityType}.reactivated`, `${path}-4`],
        [`${entityType}.imported`, `${path}-5`],
      ]);
      expect(rows.every((r) => r.actor_id === admin.id && r.site_id === siteId)).toBe(true);
      expect([rows[1]!.before?.name, rows[1]!.after.name]).toEqual(['Audited', 'Audited and renamed']);
      expect(rows[4]!.after.name).toBe('Renamed by import');
    },
  );
});
