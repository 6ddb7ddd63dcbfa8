/**
 * Runs reads one after another, in order, and answers their results like `Promise.all` would. For queries
 * on an EntityManager that may be a transaction's: its one connection takes one query at a time (pg queues
 * overlapping ones today and will refuse them in its next major version).
 */
export async function inTurn<T extends readonly unknown[]>(
  ...work: { [K in keyof T]: () => Promise<T[K]> }
): Promise<T> {
  const out: unknown[] = [];
  for (const next of work) out.push(await next());
  return out as unknown as T;
}
