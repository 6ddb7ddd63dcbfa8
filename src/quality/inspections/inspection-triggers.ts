import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InventoryFacade, type LotCreated, type LotStatusChanged } from '../../inventory/inventory.facade';
import { ProductionFacade, type OperationContext } from '../../production/production.facade';
import type { OperationChanged } from '../../production/production.events';
import { RequestContext } from '../../platform/context/request-context';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { divide, parseDecimal } from '../../platform/engine/decimal';
import { DomainError } from '../../platform/errors/domain-error';
import { DomainEventBus } from '../../platform/events/domain-event-bus';
import type { DomainEvent } from '../../platform/events/domain-events';
import { ScheduledJobs } from '../../platform/jobs/scheduled-jobs.service';
import { InspectionPlan } from '../plans/inspection-plan.entity';
import { InspectionPlansService } from '../plans/inspection-plans.service';
import { QualityErrorCode } from '../quality.errors';
import { InspectionsService } from './inspections.service';

const JOB = 'quality.inspections-due';
/** Count inspections made in one go at most (a huge report is caught up by the next ones). */
const MAX_PER_PASS = 100;
const LOT_BATCH = 500;

/**
 * When inspections fall due, and the guard that keeps an uninspected lot in quarantine.
 *
 * - IQC/OQC: a lot received (or back from outsourcing) or produced gets one inspection per active plan of its
 *   material, inside the transaction that created the lot — a committed receipt never lacks its inspection.
 * - IPQC by count: inspection 1 is the first-article inspection when the operation starts; after that one more
 *   every `frequencyQty` good units (inspection n+1 after n × frequencyQty), made after the report committed.
 * - IPQC by time: one per `frequencyMinutes` of the operation's run since it started (the first at the start).
 * - A job every minute makes what is due by time and catches up what an after-commit reaction missed (a crash
 *   between commit and reaction): count inspections of running operations, lots in quarantine without theirs.
 * - A lot in quarantine with an inspection not passed is not released by hand (only the inspection releases it).
 */
@Injectable()
export class InspectionTriggers implements OnModuleInit {
  private readonly logger = new Logger(InspectionTriggers.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runner: TransactionRunner,
    private readonly bus: DomainEventBus,
    private readonly jobs: ScheduledJobs,
    private readonly inspections: InspectionsService,
    private readonly plans: InspectionPlansService,
    private readonly inventory: InventoryFacade,
    private readonly production: ProductionFacade,
  ) {}

  onModuleInit(): void {
    this.runner.onRaised('inventory.lot.created', (e, tx) => this.lotCreated(tx, e.payload));
    this.runner.onRaised('inventory.lot.status_changed', (e, tx) => this.guardRelease(tx, e.payload));
    this.bus.on('production.operation.changed', (e) => this.operationChanged(e));
    this.jobs.define({
      name: JOB,
      everyMs: 60_000,
      run: async () => {
        await this.runDue();
      },
    });
  }

  /**
   * The job's work, callable directly: IPQC due by time (and count) for every running operation, and lot
   * inspections missing for lots in quarantine. Each creation is its own transaction; returns how many.
   */
  runDue(now: Date = new Date()): Promise<{ created: number }> {
    return RequestContext.runAsSystem(JOB, async () => {
      let created = 0;
      const running = await this.production.runningOperations(this.dataSource.manager);
      if (running.length > 0) {
        const plans = await this.dataSource
          .getRepository(InspectionPlan)
          .findBy({ type: 'ipqc', active: true });
        for (const op of running) {
          const due = plans.filter(
            (p) => p.siteId === op.siteId && p.materialId === op.materialId && p.operationSeq === op.seq,
          );
          if (due.length === 0) continue;
          try {
            created += await this.runner.run(async (tx) => {
              let n = 0;
              for (const plan of due) n += await this.ensureIpqc(tx, plan, op, now);
              return n;
            });
          } catch (err) {
            this.logger.warn(
              { err, operationId: op.operationId },
              'IPQC inspections could not be made; retried next run',
            );
          }
        }
      }
      created += await this.catchUpLots();
      if (created > 0) this.logger.log({ created }, 'inspections made due');
      return { created };
    });
  }

  private async lotCreated(tx: Tx, e: LotCreated): Promise<void> {
    const type =
      e.origin === 'production' ? 'oqc' : e.origin === 'receipt' || e.origin === 'outsourcing' ? 'iqc' : null;
    if (!type) return;
    const plans = await this.plans.activePlans(tx.manager, e.siteId, e.materialId, type);
    for (const plan of plans) {
      await this.inspections.createIn(tx, {
        plan,
        trigger: type === 'oqc' ? 'completion' : 'receipt',
        lot: { id: e.lotId, code: e.lotCode, workOrderId: e.workOrderId },
        dueAt: new Date(),
      });
    }
  }

  /** Lot release only after a passing inspection: a release by hand (or by the WMS) of such a lot is refused. */
  private async guardRelease(tx: Tx, e: LotStatusChanged): Promise<void> {
    if (e.status !== 'available' || e.source === 'quality') return;
    if (e.previousStatus !== 'quarantine' && e.previousStatus !== 'expired') return;
    const blocking = await this.inspections.blockingInspections(tx.manager, e.lotId);
    if (blocking.length === 0) return;
    const list = blocking.map((i) => `${i.code} (${i.status})`).join(', ');
    throw new DomainError(
      'conflict',
      QualityErrorCode.INSPECTION_PENDING,
      `Lot ${e.lotCode} cannot be released by hand: inspection ${list} is not passed; the lot is released when its inspection passes`,
      { extensions: { lotId: e.lotId, lotCode: e.lotCode, inspections: blocking } },
    );
  }

