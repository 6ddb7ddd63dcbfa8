import type request from 'supertest';
import { eventually } from './eventually';

/** A schedule version once its run has ended (succeeded, failed or cancelled): the body of GET versions/{id}. */
export function settledVersion(
  http: ReturnType<typeof request>,
  versionUrl: string,
  auth: Record<string, string>,
) {
  return eventually(
    async () => {
      const res = await http.get(versionUrl).set(auth).expect(200);
      return ['succeeded', 'failed', 'cancelled'].includes(res.body.status) ? res.body : undefined;
    },
    `schedule run ${versionUrl}`,
    60000,
  );
}
