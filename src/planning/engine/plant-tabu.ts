/**
 * Improvement of a plant schedule by tabu search on critical paths. The critical path of an operation is the
 * chain of operations that decided its start, back to one that nothing delayed (see Schedule.place); consecutive
 * operations of the chain on the same machine form critical blocks. For makespan the chain ends at the last
 * operation; for weighted tardiness at the last operations of the tardiest jobs, heaviest first. Moves: swap the
 * first two or the last two operations of a block, move an operation of a block to the block's start or end, and
 * move a critical operation to another of its machines at the place its current start suggests. Each move is
 * evaluated by re-decoding from the earliest changed operation on; the best non-tabu move is taken (a tabu move
 * only when it beats the best plan: aspiration); the reversal of a move stays tabu for a randomised tenure; when
 * the best plan has not improved for a while the search restarts from it with a small random perturbation.
 * Deterministic for a seed and an iteration count. Pure: the clock is the caller's.
 */
import { type PlanObjective } from './model';
import { type Compiled } from './plant-compile';
import { CRIT_MACHINE, CRIT_NONE, type Schedule } from './plant-schedule';

/** (primary, secondary) to minimise lexicographically. */
export type Score = readonly [number, number];

export const better = (a: Score, b: Score): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/**
 * makespan: (makespan, total completion); tardiness: (total weighted tardiness, total weighted completion);
 * tardiness-then-makespan: (total weighted tardiness, makespan). The secondary term breaks ties only.
 */
export function score(s: Schedule, objective: PlanObjective): Score {
  const c = s.c;
  let makespan = 0;
  let twt = 0;
  let sumC = 0;
  let sumWC = 0;
  for (let j = 0; j < c.nJobs; j++) {
    const end = s.jobEnd(j);
    if (end === -Infinity) continue;
    const w = c.jobWeight[j]!;
    if (end > makespan) makespan = end;
    const late = end - c.jobDue[j]!;
    if (late > 0 && w > 0) twt += w * late;
    sumC += end;
    if (w > 0) sumWC += w * end;
  }
  for (const line of c.frozenByMachine)
    if (line.length && c.frozenEnd[line[line.length - 1]!]! > makespan)
      makespan = c.frozenEnd[line[line.length - 1]!]!;
  switch (objective) {
    case 'makespan':
      return [makespan, sumC];
    case 'tardiness':
      return [twt, sumWC];
    case 'tardiness-then-makespan':
      return [twt, makespan];
  }
}

interface Move {
  x: number;
  machine: number;
  index: number;
}

export interface TabuOptions {
  objective: PlanObjective;
  random: () => number;
  /** True when the time is up (asked every few evaluations). */
  timeUp: () => boolean;
  maxIterations: number;
  /** Called with the new best score (the schedule holds it) on every improvement. */
  improved: (best: Score, iterations: number) => void;
  /** Most moves evaluated per iteration (default 64). */
  maxMoves?: number;
  /** Called after every iteration. */
  tick: (iterations: number) => void;
}

/** Most moves evaluated per iteration (a seeded sample when the neighbourhood is larger). */
const MAX_MOVES = 64;
/** Operations of a block moved to its ends, counted from each end. */
const MAX_BLOCK_REACH = 6;
/** Tardy jobs whose critical paths make the neighbourhood. */
const TARDY_PATHS = 2;
const TENURE = 6;
const STALL = 150;
const PERTURBATION = 3;

/** The chain of operations that decided x's start, earliest first (frozen operations end it). */
function criticalPath(s: Schedule, x: number): number[] {
  const path: number[] = [];
  const c = s.c;
  let y = x;
  while (y >= 0 && c.frozenMode[y]! < 0 && path.length <= c.nOps) {
    path.push(y);
    y = s.critKind[y] === CRIT_NONE ? -1 : s.critBy[y]!;
  }
  return path.reverse();
}

