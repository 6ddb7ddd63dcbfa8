import type { EntityManager } from 'typeorm';
import { DomainError, PlatformErrorCode } from '../../platform/errors/domain-error';
import type { MasterDataFacade } from '../../master-data/master-data.facade';
import type { StockService } from '../lots/stock.service';

/**
 * Ids of what a request names by code (or id) in one of its fields, at the site: a 400 naming the field when
 * there is no such thing.
 */
export async function locationIdIn(
  masterData: MasterDataFacade,
  m: EntityManager,
  siteId: string,
  idOrCode: string,
  field: string,
): Promise<string> {
  const location = await masterData.location(siteId, idOrCode, m);
  if (!location) {
    throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Unknown location', {
      errors: [{ field, message: `location ${idOrCode} does not exist at this site` }],
    });
  }
  return location.id;
}

export async function lotIdIn(
  stock: StockService,
  m: EntityManager,
  siteId: string,
  idOrCode: string,
  field: string,
): Promise<string> {
  const lot = await stock.findLot(m, siteId, idOrCode);
  if (!lot) {
    throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'Unknown lot', {
      errors: [{ field, message: `lot ${idOrCode} does not exist at this site` }],
    });
  }
  return lot.id;
}
