/**
 * The rule engine's evaluation: rules as data (JSON) — a trigger (a domain event of a type, with a filter, or a
 * periodic metric check), conditions (comparisons on the facts, combined with all/any/not) and actions whose
 * text fields are templates (`{{materialCode}}`, `{{lines.0.shortQty}}`) filled from the facts.
 *
 * Comparisons are exact on numbers: decimal strings ("12.500") and numbers compare as decimals, never as
 * floats; ISO timestamps compare as instants; anything else compares as text (equality only, plus
 * `contains`). A field that is missing makes every comparison false except `exists: false`.
 *
 * Pure: no framework, no I/O, no clock.
 */

export const COMPARISONS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'not_in',
  'contains',
  'exists',
] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface FieldCondition {
  field: string;
  op: Comparison;
  value?: unknown;
}
export type Condition = FieldCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };

export type Facts = Record<string, unknown>;

export interface CheckTrace {
  field: string;
  op: Comparison;
  expected: unknown;
  actual: unknown;
  result: boolean;
}

export interface Evaluation {
  matched: boolean;
  /** Every comparison made, in order (short-circuited ones are left out). */
  checks: CheckTrace[];
}

/** A value of the facts by dotted path: `lines.0.material`, `detail.qty`. */
export function valueAt(facts: unknown, path: string): unknown {
  let current: unknown = facts;
  for (const part of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    current = Array.isArray(current)
      ? /^\d+$/.test(part)
        ? current[Number(part)]
        : undefined
      : (current as Record<string, unknown>)[part];
  }
  return current;
}

// ------------------------------------------------------------------ exact comparison

const DECIMAL = /^-?\d+(\.\d+)?$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A number or decimal string as a scaled bigint pair, or null when it is not one. */
function asDecimal(v: unknown): { int: bigint; scale: number } | null {
  let text: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return null;
    text = Number.isInteger(v) ? v.toFixed(0) : String(v);
    if (/e/i.test(text)) return null;
  } else if (typeof v === 'string' && DECIMAL.test(v.trim())) {
    text = v.trim();
  } else {
    return null;
  }
  const negative = text.startsWith('-');
  const [whole, frac = ''] = (negative ? text.slice(1) : text).split('.');
  const int = BigInt(whole! + frac) * (negative ? -1n : 1n);
  return { int, scale: frac.length };
}

