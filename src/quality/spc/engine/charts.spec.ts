import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type SpcAnalysis } from './analyze';

/* eslint-disable @typescript-eslint/no-explicit-any -- fixture JSON is read untyped */
const fixture = (name: string): any =>
  JSON.parse(readFileSync(join(__dirname, '../../../../test/fixtures/spc', name), 'utf8'));

const near = (actual: unknown, expected: number, abs: number) => {
  expect(typeof actual).toBe('number');
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(abs);
};
const nearRel = (actual: unknown, expected: number, rel: number) =>
  near(actual, expected, rel * Math.abs(expected));
/** 1-based sample labels of the points (of the given indices) that rule 1 flags. */
const beyond = (a: SpcAnalysis, from = 0, to = a.points.length - 1, labelOffset = 1) =>
  a.points
    .filter((p) => p.index >= from && p.index <= to && (p.value > p.ucl || p.value < p.lcl))
    .map((p) => p.index + labelOffset);

describe('x̄-R chart: piston rings (qcc pistonrings, Montgomery pp. 206-213)', () => {
  const f = fixture('xbar-r_pistonrings.json');
  const tol = f.tolerance.published_abs;
  const subgroups = [...f.phase_i.subgroups, ...f.phase_ii.subgroups];
  const a = analyze({ chart: 'xbar-r', subgroups, phaseI: { first: 0, last: 24 } });

  it('matches the published x̄ and R limits with the printed constants (d2 = 2.326)', () => {
    const p = f.expected_published;
    near(a.center, p.xbar.center, tol['xbar.center']);
    near(a.lcl, p.xbar.LCL, tol['xbar.LCL']);
    near(a.ucl, p.xbar.UCL, tol['xbar.UCL']);
    near(a.sigma, p.xbar.sigma, tol.sigma);
    expect(a.secondary?.statistic).toBe('R');
    near(a.secondary?.center, p.R.center, tol['R.center']);
    near(a.secondary?.ucl, p.R.UCL, tol['R.UCL']);
    expect(a.secondary?.lcl).toBe(p.R.LCL);
  });

  it('matches the published values and the derived exact-constant values with constants "exact"', () => {
    const e = analyze({ chart: 'xbar-r', subgroups, phaseI: { first: 0, last: 24 }, constants: 'exact' });
    const p = f.expected_published;
    const d = f.expected_derived.with_exact_constants;
    near(e.sigma, p.xbar.sigma, tol.sigma);
    near(e.lcl, p.xbar.LCL, tol['xbar.LCL']);
    near(e.ucl, p.xbar.UCL, tol['xbar.UCL']);
    near(e.secondary?.ucl, p.R.UCL, tol['R.UCL']);
    near(e.sigma, d.sigma, 1e-9);
    near(e.lcl, d.xbar_LCL, 1e-7);
    near(e.ucl, d.xbar_UCL, 1e-7);
    near(e.secondary?.ucl, d.R_UCL, 1e-6);
  });

  it('judges phase II against the phase-I limits: 37, 38, 39 beyond, phase I all within', () => {
    expect(f.expected_derived.xbar_phase_i_all_within_limits).toBe(true);
    expect(beyond(a, 0, 24)).toEqual([]);
    expect(beyond(a, 25, 39)).toEqual(f.expected_derived.xbar_phase_ii_beyond_limits_sample_numbers);
    expect(a.points.map((p) => p.phase)).toEqual([...Array(25).fill('I'), ...Array(15).fill('II')]);
  });

  it('fires the Western Electric rules at the derived sample numbers over all 40 points', () => {
    const checks = f.expected_derived.rule_checks_on_xbar_all_40_points_western_electric;
    for (const rule of ['WE1', 'WE2', 'WE3', 'WE4'] as const) {
      const at = a.points.filter((p) => p.violations.includes(rule)).map((p) => p.index + 1);
      expect({ rule, at }).toEqual({ rule, at: checks[rule] });
    }
  });

  it('phase-I limits do not depend on phase-II data', () => {
    const only = analyze({ chart: 'xbar-r', subgroups: f.phase_i.subgroups });
    expect(only.center).toBe(a.center);
    expect(only.sigma).toBe(a.sigma);
    expect(only.ucl).toBe(a.ucl);
    expect(a.limits).toMatchObject({ source: 'phaseI', first: 0, last: 24, excluded: [] });
    expect(a.limits.version).toBe(only.limits.version);
  });
});

