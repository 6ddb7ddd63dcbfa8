import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { Tx } from '../../platform/database/transaction-runner';
import { DomainError } from '../../platform/errors/domain-error';
import { OutboxService } from '../../platform/outbox/outbox.service';
import { RealtimePublisher } from '../../platform/realtime/realtime-publisher';
import { roleRoom } from '../../platform/realtime/shop-floor-events';
import { InventoryFacade } from '../../inventory/inventory.facade';
import { ProductionFacade } from '../../production/production.facade';
import { WmsBridgeFacade } from '../../wms-bridge/wms-bridge.facade';
import { TodosService } from '../todos/todos.service';
import { renderDeep, type Facts } from './engine/rule-engine';
import type { ActionResult } from './rule.entities';
import type { RuleAction } from './rule-definition';

const MINUTE_MS = 60_000;

/** An action with its templates filled, as a dry run shows it and a firing does it. */
export interface RenderedAction {
  action: RuleAction;
  /** Placeholders the facts did not have (rendered empty). */
  missing: string[];
}

/** Who the rule's facts are about (a todo links to it). */
export interface RuleSubject {
  type: string;
  id: string;
}

/** Fills an action's templates from the facts (nothing else: a dry run uses this alone). */
export function renderAction(action: RuleAction, facts: Facts): RenderedAction {
  const r = renderDeep(action, facts);
  // Rooms, roles and the webhook body were rendered too; the type and numbers stay as they are.
  return { action: { ...(r.value as RuleAction), type: action.type } as RuleAction, missing: r.missing };
}

/**
 * Does one rendered action inside the firing's transaction. A failure (a lot that cannot be held, a work order
 * gone) is the action's outcome; it never fails the command whose event fired the rule (the caller runs each
 * action in its own savepoint).
 */
@Injectable()
export class RuleActions {
  constructor(
    private readonly todos: TodosService,
    private readonly publisher: RealtimePublisher,
    private readonly outbox: OutboxService,
    private readonly inventory: InventoryFacade,
    private readonly production: ProductionFacade,
    private readonly wms: WmsBridgeFacade,
  ) {}

  async execute(
    tx: Tx,
    siteId: string,
    ruleCode: string,
    rendered: RenderedAction,
    subject: RuleSubject,
    triggerKey: string,
    facts: Facts,
  ): Promise<ActionResult> {
    const a = rendered.action;
    const done = (detail: string, ref?: string): ActionResult => ({
      type: a.type,
      outcome: 'done',
      detail,
      ...(ref ? { ref } : {}),
    });
    const skipped = (detail: string): ActionResult => ({ type: a.type, outcome: 'skipped', detail });
    switch (a.type) {
      case 'notify': {
        // A role is the role at this rule's site; the other rooms (line, equipment …) belong to one site already.
        const rooms = a.to.map((r) =>
          r === 'site' ? `site:${siteId}` : r.startsWith('role:') ? roleRoom(r.slice(5), siteId) : r,
        );
        tx.onCommit(() =>
          this.publisher.emit(rooms, 'rule.notification', {
            siteId,
            rule: ruleCode,
            message: a.message,
            messageZh: a.messageZh ?? a.message,
            subject,
          }),
        );
        return done(`pushed to ${rooms.join(', ')}`);
      }
      case 'todo': {
        if (a.user !== undefined && !isUUID(a.user)) return skipped(`user "${a.user}" is not a user id`);
        const { todo, created } = await this.todos.open(tx, {
          siteId,
          kind: a.kind,
          title: a.title,
          titleZh: a.titleZh ?? a.title,
          detail: { rule: ruleCode, ...facts },
          roles: a.roles ?? [],
          userId: a.user ?? null,
          link: a.link ?? null,
          referenceType: subject.type,
          referenceId: subject.id,
          dedupeKey: a.dedupeKey?.trim() || `rule:${ruleCode}:${subject.type}:${subject.id}`,
          dueAt: a.dueInMinutes !== undefined ? new Date(Date.now() + a.dueInMinutes * MINUTE_MS) : null,
        });
        return created
          ? done(`todo opened`, todo.id)
          : done('the open todo for this cause was updated', todo.id);
      }
      case 'wms_priority': {
        if (!isUUID(a.workOrderId)) return skipped(`"${a.workOrderId}" is not a work order id`);
        const r = await this.wms.changePickPriority(tx, a.workOrderId, a.priority);
        if (r.outcome === 'no_task') return skipped('the work order has no open pick task');
        if (r.outcome === 'unchanged') return skipped(`the pick task is ${a.priority} already`);
        return done(`pick task priority ${a.priority} sent to the WMS`, r.taskId);
      }
      case 'hold_lot': {
        if (!a.lot.trim()) return skipped('no lot in the facts');
        const lot = await this.inventory.findLot(tx.manager, siteId, a.lot.trim());
        if (!lot) return skipped(`lot ${a.lot} not found`);
        if (lot.status !== 'available' && lot.status !== 'quarantine')
          return skipped(`lot ${lot.code} is ${lot.status} already`);
        await this.inventory.changeLotStatus(tx, {
          siteId,
          lot: lot.id,
          command: 'hold',
          reason: `rule ${ruleCode}: ${a.reason}`.slice(0, 500),
          source: 'rule',
        });
        return done(`lot ${lot.code} held`, lot.id);
      }
      case 'requisition': {
        if (!a.material.trim()) return skipped('no material in the facts');
        if (!/^\d{1,12}(\.\d{1,6})?$/.test(a.quantity.trim()) || /^0*(\.0*)?$/.test(a.quantity.trim()))
          return skipped(`"${a.quantity}" is not a quantity to buy`);
        const r = await this.inventory.requestPurchase(tx, {
          siteId,
          material: a.material.trim(),
          quantity: a.quantity.trim(),
          needBy: a.needInDays !== undefined ? new Date(Date.now() + a.needInDays * 86_400_000) : null,
          reason: `rule ${ruleCode}: ${a.reason}`,
          source: `rule:${ruleCode}`,
          requestedByName: `rule ${ruleCode}`,
        });
        return r.created
          ? done(`requisition ${r.code} for ${r.quantity} sent to the ERP`, r.id)
          : skipped(`requisition ${r.code} is open for this material already`);
      }
      case 'hold_work_order': {
        if (!isUUID(a.workOrderId)) return skipped(`"${a.workOrderId}" is not a work order id`);
        const held = await this.production.holdWorkOrder(
          tx,
          siteId,
          a.workOrderId,
          `rule ${ruleCode}: ${a.reason}`.slice(0, 500),
        );
        return held ? done('work order held', a.workOrderId) : skipped('the work order cannot be held now');
      }
      case 'webhook': {
        const id = await this.outbox.enqueue(tx, {
          destination: 'webhook',
          messageType: `rule.${ruleCode}`,
          payload: a.body ?? { rule: ruleCode, siteId, trigger: triggerKey, facts },
          target: { url: a.url, ...(a.headers ? { headers: a.headers } : {}) },
        });
        return done(`queued for ${a.url}`, id);
      }
    }
  }

  /** A failed action as its outcome (a domain refusal keeps its message). */
  static failed(type: RuleAction['type'], error: unknown): ActionResult {
    const detail =
      error instanceof DomainError
        ? `${error.code}: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    return { type, outcome: 'failed', detail: detail.slice(0, 500) };
  }
}