function compareDecimals(a: { int: bigint; scale: number }, b: { int: bigint; scale: number }): number {
  const scale = Math.max(a.scale, b.scale);
  const x = a.int * 10n ** BigInt(scale - a.scale);
  const y = b.int * 10n ** BigInt(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** -1/0/1 when the two are comparable (both numbers, or both instants), null otherwise. */
function order(a: unknown, b: unknown): number | null {
  const da = asDecimal(a);
  const db = asDecimal(b);
  if (da && db) return compareDecimals(da, db);
  if (typeof a === 'string' && typeof b === 'string' && ISO_INSTANT.test(a) && ISO_INSTANT.test(b)) {
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (Number.isNaN(ta) || Number.isNaN(tb)) return null;
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  }
  return null;
}

function equal(a: unknown, b: unknown): boolean {
  const o = order(a, b);
  if (o !== null) return o === 0;
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

function compareField(op: Comparison, actual: unknown, expected: unknown): boolean {
  if (op === 'exists') return (actual !== undefined && actual !== null) === (expected !== false);
  if (actual === undefined) return false;
  switch (op) {
    case 'eq':
      return equal(actual, expected);
    case 'ne':
      return !equal(actual, expected);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const o = order(actual, expected);
      if (o === null) return false;
      return op === 'gt' ? o > 0 : op === 'gte' ? o >= 0 : op === 'lt' ? o < 0 : o <= 0;
    }
    case 'in':
      return Array.isArray(expected) && expected.some((e) => equal(actual, e));
    case 'not_in':
      return Array.isArray(expected) && !expected.some((e) => equal(actual, e));
    case 'contains':
      if (Array.isArray(actual)) return actual.some((e) => equal(e, expected));
      return typeof actual === 'string' && typeof expected === 'string' && actual.includes(expected);
  }
}

/** Evaluates a condition (none: matched) on the facts. */
export function evaluate(condition: Condition | null | undefined, facts: Facts): Evaluation {
  const checks: CheckTrace[] = [];
  const run = (c: Condition): boolean => {
    if ('all' in c) return c.all.every(run);
    if ('any' in c) return c.any.some(run);
    if ('not' in c) return !run(c.not);
    const actual = valueAt(facts, c.field);
    const result = compareField(c.op, actual, c.value);
    checks.push({ field: c.field, op: c.op, expected: c.value, actual, result });
    return result;
  };
  return { matched: condition ? run(condition) : true, checks };
}

// ------------------------------------------------------------------ templates

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(text).join(', ');
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v.toString();
  return JSON.stringify(v);
}

export interface Rendered<T> {
  value: T;
  /** Placeholders the facts did not have (rendered empty). */
  missing: string[];
}

/** Fills `{{path}}` placeholders from the facts. */
export function render(template: string, facts: Facts): Rendered<string> {
  const missing: string[] = [];
  const value = template.replace(PLACEHOLDER, (_m, path: string) => {
    const v = valueAt(facts, path);
    if (v === undefined) missing.push(path);
    return text(v);
  });
  return { value, missing };
}

/**
 * Fills every string of a JSON value. A string that is exactly one placeholder takes the fact as it is (a
 * number stays a number, an array an array).
 */
export function renderDeep(template: unknown, facts: Facts): Rendered<unknown> {
  const missing: string[] = [];
  const walk = (t: unknown): unknown => {
    if (typeof t === 'string') {
      const whole = /^\{\{\s*([A-Za-z0-9_.]+)\s*\}\}$/.exec(t);
      if (whole) {
        const v = valueAt(facts, whole[1]!);
        if (v === undefined) missing.push(whole[1]!);
        return v ?? null;
      }
      const r = render(t, facts);
      missing.push(...r.missing);
      return r.value;
    }
    if (Array.isArray(t)) return t.map(walk);
    if (t && typeof t === 'object') {
      return Object.fromEntries(Object.entries(t as Record<string, unknown>).map(([k, v]) => [k, walk(v)]));
    }
    return t;
  };
  return { value: walk(template), missing: [...new Set(missing)] };
}

/** The placeholders of a template (for validation against the trigger's fields). */
export function placeholders(template: unknown): string[] {
  const out: string[] = [];
  const walk = (t: unknown): void => {
    if (typeof t === 'string') for (const m of t.matchAll(PLACEHOLDER)) out.push(m[1]!);
    else if (Array.isArray(t)) t.forEach(walk);
    else if (t && typeof t === 'object') Object.values(t as Record<string, unknown>).forEach(walk);
  };
  walk(template);
  return [...new Set(out)];
}

// ------------------------------------------------------------------ validation

export interface RuleProblem {
  /** Where, as a path into the rule (`conditions.all[1].op`, `actions[0].title`). */
  field: string;
  message: string;
}

const MAX_DEPTH = 8;
const MAX_CHECKS = 50;

/**
 * Problems of a condition tree: unknown shapes, operators, fields the trigger does not have (when its fields
 * are known: a field is known when it or a prefix of it is listed), values of the wrong kind.
 */
export function conditionProblems(
  condition: unknown,
  at: string,
  knownFields: readonly string[] | null,
): RuleProblem[] {
  const problems: RuleProblem[] = [];
  let count = 0;
  const known = (field: string) =>
    !knownFields ||
    knownFields.some((k) => field === k || field.startsWith(`${k}.`) || k.startsWith(`${field}.`));
  const walk = (c: unknown, path: string, depth: number): void => {
    if (depth > MAX_DEPTH) {
      problems.push({ field: path, message: `conditions nest at most ${MAX_DEPTH} deep` });
      return;
    }
    if (!c || typeof c !== 'object' || Array.isArray(c)) {
      problems.push({ field: path, message: 'must be an object: {field, op, value}, {all}, {any} or {not}' });
      return;
    }
    const o = c as Record<string, unknown>;
    const keys = Object.keys(o);
    if ('all' in o || 'any' in o) {
      const key = 'all' in o ? 'all' : 'any';
      const list = o[key];
      if (keys.length !== 1) problems.push({ field: path, message: `${key} stands alone in its object` });
      if (!Array.isArray(list) || list.length === 0) {
        problems.push({ field: `${path}.${key}`, message: 'must be a non-empty list of conditions' });
        return;
      }
      list.forEach((x, i) => walk(x, `${path}.${key}[${i}]`, depth + 1));
      return;
    }
    if ('not' in o) {
      if (keys.length !== 1) problems.push({ field: path, message: 'not stands alone in its object' });
      walk(o.not, `${path}.not`, depth + 1);
      return;
    }
    if (++count > MAX_CHECKS) {
      if (count === MAX_CHECKS + 1)
        problems.push({ field: path, message: `at most ${MAX_CHECKS} comparisons per rule` });
      return;
    }
    const extra = keys.filter((k) => !['field', 'op', 'value'].includes(k));
    if (extra.length > 0) problems.push({ field: path, message: `unknown keys: ${extra.join(', ')}` });
    if (typeof o.field !== 'string' || !/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(o.field)) {
      problems.push({
        field: `${path}.field`,
        message: 'must be a dotted path like materialCode or lines.0.qty',
      });
    } else if (!known(o.field)) {
      problems.push({
        field: `${path}.field`,
        message: `the trigger has no field ${o.field} (it has: ${knownFields!.join(', ')})`,
      });
    }
    if (typeof o.op !== 'string' || !(COMPARISONS as readonly string[]).includes(o.op)) {
      problems.push({ field: `${path}.op`, message: `must be one of ${COMPARISONS.join(', ')}` });
      return;
    }
    const op = o.op as Comparison;
    if (op === 'exists') {
      if (o.value !== undefined && typeof o.value !== 'boolean')
        problems.push({ field: `${path}.value`, message: 'exists takes true, false or nothing' });
    } else if (op === 'in' || op === 'not_in') {
      if (!Array.isArray(o.value) || o.value.length === 0 || o.value.length > 200)
        problems.push({ field: `${path}.value`, message: `${op} takes a list of 1 to 200 values` });
    } else if (o.value === undefined || (typeof o.value === 'object' && o.value !== null)) {
      problems.push({ field: `${path}.value`, message: `${op} takes a number, text or boolean` });
    } else if (['gt', 'gte', 'lt', 'lte'].includes(op) && order(o.value, o.value) === null) {
      problems.push({
        field: `${path}.value`,
        message: `${op} compares numbers or ISO timestamps, got ${JSON.stringify(o.value)}`,
      });
    }
  };
  walk(condition, at, 0);
  return problems;
}

/** Problems of a template's placeholders against the trigger's fields. */
export function templateProblems(
  template: unknown,
  at: string,
  knownFields: readonly string[] | null,
): RuleProblem[] {
  if (!knownFields) return [];
  return placeholders(template)
    .filter((p) => !knownFields.some((k) => p === k || p.startsWith(`${k}.`)))
    .map((p) => ({ field: at, message: `the trigger has no field ${p} for {{${p}}}` }));
}

// ------------------------------------------------------------------ crossings

/**
 * Which subjects of a periodic check crossed into or out of the condition: `entered` fire (once per crossing),
 * `left` re-arm. `active` is the set that matched at the last check.
 */
export function crossings(
  active: ReadonlySet<string>,
  now: ReadonlyMap<string, boolean>,
): { entered: string[]; left: string[] } {
  const entered: string[] = [];
  const left: string[] = [];
  for (const [key, matched] of now) {
    if (matched && !active.has(key)) entered.push(key);
    if (!matched && active.has(key)) left.push(key);
  }
  // A subject that is gone (machine back up, material deleted) has left too.
  for (const key of active) if (!now.has(key)) left.push(key);
  return { entered: entered.sort(), left: left.sort() };
}
