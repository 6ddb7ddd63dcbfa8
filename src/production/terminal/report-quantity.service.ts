import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { type PendingIdempotency, RequestContext } from '../../platform/context/request-context';
import { pgErrorCode } from '../../platform/database/pg-error';
import { preparedQuery } from '../../platform/database/prepared-query';
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
import { DomainError, notFound, PlatformErrorCode } from '../../platform/errors/domain-error';
import { CLAIM_LEASE_SECONDS, IdempotencyService } from '../../platform/idempotency/idempotency.service';
import { refuseRepeat } from '../../platform/idempotency/idempotent.decorator';
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
  /** false: the key is stored already (`prior_*`) or a duplicate holds it right now. */
  go: boolean;
  claim_id: string | null;
  prior_hash: string | null;
  prior_state: string | null;
  prior_status: number | null;
  prior_body: unknown;
  prior_lease_over: boolean | null;
  /** The operation's columns, when the report was taken. */
  id: string | null;
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
  body: string | null;
}

type TakenRow = ReportRow & { id: string; body: string };

/** PostgreSQL's unique_violation, from the key's unique index when a duplicate committed first. */
const UNIQUE_VIOLATION = '23505';

/**
 * One statement does the whole report: it claims the request's Idempotency-Key, makes the guarded increment
 * (state, unit decimals, over-report limit, predecessor's good quantity, operator signed on, scrap reason),
 * and writes the report row, the audit row and the key's stored answer. It commits on its own, so
 * concurrent reports never lose an update and a refused one changes nothing; only when it refuses is a
 * second look taken to say why.
 *
 * The key ($13 scope, $14 key; none inside a larger command): a key already stored comes back as `prior_*`
 * and nothing else happens. Otherwise the statement must win a transaction-scoped advisory lock on the key,
 * so a concurrent duplicate finds it taken (`go` false: 409) instead of counting twice; a duplicate whose
 * snapshot predates the first one's commit fails on the key's unique index, and its whole statement with it.
 * A refused report leaves the key claimed (`in_progress`) for the refusal to be stored.
 */
const REPORT_SQL = `
WITH prior AS (
  SELECT k.request_hash, k.state, k.response_status, k.response_body, k.locked_until < now() AS lease_over
    FROM idempotency_key k WHERE $13::text IS NOT NULL AND k.scope = $13::text AND k.key = $14::text
), go AS (
  SELECT CASE WHEN $13::text IS NULL THEN true
              WHEN EXISTS (SELECT 1 FROM prior) THEN false
              ELSE pg_try_advisory_xact_lock(hashtextextended($13::text || chr(10) || $14::text, 0)) END AS ok
), target AS (
  SELECT o.id, o.site_id FROM work_order_operation o
   WHERE o.id = $1 AND o.site_id = ANY($5::uuid[]) AND (SELECT ok FROM go)
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
                                equipment_id, operator_id, terminal_id, source)
  SELECT u.id, u.work_order_id, u.site_id, $2::numeric, $3::numeric,
         CASE WHEN $3::numeric = 0 THEN NULL ELSE (SELECT id FROM reason) END, u.equipment_id, $7::uuid, $8::uuid,
         $19::text
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
  INSERT INTO idempotency_key (scope, key, request_hash, method, path, state, locked_until, response_status,
                               response_body, completed_at)
  SELECT $13::text, $14::text, $15::text, 'POST', $16::text,
         CASE WHEN b.b IS NULL THEN 'in_progress' ELSE 'completed' END,
         now() + make_interval(secs => $18::int),
         CASE WHEN b.b IS NULL THEN NULL ELSE $17::int END, b.b,
         CASE WHEN b.b IS NULL THEN NULL ELSE now() END
    FROM go LEFT JOIN body b ON true
   WHERE go.ok AND $13::text IS NOT NULL
  RETURNING id
)
SELECT (SELECT ok FROM go) AS go, (SELECT id FROM idem) AS claim_id,
       p.request_hash AS prior_hash, p.state AS prior_state, p.response_status AS prior_status,
       p.response_body AS prior_body, p.lease_over AS prior_lease_over,
       u.*, (SELECT b FROM body)::text AS body
  FROM (SELECT 1) one LEFT JOIN prior p ON true LEFT JOIN upd u ON true`;

