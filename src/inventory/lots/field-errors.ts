import { DomainError } from '../../platform/errors/domain-error';

/**
 * Runs one part of a multi-part command (a shipment line, a merge source) so that the field errors it refuses
 * with name the part: `quantity` becomes `lines[2].quantity`.
 */
export async function withFieldPrefix<T>(prefix: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof DomainError) || err.errors.length === 0) throw err;
    throw new DomainError(err.kind, err.code, err.message, {
      errors: err.errors.map((e) => ({ field: `${prefix}.${e.field}`, message: e.message })),
      extensions: err.extensions,
      retryAfterSeconds: err.retryAfterSeconds,
      cause: err,
    });
  }
}
