/**
 * Machine messages arriving over MQTT, decoded into normalised samples: the shared result types, and the plain
 * JSON convention (`mom/{site}/{line}/{equipment}/{state|count|param}`) for machines and gateways that do not
 * speak Sparkplug B. Pure (no framework, no I/O, no clock: the caller passes the time of arrival).
 *
 * Nothing here throws on bad input: a broker delivers whatever any client publishes, and one broken gateway
 * must not stop the ingest. A malformed message becomes `rejected` with a reason the caller counts and lists.
 */

export type SampleValue = number | string | boolean;

/** One value of one metric of one source at one instant. */
export interface Sample {
  /** Where the value comes from: the MQTT topic (plain JSON) or the Sparkplug edge node / device. */
  source: string;
  metric: string;
  /** ms since epoch. */
  ts: number;
  value: SampleValue;
}

/** What one MQTT message amounts to. */
export type DecodedMessage =
  | { kind: 'samples'; siteCode: string; samples: Sample[] }
  | {
      kind: 'connection';
      siteCode: string;
      changes: Array<{ source: string; online: boolean; ts: number }>;
      samples: Sample[];
    }
  /** Valid, but nothing for us (e.g. Sparkplug STATE, NCMD/DCMD). */
  | { kind: 'ignored'; reason: string }
  /** Malformed: counted and listed by the caller, never thrown. */
  | { kind: 'rejected'; reason: string };

/** The last topic segment of the plain convention: what the equipment reports. */
export const PLAIN_KINDS = ['state', 'count', 'param'] as const;

/** Largest plain payload accepted, in bytes: a machine message is small; a huge one is a misconfigured client. */
const PLAIN_MAX_BYTES = 64 * 1024;
/** Largest batch (array payload) accepted, in items. */
const PLAIN_MAX_ITEMS = 1000;
/** Longest string value accepted: states and codes, not documents. */
const PLAIN_MAX_STRING = 200;
/** Longest metric name accepted. */
const PLAIN_MAX_METRIC_NAME = 100;
/** How far a sample may lie after its arrival: beyond, the sender's clock is wrong, not merely skewed. */
const PLAIN_MAX_FUTURE_MS = 60 * 60 * 1000;

const TOPIC_SHAPE = 'topic must be mom/{site}/{line}/{equipment}/{state|count|param}';
const VALUE_SHAPE = 'must be a finite number, string or boolean';
/** The only key of a plain object payload that is not a metric. */
const TS_KEY = 'ts';

// ISO-8601 date-time with a mandatory zone: a timestamp without one would be read in the server's zone.
const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** A failure while reading a plain payload; carried out as the `rejected` reason. */
class Rejection extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * One message of the plain JSON convention. `source` of every sample is the whole topic, the site is its second
 * segment. The payload is UTF-8 JSON: a bare number, string or boolean (one sample, metric `value`); an object
 * whose keys other than `ts` are metrics (`ts`: ISO-8601 with a zone, or ms since epoch; missing → `receivedAt`);
 * or an array of such objects (a batch). Anything else is `rejected` with the path of the problem.
 */
