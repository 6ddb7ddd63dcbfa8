import {
  defectCodesFound,
  findingsOf,
  judgeSample,
  suggestedOutcome,
  type JudgedCharacteristic,
  type JudgedResult,
} from './inspection-judgement';

/** A turned shaft Ø40 h6 (39.984 … 40.000 mm), a visual check and a scratch count, as an inspector records them. */
const od: JudgedCharacteristic = {
  id: 'od',
  code: 'OD',
  kind: 'variable',
  attributeType: null,
  lsl: '39.984000',
  usl: '40.000000',
};
const runout: JudgedCharacteristic = { ...od, id: 'ro', code: 'RUNOUT', lsl: null, usl: '0.010' };
const visual: JudgedCharacteristic = {
  id: 'vis',
  code: 'VIS',
  kind: 'attribute',
  attributeType: 'pass_fail',
  lsl: null,
  usl: null,
};
const scratches: JudgedCharacteristic = { ...visual, id: 'scr', code: 'SCR', attributeType: 'defect_count' };

const sample = (c: JudgedCharacteristic, sampleNo: number, v: Partial<JudgedResult>): JudgedResult => ({
  characteristicId: c.id,
  sampleNo,
  value: null,
  passed: null,
  defectCount: null,
  defectCodes: [],
  ...v,
});

describe('inspection judgement', () => {
  it.each([
    ['on the lower limit', '39.984', null],
    ['on the upper limit', '40.000000', null],
    ['inside', '39.9925', null],
    ['a micron under', '39.983', 'below_lsl'],
    ['a micron over', '40.001', 'above_usl'],
  ])('judges a diameter %s (%s mm) exactly, limits inclusive', (_what, value, kind) => {
    expect(judgeSample(od, sample(od, 1, { value }))?.kind ?? null).toBe(kind);
  });

  it('judges a one-sided limit (runout: USL only)', () => {
    expect(judgeSample(runout, sample(runout, 1, { value: '-0.5' }))).toBeNull();
    expect(judgeSample(runout, sample(runout, 2, { value: '0.011' }))).toMatchObject({
      kind: 'above_usl',
      message: 'RUNOUT sample 2: 0.011 is above USL 0.010',
    });
  });

  it('fails a failed check and a sample with defects, naming the defect codes', () => {
    expect(judgeSample(visual, sample(visual, 1, { passed: true }))).toBeNull();
    expect(judgeSample(visual, sample(visual, 2, { passed: false }))?.kind).toBe('failed');
    expect(judgeSample(scratches, sample(scratches, 1, { defectCount: 0 }))).toBeNull();
    expect(
      judgeSample(scratches, sample(scratches, 3, { defectCount: 2, defectCodes: ['D-SCRATCH', 'D-BURR'] })),
    ).toMatchObject({ kind: 'defects', message: 'SCR sample 3: 2 defect(s) (D-SCRATCH, D-BURR)' });
  });

  it('suggests nothing before a result, pass on partial conforming results, fail on one bad sample', () => {
    const chars = [od, visual, scratches];
    expect(suggestedOutcome(chars, [])).toBeNull();
    const partial = [sample(od, 1, { value: '39.99' }), sample(visual, 1, { passed: true })];
    expect(suggestedOutcome(chars, partial)).toBe('pass');
    const withBad = [
      ...partial,
      sample(od, 2, { value: '40.02' }),
      sample(scratches, 1, { defectCount: 1, defectCodes: ['D-BURR'] }),
      sample(scratches, 2, { defectCount: 1, defectCodes: ['D-BURR', 'D-SCRATCH'] }),
    ];
    expect(suggestedOutcome(chars, withBad)).toBe('fail');
    expect(findingsOf(chars, withBad).map((f) => `${f.characteristicCode}#${f.sampleNo}:${f.kind}`)).toEqual([
      'OD#2:above_usl',
      'SCR#1:defects',
      'SCR#2:defects',
    ]);
    expect(defectCodesFound(withBad)).toEqual(['D-BURR', 'D-SCRATCH']);
  });
});
