import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { AuditService } from '../../platform/audit/audit.service';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { TransactionRunner, type Tx } from '../../platform/database/transaction-runner';
import { DomainError, notFound } from '../../platform/errors/domain-error';
import { MasterDataFacade, type Equipment, type EquipmentStatus } from '../../master-data/master-data.facade';
import { ProductionErrorCode } from '../production.errors';
import type { DowntimeChanged } from '../production.events';
import { OperationCommandsService } from '../terminal/operation-commands.service';
import { DowntimeEvent } from './shop-floor.entities';

/** A stop as the terminal lists it for classification. */
export interface DowntimeView {
  id: string;
  equipmentId: string;
  workCenterId: string;
  source: 'operator' | 'machine';
  machineState: string | null;
  category: string;
  reasonCodeId: string | null;
  reasonCode: string | null;
  reasonName: string | null;
  note: string | null;
  startedAt: string;
  endedAt: string | null;
  minutes: number;
  classifiedAt: string | null;
}

/**
 * Stops the machine reports itself (its state from machine data): downtime opens when the machine says it is
 * down or in setup and closes when it runs again, at the machine's own timestamps, without a reason — the
 * operator classifies it at the terminal afterwards. A stop someone opened at the terminal is left to them.
 */
@Injectable()
export class MachineDowntimeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly masterData: MasterDataFacade,
    private readonly operations: OperationCommandsService,
  ) {}

  /**
   * The machine stopped at `at` (in the caller's transaction): an unclassified downtime opens and the machine's
   * status follows (`down` or `setup`). Null when a stop is already open (the operator's or the machine's).
   */
  async stoppedIn(
    tx: Tx,
    eq: Equipment,
    at: Date,
    machineState: 'down' | 'setup',
  ): Promise<DowntimeEvent | null> {
    const open = await tx.manager
      .getRepository(DowntimeEvent)
      .findOne({ where: { equipmentId: eq.id, endedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
    if (open) return null;
    const repo = tx.manager.getRepository(DowntimeEvent);
    const row = await repo.save(
      repo.create({
        siteId: eq.siteId,
        equipmentId: eq.id,
        workCenterId: eq.workCenterId,
        reasonCodeId: null,
        source: 'machine',
        machineState,
        // Setup is a loss of availability like a breakdown; planned stops are classified as such by the operator.
        category: 'downtime_unplanned',
        note: null,
        previousEquipmentStatus: eq.status,
        startedAt: at,
        startedBy: null,
      }),
    );
    if (eq.status !== machineState)
      await this.masterData.setEquipmentStatus(
        tx,
        eq.siteId,
        eq.id,
        machineState,
        `machine reported ${machineState}`,
      );
    await this.audit.record(tx, {
      entityType: 'downtime_event',
      entityId: row.id,
      siteId: eq.siteId,
      action: 'downtime.started',
      after: row,
      reason: `machine reported ${machineState}`,
    });
    tx.raise('production.downtime.changed', downtimeChanged(row, 'started'));
    return row;
  }

  /**
   * The machine left its stop at `at` (running, idle …): its open machine-reported downtime ends then and the
   * machine takes the status it reported. A stop opened at the terminal stays open. Null when none was closed.
   */
  async resumedIn(tx: Tx, eq: Equipment, at: Date, status: EquipmentStatus): Promise<DowntimeEvent | null> {
    const open = await tx.manager
      .getRepository(DowntimeEvent)
      .findOne({ where: { equipmentId: eq.id, endedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
    if (!open || open.source !== 'machine') {
      if (!open && eq.status !== status)
        await this.masterData.setEquipmentStatus(tx, eq.siteId, eq.id, status, `machine reported ${status}`);
      return null;
    }
    const endedAt = at.getTime() < open.startedAt.getTime() ? open.startedAt : at;
    await tx.manager.update(DowntimeEvent, { id: open.id }, { endedAt, endedBy: null });
    if (eq.status !== status)
      await this.masterData.setEquipmentStatus(tx, eq.siteId, eq.id, status, `machine reported ${status}`);
    const row = await tx.manager.getRepository(DowntimeEvent).findOneByOrFail({ id: open.id });
    await this.audit.record(tx, {
      entityType: 'downtime_event',
      entityId: row.id,
      siteId: eq.siteId,
      action: 'downtime.ended',
      before: open,
      after: row,
      reason: `machine reported ${status}`,
    });
    tx.raise('production.downtime.changed', downtimeChanged(row, 'ended'));
    return row;
  }

  /** A machine's stops, newest first: the open one and the recent ones; `unclassified` only those without reason. */
  async list(
    p: Principal,
    siteId: string,
    q: { equipment?: string; unclassified?: boolean; limit?: number },
  ): Promise<DowntimeView[]> {
    assertSiteAccess(p, siteId);
    const eq = q.equipment ? await this.masterData.equipment(siteId, q.equipment) : null;
    if (q.equipment && !eq) throw notFound('equipment', q.equipment);
    const rows = await this.dataSource.query<DowntimeRow[]>(
      `SELECT d.id, d.equipment_id, d.work_center_id, d.source, d.machine_state, d.category, d.reason_code_id,
              r.code AS reason_code, r.name AS reason_name, d.note, d.started_at, d.ended_at, d.classified_at,
              now() AS now
         FROM downtime_event d LEFT JOIN reason_code r ON r.id = d.reason_code_id
        WHERE d.site_id = $1 AND ($2::uuid IS NULL OR d.equipment_id = $2)
          AND (NOT $3::boolean OR d.reason_code_id IS NULL)
        ORDER BY d.started_at DESC, d.id
        LIMIT $4`,
      [siteId, eq?.id ?? null, q.unclassified === true, q.limit ?? 50],
    );
    return rows.map(toView);
  }

  /** The operator names why the machine stopped (or corrects the reason); the category follows the reason. */
  classify(
    p: Principal,
    siteId: string,
    id: string,
    reasonCode: string,
    note?: string,
  ): Promise<DowntimeView> {
    assertSiteAccess(p, siteId);
    return this.tx.run(async (tx) => {
      const before = await tx.manager
        .getRepository(DowntimeEvent)
        .findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } });
      if (!before) throw notFound('downtime', id);
      const reason = await this.operations.reason(
        tx.manager,
        siteId,
        reasonCode,
        ['downtime_planned', 'downtime_unplanned'],
        'reasonCode',
      );
      if (before.reasonCodeId === reason.id && (note === undefined || note === before.note)) {
        throw new DomainError(
          'conflict',
          ProductionErrorCode.DOWNTIME_CLASSIFIED,
          `The stop is already classified as ${reason.code}`,
          { extensions: { reasonCode: reason.code } },
        );
      }
      await tx.manager.update(
        DowntimeEvent,
        { id },
        {
          reasonCodeId: reason.id,
          category: reason.category,
          note: note ?? before.note,
          classifiedAt: new Date(),
          classifiedBy: p.kind === 'user' ? p.id : null,
        },
      );
      const row = await tx.manager.getRepository(DowntimeEvent).findOneByOrFail({ id });
      await this.audit.record(tx, {
        entityType: 'downtime_event',
        entityId: id,
        siteId,
        action: 'downtime.classified',
        before,
        after: row,
        reason: note,
      });
      tx.raise('production.downtime.changed', downtimeChanged(row, 'classified'));
      const [view] = await tx.manager.query<DowntimeRow[]>(
        `SELECT d.id, d.equipment_id, d.work_center_id, d.source, d.machine_state, d.category, d.reason_code_id,
                r.code AS reason_code, r.name AS reason_name, d.note, d.started_at, d.ended_at, d.classified_at,
                now() AS now
           FROM downtime_event d LEFT JOIN reason_code r ON r.id = d.reason_code_id WHERE d.id = $1`,
        [id],
      );
      return toView(view!);
    });
  }
}

/** The `production.downtime.changed` event of a stop (operator's or machine's) in the given state. */
export function downtimeChanged(row: DowntimeEvent, state: DowntimeChanged['state']): DowntimeChanged {
  return {
    downtimeId: row.id,
    siteId: row.siteId,
    equipmentId: row.equipmentId,
    workCenterId: row.workCenterId,
    reasonCodeId: row.reasonCodeId,
    category: row.category,
    source: row.source,
    state,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt ? row.endedAt.toISOString() : null,
  };
}

interface DowntimeRow {
  id: string;
  equipment_id: string;
  work_center_id: string;
  source: 'operator' | 'machine';
  machine_state: string | null;
  category: string;
  reason_code_id: string | null;
  reason_code: string | null;
  reason_name: string | null;
  note: string | null;
  started_at: Date;
  ended_at: Date | null;
  classified_at: Date | null;
  now: Date;
}

function toView(r: DowntimeRow): DowntimeView {
  const end = r.ended_at ?? r.now;
  return {
    id: r.id,
    equipmentId: r.equipment_id,
    workCenterId: r.work_center_id,
    source: r.source,
    machineState: r.machine_state,
    category: r.category,
    reasonCodeId: r.reason_code_id,
    reasonCode: r.reason_code,
    reasonName: r.reason_name,
    note: r.note,
    startedAt: r.started_at.toISOString(),
    endedAt: r.ended_at ? r.ended_at.toISOString() : null,
    minutes: Math.round(((end.getTime() - r.started_at.getTime()) / 60_000) * 10) / 10,
    classifiedAt: r.classified_at ? r.classified_at.toISOString() : null,
  };
}
