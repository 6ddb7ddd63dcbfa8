import type { EntityManager } from 'typeorm';
import { readAll } from './read-all';

describe('readAll', () => {
  const tracked = () => {
    let running = 0;
    let most = 0;
    const read = (value: number) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return value;
    };
    return { read, most: () => most };
  };

  it('runs the reads at once on a pooled manager', async () => {
    const t = tracked();
    const out = await readAll<[number, number, number]>({} as EntityManager, [
      t.read(1),
      t.read(2),
      t.read(3),
    ]);
    expect(out).toEqual([1, 2, 3]);
    expect(t.most()).toBe(3);
  });

  it('runs them one after another on a transaction’s manager, answers in the same order', async () => {
    const t = tracked();
    const tx = { queryRunner: {} } as unknown as EntityManager;
    const out = await readAll<[number, number, number]>(tx, [t.read(1), t.read(2), t.read(3)]);
    expect(out).toEqual([1, 2, 3]);
    expect(t.most()).toBe(1);
  });
});
