import {
  backflushDemand,
  pickLots,
  type BackflushInput,
  type BackflushRequirement,
  type LotPick,
  type LotStock,
} from './backflush';

const line = (
  lineNo: number,
  materialId: string,
  requiredQty: string,
  issuedQty = '0',
  issueMethod: 'manual' | 'backflush' = 'backflush',
): BackflushRequirement => ({ lineNo, materialId, requiredQty, issuedQty, issueMethod });

/**
 * Gearbox order of 100 pcs: the housing is issued by hand; M6 screws (8 per piece + 1 % = 808 pcs),
 * EP2 grease (0.025 kg per piece, kg with 3 decimals) and thread locker (0.3 ml per piece, 1 decimal)
 * are backflushed at final assembly.
 */
const gearbox = (
  processedQty: string,
  issued: { screws?: string; grease?: string } = {},
): BackflushInput => ({
  orderQty: '100',
  processedQty,
  requirements: [
    line(10, 'HSG-1', '100', '100', 'manual'),
    line(20, 'SCREW-M6', '808', issued.screws ?? '0'),
    line(30, 'GREASE-EP2', '2.5', issued.grease ?? '0'),
    line(40, 'LOCTITE-243', '30'),
  ],
  unitDecimals: { 'HSG-1': 0, 'SCREW-M6': 0, 'GREASE-EP2': 3, 'LOCTITE-243': 1 },
});

const demandOf = (input: BackflushInput) => backflushDemand(input).map((d) => [d.materialId, d.quantity]);

describe('backflushDemand (material consumed automatically by production reports)', () => {
  it.each`
    situation                                                          | input                                                   | demand
    ${'nothing produced yet'}                                          | ${gearbox('0')}                                         | ${[]}
    ${'the first gearbox: 8.08 screws round up to 9'}                  | ${gearbox('1')}                                         | ${[['SCREW-M6', '9'], ['GREASE-EP2', '0.025'], ['LOCTITE-243', '0.3']]}
    ${'40 gearboxes: 323.2 screws round up to 324'}                    | ${gearbox('40')}                                        | ${[['SCREW-M6', '324'], ['GREASE-EP2', '1'], ['LOCTITE-243', '12']]}
    ${'the next report after 40 were already backflushed'}             | ${gearbox('41', { screws: '324', grease: '1' })}        | ${[['SCREW-M6', '8'], ['GREASE-EP2', '0.025'], ['LOCTITE-243', '12.3']]}
    ${'a repeated report for the same total issues nothing twice'}     | ${gearbox('40', { screws: '324', grease: '1.000000' })} | ${[['LOCTITE-243', '12']]}
    ${'the full order consumes exactly the requirement'}               | ${gearbox('100')}                                       | ${[['SCREW-M6', '808'], ['GREASE-EP2', '2.5'], ['LOCTITE-243', '30']]}
    ${'over-production of 2 pcs consumes more: 824.16 → 825 screws'}   | ${gearbox('102')}                                       | ${[['SCREW-M6', '825'], ['GREASE-EP2', '2.55'], ['LOCTITE-243', '30.6']]}
    ${'grease pre-issued by hand beyond the due quantity is left out'} | ${gearbox('10', { screws: '81', grease: '0.5' })}       | ${[['LOCTITE-243', '3']]}
    ${'a fractional report (stored as numeric(18,6))'}                 | ${gearbox('2.000000')}                                  | ${[['SCREW-M6', '17'], ['GREASE-EP2', '0.05'], ['LOCTITE-243', '0.6']]}
  `('$situation', ({ input, demand }: { input: BackflushInput; demand: string[][] }) => {
    expect(demandOf(input)).toEqual(demand);
  });

  it('rounds a non-terminating share up at the unit decimals (1 kg per 3 pcs, 1 pc made)', () => {
    expect(
      backflushDemand({
        orderQty: '3',
        processedQty: '1',
        requirements: [line(10, 'RESIN', '1'), line(20, 'HARDENER', '1')],
        unitDecimals: { RESIN: 3 },
      }),
    ).toEqual([
      { lineNo: 10, materialId: 'RESIN', quantity: '0.334' },
      // No unit decimals known: the storage precision of 6 decimals.
      { lineNo: 20, materialId: 'HARDENER', quantity: '0.333334' },
    ]);
  });

  it('returns the lines in lineNo order and ignores manual lines', () => {
    const input: BackflushInput = {
      orderQty: '10',
      processedQty: '10',
      requirements: [
        line(30, 'WASHER', '20'),
        line(10, 'CASTING', '10', '0', 'manual'),
        line(20, 'NUT', '20'),
      ],
      unitDecimals: { WASHER: 0, NUT: 0, CASTING: 0 },
    };
    expect(backflushDemand(input).map((d) => d.lineNo)).toEqual([20, 30]);
  });

  it.each`
    situation                       | orderQty
    ${'an order quantity of zero'}  | ${'0'}
    ${'a negative order quantity'}  | ${'-5'}
    ${'a malformed order quantity'} | ${'100 pcs'}
  `('throws a RangeError for $situation', ({ orderQty }: { orderQty: string }) => {
    expect(() => backflushDemand({ ...gearbox('1'), orderQty })).toThrow(RangeError);
  });
});

/** EP2 grease drums in the line store: shelf life matters more than arrival. */
const grease: LotStock[] = [
  { lotId: 'G-1', available: '4', receivedAt: '2025-01-10T07:00:00Z', expiryDate: '2025-09-30' },
  { lotId: 'G-2', available: '1.5', receivedAt: '2025-02-01T07:00:00Z', expiryDate: '2025-06-30' },
  { lotId: 'G-3', available: '10', receivedAt: '2024-12-01T07:00:00Z', expiryDate: null },
  { lotId: 'G-4', available: '2', receivedAt: '2025-03-01T07:00:00Z', expiryDate: '2025-06-30' },
  { lotId: 'G-5', available: '0', receivedAt: '2025-01-01T07:00:00Z', expiryDate: '2025-05-31' },
];

