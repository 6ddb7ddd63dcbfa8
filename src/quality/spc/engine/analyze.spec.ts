import { analyze, type SpcAnalyzeInput, SpcInputError } from './analyze';

const fieldsOf = (input: unknown): string[] => {
  try {
    analyze(input as SpcAnalyzeInput);
  } catch (e) {
    if (e instanceof SpcInputError) return e.errors.map((x) => x.field);
    throw e;
  }
  throw new Error('no SpcInputError thrown');
};

const subgroups = [
  [1, 2, 3],
  [2, 3, 4],
  [3, 2, 1],
];

describe('analyze: bad input gives SpcInputError with field paths', () => {
  it.each<[string, unknown, string[]]>([
    ['unknown chart', { chart: 'xbar' }, ['chart']],
    ['values for an x̄-R chart', { chart: 'xbar-r', values: [1, 2] }, ['values', 'subgroups']],
    ['subgroup of size 1', { chart: 'xbar-r', subgroups: [[1, 2], [3, 4], [5, 6], [7]] }, ['subgroups[3]']],
    ['non-number in a subgroup', { chart: 'xbar-s', subgroups: [[1, 'x']] }, ['subgroups[0][1]']],
    ['n > 25 with the printed table', { chart: 'xbar-r', subgroups: [Array(26).fill(1)] }, ['subgroups[0]']],
    ['empty data', { chart: 'imr', values: [] }, ['values']],
    ['one individual value', { chart: 'imr', values: [1] }, ['values']],
    [
      'count > size for p',
      {
        chart: 'p',
        counts: [
          { count: 1, size: 5 },
          { count: 6, size: 5 },
        ],
      },
      ['counts[1].count'],
    ],
    ['size missing for np', { chart: 'np', counts: [{ count: 1 }] }, ['counts[0].size']],
    ['fractional count', { chart: 'c', counts: [{ count: 1.5 }] }, ['counts[0].count']],
    [
      'unequal sizes on a c chart',
      {
        chart: 'c',
        counts: [
          { count: 1, size: 1 },
          { count: 1, size: 2 },
        ],
      },
      ['counts[1].size'],
    ],
    [
      'phaseI beyond the data',
      { chart: 'xbar-r', subgroups, phaseI: { first: 0, last: 3 } },
      ['phaseI.last'],
    ],
    ['phaseI reversed', { chart: 'xbar-r', subgroups, phaseI: { first: 2, last: 1 } }, ['phaseI.last']],
    ['exclude out of range', { chart: 'xbar-r', subgroups, exclude: [7] }, ['exclude[0]']],
    [
      'exclude outside phase I',
      { chart: 'xbar-r', subgroups, phaseI: { first: 0, last: 1 }, exclude: [2] },
      ['exclude[0]'],
    ],
    ['excluding everything', { chart: 'xbar-r', subgroups, exclude: [0, 1, 2] }, ['exclude']],
    ['lsl ≥ usl', { chart: 'xbar-r', subgroups, spec: { lsl: 5, usl: 5 } }, ['spec.lsl']],
    ['spec on an attributes chart', { chart: 'c', counts: [{ count: 1 }], spec: { usl: 3 } }, ['spec']],
    ['nSigma ≤ 0', { chart: 'xbar-r', subgroups, nSigma: 0 }, ['nSigma']],
    ['unknown rule numbers', { chart: 'xbar-r', subgroups, rules: [1, 9, 'WE5'] }, ['rules[1]', 'rules[2]']],
    ['unknown constants', { chart: 'xbar-r', subgroups, constants: 'printed' }, ['constants']],
  ])('%s', (_name, input, fields) => {
    expect(fieldsOf(input)).toEqual(fields);
  });

  it('collects every problem at once, with messages', () => {
    try {
      analyze({ chart: 'p', counts: [{ count: 3, size: 2 }], nSigma: -1, rules: [0] });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(SpcInputError);
      expect(e).toBeInstanceOf(Error);
      expect((e as SpcInputError).errors).toEqual([
        { field: 'counts[0].count', message: 'count 3 exceeds size 2' },
        { field: 'nSigma', message: 'must be a positive number' },
        { field: 'rules[0]', message: expect.stringContaining('unknown rule') as string },
      ]);
    }
  });

  it('allows n > 25 with exact constants', () => {
    const big = [Array.from({ length: 30 }, (_, i) => i % 7), Array.from({ length: 30 }, (_, i) => i % 5)];
    expect(analyze({ chart: 'xbar-s', subgroups: big, constants: 'exact' }).sigma).toBeGreaterThan(0);
  });
});

