import { isUUID } from 'class-validator';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { compare, formatExact, parseDecimal, ZERO } from '../../platform/engine/decimal';
import { DomainError, fieldError, notFound } from '../../platform/errors/domain-error';
import { Site } from '../../platform/sites/site.entity';
import { InventoryErrorCode } from '../../inventory/inventory.facade';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import type { CreatePmPlanDto, UpdatePmPlanDto } from '../api/maintenance.dto';
import { Asset } from '../assets/asset.entities';
import { AssetsService, stale } from '../assets/assets.service';
import { Ticket } from '../tickets/ticket.entities';
import { TicketsService } from '../tickets/tickets.service';
import { PmPlan } from './pm-plan.entity';
import { PmDueCalculator, type PmDue } from './pm-due.calculator';
import { formatLocalDate, localDateOf, zonedInstant } from './zoned-time';

const DAY_MS = 86_400_000;

export interface PmPlanView extends PmPlan {
  assetCode: string;
  next: PmDue | null;
  /** The plan's ticket still being worked, if any. */
  openTicket: { id: string; code: string; status: string } | null;
}

/**
 * Preventive maintenance plans and the tickets they make when due. Each plan is checked in its own transaction
 * under a lock on the plan, and a ticket is unique per due date and one open per plan, so two instances of the
 * job (or a job and a person) never make the same ticket twice.
 */
@Injectable()
export class PmPlansService {
  private readonly logger = new Logger(PmPlansService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runner: TransactionRunner,
    private readonly audit: AuditService,
    private readonly assets: AssetsService,
    private readonly tickets: TicketsService,
    private readonly due: PmDueCalculator,
    private readonly masterData: MasterDataFacade,
  ) {}

  async list(siteId: string, assetIdOrCode?: string): Promise<PmPlanView[]> {
    const m = this.dataSource.manager;
    const where = assetIdOrCode
      ? { siteId, assetId: (await this.assets.resolve(m, siteId, assetIdOrCode)).id }
      : { siteId };
    const plans = await m.getRepository(PmPlan).find({ where, order: { code: 'ASC' } });
    return Promise.all(plans.map((x) => this.view(m, x)));
  }

  async get(siteId: string, idOrCode: string): Promise<PmPlanView> {
    const m = this.dataSource.manager;
    return this.view(m, await this.find(m, siteId, idOrCode));
  }

  create(p: Principal, siteId: string, dto: CreatePmPlanDto): Promise<PmPlanView> {
    return this.runner.run(async (tx) => {
      const m = tx.manager;
      const asset = await this.assets.resolve(m, siteId, dto.asset, 'asset');
      if (await m.getRepository(PmPlan).findOneBy({ siteId, code: dto.code })) {
        throw new DomainError('conflict', 'ALREADY_EXISTS', `PM plan ${dto.code} exists`, {
          errors: [{ field: 'code', message: 'already used at this site' }],
        });
      }
      const site = await m.getRepository(Site).findOneByOrFail({ id: siteId });
      const today = formatLocalDate(localDateOf(site.timeZone, new Date()));
      const parts = [];
      for (const [i, line] of (dto.parts ?? []).entries()) {
        const mat = await this.masterData.material(siteId, line.material, m);
        if (!mat) throw fieldError(`parts[${i}].material`, `no material ${line.material} at this site`);
        parts.push({ materialId: mat.id, quantity: formatExact(parseDecimal(line.quantity)) });
      }
      let meterId: string | null = null;
      let lastDoneReading: string | null = null;
      if (dto.trigger === 'meter') {
        if (!dto.meter) throw fieldError('meter', 'a meter plan names its meter');
        if (!dto.meterInterval || compare(parseDecimal(dto.meterInterval), ZERO) <= 0)
          throw fieldError('meterInterval', 'must be greater than 0');
        const meter = await this.assets.meter(m, asset, dto.meter).catch(() => {
          throw fieldError('meter', `${asset.code} has no meter ${dto.meter}`);
        });
        meterId = meter.id;
        lastDoneReading = dto.lastDoneReading ?? (await this.assets.valueAt(m, meter, asset.equipmentId));
      } else {
        const hasEvery = dto.every !== undefined || dto.unit !== undefined;
        const hasDates = (dto.fixedDates?.length ?? 0) > 0;
        if (hasEvery === hasDates) {
          throw fieldError(
            hasEvery ? 'fixedDates' : 'every',
            'a calendar plan repeats either every N units or on fixed dates',
          );
        }
        if (hasEvery && (!dto.every || !dto.unit))
          throw fieldError(dto.every ? 'unit' : 'every', 'required with a repeating plan');
      }
      const row = m.getRepository(PmPlan).create({
        siteId,
        assetId: asset.id,
        code: dto.code,
        name: dto.name,
        trigger: dto.trigger,
        everyN: dto.trigger === 'calendar' ? (dto.every ?? null) : null,
        everyUnit: dto.trigger === 'calendar' ? (dto.unit ?? null) : null,
        basis: dto.trigger === 'calendar' && dto.every ? (dto.basis ?? 'fixed') : null,
        fixedDates: dto.trigger === 'calendar' ? (dto.fixedDates ?? []) : [],
        startDate: dto.startDate ?? today,
        leadDays: dto.leadDays ?? 0,
        meterId,
        meterInterval: dto.trigger === 'meter' ? dto.meterInterval! : null,
        leadUnits: dto.leadUnits ?? '0',
        lastDoneReading,
        startTime: dto.startTime ?? '08:00',
        estimatedMinutes: dto.estimatedMinutes,
        checklist: dto.checklist ?? [],
        requiredParts: parts,
        skills: dto.skills ?? [],
        signatureRequired: dto.signatureRequired ?? false,
        priority: dto.priority ?? 'normal',
      });
      const next = await this.due.dueOf(m, row, asset, site.timeZone, new Date());
      row.nextDueAt = next.dueAt;
      const saved = await m.getRepository(PmPlan).save(row);
      await this.audit.record(tx, {
        entityType: 'pm_plan',
        entityId: saved.id,
        siteId,
        action: 'pm_plan.created',
        after: saved,
      });
      return this.view(m, saved);
    });
  }

