import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export type ActorType = 'user' | 'api_client' | 'system';

export interface Actor {
  type: ActorType;
  id: string;
  name: string;
}

/** An `Idempotency-Key` claimed for this request: the command's transaction stores the response with it. */
export interface PendingIdempotency {
  /** The claimed key row; empty until an inline command has claimed it. */
  id: string;
  /** The status the route answers with on success. */
  status: number;
  completed: boolean;
  /** Set on routes whose command claims the key itself, in the statement that does the work. */
  inline?: IdempotencyKeyRef;
  /**
   * Set on the other routes: the first transaction of the command claims the key as its first statement, so
   * the claim commits or rolls back with the work (a crash leaves nothing claimed) and a concurrent duplicate
   * waits on the key's unique index until the first one's commit, then replays its answer.
   */
  deferred?: IdempotencyKeyRef;
}

export interface IdempotencyKeyRef {
  scope: string;
  key: string;
  requestHash: string;
  method: string;
  path: string;
}

export interface RequestContextStore {
  correlationId: string;
  actor?: Actor;
  ip?: string;
  idempotency?: PendingIdempotency;
}

const storage = new AsyncLocalStorage<RequestContextStore>();

/** Per-request (or per-job) context: correlation id and the acting principal, read by audit and logs. */
export const RequestContext = {
  run<T>(store: RequestContextStore, fn: () => T): T {
    return storage.run(store, fn);
  },
  current(): RequestContextStore | undefined {
    return storage.getStore();
  },
  correlationId(): string {
    return storage.getStore()?.correlationId ?? randomUUID();
  },
  actor(): Actor | undefined {
    return storage.getStore()?.actor;
  },
  /** The claimed idempotency key of this request that no transaction has completed yet. */
  pendingIdempotency(): PendingIdempotency | undefined {
    const claim = storage.getStore()?.idempotency;
    return claim && !claim.completed && claim.id ? claim : undefined;
  },
  /** The key the next transaction must claim as its first statement (see PendingIdempotency.deferred). */
  deferredIdempotency(): PendingIdempotency | undefined {
    const claim = storage.getStore()?.idempotency;
    return claim?.deferred && !claim.id && !claim.completed ? claim : undefined;
  },
  /** The key an inline command must claim itself (see `@Idempotent({ inline: true })`), until it has. */
  inlineIdempotency(): PendingIdempotency | undefined {
    const claim = storage.getStore()?.idempotency;
    return claim?.inline && !claim.id && !claim.completed ? claim : undefined;
  },
  setActor(actor: Actor): void {
    const store = storage.getStore();
    if (store) store.actor = actor;
  },
  /** Runs background work (jobs, relays) under a fresh correlation id and the system actor. */
  runAsSystem<T>(name: string, fn: () => T): T {
    return storage.run({ correlationId: randomUUID(), actor: { type: 'system', id: name, name } }, fn);
  },
};

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function acceptCorrelationId(incoming: unknown): string {
  return typeof incoming === 'string' && CORRELATION_ID.test(incoming) ? incoming : randomUUID();
}
