import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

type Role = 'admin' | 'quality' | 'operator' | 'warehouse' | 'planner' | 'viewer';

interface NcrLotBody {
  lotId: string;
  code: string;
  role: string;
  status: string;
  onHand: string;
  heldByNcr: boolean;
}

interface NcrBody {
  id: string;
  code: string;
  status: string;
  version: number;
  lots: NcrLotBody[];
  allowedCommands: string[];
}

/**
 * Nonconformance end to end: a bad supplier lot already used in production is reported and held, containment
 * finds and freezes what was made from it, and signed dispositions scrap, rework, release or return stock.
 */
describe('quality: nonconformance (NCR) with signed dispositions', () => {
  let t: TestApp;
  let f: ProductionFactory;
  let supplier: { id: string; code: string };
  let producedLot: string;

  const as = (role: Role) => f.auth(f.users[role].token);
  const ncrs = (path = '') => f.url(`quality/ncrs${path}`);
  const open = (role: Role, body: object) =>
    t.http.post(ncrs()).set(as(role)).set('Idempotency-Key', randomUUID()).send(body);
  const command = (role: Role, id: string, name: string, body: object = {}) =>
    t.http
      .post(ncrs(`/${id}/${name}`))
      .set(as(role))
      .send(body);
  const getNcr = async (id: string): Promise<NcrBody> =>
    (
      await t.http
        .get(ncrs(`/${id}`))
        .set(as('quality'))
        .expect(200)
    ).body as NcrBody;
  const lot = async (code: string) =>
    (
      await t.http
        .get(f.url(`lots/${code}`))
        .set(as('quality'))
        .expect(200)
    ).body as {
      id: string;
      code: string;
      status: string;
      quantity: string;
      movements: Array<{ movementType: string; quantity: string; reference: string | null }>;
    };
  const receive = async (material: string, quantity: string, lotCode: string, extra: object = {}) =>
    t.http
      .post(f.url('inventory/receipts'))
      .set(as('warehouse'))
      .send({ material, quantity, location: 'LS-L1', lotCode, ...extra })
      .expect(201);
  const terminal = (path: string, body: object = {}) =>
    t.http
      .post(`/api/v1/terminal/${path}`)
      .set(as('operator'))
      .set('Idempotency-Key', randomUUID())
      .send(body)
      .expect(200);
  const wmsMessages = async (type: string, lots: string[]): Promise<string[]> =>
    (
      await t.dataSource.query<Array<{ lot: string }>>(
        // Lot codes repeat across the sites other specs build: only this site's lots (by the message's key).
        `SELECT o.payload->>'lot' AS lot FROM outbox_message o
           JOIN lot l ON o.ordering_key = 'wms:lot:' || l.id AND l.site_id = $3
          WHERE o.destination = 'wms' AND o.message_type = $1 AND o.payload->>'lot' = ANY($2::text[])
          ORDER BY o.seq`,
        [type, lots, f.site.id],
      )
    ).map((r) => r.lot);
  const expectRefused = (res: Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect((res.body as { code: string }).code).toBe(code);
  };

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
    const create = async (path: string, body: object) =>
      (await t.http.post(f.url(path)).set(as('admin')).send(body).expect(201)).body as {
        id: string;
        code: string;
      };
    await create('reason-codes', {
      code: 'D-DIM',
      name: 'Dimension out of tolerance',
      nameZh: '尺寸超差',
      category: 'defect',
    });
    await create('reason-codes', { code: 'D-SURF', name: 'Surface damage', category: 'defect' });
    supplier = await create('partners', { code: 'SUP-STEEL', name: 'Steel Works', isSupplier: true });

    // A shaft lot from the supplier goes into an order of 20 shaft assemblies, which produces one lot.
    await receive('SHAFT', '80', 'SH-N1', { supplierId: supplier.id });
    await receive('GREASE', '10', 'GR-N1');
    const wo = await t.http
      .post(f.url('work-orders'))
      .set(as('planner'))
      .send({ material: 'SA-100', quantity: '20', dueAt: '2030-01-01T00:00:00Z' })
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
    await terminal(`operations/${op10!.id}/start`);
    await terminal(`operations/${op10!.id}/consume`, { lot: 'SH-N1', quantity: '20' });
    await terminal(`operations/${op10!.id}/complete`, { goodQty: '20' });
    await terminal(`operations/${op20!.id}/start`);
    const done = await terminal(`operations/${op20!.id}/complete`, { goodQty: '20' });
    producedLot = (done.body.producedLots as Array<{ code: string }>)[0]!.code;
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('a supplier lot found bad after use', () => {
    let ncr: NcrBody;

    it('refuses an invalid NCR field by field', async () => {
      const noSupplier = await open('quality', { source: 'supplier', title: 'Shaft blanks oversize' });
      expectRefused(noSupplier, 400, 'VALIDATION_FAILED');
      expect(noSupplier.body.errors).toEqual([{ field: 'supplier', message: 'supplier is required' }]);
      const unknown = await open('quality', {
        source: 'supplier',
        title: 'Shaft blanks oversize',
        supplier: 'SUP-STEEL',
        defectCodes: ['D-DIM', 'S-DIM'],
        lots: [{ lot: 'NO-SUCH-LOT' }],
      });
      expectRefused(unknown, 400, 'VALIDATION_FAILED');
      expect(unknown.body.errors).toEqual([
        { field: 'lots[0].lot', message: 'lot NO-SUCH-LOT does not exist at this site' },
        { field: 'defectCodes[1]', message: 'S-DIM is not an active defect reason code at this site' },
      ]);
      const none = await t.http.get(ncrs()).set(as('quality')).expect(200);
      expect(none.body.total).toBe(0);
    });

    it('opens the NCR and puts the reported lot on hold', async () => {
      const res = await open('quality', {
        source: 'supplier',
        title: 'Shaft blanks oversize',
        description: 'Ø40.06 measured on 5 of 5 samples (USL 40.025)',
        supplier: 'SUP-STEEL',
        defectCodes: ['D-DIM'],
        lots: [{ lot: 'SH-N1', quantity: '60' }],
        holdLots: true,
      }).expect(201);
      ncr = res.body as NcrBody;
      expect(res.body).toMatchObject({
        code: expect.stringMatching(/^NCR-\d{4}-000001$/),
        status: 'open',
        source: 'supplier',
        quantity: '60.000000',
        material: { code: 'SHAFT' },
        supplier: { code: 'SUP-STEEL' },
        defects: [{ code: 'D-DIM', name: 'Dimension out of tolerance', nameZh: '尺寸超差' }],
        reportedByName: f.users.quality.username,
        allowedCommands: ['review', 'containment'],
        signatures: [],
      });
      expect(ncr.lots).toEqual([
        expect.objectContaining({
          code: 'SH-N1',
          role: 'reported',
          status: 'hold',
          heldByNcr: true,
          onHand: '60',
        }),
      ]);
      const held = await lot('SH-N1');
      expect(held.status).toBe('hold');
      expect(await wmsMessages('freezeLot', ['SH-N1'])).toEqual(['SH-N1']);
    });

    it('contains: lists what was made from the lot, holds it, and freezes it at the WMS', async () => {
      const res = await command('quality', ncr.id, 'containment', {
        note: 'Finished goods in WIP frozen',
      }).expect(200);
      expect(res.body.lots).toEqual([
        expect.objectContaining({
          code: 'SH-N1',
          role: 'reported',
          depth: 0,
          statusBefore: 'hold',
          statusAfter: 'hold',
          heldNow: false,
          heldByNcr: true,
        }),
        expect.objectContaining({
          code: producedLot,
          role: 'affected',
          depth: 1,
          onHand: '20',
          statusBefore: 'quarantine',
          statusAfter: 'hold',
          heldNow: true,
          heldByNcr: true,
        }),
      ]);
      expect(res.body.ncr).toMatchObject({ status: 'open', containmentNote: 'Finished goods in WIP frozen' });
      expect(res.body.ncr.containedAt).toEqual(expect.any(String));
      expect((await lot(producedLot)).status).toBe('hold');
      expect(await wmsMessages('freezeLot', ['SH-N1', producedLot])).toEqual(['SH-N1', producedLot]);

      // Repeating it finds the same lots and holds nothing twice.
      const again = await command('quality', ncr.id, 'containment', {}).expect(200);
      expect(again.body.lots.map((l: { code: string; heldNow: boolean }) => [l.code, l.heldNow])).toEqual([
        ['SH-N1', false],
        [producedLot, false],
      ]);
      expect((await getNcr(ncr.id)).lots.map((l) => [l.code, l.role])).toEqual([
        ['SH-N1', 'reported'],
        [producedLot, 'affected'],
      ]);
      expect(await wmsMessages('freezeLot', ['SH-N1', producedLot])).toHaveLength(2);
    });

    it('lists NCRs by lot, status and source', async () => {
      const byLot = await t.http
        .get(ncrs(`?lot=${producedLot}`))
        .set(as('viewer'))
        .expect(200);
      expect(byLot.body).toMatchObject({ total: 1, items: [{ id: ncr.id, materialCode: 'SHAFT' }] });
      const bySource = await t.http.get(ncrs('?source=supplier&status=open')).set(as('quality')).expect(200);
      expect(bySource.body.items.map((n: { id: string }) => n.id)).toContain(ncr.id);
      const none = await t.http.get(ncrs('?status=closed&lot=SH-N1')).set(as('quality')).expect(200);
      expect(none.body.total).toBe(0);
    });

    it('follows the lifecycle: illegal moves and stale versions answer 409 with the current state', async () => {
      const early = await command('quality', ncr.id, 'close', { note: 'done' });
      expectRefused(early, 409, 'ILLEGAL_TRANSITION');
      expect(early.body).toMatchObject({ currentState: 'open', allowedCommands: ['review', 'containment'] });
      const stale = await command('quality', ncr.id, 'review', { expectedVersion: 1 });
      expectRefused(stale, 409, 'STALE_VERSION');
      const current = await getNcr(ncr.id);
      const reviewed = await command('quality', ncr.id, 'review', {
        expectedVersion: current.version,
        note: 'Measuring retained samples',
      }).expect(200);
      expect(reviewed.body).toMatchObject({
        status: 'under_review',
        reviewerName: f.users.quality.username,
        allowedCommands: ['containment', 'disposition'],
      });
      const twice = await command('quality', ncr.id, 'review', {});
      expectRefused(twice, 409, 'ILLEGAL_TRANSITION');
      expect(twice.body.currentState).toBe('under_review');
      await command('operator', ncr.id, 'review', {}).expect(403);
    });

    it('refuses a disposition without a valid signature by a quality user', async () => {
      const body = { disposition: 'scrap', note: 'Oversize, cannot be reworked', scrapReasonCode: 'S-DIM' };
      const noPassword = await command('quality', ncr.id, 'disposition', body);
      expectRefused(noPassword, 400, 'VALIDATION_FAILED');
      expect(noPassword.body.errors).toEqual([{ field: 'password', message: 'password is required' }]);
      const noReason = await command('quality', ncr.id, 'disposition', {
        disposition: 'scrap',
        note: 'x',
        password: f.users.quality.password,
      });
      expectRefused(noReason, 400, 'VALIDATION_FAILED');
      expect(noReason.body.errors).toEqual([
        { field: 'scrapReasonCode', message: 'scrapReasonCode is required' },
      ]);

      const wrong = await command('quality', ncr.id, 'disposition', { ...body, password: 'not my password' });
      expectRefused(wrong, 401, 'INVALID_CREDENTIALS');
      const after = await getNcr(ncr.id);
      expect(after).toMatchObject({
        status: 'under_review',
        disposition: null,
        signatureId: null,
        signatures: [],
      });
      expect((await lot('SH-N1')).quantity).toBe('60');

      // Admins and operators may not sign a disposition, whatever their password.
      const admin = await command('admin', ncr.id, 'disposition', {
        ...body,
        password: f.users.admin.password,
      });
      expectRefused(admin, 403, 'ROLE_REQUIRED');
      await command('operator', ncr.id, 'disposition', {
        ...body,
        password: f.users.operator.password,
      }).expect(403);
      const tooMuch = await command('quality', ncr.id, 'disposition', {
        ...body,
        quantity: '61',
        password: f.users.quality.password,
      });
      expectRefused(tooMuch, 400, 'VALIDATION_FAILED');
      expect(tooMuch.body.errors).toEqual([{ field: 'quantity', message: 'at most the NCR quantity 60' }]);
      expect((await getNcr(ncr.id)).status).toBe('under_review');
    });

    it('scraps the reported lot with a signed disposition; what was made from it stays held', async () => {
      const res = await command('quality', ncr.id, 'disposition', {
        disposition: 'scrap',
        note: 'Oversize, cannot be reworked',
        scrapReasonCode: 'S-DIM',
        password: f.users.quality.password,
      }).expect(200);
      expect(res.body).toMatchObject({
        status: 'dispositioned',
        disposition: 'scrap',
        dispositionQty: '60.000000',
        dispositionNote: 'Oversize, cannot be reworked',
        signatureId: expect.any(String),
        allowedCommands: ['close'],
      });
      expect(res.body.signatures).toEqual([
        expect.objectContaining({
          id: res.body.signatureId,
          meaning: 'dispositioned',
          signerUsername: f.users.quality.username,
          valid: true,
        }),
      ]);
      expect(res.body.effects).toEqual([
        expect.objectContaining({
          code: 'SH-N1',
          action: 'scrapped',
          statusAfter: 'consumed',
          scrappedQty: '60',
        }),
        expect.objectContaining({ code: producedLot, action: 'kept_held', statusAfter: 'hold' }),
      ]);
      const scrapped = await lot('SH-N1');
      expect(scrapped).toMatchObject({ status: 'consumed', quantity: '0' });
      expect(scrapped.movements.filter((m) => m.movementType === 'scrap')).toEqual([
        expect.objectContaining({ quantity: '60.000000', reference: ncr.code }),
      ]);
      expect((await lot(producedLot)).status).toBe('hold');

      const signatures = await t.http
        .get(`/api/v1/signatures?entityType=ncr&entityId=${ncr.id}`)
        .set(as('quality'))
        .expect(200);
      expect(signatures.body).toEqual([
        expect.objectContaining({ id: res.body.signatureId, meaning: 'dispositioned', valid: true }),
      ]);
      const signed = await t.http
        .get(`/api/v1/signatures/${res.body.signatureId}`)
        .set(as('quality'))
        .expect(200);
      expect(signed.body.signedRecord).toMatchObject({
        id: ncr.id,
        code: ncr.code,
        disposition: 'scrap',
        dispositionQty: '60',
        dispositionNote: 'Oversize, cannot be reworked',
        defectCodes: ['D-DIM'],
      });
      expect(signed.body.signedRecord.lots).toHaveLength(2);
      const again = await command('quality', ncr.id, 'disposition', {
        disposition: 'use_as_is',
        note: 'changed my mind',
        password: f.users.quality.password,
      });
      expectRefused(again, 409, 'ILLEGAL_TRANSITION');
      expect(again.body).toMatchObject({ currentState: 'dispositioned', allowedCommands: ['close'] });
    });

    it('closes; the signature stays valid and every step is in the audit trail', async () => {
      await command('quality', ncr.id, 'close', {}).expect(400);
      const closed = await command('quality', ncr.id, 'close', {
        note: 'Supplier informed (8D requested)',
      }).expect(200);
      expect(closed.body).toMatchObject({
        status: 'closed',
        closeNote: 'Supplier informed (8D requested)',
        closedByName: f.users.quality.username,
        allowedCommands: [],
      });
      expect(closed.body.closedAt).toEqual(expect.any(String));
      expect(closed.body.signatures).toEqual([expect.objectContaining({ valid: true })]);
      const late = await command('quality', ncr.id, 'close', { note: 'again' });
      expectRefused(late, 409, 'ILLEGAL_TRANSITION');
      expect(late.body).toMatchObject({ currentState: 'closed', allowedCommands: [] });

      const audit = await t.dataSource.query<
        Array<{ action: string; reason: string | null; actor_name: string }>
      >(
        `SELECT action, reason, actor_name FROM audit_log WHERE entity_type = 'ncr' AND entity_id = $1 ORDER BY id`,
        [ncr.id],
      );
      expect(audit.map((a) => a.action)).toEqual([
        'ncr.opened',
        'ncr.contained',
        'ncr.contained',
        'ncr.review_started',
        'signature.recorded',
        'ncr.dispositioned',
        'ncr.closed',
      ]);
      expect(audit.find((a) => a.action === 'ncr.closed')?.reason).toBe('Supplier informed (8D requested)');
      const [dispositioned] = await t.dataSource.query<Array<{ before: object; after: object }>>(
        `SELECT before, after FROM audit_log WHERE entity_id = $1 AND action = 'ncr.dispositioned'`,
        [ncr.id],
      );
      expect(dispositioned).toMatchObject({
        before: { status: 'under_review' },
        after: { status: 'dispositioned', disposition: 'scrap' },
      });
    });
  });

  it('rework: a signed rework disposition opens a rework work order', async () => {
    const opened = await open('quality', {
      source: 'customer',
      customer: 'ACME Gear Co. complaint 2026-118',
      title: 'Grease leaking at the seal',
      material: 'SA-100',
      quantity: '5',
      defectCodes: ['D-SURF'],
    }).expect(201);
    await command('quality', opened.body.id, 'review', {}).expect(200);
    const res = await command('quality', opened.body.id, 'disposition', {
      disposition: 'rework',
      note: 'Replace seal and re-grease',
      reworkDueAt: '2030-02-01T08:00:00Z',
      password: f.users.quality.password,
    }).expect(200);
    expect(res.body).toMatchObject({
      status: 'dispositioned',
      disposition: 'rework',
      reworkWorkOrder: {
        source: 'rework',
        status: 'planned',
        code: expect.stringMatching(/^WO-\d{4}-\d{6}$/),
      },
    });
    const wo = await t.http
      .get(f.url(`work-orders/${res.body.reworkWorkOrderId}`))
      .set(as('planner'))
      .expect(200);
    expect(wo.body).toMatchObject({
      source: 'rework',
      quantity: '5.000000',
      dueAt: '2030-02-01T08:00:00.000Z',
      notes: `Rework for NCR ${opened.body.code}: Grease leaking at the seal`,
    });
    expect(res.body.signatures).toEqual([expect.objectContaining({ valid: true })]);
  });

  it('use as is: the operator raises it at the terminal, and the lots return to their status before the hold', async () => {
    await receive('SHAFT', '30', 'SH-U1');
    await receive('SA-100', '12', 'SA-Q1');
    expect((await lot('SA-Q1')).status).toBe('quarantine');

    const notTerminal = await open('operator', { source: 'supplier', supplier: 'SUP-STEEL', title: 'Burr' });
    expectRefused(notTerminal, 403, 'ROLE_REQUIRED');
    const noHolding = await open('operator', {
      source: 'terminal',
      title: 'Burr on shaft ends',
      lots: [{ lot: 'SH-U1' }],
      holdLots: true,
    });
    expectRefused(noHolding, 403, 'ROLE_REQUIRED');
    const raised = await open('operator', {
      source: 'terminal',
      title: 'Burr on shaft ends',
      lots: [{ lot: 'SH-U1' }, { lot: 'SA-Q1' }],
    });
    // Two materials named: the NCR names none.
    expect(raised.status).toBe(201);
    expect(raised.body).toMatchObject({
      source: 'terminal',
      status: 'open',
      material: null,
      reportedById: f.users.operator.id,
      reportedByName: f.users.operator.username,
    });
    const id = raised.body.id as string;
    const contained = await command('quality', id, 'containment', { note: 'both lots held' }).expect(200);
    expect(
      contained.body.lots.map((l: { code: string; statusAfter: string }) => [l.code, l.statusAfter]),
    ).toEqual([
      ['SA-Q1', 'hold'],
      ['SH-U1', 'hold'],
    ]);
    await command('quality', id, 'review', {}).expect(200);
    const res = await command('quality', id, 'disposition', {
      disposition: 'use_as_is',
      note: 'Burr within drawing note 4 allowance',
      password: f.users.quality.password,
    }).expect(200);
    expect(
      (res.body.effects as Array<{ code: string; action: string; statusAfter: string }>).map((e) => [
        e.code,
        e.action,
        e.statusAfter,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['SH-U1', 'unheld', 'available'],
        ['SA-Q1', 'unheld', 'quarantine'],
      ]),
    );
    expect((await lot('SH-U1')).status).toBe('available');
    expect((await lot('SA-Q1')).status).toBe('quarantine');
    expect(await wmsMessages('unfreezeLot', ['SH-U1', 'SA-Q1'])).toHaveLength(2);
    await command('quality', id, 'close', { note: 'released' }).expect(200);
  });

  it('return to supplier: refused without a supplier, nothing signed or changed', async () => {
    await receive('SHAFT', '10', 'SH-X1');
    const opened = await open('quality', {
      source: 'inspection',
      title: 'Cracks at the shoulder',
      lots: [{ lot: 'SH-X1' }],
      holdLots: true,
    }).expect(201);
    await command('quality', opened.body.id, 'review', {}).expect(200);
    const res = await command('quality', opened.body.id, 'disposition', {
      disposition: 'return_to_supplier',
      note: 'return',
      password: f.users.quality.password,
    });
    expectRefused(res, 422, 'NCR_DISPOSITION_NOT_POSSIBLE');
    expect(await getNcr(opened.body.id)).toMatchObject({
      status: 'under_review',
      disposition: null,
      signatures: [],
    });
    expect(await lot('SH-X1')).toMatchObject({ status: 'hold' });
  });

  it('return to supplier: the supplier comes from the lot, and the lot is rejected', async () => {
    await receive('SHAFT', '40', 'SH-R1', { supplierId: supplier.id });
    const opened = await open('quality', {
      source: 'inspection',
      title: 'Hardness below spec',
      lots: [{ lot: 'SH-R1', quantity: '40' }],
      holdLots: true,
    }).expect(201);
    await command('quality', opened.body.id, 'review', {}).expect(200);
    const res = await command('quality', opened.body.id, 'disposition', {
      disposition: 'return_to_supplier',
      note: 'HRC 38 against 45 min; return',
      password: f.users.quality.password,
    }).expect(200);
    expect(res.body).toMatchObject({
      disposition: 'return_to_supplier',
      supplier: { code: 'SUP-STEEL' },
      effects: [expect.objectContaining({ code: 'SH-R1', action: 'rejected', statusAfter: 'rejected' })],
    });
    const rejected = await t.http.get(f.url('lots/SH-R1')).set(as('quality')).expect(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      statusReason: 'returned to supplier SUP-STEEL',
    });
  });
});
