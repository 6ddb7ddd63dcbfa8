import {
  BomCycleError,
  BomDepthError,
  BomInputError,
  explodeBom,
  findBomCycle,
  type BomInput,
  type BomLineInput,
  type ExplodedLine,
  type ExplosionResult,
} from './bom-explosion';

// ---------------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------------

const line = (
  lineNo: number,
  componentId: string,
  quantityPer: string,
  scrapFactor = '0',
  issueMethod: 'manual' | 'backflush' = 'manual',
  operationSeq: number | null = null,
): BomLineInput => ({ lineNo, componentId, quantityPer, scrapFactor, issueMethod, operationSeq });

const bom = (materialId: string, baseQuantity: string, lines: BomLineInput[]): BomInput => ({
  bomId: `BOM-${materialId}`,
  materialId,
  baseQuantity,
  lines,
});

/** A `bomOf` over a fixed set of BOMs (one per material). */
const bomsOf =
  (...boms: BomInput[]) =>
  (materialId: string): BomInput | undefined =>
    boms.find((b) => b.materialId === materialId);

/** The BOMs of a material graph given as parent → components, every line 1 per 1, no scrap. */
const graph = (edges: Record<string, string[]>): BomInput[] =>
  Object.entries(edges).map(([parent, components]) =>
    bom(
      parent,
      '1',
      components.map((c, i) => line((i + 1) * 10, c, '1')),
    ),
  );

const edgeMap = (edges: Record<string, string[]>): ReadonlyMap<string, readonly string[]> =>
  new Map(Object.entries(edges));

/** Only the quantities of each line, for compact tables. */
const quantities = (result: ExplosionResult) =>
  result.lines.map((l) => [l.path.join('/'), l.netQuantity, l.grossQuantity]);

const totalsOf = (result: ExplosionResult) =>
  result.totals.map((t) => [t.materialId, t.grossQuantity, t.leaf]);

const caught = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};

// ---------------------------------------------------------------------------------------------------
// The worked example: a gearbox over three levels
// ---------------------------------------------------------------------------------------------------

/**
 * GB-100 Gearbox, BOM per 1 pc:
 *   10  HSG-1     Housing          1 pc   scrap 2 %   manual     op 10
 *   20  SHAFT-1   Gear shaft       2 pc   scrap 5 %   manual     op 20
 *   30  SCREW-M6  Screw M6        8 pc   scrap 1 %   backflush  op 30
 * HSG-1 Housing, BOM per 1 pc:
 *   10  CAST-1    Aluminium casting 1 pc  scrap 3 %   manual     op 10
 *   20  SCREW-M6  Screw M6        4 pc   scrap 0     backflush  (no op)
 * SHAFT-1 Gear shaft, BOM per 10 pcs (baseQuantity 10):
 *   10  BLANK-1   Shaft blank     10 pc  scrap 4 %   manual     op 10
 *   20  GREASE    Grease          0.25 kg scrap 8 %  backflush  op 20
 * BLANK-1 Shaft blank (sawn from bar), BOM per 1 pc:
 *   10  STEEL-42  Steel bar 42CrMo4 0.35 kg scrap 10 % manual   op 10
 * CAST-1, SCREW-M6, GREASE, STEEL-42 are purchased (no BOM).
 */
const gearboxBoms = (): BomInput[] => [
  bom('GB-100', '1', [
    line(10, 'HSG-1', '1', '0.02', 'manual', 10),
    line(20, 'SHAFT-1', '2', '0.05', 'manual', 20),
    line(30, 'SCREW-M6', '8', '0.01', 'backflush', 30),
  ]),
  bom('HSG-1', '1', [
    line(10, 'CAST-1', '1', '0.03', 'manual', 10),
    line(20, 'SCREW-M6', '4', '0', 'backflush'),
  ]),
  bom('SHAFT-1', '10', [
    line(10, 'BLANK-1', '10', '0.04', 'manual', 10),
    line(20, 'GREASE', '0.25', '0.08', 'backflush', 20),
  ]),
  bom('BLANK-1', '1', [line(10, 'STEEL-42', '0.35', '0.1', 'manual', 10)]),
];

