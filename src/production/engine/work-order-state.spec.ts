import {
  WORK_ORDER_COMMANDS,
  WORK_ORDER_STATUSES,
  allowedWorkOrderCommands,
  isWorkOrderStatus,
  transitionWorkOrder,
  type WorkOrderCommand,
  type WorkOrderStateContext,
  type WorkOrderStatus,
} from './work-order-state';

interface Move {
  from: WorkOrderStatus;
  command: WorkOrderCommand;
  ctx: WorkOrderStateContext;
  to: WorkOrderStatus;
}

interface Refusal {
  from: WorkOrderStatus;
  command: WorkOrderCommand;
  ctx: WorkOrderStateContext;
  reason: string;
}

describe('transitionWorkOrder (work order lifecycle)', () => {
  it.each`
    situation                                                              | from           | command            | ctx                                            | to
    ${'the planner schedules a new gearbox order'}                         | ${'draft'}     | ${'plan'}          | ${{}}                                          | ${'planned'}
    ${'the scheduled order is released to the shop floor'}                 | ${'planned'}   | ${'release'}       | ${{}}                                          | ${'released'}
    ${'the warehouse starts picking the kit'}                              | ${'released'}  | ${'start_kitting'} | ${{}}                                          | ${'kitting'}
    ${'the kit is complete at the line'}                                   | ${'kitting'}   | ${'mark_ready'}    | ${{}}                                          | ${'ready'}
    ${'an order without components is ready right after release'}          | ${'released'}  | ${'mark_ready'}    | ${{}}                                          | ${'ready'}
    ${'the first operation starts on a ready order'}                       | ${'ready'}     | ${'start'}         | ${{}}                                          | ${'running'}
    ${'the first operation starts while the kit is still being picked'}    | ${'kitting'}   | ${'start'}         | ${{}}                                          | ${'running'}
    ${'the first operation starts straight after release'}                 | ${'released'}  | ${'start'}         | ${{}}                                          | ${'running'}
    ${'quality stops a running order'}                                     | ${'running'}   | ${'hold'}          | ${{}}                                          | ${'held'}
    ${'a customer change request stops a released order'}                  | ${'released'}  | ${'hold'}          | ${{}}                                          | ${'held'}
    ${'a missing drawing stops the kitting'}                               | ${'kitting'}   | ${'hold'}          | ${{}}                                          | ${'held'}
    ${'a ready order is put on hold before starting'}                      | ${'ready'}     | ${'hold'}          | ${{}}                                          | ${'held'}
    ${'quality releases the stopped order: back to running'}               | ${'held'}      | ${'resume'}        | ${{ heldFrom: 'running' }}                     | ${'running'}
    ${'the change request is settled: back to kitting'}                    | ${'held'}      | ${'resume'}        | ${{ heldFrom: 'kitting' }}                     | ${'kitting'}
    ${'a hold before start resumes to ready'}                              | ${'held'}      | ${'resume'}        | ${{ heldFrom: 'ready' }}                       | ${'ready'}
    ${'a hold right after release resumes to released'}                    | ${'held'}      | ${'resume'}        | ${{ heldFrom: 'released' }}                    | ${'released'}
    ${'the last operation reports the full quantity'}                      | ${'running'}   | ${'complete'}      | ${{}}                                          | ${'completed'}
    ${'controlling closes the costed order'}                               | ${'completed'} | ${'close'}         | ${{}}                                          | ${'closed'}
    ${'a duplicate draft is deleted'}                                      | ${'draft'}     | ${'cancel'}        | ${{}}                                          | ${'cancelled'}
    ${'the customer cancels a planned order'}                              | ${'planned'}   | ${'cancel'}        | ${{}}                                          | ${'cancelled'}
    ${'a released order is cancelled before anything was picked'}          | ${'released'}  | ${'cancel'}        | ${{}}                                          | ${'cancelled'}
    ${'an order is cancelled during kitting (kit goes back to stock)'}     | ${'kitting'}   | ${'cancel'}        | ${{}}                                          | ${'cancelled'}
    ${'a ready order is cancelled before start'}                           | ${'ready'}     | ${'cancel'}        | ${{}}                                          | ${'cancelled'}
    ${'an order held during kitting is cancelled'}                         | ${'held'}      | ${'cancel'}        | ${{ heldFrom: 'kitting', hasProgress: false }} | ${'cancelled'}
    ${'an order held with an unknown origin but no progress is cancelled'} | ${'held'}      | ${'cancel'}        | ${{ heldFrom: null }}                          | ${'cancelled'}
  `('$situation: $from --$command--> $to', ({ from, command, ctx, to }: Move) => {
    expect(transitionWorkOrder(from, command, ctx)).toEqual({ ok: true, status: to });
  });

  it.each`
    situation                                                        | from           | command            | ctx                                         | reason
    ${'releasing an order twice'}                                    | ${'released'}  | ${'release'}       | ${{}}                                       | ${'Work order is released; it cannot be released'}
    ${'releasing a finished order'}                                  | ${'completed'} | ${'release'}       | ${{}}                                       | ${'Work order is completed; it cannot be released'}
    ${'releasing a draft that was never scheduled'}                  | ${'draft'}     | ${'release'}       | ${{}}                                       | ${'Work order is draft; it cannot be released'}
    ${'kitting an order that is not released'}                       | ${'planned'}   | ${'start_kitting'} | ${{}}                                       | ${'Work order is planned; it cannot be kitted'}
    ${'starting an unreleased order'}                                | ${'planned'}   | ${'start'}         | ${{}}                                       | ${'Work order is planned; it cannot be started'}
    ${'starting a held order instead of resuming it'}                | ${'held'}      | ${'start'}         | ${{ heldFrom: 'ready' }}                    | ${'Work order is held; it cannot be started'}
    ${'marking a running order ready'}                               | ${'running'}   | ${'mark_ready'}    | ${{}}                                       | ${'Work order is running; it cannot be marked ready'}
    ${'holding a held order again'}                                  | ${'held'}      | ${'hold'}          | ${{ heldFrom: 'running' }}                  | ${'Work order is held; it cannot be put on hold'}
    ${'holding a draft'}                                             | ${'draft'}     | ${'hold'}          | ${{}}                                       | ${'Work order is draft; it cannot be put on hold'}
    ${'resuming an order that is not held'}                          | ${'running'}   | ${'resume'}        | ${{ heldFrom: 'running' }}                  | ${'Work order is running; it cannot be resumed'}
    ${'resuming a hold whose origin was lost'}                       | ${'held'}      | ${'resume'}        | ${{}}                                       | ${'Work order is held but the state it was held from is unknown; it cannot be resumed'}
    ${'resuming a hold whose stored origin is null'}                 | ${'held'}      | ${'resume'}        | ${{ heldFrom: null }}                       | ${'Work order is held but the state it was held from is unknown; it cannot be resumed'}
    ${'resuming a hold whose stored origin is corrupt'}              | ${'held'}      | ${'resume'}        | ${{ heldFrom: 'completed' }}                | ${'Work order is held from completed, which cannot be put on hold; it cannot be resumed'}
    ${'completing an order that never started'}                      | ${'ready'}     | ${'complete'}      | ${{}}                                       | ${'Work order is ready; it cannot be completed'}
    ${'completing a held order'}                                     | ${'held'}      | ${'complete'}      | ${{ heldFrom: 'running' }}                  | ${'Work order is held; it cannot be completed'}
    ${'closing a running order'}                                     | ${'running'}   | ${'close'}         | ${{}}                                       | ${'Work order is running; it cannot be closed'}
    ${'planning a cancelled order'}                                  | ${'cancelled'} | ${'plan'}          | ${{}}                                       | ${'Work order is cancelled; it cannot be planned'}
    ${'cancelling an order in production'}                           | ${'running'}   | ${'cancel'}        | ${{}}                                       | ${'Work order is running; it cannot be cancelled because work has started'}
    ${'cancelling a finished order'}                                 | ${'completed'} | ${'cancel'}        | ${{}}                                       | ${'Work order is completed; it cannot be cancelled because work has started'}
    ${'cancelling a closed order'}                                   | ${'closed'}    | ${'cancel'}        | ${{}}                                       | ${'Work order is closed; it cannot be cancelled because it is already final'}
    ${'cancelling a cancelled order'}                                | ${'cancelled'} | ${'cancel'}        | ${{}}                                       | ${'Work order is cancelled; it cannot be cancelled because it is already final'}
    ${'cancelling an order held while running'}                      | ${'held'}      | ${'cancel'}        | ${{ heldFrom: 'running' }}                  | ${'Work order is held after work has started; it cannot be cancelled'}
    ${'cancelling an order held before start but with scrap booked'} | ${'held'}      | ${'cancel'}        | ${{ heldFrom: 'ready', hasProgress: true }} | ${'Work order is held after work has started; it cannot be cancelled'}
  `('refuses $situation', ({ from, command, ctx, reason }: Refusal) => {
    expect(transitionWorkOrder(from, command, ctx)).toEqual({
      ok: false,
      current: from,
      allowed: allowedWorkOrderCommands(from, ctx),
      reason,
    });
  });

  it('names the commands still open in a refusal, in command order', () => {
    expect(transitionWorkOrder('completed', 'release')).toEqual({
      ok: false,
      current: 'completed',
      allowed: ['close'],
      reason: 'Work order is completed; it cannot be released',
    });
  });

  it('works without a context for every state and command', () => {
    for (const status of WORK_ORDER_STATUSES) {
      for (const command of WORK_ORDER_COMMANDS) {
        expect(() => transitionWorkOrder(status, command)).not.toThrow();
      }
    }
  });

  it('a full production run from draft to closed with a quality hold in between', () => {
    const steps: [WorkOrderCommand, WorkOrderStateContext, WorkOrderStatus][] = [
      ['plan', {}, 'planned'],
      ['release', {}, 'released'],
      ['start_kitting', {}, 'kitting'],
      ['mark_ready', {}, 'ready'],
      ['start', {}, 'running'],
      ['hold', {}, 'held'],
      ['resume', { heldFrom: 'running', hasProgress: true }, 'running'],
      ['complete', {}, 'completed'],
      ['close', {}, 'closed'],
    ];
    let status: WorkOrderStatus = 'draft';
    for (const [command, ctx, expected] of steps) {
      const result = transitionWorkOrder(status, command, ctx);
      expect(result).toEqual({ ok: true, status: expected });
      status = expected;
    }
    expect(allowedWorkOrderCommands(status)).toEqual([]);
  });
});

