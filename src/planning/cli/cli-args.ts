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
