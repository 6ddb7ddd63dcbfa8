/**
 * Tabu search for the job shop (makespan) on the disjunctive graph. A solution is one sequence per machine; heads
 * (earliest starts) and tails (longest path after an operation) are computed in topological order. Each iteration
 * takes one critical path, splits it into blocks (consecutive operations on one machine) and evaluates the N7
 * neighbourhood of Zhang et al. (2007) — an operation of a block moved to the block's start or end, or the first or
 * last operation moved inside it (N5's swaps are among these) — with the head/tail estimate of Balas & Vazacopoulos
 * (1998); only moves their conditions prove acyclic are considered. The best non-tabu move is made (a tabu move when
 * it beats the best plan: aspiration). When the search stalls it restarts from a plan of the elite pool, perturbed
 * by a few random critical moves. Deterministic for a seed and an iteration count. Pure: the clock is injected.
 */
import {
  gifflerThompson,
  trivialLowerBound,
  type JsspInstance,
  type JsspSchedule,
  type PriorityRule,
} from './jssp';
import { seededRandom } from './random';

export interface JsspSolveOptions {
  /** Time budget in seconds (the first plan is always built). */
  seconds: number;
  seed?: number;
  /** Stop after this many tabu iterations (for reproducible runs). */
  maxIterations?: number;
  /** Stop as soon as this makespan is reached (e.g. a known lower bound). */
  target?: number;
  /** 'n7' (default) or the smaller 'n5' (swaps of the first two and last two operations of a block). */
  neighbourhood?: 'n5' | 'n7';
  now?: () => number;
  onProgress?: (progress: { elapsedMs: number; iterations: number; makespan: number }) => void;
}

export interface JsspSolveResult extends JsspSchedule {
  iterations: number;
  elapsedMs: number;
  /** True when the plan is proven optimal (it meets the trivial lower bound, or its critical path is one job). */
  optimal: boolean;
}

/** Mutable search state over typed arrays: no allocation in the inner loop. */
class JobShopState {
  readonly n: number;
  readonly jobs: number;
  readonly machines: number;
  /** Per operation (id = job * machines + k): duration, machine, job predecessor and successor (-1: none). */
  readonly p: Int32Array;
  readonly mach: Int32Array;
  readonly jp: Int32Array;
  readonly js: Int32Array;
  /** seq[m * jobs + i]: the i-th operation on machine m; pos[op]: its index there. */
  readonly seq: Int32Array;
  readonly pos: Int32Array;
  readonly r: Int32Array;
  readonly q: Int32Array;
  private readonly indeg: Int32Array;
  private readonly order: Int32Array;
  makespan = 0;

  constructor(instance: JsspInstance) {
    const { jobs, machines } = instance;
    this.jobs = jobs;
    this.machines = machines;
    const n = (this.n = jobs * machines);
    this.p = new Int32Array(n);
    this.mach = new Int32Array(n);
    this.jp = new Int32Array(n);
    this.js = new Int32Array(n);
    for (let j = 0; j < jobs; j++) {
      for (let k = 0; k < machines; k++) {
        const op = j * machines + k;
        this.p[op] = instance.ops[j]![k]!.duration;
        this.mach[op] = instance.ops[j]![k]!.machine;
        this.jp[op] = k > 0 ? op - 1 : -1;
        this.js[op] = k < machines - 1 ? op + 1 : -1;
      }
    }
    this.seq = new Int32Array(n);
    this.pos = new Int32Array(n);
    this.r = new Int32Array(n);
    this.q = new Int32Array(n);
    this.indeg = new Int32Array(n);
    this.order = new Int32Array(n);
  }

  mp(op: number): number {
    const i = this.pos[op]!;
    return i > 0 ? this.seq[this.mach[op]! * this.jobs + i - 1]! : -1;
  }

  ms(op: number): number {
    const i = this.pos[op]!;
    return i < this.jobs - 1 ? this.seq[this.mach[op]! * this.jobs + i + 1]! : -1;
  }

