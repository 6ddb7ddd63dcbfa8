import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DomainEventBus } from '../platform/events/domain-event-bus';
import { RealtimePublisher } from '../platform/realtime/realtime-publisher';
import { roleRoom } from '../platform/realtime/shop-floor-events';
import './wms-bridge.events';

/** Pick task changes to the line, work order and warehouse screens; shortages to planners and warehouse. */
@Injectable()
export class WmsPushes implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly publisher: RealtimePublisher,
  ) {}

  onModuleInit(): void {
    this.bus.on('wms.pick_task.changed', async ({ payload: e }) => {
      await this.publisher.emit(
        [
          `workorder:${e.workOrderId}`,
          `line:${e.lineId}`,
          roleRoom('warehouse', e.siteId),
          `site:${e.siteId}`,
        ],
        'pick.task',
        {
          taskId: e.taskId,
          workOrderId: e.workOrderId,
          workOrderCode: e.workOrderCode,
          status: e.status,
          priority: e.priority,
          siteId: e.siteId,
        },
      );
    });
    this.bus.on('wms.pick.shortage', async ({ payload: e }) => {
      await this.publisher.emit(
        [
          `workorder:${e.workOrderId}`,
          `line:${e.lineId}`,
          roleRoom('planner', e.siteId),
          roleRoom('warehouse', e.siteId),
          `site:${e.siteId}`,
        ],
        'pick.shortage',
        {
          taskId: e.taskId,
          workOrderId: e.workOrderId,
          workOrderCode: e.workOrderCode,
          siteId: e.siteId,
          lines: e.lines,
        },
      );
    });
  }
}
