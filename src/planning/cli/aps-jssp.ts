/**
 * `npm run -s aps:jssp -- FILE --seconds S --seed N [--target T] [--progress]`: solves a job-shop instance (standard
 * format) for makespan and prints `{"makespan":M,"starts":[[...],...]}` — the start of each operation of each job in
 * the file's order. `--target` stops once that makespan is reached (e.g. a proven lower bound); `--progress` reports
 * improvements on stderr.
 */
import { checkJssp, parseJssp } from '../engine/jssp';
import { solveJssp } from '../engine/jssp-tabu';
import { parseSolverArgs, readInstance, runCli } from './cli-args';

runCli(() => {
  const args = parseSolverArgs(
    process.argv.slice(2),
    'usage: aps:jssp FILE [--seconds S] [--seed N] [--target T] [--progress]',
  );
  const instance = parseJssp(readInstance(args.file));
  const result = solveJssp(instance, {
    seconds: args.seconds,
    seed: args.seed,
    target: args.target,
    onProgress: args.progress
      ? (p) =>
          process.stderr.write(`${(p.elapsedMs / 1000).toFixed(1)} s  ${p.iterations} it  ${p.makespan}\n`)
      : undefined,
  });
  const check = checkJssp(instance, result.starts);
  if (!check.feasible) throw new Error(`infeasible plan: ${check.errors.join('; ')}`);
  process.stdout.write(`${JSON.stringify({ makespan: result.makespan, starts: result.starts })}\n`);
});
