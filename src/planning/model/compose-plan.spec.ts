import type { MachineCalendar } from '../../master-data/master-data.facade';
import type { FeedOperation, FeedWorkOrder, SchedulingFeed } from '../../production/production.facade';
import { validatePlan } from '../engine/plant';
import { composePlan, setupMatrix, UNKNOWN_SETUP, type ComposeInput } from './compose-plan';
import { RUSH_WEIGHT } from './plan-snapshot';

/**
 * Monday 23 Nov 2026 in Suzhou, 07:00 local (origin): a turning cell with two lathes on a 08:00–16:00 day
 * shift and a press without a calendar. A shaft order is running on LATHE-1; a gearbox order needs the shafts.
 */
const ORIGIN = new Date('2026-11-22T23:00:00Z'); // 07:00 local
const H = 3_600_000;
const at = (hours: number) => new Date(ORIGIN.getTime() + hours * H);
const day = (d: number) => ({ start: at(1 + 24 * d).toISOString(), end: at(9 + 24 * d).toISOString() });
const shifts = [0, 1, 2, 3, 4, 5, 6].map(day);

const machine = (
  id: string,
  workCenterId: string,
  intervals: MachineCalendar['intervals'],
): MachineCalendar => ({
  equipmentId: id,
  code: id.toUpperCase(),
  name: id,
  active: true,
  status: 'idle',
  workCenterId,
  workCenterCode: workCenterId.toUpperCase(),
  calendarCode: intervals ? 'CAL-DAY' : null,
  intervals,
});

const order = (o: Partial<FeedWorkOrder> & { id: string }): FeedWorkOrder => ({
  code: o.id.toUpperCase(),
  status: 'planned',
  priority: 'normal',
  materialId: `m-${o.id}`,
  quantity: '40',
  goodQty: '0',
  dueAt: at(48),
  plannedStart: null,
  plannedEnd: null,
  lineId: 'line',
  releasedAt: null,
  ...o,
});

const operation = (
  o: Partial<FeedOperation> & { id: string; workOrderId: string; seq: number },
): FeedOperation => ({
  name: `op ${o.seq}`,
  workCenterId: 'turn',
  predecessorId: null,
  status: 'waiting',
  remainingQty: '40',
  minTransferQty: null,
  equipmentOptions: [
    { equipmentId: 'lathe-1', runTimePerUnitSec: '45', setupTimeSec: '600', setupFamily: 'SHAFT' },
    { equipmentId: 'lathe-2', runTimePerUnitSec: '60', setupTimeSec: '600', setupFamily: 'SHAFT' },
  ],
  equipmentId: null,
  scheduledEquipmentId: null,
  scheduledStart: null,
  startedAt: null,
  ...o,
});

function input(overrides: Partial<ComposeInput> & { feed: SchedulingFeed }): ComposeInput {
  return {
    origin: ORIGIN,
    horizonEnd: at(24 * 7),
    objective: 'tardiness-then-makespan',
    frozenHorizonMinutes: 0,
    machines: [
      machine('lathe-1', 'turn', shifts),
      machine('lathe-2', 'turn', shifts),
      machine('press', 'assy', null),
    ],
    onHand: new Map(),
    materialCodes: new Map([['m-shaft', 'SHAFT-40']]),
    live: null,
    ...overrides,
  };
}

const press = [{ equipmentId: 'press', runTimePerUnitSec: '30', setupTimeSec: '0', setupFamily: null }];

