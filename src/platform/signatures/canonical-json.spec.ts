import { canonicalJson, recordHash } from './canonical-json';

describe('canonical JSON for signed records', () => {
  it('is independent of key order and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
    expect(recordHash({ x: 1, y: 'ü' })).toBe(recordHash({ y: 'ü', x: 1 }));
  });

  it('writes dates as ISO-8601 UTC', () => {
    expect(canonicalJson({ at: new Date(Date.UTC(2026, 10, 21, 8, 0, 0)) })).toBe(
      '{"at":"2026-11-21T08:00:00.000Z"}',
    );
  });

  it('gives the published SHA-256 of a known text', () => {
    // sha256('{}') — any SHA-256 implementation gives this value.
    expect(recordHash({})).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  it('changes the hash when any value changes', () => {
    expect(recordHash({ qty: '10.000' })).not.toBe(recordHash({ qty: '10.001' }));
  });

  it('refuses non-finite numbers rather than signing "null"', () => {
    expect(() => canonicalJson({ qty: Number.NaN })).toThrow(/non-finite/);
  });
});