/** Good and scrap reports (报工): the path every terminal hits all shift long. */
@Injectable()
export class ReportQuantityService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: DomainEventBus,
    private readonly keys: IdempotencyService,
  ) {}

  async report(p: Principal, operationId: string, dto: ReportQuantityDto): Promise<ReportResult> {
    const good = dto.goodQty ?? '0';
    const scrap = dto.scrapQty ?? '0';
    this.assertSomething(good, scrap);
    // The route's Idempotency-Key, claimed by the report statement itself.
    const claim = RequestContext.inlineIdempotency();
    for (let attempt = 0; ; attempt++) {
      let rows: ReportRow[];
      try {
        rows = await this.run(undefined, p, operationId, good, scrap, dto.scrapReasonCode, { claim });
      } catch (err) {
        // A duplicate committed the key after this statement's snapshot: look again, it is a replay now.
        if (claim && attempt < 3 && pgErrorCode(err) === UNIQUE_VIOLATION) continue;
        throw err;
      }
      const row = rows[0]!; // always one row
      const key = claim?.inline;
      if (key && row.prior_hash !== null) {
        // A claim whose request died before answering (its lease over) is taken over by its retry.
        const abandoned = row.prior_state === 'in_progress' && row.prior_lease_over === true;
        if (
          abandoned &&
          attempt < 3 &&
          (await this.keys.retakeAbandoned(key.scope, key.key, key.requestHash))
        )
          continue;
        refuseRepeat(
          IdempotencyService.answerFor(
            {
              request_hash: row.prior_hash,
              state: row.prior_state ?? '',
              response_status: row.prior_status,
              response_body: row.prior_body,
            },
            key.requestHash,
          ),
        );
      }
      if (!row.go) refuseRepeat({ kind: 'in_progress' });
      if (claim) claim.id = row.claim_id ?? '';
      if (row.id !== null && row.body !== null) {
        if (claim) claim.completed = true;
        const taken = row as TakenRow;
        await this.bus.publish([DomainEventBus.create('production.operation.changed', this.changed(taken))]);
        return JSON.parse(taken.body) as ReportResult;
      }
      // Refused: the claim stays until the interceptor stores the refusal as this key's answer.
      await this.explainRefusal(this.dataSource.manager, p, operationId, good, scrap, dto.scrapReasonCode);
      // Nothing explained it: the operation changed between the two looks. The key is freed (a transient
      // refusal), so the terminal may send the very same request again.
      throw new DomainError(
        'conflict',
        PlatformErrorCode.CONCURRENT_MODIFICATION,
        'The operation changed while the report was checked; send it again',
      );
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
    const [row] = await this.run(tx.manager, p, op.id, good, scrap, dto.scrapReasonCode, {
      skipSignOnCheck: true,
    });
    if (row?.id == null) {
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
    tx.raise('production.operation.changed', { ...this.changed(row as TakenRow), status: op.status });
  }

  /**
   * Good and scrap counted by a machine (machine counts are the authority), inside the caller's transaction:
   * the same guarded increment as an operator's report, without an operator. False when the operation could
   * not take it (not running, over its limit, no such scrap reason): nothing changed then.
   */
  async reportFromMachineIn(
    tx: Tx,
    p: Principal,
    operationId: string,
    good: string,
    scrap: string,
    scrapReason: string | undefined,
  ): Promise<boolean> {
    this.assertSomething(good, scrap);
    const [row] = await this.run(tx.manager, p, operationId, good, scrap, scrapReason, { machine: true });
    if (row?.id == null) return false;
    tx.raise('production.operation.changed', this.changed(row as TakenRow));
    return true;
  }

  /** Inside the caller's transaction (`m`), or on its own as a prepared statement. */
  private run(
    m: EntityManager | undefined,
    p: Principal,
    operationId: string,
    good: string,
    scrap: string,
    scrapReason: string | undefined,
    opts: { claim?: PendingIdempotency; skipSignOnCheck?: boolean; machine?: boolean },
  ): Promise<ReportRow[]> {
    const key = opts.claim?.inline;
    const actor = RequestContext.actor() ?? { type: 'system' as const, id: 'system', name: 'system' };
    const params = [
      operationId,
      good,
      scrap,
      scrapReason ?? null,
      p.siteIds,
      p.kind === 'user' && !opts.skipSignOnCheck && !opts.machine,
      opts.machine ? null : p.id,
      p.terminalId ?? null,
      actor.type,
      actor.id,
      actor.name,
      RequestContext.correlationId(),
      key?.scope ?? null,
      key?.key ?? null,
      key?.requestHash ?? null,
      key?.path ?? null,
      opts.claim?.status ?? 200,
      CLAIM_LEASE_SECONDS,
      opts.machine ? 'machine' : 'terminal',
    ];
    return m
      ? m.query(REPORT_SQL, params)
      : preparedQuery(this.dataSource, 'mom_operation_report', REPORT_SQL, params);
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

  private changed(row: TakenRow) {
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
