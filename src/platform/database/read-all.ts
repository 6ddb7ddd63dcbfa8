import type { EntityManager } from 'typeorm';

/**
 * Independent reads: at once on a pooled manager (each takes its own connection), one after another on a
 * transaction's manager (one connection, which must not be given a second query while it runs one).
 */
export async function readAll<T extends readonly unknown[]>(
  m: EntityManager,
  reads: { [K in keyof T]: () => Promise<T[K]> },
): Promise<T> {
  if (!m.queryRunner) return (await Promise.all(reads.map((r) => r()))) as unknown as T;
  const out: unknown[] = [];
  for (const r of reads) out.push(await r());
  return out as unknown as T;
}