/** The operations whose end decides the objective, most important first. */
function targets(s: Schedule, objective: PlanObjective, now: Score): number[] {
  const c = s.c;
  const lastOf = (j: number) => {
    let best = -1;
    for (let q = c.sinkStart[j]!; q < c.sinkStart[j + 1]!; q++) {
      const o = c.sinks[q]!;
      if (best < 0 || s.end[o]! > s.end[best]!) best = o;
    }
    return best;
  };
  if (objective !== 'makespan' && now[0] > 0) {
    const tardy: Array<[number, number]> = [];
    for (let j = 0; j < c.nJobs; j++) {
      const late = s.jobEnd(j) - c.jobDue[j]!;
      if (late > 0 && c.jobWeight[j]! > 0) tardy.push([j, c.jobWeight[j]! * late]);
    }
    tardy.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    return tardy
      .slice(0, TARDY_PATHS)
      .map(([j]) => lastOf(j))
      .filter((o) => o >= 0 && c.frozenMode[o]! < 0);
  }
  if (objective === 'tardiness') return [];
  let last = -1;
  for (const o of c.free) if (last < 0 || s.end[o]! > s.end[last]!) last = o;
  return last >= 0 ? [last] : [];
}

function neighbourhood(
  s: Schedule,
  objective: PlanObjective,
  now: Score,
  random: () => number,
  limit: number,
): Move[] {
  const c = s.c;
  const moves: Move[] = [];
  const seen = new Set<number>();
  const add = (x: number, machine: number, index: number) => {
    const key = (x * c.nMachines + machine) * (c.nOps + 1) + index;
    if (seen.has(key)) return;
    // Not a move at all: back where it is.
    if (machine === s.machine[x] && index === s.seqPos[x]) return;
    seen.add(key);
    moves.push({ x, machine, index });
  };
  for (const target of targets(s, objective, now)) {
    const path = criticalPath(s, target);
    let i = 0;
    while (i < path.length) {
      // The block starting at path[i].
      let k = i + 1;
      while (k < path.length && s.critKind[path[k]!] === CRIT_MACHINE && s.critBy[path[k]!] === path[k - 1])
        k++;
      const block = path.slice(i, k);
      const length = block.length;
      if (length >= 2) {
        const m = s.machine[block[0]!]!;
        const p0 = s.seqPos[block[0]!]!;
        add(block[0]!, m, p0 + 1);
        add(block[length - 1]!, m, p0 + length - 2);
        for (let b = 1; b < length; b++) {
          if (b > MAX_BLOCK_REACH && b < length - MAX_BLOCK_REACH) continue;
          add(block[b]!, m, p0);
        }
        for (let b = 0; b < length - 1; b++) {
          if (b >= MAX_BLOCK_REACH && b < length - 1 - MAX_BLOCK_REACH) continue;
          add(block[b]!, m, p0 + length - 1);
        }
      }
      for (const x of block) {
        if (c.modeStart[x + 1]! - c.modeStart[x]! < 2) continue;
        for (let q = c.modeStart[x]!; q < c.modeStart[x + 1]!; q++) {
          const m = c.modeMachine[q]!;
          if (m === s.machine[x]) continue;
          // Where its current start would put it in that machine's sequence.
          const line = s.seq[m]!;
          let lo = 0;
          let hi = line.length;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (s.start[line[mid]!]! < s.start[x]!) lo = mid + 1;
            else hi = mid;
          }
          add(x, m, lo);
        }
      }
      i = k;
    }
  }
  if (moves.length > limit) {
    for (let i = 0; i < limit; i++) {
      const j = i + Math.floor(random() * (moves.length - i));
      [moves[i], moves[j]] = [moves[j]!, moves[i]!];
    }
    moves.length = limit;
  }
  return moves;
}

