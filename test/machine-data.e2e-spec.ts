import { randomUUID } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { SeriesService } from '../src/machine-data/series/series.service';
import { eventually } from './support/eventually';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { TestBroker } from './support/test-broker';
import { startTestApp, type TestApp } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sparkplug = require('sparkplug-payload').get('spBv1.0') as {
  encodePayload(p: object): Uint8Array;
};

interface Downtime {
  id: string;
  equipmentId: string;
  source: string;
  machineState: string | null;
  category: string;
  reasonCode: string | null;
  startedAt: string;
  endedAt: string | null;
  minutes: number;
}

interface Machine {
  equipmentId: string;
  version: number;
  state: string | null;
  connection: string | null;
  tags: Array<{
    id: string;
    source: string;
    metric: string;
    role: string;
    parameterName: string | null;
    last: { value: number | null } | null;
  }>;
}

const MIN = 60_000;

/**
 * Machines on the line report themselves over MQTT (a private Mosquitto): their state opens and closes downtime
 * at the machine's own timestamps, their counters become the operation's quantities without double counting
 * (redelivery, resets, a broker restart mid-stream), a process value out of limits is pushed live, Sparkplug
 * births and deaths mark the connection, malformed messages and unmapped tags are counted and listed.
 */
describe('machine data over MQTT', () => {
  let broker: TestBroker;
  let t: TestApp;
  let f: ProductionFactory;
  let pub: MqttClient;
  let site: string;
  let op10: string;
  const sockets: Socket[] = [];
  const t0 = Math.floor((Date.now() - 30 * MIN) / MIN) * MIN;

  const as = (role: keyof ProductionFactory['users']) => f.auth(f.users[role].token);
  const md = (path: string) => f.url(`machine-data/machines/${path}`);
  const topic = (eq: string, kind: string) => `mom/${site}/L1/${eq}/${kind}`;
  const send = (eq: string, kind: string, body: object | string) =>
    pub.publishAsync(topic(eq, kind), typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
  const terminal = (path: string, body: object = {}) =>
    t.http
      .post(`/api/v1/terminal/${path}`)
      .set(as('operator'))
      .set('Idempotency-Key', randomUUID())
      .send(body);
  const status = async () =>
    (await t.http.get('/api/v1/machine-data/status').set(as('admin')).expect(200)).body as {
      received: number;
      stored: number;
      duplicates: number;
      rejected: number;
      unknown: number;
      pending: number;
      connected: boolean;
    };
  const operation = async (id: string) =>
    (await t.http.get(`/api/v1/terminal/operations/${id}`).set(as('operator')).expect(200)).body as {
      status: string;
      goodQty: string;
      scrapQty: string;
    };
  /** Waits until every message published so far is written. */
  const drained = async (published: () => number) =>
    eventually(async () => {
      const s = await status();
      return s.received >= published() && s.pending === 0 ? s : undefined;
    }, 'machine messages written');
  const meter = async (code: string) =>
    (
      (await t.http.get(f.url('maintenance/assets/LATHE-1')).set(as('viewer')).expect(200)).body
        .meters as Array<{
        code: string;
        value: string;
      }>
    ).find((m) => m.code === code)!.value;
  let published = 0;
  const publish = async (eq: string, kind: string, body: object | string) => {
    await send(eq, kind, body);
    published++;
  };

  beforeAll(async () => {
    broker = await TestBroker.start();
    t = await startTestApp({ MQTT_URL: broker.url, MQTT_CLIENT_ID: `mom-test-${randomUUID().slice(0, 8)}` });
    f = await productionFactory(t);
    site = f.site.code;
    // The line's gateway: a persistent session, so what it publishes while the broker is away is sent later.
    pub = connect(broker.url, { clientId: `plc-${randomUUID().slice(0, 8)}`, clean: false }).on(
      'error',
      () => undefined,
    );
    await new Promise<void>((resolve) => pub.once('connect', () => resolve()));
    await eventually(
      async () => ((await status()).connected ? true : undefined),
      'app connected to the broker',
    );
    for (const [material, quantity] of [
      ['SHAFT', '500'],
      ['GREASE', '30'],
    ] as const) {
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ material, quantity, location: 'LS-L1' })
        .expect(201);
    }
    const created = await t.http
      .post(f.url('work-orders'))
      .set(as('planner'))
      .send({ material: 'SA-100', quantity: '400', dueAt: '2030-01-01T00:00:00Z' })
      .expect(201);
    op10 = (created.body.operations as Array<{ id: string }>)[0]!.id;
    await t.http
      .post(f.url(`work-orders/${created.body.id}/plan`))
      .set(as('planner'))
      .send({})
      .expect(200);
    await t.http
      .post(f.url(`work-orders/${created.body.id}/release`))
      .set(as('planner'))
      .send({})
      .expect(200);
  }, 60_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await pub?.endAsync();
    await t?.close();
    await broker?.stop();
  });

  it('refuses a mapping with wrong fields (naming each) and lets only admins and maintenance leads map', async () => {
    const bad = await t.http
      .put(md('LATHE-1'))
      .set(as('admin'))
      .send({
        countMode: 'authority',
        tags: [
          { source: 'mom/x/y', metric: 'value', role: 'state' },
          { source: topic('LATHE-1', 'param'), metric: 't', role: 'parameter' },
          { source: topic('LATHE-1', 'count'), metric: 'scrap', role: 'scrap_count' },
          { source: topic('LATHE-1', 'state'), metric: 'value', role: 'state', stateMap: { '1': 'flying' } },
        ],
      })
      .expect(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    const fields = (bad.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
    expect(fields).toEqual([
      'scrapReasonCode',
      'tags[0].source',
      'tags[1].parameterName',
      'tags[3].role',
      'tags[3].stateMap.1',
    ]);
    await t.http.put(md('LATHE-1')).set(as('operator')).send({ tags: [] }).expect(403);
    await t.http.get(md('LATHE-1')).set(as('admin')).expect(404);
  });

  it('maps the lathe: state, counters, spindle speed; the mapping is audited', async () => {
    const res = await t.http
      .put(md('LATHE-1'))
      .set(as('admin'))
      .send({
        countMode: 'authority',
        scrapReasonCode: 'S-DIM',
        tags: [
          { source: topic('LATHE-1', 'state'), metric: 'value', role: 'state', stateMap: { '3': 'down' } },
          { source: topic('LATHE-1', 'count'), metric: 'good', role: 'good_count' },
          { source: topic('LATHE-1', 'count'), metric: 'scrap', role: 'scrap_count' },
          {
            source: topic('LATHE-1', 'param'),
            metric: 'spindle',
            role: 'parameter',
            parameterName: 'Spindle speed',
            unit: 'rpm',
          },
        ],
      })
      .expect(200);
    expect((res.body as Machine).tags).toHaveLength(4);
    // Meters the machine itself feeds: pieces its counters count, hours it reports running.
    for (const meter of [
      { code: 'PIECES', kind: 'cycles', feed: 'machine_count', offset: '5000' },
      { code: 'RUNH', kind: 'run_hours', feed: 'machine_run_time', offset: '100' },
    ]) {
      await t.http
        .post(f.url('maintenance/assets/LATHE-1/meters'))
        .set(as('maintenance'))
        .send(meter)
        .expect(201);
    }
    const audit = await t.dataSource.query(
      `SELECT action FROM audit_log WHERE entity_type = 'machine_config' AND entity_id = $1`,
      [f.equipment.lathe.id],
    );
    expect(audit).toEqual([{ action: 'machine_data.mapping_created' }]);
  });

  it('turns the machine’s state sequence into downtime with the machine’s own times, classified at the terminal', async () => {
    const states: Array<[number, string | number]> = [
      [0, 'idle'],
      [1 * MIN, 'down'],
      [1.5 * MIN, 'down'], // a heartbeat: still the same stop
      [4 * MIN, 'running'],
      [6 * MIN, 3], // the machine's own code for down (state map)
      [9 * MIN, 'Setup'], // setup continues the stop
      [10 * MIN, 'idle'],
    ];
    for (const [at, value] of states) await publish('LATHE-1', 'state', { ts: t0 + at, value });
    const stops = await eventually(async () => {
      const list = (await t.http.get(f.url(`downtime?equipment=LATHE-1`)).set(as('operator')).expect(200))
        .body as Downtime[];
      return list.length === 2 && list.every((d) => d.endedAt) ? list : undefined;
    }, 'two closed stops');
    const [second, first] = stops;
    expect(first).toMatchObject({
      source: 'machine',
      machineState: 'down',
      category: 'downtime_unplanned',
      reasonCode: null,
      startedAt: new Date(t0 + MIN).toISOString(),
      endedAt: new Date(t0 + 4 * MIN).toISOString(),
      minutes: 3,
    });
    expect(second).toMatchObject({
      startedAt: new Date(t0 + 6 * MIN).toISOString(),
      endedAt: new Date(t0 + 10 * MIN).toISOString(),
      minutes: 4,
    });
    const unclassified = (
      await t.http.get(f.url('downtime?unclassified=true')).set(as('operator')).expect(200)
    ).body as Downtime[];
    expect(unclassified.map((d) => d.id).sort()).toEqual([first!.id, second!.id].sort());
    const classified = await t.http
      .post(f.url(`downtime/${first!.id}/classify`))
      .set(as('operator'))
      .set('Idempotency-Key', randomUUID())
      .send({ reasonCode: 'D-BRK', note: 'chuck jammed' })
      .expect(200);
    expect(classified.body).toMatchObject({ reasonCode: 'D-BRK', category: 'downtime_unplanned' });
    await t.http
      .post(f.url(`downtime/${first!.id}/classify`))
      .set(as('operator'))
      .send({ reasonCode: 'S-DIM' })
      .expect(400);
    const machine = (await t.http.get(md('LATHE-1')).set(as('viewer')).expect(200)).body as Machine;
    expect(machine.state).toBe('idle');
    // It ran from minute 4 to minute 6: two minutes on the run-hour meter.
    expect(Number(await meter('RUNH'))).toBeCloseTo(100 + 2 / 60, 3);
    const eq = (
      await t.http
        .get(f.url(`equipment/${f.equipment.lathe.id}`))
        .set(as('planner'))
        .expect(200)
    ).body;
    expect(eq.status).toBe('idle');
  });

  it('counts from the machine’s counters become the running operation’s quantities exactly once', async () => {
    await terminal(`operations/${op10}/start`, { equipment: 'LATHE-1' }).expect(200);
    const base = t0 + 12 * MIN;
    const counts: Array<[number, object]> = [
      [0, { good: 1000, scrap: 7 }], // first reading: the starting point
      [10_000, { good: 1010, scrap: 7 }],
      [20_000, { good: 1025, scrap: 8 }],
      [20_000, { good: 1025, scrap: 8 }], // the same message delivered again
      [30_000, { good: 5, scrap: 0 }], // the controller was reset: counted from zero
      [40_000, { good: 12, scrap: 1 }],
    ];
    for (const [at, c] of counts) await publish('LATHE-1', 'count', { ts: base + at, ...c });
    // 10 + 15 + 5 + 7 good, 1 + 1 scrap
    await eventually(async () => {
      const op = await operation(op10);
      return Number(op.goodQty) === 37 && Number(op.scrapQty) === 2 ? op : undefined;
    }, 'operation at 37 good and 2 scrap');
    const s = await drained(() => published);
    expect(s.duplicates).toBeGreaterThanOrEqual(2); // two values of the repeated message
    const reports = await t.dataSource.query(
      `SELECT source, operator_id FROM operation_report WHERE operation_id = $1 ORDER BY reported_at`,
      [op10],
    );
    expect(reports.length).toBeGreaterThan(0);
    expect(
      reports.every(
        (r: { source: string; operator_id: string | null }) =>
          r.source === 'machine' && r.operator_id === null,
      ),
    ).toBe(true);
    expect(await meter('PIECES')).toBe('5039');
    const counted = (await t.http.get(md('LATHE-1/counts')).set(as('viewer')).expect(200)).body;
    expect(counted[0]).toMatchObject({
      machineGoodQty: '37',
      machineScrapQty: '2',
      machineReportedGoodQty: '37',
    });
  });

  it('a spindle speed outside the routing’s limits is pushed live once, and once more when it is back', async () => {
    const token = f.users.quality.token;
    const socket = io(`${t.url}/shop-floor`, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    sockets.push(socket);
    const got: Array<{ side: string | null; value: number }> = [];
    const seen = new Set<string>();
    // One push reaches the client once per room it is in (machine, site, quality), with the same id.
    socket.on('machine.parameter', (env: { id: string; data: { side: string | null; value: number } }) => {
      if (!seen.has(env.id)) got.push(env.data);
      seen.add(env.id);
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await socket.timeout(5000).emitWithAck('subscribe', { rooms: [`equipment:${f.equipment.lathe.id}`] });
    const base = t0 + 14 * MIN;
    for (const [i, v] of [3000, 3100, 3350, 3400, 3390, 3050].entries()) {
      await publish('LATHE-1', 'param', { ts: base + i * 1000, spindle: v });
    }
    await eventually(async () => (got.length >= 2 ? true : undefined), 'two alarm pushes');
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toEqual([
      expect.objectContaining({
        side: 'high',
        value: 3350,
        parameterName: 'Spindle speed',
        max: 3200,
        min: 2800,
      }),
      expect.objectContaining({ side: null, value: 3050 }),
    ]);
  });

  it('keeps a series per tag with minute rollups that a late value joins', async () => {
    const service = t.app.get(SeriesService);
    await service.rollUp(new Date());
    const machine = (await t.http.get(md('LATHE-1')).set(as('viewer')).expect(200)).body as Machine;
    const spindle = machine.tags.find((x) => x.metric === 'spindle')!;
    const from = new Date(t0 + 14 * MIN).toISOString();
    const to = new Date(t0 + 15 * MIN).toISOString();
    const raw = await t.http
      .get(md(`LATHE-1/tags/${spindle.id}/series?from=${from}&to=${to}&resolution=raw`))
      .set(as('viewer'))
      .expect(200);
    expect(raw.body.points.map((p: { value: number }) => p.value)).toEqual([
      3000, 3100, 3350, 3400, 3390, 3050,
    ]);
    // A value arriving late for the same minute lands in its bucket.
    await publish('LATHE-1', 'param', { ts: t0 + 14 * MIN + 30_000, spindle: 2900 });
    await drained(() => published);
    await service.rollUp(new Date());
    const minute = await t.http
      .get(md(`LATHE-1/tags/${spindle.id}/series?from=${from}&to=${to}&resolution=minute`))
      .set(as('viewer'))
      .expect(200);
    expect(minute.body.points).toEqual([
      expect.objectContaining({ n: 7, min: 2900, max: 3400, first: 3000, last: 2900 }),
    ]);
    await t.http
      .get(md(`LATHE-1/tags/${spindle.id}/series?from=${to}&to=${from}`))
      .set(as('viewer'))
      .expect(400);
    // The same values on an individuals control chart (SPC engine), capability against the routing's limits.
    const chart = await t.http
      .get(md(`LATHE-1/tags/${spindle.id}/chart?from=${from}&to=${to}&chart=imr&lsl=2800&usl=3200`))
      .set(as('quality'))
      .expect(200);
    expect(chart.body).toMatchObject({ chart: 'imr', n: 1, values: 7, spec: { lsl: 2800, usl: 3200 } });
    // Mean 22190 / 7 = 3170; MR-bar 900 / 6 = 150, sigma 150 / 1.128.
    expect(chart.body.analysis.center).toBeCloseTo(3170, 6);
    expect(chart.body.analysis.ucl).toBeCloseTo(3170 + (3 * 150) / 1.128, 3);
    expect(chart.body.analysis.points).toHaveLength(7);
    expect(chart.body.analysis.capability).toBeDefined();
    const stateTag = machine.tags.find((x) => x.role === 'state')!;
    await t.http
      .get(md(`LATHE-1/tags/${stateTag.id}/chart?from=${from}&to=${to}`))
      .set(as('quality'))
      .expect(400);
  });

  it('rejects malformed payloads and lists tags nobody mapped, without stopping', async () => {
    const before = await status();
    await publish('LATHE-1', 'state', '{"ts": "yesterday", "value": "running"');
    await publish('LATHE-1', 'param', { ts: t0, nested: { a: 1 } });
    await publish('LATHE-1', 'param', { ts: t0 + 15 * MIN, coolant_temp: 21.5 });
    await pub.publishAsync(`mom/${site}/L1/LATHE-1`, '1', { qos: 1 });
    published++;
    await drained(() => published);
    const after = await status();
    expect(after.rejected - before.rejected).toBe(3);
    const rejected = (await t.http.get('/api/v1/machine-data/rejected?limit=3').set(as('admin')).expect(200))
      .body;
    expect(rejected.messages.map((m: { reason: string }) => m.reason).join('\n')).toMatch(
      /topic must be mom/,
    );
    const unknown = (
      await t.http.get(`/api/v1/machine-data/unknown-tags?siteCode=${site}`).set(as('admin')).expect(200)
    ).body as Array<{ metric: string; messages: number }>;
    expect(unknown).toEqual([expect.objectContaining({ metric: 'coolant_temp', messages: 1 })]);
    // Still ingesting.
    await publish('LATHE-1', 'state', { ts: t0 + 16 * MIN, value: 'running' });
    await eventually(async () => {
      const m = (await t.http.get(md('LATHE-1')).set(as('viewer')).expect(200)).body as Machine;
      return m.state === 'running' ? m : undefined;
    }, 'state running');
  });

  it('Sparkplug B: births bring a machine online, data by alias is read, a death certificate takes it offline', async () => {
    const group = site;
    const device = `spBv1.0/${group}/EDGE1/PRESS-1`;
    await t.http
      .put(md('PRESS-1'))
      .set(as('admin'))
      .send({
        countMode: 'off',
        tags: [
          { source: device, metric: 'Machine/State', role: 'state' },
          { source: device, metric: 'Counts/Good', role: 'good_count' },
        ],
      })
      .expect(200);
    const now = Date.now();
    const spb = (type: string, payload: object, dev = true) =>
      pub.publishAsync(
        `spBv1.0/${group}/${type}/EDGE1${dev ? '/PRESS-1' : ''}`,
        Buffer.from(sparkplug.encodePayload(payload)),
        { qos: 1 },
      );
    await spb(
      'NBIRTH',
      { timestamp: now - 5000, seq: 0, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 1 }] },
      false,
    );
    await spb('DBIRTH', {
      timestamp: now - 4000,
      seq: 1,
      metrics: [
        { name: 'Machine/State', alias: 1, type: 'String', value: 'idle' },
        { name: 'Counts/Good', alias: 2, type: 'UInt64', value: 500 },
      ],
    });
    await eventually(async () => {
      const m = (await t.http.get(md('PRESS-1')).set(as('viewer')).expect(200)).body as Machine;
      return m.connection === 'online' && m.state === 'idle' ? m : undefined;
    }, 'press online and idle');
    await spb('DDATA', {
      timestamp: now - 3000,
      seq: 2,
      metrics: [{ alias: 2, type: 'UInt64', value: 540 }],
    });
    await spb('DDATA', {
      timestamp: now - 2000,
      seq: 3,
      metrics: [{ alias: 1, type: 'String', value: 'running' }],
    });
    await eventually(async () => {
      const m = (await t.http.get(md('PRESS-1')).set(as('viewer')).expect(200)).body as Machine;
      const good = m.tags.find((x) => x.role === 'good_count');
      return m.state === 'running' && good?.last?.value === 540 ? m : undefined;
    }, 'press running with 540 counted');
    // A stale death certificate (older session) changes nothing; the current one takes the press offline.
    await spb(
      'NDEATH',
      { timestamp: now - 1000, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }] },
      false,
    );
    await spb(
      'NDEATH',
      { timestamp: now - 500, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 1 }] },
      false,
    );
    const offline = await eventually(async () => {
      const m = (await t.http.get(md('PRESS-1')).set(as('viewer')).expect(200)).body as Machine;
      return m.connection === 'offline' ? m : undefined;
    }, 'press offline');
    expect(offline.state).toBe('running');
  });

  it('a broker restart mid-stream loses nothing and counts nothing twice', async () => {
    const before = await operation(op10);
    const base = t0 + 20 * MIN;
    // The counter was at 12 good; 200 readings one piece apart, the broker restarts after the 80th.
    for (let i = 1; i <= 200; i++) {
      if (i === 81) {
        await broker.down();
        await broker.up();
      }
      // Published while the broker is away: the publisher's client keeps them until it is back (QoS 1).
      void send('LATHE-1', 'count', { ts: base + i * 1000, good: 12 + i, scrap: 1 });
      published++;
    }
    await eventually(
      async () => {
        const op = await operation(op10);
        return Number(op.goodQty) >= Number(before.goodQty) + 200 ? op : undefined;
      },
      'all 200 pieces counted after the restart',
      40_000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const after = await operation(op10);
    expect(Number(after.goodQty) - Number(before.goodQty)).toBe(200);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM machine_tag_value v JOIN machine_tag t ON t.id = v.tag_id
        WHERE t.equipment_id = $1 AND t.metric = 'good' AND v.ts > $2`,
      [f.equipment.lathe.id, new Date(base)],
    );
    expect(n).toBe(200);
  }, 60_000);

  it('cross-check: operators report, the machine counts, a difference beyond tolerance at completion is a todo', async () => {
    const current = (await t.http.get(md('LATHE-1')).set(as('viewer')).expect(200)).body as Machine;
    await t.http
      .put(md('LATHE-1'))
      .set(as('admin'))
      .send({
        countMode: 'cross_check',
        tolerancePct: 0,
        toleranceQty: 1,
        expectedVersion: current.version,
        tags: current.tags.map((x) => ({
          source: x.source,
          metric: x.metric,
          role: x.role,
          ...(x.parameterName ? { parameterName: x.parameterName } : {}),
        })),
      })
      .expect(200);
    // A second save from the same stale version is refused.
    await t.http
      .put(md('LATHE-1'))
      .set(as('admin'))
      .send({ countMode: 'off', expectedVersion: current.version, tags: [] })
      .expect(409);
    const before = await operation(op10);
    const base = t0 + 25 * MIN;
    await publish('LATHE-1', 'count', { ts: base, good: 215, scrap: 1 });
    await publish('LATHE-1', 'count', { ts: base + 10_000, good: 222, scrap: 1 });
    await drained(() => published);
    // Cross-check: the machine's pieces are not reported for the operators.
    expect(Number((await operation(op10)).goodQty)).toBe(Number(before.goodQty));
    await terminal(`operations/${op10}/report`, { goodQty: '6' }).expect(200);
    await terminal(`operations/${op10}/complete`, {}).expect(200);
    const counts = (await t.http.get(md('LATHE-1/counts')).set(as('viewer')).expect(200)).body as Array<{
      operationId: string;
      discrepancyAt: string | null;
    }>;
    expect(counts.find((c) => c.operationId === op10)!.discrepancyAt).not.toBeNull();
    const todos = (
      await t.http.get(f.url('todos?kind=machine_count&status=open&limit=50')).set(as('planner')).expect(200)
    ).body as { items: Array<{ title: string }> };
    expect(todos.items).toEqual([
      expect.objectContaining({
        title: expect.stringMatching(/LATHE-1: machine counted .* \(difference 4\)/),
      }),
    ]);
  });
});
