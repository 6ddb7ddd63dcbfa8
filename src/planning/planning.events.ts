import type { ProgressView, ScheduleKpis } from './model/plan-outcome';
import type { ScheduleVersionKind, ScheduleVersionStatus } from './versions/schedule-version.entity';

/** Events planning emits (after commit). */
export interface ScheduleRunChanged {
  versionId: string;
  siteId: string;
  code: string;
  kind: ScheduleVersionKind;
  status: ScheduleVersionStatus;
  /** Who started it: their screen gets the progress. */
  createdById: string;
  progress: ProgressView | null;
  kpis: ScheduleKpis | null;
  error: string | null;
}

export interface SchedulePublished {
  versionId: string;
  siteId: string;
  code: string;
  number: number;
  previousVersionId: string | null;
  rushWorkOrderId: string | null;
  /** Where dispatch lists changed: every work center and machine the plan (or the one before) uses. */
  workCenterIds: string[];
  equipmentIds: string[];
}

declare module '../platform/events/domain-events' {
  interface DomainEventMap {
    /** Queued, running (with progress), succeeded, failed, cancelled, discarded. */
    'planning.schedule.run_changed': ScheduleRunChanged;
    'planning.schedule.published': SchedulePublished;
  }
}

declare module '../platform/realtime/shop-floor-events' {
  interface ShopFloorEventMap {
    /** A schedule run moved on (to the site) or made progress (to the planner who started it). */
    'schedule.run': {
      scheduleId: string;
      siteId: string;
      code: string;
      kind: string;
      status: string;
      progress: ProgressView | null;
      kpis: ScheduleKpis | null;
      error: string | null;
    };
  }
}
