import { kittingPicture, kittingRate, type KittingInput, type KittingRequirement } from './kitting';

const req = (
  lineNo: number,
  materialId: string,
  requiredQty: string,
  issuedQty = '0',
): KittingRequirement => ({
  lineNo,
  materialId,
  requiredQty,
  issuedQty,
});

/** Line → [openQty, allocatedQty, shortQty], for compact expectations. */
const quantities = (input: KittingInput) =>
  kittingPicture(input).lines.map((l) => [l.lineNo, l.materialId, l.openQty, l.allocatedQty, l.shortQty]);

/**
 * Gearbox order of 100 pcs: housing, shafts, and M8 bolts on three lines (housing cover 800, bearing cap
 * 400, mounting flange 600 = 1800 bolts), plus gear oil in kg.
 */
const gearboxKit: KittingRequirement[] = [
  req(10, 'HSG-1', '100'),
  req(20, 'SHAFT-1', '200', '50'),
  req(30, 'BOLT-M8', '800'),
  req(40, 'BOLT-M8', '400'),
  req(50, 'BOLT-M8', '600'),
  req(60, 'OIL-75W90', '12.5', '12.5'),
];

describe('kittingPicture (what can be kitted for a work order)', () => {
  it.each`
    situation                                                                 | bolts     | lines
    ${'enough bolts for all three lines'}                                     | ${'2000'} | ${[[30, 'BOLT-M8', '800', '800', '0'], [40, 'BOLT-M8', '400', '400', '0'], [50, 'BOLT-M8', '600', '600', '0']]}
    ${'exactly enough bolts'}                                                 | ${'1800'} | ${[[30, 'BOLT-M8', '800', '800', '0'], [40, 'BOLT-M8', '400', '400', '0'], [50, 'BOLT-M8', '600', '600', '0']]}
    ${'1000 bolts: the cover gets all, the bearing cap 200, the flange none'} | ${'1000'} | ${[[30, 'BOLT-M8', '800', '800', '0'], [40, 'BOLT-M8', '400', '200', '200'], [50, 'BOLT-M8', '600', '0', '600']]}
    ${'500 bolts: only part of the first line'}                               | ${'500'}  | ${[[30, 'BOLT-M8', '800', '500', '300'], [40, 'BOLT-M8', '400', '0', '400'], [50, 'BOLT-M8', '600', '0', '600']]}
    ${'no bolts in stock'}                                                    | ${'0'}    | ${[[30, 'BOLT-M8', '800', '0', '800'], [40, 'BOLT-M8', '400', '0', '400'], [50, 'BOLT-M8', '600', '0', '600']]}
    ${'bolts overbooked by other orders (negative net availability)'}         | ${'-150'} | ${[[30, 'BOLT-M8', '800', '0', '800'], [40, 'BOLT-M8', '400', '0', '400'], [50, 'BOLT-M8', '600', '0', '600']]}
  `(
    'bolt lines compete first come first served: $situation',
    ({ bolts, lines }: { bolts: string; lines: unknown[] }) => {
      const result = quantities({
        requirements: gearboxKit.filter((r) => r.materialId === 'BOLT-M8'),
        available: { 'BOLT-M8': bolts },
      });
      expect(result).toEqual(lines);
    },
  );

  it('the whole gearbox kit with 1000 bolts: two lines short, 4 of 6 covered', () => {
    const picture = kittingPicture({
      requirements: gearboxKit,
      available: { 'HSG-1': '120', 'SHAFT-1': '150.000000', 'BOLT-M8': '1000', 'OIL-75W90': '0' },
    });
    expect(picture).toEqual({
      lines: [
        { lineNo: 10, materialId: 'HSG-1', openQty: '100', allocatedQty: '100', shortQty: '0' },
        { lineNo: 20, materialId: 'SHAFT-1', openQty: '150', allocatedQty: '150', shortQty: '0' },
        { lineNo: 30, materialId: 'BOLT-M8', openQty: '800', allocatedQty: '800', shortQty: '0' },
        { lineNo: 40, materialId: 'BOLT-M8', openQty: '400', allocatedQty: '200', shortQty: '200' },
        { lineNo: 50, materialId: 'BOLT-M8', openQty: '600', allocatedQty: '0', shortQty: '600' },
        // The oil is fully issued already: covered even though none is in stock.
        { lineNo: 60, materialId: 'OIL-75W90', openQty: '0', allocatedQty: '0', shortQty: '0' },
      ],
      complete: false,
      shortLines: 2,
      kittingRate: '0.6667',
    });
  });

  it.each`
    situation                                                  | requirements                                                 | available                               | complete | shortLines | kittingRate
    ${'an order without material lines'}                       | ${[]}                                                        | ${{}}                                   | ${true}  | ${0}       | ${'1.0000'}
    ${'everything in stock'}                                   | ${[req(10, 'HSG-1', '100'), req(20, 'SHAFT-1', '200')]}      | ${{ 'HSG-1': '100', 'SHAFT-1': '500' }} | ${true}  | ${0}       | ${'1.0000'}
    ${'one of two lines short'}                                | ${[req(10, 'HSG-1', '100'), req(20, 'SHAFT-1', '200')]}      | ${{ 'HSG-1': '100' }}                   | ${false} | ${1}       | ${'0.5000'}
    ${'one of three lines short'}                              | ${[req(10, 'A', '1'), req(20, 'B', '1'), req(30, 'C', '1')]} | ${{ A: '1', B: '1' }}                   | ${false} | ${1}       | ${'0.6667'}
    ${'two of three lines short'}                              | ${[req(10, 'A', '1'), req(20, 'B', '1'), req(30, 'C', '1')]} | ${{ A: '1' }}                           | ${false} | ${2}       | ${'0.3333'}
    ${'a material missing from the availability map is short'} | ${[req(10, 'HSG-1', '100')]}                                 | ${{}}                                   | ${false} | ${1}       | ${'0.0000'}
    ${'a line over-issued by the warehouse counts as covered'} | ${[req(10, 'HSG-1', '100', '105')]}                          | ${{}}                                   | ${true}  | ${0}       | ${'1.0000'}
    ${'a material id that is also an object property name'}    | ${[req(10, 'constructor', '1')]}                             | ${{}}                                   | ${false} | ${1}       | ${'0.0000'}
  `(
    '$situation → complete $complete, $shortLines short, rate $kittingRate',
    ({
      requirements,
      available,
      complete,
      shortLines,
      kittingRate,
    }: KittingInput & { complete: boolean; shortLines: number; kittingRate: string }) => {
      expect(kittingPicture({ requirements, available })).toMatchObject({
        complete,
        shortLines,
        kittingRate,
      });
    },
  );

  it('allocates in lineNo order even when the lines arrive unsorted', () => {
    expect(
      quantities({
        requirements: [req(50, 'BOLT-M8', '600'), req(30, 'BOLT-M8', '800'), req(40, 'BOLT-M8', '400')],
        available: { 'BOLT-M8': '1000' },
      }),
    ).toEqual([
      [30, 'BOLT-M8', '800', '800', '0'],
      [40, 'BOLT-M8', '400', '200', '200'],
      [50, 'BOLT-M8', '600', '0', '600'],
    ]);
  });

  it('nets partial issues and keeps decimals exact (steel strip in metres)', () => {
    expect(
      quantities({
        requirements: [req(10, 'STRIP-2MM', '120.75', '20.5'), req(20, 'STRIP-2MM', '0.3')],
        available: { 'STRIP-2MM': '100.2' },
      }),
    ).toEqual([
      [10, 'STRIP-2MM', '100.25', '100.2', '0.05'],
      [20, 'STRIP-2MM', '0.3', '0', '0.3'],
    ]);
  });

  it('does not change the caller’s requirement list', () => {
    const requirements = [req(20, 'B', '1'), req(10, 'A', '1')];
    kittingPicture({ requirements, available: {} });
    expect(requirements.map((r) => r.lineNo)).toEqual([20, 10]);
  });
});

