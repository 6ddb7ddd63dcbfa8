import {
  LOT_COMMANDS,
  LOT_STATUSES,
  allowedLotCommands,
  isAllocatable,
  isLotStatus,
  lotTransition,
  type LotCommand,
  type LotStatus,
  type LotTransitionOptions,
} from './lot-state';

interface Move {
  from: LotStatus;
  command: LotCommand;
  opts: LotTransitionOptions;
  to: LotStatus;
}

interface Refusal {
  from: LotStatus;
  command: LotCommand;
  opts: LotTransitionOptions;
  message: string;
}

const why = { reason: 'Supplier deviation report SDR-0042' };

describe('lotTransition (lot quality status)', () => {
  it.each`
    situation                                                           | from            | command      | opts                                                 | to
    ${'incoming inspection passes a received lot'}                      | ${'quarantine'} | ${'release'} | ${{}}                                                | ${'available'}
    ${'a lot awaiting inspection is frozen pending a supplier claim'}   | ${'quarantine'} | ${'hold'}    | ${why}                                               | ${'hold'}
    ${'an available lot is frozen after a customer complaint'}          | ${'available'}  | ${'hold'}    | ${why}                                               | ${'hold'}
    ${'the frozen lot is cleared: back to available'}                   | ${'hold'}       | ${'unhold'}  | ${{ heldFrom: 'available' }}                         | ${'available'}
    ${'a hold during inspection is cleared: back to quarantine'}        | ${'hold'}       | ${'unhold'}  | ${{ heldFrom: 'quarantine' }}                        | ${'quarantine'}
    ${'a hold whose origin was never stored is cleared'}                | ${'hold'}       | ${'unhold'}  | ${{}}                                                | ${'available'}
    ${'a hold whose stored origin is null is cleared'}                  | ${'hold'}       | ${'unhold'}  | ${{ heldFrom: null }}                                | ${'available'}
    ${'incoming inspection fails'}                                      | ${'quarantine'} | ${'reject'}  | ${why}                                               | ${'rejected'}
    ${'an available lot is found out of specification'}                 | ${'available'}  | ${'reject'}  | ${why}                                               | ${'rejected'}
    ${'the investigation of a frozen lot ends in rejection'}            | ${'hold'}       | ${'reject'}  | ${why}                                               | ${'rejected'}
    ${'a lot expires while still awaiting inspection'}                  | ${'quarantine'} | ${'expire'}  | ${{}}                                                | ${'expired'}
    ${'an available lot reaches its expiry date'}                       | ${'available'}  | ${'expire'}  | ${{}}                                                | ${'expired'}
    ${'a frozen lot reaches its expiry date'}                           | ${'hold'}       | ${'expire'}  | ${{}}                                                | ${'expired'}
    ${'the last kilogram of a lot is issued'}                           | ${'available'}  | ${'consume'} | ${{}}                                                | ${'consumed'}
    ${'a line-side return brings stock back to a consumed lot'}         | ${'consumed'}   | ${'restock'} | ${{}}                                                | ${'available'}
    ${'the re-test passes: shelf life extended, lot available again'}   | ${'expired'}    | ${'extend'}  | ${{ target: 'available', reason: 'Re-test RT-17' }}  | ${'available'}
    ${'shelf life extended pending the re-test: back to quarantine'}    | ${'expired'}    | ${'extend'}  | ${{ target: 'quarantine', reason: 'Re-test RT-18' }} | ${'quarantine'}
    ${'options that do not apply to the command are ignored'}           | ${'quarantine'} | ${'release'} | ${{ heldFrom: 'hold', target: 'rejected' }}          | ${'available'}
    ${'a reason given where none is needed is accepted'}                | ${'available'}  | ${'consume'} | ${why}                                               | ${'consumed'}
    ${'a corrupt stored hold origin does not leave the lot on hold'}    | ${'hold'}       | ${'unhold'}  | ${{ heldFrom: 'hold' }}                              | ${'available'}
    ${'a stored hold origin that is a final status is treated as lost'} | ${'hold'}       | ${'unhold'}  | ${{ heldFrom: 'rejected' }}                          | ${'available'}
  `('$situation: $from --$command--> $to', ({ from, command, opts, to }: Move) => {
    expect(lotTransition(from, command, opts)).toEqual({ ok: true, next: to });
  });

  it.each`
    situation                                           | from            | command      | opts                                | message
    ${'holding a consumed lot'}                         | ${'consumed'}   | ${'hold'}    | ${why}                              | ${'A consumed lot cannot be held'}
    ${'holding a lot that is already on hold'}          | ${'hold'}       | ${'hold'}    | ${why}                              | ${'A lot on hold cannot be held'}
    ${'holding a rejected lot'}                         | ${'rejected'}   | ${'hold'}    | ${why}                              | ${'A rejected lot cannot be held'}
    ${'holding an expired lot'}                         | ${'expired'}    | ${'hold'}    | ${why}                              | ${'An expired lot cannot be held'}
    ${'releasing an available lot again'}               | ${'available'}  | ${'release'} | ${{}}                               | ${'An available lot cannot be released'}
    ${'releasing a frozen lot instead of unholding it'} | ${'hold'}       | ${'release'} | ${{}}                               | ${'A lot on hold cannot be released'}
    ${'releasing a rejected lot'}                       | ${'rejected'}   | ${'release'} | ${{}}                               | ${'A rejected lot cannot be released'}
    ${'releasing an expired lot'}                       | ${'expired'}    | ${'release'} | ${{}}                               | ${'An expired lot cannot be released'}
    ${'unholding a lot that is not on hold'}            | ${'available'}  | ${'unhold'}  | ${{ heldFrom: 'available' }}        | ${'An available lot cannot be taken off hold'}
    ${'unholding a lot in quarantine'}                  | ${'quarantine'} | ${'unhold'}  | ${{}}                               | ${'A lot in quarantine cannot be taken off hold'}
    ${'rejecting a rejected lot again'}                 | ${'rejected'}   | ${'reject'}  | ${why}                              | ${'A rejected lot cannot be rejected'}
    ${'rejecting a consumed lot'}                       | ${'consumed'}   | ${'reject'}  | ${why}                              | ${'A consumed lot cannot be rejected'}
    ${'rejecting an expired lot'}                       | ${'expired'}    | ${'reject'}  | ${why}                              | ${'An expired lot cannot be rejected'}
    ${'expiring an expired lot again'}                  | ${'expired'}    | ${'expire'}  | ${{}}                               | ${'An expired lot cannot be expired'}
    ${'expiring a consumed lot'}                        | ${'consumed'}   | ${'expire'}  | ${{}}                               | ${'A consumed lot cannot be expired'}
    ${'expiring a rejected lot'}                        | ${'rejected'}   | ${'expire'}  | ${{}}                               | ${'A rejected lot cannot be expired'}
    ${'consuming a lot still awaiting inspection'}      | ${'quarantine'} | ${'consume'} | ${{}}                               | ${'A lot in quarantine cannot be consumed'}
    ${'consuming a frozen lot'}                         | ${'hold'}       | ${'consume'} | ${{}}                               | ${'A lot on hold cannot be consumed'}
    ${'consuming a consumed lot again'}                 | ${'consumed'}   | ${'consume'} | ${{}}                               | ${'A consumed lot cannot be consumed'}
    ${'consuming an expired lot'}                       | ${'expired'}    | ${'consume'} | ${{}}                               | ${'An expired lot cannot be consumed'}
    ${'restocking an available lot'}                    | ${'available'}  | ${'restock'} | ${{}}                               | ${'An available lot cannot be restocked'}
    ${'restocking a rejected lot'}                      | ${'rejected'}   | ${'restock'} | ${{}}                               | ${'A rejected lot cannot be restocked'}
    ${'restocking an expired lot'}                      | ${'expired'}    | ${'restock'} | ${{}}                               | ${'An expired lot cannot be restocked'}
    ${'extending a lot that has not expired'}           | ${'available'}  | ${'extend'}  | ${{ target: 'available', ...why }}  | ${'An available lot cannot be extended'}
    ${'extending a rejected lot'}                       | ${'rejected'}   | ${'extend'}  | ${{ target: 'quarantine', ...why }} | ${'A rejected lot cannot be extended'}
    ${'extending an expired lot without a target'}      | ${'expired'}    | ${'extend'}  | ${why}                              | ${'An expired lot cannot be extended without a target status (available or quarantine)'}
    ${'extending an expired lot straight to consumed'}  | ${'expired'}    | ${'extend'}  | ${{ target: 'consumed', ...why }}   | ${'An expired lot cannot be extended to consumed; only to available or quarantine'}
    ${'extending an expired lot onto hold'}             | ${'expired'}    | ${'extend'}  | ${{ target: 'hold', ...why }}       | ${'An expired lot cannot be extended to hold; only to available or quarantine'}
    ${'extending to a bad target without a reason'}     | ${'expired'}    | ${'extend'}  | ${{ target: 'expired' }}            | ${'An expired lot cannot be extended to expired; only to available or quarantine'}
    ${'holding a consumed lot without a reason either'} | ${'consumed'}   | ${'hold'}    | ${{}}                               | ${'A consumed lot cannot be held'}
  `('refuses $situation', ({ from, command, opts, message }: Refusal) => {
    expect(lotTransition(from, command, opts)).toEqual({
      ok: false,
      code: 'ILLEGAL_TRANSITION',
      message,
      allowed: allowedLotCommands(from),
    });
  });

  it.each`
    situation                                     | from            | command     | opts                                           | message
    ${'holding without a reason'}                 | ${'available'}  | ${'hold'}   | ${{}}                                          | ${'An available lot cannot be held without a reason'}
    ${'holding with a null reason'}               | ${'quarantine'} | ${'hold'}   | ${{ reason: null }}                            | ${'A lot in quarantine cannot be held without a reason'}
    ${'holding with an empty reason'}             | ${'available'}  | ${'hold'}   | ${{ reason: '' }}                              | ${'An available lot cannot be held without a reason'}
    ${'rejecting with a blank reason'}            | ${'quarantine'} | ${'reject'} | ${{ reason: '   ' }}                           | ${'A lot in quarantine cannot be rejected without a reason'}
    ${'rejecting with only tabs and line breaks'} | ${'hold'}       | ${'reject'} | ${{ reason: '\t\n ' }}                         | ${'A lot on hold cannot be rejected without a reason'}
    ${'extending without a reason'}               | ${'expired'}    | ${'extend'} | ${{ target: 'available' }}                     | ${'An expired lot cannot be extended without a reason'}
    ${'extending with a blank reason'}            | ${'expired'}    | ${'extend'} | ${{ target: 'quarantine', reason: ' \u3000' }} | ${'An expired lot cannot be extended without a reason'}
  `('requires a reason: $situation', ({ from, command, opts, message }: Refusal) => {
    expect(lotTransition(from, command, opts)).toEqual({
      ok: false,
      code: 'REASON_REQUIRED',
      message,
      allowed: allowedLotCommands(from),
    });
  });

  it('accepts a reason with surrounding blanks', () => {
    expect(lotTransition('available', 'hold', { reason: '  NCR-2031 ' })).toEqual({ ok: true, next: 'hold' });
  });

  it('names the commands still open in a refusal, in command order', () => {
    expect(lotTransition('consumed', 'hold', why)).toEqual({
      ok: false,
      code: 'ILLEGAL_TRANSITION',
      message: 'A consumed lot cannot be held',
      allowed: ['restock'],
    });
  });

  it('works without options for every status and command', () => {
    for (const status of LOT_STATUSES) {
      for (const command of LOT_COMMANDS) {
        expect(() => lotTransition(status, command)).not.toThrow();
      }
    }
  });

  it('a hold during inspection goes back to quarantine, and the lot still has to be released', () => {
    const held = lotTransition('quarantine', 'hold', why);
    expect(held).toEqual({ ok: true, next: 'hold' });
    const back = lotTransition('hold', 'unhold', { heldFrom: 'quarantine' });
    expect(back).toEqual({ ok: true, next: 'quarantine' });
    expect(isAllocatable('quarantine')).toBe(false);
    expect(lotTransition('quarantine', 'release')).toEqual({ ok: true, next: 'available' });
  });

  it('a full lot life: received, inspected, frozen, cleared, used up, returned, expired, extended', () => {
    const steps: [LotCommand, LotTransitionOptions, LotStatus][] = [
      ['release', {}, 'available'],
      ['hold', why, 'hold'],
      ['unhold', { heldFrom: 'available' }, 'available'],
      ['consume', {}, 'consumed'],
      ['restock', {}, 'available'],
      ['expire', {}, 'expired'],
      ['extend', { target: 'quarantine', reason: 'Re-test RT-19' }, 'quarantine'],
      ['reject', { reason: 'Re-test RT-19 failed' }, 'rejected'],
    ];
    let status: LotStatus = 'quarantine';
    for (const [command, opts, expected] of steps) {
      expect(lotTransition(status, command, opts)).toEqual({ ok: true, next: expected });
      status = expected;
    }
    expect(allowedLotCommands(status)).toEqual([]);
  });
});

