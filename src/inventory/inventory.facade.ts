import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Tx } from '../platform/database/transaction-runner';
import type { InventoryMovement } from './lots/inventory-movement.entity';
import type { Lot } from './lots/lot.entity';
import type { StockBalance } from './lots/stock-balance.entity';
import {
  StockService,
  type CreateLotCommand,
  type IssueCommand,
  type LotStockRow,
} from './lots/stock.service';

export type { Lot, LotStatus } from './lots/lot.entity';
export type { StockBalance } from './lots/stock-balance.entity';
export type { CreateLotCommand, IssueCommand, LotStockRow } from './lots/stock.service';
export { InventoryErrorCode } from './inventory.errors';

/** What other modules may ask of or tell inventory. Writes happen inside the caller's transaction. */
@Injectable()
export class InventoryFacade {
  constructor(private readonly stock: StockService) {}

  createLot(tx: Tx, command: CreateLotCommand): Promise<Lot> {
    return this.stock.createLot(tx, command);
  }

  issue(tx: Tx, command: IssueCommand): Promise<InventoryMovement> {
    return this.stock.issue(tx, command);
  }

  findLot(manager: EntityManager, siteId: string, idOrCode: string): Promise<Lot | null> {
    return this.stock.findLot(manager, siteId, idOrCode);
  }

  balancesOf(manager: EntityManager, lotIds: string[]): Promise<StockBalance[]> {
    return this.stock.balancesOf(manager, lotIds);
  }

  availableByMaterial(
    manager: EntityManager,
    siteId: string,
    materialIds: string[],
  ): Promise<Map<string, string>> {
    return this.stock.availableByMaterial(manager, siteId, materialIds);
  }

  stockAt(manager: EntityManager, materialId: string, locationIds: string[]): Promise<LotStockRow[]> {
    return this.stock.stockAt(manager, materialId, locationIds);
  }
}