describe('composePlan: the turning cell on Monday morning', () => {
  it('makes one job per order and one operation per open step, in working minutes, with batches and rush weight', () => {
    const snapshot = composePlan(
      input({
        feed: {
          workOrders: [order({ id: 'wo1', priority: 'rush', dueAt: at(30) })],
          operations: [
            operation({ id: 'op10', workOrderId: 'wo1', seq: 10, minTransferQty: '10' }),
            operation({
              id: 'op20',
              workOrderId: 'wo1',
              seq: 20,
              predecessorId: 'op10',
              workCenterId: 'assy',
              remainingQty: '40',
              equipmentOptions: press,
            }),
          ],
          materials: [],
          lastRuns: [],
        },
      }),
    );
    expect(snapshot.problem.jobs).toEqual([{ id: 'wo1', release: 0, due: 30 * 60, weight: RUSH_WEIGHT }]);
    const [turn, assemble] = snapshot.problem.operations;
    expect(turn).toMatchObject({
      modes: [
        { machine: 'lathe-1', duration: 30 },
        { machine: 'lathe-2', duration: 40 },
      ],
      family: 'SHAFT',
      predecessors: [],
    });
    // The press may start once 10 shafts are turned on the slower lathe (10 × 60 s).
    expect(assemble).toMatchObject({
      predecessors: ['op10'],
      transferAfter: 10,
      modes: [{ machine: 'press', duration: 20 }],
    });
    const lathe = snapshot.problem.machines.find((m) => m.id === 'lathe-1')!;
    expect(lathe.available![0]).toEqual([60, 540]);
    expect(lathe.initialFamily).toBe(UNKNOWN_SETUP);
    expect(lathe.setups).toEqual({ [UNKNOWN_SETUP]: { SHAFT: 10 } });
    expect(snapshot.problem.machines.find((m) => m.id === 'press')!.available).toBeUndefined();
    expect(snapshot.warnings.map((w) => w.code)).toEqual(['NO_CALENDAR']);
    expect(validatePlan(snapshot.problem)).toEqual([]);
  });

  it('keeps a running step on its machine from the next working minute, and the live plan inside the frozen horizon', () => {
    const feed: SchedulingFeed = {
      workOrders: [order({ id: 'wo1' }), order({ id: 'wo2', dueAt: at(72) })],
      operations: [
        operation({
          id: 'a10',
          workOrderId: 'wo1',
          seq: 10,
          status: 'running',
          equipmentId: 'lathe-2',
          remainingQty: '20',
        }),
        operation({ id: 'a20', workOrderId: 'wo1', seq: 20, predecessorId: 'a10', equipmentOptions: press }),
        operation({ id: 'b10', workOrderId: 'wo2', seq: 10 }),
        operation({ id: 'b20', workOrderId: 'wo2', seq: 20, predecessorId: 'b10', equipmentOptions: press }),
      ],
      materials: [],
      lastRuns: [
        {
          equipmentId: 'lathe-2',
          operationId: 'a10',
          workOrderId: 'wo1',
          materialId: 'm',
          seq: 10,
          running: true,
          setupFamily: 'SHAFT',
        },
      ],
    };
    const live = new Map([
      ['a20', { equipmentId: 'press', startsAt: at(1.5) }],
      ['b10', { equipmentId: 'lathe-1', startsAt: at(2) }],
      ['b20', { equipmentId: 'press', startsAt: at(30) }],
    ]);
    const snapshot = composePlan(input({ feed, live, frozenHorizonMinutes: 8 * 60 }));
    const ops = new Map(snapshot.problem.operations.map((o) => [o.id, o]));
    // Running on lathe-2 since before the shift: it goes on at 08:00 (minute 60).
    expect(ops.get('a10')!.frozen).toEqual({ machine: 'lathe-2', start: 60 });
    // 20 left × 60 s = 20 min: its successor's live start at 08:30 still fits after it.
    expect(ops.get('a20')!.frozen).toEqual({ machine: 'press', start: 90 });
    expect(ops.get('b10')!.frozen).toEqual({ machine: 'lathe-1', start: 120 });
    // Outside the 8-hour horizon: free to move.
    expect(ops.get('b20')!.frozen).toBeUndefined();
    expect(snapshot.operations.a10!.frozen).toBe('running');
    expect(snapshot.operations.b10!.frozen).toBe('horizon');
    expect(snapshot.problem.machines.find((m) => m.id === 'lathe-2')!.initialFamily).toBe('SHAFT');
    expect(validatePlan(snapshot.problem)).toEqual([]);
  });

  it('releases a frozen step the running step before it would now run into, and says so', () => {
    const feed: SchedulingFeed = {
      workOrders: [order({ id: 'wo1' }), order({ id: 'wo2' })],
      operations: [
        operation({
          id: 'a10',
          workOrderId: 'wo1',
          seq: 10,
          status: 'running',
          equipmentId: 'lathe-1',
          remainingQty: '80',
        }),
        operation({ id: 'b10', workOrderId: 'wo2', seq: 10 }),
        operation({ id: 'b20', workOrderId: 'wo2', seq: 20, predecessorId: 'b10', equipmentOptions: press }),
      ],
      materials: [],
      lastRuns: [],
    };
    // The live plan had b10 right after a10's planned end; a10 now needs 60 minutes from 08:00.
    const live = new Map([
      ['b10', { equipmentId: 'lathe-1', startsAt: at(1.5) }],
      ['b20', { equipmentId: 'press', startsAt: at(2.5) }],
    ]);
    const snapshot = composePlan(input({ feed, live, frozenHorizonMinutes: 8 * 60 }));
    const ops = new Map(snapshot.problem.operations.map((o) => [o.id, o]));
    expect(ops.get('a10')!.frozen).toEqual({ machine: 'lathe-1', start: 60 });
    expect(ops.get('b10')!.frozen).toBeUndefined();
    expect(ops.get('b20')!.frozen).toBeUndefined();
    expect(snapshot.warnings.filter((w) => w.code === 'FREEZE_RELEASED').map((w) => w.operationId)).toEqual([
      'b10',
      'b20',
    ]);
    expect(validatePlan(snapshot.problem)).toEqual([]);
  });

  it('covers material from stock first, then waits for the order that makes it, and reports the rest', () => {
    const feed: SchedulingFeed = {
      workOrders: [
        order({ id: 'shafts', materialId: 'm-shaft', quantity: '30', dueAt: at(24) }),
        order({ id: 'gearbox', materialId: 'm-gb', dueAt: at(48) }),
      ],
      operations: [
        operation({ id: 's10', workOrderId: 'shafts', seq: 10 }),
        operation({
          id: 'g10',
          workOrderId: 'gearbox',
          seq: 10,
          workCenterId: 'assy',
          equipmentOptions: press,
        }),
      ],
      // 40 shafts needed: 5 in stock, 30 from the shaft order, 5 from nowhere.
      materials: [{ workOrderId: 'gearbox', materialId: 'm-shaft', openQty: '40', operationSeq: 10 }],
      lastRuns: [],
    };
    const snapshot = composePlan(input({ feed, onHand: new Map([['m-shaft', '5']]) }));
    expect(snapshot.problem.operations.find((o) => o.id === 'g10')!.predecessors).toEqual(['s10']);
    expect(snapshot.warnings.filter((w) => w.code === 'MATERIAL_SHORT')).toEqual([
      expect.objectContaining({
        workOrderId: 'gearbox',
        materialId: 'm-shaft',
        message: expect.stringContaining('5 SHAFT-40'),
      }),
    ]);
    expect(validatePlan(snapshot.problem)).toEqual([]);
  });

  it('leaves out held orders and orders with no active machine, telling the planner', () => {
    const feed: SchedulingFeed = {
      workOrders: [order({ id: 'held', status: 'held' }), order({ id: 'orphan' })],
      operations: [
        operation({ id: 'h10', workOrderId: 'held', seq: 10 }),
        operation({
          id: 'o10',
          workOrderId: 'orphan',
          seq: 10,
          equipmentOptions: [
            { equipmentId: 'scrapped', runTimePerUnitSec: '10', setupTimeSec: '0', setupFamily: null },
          ],
        }),
      ],
      materials: [],
      lastRuns: [],
    };
    const snapshot = composePlan(input({ feed }));
    expect(snapshot.problem.jobs).toEqual([]);
    expect(snapshot.warnings.map((w) => [w.code, w.workOrderId])).toEqual([
      ['ORDER_HELD', 'held'],
      ['NO_ACTIVE_MACHINE', 'orphan'],
    ]);
  });
});

describe('setupMatrix', () => {
  it('charges the setup of the next family whenever the family changes', () => {
    expect(setupMatrix({ A: 10, B: 0, C: 5 }, 'X')).toEqual({
      A: { C: 5 },
      B: { A: 10, C: 5 },
      C: { A: 10 },
      X: { A: 10, C: 5 },
    });
  });
});
