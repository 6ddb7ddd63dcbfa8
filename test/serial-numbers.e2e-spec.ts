import { randomUUID } from 'node:crypto';
import type { Role } from '../src/platform/auth/roles';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface SerialRow {
  serial: string;
  status: string;
  locationId: string | null;
  lotCode?: string;
}

/** Serial-tracked materials: one serial per unit, moving with the ledger. */
describe('inventory: serial numbers', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const as = (role: Role) => ({ Authorization: `Bearer ${f.users[role].token}` });
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const receive = (body: object) =>
    t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'MOTOR', location: 'WH', ...body });
  const serialsOf = async (lot: string) =>
    (
      await t.http
        .get(f.url(`lots/${lot}/serials`))
        .set(as('viewer'))
        .expect(200)
    ).body as SerialRow[];

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    await t.http
      .post(f.url('materials'))
      .set(as('admin'))
      .send({
        code: 'MOTOR',
        name: 'Servo motor',
        materialClass: 'raw',
        baseUnitId: f.units.pcs.id,
        serialTracked: true,
      })
      .expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it('receives one serial per unit (given or generated) and refuses wrong counts, repeats and fractions', async () => {
    await receive({ quantity: '3', lotCode: 'MOT-GEN' }).expect(201);
    expect((await serialsOf('MOT-GEN')).map((s) => s.serial)).toEqual([
      'MOT-GEN-0001',
      'MOT-GEN-0002',
      'MOT-GEN-0003',
    ]);
    await receive({ quantity: '2', lotCode: 'MOT-A', serials: ['SN-001', 'SN-002'] }).expect(201);

    const count = await receive({ quantity: '3', lotCode: 'MOT-B', serials: ['SN-101', 'SN-102'] }).expect(
      400,
    );
    expect(count.body.errors).toEqual([{ field: 'serials', message: '2 serial number(s) for 3 unit(s)' }]);
    const taken = await receive({ quantity: '1', lotCode: 'MOT-C', serials: ['SN-002'] }).expect(409);
    expect(taken.body).toMatchObject({ code: 'SERIAL_TAKEN', serials: ['SN-002'] });
    const half = await receive({ quantity: '1.5', lotCode: 'MOT-D' }).expect(400);
    expect(half.body.errors[0].field).toBe('quantity');
    const badFormat = await receive({ quantity: '1', lotCode: 'MOT-E', serials: ['has space'] }).expect(400);
    expect(badFormat.body.errors[0].field).toBe('serials');
    const notTracked = await t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material: 'SHAFT', quantity: '1', location: 'WH', lotCode: 'SH-SN', serials: ['X-1'] })
      .expect(400);
    expect(notTracked.body.errors[0].field).toBe('serials');
    // Nothing of the refused receipts was kept.
    for (const code of ['MOT-B', 'MOT-C', 'MOT-D', 'MOT-E', 'SH-SN'])
      await t.http
        .get(f.url(`lots/${code}`))
        .set(as('viewer'))
        .expect(404);
  });

  it('moves the named units (or the first ones at the place) with every transfer and scrap', async () => {
    await t.http
      .post(f.url('inventory/transfers'))
      .set(as('warehouse'))
      .set(key())
      .send({ lot: 'MOT-A', fromLocation: 'WH', toLocation: 'LS-L1', quantity: '1', serials: ['SN-002'] })
      .expect(201);
    // SN-002 is no longer in the warehouse: refused, nothing moves.
    const gone = await t.http
      .post(f.url('inventory/transfers'))
      .set(as('warehouse'))
      .set(key())
      .send({ lot: 'MOT-A', fromLocation: 'WH', toLocation: 'LS-L1', quantity: '1', serials: ['SN-002'] })
      .expect(409);
    expect(gone.body).toMatchObject({ code: 'SERIAL_NOT_AVAILABLE', missing: ['SN-002'] });
    const mismatch = await t.http
      .post(f.url('inventory/transfers'))
      .set(as('warehouse'))
      .set(key())
      .send({
        lot: 'MOT-A',
        fromLocation: 'WH',
        toLocation: 'LS-L1',
        quantity: '1',
        serials: ['SN-001', 'SN-003'],
      })
      .expect(400);
    expect(mismatch.body.errors[0].field).toBe('serials');

    // A scrap without serials takes the first unit at the place.
    await t.http
      .post(f.url('inventory/scraps'))
      .set(as('warehouse'))
      .set(key())
      .send({ lot: 'MOT-GEN', location: 'WH', quantity: '1', reasonCode: 'S-DIM' })
      .expect(201);
    expect((await serialsOf('MOT-GEN')).map((s) => [s.serial, s.status])).toEqual([
      ['MOT-GEN-0001', 'scrapped'],
      ['MOT-GEN-0002', 'in_stock'],
      ['MOT-GEN-0003', 'in_stock'],
    ]);

    const found = await t.http.get(f.url('serials/SN-002')).set(as('viewer')).expect(200);
    expect(found.body).toEqual([
      expect.objectContaining({
        serial: 'SN-002',
        lotCode: 'MOT-A',
        status: 'in_stock',
        locationId: f.locations.lineSide.id,
      }),
    ]);
    await t.http.get(f.url('serials/NOPE-1')).set(as('viewer')).expect(404);

    // Units in stock per place always equal the lot's balance there.
    const mismatches = await t.dataSource.query(
      `SELECT b.lot_id, b.location_id FROM stock_balance b
        WHERE b.lot_id IN (SELECT DISTINCT lot_id FROM serial_number)
          AND b.quantity <> (SELECT count(*) FROM serial_number s
                              WHERE s.lot_id = b.lot_id AND s.location_id = b.location_id AND s.status = 'in_stock')`,
    );
    expect(mismatches).toEqual([]);
  });
});
