import { createSite, createUser, login, siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

const PROBLEM = /application\/problem\+json/;

describe('master data catalogs: one authoritative code per thing and site', () => {
  let t: TestApp;
  let siteId: string;
  let admin: string;
  let planner: string;
  let viewer: string;
  let pcs: { id: string };
  let kg: { id: string };

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const url = (path: string, site = siteId) => `/api/v1/sites/${site}/${path}`;

  beforeAll(async () => {
    t = await startTestApp();
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    siteId = site.id;
    admin = users.admin.token;
    planner = users.planner.token;
    viewer = users.viewer.token;
    pcs = (
      await t.http
        .post(url('units'))
        .set(auth(planner))
        .send({ code: 'PCS', name: 'Piece', nameZh: '件', dimension: 'count' })
        .expect(201)
    ).body;
    kg = (
      await t.http
        .post(url('units'))
        .set(auth(planner))
        .send({ code: 'KG', name: 'Kilogram', nameZh: '千克', dimension: 'mass', decimals: 3 })
        .expect(201)
    ).body;
  });
  afterAll(async () => {
    await t.close();
  });

  const auditActions = async (entityId: string): Promise<string[]> =>
    (
      await t.dataSource.query<Array<{ action: string }>>(
        'SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id',
        [entityId],
      )
    ).map((r) => r.action);

  it('builds the ISA-95 hierarchy area → line → work center → equipment, each referring to its parent', async () => {
    const area = (
      await t.http
        .post(url('areas'))
        .set(auth(admin))
        .send({ code: 'A1', name: 'Machining hall', nameZh: '机加车间' })
        .expect(201)
    ).body;
    const line = (
      await t.http
        .post(url('lines'))
        .set(auth(admin))
        .send({ code: 'L1', name: 'Line 1', nameZh: '一号线', areaId: area.id })
        .expect(201)
    ).body;
    const wc = (
      await t.http
        .post(url('work-centers'))
        .set(auth(admin))
        .send({ code: 'WC-CNC', name: 'CNC cell', lineId: line.id })
        .expect(201)
    ).body;
    const eq = (
      await t.http
        .post(url('equipment'))
        .set(auth(admin))
        .send({
          code: 'CNC-01',
          name: 'DMG Mori 5-axis',
          workCenterId: wc.id,
          capabilities: ['cnc-5axis'],
          manufacturer: 'DMG Mori',
        })
        .expect(201)
    ).body;
    expect(eq).toMatchObject({
      siteId,
      code: 'CNC-01',
      status: 'idle',
      capabilities: ['cnc-5axis'],
      active: true,
      version: 1,
    });

    const byCode = await t.http.get(url('equipment/by-code/CNC-01')).set(auth(viewer)).expect(200);
    expect(byCode.body.id).toBe(eq.id);
    const filtered = await t.http
      .get(url(`equipment?workCenterId=${wc.id}`))
      .set(auth(viewer))
      .expect(200);
    expect(filtered.body.items.map((e: { code: string }) => e.code)).toEqual(['CNC-01']);

    // A parent of another site is refused, naming the field.
    const other = await createSite(t.dataSource);
    const otherAdmin = await login(
      t.http,
      await createUser(t.dataSource, { roles: ['admin'], siteIds: [other.id, siteId] }),
    );
    const foreign = await t.http
      .post(url('lines', other.id))
      .set(auth(otherAdmin))
      .send({ code: 'L1', name: 'x', areaId: area.id })
      .expect(422);
    expect(foreign.body).toMatchObject({
      code: 'INVALID_REFERENCE',
      errors: [{ field: 'areaId', message: `no area ${area.id} at this site` }],
    });
  });

  it('refuses a duplicate code at the same site with 409 and changes nothing; another site may use it', async () => {
    await t.http
      .post(url('materials'))
      .set(auth(planner))
      .send({ code: 'M-DUP', name: 'First', materialClass: 'raw', baseUnitId: pcs.id })
      .expect(201);
    const dup = await t.http
      .post(url('materials'))
      .set(auth(planner))
      .send({ code: 'M-DUP', name: 'Second', materialClass: 'raw', baseUnitId: pcs.id })
      .expect(409);
    expect(dup.headers['content-type']).toMatch(PROBLEM);
    expect(dup.body.errors).toEqual([{ field: 'code', message: 'is already used at this site' }]);
    const list = await t.http.get(url('materials?q=M-DUP')).set(auth(viewer)).expect(200);
    expect(list.body.items.map((m: { name: string }) => m.name)).toEqual(['First']);

    const other = await createSite(t.dataSource);
    const otherPlanner = await login(
      t.http,
      await createUser(t.dataSource, { roles: ['planner'], siteIds: [other.id] }),
    );
    const unit = (
      await t.http
        .post(url('units', other.id))
        .set(auth(otherPlanner))
        .send({ code: 'PCS', name: 'Piece', dimension: 'count' })
        .expect(201)
    ).body;
    await t.http
      .post(url('materials', other.id))
      .set(auth(otherPlanner))
      .send({ code: 'M-DUP', name: 'Theirs', materialClass: 'raw', baseUnitId: unit.id })
      .expect(201);
  });

  it('optimistic concurrency: an update with a stale version answers 409 and changes nothing', async () => {
    const m = (
      await t.http
        .post(url('materials'))
        .set(auth(planner))
        .send({ code: 'M-VER', name: 'Bolt', materialClass: 'raw', baseUnitId: pcs.id, safetyStock: 100 })
        .expect(201)
    ).body;
    const first = await t.http
      .patch(url(`materials/${m.id}`))
      .set(auth(planner))
      .send({ version: 1, safetyStock: '150.5', reason: 'new supplier lead time' })
      .expect(200);
    expect(first.body).toMatchObject({ version: 2, safetyStock: '150.500000' });
    const stale = await t.http
      .patch(url(`materials/${m.id}`))
      .set(auth(admin))
      .send({ version: 1, name: 'Overwritten' })
      .expect(409);
    expect(stale.body).toMatchObject({ code: 'STALE_VERSION', currentVersion: 2 });
    const now = await t.http
      .get(url(`materials/${m.id}`))
      .set(auth(viewer))
      .expect(200);
    expect(now.body).toMatchObject({ name: 'Bolt', version: 2, safetyStock: '150.500000' });
    expect(await auditActions(m.id)).toEqual(['material.created', 'material.updated']);
    // Updates validate like creates; the code (and fixed fields) cannot change.
    const bad = await t.http
      .patch(url(`materials/${m.id}`))
      .set(auth(planner))
      .send({ version: 2, safetyStock: '-1', materialClass: 'gold', code: 'M-NEW' })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'code',
      'materialClass',
      'safetyStock',
    ]);
  });

  it('a deactivated unit cannot be used anew, but records already using it keep working', async () => {
    const box = (
      await t.http
        .post(url('units'))
        .set(auth(planner))
        .send({ code: 'BOX', name: 'Box', dimension: 'count' })
        .expect(201)
    ).body;
    const m = (
      await t.http
        .post(url('materials'))
        .set(auth(planner))
        .send({ code: 'M-BOX', name: 'Boxed part', materialClass: 'finished', baseUnitId: box.id })
        .expect(201)
    ).body;
    const off = await t.http
      .post(url(`units/${box.id}/deactivate`))
      .set(auth(planner))
      .send({ version: 1, reason: 'no longer packed in boxes' })
      .expect(200);
    expect(off.body).toMatchObject({ active: false, version: 2 });

    const refused = await t.http
      .post(url('materials'))
      .set(auth(planner))
      .send({ code: 'M-BOX2', name: 'x', materialClass: 'raw', baseUnitId: box.id })
      .expect(422);
    expect(refused.body.errors).toEqual([{ field: 'baseUnitId', message: 'unit BOX is deactivated' }]);
    await t.http
      .patch(url(`materials/${m.id}`))
      .set(auth(planner))
      .send({ version: 1, name: 'Boxed part (old)' })
      .expect(200);
    const changeUnit = await t.http
      .patch(url(`materials/${m.id}`))
      .set(auth(planner))
      .send({ version: 2, baseUnitId: kg.id })
      .expect(422);
    expect(changeUnit.body.errors[0].message).toMatch(/cannot change/);

    const actives = await t.http.get(url('units?active=true')).set(auth(viewer)).expect(200);
    expect(actives.body.items.map((u: { code: string }) => u.code)).not.toContain('BOX');
    await t.http
      .post(url(`units/${box.id}/reactivate`))
      .set(auth(planner))
      .send({ version: 2 })
      .expect(200);
    expect(await auditActions(box.id)).toEqual([
      'unit_of_measure.created',
      'unit_of_measure.deactivated',
      'unit_of_measure.reactivated',
    ]);
  });

  it('lists with paging, sorting, filtering and search on code and Chinese names', async () => {
    for (const [code, name, nameZh, cls] of [
      ['P-100', 'Shaft', '轴', 'semi_finished'],
      ['P-101', 'Gear', '齿轮', 'semi_finished'],
      ['P-102', 'Gearbox', '齿轮箱', 'finished'],
    ] as const) {
      await t.http
        .post(url('materials'))
        .set(auth(planner))
        .send({ code, name, nameZh, materialClass: cls, baseUnitId: pcs.id })
        .expect(201);
    }
    const gear = await t.http
      .get(url(`materials?q=${encodeURIComponent('齿轮')}&sort=-code`))
      .set(auth(viewer))
      .expect(200);
    expect(gear.body.items.map((m: { code: string }) => m.code)).toEqual(['P-102', 'P-101']);
    const page = await t.http
      .get(url('materials?materialClass=semi_finished&sort=code&limit=1&offset=1'))
      .set(auth(viewer))
      .expect(200);
    expect(page.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(page.body.items[0].code).toBe('P-101');
    const badSort = await t.http.get(url('materials?sort=secret')).set(auth(viewer)).expect(400);
    expect(badSort.body.errors[0].field).toBe('sort');
    const badFilter = await t.http.get(url('materials?color=red')).set(auth(viewer)).expect(400);
    expect(badFilter.body.errors[0].field).toBe('color');
    // LIKE wildcards in the search are literal.
    const percent = await t.http.get(url('materials?q=%25')).set(auth(viewer)).expect(200);
    expect(percent.body.total).toBe(0);
  });

  it('checks roles and sites: viewers read, only writers write, other sites are out of reach', async () => {
    await t.http.get(url('materials')).set(auth(viewer)).expect(200);
    const denied = await t.http
      .post(url('materials'))
      .set(auth(viewer))
      .send({ code: 'M-X', name: 'x', materialClass: 'raw', baseUnitId: pcs.id })
      .expect(403);
    expect(denied.body.code).toBe('ROLE_REQUIRED');
    const other = await createSite(t.dataSource);
    expect((await t.http.get(url('materials', other.id)).set(auth(viewer)).expect(403)).body.code).toBe(
      'SITE_FORBIDDEN',
    );
    const bad = await t.http
      .post(url('materials'))
      .set(auth(planner))
      .send({
        code: 'bad code!',
        name: '',
        materialClass: 'gold',
        baseUnitId: 'x',
        safetyStock: '-1',
        extra: 1,
      })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'baseUnitId',
      'code',
      'extra',
      'materialClass',
      'name',
      'safetyStock',
    ]);
  });

  describe('bulk import and export', () => {
    const header = 'code,name,nameZh,materialClass,baseUnit,lotTracked,shelfLifeDays,safetyStock';

    it('a CSV with bad rows reports every one of them (line, field, reason) and imports nothing', async () => {
      const csv = [
        header,
        `C-1,Copper wire,铜线,raw,PCS,yes,365,10`,
        `C-2,Steel sheet,钢板,metal,PCS,no,,5`,
        `C-3,"Paint, red",红漆,consumable,PCS,maybe,30,1`,
        `C-1,Copper again,,raw,PCS,no,,`,
        `C-4,Glue,胶水,consumable,TONNE,no,-5,`,
        `C-5,Tape,胶带,consumable,PCS,no,,abc`,
      ].join('\n');
      const before = (await t.http.get(url('materials?q=C-')).set(auth(viewer))).body.total;

      const dry = await t.http
        .post(url('materials/import?dryRun=true'))
        .set(auth(planner))
        .set('Content-Type', 'text/csv')
        .send(csv)
        .expect(200);
      const expected = [
        { row: 3, field: 'materialClass' },
        { row: 4, field: 'lotTracked' },
        { row: 5, field: 'code' },
        { row: 6, field: 'baseUnit' },
        { row: 6, field: 'shelfLifeDays' },
        { row: 7, field: 'safetyStock' },
      ];
      expect(dry.body).toMatchObject({ dryRun: true, rows: 6 });
      expect(
        dry.body.errors.map((e: { row: number; field: string }) => ({ row: e.row, field: e.field })),
      ).toEqual(expected);
      expect(dry.body.errors.find((e: { row: number }) => e.row === 5).message).toBe(
        'repeats the code of row 2',
      );
      expect(dry.body.errors.find((e: { field: string }) => e.field === 'baseUnit').message).toBe(
        'no unit with code TONNE at this site',
      );

      const real = await t.http
        .post(url('materials/import'))
        .set(auth(planner))
        .set('Content-Type', 'text/csv')
        .send(csv)
        .expect(422);
      expect(real.headers['content-type']).toMatch(PROBLEM);
      expect(real.body.code).toBe('IMPORT_REJECTED');
      expect(real.body.report.errors).toHaveLength(expected.length);
      expect((await t.http.get(url('materials?q=C-')).set(auth(viewer))).body.total).toBe(before);
    });

    it('a clean CSV creates and updates by code in one go, audits each row, and exports back the same', async () => {
      await t.http
        .post(url('materials'))
        .set(auth(planner))
        .send({ code: 'I-2', name: 'Old name', materialClass: 'raw', baseUnitId: pcs.id })
        .expect(201);
      const csv =
        [header, `I-1,Resin,树脂,raw,KG,yes,180,25.5`, `I-2,New name,新名称,raw,PCS,no,,`].join('\r\n') +
        '\r\n';
      const dry = await t.http
        .post(url('materials/import?dryRun=true'))
        .set(auth(planner))
        .set('Content-Type', 'text/csv')
        .send(csv)
        .expect(200);
      expect(dry.body).toMatchObject({ dryRun: true, created: 1, updated: 1, errors: [] });
      expect((await t.http.get(url('materials/by-code/I-2')).set(auth(viewer))).body.name).toBe('Old name');

      const done = await t.http
        .post(url('materials/import'))
        .set(auth(planner))
        .set('Content-Type', 'text/csv')
        .send(csv)
        .expect(200);
      expect(done.body).toMatchObject({ dryRun: false, created: 1, updated: 1, unchanged: 0, errors: [] });
      const resin = (await t.http.get(url('materials/by-code/I-1')).set(auth(viewer))).body;
      expect(resin).toMatchObject({
        nameZh: '树脂',
        baseUnitId: kg.id,
        lotTracked: true,
        shelfLifeDays: 180,
        safetyStock: '25.500000',
      });
      expect(await auditActions(resin.id)).toEqual(['material.imported']);

      const again = await t.http
        .post(url('materials/import'))
        .set(auth(planner))
        .set('Content-Type', 'text/csv')
        .send(csv)
        .expect(200);
      expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 2 });

      const exported = await t.http.get(url('materials/export?q=I-')).set(auth(viewer)).expect(200);
      expect(exported.headers['content-type']).toMatch(/text\/csv/);
      const lines = exported.text.trim().split('\r\n');
      expect(lines[0]).toBe(
        'code,name,nameZh,specification,materialClass,baseUnit,lotTracked,serialTracked,shelfLifeDays,inspectionRequired,safetyStock,reorderPoint,lotSize,defaultLocation,barcode,lotCodePattern',
      );
      expect(lines.slice(1)).toEqual([
        `I-1,Resin,树脂,,raw,KG,true,false,180,false,25.500000,0.000000,0.000000,,,`,
        `I-2,New name,新名称,,raw,PCS,false,false,,false,0.000000,0.000000,0.000000,,,`,
      ]);
      // What was exported imports again without changes.
      const roundTrip = await t.http
        .post(url('materials/import?dryRun=true'))
        .set(auth(planner))
        .set('Content-Type', 'text/csv')
        .send(exported.text)
        .expect(200);
      expect(roundTrip.body).toMatchObject({ created: 0, errors: [] });
    });

    it('imports JSON rows with the same rules, numbering rows from 1', async () => {
      const res = await t.http
        .post(url('areas/import'))
        .set(auth(admin))
        .send({
          rows: [
            { code: 'J-1', name: 'Assembly hall' },
            { code: 'J-2' },
            { code: 'J-3', name: 'Paint shop', color: 'red' },
          ],
        })
        .expect(422);
      expect(
        res.body.report.errors.map((e: { row: number; field: string }) => `${e.row}:${e.field}`),
      ).toEqual(['2:name', '3:color']);
      await t.http
        .post(url('areas/import'))
        .set(auth(admin))
        .send({ rows: [{ code: 'J-1', name: 'Assembly hall' }] })
        .expect(200);
      await t.http.post(url('areas/import')).set(auth(viewer)).send({ rows: [] }).expect(403);
    });

    it('names unknown CSV columns and a missing code column', async () => {
      const res = await t.http
        .post(url('units/import?dryRun=true'))
        .set(auth(planner))
        .set('Content-Type', 'text/csv')
        .send('name,colour\nPiece,red\n')
        .expect(200);
      expect(res.body.errors).toEqual([
        { row: 1, field: 'colour', message: expect.stringContaining('unknown column') },
        { row: 1, field: 'code', message: 'the code column is required' },
      ]);
    });
  });

  it('equipment status changes are audited and do not bump the record version', async () => {
    const wc = (await t.http.get(url('work-centers/by-code/WC-CNC')).set(auth(viewer)).expect(200)).body;
    const eq = (
      await t.http
        .post(url('equipment'))
        .set(auth(admin))
        .send({ code: 'CNC-02', name: 'Lathe', workCenterId: wc.id })
        .expect(201)
    ).body;
    const down = await t.http
      .post(url(`equipment/${eq.id}/status`))
      .set(auth(admin))
      .send({ status: 'down', reason: 'spindle alarm' })
      .expect(200);
    expect(down.body).toMatchObject({ status: 'down', version: 1 });
    await t.http
      .post(url(`equipment/${eq.id}/status`))
      .set(auth(viewer))
      .send({ status: 'idle' })
      .expect(403);
    await t.http
      .post(url(`equipment/${eq.id}/status`))
      .set(auth(admin))
      .send({ status: 'broken' })
      .expect(400);
    const rows = await t.dataSource.query<
      Array<{ before: { status: string }; after: { status: string }; reason: string }>
    >(
      `SELECT before, after, reason FROM audit_log WHERE entity_id = $1 AND action = 'equipment.status_changed'`,
      [eq.id],
    );
    expect(rows).toEqual([
      {
        before: expect.objectContaining({ status: 'idle' }),
        after: expect.objectContaining({ status: 'down' }),
        reason: 'spindle alarm',
      },
    ]);
    // An engineer's edit with the version read before the status change still goes through.
    await t.http
      .patch(url(`equipment/${eq.id}`))
      .set(auth(admin))
      .send({ version: 1, model: 'CTX 450' })
      .expect(200);
  });

  it('places the site under its enterprise: admins create enterprises, everyone sees the hierarchy tree', async () => {
    const created = await t.http
      .post('/api/v1/enterprises')
      .set(auth(admin))
      .send({ code: `ENT-${siteId.slice(0, 8)}`, name: 'Drives Group', nameZh: '传动集团' })
      .expect(201);
    await t.http
      .post('/api/v1/enterprises')
      .set(auth(admin))
      .send({ code: created.body.code, name: 'again' })
      .expect(409);
    await t.http.post('/api/v1/enterprises').set(auth(planner)).send({ code: 'X', name: 'x' }).expect(403);
    const site = (await t.http.get(`/api/v1/sites/${siteId}`).set(auth(admin)).expect(200)).body;
    await t.http
      .patch(`/api/v1/sites/${siteId}`)
      .set(auth(admin))
      .send({ enterpriseId: created.body.id })
      .expect(200);
    await t.http
      .patch(`/api/v1/sites/${siteId}`)
      .set(auth(admin))
      .send({ enterpriseId: '00000000-0000-4000-8000-000000000000' })
      .expect(422);
    const listed = await t.http.get('/api/v1/enterprises').set(auth(viewer)).expect(200);
    expect(listed.body.map((e: { code: string }) => e.code)).toContain(created.body.code);

    const tree = (await t.http.get(url('hierarchy')).set(auth(viewer)).expect(200)).body;
    expect(tree.enterprise.code).toBe(created.body.code);
    expect(tree.site.code).toBe(site.code);
    const cell = tree.areas
      .find((a: { code: string }) => a.code === 'A1')
      .lines[0].workCenters.find((w: { code: string }) => w.code === 'WC-CNC');
    expect(cell.equipment.map((e: { code: string }) => e.code)).toEqual(['CNC-01', 'CNC-02']);
  });
});
