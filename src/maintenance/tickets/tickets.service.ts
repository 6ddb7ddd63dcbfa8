import { isUUID } from 'class-validator';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { RequestContext } from '../../platform/context/request-context';
import { nextSequenceValue } from '../../platform/database/document-sequence';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { compare, formatExact, parseDecimal, subtract, ZERO } from '../../platform/engine/decimal';
import { DomainError, fieldError, notFound } from '../../platform/errors/domain-error';
import type { Page } from '../../platform/http/pagination';
import { SignableRecordRegistry } from '../../platform/signatures/signable-records';
import { SignaturesService, type SignatureView } from '../../platform/signatures/signatures.service';
import { Site } from '../../platform/sites/site.entity';
import { User } from '../../platform/users/user.entity';
import { localDate } from '../../platform/engine/local-date';
import { InventoryFacade, type PickResult } from '../../inventory/inventory.facade';
import { MasterDataFacade } from '../../master-data/master-data.facade';
import type { AndonChanged } from '../../production/production.events';
import { ProductionFacade } from '../../production/production.facade';
import type {
  AssignTicketDto,
  ChecklistAnswerDto,
  CompleteTicketDto,
  CreateTicketDto,
  DocumentLinkDto,
  IssuePartDto,
  LabourEntryDto,
  PartLineDto,
  TicketQueryDto,
  UpdateTicketDto,
  VerifyTicketDto,
} from '../api/maintenance.dto';
import { Asset } from '../assets/asset.entities';
import { AssetsService, stale } from '../assets/assets.service';
import {
  allowedCommands,
  TICKET_STATUSES,
  transition,
  type TicketCommand,
  type TicketKind,
  type TicketStatus,
} from '../engine/ticket-state';
import { MaintenanceErrorCode } from '../maintenance.errors';
import { PmDueCalculator } from '../pm/pm-due.calculator';
import { PmPlan } from '../pm/pm-plan.entity';
import {
  ACTIVE_TICKET_STATUSES,
  Ticket,
  TicketLabour,
  TicketPart,
  type TicketChecklistItem,
  type TicketPriority,
} from './ticket.entities';

const MINUTE_MS = 60_000;

export interface TicketPartView {
  materialId: string;
  materialCode: string;
  materialName: string;
  requiredQty: string;
  issuedQty: string;
  /** Still promised by the warehouse (required − issued while the ticket is active). */
  reservedQty: string;
}

export interface TicketView extends Ticket {
  assetCode: string;
  equipmentCode: string;
  labour: TicketLabour[];
  /** Labour minutes per technician (running labour counted to now). */
  labourMinutes: Array<{ technicianId: string; technicianName: string; minutes: number }>;
  parts: TicketPartView[];
  allowedCommands: TicketCommand[];
  signatures?: SignatureView[];
}

/** What a new ticket is made from (a request, a PM plan's due date, an andon call). */
export interface NewTicket {
  siteId: string;
  kind: TicketKind;
  asset: Asset;
  title: string;
  description?: string | null;
  priority?: TicketPriority;
  pmPlanId?: string | null;
  dueKey?: string | null;
  dueAt?: Date | null;
  breakdown?: boolean;
  andonId?: string | null;
  downtimeId?: string | null;
  operationId?: string | null;
  windowStart?: Date | null;
  windowEnd?: Date | null;
  expectedBackAt?: Date | null;
  estimatedMinutes?: number | null;
  skills?: string[];
  checklist?: TicketChecklistItem[];
  signatureRequired?: boolean;
  assignee?: { id: string; name: string } | null;
  raisedBy: { id: string | null; name: string };
}

/**
 * Maintenance tickets: raising (by hand, from a PM plan, from a terminal andon), the lifecycle
 * open → assigned → in_progress → done → verified (cancelled before work starts), labour per technician,
 * spare parts reserved and issued from stock, checklist answers, attachments, closure with failure code, cause
 * and remedy, verification with a signature where the plan asks for one. A breakdown keeps its machine down
 * until the ticket is done.
 */
