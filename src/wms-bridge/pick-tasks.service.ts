import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '../platform/audit/audit.service';
import type { Principal } from '../platform/auth/principal';
import { assertSiteAccess } from '../platform/auth/site-access';
import { AppConfig } from '../platform/config/app-config';
import { TransactionRunner, type Tx } from '../platform/database/transaction-runner';
import { compare, formatExact, parseDecimal, subtract, ZERO } from '../platform/engine/decimal';
import { DomainError, notFound, PlatformErrorCode } from '../platform/errors/domain-error';
import { InventoryErrorCode, InventoryFacade, type PickPlan } from '../inventory/inventory.facade';
import { MasterDataFacade } from '../master-data/master-data.facade';
import { ProductionFacade } from '../production/production.facade';
import { PickTask, PickTaskLine, type PickTaskStatus } from './pick-task.entity';
import { Putaway } from './putaway.entity';
import { WmsErrorCode } from './wms-bridge.errors';

/** Open quantity of a pick line ("0" when done). */
function openQty(line: PickTaskLine): string {
  const open = subtract(parseDecimal(line.quantity), parseDecimal(line.deliveredQty));
  return formatExact(compare(open, ZERO) > 0 ? open : ZERO);
}

export interface PickTaskView extends Omit<PickTask, 'site' | 'workOrder'> {
  lines: Array<PickTaskLine & { openQty: string }>;
}

/** What the warehouse says it picked (embedded confirm); lines not named are picked by FIFO/FEFO. */
export interface ConfirmPick {
  lines?: Array<{ lineNo: number; qty: string; lot?: string }>;
  /** Why less than open was picked (required then). */
  shortReason?: string;
}

export interface PickSuggestion extends PickPlan {
  lineNo: number;
  materialId: string;
  openQty: string;
}

export interface DeliveredLine {
  /** Material code or id. */
  material: string;
  qty: string;
  lot?: string;
}

/** Where a status may come from (DESIGN.md: pending → sent → accepted → picking → delivered, or shortage). */
const FROM: Record<'accepted' | 'picking' | 'delivered' | 'shortage', readonly PickTaskStatus[]> = {
  accepted: ['pending', 'sent'],
  picking: ['pending', 'sent', 'accepted'],
  delivered: ['pending', 'sent', 'accepted', 'picking', 'shortage'],
  shortage: ['pending', 'sent', 'accepted', 'picking', 'shortage'],
};

export interface Applied {
  applied: boolean;
  /** Why nothing changed (e.g. the task was cancelled or delivered already). */
  ignored?: string;
  status?: string;
  /** The adjustment a WMS count created (or found waiting). */
  adjustmentId?: string;
}

/**
 * Pick tasks and putaways, from the warehouse's side. With the embedded warehouse a warehouse user accepts
 * and confirms them here (stock moves by the site's FIFO/FEFO policy); with an external WMS the same
 * changes arrive as events. Either way the work order follows: accepted → `kitting`, all delivered → `ready`.
 */
