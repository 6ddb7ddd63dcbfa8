import { randomUUID } from 'node:crypto';
import type { Role } from '../src/platform/auth/roles';
import { TransactionRunner } from '../src/platform/database/transaction-runner';
import { DomainEventBus } from '../src/platform/events/domain-event-bus';
import type { DomainEvent } from '../src/platform/events/domain-events';
import { InventoryFacade, type LotsLinked, type StockMoved } from '../src/inventory/inventory.facade';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

interface LotBody {
  id: string;
  code: string;
  status: string;
  statusReason: string | null;
  heldFrom: string | null;
  origin: string;
  quantity: string;
  expiryDate: string | null;
  supplierId: string | null;
  supplierLot: string | null;
  receivedAt: string;
  balances: Array<{ locationId: string; quantity: string }>;
  movements: Array<{
    movementType: string;
    quantity: string;
    fromLocationId: string | null;
    toLocationId: string | null;
    reference: string | null;
  }>;
}

interface ShipmentBody {
  id: string;
  code: string;
  customer: { id: string; code: string; name: string };
  reference: string | null;
  shippedAt: string;
  lines: Array<{
    lineNo: number;
    lotCode: string;
    materialCode: string;
    quantity: string;
    locationCode: string;
    serials: string[] | null;
  }>;
}

