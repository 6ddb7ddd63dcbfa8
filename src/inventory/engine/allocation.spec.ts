import { allocate, type Allocation, type AllocationPolicy, type StockCandidate } from './allocation';

const stock = (
  lotCode: string,
  locationId: string,
  available: string,
  receivedAt: string,
  expiryDate: string | null,
  status = 'available',
): StockCandidate => ({
  lotId: `lot-${lotCode}`,
  lotCode,
  locationId,
  status,
  available,
  receivedAt,
  expiryDate,
});

/** [lotCode, locationId, quantity] per allocation, for compact expectations. */
const picked = (allocations: Allocation[]): [string, string, string][] =>
  allocations.map((a) => [a.lotCode, a.locationId, a.quantity]);

/**
 * EP2 grease drums (kg) on two racks: the oldest drum expires last, a later one expires first, one never
 * expires. Quantities carry the 6 decimals they are stored with.
 */
const grease: readonly StockCandidate[] = [
  stock('G-101', 'RACK-A', '10.000000', '2025-01-05T07:30:00Z', '2025-12-31'),
  stock('G-102', 'RACK-A', '4.000000', '2025-02-01T07:30:00Z', '2025-07-15'),
  stock('G-103', 'RACK-B', '20.000000', '2025-03-01T07:30:00Z', null),
  stock('G-104', 'RACK-B', '2.500000', '2025-03-10T07:30:00Z', '2025-08-01'),
];

