import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { siteWithStaff } from './support/builders';
import { startTestApp, type TestApp } from './support/test-app';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures/spc', name), 'utf8'));
const PROBLEM = /application\/problem\+json/;

/** POST /api/v1/quality/spc/analyze: any data set, published results reproduced, bad data refused by field. */
describe('SPC analysis over HTTP', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  let viewer: Record<string, string>;
  const pistonrings = fixture('xbar-r_pistonrings.json');
  const subgroups: number[][] = [...pistonrings.phase_i.subgroups, ...pistonrings.phase_ii.subgroups];

  beforeAll(async () => {
    t = await startTestApp();
    const { users } = await siteWithStaff(t.dataSource, t.http);
    auth = { Authorization: `Bearer ${users.quality.token}` };
    viewer = { Authorization: `Bearer ${users.viewer.token}` };
  });
  afterAll(async () => {
    await t.close();
  });

  it('reproduces Montgomery’s piston-ring x̄–R chart: phase I limits, phase II points 37–39 beyond them', async () => {
    const res = await t.http
      .post('/api/v1/quality/spc/analyze')
      .set(auth)
      .send({ chart: 'xbar-r', subgroups, phaseI: { first: 0, last: 24 }, rules: 'we' })
      .expect(200);
    const published = pistonrings.expected_published;
    expect(res.body.chart).toBe('xbar-r');
    expect(res.body.center).toBeCloseTo(published.xbar.center, 5);
    expect(res.body.ucl).toBeCloseTo(published.xbar.UCL, 4);
    expect(res.body.lcl).toBeCloseTo(published.xbar.LCL, 4);
    expect(Math.abs(res.body.sigma - published.xbar.sigma)).toBeLessThan(5e-7);
    expect(res.body.secondary.center).toBeCloseTo(published.R.center, 6);
    expect(res.body.secondary.ucl).toBeCloseTo(published.R.UCL, 5);
    expect(res.body.points).toHaveLength(40);
    // Samples are 1-based in the book; indices here are 0-based.
    const beyond = res.body.points
      .filter((p: { violations: string[] }) => p.violations.includes('WE1'))
      .map((p: { index: number }) => p.index + 1);
    expect(beyond).toEqual(pistonrings.expected_derived.xbar_phase_ii_beyond_limits_sample_numbers);
    const rules = pistonrings.expected_derived.rule_checks_on_xbar_all_40_points_western_electric;
    for (const rule of ['WE2', 'WE3', 'WE4']) {
      const fired = res.body.points
        .filter((p: { violations: string[] }) => p.violations.includes(rule))
        .map((p: { index: number }) => p.index + 1);
      expect(fired).toEqual(rules[rule]);
    }
  });

  it('gives capability with spec limits, and per-point limits when sample sizes vary (any role may analyse)', async () => {
    const cap = await t.http
      .post('/api/v1/quality/spc/analyze')
      .set(viewer)
      .send({ chart: 'xbar-r', subgroups: subgroups.slice(0, 25), spec: { lsl: 73.95, usl: 74.05 } })
      .expect(200);
    expect(cap.body.capability.cp).toBeGreaterThan(1.5);
    expect(cap.body.capability.cpk).toBeLessThanOrEqual(cap.body.capability.cp);

    const p = await t.http
      .post('/api/v1/quality/spc/analyze')
      .set(viewer)
      .send({
        chart: 'p',
        counts: [
          { count: 4, size: 50 },
          { count: 9, size: 100 },
          { count: 2, size: 40 },
        ],
      })
      .expect(200);
    expect(Array.isArray(p.body.ucl)).toBe(true);
    expect(p.body.ucl).toHaveLength(3);
    expect(p.body.ucl[1]).toBeLessThan(p.body.ucl[2]); // a bigger sample, tighter limits
    expect(Math.min(...p.body.lcl)).toBeGreaterThanOrEqual(0);
  });

  it('refuses malformed bodies (400) and data that do not fit the chart (422), naming the fields', async () => {
    const malformed = await t.http
      .post('/api/v1/quality/spc/analyze')
      .set(auth)
      .send({ chart: 'xbar-q', subgroups: [[1, 'x']], nSigma: -1, extra: true })
      .expect(400)
      .expect('content-type', PROBLEM);
    expect(malformed.body.code).toBe('VALIDATION_FAILED');
    expect(malformed.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['chart', 'extra', 'nSigma', 'subgroups'].sort(),
    );

    const unfit = await t.http
      .post('/api/v1/quality/spc/analyze')
      .set(auth)
      .send({
        chart: 'p',
        counts: [
          { count: 4, size: 50 },
          { count: 60, size: 50 },
        ],
        phaseI: { first: 0, last: 5 },
      })
      .expect(422)
      .expect('content-type', PROBLEM);
    expect(unfit.body.code).toBe('SPC_INPUT_INVALID');
    const fields = unfit.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['counts[1].count', 'phaseI.last']));

    await t.http
      .post('/api/v1/quality/spc/analyze')
      .send({ chart: 'imr', values: [1, 2, 3] })
      .expect(401);
  });
});
