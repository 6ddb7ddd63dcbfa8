import { type DecodedMessage, decodePlain, PLAIN_KINDS } from './machine-message';

const AT = Date.parse('2026-11-22T08:00:05.000Z');
const TOPIC = 'mom/PLANT1/LINE2/CNC-07/count';

const decode = (payload: string | Uint8Array, topic = TOPIC) => decodePlain(topic, payload, AT);
const reason = (m: DecodedMessage) => (m.kind === 'rejected' ? m.reason : `not rejected: ${m.kind}`);
const samples = (m: DecodedMessage) => {
  if (m.kind !== 'samples') throw new Error(`expected samples, got ${JSON.stringify(m)}`);
  return m.samples;
};

describe('plain JSON machine messages', () => {
  describe('topic', () => {
    it('source is the whole topic, the site its second segment, for each kind', () => {
      for (const kind of PLAIN_KINDS) {
        const topic = `mom/PLANT1/LINE2/CNC-07/${kind}`;
        expect(decode('1', topic)).toEqual({
          kind: 'samples',
          siteCode: 'PLANT1',
          samples: [{ source: topic, metric: 'value', ts: AT, value: 1 }],
        });
      }
    });

    it.each([
      ['too few segments', 'mom/PLANT1/LINE2/count'],
      ['too many segments', 'mom/PLANT1/LINE2/CNC-07/count/extra'],
      ['another root', 'spBv1.0/PLANT1/LINE2/CNC-07/count'],
      ['an unknown kind', 'mom/PLANT1/LINE2/CNC-07/alarm'],
      ['an empty segment', 'mom/PLANT1//CNC-07/count'],
      ['a trailing slash', 'mom/PLANT1/LINE2/CNC-07/count/'],
      ['no topic at all', ''],
    ])('rejects %s', (_, topic) => {
      expect(reason(decode('1', topic))).toBe(
        'topic must be mom/{site}/{line}/{equipment}/{state|count|param}',
      );
    });
  });

  describe('bare values', () => {
    it('a number, string or boolean is one sample `value` at the time of arrival, its type kept', () => {
      expect(samples(decode('1200')).map((s) => s.value)).toEqual([1200]);
      expect(samples(decode('-0.5')).map((s) => s.value)).toEqual([-0.5]);
      expect(samples(decode('"RUNNING"')).map((s) => s.value)).toEqual(['RUNNING']);
      expect(samples(decode('true')).map((s) => s.value)).toEqual([true]);
      expect(samples(decode('"42"'))[0]).toEqual({ source: TOPIC, metric: 'value', ts: AT, value: '42' });
    });

    it('takes bytes (a Buffer is a Uint8Array) as UTF-8', () => {
      expect(samples(decode(Buffer.from('"Störung"')))[0]?.value).toBe('Störung');
      expect(samples(decode(new TextEncoder().encode('7')))[0]?.value).toBe(7);
    });

    it('rejects null, numbers JSON cannot carry and over-long strings', () => {
      expect(reason(decode('null'))).toBe('payload: must be a finite number, string or boolean');
      expect(reason(decode('1e400'))).toBe('payload: must be a finite number, string or boolean');
      expect(reason(decode('-1e400'))).toBe('payload: must be a finite number, string or boolean');
      expect(decode(JSON.stringify('x'.repeat(200))).kind).toBe('samples');
      expect(reason(decode(JSON.stringify('x'.repeat(201))))).toBe(
        'payload: string of 201 characters, longer than 200',
      );
    });
  });

  describe('objects', () => {
    it('every key but ts is a metric, at the ts given', () => {
      const m = decode('{"ts":"2026-11-22T08:00:00.000Z","good":1200,"scrap":4}');
      const ts = Date.parse('2026-11-22T08:00:00.000Z');
      expect(m).toEqual({
        kind: 'samples',
        siteCode: 'PLANT1',
        samples: [
          { source: TOPIC, metric: 'good', ts, value: 1200 },
          { source: TOPIC, metric: 'scrap', ts, value: 4 },
        ],
      });
    });

    it('keeps numbers, strings and booleans as they are; no ts means the time of arrival', () => {
      expect(samples(decode('{"mode":"AUTO","door":false,"feed":87.5,"code":"0042"}'))).toEqual([
        { source: TOPIC, metric: 'mode', ts: AT, value: 'AUTO' },
        { source: TOPIC, metric: 'door', ts: AT, value: false },
        { source: TOPIC, metric: 'feed', ts: AT, value: 87.5 },
        { source: TOPIC, metric: 'code', ts: AT, value: '0042' },
      ]);
    });

    it.each([
      ['Z', '2026-11-22T08:00:00Z', '2026-11-22T08:00:00.000Z'],
      ['a positive offset', '2026-11-22T09:30:00+01:30', '2026-11-22T08:00:00.000Z'],
      ['a negative offset', '2026-11-22T03:00:00.250-05:00', '2026-11-22T08:00:00.250Z'],
      ['minutes only', '2026-11-22T08:00Z', '2026-11-22T08:00:00.000Z'],
      ['microseconds (cut to ms)', '2026-11-22T08:00:00.123999Z', '2026-11-22T08:00:00.123Z'],
      ['a leap day', '2028-02-29T08:00:00Z', '2028-02-29T08:00:00.000Z'],
    ])('reads an ISO-8601 ts with %s', (_, ts, expected) => {
      const receivedAt = Date.parse('2028-03-01T00:00:00Z');
      const m = decodePlain(TOPIC, JSON.stringify({ ts, good: 1 }), receivedAt);
      expect(samples(m)[0]?.ts).toBe(Date.parse(expected));
    });

    it('reads a ts in ms since epoch', () => {
      expect(samples(decode(`{"ts":${AT - 1000},"good":1}`))[0]?.ts).toBe(AT - 1000);
    });

    it('accepts a ts up to an hour ahead of arrival (clock skew), not beyond', () => {
      expect(samples(decode(`{"ts":${AT + 3_600_000},"good":1}`))[0]?.ts).toBe(AT + 3_600_000);
      expect(reason(decode(`{"ts":${AT + 3_600_001},"good":1}`))).toBe(
        'payload.ts: timestamp in the future (2026-11-22T09:00:05.001Z)',
      );
      // Measured in UTC: 10:00+01:00 is 09:00Z (within the hour), 08:30-01:00 is 09:30Z (beyond).
      expect(decode('{"ts":"2026-11-22T10:00:00+01:00","good":1}').kind).toBe('samples');
      expect(reason(decode('{"ts":"2026-11-22T08:30:00-01:00","good":1}'))).toBe(
        'payload.ts: timestamp in the future (2026-11-22T09:30:00.000Z)',
      );
    });

    it.each([
      ['without a zone', '"2026-11-22T08:00:00"', /^payload\.ts: not an ISO-8601 date-time with a zone/],
      ['a date only', '"2026-11-22"', /^payload\.ts: not an ISO-8601 date-time with a zone/],
      ['not a date', '"yesterday"', /^payload\.ts: not an ISO-8601 date-time with a zone/],
      ['an impossible date', '"2026-02-30T08:00:00Z"', /^payload\.ts: not an ISO-8601 date-time with a zone/],
      ['an impossible hour', '"2026-11-22T24:00:00Z"', /^payload\.ts: not an ISO-8601 date-time with a zone/],
      ['before 1970', '"1969-12-31T23:59:59Z"', /^payload\.ts: must be after 1970/],
      ['a fraction of a ms', '1700000000000.5', /^payload\.ts: a number must be whole ms since epoch/],
      ['zero', '0', /^payload\.ts: a number must be whole ms since epoch/],
      ['negative', '-5', /^payload\.ts: a number must be whole ms since epoch/],
      ['a boolean', 'true', /^payload\.ts: must be an ISO-8601 string with a zone or ms since epoch$/],
      ['null', 'null', /^payload\.ts: must be an ISO-8601 string with a zone or ms since epoch$/],
    ])('rejects a ts %s', (_, ts, expected) => {
      expect(reason(decode(`{"ts":${ts},"good":1}`))).toMatch(expected);
    });

    it.each([
      ['a nested object', '{"temp":{"c":21}}', 'payload.temp: must be a finite number, string or boolean'],
      ['a nested array', '{"temp":[21,22]}', 'payload.temp: must be a finite number, string or boolean'],
      ['null', '{"temp":null}', 'payload.temp: must be a finite number, string or boolean'],
      ['Infinity', '{"temp":1e400}', 'payload.temp: must be a finite number, string or boolean'],
      [
        'a long string',
        `{"note":"${'x'.repeat(201)}"}`,
        'payload.note: string of 201 characters, longer than 200',
      ],
      [
        'an odd name',
        '{"spindle 1":null}',
        'payload["spindle 1"]: must be a finite number, string or boolean',
      ],
    ])('rejects a metric value that is %s, naming its path', (_, json, expected) => {
      expect(reason(decode(json))).toBe(expected);
    });

    it('metric names are 1–100 characters', () => {
      expect(samples(decode(`{"${'m'.repeat(100)}":1}`))[0]?.metric).toHaveLength(100);
      expect(reason(decode('{"":1}'))).toBe('payload[""]: metric name must be 1–100 characters');
      expect(reason(decode(`{"${'m'.repeat(101)}":1}`))).toMatch(/: metric name must be 1–100 characters$/);
    });

    it('rejects an object without metrics', () => {
      expect(reason(decode('{}'))).toBe('payload: no metrics');
      expect(reason(decode('{"ts":"2026-11-22T08:00:00Z"}'))).toBe('payload: no metrics');
    });
  });

  describe('batches', () => {
    it('an array of objects gives all their samples, each at its own ts', () => {
      const m = decode(`[{"ts":${AT - 2000},"good":1},{"ts":${AT - 1000},"good":2,"scrap":1},{"good":3}]`);
      expect(samples(m).map((s) => [s.metric, s.ts, s.value])).toEqual([
        ['good', AT - 2000, 1],
        ['good', AT - 1000, 2],
        ['scrap', AT - 1000, 1],
        ['good', AT, 3],
      ]);
    });

    it('takes 1000 items, no more; rejects an empty array', () => {
      const items = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ n: i })));
      expect(samples(decode(items(1000)))).toHaveLength(1000);
      expect(reason(decode(items(1001)))).toBe('payload: 1001 items, more than 1000');
      expect(reason(decode('[]'))).toBe('payload: empty array');
    });

    it('rejects the whole batch on one bad item, naming it', () => {
      expect(reason(decode('[{"temp":1},{"temp":2},{"temp":{}}]'))).toBe(
        'payload[2].temp: must be a finite number, string or boolean',
      );
      expect(reason(decode('[{"temp":1},42]'))).toBe('payload[1]: must be an object of metrics');
      expect(reason(decode('[{"temp":1},null]'))).toBe('payload[1]: must be an object of metrics');
      expect(reason(decode('[[{"temp":1}]]'))).toBe('payload[0]: must be an object of metrics');
      expect(reason(decode('[{"temp":1},{}]'))).toBe('payload[1]: no metrics');
      expect(reason(decode(`[{"ts":${AT + 7_200_000},"temp":1}]`))).toMatch(
        /^payload\[0\]\.ts: timestamp in the future/,
      );
    });
  });

  describe('the payload as a whole', () => {
    it('rejects what is not JSON, empty or not UTF-8', () => {
      expect(reason(decode('{"good":'))).toMatch(/^invalid JSON: /);
      expect(reason(decode('RUNNING'))).toMatch(/^invalid JSON: /);
      expect(reason(decode(''))).toMatch(/^invalid JSON: /);
      expect(reason(decode(new Uint8Array([0x22, 0xff, 0xfe, 0x22])))).toBe('payload is not valid UTF-8');
    });

    it('accepts up to 64 KiB, counted in bytes', () => {
      const sized = (bytes: number) => `"${'x'.repeat(bytes - 2)}"`;
      // Only the size is under test here: the string itself is too long for a value anyway.
      expect(reason(decode(sized(64 * 1024)))).toMatch(/^payload: string of/);
      expect(reason(decode(sized(64 * 1024 + 1)))).toBe('payload of 65537 bytes is larger than 65536');
      expect(reason(decode(Buffer.from(sized(64 * 1024 + 1))))).toBe(
        'payload of 65537 bytes is larger than 65536',
      );
      // 'é' is two bytes in UTF-8: 40,000 characters are 80,000 bytes.
      expect(reason(decode(`"${'é'.repeat(40_000)}"`))).toBe('payload of 80002 bytes is larger than 65536');
    });
  });
});

describe('decodePlain: clocks in seconds', () => {
  it('refuses a timestamp before 2000 (seconds sent as milliseconds) instead of filing it in 1970', () => {
    const d = decodePlain('mom/P1/L1/M1/count', '{"ts": 1790000000, "good": 5}', 1_790_000_000_000);
    expect(d).toEqual({ kind: 'rejected', reason: expect.stringContaining('before 2000-01-01') });
  });
});
