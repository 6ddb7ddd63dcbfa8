import { siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

/** The site is in Asia/Shanghai (UTC+8 all year, no daylight saving). */
describe('master data: shift calendars and availability', () => {
  let t: TestApp;
  let siteId: string;
  let planner: string;
  let viewer: string;
  let wcPress: { id: string };
  let wcPaint: { id: string };
  let press1: { id: string };
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const url = (path: string) => `/api/v1/sites/${siteId}/${path}`;
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

  const twoShifts = {
    code: 'CAL-2S',
    name: 'Two shifts, Mon–Fri',
    nameZh: '两班制',
    shifts: [
      {
        code: 'EARLY',
        weekdays: [1, 2, 3, 4, 5],
        start: '08:00',
        end: '16:00',
        breaks: [{ start: '12:00', end: '12:30' }],
      },
      {
        code: 'LATE',
        weekdays: [1, 2, 3, 4, 5],
        start: '16:00',
        end: '24:00',
        breaks: [{ start: '20:00', end: '20:30' }],
      },
    ],
    holidays: [{ date: '2026-10-01', name: '国庆节 National Day' }],
  };

  beforeAll(async () => {
    t = await startTestApp();
    const { site, users } = await siteWithStaff(t.dataSource, t.http);
    siteId = site.id;
    planner = users.planner.token;
    viewer = users.viewer.token;
    const admin = users.admin.token;
    const area = (
      await t.http.post(url('areas')).set(auth(admin)).send({ code: 'A', name: 'Hall' }).expect(201)
    ).body;
    const line = (
      await t.http
        .post(url('lines'))
        .set(auth(admin))
        .send({ code: 'L', name: 'Line', areaId: area.id })
        .expect(201)
    ).body;
    wcPress = (
      await t.http
        .post(url('work-centers'))
        .set(auth(admin))
        .send({ code: 'PRESS', name: 'Press shop', lineId: line.id })
        .expect(201)
    ).body;
    wcPaint = (
      await t.http
        .post(url('work-centers'))
        .set(auth(admin))
        .send({ code: 'PAINT', name: 'Paint shop', lineId: line.id })
        .expect(201)
    ).body;
    press1 = (
      await t.http
        .post(url('equipment'))
        .set(auth(admin))
        .send({ code: 'PRESS-1', name: '400 t press', workCenterId: wcPress.id })
        .expect(201)
    ).body;
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers the site default: the 16:00 shift change is seamless and the National Day holiday has no shifts', async () => {
    await t.http.post(url('calendars')).set(auth(planner)).send(twoShifts).expect(201);
    const res = await t.http
      .get(
        url(
          `calendars/availability?${q({ from: '2026-09-30T00:00:00+08:00', to: '2026-10-02T00:00:00+08:00', workCenterId: wcPaint.id })}`,
        ),
      )
      .set(auth(viewer))
      .expect(200);
    expect(res.body).toMatchObject({ calendarCode: 'CAL-2S', timeZone: 'Asia/Shanghai' });
    // Wednesday 30 Sep (local): 08:00–12:00, 12:30–20:00 (EARLY runs into LATE at 16:00), 20:30–24:00; Thursday is a holiday.
    expect(res.body.intervals.map((i: { start: string; end: string }) => [i.start, i.end])).toEqual([
      ['2026-09-30T00:00:00.000Z', '2026-09-30T04:00:00.000Z'],
      ['2026-09-30T04:30:00.000Z', '2026-09-30T12:00:00.000Z'],
      ['2026-09-30T12:30:00.000Z', '2026-09-30T16:00:00.000Z'],
    ]);
    expect(res.body.availableMinutes).toBe(240 + 450 + 210);
  });

  it("uses a work center's own calendar (a night shift across midnight), also when asked for one of its machines", async () => {
    await t.http
      .post(url('calendars'))
      .set(auth(planner))
      .send({
        code: 'CAL-NIGHT',
        name: 'Press nights',
        workCenterId: wcPress.id,
        shifts: [{ code: 'NIGHT', weekdays: [1, 2, 3, 4, 5], start: '22:00', end: '06:00' }],
      })
      .expect(201);
    const window = { from: '2026-11-24T00:00:00+08:00', to: '2026-11-25T00:00:00+08:00' }; // a Tuesday
    const byMachine = await t.http
      .get(url(`calendars/availability?${q({ ...window, equipmentId: press1.id })}`))
      .set(auth(viewer))
      .expect(200);
    expect(byMachine.body.calendarCode).toBe('CAL-NIGHT');
    // Monday's night shift runs until 06:00 Tuesday; Tuesday's starts at 22:00.
    expect(
      byMachine.body.intervals.map((i: { start: string; end: string; shift?: string }) => [
        i.start,
        i.end,
        i.shift,
      ]),
    ).toEqual([
      ['2026-11-23T16:00:00.000Z', '2026-11-23T22:00:00.000Z', 'NIGHT'],
      ['2026-11-24T14:00:00.000Z', '2026-11-24T16:00:00.000Z', 'NIGHT'],
    ]);
    const paint = await t.http
      .get(url(`calendars/availability?${q({ ...window, workCenterId: wcPaint.id })}`))
      .set(auth(viewer))
      .expect(200);
    expect(paint.body.calendarCode).toBe('CAL-2S');
  });

  it('a closure (stocktaking) cuts a hole; overtime on Saturday adds capacity', async () => {
    const cal = (await t.http.get(url('calendars/by-code/CAL-2S')).set(auth(viewer)).expect(200)).body;
    await t.http
      .patch(url(`calendars/${cal.id}`))
      .set(auth(planner))
      .send({
        version: cal.version,
        exceptions: [
          {
            start: '2026-11-25T09:00:00+08:00',
            end: '2026-11-25T11:00:00+08:00',
            kind: 'closed',
            reason: 'stocktaking 盘点',
          },
          {
            start: '2026-11-28T08:00:00+08:00',
            end: '2026-11-28T12:00:00+08:00',
            kind: 'extra',
            reason: 'Saturday overtime',
          },
        ],
      })
      .expect(200);
    const wed = await t.http
      .get(
        url(
          `calendars/${cal.id}/availability?${q({ from: '2026-11-25T08:00:00+08:00', to: '2026-11-25T12:00:00+08:00' })}`,
        ),
      )
      .set(auth(viewer))
      .expect(200);
    expect(wed.body.intervals.map((i: { start: string; end: string }) => [i.start, i.end])).toEqual([
      ['2026-11-25T00:00:00.000Z', '2026-11-25T01:00:00.000Z'],
      ['2026-11-25T03:00:00.000Z', '2026-11-25T04:00:00.000Z'],
    ]);
    const sat = await t.http
      .get(
        url(
          `calendars/${cal.id}/availability?${q({ from: '2026-11-28T00:00:00+08:00', to: '2026-11-29T00:00:00+08:00' })}`,
        ),
      )
      .set(auth(viewer))
      .expect(200);
    expect(sat.body.availableMinutes).toBe(240);
  });

  it('refuses breaks outside their shift, a second site default, and malformed windows', async () => {
    const bad = await t.http
      .post(url('calendars'))
      .set(auth(planner))
      .send({
        code: 'CAL-BAD',
        name: 'x',
        workCenterId: wcPaint.id,
        shifts: [
          {
            code: 'EARLY',
            weekdays: [1],
            start: '08:00',
            end: '16:00',
            breaks: [{ start: '07:00', end: '07:30' }],
          },
        ],
      })
      .expect(422);
    expect(bad.body.errors[0]).toMatchObject({
      field: 'shifts',
      message: expect.stringContaining('outside its shift'),
    });
    const second = await t.http
      .post(url('calendars'))
      .set(auth(planner))
      .send({ ...twoShifts, code: 'CAL-2S-B' })
      .expect(409);
    expect(second.body.code).toBe('ALREADY_EXISTS');
    await t.http
      .get(url(`calendars/availability?${q({ from: 'tomorrow', to: '2026-11-25T00:00:00Z' })}`))
      .set(auth(viewer))
      .expect(400);
    const reversed = await t.http
      .get(url(`calendars/availability?${q({ from: '2026-11-25T00:00:00Z', to: '2026-11-24T00:00:00Z' })}`))
      .set(auth(viewer))
      .expect(400);
    expect(reversed.body.errors[0].field).toBe('to');
  });
});
