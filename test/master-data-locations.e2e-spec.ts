import { siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

describe('master data: storage locations, partners and reason codes', () => {
  let t: TestApp;
  let siteId: string;
  let admin: string;
  let warehouse: string;
  let quality: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const url = (path: string) => `/api/v1/sites/${siteId}/${path}`;
  const post = (token: string, path: string, body: object) =>
    t.http.post(url(path)).set(auth(token)).send(body);

  beforeAll(async () => {
    t = await startTestApp();
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    siteId = site.id;
    admin = users.admin.token;
    warehouse = users.warehouse.token;
    quality = users.quality.token;
  });
  afterAll(async () => {
    await t.close();
  });

  it('holds warehouse → zone → bin, and refuses structures that make no sense', async () => {
    const wh = (
      await post(warehouse, 'locations', {
        code: 'WH1',
        name: 'Main warehouse',
        nameZh: '主仓库',
        locationType: 'warehouse',
      }).expect(201)
    ).body;
    const zone = (
      await post(warehouse, 'locations', {
        code: 'WH1-A',
        name: 'Zone A',
        locationType: 'zone',
        parentId: wh.id,
      }).expect(201)
    ).body;
    await post(warehouse, 'locations', {
      code: 'WH1-A-01',
      name: 'Bin A-01',
      locationType: 'bin',
      parentId: zone.id,
      capacity: '2',
      capacityUnitId: undefined,
    }).expect(422);
    const bin = (
      await post(warehouse, 'locations', {
        code: 'WH1-A-02',
        name: 'Bin A-02',
        locationType: 'bin',
        parentId: zone.id,
      }).expect(201)
    ).body;

    const orphan = await post(warehouse, 'locations', {
      code: 'BIN-X',
      name: 'x',
      locationType: 'bin',
    }).expect(422);
    expect(orphan.body.errors).toEqual([{ field: 'parentId', message: 'a bin needs its zone or warehouse' }]);
    const zoneInBin = await post(warehouse, 'locations', {
      code: 'Z-X',
      name: 'x',
      locationType: 'zone',
      parentId: bin.id,
    }).expect(422);
    expect(zoneInBin.body.errors).toEqual([
      { field: 'parentId', message: 'a zone belongs in a warehouse, not in a bin' },
    ]);
    const lineSide = await post(warehouse, 'locations', {
      code: 'LS-X',
      name: 'x',
      locationType: 'line_side',
    }).expect(422);
    expect(lineSide.body.errors).toEqual([
      { field: 'lineId', message: 'a line-side location names its line' },
    ]);
    const self = await t.http
      .patch(url(`locations/${zone.id}`))
      .set(auth(warehouse))
      .send({ version: 1, parentId: zone.id })
      .expect(422);
    expect(self.body.errors.map((e: { message: string }) => e.message)).toContain(
      'a location cannot contain itself',
    );

    const children = await t.http
      .get(url(`locations?parentId=${zone.id}`))
      .set(auth(quality))
      .expect(200);
    expect(children.body.items.map((l: { code: string }) => l.code)).toEqual(['WH1-A-02']);
    await post(quality, 'locations', { code: 'Q-X', name: 'x', locationType: 'wip' }).expect(403);
  });

  it('places supplier locations at suppliers only; a partner is a supplier, a customer or both', async () => {
    const none = await post(admin, 'partners', { code: 'P-0', name: 'Nobody' }).expect(422);
    expect(none.body.errors[0].field).toBe('isSupplier');
    const customer = (
      await post(admin, 'partners', {
        code: 'C-1',
        name: 'Auto OEM',
        nameZh: '汽车主机厂',
        isCustomer: true,
        country: 'DE',
      }).expect(201)
    ).body;
    const supplier = (
      await post(admin, 'partners', {
        code: 'S-1',
        name: 'Heat treatment Co.',
        nameZh: '热处理厂',
        isSupplier: true,
        email: 'ops@example.com',
      }).expect(201)
    ).body;
    await post(admin, 'partners', {
      code: 'S-2',
      name: 'x',
      isSupplier: true,
      email: 'not-an-email',
      country: 'China',
    }).expect(400);

    const wrong = await post(warehouse, 'locations', {
      code: 'OUT-1',
      name: 'At customer',
      locationType: 'supplier',
      partnerId: customer.id,
    }).expect(422);
    expect(wrong.body.errors).toEqual([{ field: 'partnerId', message: 'C-1 is not a supplier' }]);
    await post(warehouse, 'locations', {
      code: 'OUT-2',
      name: 'Heat treatment (outsourced)',
      locationType: 'supplier',
      partnerId: supplier.id,
    }).expect(201);
    const suppliers = await t.http.get(url('partners?isSupplier=true')).set(auth(quality)).expect(200);
    expect(suppliers.body.items.map((p: { code: string }) => p.code)).toEqual(['S-1']);
  });

  it('reason codes: filtered by category, which never changes once created', async () => {
    const scrap = (
      await post(quality, 'reason-codes', {
        code: 'SCR-01',
        name: 'Dimension out of tolerance',
        nameZh: '尺寸超差',
        category: 'scrap',
      }).expect(201)
    ).body;
    await post(quality, 'reason-codes', {
      code: 'DT-01',
      name: 'Waiting for material',
      nameZh: '待料',
      category: 'downtime_unplanned',
    }).expect(201);
    await post(quality, 'reason-codes', { code: 'X-01', name: 'x', category: 'coffee' }).expect(400);
    const list = await t.http.get(url('reason-codes?category=scrap')).set(auth(quality)).expect(200);
    expect(list.body.items.map((r: { code: string }) => r.code)).toEqual(['SCR-01']);
    const renamed = await t.http
      .patch(url(`reason-codes/${scrap.id}`))
      .set(auth(quality))
      .send({ version: 1, nameZh: '尺寸不良' })
      .expect(200);
    expect(renamed.body.nameZh).toBe('尺寸不良');
    await t.http
      .patch(url(`reason-codes/${scrap.id}`))
      .set(auth(quality))
      .send({ version: 2, category: 'pause' })
      .expect(400);
    const imported = await t.http
      .post(url('reason-codes/import'))
      .set(auth(quality))
      .send({ rows: [{ code: 'SCR-01', name: 'Dimension out of tolerance', category: 'pause' }] })
      .expect(422);
    expect(imported.body.report.errors).toEqual([
      { row: 1, field: 'category', message: 'the category of an existing reason code cannot change' },
    ]);
  });

  it('a material is put away by default in a warehouse, zone, bin or line-side location only', async () => {
    const unit = (await post(admin, 'units', { code: 'PCS', name: 'Piece', dimension: 'count' }).expect(201))
      .body;
    const scrapArea = (
      await post(warehouse, 'locations', { code: 'SCRAP', name: 'Scrap cage', locationType: 'scrap' }).expect(
        201,
      )
    ).body;
    const wh = (await t.http.get(url('locations/by-code/WH1')).set(auth(admin)).expect(200)).body;
    const refused = await post(admin, 'materials', {
      code: 'M-L1',
      name: 'x',
      materialClass: 'raw',
      baseUnitId: unit.id,
      defaultLocationId: scrapArea.id,
    }).expect(422);
    expect(refused.body.errors).toEqual([
      { field: 'defaultLocationId', message: 'stock is not put away in a scrap location' },
    ]);
    const ok = await post(admin, 'materials', {
      code: 'M-L2',
      name: 'y',
      materialClass: 'raw',
      baseUnitId: unit.id,
      defaultLocationId: wh.id,
    }).expect(201);
    expect(ok.body.defaultLocationId).toBe(wh.id);
  });

  it('converts a material between its units exactly, rounding to the target unit', async () => {
    const pcs = (await t.http.get(url('units/by-code/PCS')).set(auth(admin)).expect(200)).body;
    const box = (
      await post(admin, 'units', { code: 'BOX', name: 'Box', nameZh: '箱', dimension: 'count' }).expect(201)
    ).body;
    const kg = (
      await post(admin, 'units', { code: 'KG', name: 'Kilogram', dimension: 'mass', decimals: 3 }).expect(201)
    ).body;
    const bolt = (
      await post(admin, 'materials', {
        code: 'M-BOLT',
        name: 'Bolt',
        materialClass: 'raw',
        baseUnitId: pcs.id,
      }).expect(201)
    ).body;

    const saved = await t.http
      .put(url(`materials/${bolt.id}/conversions`))
      .set(auth(admin))
      .send({
        version: bolt.version,
        conversions: [
          { unitId: box.id, factor: '12' },
          { unitId: kg.id, factor: '83.333333333' },
        ],
        reason: 'packed 12 per box; 12 g each',
      })
      .expect(200);
    expect(saved.body.map((c: { unitCode: string; factor: string }) => `${c.unitCode}=${c.factor}`)).toEqual([
      'BOX=12.000000000',
      'KG=83.333333333',
    ]);
    const stale = await t.http
      .put(url(`materials/${bolt.id}/conversions`))
      .set(auth(admin))
      .send({ version: bolt.version, conversions: [] })
      .expect(409);
    expect(stale.body.code).toBe('STALE_VERSION');

    const convert = (quantity: string, from: string, to: string) =>
      t.http
        .get(url(`materials/${bolt.id}/convert?quantity=${quantity}&fromUnitId=${from}&toUnitId=${to}`))
        .set(auth(warehouse));
    expect((await convert('3', box.id, pcs.id).expect(200)).body.quantity).toBe('36');
    expect((await convert('100', pcs.id, box.id).expect(200)).body).toMatchObject({
      quantity: '8',
      precise: '8.333333333',
    });
    expect((await convert('1000', pcs.id, kg.id).expect(200)).body.quantity).toBe('12.000');
    const unknownUnit = await convert(
      '1',
      (await post(admin, 'units', { code: 'ROLL', name: 'Roll', dimension: 'length' }).expect(201)).body.id,
      pcs.id,
    ).expect(422);
    expect(unknownUnit.body.errors[0]).toMatchObject({
      field: 'fromUnitId',
      message: 'not a unit of material M-BOLT',
    });
    const base = await t.http
      .put(url(`materials/${bolt.id}/conversions`))
      .set(auth(admin))
      .send({ version: bolt.version + 1, conversions: [{ unitId: pcs.id, factor: '1' }] })
      .expect(422);
    expect(base.body.errors[0].message).toBe('the base unit converts 1:1 by definition');
  });
});