export function decodePlain(topic: string, payload: Uint8Array | string, receivedAt: number): DecodedMessage {
  const segments = topic.split('/');
  const [root, siteCode, line, equipment, kind] = segments;
  if (
    segments.length !== 5 ||
    root !== 'mom' ||
    !siteCode ||
    !line ||
    !equipment ||
    !(PLAIN_KINDS as readonly string[]).includes(kind ?? '')
  ) {
    return { kind: 'rejected', reason: TOPIC_SHAPE };
  }

  const size = typeof payload === 'string' ? utf8Encoder.encode(payload).byteLength : payload.byteLength;
  if (size > PLAIN_MAX_BYTES) {
    return { kind: 'rejected', reason: `payload of ${size} bytes is larger than ${PLAIN_MAX_BYTES}` };
  }
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : utf8.decode(payload);
  } catch {
    return { kind: 'rejected', reason: 'payload is not valid UTF-8' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { kind: 'rejected', reason: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }

  try {
    const samples = readPayload(json, topic, receivedAt);
    return { kind: 'samples', siteCode, samples };
  } catch (e) {
    if (e instanceof Rejection) return { kind: 'rejected', reason: e.reason };
    throw e;
  }
}

function readPayload(json: unknown, source: string, receivedAt: number): Sample[] {
  if (Array.isArray(json)) {
    if (json.length === 0) throw new Rejection('payload: empty array');
    if (json.length > PLAIN_MAX_ITEMS) {
      throw new Rejection(`payload: ${json.length} items, more than ${PLAIN_MAX_ITEMS}`);
    }
    return json.flatMap((item, i) => readObject(item, `payload[${i}]`, source, receivedAt));
  }
  if (isObject(json)) return readObject(json, 'payload', source, receivedAt);
  return [{ source, metric: 'value', ts: receivedAt, value: readValue(json, 'payload') }];
}

function readObject(item: unknown, path: string, source: string, receivedAt: number): Sample[] {
  if (!isObject(item)) throw new Rejection(`${path}: must be an object of metrics`);
  const ts = TS_KEY in item ? readTs(item[TS_KEY], `${path}.${TS_KEY}`, receivedAt) : receivedAt;
  const samples: Sample[] = [];
  for (const [metric, raw] of Object.entries(item)) {
    if (metric === TS_KEY) continue;
    const at = `${path}${keyPath(metric)}`;
    if (metric.length === 0 || metric.length > PLAIN_MAX_METRIC_NAME) {
      throw new Rejection(`${at}: metric name must be 1–${PLAIN_MAX_METRIC_NAME} characters`);
    }
    samples.push({ source, metric, ts, value: readValue(raw, at) });
  }
  if (samples.length === 0) throw new Rejection(`${path}: no metrics`);
  return samples;
}

function readValue(raw: unknown, path: string): SampleValue {
  // JSON cannot carry NaN or Infinity, but a literal like 1e400 parses to Infinity.
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    if (raw.length > PLAIN_MAX_STRING) {
      throw new Rejection(`${path}: string of ${raw.length} characters, longer than ${PLAIN_MAX_STRING}`);
    }
    return raw;
  }
  throw new Rejection(`${path}: ${VALUE_SHAPE}`);
}

/** 2000-01-01T00:00:00Z: no machine data is older. */
const EARLIEST_TS = 946_684_800_000;

function readTs(raw: unknown, path: string, receivedAt: number): number {
  let ts: number;
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw <= 0) {
      throw new Rejection(`${path}: a number must be whole ms since epoch, greater than 0`);
    }
    ts = raw;
  } else if (typeof raw === 'string') {
    const parsed = parseIsoWithZone(raw);
    if (parsed === null) {
      throw new Rejection(`${path}: not an ISO-8601 date-time with a zone (Z or ±hh:mm): ${clip(raw)}`);
    }
    if (parsed <= 0) throw new Rejection(`${path}: must be after 1970-01-01T00:00:00Z`);
    ts = parsed;
  } else {
    throw new Rejection(`${path}: must be an ISO-8601 string with a zone or ms since epoch`);
  }
  // A clock in seconds, or one never set, would file the value decades back: refused rather than misfiled.
  if (ts < EARLIEST_TS) {
    throw new Rejection(
      `${path}: before 2000-01-01 (${new Date(ts).toISOString()}); send ms since epoch or ISO-8601`,
    );
  }
  if (ts > receivedAt + PLAIN_MAX_FUTURE_MS) {
    throw new Rejection(`${path}: timestamp in the future (${new Date(ts).toISOString()})`);
  }
  return ts;
}

/**
 * ms since epoch of an ISO-8601 date-time with a zone, or null. Parsed by hand rather than by `Date.parse`,
 * which accepts other shapes and, depending on the engine, rolls impossible dates (Feb 30) into the next month.
 */
function parseIsoWithZone(text: string): number | null {
  const m = ISO_WITH_ZONE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone, sign, zh, zm] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? 0);
  // Digits past the millisecond are cut, not rounded: a sample never moves to a later millisecond.
  const ms = Number((frac ?? '').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const oh = Number(zh);
    const om = Number(zm);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const utc = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, ms);
  return utc.getTime() - offsetMinutes * 60_000;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** `.name` for plain identifiers, `["…"]` for the rest, so that the path in a reason stays unambiguous. */
function keyPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(clip(key))}]`;
}

/** A sender's text quoted in a reason, cut short: reasons are listed to people, not stored payloads. */
function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
