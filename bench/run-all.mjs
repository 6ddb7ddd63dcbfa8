#!/usr/bin/env node
// The benchmark report: runs every `bench:*` script of package.json one after another (never two at once: they
// would measure each other), gathers the figures each writes to BENCH_RESULT_FILE, and writes bench/REPORT.md
// afresh — one markdown table (figure | ours | reference | ratio | target | verdict) with the machine it ran on —
// and prints it. `npm run bench` builds the service once first; the scripts run here without their own build.
//
//   npm run bench                          # every bench in full form (about 50 minutes on 2 cores)
//   BENCH_QUICK=1 npm run bench            # every bench in a quick form (about 6 minutes)
//   BENCH_ONLY=socket,startup npm run bench   # some of them (names after "bench:")
//
// A bench that fails (exits non-zero, or writes no figures) shows as FAIL in the table; the others still run,
// and this exits 1 at the end. A figure that misses its target is MISS and does not fail the run.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { adminQuery, log, ROOT } from './common.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const REPORT = join(ROOT, 'bench', 'REPORT.md');

/**
 * The quick form of each bench: sizes and durations that take seconds, through each bench's own settings.
 * A setting given in the environment wins. Verdicts of a quick run are only indicative: the targets are set
 * for the full sizes (the APS bench gives none for scaled budgets).
 */
const QUICK_SETTINGS = {
  'bench:terminal': { BENCH_SECONDS: '5', BENCH_TERMINALS: '8', BENCH_PGBENCH_SCALE: '4' },
  'bench:wms': { BENCH_RELEASES: '60', BENCH_BACKLOG: '300' },
  'bench:trace': { BENCH_TRACE_LOTS: '20000', BENCH_TRACE_SAMPLES: '50' },
  'bench:aps': { BENCH_APS_SETS: 'ft10,la,plant', BENCH_APS_SCALE: '0.1' },
  'bench:planning': { BENCH_PLAN_SECONDS: '2' },
  'bench:spc': { BENCH_SPC_RUNS: '5' },
  'bench:mqtt': { BENCH_MESSAGES: '20000' },
  'bench:socket': { BENCH_SECONDS: '5' },
  'bench:startup': { BENCH_STARTUP_RUNS: '1', BENCH_STARTUP_WARMUP_SECONDS: '3' },
};

// `npm run bench` has built the service already: each script's own build step is left out.
const OWN_BUILD = /^npm run -s build && /;

let interrupted = false;
let current = null;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    // A Ctrl-C reaches the running bench too (same process group); it cleans up and exits, then this stops.
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${sig}: the running bench stops and cleans up; no further benches`);
    if (current && sig === 'SIGTERM') current.kill('SIGTERM');
  });
}

/** The bench scripts of package.json in their order, `BENCH_ONLY` picking some. */
function benches() {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const all = Object.entries(scripts)
    .filter(([name]) => name.startsWith('bench:'))
    .map(([name, command]) => ({ name, command: command.replace(OWN_BUILD, '') }));
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (only.length === 0) return all;
  const unknown = only.filter((o) => !all.some((b) => b.name === `bench:${o}`));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_ONLY: no bench ${unknown.join(', ')}; there are ${all.map((b) => b.name).join(', ')}`,
    );
  }
  return all.filter((b) => only.includes(b.name.slice('bench:'.length)));
}

/** Runs one bench with its output on stderr; answers its exit code, seconds and figures (null if none). */
function runBench(bench, dir) {
  const resultFile = join(dir, `${bench.name.replace(/\W/g, '-')}.json`);
  const quick = QUICK ? (QUICK_SETTINGS[bench.name] ?? {}) : {};
  const settings = Object.fromEntries(Object.entries(quick).filter(([k]) => process.env[k] === undefined));
  const shown = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  log(`${bench.name}: ${[...shown, bench.command].join(' ')}`);
  const began = performance.now();
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', bench.command], {
      cwd: ROOT,
      env: { ...process.env, ...settings, BENCH_RESULT_FILE: resultFile },
      stdio: ['ignore', 2, 2], // its table and progress go to stderr; stdout carries only the report
    });
    current = child;
    const done = (code, signal) => {
      current = null;
      let result = null;
      let problem = null;
      try {
        result = JSON.parse(readFileSync(resultFile, 'utf8'));
      } catch (err) {
        problem =
          err.code === 'ENOENT' ? 'it wrote no figures' : `its figures are unreadable: ${err.message}`;
      }
      resolve({
        ...bench,
        settings: shown,
        code: code ?? (signal ? `signal ${signal}` : 'unknown'),
        seconds: (performance.now() - began) / 1000,
        result,
        problem,
      });
    };
    child.on('error', (err) => {
      log(`${bench.name}: ${err.message}`);
      done(127, null);
    });
    child.on('exit', done);
  });
}