describe('explodeBom', () => {
  describe('a 3-level gearbox for 100 pcs, computed by hand', () => {
    // Each line: net = parentGross / baseQuantity × quantityPer; gross = net × (1 + scrap).
    // Children are computed from the parent's GROSS quantity, so scrap compounds down the levels.
    //
    // Level 1 (parent GB-100, gross = requested 100, base 1):
    //   HSG-1     net 100 / 1 × 1 = 100        gross 100 × 1.02 = 102
    //   SHAFT-1   net 100 / 1 × 2 = 200        gross 200 × 1.05 = 210
    //   SCREW-M6  net 100 / 1 × 8 = 800        gross 800 × 1.01 = 808
    // Level 2 under HSG-1 (parent gross 102, base 1):
    //   CAST-1    net 102 / 1 × 1 = 102        gross 102 × 1.03 = 105.06
    //   SCREW-M6  net 102 / 1 × 4 = 408        gross 408 × 1    = 408
    // Level 2 under SHAFT-1 (parent gross 210, base 10):
    //   BLANK-1   net 210 / 10 × 10 = 210      gross 210 × 1.04 = 218.4
    //   GREASE    net 210 / 10 × 0.25 = 5.25   gross 5.25 × 1.08 = 5.67
    // Level 3 under BLANK-1 (parent gross 218.4, base 1):
    //   STEEL-42  net 218.4 / 1 × 0.35 = 76.44 gross 76.44 × 1.1 = 84.084
    //   (compounded: 100 × 2 × 1.05 × 1.04 × 0.35 × 1.1 = 84.084 kg; without the upstream scrap it would be 77 kg)
    // Totals (summed over all levels): SCREW-M6 = 808 + 408 = 1216, the others occur once.
    const result = explodeBom('GB-100', '100', bomsOf(...gearboxBoms()));

    const l = (
      level: number,
      path: string[],
      bomId: string,
      lineNo: number,
      quantityPer: string,
      scrapFactor: string,
      issueMethod: 'manual' | 'backflush',
      operationSeq: number | null,
      netQuantity: string,
      grossQuantity: string,
      hasBom: boolean,
    ): ExplodedLine => ({
      level,
      path,
      parentId: path[path.length - 2]!,
      componentId: path[path.length - 1]!,
      bomId,
      lineNo,
      quantityPer,
      scrapFactor,
      issueMethod,
      operationSeq,
      netQuantity,
      grossQuantity,
      hasBom,
    });

    it('lists every line depth-first in lineNo order, with exact net and gross quantities', () => {
      // prettier-ignore
      expect(result.lines).toEqual([
        l(1, ['GB-100', 'HSG-1'], 'BOM-GB-100', 10, '1.000000', '0.020000', 'manual', 10, '100.000000', '102.000000', true),
        l(2, ['GB-100', 'HSG-1', 'CAST-1'], 'BOM-HSG-1', 10, '1.000000', '0.030000', 'manual', 10, '102.000000', '105.060000', false),
        l(2, ['GB-100', 'HSG-1', 'SCREW-M6'], 'BOM-HSG-1', 20, '4.000000', '0.000000', 'backflush', null, '408.000000', '408.000000', false),
        l(1, ['GB-100', 'SHAFT-1'], 'BOM-GB-100', 20, '2.000000', '0.050000', 'manual', 20, '200.000000', '210.000000', true),
        l(2, ['GB-100', 'SHAFT-1', 'BLANK-1'], 'BOM-SHAFT-1', 10, '10.000000', '0.040000', 'manual', 10, '210.000000', '218.400000', true),
        l(3, ['GB-100', 'SHAFT-1', 'BLANK-1', 'STEEL-42'], 'BOM-BLANK-1', 10, '0.350000', '0.100000', 'manual', 10, '76.440000', '84.084000', false),
        l(2, ['GB-100', 'SHAFT-1', 'GREASE'], 'BOM-SHAFT-1', 20, '0.250000', '0.080000', 'backflush', 20, '5.250000', '5.670000', false),
        l(1, ['GB-100', 'SCREW-M6'], 'BOM-GB-100', 30, '8.000000', '0.010000', 'backflush', 30, '800.000000', '808.000000', false),
      ]);
    });

    it('sums each component over all levels, sorted by material id, sub-assemblies marked non-leaf', () => {
      expect(result.rootId).toBe('GB-100');
      expect(result.quantity).toBe('100.000000');
      expect(result.totals).toEqual([
        { materialId: 'BLANK-1', grossQuantity: '218.400000', leaf: false },
        { materialId: 'CAST-1', grossQuantity: '105.060000', leaf: true },
        { materialId: 'GREASE', grossQuantity: '5.670000', leaf: true },
        { materialId: 'HSG-1', grossQuantity: '102.000000', leaf: false },
        { materialId: 'SCREW-M6', grossQuantity: '1216.000000', leaf: true },
        { materialId: 'SHAFT-1', grossQuantity: '210.000000', leaf: false },
        { materialId: 'STEEL-42', grossQuantity: '84.084000', leaf: true },
      ]);
    });

    it('asks bomOf once per material, and lists lines in lineNo order whatever the input order', () => {
      const boms = gearboxBoms();
      boms[0]!.lines.reverse(); // 30, 20, 10 as delivered by the caller
      const bomOf = jest.fn(bomsOf(...boms));
      const shuffled = explodeBom('GB-100', '100', bomOf);
      expect(shuffled).toEqual(result);
      const asked = bomOf.mock.calls.map(([id]) => id).sort();
      expect(asked).toEqual([
        'BLANK-1',
        'CAST-1',
        'GB-100',
        'GREASE',
        'HSG-1',
        'SCREW-M6',
        'SHAFT-1',
        'STEEL-42',
      ]);
    });

    it('gives all-zero quantities for a root quantity of 0 (same structure)', () => {
      const zero = explodeBom('GB-100', '0', bomsOf(...gearboxBoms()));
      expect(zero.quantity).toBe('0.000000');
      expect(zero.lines.map((x) => x.path)).toEqual(result.lines.map((x) => x.path));
      expect(zero.lines.every((x) => x.netQuantity === '0.000000' && x.grossQuantity === '0.000000')).toBe(
        true,
      );
      expect(zero.totals.map((t) => [t.materialId, t.grossQuantity])).toEqual(
        result.totals.map((t) => [t.materialId, '0.000000']),
      );
    });
  });

  describe('quantities are exact where floating point is not', () => {
    it.each([
      {
        situation: 'three labels at 0.1 pc each (float: 0.1 × 3 = 0.30000000000000004)',
        boms: [bom('KIT', '1', [line(10, 'LABEL', '0.1')])],
        quantity: '3',
        lines: [['KIT/LABEL', '0.300000', '0.300000']],
        totals: [['LABEL', '0.300000', true]],
      },
      {
        situation: 'a BOM per 3 pcs: 1 kg for 1 pc is 1/3 kg, rounded to 0.333333',
        boms: [bom('BRACKET', '3', [line(10, 'SHEET', '1')])],
        quantity: '1',
        lines: [['BRACKET/SHEET', '0.333333', '0.333333']],
        totals: [['SHEET', '0.333333', true]],
      },
      {
        situation: '2/3 rounds up to 0.666667',
        boms: [bom('BRACKET', '3', [line(10, 'SHEET', '2')])],
        quantity: '1',
        lines: [['BRACKET/SHEET', '0.666667', '0.666667']],
        totals: [['SHEET', '0.666667', true]],
      },
      {
        // 0.021275 × 1.02 = 0.0217005 exactly → 0.021701; as floats 0.021700499999999998 → "0.021700".
        situation: 'solder paste with 2 % scrap: a 5 in the 7th decimal rounds up',
        boms: [bom('PCB-A', '1', [line(10, 'PASTE', '0.021275', '0.02', 'backflush', 30)])],
        quantity: '1',
        lines: [['PCB-A/PASTE', '0.021275', '0.021701']],
        totals: [['PASTE', '0.021701', true]],
      },
      {
        // 3 × 0.0000045 = 0.0000135 → 0.000014; as floats 0.0000135 prints as "0.000013".
        situation: 'adhesive at 4.5 mg per piece for 3 pieces rounds half up',
        boms: [bom('LENS', '1', [line(10, 'GLUE', '0.0000045')])],
        quantity: '3',
        lines: [['LENS/GLUE', '0.000014', '0.000014']],
        totals: [['GLUE', '0.000014', true]],
      },
      {
        // CLIP gross = 1 / 3 × 1 = 1/3 (shown 0.333333); its child SPRING = 1/3 × 3 = 1 exactly,
        // not 0.333333 × 3 = 0.999999.
        situation: 'children are computed from the unrounded gross of their parent',
        boms: [bom('LATCH', '3', [line(10, 'CLIP', '1')]), bom('CLIP', '1', [line(10, 'SPRING', '3')])],
        quantity: '1',
        lines: [
          ['LATCH/CLIP', '0.333333', '0.333333'],
          ['LATCH/CLIP/SPRING', '1.000000', '1.000000'],
        ],
        totals: [
          ['CLIP', '0.333333', false],
          ['SPRING', '1.000000', true],
        ],
      },
      {
        // The same seal fitted at three operations, BOM per 3 pcs: 3 × 1/3 = 1 exactly, not 3 × 0.333333.
        situation: 'totals are exact sums rounded at the end',
        boms: [
          bom('PUMP', '3', [
            line(10, 'SEAL', '1', '0', 'manual', 10),
            line(20, 'SEAL', '1', '0', 'manual', 20),
            line(30, 'SEAL', '1', '0', 'manual', 30),
          ]),
        ],
        quantity: '1',
        lines: [
          ['PUMP/SEAL', '0.333333', '0.333333'],
          ['PUMP/SEAL', '0.333333', '0.333333'],
          ['PUMP/SEAL', '0.333333', '0.333333'],
        ],
        totals: [['SEAL', '1.000000', true]],
      },
      {
        // 7 × 1.05 = 7.35 frames; 7.35 × 2 × 1.05 = 15.435 rails; 15.435 × 0.125 × 1.05 = 2.02584375 kg → 2.025844.
        situation: 'scrap compounding over three levels of 5 %',
        boms: [
          bom('RACK', '1', [line(10, 'FRAME', '1', '0.05')]),
          bom('FRAME', '1', [line(10, 'RAIL', '2', '0.05')]),
          bom('RAIL', '1', [line(10, 'PROFILE', '0.125', '0.05')]),
        ],
        quantity: '7',
        lines: [
          ['RACK/FRAME', '7.000000', '7.350000'],
          ['RACK/FRAME/RAIL', '14.700000', '15.435000'],
          ['RACK/FRAME/RAIL/PROFILE', '1.929375', '2.025844'],
        ],
        totals: [
          ['FRAME', '7.350000', false],
          ['PROFILE', '2.025844', true],
          ['RAIL', '15.435000', false],
        ],
      },
      {
        situation: 'a requested quantity with many digits is used exactly',
        boms: [bom('CABLE', '1000', [line(10, 'WIRE', '1050')])],
        quantity: '0.000001',
        lines: [['CABLE/WIRE', '0.000001', '0.000001']],
        totals: [['WIRE', '0.000001', true]],
      },
    ])('$situation', ({ boms, quantity, lines, totals }) => {
      const result = explodeBom(boms[0]!.materialId, quantity, bomsOf(...boms));
      expect(quantities(result)).toEqual(lines);
      expect(totalsOf(result)).toEqual(totals);
    });
  });

  it('echoes the request and the line definitions normalised to 6 places, never rounding them away', () => {
    const result = explodeBom(
      'LENS',
      '007.5',
      bomsOf(bom('LENS', '1', [line(10, 'GLUE', '0.0000125', '0.05'), line(20, 'CAP', '1.5', '0.000')])),
    );
    expect(result.quantity).toBe('7.500000');
    expect(result.lines.map((x) => [x.quantityPer, x.scrapFactor])).toEqual([
      ['0.0000125', '0.050000'],
      ['1.500000', '0.000000'],
    ]);
  });

  it('gives no lines and no totals for a purchased item (no BOM)', () => {
    expect(explodeBom('SCREW-M6', '10', bomsOf(...gearboxBoms()))).toEqual({
      rootId: 'SCREW-M6',
      quantity: '10.000000',
      lines: [],
      totals: [],
    });
  });

  it('explodes a diamond (a part reached by two paths) without calling it a cycle', () => {
    // A → B, A → C, B → D, C → D: D is needed once under B and once under C.
    const result = explodeBom('A', '2', bomsOf(...graph({ A: ['B', 'C'], B: ['D'], C: ['D'] })));
    expect(result.lines.map((x) => x.path.join('/'))).toEqual(['A/B', 'A/B/D', 'A/C', 'A/C/D']);
    expect(totalsOf(result)).toEqual([
      ['B', '2.000000', false],
      ['C', '2.000000', false],
      ['D', '4.000000', true],
    ]);
  });

  describe('cycles', () => {
    it.each<{ situation: string; edges: Record<string, string[]>; root: string; cycle: string[] }>([
      {
        situation: 'an assembly that contains itself through two levels (A → B → C → A)',
        edges: { A: ['B'], B: ['C'], C: ['A'] },
        root: 'A',
        cycle: ['A', 'B', 'C', 'A'],
      },
      {
        situation: 'a BOM listing its own parent material (A → A)',
        edges: { A: ['A'] },
        root: 'A',
        cycle: ['A', 'A'],
      },
      {
        situation: 'a cycle below the root (X → A → B → A)',
        edges: { X: ['A'], A: ['B'], B: ['A'] },
        root: 'X',
        cycle: ['A', 'B', 'A'],
      },
      {
        situation: 'a cycle reached after a clean branch (X → P, X → A → B → A)',
        edges: { X: ['P', 'A'], P: ['Q'], A: ['B'], B: ['A'] },
        root: 'X',
        cycle: ['A', 'B', 'A'],
      },
    ])('$situation: throws BomCycleError with the same cycle as findBomCycle', ({ edges, root, cycle }) => {
      const error = caught(() => explodeBom(root, '1', bomsOf(...graph(edges))));
      expect(error).toBeInstanceOf(BomCycleError);
      expect(error).toBeInstanceOf(Error);
      expect((error as BomCycleError).cycle).toEqual(cycle);
      expect((error as BomCycleError).message).toBe(`BOM cycle: ${cycle.join(' → ')}`);
      expect(findBomCycle(edgeMap(edges), root)).toEqual(cycle);
    });
  });

  describe('depth limit', () => {
    /** M0 → M1 → ... → M<levels>: a chain `levels` deep. */
    const chain = (levels: number): BomInput[] =>
      Array.from({ length: levels }, (_, i) => bom(`M${i}`, '1', [line(10, `M${i + 1}`, '1')]));

    it.each`
      situation                                  | levels | maxDepth     | deepest
      ${'25 levels pass the default limit'}      | ${25}  | ${undefined} | ${25}
      ${'a 3-level chain passes a limit of 3'}   | ${3}   | ${3}         | ${3}
      ${'a limit of 1 allows direct components'} | ${1}   | ${1}         | ${1}
    `(
      '$situation',
      ({ levels, maxDepth, deepest }: { levels: number; maxDepth: number | undefined; deepest: number }) => {
        const result = explodeBom('M0', '1', bomsOf(...chain(levels)), { maxDepth });
        expect(Math.max(...result.lines.map((x) => x.level))).toBe(deepest);
      },
    );

    it.each`
      situation                              | levels | maxDepth     | path
      ${'26 levels exceed the default 25'}   | ${26}  | ${undefined} | ${'M0/M1/M2/M3/M4/M5/M6/M7/M8/M9/M10/M11/M12/M13/M14/M15/M16/M17/M18/M19/M20/M21/M22/M23/M24/M25/M26'}
      ${'a 3-level chain with a limit of 2'} | ${3}   | ${2}         | ${'M0/M1/M2/M3'}
    `(
      '$situation: BomDepthError',
      ({ levels, maxDepth, path }: { levels: number; maxDepth: number | undefined; path: string }) => {
        const error = caught(() => explodeBom('M0', '1', bomsOf(...chain(levels)), { maxDepth }));
        expect(error).toBeInstanceOf(BomDepthError);
        expect((error as BomDepthError).maxDepth).toBe(maxDepth ?? 25);
        expect((error as BomDepthError).path.join('/')).toBe(path);
        expect((error as BomDepthError).message).toMatch(`deeper than ${maxDepth ?? 25} levels`);
      },
    );

    it('the gearbox (3 levels) fails with maxDepth 2 at the steel bar', () => {
      expect(() => explodeBom('GB-100', '100', bomsOf(...gearboxBoms()), { maxDepth: 2 })).toThrow(
        new BomDepthError(2, ['GB-100', 'SHAFT-1', 'BLANK-1', 'STEEL-42']),
      );
    });

    it.each([0, -1, 2.5, Number.NaN])('refuses maxDepth %p', (maxDepth) => {
      expect(() => explodeBom('GB-100', '1', bomsOf(...gearboxBoms()), { maxDepth })).toThrow(
        'maxDepth must be an integer >= 1',
      );
    });
  });

  describe('invalid input is refused with the BOM and line named', () => {
    const ROOT = 'Explosion of "GB-100"';
    const GB = 'BOM "BOM-GB-100" of material "GB-100"';
    const SHAFT_LINE = `${GB}, line 20 (component "SHAFT-1")`;
    const STEEL_LINE = 'BOM "BOM-BLANK-1" of material "BLANK-1", line 10 (component "STEEL-42")';

    /** Edits the gearbox BOMs: [0] GB-100, [1] HSG-1, [2] SHAFT-1, [3] BLANK-1. */
    type Edit = (boms: BomInput[]) => void;
    const gearLine = (boms: BomInput[]): BomLineInput => boms[0]!.lines[1]!; // line 20, SHAFT-1
    const noEdit: Edit = () => undefined;

    it.each<{ situation: string; quantity?: string; edit?: Edit; message: string }>([
      {
        situation: 'a negative root quantity',
        quantity: '-1',
        message: `${ROOT}: quantity must be >= 0, got -1`,
      },
      {
        situation: 'a root quantity in exponent form',
        quantity: '1e3',
        message: `${ROOT}: quantity is not a decimal number: "1e3"`,
      },
      {
        situation: 'an empty root quantity',
        quantity: '',
        message: `${ROOT}: quantity is not a decimal number: ""`,
      },
      {
        situation: 'a root quantity with a space',
        quantity: ' 100',
        message: `${ROOT}: quantity is not a decimal number: " 100"`,
      },
      {
        situation: 'a zero base quantity',
        edit: (b) => (b[0]!.baseQuantity = '0'),
        message: `${GB}: baseQuantity must be > 0, got "0"`,
      },
      {
        situation: 'a negative base quantity',
        edit: (b) => (b[0]!.baseQuantity = '-10'),
        message: `${GB}: baseQuantity must be > 0, got "-10"`,
      },
      {
        situation: 'a base quantity with its unit',
        edit: (b) => (b[0]!.baseQuantity = '10 pcs'),
        message: `${GB}: baseQuantity is not a decimal number: "10 pcs"`,
      },
      {
        situation: 'a zero component quantity',
        edit: (b) => (gearLine(b).quantityPer = '0.000'),
        message: `${SHAFT_LINE}: quantityPer must be > 0, got "0.000"`,
      },
      {
        situation: 'a negative component quantity (a by-product is not a component)',
        edit: (b) => (gearLine(b).quantityPer = '-2'),
        message: `${SHAFT_LINE}: quantityPer must be > 0, got "-2"`,
      },
      {
        situation: 'a component quantity with a decimal comma',
        edit: (b) => (gearLine(b).quantityPer = '2,5'),
        message: `${SHAFT_LINE}: quantityPer is not a decimal number: "2,5"`,
      },
      {
        situation: 'a scrap factor of 100 %',
        edit: (b) => (gearLine(b).scrapFactor = '1'),
        message: `${SHAFT_LINE}: scrapFactor must be >= 0 and < 1, got "1"`,
      },
      {
        situation: 'a scrap factor given in percent',
        edit: (b) => (gearLine(b).scrapFactor = '5'),
        message: `${SHAFT_LINE}: scrapFactor must be >= 0 and < 1, got "5"`,
      },
      {
        situation: 'a negative scrap factor',
        edit: (b) => (gearLine(b).scrapFactor = '-0.01'),
        message: `${SHAFT_LINE}: scrapFactor must be >= 0 and < 1, got "-0.01"`,
      },
      {
        situation: 'a scrap factor with a percent sign',
        edit: (b) => (gearLine(b).scrapFactor = '5%'),
        message: `${SHAFT_LINE}: scrapFactor is not a decimal number: "5%"`,
      },
      {
        situation: 'a scrap factor that is NaN',
        edit: (b) => (gearLine(b).scrapFactor = 'NaN'),
        message: `${SHAFT_LINE}: scrapFactor is not a decimal number: "NaN"`,
      },
      {
        situation: 'a component without a material id',
        edit: (b) => (gearLine(b).componentId = ''),
        message: `${GB}, line 20 (component ""): componentId is empty`,
      },
      {
        situation: 'a fractional line number',
        edit: (b) => (gearLine(b).lineNo = 20.5),
        message: `${GB}, line 20.5 (component "SHAFT-1"): lineNo must be an integer`,
      },
      {
        situation: 'a bad line in a sub-assembly BOM (level 3)',
        edit: (b) => (b[3]!.lines[0]!.quantityPer = '0.35kg'),
        message: `${STEEL_LINE}: quantityPer is not a decimal number: "0.35kg"`,
      },
      {
        situation: 'bomOf returning the BOM of another material',
        edit: (b) => (b[2]!.materialId = 'SHAFT-2'),
        message: 'BOM "BOM-SHAFT-1" of material "SHAFT-2" was returned for material "SHAFT-1"',
      },
    ])('$situation', ({ quantity = '100', edit = noEdit, message }) => {
      const boms = gearboxBoms();
      edit(boms);
      const byId = new Map(gearboxBoms().map((b, i) => [b.materialId, boms[i]!]));
      const error = caught(() => explodeBom('GB-100', quantity, (id) => byId.get(id)));
      expect(error).toBeInstanceOf(BomInputError);
      expect((error as Error).message).toBe(message);
    });

    it('accepts a root quantity of -0 (it is zero)', () => {
      expect(explodeBom('GB-100', '-0', bomsOf(...gearboxBoms())).quantity).toBe('0.000000');
    });
  });
});

