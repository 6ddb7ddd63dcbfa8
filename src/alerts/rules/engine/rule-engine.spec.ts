import {
  conditionProblems,
  crossings,
  evaluate,
  render,
  renderDeep,
  templateProblems,
  valueAt,
  type Condition,
} from './rule-engine';

/** A safety-stock crossing as the inventory module raises it. */
const stock = {
  materialCode: 'GREASE',
  availableQty: '3.500',
  safetyStock: '10',
  suggestedQty: '26.5',
  state: 'below',
  lines: [{ material: 'SHAFT', shortQty: '4' }],
  at: '2026-11-22T08:00:00Z',
};

describe('rule evaluation', () => {
  it('compares decimal strings exactly, not as floats', () => {
    // 3.500 < 10 as decimals (as text "3.500" > "10"); 0.1 + 0.2 style float errors cannot happen.
    expect(evaluate({ field: 'availableQty', op: 'lt', value: '10' }, stock).matched).toBe(true);
    expect(evaluate({ field: 'availableQty', op: 'eq', value: 3.5 }, stock).matched).toBe(true);
    expect(evaluate({ field: 'availableQty', op: 'gte', value: '3.5000001' }, stock).matched).toBe(false);
    expect(evaluate({ field: 'x', op: 'eq', value: '0.3' }, { x: '0.30' }).matched).toBe(true);
  });

  it('combines comparisons with all, any and not, and traces each one it made', () => {
    const c: Condition = {
      all: [
        { field: 'state', op: 'eq', value: 'below' },
        {
          any: [
            { field: 'materialCode', op: 'in', value: ['OIL', 'GREASE'] },
            { field: 'x', op: 'exists' },
          ],
        },
        { not: { field: 'lines.0.shortQty', op: 'gt', value: 5 } },
      ],
    };
    const e = evaluate(c, stock);
    expect(e.matched).toBe(true);
    // `any` stopped at its first true comparison: three comparisons, not four.
    expect(e.checks.map((x) => [x.field, x.result])).toEqual([
      ['state', true],
      ['materialCode', true],
      ['lines.0.shortQty', false],
    ]);
    expect(
      evaluate({ all: [{ field: 'state', op: 'eq', value: 'recovered' }, c] }, stock).checks,
    ).toHaveLength(1);
  });

  it('a missing field fails every comparison but exists: false; no condition matches', () => {
    for (const op of ['eq', 'ne', 'gt', 'lt', 'in', 'contains'] as const) {
      expect(evaluate({ field: 'nope', op, value: op === 'in' ? ['a'] : 'a' }, stock).matched).toBe(false);
    }
    expect(evaluate({ field: 'nope', op: 'exists', value: false }, stock).matched).toBe(true);
    expect(evaluate({ field: 'state', op: 'exists' }, stock).matched).toBe(true);
    expect(evaluate(null, stock).matched).toBe(true);
  });

  it('orders ISO timestamps as instants and refuses to order text', () => {
    expect(evaluate({ field: 'at', op: 'lt', value: '2026-11-22T09:00:00+01:00' }, stock).matched).toBe(
      false,
    );
    expect(evaluate({ field: 'at', op: 'lte', value: '2026-11-22T09:00:00+01:00' }, stock).matched).toBe(
      true,
    );
    expect(evaluate({ field: 'materialCode', op: 'gt', value: 'A' }, stock).matched).toBe(false);
  });

  it('contains looks into lists and text', () => {
    expect(evaluate({ field: 'rules', op: 'contains', value: 'N1' }, { rules: ['N1', 'N5'] }).matched).toBe(
      true,
    );
    expect(evaluate({ field: 'materialCode', op: 'contains', value: 'EAS' }, stock).matched).toBe(true);
    expect(valueAt(stock, 'lines.0.material')).toBe('SHAFT');
    expect(valueAt(stock, 'lines.x')).toBeUndefined();
  });
});

describe('templates', () => {
  it('fills placeholders from the facts and names the missing ones', () => {
    const r = render('Replenish {{materialCode}}: {{ availableQty }} of {{safetyStock}} ({{who}})', stock);
    expect(r).toEqual({ value: 'Replenish GREASE: 3.500 of 10 ()', missing: ['who'] });
    expect(render('{{lines.0.material}} short {{lines.0.shortQty}}', stock).value).toBe('SHAFT short 4');
  });

  it('renders JSON bodies, keeping a lone placeholder’s type', () => {
    const body = renderDeep(
      { material: '{{materialCode}}', lines: '{{lines}}', note: 'qty {{suggestedQty}}' },
      stock,
    );
    expect(body.value).toEqual({ material: 'GREASE', lines: stock.lines, note: 'qty 26.5' });
    expect(body.missing).toEqual([]);
  });
});

describe('validation', () => {
  const fields = ['materialCode', 'availableQty', 'state', 'lines'];

  it('names the field of each problem', () => {
    const problems = conditionProblems(
      {
        all: [
          { field: 'availableQty', op: 'lt', value: 'ten' },
          { field: 'colour', op: 'eq', value: 'red' },
          { field: 'state', op: 'like', value: 'b%' },
          { any: [] },
          { field: 'state', op: 'in', value: 'below' },
        ],
      },
      'conditions',
      fields,
    );
    expect(problems.map((p) => p.field)).toEqual([
      'conditions.all[0].value',
      'conditions.all[1].field',
      'conditions.all[2].op',
      'conditions.all[3].any',
      'conditions.all[4].value',
    ]);
    expect(problems[1]!.message).toContain('has no field colour');
  });

  it('accepts nested paths under a known field and checks template placeholders', () => {
    expect(conditionProblems({ field: 'lines.0.shortQty', op: 'gt', value: 0 }, 'c', fields)).toEqual([]);
    expect(templateProblems('Buy {{materialCode}} {{price}}', 'actions[0].title', fields)).toEqual([
      { field: 'actions[0].title', message: 'the trigger has no field price for {{price}}' },
    ]);
  });

  it('refuses trees nested too deep', () => {
    let deep: Condition = { field: 'state', op: 'eq', value: 'below' };
    for (let i = 0; i < 10; i++) deep = { not: deep };
    expect(conditionProblems(deep, 'c', fields)[0]!.message).toContain('at most 8 deep');
  });
});

describe('crossings of a periodic check', () => {
  it('fires on entering, re-arms on leaving or vanishing, and is quiet while nothing changes', () => {
    // Check 1: LATHE down 40 min (matches), PRESS down 10 min (not yet).
    let active = new Set<string>();
    let c = crossings(
      active,
      new Map([
        ['LATHE', true],
        ['PRESS', false],
      ]),
    );
    expect(c).toEqual({ entered: ['LATHE'], left: [] });
    active = new Set(c.entered);
    // Check 2: both down long enough: only PRESS is new.
    c = crossings(
      active,
      new Map([
        ['LATHE', true],
        ['PRESS', true],
      ]),
    );
    expect(c).toEqual({ entered: ['PRESS'], left: [] });
    active = new Set(['LATHE', 'PRESS']);
    // Check 3: the lathe is repaired (gone from the check): it left, and may fire again next time.
    c = crossings(active, new Map([['PRESS', true]]));
    expect(c).toEqual({ entered: [], left: ['LATHE'] });
  });
});