describe('pickLots (which lots a backflush or issue takes)', () => {
  it.each`
    situation                                                                          | demand     | strategy  | picks                                                                                                                                       | shortQty
    ${'FEFO: the drums expiring in June first, the earlier received of the two first'} | ${'3'}     | ${'fefo'} | ${[{ lotId: 'G-2', quantity: '1.5' }, { lotId: 'G-4', quantity: '1.5' }]}                                                                   | ${'0'}
    ${'FEFO: the empty lot expiring in May is skipped'}                                | ${'1'}     | ${'fefo'} | ${[{ lotId: 'G-2', quantity: '1' }]}                                                                                                        | ${'0'}
    ${'FEFO: the drum without expiry is used last'}                                    | ${'10'}    | ${'fefo'} | ${[{ lotId: 'G-2', quantity: '1.5' }, { lotId: 'G-4', quantity: '2' }, { lotId: 'G-1', quantity: '4' }, { lotId: 'G-3', quantity: '2.5' }]} | ${'0'}
    ${'FEFO: more than all drums hold'}                                                | ${'20'}    | ${'fefo'} | ${[{ lotId: 'G-2', quantity: '1.5' }, { lotId: 'G-4', quantity: '2' }, { lotId: 'G-1', quantity: '4' }, { lotId: 'G-3', quantity: '10' }]}  | ${'2.5'}
    ${'FIFO: the oldest drum first, whatever its expiry'}                              | ${'3'}     | ${'fifo'} | ${[{ lotId: 'G-3', quantity: '3' }]}                                                                                                        | ${'0'}
    ${'FIFO: the oldest drum emptied, then the next received'}                         | ${'12.25'} | ${'fifo'} | ${[{ lotId: 'G-3', quantity: '10' }, { lotId: 'G-1', quantity: '2.25' }]}                                                                   | ${'0'}
    ${'nothing to pick'}                                                               | ${'0'}     | ${'fefo'} | ${[]}                                                                                                                                       | ${'0'}
  `(
    '$situation',
    ({
      demand,
      strategy,
      picks,
      shortQty,
    }: {
      demand: string;
      strategy: 'fifo' | 'fefo';
      picks: LotPick[];
      shortQty: string;
    }) => {
      expect(pickLots(demand, grease, strategy)).toEqual({ picks, shortQty });
    },
  );

  it('reports the whole demand short when the store is empty', () => {
    expect(pickLots('808', [], 'fifo')).toEqual({ picks: [], shortQty: '808' });
  });

  it('skips lots with negative availability (booked beyond stock)', () => {
    const lots: LotStock[] = [
      { lotId: 'B-1', available: '-20', receivedAt: '2025-01-01T00:00:00Z', expiryDate: null },
      { lotId: 'B-2', available: '500.000000', receivedAt: '2025-01-02T00:00:00Z', expiryDate: null },
    ];
    expect(pickLots('808', lots, 'fifo')).toEqual({
      picks: [{ lotId: 'B-2', quantity: '500' }],
      shortQty: '308',
    });
  });

  it.each`
    situation                                                                 | strategy  | lots                                                                                                                                                                                                | order
    ${'FIFO: two screw lots received in the same goods receipt go by lot id'} | ${'fifo'} | ${[{ lotId: 'S-B', available: '1', receivedAt: '2025-02-01T08:00:00Z', expiryDate: null }, { lotId: 'S-A', available: '1', receivedAt: '2025-02-01T08:00:00Z', expiryDate: null }]}                 | ${['S-A', 'S-B']}
    ${'FIFO: receipts in another time zone are compared as instants'}         | ${'fifo'} | ${[{ lotId: 'S-1', available: '1', receivedAt: '2025-03-01T07:30:00Z', expiryDate: null }, { lotId: 'S-2', available: '1', receivedAt: '2025-03-01T08:00:00+01:00', expiryDate: null }]}            | ${['S-2', 'S-1']}
    ${'FEFO: same expiry and receipt go by lot id'}                           | ${'fefo'} | ${[{ lotId: 'G-B', available: '1', receivedAt: '2025-02-01T08:00:00Z', expiryDate: '2025-08-01' }, { lotId: 'G-A', available: '1', receivedAt: '2025-02-01T08:00:00Z', expiryDate: '2025-08-01' }]} | ${['G-A', 'G-B']}
    ${'FEFO: two lots without expiry fall back to receipt order'}             | ${'fefo'} | ${[{ lotId: 'N-2', available: '1', receivedAt: '2025-02-02T08:00:00Z', expiryDate: null }, { lotId: 'N-1', available: '1', receivedAt: '2025-02-01T08:00:00Z', expiryDate: null }]}                 | ${['N-1', 'N-2']}
  `(
    '$situation',
    ({ strategy, lots, order }: { strategy: 'fifo' | 'fefo'; lots: LotStock[]; order: string[] }) => {
      expect(pickLots('2', lots, strategy).picks.map((p) => p.lotId)).toEqual(order);
    },
  );

  it('does not reorder the caller’s lot list', () => {
    const lots = [...grease];
    pickLots('20', lots, 'fefo');
    expect(lots.map((l) => l.lotId)).toEqual(['G-1', 'G-2', 'G-3', 'G-4', 'G-5']);
  });
});
