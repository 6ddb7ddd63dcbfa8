import { siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

describe('master data: routings', () => {
  let t: TestApp;
  let siteId: string;
  let admin: string;
  let planner: string;
  const ids: Record<string, { id: string; version: number }> = {};
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const url = (path: string) => `/api/v1/sites/${siteId}/${path}`;
  const create = async (token: string, path: string, body: object) =>
    (await t.http.post(url(path)).set(auth(token)).send(body).expect(201)).body;

  beforeAll(async () => {
    t = await startTestApp();
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    siteId = site.id;
    admin = users.admin.token;
    planner = users.planner.token;
    const pcs = await create(planner, 'units', { code: 'PCS', name: 'Piece', dimension: 'count' });
    ids.SH = await create(planner, 'materials', {
      code: 'SH',
      name: 'Shaft',
      nameZh: '轴',
      materialClass: 'semi_finished',
      baseUnitId: pcs.id,
    });
    ids.ST = await create(planner, 'materials', {
      code: 'ST',
      name: 'Steel bar',
      materialClass: 'raw',
      baseUnitId: pcs.id,
    });
    const area = await create(admin, 'areas', { code: 'A', name: 'Machining' });
    const line = await create(admin, 'lines', { code: 'L', name: 'Line', areaId: area.id });
    ids.TURN = await create(admin, 'work-centers', { code: 'TURN', name: 'Turning', lineId: line.id });
    ids.GRIND = await create(admin, 'work-centers', { code: 'GRIND', name: 'Grinding', lineId: line.id });
    ids.L1 = await create(admin, 'equipment', {
      code: 'LATHE-1',
      name: 'Lathe 1',
      workCenterId: ids.TURN!.id,
    });
    ids.L2 = await create(admin, 'equipment', {
      code: 'LATHE-2',
      name: 'Lathe 2',
      workCenterId: ids.TURN!.id,
    });
    ids.G1 = await create(admin, 'equipment', {
      code: 'GRINDER-1',
      name: 'Grinder 1',
      workCenterId: ids.GRIND!.id,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const turning = (extra: object = {}) => ({
    seq: 10,
    name: 'Turning',
    nameZh: '车削',
    workCenterId: ids.TURN!.id,
    minTransferQty: '20',
    instructions: '## Clamp\nUse soft jaws.',
    attachments: [{ title: 'Drawing rev C', url: 'https://docs.example.com/SH-C.pdf' }],
    parameters: [{ name: 'Spindle speed', unit: 'rpm', min: 2800, max: 3200 }],
    equipment: [
      { equipmentId: ids.L1!.id, runTimePerUnitSec: '45', setupTimeSec: '900', setupFamily: 'D40' },
      { equipmentId: ids.L2!.id, runTimePerUnitSec: '52.5', setupTimeSec: '1200', setupFamily: 'D40' },
    ],
    ...extra,
  });

  it('stores operations in sequence with eligible machines, times, setup families, instructions and parameters', async () => {
    const res = await t.http
      .post(url('routings'))
      .set(auth(planner))
      .send({
        materialId: ids.SH!.id,
        validFrom: '2026-01-01',
        operations: [
          turning(),
          {
            seq: 20,
            name: 'Grinding',
            workCenterId: ids.GRIND!.id,
            inspectionPoint: true,
            equipment: [{ equipmentId: ids.G1!.id, runTimePerUnitSec: '30' }],
          },
        ],
      })
      .expect(201);
    expect(res.body).toMatchObject({ revision: 1, materialCode: 'SH', version: 1 });
    const [op10, op20] = res.body.operations;
    expect(op10).toMatchObject({
      seq: 10,
      workCenterCode: 'TURN',
      minTransferQty: '20.000000',
      parameters: [{ name: 'Spindle speed', unit: 'rpm', min: 2800, max: 3200 }],
      attachments: [{ title: 'Drawing rev C', url: 'https://docs.example.com/SH-C.pdf' }],
    });
    expect(
      op10.equipment.map(
        (e: {
          equipmentCode: string;
          runTimePerUnitSec: string;
          setupTimeSec: string;
          setupFamily: string;
        }) => [e.equipmentCode, e.runTimePerUnitSec, e.setupTimeSec, e.setupFamily],
      ),
    ).toEqual([
      ['LATHE-1', '45.000', '900.000', 'D40'],
      ['LATHE-2', '52.500', '1200.000', 'D40'],
    ]);
    expect(op20).toMatchObject({ seq: 20, inspectionPoint: true, workCenterCode: 'GRIND' });
    const listed = await t.http
      .get(url(`routings?materialId=${ids.SH!.id}&at=2026-06-01`))
      .set(auth(admin))
      .expect(200);
    expect(listed.body.items.map((r: { revision: number }) => r.revision)).toEqual([1]);
  });

  it('refuses machines of another work center, duplicate sequences, inverted limits and raw materials — all at once', async () => {
    const res = await t.http
      .post(url('routings'))
      .set(auth(planner))
      .send({
        materialId: ids.ST!.id,
        validFrom: '2026-01-01',
        operations: [
          turning({
            equipment: [{ equipmentId: ids.G1!.id, runTimePerUnitSec: '10' }],
            parameters: [{ name: 'Torque', min: 50, max: 40 }],
          }),
          turning(),
        ],
      })
      .expect(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'materialId',
      'operations[0].equipment[0].equipmentId',
      'operations[0].parameters[0].max',
      'operations[1].seq',
    ]);
    expect(res.body.errors[1].message).toBe('GRINDER-1 is not in work center TURN');
  });

  it('replaces operations under optimistic concurrency and audits each change', async () => {
    const current = (
      await t.http
        .get(url(`routings?materialId=${ids.SH!.id}`))
        .set(auth(admin))
        .expect(200)
    ).body.items[0];
    const updated = await t.http
      .patch(url(`routings/${current.id}`))
      .set(auth(planner))
      .send({
        version: current.version,
        operations: [turning({ equipment: [{ equipmentId: ids.L1!.id, runTimePerUnitSec: '40' }] })],
        reason: 'grinding dropped',
      })
      .expect(200);
    expect(updated.body.operations).toHaveLength(1);
    expect(updated.body.version).toBe(current.version + 1);
    await t.http
      .patch(url(`routings/${current.id}`))
      .set(auth(planner))
      .send({ version: current.version, description: 'late' })
      .expect(409);
    const actions = await t.dataSource.query<Array<{ action: string; reason: string | null }>>(
      'SELECT action, reason FROM audit_log WHERE entity_id = $1 ORDER BY id',
      [current.id],
    );
    expect(actions).toEqual([
      { action: 'routing.created', reason: null },
      { action: 'routing.updated', reason: 'grinding dropped' },
    ]);
  });

  it('a deactivated machine cannot be added to an operation, but stays where it was', async () => {
    const current = (
      await t.http
        .get(url(`routings?materialId=${ids.SH!.id}`))
        .set(auth(admin))
        .expect(200)
    ).body.items[0];
    const lathe2 = (
      await t.http
        .get(url(`equipment/${ids.L2!.id}`))
        .set(auth(admin))
        .expect(200)
    ).body;
    await t.http
      .post(url(`equipment/${ids.L2!.id}/deactivate`))
      .set(auth(admin))
      .send({ version: lathe2.version })
      .expect(200);
    const refused = await t.http
      .patch(url(`routings/${current.id}`))
      .set(auth(planner))
      .send({ version: current.version, operations: [turning()] })
      .expect(422);
    expect(refused.body.errors).toEqual([
      { field: 'operations[0].equipment[1].equipmentId', message: 'equipment LATHE-2 is deactivated' },
    ]);

    // LATHE-1 is on the routing already: deactivating it does not block editing the routing.
    const lathe1 = (
      await t.http
        .get(url(`equipment/${ids.L1!.id}`))
        .set(auth(admin))
        .expect(200)
    ).body;
    await t.http
      .post(url(`equipment/${ids.L1!.id}/deactivate`))
      .set(auth(admin))
      .send({ version: lathe1.version })
      .expect(200);
    const kept = await t.http
      .patch(url(`routings/${current.id}`))
      .set(auth(planner))
      .send({
        version: current.version,
        operations: [turning({ equipment: [{ equipmentId: ids.L1!.id, runTimePerUnitSec: '41' }] })],
      })
      .expect(200);
    expect(kept.body.operations[0].equipment[0]).toMatchObject({
      equipmentCode: 'LATHE-1',
      runTimePerUnitSec: '41.000',
    });
  });

  describe('bulk import and export', () => {
    const header =
      'material,validFrom,seq,operation,workCenter,equipment,runTimePerUnitSec,setupTimeSec,setupFamily';
    const importCsv = (rows: string[], dryRun: boolean) =>
      t.http
        .post(url(`routings/import${dryRun ? '?dryRun=true' : ''}`))
        .set(auth(planner))
        .set('Content-Type', 'text/csv')
        .send([header, ...rows].join('\n') + '\n');

    it('reports every bad row and imports nothing; a clean file creates the routing', async () => {
      const pcs = (await t.http.get(url('units/by-code/PCS')).set(auth(admin)).expect(200)).body;
      await t.http
        .post(url('materials'))
        .set(auth(planner))
        .send({ code: 'PIN', name: 'Pin', materialClass: 'semi_finished', baseUnitId: pcs.id })
        .expect(201);
      // Rows that disagree or name unknown records are reported first...
      const bad = await importCsv(
        [
          'PIN,2026-01-01,10,Turn,TURN,GRINDER-1,30,600,P',
          'PIN,2026-01-01,10,Turn,GRIND,GRINDER-1,30,600,P',
          'PIN,2026-01-01,30,Wash,NOWHERE,GRINDER-1,30,,',
        ],
        true,
      ).expect(200);
      expect(bad.body.errors.map((e: { row: number; field: string }) => `${e.row}:${e.field}`)).toEqual([
        '3:workCenter',
        '4:workCenter',
      ]);
      // ...then malformed values...
      const malformed = await importCsv(['PIN,2026-01-01,10,Grind,GRIND,GRINDER-1,abc,,'], true).expect(200);
      expect(malformed.body.errors).toEqual([
        { row: 2, field: 'runTimePerUnitSec', message: expect.stringContaining('runTimePerUnitSec') },
      ]);
      // ...then what the API itself refuses, on the row it comes from.
      const wrongCell = await importCsv(['PIN,2026-01-01,10,Turn,TURN,GRINDER-1,30,,'], false).expect(422);
      expect(wrongCell.body.report.errors).toEqual([
        { row: 2, field: 'equipment', message: 'GRINDER-1 is not in work center TURN' },
      ]);
      const pin = (await t.http.get(url('materials/by-code/PIN')).set(auth(admin)).expect(200)).body;
      expect(
        (
          await t.http
            .get(url(`routings?materialId=${pin.id}`))
            .set(auth(admin))
            .expect(200)
        ).body.total,
      ).toBe(0);

      expect(
        (await importCsv(['PIN,2026-01-01,10,Grind,GRIND,GRINDER-1,30,600,P'], false).expect(200)).body,
      ).toMatchObject({ created: 1, updated: 0 });
    });

    it('exports what it holds; the export imports back as an update that keeps instructions and parameters', async () => {
      const exported = await t.http
        .get(url(`routings/export?materialId=${ids.SH!.id}`))
        .set(auth(admin))
        .expect(200);
      const rows = exported.text.trim().split('\r\n');
      expect(rows[0]).toBe(
        'material,revision,validFrom,validTo,description,seq,operation,operationZh,workCenter,minTransferQty,inspectionPoint,equipment,runTimePerUnitSec,setupTimeSec,setupFamily',
      );
      expect(rows[1]).toMatch(/^SH,1,2026-01-01,,,10,Turning,车削,TURN,20\.000000,false,LATHE-1,41\.000,/);
      const back = await t.http
        .post(url('routings/import'))
        .set(auth(planner))
        .set('Content-Type', 'text/csv')
        .send(exported.text)
        .expect(200);
      expect(back.body).toMatchObject({ created: 0, updated: 1, errors: [] });
      const current = (
        await t.http
          .get(url(`routings?materialId=${ids.SH!.id}`))
          .set(auth(admin))
          .expect(200)
      ).body.items[0];
      const full = (
        await t.http
          .get(url(`routings/${current.id}`))
          .set(auth(admin))
          .expect(200)
      ).body;
      expect(full.operations[0]).toMatchObject({
        instructions: '## Clamp\nUse soft jaws.',
        parameters: [{ name: 'Spindle speed', unit: 'rpm', min: 2800, max: 3200 }],
      });
    });
  });
});
