import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface SignableRecord {
  /** The business content that the signature vouches for (no volatile fields such as last-read times). */
  record: Record<string, unknown>;
  /** Sites the record belongs to; the signer needs access to one of them (none: admins only). */
  siteIds: string[];
}

export type SignableRecordLoader = (
  manager: EntityManager,
  id: string,
) => Promise<SignableRecord | undefined>;

/** Modules register the record types that can be signed (NCR dispositions, ticket verification, ...). */
@Injectable()
export class SignableRecordRegistry {
  private readonly loaders = new Map<string, SignableRecordLoader>();

  register(entityType: string, loader: SignableRecordLoader): void {
    if (this.loaders.has(entityType)) throw new Error(`signable record type ${entityType} registered twice`);
    this.loaders.set(entityType, loader);
  }

  get(entityType: string): SignableRecordLoader | undefined {
    return this.loaders.get(entityType);
  }

  types(): string[] {
    return [...this.loaders.keys()].sort();
  }
}