describe('findBomCycle', () => {
  it.each<{
    situation: string;
    edges: Record<string, string[]>;
    start?: string;
    cycle: string[] | undefined;
  }>([
    {
      situation: 'A → B → C → A from A',
      edges: { A: ['B'], B: ['C'], C: ['A'] },
      start: 'A',
      cycle: ['A', 'B', 'C', 'A'],
    },
    {
      situation: 'A → B → C → A from B: the cycle starts at the start material',
      edges: { A: ['B'], B: ['C'], C: ['A'] },
      start: 'B',
      cycle: ['B', 'C', 'A', 'B'],
    },
    {
      situation: 'A → B → C → A without a start: searched in map order',
      edges: { A: ['B'], B: ['C'], C: ['A'] },
      cycle: ['A', 'B', 'C', 'A'],
    },
    { situation: 'a self-reference A → A', edges: { A: ['A'] }, start: 'A', cycle: ['A', 'A'] },
    {
      situation: 'a diamond A → B, A → C, B → D, C → D is not a cycle',
      edges: { A: ['B', 'C'], B: ['D'], C: ['D'] },
      start: 'A',
      cycle: undefined,
    },
    {
      situation: 'a diamond without a start is not a cycle either',
      edges: { A: ['B', 'C'], B: ['D'], C: ['D'], D: [] },
      cycle: undefined,
    },
    {
      situation: 'the gearbox structure has no cycle',
      edges: {
        'GB-100': ['HSG-1', 'SHAFT-1', 'SCREW-M6'],
        'HSG-1': ['CAST-1', 'SCREW-M6'],
        'SHAFT-1': ['BLANK-1'],
      },
      start: 'GB-100',
      cycle: undefined,
    },
    {
      // Checking a new line BLANK-1 → GB-100 before saving it: look for a cycle from the edited BOM's parent.
      situation: 'a proposed line that would put the gearbox into its own shaft blank',
      edges: { 'GB-100': ['HSG-1', 'SHAFT-1'], 'SHAFT-1': ['BLANK-1'], 'BLANK-1': ['STEEL-42', 'GB-100'] },
      start: 'BLANK-1',
      cycle: ['BLANK-1', 'GB-100', 'SHAFT-1', 'BLANK-1'],
    },
    {
      situation: 'a cycle not reachable from the start is not reported',
      edges: { X: ['Y'], A: ['B'], B: ['A'] },
      start: 'X',
      cycle: undefined,
    },
    {
      situation: 'the same graph without a start finds it',
      edges: { X: ['Y'], A: ['B'], B: ['A'] },
      cycle: ['A', 'B', 'A'],
    },
    {
      situation: 'a cycle reachable from the start but not through it',
      edges: { S: ['A'], A: ['B'], B: ['A'] },
      start: 'S',
      cycle: ['A', 'B', 'A'],
    },
    { situation: 'a start material with no BOM', edges: { A: ['B'] }, start: 'Z', cycle: undefined },
    { situation: 'no edges at all', edges: {}, cycle: undefined },
  ])('$situation', ({ edges, start, cycle }) => {
    expect(findBomCycle(edgeMap(edges), start)).toEqual(cycle);
  });

  it('walks a 100 000-level chain without overflowing the call stack', () => {
    const edges = new Map<string, string[]>();
    for (let i = 0; i < 100_000; i += 1) {
      edges.set(`M${i}`, [`M${i + 1}`]);
    }
    expect(findBomCycle(edges, 'M0')).toBeUndefined();
    edges.set('M100000', ['M99998']);
    expect(findBomCycle(edges, 'M0')).toEqual(['M99998', 'M99999', 'M100000', 'M99998']);
  });
});
