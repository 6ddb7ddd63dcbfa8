/**
 * First plans by serial schedule generation with dispatch rules. Each step looks at the operations whose
 * predecessors are all planned, estimates for each its earliest start and completion on its best machine (after
 * the machine's last operation and the setup from it, ignoring calendars), and, as Giffler–Thompson does, takes
 * the conflict set of those that could start before the earliest estimated completion. The rule picks one of
 * them, which then goes, exactly decoded (calendar, setup, frozen blocks), to the eligible machine where it
 * completes first. Rules: EDD (operation due date), ATC and its setup-aware ATCS (apparent tardiness cost),
 * critical ratio, and most work remaining (longest path to the end) for makespan. Pure and deterministic.
 */
import { type Compiled } from './plant-compile';
import { Schedule } from './plant-schedule';

export type DispatchRule = 'edd' | 'atc' | 'atcs' | 'cr' | 'mwkr';

/** Static figures the rules use, computed once per problem. */
export interface Priorities {
  /** Longest path (shortest modes) from the operation's start to the end of the whole graph. */
  tail: Float64Array;
  /** The same within the operation's job. */
  jobTail: Float64Array;
  /** Latest finish: the earliest due date it constrains, less the work that must follow. Infinity: none. */
  latestFinish: Float64Array;
  /** Weight of the job whose due date sets latestFinish. */
  weight: Float64Array;
  meanDuration: number;
  meanSetup: number;
}

export function priorities(c: Compiled): Priorities {
  const n = c.nOps;
  const tail = new Float64Array(n);
  const jobTail = new Float64Array(n);
  const latestFinish = new Float64Array(n);
  const weight = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const x = c.topo[i]!;
    const job = c.opJob[x]!;
    let after = 0;
    let jobAfter = 0;
    let lf = c.jobDue[job]!;
    let w = c.jobWeight[job]!;
    for (let q = c.succStart[x]!; q < c.succStart[x + 1]!; q++) {
      const s = c.succs[q]!;
      after = Math.max(after, tail[s]!);
      if (c.opJob[s] === job) jobAfter = Math.max(jobAfter, jobTail[s]!);
      const through = latestFinish[s]! - c.minDuration[s]!;
      if (through < lf) {
        lf = through;
        w = weight[s]!;
      }
    }
    tail[x] = c.minDuration[x]! + after;
    jobTail[x] = c.minDuration[x]! + jobAfter;
    latestFinish[x] = lf;
    weight[x] = w;
  }
  let total = 0;
  for (const o of c.free) total += c.minDuration[o]!;
  const tables = c.setups.filter((t) => t !== undefined);
  const meanSetup = tables.length ? tables.reduce((sum, t) => sum + t.mean, 0) / tables.length : 0;
  return {
    tail,
    jobTail,
    latestFinish,
    weight,
    meanDuration: c.free.length ? total / c.free.length : 1,
    meanSetup,
  };
}

/** ATC look-ahead (in mean durations) and the setup scaling of ATCS. */
const ATC_K = 2;
const ATCS_K = 1;

