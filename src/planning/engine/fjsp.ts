/**
 * Flexible job-shop scheduling (FJSP): each operation runs on one of several eligible machines, with a duration
 * that depends on the machine; minimise the makespan. The standard (Brandimarte / FJSPLIB) instance format, a
 * schedule checker, a trivial lower bound, and a solver: randomized dispatch rules for a first plan, then tabu
 * search on the disjunctive graph with the critical-operation reinsertion neighbourhood of Mastrolilli &
 * Gambardella (2000): every move's makespan estimated in constant time from heads and tails (exactly, but for
 * rare cases), the chosen move evaluated exactly. Pure: no framework, no I/O, and the clock only through the
 * injected `now`.
 */
import { seededRandom } from './random';

export interface FjspMode {
  /** 0-based. */
  machine: number;
  duration: number;
}

export interface FjspInstance {
  jobs: number;
  machines: number;
  /** ops[j][k]: the eligible modes of operation k of job j, operations in the job's processing order. */
  ops: FjspMode[][][];
}

export interface FjspAssignment {
  machine: number;
  start: number;
}

export interface FjspSchedule {
  makespan: number;
  /** assignments[j][k]: machine and start of operation k of job j. */
  assignments: FjspAssignment[][];
}

export interface FjspSolveOptions {
  /** Time budget. */
  seconds: number;
  seed?: number;
  /** Milliseconds; defaults to `performance.now`. */
  now?: () => number;
  /** Called with each new best makespan. */
  onProgress?: (p: { elapsedMs: number; iterations: number; makespan: number }) => void;
  /** stop early when this makespan is reached (e.g. a known lower bound) */
  target?: number;
  /**
   * Stop after this many tabu-search iterations. With it the result depends only on the instance and the seed,
   * not on the speed of the machine (as long as the time budget is not reached first).
   */
  maxIterations?: number;
}

const isCount = (t: string) => /^\d+$/.test(t);

/**
 * Parses the Brandimarte / FJSPLIB format: a header `jobs machines [average machines per operation]` (the third
 * number is ignored), then one line per job: the number of operations, then for each operation the number of
 * alternatives followed by that many `machine duration` pairs, machines numbered from 1. Blank lines and lines
 * starting with `#` are ignored. Machines are 0-based in the result. Durations must be positive integers.
 * Throws a RangeError saying what is wrong.
 */
export function parseFjsp(text: string): FjspInstance {
  const lines = text
    .split(/\r?\n/)
    .map((line, index) => ({ text: line.trim(), number: index + 1 }))
    .filter((line) => line.text !== '' && !line.text.startsWith('#'));
  const header = lines[0]?.text.split(/\s+/) ?? [];
  if (header.length < 2 || header.length > 3 || !isCount(header[0]!) || !isCount(header[1]!))
    throw new RangeError('the first line must be "jobs machines [machines per operation]"');
  const jobs = Number(header[0]);
  const machines = Number(header[1]);
  if (!jobs || !machines) throw new RangeError('the first line must give positive jobs and machines counts');
  if (header.length === 3 && !/^\d+(\.\d+)?$/.test(header[2]!))
    throw new RangeError(`the third header number is not a number: "${header[2]}"`);
  if (lines.length - 1 !== jobs)
    throw new RangeError(`expected ${jobs} job lines after the header, found ${lines.length - 1}`);
  const ops: FjspMode[][][] = [];
  for (let j = 0; j < jobs; j++) {
    const line = lines[j + 1]!;
    const where = `job ${j} (line ${line.number})`;
    const numbers = line.text.split(/\s+/).map((t) => {
      if (!isCount(t)) throw new RangeError(`${where}: not a non-negative integer: "${t}"`);
      return Number(t);
    });
    const count = numbers[0]!;
    if (count === 0) throw new RangeError(`${where}: no operations`);
    let at = 1;
    const job: FjspMode[][] = [];
    for (let k = 0; k < count; k++) {
      if (at >= numbers.length)
        throw new RangeError(`${where}: the line ends before operation ${k} of ${count}`);
      const alternatives = numbers[at++]!;
      if (alternatives === 0) throw new RangeError(`${where}: operation ${k} has zero alternatives`);
      if (at + 2 * alternatives > numbers.length)
        throw new RangeError(
          `${where}: operation ${k} announces ${alternatives} alternatives, the line ends before`,
        );
      const modes: FjspMode[] = [];
      for (let a = 0; a < alternatives; a++) {
        const machine = numbers[at++]!;
        const duration = numbers[at++]!;
        if (machine < 1 || machine > machines)
          throw new RangeError(`${where}: operation ${k}: machine ${machine} is out of range 1..${machines}`);
        if (duration < 1)
          throw new RangeError(`${where}: operation ${k}: duration ${duration} is not positive`);
        if (modes.some((mode) => mode.machine === machine - 1))
          throw new RangeError(`${where}: operation ${k}: machine ${machine} is listed twice`);
        modes.push({ machine: machine - 1, duration });
      }
      job.push(modes);
    }
    if (at !== numbers.length)
      throw new RangeError(`${where}: ${numbers.length - at} numbers left over after ${count} operations`);
    ops.push(job);
  }
  return { jobs, machines, ops };
}

