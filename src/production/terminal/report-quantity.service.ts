import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { RequestContext } from '../../platform/context/request-context';
import type { Tx } from '../../platform/database/transaction-runner';
import {
  compare,
  divide,
  formatExact,
  ONE,
  parseDecimal,
  subtract,
  ZERO,
} from '../../platform/engine/decimal';
import { DomainEventBus } from '../../platform/events/domain-event-bus';
import { DomainError, notFound } from '../../platform/errors/domain-error';
import { checkReport } from '../engine/reporting-limits';
import { WorkOrderOperation } from '../operations/operation.entity';
import { operationStateError, ProductionErrorCode } from '../production.errors';
import { WorkOrder } from '../work-orders/work-order.entity';
import type { ReportQuantityDto } from './terminal.dto';

export interface ReportResult {
  operationId: string;
  workOrderId: string;
  workOrderCode: string;
  seq: number;
  status: string;
  goodQty: string;
  scrapQty: string;
  reportId: string;
  reportedAt: string;
  reported: { goodQty: string; scrapQty: string };
}

interface ReportRow {
  id: string;
  work_order_id: string;
  site_id: string;
  work_center_id: string;
  equipment_id: string | null;
  seq: number;
  status: string;
  good_qty: string;
  scrap_qty: string;
  wo_code: string;
  line_id: string;
  body: string;
}

/**
 * One statement does the whole report: the guarded increment (state, unit decimals, over-report limit,
 * predecessor's good quantity, operator signed on, scrap reason), the report row, the audit row and the
 * idempotency answer. It commits on its own, so concurrent reports never lose an update and a refused one
 * changes nothing; only when it refuses is a second look taken to say why.
 */
const REPORT_SQL = `
WITH target AS (
  SELECT o.id, o.site_id FROM work_order_operation o WHERE o.id = $1 AND o.site_id = ANY($5::uuid[])
), reason AS (
  SELECT rc.id FROM reason_code rc, target t
   WHERE $4::text IS NOT NULL AND rc.site_id = t.site_id AND (rc.code = $4::text OR rc.id::text = $4::text)
     AND rc.category = 'scrap' AND rc.active
), upd AS (
  UPDATE work_order_operation o
     SET good_qty = o.good_qty + $2::numeric, scrap_qty = o.scrap_qty + $3::numeric, last_report_at = now()
    FROM work_order w, unit_of_measure u
   WHERE o.id = (SELECT id FROM target) AND w.id = o.work_order_id AND u.id = w.unit_id
     AND w.status = 'running' AND o.status = 'running'
     AND $2::numeric = round($2::numeric, u.decimals) AND $3::numeric = round($3::numeric, u.decimals)
     AND ($3::numeric = 0 OR EXISTS (SELECT 1 FROM reason))
     AND o.good_qty + o.scrap_qty + $2::numeric + $3::numeric <= o.max_qty
     AND (o.predecessor_id IS NULL OR o.good_qty + o.scrap_qty + $2::numeric + $3::numeric <=
          (SELECT p.good_qty FROM work_order_operation p WHERE p.id = o.predecessor_id))
     AND (NOT $6::boolean OR EXISTS (SELECT 1 FROM operation_labor l
          WHERE l.operation_id = o.id AND l.operator_id = $7::uuid AND l.ended_at IS NULL))
  RETURNING o.id, o.work_order_id, o.site_id, o.work_center_id, o.equipment_id, o.seq, o.status,
            trim_scale(o.good_qty)::text AS good_qty, trim_scale(o.scrap_qty)::text AS scrap_qty,
            w.code AS wo_code, w.line_id
), rep AS (
  INSERT INTO operation_report (operation_id, work_order_id, site_id, good_qty, scrap_qty, scrap_reason_code_id,
                                equipment_id, operator_id, terminal_id)
  SELECT u.id, u.work_order_id, u.site_id, $2::numeric, $3::numeric,
         CASE WHEN $3::numeric = 0 THEN NULL ELSE (SELECT id FROM reason) END, u.equipment_id, $7::uuid, $8::uuid
    FROM upd u
  RETURNING id, reported_at
), body AS (
  SELECT json_build_object(
           'operationId', u.id, 'workOrderId', u.work_order_id, 'workOrderCode', u.wo_code, 'seq', u.seq,
           'status', u.status, 'goodQty', u.good_qty, 'scrapQty', u.scrap_qty, 'reportId', r.id,
           'reportedAt', to_char(r.reported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'reported', json_build_object('goodQty', trim_scale($2::numeric)::text,
                                         'scrapQty', trim_scale($3::numeric)::text)) AS b
    FROM upd u, rep r
), aud AS (
  INSERT INTO audit_log (actor_type, actor_id, actor_name, site_id, entity_type, entity_id, action, before, after,
                         correlation_id)
  SELECT $9, $10, $11, u.site_id, 'work_order_operation', u.id::text, 'operation.reported',
         jsonb_build_object('goodQty', trim_scale(u.good_qty::numeric - $2::numeric)::text,
                            'scrapQty', trim_scale(u.scrap_qty::numeric - $3::numeric)::text),
         jsonb_build_object('goodQty', u.good_qty, 'scrapQty', u.scrap_qty, 'reportId', r.id,
                            'reportedGoodQty', trim_scale($2::numeric)::text,
                            'reportedScrapQty', trim_scale($3::numeric)::text,
                            'scrapReasonCodeId', (SELECT id FROM reason)),
         $12
    FROM upd u, rep r
), idem AS (
  UPDATE idempotency_key SET state = 'completed', response_status = $14, response_body = (SELECT b FROM body),
         completed_at = now()
   WHERE id = $13::uuid AND EXISTS (SELECT 1 FROM body)
)
SELECT u.*, (SELECT b FROM body)::text AS body FROM upd u`;