/** Builds a complete, decoded schedule with `rule`. Throws a RangeError when calendars end too early. */
export function dispatch(c: Compiled, rule: DispatchRule, pri: Priorities): Schedule {
  const s = new Schedule(c);
  const n = c.nOps;
  const waiting = new Int32Array(n);
  const ready = new Float64Array(n);
  // The eligible operations, and for each machine those that could go on it (slot: position per mode).
  const eligible = new Int32Array(c.free.length);
  const eligiblePos = new Int32Array(n);
  let size = 0;
  const onMachine: number[][] = Array.from({ length: c.nMachines }, () => []);
  const slot = new Int32Array(c.modeMachine.length);
  // Per eligible operation, its estimate on its best machine: start, completion, setup.
  const estStart = new Float64Array(n);
  const estEnd = new Float64Array(n);
  const estSetup = new Float64Array(n);
  // Where each machine's sequence ends: its last operation's end and family.
  const machineFree = new Float64Array(c.nMachines);
  const machineFamily = Int32Array.from(c.initialFamily);
  for (let m = 0; m < c.nMachines; m++) {
    for (const f of c.frozenByMachine[m]!) {
      if (c.frozenStart[f]! > 0) break;
      machineFree[m] = Math.max(machineFree[m]!, c.frozenEnd[f]!);
      machineFamily[m] = c.opFamily[f]!;
    }
  }
  const estimate = (x: number) => {
    const fam = c.opFamily[x]!;
    let bestA = Infinity;
    let bestE = Infinity;
    let bestS = 0;
    for (let k = c.modeStart[x]!; k < c.modeStart[x + 1]!; k++) {
      const m = c.modeMachine[k]!;
      const table = c.setups[m];
      const setup = table ? table.get(machineFamily[m]!, fam) : 0;
      const a = Math.max(ready[x]!, machineFree[m]! + setup);
      const e = a + c.modeDuration[k]!;
      if (e < bestE) {
        bestE = e;
        bestA = a;
        bestS = setup;
      }
    }
    estStart[x] = bestA;
    estEnd[x] = bestE;
    estSetup[x] = bestS;
  };
  const makeEligible = (x: number) => {
    let r = Math.max(0, c.jobRelease[c.opJob[x]!]!);
    const transfer = c.opTransfer[x]! >= 0;
    for (let q = c.predStart[x]!; q < c.predStart[x + 1]!; q++) {
      const p = c.preds[q]!;
      r = Math.max(r, transfer ? s.start[p]! : s.end[p]!);
    }
    ready[x] = r;
    eligiblePos[x] = size;
    eligible[size++] = x;
    for (let k = c.modeStart[x]!; k < c.modeStart[x + 1]!; k++) {
      const list = onMachine[c.modeMachine[k]!]!;
      slot[k] = list.length;
      list.push(x);
    }
    estimate(x);
  };
  const remove = (x: number) => {
    const i = eligiblePos[x]!;
    const last = eligible[--size]!;
    eligible[i] = last;
    eligiblePos[last] = i;
    for (let k = c.modeStart[x]!; k < c.modeStart[x + 1]!; k++) {
      const list = onMachine[c.modeMachine[k]!]!;
      const moved = list.pop()!;
      if (moved !== x) {
        list[slot[k]!] = moved;
        const mk = s.modeOn(moved, c.modeMachine[k]!);
        slot[mk] = slot[k]!;
      }
    }
  };
  for (const x of c.free) {
    let w = 0;
    for (let q = c.predStart[x]!; q < c.predStart[x + 1]!; q++) if (c.frozenMode[c.preds[q]!]! < 0) w++;
    waiting[x] = w;
    if (w === 0) makeEligible(x);
  }
  const { tail, jobTail, latestFinish, weight, meanDuration, meanSetup } = pri;
  const atcScale = ATC_K * meanDuration;
  const setupScale = ATCS_K * Math.max(1, meanSetup);

  for (let placed = 0; placed < c.free.length; placed++) {
    let bestEct = Infinity;
    let now = Infinity;
    for (let i = 0; i < size; i++) {
      const x = eligible[i]!;
      if (estEnd[x]! < bestEct) bestEct = estEnd[x]!;
      if (estStart[x]! < now) now = estStart[x]!;
    }
    // The rule's choice within the conflict set: those that could start before the first could complete.
    let chosen = -1;
    let chosenKey = -Infinity;
    let chosenTie = -Infinity;
    for (let i = 0; i < size; i++) {
      const x = eligible[i]!;
      if (estStart[x]! >= bestEct) continue;
      const d = c.minDuration[x]!;
      let key: number;
      switch (rule) {
        case 'mwkr':
          key = tail[x]!;
          break;
        case 'edd':
          key = -latestFinish[x]!;
          break;
        case 'atc':
        case 'atcs': {
          const slack = Math.max(0, latestFinish[x]! - d - now);
          key = (weight[x]! / d) * Math.exp(-slack / atcScale);
          if (rule === 'atcs') key *= Math.exp(-estSetup[x]! / setupScale);
          break;
        }
        case 'cr': {
          const left = c.jobDue[c.opJob[x]!]! - now;
          const work = jobTail[x]!;
          key = left === Infinity ? -Infinity : -(left >= 0 ? left / work : left * work);
          break;
        }
      }
      const tie = tail[x]!;
      if (
        chosen < 0 ||
        key > chosenKey ||
        (key === chosenKey && (tie > chosenTie || (tie === chosenTie && x < chosen)))
      ) {
        chosen = x;
        chosenKey = key;
        chosenTie = tie;
      }
    }
    const x = chosen;
    remove(x);
    // The machine where it completes first, exactly decoded.
    let bestMode = -1;
    let bestEnd = Infinity;
    for (let k = c.modeStart[x]!; k < c.modeStart[x + 1]!; k++) {
      s.append(x, k);
      const end = s.end[x]!;
      s.unappend(c.modeMachine[k]!);
      if (
        end < bestEnd ||
        (end === bestEnd && bestMode >= 0 && c.modeDuration[k]! < c.modeDuration[bestMode]!)
      ) {
        bestEnd = end;
        bestMode = k;
      }
    }
    if (bestMode < 0) {
      const op = c.problem.operations[x]!;
      throw new RangeError(
        `The calendars of machine${op.modes.length > 1 ? 's' : ''} ${op.modes.map((mode) => mode.machine).join(', ')} end before operation ${op.id} can be planned.`,
      );
    }
    s.append(x, bestMode);
    s.order[placed] = x;
    s.orderPos[x] = placed;
    const m = c.modeMachine[bestMode]!;
    machineFree[m] = s.end[x]!;
    machineFamily[m] = c.opFamily[x]!;
    for (const y of onMachine[m]!) estimate(y);
    for (let q = c.succStart[x]!; q < c.succStart[x + 1]!; q++) {
      const y = c.succs[q]!;
      if (c.frozenMode[y]! < 0 && --waiting[y]! === 0) makeEligible(y);
    }
  }
  return s;
}