/**
 * No schedule is shorter than the max of: the longest job counted with each operation's shortest duration; the
 * total of the shortest durations divided by the number of machines (rounded up); the load of the operations
 * that have a single eligible machine, on the most loaded machine.
 */
export function fjspLowerBound(instance: FjspInstance): number {
  const fixedLoad = new Array<number>(instance.machines).fill(0);
  let longestJob = 0;
  let total = 0;
  for (const job of instance.ops) {
    let length = 0;
    for (const modes of job) {
      const shortest = Math.min(...modes.map((mode) => mode.duration));
      length += shortest;
      total += shortest;
      if (modes.length === 1) fixedLoad[modes[0]!.machine]! += modes[0]!.duration;
    }
    longestJob = Math.max(longestJob, length);
  }
  return Math.max(longestJob, Math.ceil(total / instance.machines), ...fixedLoad);
}

/**
 * Checks a schedule against the instance: shape, eligible machine, integer non-negative starts, job order, no
 * overlap on a machine. Answers the makespan, or the first ten errors.
 */
export function checkFjsp(
  instance: FjspInstance,
  assignments: FjspAssignment[][],
): { feasible: true; makespan: number } | { feasible: false; errors: string[] } {
  const errors: string[] = [];
  if (assignments.length !== instance.jobs)
    errors.push(`${assignments.length} jobs in the schedule, ${instance.jobs} in the instance`);
  let makespan = 0;
  const byMachine: Array<Array<{ start: number; end: number; job: number; op: number }>> = Array.from(
    { length: instance.machines },
    () => [],
  );
  instance.ops.forEach((job, j) => {
    const row = assignments[j];
    if (!row || row.length !== job.length) {
      errors.push(`job ${j}: ${row?.length ?? 0} assignments for ${job.length} operations`);
      return;
    }
    let previousEnd = 0;
    job.forEach((modes, k) => {
      const { machine, start } = row[k]!;
      const mode = modes.find((candidate) => candidate.machine === machine);
      if (!mode) {
        errors.push(`job ${j} op ${k}: machine ${machine} is not eligible`);
        return;
      }
      if (!Number.isInteger(start) || start < 0)
        errors.push(`job ${j} op ${k}: start ${start} is not a non-negative integer`);
      if (k > 0 && start < previousEnd)
        errors.push(`job ${j} op ${k}: starts at ${start} before op ${k - 1} ends at ${previousEnd}`);
      previousEnd = start + mode.duration;
      makespan = Math.max(makespan, previousEnd);
      if (mode.duration > 0) byMachine[machine]!.push({ start, end: previousEnd, job: j, op: k });
    });
  });
  for (const [m, list] of byMachine.entries()) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!;
      const b = list[i]!;
      if (b.start < a.end)
        errors.push(`machine ${m}: job ${a.job} op ${a.op} and job ${b.job} op ${b.op} overlap`);
    }
  }
  return errors.length ? { feasible: false, errors: errors.slice(0, 10) } : { feasible: true, makespan };
}

/** Tabu pairs remembered per operation (older ones are forgotten first). */
const TABU_SLOTS = 32;

/**
 * The search state: an assignment of every operation to a machine and a sequence on every machine, i.e. a
 * disjunctive graph whose nodes are the operations (numbered job by job), with job arcs and machine arcs.
 * Typed arrays throughout, allocated once.
 */
class FjspSearch {
  readonly n: number;
  readonly m: number;
  readonly jobPrev: Int32Array;
  readonly jobNext: Int32Array;
  readonly opJob: Int32Array;
  readonly opIndex: Int32Array;
  /** Modes of operation o: modeMachine/modeDuration[modeStart[o] .. modeStart[o + 1]). */
  readonly modeStart: Int32Array;
  readonly modeMachine: Int32Array;
  readonly modeDuration: Int32Array;
  /** durationOn[o * m + k]: duration of o on machine k, 0 when not eligible. */
  readonly durationOn: Int32Array;
  /** Least work left in the job from operation o on (o included). */
  readonly workFrom: Float64Array;

  // The solution: machine and duration of each operation, sequence of each machine (seq[k * n + i], i < len[k]).
  readonly machine: Int32Array;
  readonly duration: Int32Array;
  readonly seq: Int32Array;
  readonly len: Int32Array;
  readonly machinePrev: Int32Array;
  readonly machineNext: Int32Array;
  /** index[o]: position of o in its machine's sequence. */
  readonly index: Int32Array;

  // Its evaluation: topological order, heads (earliest starts), tails (longest path after the end), critical ops.
  readonly topo: Int32Array;
  readonly topoPos: Int32Array;
  readonly head: Int32Array;
  readonly tail: Int32Array;
  /** prefixEnd[i]: latest end among topo[0 .. i). */
  readonly prefixEnd: Int32Array;
  readonly indegree: Int32Array;
  readonly critical: Int32Array;
  criticalCount = 0;
  makespan = 0;

