import { org } from 'sparkplug-payload/lib/sparkplugPayloadProto';
import { type DecodedMessage, type Sample, type SampleValue } from '../engine/machine-message';

/**
 * Sparkplug B (Eclipse Tahu, `spBv1.0/…`) messages decoded into normalised samples and connection changes.
 *
 * Sparkplug is stateful: a birth certificate (NBIRTH/DBIRTH) names every metric and may give each an alias,
 * after which data messages carry only the alias (and, per the specification, usually no datatype either); a
 * death certificate (NDEATH) is the MQTT will registered when the edge node connected, numbered by `bdSeq` to
 * match it to its birth. So one decoder instance keeps, per edge node and device, what the last birth said.
 * After a restart of ours nothing is known until the next births: data that can only be read through a birth is
 * rejected until then (the caller may ask the edge node for a rebirth).
 *
 * The payload is read with the protobuf definitions shipped with `sparkplug-payload`, not with its
 * `decodePayload`: that one throws on a DataSet with e.g. Int32 or DateTime columns (so a whole birth would be
 * lost over one metric we skip anyway) and answers null for a UInt32 sent in the 32-bit field.
 */

const Payload = org.eclipse.tahu.protobuf.Payload;
const PREFIX = 'spBv1.0';
const TOPIC_SHAPE = 'topic must be spBv1.0/{group_id}/{message_type}/{edge_node_id}[/{device_id}]';
const NODE_MESSAGES = ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'] as const;
const DEVICE_MESSAGES = ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'] as const;
type MessageType = (typeof NODE_MESSAGES)[number] | (typeof DEVICE_MESSAGES)[number];

/** The birth/death sequence number: in NBIRTH and NDEATH, matching a death certificate to its session. */
const BD_SEQ = 'bdSeq';
/** Commands the edge node accepts (rebirth, reboot …), announced in its birth: not measurements. */
const NODE_CONTROL = 'Node Control/';

/** Sparkplug B datatype codes (the `DataType` enum of sparkplug_b.proto) of the values kept. */
const T = {
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
  UUID: 15,
} as const;

/**
 * A metric as `Payload.toObject(…, { longs: String })` gives it: only the fields present on the wire (a proto2
 * message otherwise answers defaults, e.g. alias 0), 64-bit integers as decimal strings so no `Long` leaks out.
 */
interface WireMetric {
  name?: string;
  alias?: string;
  timestamp?: string;
  datatype?: number;
  isNull?: boolean;
  intValue?: number;
  longValue?: string;
  floatValue?: number;
  doubleValue?: number;
  booleanValue?: boolean;
  stringValue?: string;
}

interface WirePayload {
  timestamp?: string;
  metrics?: WireMetric[];
}

/** What a birth certificate said about its metrics, needed to read the data messages after it. */
interface Birth {
  /** alias (decimal, as on the wire) → metric name. */
  names: Map<string, string>;
  /** metric name → datatype, as data messages may leave the datatype out. */
  types: Map<string, number>;
}

interface DeviceState {
  birth: Birth;
  online: boolean;
}

interface NodeState {
  /** From the last NBIRTH; null: it carried none. */
  bdSeq: number | null;
  /** null: devices born before we saw the node's birth (after our restart). */
  birth: Birth | null;
  online: boolean;
  /** device id → state. */
  devices: Map<string, DeviceState>;
}

interface SparkplugTopic {
  group: string;
  type: MessageType;
  edge: string;
  /** '' for node messages. */
  device: string;
}

/** Whether a topic belongs to Sparkplug B (and goes to a `SparkplugDecoder`, even when malformed). */
export function isSparkplugTopic(topic: string): boolean {
  return topic === PREFIX || topic.startsWith(`${PREFIX}/`);
}

/** Decodes the Sparkplug B messages of one MQTT subscription, keeping what births said per edge node and device. */
export class SparkplugDecoder {
  /** node source (`spBv1.0/{group}/{edge}`) → state. */
  private readonly nodes = new Map<string, NodeState>();

