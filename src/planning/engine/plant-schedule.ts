/**
 * A plant schedule as the search sees it: a machine (mode) for every operation and a sequence per machine, and
 * the decoder that turns them into times. The decoder walks the operations in a topological order of precedence
 * and machine-sequence arcs and starts each one as early as its machine (after the previous operation and the
 * setup, around frozen blocks), its job's release and its predecessors (transfer overlaps included) allow, on the
 * machine's working calendar. After a move, only the operations from the earliest changed one in that order are
 * walked again, and among them only those whose inputs changed are recomputed; every change is journaled so that
 * a trial move is undone in time proportional to what it changed. Pure.
 */
import { type Compiled } from './plant-compile';

/** What decided an operation's start: nothing (origin, release), the machine before it, or a predecessor. */
export const CRIT_NONE = 0;
export const CRIT_MACHINE = 1;
export const CRIT_JOB = 2;

export class Schedule {
  /** Global mode index (into c.modeMachine / c.modeDuration) and machine of every operation. */
  readonly mode: Int32Array;
  readonly machine: Int32Array;
  /** Non-frozen operations of each machine in processing order; frozen ones are fixed blocks beside them. */
  readonly seq: number[][];
  readonly seqPos: Int32Array;
  readonly setupStart: Float64Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  /** Index of the next frozen block of the machine after the operation. */
  readonly fzAfter: Int32Array;
  /** The operation (or frozen block) that decided the start, and how (CRIT_*). */
  readonly critBy: Int32Array;
  readonly critKind: Int8Array;
  /** Non-frozen operations in a topological order of the current arcs, and each one's position in it. */
  readonly order: Int32Array;
  readonly orderPos: Int32Array;

  private readonly initFree: Float64Array;
  private readonly initFam: Int32Array;
  private readonly initFz: Int32Array;
  private readonly initCrit: Int32Array;

  // Scratch for re-decoding, and the journal of the last move (times, then order positions).
  private stamp = 0;
  private readonly visitF: Int32Array;
  private readonly visitB: Int32Array;
  private readonly stack: Int32Array;
  private readonly inHeap: Int32Array;
  private readonly heap: Int32Array;
  private readonly indegree: Int32Array;
  private journalLength = 0;
  private orderJournalLength = 0;
  private readonly oOp: Int32Array;
  private readonly oPos: Int32Array;
  private readonly jOp: Int32Array;
  private readonly jSetupStart: Float64Array;
  private readonly jStart: Float64Array;
  private readonly jEnd: Float64Array;
  private readonly jFz: Int32Array;
  private readonly jCritBy: Int32Array;
  private readonly jCritKind: Int8Array;

  constructor(readonly c: Compiled) {
    const n = c.nOps;
    this.mode = new Int32Array(n).fill(-1);
    this.machine = new Int32Array(n).fill(-1);
    this.seq = Array.from({ length: c.nMachines }, () => []);
    this.seqPos = new Int32Array(n).fill(-1);
    this.setupStart = new Float64Array(n);
    this.start = new Float64Array(n);
    this.end = new Float64Array(n);
    this.fzAfter = new Int32Array(n);
    this.critBy = new Int32Array(n).fill(-1);
    this.critKind = new Int8Array(n);
    const nFree = c.free.length;
    this.order = new Int32Array(nFree);
    this.orderPos = new Int32Array(n).fill(-1);
    for (let o = 0; o < n; o++) {
      const fm = c.frozenMode[o]!;
      if (fm < 0) continue;
      this.mode[o] = fm;
      this.machine[o] = c.modeMachine[fm]!;
      this.setupStart[o] = this.start[o] = c.frozenStart[o]!;
      this.end[o] = c.frozenEnd[o]!;
    }
    // At the origin a machine is free unless a frozen block started before it.
    this.initFree = new Float64Array(c.nMachines);
    this.initFam = Int32Array.from(c.initialFamily);
    this.initFz = new Int32Array(c.nMachines);
    this.initCrit = new Int32Array(c.nMachines).fill(-1);
    for (let m = 0; m < c.nMachines; m++) {
      const frozen = c.frozenByMachine[m]!;
      let fz = 0;
      while (fz < frozen.length && c.frozenStart[frozen[fz]!]! < this.initFree[m]!) {
        const f = frozen[fz++]!;
        this.initFree[m] = Math.max(this.initFree[m]!, c.frozenEnd[f]!);
        this.initFam[m] = c.opFamily[f]!;
        this.initCrit[m] = f;
      }
      this.initFz[m] = fz;
    }
    this.visitF = new Int32Array(n);
    this.visitB = new Int32Array(n);
    this.stack = new Int32Array(n);
    this.inHeap = new Int32Array(n);
    this.heap = new Int32Array(n);
    this.indegree = new Int32Array(n);
    this.oOp = new Int32Array(2 * nFree);
    this.oPos = new Int32Array(2 * nFree);
    this.jOp = new Int32Array(nFree);
    this.jSetupStart = new Float64Array(nFree);
    this.jStart = new Float64Array(nFree);
    this.jEnd = new Float64Array(nFree);
    this.jFz = new Int32Array(nFree);
    this.jCritBy = new Int32Array(nFree);
    this.jCritKind = new Int8Array(nFree);
  }

