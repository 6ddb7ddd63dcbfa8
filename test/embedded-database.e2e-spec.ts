import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { startEmbeddedInChild } from './support/embedded-child';

describe('embedded database: one PGlite session shared safely by many pool connections', () => {
  let embedded: { url: string; stop(): Promise<void> };
  let url: string;

  beforeAll(async () => {
    embedded = await startEmbeddedInChild();
    url = embedded.url;
    const c = new Client({ connectionString: url });
    await c.connect();
    await c.query(
      'CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0);',
    );
    await c.end();
  });
  afterAll(async () => {
    await embedded.stop();
  });

  it('keeps every extended-protocol exchange whole: 600 concurrent parameterised queries on 10 connections', async () => {
    const pool = new Pool({ connectionString: url, max: 10 });
    try {
      const expected = Array.from({ length: 600 }, (_, i) => ({ id: randomUUID(), n: i }));
      // Different statement texts and parameter types: an interleaved Parse/Bind would fail or mix results.
      const results = await Promise.all(
        expected.map((e, i) =>
          i % 2
            ? pool.query<{ id: string; n: number }>('SELECT $1::uuid AS id, $2::int AS n', [e.id, e.n])
            : pool.query<{ n: number; id: string }>('SELECT $2::int AS n, $1::text AS id, pg_sleep(0) AS z', [
                e.id,
                e.n,
              ]),
        ),
      );
      expect(results.map((r) => ({ id: r.rows[0]!.id, n: r.rows[0]!.n }))).toEqual(expected);
    } finally {
      await pool.end();
    }
  });

  it('loses no update when transactions on different connections change the same row', async () => {
    const pool = new Pool({ connectionString: url, max: 8 });
    try {
      await Promise.all(
        Array.from({ length: 200 }, async () => {
          const c = await pool.connect();
          try {
            await c.query('BEGIN');
            const { rows } = await c.query<{ n: number }>('SELECT n FROM counter WHERE id = $1', [1]);
            await c.query('UPDATE counter SET n = $2 WHERE id = $1', [1, rows[0]!.n + 1]);
            await c.query('COMMIT');
          } finally {
            c.release();
          }
        }),
      );
      const { rows } = await pool.query<{ n: number }>('SELECT n FROM counter WHERE id = 1');
      expect(rows[0]!.n).toBe(200);
    } finally {
      await pool.end();
    }
  });

  it('rolls back a transaction whose client disconnects, and lets the others go on', async () => {
    const other = new Client({ connectionString: url });
    await other.connect();
    const quitter = new Client({ connectionString: url });
    quitter.on('error', () => undefined);
    await quitter.connect();
    await quitter.query('BEGIN');
    await quitter.query('UPDATE counter SET n = -1 WHERE id = 1');
    // Waits for the session, which the open transaction holds.
    const waiting = other.query<{ n: number }>('SELECT n FROM counter WHERE id = 1');
    (quitter as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const { rows } = await waiting;
    expect(rows[0]!.n).not.toBe(-1);
    await other.end();
  });
});
