import { readFileSync } from 'node:fs';

/** Arguments of the benchmark CLIs: `FILE --seconds S --seed N [--target T] [--progress]`. */
export interface SolverArgs {
  file: string;
  seconds: number;
  seed: number;
  target?: number;
  progress: boolean;
}

export function parseSolverArgs(argv: readonly string[], usage: string): SolverArgs {
  let file: string | undefined;
  let seconds = 10;
  let seed = 1;
  let target: number | undefined;
  let progress = false;
  const number = (flag: string, value: string | undefined, min: number): number => {
    const parsed = Number(value);
    if (value === undefined || !Number.isFinite(parsed) || parsed < min)
      throw new UsageError(`${flag} needs a number ≥ ${min}, got ${value ?? 'nothing'}\n${usage}`);
    return parsed;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--seconds') seconds = number(arg, argv[++i], 0);
    else if (arg === '--seed') seed = Math.floor(number(arg, argv[++i], 0));
    else if (arg === '--target') target = Math.floor(number(arg, argv[++i], 0));
    else if (arg === '--progress') progress = true;
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}\n${usage}`);
    else if (file === undefined) file = arg;
    else throw new UsageError(`one instance file only, got ${file} and ${arg}\n${usage}`);
  }
  if (file === undefined) throw new UsageError(`no instance file\n${usage}`);
  return { file, seconds, seed, target, progress };
}

export class UsageError extends Error {}

/** The instance file's text, or a usage error saying why it cannot be read. */
export function readInstance(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** Runs a CLI body: usage and input errors go to stderr with exit code 2. */
export function runCli(body: () => void): void {
  try {
    body();
  } catch (err) {
    if (err instanceof UsageError || err instanceof RangeError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}

/** What a benchmark CLI needs to know about its solver. */
export interface SolverCli<I, R extends { makespan: number }> {
  name: string;
  parse(text: string): I;
  solve(
    instance: I,
    options: {
      seconds: number;
      seed: number;
      target?: number;
      onProgress?: (p: { elapsedMs: number; iterations: number; makespan: number }) => void;
    },
  ): R;
  /** Independent feasibility check of the result. */
  check(instance: I, result: R): { feasible: true } | { feasible: false; errors: string[] };
  /** The JSON printed on stdout. */
  output(result: R): object;
}

/** Parses the arguments, reads and solves the instance, checks the plan and prints it as one JSON line. */
export function runSolverCli<I, R extends { makespan: number }>(cli: SolverCli<I, R>): void {
  runCli(() => {
    const args = parseSolverArgs(
      process.argv.slice(2),
      `usage: ${cli.name} FILE [--seconds S] [--seed N] [--target T] [--progress]`,
    );
    const instance = cli.parse(readInstance(args.file));
    const result = cli.solve(instance, {
      seconds: args.seconds,
      seed: args.seed,
      target: args.target,
      onProgress: args.progress
        ? (p) =>
            process.stderr.write(`${(p.elapsedMs / 1000).toFixed(1)} s  ${p.iterations} it  ${p.makespan}\n`)
        : undefined,
    });
    const check = cli.check(instance, result);
    if (!check.feasible) throw new Error(`infeasible plan: ${check.errors.join('; ')}`);
    process.stdout.write(`${JSON.stringify(cli.output(result))}\n`);
  });
}