@Injectable()
export class TicketsService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runner: TransactionRunner,
    private readonly audit: AuditService,
    private readonly assets: AssetsService,
    private readonly masterData: MasterDataFacade,
    private readonly production: ProductionFacade,
    private readonly inventory: InventoryFacade,
    private readonly signatures: SignaturesService,
    private readonly pmDue: PmDueCalculator,
    private readonly signable: SignableRecordRegistry,
  ) {}

  onModuleInit(): void {
    // A maintenance andon at the terminal opens its ticket in the same transaction: a committed call never
    // lacks its ticket (and a breakdown's machine is down with both).
    this.runner.onRaised('production.andon.changed', (e, tx) => this.fromAndon(tx, e.payload));
    this.signable.register('maintenance_ticket', async (m, id) => {
      if (!isUUID(id)) return undefined;
      const t = await m.getRepository(Ticket).findOneBy({ id });
      if (!t) return undefined;
      const parts = await m
        .getRepository(TicketPart)
        .find({ where: { ticketId: id }, order: { materialId: 'ASC' } });
      const labour = await m
        .getRepository(TicketLabour)
        .find({ where: { ticketId: id }, order: { startedAt: 'ASC', id: 'ASC' } });
      return {
        record: {
          id: t.id,
          code: t.code,
          siteId: t.siteId,
          kind: t.kind,
          assetId: t.assetId,
          equipmentId: t.equipmentId,
          title: t.title,
          failureCode: t.failureCode,
          cause: t.cause,
          remedy: t.remedy,
          checklist: t.checklist.map((c) => ({ text: c.text, done: c.done, note: c.note ?? null })),
          parts: parts.map((p) => ({
            materialId: p.materialId,
            issuedQty: formatExact(parseDecimal(p.issuedQty)),
          })),
          labour: labour.map((l) => ({
            technicianId: l.technicianId,
            startedAt: l.startedAt.toISOString(),
            endedAt: l.endedAt?.toISOString() ?? null,
          })),
          doneAt: t.doneAt?.toISOString() ?? null,
          doneBy: t.doneBy,
        },
        siteIds: [t.siteId],
      };
    });
  }

  // ---------------------------------------------------------------- reading

  async list(p: Principal, siteId: string, q: TicketQueryDto): Promise<Page<TicketView>> {
    const m = this.dataSource.manager;
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const qb = m
      .getRepository(Ticket)
      .createQueryBuilder('t')
      .where('t.siteId = :siteId', { siteId })
      .orderBy('t.createdAt', 'DESC')
      .addOrderBy('t.id', 'ASC')
      .take(limit)
      .skip(offset);
    if (q.status) {
      const statuses = q.status.split(',').map((s) => s.trim());
      const bad = statuses.filter((s) => !(TICKET_STATUSES as readonly string[]).includes(s));
      if (bad.length > 0)
        throw fieldError('status', `unknown status ${bad.join(', ')}; one of ${TICKET_STATUSES.join(', ')}`);
      qb.andWhere('t.status IN (:...statuses)', { statuses });
    }
    if (q.kind) qb.andWhere('t.kind = :kind', { kind: q.kind });
    if (q.equipment) {
      const eq = await this.masterData.equipment(siteId, q.equipment, m);
      if (!eq) throw fieldError('equipment', `no equipment ${q.equipment} at this site`);
      qb.andWhere('t.equipmentId = :eq', { eq: eq.id });
    }
    if (q.assignee) qb.andWhere('t.assigneeId = :a', { a: q.assignee === 'me' ? p.id : q.assignee });
    const [rows, total] = await qb.getManyAndCount();
    return { items: await this.views(m, rows), total, limit, offset };
  }

  async get(p: Principal, siteId: string, idOrCode: string): Promise<TicketView> {
    const m = this.dataSource.manager;
    const t = await this.find(m, siteId, idOrCode);
    const [view] = await this.views(m, [t]);
    return { ...view!, signatures: await this.signatures.listFor(p, 'maintenance_ticket', t.id) };
  }

  // ---------------------------------------------------------------- raising

  create(p: Principal, siteId: string, dto: CreateTicketDto): Promise<TicketView> {
    return this.runner.run(async (tx) => {
      const m = tx.manager;
      const asset = await this.assets.resolve(m, siteId, dto.asset);
      if (dto.machineDown && dto.kind !== 'corrective') {
        throw fieldError('machineDown', 'a machine that is down is a corrective (breakdown) ticket');
      }
      const windowStart = dto.windowStart ? new Date(dto.windowStart) : null;
      const windowEnd = dto.windowEnd
        ? new Date(dto.windowEnd)
        : windowStart && dto.estimatedMinutes
          ? new Date(windowStart.getTime() + dto.estimatedMinutes * MINUTE_MS)
          : null;
      if (windowEnd && !windowStart) throw fieldError('windowStart', 'a window needs its start');
      if (windowStart && !windowEnd) throw fieldError('windowEnd', 'give the end (or estimatedMinutes)');
      if (windowStart && windowEnd && windowEnd <= windowStart)
        throw fieldError('windowEnd', 'must be after windowStart');
      const assignee = dto.assignee ? await this.technician(m, siteId, dto.assignee, 'assignee') : null;
      let downtimeId: string | null = null;
      let operationId: string | null = null;
      if (dto.machineDown) {
        await this.assertNoOpenBreakdown(m, asset.equipmentId);
        const stop = await this.production.breakdown(
          tx,
          p,
          siteId,
          asset.equipmentId,
          dto.reasonCode,
          dto.title,
        );
        downtimeId = stop.downtimeId;
        operationId = stop.pausedOperationIds[0] ?? null;
      }
      const t = await this.createIn(tx, {
        siteId,
        kind: dto.kind,
        asset,
        title: dto.title.trim(),
        description: dto.description ?? null,
        priority: dto.priority ?? (dto.machineDown ? 'urgent' : 'normal'),
        breakdown: dto.machineDown === true,
        downtimeId,
        operationId,
        windowStart,
        windowEnd,
        expectedBackAt: dto.expectedBackAt ? new Date(dto.expectedBackAt) : null,
        estimatedMinutes: dto.estimatedMinutes ?? null,
        skills: dto.skills ?? [],
        checklist: (dto.checklist ?? []).map((c) => ({
          text: c.text,
          ...(c.textZh ? { textZh: c.textZh } : {}),
          done: false,
        })),
        assignee,
        raisedBy: { id: p.id, name: p.name },
      });
      return this.viewIn(m, t);
    });
  }

  /** Inserts a ticket in the caller's transaction (audited, announced). */
  async createIn(tx: Tx, n: NewTicket): Promise<Ticket> {
    const m = tx.manager;
    const year = new Date().getUTCFullYear();
    const seq = await nextSequenceValue(m, n.siteId, `maintenance_ticket:${year}`);
    const status: TicketStatus = n.assignee ? 'assigned' : 'open';
    const row = await m.getRepository(Ticket).save(
      m.getRepository(Ticket).create({
        siteId: n.siteId,
        code: `MT-${year}-${String(seq).padStart(6, '0')}`,
        kind: n.kind,
        status,
        priority: n.priority ?? 'normal',
        title: n.title,
        description: n.description ?? null,
        assetId: n.asset.id,
        equipmentId: n.asset.equipmentId,
        pmPlanId: n.pmPlanId ?? null,
        dueKey: n.dueKey ?? null,
        dueAt: n.dueAt ?? null,
        breakdown: n.breakdown ?? false,
        andonId: n.andonId ?? null,
        downtimeId: n.downtimeId ?? null,
        operationId: n.operationId ?? null,
        windowStart: n.windowStart ?? null,
        windowEnd: n.windowEnd ?? null,
        expectedBackAt: n.expectedBackAt ?? null,
        estimatedMinutes: n.estimatedMinutes ?? null,
        skills: n.skills ?? [],
        checklist: n.checklist ?? [],
        signatureRequired: n.signatureRequired ?? false,
        assigneeId: n.assignee?.id ?? null,
        assigneeName: n.assignee?.name ?? null,
        raisedBy: n.raisedBy.id,
        raisedByName: n.raisedBy.name,
      }),
    );
    await this.audit.record(tx, {
      entityType: 'maintenance_ticket',
      entityId: row.id,
      siteId: n.siteId,
      action: 'ticket.opened',
      after: row,
    });
    this.raise(tx, row, null, 'opened');
    return row;
  }

  /** An andon call for maintenance becomes a corrective ticket (a breakdown when the machine stopped with it). */
  private async fromAndon(tx: Tx, e: AndonChanged): Promise<void> {
    if (e.kind !== 'maintenance' || e.state !== 'raised') return;
    const m = tx.manager;
    // No machine named: the work center's only machine, if it has one; otherwise the call waits on the
    // board (`openCalls`) for a technician to open a ticket on the right machine.
    let equipmentId = e.equipmentId;
    if (!equipmentId) {
      const machines = await m.query<Array<{ id: string }>>(
        `SELECT id FROM equipment WHERE work_center_id = $1 AND active LIMIT 2`,
        [e.workCenterId],
      );
      if (machines.length !== 1) return;
      equipmentId = machines[0]!.id;
    }
    const eq = await this.masterData.equipment(e.siteId, equipmentId, m);
    if (!eq) return;
    const asset = await this.assets.ensureMachineAsset(m, eq);
    const actor = RequestContext.actor();
    await this.createIn(tx, {
      siteId: e.siteId,
      kind: 'corrective',
      asset,
      title: (
        e.message?.trim() || (e.machineDown ? `Breakdown of ${eq.code}` : `Maintenance call at ${eq.code}`)
      ).slice(0, 200),
      priority: e.machineDown ? 'urgent' : 'high',
      breakdown: e.machineDown,
      andonId: e.andonId,
      downtimeId: e.downtimeId,
      operationId: e.operationId,
      raisedBy: { id: e.raisedBy, name: actor?.name ?? 'terminal' },
    });
  }

  // ---------------------------------------------------------------- lifecycle

  update(p: Principal, siteId: string, id: string, dto: UpdateTicketDto): Promise<TicketView> {
    return this.command(p, siteId, id, dto.expectedVersion, (tx, t) => {
      if (!isActive(t.status)) throw closed(t);
      const windowStart = dto.windowStart !== undefined ? new Date(dto.windowStart) : t.windowStart;
      const windowEnd =
        dto.windowEnd !== undefined
          ? new Date(dto.windowEnd)
          : dto.windowStart !== undefined && t.windowStart && t.windowEnd
            ? new Date(windowStart!.getTime() + (t.windowEnd.getTime() - t.windowStart.getTime()))
            : dto.windowStart !== undefined && t.estimatedMinutes
              ? new Date(windowStart!.getTime() + t.estimatedMinutes * MINUTE_MS)
              : t.windowEnd;
      if (windowStart && !windowEnd) throw fieldError('windowEnd', 'give the end of the window');
      if (windowStart && windowEnd && windowEnd <= windowStart)
        throw fieldError('windowEnd', 'must be after windowStart');
      const patch: Partial<Ticket> = {
        ...(dto.title !== undefined ? { title: dto.title.trim() } : {}),
        ...(dto.description !== undefined ? { description: dto.description } : {}),
        ...(dto.priority !== undefined ? { priority: dto.priority } : {}),
        ...(dto.expectedBackAt !== undefined ? { expectedBackAt: new Date(dto.expectedBackAt) } : {}),
        windowStart,
        windowEnd,
      };
      const moved =
        windowStart?.getTime() !== t.windowStart?.getTime() ||
        windowEnd?.getTime() !== t.windowEnd?.getTime() ||
        (dto.expectedBackAt !== undefined &&
          new Date(dto.expectedBackAt).getTime() !== t.expectedBackAt?.getTime());
      return { patch, action: 'ticket.updated', change: moved ? 'rescheduled' : 'updated' };
    });
  }

  assign(p: Principal, siteId: string, id: string, dto: AssignTicketDto): Promise<TicketView> {
    return this.command(p, siteId, id, dto.expectedVersion, async (tx, t) => {
      const tech = await this.technician(tx.manager, siteId, dto.technician, 'technician');
      const next = this.move(t, 'assign', { assignee: true });
      return {
        patch: { status: next, assigneeId: tech.id, assigneeName: tech.name },
        action: 'ticket.assigned',
        change: 'assigned',
      };
    });
  }

  /** The technician starts work: their labour starts; an andon behind the ticket is acknowledged. */
  start(p: Principal, siteId: string, id: string): Promise<TicketView> {
    return this.command(p, siteId, id, undefined, async (tx, t) => {
      let assignee = t.assigneeId ? { id: t.assigneeId, name: t.assigneeName ?? '' } : null;
      if (!assignee && p.kind === 'user' && p.roles.includes('maintenance'))
        assignee = { id: p.id, name: p.name };
      const next = this.move(t, 'start', { assignee: assignee !== null });
      const now = new Date();
      await this.openLabour(tx, t, p.kind === 'user' ? { id: p.id, name: p.name } : assignee!, now);
      if (t.andonId) await this.production.moveAndon(tx, p, t.andonId, 'acknowledged', `${t.code} started`);
      return {
        patch: {
          status: next,
          assigneeId: assignee!.id,
          assigneeName: assignee!.name,
          startedAt: t.startedAt ?? now,
        },
        action: 'ticket.started',
        change: 'started',
      };
    });
  }

  startLabour(p: Principal, siteId: string, id: string): Promise<TicketView> {
    return this.command(p, siteId, id, undefined, async (tx, t) => {
      if (t.status !== 'in_progress') {
        throw illegal(t, 'Labour is booked while the ticket is in progress; start the ticket first');
      }
      await this.openLabour(tx, t, { id: p.id, name: p.name }, new Date());
      return { patch: {}, action: 'ticket.labour_started', change: 'labour' };
    });
  }

  stopLabour(p: Principal, siteId: string, id: string, note?: string): Promise<TicketView> {
    return this.command(p, siteId, id, undefined, async (tx, t) => {
      const [, count] = await tx.manager.query<[unknown[], number]>(
        `UPDATE maintenance_labour SET ended_at = now(), note = coalesce($3, note)
          WHERE ticket_id = $1 AND technician_id = $2 AND ended_at IS NULL`,
        [t.id, p.id, note ?? null],
      );
      if (count === 0) {
        throw new DomainError(
          'conflict',
          MaintenanceErrorCode.NO_LABOUR_RUNNING,
          `You have no labour running on ${t.code}`,
        );
      }
      return { patch: {}, action: 'ticket.labour_stopped', change: 'labour' };
    });
  }

  /** Labour booked afterwards (from … to) for a technician. */
  addLabour(p: Principal, siteId: string, id: string, dto: LabourEntryDto): Promise<TicketView> {
    return this.command(p, siteId, id, undefined, async (tx, t) => {
      if (t.status === 'cancelled' || t.status === 'verified') throw closed(t);
      const tech = dto.technician
        ? await this.technician(tx.manager, siteId, dto.technician, 'technician')
        : { id: p.id, name: p.name };
      const from = new Date(dto.startedAt);
      const to = new Date(dto.endedAt);
      if (to <= from) throw fieldError('endedAt', 'must be after startedAt');
      if (to.getTime() > Date.now() + MINUTE_MS) throw fieldError('endedAt', 'cannot be in the future');
      await tx.manager.insert(TicketLabour, {
        ticketId: t.id,
        technicianId: tech.id,
        technicianName: tech.name,
        startedAt: from,
        endedAt: to,
        note: dto.note ?? null,
      });
      return { patch: {}, action: 'ticket.labour_booked', change: 'labour' };
    });
  }

  answerChecklist(p: Principal, siteId: string, id: string, dto: ChecklistAnswerDto): Promise<TicketView> {
    return this.command(p, siteId, id, undefined, (_tx, t) => {
      if (!isActive(t.status)) throw closed(t);
      if (dto.index >= t.checklist.length) {
        throw fieldError(
          'index',
          `the checklist has ${t.checklist.length} item(s) (0 … ${t.checklist.length - 1})`,
        );
      }
      const checklist = t.checklist.map((c, i) =>
        i === dto.index
          ? {
              ...c,
              done: dto.done,
              note: dto.note ?? c.note ?? null,
              by: p.name,
              at: new Date().toISOString(),
            }
          : c,
      );
      return { patch: { checklist }, action: 'ticket.checklist_answered', change: 'checklist' };
    });
  }

  addAttachment(p: Principal, siteId: string, id: string, dto: DocumentLinkDto): Promise<TicketView> {
    return this.command(p, siteId, id, undefined, (_tx, t) => {
      if (t.attachments.length >= 50) throw fieldError('url', 'a ticket keeps at most 50 attachments');
      const attachments = [
        ...t.attachments,
        { title: dto.title, url: dto.url, addedBy: p.name, addedAt: new Date().toISOString() },
      ];
      return { patch: { attachments }, action: 'ticket.attachment_added', change: 'attachment' };
    });
  }

  /** Parts the ticket needs: reserved in stock now (refused when less is free). The quantity replaces the last. */
  reservePart(p: Principal, siteId: string, id: string, dto: PartLineDto): Promise<TicketView> {
    return this.command(p, siteId, id, undefined, async (tx, t) => {
      if (!isActive(t.status)) throw closed(t);
      await this.reserveIn(tx, t, dto.material, dto.quantity);
      return { patch: {}, action: 'ticket.part_reserved', change: 'parts' };
    });
  }

  async reserveIn(tx: Tx, t: Ticket, material: string, quantity: string): Promise<void> {
    const m = tx.manager;
    const mat = await this.masterData.material(t.siteId, material, m);
    if (!mat) throw fieldError('material', `no material ${material} at this site`);
    if (compare(parseDecimal(quantity), ZERO) <= 0) throw fieldError('quantity', 'must be greater than 0');
    const part = await m.getRepository(TicketPart).findOneBy({ ticketId: t.id, materialId: mat.id });
    const issued = parseDecimal(part?.issuedQty ?? '0');
    if (compare(parseDecimal(quantity), issued) < 0) {
      throw fieldError('quantity', `${formatExact(issued)} is already issued; the need cannot be less`);
    }
    const stillNeeded = formatExact(subtract(parseDecimal(quantity), issued));
    await this.inventory.reserveForMaintenance(tx, {
      siteId: t.siteId,
      ticketId: t.id,
      ticketCode: t.code,
      materialId: mat.id,
      quantity: stillNeeded,
    });
    await m.query(
      `INSERT INTO maintenance_part (ticket_id, material_id, required_qty) VALUES ($1, $2, $3)
       ON CONFLICT (ticket_id, material_id) DO UPDATE SET required_qty = EXCLUDED.required_qty`,
      [t.id, mat.id, quantity],
    );
  }

  /** Parts taken from the warehouse for the ticket (all of the quantity or nothing). */
  issuePart(
    p: Principal,
    siteId: string,
    id: string,
    dto: IssuePartDto,
  ): Promise<TicketView & { issued: PickResult }> {
    let issued: PickResult | undefined;
    return this.command(p, siteId, id, undefined, async (tx, t) => {
      if (t.status === 'verified' || t.status === 'cancelled') throw closed(t);
      const m = tx.manager;
      const mat = await this.masterData.material(siteId, dto.material, m);
      if (!mat) throw fieldError('material', `no material ${dto.material} at this site`);
      if (compare(parseDecimal(dto.quantity), ZERO) <= 0)
        throw fieldError('quantity', 'must be greater than 0');
      const lot = dto.lot ? await this.inventory.findLot(m, siteId, dto.lot) : null;
      if (dto.lot && (!lot || lot.materialId !== mat.id))
        throw fieldError('lot', `no lot ${dto.lot} of ${mat.code}`);
      issued = await this.inventory.issueToMaintenance(tx, {
        siteId,
        ticketId: t.id,
        materialId: mat.id,
        quantity: dto.quantity,
        lotId: lot?.id ?? null,
        reference: t.code,
        note: `${t.code} ${t.title}`.slice(0, 200),
      });
      await m.query(
        `INSERT INTO maintenance_part (ticket_id, material_id, required_qty, issued_qty) VALUES ($1, $2, $3, $3)
         ON CONFLICT (ticket_id, material_id) DO UPDATE
            SET issued_qty = maintenance_part.issued_qty + EXCLUDED.issued_qty,
                required_qty = greatest(maintenance_part.required_qty, maintenance_part.issued_qty + EXCLUDED.issued_qty)`,
        [t.id, mat.id, dto.quantity],
      );
      return {
        patch: {},
        action: 'ticket.part_issued',
        change: 'parts',
        after: { material: mat.code, quantity: dto.quantity, lots: issued.moved.map((x) => x.lotCode) },
      };
    }).then((view) => ({ ...view, issued: issued! }));
  }

  /**
   * Work finished: labour stops, unissued parts are released, a breakdown's machine comes back (downtime ends,
   * the andon is resolved), a PM plan counts from now.
   */
  complete(p: Principal, siteId: string, id: string, dto: CompleteTicketDto): Promise<TicketView> {
    return this.command(p, siteId, id, dto.expectedVersion, async (tx, t) => {
      const failureCode = dto.failureCode?.trim() || t.failureCode;
      const cause = dto.cause?.trim() || t.cause;
      const remedy = dto.remedy?.trim() || t.remedy;
      const next = this.move(t, 'complete', {
        closure: { failureCode: !!failureCode, cause: !!cause, remedy: !!remedy },
        checklistComplete: t.checklist.every((c) => c.done),
      });
      const now = new Date();
      await tx.manager.query(
        `UPDATE maintenance_labour SET ended_at = $2 WHERE ticket_id = $1 AND ended_at IS NULL`,
        [t.id, now],
      );
      await this.inventory.closeReservations(tx, t.id, `${t.code} done`);
      await this.bringMachineBack(tx, p, t, `${t.code} done${remedy ? `: ${remedy}` : ''}`);
      if (t.pmPlanId) await this.planDone(tx, t, now);
      return {
        patch: { status: next, failureCode, cause, remedy, doneAt: now, doneBy: p.id },
        action: 'ticket.completed',
        change: 'completed',
        reason: dto.note,
      };
    });
  }

  /** Back to work after a failed check: the ticket is in progress again (the machine is not stopped again). */
  reopen(
    p: Principal,
    siteId: string,
    id: string,
    reason: string,
    expectedVersion?: number,
  ): Promise<TicketView> {
    return this.command(p, siteId, id, expectedVersion, (_tx, t) => {
      const next = this.move(t, 'reopen', {});
      return {
        patch: { status: next, doneAt: null, doneBy: null },
        action: 'ticket.reopened',
        change: 'reopened',
        reason,
      };
    });
  }

  /** The supervisor (or quality) accepts the work; signed when the plan asks for it (password checked before). */
  verify(
    p: Principal,
    siteId: string,
    id: string,
    dto: VerifyTicketDto,
    signed: boolean,
  ): Promise<TicketView> {
    return this.command(p, siteId, id, dto.expectedVersion, async (tx, t) => {
      const next = this.move(t, 'verify', { signatureRequired: t.signatureRequired, signed });
      let signatureId: string | null = null;
      if (signed) {
        const sig = await this.signatures.recordIn(tx, p, {
          entityType: 'maintenance_ticket',
          entityId: t.id,
          meaning: 'verified',
          reason: dto.note,
        });
        signatureId = sig.id;
      }
      return {
        patch: {
          status: next,
          verifiedAt: new Date(),
          verifiedBy: p.id,
          ...(signatureId ? { signatureId } : {}),
        },
        action: 'ticket.verified',
        change: 'verified',
        reason: dto.note,
      };
    });
  }

  cancel(
    p: Principal,
    siteId: string,
    id: string,
    reason: string,
    expectedVersion?: number,
  ): Promise<TicketView> {
    return this.command(p, siteId, id, expectedVersion, async (tx, t) => {
      const next = this.move(t, 'cancel', {});
      await this.inventory.closeReservations(tx, t.id, `${t.code} cancelled`);
      await this.bringMachineBack(tx, p, t, `${t.code} cancelled: ${reason}`);
      return {
        patch: { status: next, cancelReason: reason },
        action: 'ticket.cancelled',
        change: 'cancelled',
        reason,
      };
    });
  }

  // ---------------------------------------------------------------- helpers

  private async command(
    p: Principal,
    siteId: string,
    idOrCode: string,
    expectedVersion: number | undefined,
    work: (tx: Tx, t: Ticket) => CommandOutcome | Promise<CommandOutcome>,
  ): Promise<TicketView> {
    return this.runner.run(async (tx) => {
      const m = tx.manager;
      const found = await this.find(m, siteId, idOrCode);
      const t = await m
        .getRepository(Ticket)
        .findOneOrFail({ where: { id: found.id }, lock: { mode: 'pessimistic_write' } });
      if (expectedVersion !== undefined && expectedVersion !== t.version)
        throw stale('ticket', t.code, t.version);
      const r = await work(tx, t);
      await m.update(Ticket, { id: t.id }, { ...r.patch, updatedAt: new Date(), version: t.version + 1 });
      const after = await m.getRepository(Ticket).findOneByOrFail({ id: t.id });
      await this.audit.record(tx, {
        entityType: 'maintenance_ticket',
        entityId: t.id,
        siteId,
        action: r.action,
        before: pick(t, Object.keys(r.patch)),
        after: { ...pick(after, Object.keys(r.patch)), ...(r.after ?? {}) },
        reason: r.reason,
      });
      this.raise(tx, after, t.status, r.change);
      return this.viewIn(m, after);
    });
  }

  private move(
    t: Ticket,
    command: TicketCommand,
    ctx: Omit<Parameters<typeof transition>[2], 'kind'>,
  ): TicketStatus {
    const r = transition(t.status, command, { kind: t.kind, ...ctx });
    if (r.ok) return r.status;
    throw new DomainError('conflict', MaintenanceErrorCode.ILLEGAL_TRANSITION, `${t.code}: ${r.reason}`, {
      extensions: {
        currentState: r.current,
        allowedCommands: r.allowed,
        ...(r.missing ? { missing: r.missing } : {}),
      },
      ...(r.missing ? { errors: r.missing.map((f) => ({ field: f, message: 'required' })) } : {}),
    });
  }

  private async openLabour(tx: Tx, t: Ticket, tech: { id: string; name: string }, at: Date): Promise<void> {
    await tx.manager.query(
      `INSERT INTO maintenance_labour (ticket_id, technician_id, technician_name, started_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT (ticket_id, technician_id) WHERE ended_at IS NULL DO NOTHING`,
      [t.id, tech.id, tech.name, at],
    );
  }

  private async bringMachineBack(tx: Tx, p: Principal, t: Ticket, note: string): Promise<void> {
    if (!t.breakdown) return;
    await this.production.endDowntime(tx, p, t.siteId, t.equipmentId, note.slice(0, 500));
    if (t.andonId) await this.production.moveAndon(tx, p, t.andonId, 'resolved', note.slice(0, 500));
  }

  /** A PM ticket done: the plan counts its next due from today (completion basis) and the meter from now. */
  private async planDone(tx: Tx, t: Ticket, now: Date): Promise<void> {
    const m = tx.manager;
    const plan = await m.getRepository(PmPlan).findOneBy({ id: t.pmPlanId! });
    if (!plan) return;
    const site = await m.getRepository(Site).findOneByOrFail({ id: t.siteId });
    const today = localDate(site.timeZone, now);
    let reading: string | null = plan.lastDoneReading;
    if (plan.trigger === 'meter' && plan.meterId) {
      const meter = await this.assets.meter(
        m,
        await m.getRepository(Asset).findOneByOrFail({ id: plan.assetId }),
        plan.meterId,
      );
      reading = await this.assets.valueAt(m, meter, t.equipmentId, now);
    }
    const asset = await m.getRepository(Asset).findOneByOrFail({ id: plan.assetId });
    // The next due date or reading now that this one is done (the board's overdue list reads it).
    const next = await this.pmDue.dueOf(
      m,
      { ...plan, lastDoneDate: today, lastDoneReading: reading },
      asset,
      site.timeZone,
      now,
    );
    await m.query(
      `UPDATE pm_plan SET last_done_date = $2, last_done_reading = $3, next_due_at = $4, updated_at = now()
        WHERE id = $1`,
      [plan.id, today, reading, next.dueAt],
    );
    await this.audit.record(tx, {
      entityType: 'pm_plan',
      entityId: plan.id,
      siteId: plan.siteId,
      action: 'pm_plan.done_recorded',
      before: {
        lastDoneDate: plan.lastDoneDate,
        lastDoneReading: plan.lastDoneReading,
        nextDueAt: plan.nextDueAt,
      },
      after: { lastDoneDate: today, lastDoneReading: reading, nextDueAt: next.dueAt, ticket: t.code },
    });
  }

  private async technician(m: EntityManager, siteId: string, idOrName: string, field: string) {
    const qb = m
      .getRepository(User)
      .createQueryBuilder('u')
      .innerJoin('u.sites', 's', 's.id = :siteId', { siteId });
    if (isUUID(idOrName)) qb.where('u.id = :id', { id: idOrName });
    else qb.where('lower(u.username) = lower(:name)', { name: idOrName });
    const user = await qb.getOne();
    if (!user || !user.active || !(user.roles.includes('maintenance') || user.roles.includes('admin'))) {
      throw new DomainError(
        'validation',
        MaintenanceErrorCode.NOT_A_TECHNICIAN,
        `${idOrName} is not an active maintenance technician of this site`,
        { errors: [{ field, message: 'must be an active user with the maintenance role at this site' }] },
      );
    }
    return { id: user.id, name: user.displayName };
  }

  private async assertNoOpenBreakdown(m: EntityManager, equipmentId: string): Promise<void> {
    const open = await m.getRepository(Ticket).findOneBy({
      equipmentId,
      breakdown: true,
      status: In([...ACTIVE_TICKET_STATUSES]),
    });
    if (open) {
      throw new DomainError(
        'conflict',
        MaintenanceErrorCode.BREAKDOWN_OPEN,
        `The machine is already down on ${open.code}`,
        {
          extensions: { ticketId: open.id, ticketCode: open.code },
        },
      );
    }
  }

  async find(m: EntityManager, siteId: string, idOrCode: string): Promise<Ticket> {
    const t = await m
      .getRepository(Ticket)
      .findOneBy(isUUID(idOrCode) ? { id: idOrCode, siteId } : { code: idOrCode, siteId });
    if (!t) throw notFound('ticket', idOrCode);
    return t;
  }

  async viewIn(m: EntityManager, t: Ticket): Promise<TicketView> {
    return (await this.views(m, [t]))[0]!;
  }

  private async views(m: EntityManager, rows: Ticket[]): Promise<TicketView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((t) => t.id);
    // One query after another: the manager may be a transaction's (one connection).
    const labour = await m
      .getRepository(TicketLabour)
      .find({ where: { ticketId: In(ids) }, order: { startedAt: 'ASC', id: 'ASC' } });
    const parts = await m.query<
      Array<{
        ticket_id: string;
        material_id: string;
        code: string;
        name: string;
        required: string;
        issued: string;
        reserved: string | null;
      }>
    >(
      `SELECT p.ticket_id, p.material_id, mt.code, mt.name, trim_scale(p.required_qty)::text AS required,
                trim_scale(p.issued_qty)::text AS issued,
                (SELECT trim_scale(r.quantity)::text FROM inventory_reservation r
                  WHERE r.work_order_id = p.ticket_id AND r.material_id = p.material_id AND r.status = 'active') AS reserved
           FROM maintenance_part p JOIN material mt ON mt.id = p.material_id
          WHERE p.ticket_id = ANY($1::uuid[]) ORDER BY mt.code`,
      [ids],
    );
    const assets = await m.getRepository(Asset).findBy({ id: In([...new Set(rows.map((t) => t.assetId))]) });
    const equipment = await m.query<Array<{ id: string; code: string }>>(
      `SELECT id, code FROM equipment WHERE id = ANY($1::uuid[])`,
      [[...new Set(rows.map((t) => t.equipmentId))]],
    );
    const now = Date.now();
    return rows.map((t) => {
      const own = labour.filter((l) => l.ticketId === t.id);
      const minutes = new Map<string, { technicianId: string; technicianName: string; minutes: number }>();
      for (const l of own) {
        const entry = minutes.get(l.technicianId) ?? {
          technicianId: l.technicianId,
          technicianName: l.technicianName,
          minutes: 0,
        };
        entry.minutes += ((l.endedAt?.getTime() ?? now) - l.startedAt.getTime()) / MINUTE_MS;
        minutes.set(l.technicianId, entry);
      }
      return {
        ...t,
        assetCode: assets.find((a) => a.id === t.assetId)?.code ?? '',
        equipmentCode: equipment.find((e) => e.id === t.equipmentId)?.code ?? '',
        labour: own,
        labourMinutes: [...minutes.values()].map((x) => ({ ...x, minutes: Math.round(x.minutes * 10) / 10 })),
        parts: parts
          .filter((p) => p.ticket_id === t.id)
          .map((p) => ({
            materialId: p.material_id,
            materialCode: p.code,
            materialName: p.name,
            requiredQty: p.required,
            issuedQty: p.issued,
            reservedQty: p.reserved ?? '0',
          })),
        allowedCommands: allowedCommands(t.status),
      };
    });
  }

  private raise(tx: Tx, t: Ticket, previous: TicketStatus | null, change: string): void {
    tx.raise('maintenance.ticket.changed', {
      ticketId: t.id,
      siteId: t.siteId,
      code: t.code,
      kind: t.kind,
      status: t.status,
      previousStatus: previous,
      equipmentId: t.equipmentId,
      assigneeId: t.assigneeId,
      breakdown: t.breakdown,
      windowStart: t.windowStart?.toISOString() ?? null,
      windowEnd: t.windowEnd?.toISOString() ?? null,
      change,
    });
  }
}

interface CommandOutcome {
  patch: Partial<Ticket>;
  action: string;
  change: string;
  reason?: string;
  after?: object;
}

const isActive = (s: TicketStatus) => (ACTIVE_TICKET_STATUSES as readonly string[]).includes(s);

function closed(t: Ticket): DomainError {
  return new DomainError(
    'conflict',
    MaintenanceErrorCode.TICKET_CLOSED,
    `${t.code} is ${t.status}; it takes no more work`,
    {
      extensions: { currentState: t.status, allowedCommands: allowedCommands(t.status) },
    },
  );
}

function illegal(t: Ticket, message: string): DomainError {
  return new DomainError('conflict', MaintenanceErrorCode.ILLEGAL_TRANSITION, `${t.code}: ${message}`, {
    extensions: { currentState: t.status, allowedCommands: allowedCommands(t.status) },
  });
}

function pick(row: object, keys: string[]): Record<string, unknown> {
  const r = row as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, r[k]]));
}
