import { parentPort, workerData } from 'node:worker_threads';
import type { PlanProgress } from '../engine/model';
import { checkPlan, solvePlan, validatePlan } from '../engine/plant';
import type { SolverMessage, SolverRequest } from './plan-solver';

/** The engine off the event loop: validates the problem, solves it, checks the plan, reports progress. */
const PROGRESS_EVERY_MS = 250;

function run(port: NonNullable<typeof parentPort>, request: SolverRequest): void {
  const post = (message: SolverMessage): void => port.postMessage(message);
  try {
    const errors = validatePlan(request.problem);
    if (errors.length > 0) {
      post({ type: 'invalid', errors });
      return;
    }
    let last = -Infinity;
    const result = solvePlan(request.problem, {
      seconds: request.seconds,
      seed: request.seed,
      onProgress: (progress: PlanProgress) => {
        const now = Date.now();
        if (now - last < PROGRESS_EVERY_MS) return;
        last = now;
        post({ type: 'progress', progress });
      },
    });
    post({ type: 'result', result, violations: checkPlan(request.problem, result) });
  } catch (err) {
    post({
      type: 'error',
      message: err instanceof Error ? err.message : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
  }
}

if (parentPort) run(parentPort, workerData as SolverRequest);
