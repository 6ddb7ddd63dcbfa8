import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFjsp, parseFjsp } from '../engine/fjsp';
import { checkJssp, parseJssp } from '../engine/jssp';

const ROOT = join(__dirname, '../../..');
const cli = (name: 'jssp' | 'fjsp', ...args: string[]) =>
  spawnSync(
    process.execPath,
    ['-r', join(ROOT, 'scripts/swc-register.cjs'), join(__dirname, `aps-${name}.ts`), ...args],
    { encoding: 'utf8', timeout: 60_000 },
  );

describe('benchmark CLIs (the output DESIGN.md specifies)', () => {
  it('aps:jssp prints {"makespan","starts"} for the file, a feasible plan', () => {
    const file = join(ROOT, 'test/fixtures/jssp/ft06.txt');
    const run = cli('jssp', file, '--seconds', '5', '--seed', '2', '--target', '55');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as { makespan: number; starts: number[][] };
    expect(Object.keys(out)).toEqual(['makespan', 'starts']);
    expect(out.makespan).toBe(55);
    expect(checkJssp(parseJssp(readFileSync(file, 'utf8')), out.starts)).toEqual({
      feasible: true,
      makespan: 55,
    });
  });

  it('aps:fjsp prints {"makespan","assignments"} with 0-based machines, a feasible plan', () => {
    const file = join(ROOT, 'test/fixtures/fjsp/mk01.txt');
    const run = cli('fjsp', file, '--seconds', '5', '--seed', '1', '--target', '40');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as {
      makespan: number;
      assignments: Array<Array<{ machine: number; start: number }>>;
    };
    expect(Object.keys(out)).toEqual(['makespan', 'assignments']);
    expect(Object.keys(out.assignments[0]![0]!)).toEqual(['machine', 'start']);
    const check = checkFjsp(parseFjsp(readFileSync(file, 'utf8')), out.assignments);
    expect(check).toEqual({ feasible: true, makespan: out.makespan });
  });

  it('says what is wrong with the arguments or the file, exit code 2, nothing on stdout', () => {
    const noFile = cli('jssp');
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toMatch(/no instance file/);
    expect(noFile.stdout).toBe('');
    expect(cli('jssp', 'x.txt', '--seconds', 'soon').stderr).toMatch(/--seconds needs a number/);
    expect(cli('fjsp', join(ROOT, 'missing.txt')).stderr).toMatch(/cannot read .*missing.txt: ENOENT/);
    const bad = cli('jssp', join(ROOT, 'test/fixtures/fjsp/mk01.txt'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/expected \d+ numbers/);
  });
});