  /** The operations whose moves are looked at: one critical path, or all critical operations. */
  readonly candidates: Int32Array;
  candidateCount = 0;
  /** alone[x] === stamp: candidate x is on every critical path (no other critical operation overlaps it). */
  readonly alone: Int32Array;
  /** onPath[x] === stamp: x is a candidate. */
  readonly onPath: Int32Array;
  stamp = 0;
  /** Scratch: heads once an operation left its machine. */
  readonly headOut: Int32Array;

  /** tabuMachine[o * m + k]: until which iteration o may not go back to machine k. */
  readonly tabuMachine: Int32Array;
  /**
   * Tabu pairs of operation v in slots (v * TABU_SLOTS + i) * 2: x * 2 + side (0: x may not be sequenced before
   * v, 1: x may not be sequenced after v), then until which iteration. Each pair is stored for both operations.
   */
  readonly tabuPairs: Int32Array;
  readonly tabuNextSlot: Int32Array;
  /** tabuAny[v]: until which iteration v has some tabu pair. */
  readonly tabuAny: Int32Array;
  /** Scratch: the tabu pairs of v with operations on one machine: their positions and sides. */
  readonly pairIndex: Int32Array;
  readonly pairSide: Int32Array;
  pairCount = 0;

  /** Number of moves looked at since the counter was reset (sets the tabu tenure). */
  considered = 0;
  // The chosen move, and the state of the choice.
  moveOp = -1;
  moveMachine = -1;
  movePred = -1;
  moveMakespan = 0;
  private bestMakespan = 0;
  private bestDelta = 0;
  private bestThrough = 0;
  private ties = 0;
  private found = false;
  private fallbackOp = -1;
  private fallbackMachine = -1;
  private fallbackPred = -1;
  private fallbackMakespan = 0;

  constructor(
    readonly instance: FjspInstance,
    readonly random: () => number,
  ) {
    const n = instance.ops.reduce((sum, job) => sum + job.length, 0);
    const m = instance.machines;
    this.n = n;
    this.m = m;
    this.jobPrev = new Int32Array(n);
    this.jobNext = new Int32Array(n);
    this.opJob = new Int32Array(n);
    this.opIndex = new Int32Array(n);
    this.modeStart = new Int32Array(n + 1);
    const modeCount = instance.ops.reduce(
      (sum, job) => sum + job.reduce((s, modes) => s + modes.length, 0),
      0,
    );
    this.modeMachine = new Int32Array(modeCount);
    this.modeDuration = new Int32Array(modeCount);
    this.durationOn = new Int32Array(n * m);
    this.workFrom = new Float64Array(n);
    let o = 0;
    let t = 0;
    instance.ops.forEach((job, j) => {
      job.forEach((modes, k) => {
        this.opJob[o] = j;
        this.opIndex[o] = k;
        this.jobPrev[o] = k > 0 ? o - 1 : -1;
        this.jobNext[o] = k < job.length - 1 ? o + 1 : -1;
        this.modeStart[o] = t;
        for (const mode of modes) {
          this.modeMachine[t] = mode.machine;
          this.modeDuration[t] = mode.duration;
          this.durationOn[o * m + mode.machine] = mode.duration;
          t++;
        }
        o++;
      });
    });
    this.modeStart[n] = t;
    for (let x = n - 1; x >= 0; x--) {
      let shortest = Infinity;
      for (let s = this.modeStart[x]!; s < this.modeStart[x + 1]!; s++)
        shortest = Math.min(shortest, this.modeDuration[s]!);
      const next = this.jobNext[x]!;
      this.workFrom[x] = shortest + (next >= 0 ? this.workFrom[next]! : 0);
    }
    this.machine = new Int32Array(n);
    this.duration = new Int32Array(n);
    this.seq = new Int32Array(n * m);
    this.len = new Int32Array(m);
    this.machinePrev = new Int32Array(n);
    this.machineNext = new Int32Array(n);
    this.index = new Int32Array(n);
    this.topo = new Int32Array(n);
    this.topoPos = new Int32Array(n);
    this.head = new Int32Array(n);
    this.tail = new Int32Array(n);
    this.prefixEnd = new Int32Array(n + 1);
    this.indegree = new Int32Array(n);
    this.critical = new Int32Array(n);
    this.candidates = new Int32Array(n);
    this.alone = new Int32Array(n);
    this.onPath = new Int32Array(n);
    this.headOut = new Int32Array(n);
    this.tabuMachine = new Int32Array(n * m);
    this.tabuPairs = new Int32Array(n * TABU_SLOTS * 2);
    this.tabuNextSlot = new Int32Array(n);
    this.tabuAny = new Int32Array(n);
    this.pairIndex = new Int32Array(TABU_SLOTS);
    this.pairSide = new Int32Array(TABU_SLOTS);
  }

  /** Machine links and positions from the sequences. */
  link(): void {
    const { n, m, seq, len, machinePrev, machineNext, index } = this;
    for (let k = 0; k < m; k++) {
      const base = k * n;
      const length = len[k]!;
      for (let i = 0; i < length; i++) {
        const x = seq[base + i]!;
        index[x] = i;
        machinePrev[x] = i > 0 ? seq[base + i - 1]! : -1;
        machineNext[x] = i < length - 1 ? seq[base + i + 1]! : -1;
      }
    }
  }