describe('analyze: phase I, phase II, exclusions, frozen limits', () => {
  const values = [5, 6, 5, 7, 6, 5, 6, 30, 6, 5, 6, 5];

  it('computes limits from the phase-I range only and judges phase II against them', () => {
    const a = analyze({ chart: 'imr', values, phaseI: { first: 0, last: 6 } });
    const phaseI = values.slice(0, 7);
    expect(a.center).toBeCloseTo(phaseI.reduce((x, y) => x + y, 0) / 7, 12);
    expect(a.points.filter((p) => p.phase === 'II').map((p) => p.index)).toEqual([7, 8, 9, 10, 11]);
    expect(a.points[7]?.violations).toContain('WE1');
  });

  it('leaves excluded points out of the limits but still plots and judges them', () => {
    const all = analyze({ chart: 'imr', values });
    const revised = analyze({ chart: 'imr', values, exclude: [{ index: 7, reason: 'sensor fault' }] });
    const kept = values.filter((_, i) => i !== 7);
    expect(revised.center).toBeCloseTo(kept.reduce((x, y) => x + y, 0) / kept.length, 12);
    expect(revised.sigma).toBeLessThan(all.sigma);
    expect(revised.points).toHaveLength(values.length);
    expect(revised.points[7]).toMatchObject({ value: 30, excluded: true, exclusionReason: 'sensor fault' });
    expect(revised.points[7]?.violations).toContain('WE1');
    expect(revised.limits.excluded).toEqual([{ index: 7, reason: 'sensor fault' }]);
    expect(revised.limits.version).not.toBe(all.limits.version);
  });

  it('versions the limits: same basis, same version; frozen limits judge new points unchanged', () => {
    const first = analyze({ chart: 'imr', values, exclude: [7] });
    expect(analyze({ chart: 'imr', values, exclude: [7] }).limits.version).toBe(first.limits.version);
    const later = analyze({
      chart: 'imr',
      values: [6, 5, 40],
      frozen: { center: first.limits.center, sigma: first.limits.sigma, version: first.limits.version },
    });
    expect(later.limits).toMatchObject({ source: 'frozen', version: first.limits.version });
    expect(later.ucl).toBe(first.ucl);
    expect(later.points.every((p) => p.phase === 'II')).toBe(true);
    expect(later.points[2]?.violations).toEqual(['WE1']);
  });

  it('honours nSigma for the limits (rule 1) while zones stay at 1 and 2 sigma', () => {
    const a = analyze({ chart: 'imr', values: [0, 1], frozen: { center: 0, sigma: 1 }, nSigma: 2 });
    expect(a.ucl).toBe(2);
    expect(a.lcl).toBe(-2);
  });

  it('p and u charts with variable sizes give per-point limits, LCL never negative', () => {
    const a = analyze({
      chart: 'u',
      counts: [
        { count: 3, size: 2 },
        { count: 10, size: 8 },
        { count: 1, size: 0.5 },
      ],
    });
    expect(Array.isArray(a.ucl)).toBe(true);
    expect(Array.isArray(a.lcl)).toBe(true);
    expect(typeof a.center).toBe('number');
    expect(a.points.every((p) => p.lcl >= 0)).toBe(true);
    const ubar = 14 / 10.5;
    a.points.forEach((p, i) => {
      const n = [2, 8, 0.5][i] as number;
      expect(p.ucl).toBeCloseTo(ubar + 3 * Math.sqrt(ubar / n), 12);
      expect(p.lcl).toBeCloseTo(Math.max(0, ubar - 3 * Math.sqrt(ubar / n)), 12);
    });
  });
});

describe('analyze: response shape', () => {
  const keys = (o: object) => Object.keys(o);

  it('builds every point with the same keys in the same order; a reason only where one was given', () => {
    const a = analyze({
      chart: 'xbar-r',
      subgroups: [
        [1, 2, 3],
        [2, 3, 4],
        [3, 2, 1],
        [9, 9, 8],
      ],
      phaseI: { first: 0, last: 2 },
      exclude: [1, { index: 2, reason: 'new operator' }],
    });
    const base = ['index', 'value', 'center', 'ucl', 'lcl', 'se', 'phase', 'excluded', 'violations'];
    expect(keys(a.points[0] as object)).toEqual(base);
    expect(keys(a.points[1] as object)).toEqual(base);
    expect(keys(a.points[2] as object)).toEqual([...base, 'exclusionReason']);
    expect(a.points.map((p) => [p.phase, p.excluded, p.exclusionReason])).toEqual([
      ['I', false, undefined],
      ['I', true, undefined],
      ['I', true, 'new operator'],
      ['II', false, undefined],
    ]);
    expect(keys(a.secondary?.points[0] as object)).toEqual([
      'index',
      'value',
      'center',
      'ucl',
      'lcl',
      'violations',
    ]);
    expect(a.secondary?.points.map((p) => p.value)).toEqual([2, 2, 2, 1]);
  });

  it('x̄ chart with varying subgroup sizes: limits per point, center shared, R chart per point', () => {
    const a = analyze({
      chart: 'xbar-r',
      subgroups: [
        [1, 2],
        [2, 3, 4],
        [3, 2],
        [1, 2, 3, 4],
      ],
    });
    expect(typeof a.center).toBe('number');
    expect(a.ucl).toEqual(a.points.map((p) => p.ucl));
    expect(a.points[0]?.ucl).toBe(a.points[2]?.ucl);
    expect(a.points[0]?.ucl).not.toBe(a.points[1]?.ucl);
    expect(Array.isArray(a.secondary?.center)).toBe(true);
    expect(a.secondary?.ucl).toEqual(a.secondary?.points.map((p) => p.ucl));
  });

  it('lists fired rules in the order they were asked for; an empty list where none fires', () => {
    const a = analyze({
      chart: 'imr',
      values: [0, 0.1, -0.1, 5],
      frozen: { center: 0, sigma: 1 },
      rules: ['N5', 'WE1', 'N1'],
    });
    expect(a.points.map((p) => p.violations)).toEqual([[], [], [], ['WE1', 'N1']]);
    expect(a.secondary?.points.map((p) => p.violations)).toEqual([[], [], ['WE1', 'N1']]);
  });
});