  duration(o: number): number {
    return this.c.modeDuration[this.mode[o]!]!;
  }

  /**
   * Times of operation x from its machine predecessor's state and its predecessors' times (which must be
   * current). The setup is the working minutes right before the start; when the operation (and the setup the
   * next frozen block then needs) does not fit before that block, it goes after it.
   */
  place(x: number): void {
    const c = this.c;
    const m = this.machine[x]!;
    const d = c.modeDuration[this.mode[x]!]!;
    const cal = c.calendars[m]!;
    const fam = c.opFamily[x]!;
    const pos = this.seqPos[x]!;
    let free: number;
    let pf: number;
    let fz: number;
    let critM: number;
    if (pos > 0) {
      const prev = this.seq[m]![pos - 1]!;
      free = this.end[prev]!;
      pf = c.opFamily[prev]!;
      fz = this.fzAfter[prev]!;
      critM = prev;
    } else {
      free = this.initFree[m]!;
      pf = this.initFam[m]!;
      fz = this.initFz[m]!;
      critM = this.initCrit[m]!;
    }
    let est = Math.max(0, c.jobRelease[c.opJob[x]!]!);
    let critJ = -1;
    let minEnd = -Infinity;
    let critE = -1;
    const ta = c.opTransfer[x]!;
    for (let i = c.predStart[x]!, stop = c.predStart[x + 1]!; i < stop; i++) {
      const p = c.preds[i]!;
      const pe = this.end[p]!;
      let ready = pe;
      if (ta >= 0) {
        if (pe > minEnd) {
          minEnd = pe;
          critE = p;
        }
        if (ta === 0) ready = this.start[p]!;
        else if (ta < c.modeDuration[this.mode[p]!]!) {
          const pc = c.calendars[this.machine[p]!]!;
          ready = pc.countEnd(pc.workBefore(this.start[p]!) + ta);
        }
      }
      if (ready > est) {
        est = ready;
        critJ = p;
      }
    }
    const cEst = cal.workBefore(est);
    const cMin = minEnd > -Infinity ? cal.minEndCount(minEnd) - d : -Infinity;
    const table = c.setups[m];
    const frozen = c.frozenByMachine[m]!;
    let setup: number;
    let cs: number;
    let kind: number;
    let by: number;
    for (;;) {
      setup = table ? table.get(pf, fam) : 0;
      cs = cal.workBefore(free) + setup;
      kind = CRIT_MACHINE;
      by = critM;
      if (cEst > cs) {
        cs = cEst;
        kind = CRIT_JOB;
        by = critJ;
      }
      if (cMin > cs) {
        cs = cMin;
        kind = CRIT_JOB;
        by = critE;
      }
      if (fz < frozen.length) {
        const f = frozen[fz]!;
        const after = table ? table.get(fam, c.opFamily[f]!) : 0;
        if (cs + d + after > cal.workBefore(c.frozenStart[f]!)) {
          free = c.frozenEnd[f]!;
          pf = c.opFamily[f]!;
          critM = f;
          fz++;
          continue;
        }
      }
      break;
    }
    const start = cal.minuteStart(cs);
    this.start[x] = start;
    this.end[x] = cal.countEnd(cs + d);
    this.setupStart[x] = setup > 0 ? cal.minuteStart(cs - setup) : start;
    this.fzAfter[x] = fz;
    this.critBy[x] = by;
    this.critKind[x] = by < 0 ? CRIT_NONE : kind;
  }

