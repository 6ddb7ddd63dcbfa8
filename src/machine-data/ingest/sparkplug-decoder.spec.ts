import { get } from 'sparkplug-payload';
import { org } from 'sparkplug-payload/lib/sparkplugPayloadProto';
import { type DecodedMessage } from '../engine/machine-message';
import { isSparkplugTopic, SparkplugDecoder } from './sparkplug-decoder';

const sparkplug = get('spBv1.0');
if (!sparkplug) throw new Error('sparkplug-payload has no spBv1.0');
type Payload = Parameters<typeof sparkplug.encodePayload>[0];
const encode = (payload: Payload) => sparkplug.encodePayload(payload);

const T0 = Date.parse('2026-11-22T08:00:00.000Z');
const NODE = 'spBv1.0/PLANT1/EDGE1';
const DEVICE = `${NODE}/CNC-07`;

const nbirth = (bdSeq: number, timestamp = T0) =>
  encode({
    timestamp,
    seq: 0,
    metrics: [
      { name: 'bdSeq', type: 'UInt64', value: bdSeq },
      { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
      { name: 'Properties/Firmware', type: 'String', value: '4.2.1' },
      { name: 'Gateway/CPU', type: 'Float', value: 12.5, alias: 100 },
    ],
  });
const ndeath = (bdSeq: number) => encode({ metrics: [{ name: 'bdSeq', type: 'UInt64', value: bdSeq }] });
const dbirth = (timestamp = T0) =>
  encode({
    timestamp,
    seq: 1,
    metrics: [
      { name: 'Machine/State', type: 'String', value: 'RUNNING', alias: 1 },
      { name: 'Counts/Good', type: 'UInt64', value: 1200, alias: 2 },
      { name: 'Spindle/Temp', type: 'Double', value: 41.5, alias: 3 },
      {
        name: 'Tool/Table',
        type: 'DataSet',
        alias: 4,
        // Int32 columns: sparkplug-payload's own decodePayload throws on them.
        value: { numOfColumns: 2, columns: ['tool', 'life'], types: ['Int32', 'Int32'], rows: [[1, 500]] },
      },
      { name: 'Alarm/Text', type: 'String', value: null, alias: 5 },
    ],
  });

/** A decoder that has seen the node born (bdSeq 3) and the device born. */
function bornDecoder(): SparkplugDecoder {
  const decoder = new SparkplugDecoder();
  decoder.decode(`spBv1.0/PLANT1/NBIRTH/EDGE1`, nbirth(3), T0 + 5);
  decoder.decode(`spBv1.0/PLANT1/DBIRTH/EDGE1/CNC-07`, dbirth(), T0 + 5);
  return decoder;
}

const reason = (m: DecodedMessage) => ('reason' in m ? `${m.kind}: ${m.reason}` : `not a reason: ${m.kind}`);
const samplesOf = (m: DecodedMessage) => {
  if (m.kind !== 'samples' && m.kind !== 'connection') throw new Error(`no samples: ${JSON.stringify(m)}`);
  return m.samples;
};
const valuesOf = (m: DecodedMessage) => Object.fromEntries(samplesOf(m).map((s) => [s.metric, s.value]));

describe('Sparkplug B decoding', () => {
  it('NBIRTH: the node goes online; its metrics are samples, but for bdSeq and Node Control', () => {
    const decoder = new SparkplugDecoder();
    const m = decoder.decode('spBv1.0/PLANT1/NBIRTH/EDGE1', nbirth(3), T0 + 5);
    expect(m).toEqual({
      kind: 'connection',
      siteCode: 'PLANT1',
      changes: [{ source: NODE, online: true, ts: T0 }],
      samples: [
        { source: NODE, metric: 'Properties/Firmware', ts: T0, value: '4.2.1' },
        { source: NODE, metric: 'Gateway/CPU', ts: T0, value: 12.5 },
      ],
    });
    expect(decoder.online()).toEqual([NODE]);
  });

  it('DBIRTH: the device goes online; scalar metrics are samples named by metric, DataSets and nulls left out', () => {
    const decoder = new SparkplugDecoder();
    decoder.decode('spBv1.0/PLANT1/NBIRTH/EDGE1', nbirth(3), T0 + 5);
    const m = decoder.decode('spBv1.0/PLANT1/DBIRTH/EDGE1/CNC-07', dbirth(), T0 + 5);
    expect(m).toEqual({
      kind: 'connection',
      siteCode: 'PLANT1',
      changes: [{ source: DEVICE, online: true, ts: T0 }],
      samples: [
        { source: DEVICE, metric: 'Machine/State', ts: T0, value: 'RUNNING' },
        { source: DEVICE, metric: 'Counts/Good', ts: T0, value: 1200 },
        { source: DEVICE, metric: 'Spindle/Temp', ts: T0, value: 41.5 },
      ],
    });
    expect(decoder.online()).toEqual([NODE, DEVICE]);
  });

  it('DDATA with aliases only: names come from the birth, each metric at its own timestamp', () => {
    const decoder = bornDecoder();
    const data = encode({
      timestamp: T0 + 60_000,
      seq: 2,
      metrics: [
        { alias: 2, type: 'UInt64', value: 1201, timestamp: T0 + 58_000 },
        { alias: 3, type: 'Double', value: 42.25, timestamp: T0 + 59_000 },
        { alias: 1, type: 'String', value: 'IDLE' },
      ],
    });
    expect(decoder.decode('spBv1.0/PLANT1/DDATA/EDGE1/CNC-07', data, T0 + 61_000)).toEqual({
      kind: 'samples',
      siteCode: 'PLANT1',
      samples: [
        { source: DEVICE, metric: 'Counts/Good', ts: T0 + 58_000, value: 1201 },
        { source: DEVICE, metric: 'Spindle/Temp', ts: T0 + 59_000, value: 42.25 },
        { source: DEVICE, metric: 'Machine/State', ts: T0 + 60_000, value: 'IDLE' },
      ],
    });
  });

  it('DDATA without datatypes (as the specification recommends): the types come from the birth', () => {
    const decoder = bornDecoder();
    const Payload = org.eclipse.tahu.protobuf.Payload;
    const data = Payload.encode(
      Payload.fromObject({
        metrics: [
          { alias: 1, stringValue: 'SETUP' },
          { alias: 2, longValue: '18446744073709551615' },
          { alias: 3, doubleValue: -3.5 },
        ],
      }),
    ).finish();
    expect(valuesOf(decoder.decode('spBv1.0/PLANT1/DDATA/EDGE1/CNC-07', data, T0))).toEqual({
      'Machine/State': 'SETUP',
      // Born UInt64: read unsigned. Without the birth's type the same bits would be read as -1.
      'Counts/Good': 2 ** 64,
      'Spindle/Temp': -3.5,
    });
    const unborn = new SparkplugDecoder();
    const named = Payload.encode(
      Payload.fromObject({ metrics: [{ name: 'Counts/Good', longValue: '18446744073709551615' }] }),
    ).finish();
    expect(valuesOf(unborn.decode('spBv1.0/PLANT1/DDATA/EDGE1/CNC-07', named, T0))).toEqual({
      'Counts/Good': -1,
    });
  });

  it('NDATA: node metrics resolved through the node birth, Node Control left out', () => {
    const decoder = bornDecoder();
    const data = encode({
      timestamp: T0 + 1000,
      metrics: [
        { alias: 100, type: 'Float', value: 80 },
        { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
      ],
    });
    expect(samplesOf(decoder.decode('spBv1.0/PLANT1/NDATA/EDGE1', data, T0))).toEqual([
      { source: NODE, metric: 'Gateway/CPU', ts: T0 + 1000, value: 80 },
    ]);
  });

  it('DDATA of a device never born (e.g. after our restart) is rejected; unknown aliases beside known ones are dropped', () => {
    const decoder = bornDecoder();
    const onlyAliases = encode({ metrics: [{ alias: 1, type: 'String', value: 'RUNNING' }] });
    expect(reason(decoder.decode('spBv1.0/PLANT1/DDATA/EDGE1/CNC-99', onlyAliases, T0))).toBe(
      `rejected: unknown alias 1 (no birth seen for ${NODE}/CNC-99)`,
    );
    expect(reason(new SparkplugDecoder().decode('spBv1.0/PLANT1/DDATA/EDGE1/CNC-07', onlyAliases, T0))).toBe(
      `rejected: unknown alias 1 (no birth seen for ${DEVICE})`,
    );

    const unknown = encode({
      metrics: [
        { alias: 41, type: 'Int32', value: 1 },
        { alias: 42, type: 'Int32', value: 2 },
      ],
    });
    expect(reason(decoder.decode('spBv1.0/PLANT1/DDATA/EDGE1/CNC-07', unknown, T0))).toBe(
      `rejected: unknown alias 41 and 1 more (not in the birth of ${DEVICE})`,
    );

    const mixed = encode({
      metrics: [
        { alias: 41, type: 'Int32', value: 1 },
        { alias: 2, type: 'UInt64', value: 1300 },
      ],
    });
    expect(valuesOf(decoder.decode('spBv1.0/PLANT1/DDATA/EDGE1/CNC-07', mixed, T0))).toEqual({
      'Counts/Good': 1300,
    });
  });

  it('metrics named in full need no birth', () => {
    const data = encode({ metrics: [{ name: 'Spindle/Load', type: 'Int16', value: -12 }] });
    expect(valuesOf(new SparkplugDecoder().decode('spBv1.0/PLANT1/DDATA/EDGE1/CNC-07', data, T0))).toEqual({
      'Spindle/Load': -12,
    });
  });

  it('DDEATH: the device goes offline, the node stays online', () => {
    const decoder = bornDecoder();
    const m = decoder.decode(
      'spBv1.0/PLANT1/DDEATH/EDGE1/CNC-07',
      encode({ timestamp: T0 + 9000 }),
      T0 + 9500,
    );
    expect(m).toEqual({
      kind: 'connection',
      siteCode: 'PLANT1',
      changes: [{ source: DEVICE, online: false, ts: T0 + 9000 }],
      samples: [],
    });
    expect(decoder.online()).toEqual([NODE]);
  });

  it('a stale NDEATH (bdSeq of an earlier session) is ignored: the node stays online', () => {
    const decoder = bornDecoder();
    expect(reason(decoder.decode('spBv1.0/PLANT1/NDEATH/EDGE1', ndeath(2), T0 + 10_000))).toBe(
      'ignored: stale NDEATH bdSeq 2 (current 3)',
    );
    expect(decoder.online()).toEqual([NODE, DEVICE]);
  });

  it('the NDEATH of the current session takes the node and its online devices offline, at arrival', () => {
    const decoder = bornDecoder();
    decoder.decode('spBv1.0/PLANT1/DBIRTH/EDGE1/CNC-08', dbirth(), T0);
    decoder.decode('spBv1.0/PLANT1/DDEATH/EDGE1/CNC-08', encode({}), T0 + 1000);
    // The will was composed at connect: its timestamp is not the time of death.
    const death = encode({ timestamp: T0, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 3 }] });
    expect(decoder.decode('spBv1.0/PLANT1/NDEATH/EDGE1', death, T0 + 20_000)).toEqual({
      kind: 'connection',
      siteCode: 'PLANT1',
      changes: [
        { source: NODE, online: false, ts: T0 + 20_000 },
        { source: DEVICE, online: false, ts: T0 + 20_000 },
      ],
      samples: [],
    });
    expect(decoder.online()).toEqual([]);
  });

  it('a new NBIRTH brings the node back; the old session’s NDEATH arriving late is then stale', () => {
    const decoder = bornDecoder();
    decoder.decode('spBv1.0/PLANT1/NDEATH/EDGE1', ndeath(3), T0 + 20_000);
    const rebirth = decoder.decode('spBv1.0/PLANT1/NBIRTH/EDGE1', nbirth(4, T0 + 30_000), T0 + 30_000);
    expect(rebirth.kind === 'connection' && rebirth.changes).toEqual([
      { source: NODE, online: true, ts: T0 + 30_000 },
    ]);
    expect(decoder.online()).toEqual([NODE]);
    expect(reason(decoder.decode('spBv1.0/PLANT1/NDEATH/EDGE1', ndeath(3), T0 + 31_000))).toBe(
      'ignored: stale NDEATH bdSeq 3 (current 4)',
    );
    decoder.decode('spBv1.0/PLANT1/DBIRTH/EDGE1/CNC-07', dbirth(T0 + 30_000), T0 + 30_000);
    expect(decoder.online()).toEqual([NODE, DEVICE]);
  });

  it('an NDEATH with no birth seen since we started is taken as current', () => {
    const decoder = new SparkplugDecoder();
    // Started in the middle of the node's session: the device's birth is all we saw.
    decoder.decode('spBv1.0/PLANT1/DBIRTH/EDGE1/CNC-07', dbirth(), T0);
    expect(decoder.online()).toEqual([DEVICE]);
    const m = decoder.decode('spBv1.0/PLANT1/NDEATH/EDGE1', ndeath(7), T0 + 1000);
    expect(m.kind === 'connection' && m.changes.map((c) => [c.source, c.online])).toEqual([
      [NODE, false],
      [DEVICE, false],
    ]);
    expect(decoder.online()).toEqual([]);
  });

  it('reads every scalar type; skips Bytes, Files, Templates, nulls and non-finite numbers', () => {
    const data = encode({
      timestamp: T0,
      metrics: [
        { name: 'i8', type: 'Int8', value: -5 },
        { name: 'i32', type: 'Int32', value: -100_000 },
        { name: 'i64', type: 'Int64', value: -9_000_000_000 },
        { name: 'u16', type: 'UInt16', value: 65_000 },
        { name: 'u32', type: 'UInt32', value: 3_000_000_000 },
        { name: 'u64', type: 'UInt64', value: 2 ** 40 },
        { name: 'f', type: 'Float', value: 0.5 },
        { name: 'b', type: 'Boolean', value: true },
        { name: 'text', type: 'Text', value: 'long text' },
        { name: 'uuid', type: 'UUID', value: '0b0f3c3e-4b1f-4f7a-9a55-5a4b0e3f2d11' },
        { name: 'dt', type: 'DateTime', value: T0 - 1000 },
        { name: 'bytes', type: 'Bytes', value: new Uint8Array([1, 2, 3]) },
        { name: 'file', type: 'File', value: new Uint8Array([4]) },
        {
          name: 'tpl',
          type: 'Template',
          value: {
            templateRef: 'Motor',
            isDefinition: false,
            metrics: [{ name: 'rpm', type: 'Int32', value: 1 }],
          },
        },
        { name: 'nul', type: 'Double', value: null },
        { name: 'nan', type: 'Double', value: Number.NaN },
        { name: 'inf', type: 'Float', value: Number.POSITIVE_INFINITY },
      ],
    });
    expect(valuesOf(new SparkplugDecoder().decode('spBv1.0/PLANT1/NDATA/EDGE1', data, T0))).toEqual({
      i8: -5,
      i32: -100_000,
      i64: -9_000_000_000,
      u16: 65_000,
      u32: 3_000_000_000,
      u64: 2 ** 40,
      f: 0.5,
      b: true,
      text: 'long text',
      uuid: '0b0f3c3e-4b1f-4f7a-9a55-5a4b0e3f2d11',
      dt: T0 - 1000,
    });
  });

  it('timestamps: the metric’s own, else the payload’s, else the time of arrival', () => {
    const decoder = new SparkplugDecoder();
    const withPayloadTs = encode({
      timestamp: T0 + 2000,
      metrics: [
        { name: 'a', type: 'Int32', value: 1, timestamp: T0 + 1000 },
        { name: 'b', type: 'Int32', value: 2 },
      ],
    });
    expect(
      samplesOf(decoder.decode('spBv1.0/PLANT1/NDATA/EDGE1', withPayloadTs, T0 + 3000)).map((s) => s.ts),
    ).toEqual([T0 + 1000, T0 + 2000]);
    const bare = encode({ metrics: [{ name: 'c', type: 'Int32', value: 3 }] });
    expect(samplesOf(decoder.decode('spBv1.0/PLANT1/NDATA/EDGE1', bare, T0 + 3000))[0]?.ts).toBe(T0 + 3000);
  });

  it('rejects what is not a Sparkplug B payload, never throwing', () => {
    const decoder = bornDecoder();
    for (const garbage of [Buffer.from('not a protobuf at all'), new Uint8Array([0xff, 0xff, 0xff])]) {
      expect(reason(decoder.decode('spBv1.0/PLANT1/DDATA/EDGE1/CNC-07', garbage, T0))).toMatch(
        /^rejected: malformed Sparkplug payload: /,
      );
    }
    expect(decoder.online()).toEqual([NODE, DEVICE]);
  });

  it('ignores host STATE and commands', () => {
    const decoder = new SparkplugDecoder();
    const json = Buffer.from('{"online":true,"timestamp":1}');
    expect(decoder.decode('spBv1.0/STATE/scada-1', json, T0).kind).toBe('ignored');
    expect(decoder.decode('spBv1.0/PLANT1/NCMD/EDGE1', encode({}), T0).kind).toBe('ignored');
    expect(decoder.decode('spBv1.0/PLANT1/DCMD/EDGE1/CNC-07', encode({}), T0).kind).toBe('ignored');
  });

  it.each([
    ['too short', 'spBv1.0/PLANT1/NBIRTH', /^rejected: topic must be spBv1\.0\/\{group_id\}/],
    ['too long', 'spBv1.0/PLANT1/DDATA/EDGE1/CNC-07/x', /^rejected: topic must be spBv1\.0\/\{group_id\}/],
    ['an empty segment', 'spBv1.0/PLANT1/NDATA/', /^rejected: topic must be spBv1\.0\/\{group_id\}/],
    ['another namespace', 'spAv1.0/PLANT1/NDATA/EDGE1', /^rejected: topic must be spBv1\.0\/\{group_id\}/],
    [
      'an unknown message type',
      'spBv1.0/PLANT1/NALARM/EDGE1',
      /^rejected: unknown Sparkplug message type NALARM$/,
    ],
    ['a node message with a device', 'spBv1.0/PLANT1/NDATA/EDGE1/CNC-07', /^rejected: NDATA topic must be/],
    ['a device message without one', 'spBv1.0/PLANT1/DDATA/EDGE1', /^rejected: DDATA topic must be/],
  ])('rejects a topic %s', (_, topic, expected) => {
    expect(reason(new SparkplugDecoder().decode(topic, encode({}), T0))).toMatch(expected);
  });

  it('builds the NCMD payload asking an edge node to rebirth', () => {
    const request = SparkplugDecoder.rebirthRequest(T0);
    expect(Buffer.isBuffer(request)).toBe(true);
    const decoded = sparkplug.decodePayload(request);
    expect(Number(decoded.timestamp)).toBe(T0);
    expect(decoded.metrics?.map((m) => [m.name, m.type, m.value])).toEqual([
      ['Node Control/Rebirth', 'Boolean', true],
    ]);
  });

  it('recognises Sparkplug topics', () => {
    expect(isSparkplugTopic('spBv1.0/PLANT1/NDATA/EDGE1')).toBe(true);
    expect(isSparkplugTopic('spBv1.0/STATE/scada-1')).toBe(true);
    expect(isSparkplugTopic('mom/PLANT1/LINE2/CNC-07/state')).toBe(false);
    expect(isSparkplugTopic('spBv1.0x/PLANT1')).toBe(false);
  });
});
