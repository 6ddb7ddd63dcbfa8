import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DomainEventBus } from '../../platform/events/domain-event-bus';
import { RealtimePublisher } from '../../platform/realtime/realtime-publisher';
import { roleRoom } from '../../platform/realtime/shop-floor-events';

/**
 * Pushes ticket changes after commit to the maintenance board (role room), the site, the machine's work center
 * and, for a breakdown, the line's screens (`ticket.changed`).
 */
@Injectable()
export class MaintenancePushes implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly publisher: RealtimePublisher,
  ) {}

  onModuleInit(): void {
    this.bus.on('maintenance.ticket.changed', async ({ payload: e }) => {
      const rooms = [roleRoom('maintenance', e.siteId), `site:${e.siteId}`, `equipment:${e.equipmentId}`];
      await this.publisher.emit(rooms, 'ticket.changed', {
        ticketId: e.ticketId,
        code: e.code,
        status: e.status,
        equipmentId: e.equipmentId,
      });
    });
  }
}
