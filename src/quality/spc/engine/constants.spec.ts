import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  exactC4,
  exactConstants,
  normalCdf,
  sigmaConstants,
  TABULATED_CONSTANTS,
  tableConstants,
} from './constants';

/* eslint-disable @typescript-eslint/no-explicit-any -- fixture JSON is read untyped */
const fixture: any = JSON.parse(
  readFileSync(join(__dirname, '../../../../test/fixtures/spc', 'constants.json'), 'utf8'),
);
const NAMES = ['d2', 'd3', 'c4', 'A2', 'A3', 'B3', 'B4', 'D3', 'D4', 'E2'] as const;

describe('control chart constants (constants.json)', () => {
  it('computes the exact constants for n = 2..25 (d2, d3, c4 within 1e-6, derived factors within 1e-5)', () => {
    for (let n = 2; n <= 25; n++) {
      const mine = exactConstants(n);
      for (const name of NAMES) {
        const tol = name === 'd2' || name === 'd3' || name === 'c4' ? 1e-6 : 1e-5;
        expect({ n, name, diff: Math.abs(mine[name] - fixture.exact[String(n)][name]) <= tol }).toEqual({
          n,
          name,
          diff: true,
        });
      }
    }
  });

  it('matches closed forms: d2(2) = 2/√π, d3(2) = √(2 − 4/π), c4(5) (SAS/QC) = 0.939985603', () => {
    expect(exactConstants(2).d2).toBeCloseTo(2 / Math.sqrt(Math.PI), 10);
    expect(exactConstants(2).d3).toBeCloseTo(Math.sqrt(2 - 4 / Math.PI), 9);
    expect(exactC4(5)).toBeCloseTo(0.939985603, 9);
  });

  it('holds the printed table exactly as copied (n = 2..25), E2 printed for n = 2 only', () => {
    for (let n = 2; n <= 25; n++) {
      const row = fixture.tabulated[String(n)];
      const mine = tableConstants(n);
      for (const name of NAMES) {
        if (row[name] === null) expect(mine?.E2).toBeCloseTo(3 / row.d2, 12);
        else expect(mine?.[name]).toBe(row[name]);
      }
    }
    expect(tableConstants(26)).toBeUndefined();
    expect(Object.keys(TABULATED_CONSTANTS)).toHaveLength(24);
  });

  it('the printed table agrees with the exact values within the stated guidance plus listed discrepancies', () => {
    const listed = new Set(fixture.known_table_discrepancies.map((d: any) => `${d.n}:${d.constant}`));
    for (let n = 2; n <= 25; n++) {
      const exact = exactConstants(n);
      const printed = tableConstants(n);
      for (const name of NAMES) {
        if (!printed || listed.has(`${n}:${name}`)) continue;
        const tol = name === 'c4' ? 1.5e-4 : 1.5e-3;
        expect(Math.abs(printed[name] - exact[name])).toBeLessThanOrEqual(tol);
      }
    }
  });

  it('chooses printed or exact d2 and c4; d3 exact; beyond the table only exact', () => {
    expect(sigmaConstants(5, 'table')).toMatchObject({ d2: 2.326, c4: 0.94 });
    expect(sigmaConstants(5, 'table').d3).toBeCloseTo(0.864081941, 8);
    expect(sigmaConstants(5, 'exact').d2).toBeCloseTo(2.325928947, 8);
    expect(() => sigmaConstants(30, 'table')).toThrow(RangeError);
    expect(sigmaConstants(30, 'exact').c4).toBeGreaterThan(exactC4(25));
  });

  it('computes the normal distribution function accurately', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 15);
    expect(normalCdf(5)).toBeCloseTo(0.9999997133484281, 15);
  });
});