  /** Heads, tails, makespan and critical operations; false if the graph has a cycle (never for our moves). */
  evaluate(): boolean {
    const { n, jobPrev, jobNext, machinePrev, machineNext, duration, topo, topoPos, head, tail, prefixEnd } =
      this;
    const { indegree, critical } = this;
    let last = 0;
    for (let x = 0; x < n; x++) {
      const d = (jobPrev[x]! >= 0 ? 1 : 0) + (machinePrev[x]! >= 0 ? 1 : 0);
      indegree[x] = d;
      if (d === 0) topo[last++] = x;
    }
    prefixEnd[0] = 0;
    for (let i = 0; i < last; i++) {
      const x = topo[i]!;
      topoPos[x] = i;
      let h = 0;
      const a = jobPrev[x]!;
      if (a >= 0) h = head[a]! + duration[a]!;
      const b = machinePrev[x]!;
      if (b >= 0) {
        const e = head[b]! + duration[b]!;
        if (e > h) h = e;
      }
      head[x] = h;
      const end = h + duration[x]!;
      prefixEnd[i + 1] = end > prefixEnd[i]! ? end : prefixEnd[i]!;
      const s = jobNext[x]!;
      if (s >= 0 && --indegree[s]! === 0) topo[last++] = s;
      const r = machineNext[x]!;
      if (r >= 0 && --indegree[r]! === 0) topo[last++] = r;
    }
    if (last < n) return false;
    const makespan = prefixEnd[n]!;
    this.makespan = makespan;
    let count = 0;
    for (let i = n - 1; i >= 0; i--) {
      const x = topo[i]!;
      let t = 0;
      const a = jobNext[x]!;
      if (a >= 0) t = duration[a]! + tail[a]!;
      const b = machineNext[x]!;
      if (b >= 0) {
        const e = duration[b]! + tail[b]!;
        if (e > t) t = e;
      }
      tail[x] = t;
      if (head[x]! + duration[x]! + t === makespan) critical[count++] = x;
    }
    this.criticalCount = count;
    return true;
  }

  /** Candidates: all critical operations (none marked alone). */
  allCritical(): void {
    this.candidates.set(this.critical.subarray(0, this.criticalCount));
    this.candidateCount = this.criticalCount;
    this.stamp++;
  }

