import { DataSource } from 'typeorm';
import { readQuery } from '../src/platform/database/prepared-query';

// readQuery: the trace's lookups as named prepared statements on pooled connections, ordinary queries in a
// transaction. Against the run's database (PostgreSQL in CI, the embedded server otherwise).
describe('readQuery', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = new DataSource({ type: 'postgres', url: process.env.TEST_DATABASE_URL, extra: { max: 3 } });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
  });

  const SQL = `SELECT x AS n, x * $2::int AS scaled FROM unnest($1::int[]) AS x ORDER BY x`;

  it('answers each call with its own values, on every pooled connection, as often as asked', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        readQuery<{ n: number; scaled: number }>(ds.manager, SQL, [[i, i + 1], i]),
      ),
    );
    answers.forEach((rows, i) => {
      expect(rows).toEqual([
        { n: i, scaled: i * i },
        { n: i + 1, scaled: (i + 1) * i },
      ]);
    });
  });

  it('reads inside a transaction on its connection: it sees what the transaction wrote, others do not', async () => {
    await ds.query(
      `CREATE TABLE IF NOT EXISTS prepared_read_probe (id int PRIMARY KEY, label text NOT NULL)`,
    );
    const read = `SELECT label FROM prepared_read_probe WHERE id = ANY($1::int[]) ORDER BY id`;
    await ds.transaction(async (m) => {
      await m.query(`INSERT INTO prepared_read_probe (id, label) VALUES (1, 'inside'), (2, 'also')`);
      expect(await readQuery(m, read, [[1, 2]])).toEqual([{ label: 'inside' }, { label: 'also' }]);
      // Pooled (another connection): the transaction has not committed. (The embedded server runs one
      // transaction at a time: a read from outside would wait for this one to end.)
      if (process.env.TEST_DATABASE_KIND === 'postgresql') {
        expect(await readQuery(ds.manager, read, [[1, 2]])).toEqual([]);
      }
    });
    expect(await readQuery(ds.manager, read, [[2]])).toEqual([{ label: 'also' }]);
    await ds.query(`DROP TABLE prepared_read_probe`);
  });

  it('fails like any query: a TypeORM QueryFailedError with PostgreSQL’s code', async () => {
    await expect(readQuery(ds.manager, `SELECT 1 / $1::int AS q`, [0])).rejects.toMatchObject({
      name: 'QueryFailedError',
      driverError: expect.objectContaining({ code: '22012' }),
    });
  });
});
