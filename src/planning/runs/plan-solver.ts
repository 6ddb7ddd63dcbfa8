import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PlanProblem, PlanProgress, PlanResult } from '../engine/model';

export interface SolverRequest {
  problem: PlanProblem;
  seconds: number;
  seed: number;
}

export type SolverMessage =
  | { type: 'progress'; progress: PlanProgress }
  | { type: 'invalid'; errors: string[] }
  | { type: 'result'; result: PlanResult; violations: string[] }
  | { type: 'error'; message: string; stack?: string };

export type SolveOutcome =
  { kind: 'solved'; result: PlanResult; violations: string[] } | { kind: 'invalid'; errors: string[] };

/** Beyond its budget, the engine gets this long to hand back its plan before it is stopped. */
const GRACE_MS = 60_000;

/**
 * Runs the APS engine in worker threads, a few at a time (the rest wait for a slot), so a long optimisation
 * never blocks requests. Compiled code starts `dist/.../plan-solver.worker.js`; under jest the worker loads the
 * TypeScript source through the swc require hook.
 */
@Injectable()
export class PlanSolver implements OnApplicationShutdown {
  private readonly logger = new Logger(PlanSolver.name);
  private readonly capacity = Math.max(1, Math.min(2, availableParallelism() - 1));
  private busy = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly workers = new Set<Worker>();

  /** Waits for a free slot; call the answer to give it back. */
  async acquire(): Promise<() => void> {
    if (this.busy >= this.capacity) await new Promise<void>((resume) => this.waiting.push(resume));
    else this.busy++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    };
  }

  solve(
    request: SolverRequest,
    onProgress: (progress: PlanProgress) => void,
    signal?: AbortSignal,
  ): Promise<SolveOutcome> {
    const ext = extname(__filename);
    const worker = new Worker(join(__dirname, `plan-solver.worker${ext}`), {
      workerData: request,
      execArgv: ext === '.ts' ? ['--require', resolve(__dirname, '../../../scripts/swc-register.cjs')] : [],
    });
    this.workers.add(worker);
    return new Promise<SolveOutcome>((done, fail) => {
      let settled = false;
      const finish = (outcome: SolveOutcome | Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        this.workers.delete(worker);
        void worker.terminate();
        if (outcome instanceof Error) fail(outcome);
        else done(outcome);
      };
      const timer = setTimeout(
        () =>
          finish(
            new Error(`the engine did not finish within ${request.seconds} s and ${GRACE_MS / 1000} s grace`),
          ),
        request.seconds * 1000 + GRACE_MS,
      );
      const abort = (): void => finish(new Error(String(signal?.reason ?? 'cancelled')));
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort);
      worker.on('message', (message: SolverMessage) => {
        switch (message.type) {
          case 'progress':
            try {
              onProgress(message.progress);
            } catch (err) {
              this.logger.warn({ err }, 'progress handler failed');
            }
            return;
          case 'invalid':
            return finish({ kind: 'invalid', errors: message.errors });
          case 'result':
            return finish({ kind: 'solved', result: message.result, violations: message.violations });
          case 'error':
            this.logger.error({ stack: message.stack }, `the engine failed: ${message.message}`);
            return finish(new Error(`the engine failed: ${message.message}`));
        }
      });
      worker.on('error', (err) => finish(err));
      worker.on('exit', (code) => finish(new Error(`the engine stopped (exit code ${code})`)));
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.workers].map((w) => w.terminate()));
  }
}
