// Child process of bench/aps-bench.mjs: plans a generated plant-sized instance and prints, as JSON, when the first
// plan was ready, the KPIs of the first and the final plan, and the independent feasibility check.
// Usage: node bench/aps-plant.cjs JOBS MACHINES OPS_PER_JOB SECONDS SEED OBJECTIVE
const { join } = require('node:path');
require(join(__dirname, '../scripts/swc-register.cjs'));
const { generatePlant } = require('../src/planning/engine/plant-generator.ts');
const { solvePlan, checkPlan } = require('../src/planning/engine/plant.ts');

const [jobs, machines, opsPerJob, seconds, seed] = process.argv.slice(2, 7).map(Number);
const objective = process.argv[7] ?? 'tardiness-then-makespan';
const problem = generatePlant({ jobs, machines, opsPerJob, seed, objective });
const windows = problem.machines.reduce((n, m) => n + (m.available?.length ?? 0), 0);
const began = performance.now();
let first;
const result = solvePlan(problem, {
  seconds,
  seed,
  onProgress: (p) => {
    if (!first) first = { ms: performance.now() - began, kpis: p.kpis };
  },
});
const problems = checkPlan(problem, result);
const pick = (k) => ({
  makespan: k.makespan,
  weightedTardiness: k.totalWeightedTardiness,
  late: k.lateJobs.length,
});
process.stdout.write(
  JSON.stringify({
    operations: problem.operations.length,
    machines: problem.machines.length,
    windows,
    firstPlanMs: first.ms,
    first: pick(first.kpis),
    final: pick(result.kpis),
    iterations: result.iterations,
    totalMs: performance.now() - began,
    feasible: problems.length === 0,
    problems: problems.slice(0, 5),
  }) + '\n',
);