/** Lot split (拆批), merge (合批) and shipments to customers (发货), with their ledger rows and genealogy. */
describe('inventory: lot split, merge and shipments', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let supplier: { id: string };
  let customer: { id: string; code: string };
  const linked: LotsLinked[] = [];
  const moved: StockMoved[] = [];
  const as = (role: Role) => ({ Authorization: `Bearer ${f.users[role].token}` });
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const receive = async (body: object) =>
    (
      await t.http
        .post(f.url('inventory/receipts'))
        .set(as('warehouse'))
        .send({ location: 'WH', ...body })
        .expect(201)
    ).body as LotBody;
  const lot = async (code: string) =>
    (
      await t.http
        .get(f.url(`lots/${code}`))
        .set(as('viewer'))
        .expect(200)
    ).body as LotBody;
  const split = (code: string, body: object, role: Role = 'warehouse') =>
    t.http
      .post(f.url(`inventory/lots/${code}/split`))
      .set(as(role))
      .set(key())
      .send(body);
  const merge = (code: string, body: object, role: Role = 'warehouse') =>
    t.http
      .post(f.url(`inventory/lots/${code}/merge`))
      .set(as(role))
      .set(key())
      .send(body);
  const ship = (body: object, role: Role = 'warehouse') =>
    t.http.post(f.url('inventory/shipments')).set(as(role)).set(key()).send(body);
  const status = (code: string, command: string, role: Role, reason?: string) =>
    t.http
      .post(f.url(`lots/${code}/${command}`))
      .set(as(role))
      .send(reason ? { reason } : {})
      .expect(200);
  const serials = async (code: string) =>
    (
      (
        await t.http
          .get(f.url(`lots/${code}/serials`))
          .set(as('viewer'))
          .expect(200)
      ).body as Array<{ serial: string; status: string; locationId: string | null }>
    ).map((s) => [s.serial, s.status]);
  const links = (lotIds: string[]) =>
    t.dataSource.query<Array<{ parent: string; child: string; quantity: string; type: string; ref: string }>>(
      `SELECT p.code AS parent, c.code AS child, trim_scale(k.quantity)::text AS quantity,
              k.reference_type AS type, k.reference_id::text AS ref
         FROM lot_link k JOIN lot p ON p.id = k.parent_lot_id JOIN lot c ON c.id = k.child_lot_id
        WHERE k.parent_lot_id = ANY($1::uuid[]) OR k.child_lot_id = ANY($1::uuid[])
        ORDER BY k.id`,
      [lotIds],
    );
  /** Everything that can drift: each balance equals its movements, and serial units equal the balance. */
  const ledgerHolds = async () => {
    const drift = await t.dataSource.query(
      `SELECT b.lot_id, b.location_id, b.quantity,
              coalesce((SELECT sum(CASE WHEN m.to_location_id = b.location_id THEN m.quantity ELSE -m.quantity END)
                          FROM inventory_movement m
                         WHERE m.lot_id = b.lot_id
                           AND (m.to_location_id = b.location_id OR m.from_location_id = b.location_id)), 0) AS ledger
         FROM stock_balance b
        WHERE b.site_id = $1
          AND b.quantity <> coalesce((SELECT sum(CASE WHEN m.to_location_id = b.location_id THEN m.quantity ELSE -m.quantity END)
                                        FROM inventory_movement m
                                       WHERE m.lot_id = b.lot_id
                                         AND (m.to_location_id = b.location_id OR m.from_location_id = b.location_id)), 0)`,
      [f.site.id],
    );
    expect(drift).toEqual([]);
    const units = await t.dataSource.query(
      `SELECT b.lot_id, b.location_id FROM stock_balance b
        WHERE b.site_id = $1 AND b.lot_id IN (SELECT DISTINCT lot_id FROM serial_number)
          AND b.quantity <> (SELECT count(*) FROM serial_number s
                              WHERE s.lot_id = b.lot_id AND s.location_id = b.location_id AND s.status = 'in_stock')`,
      [f.site.id],
    );
    expect(units).toEqual([]);
  };
  /** What a refused command must leave untouched. */
  const snapshot = () =>
    t.dataSource.query(
      `SELECT (SELECT count(*) FROM lot WHERE site_id = $1)::int AS lots,
              (SELECT count(*) FROM inventory_movement WHERE site_id = $1)::int AS movements,
              (SELECT count(*) FROM lot_link WHERE site_id = $1)::int AS links,
              (SELECT count(*) FROM shipment WHERE site_id = $1)::int AS shipments,
              (SELECT string_agg(lot_id || ':' || location_id || '=' || quantity, ',' ORDER BY lot_id, location_id)
                 FROM stock_balance WHERE site_id = $1) AS balances,
              (SELECT string_agg(serial || ':' || status || ':' || lot_id, ',' ORDER BY serial)
                 FROM serial_number WHERE site_id = $1) AS serials`,
      [f.site.id],
    );

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    const admin = as('admin');
    const bus = t.app.get(DomainEventBus);
    bus.on('inventory.lots.linked', (e: DomainEvent<'inventory.lots.linked'>) => {
      if (e.payload.siteId === f.site.id) linked.push(e.payload);
    });
    bus.on('inventory.stock.moved', (e: DomainEvent<'inventory.stock.moved'>) => {
      if (e.payload.siteId === f.site.id) moved.push(e.payload);
    });
    supplier = (
      await t.http
        .post(f.url('partners'))
        .set(admin)
        .send({ code: 'S-STEEL', name: 'Steel Co.', isSupplier: true })
        .expect(201)
    ).body;
    customer = (
      await t.http
        .post(f.url('partners'))
        .set(admin)
        .send({ code: 'C-ACME', name: 'ACME Gearboxes', nameZh: '阿克米齿轮箱', isCustomer: true })
        .expect(201)
    ).body;
    await t.http
      .post(f.url('materials'))
      .set(admin)
      .send({
        code: 'MOTOR',
        name: 'Servo motor',
        materialClass: 'raw',
        baseUnitId: f.units.pcs.id,
        serialTracked: true,
      })
      .expect(201);
    await t.http
      .post(f.url('materials'))
      .set(admin)
      .send({
        code: 'BOLT',
        name: 'Bolt M8',
        materialClass: 'raw',
        baseUnitId: f.units.pcs.id,
        lotTracked: true,
      })
      .expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('split', () => {
    it('keeps status, expiry and supplier; both ledger rows reference the other lot; balances add up', async () => {
      const src = await receive({
        material: 'SHAFT',
        quantity: '100',
        lotCode: 'SP-1',
        supplierId: supplier.id,
        supplierLot: 'STEEL-7731',
        expiryDate: '2031-05-31',
      });
      const idem = randomUUID();
      const res = await t.http
        .post(f.url('inventory/lots/SP-1/split'))
        .set(as('warehouse'))
        .set('Idempotency-Key', idem)
        .send({ quantity: '40', code: 'SP-1A', note: 'half a pallet for line 2' })
        .expect(201);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.body).toMatchObject({
        locationId: f.locations.warehouse.id,
        source: { code: 'SP-1', status: 'available', quantity: '60', quantityAtLocation: '60' },
        lot: {
          code: 'SP-1A',
          origin: 'split',
          status: 'available',
          quantity: '40',
          quantityAtLocation: '40',
          expiryDate: '2031-05-31',
          supplierId: supplier.id,
          supplierLot: 'STEEL-7731',
          materialId: f.materials.shaft.id,
        },
      });
      // The part is as old as its lot (FIFO keeps its place).
      expect(res.body.lot.receivedAt).toBe(src.receivedAt);
      const replay = await t.http
        .post(f.url('inventory/lots/SP-1/split'))
        .set(as('warehouse'))
        .set('Idempotency-Key', idem)
        .send({ quantity: '40', code: 'SP-1A', note: 'half a pallet for line 2' })
        .expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.lot.id).toBe(res.body.lot.id);

      const source = await lot('SP-1');
      const part = await lot('SP-1A');
      expect(source.quantity).toBe('60');
      expect(source.movements.map((m) => [m.movementType, m.quantity, m.toLocationId, m.reference])).toEqual([
        ['receipt', '100.000000', f.locations.warehouse.id, null],
        ['split', '40.000000', null, 'SP-1A'],
      ]);
      expect(part.movements).toEqual([
        expect.objectContaining({
          movementType: 'split',
          quantity: '40.000000',
          fromLocationId: null,
          toLocationId: f.locations.warehouse.id,
          reference: 'SP-1',
        }),
      ]);
      expect(await links([source.id])).toEqual([
        { parent: 'SP-1', child: 'SP-1A', quantity: '40', type: 'lot_split', ref: part.id },
      ]);
      const audit = await t.dataSource.query<Array<{ action: string }>>(
        `SELECT action FROM audit_log WHERE entity_id = ANY($1::text[]) ORDER BY id`,
        [[source.id, part.id]],
      );
      expect(audit.map((a) => a.action)).toEqual(['lot.created', 'lot.split', 'lot.created']);

      // Generated code: the material's lot code rule (here the default {MAT}-{YYMMDD}-{SEQ:3}).
      const generated = await split('SP-1', { quantity: '5' }).expect(201);
      expect(generated.body.lot.code).toMatch(/^SHAFT-\d{6}-\d{3}$/);

      // At several locations: the location must be named.
      await t.http
        .post(f.url('inventory/transfers'))
        .set(as('warehouse'))
        .set(key())
        .send({ lot: 'SP-1', fromLocation: 'WH', toLocation: 'LS-L1', quantity: '15' })
        .expect(201);
      const which = await split('SP-1', { quantity: '5' }).expect(400);
      expect(which.body.errors).toEqual([
        { field: 'locationId', message: 'is required: the lot is at LS-L1, WH' },
      ]);
      const atLine = await split('SP-1', { quantity: '5', locationId: 'LS-L1', code: 'SP-1L' }).expect(201);
      expect(atLine.body).toMatchObject({
        locationId: f.locations.lineSide.id,
        source: { quantity: '50', quantityAtLocation: '10' },
        lot: { code: 'SP-1L', quantityAtLocation: '5' },
      });
      // Splitting everything at one location is fine while the lot has stock elsewhere.
      const allHere = await split('SP-1', { quantity: '10', locationId: 'LS-L1' }).expect(201);
      expect(allHere.body.source).toMatchObject({
        status: 'available',
        quantity: '40',
        quantityAtLocation: '0',
      });

      const splitEvents = linked.filter((e) => e.kind === 'split' && e.parentLotId === source.id);
      expect(splitEvents[0]).toEqual({
        siteId: f.site.id,
        kind: 'split',
        parentLotId: source.id,
        childLotId: part.id,
        quantity: '40',
        referenceId: null,
      });
      expect(splitEvents).toHaveLength(4);
      expect(moved.filter((m) => m.movementType === 'split' && m.lotId === part.id)).toHaveLength(1);
      await ledgerHolds();
    });

    it('a held lot splits into a held part (same reason, held from the same status)', async () => {
      await receive({ material: 'SHAFT', quantity: '20', lotCode: 'SP-H' });
      await status('SP-H', 'hold', 'warehouse', 'Suspected burrs');
      const res = await split('SP-H', { quantity: '8', code: 'SP-H2' }).expect(201);
      expect(res.body.lot).toMatchObject({
        status: 'hold',
        heldFrom: 'available',
        statusReason: 'Suspected burrs',
        quantity: '8',
      });
      expect(res.body.source).toMatchObject({ status: 'hold', quantity: '12' });
      // The part is released on its own.
      const released = await status('SP-H2', 'unhold', 'quality');
      expect(released.body).toMatchObject({ status: 'available', heldFrom: null });
      expect((await lot('SP-H')).status).toBe('hold');
    });

    it('a quarantined lot splits into a quarantined part without a new incoming inspection', async () => {
      await t.http
        .post(f.url('quality/inspection-plans'))
        .set(as('quality'))
        .set(key())
        .send({
          code: 'IQC-BOLT',
          name: 'Incoming bolts',
          type: 'iqc',
          material: 'BOLT',
          sampleSize: 2,
          characteristics: [{ code: 'VIS', name: 'Visual', kind: 'attribute', attributeType: 'pass_fail' }],
        })
        .expect(201);
      const src = await receive({ material: 'BOLT', quantity: '500', lotCode: 'BQ-1' });
      expect(src.status).toBe('quarantine');
      const res = await split('BQ-1', { quantity: '200', code: 'BQ-1B' }).expect(201);
      expect(res.body.lot).toMatchObject({ status: 'quarantine', origin: 'split' });
      const inspections = await t.dataSource.query<Array<{ code: string; n: number }>>(
        `SELECT l.code, count(i.id)::int AS n FROM lot l LEFT JOIN inspection i ON i.lot_id = l.id
          WHERE l.id = ANY($1::uuid[]) GROUP BY l.code ORDER BY l.code`,
        [[src.id, res.body.lot.id]],
      );
      expect(inspections).toEqual([
        { code: 'BQ-1', n: 1 },
        { code: 'BQ-1B', n: 0 },
      ]);
    });

    it('moves the named serial numbers (or the first ones) to the new lot, keeping their identity', async () => {
      await receive({
        material: 'MOTOR',
        quantity: '4',
        lotCode: 'MOT-S',
        serials: ['MS-01', 'MS-02', 'MS-03', 'MS-04'],
      });
      const before = await t.dataSource.query<Array<{ id: string; serial: string }>>(
        `SELECT id, serial FROM serial_number WHERE site_id = $1 AND serial LIKE 'MS-0%' ORDER BY serial`,
        [f.site.id],
      );
      await split('MOT-S', { quantity: '2', serials: ['MS-02', 'MS-04'], code: 'MOT-S2' }).expect(201);
      expect(await serials('MOT-S2')).toEqual([
        ['MS-02', 'in_stock'],
        ['MS-04', 'in_stock'],
      ]);
      expect(await serials('MOT-S')).toEqual([
        ['MS-01', 'in_stock'],
        ['MS-03', 'in_stock'],
      ]);
      const after = await t.dataSource.query<Array<{ id: string; serial: string }>>(
        `SELECT id, serial FROM serial_number WHERE site_id = $1 AND serial LIKE 'MS-0%' ORDER BY serial`,
        [f.site.id],
      );
      expect(after).toEqual(before);
      // Without serials: the first in serial order at the place.
      await split('MOT-S', { quantity: '1', code: 'MOT-S3' }).expect(201);
      expect(await serials('MOT-S3')).toEqual([['MS-01', 'in_stock']]);
      const found = await t.http.get(f.url('serials/MS-04')).set(as('viewer')).expect(200);
      expect(found.body).toEqual([expect.objectContaining({ lotCode: 'MOT-S2', status: 'in_stock' })]);

      const before2 = await snapshot();
      const wrongCount = await split('MOT-S2', { quantity: '1', serials: ['MS-02', 'MS-04'] }).expect(400);
      expect(wrongCount.body.errors).toEqual([
        { field: 'serials', message: '2 serial number(s) for 1 unit(s)' },
      ]);
      const notHere = await split('MOT-S2', { quantity: '1', serials: ['MS-03'] }).expect(409);
      expect(notHere.body).toMatchObject({ code: 'SERIAL_NOT_AVAILABLE', missing: ['MS-03'] });
      expect(await snapshot()).toEqual(before2);
      await ledgerHolds();
    });

    it('refuses the whole quantity, a rejected lot and bad quantities as problems with field errors; nothing changes', async () => {
      await receive({ material: 'SHAFT', quantity: '10', lotCode: 'SP-R' });
      await receive({ material: 'GREASE', quantity: '2.5', lotCode: 'SP-G' });
      const before = await snapshot();

      const whole = await split('SP-R', { quantity: '10' }).expect(409);
      expect(whole.headers['content-type']).toContain('application/problem+json');
      expect(whole.body).toMatchObject({ code: 'WHOLE_LOT_SPLIT', onHandQty: '10' });
      expect(whole.body.detail ?? whole.body.title).toContain('use a transfer');
      expect(whole.body.errors).toEqual([
        { field: 'quantity', message: 'must be less than the 10 the lot has' },
      ]);
      const tooMuch = await split('SP-R', { quantity: '11' }).expect(409);
      expect(tooMuch.body).toMatchObject({ code: 'INSUFFICIENT_STOCK', availableQty: '10' });
      const zero = await split('SP-R', { quantity: '0' }).expect(400);
      expect(zero.body.errors).toEqual([{ field: 'quantity', message: 'quantity must be greater than 0' }]);
      const negative = await split('SP-R', { quantity: '-1' }).expect(400);
      expect(negative.body.errors[0].field).toBe('quantity');
      const fraction = await split('SP-R', { quantity: '1.5' }).expect(400);
      expect(fraction.body.errors).toEqual([{ field: 'quantity', message: 'must be a whole number of PCS' }]);
      const kg = await split('SP-G', { quantity: '0.0005' }).expect(400);
      expect(kg.body.errors).toEqual([{ field: 'quantity', message: 'at most 3 decimal(s) in KG' }]);
      const taken = await split('SP-R', { quantity: '1', code: 'SP-1' }).expect(409);
      expect(taken.body).toMatchObject({ code: 'LOT_CODE_TAKEN', errors: [{ field: 'code' }] });
      await split('SP-R', { quantity: '1' }, 'viewer').expect(403);
      await split('SP-R', { quantity: '1' }, 'operator').expect(403);
      await split('NOPE', { quantity: '1' }).expect(404);
      expect(await snapshot()).toEqual(before);

      await status('SP-R', 'reject', 'quality', 'Cracks');
      const before2 = await snapshot();
      const rejected = await split('SP-R', { quantity: '1' }).expect(409);
      expect(rejected.body).toMatchObject({ code: 'LOT_NOT_AVAILABLE', lotStatus: 'rejected', lot: 'SP-R' });
      expect(await snapshot()).toEqual(before2);
      // Three decimals are fine in kilograms.
      await split('SP-G', { quantity: '0.125' }).expect(201);
    });
  });

  describe('merge', () => {
    it('merges two sources into the target: earliest expiry, stock moves location, sources consumed', async () => {
      const target = await receive({
        material: 'GREASE',
        quantity: '10',
        lotCode: 'MG-T',
        expiryDate: '2031-12-31',
      });
      const a = await receive({
        material: 'GREASE',
        quantity: '4.5',
        lotCode: 'MG-A',
        expiryDate: '2031-06-30',
      });
      const b = await receive({
        material: 'GREASE',
        quantity: '2.25',
        lotCode: 'MG-B',
        location: 'LS-L1',
        expiryDate: '2031-09-30',
      });
      const res = await merge('MG-T', {
        sources: [{ lot: 'MG-A' }, { lot: 'MG-B' }],
        note: 'one drum',
      }).expect(201);
      expect(res.body).toMatchObject({
        locationId: f.locations.warehouse.id,
        target: { code: 'MG-T', quantity: '16.75', quantityAtLocation: '16.75', expiryDate: '2031-06-30' },
        sources: [
          {
            code: 'MG-A',
            status: 'consumed',
            statusReason: 'merged into MG-T',
            quantity: '0',
            mergedQty: '4.5',
            fromLocationId: f.locations.warehouse.id,
          },
          {
            code: 'MG-B',
            status: 'consumed',
            quantity: '0',
            mergedQty: '2.25',
            fromLocationId: f.locations.lineSide.id,
          },
        ],
      });
      const t1 = await lot('MG-T');
      expect(
        t1.movements.map((m) => [m.movementType, m.quantity, m.fromLocationId, m.toLocationId, m.reference]),
      ).toEqual([
        ['receipt', '10.000000', null, f.locations.warehouse.id, null],
        ['merge', '4.500000', null, f.locations.warehouse.id, 'MG-A'],
        ['merge', '2.250000', null, f.locations.warehouse.id, 'MG-B'],
      ]);
      expect((await lot('MG-B')).movements.at(-1)).toMatchObject({
        movementType: 'merge',
        quantity: '2.250000',
        fromLocationId: f.locations.lineSide.id,
        toLocationId: null,
        reference: 'MG-T',
      });
      expect(await links([target.id])).toEqual([
        { parent: 'MG-A', child: 'MG-T', quantity: '4.5', type: 'lot_merge', ref: target.id },
        { parent: 'MG-B', child: 'MG-T', quantity: '2.25', type: 'lot_merge', ref: target.id },
      ]);
      expect(linked.filter((e) => e.childLotId === target.id)).toEqual([
        {
          siteId: f.site.id,
          kind: 'merge',
          parentLotId: a.id,
          childLotId: target.id,
          quantity: '4.5',
          referenceId: null,
        },
        {
          siteId: f.site.id,
          kind: 'merge',
          parentLotId: b.id,
          childLotId: target.id,
          quantity: '2.25',
          referenceId: null,
        },
      ]);
      const audit = await t.dataSource.query<Array<{ action: string; before: unknown; after: unknown }>>(
        `SELECT action, before, after FROM audit_log WHERE entity_id = $1 AND action = 'lot.merge'`,
        [target.id],
      );
      expect(audit).toEqual([
        expect.objectContaining({
          before: expect.objectContaining({ quantity: '10', expiryDate: '2031-12-31' }),
          after: expect.objectContaining({ quantity: '16.75', expiryDate: '2031-06-30' }),
        }),
      ]);

      // Part of a lot: it keeps the rest; three decimals at most in kilograms.
      await receive({ material: 'GREASE', quantity: '5', lotCode: 'MG-C' });
      const fine = await merge('MG-T', { sources: [{ lot: 'MG-C', quantity: '0.0001' }] }).expect(400);
      expect(fine.body.errors).toEqual([
        { field: 'sources[0].quantity', message: 'at most 3 decimal(s) in KG' },
      ]);
      const over = await merge('MG-T', { sources: [{ lot: 'MG-C', quantity: '6' }] }).expect(409);
      expect(over.body).toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        errors: [{ field: 'sources[0].quantity' }],
      });
      const part = await merge('MG-T', { sources: [{ lot: 'MG-C', quantity: '1.5' }] }).expect(201);
      expect(part.body.sources[0]).toMatchObject({ code: 'MG-C', status: 'available', quantity: '3.5' });
      expect(part.body.target.quantity).toBe('18.25');
      await ledgerHolds();
    });

    it('moves serial numbers to the target lot', async () => {
      await receive({ material: 'MOTOR', quantity: '2', lotCode: 'MM-T', serials: ['MM-01', 'MM-02'] });
      await receive({
        material: 'MOTOR',
        quantity: '3',
        lotCode: 'MM-A',
        serials: ['MM-11', 'MM-12', 'MM-13'],
      });
      await merge('MM-T', { sources: [{ lot: 'MM-A', quantity: '2', serials: ['MM-11', 'MM-13'] }] }).expect(
        201,
      );
      expect(await serials('MM-T')).toEqual([
        ['MM-01', 'in_stock'],
        ['MM-02', 'in_stock'],
        ['MM-11', 'in_stock'],
        ['MM-13', 'in_stock'],
      ]);
      expect(await serials('MM-A')).toEqual([['MM-12', 'in_stock']]);
      await ledgerHolds();
    });

    it('refuses other materials, held or mismatched statuses, a lot into itself and a source listed twice', async () => {
      await receive({ material: 'GREASE', quantity: '3', lotCode: 'MR-T' });
      await receive({ material: 'GREASE', quantity: '2', lotCode: 'MR-H' });
      await receive({ material: 'SHAFT', quantity: '2', lotCode: 'MR-S' });
      await receive({ material: 'SA-100', quantity: '2', lotCode: 'MR-Q1' });
      await receive({ material: 'SA-100', quantity: '2', lotCode: 'MR-Q2' });
      await status('MR-H', 'hold', 'warehouse', 'Contaminated?');
      await status('MR-Q2', 'release', 'quality');
      const before = await snapshot();

      const material = await merge('MR-T', { sources: [{ lot: 'MR-S' }] }).expect(400);
      expect(material.body.errors).toEqual([
        { field: 'sources[0].lot', message: 'lot MR-S is SHAFT; lot MR-T is GREASE' },
      ]);
      const held = await merge('MR-T', { sources: [{ lot: 'MR-H' }] }).expect(409);
      expect(held.body).toMatchObject({ code: 'LOT_NOT_AVAILABLE', lot: 'MR-H', lotStatus: 'hold' });
      const mixed = await merge('MR-Q2', { sources: [{ lot: 'MR-Q1' }] }).expect(409);
      expect(mixed.body).toMatchObject({
        code: 'LOT_STATUS_MISMATCH',
        lot: 'MR-Q1',
        lotStatus: 'quarantine',
      });
      const self = await merge('MR-T', { sources: [{ lot: 'MR-T' }] }).expect(400);
      expect(self.body.errors).toEqual([
        { field: 'sources[0].lot', message: 'a lot cannot be merged into itself' },
      ]);
      const twice = await merge('MR-T', {
        sources: [{ lot: 'MG-C', quantity: '1' }, { lot: 'MG-C' }],
      }).expect(400);
      expect(twice.body.errors).toEqual([
        { field: 'sources[1].lot', message: 'the same lot is listed twice' },
      ]);
      const unknown = await merge('MR-T', { sources: [{ lot: 'NOPE' }] }).expect(400);
      expect(unknown.body.errors[0].field).toBe('sources[0].lot');
      await merge('MR-T', { sources: [] }).expect(400);
      await merge('MR-T', { sources: [{ lot: 'MG-C' }] }, 'operator').expect(403);
      expect(await snapshot()).toEqual(before);

      // Two lots in quarantine may be merged; the target stays in quarantine.
      await receive({ material: 'SA-100', quantity: '1', lotCode: 'MR-Q3' });
      const q = await merge('MR-Q1', { sources: [{ lot: 'MR-Q3' }] }).expect(201);
      expect(q.body.target).toMatchObject({ status: 'quarantine', quantity: '3' });
    });

    it('split and merge back: the genealogy has a cycle and the stock adds up', async () => {
      const a = await receive({ material: 'SHAFT', quantity: '30', lotCode: 'CY-A' });
      await split('CY-A', { quantity: '10', code: 'CY-B' }).expect(201);
      const back = await merge('CY-A', { sources: [{ lot: 'CY-B', quantity: '4' }] }).expect(201);
      expect(back.body.target.quantity).toBe('24');
      expect(back.body.sources[0]).toMatchObject({ code: 'CY-B', quantity: '6', status: 'available' });
      const rest = await merge('CY-A', { sources: [{ lot: 'CY-B' }] }).expect(201);
      expect(rest.body.target.quantity).toBe('30');
      expect(rest.body.sources[0]).toMatchObject({ status: 'consumed', quantity: '0' });
      const b = await lot('CY-B');
      expect(await links([a.id])).toEqual([
        { parent: 'CY-A', child: 'CY-B', quantity: '10', type: 'lot_split', ref: b.id },
        { parent: 'CY-B', child: 'CY-A', quantity: '4', type: 'lot_merge', ref: a.id },
        { parent: 'CY-B', child: 'CY-A', quantity: '6', type: 'lot_merge', ref: a.id },
      ]);
      await ledgerHolds();
    });
  });

  describe('shipments', () => {
    it('ships lots and serial numbers to a customer; a lot shipped empty is consumed; list and detail', async () => {
      await receive({ material: 'SHAFT', quantity: '50', lotCode: 'SHP-L1' });
      await receive({
        material: 'MOTOR',
        quantity: '3',
        lotCode: 'SHP-M',
        serials: ['SM-1', 'SM-2', 'SM-3'],
      });
      const first = await ship({
        customer: 'C-ACME',
        reference: 'PO-88123',
        lines: [
          { lot: 'SHP-L1', quantity: '20' },
          { lot: 'SHP-M', quantity: '2', serials: ['SM-1', 'SM-3'] },
        ],
      }).expect(201);
      const body = first.body as ShipmentBody;
      expect(body).toMatchObject({
        code: 'SHP-000001',
        customer: { id: customer.id, code: 'C-ACME', name: 'ACME Gearboxes' },
        reference: 'PO-88123',
        lines: [
          {
            lineNo: 1,
            lotCode: 'SHP-L1',
            materialCode: 'SHAFT',
            quantity: '20',
            locationCode: 'WH',
            serials: null,
          },
          { lineNo: 2, lotCode: 'SHP-M', materialCode: 'MOTOR', quantity: '2', serials: ['SM-1', 'SM-3'] },
        ],
      });
      expect(Date.now() - Date.parse(body.shippedAt)).toBeLessThan(60_000);
      const l1 = await lot('SHP-L1');
      expect(l1.quantity).toBe('30');
      expect(l1.movements.at(-1)).toMatchObject({
        movementType: 'shipment',
        quantity: '20.000000',
        fromLocationId: f.locations.warehouse.id,
        toLocationId: null,
        reference: 'SHP-000001',
      });
      expect(await serials('SHP-M')).toEqual([
        ['SM-1', 'shipped'],
        ['SM-2', 'in_stock'],
        ['SM-3', 'shipped'],
      ]);
      expect(moved.filter((m) => m.movementType === 'shipment')).toHaveLength(2);

      // Shipping the rest (yesterday) uses the lot up.
      const yesterday = new Date(Date.now() - 86_400_000).toISOString();
      const second = await ship({
        customer: customer.id,
        shippedAt: yesterday,
        lines: [{ lot: 'SHP-L1', quantity: '30', locationId: 'WH' }],
      }).expect(201);
      expect(second.body).toMatchObject({ code: 'SHP-000002', shippedAt: yesterday });
      expect(await lot('SHP-L1')).toMatchObject({ status: 'consumed', statusReason: 'shipped (SHP-000002)' });

      const all = await t.http.get(f.url('inventory/shipments')).set(as('viewer')).expect(200);
      expect(all.body).toMatchObject({ total: 2, limit: 50, offset: 0 });
      expect(all.body.items.map((s: ShipmentBody) => s.code)).toEqual(['SHP-000001', 'SHP-000002']);
      const byLot = await t.http.get(f.url('inventory/shipments?lot=SHP-M')).set(as('viewer')).expect(200);
      expect(byLot.body.items.map((s: ShipmentBody) => s.code)).toEqual(['SHP-000001']);
      const byCustomer = await t.http
        .get(f.url(`inventory/shipments?customer=C-ACME&limit=1&offset=1`))
        .set(as('viewer'))
        .expect(200);
      expect(byCustomer.body).toMatchObject({ total: 2, items: [{ code: 'SHP-000002' }] });
      const since = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString());
      const recent = await t.http
        .get(f.url(`inventory/shipments?from=${since}`))
        .set(as('viewer'))
        .expect(200);
      expect(recent.body.items.map((s: ShipmentBody) => s.code)).toEqual(['SHP-000001']);
      const older = await t.http
        .get(f.url(`inventory/shipments?to=${since}`))
        .set(as('viewer'))
        .expect(200);
      expect(older.body.items.map((s: ShipmentBody) => s.code)).toEqual(['SHP-000002']);
      const none = await t.http
        .get(f.url('inventory/shipments?customer=S-STEEL'))
        .set(as('viewer'))
        .expect(200);
      expect(none.body.total).toBe(0);

      const byCode = await t.http.get(f.url('inventory/shipments/SHP-000001')).set(as('viewer')).expect(200);
      expect(byCode.body).toEqual(body);
      const byId = await t.http
        .get(f.url(`inventory/shipments/${body.id}`))
        .set(as('viewer'))
        .expect(200);
      expect(byId.body.code).toBe('SHP-000001');
      await t.http.get(f.url('inventory/shipments/SHP-999999')).set(as('viewer')).expect(404);

      // Traceability's question: who received these lots?
      const m = await lot('SHP-M');
      const dossiers = await t.app.get(InventoryFacade).trace.dossiers(t.dataSource.manager, [l1.id, m.id]);
      const shipments = new Map(dossiers.map((d) => [d.lot.id, d.shipments]));
      expect(shipments.get(l1.id)).toEqual([
        expect.objectContaining({ shipmentCode: 'SHP-000002', quantity: '30', customerCode: 'C-ACME' }),
        expect.objectContaining({ shipmentCode: 'SHP-000001', quantity: '20', reference: 'PO-88123' }),
      ]);
      expect(shipments.get(m.id)).toEqual([
        expect.objectContaining({ shipmentCode: 'SHP-000001', serials: ['SM-1', 'SM-3'] }),
      ]);
      await ledgerHolds();
    });

    it('refuses a quarantined lot, more than there is, a supplier and a future date; nothing changes', async () => {
      await receive({ material: 'SA-100', quantity: '5', lotCode: 'SHQ-1' });
      await receive({ material: 'SHAFT', quantity: '5', lotCode: 'SHR-1' });
      const before = await snapshot();
      const quarantine = await ship({ customer: 'C-ACME', lines: [{ lot: 'SHQ-1', quantity: '1' }] }).expect(
        409,
      );
      expect(quarantine.headers['content-type']).toContain('application/problem+json');
      expect(quarantine.body).toMatchObject({
        code: 'LOT_NOT_AVAILABLE',
        lotStatus: 'quarantine',
        errors: [{ field: 'lines[0].lot', message: 'lot SHQ-1 is quarantine' }],
      });
      // All or nothing: the first line is not shipped when the second has not enough.
      const over = await ship({
        customer: 'C-ACME',
        lines: [
          { lot: 'SHR-1', quantity: '1' },
          { lot: 'SHP-M', quantity: '2' },
        ],
      }).expect(409);
      expect(over.body).toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        availableQty: '1',
        errors: [{ field: 'lines[1].quantity', message: 'at most 1 is available' }],
      });
      const notCustomer = await ship({
        customer: 'S-STEEL',
        lines: [{ lot: 'SHR-1', quantity: '1' }],
      }).expect(400);
      expect(notCustomer.body.errors).toEqual([
        { field: 'customer', message: 'S-STEEL is not a customer (a supplier only)' },
      ]);
      const future = await ship({
        customer: 'C-ACME',
        shippedAt: new Date(Date.now() + 86_400_000).toISOString(),
        lines: [{ lot: 'SHR-1', quantity: '1' }],
      }).expect(400);
      expect(future.body.errors).toEqual([{ field: 'shippedAt', message: 'must not be in the future' }]);
      const fraction = await ship({ customer: 'C-ACME', lines: [{ lot: 'SHR-1', quantity: '0.5' }] }).expect(
        400,
      );
      expect(fraction.body.errors).toEqual([
        { field: 'lines[0].quantity', message: 'must be a whole number of PCS' },
      ]);
      const twice = await ship({
        customer: 'C-ACME',
        lines: [
          { lot: 'SHR-1', quantity: '1' },
          { lot: 'SHR-1', quantity: '1' },
        ],
      }).expect(400);
      expect(twice.body.errors[0].field).toBe('lines[1].lot');
      const empty = await ship({ customer: 'C-ACME', lines: [] }).expect(400);
      expect(empty.body.errors[0].field).toBe('lines');
      await ship({ customer: 'C-ACME', lines: [{ lot: 'SHR-1', quantity: '1' }] }, 'operator').expect(403);
      expect(await snapshot()).toEqual(before);
      // Refusals used no number: the next shipment is SHP-000003.
      const next = await ship({ customer: 'C-ACME', lines: [{ lot: 'SHR-1', quantity: '1' }] }).expect(201);
      expect(next.body.code).toBe('SHP-000003');
    });
  });

  it('describes the endpoints in OpenAPI, with the Idempotency-Key on the commands', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
    };
    const base = '/api/v1/sites/{siteId}/inventory';
    for (const [path, method] of [
      [`${base}/lots/{idOrCode}/split`, 'post'],
      [`${base}/lots/{idOrCode}/merge`, 'post'],
      [`${base}/shipments`, 'post'],
      [`${base}/shipments`, 'get'],
      [`${base}/shipments/{idOrCode}`, 'get'],
    ] as const) {
      const op = doc.paths[path]?.[method];
      expect(op).toBeDefined();
      if (method === 'post')
        expect(op!.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key' }));
    }
  });

  it('an outsourcing receipt announces each input as linked to the new lot', async () => {
    const admin = as('admin');
    await t.http
      .post(f.url('locations'))
      .set(admin)
      .send({ code: 'SUP-STEEL', name: 'At Steel Co.', locationType: 'supplier', partnerId: supplier.id })
      .expect(201);
    const input = await receive({ material: 'SHAFT', quantity: '10', lotCode: 'OSL-IN' });
    const order = await t.http
      .post(f.url('outsourcing-orders'))
      .set(as('planner'))
      .send({ supplierLocation: 'SUP-STEEL', process: 'Plating', outputMaterial: 'SHAFT', expectedQty: '10' })
      .expect(201);
    await t.http
      .post(f.url(`outsourcing-orders/${order.body.id}/send`))
      .set(as('warehouse'))
      .set(key())
      .send({ lot: 'OSL-IN', fromLocation: 'WH', quantity: '10' })
      .expect(200);
    const received = await t.http
      .post(f.url(`outsourcing-orders/${order.body.id}/receive`))
      .set(as('warehouse'))
      .set(key())
      .send({
        quantity: '10',
        toLocation: 'WH',
        lotCode: 'OSL-OUT',
        inputs: [{ lot: 'OSL-IN', quantity: '10' }],
      })
      .expect(201);
    expect(linked.filter((e) => e.kind === 'outsourcing')).toEqual([
      {
        siteId: f.site.id,
        kind: 'outsourcing',
        parentLotId: input.id,
        childLotId: received.body.lot.id,
        quantity: '10',
        referenceId: order.body.id,
      },
    ]);
  });

  it('an issue to a work order is announced as a stock movement', async () => {
    const src = await receive({ material: 'SHAFT', quantity: '10', lotCode: 'ISS-1' });
    const workOrderId = randomUUID();
    await t.app.get(TransactionRunner).run((tx) =>
      t.app.get(InventoryFacade).issue(tx, {
        siteId: f.site.id,
        lotId: src.id,
        locationId: f.locations.warehouse.id,
        quantity: '3',
        workOrderId,
        operationId: randomUUID(),
      }),
    );
    expect(moved.filter((m) => m.lotId === src.id && m.movementType === 'issue')).toEqual([
      expect.objectContaining({
        quantity: '3',
        fromLocationId: f.locations.warehouse.id,
        toLocationId: null,
        workOrderId,
        lotCode: 'ISS-1',
      }),
    ]);
  });
});