describe('allowedLotCommands (what the UI offers)', () => {
  it.each`
    current         | allowed
    ${'quarantine'} | ${['release', 'hold', 'reject', 'expire']}
    ${'available'}  | ${['hold', 'reject', 'expire', 'consume']}
    ${'hold'}       | ${['unhold', 'reject', 'expire']}
    ${'rejected'}   | ${[]}
    ${'consumed'}   | ${['restock']}
    ${'expired'}    | ${['extend']}
  `('$current: $allowed', ({ current, allowed }: { current: LotStatus; allowed: LotCommand[] }) => {
    expect(allowedLotCommands(current)).toEqual(allowed);
  });

  it('agrees with lotTransition for every status and command, given a reason and a target', () => {
    const opts: LotTransitionOptions = { reason: 'checked', target: 'available', heldFrom: 'quarantine' };
    for (const status of LOT_STATUSES) {
      const allowed = allowedLotCommands(status);
      for (const command of LOT_COMMANDS) {
        expect(lotTransition(status, command, opts).ok).toBe(allowed.includes(command));
      }
    }
  });
});

describe('isAllocatable (which lots reservations and picks may take)', () => {
  it.each`
    status          | expected
    ${'quarantine'} | ${false}
    ${'available'}  | ${true}
    ${'hold'}       | ${false}
    ${'rejected'}   | ${false}
    ${'consumed'}   | ${false}
    ${'expired'}    | ${false}
  `('$status → $expected', ({ status, expected }: { status: LotStatus; expected: boolean }) => {
    expect(isAllocatable(status)).toBe(expected);
  });
});

describe('isLotStatus (guarding stored or requested values)', () => {
  it.each`
    situation                          | value           | expected
    ${'a stored available lot'}        | ${'available'}  | ${true}
    ${'a lot in quarantine'}           | ${'quarantine'} | ${true}
    ${'an upper-case query parameter'} | ${'HOLD'}       | ${false}
    ${'a participle instead of hold'}  | ${'held'}       | ${false}
    ${'an empty filter'}               | ${''}           | ${false}
    ${'a missing value'}               | ${undefined}    | ${false}
    ${'a null column'}                 | ${null}         | ${false}
  `('$situation: $value → $expected', ({ value, expected }: { value: unknown; expected: boolean }) => {
    expect(isLotStatus(value)).toBe(expected);
  });
});
