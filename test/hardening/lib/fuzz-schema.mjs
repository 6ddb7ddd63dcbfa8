// The OpenAPI document as the fuzzer uses it: its operations, valid values generated from a schema, and the
// checks on answers (2xx bodies against the operation's response schema, errors against the Problem schema),
// with ajv + ajv-formats. nestjs/swagger writes OpenAPI 3.0, whose schemas differ from JSON Schema in a few
// places (`nullable`, boolean `exclusiveMinimum`, `$ref` into components); they are converted before ajv sees
// them.

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { matchingString } from './fuzz-regex.mjs';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const REF_PREFIX = '#/components/schemas/';
const AJV_BASE = 'https://openapi.local/components/schemas/';

// ---------------------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------------------

/**
 * Every operation of the document: `{ key: 'POST /api/v1/…', method, path, pathParams, queryParams,
 * headerParams, body: { required, content: { 'application/json': schema, … } } | null, responses }`.
 */
export function operationsOf(doc) {
  const out = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const shared = item.parameters ?? [];
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = [...shared, ...(op.parameters ?? [])].map((p) => resolveRef(doc, p));
      const content = {};
      const requestBody = op.requestBody ? resolveRef(doc, op.requestBody) : null;
      for (const [type, media] of Object.entries(requestBody?.content ?? {}))
        content[type] = media.schema ?? {};
      out.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        headerParams: params.filter((p) => p.in === 'header'),
        body: requestBody ? { required: requestBody.required === true, content } : null,
        responses: op.responses ?? {},
      });
    }
  }
  return out;
}