  update(p: Principal, siteId: string, idOrCode: string, dto: UpdatePmPlanDto): Promise<PmPlanView> {
    return this.runner.run(async (tx) => {
      const m = tx.manager;
      const found = await this.find(m, siteId, idOrCode);
      const plan = await m
        .getRepository(PmPlan)
        .findOneOrFail({ where: { id: found.id }, lock: { mode: 'pessimistic_write' } });
      if (dto.expectedVersion !== undefined && dto.expectedVersion !== plan.version)
        throw stale('PM plan', plan.code, plan.version);
      const patch: Partial<PmPlan> = {};
      for (const k of ['name', 'active', 'estimatedMinutes', 'leadDays', 'startTime', 'checklist'] as const) {
        if (dto[k] !== undefined) (patch as Record<string, unknown>)[k] = dto[k];
      }
      await m.update(PmPlan, { id: plan.id }, { ...patch, updatedAt: new Date(), version: plan.version + 1 });
      const after = await m.getRepository(PmPlan).findOneByOrFail({ id: plan.id });
      await this.audit.record(tx, {
        entityType: 'pm_plan',
        entityId: plan.id,
        siteId,
        action: 'pm_plan.updated',
        before: plan,
        after,
      });
      return this.view(m, after);
    });
  }

  /**
   * Makes the tickets that are due now, plan by plan (each in its own transaction; one failing plan is logged
   * and the rest go on). Returns the tickets made.
   */
  async runDue(
    now: Date = new Date(),
    siteId?: string,
  ): Promise<Array<{ planCode: string; ticketCode: string }>> {
    const sites = await this.dataSource.getRepository(Site).find(siteId ? { where: { id: siteId } } : {});
    const made: Array<{ planCode: string; ticketCode: string }> = [];
    for (const site of sites) {
      const plans: Array<{ id: string }> = await this.dataSource.query(
        `SELECT id FROM pm_plan WHERE site_id = $1 AND active ORDER BY code`,
        [site.id],
      );
      for (const { id } of plans) {
        try {
          const t = await this.runner.run((tx) => this.makeDue(tx, id, site.timeZone, now));
          if (t) made.push(t);
        } catch (err) {
          this.logger.error({ err, planId: id }, 'PM plan could not be checked');
        }
      }
    }
    return made;
  }

