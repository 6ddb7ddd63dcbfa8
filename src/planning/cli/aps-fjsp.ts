/**
 * `npm run -s aps:fjsp -- FILE --seconds S --seed N [--target T] [--progress]`: solves a flexible job-shop instance
 * (Brandimarte format) for makespan and prints `{"makespan":M,"assignments":[[{"machine":k,"start":t},...],...]}`
 * with machines 0-based, operations of each job in the file's order.
 */
import { checkFjsp, parseFjsp, solveFjsp } from '../engine/fjsp';
import { parseSolverArgs, readInstance, runCli } from './cli-args';

runCli(() => {
  const args = parseSolverArgs(
    process.argv.slice(2),
    'usage: aps:fjsp FILE [--seconds S] [--seed N] [--target T] [--progress]',
  );
  const instance = parseFjsp(readInstance(args.file));
  const result = solveFjsp(instance, {
    seconds: args.seconds,
    seed: args.seed,
    target: args.target,
    onProgress: args.progress
      ? (p) =>
          process.stderr.write(`${(p.elapsedMs / 1000).toFixed(1)} s  ${p.iterations} it  ${p.makespan}\n`)
      : undefined,
  });
  const check = checkFjsp(instance, result.assignments);
  if (!check.feasible) throw new Error(`infeasible plan: ${check.errors.join('; ')}`);
  process.stdout.write(`${JSON.stringify({ makespan: result.makespan, assignments: result.assignments })}\n`);
});
