import {
  OPERATION_STATUSES,
  WAITING_REASONS,
  dispatchState,
  predecessorAllowsStart,
  type DispatchStateInput,
  type OperationStatus,
  type WaitingReason,
} from './operation-state';
import { WORK_ORDER_STATUSES, type WorkOrderStatus } from './work-order-state';

type Predecessor = { status: OperationStatus; goodQty: string } | null;

/** Op 20 (milling) of a released gearbox order whose op 10 (turning) is done: nothing blocks it. */
const unblocked: DispatchStateInput = {
  status: 'waiting',
  workOrderStatus: 'released',
  predecessor: { status: 'completed', goodQty: '100' },
  minTransferQty: null,
  materialShort: false,
  machinesDown: false,
};

describe('predecessorAllowsStart (overlapping operations with a minimum transfer quantity)', () => {
  it.each`
    situation                                                              | predecessor                                    | minTransferQty | allows
    ${'the first operation of the routing has no predecessor'}             | ${null}                                        | ${null}        | ${true}
    ${'turning is completed, milling may start'}                           | ${{ status: 'completed', goodQty: '100' }}     | ${null}        | ${true}
    ${'turning is completed with fewer parts than the transfer quantity'}  | ${{ status: 'completed', goodQty: '12' }}      | ${'20'}        | ${true}
    ${'turning completed with every part scrapped still releases milling'} | ${{ status: 'completed', goodQty: '0' }}       | ${null}        | ${true}
    ${'no overlap allowed: turning still running with 95 of 100 good'}     | ${{ status: 'running', goodQty: '95' }}        | ${null}        | ${false}
    ${'overlap at 20: turning has passed on 19'}                           | ${{ status: 'running', goodQty: '19' }}        | ${'20'}        | ${false}
    ${'overlap at 20: turning has passed on exactly 20'}                   | ${{ status: 'running', goodQty: '20' }}        | ${'20'}        | ${true}
    ${'overlap at 20: turning paused after 35 good'}                       | ${{ status: 'paused', goodQty: '35.000000' }}  | ${'20'}        | ${true}
    ${'overlap at 20: stored as numeric(18,6) on both sides'}              | ${{ status: 'running', goodQty: '20.000000' }} | ${'20.0'}      | ${true}
    ${'overlap at 20: turning has not started'}                            | ${{ status: 'waiting', goodQty: '0' }}         | ${'20'}        | ${false}
    ${'a coil slitting line passes on 12.5 m, transfer at 12.75 m'}        | ${{ status: 'running', goodQty: '12.5' }}      | ${'12.75'}     | ${false}
    ${'full overlap (transfer 0): the next operation may start at once'}   | ${{ status: 'ready', goodQty: '0' }}           | ${'0'}         | ${true}
  `(
    '$situation → $allows',
    ({
      predecessor,
      minTransferQty,
      allows,
    }: {
      predecessor: Predecessor;
      minTransferQty: string | null;
      allows: boolean;
    }) => {
      expect(predecessorAllowsStart(predecessor, minTransferQty)).toBe(allows);
    },
  );

  it('refuses a malformed quantity loudly instead of guessing', () => {
    expect(() => predecessorAllowsStart({ status: 'running', goodQty: '20 pcs' }, '20')).toThrow(RangeError);
  });
});