describe('allocate (FIFO / FEFO lot allocation)', () => {
  it.each`
    situation                                                   | required   | policy    | allocations                                                                                                      | allocated  | shortQty
    ${'FIFO: the oldest drum, whatever its expiry'}             | ${'3'}     | ${'fifo'} | ${[['G-101', 'RACK-A', '3']]}                                                                                    | ${'3'}     | ${'0'}
    ${'FEFO: the drum expiring first, although received later'} | ${'3'}     | ${'fefo'} | ${[['G-102', 'RACK-A', '3']]}                                                                                    | ${'3'}     | ${'0'}
    ${'FIFO: the oldest drum emptied, the next one partly'}     | ${'12.25'} | ${'fifo'} | ${[['G-101', 'RACK-A', '10'], ['G-102', 'RACK-A', '2.25']]}                                                      | ${'12.25'} | ${'0'}
    ${'FEFO: the July drum emptied, the August drum partly'}    | ${'5'}     | ${'fefo'} | ${[['G-102', 'RACK-A', '4'], ['G-104', 'RACK-B', '1']]}                                                          | ${'5'}     | ${'0'}
    ${'FEFO: the drum without expiry is used last'}             | ${'20'}    | ${'fefo'} | ${[['G-102', 'RACK-A', '4'], ['G-104', 'RACK-B', '2.5'], ['G-101', 'RACK-A', '10'], ['G-103', 'RACK-B', '3.5']]} | ${'20'}    | ${'0'}
    ${'FIFO: exactly one drum, no partial allocation'}          | ${'10'}    | ${'fifo'} | ${[['G-101', 'RACK-A', '10']]}                                                                                   | ${'10'}    | ${'0'}
    ${'FEFO: more than all drums hold'}                         | ${'40'}    | ${'fefo'} | ${[['G-102', 'RACK-A', '4'], ['G-104', 'RACK-B', '2.5'], ['G-101', 'RACK-A', '10'], ['G-103', 'RACK-B', '20']]}  | ${'36.5'}  | ${'3.5'}
    ${'FIFO: more than all drums hold'}                         | ${'36.6'}  | ${'fifo'} | ${[['G-101', 'RACK-A', '10'], ['G-102', 'RACK-A', '4'], ['G-103', 'RACK-B', '20'], ['G-104', 'RACK-B', '2.5']]}  | ${'36.5'}  | ${'0.1'}
    ${'a required quantity with trailing zeros'}                | ${'3.500'} | ${'fifo'} | ${[['G-101', 'RACK-A', '3.5']]}                                                                                  | ${'3.5'}   | ${'0'}
    ${'nothing required'}                                       | ${'0'}     | ${'fefo'} | ${[]}                                                                                                            | ${'0'}     | ${'0'}
    ${'nothing required, written with decimals'}                | ${'0.000'} | ${'fifo'} | ${[]}                                                                                                            | ${'0'}     | ${'0'}
    ${'a negative requirement (over-issued) allocates nothing'} | ${'-5'}    | ${'fifo'} | ${[]}                                                                                                            | ${'0'}     | ${'0'}
  `(
    '$situation',
    ({
      required,
      policy,
      allocations,
      allocated,
      shortQty,
    }: {
      required: string;
      policy: AllocationPolicy;
      allocations: [string, string, string][];
      allocated: string;
      shortQty: string;
    }) => {
      const result = allocate(grease, required, policy);
      expect(picked(result.allocations)).toEqual(allocations);
      expect(result.allocated).toBe(allocated);
      expect(result.shortQty).toBe(shortQty);
    },
  );

  it('returns the lot, its code and the location of every allocation', () => {
    expect(allocate(grease, '5', 'fefo')).toEqual({
      allocations: [
        { lotId: 'lot-G-102', lotCode: 'G-102', locationId: 'RACK-A', quantity: '4' },
        { lotId: 'lot-G-104', lotCode: 'G-104', locationId: 'RACK-B', quantity: '1' },
      ],
      allocated: '5',
      shortQty: '0',
    });
  });

  it('reports the whole requirement short when there is no stock', () => {
    expect(allocate([], '808', 'fifo')).toEqual({ allocations: [], allocated: '0', shortQty: '808' });
  });

  describe('exact decimals', () => {
    const tenths: readonly StockCandidate[] = [
      stock('S-1', 'BIN-1', '0.1', '2025-04-01T00:00:00Z', null),
      stock('S-2', 'BIN-1', '0.2', '2025-04-02T00:00:00Z', null),
    ];

    it('0.1 + 0.2 covers exactly 0.3, with nothing short', () => {
      expect(allocate(tenths, '0.3', 'fifo')).toEqual({
        allocations: [
          { lotId: 'lot-S-1', lotCode: 'S-1', locationId: 'BIN-1', quantity: '0.1' },
          { lotId: 'lot-S-2', lotCode: 'S-2', locationId: 'BIN-1', quantity: '0.2' },
        ],
        allocated: '0.3',
        shortQty: '0',
      });
    });

    it('reports a shortage of exactly 0.05 when 0.35 is required', () => {
      const result = allocate(tenths, '0.35', 'fefo');
      expect(result.allocated).toBe('0.3');
      expect(result.shortQty).toBe('0.05');
    });

    it('splits the last lot exactly at the micro-unit', () => {
      const result = allocate(tenths, '0.100001', 'fifo');
      expect(picked(result.allocations)).toEqual([
        ['S-1', 'BIN-1', '0.1'],
        ['S-2', 'BIN-1', '0.000001'],
      ]);
      expect(result.allocated).toBe('0.100001');
      expect(result.shortQty).toBe('0');
    });

    it('handles quantities far beyond floating-point precision', () => {
      const big = [stock('B-1', 'BIN-9', '90071992547409930.000001', '2025-01-01T00:00:00Z', null)];
      expect(allocate(big, '90071992547409930.000003', 'fifo')).toEqual({
        allocations: [
          { lotId: 'lot-B-1', lotCode: 'B-1', locationId: 'BIN-9', quantity: '90071992547409930.000001' },
        ],
        allocated: '90071992547409930.000001',
        shortQty: '0.000002',
      });
    });
  });

  describe('stock that is never allocated', () => {
    /** Every unusable candidate is older and expires earlier than the one good drum, so it would come first. */
    const shelf: readonly StockCandidate[] = [
      stock('X-HOLD', 'RACK-A', '5', '2024-01-01T00:00:00Z', '2025-06-20', 'hold'),
      stock('X-QUAR', 'RACK-A', '5', '2024-01-02T00:00:00Z', '2025-06-20', 'quarantine'),
      stock('X-EXPD', 'RACK-A', '5', '2024-01-03T00:00:00Z', '2025-06-20', 'expired'),
      stock('X-REJ', 'RACK-A', '5', '2024-01-04T00:00:00Z', '2025-06-20', 'rejected'),
      stock('X-USED', 'RACK-A', '5', '2024-01-05T00:00:00Z', '2025-06-20', 'consumed'),
      stock('X-ZERO', 'RACK-A', '0.000000', '2024-01-06T00:00:00Z', '2025-06-20'),
      stock('X-NEG', 'RACK-A', '-2', '2024-01-07T00:00:00Z', '2025-06-20'),
      stock('X-CASE', 'RACK-A', '5', '2024-01-08T00:00:00Z', '2025-06-20', 'AVAILABLE'),
      stock('GOOD', 'RACK-B', '5', '2025-05-01T00:00:00Z', '2025-12-31'),
    ];

    it.each(['fifo', 'fefo'] as const)('%s: only the available drum with stock is taken', (policy) => {
      expect(allocate(shelf, '8', policy)).toEqual({
        allocations: [{ lotId: 'lot-GOOD', lotCode: 'GOOD', locationId: 'RACK-B', quantity: '5' }],
        allocated: '5',
        shortQty: '3',
      });
    });

    const dated: readonly StockCandidate[] = [
      stock('E-0608', 'RACK-A', '1', '2025-01-01T00:00:00Z', '2025-06-08'),
      stock('E-0609', 'RACK-A', '1', '2025-01-02T00:00:00Z', '2025-06-09'),
      stock('E-0610', 'RACK-A', '1', '2025-01-03T00:00:00Z', '2025-06-10'),
      stock('E-0611', 'RACK-A', '1', '2025-01-04T00:00:00Z', '2025-06-11'),
      stock('E-NONE', 'RACK-A', '1', '2025-01-05T00:00:00Z', null),
    ];

    it.each(['fifo', 'fefo'] as const)(
      '%s: lots that expired before today are skipped though still marked available',
      (policy) => {
        const result = allocate(dated, '10', policy, { today: '2025-06-10' });
        expect(picked(result.allocations).map(([code]) => code)).toEqual(['E-0610', 'E-0611', 'E-NONE']);
        expect(result.shortQty).toBe('7');
      },
    );

    it('a lot expiring today is still used', () => {
      expect(picked(allocate(dated, '1', 'fefo', { today: '2025-06-10' }).allocations)).toEqual([
        ['E-0610', 'RACK-A', '1'],
      ]);
    });

    it('an expiry stored as a timestamp counts by its date', () => {
      const stamped = [stock('T-1', 'RACK-A', '1', '2025-01-01T00:00:00Z', '2025-06-09T23:59:59Z')];
      expect(allocate(stamped, '1', 'fefo', { today: '2025-06-10' }).shortQty).toBe('1');
      expect(allocate(stamped, '1', 'fefo', { today: '2025-06-09' }).allocated).toBe('1');
    });

    it('without today, the expiry date does not exclude a lot', () => {
      expect(picked(allocate(dated, '1', 'fefo').allocations)).toEqual([['E-0608', 'RACK-A', '1']]);
    });
  });

  describe('deterministic order', () => {
    const received = '2025-05-01T06:00:00Z';
    /** Two lots received at the same moment, one of them split over two bins. */
    const ties: readonly StockCandidate[] = [
      stock('L-20', 'BIN-2', '1', received, '2025-09-01'),
      stock('L-10', 'BIN-2', '1', received, '2025-09-01'),
      stock('L-10', 'BIN-1', '1', received, '2025-09-01'),
    ];

    it.each(['fifo', 'fefo'] as const)(
      '%s: same receipt and expiry → by lot code, then by location',
      (policy) => {
        expect(picked(allocate(ties, '3', policy).allocations)).toEqual([
          ['L-10', 'BIN-1', '1'],
          ['L-10', 'BIN-2', '1'],
          ['L-20', 'BIN-2', '1'],
        ]);
      },
    );

    it('FEFO: same expiry → the earlier received first', () => {
      const lots = [
        stock('A-2', 'BIN-1', '1', '2025-05-02T00:00:00Z', '2025-09-01'),
        stock('A-1', 'BIN-1', '1', '2025-05-03T00:00:00Z', '2025-09-01'),
        stock('A-3', 'BIN-1', '1', '2025-05-01T00:00:00Z', '2025-09-01'),
      ];
      expect(picked(allocate(lots, '3', 'fefo').allocations).map(([code]) => code)).toEqual([
        'A-3',
        'A-2',
        'A-1',
      ]);
    });

    it('FEFO: lots without expiry keep their FIFO order among themselves, after the dated ones', () => {
      const lots = [
        stock('N-2', 'BIN-1', '1', '2025-05-02T00:00:00Z', null),
        stock('N-1', 'BIN-1', '1', '2025-05-01T00:00:00Z', null),
        stock('D-1', 'BIN-1', '1', '2025-05-09T00:00:00Z', '2030-01-01'),
      ];
      expect(picked(allocate(lots, '3', 'fefo').allocations).map(([code]) => code)).toEqual([
        'D-1',
        'N-1',
        'N-2',
      ]);
    });

    it('FIFO compares receipt instants, not their text, across time zones', () => {
      const lots = [
        stock('Z-UTC', 'BIN-1', '1', '2025-03-01T01:00:00Z', null),
        // 08:00 in Shanghai is 00:00 UTC: received an hour earlier.
        stock('Z-CST', 'BIN-1', '1', '2025-03-01T08:00:00+08:00', null),
      ];
      expect(picked(allocate(lots, '1', 'fifo').allocations)).toEqual([['Z-CST', 'BIN-1', '1']]);
    });

    it.each(['fifo', 'fefo'] as const)('%s: the result does not depend on the input order', (policy) => {
      const all = [...grease, ...ties];
      const expected = allocate(all, '30', policy);
      expect(allocate([...all].reverse(), '30', policy)).toEqual(expected);
      expect(allocate([...all.slice(3), ...all.slice(0, 3)], '30', policy)).toEqual(expected);
      expect(allocate(all, '30', policy)).toEqual(expected);
    });
  });

  it('does not modify its input', () => {
    const candidates = [...grease].reverse().map((c) => Object.freeze({ ...c }));
    Object.freeze(candidates);
    const before = JSON.stringify(candidates);
    allocate(candidates, '20', 'fefo', { today: '2025-06-10' });
    allocate(candidates, '20', 'fifo');
    expect(JSON.stringify(candidates)).toBe(before);
  });

  it('rejects malformed input', () => {
    expect(() => allocate(grease, '1,5', 'fifo')).toThrow(RangeError);
    expect(() => allocate(grease, '', 'fefo')).toThrow(RangeError);
    expect(() => allocate(grease, '1', 'fefo', { today: '10.06.2025' })).toThrow(RangeError);
    expect(() => allocate([stock('M-1', 'BIN-1', '1e3', '2025-01-01T00:00:00Z', null)], '1', 'fifo')).toThrow(
      RangeError,
    );
  });
});