  /** Candidates: the operations of one critical path, chosen at random, from its end back to its start. */
  onePath(): void {
    const { n, head, duration, jobPrev, machinePrev, candidates, random, alone, onPath, critical } = this;
    let count = 0;
    let x = -1;
    let ties = 0;
    for (let o = 0; o < n; o++) if (head[o]! + duration[o]! === this.makespan && random() * ++ties < 1) x = o;
    while (x >= 0) {
      candidates[count++] = x;
      const a = jobPrev[x]!;
      const b = machinePrev[x]!;
      const viaJob = a >= 0 && head[a]! + duration[a]! === head[x]!;
      const viaMachine = b >= 0 && head[b]! + duration[b]! === head[x]!;
      x = viaJob && viaMachine ? (random() < 0.5 ? a : b) : viaJob ? a : viaMachine ? b : -1;
    }
    this.candidateCount = count;
    // Every critical path covers [0, makespan) without gaps: an operation of this path that overlaps no other
    // critical operation in time is on all of them.
    const stamp = ++this.stamp;
    for (let i = 0; i < count; i++) {
      onPath[candidates[i]!] = stamp;
      alone[candidates[i]!] = stamp;
    }
    for (let c = 0; c < this.criticalCount; c++) {
      const y = critical[c]!;
      if (onPath[y] === stamp) continue;
      const start = head[y]!;
      const end = start + duration[y]!;
      // The path runs backwards in time: find its last operation that starts at or before y, go forwards.
      let lo = 0;
      let hi = count - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (head[candidates[mid]!]! <= start) hi = mid;
        else lo = mid + 1;
      }
      for (let i = lo; i >= 0; i--) {
        const z = candidates[i]!;
        if (head[z]! >= end) break;
        if (head[z]! + duration[z]! > start) alone[z] = 0;
      }
    }
  }

  /**
   * Longest path once v left its machine sequence (v keeps its job arcs, with a zero duration: those paths are
   * shorter than the ones through v once it is reinserted). Only heads after v in the topological order change.
   */
  without(v: number, rv: number): number {
    const { n, jobPrev, machinePrev, duration, topo, head, headOut } = this;
    const pv = this.topoPos[v]!;
    const mp = machinePrev[v]!;
    const dv = duration[v]!;
    headOut.set(head);
    headOut[v] = rv;
    duration[v] = 0;
    let longest = this.prefixEnd[pv]!;
    for (let i = pv + 1; i < n; i++) {
      const x = topo[i]!;
      let h = 0;
      const a = jobPrev[x]!;
      if (a >= 0) h = headOut[a]! + duration[a]!;
      let b = machinePrev[x]!;
      if (b === v) b = mp;
      if (b >= 0) {
        const e = headOut[b]! + duration[b]!;
        if (e > h) h = e;
      }
      headOut[x] = h;
      const end = h + duration[x]!;
      if (end > longest) longest = end;
    }
    duration[v] = dv;
    return longest;
  }

  /**
   * Looks at every candidate operation v taken out of its machine sequence and reinserted on any eligible
   * machine k, at every position between the last operation that must precede it and the first that must
   * follow it (Mastrolilli & Gambardella, 2000): such insertions never make a cycle. The makespan after a move
   * is estimated from the current heads and tails as max(longest path avoiding v, longest path through v at its
   * new place); on v's own machine, the heads (tails) of the operations v jumps over are recomputed in order.
   * The estimate is exact unless v's old machine successors lead to its new neighbours.
   *
   * Chooses the admissible move (not tabu, or better than `best`) with the least estimated makespan, then the
   * least added processing time, then the shortest path through v, ties at random; when every move is tabu, the
   * best tabu one. With `randomMove`, any move at random. Answers false if there is none.
   */
  chooseMove(iteration: number, best: number, randomMove: boolean): boolean {
    const { n, m, jobPrev, jobNext, machinePrev, machineNext, duration, head, tail, seq, len, index } = this;
    const { candidates, alone, modeStart, modeMachine, modeDuration, tabuMachine } = this;
    this.bestMakespan = Infinity;
    this.bestDelta = Infinity;
    this.bestThrough = Infinity;
    this.ties = 0;
    this.found = false;
    this.fallbackOp = -1;
    this.fallbackMakespan = Infinity;
    const cmax = this.makespan;
    for (let c = 0; c < this.candidateCount; c++) {
      const v = candidates[c]!;
      const dv = duration[v]!;
      const jp = jobPrev[v]!;
      const js = jobNext[v]!;
      const mp = machinePrev[v]!;
      const mn = machineNext[v]!;
      const m0 = this.machine[v]!;
      const rv = jp >= 0 ? head[jp]! + duration[jp]! : 0;
      const qv = js >= 0 ? duration[js]! + tail[js]! : 0;
      // Longest path avoiding v: the makespan, unless v is on every critical path (then computed when needed).
      let without = !randomMove && alone[v] === this.stamp ? -1 : cmax;
      const pairs = this.tabuAny[v]! > iteration;
      for (let s = modeStart[v]!; s < modeStart[v + 1]!; s++) {
        const k = modeMachine[s]!;
        const pk = modeDuration[s]!;
        const base = k * n;
        const length = len[k]!;
        // Operations that must precede v (L \ R) all come before those that must follow it (R \ L). Along a
        // sequence, ends increase and durations plus tails decrease: both limits are binary searches.
        let lo = 0;
        let hi = length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          const x = seq[base + mid]!;
          if (head[x]! + duration[x]! > rv) hi = mid;
          else lo = mid + 1;
        }
        const firstRight = lo;
        lo = 0;
        hi = length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          const x = seq[base + mid]!;
          if (duration[x]! + tail[x]! > qv) lo = mid + 1;
          else hi = mid;
        }
        const lastLeft = lo - 1;
        const lastBefore = lastLeft < firstRight - 1 ? lastLeft : firstRight - 1;
        const firstAfter = firstRight > lastLeft + 1 ? firstRight : lastLeft + 1;
        const machineTabu = tabuMachine[v * m + k]! > iteration ? 1 : 0;
        this.pairCount = 0;
        if (pairs) this.collectPairs(v, k, iteration);
        const pairCount = this.pairCount;
        if (k !== m0) {
          let u = lastBefore >= 0 ? seq[base + lastBefore]! : -1;
          let start = rv;
          if (u >= 0 && head[u]! + duration[u]! > start) start = head[u]! + duration[u]!;
          for (let i = lastBefore + 1; ; i++) {
            const w = i < length ? seq[base + i]! : -1;
            let after = qv;
            if (w >= 0 && duration[w]! + tail[w]! > after) after = duration[w]! + tail[w]!;
            const through = start + pk + after;
            let makespan = through;
            if (through < cmax) {
              if (without < 0) without = this.without(v, rv);
              if (without > through) makespan = without;
            }
            this.consider(
              v,
              k,
              u,
              makespan,
              pk - dv,
              through,
              pairCount ? this.tabuAt(i - 1, machineTabu) : machineTabu,
              best,
              randomMove,
            );
            if (i >= firstAfter) break;
            u = w;
            if (head[u]! + duration[u]! > start) start = head[u]! + duration[u]!;
          }
          continue;
        }
        const self = index[v]!;
        // Forward: v right after seq[i]; the operations from mn to seq[i] may start earlier.
        let end = mp >= 0 ? head[mp]! + duration[mp]! : 0;
        for (let i = self + 1; i < firstAfter; i++) {
          const x = seq[base + i]!;
          const a = jobPrev[x]!;
          const h = a >= 0 && head[a]! + duration[a]! > end ? head[a]! + duration[a]! : end;
          end = h + duration[x]!;
          const w = i + 1 < length ? seq[base + i + 1]! : -1;
          let after = qv;
          if (w >= 0 && duration[w]! + tail[w]! > after) after = duration[w]! + tail[w]!;
          const through = (end > rv ? end : rv) + pk + after;
          let makespan = through;
          if (through < cmax) {
            if (without < 0) without = this.without(v, rv);
            if (without > through) makespan = without;
          }
          this.consider(
            v,
            k,
            x,
            makespan,
            0,
            through,
            pairCount ? this.tabuAt(i, machineTabu) : machineTabu,
            best,
            randomMove,
          );
        }
        // Backward: v right before seq[i]; the operations from seq[i] to mp may have longer tails.
        let rest = mn >= 0 ? duration[mn]! + tail[mn]! : 0;
        for (let i = self - 1; i > lastBefore; i--) {
          const x = seq[base + i]!;
          const a = jobNext[x]!;
          const t = a >= 0 && duration[a]! + tail[a]! > rest ? duration[a]! + tail[a]! : rest;
          rest = duration[x]! + t;
          const u = i > 0 ? seq[base + i - 1]! : -1;
          let start = rv;
          if (u >= 0 && head[u]! + duration[u]! > start) start = head[u]! + duration[u]!;
          const through = start + pk + (rest > qv ? rest : qv);
          let makespan = through;
          if (through < cmax) {
            if (without < 0) without = this.without(v, rv);
            if (without > through) makespan = without;
          }
          this.consider(
            v,
            k,
            u,
            makespan,
            0,
            through,
            pairCount ? this.tabuAt(i - 1, machineTabu) : machineTabu,
            best,
            randomMove,
          );
        }
      }
    }
    if (!this.found && this.fallbackOp >= 0) {
      this.moveOp = this.fallbackOp;
      this.moveMachine = this.fallbackMachine;
      this.movePred = this.fallbackPred;
      this.moveMakespan = this.fallbackMakespan;
      this.found = true;
    }
    return this.found;
  }

  /** The live tabu pairs of v with operations on machine k, into pairIndex/pairSide. */
  private collectPairs(v: number, k: number, iteration: number): void {
    const { tabuPairs, machine, index, pairIndex, pairSide } = this;
    let count = 0;
    for (let slot = v * TABU_SLOTS * 2, end = slot + TABU_SLOTS * 2; slot < end; slot += 2) {
      if (tabuPairs[slot + 1]! <= iteration) continue;
      const x = tabuPairs[slot]! >> 1;
      if (x === v || machine[x] !== k) continue;
      pairIndex[count] = index[x]!;
      pairSide[count] = tabuPairs[slot]! & 1;
      count++;
    }
    this.pairCount = count;
  }

  /** Tabu pairs made by inserting v right after the operation at position p (-1: first), plus machineTabu. */
  private tabuAt(p: number, machineTabu: number): number {
    const { pairIndex, pairSide } = this;
    let count = machineTabu;
    for (let e = 0; e < this.pairCount; e++)
      if (pairSide[e] === 0 ? pairIndex[e]! <= p : pairIndex[e]! > p) count++;
    return count;
  }

  private consider(
    v: number,
    k: number,
    u: number,
    makespan: number,
    delta: number,
    through: number,
    tabu: number,
    best: number,
    randomMove: boolean,
  ): void {
    this.considered++;
    if (randomMove) {
      if (this.random() * ++this.ties >= 1) return;
    } else if (tabu === 0 || makespan < best) {
      if (makespan !== this.bestMakespan) {
        if (makespan > this.bestMakespan) return;
      } else if (delta !== this.bestDelta) {
        if (delta > this.bestDelta) return;
      } else if (through !== this.bestThrough) {
        if (through > this.bestThrough) return;
      } else if (this.random() * ++this.ties >= 1) return;
      if (makespan !== this.bestMakespan || delta !== this.bestDelta || through !== this.bestThrough) {
        this.bestMakespan = makespan;
        this.bestDelta = delta;
        this.bestThrough = through;
        this.ties = 1;
      }
    } else {
      if (!this.found && makespan < this.fallbackMakespan) {
        this.fallbackOp = v;
        this.fallbackMachine = k;
        this.fallbackPred = u;
        this.fallbackMakespan = makespan;
      }
      return;
    }
    this.moveOp = v;
    this.moveMachine = k;
    this.movePred = u;
    this.moveMakespan = makespan;
    this.found = true;
  }

  /** Remembers, until `until`, that x may not be sequenced before (side 0) or after (side 1) v. */
  private tabuPair(v: number, x: number, side: number, until: number): void {
    const slot = (v * TABU_SLOTS + this.tabuNextSlot[v]!) * 2;
    this.tabuNextSlot[v] = (this.tabuNextSlot[v]! + 1) % TABU_SLOTS;
    this.tabuPairs[slot] = x * 2 + side;
    this.tabuPairs[slot + 1] = until;
    if (this.tabuAny[v]! < until) this.tabuAny[v] = until;
  }

  /**
   * Moves operation v to machine k right after pred (-1: first). Until `tabuUntil`, v may not go back to its old
   * machine or, within one machine, to the other side of the operations it jumped over.
   */
  move(v: number, k: number, pred: number, tabuUntil: number): void {
    const { n, m, seq, len, machinePrev, machineNext, index } = this;
    const m0 = this.machine[v]!;
    const mp = machinePrev[v]!;
    const mn = machineNext[v]!;
    if (k !== m0) this.tabuMachine[v * m + m0] = tabuUntil;
    else if (pred >= 0 && index[pred]! > index[v]!)
      // Forward: v may not precede the jumped operations again.
      for (let x = mn; x >= 0; x = machineNext[x]!) {
        this.tabuPair(v, x, 1, tabuUntil);
        this.tabuPair(x, v, 0, tabuUntil);
        if (x === pred) break;
      }
    // Backward: the jumped operations may not precede v again.
    else
      for (let x = mp; x >= 0 && x !== pred; x = machinePrev[x]!) {
        this.tabuPair(v, x, 0, tabuUntil);
        this.tabuPair(x, v, 1, tabuUntil);
      }
    // Out of the old sequence.
    let base = m0 * n;
    let length = len[m0]!;
    for (let i = index[v]!; i < length - 1; i++) {
      const x = seq[base + i + 1]!;
      seq[base + i] = x;
      index[x] = i;
    }
    len[m0] = length - 1;
    if (mp >= 0) machineNext[mp] = mn;
    if (mn >= 0) machinePrev[mn] = mp;
    // Into the new one.
    base = k * n;
    length = len[k]!;
    const at = pred >= 0 ? index[pred]! + 1 : 0;
    for (let i = length; i > at; i--) {
      const x = seq[base + i - 1]!;
      seq[base + i] = x;
      index[x] = i;
    }
    seq[base + at] = v;
    index[v] = at;
    len[k] = length + 1;
    const after = at < length ? seq[base + at + 1]! : -1;
    machinePrev[v] = pred;
    machineNext[v] = after;
    if (pred >= 0) machineNext[pred] = v;
    if (after >= 0) machinePrev[after] = v;
    this.machine[v] = k;
    this.duration[v] = this.durationOn[v * m + k]!;
  }

  /**
   * A first plan by list scheduling: repeatedly, for the next operation of every job, the machine on which it
   * would end first; the operation chosen by `rule` (0: the one that ends first; 1: most work left among those
   * that can start before that end, as Giffler–Thompson; 2: random among those), ties at random.
   */
  construct(rule: number): void {
    const { n, m, seq, len, jobNext, modeStart, modeMachine, modeDuration, workFrom, random } = this;
    const jobs = this.instance.jobs;
    const nextOp = new Int32Array(jobs);
    const jobReady = new Int32Array(jobs);
    const machineReady = new Int32Array(m);
    const bestMode = new Int32Array(jobs);
    const bestStart = new Int32Array(jobs);
    const bestEnd = new Float64Array(jobs);
    for (let j = 0, o = 0; j < jobs; o += this.instance.ops[j]!.length, j++) nextOp[j] = o;
    len.fill(0);
    for (let step = 0; step < n; step++) {
      let earliest = Infinity;
      for (let j = 0; j < jobs; j++) {
        const o = nextOp[j]!;
        if (o < 0) continue;
        let end = Infinity;
        let ties = 0;
        for (let s = modeStart[o]!; s < modeStart[o + 1]!; s++) {
          const start = Math.max(jobReady[j]!, machineReady[modeMachine[s]!]!);
          const e = start + modeDuration[s]!;
          if (e < end) ties = 1;
          else if (e > end || random() * ++ties >= 1) continue;
          end = e;
          bestMode[j] = s;
          bestStart[j] = start;
        }
        bestEnd[j] = end;
        if (end < earliest) earliest = end;
      }
      let chosen = -1;
      let chosenKey = -Infinity;
      let ties = 0;
      for (let j = 0; j < jobs; j++) {
        const o = nextOp[j]!;
        if (o < 0) continue;
        if (rule === 0 ? bestEnd[j] !== earliest : bestStart[j]! >= earliest) continue;
        const key = rule === 1 ? workFrom[o]! : 0;
        if (key > chosenKey) {
          chosenKey = key;
          chosen = j;
          ties = 1;
        } else if (key === chosenKey && random() * ++ties < 1) chosen = j;
      }
      const o = nextOp[chosen]!;
      const s = bestMode[chosen]!;
      const k = modeMachine[s]!;
      seq[k * n + len[k]!] = o;
      len[k]!++;
      this.machine[o] = k;
      this.duration[o] = modeDuration[s]!;
      jobReady[chosen] = machineReady[k] = bestStart[chosen]! + modeDuration[s]!;
      nextOp[chosen] = jobNext[o]!;
    }
    this.link();
    this.evaluate();
  }

  save(): Snapshot {
    const { machine, seq, len, makespan } = this;
    return { machine: machine.slice(), seq: seq.slice(), len: len.slice(), makespan };
  }

  load(snapshot: Snapshot): void {
    this.machine.set(snapshot.machine);
    this.seq.set(snapshot.seq);
    this.len.set(snapshot.len);
    for (let x = 0; x < this.n; x++) this.duration[x] = this.durationOn[x * this.m + this.machine[x]!]!;
    this.link();
    this.evaluate();
  }

  schedule(): FjspSchedule {
    const assignments = this.instance.ops.map((job) => job.map(() => ({ machine: 0, start: 0 })));
    for (let x = 0; x < this.n; x++)
      assignments[this.opJob[x]!]![this.opIndex[x]!] = { machine: this.machine[x]!, start: this.head[x]! };
    return { makespan: this.makespan, assignments };
  }
}

