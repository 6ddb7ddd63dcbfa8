import { randomUUID } from 'node:crypto';
import { InspectionTriggers } from '../src/quality/inspections/inspection-triggers';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface Summary {
  id: string;
  code: string;
  type: string;
  status: string;
  trigger: string;
  sequenceNo: number;
  lot: { code: string; status: string } | null;
  workOrder: { code: string } | null;
}

/**
 * Inspection plans and inspections: plans refused field by field; IQC made on receipt and deciding the lot;
 * the hand release of an uninspected lot refused; IPQC by count at the terminal, decided by its results; OQC of
 * the produced lot — released only when it passes.
 */
describe('quality: inspection plans and inspections', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let supplierId: string;

  type Role = 'admin' | 'quality' | 'operator' | 'warehouse' | 'planner' | 'viewer';
  const as = (role: Role) => f.auth(f.users[role].token);
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const q = (path: string) => f.url(`quality/${path}`);
  const post = (role: Role, path: string, body: object) =>
    t.http.post(q(path)).set(as(role)).set(key()).send(body);
  const terminal = (path: string, body: object) =>
    t.http.post(`/api/v1/terminal/${path}`).set(as('operator')).set(key()).send(body);
  const list = async (role: Role, query: string): Promise<Summary[]> =>
    (
      await t.http
        .get(q(`inspections?${query}`))
        .set(as(role))
        .expect(200)
    ).body.items as Summary[];
  const lotStatus = async (code: string): Promise<string> =>
    (
      (
        await t.http
          .get(f.url(`lots/${code}`))
          .set(as('quality'))
          .expect(200)
      ).body as { status: string }
    ).status;
  const receive = async (material: string, lotCode: string, quantity = '50') =>
    t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material, quantity, location: 'WH', lotCode, supplierId })
      .expect(201);

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    const create = (path: string, body: object) =>
      t.http.post(f.url(path)).set(as('admin')).send(body).expect(201);
    await create('reason-codes', { code: 'D-SCRATCH', name: 'Scratch', nameZh: '划伤', category: 'defect' });
    await create('reason-codes', { code: 'D-BURR', name: 'Burr', nameZh: '毛刺', category: 'defect' });
    supplierId = (await create('partners', { code: 'SUP-1', name: 'Steel supplier', isSupplier: true })).body
      .id;
    // Stock for the work order, received before any plan covers these materials (available at once).
    for (const [material, quantity] of [
      ['SHAFT', '100'],
      ['GREASE', '10'],
    ] as const) {
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material, quantity, location: 'LS-L1' })
        .expect(201);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses an inconsistent plan field by field and creates nothing', async () => {
    const bad = await post('quality', 'inspection-plans', {
      code: 'IPQC-BAD',
      name: 'Bad plan',
      type: 'ipqc',
      material: 'SA-100',
      operationSeq: 30,
      frequency: 'count',
      sampleSize: 1,
      characteristics: [
        { code: 'DIA', name: 'Diameter', kind: 'variable', lsl: '40.1', usl: '39.9', chart: 'xbar-r' },
        { code: 'VIS', name: 'Visual', kind: 'attribute', defectCodes: ['S-DIM'], violationOpensNcr: true },
        { code: 'DIA', name: 'Again', kind: 'variable', usl: 1, target: 2 },
      ],
    }).expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const fields = (bad.body.errors as Array<{ field: string; message: string }>).map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'operationSeq',
        'frequencyQty',
        'characteristics[0].usl',
        'characteristics[0].chart',
        'characteristics[1].attributeType',
        'characteristics[1].defectCodes[0]',
        'characteristics[1].violationOpensNcr',
        'characteristics[2].code',
        'characteristics[2].target',
      ]),
    );
    const byField = (field: string) =>
      (bad.body.errors as Array<{ field: string; message: string }>).find((e) => e.field === field)!.message;
    expect(byField('operationSeq')).toContain('10, 20');
    expect(byField('characteristics[1].defectCodes[0]')).toContain('not a defect code');

    const shape = await post('quality', 'inspection-plans', {
      code: 'IQC-X',
      name: 'x',
      type: 'iqc',
      material: 'SHAFT',
      sampleSize: 0,
      characteristics: [{ code: 'A', name: 'A', kind: 'colour' }],
    }).expect(400);
    expect((shape.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(
      expect.arrayContaining(['sampleSize', 'characteristics[0].kind']),
    );
    await post('operator', 'inspection-plans', {}).expect(403);
    const plans = await t.http.get(q('inspection-plans')).set(as('viewer')).expect(200);
    expect(plans.body.total).toBe(0);
  });

  let iqcPlan: { id: string; version: number; characteristics: Array<{ id: string; code: string }> };

  it('IQC: a receipt makes one inspection; results in two calls; a pass releases the lot', async () => {
    const created = await post('quality', 'inspection-plans', {
      code: 'IQC-SHAFT',
      name: 'Incoming shaft blanks',
      nameZh: '轴毛坯来料检验',
      type: 'iqc',
      material: 'SHAFT',
      sampleSize: 3,
      characteristics: [
        { code: 'DIA', name: 'Diameter', kind: 'variable', unit: 'mm', lsl: 39.9, usl: '40.1', target: '40' },
        {
          code: 'VIS',
          name: 'Visual',
          kind: 'attribute',
          attributeType: 'pass_fail',
          defectCodes: ['D-SCRATCH'],
        },
      ],
    }).expect(201);
    iqcPlan = created.body;
    expect(created.body).toMatchObject({
      type: 'iqc',
      frequency: 'lot',
      material: { code: 'SHAFT' },
      materialInspection: { required: true, changed: true },
      characteristics: [
        {
          code: 'DIA',
          kind: 'variable',
          lsl: '39.9',
          usl: '40.1',
          target: '40',
          unit: 'mm',
          ruleSet: 'nelson',
          nSigma: 3,
        },
        { code: 'VIS', kind: 'attribute', attributeType: 'pass_fail', defectCodes: ['D-SCRATCH'] },
      ],
    });
    expect(created.body.materialInspection.message).toContain('quarantine');
    const listed = await t.http
      .get(q('inspection-plans?type=iqc&material=SHAFT'))
      .set(as('operator'))
      .expect(200);
    expect(listed.body.items.map((p: { code: string }) => p.code)).toEqual(['IQC-SHAFT']);

    const lot = await receive('SHAFT', 'SH-IQC-1');
    expect(lot.body.status).toBe('quarantine');
    const [pending, ...others] = await list('quality', 'lot=SH-IQC-1');
    expect(others).toEqual([]);
    expect(pending).toMatchObject({
      type: 'iqc',
      status: 'pending',
      trigger: 'receipt',
      code: expect.stringMatching(/^INS-\d{4}-\d{6}$/),
      lot: { code: 'SH-IQC-1', status: 'quarantine' },
    });
    // The job finds nothing missing: still one inspection for the lot.
    await t.app.get(InspectionTriggers).runDue();
    expect(await list('quality', 'lot=SH-IQC-1')).toHaveLength(1);
    const pendingList = await list('quality', 'status=pending,in_progress&type=iqc');
    expect(pendingList.map((i) => i.id)).toContain(pending!.id);

    // A release by hand before the inspection passed is refused; the lot stays in quarantine.
    const early = await t.http
      .post(f.url('lots/SH-IQC-1/release'))
      .set(as('quality'))
      .send({ reason: 'looks fine' })
      .expect(409);
    expect(early.body).toMatchObject({ code: 'INSPECTION_PENDING', lotCode: 'SH-IQC-1' });
    expect(early.body.detail).toContain(pending!.code);
    expect(await lotStatus('SH-IQC-1')).toBe('quarantine');

    await post('operator', `inspections/${pending!.id}/results`, {
      results: [{ characteristic: 'DIA', sampleNo: 1, value: '40' }],
    }).expect(403);
    const bad = await post('quality', `inspections/${pending!.id}/results`, {
      results: [
        { characteristic: 'DIA', sampleNo: 4, value: '40' },
        { characteristic: 'VIS', sampleNo: 1, value: '1' },
        { characteristic: 'VIS', sampleNo: 2, passed: false, defectCodes: ['D-BURR'] },
        { characteristic: 'LEN', sampleNo: 1, value: '1' },
      ],
    }).expect(400);
    expect((bad.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual([
      'results[0].sampleNo',
      'results[1].passed',
      'results[1].value',
      'results[2].defectCodes[0]',
      'results[3].characteristic',
    ]);

    const first = await post('quality', `inspections/${pending!.id}/results`, {
      results: [
        { characteristic: 'DIA', sampleNo: 1, value: '39.98' },
        { characteristic: 'DIA', sampleNo: 2, value: 40.02 },
        { characteristic: 'VIS', sampleNo: 1, passed: true },
      ],
    }).expect(200);
    expect(first.body).toMatchObject({ status: 'in_progress', complete: false, suggestedOutcome: 'pass' });
    expect(first.body.missing).toEqual([
      { characteristicId: iqcPlan.characteristics[0]!.id, code: 'DIA', missingSamples: [3] },
      { characteristicId: iqcPlan.characteristics[1]!.id, code: 'VIS', missingSamples: [2, 3] },
    ]);
    const second = await post('quality', `inspections/${pending!.id}/results`, {
      results: [
        { characteristic: 'DIA', sampleNo: 3, value: '40.01' },
        { characteristic: iqcPlan.characteristics[1]!.id, sampleNo: 2, passed: true },
        { characteristic: 'VIS', sampleNo: 3, passed: true },
        // A correction of sample 1 (audited with before and after).
        { characteristic: 'DIA', sampleNo: 1, value: '39.99', note: 're-measured' },
      ],
    }).expect(200);
    expect(second.body).toMatchObject({
      status: 'in_progress',
      complete: true,
      missing: [],
      outOfSpec: [],
      suggestedOutcome: 'pass',
      lot: { code: 'SH-IQC-1', status: 'quarantine', quantity: '50' },
    });
    expect(second.body.characteristics[0].samples.map((s: { value: string }) => s.value)).toEqual([
      '39.99',
      '40.02',
      '40.01',
    ]);
    const [correction] = await t.dataSource.query(
      `SELECT before, after FROM audit_log WHERE entity_id = $1 AND action = 'inspection.result_corrected'`,
      [pending!.id],
    );
    expect(correction).toMatchObject({ before: { value: '39.98' }, after: { value: '39.99' } });

    const decided = await post('quality', `inspections/${pending!.id}/decision`, { outcome: 'pass' }).expect(
      200,
    );
    expect(decided.body).toMatchObject({
      status: 'passed',
      decidedBy: { name: expect.any(String) },
      lotOutcome: { lotCode: 'SH-IQC-1', from: 'quarantine', to: 'available', applied: true },
      ncr: null,
    });
    expect(await lotStatus('SH-IQC-1')).toBe('available');
    const late = await post('quality', `inspections/${pending!.id}/results`, {
      results: [{ characteristic: 'DIA', sampleNo: 1, value: '40' }],
    }).expect(409);
    expect(late.body).toMatchObject({ code: 'INSPECTION_DECIDED', currentState: 'passed' });
  });

  it('IQC: a failing lot is rejected and an NCR names it, its supplier and the defects', async () => {
    await receive('SHAFT', 'SH-IQC-2', '40');
    const [inspection] = await list('quality', 'lot=SH-IQC-2');
    const early = await post('quality', `inspections/${inspection!.id}/decision`, { outcome: 'pass' }).expect(
      422,
    );
    expect(early.body).toMatchObject({ code: 'INSPECTION_INCOMPLETE' });
    expect(early.body.missing.map((m: { code: string }) => m.code)).toEqual(['DIA', 'VIS']);

    const recorded = await post('quality', `inspections/${inspection!.id}/results`, {
      results: [
        { characteristic: 'DIA', sampleNo: 1, value: '40.3' },
        { characteristic: 'VIS', sampleNo: 1, passed: false, defectCodes: ['D-SCRATCH'] },
      ],
    }).expect(200);
    expect(recorded.body.suggestedOutcome).toBe('fail');
    expect(
      recorded.body.outOfSpec.map((o: { kind: string; characteristicCode: string }) => [
        o.characteristicCode,
        o.kind,
      ]),
    ).toEqual([
      ['DIA', 'above_usl'],
      ['VIS', 'failed'],
    ]);
    // Partial (1 of 3 samples) and against the results: a note is needed to pass it.
    const noNote = await post('quality', `inspections/${inspection!.id}/decision`, {
      outcome: 'pass',
    }).expect(400);
    expect(noNote.body).toMatchObject({ code: 'DECISION_NOTE_REQUIRED', suggestedOutcome: 'fail' });
    expect(noNote.body.detail).toContain('partial inspection');
    expect(noNote.body.errors[0].field).toBe('note');

    const failed = await post('quality', `inspections/${inspection!.id}/decision`, {
      outcome: 'fail',
      note: 'Oversize on the first piece; stopped sampling',
    }).expect(200);
    expect(failed.body).toMatchObject({
      status: 'failed',
      lotOutcome: { lotCode: 'SH-IQC-2', from: 'quarantine', to: 'rejected', applied: true },
      ncr: { code: expect.stringMatching(/^NCR-/), status: 'open' },
    });
    expect(await lotStatus('SH-IQC-2')).toBe('rejected');
    const ncr = await t.http
      .get(q(`ncrs/${failed.body.ncr.id}`))
      .set(as('quality'))
      .expect(200);
    expect(ncr.body).toMatchObject({
      source: 'inspection',
      inspectionId: inspection!.id,
      supplierId,
      defectCodes: ['D-SCRATCH'],
    });
    expect(Number(ncr.body.quantity)).toBe(40);
  });

  it('changes a plan with an optimistic check and adds a characteristic', async () => {
    const stale = await t.http
      .patch(q(`inspection-plans/${iqcPlan.id}`))
      .set(as('quality'))
      .send({ expectedVersion: iqcPlan.version + 5, sampleSize: 5 })
      .expect(409);
    expect(stale.body).toMatchObject({ code: 'STALE_VERSION', currentVersion: iqcPlan.version });
    const invalid = await t.http
      .patch(q(`inspection-plans/${iqcPlan.id}`))
      .set(as('quality'))
      .send({
        expectedVersion: iqcPlan.version,
        characteristics: [{ code: 'DIA', usl: '39' }, { code: 'LEN' }],
      })
      .expect(400);
    expect((invalid.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual([
      'characteristics[0].usl',
      'characteristics[0].target',
      'characteristics[1].name',
      'characteristics[1].kind',
    ]);
    const changed = await t.http
      .patch(q(`inspection-plans/${iqcPlan.id}`))
      .set(as('quality'))
      .send({
        expectedVersion: iqcPlan.version,
        sampleSize: 5,
        characteristics: [
          { code: 'DIA', usl: '40.05', chart: 'xbar-r' },
          { code: 'LEN', name: 'Length', kind: 'variable', unit: 'mm', lsl: '120', usl: '121' },
        ],
      })
      .expect(200);
    expect(changed.body).toMatchObject({ version: iqcPlan.version + 1, sampleSize: 5 });
    expect(changed.body.characteristics.map((c: { code: string; usl: string }) => [c.code, c.usl])).toEqual([
      ['DIA', '40.05'],
      ['VIS', null],
      ['LEN', '121'],
    ]);
    await t.http
      .patch(q(`inspection-plans/${iqcPlan.id}`))
      .set(as('operator'))
      .send({ expectedVersion: changed.body.version, name: 'x' })
      .expect(403);
  });

  it('IPQC by count at the terminal (auto-decided), then OQC of the produced lot before its release', async () => {
    const oqc = await post('quality', 'inspection-plans', {
      code: 'OQC-SA100',
      name: 'Final inspection',
      type: 'oqc',
      material: 'SA-100',
      sampleSize: 2,
      characteristics: [
        { code: 'FUNC', name: 'Function test', kind: 'attribute', attributeType: 'pass_fail' },
      ],
    }).expect(201);
    expect(oqc.body.materialInspection).toMatchObject({ required: true, changed: false });
    await post('quality', 'inspection-plans', {
      code: 'IPQC-TURN',
      name: 'Turning Ø40 h6',
      type: 'ipqc',
      material: 'SA-100',
      operationSeq: 10,
      frequency: 'count',
      frequencyQty: '10',
      sampleSize: 2,
      characteristics: [
        {
          code: 'OD',
          name: 'Outer diameter',
          kind: 'variable',
          unit: 'mm',
          lsl: '39.975',
          usl: '40',
          chart: 'xbar-r',
        },
      ],
    }).expect(201);

    await post('quality', 'inspection-plans', {
      code: 'IPQC-ASSY',
      name: 'Assembly patrol check',
      type: 'ipqc',
      material: 'SA-100',
      operationSeq: 20,
      frequency: 'time',
      frequencyMinutes: 30,
      sampleSize: 1,
      characteristics: [
        { code: 'SEAT', name: 'Bearing seated', kind: 'attribute', attributeType: 'pass_fail' },
      ],
    }).expect(201);

    const wo = await t.http
      .post(f.url('work-orders'))
      .set(as('planner'))
      .send({ material: 'SA-100', quantity: '30', dueAt: '2030-01-01T00:00:00Z' })
      .expect(201);
    await t.http
      .post(f.url(`work-orders/${wo.body.id}/plan`))
      .set(as('planner'))
      .send({})
      .expect(200);
    const released = await t.http
      .post(f.url(`work-orders/${wo.body.id}/release`))
      .set(as('planner'))
      .send({})
      .expect(200);
    const [op10, op20] = released.body.operations as Array<{ id: string }>;

    // Started: the first-article inspection is due at the turning work center's terminal.
    await terminal(`operations/${op10!.id}/start`, {}).expect(200);
    const terminalQuery = `workCenter=TURN&type=ipqc&status=pending,in_progress`;
    expect((await list('operator', terminalQuery)).map((i) => i.sequenceNo)).toEqual([1]);
    // 25 good: one more every 10 (after 10 and 20).
    await terminal(`operations/${op10!.id}/report`, { goodQty: '25' }).expect(200);
    const due = await list('operator', terminalQuery);
    expect(due.map((i) => [i.sequenceNo, i.trigger, i.workOrder?.code])).toEqual([
      [1, 'count', wo.body.code],
      [2, 'count', wo.body.code],
      [3, 'count', wo.body.code],
    ]);
    await t.app.get(InspectionTriggers).runDue();
    expect(await list('operator', terminalQuery)).toHaveLength(3);
    expect(await list('operator', 'workCenter=ASSY&type=ipqc')).toEqual([]);

    const good = await post('operator', `inspections/${due[0]!.id}/results`, {
      results: [
        { characteristic: 'OD', sampleNo: 1, value: '39.990' },
        { characteristic: 'OD', sampleNo: 2, value: '39.985' },
      ],
    }).expect(200);
    expect(good.body).toMatchObject({ status: 'passed', decidedAutomatically: true, ncr: null, signals: [] });
    expect(good.body.operation).toMatchObject({ seq: 10, workOrderCode: wo.body.code });
    const bad = await post('operator', `inspections/${due[1]!.id}/results`, {
      results: [
        { characteristic: 'OD', sampleNo: 1, value: '39.990' },
        { characteristic: 'OD', sampleNo: 2, value: '40.020' },
      ],
    }).expect(200);
    expect(bad.body).toMatchObject({
      status: 'failed',
      decidedAutomatically: true,
      outOfSpec: [{ characteristicCode: 'OD', sampleNo: 2, kind: 'above_usl' }],
      ncr: { status: 'open' },
    });
    const ncr = await t.http
      .get(q(`ncrs/${bad.body.ncr.id}`))
      .set(as('quality'))
      .expect(200);
    expect(ncr.body).toMatchObject({ source: 'inspection', workOrderId: wo.body.id, operationId: op10!.id });
    expect((await list('operator', terminalQuery)).map((i) => i.sequenceNo)).toEqual([3]);

    // Turning completes at 30: the fourth is due; assembly completes the order and books the lot.
    await terminal(`operations/${op10!.id}/complete`, { goodQty: '5' }).expect(200);
    expect((await list('operator', terminalQuery)).map((i) => i.sequenceNo)).toEqual([3, 4]);
    const assy = await terminal(`operations/${op20!.id}/start`, {}).expect(200);
    // By time: one at the start, then the one due for the current 30-minute slot (the job, 65 minutes on).
    const assyQuery = 'workCenter=ASSY&type=ipqc&status=pending';
    expect((await list('operator', assyQuery)).map((i) => [i.sequenceNo, i.trigger])).toEqual([[1, 'time']]);
    const startedAt = Date.parse(assy.body.startedAt as string);
    const later = new Date(startedAt + 65 * 60_000);
    // (The job goes over every site: its count may include other tests' work, so this site's list is checked.)
    expect((await t.app.get(InspectionTriggers).runDue(later)).created).toBeGreaterThanOrEqual(1);
    await t.app.get(InspectionTriggers).runDue(later);
    const patrol = await t.http
      .get(q(`inspections?${assyQuery}`))
      .set(as('operator'))
      .expect(200);
    expect(patrol.body.items.map((i: { sequenceNo: number }) => i.sequenceNo)).toEqual([1, 2]);
    expect(Date.parse(patrol.body.items[1].dueAt as string)).toBe(startedAt + 60 * 60_000);
    const done = await terminal(`operations/${op20!.id}/complete`, { goodQty: '30' }).expect(200);
    expect(done.body.workOrderStatus).toBe('completed');
    const produced = done.body.producedLots[0] as { code: string; status: string };
    expect(produced.status).toBe('quarantine');

    const [final] = await list('quality', `lot=${produced.code}`);
    expect(final).toMatchObject({ type: 'oqc', trigger: 'completion', status: 'pending' });
    const early = await t.http
      .post(f.url(`lots/${produced.code}/release`))
      .set(as('admin'))
      .send({})
      .expect(409);
    expect(early.body.code).toBe('INSPECTION_PENDING');
    expect(await lotStatus(produced.code)).toBe('quarantine');

    // A re-inspection asked for meanwhile keeps the lot in quarantine when the first passes.
    const again = await post('quality', 'inspections', { plan: 'OQC-SA100', lot: produced.code }).expect(201);
    expect(again.body).toMatchObject({ trigger: 'manual', status: 'pending', lot: { code: produced.code } });
    const allPass = {
      results: [1, 2].map((sampleNo) => ({ characteristic: 'FUNC', sampleNo, passed: true })),
    };
    await post('quality', `inspections/${final!.id}/results`, allPass).expect(200);
    const firstPass = await post('quality', `inspections/${final!.id}/decision`, { outcome: 'pass' }).expect(
      200,
    );
    expect(firstPass.body.lotOutcome).toMatchObject({ applied: false, from: 'quarantine', to: 'quarantine' });
    expect(firstPass.body.lotOutcome.message).toContain(again.body.code);
    expect(await lotStatus(produced.code)).toBe('quarantine');

    await post('quality', `inspections/${again.body.id}/results`, allPass).expect(200);
    const secondPass = await post('quality', `inspections/${again.body.id}/decision`, {
      outcome: 'pass',
    }).expect(200);
    expect(secondPass.body.lotOutcome).toMatchObject({ applied: true, from: 'quarantine', to: 'available' });
    expect(await lotStatus(produced.code)).toBe('available');
    const decided = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE entity_type = 'inspection' AND action = 'inspection.decided'
          AND entity_id = ANY($1::text[])`,
      [[final!.id, again.body.id]],
    );
    expect(decided[0].n).toBe(2);
  });

  it('the job makes a lot inspection that is missing (a lot in quarantine under an active plan)', async () => {
    await receive('SHAFT', 'SH-IQC-4', '5');
    const [made] = await list('quality', 'lot=SH-IQC-4');
    // As if the inspection had never been made (e.g. the plan came after the lot).
    await t.dataSource.query('DELETE FROM inspection WHERE id = $1', [made!.id]);
    expect(await list('quality', 'lot=SH-IQC-4')).toEqual([]);
    const run = await t.app.get(InspectionTriggers).runDue();
    expect(run.created).toBeGreaterThanOrEqual(1);
    const again = await list('quality', 'lot=SH-IQC-4');
    expect(again.map((i) => [i.type, i.trigger, i.status])).toEqual([['iqc', 'receipt', 'pending']]);
    await t.app.get(InspectionTriggers).runDue();
    expect(await list('quality', 'lot=SH-IQC-4')).toHaveLength(1);
  });

  it('pages the list with a cursor', async () => {
    const first = await t.http.get(q('inspections?type=iqc&limit=2')).set(as('viewer')).expect(200);
    expect(first.body.items).toHaveLength(2);
    const second = await t.http
      .get(q(`inspections?type=iqc&limit=2&cursor=${first.body.nextCursor as string}`))
      .set(as('viewer'))
      .expect(200);
    const ids = [...first.body.items, ...second.body.items].map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    const all = await list('viewer', 'type=iqc&limit=200');
    expect(all.slice(0, ids.length).map((i) => i.id)).toEqual(ids);
    const bad = await t.http.get(q('inspections?cursor=nope&status=open')).set(as('viewer')).expect(400);
    expect((bad.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(['status']);
  });

  it('cancels an open inspection with a reason, after which the lot may be released by hand', async () => {
    await receive('SHAFT', 'SH-IQC-3', '10');
    const [inspection] = await list('quality', 'lot=SH-IQC-3');
    await post('quality', `inspections/${inspection!.id}/cancel`, {}).expect(400);
    const cancelled = await t.http
      .post(q(`inspections/${inspection!.id}/cancel`))
      .set(as('quality'))
      .send({ reason: 'Sample lot, certified by the supplier' })
      .expect(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      decisionNote: 'Sample lot, certified by the supplier',
    });
    await t.http.post(f.url('lots/SH-IQC-3/release')).set(as('quality')).send({}).expect(200);
    expect(await lotStatus('SH-IQC-3')).toBe('available');
    const again = await post('quality', `inspections/${inspection!.id}/results`, {
      results: [{ characteristic: 'DIA', sampleNo: 1, value: '40' }],
    }).expect(409);
    expect(again.body.code).toBe('INSPECTION_CANCELLED');
  });
});
