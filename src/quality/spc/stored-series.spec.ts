import type { InspectionCharacteristic } from '../plans/inspection-plan.entity';
import type { ChartType } from './engine/analyze';
import type { SpcLimitSet } from './spc.entities';
import { analyzeStored, chartData, type StoredPoint, violationsAt } from './stored-series';

const point = (over: Partial<StoredPoint>, i = 0): StoredPoint => ({
  characteristicId: 'c',
  inspectionId: `i${i}`,
  inspectionCode: `INS-${i}`,
  at: new Date(Date.UTC(2026, 0, 1, 8, i)),
  lastResultAt: new Date(Date.UTC(2026, 0, 1, 8, i)),
  workOrderId: null,
  workOrderCode: null,
  n: 1,
  values: [],
  failed: 0,
  defects: 0,
  exclusionReason: null,
  ...over,
});

const characteristic = (chart: ChartType, over: Partial<InspectionCharacteristic> = {}) =>
  ({
    id: 'c',
    code: 'DIA',
    kind: chart === 'xbar-r' || chart === 'xbar-s' || chart === 'imr' ? 'variable' : 'attribute',
    chart,
    ruleSet: 'nelson',
    nSigma: '3.00',
    lsl: null,
    usl: null,
    target: null,
    ...over,
  }) as InspectionCharacteristic & { chart: ChartType };

describe('stored series: what each chart plots from stored results', () => {
  const stored = [
    point({ n: 4, values: [10, 12], failed: 1, defects: 3 }, 0),
    point({ n: 5, values: [11, 13, 15], failed: 0, defects: 0 }, 1),
  ];

  it.each([
    [
      'xbar-r',
      {
        subgroups: [
          [10, 12],
          [11, 13, 15],
        ],
        constants: 'table',
      },
    ],
    [
      'xbar-s',
      {
        subgroups: [
          [10, 12],
          [11, 13, 15],
        ],
        constants: 'table',
      },
    ],
    // Several values on an individuals chart: their mean is the point.
    ['imr', { values: [11, 13] }],
    // Failed samples over the samples recorded.
    [
      'p',
      {
        counts: [
          { count: 1, size: 4 },
          { count: 0, size: 5 },
        ],
      },
    ],
    [
      'np',
      {
        counts: [
          { count: 1, size: 4 },
          { count: 0, size: 5 },
        ],
      },
    ],
    // Defects found on all samples; per sample for u.
    ['c', { counts: [{ count: 3 }, { count: 0 }] }],
    [
      'u',
      {
        counts: [
          { count: 3, size: 4 },
          { count: 0, size: 5 },
        ],
      },
    ],
  ] as const)('%s', (chart, expected) => {
    expect(chartData(chart, stored)).toEqual(expected);
  });

  it('uses the exact constants for subgroups beyond the printed table (n > 25)', () => {
    const big = [point({ values: Array.from({ length: 30 }, (_, i) => i) })];
    expect(chartData('xbar-r', big).constants).toBe('exact');
  });
});

describe('stored series: analysing a characteristic', () => {
  const individuals = [10, 11, 9, 10, 12, 10, 9, 11].map((v, i) => point({ values: [v] }, i));

  it('answers why there are no limits instead of failing on an empty or one-point chart', () => {
    expect(analyzeStored(characteristic('imr'), [], null)).toEqual({
      ok: false,
      reason: 'No results recorded for this characteristic yet',
    });
    expect(analyzeStored(characteristic('imr'), individuals.slice(0, 1), null)).toMatchObject({ ok: false });
    const allExcluded = individuals.slice(0, 3).map((p) => ({ ...p, exclusionReason: 'tool break' }));
    expect(analyzeStored(characteristic('imr'), allExcluded, null)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not excluded'),
    });
  });

  it('leaves excluded points out of provisional limits but keeps them on the chart', () => {
    const withOutlier = [...individuals, point({ values: [30], exclusionReason: 'probe not zeroed' }, 8)];
    const result = analyzeStored(characteristic('imr'), withOutlier, null);
    if (!result.ok) throw new Error(result.reason);
    expect(result.provisional).toBe(true);
    expect(result.analysis.limits.center).toBeCloseTo(10.25, 12);
    expect(result.analysis.points[8]).toMatchObject({ excluded: true, exclusionReason: 'probe not zeroed' });
  });

  it('judges against a frozen set at its own nSigma, and ignores a set frozen for another chart type', () => {
    const set = { chart: 'imr', center: 10, sigma: 1, nSigma: '2.00', version: 3 } as SpcLimitSet;
    const frozen = analyzeStored(characteristic('imr', { nSigma: '3.00' }), individuals, set);
    if (!frozen.ok) throw new Error(frozen.reason);
    expect(frozen.provisional).toBe(false);
    expect(frozen.analysis.ucl).toBe(12);
    expect(frozen.analysis.limits).toMatchObject({ source: 'frozen', version: 'v3' });
    const other = analyzeStored(characteristic('imr'), individuals, { ...set, chart: 'xbar-r' });
    expect(other).toMatchObject({ ok: true, provisional: true });
  });

  it('adds the R chart rule 1 to an x̄ point, but never a moving range (it would also flag the good point after)', () => {
    const subgroups = [
      ...Array.from({ length: 10 }, (_, i) => point({ values: [10, 10.5, 9.5, 10.2] }, i)),
      point({ values: [4, 16, 10, 10] }, 10),
    ];
    const xbar = analyzeStored(characteristic('xbar-r'), subgroups, null);
    if (!xbar.ok) throw new Error(xbar.reason);
    expect(violationsAt(xbar.analysis, 10)).toEqual(['R:N1']);

    const wild = [...individuals, point({ values: [30] }, 8), point({ values: [10] }, 9)];
    const set = { chart: 'imr', center: 10, sigma: 1, nSigma: '3.00', version: 1 } as SpcLimitSet;
    const imr = analyzeStored(characteristic('imr'), wild, set);
    if (!imr.ok) throw new Error(imr.reason);
    expect(violationsAt(imr.analysis, 8)).toEqual(['N1']);
    expect(imr.analysis.secondary!.points.find((p) => p.index === 9)!.violations).toEqual(['N1']);
    expect(violationsAt(imr.analysis, 9)).toEqual([]);
  });
});
