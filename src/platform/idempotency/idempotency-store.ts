import type { EntityManager } from 'typeorm';
import type { PendingIdempotency } from '../context/request-context';

/** Marks a claimed key completed with the response body, inside the caller's transaction. */
export async function completeIdempotencyClaim(
  manager: EntityManager,
  claim: PendingIdempotency,
  body: unknown,
): Promise<void> {
  await manager.query(
    `UPDATE idempotency_key SET state = 'completed', response_status = $2, response_body = $3::json,
            completed_at = now()
      WHERE id = $1`,
    [claim.id, claim.status, body === undefined ? null : JSON.stringify(body)],
  );
}
