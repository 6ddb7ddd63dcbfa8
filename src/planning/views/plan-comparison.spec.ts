import type { ScheduleKpis } from '../model/plan-outcome';
import type { OrderLabel } from '../model/plan-snapshot';
import { comparePlans, impactOf, type PlanSide } from './plan-comparison';

const label = (code: string, dueAt: string): OrderLabel => ({
  code,
  materialId: 'm',
  materialCode: 'M',
  quantity: '1',
  dueAt,
  priority: 'normal',
  status: 'planned',
  lineId: 'l',
});
const kpis = (k: Partial<ScheduleKpis>): ScheduleKpis => ({
  planStart: '2026-11-23T00:00:00.000Z',
  planEnd: '2026-11-24T00:00:00.000Z',
  makespanMinutes: 1440,
  totalTardinessMinutes: 0,
  totalWeightedTardiness: 0,
  totalSetupMinutes: 30,
  orderCount: 2,
  operationCount: 4,
  lateOrderCount: 0,
  lateOrders: [],
  utilisation: [{ equipmentId: 'e1', code: 'LATHE-1', utilisation: 0.5 }],
  averageUtilisation: 0.5,
  ...k,
});

/** A rush order R pushes A back by two hours past its due date; B is untouched. */
describe('comparePlans and impactOf: a rush insertion against the live plan', () => {
  const live: PlanSide = {
    id: 'live',
    code: 'SCH-1',
    name: null,
    status: 'published',
    kpis: kpis({}),
    orders: { A: label('WO-A', '2026-11-23T12:00:00.000Z'), B: label('WO-B', '2026-11-25T00:00:00.000Z') },
    ends: new Map([
      ['A', new Date('2026-11-23T11:00:00.000Z')],
      ['B', new Date('2026-11-24T00:00:00.000Z')],
    ]),
  };
  const rush: PlanSide = {
    id: 'rush',
    code: 'SCH-2',
    name: 'Rush WO-R',
    status: 'succeeded',
    kpis: kpis({
      planEnd: '2026-11-24T00:00:00.000Z',
      totalTardinessMinutes: 60,
      lateOrderCount: 1,
      utilisation: [{ equipmentId: 'e1', code: 'LATHE-1', utilisation: 0.625 }],
      averageUtilisation: 0.625,
    }),
    orders: { ...live.orders, R: label('WO-R', '2026-11-23T10:00:00.000Z') },
    ends: new Map([
      ['A', new Date('2026-11-23T13:00:00.000Z')],
      ['B', new Date('2026-11-24T00:00:00.000Z')],
      ['R', new Date('2026-11-23T09:00:00.000Z')],
    ]),
  };

  it('puts KPIs, orders and machines side by side', () => {
    const c = comparePlans(live, rush);
    expect(c.kpis.totalTardinessMinutes).toEqual({ left: 0, right: 60, delta: 60 });
    expect(c.kpis.planEnd.deltaMinutes).toBe(0);
    expect(c.machines).toEqual([
      { equipmentId: 'e1', code: 'LATHE-1', left: 0.5, right: 0.625, delta: 0.125 },
    ]);
    expect(c.orders.map((o) => [o.code, o.slipMinutes, o.leftLate, o.rightLate])).toEqual([
      ['WO-A', 120, false, true],
      ['WO-B', 0, false, false],
      ['WO-R', null, null, false],
    ]);
  });

  it('reports who slips, by how much, and who becomes late', () => {
    const impact = impactOf(comparePlans(live, rush), 'R');
    expect(impact.rushOrder).toMatchObject({
      code: 'WO-R',
      late: false,
      plannedEnd: '2026-11-23T09:00:00.000Z',
    });
    expect(impact.slipped).toEqual([
      expect.objectContaining({ code: 'WO-A', slipMinutes: 120, slipHours: 2, newlyLate: true }),
    ]);
    expect(impact.newlyLate).toEqual(['WO-A']);
    expect(impact.unchanged).toBe(1);
    expect(impact.advanced).toEqual([]);
  });
});