describe('x̄-s chart: piston rings (qcc pistonrings, c4 by the gamma formula)', () => {
  const f = fixture('xbar-s_pistonrings.json');
  const subgroups = [...f.phase_i.subgroups, ...f.phase_ii.subgroups];
  const a = analyze({ chart: 'xbar-s', subgroups, phaseI: { first: 0, last: 24 }, constants: 'exact' });

  it('matches the published S chart and sigma = s̄/c4', () => {
    const p = f.expected_published.S;
    const tol = f.tolerance.published_abs;
    expect(a.secondary?.statistic).toBe('S');
    near(a.secondary?.center, p.center, tol['S.center']);
    near(a.sigma, p.sigma, tol['S.sigma']);
    near(a.secondary?.ucl, p.UCL, tol['S.UCL']);
    expect(a.secondary?.lcl).toBe(p.LCL);
  });

  it('matches the derived x̄ limits (x̿ ± A3·s̄) and Montgomery’s 3-decimal limits', () => {
    const d = f.expected_derived;
    near(a.center, d.xbar.center, f.tolerance.derived_abs);
    near(a.points[0]?.se, d.xbar.sigma_xbar, f.tolerance.derived_abs);
    near(a.lcl, d.xbar.LCL, f.tolerance.derived_abs);
    near(a.ucl, d.xbar.UCL, f.tolerance.derived_abs);
    near(a.lcl, d.xbar_3dp_montgomery_inferred.LCL, f.tolerance.derived_abs_3dp);
    near(a.ucl, d.xbar_3dp_montgomery_inferred.UCL, f.tolerance.derived_abs_3dp);
  });
});

