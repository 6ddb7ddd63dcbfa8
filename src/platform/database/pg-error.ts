import { QueryFailedError } from 'typeorm';

/** The SQLSTATE of a failed query (e.g. '23505' unique_violation, '40P01' deadlock), if it is one. */
export function pgErrorCode(err: unknown): string | undefined {
  return err instanceof QueryFailedError ? (err.driverError as { code?: string }).code : undefined;
}
