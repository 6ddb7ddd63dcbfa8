import type { ScheduleVersion, ScheduleVersionStatus } from '../versions/schedule-version.entity';

export type ScheduleVersionAction = 'cancel' | 'publish' | 'run' | 'update' | 'discard';

export interface ScheduleVersionView extends Omit<
  ScheduleVersion,
  'model' | 'runner' | 'heartbeatAt' | 'site'
> {
  frozenHorizonHours: number;
  /** This version is the site's live plan. */
  live: boolean;
  allowedActions: ScheduleVersionAction[];
}

/** What a planner may do with a version now. */
export function allowedActions(v: Pick<ScheduleVersion, 'kind' | 'status'>): ScheduleVersionAction[] {
  const byStatus: Record<ScheduleVersionStatus, ScheduleVersionAction[]> = {
    draft: ['run', 'update', 'discard'],
    queued: ['cancel'],
    running: ['cancel'],
    succeeded: ['publish', 'run', 'update', 'discard'],
    failed: ['run', 'update', 'discard'],
    cancelled: ['run', 'update', 'discard'],
    published: [],
    superseded: [],
    discarded: [],
  };
  const actions = byStatus[v.status];
  // Only a what-if is edited, re-run or discarded; any succeeded version can be published.
  return v.kind === 'scenario' ? actions : actions.filter((a) => a === 'cancel' || a === 'publish');
}

export function viewOf(v: ScheduleVersion, liveId: string | null): ScheduleVersionView {
  const { model: _model, runner: _runner, heartbeatAt: _heartbeat, site: _site, ...rest } = v;
  return {
    ...rest,
    frozenHorizonHours: Math.round((v.frozenHorizonMinutes / 60) * 100) / 100,
    live: v.id === liveId || v.status === 'published',
    allowedActions: allowedActions(v),
  };
}
