/**
 * `npm run -s aps:fjsp -- FILE --seconds S --seed N [--target T] [--progress]`: solves a flexible job-shop instance
 * (Brandimarte format) for makespan and prints `{"makespan":M,"assignments":[[{"machine":k,"start":t},...],...]}`
 * with machines 0-based, operations of each job in the file's order.
 */
import { checkFjsp, parseFjsp, solveFjsp } from '../engine/fjsp';
import { runSolverCli } from './cli-args';

runSolverCli({
  name: 'aps:fjsp',
  parse: parseFjsp,
  solve: solveFjsp,
  check: (instance, result) => checkFjsp(instance, result.assignments),
  output: (result) => ({ makespan: result.makespan, assignments: result.assignments }),
});