  /** Appends x to machine m's sequence with mode `mode` and places it (its predecessors must be placed). */
  append(x: number, mode: number): void {
    const m = this.c.modeMachine[mode]!;
    this.mode[x] = mode;
    this.machine[x] = m;
    this.seqPos[x] = this.seq[m]!.length;
    this.seq[m]!.push(x);
    this.place(x);
  }

  /** Takes the last operation off machine m's sequence (undoes append). */
  unappend(m: number): void {
    const x = this.seq[m]!.pop()!;
    this.seqPos[x] = -1;
  }

  /** Global mode index of operation x on machine m, or -1. */
  modeOn(x: number, m: number): number {
    const c = this.c;
    for (let k = c.modeStart[x]!; k < c.modeStart[x + 1]!; k++) if (c.modeMachine[k] === m) return k;
    return -1;
  }

  /**
   * Moves x to position j of machine m's sequence (j counted after x is taken out). Answers the operations whose
   * machine predecessor changed (to re-decode from). Sequences only: see tryMove.
   */
  relocate(x: number, m: number, j: number): number[] {
    const from = this.machine[x]!;
    const source = this.seq[from]!;
    const i = this.seqPos[x]!;
    source.splice(i, 1);
    for (let k = i; k < source.length; k++) this.seqPos[source[k]!] = k;
    const touched = [x];
    if (i < source.length) touched.push(source[i]!);
    const target = this.seq[m]!;
    target.splice(j, 0, x);
    for (let k = j; k < target.length; k++) this.seqPos[target[k]!] = k;
    if (from !== m) {
      this.machine[x] = m;
      this.mode[x] = this.modeOn(x, m);
    }
    if (j + 1 < target.length) touched.push(target[j + 1]!);
    return touched;
  }

  /**
   * Moves x to position j of machine m's sequence and re-decodes what that changes, journaled: undoMove puts
   * everything back, commit keeps it. False, with nothing changed, when the move makes a cycle.
   */
  tryMove(x: number, m: number, j: number): boolean {
    this.journalLength = 0;
    this.orderJournalLength = 0;
    const from = this.machine[x]!;
    const at = this.seqPos[x]!;
    this.lastMove = [x, from, at];
    const touched = this.relocate(x, m, j);
    const line = this.seq[m]!;
    const before = j > 0 ? line[j - 1]! : -1;
    const after = j + 1 < line.length ? line[j + 1]! : -1;
    // The arc before → x first, leaving x → after out of the search until it is added itself.
    let ok = true;
    if (before >= 0) {
      this.pending = after >= 0 ? [x, after] : undefined;
      ok = this.addArc(before, x);
      this.pending = undefined;
    }
    if (ok && after >= 0) ok = this.addArc(x, after);
    if (!ok) {
      this.undoMove();
      return false;
    }
    this.propagate(touched);
    return true;
  }

  /** Undoes the last tryMove (times, order and sequences). */
  undoMove(): void {
    for (let j = this.journalLength - 1; j >= 0; j--) {
      const y = this.jOp[j]!;
      this.setupStart[y] = this.jSetupStart[j]!;
      this.start[y] = this.jStart[j]!;
      this.end[y] = this.jEnd[j]!;
      this.fzAfter[y] = this.jFz[j]!;
      this.critBy[y] = this.jCritBy[j]!;
      this.critKind[y] = this.jCritKind[j]!;
    }
    this.journalLength = 0;
    for (let j = this.orderJournalLength - 1; j >= 0; j--) {
      const y = this.oOp[j]!;
      const p = this.oPos[j]!;
      this.order[p] = y;
      this.orderPos[y] = p;
    }
    this.orderJournalLength = 0;
    if (this.lastMove) {
      const [x, from, at] = this.lastMove;
      this.relocate(x, from, at);
      this.lastMove = undefined;
    }
  }

