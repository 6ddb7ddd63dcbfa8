import type { PlanProblem } from '../engine/model';

/** Weight of a rush order in weighted tardiness (a normal order weighs 1). */
export const RUSH_WEIGHT = 10;

export interface MachineLabel {
  code: string;
  name: string;
  workCenterId: string;
  workCenterCode: string;
  calendarCode: string | null;
  /** Setup minutes per family on this machine (the matrix is built from these). */
  setups: Record<string, number>;
}

export interface OrderLabel {
  code: string;
  materialId: string;
  materialCode: string;
  quantity: string;
  dueAt: string;
  priority: 'normal' | 'rush';
  status: string;
  lineId: string;
}

export interface OperationLabel {
  workOrderId: string;
  seq: number;
  name: string;
  workCenterId: string;
  status: string;
  /** Why it keeps its machine and start: it runs now, or it lies inside the frozen horizon. */
  frozen?: 'running' | 'horizon';
}

export type PlanWarningCode =
  | 'ORDER_HELD'
  | 'NO_ACTIVE_MACHINE'
  | 'MATERIAL_SHORT'
  | 'MACHINE_NOT_AVAILABLE'
  | 'NO_CALENDAR'
  | 'NO_WORKING_TIME'
  | 'FREEZE_RELEASED'
  | 'ORDER_NOT_FOUND';

/** Something the planner should know about the plan's inputs (the plan is made regardless). */
export interface PlanWarning {
  code: PlanWarningCode;
  message: string;
  workOrderId?: string;
  operationId?: string;
  equipmentId?: string;
  materialId?: string;
}

/**
 * Everything one schedule version was computed from: the engine's problem (minutes from `origin`) and what the
 * ids mean, so a version can be re-run, copied into a what-if, drawn and compared without reading the
 * factory again.
 */
export interface PlanSnapshot {
  origin: string;
  horizonEnd: string;
  problem: PlanProblem;
  machines: Record<string, MachineLabel>;
  orders: Record<string, OrderLabel>;
  operations: Record<string, OperationLabel>;
  warnings: PlanWarning[];
}