/** Improves s in place until the time is up or maxIterations; s ends holding the best plan. Answers iterations. */
export function tabuSearch(s: Schedule, options: TabuOptions): number {
  const { objective, random, timeUp } = options;
  const c: Compiled = s.c;
  let current = score(s, objective);
  let best = current;
  let bestPlan = s.snapshot();
  let bestIsCurrent = true;
  const tabuPair = new Map<number, number>();
  const tabuMachine = new Map<number, number>();
  const pairKey = (a: number, b: number) => (a < b ? a * c.nOps + b : b * c.nOps + a);
  let iterations = 0;
  let stall = 0;
  const limit = options.maxMoves ?? MAX_MOVES;

  /** The operations x jumps over when moved within its machine. */
  const jumped = (move: Move): number[] => {
    const { x, machine, index } = move;
    if (machine !== s.machine[x]) return [];
    const line = s.seq[machine]!;
    const i = s.seqPos[x]!;
    return index > i ? line.slice(i + 1, index + 1) : line.slice(index, i);
  };
  const isTabu = (move: Move): boolean => {
    if (move.machine !== s.machine[move.x])
      return (tabuMachine.get(move.x * c.nMachines + move.machine) ?? -1) > iterations;
    return jumped(move).some((y) => (tabuPair.get(pairKey(move.x, y)) ?? -1) > iterations);
  };
  /** Applies and decodes the move (journaled); false, nothing changed, on a cycle. */
  const apply = (move: Move): boolean => s.tryMove(move.x, move.machine, move.index);

  while (iterations < options.maxIterations && !timeUp()) {
    const moves = neighbourhood(s, objective, current, random, limit);
    if (!moves.length) break;
    let chosen: Move | undefined;
    let chosenScore: Score = [Infinity, Infinity];
    let fallback: Move | undefined;
    let fallbackScore: Score = [Infinity, Infinity];
    let aborted = false;
    for (let i = 0; i < moves.length; i++) {
      if (i % 8 === 7 && timeUp()) {
        aborted = true;
        break;
      }
      const move = moves[i]!;
      if (!apply(move)) continue;
      const result = score(s, objective);
      s.undoMove();
      if (isTabu(move) && !better(result, best)) {
        if (better(result, fallbackScore)) {
          fallback = move;
          fallbackScore = result;
        }
        continue;
      }
      if (!chosen || better(result, chosenScore)) {
        chosen = move;
        chosenScore = result;
      }
    }
    if (aborted) break;
    if (!chosen) {
      // Everything tabu: take the best of them anyway and forget the list.
      chosen = fallback;
      chosenScore = fallbackScore;
      tabuPair.clear();
      tabuMachine.clear();
    }
    iterations++;
    if (chosen) {
      const tenure = TENURE + Math.floor(random() * TENURE);
      const from = s.machine[chosen.x]!;
      if (from !== chosen.machine) tabuMachine.set(chosen.x * c.nMachines + from, iterations + tenure);
      for (const y of jumped(chosen)) tabuPair.set(pairKey(chosen.x, y), iterations + tenure);
      apply(chosen);
      s.commit();
      current = chosenScore;
      bestIsCurrent = false;
      if (better(current, best)) {
        best = current;
        bestPlan = s.snapshot();
        bestIsCurrent = true;
        stall = 0;
        options.improved(best, iterations);
      } else stall++;
    } else stall = STALL + 1;
    if (stall > STALL) {
      // Restart from the best plan, shaken a little.
      s.restore(bestPlan);
      tabuPair.clear();
      tabuMachine.clear();
      for (let p = 0; p < PERTURBATION; p++) {
        const shake = neighbourhood(s, objective, score(s, objective), random, limit);
        if (!shake.length) break;
        if (apply(shake[Math.floor(random() * shake.length)]!)) s.commit();
      }
      current = score(s, objective);
      bestIsCurrent = false;
      stall = 0;
    }
    options.tick(iterations);
  }
  if (!bestIsCurrent) s.restore(bestPlan);
  return iterations;
}
