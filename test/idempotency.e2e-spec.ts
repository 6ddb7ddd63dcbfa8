import { randomUUID } from 'node:crypto';
import { IdempotencyService } from '../src/platform/idempotency/idempotency.service';
import { productionFactory, type ProductionFactory } from './support/production-factory';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Idempotency-Key on ordinary commands (a stock transfer): the key is claimed inside the command's own
 * transaction, so a failed or killed command leaves it free for the retry, duplicates sent together wait for
 * the first and replay it, and a refusal is the key's answer.
 */
describe('idempotency keys claimed in the command transaction', () => {
  let t: TestApp;
  let f: ProductionFactory;
  const warehouse = () => ({ Authorization: `Bearer ${f.users.warehouse.token}` });
  const transfer = (body: object, key: string) =>
    t.http.post(f.url('inventory/transfers')).set(warehouse()).set('Idempotency-Key', key).send(body);
  const receive = async (lotCode: string, quantity: string) =>
    t.http
      .post(f.url('inventory/receipts'))
      .set(warehouse())
      .send({ material: 'SHAFT', quantity, location: 'WH', lotCode })
      .expect(201);
  const movements = async (lotCode: string) =>
    (
      await t.dataSource.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM inventory_movement m JOIN lot l ON l.id = m.lot_id
          WHERE l.code = $1 AND m.movement_type = 'transfer'`,
        [lotCode],
      )
    )[0]!.n;
  const keyRows = async (key: string) =>
    t.dataSource.query<Array<{ state: string; response_status: number | null }>>(
      `SELECT state, response_status FROM idempotency_key WHERE key = $1`,
      [key],
    );

  beforeAll(async () => {
    t = await startTestApp();
    f = await productionFactory(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('ten copies of one request sent together: one transfer, every answer the same, nine replays', async () => {
    await receive('IK-1', '100');
    const key = randomUUID();
    const body = { lot: 'IK-1', fromLocation: 'WH', toLocation: 'LS-L1', quantity: '7' };
    const answers = await Promise.all(Array.from({ length: 10 }, () => transfer(body, key)));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 10 }, () => 201));
    const ids = new Set(answers.map((a) => (a.body as { id: string }).id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    expect(await movements('IK-1')).toBe(1);
    expect(await keyRows(key)).toEqual([{ state: 'completed', response_status: 201 }]);
  });

  it('a command whose transaction fails leaves its key free: the retry with the same key runs at once', async () => {
    await receive('IK-2', '50');
    const key = randomUUID();
    const body = { lot: 'IK-2', fromLocation: 'WH', toLocation: 'LS-L1', quantity: '5' };
    // The database refuses the movement halfway through the command, as a lost connection or a killed
    // process would end it: the transaction rolls back, and with it the key's claim.
    await t.dataSource.query(`
      CREATE FUNCTION test_refuse_movement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'movement refused by the test'; END $$;
      CREATE TRIGGER trg_test_refuse_movement BEFORE INSERT ON inventory_movement
        FOR EACH ROW EXECUTE FUNCTION test_refuse_movement();`);
    try {
      const failed = await transfer(body, key);
      expect(failed.status).toBe(500);
      expect(failed.headers['content-type']).toContain('application/problem+json');
      expect(await keyRows(key)).toEqual([]);
    } finally {
      await t.dataSource.query(`
        DROP TRIGGER trg_test_refuse_movement ON inventory_movement;
        DROP FUNCTION test_refuse_movement();`);
    }
    const retry = await transfer(body, key).expect(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await movements('IK-2')).toBe(1);
    const again = await transfer(body, key).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((again.body as { id: string }).id).toBe((retry.body as { id: string }).id);
    expect(await movements('IK-2')).toBe(1);
  });

  it('a refusal is the key’s answer: the same request replays it, another body with the key is refused', async () => {
    await receive('IK-3', '10');
    const key = randomUUID();
    const tooMuch = { lot: 'IK-3', fromLocation: 'WH', toLocation: 'LS-L1', quantity: '11' };
    const refused = await transfer(tooMuch, key);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    const replay = await transfer(tooMuch, key);
    expect(replay.status).toBe(refused.status);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(refused.body);
    const other = await transfer({ ...tooMuch, quantity: '3' }, key).expect(422);
    expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await movements('IK-3')).toBe(0);
  });

  it('a key still claimed by a request in flight elsewhere answers 409 with Retry-After until its lease ends', async () => {
    await receive('IK-4', '10');
    const key = randomUUID();
    const body = { lot: 'IK-4', fromLocation: 'WH', toLocation: 'LS-L1', quantity: '1' };
    const path = f.url('inventory/transfers');
    const hash = IdempotencyService.requestHash({ method: 'POST', path, body });
    // An inline report's claim kept while its refusal is stored looks like this.
    await t.dataSource.query(
      `INSERT INTO idempotency_key (scope, key, request_hash, method, path, state, locked_until)
       VALUES ($1, $2, $3, 'POST', $4, 'in_progress', now() + interval '1 minute')`,
      [`user:${f.users.warehouse.id}`, key, hash, path],
    );
    const busy = await transfer(body, key).expect(409);
    expect(busy.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE' });
    expect(busy.headers['retry-after']).toBe('1');
    await t.dataSource.query(
      `UPDATE idempotency_key SET locked_until = now() - interval '1 second' WHERE key = $1`,
      [key],
    );
    await transfer(body, key).expect(201);
    expect(await movements('IK-4')).toBe(1);
  });
});