  /** Keeps the last tryMove. */
  commit(): void {
    this.journalLength = 0;
    this.orderJournalLength = 0;
    this.lastMove = undefined;
  }

  private lastMove: [x: number, machine: number, index: number] | undefined;
  /** An arc already in the sequences but not yet in the order's invariant (skipped by addArc's searches). */
  private pending: [number, number] | undefined;

  /**
   * Keeps `order` topological after the arc a → b is added (Pearce–Kelly): when b comes before a, the
   * descendants of b and the ancestors of a between them are re-laid, ancestors first, on their own positions.
   * False when b reaches a (a cycle).
   */
  private addArc(a: number, b: number): boolean {
    const pos = this.orderPos;
    const lb = pos[b]!;
    const ub = pos[a]!;
    if (lb > ub) return true;
    const c = this.c;
    const stamp = ++this.stamp;
    const { visitF, visitB, stack, seq, seqPos, machine } = this;
    const pending = this.pending;
    const forward: number[] = [];
    stack[0] = b;
    let top = 1;
    visitF[b] = stamp;
    while (top > 0) {
      const y = stack[--top]!;
      forward.push(y);
      const line = seq[machine[y]!]!;
      const next = seqPos[y]! + 1 < line.length ? line[seqPos[y]! + 1]! : -1;
      for (let q = c.succStart[y]!, stop = c.succStart[y + 1]!; q <= stop; q++) {
        const z = q < stop ? c.succs[q]! : next;
        if (z < 0 || (q === stop && pending && pending[0] === y && pending[1] === z)) continue;
        const pz = pos[z]!;
        if (pz === ub) return false;
        if (pz < ub && visitF[z] !== stamp) {
          visitF[z] = stamp;
          stack[top++] = z;
        }
      }
    }
    const backward: number[] = [];
    stack[0] = a;
    top = 1;
    visitB[a] = stamp;
    while (top > 0) {
      const y = stack[--top]!;
      backward.push(y);
      const line = seq[machine[y]!]!;
      const prev = seqPos[y]! > 0 ? line[seqPos[y]! - 1]! : -1;
      for (let q = c.predStart[y]!, stop = c.predStart[y + 1]!; q <= stop; q++) {
        const z = q < stop ? c.preds[q]! : prev;
        if (z < 0 || c.frozenMode[z]! >= 0 || (q === stop && pending && pending[0] === z && pending[1] === y))
          continue;
        const pz = pos[z]!;
        if (pz > lb && visitB[z] !== stamp) {
          visitB[z] = stamp;
          stack[top++] = z;
        }
      }
    }
    const byPos = (u: number, v: number) => pos[u]! - pos[v]!;
    backward.sort(byPos);
    forward.sort(byPos);
    const slots = [...backward, ...forward].map((y) => pos[y]!).sort((u, v) => u - v);
    const moved = [...backward, ...forward];
    for (let i = 0; i < moved.length; i++) {
      const y = moved[i]!;
      const j = this.orderJournalLength++;
      this.oOp[j] = y;
      this.oPos[j] = pos[y]!;
    }
    for (let i = 0; i < moved.length; i++) {
      const y = moved[i]!;
      this.order[slots[i]!] = y;
      pos[y] = slots[i]!;
    }
    return true;
  }

