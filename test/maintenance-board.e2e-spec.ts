import { randomUUID } from 'node:crypto';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface Board {
  byStatus: Record<string, number>;
  byTechnician: Array<{ technicianId: string | null; open: number; assigned: number; inProgress: number }>;
  overduePm: Array<{ planCode: string; ticketCode: string | null; equipmentCode: string; dueAt: string }>;
  upcomingWindows: Array<{ ticketCode: string; equipmentCode: string }>;
  openCalls: Array<{ andonId: string; workCenterCode: string; message: string | null }>;
}

const DAY_MS = 86_400_000;

/**
 * A technician's day from the board: an overdue PM plan shows up, its ticket is assigned, worked (labour booked
 * afterwards, checklist answered), finished and verified with an electronic signature; an improvement ticket
 * closes without failure data; the board follows each step.
 */
describe('maintenance board: a technician works overdue PM and improvement tickets', () => {
  let t: TestApp;
  let f: ProductionFactory;

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const mt = (path: string) => f.url(`maintenance/${path}`);
  const board = async (): Promise<Board> =>
    (await t.http.get(mt('board')).set(as('maintenance')).expect(200)).body as Board;
  const mine = (b: Board) => b.byTechnician.find((x) => x.technicianId === f.users.maintenance.id);

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('an overdue PM plan is on the board until its ticket is done and verified with a signature', async () => {
    const tenDaysAgo = new Date(Date.now() - 10 * DAY_MS).toISOString().slice(0, 10);
    await t.http
      .post(mt('pm-plans'))
      .set(as('maintenance'))
      .send({
        asset: 'LATHE-1',
        code: 'PM-LATHE-WEEKLY',
        name: 'Weekly way lubrication',
        trigger: 'calendar',
        every: 1,
        unit: 'week',
        startDate: tenDaysAgo,
        estimatedMinutes: 30,
        checklist: [{ text: 'Oil the ways' }, { text: 'Check the chuck jaws' }],
        signatureRequired: true,
      })
      .expect(201);
    // Due before any check ran: overdue, no ticket yet.
    const before = await board();
    expect(before.overduePm).toEqual([
      expect.objectContaining({ planCode: 'PM-LATHE-WEEKLY', ticketCode: null, equipmentCode: 'LATHE-1' }),
    ]);

    const made = await t.http.post(mt('pm-plans/run')).set(as('maintenance')).expect(200);
    expect(made.body.made).toEqual([expect.objectContaining({ planCode: 'PM-LATHE-WEEKLY' })]);
    const code = made.body.made[0].ticketCode as string;
    // Weekly from ten days ago: the dates 10 and 3 days ago have passed; one ticket, for the later one.
    const ticket = await t.http
      .get(mt(`tickets/${code}`))
      .set(as('maintenance'))
      .expect(200);
    expect(ticket.body.dueKey).toBe(new Date(Date.now() - 3 * DAY_MS).toISOString().slice(0, 10));
    expect(ticket.body.description).toContain('1 earlier due date(s) passed');
    const withTicket = await board();
    expect(withTicket.overduePm).toEqual([
      expect.objectContaining({ planCode: 'PM-LATHE-WEEKLY', ticketCode: code }),
    ]);
    expect(withTicket.byStatus.open).toBe(1);

    await t.http
      .post(mt(`tickets/${code}/assign`))
      .set(as('maintenance'))
      .send({ technician: f.users.maintenance.username })
      .expect(200);
    expect(mine(await board())).toMatchObject({ assigned: 1, inProgress: 0 });
    await t.http
      .post(mt(`tickets/${code}/start`))
      .set(as('maintenance'))
      .expect(200);
    expect(mine(await board())).toMatchObject({ assigned: 0, inProgress: 1 });

    // Labour written up afterwards: 45 minutes this morning; an end before the start is refused.
    const start = new Date(Date.now() - 2 * 3600_000);
    const end = new Date(start.getTime() + 45 * 60_000);
    const backwards = await t.http
      .post(mt(`tickets/${code}/labour`))
      .set(as('maintenance'))
      .set('Idempotency-Key', randomUUID())
      .send({ startedAt: end.toISOString(), endedAt: start.toISOString() })
      .expect(400);
    expect(backwards.body.errors.map((e: { field: string }) => e.field)).toContain('endedAt');
    const booked = await t.http
      .post(mt(`tickets/${code}/labour`))
      .set(as('maintenance'))
      .set('Idempotency-Key', randomUUID())
      .send({ startedAt: start.toISOString(), endedAt: end.toISOString(), note: 'ways and jaws' })
      .expect(201);
    const minutes = (booked.body.labourMinutes as Array<{ technicianId: string; minutes: number }>).find(
      (l) => l.technicianId === f.users.maintenance.id,
    );
    expect(minutes?.minutes).toBeGreaterThanOrEqual(45);

    for (const index of [0, 1]) {
      await t.http
        .post(mt(`tickets/${code}/checklist`))
        .set(as('maintenance'))
        .send({ index, done: true })
        .expect(200);
    }
    await t.http
      .post(mt(`tickets/${code}/complete`))
      .set(as('maintenance'))
      .send({})
      .expect(200);

    // Verification is signed: without the password it is refused and the ticket stays done.
    const unsigned = await t.http
      .post(mt(`tickets/${code}/verify`))
      .set(as('maintenance'))
      .send({})
      .expect(409);
    expect(unsigned.body.missing).toEqual(['signature']);
    const wrong = await t.http
      .post(mt(`tickets/${code}/verify`))
      .set(as('maintenance'))
      .send({ password: 'not my password' })
      .expect(401);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect(
      (
        await t.http
          .get(mt(`tickets/${code}`))
          .set(as('maintenance'))
          .expect(200)
      ).body.status,
    ).toBe('done');
    await t.http
      .post(mt(`tickets/${code}/verify`))
      .set(as('maintenance'))
      .send({ password: f.users.maintenance.password })
      .expect(200);
    const verified = await t.http
      .get(mt(`tickets/${code}`))
      .set(as('maintenance'))
      .expect(200);
    expect(verified.body.status).toBe('verified');
    expect(verified.body.signatures).toEqual([
      expect.objectContaining({ signerId: f.users.maintenance.id, valid: true }),
    ]);

    // Done: off the overdue list; the plan's next date is a week on from its grid.
    const after = await board();
    expect(after.overduePm.map((o) => o.planCode)).not.toContain('PM-LATHE-WEEKLY');
    const plan = await t.http.get(mt('pm-plans/PM-LATHE-WEEKLY')).set(as('maintenance')).expect(200);
    expect(Date.parse(plan.body.next.dueAt)).toBeGreaterThan(Date.now());
  });

  it('a running-time meter counts the hours the machine ran operations, pauses left out', async () => {
    for (const material of ['SHAFT', 'GREASE']) {
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material, quantity: '50', location: 'LS-L1' })
        .expect(201);
    }
    const meter = await t.http
      .post(mt('assets/LATHE-1/meters'))
      .set(as('maintenance'))
      .send({ code: 'HOURS', kind: 'run_hours', feed: 'running_time', offset: '1200' })
      .expect(201);
    const wo = await t.http
      .post(f.url('work-orders'))
      .set(as('planner'))
      .send({ material: 'SA-100', quantity: '10', dueAt: '2030-01-01T00:00:00Z' })
      .expect(201);
    const op10 = (wo.body.operations as Array<{ id: string }>)[0]!.id;
    await t.http
      .post(f.url(`work-orders/${wo.body.id}/plan`))
      .set(as('planner'))
      .send({})
      .expect(200);
    await t.http
      .post(f.url(`work-orders/${wo.body.id}/release`))
      .set(as('planner'))
      .send({})
      .expect(200);
    const terminal = (path: string, body: object = {}) =>
      t.http
        .post(`/api/v1/terminal/operations/${op10}/${path}`)
        .set(as('operator'))
        .set('Idempotency-Key', randomUUID())
        .send(body)
        .expect(200);
    await terminal('start');
    await terminal('pause', { reasonCode: 'P-BREAK' });
    await terminal('resume');
    await terminal('report', { goodQty: '10' });
    await terminal('complete');
    // As if it had taken its time: the meter from T0, the lathe ran T0+1h to T0+4h with a 30-minute break at
    // T0+2h — 2.5 hours on top of the 1200 it showed.
    const T0 = Date.now() - 6 * 3600_000;
    const at = (minutes: number) => new Date(T0 + minutes * 60_000);
    await t.dataSource.query(`UPDATE maintenance_meter SET since = $2 WHERE id = $1`, [meter.body.id, at(0)]);
    await t.dataSource.query(
      `UPDATE work_order_operation SET started_at = $2, completed_at = $3 WHERE id = $1`,
      [op10, at(60), at(240)],
    );
    await t.dataSource.query(
      `UPDATE operation_pause SET started_at = $2, ended_at = $3 WHERE operation_id = $1`,
      [op10, at(120), at(150)],
    );
    const view = await t.http.get(mt('assets/LATHE-1')).set(as('viewer')).expect(200);
    const hours = (view.body.meters as Array<{ code: string; value: string }>).find(
      (x) => x.code === 'HOURS',
    );
    expect(Number(hours!.value)).toBeCloseTo(1202.5, 2);
  });

  it('a maintenance call without a machine goes to the work center’s only machine, or waits on the board', async () => {
    const call = (workCenterId: string, message: string) =>
      t.http
        .post('/api/v1/terminal/andon')
        .set(as('operator'))
        .set('Idempotency-Key', randomUUID())
        .send({ kind: 'maintenance', workCenterId, message })
        .expect(201);
    // ASSY has one machine: the call becomes a ticket on PRESS-1.
    const assy = await call(f.workCenters.assy.id, 'Press makes a knocking noise');
    const onPress = (
      await t.http.get(mt('tickets?equipment=PRESS-1&kind=corrective')).set(as('maintenance')).expect(200)
    ).body.items as Array<{ andonId: string; title: string; breakdown: boolean }>;
    expect(onPress).toEqual([
      expect.objectContaining({
        andonId: assy.body.id,
        title: 'Press makes a knocking noise',
        breakdown: false,
      }),
    ]);
    // TURN gets a second lathe: which one is meant is not known, so the call waits on the board.
    await t.http
      .post(f.url('equipment'))
      .set(as('admin'))
      .send({ code: 'LATHE-2', name: 'Lathe 2', workCenterId: f.workCenters.turn.id })
      .expect(201);
    const turn = await call(f.workCenters.turn.id, 'Coolant everywhere');
    const b = await board();
    expect(b.openCalls).toEqual([
      expect.objectContaining({
        andonId: turn.body.id,
        workCenterCode: 'TURN',
        message: 'Coolant everywhere',
      }),
    ]);
  });

  it('an improvement ticket closes without failure data and never stops the machine', async () => {
    const created = await t.http
      .post(mt('tickets'))
      .set(as('maintenance'))
      .set('Idempotency-Key', randomUUID())
      .send({
        kind: 'improvement',
        asset: 'PRESS-1',
        title: 'Fit a light curtain guard',
        windowStart: new Date(Date.now() + DAY_MS).toISOString(),
        windowEnd: new Date(Date.now() + DAY_MS + 90 * 60_000).toISOString(),
      })
      .expect(201);
    const code = created.body.code as string;
    expect(created.body).toMatchObject({ kind: 'improvement', status: 'open', breakdown: false });
    expect((await board()).upcomingWindows).toEqual(
      expect.arrayContaining([expect.objectContaining({ ticketCode: code, equipmentCode: 'PRESS-1' })]),
    );
    await t.http
      .post(mt(`tickets/${code}/start`))
      .set(as('maintenance'))
      .expect(200);
    const done = await t.http
      .post(mt(`tickets/${code}/complete`))
      .set(as('maintenance'))
      .send({ note: 'guard fitted and tested' })
      .expect(200);
    expect(done.body.status).toBe('done');
    const press = await t.http
      .get(f.url(`equipment/${f.equipment.press.id}`))
      .set(as('planner'))
      .expect(200);
    expect(press.body.status).not.toBe('down');
  });
});
