#!/usr/bin/env node
// Runs the hardening scripts (test/hardening/*.hardening.mjs) one after another against the built app and
// reports each one's verdict. Each script asserts its own pass criterion and exits non-zero when it fails.
//
//   npm run test:hardening                              # full form (minutes each)
//   HARDENING_MODE=reduced node test/hardening/run.mjs  # the reduced form .ci/run uses
//   node test/hardening/run.mjs read-load crash          # only the scripts whose names contain these words
//
// The app must be built (`npm run build`); `npm run test:hardening` builds it first.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = dirname(fileURLToPath(import.meta.url));
const MODE = process.env.HARDENING_MODE === 'reduced' ? 'reduced' : 'full';
const only = process.argv.slice(2);
const scripts = readdirSync(DIR)
  .filter((name) => name.endsWith('.hardening.mjs'))
  .filter((name) => only.length === 0 || only.some((word) => name.includes(word)))
  .sort();

if (scripts.length === 0) {
  console.error(`no hardening script matches ${only.join(' ')}`);
  process.exit(1);
}

const results = [];
for (const name of scripts) {
  const started = Date.now();
  process.stderr.write(`\n==> ${name} (${MODE})\n`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [join(DIR, name)], {
      stdio: 'inherit',
      env: { ...process.env, HARDENING_MODE: MODE },
    });
    child.on('exit', (exitCode, signal) => resolve(signal ? 1 : (exitCode ?? 1)));
  });
  results.push({ name, code, seconds: (Date.now() - started) / 1000 });
}

console.log(`\n| script | mode | verdict | time |\n| --- | --- | --- | --- |`);
for (const r of results) {
  console.log(`| ${r.name} | ${MODE} | ${r.code === 0 ? 'pass' : 'FAIL'} | ${r.seconds.toFixed(0)} s |`);
}
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