@Injectable()
export class PickTasksService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly inventory: InventoryFacade,
    private readonly production: ProductionFacade,
    private readonly masterData: MasterDataFacade,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async list(
    p: Principal,
    siteId: string,
    q: { status?: PickTaskStatus[]; workOrderId?: string; limit?: number },
  ): Promise<PickTaskView[]> {
    assertSiteAccess(p, siteId);
    const tasks = await this.dataSource.getRepository(PickTask).find({
      where: {
        siteId,
        ...(q.status?.length ? { status: In(q.status) } : {}),
        ...(q.workOrderId ? { workOrderId: q.workOrderId } : {}),
      },
      // Rush first, then by need-by time: the warehouse's queue.
      order: { priority: 'DESC', needBy: 'ASC', createdAt: 'ASC' },
      take: Math.min(q.limit ?? 100, 500),
    });
    return this.views(this.dataSource.manager, tasks);
  }

  async get(p: Principal, siteId: string, id: string): Promise<PickTaskView> {
    assertSiteAccess(p, siteId);
    const task = await this.dataSource.getRepository(PickTask).findOneBy({ id, siteId });
    if (!task) throw notFound('pick task', id);
    return (await this.views(this.dataSource.manager, [task]))[0]!;
  }

  /** Embedded warehouse: a warehouse user takes the task (the work order starts kitting). */
  accept(p: Principal, siteId: string, id: string): Promise<PickTaskView> {
    assertSiteAccess(p, siteId);
    this.assertEmbedded();
    return this.tx.run(async (tx) => {
      const task = await this.lock(tx.manager, siteId, id);
      const r = await this.progress(tx, task, 'accepted');
      if (!r.applied) throw this.illegal(task, 'accept');
      return this.view(tx.manager, task.id);
    });
  }

  /**
   * Embedded warehouse: picks every open line from warehouse stock to the line side. A line the warehouse
   * names (`lines`) is picked as said: the scanned lot (else by FIFO/FEFO), the quantity counted out; less than
   * open is a short pick and needs a reason. Lines not named are picked by the site's FIFO/FEFO policy from
   * available lots. What is missing is recorded as a shortage and announced; a fully delivered task makes the
   * work order `ready`.
   */
  confirm(p: Principal, siteId: string, id: string, picked: ConfirmPick = {}): Promise<PickTaskView> {
    assertSiteAccess(p, siteId);
    this.assertEmbedded();
    return this.tx.run(async (tx) => {
      const task = await this.lock(tx.manager, siteId, id);
      if (!FROM.delivered.includes(task.status)) throw this.illegal(task, 'confirm');
      if (!task.destinationLocationId) {
        throw new DomainError(
          'conflict',
          WmsErrorCode.NO_DESTINATION,
          `Line of ${task.workOrderCode} has no line-side location to deliver to; create one first`,
        );
      }
      const lines = await this.lines(tx.manager, task.id);
      const named = await this.checkPicked(tx, task, lines, picked);
      const shortLines: Array<{ materialId: string; materialCode: string; shortQty: string }> = [];
      for (const line of lines) {
        const open = openQty(line);
        if (compare(parseDecimal(open), ZERO) === 0) continue;
        const said = named.get(line.lineNo);
        const qty = said?.qty ?? open;
        let pickedQty = '0';
        if (compare(parseDecimal(qty), ZERO) > 0) {
          const result = said?.lotId
            ? await this.inventory.bookDelivery(tx, {
                siteId,
                materialId: line.materialId,
                quantity: qty,
                toLocationId: task.destinationLocationId,
                lotId: said.lotId,
                workOrderId: task.workOrderId,
                reference: `PICK ${task.workOrderCode}`,
              })
            : await this.inventory.pick(tx, {
                siteId,
                materialId: line.materialId,
                quantity: qty,
                toLocationId: task.destinationLocationId,
                workOrderId: task.workOrderId,
                reference: `PICK ${task.workOrderCode}`,
              });
          if (said?.lotId && compare(parseDecimal(result.shortQty), ZERO) > 0) {
            throw new DomainError(
              'conflict',
              InventoryErrorCode.INSUFFICIENT_STOCK,
              `Lot ${said.lotCode} has only ${result.pickedQty} available in the warehouse; ${formatExact(parseDecimal(qty))} was picked`,
              {
                errors: [{ field: `lines[${said.index}].qty`, message: `at most ${result.pickedQty}` }],
                extensions: { availableQty: result.pickedQty, lineNo: line.lineNo },
              },
            );
          }
          pickedQty = result.pickedQty;
        }
        const short = subtract(parseDecimal(open), parseDecimal(pickedQty));
        const shortQty = formatExact(compare(short, ZERO) > 0 ? short : ZERO);
        await this.addDelivered(tx.manager, task.id, line.lineNo, pickedQty, shortQty);
        if (compare(short, ZERO) > 0)
          shortLines.push({ materialId: line.materialId, materialCode: line.materialCode, shortQty });
      }
      if (shortLines.length > 0)
        await this.shortage(
          tx,
          task,
          shortLines,
          picked.shortReason?.trim() || 'not enough available stock in the warehouse',
        );
      else await this.finish(tx, task);
      return this.view(tx.manager, task.id);
    });
  }

  /** The lines the warehouse named, checked: a line of this task, at most its open quantity, a lot of it. */
  private async checkPicked(
    tx: Tx,
    task: PickTask,
    lines: PickTaskLine[],
    picked: ConfirmPick,
  ): Promise<Map<number, { index: number; qty: string; lotId?: string; lotCode?: string }>> {
    const named = new Map<number, { index: number; qty: string; lotId?: string; lotCode?: string }>();
    const errors: Array<{ field: string; message: string }> = [];
    let short = false;
    for (const [index, said] of (picked.lines ?? []).entries()) {
      const line = lines.find((l) => l.lineNo === said.lineNo);
      if (!line || named.has(said.lineNo)) {
        errors.push({
          field: `lines[${index}].lineNo`,
          message: line ? `line ${said.lineNo} is named twice` : `task has no line ${said.lineNo}`,
        });
        continue;
      }
      const open = parseDecimal(openQty(line));
      if (compare(parseDecimal(said.qty), open) > 0) {
        errors.push({ field: `lines[${index}].qty`, message: `at most ${formatExact(open)} is open` });
        continue;
      }
      if (compare(parseDecimal(said.qty), open) < 0) short = true;
      let lotId: string | undefined;
      if (said.lot) {
        const lot = await this.inventory.findLot(tx.manager, task.siteId, said.lot);
        if (!lot || lot.materialId !== line.materialId) {
          errors.push({
            field: `lines[${index}].lot`,
            message: lot
              ? `lot ${said.lot} is not ${line.materialCode}`
              : `lot ${said.lot} does not exist at this site`,
          });
          continue;
        }
        lotId = lot.id;
      }
      named.set(said.lineNo, { index, qty: said.qty, lotId, lotCode: said.lot });
    }
    if (short && !picked.shortReason?.trim())
      errors.push({ field: 'shortReason', message: 'say why less than the open quantity was picked' });
    if (errors.length > 0)
      throw new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, 'The pick is invalid', {
        errors,
      });
    return named;
  }

  /** The lots a confirmation would take now for each open line (site policy FIFO/FEFO); nothing moves. */
  async suggestions(p: Principal, siteId: string, id: string): Promise<PickSuggestion[]> {
    assertSiteAccess(p, siteId);
    const task = await this.dataSource.getRepository(PickTask).findOneBy({ id, siteId });
    if (!task) throw notFound('pick task', id);
    const out: PickSuggestion[] = [];
    for (const line of await this.lines(this.dataSource.manager, task.id)) {
      const open = openQty(line);
      if (compare(parseDecimal(open), ZERO) === 0) continue;
      const plan = await this.inventory.planPick(this.dataSource.manager, siteId, line.materialId, open);
      out.push({ lineNo: line.lineNo, materialId: line.materialId, openQty: open, ...plan });
    }
    return out;
  }

  /** The WMS (or embedded confirm) started work on the task. */
  async progress(tx: Tx, task: PickTask, to: 'accepted' | 'picking'): Promise<Applied> {
    if (!FROM[to].includes(task.status))
      return { applied: false, ignored: `task is ${task.status}`, status: task.status };
    await this.setStatus(tx, task, to);
    await this.production.kittingProgress(
      tx,
      task.siteId,
      task.workOrderId,
      'start_kitting',
      `pick task ${to}`,
    );
    return { applied: true, status: to };
  }

  /** Delivered lines (all open lines when none are named); the task is delivered once nothing is open. */
  async delivered(tx: Tx, task: PickTask, delivered: DeliveredLine[] | undefined): Promise<Applied> {
    if (!FROM.delivered.includes(task.status))
      return { applied: false, ignored: `task is ${task.status}`, status: task.status };
    const lines = await this.lines(tx.manager, task.id);
    const booked: Array<{ material: string; lot: string | null; qty: string; bookShortQty: string }> = [];
    if (!delivered || delivered.length === 0) {
      for (const line of lines) {
        const qty = openQty(line);
        await this.addDelivered(tx.manager, task.id, line.lineNo, qty, '0');
        booked.push(await this.book(tx, task, line.materialId, line.materialCode, qty, undefined));
      }
    } else {
      for (const d of delivered) {
        const line = lines.find((l) => l.materialCode === d.material || l.materialId === d.material);
        if (!line) {
          throw new DomainError(
            'validation',
            WmsErrorCode.UNKNOWN_LINE,
            `Task has no line for material ${d.material}`,
            {
              errors: [{ field: 'data.lines', message: `material ${d.material} is not on task ${task.id}` }],
            },
          );
        }
        await this.addDelivered(tx.manager, task.id, line.lineNo, d.qty, '0');
        booked.push(await this.book(tx, task, line.materialId, line.materialCode, d.qty, d.lot));
      }
    }
    if (task.mode === 'http' && booked.length) {
      await this.audit.record(tx, {
        entityType: 'wms_pick_task',
        entityId: task.id,
        siteId: task.siteId,
        action: 'wms.pick_task.delivery_booked',
        after: { lines: booked },
      });
    }
    const after = await this.lines(tx.manager, task.id);
    if (after.every((l) => compare(parseDecimal(openQty(l)), ZERO) === 0)) {
      await this.finish(tx, task);
      return { applied: true, status: 'delivered' };
    }
    if (task.status !== 'picking') await this.progress(tx, task, 'picking');
    return { applied: true, status: 'picking' };
  }

  /**
   * With an external WMS, a delivery moves MOM's books too: from the warehouse to the task's line-side
   * destination (the reported lot, else by FIFO/FEFO), so the line can consume it. The embedded warehouse has
   * moved the stock when it confirmed, so nothing is booked then.
   */
  private async book(
    tx: Tx,
    task: PickTask,
    materialId: string,
    materialCode: string,
    qty: string,
    lotCode: string | undefined,
  ): Promise<{ material: string; lot: string | null; qty: string; bookShortQty: string }> {
    if (task.mode !== 'http' || !task.destinationLocationId || compare(parseDecimal(qty), ZERO) <= 0)
      return { material: materialCode, lot: lotCode ?? null, qty, bookShortQty: '0' };
    const lot = lotCode ? await this.inventory.findLot(tx.manager, task.siteId, lotCode) : null;
    // A lot MOM has never seen cannot be booked: all of it is a book difference.
    if (lotCode && !lot) return { material: materialCode, lot: lotCode, qty, bookShortQty: qty };
    const result = await this.inventory.bookDelivery(tx, {
      siteId: task.siteId,
      materialId,
      quantity: qty,
      toLocationId: task.destinationLocationId,
      lotId: lot?.id,
      reference: `WMS ${task.workOrderCode}`,
    });
    return { material: materialCode, lot: lotCode ?? null, qty, bookShortQty: result.shortQty };
  }

  async shortage(
    tx: Tx,
    task: PickTask,
    lines: Array<{ materialId: string; materialCode: string; shortQty: string }>,
    note: string | null,
  ): Promise<Applied> {
    if (!FROM.shortage.includes(task.status))
      return { applied: false, ignored: `task is ${task.status}`, status: task.status };
    for (const l of lines) {
      await tx.manager.query(
        `UPDATE wms_pick_task_line SET short_qty = $3 WHERE task_id = $1 AND material_id = $2`,
        [task.id, l.materialId, l.shortQty],
      );
    }
    await tx.manager.getRepository(PickTask).update({ id: task.id }, { note });
    await this.setStatus(tx, task, 'shortage');
    await this.audit.record(tx, {
      entityType: 'wms_pick_task',
      entityId: task.id,
      siteId: task.siteId,
      action: 'wms.pick_task.shortage',
      after: { lines },
      reason: note ?? undefined,
    });
    tx.raise('wms.pick.shortage', {
      taskId: task.id,
      siteId: task.siteId,
      workOrderId: task.workOrderId,
      workOrderCode: task.workOrderCode,
      lineId: task.lineId,
      lines,
    });
    return { applied: true, status: 'shortage' };
  }

  /** Putaways waiting for the warehouse (embedded) or for the WMS's confirmation. */
  async putaways(p: Principal, siteId: string, status?: string[]): Promise<Putaway[]> {
    assertSiteAccess(p, siteId);
    return this.dataSource.getRepository(Putaway).find({
      where: { siteId, ...(status?.length ? { status: In(status) } : {}) },
      order: { createdAt: 'ASC' },
      take: 500,
    });
  }

  /** Embedded warehouse: the produced lot is in a warehouse bin now. */
  confirmPutaway(p: Principal, siteId: string, id: string, location: string): Promise<Putaway> {
    assertSiteAccess(p, siteId);
    this.assertEmbedded();
    return this.tx.run(async (tx) => {
      const putaway = await tx.manager
        .getRepository(Putaway)
        .findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } });
      if (!putaway) throw notFound('putaway', id);
      const r = await this.putawayConfirmed(tx, putaway, location);
      if (!r.applied)
        throw new DomainError(
          'conflict',
          WmsErrorCode.ILLEGAL_TRANSITION,
          `Putaway is ${putaway.status} already`,
          {
            extensions: { currentState: putaway.status },
          },
        );
      return tx.manager.getRepository(Putaway).findOneByOrFail({ id });
    });
  }

  /** Moves what is left of the lot at the line's output location to the bin. */
  async putawayConfirmed(tx: Tx, putaway: Putaway, locationCode: string): Promise<Applied> {
    if (putaway.status === 'confirmed' || putaway.status === 'cancelled')
      return { applied: false, ignored: `putaway is ${putaway.status}`, status: putaway.status };
    const to = await this.masterData.location(putaway.siteId, locationCode, tx.manager);
    if (!to || !to.active) {
      throw new DomainError('validation', WmsErrorCode.UNKNOWN_LOCATION, `Unknown location ${locationCode}`, {
        errors: [{ field: 'location', message: `no active location ${locationCode} at this site` }],
      });
    }
    const [balance] = await this.inventory
      .balancesOf(tx.manager, [putaway.lotId])
      .then((b) =>
        b.filter(
          (x) => x.locationId === putaway.fromLocationId && compare(parseDecimal(x.quantity), ZERO) > 0,
        ),
      );
    if (balance && to.id !== putaway.fromLocationId) {
      await this.inventory.transfer(tx, {
        siteId: putaway.siteId,
        lotId: putaway.lotId,
        fromLocationId: putaway.fromLocationId,
        toLocationId: to.id,
        quantity: balance.quantity,
        workOrderId: putaway.workOrderId,
        reference: `PUTAWAY ${putaway.lotCode}`,
      });
    }
    await tx.manager
      .getRepository(Putaway)
      .update({ id: putaway.id }, { status: 'confirmed', toLocationId: to.id, confirmedAt: new Date() });
    await this.audit.record(tx, {
      entityType: 'wms_putaway',
      entityId: putaway.id,
      siteId: putaway.siteId,
      action: 'wms.putaway.confirmed',
      before: { status: putaway.status },
      after: { status: 'confirmed', location: to.code, quantity: balance?.quantity ?? '0' },
    });
    return { applied: true, status: 'confirmed' };
  }

  async lock(m: EntityManager, siteId: string | null, id: string): Promise<PickTask> {
    const task = await m
      .getRepository(PickTask)
      .findOne({ where: siteId ? { id, siteId } : { id }, lock: { mode: 'pessimistic_write' } });
    if (!task) throw notFound('pick task', id);
    return task;
  }

  private async finish(tx: Tx, task: PickTask): Promise<void> {
    await tx.manager.getRepository(PickTask).update({ id: task.id }, { deliveredAt: new Date(), note: null });
    await this.setStatus(tx, task, 'delivered');
    await this.production.kittingProgress(
      tx,
      task.siteId,
      task.workOrderId,
      'mark_ready',
      'material delivered to the line',
    );
  }

  private async addDelivered(
    m: EntityManager,
    taskId: string,
    lineNo: number,
    qty: string,
    shortQty: string,
  ): Promise<void> {
    await m.query(
      `UPDATE wms_pick_task_line SET delivered_qty = delivered_qty + $3::numeric, short_qty = $4::numeric
        WHERE task_id = $1 AND line_no = $2`,
      [taskId, lineNo, qty, shortQty],
    );
  }

  private async setStatus(tx: Tx, task: PickTask, status: PickTaskStatus): Promise<void> {
    const previous = task.status;
    await tx.manager.getRepository(PickTask).update({ id: task.id }, { status, version: task.version + 1 });
    await this.audit.record(tx, {
      entityType: 'wms_pick_task',
      entityId: task.id,
      siteId: task.siteId,
      action: `wms.pick_task.${status}`,
      before: { status: previous },
      after: { status },
    });
    task.status = status;
    task.version += 1;
    tx.raise('wms.pick_task.changed', {
      taskId: task.id,
      siteId: task.siteId,
      workOrderId: task.workOrderId,
      workOrderCode: task.workOrderCode,
      lineId: task.lineId,
      status,
      previousStatus: previous,
      priority: task.priority,
    });
  }

  private lines(m: EntityManager, taskId: string): Promise<PickTaskLine[]> {
    return m.getRepository(PickTaskLine).find({ where: { taskId }, order: { lineNo: 'ASC' } });
  }

  private async view(m: EntityManager, id: string): Promise<PickTaskView> {
    const task = await m.getRepository(PickTask).findOneByOrFail({ id });
    return (await this.views(m, [task]))[0]!;
  }

  private async views(m: EntityManager, tasks: PickTask[]): Promise<PickTaskView[]> {
    if (tasks.length === 0) return [];
    const lines = await m
      .getRepository(PickTaskLine)
      .find({ where: { taskId: In(tasks.map((t) => t.id)) }, order: { lineNo: 'ASC' } });
    return tasks.map((t) => ({
      ...t,
      lines: lines.filter((l) => l.taskId === t.id).map((l) => ({ ...l, openQty: openQty(l) })),
    }));
  }

  private assertEmbedded(): void {
    if (this.config.get('WMS_MODE') !== 'embedded') {
      throw new DomainError(
        'conflict',
        WmsErrorCode.EXTERNAL_WMS,
        'The warehouse runs on an external WMS here (WMS_MODE=http): it confirms picks and putaways itself',
      );
    }
  }

  private illegal(task: PickTask, command: string): DomainError {
    return new DomainError(
      'conflict',
      WmsErrorCode.ILLEGAL_TRANSITION,
      `Pick task for ${task.workOrderCode} is ${task.status}; it cannot be changed by ${command}`,
      { extensions: { currentState: task.status } },
    );
  }
}