/** Good and scrap reports (报工): the path every terminal hits all shift long. */
@Injectable()
export class ReportQuantityService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: DomainEventBus,
  ) {}

  async report(p: Principal, operationId: string, dto: ReportQuantityDto): Promise<ReportResult> {
    const good = dto.goodQty ?? '0';
    const scrap = dto.scrapQty ?? '0';
    this.assertSomething(good, scrap);
    const claim = RequestContext.pendingIdempotency();
    for (let attempt = 0; ; attempt++) {
      const rows = await this.run(
        this.dataSource.manager,
        p,
        operationId,
        good,
        scrap,
        dto.scrapReasonCode,
        claim?.id,
        claim?.status,
      );
      const row = rows[0];
      if (row) {
        if (claim) claim.completed = true;
        await this.bus.publish([DomainEventBus.create('production.operation.changed', this.changed(row))]);
        return JSON.parse(row.body) as ReportResult;
      }
      await this.explainRefusal(this.dataSource.manager, p, operationId, good, scrap, dto.scrapReasonCode);
      // Nothing explained it: the state changed between the two looks; try once more.
      if (attempt >= 1)
        throw operationStateError('The operation changed meanwhile; refresh and report again', 'unknown');
    }
  }

  /** The same guarded report inside a larger command (a final count given with the completion). */
  async reportIn(
    tx: Tx,
    p: Principal,
    op: WorkOrderOperation,
    wo: WorkOrder,
    dto: ReportQuantityDto,
  ): Promise<void> {
    const good = dto.goodQty ?? '0';
    const scrap = dto.scrapQty ?? '0';
    this.assertSomething(good, scrap);
    // A paused operation may take its last count as it is completed.
    const wasPaused = op.status === 'paused';
    if (wasPaused)
      await tx.manager.query(`UPDATE work_order_operation SET status = 'running' WHERE id = $1`, [op.id]);
    const rows = await this.run(
      tx.manager,
      p,
      op.id,
      good,
      scrap,
      dto.scrapReasonCode,
      undefined,
      undefined,
      true,
    );
    if (!rows[0]) {
      await this.explainRefusal(
        tx.manager,
        p,
        op.id,
        good,
        scrap,
        dto.scrapReasonCode,
        wasPaused ? 'running' : undefined,
      );
      throw operationStateError(`Operation ${op.seq} of ${wo.code} could not take the report`, op.status);
    }
    tx.raise('production.operation.changed', { ...this.changed(rows[0]), status: op.status });
  }

  private run(
    m: EntityManager,
    p: Principal,
    operationId: string,
    good: string,
    scrap: string,
    scrapReason: string | undefined,
    claimId: string | undefined,
    claimStatus: number | undefined,
    skipSignOnCheck = false,
  ): Promise<ReportRow[]> {
    const actor = RequestContext.actor() ?? { type: 'system' as const, id: 'system', name: 'system' };
    return m.query(REPORT_SQL, [
      operationId,
      good,
      scrap,
      scrapReason ?? null,
      p.siteIds,
      p.kind === 'user' && !skipSignOnCheck,
      p.id,
      p.terminalId ?? null,
      actor.type,
      actor.id,
      actor.name,
      RequestContext.correlationId(),
      claimId ?? null,
      claimStatus ?? 200,
    ]);
  }

  private assertSomething(good: string, scrap: string): void {
    if (compare(parseDecimal(good), ZERO) <= 0 && compare(parseDecimal(scrap), ZERO) <= 0) {
      throw new DomainError(
        'validation',
        ProductionErrorCode.INVALID_QUANTITY,
        'Report a good or scrap quantity greater than 0',
        {
          errors: [{ field: 'goodQty', message: 'goodQty or scrapQty must be greater than 0' }],
        },
      );
    }
  }

  /** Says precisely why the guarded report changed nothing (and throws); returns when nothing explains it. */
  private async explainRefusal(
    m: EntityManager,
    p: Principal,
    operationId: string,
    good: string,
    scrap: string,
    scrapReason: string | undefined,
    statusOverride?: string,
  ): Promise<void> {
    const op = await m.getRepository(WorkOrderOperation).findOneBy({ id: operationId });
    if (!op) throw notFound('operation', operationId);
    assertSiteAccess(p, op.siteId);
    const wo = await m.getRepository(WorkOrder).findOneByOrFail({ id: op.workOrderId });
    if (wo.status === 'held') {
      throw new DomainError(
        'conflict',
        ProductionErrorCode.WORK_ORDER_HELD,
        `Work order ${wo.code} is on hold${wo.holdReason ? `: ${wo.holdReason}` : ''}`,
        {
          extensions: { currentState: wo.status },
        },
      );
    }
    const status = statusOverride ?? op.status;
    if (status !== 'running' || wo.status !== 'running') {
      throw operationStateError(
        `Operation ${op.seq} of ${wo.code} is ${op.status}; quantities are reported while it runs`,
        op.status,
      );
    }
    if (p.kind === 'user' && !statusOverride) {
      const on: unknown[] = await m.query(
        `SELECT 1 FROM operation_labor WHERE operation_id = $1 AND operator_id = $2 AND ended_at IS NULL`,
        [op.id, p.id],
      );
      if (on.length === 0) {
        throw new DomainError(
          'conflict',
          ProductionErrorCode.NOT_ON_OPERATION,
          `Sign on operation ${op.seq} of ${wo.code} (start it) before reporting`,
          {
            extensions: { currentState: op.status },
          },
        );
      }
    }
    if (compare(parseDecimal(scrap), ZERO) > 0) {
      const reasons: unknown[] = scrapReason
        ? await m.query(
            `SELECT 1 FROM reason_code WHERE site_id = $1 AND (code = $2 OR id::text = $2) AND category = 'scrap' AND active`,
            [op.siteId, scrapReason],
          )
        : [];
      if (reasons.length === 0) {
        throw new DomainError(
          'validation',
          ProductionErrorCode.INVALID_REASON_CODE,
          'Scrap needs a scrap reason code',
          {
            errors: [
              { field: 'scrapReasonCode', message: 'must be an active reason code of category scrap' },
            ],
          },
        );
      }
    }
    const unit: Array<{ decimals: number }> = await m.query(
      `SELECT decimals FROM unit_of_measure WHERE id = $1`,
      [wo.unitId],
    );
    const predecessor = op.predecessorId
      ? await m.getRepository(WorkOrderOperation).findOneByOrFail({ id: op.predecessorId })
      : null;
    // The limit frozen at release is max_qty = planned × (1 + tolerance): recover that tolerance exactly.
    const tolerance = formatExact(
      subtract(divide(parseDecimal(op.maxQty), parseDecimal(op.plannedQty)), ONE),
    );
    const check = checkReport({
      plannedQty: op.plannedQty,
      tolerance,
      predecessor: predecessor ? { status: predecessor.status, goodQty: predecessor.goodQty } : null,
      goodQty: op.goodQty,
      scrapQty: op.scrapQty,
      addGood: good,
      addScrap: scrap,
      unitDecimals: unit[0]?.decimals ?? 6,
    });
    if (!check.ok) {
      const kind = check.code === 'OVER_REPORT' ? 'unprocessable' : 'validation';
      throw new DomainError(
        kind,
        check.code === 'OVER_REPORT' ? ProductionErrorCode.OVER_REPORT : ProductionErrorCode.INVALID_QUANTITY,
        check.message,
        {
          errors: [{ field: check.field, message: check.message }],
          extensions: check.maxAdditional !== undefined ? { maxAdditionalQty: check.maxAdditional } : {},
        },
      );
    }
  }

  private changed(row: ReportRow) {
    return {
      operationId: row.id,
      workOrderId: row.work_order_id,
      workOrderCode: row.wo_code,
      siteId: row.site_id,
      lineId: row.line_id,
      workCenterId: row.work_center_id,
      equipmentId: row.equipment_id,
      seq: row.seq,
      status: row.status,
      goodQty: row.good_qty,
      scrapQty: row.scrap_qty,
      change: 'reported',
    };
  }
}