interface Snapshot {
  machine: Int32Array;
  seq: Int32Array;
  len: Int32Array;
  makespan: number;
}

const sameSnapshot = (a: Snapshot, b: Snapshot) =>
  a.makespan === b.makespan &&
  a.machine.every((x, i) => x === b.machine[i]) &&
  a.seq.every((x, i) => x === b.seq[i]);

function validate(instance: FjspInstance): void {
  if (!(instance.jobs > 0) || !(instance.machines > 0) || instance.ops.length !== instance.jobs)
    throw new RangeError('the instance needs jobs > 0, machines > 0 and one operation list per job');
  instance.ops.forEach((job, j) => {
    if (!job.length) throw new RangeError(`job ${j} has no operations`);
    job.forEach((modes, k) => {
      if (!modes.length) throw new RangeError(`job ${j} op ${k} has zero alternatives`);
      for (const { machine, duration } of modes) {
        if (!Number.isInteger(machine) || machine < 0 || machine >= instance.machines)
          throw new RangeError(`job ${j} op ${k}: machine ${machine} is out of range`);
        if (!Number.isInteger(duration) || duration < 1)
          throw new RangeError(`job ${j} op ${k}: duration ${duration} is not a positive integer`);
      }
      if (new Set(modes.map((mode) => mode.machine)).size !== modes.length)
        throw new RangeError(`job ${j} op ${k}: a machine is listed twice`);
    });
  });
}

