import { isUUID } from 'class-validator';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainEventBus } from '../../platform/events/domain-event-bus';
import { RealtimePublisher } from '../../platform/realtime/realtime-publisher';
import { roleRoom } from '../../platform/realtime/shop-floor-events';
import { RoomAccessRegistry } from '../../platform/realtime/room-access';
import { WorkOrder } from '../work-orders/work-order.entity';

/**
 * Pushes every production change to the screens that show it: work center, line, work order and site
 * rooms; andon calls also to the role that has to come (warehouse, quality, maintenance).
 */
@Injectable()
export class ProductionPushes implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly publisher: RealtimePublisher,
    private readonly rooms: RoomAccessRegistry,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.rooms.register('workorder', async (p, id) => {
      if (!isUUID(id)) return false;
      const wo = await this.dataSource
        .getRepository(WorkOrder)
        .findOne({ where: { id }, select: { siteId: true } });
      return wo !== null && p.siteIds.includes(wo.siteId);
    });
    this.bus.on('production.workorder.status_changed', async ({ payload: e }) => {
      await this.publisher.emit(
        [`workorder:${e.workOrderId}`, `line:${e.lineId}`, `site:${e.siteId}`],
        'workorder.status',
        {
          workOrderId: e.workOrderId,
          code: e.code,
          status: e.status,
          previousStatus: e.previousStatus ?? undefined,
          siteId: e.siteId,
        },
      );
    });
    const progress = async ({ payload: e }: { payload: import('../production.events').OperationChanged }) => {
      const rooms = [`workcenter:${e.workCenterId}`, `line:${e.lineId}`, `workorder:${e.workOrderId}`];
      if (e.equipmentId) rooms.push(`equipment:${e.equipmentId}`);
      await this.publisher.emit(rooms, 'operation.progress', {
        operationId: e.operationId,
        workOrderId: e.workOrderId,
        workOrderCode: e.workOrderCode,
        seq: e.seq,
        workCenterId: e.workCenterId,
        equipmentId: e.equipmentId,
        status: e.status,
        goodQty: e.goodQty,
        scrapQty: e.scrapQty,
        change: e.change,
      });
    };
    this.bus.on('production.operation.changed', progress);
    this.bus.on('production.andon.changed', async ({ payload: e }) => {
      const role =
        e.kind === 'material'
          ? 'warehouse'
          : e.kind === 'quality'
            ? 'quality'
            : e.kind === 'maintenance'
              ? 'maintenance'
              : 'planner';
      const rooms = [
        `workcenter:${e.workCenterId}`,
        `line:${e.lineId}`,
        roleRoom(role, e.siteId),
        `site:${e.siteId}`,
      ];
      if (e.equipmentId) rooms.push(`equipment:${e.equipmentId}`);
      await this.publisher.emit(rooms, 'andon', {
        andonId: e.andonId,
        kind: e.kind,
        state: e.state,
        workCenterId: e.workCenterId,
        equipmentId: e.equipmentId ?? undefined,
        message: e.message ?? undefined,
      });
    });
    this.bus.on('production.parameter.out_of_range', async ({ payload: e }) => {
      const rooms = [
        `workcenter:${e.workCenterId}`,
        `line:${e.lineId}`,
        `workorder:${e.workOrderId}`,
        roleRoom('quality', e.siteId),
      ];
      await this.publisher.emit(rooms, 'process.alert', {
        operationId: e.operationId,
        workOrderId: e.workOrderId,
        name: e.name,
        value: e.value,
        min: e.min,
        max: e.max,
        unit: e.unit,
        equipmentId: e.equipmentId,
      });
    });
    this.bus.on('production.downtime.changed', async ({ payload: e }) => {
      await this.publisher.emit(
        [`equipment:${e.equipmentId}`, `workcenter:${e.workCenterId}`, roleRoom('maintenance', e.siteId)],
        'downtime.changed',
        {
          downtimeId: e.downtimeId,
          equipmentId: e.equipmentId,
          workCenterId: e.workCenterId,
          category: e.category,
          reasonCodeId: e.reasonCodeId,
          source: e.source,
          state: e.state,
          startedAt: e.startedAt,
          endedAt: e.endedAt,
        },
      );
    });
  }
}
