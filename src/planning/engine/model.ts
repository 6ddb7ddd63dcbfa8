/**
 * The plant scheduling model: what the planning service hands the engine and what it gets back. Times are whole
 * minutes from the plan's origin (the service maps them to and from instants). Pure data: no framework, no I/O.
 */

export type PlanObjective = 'makespan' | 'tardiness' | 'tardiness-then-makespan';

/** A half-open working window [start, end) in minutes from the origin. */
export type Window = readonly [start: number, end: number];

export interface PlanMachine {
  id: string;
  /**
   * When the machine can work: sorted, disjoint windows. Processing and setup count working minutes only: an
   * operation that reaches the end of a window pauses and continues at the start of the next one. Omitted: always
   * available. Maintenance windows and holidays are simply absent from the list.
   */
  available?: readonly Window[];
  /** setups[from][to]: minutes of setup when an operation of family `to` follows one of family `from`. Missing: 0. */
  setups?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The family the machine is set up for at the origin (no setup before the first operation of that family). */
  initialFamily?: string;
}

export interface PlanJob {
  id: string;
  /** Earliest start of any of its operations (material availability, order release). */
  release: number;
  /** Due date; omitted: never tardy. */
  due?: number;
  /** Weight in weighted tardiness (priority); default 1. */
  weight?: number;
}

export interface PlanMode {
  machine: string;
  /** Working minutes on that machine (> 0). */
  duration: number;
}

export interface PlanOperation {
  id: string;
  job: string;
  /** Operations that must finish first (routing order or a DAG within or across jobs). */
  predecessors: readonly string[];
  /** Eligible machines, each with its processing time. */
  modes: readonly PlanMode[];
  /** Setup family (looked up in the machine's setup matrix). */
  family?: string;
  /**
   * Minimum transfer overlap: the operation may start `transferAfter` working minutes after each predecessor has
   * started (a transfer batch is ready) instead of after it ends, and never ends before any predecessor ends.
   * Omitted: start after every predecessor ends.
   */
  transferAfter?: number;
  /**
   * Frozen (running, or inside the frozen horizon): keeps this machine and start, whatever the objective. The
   * engine schedules everything else around it.
   */
  frozen?: { machine: string; start: number };
}

export interface PlanProblem {
  machines: readonly PlanMachine[];
  jobs: readonly PlanJob[];
  operations: readonly PlanOperation[];
  objective: PlanObjective;
}

export interface PlannedOperation {
  id: string;
  machine: string;
  /** Start of the setup (equal to `start` when there is none). */
  setupStart: number;
  start: number;
  /** End of processing (later than start + duration when it pauses outside working windows). */
  end: number;
}

export interface PlanKpis {
  makespan: number;
  totalWeightedTardiness: number;
  totalTardiness: number;
  /** Jobs that finish after their due date, most late first. */
  lateJobs: Array<{ job: string; end: number; due: number; tardiness: number }>;
  /** Busy (setup + processing) working minutes over available working minutes up to the makespan, per machine. */
  utilisation: Record<string, number>;
  totalSetup: number;
}

export interface PlanResult {
  operations: PlannedOperation[];
  kpis: PlanKpis;
  iterations: number;
  elapsedMs: number;
}

export interface PlanProgress {
  elapsedMs: number;
  iterations: number;
  /** The best plan's KPIs so far. */
  kpis: PlanKpis;
}

export interface PlanOptions {
  /** Time budget for improvement after the first plan (the first plan is always built). */
  seconds: number;
  seed?: number;
  /** Called on every improvement and at least once a second. */
  onProgress?: (progress: PlanProgress) => void;
  /** Clock in milliseconds (injected for tests); default performance.now. */
  now?: () => number;
}
