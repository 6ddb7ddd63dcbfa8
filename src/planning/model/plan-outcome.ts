import type { PlanProgress, PlanResult } from '../engine/model';
import type { PlanSnapshot } from './plan-snapshot';
import { instantOf } from './plan-time';

export interface LateOrder {
  workOrderId: string;
  code: string;
  dueAt: string;
  endAt: string;
  minutesLate: number;
  /** Calendar days late, one decimal. */
  daysLate: number;
}

/** A schedule version's key figures, as instants and minutes. */
export interface ScheduleKpis {
  planStart: string;
  planEnd: string;
  makespanMinutes: number;
  totalTardinessMinutes: number;
  totalWeightedTardiness: number;
  totalSetupMinutes: number;
  orderCount: number;
  operationCount: number;
  lateOrderCount: number;
  /** Most late first. */
  lateOrders: LateOrder[];
  /** Busy over available working minutes up to the plan's end, per machine (0–1, three decimals). */
  utilisation: Array<{ equipmentId: string; code: string; utilisation: number }>;
  averageUtilisation: number;
}

export interface ProgressView {
  elapsedMs: number;
  iterations: number;
  /** Share of the time budget used (0–1). */
  fraction: number;
  best: { makespanMinutes: number; totalTardinessMinutes: number; lateOrderCount: number };
}

export interface AssignmentRow {
  operationId: string;
  workOrderId: string;
  equipmentId: string;
  /** 1-based position in the machine's queue. */
  position: number;
  setupStartsAt: Date;
  startsAt: Date;
  endsAt: Date;
  frozen: boolean;
}

export function kpisOf(snapshot: PlanSnapshot, result: Pick<PlanResult, 'kpis'>): ScheduleKpis {
  const originMs = Date.parse(snapshot.origin);
  const k = result.kpis;
  const utilisation = Object.entries(k.utilisation)
    .map(([equipmentId, u]) => ({
      equipmentId,
      code: snapshot.machines[equipmentId]?.code ?? equipmentId,
      utilisation: round(u, 3),
    }))
    .sort((a, b) => a.code.localeCompare(b.code));
  const lateOrders = k.lateJobs.map((j) => ({
    workOrderId: j.job,
    code: snapshot.orders[j.job]?.code ?? j.job,
    dueAt: snapshot.orders[j.job]?.dueAt ?? instantOf(originMs, j.due).toISOString(),
    endAt: instantOf(originMs, j.end).toISOString(),
    minutesLate: j.tardiness,
    daysLate: round(j.tardiness / 1440, 1),
  }));
  return {
    planStart: snapshot.origin,
    planEnd: instantOf(originMs, k.makespan).toISOString(),
    makespanMinutes: k.makespan,
    totalTardinessMinutes: k.totalTardiness,
    totalWeightedTardiness: k.totalWeightedTardiness,
    totalSetupMinutes: k.totalSetup,
    orderCount: snapshot.problem.jobs.length,
    operationCount: snapshot.problem.operations.length,
    lateOrderCount: lateOrders.length,
    lateOrders,
    utilisation,
    averageUtilisation: utilisation.length
      ? round(utilisation.reduce((sum, u) => sum + u.utilisation, 0) / utilisation.length, 3)
      : 0,
  };
}

export function progressOf(progress: PlanProgress, budgetSeconds: number): ProgressView {
  return {
    elapsedMs: Math.round(progress.elapsedMs),
    iterations: progress.iterations,
    fraction: round(Math.min(1, progress.elapsedMs / (budgetSeconds * 1000)), 3),
    best: {
      makespanMinutes: progress.kpis.makespan,
      totalTardinessMinutes: progress.kpis.totalTardiness,
      lateOrderCount: progress.kpis.lateJobs.length,
    },
  };
}

/** The engine's plan as rows: instants, and each operation's place in its machine's queue. */
export function assignmentsOf(
  snapshot: PlanSnapshot,
  result: Pick<PlanResult, 'operations'>,
): AssignmentRow[] {
  const originMs = Date.parse(snapshot.origin);
  const jobOf = new Map(snapshot.problem.operations.map((o) => [o.id, o]));
  const sorted = [...result.operations].sort(
    (a, b) => a.machine.localeCompare(b.machine) || a.start - b.start || a.id.localeCompare(b.id),
  );
  const rows: AssignmentRow[] = [];
  let machine = '';
  let position = 0;
  for (const op of sorted) {
    position = op.machine === machine ? position + 1 : 1;
    machine = op.machine;
    const planned = jobOf.get(op.id);
    rows.push({
      operationId: op.id,
      workOrderId: planned?.job ?? '',
      equipmentId: op.machine,
      position,
      setupStartsAt: instantOf(originMs, op.setupStart),
      startsAt: instantOf(originMs, op.start),
      endsAt: instantOf(originMs, op.end),
      frozen: planned?.frozen !== undefined,
    });
  }
  return rows;
}

function round(value: number, places: number): number {
  const f = 10 ** places;
  return Math.round(value * f) / f;
}