describe('individuals and moving range: viscosity (qcc viscosity, Montgomery 5th ed. pp. 232-235)', () => {
  const f = fixture('imr_viscosity.json');
  const tol = f.tolerance.published_abs;
  const values: number[] = [...f.phase_i.values, ...f.phase_ii.values];

  it('case A: phase I with MR̄/d2 (d2 = 1.128) as published, one WE1/WE4 violation at batch 4', () => {
    const a = analyze({ chart: 'imr', values: f.phase_i.values, rules: ['WE1', 'WE4'] });
    const p = f.expected_published.case_A_phase_i_MR;
    near(a.center, p.center, tol.center);
    near(a.sigma, p.sigma, tol.sigma);
    near(a.lcl, p.LCL, tol.LCL);
    near(a.ucl, p.UCL, tol.UCL);
    const flagged = a.points.filter((pt) => pt.violations.length > 0);
    expect(flagged.length).toBe(p.violation_count_default_rules_WE1_WE4);
    expect(flagged.map((pt) => pt.index + 1)).toEqual(f.expected_derived.case_A_violation_sample_numbers_WE1);
    expect(flagged[0]?.violations).toEqual(['WE1']);
    expect(a.secondary?.statistic).toBe('MR');
    near(a.secondary?.center, f.expected_derived.case_A_MRbar, 1e-7);
    expect(a.secondary?.lcl).toBe(0);
    expect(a.secondary?.points.map((pt) => pt.index)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
  });

  it('case A with exact d2 matches the derived values; the MR chart UCL is MR̄·D4 (exact)', () => {
    const a = analyze({ chart: 'imr', values: f.phase_i.values, constants: 'exact' });
    const d = f.expected_derived.case_A_with_exact_d2;
    const t = f.tolerance.engine_with_exact_d2_abs;
    near(a.sigma, d.sigma, 1e-7);
    near(a.lcl, d.LCL, 1e-6);
    near(a.ucl, d.UCL, 1e-6);
    const p = f.expected_published.case_A_phase_i_MR;
    near(a.sigma, p.sigma, t.sigma);
    near(a.lcl, p.LCL, t.LCL);
    near(a.ucl, p.UCL, t.UCL);
    near(a.secondary?.ucl, f.expected_derived.case_A_MR_chart.UCL_exact_D4, 1e-6);
  });

  it('case A with sigma = overall SD / c4(20) (qcc std.dev "SD")', () => {
    const a = analyze({ chart: 'imr', values: f.phase_i.values, sigmaMethod: 'sd' });
    const p = f.expected_published.case_A_phase_i_SD_method;
    near(a.center, p.center, tol.center);
    near(a.sigma, p.sigma, tol.sigma);
    near(a.lcl, p.LCL, tol.LCL);
    near(a.ucl, p.UCL, tol.UCL);
  });

  it('case B: batch 4 excluded (assignable cause) re-joins the series; phase II judged against it', () => {
    const a = analyze({
      chart: 'imr',
      values,
      phaseI: { first: 0, last: 19 },
      exclude: [{ index: 3, reason: 'temperature controller failure' }],
    });
    const p = f.expected_published.case_B_batch4_removed;
    near(a.center, p.center, tol.center);
    near(a.sigma, p.sigma, tol.sigma);
    near(a.lcl, p.LCL, tol.LCL);
    near(a.ucl, p.UCL, tol.UCL);
    near(a.secondary?.center, f.expected_derived.case_B_MRbar, 1e-7);
    expect(beyond(a, 20, 34)).toEqual(f.expected_derived.case_B_phase_ii_beyond_limits_sample_numbers);
    // the excluded batch is still plotted and judged
    expect(a.points[3]).toMatchObject({
      value: 35.96,
      excluded: true,
      exclusionReason: 'temperature controller failure',
      phase: 'I',
    });
    expect(a.points[3]?.violations).toContain('WE1');
    expect(a.limits.excluded).toEqual([{ index: 3, reason: 'temperature controller failure' }]);
  });
});

describe('p chart: orange juice cans (qcc orangejuice, Montgomery pp. 152-155)', () => {
  const f = fixture('p_orangejuice.json');
  const rel = f.tolerance.published_rel;
  const counts = [...f.phase_i, ...f.phase_ii].map((s: any) => ({ count: s.defectives, size: s.n }));

  it('case A: all 30 trial samples', () => {
    const a = analyze({ chart: 'p', counts: counts.slice(0, 30) });
    const p = f.expected_published.case_A_all_30;
    nearRel(a.center, p.center, rel);
    nearRel(a.points[0]?.se, p.sigma_at_n50, rel);
    nearRel(a.lcl, p.LCL, rel);
    nearRel(a.ucl, p.UCL, rel);
    near(a.center, f.expected_published.nist_handbook_pbar_4dp, 5e-5);
    nearRel(a.sigma / Math.sqrt(50), p.sigma_at_n50, rel);
    expect(beyond(a)).toEqual(f.expected_derived.case_A_beyond_limits_sample_numbers);
  });

  it('case B: samples 15 and 23 excluded, revised limits, phase II judged against them', () => {
    const a = analyze({
      chart: 'p',
      counts,
      phaseI: { first: 0, last: 29 },
      exclude: [
        { index: 14, reason: 'new batch of cardboard' },
        { index: 22, reason: 'inexperienced operator' },
      ],
    });
    const p = f.expected_published.case_B_excluding_15_23;
    nearRel(a.center, p.center, rel);
    nearRel(a.points[0]?.se, p.sigma_at_n50, rel);
    nearRel(a.lcl, p.LCL, rel);
    nearRel(a.ucl, p.UCL, rel);
    const keptBeyond = beyond(a, 0, 29).filter((s) => !p.excluded_sample_numbers.includes(s));
    expect(keptBeyond).toEqual(f.expected_derived.case_B_phase_i_beyond_revised_limits);
    expect(beyond(a, 30, 53)).toEqual(f.expected_derived.case_B_phase_ii_beyond_limits_sample_numbers);
    // excluded points stay on the chart and are judged against the revised limits
    expect(a.points[14]?.excluded).toBe(true);
    expect(a.points[14]?.violations).toContain('WE1');
    expect(a.points.length).toBe(54);
  });
});

describe('np chart: orange juice cans (qcc orangejuice)', () => {
  const f = fixture('np_orangejuice.json');
  it('matches the published center, sigma and limits', () => {
    const a = analyze({
      chart: 'np',
      counts: f.phase_i.map((s: any) => ({ count: s.defectives, size: s.n })),
    });
    const p = f.expected_published;
    const rel = f.tolerance.published_rel;
    nearRel(a.center, p.center, rel);
    nearRel(a.points[0]?.se, p.sigma, rel);
    nearRel(a.lcl, p.LCL, rel);
    nearRel(a.ucl, p.UCL, rel);
    expect(beyond(a)).toEqual(f.expected_derived.beyond_limits_sample_numbers);
  });
});

describe('np chart with varying sample sizes (AVEVA MES 7.0 help, "np Chart")', () => {
  const f = fixture('np_aveva_variable_n.json');
  const a = analyze({ chart: 'np', counts: f.points.map((s: any) => ({ count: s.count, size: s.n })) });
  const tol = f.tolerance.published_abs;

  it('gives per-point center and limits (CL = p̄·n), LCL floored at 0', () => {
    near(a.limits.center, f.expected_published.pbar, 5e-6);
    expect(Array.isArray(a.center)).toBe(true);
    expect(Array.isArray(a.ucl)).toBe(true);
    f.expected_published.per_point.forEach((e: any, i: number) => {
      const pt = a.points[i];
      near(pt?.center, e.CL, tol);
      near(pt?.ucl, e.UCL, tol);
      expect(pt?.lcl).toBe(e.LCL);
      near((a.center as number[])[i], e.CL, tol);
      near((a.ucl as number[])[i], e.UCL, tol);
      expect((a.lcl as number[])[i]).toBe(0);
    });
  });

  it('matches the worked n = 15 example and the unrounded n = 9 UCL', () => {
    const w = f.expected_published.worked_example_n15;
    near(a.points[0]?.center, w.CL, 5e-6);
    near(a.points[0]?.ucl, w.UCL, 5e-6);
    near((a.points[0]?.center ?? 0) - 3 * (a.points[0]?.se ?? 0), w.LCL_unclamped, 5e-6);
    near(a.points[1]?.ucl, f.expected_derived.UCL_n9_unrounded, 1e-7);
  });
});

describe('c chart: printed circuit boards (qcc circuit, Montgomery pp. 173-175)', () => {
  const f = fixture('c_circuit.json');
  const rel = f.tolerance.published_rel;
  const counts = [...f.phase_i, ...f.phase_ii].map((s: any) => ({ count: s.count }));

  it('case A: all 26 trial samples; samples 6 and 20 beyond the limits', () => {
    const a = analyze({ chart: 'c', counts: counts.slice(0, 26) });
    const p = f.expected_published.case_A_all_26;
    nearRel(a.center, p.center, rel);
    nearRel(a.sigma, p.sigma, rel);
    nearRel(a.lcl, p.LCL, rel);
    nearRel(a.ucl, p.UCL, rel);
    expect(beyond(a)).toEqual(f.expected_derived.case_A_beyond_limits_sample_numbers);
  });

  it('case B: 6 and 20 excluded with their reasons; phase II within the revised limits', () => {
    const a = analyze({
      chart: 'c',
      counts,
      phaseI: { first: 0, last: 25 },
      exclude: [
        { index: 5, reason: 'new inspector' },
        { index: 19, reason: 'wave-solder temperature problem' },
      ],
    });
    const p = f.expected_published.case_B_excluding_6_20;
    expect(p.excluded_sample_numbers).toEqual([6, 20]);
    nearRel(a.center, p.center, rel);
    nearRel(a.sigma, p.sigma, rel);
    nearRel(a.lcl, p.LCL, rel);
    nearRel(a.ucl, p.UCL, rel);
    expect(beyond(a, 26, 45)).toEqual(f.expected_derived.case_B_phase_ii_beyond_limits_sample_numbers);
    expect(a.limits.excluded).toEqual([
      { index: 5, reason: 'new inspector' },
      { index: 19, reason: 'wave-solder temperature problem' },
    ]);
  });
});

describe('u chart: personal computers (qcc pcmanufact, Montgomery pp. 181-182)', () => {
  const f = fixture('u_pcmanufact.json');
  it('matches the published center, sigma per unit and limits', () => {
    const a = analyze({ chart: 'u', counts: f.phase_i.map((s: any) => ({ count: s.count, size: s.n })) });
    const p = f.expected_published;
    const rel = f.tolerance.published_rel;
    nearRel(a.center, p.center, rel);
    nearRel(a.sigma, p.sigma_per_unit, rel);
    nearRel(a.lcl, p.LCL, rel);
    nearRel(a.ucl, p.UCL, rel);
    expect(beyond(a)).toEqual(f.expected_derived.beyond_limits_sample_numbers);
  });
});

describe('u chart, revised: circuit boards per 100 (qcc circuit, test-qcc.R)', () => {
  const f = fixture('u_circuit_revised.json');
  const rel = f.tolerance.published_rel;
  const p = f.expected_published;
  const check = (a: SpcAnalysis) => {
    nearRel(a.center, p.center, rel);
    nearRel(a.sigma, p.sigma_per_unit, rel);
    nearRel(a.lcl, p.LCL, rel);
    nearRel(a.ucl, p.UCL, rel);
  };

  it('as qcc ran it (excluded samples removed): exactly one WE1/WE4 violation, WE4 at sample 30 across the phase boundary', () => {
    const series = [...f.phase_i, ...f.phase_ii];
    const a = analyze({
      chart: 'u',
      counts: series.map((s: any) => ({ count: s.count, size: s.n })),
      phaseI: { first: 0, last: f.phase_i.length - 1 },
      rules: ['WE1', 'WE4'],
    });
    check(a);
    const flagged = a.points.filter((pt) => pt.violations.length > 0);
    expect(flagged.length).toBe(p.violation_count_rules_WE1_WE4);
    const v = f.expected_derived.violation;
    expect(flagged[0]?.index).toBe(v.position_in_combined_series_1based - 1);
    expect(series[flagged[0]?.index ?? -1].sample).toBe(v.sample_number);
    expect(flagged[0]?.violations).toEqual(['WE4']);
  });

  it('with the excluded samples kept on the chart: same limits, and they are flagged by WE1', () => {
    const circuit = fixture('c_circuit.json');
    const a = analyze({
      chart: 'u',
      counts: [...circuit.phase_i, ...circuit.phase_ii].map((s: any) => ({ count: s.count, size: 100 })),
      phaseI: { first: 0, last: 25 },
      exclude: [5, 19],
      rules: ['WE1', 'WE4'],
    });
    check(a);
    const flagged = a.points.filter((pt) => pt.violations.length > 0);
    expect(flagged.map((pt) => [pt.index + 1, pt.violations])).toEqual([
      [6, ['WE1']],
      [20, ['WE1']],
      [30, ['WE4']],
    ]);
  });
});

describe('variable subgroup sizes in x̄ charts', () => {
  const subgroups = [
    [10, 12, 11],
    [9, 11, 10, 12, 13],
    [10, 11],
    [12, 10, 11, 9],
    [11, 10, 12],
  ];
  it('gives per-point limits from each subgroup’s n; sigma is the average of R_i/d2(n_i)', () => {
    const a = analyze({ chart: 'xbar-r', subgroups, constants: 'exact' });
    expect(Array.isArray(a.ucl)).toBe(true);
    expect(typeof a.center).toBe('number');
    a.points.forEach((p, i) => {
      const n = subgroups[i]?.length ?? 0;
      near(p.ucl, (a.center as number) + (3 * a.sigma) / Math.sqrt(n), 1e-12);
      near(p.lcl, (a.center as number) - (3 * a.sigma) / Math.sqrt(n), 1e-12);
    });
    const secondary = a.secondary;
    expect(Array.isArray(secondary?.center)).toBe(true);
    expect((secondary?.center as number[])[2]).toBeCloseTo(1.128379167 * a.sigma, 8);
    const all = subgroups.flat();
    near(a.center, all.reduce((x, y) => x + y, 0) / all.length, 1e-12);
  });
});
