import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DomainEventBus } from '../platform/events/domain-event-bus';
import { RealtimePublisher } from '../platform/realtime/realtime-publisher';
import { roleRoom } from '../platform/realtime/shop-floor-events';
import './alerts.events';

/** New and closed todos to their roles' and person's screens; safety-stock crossings to the site, after commit. */
@Injectable()
export class AlertsPushes implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly publisher: RealtimePublisher,
  ) {}

  onModuleInit(): void {
    this.bus.on('alerts.todo.opened', async ({ payload: e }) => {
      await this.publisher.emit(
        [...e.roles.map((r) => roleRoom(r, e.siteId)), ...(e.userId ? [`user:${e.userId}`] : [])],
        'todo.created',
        {
          todoId: e.todoId,
          title: e.title,
          ...(e.dueAt ? { dueAt: e.dueAt } : {}),
          ...(e.link ? { link: e.link } : {}),
        },
      );
    });
    this.bus.on('alerts.todo.closed', async ({ payload: e }) => {
      await this.publisher.emit(
        [...e.roles.map((r) => roleRoom(r, e.siteId)), ...(e.userId ? [`user:${e.userId}`] : [])],
        'todo.closed',
        { todoId: e.todoId, siteId: e.siteId, status: e.status, closedBy: e.closedBy },
      );
    });
    this.bus.on('inventory.safety_stock.changed', async ({ payload: e }) => {
      await this.publisher.emit([`site:${e.siteId}`], 'stock.alert', {
        materialId: e.materialId,
        siteId: e.siteId,
        availableQty: e.availableQty,
        thresholdQty: e.safetyStock,
      });
    });
  }
}
