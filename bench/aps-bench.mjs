// npm run bench:aps — the scheduling engine on the standard benchmark sets, through the CLIs (`aps:jssp`,
// `aps:fjsp`), each run in its own process on one core; every plan is checked for feasibility and compared with
// the best-known makespan. See bench/README.md.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ROOT, intEnv, log, mapLimit, writeBenchResult } from './common.mjs';

const require = createRequire(import.meta.url);
require(join(ROOT, 'scripts/swc-register.cjs'));
const { parseJssp, checkJssp } = require(join(ROOT, 'src/planning/engine/jssp.ts'));
const { parseFjsp, checkFjsp } = require(join(ROOT, 'src/planning/engine/fjsp.ts'));

const JSSP_DIR = join(ROOT, 'test/fixtures/jssp');
const FJSP_DIR = join(ROOT, 'test/fixtures/fjsp');
const jsspBounds = JSON.parse(readFileSync(join(JSSP_DIR, 'bounds.json'), 'utf8'));
const fjspBounds = JSON.parse(readFileSync(join(FJSP_DIR, 'bounds.json'), 'utf8'));

const range = (prefix, from, to) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${String(from + i).padStart(2, '0')}`);

/** The sets of issue #6 with their budgets and targets. */
const SETS = [
  { id: 'ft10', kind: 'jssp', names: ['ft10'], seeds: [1, 2, 3, 4, 5], seconds: 10, target: 'ft10' },
  { id: 'la', kind: 'jssp', names: range('la', 1, 40), seconds: 10, target: 0.5 },
  { id: 'ta01-10', kind: 'jssp', names: range('ta', 1, 10), seconds: 30, target: 1 },
  { id: 'ta11-50', kind: 'jssp', names: range('ta', 11, 50), seconds: 60, target: 3 },
  { id: 'ta51-80', kind: 'jssp', names: range('ta', 51, 80), seconds: 60, target: 1 },
  { id: 'mk', kind: 'fjsp', names: range('mk', 1, 10), seconds: 60, target: 3 },
  // 1,250 orders × 8 operations on 120 machines with two-shift calendars, maintenance windows, setup families,
  // alternative machines, transfer overlaps and frozen operations (src/planning/engine/plant-generator.ts).
  { id: 'plant', kind: 'plant', names: ['plant-10k'], seconds: 60, target: 'plant' },
];

const chosen = (process.env.BENCH_APS_SETS ?? SETS.map((s) => s.id).join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const id of chosen) {
  if (!SETS.some((s) => s.id === id)) {
    log(`unknown set ${id}; sets: ${SETS.map((s) => s.id).join(', ')}`);
    process.exit(2);
  }
}
const scale = Number(process.env.BENCH_APS_SCALE ?? 1);
if (!(scale > 0)) {
  log('BENCH_APS_SCALE must be a positive number');
  process.exit(2);
}
const parallel = intEnv('BENCH_APS_JOBS', Math.max(1, Math.min(2, availableParallelism())));
const baseSeed = intEnv('BENCH_APS_SEED', 1);

/** Runs node with `args` in a child process; answers its stdout parsed as JSON and the wall time in seconds. */
function runJson(what, args) {
  return new Promise((resolve, reject) => {
    const began = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - began) / 1e9;
      if (code !== 0) reject(new Error(`${what} exited ${code}: ${err.trim()}`));
      else resolve({ json: JSON.parse(out), wall });
    });
  });
}

async function runCli(kind, file, seconds, seed, target) {
  const script = join(ROOT, `src/planning/cli/aps-${kind}.ts`);
  const args = ['-r', join(ROOT, 'scripts/swc-register.cjs'), script, file, '--seconds', String(seconds)];
  args.push('--seed', String(seed), '--target', String(target));
  const { json, wall } = await runJson(`aps:${kind} ${file}`, args);
  return { plan: json, wall };
}

async function runPlant(seconds, seed) {
  const args = [join(ROOT, 'bench/aps-plant.cjs'), '1250', '120', '8', String(seconds), String(seed)];
  return (await runJson('plant run', args)).json;
}

async function runOne(set, name, seed) {
  const seconds = set.seconds * scale;
  if (set.kind === 'plant') {
    const r = await runPlant(seconds, seed);
    if (!r.feasible) throw new Error(`plant: infeasible plan: ${r.problems.join(' ')}`);
    return { name, seed, plant: r, wall: r.totalMs / 1000 };
  }
  if (set.kind === 'jssp') {
    const file = join(JSSP_DIR, `${name}.txt`);
    const bound = jsspBounds[name];
    const { plan, wall } = await runCli('jssp', file, seconds, seed, bound.lower_bound);
    const check = checkJssp(parseJssp(readFileSync(file, 'utf8')), plan.starts);
    if (!check.feasible || check.makespan !== plan.makespan)
      throw new Error(`${name}: infeasible or misreported plan: ${JSON.stringify(check)}`);
    return { name, seed, best: bound.upper_bound, lb: bound.lower_bound, ours: plan.makespan, wall };
  }
  const file = join(FJSP_DIR, `${name}.txt`);
  const bound = fjspBounds[name];
  const { plan, wall } = await runCli('fjsp', file, seconds, seed, bound.lower_bound);
  const check = checkFjsp(parseFjsp(readFileSync(file, 'utf8')), plan.assignments);
  if (!check.feasible || check.makespan !== plan.makespan)
    throw new Error(`${name}: infeasible or misreported plan: ${JSON.stringify(check)}`);
  return { name, seed, best: bound.upper_bound, lb: bound.lower_bound, ours: plan.makespan, wall };
}

const gap = (r) => ((r.ours - r.best) / r.best) * 100;
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

log(
  `sets ${chosen.join(', ')}; ${parallel} at a time (one core each); budget ×${scale}; runs stop early at a proven lower bound`,
);
const summary = [];
let failed = false;
for (const set of SETS.filter((s) => chosen.includes(s.id))) {
  const runs = set.names.flatMap((name) => (set.seeds ?? [baseSeed]).map((seed) => ({ name, seed })));
  log(`${set.id}: ${runs.length} runs of ${set.seconds * scale} s`);
  let results;
  try {
    results = await mapLimit(runs, parallel, (r) => runOne(set, r.name, r.seed));
  } catch (err) {
    log(String(err.message ?? err));
    failed = true;
    continue;
  }
  if (set.kind === 'plant') {
    const r = results[0].plant;
    console.log(
      `\nplant (generated: ${r.operations} operations, ${r.machines} machines, ${r.windows} calendar windows; objective tardiness, then makespan)`,
    );
    console.log(
      `${pad('', 28)} ${lpad('seconds', 8)} ${lpad('weighted tardiness', 19)} ${lpad('late orders', 11)} ${lpad('makespan', 9)}`,
    );
    console.log(
      `${pad('first plan', 28)} ${lpad((r.firstPlanMs / 1000).toFixed(2), 8)} ${lpad(r.first.weightedTardiness, 19)} ${lpad(r.first.late, 11)} ${lpad(r.first.makespan, 9)}`,
    );
    console.log(
      `${pad(`after tabu search (${r.iterations} it)`, 28)} ${lpad((r.totalMs / 1000).toFixed(2), 8)} ${lpad(r.final.weightedTardiness, 19)} ${lpad(r.final.late, 11)} ${lpad(r.final.makespan, 9)}`,
    );
    const improved =
      r.final.weightedTardiness < r.first.weightedTardiness ||
      (r.final.weightedTardiness === r.first.weightedTardiness && r.final.makespan < r.first.makespan);
    summary.push({
      set: set.id,
      result: `first plan ${(r.firstPlanMs / 1000).toFixed(2)} s${improved ? ', improved' : ''}`,
      target: 'feasible ≤ 5 s, improving',
      met: r.firstPlanMs <= 5000 && improved,
      optimal: `−${(100 * (1 - r.final.weightedTardiness / r.first.weightedTardiness)).toFixed(1)} % tardiness`,
      seconds: (r.totalMs / 1000).toFixed(0),
    });
    continue;
  }
  console.log(`\n${set.id} (${set.kind}, budget ${set.seconds * scale} s per run)`);
  console.log(
    `${pad('instance', 10)} ${lpad('seed', 4)} ${lpad('best-known', 10)} ${lpad('ours', 6)} ${lpad('gap %', 6)} ${lpad('seconds', 7)}`,
  );
  for (const r of results) {
    console.log(
      `${pad(r.name, 10)} ${lpad(r.seed, 4)} ${lpad(r.best, 10)} ${lpad(r.ours, 6)} ${lpad(gap(r).toFixed(2), 6)} ${lpad(r.wall.toFixed(1), 7)}`,
    );
  }
  const meanGap = results.reduce((s, r) => s + gap(r), 0) / results.length;
  let line;
  if (set.target === 'ft10') {
    const hits = results.filter((r) => r.ours <= 930).length;
    line = {
      set: set.id,
      result: `930 in ${hits} of ${results.length} seeds`,
      target: '930 in ≥ 4 of 5',
      met: hits >= 4,
    };
  } else {
    line = {
      set: set.id,
      result: `mean gap ${meanGap.toFixed(2)} %`,
      value: meanGap,
      unit: '% mean gap',
      reference: 'best-known makespans',
      target: `≤ ${set.target} %`,
      met: meanGap <= set.target,
    };
  }
  line.optimal = results.filter((r) => r.ours === r.best).length + ` of ${results.length} at best-known`;
  line.seconds = results.reduce((s, r) => s + r.wall, 0).toFixed(0);
  summary.push(line);
}

console.log('\nsummary (scaled budgets do not count against the targets)');
console.log(
  `${pad('set', 9)} ${pad('result', 32)} ${pad('target', 26)} ${pad('best-known hits', 22)} ${lpad('Σ s', 6)}  `,
);
for (const l of summary) {
  const verdict = scale === 1 ? (l.met ? 'PASS' : 'MISS') : 'scaled';
  console.log(
    `${pad(l.set, 9)} ${pad(l.result, 32)} ${pad(l.target, 26)} ${pad(l.optimal, 22)} ${lpad(l.seconds, 6)}  ${verdict}`,
  );
}
writeBenchResult(
  'aps',
  summary.map((l) => ({
    figure: `APS ${l.set} (${l.optimal})`,
    ours: l.value ?? l.result,
    unit: l.unit ?? '',
    reference: l.reference ?? null,
    target: l.target,
    verdict: scale === 1 ? (l.met ? 'PASS' : 'MISS') : '',
  })),
  { title: `sets ${chosen.join(', ')}; budgets ×${scale}${scale === 1 ? '' : ' (scaled: no verdicts)'}` },
);
process.exit(failed ? 1 : 0);