  /** Machine sequences from a schedule's starts (ties by job). */
  loadStarts(starts: number[][]): void {
    const { jobs, machines } = this;
    for (let m = 0; m < machines; m++) {
      const list: number[] = [];
      for (let j = 0; j < jobs; j++) {
        for (let k = 0; k < machines; k++) if (this.mach[j * machines + k] === m) list.push(j * machines + k);
      }
      list.sort(
        (a, b) =>
          starts[Math.floor(a / machines)]![a % machines]! -
            starts[Math.floor(b / machines)]![b % machines]! || a - b,
      );
      list.forEach((op, i) => {
        this.seq[m * jobs + i] = op;
        this.pos[op] = i;
      });
    }
  }

  loadSequences(seq: Int32Array): void {
    this.seq.set(seq);
    for (let i = 0; i < this.n; i++) this.pos[this.seq[i]!] = i % this.jobs;
  }

  /** Heads, tails and makespan in topological order; false when the machine sequences make a cycle. */
  evaluate(): boolean {
    const { n, p, jp, js, r, q, indeg, order } = this;
    for (let op = 0; op < n; op++) indeg[op] = (jp[op]! >= 0 ? 1 : 0) + (this.pos[op]! > 0 ? 1 : 0);
    let head = 0;
    let tail = 0;
    for (let op = 0; op < n; op++) if (indeg[op] === 0) order[tail++] = op;
    let makespan = 0;
    while (head < tail) {
      const x = order[head++]!;
      let start = 0;
      const a = jp[x]!;
      if (a >= 0) start = r[a]! + p[a]!;
      const b = this.mp(x);
      if (b >= 0 && r[b]! + p[b]! > start) start = r[b]! + p[b]!;
      r[x] = start;
      if (start + p[x]! > makespan) makespan = start + p[x]!;
      const c = js[x]!;
      if (c >= 0 && --indeg[c]! === 0) order[tail++] = c;
      const d = this.ms(x);
      if (d >= 0 && --indeg[d]! === 0) order[tail++] = d;
    }
    if (tail < n) return false;
    for (let i = n - 1; i >= 0; i--) {
      const x = order[i]!;
      let after = 0;
      const c = js[x]!;
      if (c >= 0) after = q[c]! + p[c]!;
      const d = this.ms(x);
      if (d >= 0 && q[d]! + p[d]! > after) after = q[d]! + p[d]!;
      q[x] = after;
    }
    this.makespan = makespan;
    return true;
  }

  /** Moves the operation at index `from` of machine m to index `to`, shifting the ones between. */
  move(m: number, from: number, to: number): void {
    const base = m * this.jobs;
    const op = this.seq[base + from]!;
    if (from < to) {
      for (let i = from; i < to; i++) {
        const w = this.seq[base + i + 1]!;
        this.seq[base + i] = w;
        this.pos[w] = i;
      }
    } else {
      for (let i = from; i > to; i--) {
        const w = this.seq[base + i - 1]!;
        this.seq[base + i] = w;
        this.pos[w] = i;
      }
    }
    this.seq[base + to] = op;
    this.pos[op] = to;
  }

  starts(): number[][] {
    const out: number[][] = [];
    for (let j = 0; j < this.jobs; j++) {
      const row: number[] = [];
      for (let k = 0; k < this.machines; k++) row.push(this.r[j * this.machines + k]!);
      out.push(row);
    }
    return out;
  }
}

