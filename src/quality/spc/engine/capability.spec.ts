import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type Capability } from './analyze';

/* eslint-disable @typescript-eslint/no-explicit-any -- fixture JSON is read untyped */
const fixture = (name: string): any =>
  JSON.parse(readFileSync(join(__dirname, '../../../../test/fixtures/spc', name), 'utf8'));

const near = (actual: unknown, expected: number, abs: number) => {
  expect(typeof actual).toBe('number');
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(abs);
};
const KEYS: Record<string, keyof Capability> = {
  Cp: 'cp',
  Cp_l: 'cpl',
  Cp_u: 'cpu',
  Cp_k: 'cpk',
  Cpm: 'cpm',
  Pp: 'pp',
  Pp_l: 'ppl',
  Pp_u: 'ppu',
  Pp_k: 'ppk',
  Ppm: 'ppm',
};
/** half a unit of the printed last decimal */
const halfUnit = (x: number) => 0.5 * 10 ** -(String(x).split('.')[1] ?? '').length;

describe('capability: piston rings (qcc processCapability, Montgomery pp. 206-213)', () => {
  const f = fixture('capability_pistonrings.json');
  const subgroups = f.phase_i.subgroups;
  const cap = (lsl: number, usl: number, target?: number) =>
    analyze({ chart: 'xbar-r', subgroups, spec: { lsl, usl, target } }).capability as Capability;
  const cases: Array<[string, number, number, number | undefined]> = [
    ['spec_73.95_74.05_target_74', 73.95, 74.05, undefined],
    ['spec_73.95_74.05_target_74.02', 73.95, 74.05, 74.02],
    ['spec_73.99_74.01_target_74', 73.99, 74.01, undefined],
    ['spec_73.99_74.1_target_74.045', 73.99, 74.1, undefined],
  ];

  it.each(cases)(
    '%s: indices within half a printed unit, expected and observed % outside',
    (key, lsl, usl, target) => {
      const c = cap(lsl, usl, target);
      for (const [name, value] of Object.entries(f.expected_published[key] as Record<string, number>)) {
        const field = KEYS[name];
        if (field) near(c[field], value, halfUnit(value));
      }
      const pct = f.expected_published[key];
      if (pct['Exp<LSL_pct'] !== undefined) {
        near(100 * (c.expectedBelowLsl ?? NaN), pct['Exp<LSL_pct'], 0.5);
        near(100 * (c.expectedAboveUsl ?? NaN), pct['Exp>USL_pct'], 0.5);
        near(100 * (c.observedBelowLsl ?? NaN), pct['Obs<LSL_pct'], 0.5);
        near(100 * (c.observedAboveUsl ?? NaN), pct['Obs>USL_pct'], 0.5);
      }
    },
  );

  it('matches the unrounded and the derived performance indices', () => {
    const u = f.expected_derived.unrounded;
    const t = f.tolerance.derived_abs;
    const c = cap(73.95, 74.05);
    near(c.cp, u.Cp, t);
    near(c.cpl, u.Cp_l, t);
    near(c.cpu, u.Cp_u, t);
    near(c.cpm, u.Cpm_target_74, t);
    near(cap(73.95, 74.05, 74.02).cpm, u.Cpm_target_74_02 ?? u['Cpm_target_74.02'], t);
    const d = f.expected_derived['spec_73.95_74.05'];
    near(c.sigmaOverall, d.overall_sd, t);
    near(c.sigmaOverall, f.expected_published.overall_sd_phase_i_4sf, 5e-6);
    for (const name of ['Pp', 'Pp_l', 'Pp_u', 'Pp_k']) near(c[KEYS[name] as keyof Capability], d[name], t);
    near(c.pp, 0.1 / (6 * f.expected_published.overall_sd_phase_i_4sf), f.tolerance.Pp_vs_published_sd_abs);
    expect(c.observations).toBe(125);
  });
});

describe('capability: qcc test suite (tests/testthat/test-capability.R)', () => {
  const f = fixture('capability_qcc_testsuite.json');
  const tol = f.tolerance.published_abs;
  const run = (spec: { lsl?: number; usl?: number; target?: number }, constants?: 'exact') =>
    analyze({ chart: 'xbar-r', subgroups: f.subgroups, spec, constants }).capability as Capability;
  const compare = (c: Capability, expected: Record<string, unknown>, t: number) => {
    for (const [name, value] of Object.entries(expected)) {
      const field = KEYS[name];
      if (field && typeof value === 'number') near(c[field], value, t);
    }
  };

  it('two-sided, target 10.0 and 10.02 (d2(4) = 2.059)', () => {
    const c = run({ lsl: 9.9, usl: 10.1, target: 10 });
    compare(c, f.expected_published['two_sided_target_10.0'], tol);
    compare(run({ lsl: 9.9, usl: 10.1, target: 10.02 }), f.expected_published['two_sided_target_10.02'], tol);
    near(c.mean, f.expected_derived.center, 1e-9);
    near(c.sigmaWithin, f.expected_derived.within_sigma, 1e-9);
    near(c.sigmaOverall, f.expected_derived.overall_sigma, 1e-9);
  });

  it('one-sided specifications give only the indices that exist', () => {
    const upper = run({ usl: 10.1 });
    compare(
      upper,
      f.expected_published.upper_spec_only_USL_10_1 ?? f.expected_published['upper_spec_only_USL_10.1'],
      tol,
    );
    const lower = run({ lsl: 9.9 });
    compare(lower, f.expected_published['lower_spec_only_LSL_9.9'], tol);
    for (const c of [upper, lower]) {
      expect(c.cp).toBeUndefined();
      expect(c.pp).toBeUndefined();
      expect(c.cpm).toBeUndefined();
    }
    expect(upper.cpl).toBeUndefined();
    expect(lower.cpu).toBeUndefined();
  });

  it('with exact d2(4) the within indices move by ~1.2e-4 relative (abs 5e-4)', () => {
    compare(
      run({ lsl: 9.9, usl: 10.1, target: 10 }, 'exact'),
      f.expected_published['two_sided_target_10.0'],
      5e-4,
    );
  });

  it('individuals: capability from MR̄/d2 and the overall SD of the phase-I values', () => {
    const values = [10, 10.02, 9.98, 10.01, 10.03, 9.99, 10.01, 10.0];
    const c = analyze({ chart: 'imr', values, spec: { lsl: 9.9, usl: 10.1 } }).capability as Capability;
    const mrBar = values.slice(1).reduce((a, v, i) => a + Math.abs(v - (values[i] as number)), 0) / 7;
    near(c.sigmaWithin, mrBar / 1.128, 1e-12);
    near(c.cp, 0.2 / (6 * (mrBar / 1.128)), 1e-12);
  });
});
