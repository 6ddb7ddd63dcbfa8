import { validatePlan } from '../engine/plant';
import type { PlanSnapshot } from './plan-snapshot';
import { applyScenarioChanges } from './scenario-changes';

/**
 * A copied live plan (origin Monday 07:00 local = 23:00Z Sunday): two lathes on an 08:00–16:00 shift, two orders,
 * the first step of order A frozen by the horizon on LATHE-1 at 08:00.
 */
const ORIGIN = '2026-11-22T23:00:00.000Z';
const iso = (minute: number) => new Date(Date.parse(ORIGIN) + minute * 60_000).toISOString();
const shift = (d: number): [number, number] => [60 + d * 1440, 540 + d * 1440];

function base(): PlanSnapshot {
  return {
    origin: ORIGIN,
    horizonEnd: iso(7 * 1440),
    problem: {
      objective: 'tardiness-then-makespan',
      machines: [
        { id: 'lathe-1', available: [shift(0), shift(1)], setups: { X: { A: 10 } }, initialFamily: 'X' },
        { id: 'lathe-2', available: [shift(0), shift(1)], setups: {}, initialFamily: 'X' },
      ],
      jobs: [
        { id: 'A', release: 0, due: 600, weight: 1 },
        { id: 'B', release: 0, due: 2000, weight: 1 },
      ],
      operations: [
        {
          id: 'a10',
          job: 'A',
          predecessors: [],
          modes: [{ machine: 'lathe-1', duration: 60 }],
          family: 'A',
          frozen: { machine: 'lathe-1', start: 60 },
        },
        {
          id: 'a20',
          job: 'A',
          predecessors: ['a10'],
          modes: [{ machine: 'lathe-2', duration: 30 }],
          family: 'A',
        },
        {
          id: 'b10',
          job: 'B',
          predecessors: ['a20'],
          modes: [{ machine: 'lathe-2', duration: 45 }],
          family: 'B',
        },
      ],
    },
    machines: {
      'lathe-1': {
        code: 'LATHE-1',
        name: 'Lathe 1',
        workCenterId: 'turn',
        workCenterCode: 'TURN',
        calendarCode: 'DAY',
        setups: { A: 10 },
      },
      'lathe-2': {
        code: 'LATHE-2',
        name: 'Lathe 2',
        workCenterId: 'turn',
        workCenterCode: 'TURN',
        calendarCode: 'DAY',
        setups: {},
      },
    },
    orders: {
      A: {
        code: 'WO-A',
        materialId: 'm',
        materialCode: 'M',
        quantity: '10',
        dueAt: iso(600),
        priority: 'normal',
        status: 'planned',
        lineId: 'l',
      },
      B: {
        code: 'WO-B',
        materialId: 'm',
        materialCode: 'M',
        quantity: '10',
        dueAt: iso(2000),
        priority: 'normal',
        status: 'planned',
        lineId: 'l',
      },
    },
    operations: {
      a10: {
        workOrderId: 'A',
        seq: 10,
        name: 'Turn',
        workCenterId: 'turn',
        status: 'ready',
        frozen: 'horizon',
      },
      a20: { workOrderId: 'A', seq: 20, name: 'Finish', workCenterId: 'turn', status: 'waiting' },
      b10: { workOrderId: 'B', seq: 10, name: 'Turn', workCenterId: 'turn', status: 'waiting' },
    },
    warnings: [],
  };
}

describe('applyScenarioChanges: what if on the copied live plan', () => {
  it('takes a machine down: no work in the period, frozen work there is freed, the copy is changed and not the base', () => {
    const original = base();
    const { snapshot, errors } = applyScenarioChanges(
      original,
      [{ type: 'machine_down', equipmentId: 'lathe-1', from: iso(0), to: iso(240) }],
      null,
    );
    expect(errors).toEqual([]);
    expect(snapshot.problem.machines[0]!.available).toEqual([[240, 540], shift(1)]);
    expect(snapshot.problem.operations[0]!.frozen).toBeUndefined();
    expect(snapshot.operations.a10!.frozen).toBeUndefined();
    expect(original.problem.operations[0]!.frozen).toEqual({ machine: 'lathe-1', start: 60 });
    expect(validatePlan(snapshot.problem)).toEqual([]);
  });

  it('lets a step running on a machine taken down go on when the machine is back', () => {
    const running = base();
    running.problem.operations = [
      ...running.problem.operations,
      {
        id: 'c10',
        job: 'B',
        predecessors: [],
        modes: [{ machine: 'lathe-2', duration: 30 }],
        family: 'B',
        frozen: { machine: 'lathe-2', start: 60 },
      },
    ];
    running.operations.c10 = {
      workOrderId: 'B',
      seq: 5,
      name: 'Saw',
      workCenterId: 'turn',
      status: 'running',
      frozen: 'running',
    };
    const { snapshot } = applyScenarioChanges(
      running,
      [{ type: 'machine_down', equipmentId: 'lathe-2', from: iso(0), to: iso(120) }],
      null,
    );
    expect(snapshot.problem.operations.find((o) => o.id === 'c10')!.frozen).toEqual({
      machine: 'lathe-2',
      start: 120,
    });
    expect(validatePlan(snapshot.problem)).toEqual([]);
  });

  it('adds overtime to every machine of a work center, changes priorities and due dates, removes an order', () => {
    const { snapshot, errors } = applyScenarioChanges(
      base(),
      [
        { type: 'overtime', workCenterId: 'turn', from: iso(540), to: iso(780) },
        { type: 'set_priority', workOrderId: 'B', priority: 'rush' },
        { type: 'set_due', workOrderId: 'B', dueAt: iso(900) },
        { type: 'remove_order', workOrderId: 'A' },
      ],
      null,
    );
    expect(errors).toEqual([]);
    expect(snapshot.problem.jobs).toEqual([{ id: 'B', release: 0, due: 900, weight: 10 }]);
    expect(snapshot.orders.B).toMatchObject({ priority: 'rush', dueAt: iso(900) });
    // B no longer waits for A, and lathe-1 has no work left in the plan.
    expect(snapshot.problem.operations).toEqual([expect.objectContaining({ id: 'b10', predecessors: [] })]);
    expect(snapshot.problem.machines.map((m) => [m.id, m.available])).toEqual([
      ['lathe-2', [[60, 780], shift(1)]],
    ]);
    expect(Object.keys(snapshot.machines)).toEqual(['lathe-2']);
    expect(validatePlan(snapshot.problem)).toEqual([]);
  });

  it('names every change that does not fit the plan', () => {
    const { errors } = applyScenarioChanges(
      base(),
      [
        { type: 'machine_down', equipmentId: 'press', from: iso(0), to: iso(60) },
        { type: 'overtime', equipmentId: 'lathe-1', from: iso(100), to: iso(50) },
        { type: 'set_due', workOrderId: 'Z', dueAt: iso(10) },
        { type: 'add_order', workOrderId: 'A' },
        { type: 'machine_down', equipmentId: 'lathe-2', from: iso(20_000), to: iso(20_060) },
      ],
      null,
    );
    expect(errors).toEqual([
      { field: 'changes[0].equipmentId', message: 'the machine has no work in this plan' },
      { field: 'changes[1].to', message: 'must be after from' },
      { field: 'changes[2].workOrderId', message: 'the order is not in this plan' },
      { field: 'changes[3].workOrderId', message: 'the order is in the plan already' },
      { field: 'changes[4].from', message: expect.stringContaining('lies outside the plan') },
    ]);
  });
});