/** Solves a job-shop instance for makespan within the time budget; the plan returned is always feasible. */
export function solveJssp(instance: JsspInstance, options: JsspSolveOptions): JsspSolveResult {
  const now = options.now ?? (() => performance.now());
  const began = now();
  const deadline = began + options.seconds * 1000;
  const random = seededRandom(options.seed ?? 1);
  const maxIterations = options.maxIterations ?? Infinity;
  // Nothing is shorter than the trivial lower bound: reaching it proves the plan optimal.
  const lowerBound = trivialLowerBound(instance);
  const target = Math.max(options.target ?? 0, lowerBound);
  const n7 = (options.neighbourhood ?? 'n7') === 'n7';
  const s = new JobShopState(instance);
  const { n, jobs, machines, p, mach, jp, js, r, q, seq, pos } = s;

  // First plan: the best of a few Giffler–Thompson active schedules.
  let first: JsspSchedule | undefined;
  const rules: PriorityRule[] = ['mwkr', 'spt', 'lpt', 'random', 'random', 'random'];
  for (const [i, rule] of rules.entries()) {
    const plan = gifflerThompson(instance, rule, (options.seed ?? 1) * 31 + i);
    if (!first || plan.makespan < first.makespan) first = plan;
  }
  s.loadStarts(first!.starts);
  if (!s.evaluate()) throw new Error('the first plan is cyclic'); // cannot happen: built from a schedule

  let bestMakespan = s.makespan;
  const bestStarts = s.starts();
  let optimal = false;

  // Elite pool of distinct good plans to restart from.
  const eliteSize = 8;
  const elite: Array<{ makespan: number; seq: Int32Array }> = [
    { makespan: s.makespan, seq: new Int32Array(seq) },
  ];
  const offerElite = (): void => {
    if (elite.some((e) => e.makespan === s.makespan)) {
      const same = elite.find((e) => e.makespan === s.makespan)!;
      same.seq.set(seq);
      return;
    }
    if (elite.length < eliteSize) elite.push({ makespan: s.makespan, seq: new Int32Array(seq) });
    else {
      let worst = 0;
      for (let i = 1; i < elite.length; i++) if (elite[i]!.makespan > elite[worst]!.makespan) worst = i;
      if (elite[worst]!.makespan <= s.makespan) return;
      elite[worst] = { makespan: s.makespan, seq: new Int32Array(seq) };
    }
  };

  // Tabu list: tabu[a * n + b] > clock forbids "a before b" on their machine.
  const tabu = new Int32Array(n * n);
  let clock = 1;
  const tenureMin = 10 + Math.floor(jobs / machines);
  const tenureSpan = Math.max(2, Math.floor(tenureMin * (jobs <= 2 * machines ? 0.4 : 0.5)));

  // Scratch buffers.
  const path = new Int32Array(n);
  const segment = new Int32Array(jobs);
  const rr = new Int32Array(jobs);
  const cand = { m: new Int32Array(4 * n), from: new Int32Array(4 * n), to: new Int32Array(4 * n) };
  const candTabu = new Uint8Array(4 * n);

  /** Estimated makespan after moving machine m's operation at `from` to `to` (Balas–Vazacopoulos heads/tails). */
  const estimate = (m: number, from: number, to: number): number => {
    const base = m * jobs;
    const lo = from < to ? from : to;
    const hi = from < to ? to : from;
    let k = 0;
    if (from < to) {
      for (let i = from + 1; i <= to; i++) segment[k++] = seq[base + i]!;
      segment[k++] = seq[base + from]!;
    } else {
      segment[k++] = seq[base + from]!;
      for (let i = to; i < from; i++) segment[k++] = seq[base + i]!;
    }
    const left = lo > 0 ? seq[base + lo - 1]! : -1;
    const right = hi < jobs - 1 ? seq[base + hi + 1]! : -1;
    let prevEnd = left >= 0 ? r[left]! + p[left]! : 0;
    for (let i = 0; i < k; i++) {
      const w = segment[i]!;
      const a = jp[w]!;
      const jobEnd = a >= 0 ? r[a]! + p[a]! : 0;
      const start = jobEnd > prevEnd ? jobEnd : prevEnd;
      rr[i] = start;
      prevEnd = start + p[w]!;
    }
    let nextTail = right >= 0 ? q[right]! + p[right]! : 0;
    let est = 0;
    for (let i = k - 1; i >= 0; i--) {
      const w = segment[i]!;
      const c = js[w]!;
      const jobTail = c >= 0 ? q[c]! + p[c]! : 0;
      const tail = jobTail > nextTail ? jobTail : nextTail;
      nextTail = tail + p[w]!;
      const len = rr[i]! + p[w]! + tail;
      if (len > est) est = len;
    }
    return est;
  };

  /** Is the move tabu (it would restore an order the search recently reversed)? */
  const isTabu = (m: number, from: number, to: number): boolean => {
    const base = m * jobs;
    const u = seq[base + from]!;
    if (from < to) {
      for (let i = from + 1; i <= to; i++) if (tabu[seq[base + i]! * n + u]! > clock) return true;
    } else {
      for (let i = to; i < from; i++) if (tabu[u * n + seq[base + i]!]! > clock) return true;
    }
    return false;
  };

  const makeTabu = (m: number, from: number, to: number): void => {
    const base = m * jobs;
    const u = seq[base + from]!;
    const until = clock + tenureMin + Math.floor(random() * tenureSpan);
    if (from < to) {
      for (let i = from + 1; i <= to; i++) tabu[u * n + seq[base + i]!] = until;
    } else {
      for (let i = to; i < from; i++) tabu[seq[base + i]! * n + u] = until;
    }
  };

  /** One critical path (random choice where two predecessors are critical), as operations from first to last. */
  const criticalPath = (): number => {
    let x = -1;
    let ties = 0;
    for (let op = 0; op < n; op++) {
      if (r[op]! + p[op]! === s.makespan) {
        ties++;
        if (random() * ties < 1) x = op;
      }
    }
    let len = 0;
    while (x >= 0) {
      path[len++] = x;
      const a = jp[x]!;
      const b = s.mp(x);
      const viaJob = a >= 0 && r[a]! + p[a]! === r[x]!;
      const viaMachine = b >= 0 && r[b]! + p[b]! === r[x]!;
      if (viaJob && viaMachine) x = random() < 0.5 ? a : b;
      else x = viaMachine ? b : viaJob ? a : -1;
    }
    path.subarray(0, len).reverse();
    return len;
  };

  /** Fills the candidate list from the blocks of the current critical path; answers how many. */
  const neighbourhood = (len: number): number => {
    let count = 0;
    const add = (m: number, from: number, to: number): void => {
      cand.m[count] = m;
      cand.from[count] = from;
      cand.to[count] = to;
      count++;
    };
    let i = 0;
    while (i < len) {
      let e = i;
      const m = mach[path[i]!]!;
      while (e + 1 < len && mach[path[e + 1]!] === m && pos[path[e + 1]!] === pos[path[e]!]! + 1) e++;
      if (e > i) {
        const a = pos[path[i]!]!; // block = machine m, indices a..b
        const b = pos[path[e]!]!;
        const first = path[i]!;
        const last = path[e]!;
        if (n7) {
          // First operation moved after an operation of the block (forward): acyclic if L(v,n) >= L(js(u),n).
          for (let t = a + 1; t <= b; t++) {
            const v = seq[m * jobs + t]!;
            const c = js[first]!;
            if (c < 0 || q[v]! + p[v]! >= q[c]! + p[c]!) add(m, a, t);
          }
          // Last operation moved before an operation of the block (backward): acyclic if r(u)+p(u) >= r(jp(v))+p(jp(v)).
          for (let t = b - 1; t >= a; t--) {
            const u = seq[m * jobs + t]!;
            const c = jp[last]!;
            if (c < 0 || r[u]! + p[u]! >= r[c]! + p[c]!) add(m, b, t);
          }
          // Inner operations moved to the block's start or end.
          for (let t = a + 1; t < b; t++) {
            const w = seq[m * jobs + t]!;
            const c = js[w]!;
            if (c < 0 || q[last]! + p[last]! >= q[c]! + p[c]!) add(m, t, b);
            const d = jp[w]!;
            if (d < 0 || r[first]! + p[first]! >= r[d]! + p[d]!) add(m, t, a);
          }
        } else {
          add(m, a, a + 1);
          if (b - 1 > a) add(m, b, b - 1);
        }
      }
      i = e + 1;
    }
    return count;
  };

  let iterations = 0;
  let sinceBest = 0;
  let sinceReport = began;
  const stallLimit = Math.max(2000, 20 * n);
  const report = (): void => {
    const t = now();
    sinceReport = t;
    options.onProgress?.({ elapsedMs: t - began, iterations, makespan: bestMakespan });
  };

  const restart = (): void => {
    const from = elite[Math.floor(random() * elite.length)]!;
    s.loadSequences(from.seq);
    s.evaluate();
    clock += tenureMin + tenureSpan + 1; // forget the tabu list
    const kicks = 2 + Math.floor(random() * 6);
    for (let k = 0; k < kicks; k++) {
      const count = neighbourhood(criticalPath());
      if (count === 0) break;
      const c = Math.floor(random() * count);
      s.move(cand.m[c]!, cand.from[c]!, cand.to[c]!);
      if (!s.evaluate()) {
        s.move(cand.m[c]!, cand.to[c]!, cand.from[c]!);
        s.evaluate();
      }
    }
  };

  while (bestMakespan > target && iterations < maxIterations) {
    if ((iterations & 63) === 0) {
      const t = now();
      if (t >= deadline) break;
      if (t - sinceReport >= 1000) report();
    }
    iterations++;
    clock++;
    const len = criticalPath();
    const count = neighbourhood(len);
    if (count === 0) {
      // No block of two: the critical path is a single job's chain (or one machine), so nothing is shorter.
      if (s.makespan === bestMakespan) {
        optimal = true;
        break;
      }
      restart();
      continue;
    }
    let chosen = -1;
    let chosenEst = Infinity;
    let ties = 0;
    let anyFree = false;
    for (let c = 0; c < count; c++) {
      const est = estimate(cand.m[c]!, cand.from[c]!, cand.to[c]!);
      const forbidden = isTabu(cand.m[c]!, cand.from[c]!, cand.to[c]!);
      candTabu[c] = forbidden ? 1 : 0;
      if (!forbidden) anyFree = true;
      if (forbidden && est >= bestMakespan) continue;
      if (est < chosenEst) {
        chosen = c;
        chosenEst = est;
        ties = 1;
      } else if (est === chosenEst && random() * ++ties < 1) chosen = c;
    }
    if (chosen < 0) {
      // Every move is tabu and none aspires: take the one whose tabu status ends soonest... or any, at random.
      chosen = Math.floor(random() * count);
      if (anyFree) for (let c = 0; c < count; c++) if (!candTabu[c]) chosen = c;
    }
    const m = cand.m[chosen]!;
    const from = cand.from[chosen]!;
    const to = cand.to[chosen]!;
    makeTabu(m, from, to);
    s.move(m, from, to);
    if (!s.evaluate()) {
      // The acyclicity conditions hold for moves on a critical path, so this should not happen; stay safe.
      s.move(m, to, from);
      s.evaluate();
      continue;
    }
    if (s.makespan < bestMakespan) {
      bestMakespan = s.makespan;
      const starts = s.starts();
      for (let j = 0; j < jobs; j++) bestStarts[j] = starts[j]!;
      sinceBest = 0;
      offerElite();
      report();
    } else if (++sinceBest > stallLimit) {
      offerElite();
      sinceBest = 0;
      restart();
    }
  }
  const elapsedMs = now() - began;
  options.onProgress?.({ elapsedMs, iterations, makespan: bestMakespan });
  return {
    makespan: bestMakespan,
    starts: bestStarts,
    iterations,
    elapsedMs,
    optimal: optimal || bestMakespan <= lowerBound,
  };
}