  /**
   * Re-decodes from the touched operations on: takes the changed operations in topological order (a heap on
   * their position), places each, and passes a change of times on to its successors and machine successor.
   */
  private propagate(touched: readonly number[]): void {
    const c = this.c;
    const stamp = ++this.stamp;
    const { heap, inHeap, orderPos, seq, seqPos, machine } = this;
    let size = 0;
    const push = (y: number) => {
      if (inHeap[y] === stamp) return;
      inHeap[y] = stamp;
      let i = size++;
      const key = orderPos[y]!;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (orderPos[heap[parent]!]! <= key) break;
        heap[i] = heap[parent]!;
        i = parent;
      }
      heap[i] = y;
    };
    for (const t of touched) push(t);
    while (size > 0) {
      const y = heap[0]!;
      const last = heap[--size]!;
      if (size > 0) {
        const key = orderPos[last]!;
        let i = 0;
        for (;;) {
          let child = 2 * i + 1;
          if (child >= size) break;
          if (child + 1 < size && orderPos[heap[child + 1]!]! < orderPos[heap[child]!]!) child++;
          if (orderPos[heap[child]!]! >= key) break;
          heap[i] = heap[child]!;
          i = child;
        }
        heap[i] = last;
      }
      const j = this.journalLength++;
      const oldStart = this.start[y]!;
      const oldEnd = this.end[y]!;
      const oldFz = this.fzAfter[y]!;
      this.jOp[j] = y;
      this.jSetupStart[j] = this.setupStart[y]!;
      this.jStart[j] = oldStart;
      this.jEnd[j] = oldEnd;
      this.jFz[j] = oldFz;
      this.jCritBy[j] = this.critBy[y]!;
      this.jCritKind[j] = this.critKind[y]!;
      this.place(y);
      if (this.start[y] === oldStart && this.end[y] === oldEnd && this.fzAfter[y] === oldFz) continue;
      for (let q = c.succStart[y]!, stop = c.succStart[y + 1]!; q < stop; q++) push(c.succs[q]!);
      const line = seq[machine[y]!]!;
      if (seqPos[y]! + 1 < line.length) push(line[seqPos[y]! + 1]!);
    }
  }

  /** Decodes everything from scratch (sequences set): a topological order by Kahn, then every operation. */
  decodeAll(): boolean {
    const c = this.c;
    const { order, orderPos, indegree, seq, seqPos, machine } = this;
    let tail = 0;
    for (const y of c.free) {
      let deg = seqPos[y]! > 0 ? 1 : 0;
      for (let q = c.predStart[y]!; q < c.predStart[y + 1]!; q++) if (c.frozenMode[c.preds[q]!]! < 0) deg++;
      indegree[y] = deg;
      if (deg === 0) order[tail++] = y;
    }
    for (let head = 0; head < tail; head++) {
      const y = order[head]!;
      orderPos[y] = head;
      this.place(y);
      for (let q = c.succStart[y]!; q < c.succStart[y + 1]!; q++) {
        const z = c.succs[q]!;
        if (--indegree[z]! === 0) order[tail++] = z;
      }
      const line = seq[machine[y]!]!;
      if (seqPos[y]! + 1 < line.length) {
        const z = line[seqPos[y]! + 1]!;
        if (--indegree[z]! === 0) order[tail++] = z;
      }
    }
    this.commit();
    return tail === c.free.length;
  }

  /** End of every job (latest end of its sink operations). */
  jobEnd(j: number): number {
    const c = this.c;
    let e = -Infinity;
    for (let q = c.sinkStart[j]!; q < c.sinkStart[j + 1]!; q++) e = Math.max(e, this.end[c.sinks[q]!]!);
    return e;
  }

  /** Copy of the decision (modes and sequences). */
  snapshot(): { mode: Int32Array; seq: number[][] } {
    return { mode: this.mode.slice(), seq: this.seq.map((s) => s.slice()) };
  }

  /** Restores a snapshot and decodes it. */
  restore(snap: { mode: Int32Array; seq: number[][] }): void {
    this.mode.set(snap.mode);
    const c = this.c;
    for (let o = 0; o < c.nOps; o++) this.machine[o] = c.modeMachine[this.mode[o]!]!;
    snap.seq.forEach((s, m) => {
      this.seq[m] = s.slice();
      s.forEach((o, i) => (this.seqPos[o] = i));
    });
    this.decodeAll();
  }
}
