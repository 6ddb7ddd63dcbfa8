import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { ShopFloorEnvelope } from '../src/platform/realtime/shop-floor-events';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

type ResultsPush = ShopFloorEnvelope<'inspection.results'>;

/**
 * Results recorded without a rule violation still change a control chart: the quality room and the site get
 * `inspection.results` after commit, naming the characteristics recorded and those with a new chart point;
 * corrections are pushed too, a repeat of what is stored is not, nor is a refused request.
 */
describe('quality: inspection results pushed over the socket', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const sockets: Socket[] = [];
  let diaId: string;
  let visId: string;

  const as = (role: 'quality' | 'warehouse' | 'viewer') => f.auth(f.users[role].token);
  const q = (path: string) => f.url(`quality/${path}`);
  const record = (inspectionId: string, results: object[]) =>
    t.http
      .post(q(`inspections/${inspectionId}/results`))
      .set(as('quality'))
      .set('Idempotency-Key', randomUUID())
      .send({ results });

  async function eventually<T>(probe: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A screen on the socket (its automatic rooms only): every push it gets. */
  function listen(token: string): Promise<{ received: ShopFloorEnvelope[] }> {
    const socket = io(`${t.url}/shop-floor`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    const received: ShopFloorEnvelope[] = [];
    socket.onAny((_event: string, envelope: ShopFloorEnvelope) => received.push(envelope));
    return new Promise((resolve, reject) => {
      socket.once('connect_error', reject);
      socket.once('ready', () => resolve({ received }));
    });
  }

  async function receivedLot(code: string): Promise<{ id: string; code: string }> {
    await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'SHAFT', quantity: '20', location: 'WH', lotCode: code })
      .expect(201);
    const res = await t.http
      .get(q(`inspections?lot=${code}`))
      .set(as('quality'))
      .expect(200);
    return res.body.items[0] as { id: string; code: string };
  }

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    const plan = await t.http
      .post(q('inspection-plans'))
      .set(as('quality'))
      .set('Idempotency-Key', randomUUID())
      .send({
        code: 'IQC-PUSH',
        name: 'Shaft blanks',
        type: 'iqc',
        material: 'SHAFT',
        sampleSize: 2,
        characteristics: [
          {
            code: 'DIA',
            name: 'Diameter',
            kind: 'variable',
            unit: 'mm',
            lsl: '39.95',
            usl: '40.05',
            chart: 'xbar-r',
          },
          { code: 'VIS', name: 'Visual', kind: 'attribute', attributeType: 'pass_fail' },
        ],
      })
      .expect(201);
    const ids = plan.body.characteristics as Array<{ id: string; code: string }>;
    diaId = ids.find((c) => c.code === 'DIA')!.id;
    visId = ids.find((c) => c.code === 'VIS')!.id;
  });

  afterAll(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await t.close();
  });

  it('pushes recorded results, the new chart point and corrections to the quality room and the site', async () => {
    const inspection = await receivedLot('SH-PUSH-1');
    const quality = await listen(f.users.quality.token);
    const viewer = await listen(f.users.viewer.token);
    const pushes = (c: { received: ShopFloorEnvelope[] }, room: string) =>
      c.received.filter((e) => e.event === 'inspection.results' && e.room === room) as ResultsPush[];

    // One sample of two: nothing on the chart yet, but the inspection and its characteristic changed.
    await record(inspection.id, [{ characteristic: 'DIA', sampleNo: 1, value: '40.001' }]).expect(200);
    const first = await eventually(() => pushes(quality, `role:quality@${f.site.id}`)[0], 'the first push');
    expect(first.data).toEqual({
      inspectionId: inspection.id,
      code: inspection.code,
      type: 'iqc',
      status: 'in_progress',
      workCenterId: null,
      lotId: expect.any(String),
      workOrderId: null,
      characteristicIds: [diaId],
      newPointCharacteristicIds: [],
      recorded: 1,
      corrected: 0,
    });
    // The site room reaches everyone at the site (here a viewer).
    const atSite = await eventually(() => pushes(viewer, `site:${f.site.id}`)[0], 'the push to the site');
    expect(atSite.data).toEqual(first.data);

    // The second sample completes the subgroup: a new point on DIA's chart (in control: no spc.violation).
    await record(inspection.id, [
      { characteristic: 'DIA', sampleNo: 2, value: '39.999' },
      { characteristic: 'VIS', sampleNo: 1, passed: true },
    ]).expect(200);
    const second = await eventually(() => pushes(quality, `role:quality@${f.site.id}`)[1], 'the second push');
    expect(second.data).toMatchObject({
      characteristicIds: [diaId, visId],
      newPointCharacteristicIds: [diaId],
      recorded: 2,
      corrected: 0,
    });
    expect(quality.received.filter((e) => e.event === 'spc.violation')).toEqual([]);
    const chart = await t.http
      .get(q(`characteristics/${diaId}/chart`))
      .set(as('viewer'))
      .expect(200);
    expect(chart.body.points.map((p: { inspectionCode: string }) => p.inspectionCode)).toEqual([
      inspection.code,
    ]);

    // A correction is pushed; the same value again is not (nothing changed), nor a refused request.
    await record(inspection.id, [{ characteristic: 'DIA', sampleNo: 2, value: '40.002' }]).expect(200);
    const third = await eventually(
      () => pushes(quality, `role:quality@${f.site.id}`)[2],
      'the correction push',
    );
    expect(third.data).toMatchObject({
      characteristicIds: [diaId],
      newPointCharacteristicIds: [],
      recorded: 0,
      corrected: 1,
    });
    await record(inspection.id, [{ characteristic: 'DIA', sampleNo: 2, value: '40.002' }]).expect(200);
    await record(inspection.id, [{ characteristic: 'NOPE', sampleNo: 1, value: '1' }]).expect(400);
    await new Promise((r) => setTimeout(r, 500));
    expect(pushes(quality, `role:quality@${f.site.id}`)).toHaveLength(3);
  });
});
