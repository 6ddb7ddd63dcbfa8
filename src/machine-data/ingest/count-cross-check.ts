import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import {
  add,
  compare,
  divide,
  multiply,
  parseDecimal,
  subtract,
  ZERO,
  formatExact,
} from '../../platform/engine/decimal';
import type { OperationChanged } from '../../production/production.events';

/**
 * The cross-check: when an operation completes on a machine whose counts are a cross-check, the machine's
 * count for the operation is compared with what the operators reported; a difference beyond the machine's
 * tolerance (the larger of a share of the reported total and a number of pieces) is a discrepancy — recorded
 * and raised (`machine.count.discrepancy`) in the completing transaction, for rules to turn into alerts.
 */
@Injectable()
export class CountCrossCheck implements OnModuleInit {
  constructor(private readonly tx: TransactionRunner) {}

  onModuleInit(): void {
    this.tx.onRaised('production.operation.completed', ({ payload }, tx) => this.check(tx, payload));
  }

  async check(tx: Tx, op: OperationChanged): Promise<void> {
    const [row] = await tx.manager.query<
      Array<{
        equipment_id: string;
        code: string;
        good: string;
        scrap: string;
        tolerance_pct: string;
        tolerance_qty: string;
        count_mode: string;
      }>
    >(
      `SELECT c.equipment_id, e.code, c.good_qty::text AS good, c.scrap_qty::text AS scrap,
              m.tolerance_pct::text, m.tolerance_qty::text, m.count_mode
         FROM machine_operation_count c JOIN machine_config m ON m.equipment_id = c.equipment_id
         JOIN equipment e ON e.id = c.equipment_id
        WHERE c.operation_id = $1 FOR UPDATE OF c`,
      [op.operationId],
    );
    if (!row || row.count_mode !== 'cross_check') return;
    const machineTotal = add(parseDecimal(row.good), parseDecimal(row.scrap));
    const reportedTotal = add(parseDecimal(op.goodQty), parseDecimal(op.scrapQty));
    const difference = subtract(machineTotal, reportedTotal);
    const byShare = divide(multiply(reportedTotal, parseDecimal(row.tolerance_pct)), parseDecimal('100'));
    const byPieces = parseDecimal(row.tolerance_qty);
    const tolerance = compare(byShare, byPieces) > 0 ? byShare : byPieces;
    const abs = compare(difference, ZERO) < 0 ? subtract(ZERO, difference) : difference;
    if (compare(abs, tolerance) <= 0) return;
    await tx.manager.query(
      `UPDATE machine_operation_count SET discrepancy_at = now() WHERE operation_id = $1`,
      [op.operationId],
    );
    tx.raise('machine.count.discrepancy', {
      siteId: op.siteId,
      equipmentId: row.equipment_id,
      equipmentCode: row.code,
      operationId: op.operationId,
      workOrderId: op.workOrderId,
      workOrderCode: op.workOrderCode,
      seq: op.seq,
      machineGoodQty: formatExact(parseDecimal(row.good)),
      machineScrapQty: formatExact(parseDecimal(row.scrap)),
      reportedGoodQty: op.goodQty,
      reportedScrapQty: op.scrapQty,
      difference: formatExact(difference),
      tolerance: formatExact(tolerance),
    });
  }
}
