import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { knownEnvironmentVariables } from './env.schema';

describe('README configuration table', () => {
  it('lists exactly the variables the service validates', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    const table = readme.split('<!-- config-table:start -->')[1]?.split('<!-- config-table:end -->')[0] ?? '';
    const documented = [...table.matchAll(/^\| `([A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(knownEnvironmentVariables().sort());
  });
});