  /** After a start or a report: the IPQC inspections now due at the operation (its own transaction). */
  private async operationChanged(event: DomainEvent<'production.operation.changed'>): Promise<void> {
    const e: OperationChanged = event.payload;
    await RequestContext.run(
      { correlationId: event.correlationId, actor: { type: 'system', id: JOB, name: JOB } },
      async () => {
        const plans = await this.dataSource
          .getRepository(InspectionPlan)
          .findBy({ siteId: e.siteId, type: 'ipqc', active: true, operationSeq: e.seq });
        if (plans.length === 0) return;
        await this.runner.run(async (tx) => {
          const op = await this.production.operationContext(tx.manager, e.operationId);
          if (!op) return;
          for (const plan of plans.filter((p) => p.materialId === op.materialId)) {
            await this.ensureIpqc(tx, plan, op, new Date());
          }
        });
      },
    );
  }

  /**
   * Makes the IPQC inspections of one operation that are due under a plan and missing; returns how many. Under
   * a transaction lock per plan and operation, so the report's reaction and the job never make one twice.
   */
  private async ensureIpqc(tx: Tx, plan: InspectionPlan, op: OperationContext, now: Date): Promise<number> {
    if (!op.startedAt) return 0;
    const m = tx.manager;
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('quality.ipqc:' || $1 || ':' || $2))`, [
      plan.id,
      op.operationId,
    ]);
    const stats = await m.query<Array<{ trigger: string; n: number; last_due: Date }>>(
      `SELECT "trigger", count(*)::int AS n, max(due_at) AS last_due FROM inspection
        WHERE plan_id = $1 AND operation_id = $2 GROUP BY "trigger"`,
      [plan.id, op.operationId],
    );
    let next = await this.inspections.nextSequenceNo(m, plan.id, op.operationId);
    let created = 0;
    const make = async (trigger: 'count' | 'time', dueAt: Date): Promise<void> => {
      const made = await this.inspections.createIn(tx, {
        plan,
        trigger,
        operation: op,
        sequenceNo: next,
        dueAt,
      });
      if (made) {
        next += 1;
        created += 1;
      }
    };
    if (plan.frequency === 'count' && plan.frequencyQty) {
      const ratio = divide(parseDecimal(op.goodQty), parseDecimal(plan.frequencyQty));
      // The first-article inspection at the start, then one per frequencyQty good units.
      const due = Number(ratio.num / ratio.den) + 1;
      const have = stats.find((s) => s.trigger === 'count')?.n ?? 0;
      for (let k = 0; k < Math.min(due - have, MAX_PER_PASS); k++) await make('count', now);
    } else if (plan.frequency === 'time' && plan.frequencyMinutes && op.status === 'running') {
      const period = plan.frequencyMinutes * 60_000;
      const started = op.startedAt.getTime();
      const slot = Math.max(0, Math.floor((now.getTime() - started) / period));
      const slotStart = new Date(started + slot * period);
      const last = stats.find((s) => s.trigger === 'time')?.last_due;
      if (!last || last.getTime() < slotStart.getTime()) await make('time', slotStart);
    }
    return created;
  }

  /**
   * Lots in quarantine whose material has an active IQC/OQC plan and which have no inspection under it. A part
   * split off a lot is not a new arrival and gets no inspection of its own (quality releases it by hand).
   */
  private async catchUpLots(): Promise<number> {
    const missed = await this.dataSource.query<
      Array<{ lot_id: string; site_id: string; plan_id: string; origin: string }>
    >(
      `SELECT l.id AS lot_id, l.site_id, p.id AS plan_id, l.origin
         FROM lot l
         JOIN inspection_plan p
           ON p.site_id = l.site_id AND p.material_id = l.material_id AND p.active
          AND p.type = CASE WHEN l.origin = 'production' THEN 'oqc' ELSE 'iqc' END
        WHERE l.status = 'quarantine' AND l.origin IN ('receipt', 'outsourcing', 'production')
          AND NOT EXISTS (SELECT 1 FROM inspection i WHERE i.plan_id = p.id AND i.lot_id = l.id)
        ORDER BY l.received_at
        LIMIT $1`,
      [LOT_BATCH],
    );
    let created = 0;
    for (const row of missed) {
      try {
        const made = await this.runner.run(async (tx) => {
          const lot = await this.inventory.findLot(tx.manager, row.site_id, row.lot_id);
          const plan = await tx.manager.getRepository(InspectionPlan).findOneBy({ id: row.plan_id });
          if (!lot || lot.status !== 'quarantine' || !plan?.active) return null;
          return this.inspections.createIn(tx, {
            plan,
            trigger: row.origin === 'production' ? 'completion' : 'receipt',
            lot,
            dueAt: new Date(),
          });
        });
        if (made) created += 1;
      } catch (err) {
        this.logger.warn({ err, lotId: row.lot_id }, 'lot inspection could not be made; retried next run');
      }
    }
    return created;
  }
}
