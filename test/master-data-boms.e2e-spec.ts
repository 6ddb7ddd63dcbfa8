import { siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

describe('master data: bills of materials', () => {
  let t: TestApp;
  let siteId: string;
  let planner: string;
  let viewer: string;
  const m: Record<string, { id: string; version: number }> = {};
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const url = (path: string) => `/api/v1/sites/${siteId}/${path}`;

  beforeAll(async () => {
    t = await startTestApp();
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    siteId = site.id;
    planner = users.planner.token;
    viewer = users.viewer.token;
    const pcs = (
      await t.http
        .post(url('units'))
        .set(auth(planner))
        .send({ code: 'PCS', name: 'Piece', dimension: 'count' })
        .expect(201)
    ).body;
    const kg = (
      await t.http
        .post(url('units'))
        .set(auth(planner))
        .send({ code: 'KG', name: 'Kilogram', dimension: 'mass', decimals: 3 })
        .expect(201)
    ).body;
    for (const [code, name, materialClass, unit] of [
      ['GB', 'Gearbox 减速箱', 'finished', pcs.id],
      ['HS', 'Housing 箱体', 'semi_finished', pcs.id],
      ['SH', 'Shaft 轴', 'semi_finished', pcs.id],
      ['ST', 'Steel bar 钢棒', 'raw', kg.id],
      ['SC', 'Screw M6 螺钉', 'raw', pcs.id],
      ['OLD', 'Obsolete washer', 'raw', pcs.id],
    ] as const) {
      m[code] = (
        await t.http
          .post(url('materials'))
          .set(auth(planner))
          .send({ code, name, materialClass, baseUnitId: unit })
          .expect(201)
      ).body;
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const line = (
    lineNo: number,
    code: string,
    quantityPer: string,
    scrapFactor = '0',
    extra: object = {},
  ) => ({
    lineNo,
    componentId: m[code]!.id,
    quantityPer,
    scrapFactor,
    ...extra,
  });

  it('explodes a 3-level BOM into requirements with scrap, as computed by hand', async () => {
    // Gearbox per 1: housing ×1 (2 % scrap), shaft ×2 (5 %), screw ×4.
    await t.http
      .post(url('boms'))
      .set(auth(planner))
      .send({
        materialId: m.GB!.id,
        validFrom: '2026-01-01',
        lines: [
          line(10, 'HS', '1', '0.02'),
          line(20, 'SH', '2', '0.05', { operationSeq: 30 }),
          line(30, 'SC', '4', '0', { issueMethod: 'backflush' }),
        ],
      })
      .expect(201);
    // Housing per 1: steel 1.2 kg, screw ×2 (1 % scrap).
    await t.http
      .post(url('boms'))
      .set(auth(planner))
      .send({
        materialId: m.HS!.id,
        validFrom: '2026-01-01',
        lines: [line(10, 'ST', '1.2'), line(20, 'SC', '2', '0.01')],
      })
      .expect(201);
    // Shaft per 10 (base quantity): steel 3.5 kg (10 % scrap), screw ×20.
    await t.http
      .post(url('boms'))
      .set(auth(planner))
      .send({
        materialId: m.SH!.id,
        validFrom: '2026-01-01',
        baseQuantity: '10',
        lines: [line(10, 'ST', '3.5', '0.1'), line(20, 'SC', '20')],
      })
      .expect(201);

    const res = await t.http
      .get(url(`materials/${m.GB!.id}/explosion?quantity=100&at=2026-11-21`))
      .set(auth(viewer))
      .expect(200);
    const codes = res.body.materials as Record<string, { code: string }>;
    const rows = (
      res.body.lines as Array<{
        level: number;
        componentId: string;
        netQuantity: string;
        grossQuantity: string;
      }>
    ).map((l) => `${l.level} ${codes[l.componentId]!.code} net ${l.netQuantity} gross ${l.grossQuantity}`);
    expect(rows).toEqual([
      '1 HS net 100.000000 gross 102.000000', // 100 × 1; × 1.02
      '2 ST net 122.400000 gross 122.400000', //   102 × 1.2
      '2 SC net 204.000000 gross 206.040000', //   102 × 2; × 1.01
      '1 SH net 200.000000 gross 210.000000', // 100 × 2; × 1.05
      '2 ST net 73.500000 gross 80.850000', //     210 / 10 × 3.5; × 1.1
      '2 SC net 420.000000 gross 420.000000', //   210 / 10 × 20
      '1 SC net 400.000000 gross 400.000000', // 100 × 4
    ]);
    const totals = Object.fromEntries(
      (res.body.totals as Array<{ materialId: string; grossQuantity: string }>).map((x) => [
        codes[x.materialId]!.code,
        x.grossQuantity,
      ]),
    );
    expect(totals).toEqual({ HS: '102.000000', SH: '210.000000', ST: '203.250000', SC: '1026.040000' }); // ST 122.4 + 80.85; SC 206.04 + 420 + 400
  });

  it('refuses a BOM that would contain itself, naming the cycle, and saves nothing', async () => {
    const shaft = (
      await t.http
        .get(url(`boms?materialId=${m.SH!.id}`))
        .set(auth(viewer))
        .expect(200)
    ).body.items[0];
    const res = await t.http
      .patch(url(`boms/${shaft.id}`))
      .set(auth(planner))
      .send({
        version: shaft.version,
        lines: [line(10, 'ST', '3.5', '0.1'), line(20, 'SC', '20'), line(30, 'GB', '1')],
      })
      .expect(422);
    expect(res.body.code).toBe('BOM_CYCLE');
    expect(res.body.errors[0].message).toBe('this BOM would make a cycle: SH → GB → SH');
    const same = await t.http
      .get(url(`boms/${shaft.id}`))
      .set(auth(viewer))
      .expect(200);
    expect(same.body.lines.map((l: { componentCode: string }) => l.componentCode)).toEqual(['ST', 'SC']);
    const self = await t.http
      .post(url('boms'))
      .set(auth(planner))
      .send({ materialId: m.HS!.id, validFrom: '2030-01-01', lines: [line(10, 'HS', '1')] })
      .expect(422);
    expect(self.body.errors.map((e: { message: string }) => e.message)).toContain(
      'a material cannot contain itself',
    );
  });

  it('a deactivated material cannot be used on a new BOM line, but existing lines keep it', async () => {
    const old = m.OLD!;
    const housing = (
      await t.http
        .get(url(`boms?materialId=${m.HS!.id}`))
        .set(auth(viewer))
        .expect(200)
    ).body.items[0];
    const withOld = await t.http
      .patch(url(`boms/${housing.id}`))
      .set(auth(planner))
      .send({
        version: housing.version,
        lines: [line(10, 'ST', '1.2'), line(20, 'SC', '2', '0.01'), line(30, 'OLD', '4')],
      })
      .expect(200);
    await t.http
      .post(url(`materials/${old.id}/deactivate`))
      .set(auth(planner))
      .send({ version: old.version })
      .expect(200);

    const pcs = (await t.http.get(url('units/by-code/PCS')).set(auth(viewer)).expect(200)).body;
    const kit = (
      await t.http
        .post(url('materials'))
        .set(auth(planner))
        .send({ code: 'KIT', name: 'Service kit', materialClass: 'finished', baseUnitId: pcs.id })
        .expect(201)
    ).body;
    const refused = await t.http
      .post(url('boms'))
      .set(auth(planner))
      .send({ materialId: kit.id, validFrom: '2026-01-01', lines: [line(10, 'OLD', '1')] })
      .expect(422);
    expect(refused.body.errors).toEqual([
      {
        field: 'lines[0].componentId',
        message: 'material OLD is deactivated and cannot be used on a new line',
      },
    ]);
    // Editing the housing BOM that already uses it still works.
    await t.http
      .patch(url(`boms/${housing.id}`))
      .set(auth(planner))
      .send({ version: withOld.body.version, description: 'cast housing' })
      .expect(200);
  });

  it('revisions never overlap; the explosion uses the one valid on the date asked', async () => {
    const rev1 = (
      await t.http
        .get(url(`boms?materialId=${m.GB!.id}`))
        .set(auth(viewer))
        .expect(200)
    ).body.items[0];
    const overlap = await t.http
      .post(url('boms'))
      .set(auth(planner))
      .send({ materialId: m.GB!.id, validFrom: '2027-01-01', lines: [line(10, 'SC', '6')] })
      .expect(422);
    expect(overlap.body.errors[0]).toMatchObject({
      field: 'validFrom',
      message: expect.stringContaining('overlaps revision 1 of GB'),
    });

    const ended = await t.http
      .patch(url(`boms/${rev1.id}`))
      .set(auth(planner))
      .send({ version: rev1.version, validTo: '2027-01-01', reason: 'new design from 2027' })
      .expect(200);
    const rev2 = await t.http
      .post(url('boms'))
      .set(auth(planner))
      .send({ materialId: m.GB!.id, validFrom: '2027-01-01', lines: [line(10, 'SC', '6')] })
      .expect(201);
    expect(rev2.body).toMatchObject({ revision: 2, materialCode: 'GB' });
    const page = await t.http.get(url('boms?q=GB&limit=1&offset=1')).set(auth(viewer)).expect(200);
    expect(page.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(page.body.items[0]).toMatchObject({ materialCode: 'GB', revision: 2 });

    const before = await t.http
      .get(url(`materials/${m.GB!.id}/explosion?quantity=1&at=2026-12-31`))
      .set(auth(viewer))
      .expect(200);
    expect(before.body.lines).toHaveLength(8);
    const after = await t.http
      .get(url(`materials/${m.GB!.id}/explosion?quantity=1&at=2027-01-01`))
      .set(auth(viewer))
      .expect(200);
    expect(
      after.body.lines.map((l: { quantityPer: string; grossQuantity: string }) => l.grossQuantity),
    ).toEqual(['6.000000']);

    const stale = await t.http
      .patch(url(`boms/${rev1.id}`))
      .set(auth(planner))
      .send({ version: rev1.version, description: 'late edit' })
      .expect(409);
    expect(stale.body).toMatchObject({ code: 'STALE_VERSION', currentVersion: ended.body.version });
    const actions = await t.dataSource.query<Array<{ action: string }>>(
      'SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id',
      [rev1.id],
    );
    expect(actions.map((a) => a.action)).toEqual(['bom.created', 'bom.updated']);
  });

  it('checks bodies, roles and classes', async () => {
    await t.http.post(url('boms')).set(auth(viewer)).send({}).expect(403);
    const bad = await t.http
      .post(url('boms'))
      .set(auth(planner))
      .send({
        materialId: m.GB!.id,
        validFrom: '2026-02-30',
        lines: [{ lineNo: 1, componentId: m.SC!.id, quantityPer: '-1', scrapFactor: '1.5' }],
      })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'lines[0].quantityPer',
      'lines[0].scrapFactor',
      'validFrom',
    ]);
    const raw = await t.http
      .post(url('boms'))
      .set(auth(planner))
      .send({ materialId: m.ST!.id, validFrom: '2026-01-01', lines: [line(10, 'SC', '1')] })
      .expect(422);
    expect(raw.body.errors[0].message).toMatch(/only finished and semi-finished/);
  });

  describe('bulk import and export', () => {
    const csv = (...rows: string[]) =>
      [
        'material,validFrom,validTo,baseQuantity,lineNo,component,quantityPer,scrapFactor,issueMethod',
        ...rows,
      ].join('\n') + '\n';
    const importCsv = (body: string, dryRun: boolean) =>
      t.http
        .post(url(`boms/import${dryRun ? '?dryRun=true' : ''}`))
        .set(auth(planner))
        .set('Content-Type', 'text/csv')
        .send(body);

    it('reports every bad row — unknown codes, bad numbers, a cycle between imported BOMs — and imports nothing', async () => {
      const pcs = (await t.http.get(url('units/by-code/PCS')).set(auth(viewer)).expect(200)).body;
      for (const code of ['KIT-A', 'KIT-B']) {
        await t.http
          .post(url('materials'))
          .set(auth(planner))
          .send({ code, name: code, materialClass: 'finished', baseUnitId: pcs.id })
          .expect(201);
      }
      const bad = csv(
        'KIT-A,2026-01-01,,1,10,SC,4,0,manual',
        'KIT-A,2026-01-01,,1,20,NOPE,1,0,manual',
        'KIT-B,2026-01-01,,1,10,SC,-2,0,manual',
        'KIT-B,2026-01-01,,1,20,SC,1,0,sideways',
        'GHOST,2026-01-01,,1,10,SC,1,0,manual',
      );
      const dry = await importCsv(bad, true).expect(200);
      expect(dry.body.errors.map((e: { row: number; field: string }) => `${e.row}:${e.field}`)).toEqual([
        '3:component',
        '4:quantityPer',
        '5:issueMethod',
        '6:material',
      ]);
      const real = await importCsv(bad, false).expect(422);
      expect(real.body.code).toBe('IMPORT_REJECTED');
      expect((await t.http.get(url(`boms?materialId=${m.SC!.id}`)).set(auth(viewer))).body.items).toEqual([]);

      // Each BOM alone is fine, together they contain each other.
      const cycle = csv('KIT-A,2026-01-01,,1,10,KIT-B,1,0,manual', 'KIT-B,2026-01-01,,1,10,KIT-A,1,0,manual');
      const loop = await importCsv(cycle, true).expect(200);
      expect(loop.body.errors).toEqual([
        { row: 3, field: 'component', message: 'this BOM would make a cycle: KIT-B → KIT-A → KIT-B' },
      ]);
      const kitA = (await t.http.get(url('materials/by-code/KIT-A')).set(auth(viewer))).body;
      expect((await t.http.get(url(`boms?materialId=${kitA.id}`)).set(auth(viewer))).body.items).toEqual([]);
    });

    it('creates new revisions and replaces the one with the same start date, then exports what it holds', async () => {
      const good = csv(
        'KIT-A,2026-01-01,,1,10,SC,4,0.01,backflush',
        'KIT-A,2026-01-01,,1,20,ST,0.5,0,manual',
        'KIT-B,2026-01-01,,2,10,KIT-A,1,0,manual',
      );
      const dry = await importCsv(good, true).expect(200);
      expect(dry.body).toMatchObject({ dryRun: true, boms: 2, created: 2, updated: 0, errors: [] });
      const done = await importCsv(good, false).expect(200);
      expect(done.body).toMatchObject({ created: 2, updated: 0 });
      const again = await importCsv(csv('KIT-A,2026-01-01,,1,10,SC,6,0,manual'), false).expect(200);
      expect(again.body).toMatchObject({ created: 0, updated: 1 });

      const exported = await t.http.get(url('boms/export')).set(auth(viewer)).expect(200);
      expect(exported.headers['content-type']).toMatch(/text\/csv/);
      const rows = exported.text.trim().split('\r\n');
      expect(rows[0]).toBe(
        'material,revision,validFrom,validTo,baseQuantity,description,lineNo,component,quantityPer,scrapFactor,issueMethod,operationSeq',
      );
      expect(rows.filter((r) => r.startsWith('KIT-'))).toEqual([
        'KIT-A,1,2026-01-01,,1.000000,,10,SC,6.000000,0.000000,manual,',
        'KIT-B,1,2026-01-01,,2.000000,,10,KIT-A,1.000000,0.000000,manual,',
      ]);
      const actions = await t.dataSource.query<Array<{ action: string }>>(
        `SELECT action FROM audit_log WHERE entity_type = 'bom' AND action = 'bom.imported' AND site_id = $1`,
        [siteId],
      );
      expect(actions).toHaveLength(3);
      // The export imports back unchanged.
      const roundTrip = await t.http
        .post(url('boms/import?dryRun=true'))
        .set(auth(planner))
        .set('Content-Type', 'text/csv')
        .send(exported.text)
        .expect(200);
      expect(roundTrip.body.errors).toEqual([]);
    });
  });
});