  private async makeDue(tx: Tx, planId: string, timeZone: string, now: Date) {
    const m = tx.manager;
    const plan = await m
      .getRepository(PmPlan)
      .findOne({ where: { id: planId }, lock: { mode: 'pessimistic_write' } });
    if (!plan || !plan.active) return null;
    const asset = await m.getRepository(Asset).findOneByOrFail({ id: plan.assetId });
    const next = await this.due.dueOf(m, plan, asset, timeZone, now);
    const open = await m.query<unknown[]>(
      `SELECT 1 FROM maintenance_ticket WHERE pm_plan_id = $1
          AND (due_key = $2 OR status IN ('open', 'assigned', 'in_progress')) LIMIT 1`,
      [plan.id, next.dueKey],
    );
    await m.update(PmPlan, { id: plan.id }, { nextDueAt: next.dueAt });
    if (!next.due || open.length > 0) return null;
    const windowStart =
      next.dueAt && next.dueAt.getTime() > now.getTime() ? next.dueAt : this.nextStart(plan, timeZone, now);
    const ticket = await this.tickets.createIn(tx, {
      siteId: plan.siteId,
      kind: 'preventive',
      asset,
      title: `${plan.name} (${plan.code})`.slice(0, 200),
      description: next.missed
        ? `Overdue: ${next.missed} earlier due date(s) passed without this maintenance; this ticket is for ${next.dueKey}.`
        : null,
      priority: plan.priority,
      pmPlanId: plan.id,
      dueKey: next.dueKey,
      dueAt: next.dueAt ?? now,
      windowStart,
      windowEnd: new Date(windowStart.getTime() + plan.estimatedMinutes * 60_000),
      estimatedMinutes: plan.estimatedMinutes,
      skills: plan.skills,
      checklist: plan.checklist.map((c) => ({
        text: c.text,
        ...(c.textZh ? { textZh: c.textZh } : {}),
        done: false,
      })),
      signatureRequired: plan.signatureRequired,
      raisedBy: { id: null, name: 'PM schedule' },
    });
    for (const part of plan.requiredParts) {
      try {
        await this.tickets.reserveIn(tx, ticket, part.materialId, part.quantity);
      } catch (err) {
        // Not enough free: the part stays on the ticket unreserved (shown short on the board).
        if (!(err instanceof DomainError) || err.code !== String(InventoryErrorCode.INSUFFICIENT_STOCK))
          throw err;
        await m.query(
          `INSERT INTO maintenance_part (ticket_id, material_id, required_qty) VALUES ($1, $2, $3)
           ON CONFLICT (ticket_id, material_id) DO NOTHING`,
          [ticket.id, part.materialId, part.quantity],
        );
      }
    }
    if (plan.trigger === 'calendar') {
      await m.update(PmPlan, { id: plan.id }, { lastDueDate: next.dueKey });
    }
    return { planCode: plan.code, ticketCode: ticket.code };
  }

  /** The next window start at the plan's time of day, from now on. */
  private nextStart(plan: PmPlan, timeZone: string, now: Date): Date {
    let date = localDateOf(timeZone, now);
    for (let i = 0; i < 3; i++) {
      const at = zonedInstant(timeZone, date, plan.startTime);
      if (at.getTime() >= now.getTime()) return at;
      date = localDateOf(timeZone, new Date(at.getTime() + DAY_MS));
    }
    return now;
  }

  private async view(m: EntityManager, plan: PmPlan): Promise<PmPlanView> {
    const asset = await m.getRepository(Asset).findOneByOrFail({ id: plan.assetId });
    const site = await m.getRepository(Site).findOneByOrFail({ id: plan.siteId });
    const open = await m
      .getRepository(Ticket)
      .createQueryBuilder('t')
      .select(['t.id', 't.code', 't.status'])
      .where(`t.pmPlanId = :id AND t.status IN ('open', 'assigned', 'in_progress')`, { id: plan.id })
      .getOne();
    const dec = (x: string | null) => (x === null ? null : formatExact(parseDecimal(x)));
    return {
      ...plan,
      meterInterval: dec(plan.meterInterval),
      leadUnits: dec(plan.leadUnits)!,
      lastDoneReading: dec(plan.lastDoneReading),
      assetCode: asset.code,
      next: plan.active ? await this.due.dueOf(m, plan, asset, site.timeZone, new Date()) : null,
      openTicket: open ? { id: open.id, code: open.code, status: open.status } : null,
    };
  }

  private async find(m: EntityManager, siteId: string, idOrCode: string): Promise<PmPlan> {
    const plan = await m
      .getRepository(PmPlan)
      .findOneBy(isUUID(idOrCode) ? { id: idOrCode, siteId } : { code: idOrCode, siteId });
    if (!plan) throw notFound('PM plan', idOrCode);
    return plan;
  }
}
