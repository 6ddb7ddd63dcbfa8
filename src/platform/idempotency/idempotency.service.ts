import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
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

/** How long a claim blocks duplicates before a crashed request's key may be taken over. */
export const CLAIM_LEASE_SECONDS = 60;

/**
 * Idempotency keys: a key is claimed (and committed) before the command runs, so a concurrent duplicate sees
 * it at once; the command's own transaction completes it with the response (see TransactionRunner).
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly dataSource: DataSource) {}

  static requestHash(r: Pick<IdempotentRequest, 'method' | 'path' | 'body'>): string {
    return createHash('sha256')
      .update(`${r.method}\n${r.path}\n${canonicalJson(r.body ?? null)}`)
      .digest('hex');
  }

  async claim(r: IdempotentRequest): Promise<ClaimResult> {
    const hash = IdempotencyService.requestHash(r);
    // A new key is inserted; an abandoned claim for the same request (its lease over) is taken over.
    const claimed: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO idempotency_key (scope, key, request_hash, method, path, state, locked_until)
       VALUES ($1, $2, $3, $4, $5, 'in_progress', now() + make_interval(secs => $6))
       ON CONFLICT (scope, key) DO UPDATE SET locked_until = EXCLUDED.locked_until
        WHERE idempotency_key.state = 'in_progress' AND idempotency_key.locked_until < now()
          AND idempotency_key.request_hash = EXCLUDED.request_hash
       RETURNING id`,
      [r.scope, r.key, hash, r.method, r.path.slice(0, 500), CLAIM_LEASE_SECONDS],
    );
    if (claimed[0]) return { kind: 'claimed', id: claimed[0].id };
    const rows: StoredKey[] = await this.dataSource.query(
      `SELECT request_hash, state, response_status, response_body FROM idempotency_key
        WHERE scope = $1 AND key = $2`,
      [r.scope, r.key],
    );
    const row = rows[0];
    if (!row) return this.claim(r); // released between the two statements: claim again
    return IdempotencyService.answerFor(row, hash);
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
