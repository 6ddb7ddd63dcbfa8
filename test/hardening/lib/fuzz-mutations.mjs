// Requests for the OpenAPI fuzzer: a valid request per operation generated from its schema, and mutated ones
// (wrong types, nulls, missing fields, huge and hostile strings, unknown fields, edge-case numbers, deep
// nesting, huge arrays, wrong content types, malformed JSON, bad path ids, bad query parameters, bad headers).
// A request is `{ kind, variant, pathValues, query, headers, body, contentType, bodyValue }` where `pathValues`
// hold already-encoded path segments, `query` is a raw query string and `body` the exact bytes to send;
// `bodyValue` is the JSON value when the body is one (to check it against the documented request schema).

/** A piece of JSON text spliced in as is: numbers JSON.stringify cannot write (NaN, 1e999, -0) and huge nests. */
export class Raw {
  constructor(text) {
    this.text = text;
  }
}

/** JSON text of a value that may hold Raw pieces. */
export function serialize(value) {
  if (value instanceof Raw) return value.text;
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    // Own keys only, but including a literal "__proto__" made by JSON.parse.
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}:${serialize(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const hasRaw = (value) =>
  value instanceof Raw ||
  (value !== null && typeof value === 'object' && Object.values(value).some((v) => hasRaw(v)));

/** A deep copy that keeps Raw pieces (structuredClone would turn them into plain objects). */
function clone(value) {
  if (value instanceof Raw || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clone);
  const out = {};
  for (const k of Object.keys(value)) {
    Object.defineProperty(out, k, {
      value: clone(value[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

const MIB = 1024 * 1024;
const BODY_LIMIT = MIB; // the app's default BODY_LIMIT (1mb)

// ---------------------------------------------------------------------------------------------------------
// Where a body can be changed
// ---------------------------------------------------------------------------------------------------------

/** Every position in a body: `{ path: [...keys], value, schema, type }` (type: the documented JSON type). */
function locations(book, value, schema, path = [], out = []) {
  const s = schema ? book.resolve(schema) : undefined;
  const alt = s && (s.oneOf ?? s.anyOf);
  const effective = alt?.length ? book.resolve(alt[0]) : s;
  out.push({ path, value, schema: effective, type: effective ? book.typeOf(effective) : undefined });
  if (Array.isArray(value)) {
    value.slice(0, 3).forEach((item, i) => locations(book, item, effective?.items, [...path, i], out));
  } else if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value))
      locations(book, value[k], effective?.properties?.[k], [...path, k], out);
  }
  return out;
}

function setAt(root, path, newValue) {
  if (path.length === 0) return newValue;
  const copy = clone(root);
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k];
  node[path[path.length - 1]] = newValue;
  return copy;
}

function deleteAt(root, path) {
  const copy = clone(root);
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k];
  const last = path[path.length - 1];
  if (Array.isArray(node)) node.splice(last, 1);
  else delete node[last];
  return copy;
}

const jsonType = (v) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? 'number' : typeof v;
const where = (path) => (path.length ? path.join('.') : '(root)');

// ---------------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------------

function wrongTypeValue(rnd, current, documented) {
  const avoid = new Set([jsonType(current), documented === 'integer' ? 'number' : documented]);
  const makers = {
    string: () => rnd.pick(['', 'x', 'true', '123', '2026-01-01', rnd.uuid(), 'null']),
    number: () => rnd.pick([0, 1, -1, 3.5, 123456789]),
    boolean: () => rnd.chance(0.5),
    object: () => rnd.pick([{}, { a: 1 }, { value: current ?? 1 }]),
    array: () => rnd.pick([[], [current ?? 1], [1, 'a', null]]),
  };
  const type = rnd.pick(Object.keys(makers).filter((t) => !avoid.has(t)));
  return { value: makers[type](), label: `${jsonType(current)}→${type}` };
}

const HOSTILE_STRINGS = [
  ['NUL byte', 'a\u0000b'],
  ['only NUL', '\u0000'],
  ['lone surrogate', new Raw('"x\\ud800y"')],
  ['lone low surrogate', new Raw('"\\udc00"')],
  ['RTL override', '\u202eRTL'],
  ['emoji × 64', '🏭'.repeat(64)],
  ['combining marks', `e${'\u0301'.repeat(200)}`],
  ['SQL', "' OR '1'='1' --"],
  ['SQL LIKE wildcards', '%_%\\'],
  ['HTML', '<script>alert(1)</script>'],
  ['path traversal', '../../../etc/passwd'],
  ['template', '${jndi:ldap://x}{{7*7}}'],
  ['blank', '   '],
  ['empty', ''],
  ['control chars', '\t\n\r\u0001\u001f\u007f'],
  ['65 chars', 'x'.repeat(65)],
  ['256 chars', 'x'.repeat(256)],
  ['4097 chars', 'y'.repeat(4097)],
  ['100,001 chars', 'z'.repeat(100_001)],
  ['CJK × 5000', '工'.repeat(5000)],
  ['zero-width', '\u200b\u200c\u200d\ufeff'],
  ['CRLF injection', 'x\r\nSet-Cookie: a=b'],
  ['percent escapes', '%00%2e%2e%2f'],
  ['number-like', '1e308'],
  ['date-like', '2026-02-30T25:61:61Z'],
];

const NUMBER_EDGES = [
  ['-1', -1],
  ['-0', new Raw('-0')],
  ['0', 0],
  ['-0.000001', -0.000001],
  ['NaN literal', new Raw('NaN')],
  ['"NaN"', 'NaN'],
  ['Infinity literal', new Raw('Infinity')],
  ['"Infinity"', 'Infinity'],
  ['"-Infinity"', '-Infinity'],
  ['1e308', 1e308],
  ['-1e308', -1e308],
  ['1e999 (parses to Infinity)', new Raw('1e999')],
  ['-1e999', new Raw('-1e999')],
  ['"1e308"', '1e308'],
  ['5e-324', 5e-324],
  ['1.7976931348623157e308', 1.7976931348623157e308],
  ['1 and 400 zeros', new Raw(`1${'0'.repeat(400)}`)],
  ['"1 and 400 zeros"', `1${'0'.repeat(400)}`],
  ['1000-digit decimal', new Raw(`0.${'0'.repeat(999)}1`)],
  ['"1000-digit decimal"', `0.${'0'.repeat(999)}1`],
  ['2^53 + 1', new Raw('9007199254740993')],
  ['2^31', 2 ** 31],
  ['-2^31 - 1', -(2 ** 31) - 1],
  ['2^63', new Raw('9223372036854775808')],
  ['1.5', 1.5],
  ['"12345678901234567890.1234567"', '12345678901234567890.1234567'],
  ['"1,5"', '1,5'],
  ['" 1 "', ' 1 '],
  ['"1e3"', '1e3'],
  ['"0x10"', '0x10'],
  ['"+1"', '+1'],
  ['"-1"', '-1'],
  ['"-0"', '-0'],
  ['""', ''],
  ['fullwidth digits', '１２３'],
  ['true', true],
];

const INVALID_JSON = [
  ['truncated', (t) => t.slice(0, Math.max(1, Math.floor(t.length / 2)))],
  ['trailing comma', (t) => (t.endsWith('}') && t.length > 2 ? `${t.slice(0, -1)},}` : '[1,]')],
  ['single quotes', (t) => t.replace(/"/g, "'") || "{'a':1}"],
  ['unquoted keys', () => '{material: "x", quantity: 1}'],
  ['NaN literal', () => '{"value": NaN}'],
  ['comment', (t) => `/* c */${t}`],
  ['byte order mark', (t) => `\ufeff${t}`],
  ['garbage after', (t) => `${t}garbage`],
  ['two documents', (t) => `${t}${t}`],
  ['only whitespace', () => '   \n\t '],
  ['undefined', () => 'undefined'],
  ['bad escape', () => '{"a":"\\x41"}'],
  ['unclosed array', () => '['],
  ['unclosed string', () => '{"a":"'],
  [
    'duplicate keys',
    (t) => (t.startsWith('{') && t.length > 2 ? `{"x":1,"x":2,${t.slice(1)}` : '{"x":1,"x":2}'),
  ],
  ['__proto__ key', () => '{"__proto__":{"polluted":true}}'],
  ['constructor.prototype', () => '{"constructor":{"prototype":{"polluted":true}}}'],
  [
    'invalid UTF-8',
    () => Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
  ],
  ['UTF-16LE', (t) => Buffer.from(t, 'utf16le')],
  ['random bytes', (_t, rnd) => Buffer.from(Array.from({ length: rnd.int(1, 512) }, () => rnd.int(0, 255)))],
  ['XML', () => '<?xml version="1.0"?><a>1</a>'],
  ['JSON string', () => '"just a string"'],
  ['JSON number', () => '42'],
  ['JSON true', () => 'true'],
];

const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'text/csv',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  null, // no content-type header at all
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/merge-patch+json',
  'APPLICATION/JSON',
  'application/jsonx',
  'text/html',
  '*/*',
  'garbage',
  'application/json, text/plain',
];

const BAD_IDS = [
  ['empty', ''],
  ['null', 'null'],
  ['undefined', 'undefined'],
  ['0', '0'],
  ['-1', '-1'],
  ['1e308', '1e308'],
  ['NaN', 'NaN'],
  ['word', 'not-a-uuid'],
  ['braced UUID', (rnd) => `%7B${rnd.uuid()}%7D`],
  ['upper-case UUID', (rnd) => rnd.uuid().toUpperCase()],
  ['nil UUID', '00000000-0000-0000-0000-000000000000'],
  ['unknown UUID', (rnd) => rnd.uuid()],
  ['UUID without dashes', (rnd) => rnd.uuid().replace(/-/g, '')],
  ['UUID plus a character', (rnd) => `${rnd.uuid()}0`],
  ['8,000 characters', 'a'.repeat(8000)],
  ['NUL', '%00'],
  ['bad percent-encoding', '%ZZ'],
  ['encoded slash', '..%2F..%2Fetc%2Fpasswd'],
  ['unicode', encodeURIComponent('工单-１')],
  ['SQL', encodeURIComponent("' OR '1'='1")],
  // Not "." or "..": those are dot-segments, another resource by the rules of URLs, not a bad id.
  ['semicolon', ';x=1'],
  ['emoji', encodeURIComponent('🏭')],
];

const QUERY_VALUES = [
  ['text', 'abc'],
  ['empty', ''],
  ['-1', '-1'],
  ['0', '0'],
  ['1e6', '1e6'],
  ['1000000', '1000000'],
  ['NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['1e308', '1e308'],
  ['-0', '-0'],
  ['0.5', '0.5'],
  ['2^63', '9223372036854775808'],
  ['10,000 characters', 'q'.repeat(10_000)],
  ['NUL', '%00'],
  ['bad percent-encoding', '%E0%A4%A'],
  ['not a date', '2026-02-30T25:00:00Z'],
  ['unknown UUID', (rnd) => rnd.uuid()],
  ['SQL', encodeURIComponent("1' OR '1'='1")],
  ['true', 'true'],
  ['unicode', encodeURIComponent('工单')],
];

// ---------------------------------------------------------------------------------------------------------
// Valid requests
// ---------------------------------------------------------------------------------------------------------

export function jsonMediaType(op) {
  const types = Object.keys(op.body?.content ?? {});
  return types.find((t) => /json/i.test(t));
}

/**
 * A request the document says is valid: real ids in the path where the demo data has them, documented query
 * parameters (required ones always, optional ones sometimes), a body generated from the request schema.
 */
export function validRequest(op, book, rnd, fixtures) {
  const pathValues = Object.fromEntries(
    Object.entries(fixtures.pathTuple(op, rnd, book)).map(([k, v]) => [k, encodeURIComponent(String(v))]),
  );
  const query = [];
  for (const p of op.queryParams) {
    if (!p.required && !rnd.chance(0.4)) continue;
    const value = book.sample(p.schema ?? { type: 'string' }, rnd, fixtures.hint, p.name);
    if (Array.isArray(value))
      for (const v of value) query.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(String(v))}`);
    else query.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(String(value))}`);
  }
  const req = { kind: 'valid', variant: 'from the schema', pathValues, query: query.join('&'), headers: {} };
  if (op.body) {
    const json = jsonMediaType(op);
    const types = Object.keys(op.body.content);
    const mediaType = json ?? types[0];
    if (json || types.length === 0) {
      const value = book.sample(op.body.content[mediaType] ?? { type: 'object' }, rnd, fixtures.hint);
      Object.assign(req, {
        body: serialize(value),
        bodyValue: value,
        contentType: 'application/json',
        mediaType: json,
      });
    } else {
      const csv = fixtures.csvFor(op) ?? 'code,name\r\n';
      Object.assign(req, { body: csv, contentType: mediaType });
    }
  }
  return req;
}

// ---------------------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------------------

function bodyLocations(ctx) {
  return locations(ctx.book, ctx.valid.bodyValue, ctx.op.body.content[ctx.valid.mediaType]);
}

function withBody(ctx, kind, variant, value) {
  return {
    ...ctx.valid,
    kind,
    variant,
    body: serialize(value),
    bodyValue: hasRaw(value) ? undefined : value,
    rawJson: hasRaw(value),
  };
}

const hasJsonBody = (ctx) => ctx.valid.mediaType !== undefined;

/**
 * The null sweep: one request per property of the body — each property of the request schema at the top level
 * (added when the valid body left it out) and each nested place the valid body fills — set to null, all else
 * valid. Deterministic and exhaustive where the random `null` kind picks one place per request: a column that
 * holds no null must answer 400 for every property that maps to it.
 */
export function nullSweep(ctx) {
  if (!hasJsonBody(ctx)) return [];
  const body = ctx.valid.bodyValue;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  const schema = ctx.book.resolve(ctx.op.body.content[ctx.valid.mediaType]);
  const paths = new Map();
  for (const key of Object.keys(schema?.properties ?? {})) paths.set(JSON.stringify([key]), [key]);
  for (const loc of bodyLocations(ctx))
    if (loc.path.length > 0) paths.set(JSON.stringify(loc.path), loc.path);
  return [...paths.values()].map((path) =>
    withBody(ctx, 'null', `sweep: ${where(path)} = null`, setAt(body, path, null)),
  );
}

/** Each kind: whether it applies to an operation, and a maker of one mutated request. */
export const MUTATIONS = {
  'wrong-type': {
    applies: hasJsonBody,
    make(ctx) {
      const loc = ctx.rnd.pick(bodyLocations(ctx));
      const { value, label } = wrongTypeValue(ctx.rnd, loc.value, loc.type);
      return withBody(
        ctx,
        'wrong-type',
        `${where(loc.path)} ${label}`,
        setAt(ctx.valid.bodyValue, loc.path, value),
      );
    },
  },
  null: {
    applies: hasJsonBody,
    make(ctx) {
      const locs = bodyLocations(ctx);
      const loc = ctx.rnd.chance(0.15) ? locs[0] : ctx.rnd.pick(locs);
      return withBody(ctx, 'null', `${where(loc.path)} = null`, setAt(ctx.valid.bodyValue, loc.path, null));
    },
  },
  'missing-required': {
    applies: hasJsonBody,
    make(ctx) {
      const objects = bodyLocations(ctx).filter(
        (l) => l.value !== null && typeof l.value === 'object' && !Array.isArray(l.value),
      );
      const withRequired = objects.filter((l) => (l.schema?.required ?? []).some((k) => k in l.value));
      if (withRequired.length === 0 || ctx.rnd.chance(0.1)) {
        const empty = ctx.rnd.chance(0.5);
        return {
          ...ctx.valid,
          kind: 'missing-required',
          variant: empty ? 'empty object' : 'no body at all',
          body: empty ? '{}' : '',
          bodyValue: empty ? {} : undefined,
        };
      }
      const loc = ctx.rnd.pick(withRequired);
      const present = loc.schema.required.filter((k) => k in loc.value);
      if (ctx.rnd.chance(0.25)) {
        let value = ctx.valid.bodyValue;
        for (const k of present) value = deleteAt(value, [...loc.path, k]);
        return withBody(ctx, 'missing-required', `${where(loc.path)}: every required field removed`, value);
      }
      const k = ctx.rnd.pick(present);
      return withBody(
        ctx,
        'missing-required',
        `${where([...loc.path, k])} removed`,
        deleteAt(ctx.valid.bodyValue, [...loc.path, k]),
      );
    },
  },
  'huge-string': {
    applies: hasJsonBody,
    make(ctx) {
      const locs = bodyLocations(ctx);
      const strings = locs.filter((l) => l.type === 'string' || typeof l.value === 'string');
      const loc = ctx.rnd.pick(strings.length && ctx.rnd.chance(0.85) ? strings : locs);
      const [label, size] = ctx.rnd.pick([
        ['1 MiB', MIB],
        ['1 MiB', MIB],
        ['just under the body limit', BODY_LIMIT - ctx.valid.body.length - 64],
        ['100 KB', 100_000],
        ['65,536', 65_536],
      ]);
      const char = ctx.rnd.pick(['x', 'x', 'é', '工']);
      const bytes = Buffer.byteLength(char);
      const value = char.repeat(Math.max(1, Math.floor(size / bytes)));
      return withBody(
        ctx,
        'huge-string',
        `${where(loc.path)} = ${label} of ${char}`,
        setAt(ctx.valid.bodyValue, loc.path, value),
      );
    },
  },
  'hostile-string': {
    applies: hasJsonBody,
    make(ctx) {
      const locs = bodyLocations(ctx);
      const strings = locs.filter((l) => l.type === 'string' || typeof l.value === 'string');
      const loc = ctx.rnd.pick(strings.length && ctx.rnd.chance(0.9) ? strings : locs);
      const [label, value] = ctx.rnd.pick(HOSTILE_STRINGS);
      return withBody(
        ctx,
        'hostile-string',
        `${where(loc.path)} = ${label}`,
        setAt(ctx.valid.bodyValue, loc.path, value),
      );
    },
  },
  'unknown-field': {
    applies: hasJsonBody,
    make(ctx) {
      const objects = bodyLocations(ctx).filter(
        (l) => l.value !== null && typeof l.value === 'object' && !Array.isArray(l.value),
      );
      if (objects.length === 0) {
        return withBody(ctx, 'unknown-field', '(root) replaced by an object with an unknown field', {
          unexpected: 1,
        });
      }
      const loc = ctx.rnd.pick(objects);
      const [label, extra] = ctx.rnd.pick([
        ['unexpected', { unexpected: 'x' }],
        ['isAdmin', { isAdmin: true }],
        ['id', { id: ctx.rnd.uuid() }],
        ['siteId', { siteId: ctx.rnd.uuid() }],
        ['createdAt', { createdAt: '2000-01-01T00:00:00Z' }],
        ['version', { version: 999 }],
        ['empty key', { '': 1 }],
        ['1,000-character key', { ['k'.repeat(1000)]: 1 }],
        ['$where', { $where: '1 == 1' }],
        ['toString', { toString: 'x' }],
        ['__proto__', JSON.parse('{"__proto__":{"polluted":true}}')],
        ['constructor', { constructor: { prototype: { polluted: true } } }],
        ['10,000 unknown keys', Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))],
      ]);
      const target = { ...clone(loc.value) };
      for (const k of Object.keys(extra)) {
        Object.defineProperty(target, k, {
          value: extra[k],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return withBody(
        ctx,
        'unknown-field',
        `${where(loc.path)} + ${label}`,
        setAt(ctx.valid.bodyValue, loc.path, target),
      );
    },
  },
  'number-edge': {
    applies: hasJsonBody,
    make(ctx) {
      const locs = bodyLocations(ctx);
      const numeric = locs.filter(
        (l) =>
          l.type === 'number' ||
          l.type === 'integer' ||
          typeof l.value === 'number' ||
          (typeof l.value === 'string' && /^-?\d+(\.\d+)?$/.test(l.value)),
      );
      const loc = ctx.rnd.pick(numeric.length && ctx.rnd.chance(0.9) ? numeric : locs);
      const [label, value] = ctx.rnd.pick(NUMBER_EDGES);
      return withBody(
        ctx,
        'number-edge',
        `${where(loc.path)} = ${label}`,
        setAt(ctx.valid.bodyValue, loc.path, value),
      );
    },
  },
  'deep-nesting': {
    applies: hasJsonBody,
    make(ctx) {
      const locs = bodyLocations(ctx);
      const loc = ctx.rnd.chance(0.3) ? locs[0] : ctx.rnd.pick(locs);
      const depth = ctx.rnd.pick(ctx.full ? [1000, 10_000, 10_000, 100_000] : [1000, 10_000, 10_000]);
      const shape = ctx.rnd.pick(['array', 'object', 'array of objects']);
      const open = shape === 'array' ? '[' : shape === 'object' ? '{"a":' : '[{"a":';
      const close = shape === 'array' ? ']' : shape === 'object' ? '}' : '}]';
      const nested = new Raw(`${open.repeat(depth)}1${close.repeat(depth)}`);
      return withBody(
        ctx,
        'deep-nesting',
        `${where(loc.path)} = ${depth.toLocaleString('en')} levels of ${shape}`,
        setAt(ctx.valid.bodyValue, loc.path, nested),
      );
    },
  },
  'big-array': {
    applies: hasJsonBody,
    make(ctx) {
      const locs = bodyLocations(ctx);
      const arrays = locs.filter((l) => l.type === 'array' || Array.isArray(l.value));
      const loc = ctx.rnd.pick(arrays.length && ctx.rnd.chance(0.85) ? arrays : locs);
      const n = 100_000;
      const room = BODY_LIMIT - ctx.valid.body.length - 16;
      let itemText;
      let label;
      const first = Array.isArray(loc.value) && loc.value.length ? serialize(loc.value[0]) : undefined;
      if (first !== undefined && (first.length + 1) * n < room)
        [itemText, label] = [first, 'copies of a valid item'];
      else if (ctx.rnd.chance(0.15)) [itemText, label] = [first ?? '{"a":1}', 'items, over the body limit'];
      else
        [itemText, label] = ctx.rnd.pick([
          ['0', 'zeros'],
          ['{}', 'empty objects'],
          ['null', 'nulls'],
          ['""', 'empty strings'],
        ]);
      const big = new Raw(`[${Array(n).fill(itemText).join(',')}]`);
      return withBody(
        ctx,
        'big-array',
        `${where(loc.path)} = ${n.toLocaleString('en')} ${label}`,
        setAt(ctx.valid.bodyValue, loc.path, big),
      );
    },
  },
  'content-type': {
    applies: (ctx) => ctx.op.body !== null,
    make(ctx) {
      const type = ctx.rnd.pick(CONTENT_TYPES.filter((t) => t !== ctx.valid.contentType));
      return {
        ...ctx.valid,
        kind: 'content-type',
        variant: type ?? '(none)',
        contentType: type,
        bodyValue: undefined,
      };
    },
  },
  'invalid-json': {
    applies: hasJsonBody,
    make(ctx) {
      const [label, fn] = ctx.rnd.pick(INVALID_JSON);
      const body = fn(ctx.valid.body, ctx.rnd);
      return {
        ...ctx.valid,
        kind: 'invalid-json',
        variant: label,
        body,
        bodyValue: undefined,
        rawJson: true,
      };
    },
  },
  'path-id': {
    applies: (ctx) => ctx.op.pathParams.length > 0,
    make(ctx) {
      const param = ctx.rnd.pick(ctx.op.pathParams);
      // An empty last segment addresses the collection (…/users/ is …/users), not a bad id.
      const last = ctx.op.path.endsWith(`{${param.name}}`);
      const [label, raw] = ctx.rnd.pick(last ? BAD_IDS.filter(([l]) => l !== 'empty') : BAD_IDS);
      const value = typeof raw === 'function' ? raw(ctx.rnd) : raw;
      return {
        ...ctx.valid,
        kind: 'path-id',
        variant: `${param.name} = ${label}`,
        pathValues: { ...ctx.valid.pathValues, [param.name]: value },
      };
    },
  },
  query: {
    applies: () => true,
    make(ctx) {
      const names = ctx.op.queryParams.map((p) => p.name);
      const base = ctx.valid.query;
      const add = (q) => (base ? `${base}&${q}` : q);
      const choice = ctx.rnd.int(0, 9);
      if (choice === 0)
        return { ...ctx.valid, kind: 'query', variant: 'limit = 1e6', query: add('limit=1000000') };
      if (choice === 1) {
        return {
          ...ctx.valid,
          kind: 'query',
          variant: 'unknown parameters',
          query: add('unexpected=1&__proto__%5Bpolluted%5D=1&constructor=x'),
        };
      }
      if (choice === 2) {
        // Over Node's 16 KiB limit on the request line and headers.
        return {
          ...ctx.valid,
          kind: 'query',
          variant: 'a 20,000-character query string',
          query: add(`q=${'w'.repeat(20_000)}`),
        };
      }
      const name =
        names.length && ctx.rnd.chance(0.85)
          ? ctx.rnd.pick(names)
          : ctx.rnd.pick(['limit', 'offset', 'page', 'q', 'sort']);
      if (choice === 3) {
        return {
          ...ctx.valid,
          kind: 'query',
          variant: `${name} repeated`,
          query: add(`${name}=1&${name}=2&${name}=abc`),
        };
      }
      if (choice === 4)
        return {
          ...ctx.valid,
          kind: 'query',
          variant: `${name}[] array syntax`,
          query: add(`${name}%5B%5D=1&${name}%5Bx%5D=2`),
        };
      const [label, raw] = ctx.rnd.pick(QUERY_VALUES);
      const value = typeof raw === 'function' ? raw(ctx.rnd) : raw;
      const kept = base
        .split('&')
        .filter((kv) => kv && !kv.startsWith(`${encodeURIComponent(name)}=`))
        .join('&');
      return {
        ...ctx.valid,
        kind: 'query',
        variant: `${name} = ${label}`,
        query: kept ? `${kept}&${name}=${value}` : `${name}=${value}`,
      };
    },
  },
  headers: {
    applies: () => true,
    make(ctx) {
      const [label, headers] = ctx.rnd.pick([
        ['Idempotency-Key empty', { 'idempotency-key': '' }],
        ['Idempotency-Key of 10,000 characters', { 'idempotency-key': 'k'.repeat(10_000) }],
        ['Idempotency-Key with Latin-1 bytes', { 'idempotency-key': 'clé-ÿ' }],
        ['Accept: application/xml', { accept: 'application/xml' }],
        ['Accept: text/csv', { accept: 'text/csv' }],
        ['X-Correlation-Id of 8,000 characters', { 'x-correlation-id': 'c'.repeat(8000) }],
        ['X-Request-Id with control characters', { 'x-request-id': 'a\tb' }],
        ['no Authorization', { authorization: undefined }],
        ['Authorization: Bearer (no token)', { authorization: 'Bearer' }],
        ['Authorization: Bearer garbage', { authorization: 'Bearer not.a.token' }],
        ['Authorization: Basic', { authorization: 'Basic YWRtaW46bW9tLWRlbW8=' }],
        [
          'unsigned JWT (alg none)',
          {
            authorization:
              'Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiIsInJvbGVzIjpbImFkbWluIl19.',
          },
        ],
        ['X-App-Key without a signature', { 'x-app-key': 'fuzz' }],
        [
          'X-App-Key with a bad signature',
          { 'x-app-key': 'fuzz', 'x-timestamp': 'abc', 'x-nonce': '', 'x-signature': 'zz' },
        ],
        ['a 20,000-byte header', { 'x-padding': 'p'.repeat(20_000) }],
        ['If-None-Match garbage', { 'if-none-match': '"\u00ff' }],
        ['Accept-Language odd', { 'accept-language': '*;q=abc, zz-ZZ' }],
      ]);
      return { ...ctx.valid, kind: 'headers', variant: label, headers: { ...ctx.valid.headers, ...headers } };
    },
  },
};

export const KIND_NAMES = ['valid', ...Object.keys(MUTATIONS)];

/** The kinds that apply to an operation. */
export function applicableKinds(ctx) {
  return Object.entries(MUTATIONS)
    .filter(([, m]) => m.applies(ctx))
    .map(([name]) => name);
}
