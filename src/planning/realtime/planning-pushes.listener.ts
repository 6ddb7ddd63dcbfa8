import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DomainEventBus } from '../../platform/events/domain-event-bus';
import { RealtimePublisher } from '../../platform/realtime/realtime-publisher';
import '../planning.events';

/**
 * Schedule news on the shop floor: a run's progress to the planner who started it, its other moves to the
 * site; a published plan to the site and to every work center and machine whose dispatch list it changes.
 */
@Injectable()
export class PlanningPushes implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly publisher: RealtimePublisher,
  ) {}

  onModuleInit(): void {
    this.bus.on('planning.schedule.run_changed', async ({ payload: e }) => {
      const progressOnly = e.status === 'running' && e.progress !== null;
      await this.publisher.emit(
        progressOnly ? [`user:${e.createdById}`] : [`site:${e.siteId}`],
        'schedule.run',
        {
          scheduleId: e.versionId,
          siteId: e.siteId,
          code: e.code,
          kind: e.kind,
          status: e.status,
          progress: e.progress,
          kpis: e.kpis,
          error: e.error,
        },
      );
    });
    this.bus.on('planning.schedule.published', async ({ payload: e }) => {
      await this.publisher.emit(
        [
          `site:${e.siteId}`,
          ...e.workCenterIds.map((id) => `workcenter:${id}`),
          ...e.equipmentIds.map((id) => `equipment:${id}`),
        ],
        'schedule.published',
        { scheduleId: e.versionId, siteId: e.siteId, version: e.number },
      );
    });
  }
}