function resolveRef(doc, node) {
  let n = node;
  for (let guard = 0; n && n.$ref && guard < 20; guard++) {
    const parts = n.$ref.replace(/^#\//, '').split('/');
    n = parts.reduce((acc, part) => acc?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return n ?? {};
}

// ---------------------------------------------------------------------------------------------------------
// Valid values from a schema
// ---------------------------------------------------------------------------------------------------------

export class SchemaBook {
  constructor(doc) {
    this.doc = doc;
  }

  /** The schema behind `$ref`s, with `allOf` merged (properties, required and the rest). */
  resolve(schema) {
    let s = resolveRef(this.doc, schema ?? {});
    if (s.allOf?.length) {
      const merged = { ...s, allOf: undefined, properties: { ...(s.properties ?? {}) } };
      const required = new Set(s.required ?? []);
      for (const part of s.allOf) {
        const r = this.resolve(part);
        for (const [k, v] of Object.entries(r)) {
          if (k === 'properties') Object.assign(merged.properties, v);
          else if (k === 'required') for (const name of v) required.add(name);
          else if (merged[k] === undefined) merged[k] = v;
        }
      }
      merged.required = [...required];
      if (Object.keys(merged.properties).length === 0) delete merged.properties;
      s = merged;
    }
    return s;
  }

  /** The JSON type a schema describes ('object' when it has properties and says nothing else). */
  typeOf(schema) {
    const s = this.resolve(schema);
    if (s.type) return Array.isArray(s.type) ? s.type[0] : s.type;
    if (s.properties) return 'object';
    if (s.items) return 'array';
    if (s.enum?.length) return typeof s.enum[0];
    return undefined;
  }

  /**
   * A value the schema accepts. `hint(field, schema)` may name a real value (a record's id or code) for a field;
   * `depth` stops runaway recursion in self-referencing schemas.
   */
  sample(schema, rnd, hint = () => undefined, field = '', depth = 0) {
    const s = this.resolve(schema);
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives?.length) return this.sample(rnd.pick(alternatives), rnd, hint, field, depth);
    if (s.nullable && rnd.chance(0.05)) return null;
    if (s.enum?.length) return rnd.pick(s.enum);
    const type = this.typeOf(s);
    const named = hint(field, s, type);
    if (named !== undefined) return named;
    if (s.example !== undefined && type !== 'object' && type !== 'array' && rnd.chance(0.6)) return s.example;
    switch (type) {
      case 'string':
        return this.sampleString(s, rnd);
      case 'integer':
      case 'number':
        return sampleNumber(s, type, rnd);
      case 'boolean':
        return rnd.chance(0.5);
      case 'array': {
        if (depth > 6) return [];
        const min = s.minItems ?? 0;
        const max = Math.min(s.maxItems ?? min + 3, min + 3);
        const n = rnd.int(min, Math.max(min, max));
        const items = Array.from({ length: n }, () =>
          this.sample(s.items ?? {}, rnd, hint, field, depth + 1),
        );
        return s.uniqueItems ? [...new Map(items.map((v) => [JSON.stringify(v), v])).values()] : items;
      }
      case 'object':
        return this.sampleObject(s, rnd, hint, depth);
      default:
        return s.example !== undefined ? s.example : rnd.string(rnd.int(1, 12));
    }
  }

  sampleObject(s, rnd, hint, depth) {
    const out = {};
    if (depth > 6) return out;
    const required = new Set(s.required ?? []);
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      if (required.has(name) || rnd.chance(0.5)) out[name] = this.sample(prop, rnd, hint, name, depth + 1);
    }
    if (!s.properties && s.additionalProperties && typeof s.additionalProperties === 'object') {
      for (let i = rnd.int(0, 2); i > 0; i--) {
        out[rnd.string(6)] = this.sample(s.additionalProperties, rnd, hint, '', depth + 1);
      }
    }
    return out;
  }

  sampleString(s, rnd) {
    const minLength = s.minLength ?? 0;
    const maxLength = s.maxLength ?? Infinity;
    switch (s.format) {
      case 'uuid':
        return rnd.uuid();
      case 'date-time':
        return new Date(
          Date.UTC(2026, rnd.int(0, 11), rnd.int(1, 28), rnd.int(0, 23), rnd.int(0, 59)),
        ).toISOString();
      case 'date':
        return `2026-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}`;
      case 'email':
        return `${rnd.string(8)}@example.com`;
      case 'uri':
      case 'url':
        return `https://example.com/${rnd.string(8)}`;
      default:
    }
    if (s.pattern) {
      const matched = matchingString(s.pattern, rnd, { minLength, maxLength });
      if (matched !== undefined) return matched;
      if (s.example !== undefined) return s.example;
    }
    const length = rnd.int(Math.max(1, minLength), Math.max(1, Math.min(maxLength, minLength + 12)));
    return rnd.string(length, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_');
  }
}

function sampleNumber(s, type, rnd) {
  const exclusiveMin = typeof s.exclusiveMinimum === 'number' || s.exclusiveMinimum === true;
  const exclusiveMax = typeof s.exclusiveMaximum === 'number' || s.exclusiveMaximum === true;
  let min = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : (s.minimum ?? 0);
  let max =
    typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : (s.maximum ?? Math.max(min, 0) + 1000);
  if (type === 'integer') {
    min = exclusiveMin ? Math.floor(min) + 1 : Math.ceil(min);
    max = exclusiveMax ? Math.ceil(max) - 1 : Math.floor(max);
    return rnd.int(min, Math.max(min, max));
  }
  const v = min + rnd.next() * (max - min);
  const rounded = Math.round(v * 1000) / 1000;
  return (exclusiveMin && rounded <= min) || (exclusiveMax && rounded >= max) ? (min + max) / 2 : rounded;
}

// ---------------------------------------------------------------------------------------------------------
// Checking answers
// ---------------------------------------------------------------------------------------------------------

/** An OpenAPI 3.0 schema as draft-07 JSON Schema for ajv. */
function toJsonSchema(node) {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'nullable' || k === 'example' || k === 'examples' || k === 'xml' || k === 'discriminator')
      continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX)) {
      out.$ref = AJV_BASE + encodeURIComponent(v.slice(REF_PREFIX.length));
    } else if (k === 'properties' || k === 'patternProperties' || k === 'definitions') {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, toJsonSchema(sub)]));
    } else out[k] = toJsonSchema(v);
  }
  // OpenAPI 3.0: `exclusiveMinimum: true` qualifies `minimum`; JSON Schema wants the bound itself.
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ]) {
    if (out[flag] === true && typeof out[bound] === 'number') {
      out[flag] = out[bound];
      delete out[bound];
    } else if (out[flag] === false) delete out[flag];
  }
  // In OpenAPI 3.0 a `$ref` replaces its siblings.
  if (out.$ref) return { $ref: out.$ref };
  if (node.nullable === true) return { anyOf: [out, { type: 'null' }] };
  return out;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