  /** One MQTT message; never throws: what cannot be read comes back `rejected`. */
  decode(topic: string, payload: Uint8Array, receivedAt: number): DecodedMessage {
    const parsed = parseTopic(topic);
    if ('kind' in parsed) return parsed;
    const { group, type, edge, device } = parsed;
    // Commands travel from a host application to the edge: they say nothing about the machine's state.
    if (type === 'NCMD' || type === 'DCMD') {
      return { kind: 'ignored', reason: `${type}: a command to the edge` };
    }

    let body: WirePayload;
    try {
      body = Payload.toObject(Payload.decode(payload), { longs: String });
    } catch (e) {
      return {
        kind: 'rejected',
        reason: `malformed Sparkplug payload: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    const metrics = body.metrics ?? [];
    const payloadTs = body.timestamp !== undefined ? Number(body.timestamp) : receivedAt;
    const nodeSource = `${PREFIX}/${group}/${edge}`;
    const node = this.nodes.get(nodeSource);
    // Births and data of a device share its source: the message type is not part of it.
    const deviceSource = `${nodeSource}/${device}`;

    switch (type) {
      case 'NBIRTH': {
        const birth = readBirth(metrics);
        // A rebirth (e.g. on a host's request) does not take the devices offline: their DBIRTHs follow.
        this.nodes.set(nodeSource, {
          bdSeq: bdSeqOf(metrics),
          birth,
          online: true,
          devices: node?.devices ?? new Map<string, DeviceState>(),
        });
        const { samples } = readSamples(metrics, nodeSource, birth, payloadTs, isNodeMeasurement);
        return connection(group, [{ source: nodeSource, online: true, ts: payloadTs }], samples);
      }
      case 'DBIRTH': {
        const birth = readBirth(metrics);
        const state = node ?? this.unbornNode(nodeSource);
        state.devices.set(device, { birth, online: true });
        const { samples } = readSamples(metrics, deviceSource, birth, payloadTs);
        return connection(group, [{ source: deviceSource, online: true, ts: payloadTs }], samples);
      }
      case 'NDATA':
      case 'DDATA': {
        const source = type === 'NDATA' ? nodeSource : deviceSource;
        const birth = type === 'NDATA' ? node?.birth : node?.devices.get(device)?.birth;
        const keep = type === 'NDATA' ? isNodeMeasurement : undefined;
        const { samples, unknownAliases } = readSamples(metrics, source, birth ?? null, payloadTs, keep);
        if (samples.length === 0 && unknownAliases.length > 0) {
          const more = unknownAliases.length > 1 ? ` and ${unknownAliases.length - 1} more` : '';
          const why = birth ? `not in the birth of ${source}` : `no birth seen for ${source}`;
          return { kind: 'rejected', reason: `unknown alias ${unknownAliases[0]}${more} (${why})` };
        }
        // Some aliases resolved: the unknown rest is dropped rather than the whole message.
        return { kind: 'samples', siteCode: group, samples };
      }
      case 'DDEATH': {
        const state = node?.devices.get(device);
        if (state) state.online = false;
        return connection(group, [{ source: deviceSource, online: false, ts: payloadTs }], []);
      }
      case 'NDEATH': {
        const deathSeq = bdSeqOf(metrics);
        // A will from an earlier session, delivered late (the broker noticed the old connection dropping after
        // the node had reconnected): the node is alive in its new session.
        if (node && node.bdSeq !== null && deathSeq !== null && deathSeq !== node.bdSeq) {
          return { kind: 'ignored', reason: `stale NDEATH bdSeq ${deathSeq} (current ${node.bdSeq})` };
        }
        // The will was composed when the node connected: its timestamp, if any, is the session's start, not
        // the death's. The broker publishes it when it notices the loss, which is the best time there is.
        const ts = receivedAt;
        const changes = [{ source: nodeSource, online: false, ts }];
        if (node) {
          node.online = false;
          for (const [id, d] of node.devices) {
            if (!d.online) continue;
            d.online = false;
            changes.push({ source: `${nodeSource}/${id}`, online: false, ts });
          }
        }
        return connection(group, changes, []);
      }
    }
  }

  /**
   * The payload of an NCMD asking an edge node to publish its births again: how a host that started in the
   * middle of a session (data with aliases it cannot resolve) learns the aliases without waiting for a reconnect.
   */
  static rebirthRequest(now: number = Date.now()): Buffer {
    const bytes = Payload.encode(
      Payload.create({
        timestamp: now,
        metrics: [
          { name: `${NODE_CONTROL}Rebirth`, timestamp: now, datatype: T.Boolean, booleanValue: true },
        ],
      }),
    ).finish();
    // MQTT clients take a Buffer; this one shares the encoded bytes rather than copying them.
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The edge nodes and devices currently known online (their sources), sorted. */
  online(): string[] {
    const out: string[] = [];
    for (const [source, node] of this.nodes) {
      if (node.online) out.push(source);
      for (const [id, d] of node.devices) if (d.online) out.push(`${source}/${id}`);
    }
    return out.sort();
  }

  /** A node whose devices were born before we saw it born itself (we started in the middle of its session). */
  private unbornNode(source: string): NodeState {
    const state: NodeState = { bdSeq: null, birth: null, online: false, devices: new Map() };
    this.nodes.set(source, state);
    return state;
  }
}

function parseTopic(topic: string): SparkplugTopic | DecodedMessage {
  const parts = topic.split('/');
  if (parts[0] !== PREFIX) return { kind: 'rejected', reason: TOPIC_SHAPE };
  // Host applications announce themselves on spBv1.0/STATE/{host_id} (retained): not machine data.
  if (parts[1] === 'STATE' && parts.length === 3 && parts[2]) {
    return { kind: 'ignored', reason: 'Sparkplug host application STATE' };
  }
  if (parts.length < 4 || parts.length > 5 || parts.some((p) => p === '')) {
    return { kind: 'rejected', reason: TOPIC_SHAPE };
  }
  const [, group = '', type = '', edge = '', device] = parts;
  const isNode = (NODE_MESSAGES as readonly string[]).includes(type);
  const isDevice = (DEVICE_MESSAGES as readonly string[]).includes(type);
  if (!isNode && !isDevice) return { kind: 'rejected', reason: `unknown Sparkplug message type ${type}` };
  if (isNode !== (device === undefined)) {
    const shape = isNode ? '{edge_node_id}' : '{edge_node_id}/{device_id}';
    return { kind: 'rejected', reason: `${type} topic must be spBv1.0/{group_id}/${type}/${shape}` };
  }
  return { group, type: type as MessageType, edge, device: device ?? '' };
}

function connection(
  siteCode: string,
  changes: Array<{ source: string; online: boolean; ts: number }>,
  samples: Sample[],
): DecodedMessage {
  return { kind: 'connection', siteCode, changes, samples };
}

/** Node metrics that are bookkeeping of the protocol, not of the machine, are no samples. */
function isNodeMeasurement(name: string): boolean {
  return name !== BD_SEQ && !name.startsWith(NODE_CONTROL);
}

function readBirth(metrics: readonly WireMetric[]): Birth {
  const birth: Birth = { names: new Map(), types: new Map() };
  for (const m of metrics) {
    if (m.name === undefined) continue;
    if (m.alias !== undefined) birth.names.set(m.alias, m.name);
    if (m.datatype !== undefined) birth.types.set(m.name, m.datatype);
  }
  return birth;
}

function bdSeqOf(metrics: readonly WireMetric[]): number | null {
  const m = metrics.find((x) => x.name === BD_SEQ);
  if (!m) return null;
  const v = scalarValue(m, m.datatype ?? T.UInt64);
  return typeof v === 'number' ? v : null;
}

/**
 * The samples of a message's metrics, named through `birth` where they carry only an alias. Metrics whose value
 * is not a scalar (DataSet, Template, Bytes, File, PropertySet) or is null are skipped; so are aliases the birth
 * does not know, which are listed for the caller to report.
 */
function readSamples(
  metrics: readonly WireMetric[],
  source: string,
  birth: Birth | null,
  payloadTs: number,
  keep: (name: string) => boolean = () => true,
): { samples: Sample[]; unknownAliases: string[] } {
  const samples: Sample[] = [];
  const unknownAliases: string[] = [];
  for (const m of metrics) {
    const name = m.name ?? (m.alias !== undefined ? birth?.names.get(m.alias) : undefined);
    if (name === undefined) {
      if (m.alias !== undefined) unknownAliases.push(m.alias);
      continue;
    }
    if (!keep(name)) continue;
    const value = scalarValue(m, m.datatype ?? birth?.types.get(name));
    if (value === null) continue;
    const ts = m.timestamp !== undefined ? Number(m.timestamp) : payloadTs;
    samples.push({ source, metric: name, ts, value });
  }
  return { samples, unknownAliases };
}

/**
 * The value of a metric as a sample value, or null when it has none we keep. With no datatype known (a data
 * message without its birth) it is taken from the value field present; whole numbers are then read as signed,
 * negative readings being more common than unsigned ones of 2^31 and up.
 */
function scalarValue(m: WireMetric, datatype: number | undefined): SampleValue | null {
  if (m.isNull) return null;
  switch (datatype) {
    case T.Int8:
    case T.Int16:
    case T.Int32:
    case T.Int64:
      return integer(m, true);
    case T.UInt8:
    case T.UInt16:
    case T.UInt32:
    case T.UInt64:
    case T.DateTime:
      return integer(m, false);
    case T.Float:
      return finite(m.floatValue);
    case T.Double:
      return finite(m.doubleValue);
    case T.Boolean:
      return m.booleanValue ?? null;
    case T.String:
    case T.Text:
    case T.UUID:
      return m.stringValue ?? null;
    case undefined:
      return (
        integer(m, true) ?? finite(m.doubleValue ?? m.floatValue) ?? m.booleanValue ?? m.stringValue ?? null
      );
    default:
      return null;
  }
}

/**
 * A whole number from either integer field: implementations disagree on which carries UInt32 (and some put small
 * types in the 64-bit one). Signed types are sent as two's complement, so the sign is restored from the width.
 * Beyond 2^53 precision is lost, which no counter on a machine reaches.
 */
function integer(m: WireMetric, signed: boolean): number | null {
  if (m.intValue !== undefined) return signed ? m.intValue | 0 : m.intValue >>> 0;
  if (m.longValue !== undefined) {
    const big = BigInt(m.longValue);
    return Number(signed ? BigInt.asIntN(64, big) : big);
  }
  return null;
}

/** NaN and ±Infinity (a failed sensor, a division by zero in the PLC) are not values we can store or chart. */
function finite(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}
