import { add, compare, formatExact, parseDecimal, ZERO } from '../../platform/engine/decimal';
import type { Lot } from '../lots/lot.entity';
import type { StockBalance } from '../lots/stock-balance.entity';

export interface LotView extends Lot {
  /** On hand, all locations. */
  quantity: string;
  balances: Array<{ locationId: string; quantity: string }>;
}

/** A lot with what it has where (locations with nothing left are left out). */
export function lotView(lot: Lot, balances: readonly StockBalance[]): LotView {
  const own = balances.filter((b) => b.lotId === lot.id && compare(parseDecimal(b.quantity), ZERO) !== 0);
  const total = own.reduce((sum, b) => add(sum, parseDecimal(b.quantity)), ZERO);
  return {
    ...lot,
    quantity: formatExact(total),
    balances: own.map((b) => ({ locationId: b.locationId, quantity: b.quantity })),
  };
}