export class AnswerChecker {
  constructor(doc) {
    this.doc = doc;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.unknownFormats = new Set();
    this.walkFormats(doc.components?.schemas ?? {});
    this.walkFormats(doc.paths ?? {});
    for (const f of this.unknownFormats) this.ajv.addFormat(f, true); // documentation only
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      this.ajv.addSchema(toJsonSchema(schema), AJV_BASE + encodeURIComponent(name));
    }
    this.problem = this.ajv.getSchema(AJV_BASE + 'Problem');
    if (!this.problem) throw new Error('the OpenAPI document has no Problem schema');
    this.compiled = new Map();
  }

  walkFormats(node) {
    if (Array.isArray(node)) return node.forEach((n) => this.walkFormats(n));
    if (node === null || typeof node !== 'object') return;
    if (typeof node.format === 'string' && !this.ajv.formats[node.format])
      this.unknownFormats.add(node.format);
    for (const v of Object.values(node)) this.walkFormats(v);
  }

  validator(op, status, schema) {
    const key = `${op.key} ${status}`;
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(toJsonSchema(schema));
      this.compiled.set(key, v);
    }
    return v;
  }

  /**
   * A 2xx answer against the operation's documented responses. Returns `{ outcome, detail }`:
   * 'valid'; 'unchecked' (the status is documented without a body schema); 'invalid'; 'undocumented'
   * (a status the document does not list).
   */
  checkSuccess(op, res) {
    const status = String(res.status);
    const documented = op.responses[status] ?? op.responses[`${status[0]}XX`];
    if (!documented) {
      const listed = Object.keys(op.responses).filter((s) => s !== 'default');
      return {
        outcome: 'undocumented',
        detail: `status ${status} not among the documented ${listed.join(', ')}`,
      };
    }
    const response = resolveRef(this.doc, documented);
    const content = response.content ?? {};
    const types = Object.keys(content);
    if (types.length === 0) {
      return { outcome: 'unchecked', detail: 'documented without a body schema' };
    }
    const contentType = res.contentType.split(';')[0].trim().toLowerCase();
    const mediaKey =
      types.find((t) => t.toLowerCase() === contentType) ??
      (JSON_TYPE.test(contentType) ? types.find((t) => JSON_TYPE.test(t)) : undefined);
    if (!mediaKey) {
      return {
        outcome: 'invalid',
        detail: `content-type ${res.contentType || '(none)'} but the document lists ${types.join(', ')}`,
      };
    }
    const schema = content[mediaKey].schema;
    if (!schema) return { outcome: 'unchecked', detail: `${mediaKey} documented without a schema` };
    if (!JSON_TYPE.test(mediaKey)) return { outcome: 'valid', detail: mediaKey };
    let body;
    try {
      body = res.text === '' ? undefined : JSON.parse(res.text);
    } catch {
      return { outcome: 'invalid', detail: 'the body is not JSON' };
    }
    if (body === undefined)
      return { outcome: 'invalid', detail: 'empty body where the document has a schema' };
    const validate = this.validator(op, status, schema);
    if (validate(body)) return { outcome: 'valid' };
    return {
      outcome: 'invalid',
      detail: this.ajv.errorsText(validate.errors, { dataVar: 'body', separator: '; ' }).slice(0, 600),
    };
  }

  /** A 4xx answer: problem+json in the document's Problem shape, with the answer's status. Returns an error or null. */
  checkProblem(res) {
    if (!/^application\/problem\+json\b/i.test(res.contentType)) {
      return `content-type ${res.contentType || '(none)'}, not application/problem+json`;
    }
    let body;
    try {
      body = JSON.parse(res.text);
    } catch {
      return 'the body is not JSON';
    }
    if (!this.problem(body))
      return this.ajv.errorsText(this.problem.errors, { dataVar: 'problem', separator: '; ' });
    if (body.status !== res.status) return `problem.status ${body.status} but the answer is ${res.status}`;
    if (!body.code) return 'problem.code is empty';
    return null;
  }

  /** Whether a request body is valid against the documented request schema (for "accepted although invalid"). */
  requestValid(op, mediaType, schema, body) {
    const key = `${op.key} request ${mediaType}`;
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(toJsonSchema(schema));
      this.compiled.set(key, v);
    }
    return v(body);
  }
}
