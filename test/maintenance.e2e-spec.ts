import { randomUUID } from 'node:crypto';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { eventually } from './support/eventually';
import { settledVersion } from './support/schedule-version';
import { startTestApp, type TestApp } from './support/test-app';

interface Ticket {
  id: string;
  code: string;
  kind: string;
  status: string;
  breakdown: boolean;
  andonId: string | null;
  equipmentId: string;
  priority: string;
  dueKey: string | null;
  windowStart: string | null;
  windowEnd: string | null;
  version: number;
  parts: Array<{ materialCode: string; requiredQty: string; issuedQty: string; reservedQty: string }>;
  labourMinutes: Array<{ technicianName: string; minutes: number }>;
  checklist: Array<{ text: string; done: boolean }>;
}

interface Bar {
  operationId: string;
  equipmentId: string;
  start: string;
  end: string;
}

/**
 * A technician's day: a machine breaks down at the terminal (operation paused, machine down, ticket opened,
 * next plan keeps the machine free), spare parts come out of stock, the ticket is closed with its cause and the
 * machine comes back; meters count what production reports; PM plans fall due once, however many instances
 * check, and their window is kept free in the plan.
 */
describe('maintenance: breakdowns, tickets, parts, meters and PM plans', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let wo: { id: string; code: string };
  let op10: string;

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const mt = (path: string) => f.url(`maintenance/${path}`);
  const terminal = (path: string, body: object = {}) =>
    t.http
      .post(`/api/v1/terminal/${path}`)
      .set(as('operator'))
      .set('Idempotency-Key', randomUUID())
      .send(body);
  const tickets = async (query: string): Promise<Ticket[]> =>
    (
      await t.http
        .get(mt(`tickets?${query}`))
        .set(as('maintenance'))
        .expect(200)
    ).body.items as Ticket[];
  const equipmentStatus = async (id: string): Promise<string> =>
    (
      await t.http
        .get(f.url(`equipment/${id}`))
        .set(as('planner'))
        .expect(200)
    ).body.status as string;
  const planRun = async (): Promise<{ id: string; bars: Bar[]; warnings: Array<{ code: string }> }> => {
    const res = await t.http
      .post(f.url('planning/runs'))
      .set(as('planner'))
      .send({ seconds: 1, seed: 3 })
      .expect(202);
    const done = await settledVersion(t.http, f.url(`planning/versions/${res.body.id}`), as('planner'));
    expect(done).toMatchObject({ status: 'succeeded' });
    const gantt = await t.http
      .get(f.url(`planning/gantt?versionId=${res.body.id}&by=machine`))
      .set(as('planner'))
      .expect(200);
    return {
      id: res.body.id,
      bars: (gantt.body.rows as Array<{ bars: Bar[] }>).flatMap((r) => r.bars),
      warnings: done.warnings,
    };
  };

  /** The live plan once it is the one named (an automatic re-plan published), with its machine bars. */
  const liveNamed = (name: string) =>
    eventually(
      async () => {
        const live = await t.http.get(f.url('planning/live')).set(as('planner'));
        if (live.status !== 200 || live.body.name !== name) return undefined;
        const gantt = await t.http.get(f.url('planning/gantt?by=machine')).set(as('planner')).expect(200);
        return {
          version: live.body as { id: string; code: string; name: string; publishedByName: string },
          bars: (gantt.body.rows as Array<{ bars: Bar[] }>).flatMap((r) => r.bars),
        };
      },
      `live plan "${name}"`,
      60_000,
    );

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
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
    const pcs = f.units.pcs.id;
    await t.http
      .post(f.url('materials'))
      .set(as('admin'))
      .send({
        code: 'BEARING-6205',
        name: 'Deep groove bearing 6205',
        materialClass: 'spare_part',
        baseUnitId: pcs,
        lotTracked: true,
      })
      .expect(201);
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'BEARING-6205', quantity: '5', location: 'WH', lotCode: 'BRG-1' })
      .expect(201);
    const created = await t.http
      .post(f.url('work-orders'))
      .set(as('planner'))
      .send({ material: 'SA-100', quantity: '40', dueAt: '2030-01-01T00:00:00Z' })
      .expect(201);
    wo = created.body;
    op10 = (created.body.operations as Array<{ id: string }>)[0]!.id;
    await t.http
      .post(f.url(`work-orders/${wo.id}/plan`))
      .set(as('planner'))
      .send({})
      .expect(200);
    await t.http
      .post(f.url(`work-orders/${wo.id}/release`))
      .set(as('planner'))
      .send({})
      .expect(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('registers machines as assets with components and a meter fed by reported quantities', async () => {
    const asset = await t.http
      .post(mt('assets'))
      .set(as('maintenance'))
      .send({
        equipment: 'LATHE-1',
        serialNo: 'CK6140-2291',
        installDate: '2021-05-10',
        criticality: 'A',
        documents: [{ title: 'Manual', url: 'https://docs.example.com/ck6140.pdf' }],
      })
      .expect(201);
    expect(asset.body).toMatchObject({ code: 'LATHE-1', kind: 'equipment', criticality: 'A' });
    await t.http
      .post(mt('assets'))
      .set(as('maintenance'))
      .send({
        equipment: 'LATHE-1',
        parent: 'LATHE-1',
        code: 'LATHE-1-SPINDLE',
        name: 'Spindle',
        serialNo: 'SP-77',
      })
      .expect(201);
    const bad = await t.http
      .post(mt('assets'))
      .set(as('maintenance'))
      .send({ equipment: 'LATHE-1', criticality: 'Z', documents: [{ title: 'x', url: 'ftp://nope' }] })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'criticality',
      'documents[0].url',
    ]);
    await t.http
      .post(mt('assets/LATHE-1/meters'))
      .set(as('maintenance'))
      .send({ code: 'CYCLES', kind: 'cycles', feed: 'reported_quantity', offset: '1000' })
      .expect(201);
    const view = await t.http.get(mt('assets/LATHE-1')).set(as('viewer')).expect(200);
    expect(view.body.components.map((c: { code: string }) => c.code)).toEqual(['LATHE-1-SPINDLE']);
    expect(view.body.meters).toEqual([expect.objectContaining({ code: 'CYCLES', value: '1000' })]);
  });

  it('a breakdown at the terminal pauses the operation, sets the machine down, opens a ticket and re-plans around the machine', async () => {
    // The plan the shop floor works to: the order's lathe steps now.
    const first = await planRun();
    await t.http
      .post(f.url(`planning/versions/${first.id}/publish`))
      .set(as('planner'))
      .send({})
      .expect(200);
    expect(first.bars.filter((b) => b.equipmentId === f.equipment.lathe.id).length).toBeGreaterThan(0);
    const brokeAt = Date.now();
    await terminal(`operations/${op10}/start`).expect(200);
    await terminal(`operations/${op10}/report`, { goodQty: '4' }).expect(200);
    const andon = await terminal('andon', {
      kind: 'maintenance',
      operationId: op10,
      machineDown: true,
      message: 'Spindle seized',
    }).expect(201);
    expect(andon.body).toMatchObject({ machineDown: true, equipmentId: f.equipment.lathe.id });
    expect(
      (await t.http.get(`/api/v1/terminal/operations/${op10}`).set(as('operator')).expect(200)).body.status,
    ).toBe('paused');
    expect(await equipmentStatus(f.equipment.lathe.id)).toBe('down');
    const [ticket] = await tickets('equipment=LATHE-1&kind=corrective');
    expect(ticket).toMatchObject({
      kind: 'corrective',
      status: 'open',
      breakdown: true,
      andonId: andon.body.id,
      priority: 'urgent',
    });
    // A second breakdown ticket for the same machine is refused while the first is open.
    const again = await t.http
      .post(mt('tickets'))
      .set(as('maintenance'))
      .set('Idempotency-Key', randomUUID())
      .send({ kind: 'corrective', asset: 'LATHE-1', title: 'Still down', machineDown: true })
      .expect(409);
    expect(again.body).toMatchObject({ code: 'BREAKDOWN_OPEN', ticketCode: ticket!.code });

    const board = await t.http.get(mt('board')).set(as('maintenance')).expect(200);
    expect(board.body.machinesDown).toEqual([
      expect.objectContaining({ equipmentCode: 'LATHE-1', ticketCode: ticket!.code }),
    ]);
    expect(board.body.byStatus.open).toBeGreaterThanOrEqual(1);

    // The breakdown re-planned by itself: published, the lathe's work after the expected return (4 h).
    const replanned = await liveNamed('Breakdown LATHE-1');
    expect(replanned.version.publishedByName).toBe('APS re-plan');
    const lathe = replanned.bars.filter((b) => b.equipmentId === f.equipment.lathe.id);
    expect(lathe.length).toBeGreaterThan(0);
    for (const b of lathe)
      expect(Date.parse(b.start)).toBeGreaterThanOrEqual(brokeAt + 4 * 3600_000 - 60_000);
    const op = await t.http.get(`/api/v1/terminal/operations/${op10}`).set(as('operator')).expect(200);
    expect(Date.parse(op.body.scheduledStart)).toBeGreaterThanOrEqual(brokeAt + 4 * 3600_000 - 60_000);

    const back = new Date(Date.now() + 3 * 3600_000);
    await t.http
      .patch(mt(`tickets/${ticket!.code}`))
      .set(as('maintenance'))
      .send({ expectedBackAt: back.toISOString() })
      .expect(200);
    const plan = await planRun();
    const onLathe = plan.bars.filter((b) => b.equipmentId === f.equipment.lathe.id);
    expect(onLathe.length).toBeGreaterThan(0);
    for (const b of onLathe) expect(Date.parse(b.start)).toBeGreaterThanOrEqual(back.getTime() - 60_000);
    expect(plan.warnings.map((w) => w.code)).toContain('MACHINE_NOT_AVAILABLE');
  });

  it('spare parts are reserved with a stock check and issued from the warehouse, reducing stock', async () => {
    const [ticket] = await tickets('equipment=LATHE-1&kind=corrective');
    const short = await t.http
      .post(mt(`tickets/${ticket!.code}/parts`))
      .set(as('maintenance'))
      .send({ material: 'BEARING-6205', quantity: '6' })
      .expect(409);
    expect(short.body).toMatchObject({ code: 'INSUFFICIENT_STOCK', availableQty: '5' });
    const reserved = await t.http
      .post(mt(`tickets/${ticket!.code}/parts`))
      .set(as('maintenance'))
      .send({ material: 'BEARING-6205', quantity: '2' })
      .expect(200);
    expect(reserved.body.parts).toEqual([
      expect.objectContaining({
        materialCode: 'BEARING-6205',
        requiredQty: '2',
        issuedQty: '0',
        reservedQty: '2',
      }),
    ]);
    const issued = await t.http
      .post(mt(`tickets/${ticket!.code}/parts/issue`))
      .set(as('maintenance'))
      .set('Idempotency-Key', randomUUID())
      .send({ material: 'BEARING-6205', quantity: '2' })
      .expect(200);
    expect(issued.body.issued.moved).toEqual([expect.objectContaining({ lotCode: 'BRG-1', quantity: '2' })]);
    expect(issued.body.parts[0]).toMatchObject({ issuedQty: '2', reservedQty: '0' });
    const lot = await t.http.get(f.url('lots/BRG-1')).set(as('warehouse')).expect(200);
    expect(lot.body.quantity).toBe('3');
    expect(lot.body.movements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ movementType: 'issue', quantity: '2.000000', reference: ticket!.code }),
      ]),
    );
    const tooMany = await t.http
      .post(mt(`tickets/${ticket!.code}/parts/issue`))
      .set(as('maintenance'))
      .set('Idempotency-Key', randomUUID())
      .send({ material: 'BEARING-6205', quantity: '4' })
      .expect(409);
    expect(tooMany.body).toMatchObject({ code: 'INSUFFICIENT_STOCK', availableQty: '3' });
    expect((await t.http.get(f.url('lots/BRG-1')).set(as('warehouse')).expect(200)).body.quantity).toBe('3');
  });

  it('the technician works the ticket; it closes only with failure code, cause and remedy, and the machine comes back', async () => {
    const [ticket] = await tickets('equipment=LATHE-1&kind=corrective');
    const code = ticket!.code;
    await t.http
      .post(mt(`tickets/${code}/assign`))
      .set(as('maintenance'))
      .send({ technician: f.users.operator.username })
      .expect(400);
    await t.http
      .post(mt(`tickets/${code}/assign`))
      .set(as('maintenance'))
      .send({ technician: f.users.maintenance.username })
      .expect(200);
    const started = await t.http
      .post(mt(`tickets/${code}/start`))
      .set(as('maintenance'))
      .expect(200);
    expect(started.body.status).toBe('in_progress');
    const andon = await t.http.get(f.url('andon?all=true')).set(as('operator')).expect(200);
    expect(andon.body.find((a: { id: string }) => a.id === ticket!.andonId)).toMatchObject({
      state: 'acknowledged',
    });

    const incomplete = await t.http
      .post(mt(`tickets/${code}/complete`))
      .set(as('maintenance'))
      .send({ failureCode: 'BEARING' })
      .expect(409);
    expect(incomplete.body).toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      currentState: 'in_progress',
      missing: ['cause', 'remedy'],
    });
    expect(await equipmentStatus(f.equipment.lathe.id)).toBe('down');

    const done = await t.http
      .post(mt(`tickets/${code}/complete`))
      .set(as('maintenance'))
      .send({ failureCode: 'BEARING', cause: 'Spindle bearing worn out', remedy: 'Replaced both bearings' })
      .expect(200);
    expect(done.body).toMatchObject({ status: 'done', failureCode: 'BEARING' });
    expect(done.body.labourMinutes).toEqual([
      expect.objectContaining({ technicianId: f.users.maintenance.id }),
    ]);
    expect(await equipmentStatus(f.equipment.lathe.id)).toBe('idle');
    // Repaired before the expected return: the plan brings the lathe's work back to now.
    const repaired = await liveNamed('LATHE-1 repaired');
    const lathe = repaired.bars.filter((b) => b.equipmentId === f.equipment.lathe.id);
    expect(Math.min(...lathe.map((b) => Date.parse(b.start)))).toBeLessThan(Date.now() + 3600_000);
    const andonAfter = await t.http.get(f.url('andon?all=true')).set(as('operator')).expect(200);
    expect(andonAfter.body.find((a: { id: string }) => a.id === ticket!.andonId)).toMatchObject({
      state: 'resolved',
    });
    const verified = await t.http
      .post(mt(`tickets/${code}/verify`))
      .set(as('maintenance'))
      .send({})
      .expect(200);
    expect(verified.body.status).toBe('verified');
    const twice = await t.http
      .post(mt(`tickets/${code}/verify`))
      .set(as('maintenance'))
      .send({})
      .expect(409);
    expect(twice.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: 'verified' });

    // The operation runs on; what it reports counts on the lathe's cycle meter (4 before the breakdown).
    await terminal(`operations/${op10}/resume`).expect(200);
    await terminal(`operations/${op10}/report`, {
      goodQty: '5',
      scrapQty: '1',
      scrapReasonCode: 'S-DIM',
    }).expect(200);
    const view = await t.http.get(mt('assets/LATHE-1')).set(as('viewer')).expect(200);
    expect(view.body.meters[0]).toMatchObject({ code: 'CYCLES', value: '1010' });
  });

  it('a meter plan makes its ticket when the meter reaches the due count, once', async () => {
    await t.http
      .post(mt('assets/PRESS-1/meters'))
      .set(as('maintenance'))
      .send({ code: 'STROKES', kind: 'strokes', feed: 'manual' })
      .expect(201);
    const plan = await t.http
      .post(mt('pm-plans'))
      .set(as('maintenance'))
      .send({
        asset: 'PRESS-1',
        code: 'PM-PRESS-STROKES',
        name: 'Press die inspection',
        trigger: 'meter',
        meter: 'STROKES',
        meterInterval: '500',
        leadUnits: '20',
        estimatedMinutes: 45,
        checklist: [{ text: 'Inspect die for cracks', textZh: '检查模具裂纹' }],
      })
      .expect(201);
    expect(plan.body).toMatchObject({ lastDoneReading: '0', next: { due: false, dueKey: 'R500' } });
    const read = (value: string) =>
      t.http
        .post(mt('assets/PRESS-1/meters/STROKES/readings'))
        .set(as('maintenance'))
        .set('Idempotency-Key', randomUUID())
        .send({ value });
    await read('479').expect(201);
    expect((await t.http.post(mt('pm-plans/run')).set(as('maintenance')).expect(200)).body.made).toEqual([]);
    const backwards = await read('400').expect(422);
    expect(backwards.body.code).toBe('METER_READING_BACKWARDS');
    await read('480').expect(201);
    const made = await t.http.post(mt('pm-plans/run')).set(as('maintenance')).expect(200);
    expect(made.body.made).toEqual([expect.objectContaining({ planCode: 'PM-PRESS-STROKES' })]);
    expect((await t.http.post(mt('pm-plans/run')).set(as('maintenance')).expect(200)).body.made).toEqual([]);
    const list = await tickets('kind=preventive&equipment=PRESS-1');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ dueKey: 'R500', status: 'open' });
    expect(Date.parse(list[0]!.windowEnd!) - Date.parse(list[0]!.windowStart!)).toBe(45 * 60_000);
    // A PM ticket is finished with its whole checklist answered.
    const code = list[0]!.code;
    await t.http
      .post(mt(`tickets/${code}/start`))
      .set(as('maintenance'))
      .expect(200);
    const refused = await t.http
      .post(mt(`tickets/${code}/complete`))
      .set(as('maintenance'))
      .send({})
      .expect(409);
    expect(refused.body.missing).toEqual(['checklist']);
    await t.http
      .post(mt(`tickets/${code}/checklist`))
      .set(as('maintenance'))
      .send({ index: 0, done: true, note: 'no cracks' })
      .expect(200);
    await t.http
      .post(mt(`tickets/${code}/complete`))
      .set(as('maintenance'))
      .send({})
      .expect(200);
    const after = await t.http.get(mt('pm-plans/PM-PRESS-STROKES')).set(as('maintenance')).expect(200);
    expect(after.body).toMatchObject({ lastDoneReading: '480', next: { dueKey: 'R980', due: false } });
  });

  it('a calendar plan due today makes one ticket however many checks run at once, and the plan keeps its window free', async () => {
    await t.http
      .post(mt('pm-plans'))
      .set(as('maintenance'))
      .send({
        asset: 'PRESS-1',
        code: 'PM-PRESS-MONTHLY',
        name: 'Monthly lubrication',
        trigger: 'calendar',
        every: 1,
        unit: 'month',
        estimatedMinutes: 120,
        parts: [{ material: 'BEARING-6205', quantity: '1' }],
      })
      .expect(201);
    const runs = await Promise.all(
      [1, 2, 3].map(() => t.http.post(mt('pm-plans/run')).set(as('maintenance')).expect(200)),
    );
    const made = runs
      .flatMap((r) => r.body.made as Array<{ planCode: string }>)
      .filter((m) => m.planCode === 'PM-PRESS-MONTHLY');
    expect(made).toHaveLength(1);
    const [ticket] = await tickets('kind=preventive&equipment=PRESS-1&status=open');
    expect(ticket).toMatchObject({ status: 'open' });
    expect(ticket!.parts).toEqual([
      expect.objectContaining({ materialCode: 'BEARING-6205', reservedQty: '1' }),
    ]);
    const ws = Date.parse(ticket!.windowStart!);
    const we = Date.parse(ticket!.windowEnd!);
    expect(we - ws).toBe(120 * 60_000);
    const board = await t.http.get(mt('board')).set(as('maintenance')).expect(200);
    expect(board.body.upcomingWindows.map((w: { ticketCode: string }) => w.ticketCode)).toContain(
      ticket!.code,
    );

    const plan = await planRun();
    const onPress = plan.bars.filter((b) => b.equipmentId === f.equipment.press.id);
    expect(onPress.length).toBeGreaterThan(0);
    for (const b of onPress) {
      const overlaps = Date.parse(b.start) < we && Date.parse(b.end) > ws;
      expect(overlaps).toBe(false);
    }
  });

  it('reports OEE, MTBF and MTTR of the lathe from what the shop floor recorded', async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 1000).toISOString();
    const res = await t.http
      .get(mt(`performance?from=${from}&to=${to}&equipment=LATHE-1`))
      .set(as('planner'))
      .expect(200);
    const lathe = res.body.machines[0];
    expect(lathe.code).toBe('LATHE-1');
    // 9 good and 1 scrap reported; one breakdown, repaired.
    expect(lathe.oee).toMatchObject({ producedQuantity: 10, goodQuantity: 9, qualityRatio: 0.9 });
    expect(lathe.oee.losses.scrap).toEqual([{ reason: 'S-DIM', quantity: 1 }]);
    expect(lathe.reliability).toMatchObject({ failures: 1, repaired: 1 });
    expect(lathe.reliability.mttrMs).toBeGreaterThan(0);
    expect(lathe.oee.downMs).toBeGreaterThan(0);
    expect(lathe.oee.losses.availability.map((l: { cause: string }) => l.cause)).toContain('D-BRK');
    const bad = await t.http
      .get(mt(`performance?from=${to}&to=${from}&equipment=LATHE-1`))
      .set(as('planner'))
      .expect(400);
    expect(bad.body.errors[0].field).toBe('to');
  });
});