/** Constructive plans tried before the search (rules 0, 1, 2 in turn). */
const CONSTRUCTIONS = 30;
/** The clock is read every this many iterations. */
const CLOCK_EVERY = 32;
/** Solutions kept to restart from. */
const ELITE = 6;

/**
 * Solves an instance within `seconds`: the best of a few randomized dispatch plans, then tabu search (see
 * FjspSearch.chooseMove) on the moves of one random critical path per iteration, with a tenure drawn in
 * [L, 2L], L the square root of the number of moves looked at. After 1000 + 2 × operations iterations without
 * a better plan, the search restarts from one of the best plans found (an elite of six), shaken by 2–5 random
 * moves. Stops at the time budget, at `maxIterations`, or when `target` or the lower bound is reached.
 * Deterministic for a seed and a number of iterations.
 */
export function solveFjsp(
  instance: FjspInstance,
  options: FjspSolveOptions,
): FjspSchedule & { iterations: number; elapsedMs: number } {
  validate(instance);
  const now = options.now ?? (() => globalThis.performance.now());
  const started = now();
  const budgetMs = options.seconds * 1000;
  const random = seededRandom(options.seed ?? 1);
  const search = new FjspSearch(instance, random);
  const stopAt = Math.max(options.target ?? -Infinity, fjspLowerBound(instance));
  const maxIterations = options.maxIterations ?? Infinity;
  const stallLimit = 1000 + 2 * search.n;

  let best = search.save();
  for (let c = 0; c < CONSTRUCTIONS; c++) {
    search.construct(c % 3);
    if (c === 0 || search.makespan < best.makespan) best = search.save();
  }
  search.load(best);
  let iterations = 0;
  const report = () =>
    options.onProgress?.({ elapsedMs: now() - started, iterations, makespan: best.makespan });
  report();

  const elite: Snapshot[] = [];
  let runBest = best;
  let stalled = 0;
  while (best.makespan > stopAt && iterations < maxIterations) {
    if (iterations % CLOCK_EVERY === 0 && now() - started >= budgetMs) break;
    iterations++;
    if (stalled >= stallLimit) {
      if (!elite.some((e) => sameSnapshot(e, runBest))) {
        elite.push(runBest);
        elite.sort((a, b) => a.makespan - b.makespan);
        if (elite.length > ELITE) elite.pop();
      }
      search.load(elite[Math.floor(random() * elite.length)]!);
      const kicks = 2 + Math.floor(random() * 4);
      for (let i = 0; i < kicks; i++) {
        search.allCritical();
        if (!search.chooseMove(iterations, 0, true)) break;
        search.move(search.moveOp, search.moveMachine, search.movePred, iterations);
        search.evaluate();
      }
      runBest = search.save();
      stalled = 0;
      continue;
    }
    search.considered = 0;
    search.onePath();
    if (!search.chooseMove(iterations, best.makespan, false)) {
      // Nothing to move on this path; a restart may help, unless nothing moves at all.
      search.allCritical();
      if (!search.chooseMove(iterations, 0, true)) break;
      stalled = stallLimit;
      continue;
    }
    const base = Math.round(Math.sqrt(search.considered));
    search.move(
      search.moveOp,
      search.moveMachine,
      search.movePred,
      iterations + base + Math.floor(random() * (base + 1)),
    );
    if (!search.evaluate()) throw new Error('internal error: a move made a cycle');
    stalled++;
    if (search.makespan < runBest.makespan) {
      runBest = search.save();
      stalled = 0;
      if (runBest.makespan < best.makespan) {
        best = runBest;
        report();
      }
    }
  }
  search.load(best);
  return { ...search.schedule(), iterations, elapsedMs: now() - started };
}
