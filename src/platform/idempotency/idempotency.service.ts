import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { IdempotencyKeyRef } from '../context/request-context';
import { canonicalJson } from '../signatures/canonical-json';

export type ClaimResult =
  | { kind: 'claimed'; id: string }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' };

/** A key row as found: what a repeated request is answered with. */
export interface StoredKey {
  request_hash: string;
  state: string;
  response_status: number | null;
  response_body: unknown;
  /** The claim's lease is over: the request that took it is gone (crashed) and the key may be retaken. */
  lease_over?: boolean;
}

export interface IdempotentRequest {
  scope: string;
  key: string;
  method: string;
  path: string;
  body: unknown;
}

/**
 * The body with numbers JSON cannot write back (1e999 parses to Infinity) spelled as text, so that the hash of
 * such a request can still be taken and the request reaches validation (400) instead of failing here (500).
 */
function finiteNumbers(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : `number:${String(value)}`;
  if (Array.isArray(value)) return value.map(finiteNumbers);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, finiteNumbers(v)]));
  }
  return value;
}

/** How long a claim blocks duplicates before a crashed request's key may be taken over. */
export const CLAIM_LEASE_SECONDS = 60;

const CLAIM_SQL = `INSERT INTO idempotency_key (scope, key, request_hash, method, path, state, locked_until)
       VALUES ($1, $2, $3, $4, $5, 'in_progress', now() + make_interval(secs => $6))
       ON CONFLICT (scope, key) DO UPDATE SET locked_until = EXCLUDED.locked_until
        WHERE idempotency_key.state = 'in_progress' AND idempotency_key.locked_until < now()
          AND idempotency_key.request_hash = EXCLUDED.request_hash
       RETURNING id`;

const FIND_SQL = `SELECT request_hash, state, response_status, response_body, locked_until < now() AS lease_over
  FROM idempotency_key WHERE scope = $1 AND key = $2`;

/**
 * Idempotency keys. A request's key is looked up before the command runs (a stored answer is replayed at
 * once); the command's first transaction claims it as its first statement and completes it with the answer
 * in the same commit (see TransactionRunner). So a claim never outlives its transaction: a crash or a lost
 * database leaves the key free for the retry, and a concurrent duplicate waits on the key's unique index
 * until the first commits, then replays it. Keys stored `in_progress` by an earlier version or by the inline
 * report statement are still honoured until their lease is over.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly dataSource: DataSource) {}

  static requestHash(r: Pick<IdempotentRequest, 'method' | 'path' | 'body'>): string {
    return createHash('sha256')
      .update(`${r.method}\n${r.path}\n${canonicalJson(finiteNumbers(r.body ?? null))}`)
      .digest('hex');
  }

  static ref(r: IdempotentRequest): IdempotencyKeyRef {
    return {
      scope: r.scope,
      key: r.key,
      requestHash: IdempotencyService.requestHash(r),
      method: r.method,
      path: r.path.slice(0, 500),
    };
  }

  /** The answer for a key already stored, or null when the command may run (an abandoned claim is freed). */
  async lookup(ref: IdempotencyKeyRef): Promise<Exclude<ClaimResult, { kind: 'claimed' }> | null> {
    const rows: StoredKey[] = await this.dataSource.query(FIND_SQL, [ref.scope, ref.key]);
    const row = rows[0];
    if (!row) return null;
    if (row.state === 'in_progress' && row.lease_over && row.request_hash === ref.requestHash) {
      await this.retakeAbandoned(ref.scope, ref.key, ref.requestHash);
      return null;
    }
    return IdempotencyService.answerFor(row, ref.requestHash);
  }

  /**
   * Claims the key inside the caller's transaction (its first statement). Answers the stored key's answer
   * instead when another request has it: after waiting for that request's transaction, when it was running.
   */
  static async claimIn(manager: EntityManager, ref: IdempotencyKeyRef): Promise<ClaimResult> {
    const claimed: Array<{ id: string }> = await manager.query(CLAIM_SQL, [
      ref.scope,
      ref.key,
      ref.requestHash,
      ref.method,
      ref.path,
      CLAIM_LEASE_SECONDS,
    ]);
    if (claimed[0]) return { kind: 'claimed', id: claimed[0].id };
    const rows: StoredKey[] = await manager.query(FIND_SQL, [ref.scope, ref.key]);
    return rows[0] ? IdempotencyService.answerFor(rows[0], ref.requestHash) : { kind: 'in_progress' };
  }

  /**
   * Stores the answer of a request whose command wrote nothing in a transaction of its own (it changed nothing,
   * or it was refused and its transaction rolled back). A key stored meanwhile by a duplicate is kept.
   */
  async store(ref: IdempotencyKeyRef, status: number, body: unknown): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO idempotency_key
              (scope, key, request_hash, method, path, state, locked_until, response_status, response_body, completed_at)
       VALUES ($1, $2, $3, $4, $5, 'completed', now(), $6, $7::json, now())
       ON CONFLICT (scope, key) DO NOTHING`,
      [
        ref.scope,
        ref.key,
        ref.requestHash,
        ref.method,
        ref.path,
        status,
        body === undefined ? null : JSON.stringify(body),
      ],
    );
  }

  /** How a request whose key is already stored is answered. */
  static answerFor(row: StoredKey, requestHash: string): Exclude<ClaimResult, { kind: 'claimed' }> {
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.state !== 'completed' || row.response_status === null) return { kind: 'in_progress' };
    return { kind: 'replay', status: row.response_status, body: row.response_body };
  }

  /**
   * Frees the claim of a request that died before answering (its lease is over), so a retry of that same
   * request can take the key; true when it was freed.
   */
  async retakeAbandoned(scope: string, key: string, requestHash: string): Promise<boolean> {
    const [, count] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM idempotency_key WHERE scope = $1 AND key = $2 AND request_hash = $3
          AND state = 'in_progress' AND locked_until < now()`,
      [scope, key, requestHash],
    );
    return count > 0;
  }

  /** Stores an answer outside a command transaction (a refused request, or a command that changed nothing). */
  async complete(id: string, status: number, body: unknown): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_key SET state = 'completed', response_status = $2, response_body = $3::json,
              completed_at = now()
        WHERE id = $1 AND state = 'in_progress'`,
      [id, status, body === undefined ? null : JSON.stringify(body)],
    );
  }

  /** Frees a key after a failure that may succeed on retry (database down, internal error). */
  async release(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotency_key WHERE id = $1 AND state = 'in_progress'`, [id]);
  }
}