describe('dispatchState (what the dispatch list shows for an operation)', () => {
  it.each`
    situation                                                           | change                                                                                                                    | state          | reasons
    ${'milling with turning done, material and machine available'}      | ${{}}                                                                                                                     | ${'ready'}     | ${[]}
    ${'a stored "ready" operation stays ready while nothing blocks it'} | ${{ status: 'ready' }}                                                                                                    | ${'ready'}     | ${[]}
    ${'the first operation of a kitting order'}                         | ${{ workOrderStatus: 'kitting', predecessor: null }}                                                                      | ${'ready'}     | ${[]}
    ${'the next operation of an order already running'}                 | ${{ workOrderStatus: 'running' }}                                                                                         | ${'ready'}     | ${[]}
    ${'the order is still only planned'}                                | ${{ workOrderStatus: 'planned' }}                                                                                         | ${'waiting'}   | ${['work_order_not_released']}
    ${'the order is a draft'}                                           | ${{ workOrderStatus: 'draft' }}                                                                                           | ${'waiting'}   | ${['work_order_not_released']}
    ${'quality has put the order on hold'}                              | ${{ workOrderStatus: 'held' }}                                                                                            | ${'waiting'}   | ${['work_order_held']}
    ${'a stored "ready" operation whose order was put on hold'}         | ${{ status: 'ready', workOrderStatus: 'held' }}                                                                           | ${'waiting'}   | ${['work_order_held']}
    ${'milling waits for turning to reach the transfer quantity of 20'} | ${{ predecessor: { status: 'running', goodQty: '8' }, minTransferQty: '20' }}                                             | ${'waiting'}   | ${['predecessor']}
    ${'milling may overlap: turning has passed on 20 of 100'}           | ${{ predecessor: { status: 'running', goodQty: '20' }, minTransferQty: '20' }}                                            | ${'ready'}     | ${[]}
    ${'assembly waits for the bearings (short)'}                        | ${{ materialShort: true }}                                                                                                | ${'waiting'}   | ${['material']}
    ${'both milling centres are in maintenance'}                        | ${{ machinesDown: true }}                                                                                                 | ${'waiting'}   | ${['machine_down']}
    ${'everything blocks at once, all reasons are listed in order'}     | ${{ workOrderStatus: 'held', predecessor: { status: 'running', goodQty: '0' }, materialShort: true, machinesDown: true }} | ${'waiting'}   | ${['work_order_held', 'predecessor', 'material', 'machine_down']}
    ${'a planned order with short material shows both'}                 | ${{ workOrderStatus: 'planned', materialShort: true }}                                                                    | ${'waiting'}   | ${['work_order_not_released', 'material']}
    ${'a leftover operation of a completed order does not crash'}       | ${{ workOrderStatus: 'completed' }}                                                                                       | ${'waiting'}   | ${['work_order_not_released']}
    ${'a leftover operation of a closed order'}                         | ${{ workOrderStatus: 'closed' }}                                                                                          | ${'waiting'}   | ${['work_order_not_released']}
    ${'an operation of a cancelled order'}                              | ${{ workOrderStatus: 'cancelled' }}                                                                                       | ${'waiting'}   | ${['work_order_not_released']}
    ${'a running operation keeps running even if its order is held'}    | ${{ status: 'running', workOrderStatus: 'held', materialShort: true }}                                                    | ${'running'}   | ${[]}
    ${'a paused operation stays paused while its machine is down'}      | ${{ status: 'paused', machinesDown: true }}                                                                               | ${'paused'}    | ${[]}
    ${'a completed operation stays completed'}                          | ${{ status: 'completed', workOrderStatus: 'cancelled' }}                                                                  | ${'completed'} | ${[]}
  `(
    '$situation → $state $reasons',
    ({
      change,
      state,
      reasons,
    }: {
      change: Partial<DispatchStateInput>;
      state: OperationStatus;
      reasons: WaitingReason[];
    }) => {
      expect(dispatchState({ ...unblocked, ...change })).toEqual({ state, waitingReasons: reasons });
    },
  );

  it('never crashes and lists reasons in WAITING_REASONS order for any stored state and order state', () => {
    for (const status of OPERATION_STATUSES) {
      for (const workOrderStatus of WORK_ORDER_STATUSES as readonly WorkOrderStatus[]) {
        const result = dispatchState({
          ...unblocked,
          status,
          workOrderStatus,
          predecessor: { status: 'running', goodQty: '5' },
          minTransferQty: '20',
          materialShort: true,
          machinesDown: true,
        });
        const order = result.waitingReasons.map((reason) => WAITING_REASONS.indexOf(reason));
        expect(order).toEqual([...order].sort((a, b) => a - b));
        expect(result.state === 'waiting').toBe(result.waitingReasons.length > 0);
      }
    }
  });
});
