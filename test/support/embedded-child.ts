import { transformFileSync } from '@swc/core';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Starts the embedded PostgreSQL (src/platform/database/embedded-postgres.ts, compiled as it is) in a child
 * process: PGlite loads its WASM with a dynamic import, which Jest's module sandbox cannot run.
 */
export async function startEmbeddedInChild(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mom-embedded-'));
  for (const name of ['embedded-postgres', 'pglite-wire-server']) {
    const { code } = transformFileSync(join(__dirname, `../../src/platform/database/${name}.ts`), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    writeFileSync(join(dir, `${name}.js`), code);
  }
  writeFileSync(
    join(dir, 'main.js'),
    `require('./embedded-postgres').startEmbeddedPostgres('memory://').then((e) => {
       process.stdout.write(e.url + '\\n');
       process.on('SIGTERM', () => e.stop().then(() => process.exit(0)));
     });`,
  );
  const child: ChildProcess = spawn(process.execPath, [join(dir, 'main.js')], {
    cwd: join(__dirname, '../..'),
    env: { ...process.env, NODE_PATH: join(__dirname, '../../node_modules') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`embedded database exited early (${code})`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