describe('allowedWorkOrderCommands (what the UI offers)', () => {
  it.each`
    situation                                                | current        | ctx                                           | allowed
    ${'a fresh draft'}                                       | ${'draft'}     | ${{}}                                         | ${['plan', 'cancel']}
    ${'a scheduled order'}                                   | ${'planned'}   | ${{}}                                         | ${['release', 'cancel']}
    ${'a released order'}                                    | ${'released'}  | ${{}}                                         | ${['start_kitting', 'mark_ready', 'start', 'hold', 'cancel']}
    ${'an order being kitted'}                               | ${'kitting'}   | ${{}}                                         | ${['mark_ready', 'start', 'hold', 'cancel']}
    ${'a kitted order waiting for its machine'}              | ${'ready'}     | ${{}}                                         | ${['start', 'hold', 'cancel']}
    ${'an order in production'}                              | ${'running'}   | ${{}}                                         | ${['hold', 'complete']}
    ${'an order held while running'}                         | ${'held'}      | ${{ heldFrom: 'running', hasProgress: true }} | ${['resume']}
    ${'an order held during kitting'}                        | ${'held'}      | ${{ heldFrom: 'kitting' }}                    | ${['resume', 'cancel']}
    ${'an order held during kitting that already has scrap'} | ${'held'}      | ${{ heldFrom: 'kitting', hasProgress: true }} | ${['resume']}
    ${'a held order whose origin was lost'}                  | ${'held'}      | ${{}}                                         | ${['cancel']}
    ${'a finished order waiting for costing'}                | ${'completed'} | ${{}}                                         | ${['close']}
    ${'a closed order'}                                      | ${'closed'}    | ${{}}                                         | ${[]}
    ${'a cancelled order'}                                   | ${'cancelled'} | ${{}}                                         | ${[]}
  `(
    '$situation ($current): $allowed',
    ({
      current,
      ctx,
      allowed,
    }: {
      current: WorkOrderStatus;
      ctx: WorkOrderStateContext;
      allowed: WorkOrderCommand[];
    }) => {
      expect(allowedWorkOrderCommands(current, ctx)).toEqual(allowed);
    },
  );

  it('agrees with transitionWorkOrder for every state, command and context', () => {
    const contexts: WorkOrderStateContext[] = [
      {},
      { heldFrom: 'running' },
      { heldFrom: 'ready', hasProgress: true },
      { heldFrom: 'kitting', hasProgress: false },
      { heldFrom: null },
    ];
    for (const ctx of contexts) {
      for (const status of WORK_ORDER_STATUSES) {
        const allowed = allowedWorkOrderCommands(status, ctx);
        for (const command of WORK_ORDER_COMMANDS) {
          expect(transitionWorkOrder(status, command, ctx).ok).toBe(allowed.includes(command));
        }
      }
    }
  });
});

describe('isWorkOrderStatus (guarding stored or requested values)', () => {
  it.each`
    situation                          | value          | expected
    ${'a stored running order'}        | ${'running'}   | ${true}
    ${'a cancelled order'}             | ${'cancelled'} | ${true}
    ${'an upper-case query parameter'} | ${'RUNNING'}   | ${false}
    ${'a legacy ERP status'}           | ${'TECO'}      | ${false}
    ${'an empty filter'}               | ${''}          | ${false}
    ${'a missing value'}               | ${undefined}   | ${false}
    ${'a null column'}                 | ${null}        | ${false}
    ${'a numeric status code'}         | ${3}           | ${false}
  `('$situation: $value → $expected', ({ value, expected }: { value: unknown; expected: boolean }) => {
    expect(isWorkOrderStatus(value)).toBe(expected);
  });
});
