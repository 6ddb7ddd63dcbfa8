import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from './analyze';
import { evaluateRules, type RuleId } from './rules';

/* eslint-disable @typescript-eslint/no-explicit-any -- fixture JSON is read untyped */
const rulesFixture: any = JSON.parse(
  readFileSync(join(__dirname, '../../../../test/fixtures/spc', 'rules.json'), 'utf8'),
);

const SETS = {
  western_electric: { option: 'we', prefix: 'WE' },
  nelson: { option: 'nelson', prefix: 'N' },
} as const;

/** rule id → 0-based indices where it fires, for every rule that fires at least once */
function firing(
  values: number[],
  center: number,
  sigma: number,
  rules: 'we' | 'nelson',
): Record<string, number[]> {
  const a = analyze({ chart: 'imr', values, frozen: { center, sigma }, rules });
  const out: Record<string, number[]> = {};
  for (const p of a.points) for (const r of p.violations) (out[r] ??= []).push(p.index);
  return out;
}

describe('rules.json: every sequence fires exactly the stated rules at exactly the stated indices', () => {
  const cases = [...rulesFixture.sequences, ...rulesFixture.convention_cases].flatMap((seq: any) =>
    (Object.keys(SETS) as Array<keyof typeof SETS>).map((set) => [seq.id, set, seq] as const),
  );
  it.each(cases)('%s (%s)', (_id, set, seq) => {
    const { option, prefix } = SETS[set];
    const expected: Record<string, number[]> = {};
    for (const [rule, indices] of Object.entries(seq.expected[set] as Record<string, number[]>)) {
      expected[`${prefix}${rule}`] = indices;
    }
    expect(firing(seq.values, rulesFixture.center, rulesFixture.sigma, option)).toEqual(expected);
  });

  it('the z values in the fixture are the values standardised with center 10, sigma 2', () => {
    for (const seq of rulesFixture.sequences) {
      seq.values.forEach((v: number, i: number) => expect((v - 10) / 2).toBeCloseTo(seq.z[i], 9));
    }
  });
});

describe('rules.json: qcc test-suite vectors (only the named rule is asserted)', () => {
  const vectors: Array<[number, string, string, any]> = rulesFixture.published_vectors_qcc.vectors.map(
    (v: any, i: number) => [i, v.rule_set, v.rule, v],
  );
  it.each(vectors)('vector %i: %s rule %s', (_i, set, rule, v) => {
    const id = `${SETS[set as keyof typeof SETS].prefix}${rule}` as RuleId;
    const { center, sigma } = rulesFixture.published_vectors_qcc;
    const flags = evaluateRules(
      v.values.map((value: number) => ({
        value,
        center,
        sigma,
        ucl: center + 3 * sigma,
        lcl: center - 3 * sigma,
      })),
      [id],
    );
    expect(flags.flatMap((f, i) => (f.length > 0 ? [i] : []))).toEqual(v.expected_indices);
  });
});

describe('rule selection', () => {
  const values = [10, 10.2, 9.8, 10.1, 17, 10];
  it('numbers are Nelson rule numbers; ids pick rules of either set', () => {
    const a = analyze({ chart: 'imr', values, frozen: { center: 10, sigma: 2 }, rules: [1, 'WE4'] });
    expect(a.rules).toEqual(['N1', 'WE4']);
    expect(a.points[4]?.violations).toEqual(['N1']);
  });
  it('defaults to the four Western Electric rules', () => {
    expect(analyze({ chart: 'imr', values }).rules).toEqual(['WE1', 'WE2', 'WE3', 'WE4']);
  });
  it('zones use each point’s own sigma when limits vary with n', () => {
    const b = analyze({
      chart: 'p',
      counts: [
        { count: 29, size: 100 },
        { count: 0, size: 100 },
        { count: 29, size: 100 },
        { count: 5, size: 16 },
        { count: 5, size: 16 },
      ],
      frozen: { center: 0.2, sigma: 0.4 },
      rules: ['N5'],
    });
    expect(b.points.map((p) => p.se)).toEqual(
      [0.04, 0.04, 0.04, 0.1, 0.1].map((x) => expect.closeTo(x, 12) as number),
    );
    // 5/16 = 0.3125 is 1.125 se above p̄ at n = 16: not beyond 2 se although beyond 2 se of n = 100
    expect(b.points.map((p) => p.violations)).toEqual([[], [], ['N5'], [], []]);
  });
});