describe('kittingRate (齐套率 of released orders)', () => {
  const req = (materialId: string, requiredQty: string, issuedQty = '0') => ({
    lineNo: 10,
    materialId,
    requiredQty,
    issuedQty,
  });
  const stock = (entries: Record<string, Record<string, string>>) =>
    new Map(Object.entries(entries).map(([line, m]) => [line, new Map(Object.entries(m))]));

  it('counts an order staged only when every material is at its line, earliest orders first', () => {
    const result = kittingRate(
      [
        { workOrderId: 'A', lineId: 'L1', requirements: [req('shaft', '10'), req('grease', '0.5')] },
        { workOrderId: 'B', lineId: 'L1', requirements: [req('shaft', '10')] },
        { workOrderId: 'C', lineId: 'L2', requirements: [req('shaft', '5')] },
      ],
      stock({ L1: { shaft: '15', grease: '2' }, L2: { shaft: '5' } }),
    );
    // A takes 10 of the 15 shafts at L1; B finds 5 and misses 5; C has its own line's stock.
    expect(result.orders.map((o) => [o.workOrderId, o.staged])).toEqual([
      ['A', true],
      ['B', false],
      ['C', true],
    ]);
    expect(result.orders[1]!.missing).toEqual([{ materialId: 'shaft', missingQty: '5' }]);
    expect(result).toMatchObject({ released: 3, staged: 2, rate: '0.6667' });
  });

  it('nets issued quantity, sums lines of one material, and answers 1 for no orders', () => {
    const result = kittingRate(
      [{ workOrderId: 'A', lineId: 'L1', requirements: [req('shaft', '10', '8'), req('shaft', '3')] }],
      stock({ L1: { shaft: '5' } }),
    );
    expect(result.orders[0]).toMatchObject({ staged: true, missing: [] });
    expect(kittingRate([], new Map())).toEqual({ orders: [], released: 0, staged: 0, rate: '1.0000' });
    const noStock = kittingRate(
      [{ workOrderId: 'A', lineId: 'L9', requirements: [req('x', '1')] }],
      new Map(),
    );
    expect(noStock).toMatchObject({ staged: 0, rate: '0.0000' });
  });
});
