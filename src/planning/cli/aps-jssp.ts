/**
 * `npm run -s aps:jssp -- FILE --seconds S --seed N [--target T] [--progress]`: solves a job-shop instance (standard
 * format) for makespan and prints `{"makespan":M,"starts":[[...],...]}` — the start of each operation of each job in
 * the file's order. `--target` stops once that makespan is reached (e.g. a proven lower bound); `--progress` reports
 * improvements on stderr.
 */
import { checkJssp, parseJssp } from '../engine/jssp';
import { solveJssp } from '../engine/jssp-tabu';
import { runSolverCli } from './cli-args';

runSolverCli({
  name: 'aps:jssp',
  parse: parseJssp,
  solve: solveJssp,
  check: (instance, result) => checkJssp(instance, result.starts),
  output: (result) => ({ makespan: result.makespan, starts: result.starts }),
});
