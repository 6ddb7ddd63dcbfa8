import { inspectJson, MAX_JSON_DEPTH, MAX_JSON_ITEMS } from './input-guards';

const inspect = (text: string) => inspectJson(Buffer.from(text, 'utf8'));

describe('inspectJson: what JSON.parse would take but the API refuses', () => {
  it('passes ordinary bodies, brackets, commas and escapes inside strings included', () => {
    expect(inspect('{"a":[1,2,{"b":"x"}],"c":null}')).toBeNull();
    expect(inspect(`{"a":"${'['.repeat(1000)}${','.repeat(20_000)}"}`)).toBeNull();
    expect(inspect('{"a":"\\\\u0000","b":"\\"[","c":"工[单"}')).toBeNull();
  });

  it('refuses nesting deeper than the limit, not at it', () => {
    expect(inspect(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).toBeNull();
    expect(inspect(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`)).toBe('too-deep');
    expect(inspect(`{"a":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_001)}`)).toBe('too-deep');
  });

  it('refuses an array or object with more entries than the limit, not at it', () => {
    expect(inspect(`[${Array(MAX_JSON_ITEMS).fill(0).join(',')}]`)).toBeNull();
    expect(
      inspect(
        `[${Array(MAX_JSON_ITEMS + 1)
          .fill(0)
          .join(',')}]`,
      ),
    ).toBe('too-many-items');
    const keys = Array.from({ length: MAX_JSON_ITEMS + 1 }, (_, i) => `"k${i}":1`).join(',');
    expect(inspect(`{"a":{${keys}}}`)).toBe('too-many-items');
    // Items of different arrays do not add up.
    const half = `[${Array(MAX_JSON_ITEMS / 2)
      .fill(0)
      .join(',')}]`;
    expect(inspect(`[${half},${half},${half}]`)).toBeNull();
  });

  it('refuses a NUL written as \\u0000', () => {
    expect(inspect('{"a":"x\\u0000y"}')).toBe('nul');
    expect(inspect('["\\u0000"]')).toBe('nul');
    expect(inspect('{"a":"\\u00001"}')).toBe('nul');
  });

  it('refuses half of a surrogate pair, not a whole pair', () => {
    expect(inspect('{"a":"\\ud83c\\udfed"}')).toBeNull(); // 🏭 written as a pair
    expect(inspect('{"a":"🏭"}')).toBeNull();
    expect(inspect('{"a":"x\\ud800y"}')).toBe('lone-surrogate');
    expect(inspect('{"a":"\\udc00"}')).toBe('lone-surrogate');
    expect(inspect('{"a":"\\ud800\\u0041"}')).toBe('lone-surrogate');
    expect(inspect('{"a":"\\ud800"}')).toBe('lone-surrogate');
  });
});
