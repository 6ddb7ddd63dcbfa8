import {
  applyStates,
  limitCrossings,
  resolutionFor,
  toMachineState,
  type StateCursor,
} from './machine-state';

const MIN = 60_000;
const start: StateCursor = { state: null, since: null, lastTs: null };

describe('toMachineState', () => {
  it('reads our names and common synonyms, case and separators ignored', () => {
    expect(toMachineState('RUNNING', null)).toBe('running');
    expect(toMachineState('Change-Over', null)).toBe('setup');
    expect(toMachineState('fault', null)).toBe('down');
    expect(toMachineState('stand by', null)).toBe('idle');
    expect(toMachineState('warp', null)).toBeNull();
  });

  it('takes the machine’s own codes from the state map first, booleans as running/idle', () => {
    expect(toMachineState(6, { '6': 'running', '3': 'down' })).toBe('running');
    expect(toMachineState('3', { '6': 'running', '3': 'down' })).toBe('down');
    expect(toMachineState(9, { '6': 'running' })).toBeNull();
    expect(toMachineState(true, null)).toBe('running');
    expect(toMachineState(false, null)).toBe('idle');
  });
});

describe('applyStates', () => {
  it('opens a stop when the machine goes down, keeps it through setup, closes it when it runs again', () => {
    const out = applyStates(start, [
      { ts: 0, state: 'running' },
      { ts: 5 * MIN, state: 'down' },
      { ts: 8 * MIN, state: 'setup' },
      { ts: 10 * MIN, state: 'running' },
      { ts: 12 * MIN, state: 'running' },
    ]);
    expect(out.changes.map((c) => [c.at / MIN, c.to, c.stopStarts, c.stopEnds])).toEqual([
      [0, 'running', false, false],
      [5, 'down', true, false],
      [8, 'setup', false, false],
      [10, 'running', false, true],
    ]);
    // Ran 0–5 and 10–12 minutes.
    expect(out.runningMs).toBe(7 * MIN);
    expect(out.cursor).toEqual({ state: 'running', since: 10 * MIN, lastTs: 12 * MIN });
  });

  it('orders samples by the machine’s time and leaves out those older than what was applied', () => {
    const first = applyStates(start, [
      { ts: 2 * MIN, state: 'down' },
      { ts: 1 * MIN, state: 'running' },
    ]);
    expect(first.changes.map((c) => c.to)).toEqual(['running', 'down']);
    const late = applyStates(first.cursor, [
      { ts: 2 * MIN, state: 'down' }, // redelivered
      { ts: 90_000, state: 'idle' }, // arrives after newer news
      { ts: 3 * MIN, state: 'idle' },
    ]);
    expect(late.late).toBe(2);
    expect(late.changes).toEqual([
      { at: 3 * MIN, from: 'down', to: 'idle', stopStarts: false, stopEnds: true },
    ]);
  });
});

describe('limitCrossings', () => {
  it('raises one alarm when a value leaves its limits and one when it returns', () => {
    const r = limitCrossings(
      [3000, 3250, 3300, 3100, 2700, 2900].map((value, i) => ({ ts: i, value })),
      { min: 2800, max: 3200 },
      false,
    );
    expect(r.crossings.map((c) => [c.value, c.direction, c.side])).toEqual([
      [3250, 'out', 'high'],
      [3100, 'in', null],
      [2700, 'out', 'low'],
      [2900, 'in', null],
    ]);
    expect(r.outside).toBe(false);
  });

  it('continues from outside: no second alarm while it stays out; one limit alone works', () => {
    const r = limitCrossings([{ ts: 1, value: 50 }], { min: null, max: 40 }, true);
    expect(r).toEqual({ crossings: [], outside: true });
  });
});

describe('resolutionFor', () => {
  it('raw up to 2 h, minutes up to a week, hours beyond', () => {
    expect(resolutionFor(0, 2 * 3_600_000)).toBe('raw');
    expect(resolutionFor(0, 3 * 3_600_000)).toBe('minute');
    expect(resolutionFor(0, 8 * 86_400_000)).toBe('hour');
  });
});