// ---------------------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------------------

/** A figure as people read it: 3 significant digits below 100, whole numbers with separators above. */
function number(v) {
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  if (a >= 100 || Number.isInteger(v)) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

const cell = (v) =>
  String(v ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');

function ours(row) {
  if (row.ours === null || row.ours === undefined) return 'n/a';
  if (typeof row.ours !== 'number') return row.ours;
  const unit = row.unit ?? '';
  if (!unit) return number(row.ours);
  return unit.startsWith('/') ? `${number(row.ours)}${unit}` : `${number(row.ours)} ${unit}`;
}

async function machineLine() {
  let pg;
  try {
    pg = (await adminQuery('SHOW server_version')).rows[0].server_version.split(' ')[0];
  } catch (err) {
    pg = `unreachable (${err.message})`;
  }
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const mem = (totalmem() / 2 ** 30).toFixed(1);
  return `${availableParallelism()} cores (${cpu}), ${mem} GB memory, PostgreSQL ${pg}, Node.js ${process.version}, ${process.platform}`;
}

function table(runs) {
  const lines = [
    '| figure | ours | reference | ratio | target | verdict |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const run of runs) {
    const title = run.result?.title ? ` — ${run.result.title}` : '';
    lines.push(`| **${run.name}**${cell(title)} | | | | | |`);
    for (const row of run.result?.rows ?? []) {
      lines.push(
        `| ${cell(row.figure)} | ${cell(ours(row))} | ${cell(typeof row.reference === 'number' ? number(row.reference) : row.reference)} | ` +
          `${row.ratio === null || row.ratio === undefined ? '' : row.ratio.toFixed(2)} | ${cell(row.target)} | ${cell(row.verdict)} |`,
      );
    }
    if (run.code !== 0 || run.problem) {
      const why = [run.code !== 0 ? `exited with ${run.code}` : null, run.problem].filter(Boolean).join(', ');
      lines.push(`| ${cell(`${run.name} failed: ${why} (its output says why)`)} | | | | | FAIL |`);
    }
  }
  return lines;
}

async function format(markdown) {
  // The report is kept in the repository, so it is written the way the project's formatter would.
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(REPORT)) ?? {};
    return await prettier.format(markdown, { ...options, filepath: REPORT });
  } catch {
    return markdown;
  }
}

async function main() {
  let list;
  try {
    list = benches();
  } catch (err) {
    log(err.message);
    process.exitCode = 2;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mom-bench-report-'));
  const began = new Date();
  // Other work on the machine shows in every figure: the load average before and after says how quiet it was.
  const loadBefore = loadavg()[0];
  const runs = [];
  try {
    for (const bench of list) {
      if (interrupted) break;
      runs.push(await runBench(bench, dir));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const minutes = (Date.now() - began.getTime()) / 60_000;
  const failedRuns = runs.filter((r) => r.code !== 0 || r.problem);
  const form = QUICK
    ? '**quick form** (`BENCH_QUICK=1`: smaller sizes and shorter runs than the targets are set for, so the verdicts are only indicative)'
    : 'full form';
  const markdown = [
    '# Benchmark report',
    '',
    `Written by \`${QUICK ? 'BENCH_QUICK=1 ' : ''}npm run bench\` on ${began.toISOString().slice(0, 16).replace('T', ' ')} UTC, ` +
      `${form}, in ${minutes.toFixed(1)} minutes${interrupted ? ' (interrupted: not every bench ran)' : ''}.`,
    '',
    `Machine: ${await machineLine()}; load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after.`,
    '',
    'PASS/MISS: the figure against its target; FAIL: the bench failed or a correctness check in it did (see its',
    'output). Each bench is described in [bench/README.md](README.md).',
    '',
    ...table(runs),
    '',
    '## Runs',
    '',
    ...runs.map(
      (r) =>
        `- \`${r.name}\`${r.settings.length ? ` (${r.settings.join(' ')})` : ''}: ${r.seconds.toFixed(0)} s, ` +
        `exit ${r.code}${r.result?.notes?.length ? `; ${r.result.notes.join('; ')}` : ''}`,
    ),
    '',
  ].join('\n');
  const text = await format(markdown);
  writeFileSync(REPORT, text);
  process.stdout.write(`\n${text}`);
  log(`report written to ${REPORT}`);
  if (failedRuns.length > 0) log(`failed: ${failedRuns.map((r) => r.name).join(', ')}`);
  process.exitCode = interrupted ? 130 : failedRuns.length > 0 ? 1 : 0;
}

await main();
