// npm run bench:spc — the SPC engine on 100,000 subgroups: x̄–R limits and Nelson rules 1–8 over every point
// (issue #7: ≤ 50 ms). Pure computation in this process, no database; see bench/README.md.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT, intEnv, log, writeBenchResult } from './common.mjs';

const require = createRequire(import.meta.url);
require(join(ROOT, 'scripts/swc-register.cjs'));
const { analyze } = require(join(ROOT, 'src/quality/spc/engine/analyze.ts'));
const { seededRandom } = require(join(ROOT, 'src/planning/engine/random.ts'));

const POINTS = intEnv('BENCH_SPC_POINTS', 100_000);
const SIZE = intEnv('BENCH_SPC_SUBGROUP', 5);
const RUNS = intEnv('BENCH_SPC_RUNS', 15);
const TARGET_MS = 50;

// Seeded normal data (Box–Muller over the engines' seeded generator) with a few shifts, so rules fire as they
// would on a real line.
const uniform = seededRandom(12345);
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
const subgroups = Array.from({ length: POINTS }, (_, i) => {
  const shift = i % 5000 > 4900 ? 0.012 : 0; // a short drift every 5,000 subgroups
  return Array.from({ length: SIZE }, () => 74 + shift + 0.01 * normal());
});
const input = { chart: 'xbar-r', subgroups, phaseI: { first: 0, last: 99 }, rules: 'nelson' };

log(
  `${POINTS} subgroups of ${SIZE}, x̄–R, phase I = first 100, Nelson 1–8; ${RUNS} timed runs after 3 warm-ups`,
);
let result;
for (let i = 0; i < 3; i++) result = analyze(input);
const times = [];
for (let i = 0; i < RUNS; i++) {
  const began = process.hrtime.bigint();
  result = analyze(input);
  times.push(Number(process.hrtime.bigint() - began) / 1e6);
}
times.sort((x, y) => x - y);
const median = times[Math.floor(times.length / 2)];
const violations = result.points.reduce((n, p) => n + (p.violations.length > 0 ? 1 : 0), 0);
if (result.points.length !== POINTS)
  throw new Error(`expected ${POINTS} points, got ${result.points.length}`);

console.log('\nSPC engine (one analyze call, this process)');
console.log(
  `${'points'.padEnd(10)} ${'median ms'.padStart(10)} ${'min ms'.padStart(8)} ${'max ms'.padStart(8)} ${'target ms'.padStart(10)}  points with violations`,
);
console.log(
  `${String(POINTS).padEnd(10)} ${median.toFixed(1).padStart(10)} ${times[0].toFixed(1).padStart(8)} ${times.at(-1).toFixed(1).padStart(8)} ${('≤ ' + TARGET_MS).padStart(10)}  ${violations}   ${POINTS === 100_000 ? (median <= TARGET_MS ? 'PASS' : 'MISS') : 'other size'}`,
);
writeBenchResult(
  'spc',
  [
    {
      figure: `SPC x̄–R + Nelson 1–8, ${POINTS.toLocaleString('en')} subgroups, median`,
      ours: median,
      unit: 'ms',
      target: POINTS === 100_000 ? `≤ ${TARGET_MS} ms` : '',
      verdict: POINTS === 100_000 ? (median <= TARGET_MS ? 'PASS' : 'MISS') : '',
    },
    { figure: 'SPC analysis, slowest run', ours: times.at(-1), unit: 'ms' },
  ],
  { title: `${POINTS} subgroups of ${SIZE}, ${RUNS} runs after 3 warm-ups, in one process` },
);
