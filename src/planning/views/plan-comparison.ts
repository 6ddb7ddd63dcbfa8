import type { ScheduleKpis } from '../model/plan-outcome';
import type { OrderLabel } from '../model/plan-snapshot';

/** One side of a comparison: a version's KPIs, orders and where each order ends. */
export interface PlanSide {
  id: string;
  code: string;
  name: string | null;
  status: string;
  kpis: ScheduleKpis | null;
  orders: Readonly<Record<string, OrderLabel>>;
  ends: ReadonlyMap<string, Date>;
}

export interface KpiDelta {
  left: number | null;
  right: number | null;
  /** right − left; negative is better for every figure but utilisation. */
  delta: number | null;
}

export interface OrderComparison {
  workOrderId: string;
  code: string;
  dueAt: string;
  leftEnd: string | null;
  rightEnd: string | null;
  /** How much later the right plan finishes the order (negative: earlier). */
  slipMinutes: number | null;
  leftLate: boolean | null;
  rightLate: boolean | null;
}

export interface PlanComparison {
  left: Omit<PlanSide, 'orders' | 'ends'>;
  right: Omit<PlanSide, 'orders' | 'ends'>;
  kpis: {
    planEnd: { left: string | null; right: string | null; deltaMinutes: number | null };
    makespanMinutes: KpiDelta;
    totalTardinessMinutes: KpiDelta;
    totalWeightedTardiness: KpiDelta;
    lateOrderCount: KpiDelta;
    totalSetupMinutes: KpiDelta;
    averageUtilisation: KpiDelta;
  };
  orders: OrderComparison[];
  machines: Array<{ equipmentId: string; code: string } & KpiDelta>;
}

/** Two plans side by side (left: the reference, e.g. the live plan; right: the candidate). Pure. */
export function comparePlans(left: PlanSide, right: PlanSide): PlanComparison {
  const kpi = (pick: (k: ScheduleKpis) => number): KpiDelta => {
    const l = left.kpis ? pick(left.kpis) : null;
    const r = right.kpis ? pick(right.kpis) : null;
    return { left: l, right: r, delta: l !== null && r !== null ? round(r - l, 3) : null };
  };
  const ids = [...new Set([...Object.keys(left.orders), ...Object.keys(right.orders)])];
  const orders = ids.map((id): OrderComparison => {
    const label = right.orders[id] ?? left.orders[id]!;
    const due = Date.parse(label.dueAt);
    const l = left.ends.get(id) ?? null;
    const r = right.ends.get(id) ?? null;
    return {
      workOrderId: id,
      code: label.code,
      dueAt: label.dueAt,
      leftEnd: l?.toISOString() ?? null,
      rightEnd: r?.toISOString() ?? null,
      slipMinutes: l && r ? Math.round((r.getTime() - l.getTime()) / 60_000) : null,
      leftLate: l ? l.getTime() > Date.parse(left.orders[id]?.dueAt ?? label.dueAt) : null,
      rightLate: r ? r.getTime() > due : null,
    };
  });
  orders.sort(
    (a, b) => (b.slipMinutes ?? -Infinity) - (a.slipMinutes ?? -Infinity) || a.code.localeCompare(b.code),
  );
  const utilisation = (side: PlanSide) =>
    new Map((side.kpis?.utilisation ?? []).map((u) => [u.equipmentId, u]));
  const lu = utilisation(left);
  const ru = utilisation(right);
  const machines = [...new Set([...lu.keys(), ...ru.keys()])]
    .map((equipmentId) => {
      const l = lu.get(equipmentId)?.utilisation ?? null;
      const r = ru.get(equipmentId)?.utilisation ?? null;
      return {
        equipmentId,
        code: ru.get(equipmentId)?.code ?? lu.get(equipmentId)?.code ?? equipmentId,
        left: l,
        right: r,
        delta: l !== null && r !== null ? round(r - l, 3) : null,
      };
    })
    .sort((a, b) => a.code.localeCompare(b.code));
  const leftEnd = left.kpis?.planEnd ?? null;
  const rightEnd = right.kpis?.planEnd ?? null;
  const { orders: _lo, ends: _le, ...leftSummary } = left;
  const { orders: _ro, ends: _re, ...rightSummary } = right;
  return {
    left: leftSummary,
    right: rightSummary,
    kpis: {
      planEnd: {
        left: leftEnd,
        right: rightEnd,
        deltaMinutes:
          leftEnd && rightEnd ? Math.round((Date.parse(rightEnd) - Date.parse(leftEnd)) / 60_000) : null,
      },
      makespanMinutes: kpi((k) => k.makespanMinutes),
      totalTardinessMinutes: kpi((k) => k.totalTardinessMinutes),
      totalWeightedTardiness: kpi((k) => k.totalWeightedTardiness),
      lateOrderCount: kpi((k) => k.lateOrderCount),
      totalSetupMinutes: kpi((k) => k.totalSetupMinutes),
      averageUtilisation: kpi((k) => k.averageUtilisation),
    },
    orders,
    machines,
  };
}

export interface ImpactReport {
  versionId: string;
  code: string;
  baseline: { id: string; code: string };
  rushOrder: {
    workOrderId: string;
    code: string;
    dueAt: string;
    plannedEnd: string | null;
    late: boolean;
    minutesLate: number;
  } | null;
  /** Orders the insertion finishes later, most first. */
  slipped: Array<OrderComparison & { slipHours: number; newlyLate: boolean }>;
  /** Orders it finishes earlier. */
  advanced: OrderComparison[];
  unchanged: number;
  newlyLate: string[];
  kpis: PlanComparison['kpis'];
}

/** A rush insertion's impact: which orders of the live plan finish later, and by how much. Pure. */
export function impactOf(comparison: PlanComparison, rushWorkOrderId: string | null): ImpactReport {
  const others = comparison.orders.filter((o) => o.workOrderId !== rushWorkOrderId && o.slipMinutes !== null);
  const slipped = others
    .filter((o) => o.slipMinutes! > 0)
    .map((o) => ({
      ...o,
      slipHours: round(o.slipMinutes! / 60, 2),
      newlyLate: o.rightLate === true && o.leftLate === false,
    }));
  const rush = rushWorkOrderId ? comparison.orders.find((o) => o.workOrderId === rushWorkOrderId) : undefined;
  const rushEnd = rush?.rightEnd ? Date.parse(rush.rightEnd) : null;
  const minutesLate =
    rush && rushEnd !== null ? Math.max(0, Math.round((rushEnd - Date.parse(rush.dueAt)) / 60_000)) : 0;
  return {
    versionId: comparison.right.id,
    code: comparison.right.code,
    baseline: { id: comparison.left.id, code: comparison.left.code },
    rushOrder: rush
      ? {
          workOrderId: rush.workOrderId,
          code: rush.code,
          dueAt: rush.dueAt,
          plannedEnd: rush.rightEnd,
          late: minutesLate > 0,
          minutesLate,
        }
      : null,
    slipped,
    advanced: others.filter((o) => o.slipMinutes! < 0).sort((a, b) => a.slipMinutes! - b.slipMinutes!),
    unchanged: others.filter((o) => o.slipMinutes === 0).length,
    newlyLate: slipped.filter((o) => o.newlyLate).map((o) => o.code),
    kpis: comparison.kpis,
  };
}

function round(value: number, places: number): number {
  const f = 10 ** places;
  return Math.round(value * f) / f;
}
