import { DomainError } from '../platform/errors/domain-error';
import type { ScheduleVersionStatus } from './versions/schedule-version.entity';

export enum PlanningErrorCode {
  VERSION_STATE = 'VERSION_STATE',
  BASELINE_CHANGED = 'BASELINE_CHANGED',
  NO_LIVE_PLAN = 'NO_LIVE_PLAN',
  NOT_A_SCENARIO = 'NOT_A_SCENARIO',
  NOT_A_RUSH_INSERT = 'NOT_A_RUSH_INSERT',
  WORK_ORDER_NOT_SCHEDULABLE = 'WORK_ORDER_NOT_SCHEDULABLE',
  INVALID_CHANGE = 'INVALID_CHANGE',
  TOO_MANY_RUNS = 'TOO_MANY_RUNS',
}

/** 409 naming the version's state and what it would have to be. */
export function versionStateError(
  code: string,
  status: ScheduleVersionStatus,
  action: string,
  allowed: readonly ScheduleVersionStatus[],
): DomainError {
  return new DomainError(
    'conflict',
    PlanningErrorCode.VERSION_STATE,
    `Schedule ${code} is ${status}; it can be ${action} only when ${allowed.join(' or ')}`,
    { extensions: { currentState: status, allowedStates: allowed } },
  );
}
