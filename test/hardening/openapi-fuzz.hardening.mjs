#!/usr/bin/env node
// Fuzzing from the OpenAPI document.
//
// Starts the built app (dist/src/main.js) on a fresh database of its own with the demo factory, fetches the
// OpenAPI document (/api/docs-json) and, for every operation in it, sends requests generated from the
// document: valid ones (real ids of the demo data in the path, documented query parameters, bodies generated
// from the request schema) and mutated ones — wrong types, nulls, missing required fields, 1 MiB and hostile
// strings (NUL, lone surrogates, …), unknown fields (incl. __proto__), negative / NaN / Infinity / 1e308 / -0 /
// 1000-digit numbers, 10,000-level nesting, 100,000-item arrays, wrong content types, malformed JSON, path ids
// that are not UUIDs, limit=1e6 and other bad query parameters, bad headers. Each operation runs as a user
// holding a role it needs (learnt from the 403 ROLE_REQUIRED answer, which names the roles). Pass criterion:
//   - no answer is 5xx, and every request is answered (no reset, no timeout) by the same app process;
//   - every 4xx answer is application/problem+json in the document's Problem shape, with the answer's status;
//   - every 2xx answer has a documented status and validates against the operation's response schema (where
//     the document gives one: the operations answering 2xx without a documented schema are listed).
// Mutating requests that succeed change the fuzzer's own database; the users it signs in with are never the
// target of user, terminal or API-client operations (it creates targets of its own), and the own-password change
// runs as a throwaway user.
//
//   HARDENING_MODE=reduced node test/hardening/openapi-fuzz.hardening.mjs   # 1 valid + 12 mutated per operation
//   node test/hardening/openapi-fuzz.hardening.mjs                          # 20 valid + 1,000 mutated each
//
// A run is repeatable: the requests come from a seeded generator (one stream per operation), so FUZZ_SEED and
// FUZZ_ONLY send the same requests again, with the ids of that run's fresh database in them. The reduced form
// uses one fixed seed (CI sends the same requests each time); the full form a new one each run. After the
// random requests, every operation gets the null sweep: its body with each property set to null in turn.
//
// Environment: HARDENING_MODE (reduced | full), FUZZ_SEED (repeat a run; printed at the start), FUZZ_ONLY
// (comma-separated words; only the operations whose "METHOD /path" contains one), FUZZ_MUTATED and FUZZ_VALID
// (requests per operation), FUZZ_CONCURRENCY (requests in flight, default 4), FUZZ_REPORT (a file to write
// every failure to, as JSON lines), BENCH_DATABASE_URL (the PostgreSQL server; a database is created there and
// dropped at the end).

import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  adminQuery,
  App,
  dbUrl,
  intEnv,
  interrupt,
  log,
  quoteIdent,
  throwIfInterrupted,
} from '../../bench/common.mjs';
import { Fixtures } from './lib/fuzz-fixtures.mjs';
import { applicableKinds, KIND_NAMES, MUTATIONS, nullSweep, validRequest } from './lib/fuzz-mutations.mjs';
import { newSeed, Random } from './lib/fuzz-random.mjs';
import { AnswerChecker, operationsOf, SchemaBook } from './lib/fuzz-schema.mjs';

// ---------------------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------------------

const MODE = process.env.HARDENING_MODE === 'reduced' ? 'reduced' : 'full';
const REDUCED_SEED = '20261122';
const FULL = MODE === 'full';
// The reduced form (CI) sends the same requests every run; the full form draws a new seed each time.
const SEED = process.env.FUZZ_SEED || (FULL ? newSeed() : REDUCED_SEED);
const MUTATED_PER_OP = intEnv('FUZZ_MUTATED', FULL ? 1000 : 12);
const VALID_PER_OP = intEnv('FUZZ_VALID', FULL ? 20 : 1);
const CONCURRENCY = intEnv('FUZZ_CONCURRENCY', 4);
const ONLY = (process.env.FUZZ_ONLY ?? '')
  .split(',')
  .map((w) => w.trim())
  .filter(Boolean);
const REPORT = process.env.FUZZ_REPORT;
const REQUEST_TIMEOUT_MS = 30_000;
const BODY_LIMIT = 1024 * 1024; // the app's default BODY_LIMIT (1mb)
const EXAMPLES_PER_CLASS = 8;
const DATABASE = `mom_fuzz_${process.pid}`;

// ---------------------------------------------------------------------------------------------------------
// HTTP: exact bytes, exact path, any headers
// ---------------------------------------------------------------------------------------------------------

// A new connection per request: a reused keep-alive socket the server has just closed would show up as a
// reset that is nobody's fault, and the fuzz needs every reset to mean something.
const agent = false;

/** Sends one request; never rejects (a network error or timeout comes back as status 0 with `error`). */
function send(baseUrl, { method, path, headers, body }) {
  const url = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      resolve({ ms: performance.now() - started, ...r });
    };
    let req;
    try {
      req = http.request(
        { host: url.hostname, port: url.port, method, path, headers, agent, timeout: REQUEST_TIMEOUT_MS },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () =>
            finish({
              status: res.statusCode,
              contentType: String(res.headers['content-type'] ?? ''),
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', (err) => finish({ status: 0, error: err.code ?? err.message }));
        },
      );
    } catch (err) {
      // The request could not even be written (a header Node refuses): the fuzzer's fault, reported as such.
      finish({ status: -1, error: `not sent: ${err.code ?? err.message}` });
      return;
    }
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    // The server may answer (413) and close before the whole body is written: the answer still counts.
    req.on('error', (err) => setTimeout(() => finish({ status: 0, error: err.code ?? err.message }), 50));
    req.end(body);
  });
}

/** The wire form of a generated request: path with its values, query, headers with the token. */
function wire(op, r, token) {
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name) => r.pathValues[name] ?? '');
  const headers = { authorization: `Bearer ${token}` };
  if (op.method !== 'GET') headers['idempotency-key'] = r.idempotencyKey;
  let body;
  if (r.body !== undefined && op.method !== 'GET') {
    body = Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, 'utf8');
    if (r.contentType) headers['content-type'] = r.contentType;
    headers['content-length'] = String(body.length);
  } else if (op.method !== 'GET' && op.method !== 'DELETE') {
    headers['content-length'] = '0';
  }
  for (const [k, v] of Object.entries(r.headers ?? {})) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  return { method: op.method, path: r.query ? `${path}?${r.query}` : path, headers, body };
}

// ---------------------------------------------------------------------------------------------------------
// The app's error log, by correlation id: a 5xx example then shows what the server says went wrong
// ---------------------------------------------------------------------------------------------------------

const errorLogs = new Map();

function collectErrorLogs(app) {
  let pending = '';
  app.child.stdout.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) {
      if (!line.includes('"level":50') && !line.includes('"level":60')) continue;
      try {
        const entry = JSON.parse(line);
        // The exception filter's entry carries the error; the access log's entry for the same request does not.
        if (!entry.err || errorLogs.has(entry.correlationId)) continue;
        const err = entry.err;
        const where = String(err.stack ?? '')
          .split('\n')
          .slice(1, 4)
          .map((l) => l.trim())
          .join(' < ');
        if (errorLogs.size < 5000 && entry.correlationId) {
          errorLogs.set(
            entry.correlationId,
            `${err.type ?? ''} ${err.message ?? entry.msg ?? ''} ${where}`.trim(),
          );
        }
      } catch {
        // not a JSON log line
      }
    }
  });
}

function serverError(res) {
  try {
    return errorLogs.get(JSON.parse(res.text).correlationId) ?? '';
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Bookkeeping
// ---------------------------------------------------------------------------------------------------------

const FAILURE_CLASSES = {
  '5xx': 'answered 5xx',
  'not-problem': '4xx not problem+json in the Problem shape',
  'schema-invalid': '2xx not valid against the response schema',
  'undocumented-status': '2xx with a status the document does not list',
  'no-answer': 'no answer (reset, timeout)',
  'odd-status': 'answered with a status outside 2xx/4xx/5xx',
};

class Tally {
  constructor() {
    this.byKind = new Map(
      KIND_NAMES.map((k) => [k, { sent: 0, s2: 0, s4: 0, s5: 0, other: 0, failures: 0, slowest: 0 }]),
    );
    this.byOp = new Map();
    this.failures = [];
    this.failureCounts = Object.fromEntries(Object.keys(FAILURE_CLASSES).map((c) => [c, 0]));
    this.acceptedInvalid = [];
    this.unchecked = new Map(); // op key → why its 2xx answers could not be checked
    this.notSent = [];
    this.closedOverLimit = 0;
    this.nullSweep = 0; // requests of the null sweep (among the mutated ones)
    this.checked2xx = 0;
    this.unchecked2xx = 0;
    this.all2xx = 0;
    this.all4xx = 0;
    this.problem4xx = 0;
    this.slowest = null;
  }

  op(key) {
    let o = this.byOp.get(key);
    if (!o) {
      o = { sent: 0, valid: 0, valid2xx: 0, mutated: 0, failures: 0, role: 'admin' };
      this.byOp.set(key, o);
    }
    return o;
  }

  fail(cls, op, r, wired, res, detail) {
    this.failureCounts[cls]++;
    this.byKind.get(r.kind).failures++;
    this.op(op.key).failures++;
    const bodyText = wired.body ? wired.body.toString('utf8') : '';
    this.failures.push({
      class: cls,
      op: op.key,
      kind: r.kind,
      variant: r.variant,
      request: `${wired.method} ${excerpt(wired.path, 160)}`,
      contentType: wired.headers['content-type'] ?? null,
      body: excerpt(bodyText, 240),
      bodyBytes: wired.body?.length ?? 0,
      status: res.status,
      answerType: res.contentType ?? null,
      answer: excerpt(res.text ?? res.error ?? '', 400),
      detail,
    });
  }
}

function excerpt(text, n) {
  const s = String(text);
  return s.length <= n ? s : `${s.slice(0, n)}… (${s.length.toLocaleString('en')} chars)`;
}

// ---------------------------------------------------------------------------------------------------------
// Fuzzing one operation
// ---------------------------------------------------------------------------------------------------------

async function fuzzOperation(app, op, { book, checker, fixtures, tally }) {
  const rnd = new Random(`${SEED}:${op.key}`);
  fixtures.hintRandom = () => rnd.next();
  await fixtures.preparePath(op, book);
  await fixtures.prepareCsv(op);
  const opTally = tally.op(op.key);

  const makeValid = () => {
    const r = validRequest(op, book, rnd, fixtures);
    r.idempotencyKey = rnd.uuid();
    return r;
  };
  const ctxBase = { op, book, rnd, full: FULL };
  const kinds = applicableKinds({ ...ctxBase, valid: makeValid() });
  // Each operation starts the round of kinds somewhere else: with fewer mutations than kinds (the reduced
  // form), every kind is still sent to many operations.
  const firstKind = rnd.int(0, kinds.length - 1);

  // The requests, generated in a fixed order from the operation's own generator (reproducible whatever the
  // concurrency): the valid ones first, then the mutations, one kind after the other.
  let index = 0;
  const total = VALID_PER_OP + MUTATED_PER_OP;
  const next = () => {
    if (index >= total) return undefined;
    const i = index++;
    const valid = makeValid();
    if (i < VALID_PER_OP) return valid;
    const kind = kinds[(firstKind + i - VALID_PER_OP) % kinds.length];
    const r = MUTATIONS[kind].make({ ...ctxBase, valid });
    r.idempotencyKey = valid.idempotencyKey;
    return r;
  };

  // The first valid request also finds the role: as admin first, then as the role a 403 names.
  const first = next();
  const res = await exchange(app, op, first, fixtures.tokenFor(op), { checker, tally });
  if (fixtures.learnRole(op, res)) {
    await exchange(app, op, { ...first, idempotencyKey: rnd.uuid() }, fixtures.tokenFor(op), {
      checker,
      tally,
    });
  }
  opTally.role = fixtures.roleOf(op);

  const token = fixtures.tokenFor(op);
  // Then the null sweep (every property of the body set to null in turn), in both forms.
  const sweep = nullSweep({ ...ctxBase, valid: makeValid() });
  for (const r of sweep) r.idempotencyKey = rnd.uuid();
  tally.nullSweep += sweep.length;
  const after = () => sweep.shift();
  for (const source of [next, after]) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let r = source(); r !== undefined; r = source()) {
          throwIfInterrupted();
          await exchange(app, op, r, token, { checker, tally });
        }
      }),
    );
  }
}

/** Sends one request and judges the answer. */
async function exchange(app, op, r, token, { checker, tally }) {
  const wired = wire(op, r, token);
  const res = await send(app.baseUrl, wired);
  const k = tally.byKind.get(r.kind);
  const o = tally.op(op.key);
  if (res.status === -1) {
    tally.notSent.push(`${op.key} ${r.kind} ${r.variant}: ${res.error}`);
    return res;
  }
  k.sent++;
  o.sent++;
  if (r.kind === 'valid') o.valid++;
  else o.mutated++;
  if (res.ms > k.slowest) k.slowest = res.ms;
  if (!tally.slowest || res.ms > tally.slowest.ms) {
    tally.slowest = { ms: res.ms, what: `${op.key} ${r.kind} (${r.variant}) → ${res.status}` };
  }

  if (res.status === 0 && (wired.body?.length ?? 0) > BODY_LIMIT && /EPIPE|ECONNRESET/.test(res.error)) {
    // A body over the limit, refused with 413 and the connection closed while it was still being sent: the
    // client may see the reset before the answer. Refused all the same; counted apart.
    k.s4++;
    tally.closedOverLimit++;
  } else if (res.status === 0) {
    k.other++;
    tally.fail('no-answer', op, r, wired, res, res.error);
  } else if (res.status >= 500) {
    k.s5++;
    // The log line is written just before the answer; give the pipe a moment.
    await new Promise((resolve) => setTimeout(resolve, 20));
    tally.fail('5xx', op, r, wired, res, excerpt(serverError(res), 500));
  } else if (res.status >= 400) {
    k.s4++;
    tally.all4xx++;
    const wrong = checker.checkProblem(res);
    if (wrong) tally.fail('not-problem', op, r, wired, res, wrong);
    else tally.problem4xx++;
  } else if (res.status >= 200 && res.status < 300) {
    k.s2++;
    tally.all2xx++;
    if (r.kind === 'valid') o.valid2xx++;
    const verdict = checker.checkSuccess(op, res);
    if (verdict.outcome === 'valid') tally.checked2xx++;
    else if (verdict.outcome === 'unchecked') {
      tally.unchecked.set(op.key, verdict.detail);
      tally.unchecked2xx++;
    } else if (verdict.outcome === 'undocumented')
      tally.fail('undocumented-status', op, r, wired, res, verdict.detail);
    else tally.fail('schema-invalid', op, r, wired, res, verdict.detail);
    // A mutated body the document calls invalid, yet taken: worth a look (reported, not failed).
    if (r.kind !== 'valid' && r.bodyValue !== undefined && r.mediaType) {
      const schema = op.body.content[r.mediaType];
      if (!checker.requestValid(op, r.mediaType, schema, r.bodyValue)) {
        tally.acceptedInvalid.push(`${op.key} ${r.kind} (${r.variant}) → ${res.status}`);
      }
    }
  } else {
    k.other++;
    tally.fail('odd-status', op, r, wired, res, '');
  }
  return res;
}

// ---------------------------------------------------------------------------------------------------------
// Order: creations first (later operations then find records), reads, other changes, destructive ones last
// ---------------------------------------------------------------------------------------------------------

const DESTRUCTIVE = /\/(cancel|close|deactivate|disable|delete|dismiss|done|scrap|reject|rotate-secret)$/;

function phaseOf(op) {
  const last = op.path.split('/').pop();
  if (op.method === 'DELETE' || DESTRUCTIVE.test(op.path)) return 4;
  if (op.method === 'GET') return 2;
  if (
    op.method === 'POST' &&
    !last.startsWith('{') &&
    op.pathParams.filter((p) => p.name !== 'siteId').length === 0
  ) {
    return 1;
  }
  return 3;
}

// ---------------------------------------------------------------------------------------------------------
// Verdict
// ---------------------------------------------------------------------------------------------------------

/** Operations whose document gives no body schema for any 2xx answer: their answers cannot be checked. */
function withoutSuccessSchema(ops) {
  return ops.filter((op) =>
    Object.entries(op.responses)
      .filter(([status]) => /^2/.test(status))
      .every(([, r]) => !Object.values(r.content ?? {}).some((media) => media.schema)),
  );
}

function report(tally, { operations, skipped, seconds, appAlive, readyAfter, schemaless }) {
  const rows = [];
  const row = (figure, measured, target, pass) => rows.push({ figure, measured, target, pass });
  const n = (x) => x.toLocaleString('en');
  const ops = [...tally.byOp.values()];
  const sent = ops.reduce((a, o) => a + o.sent, 0);
  const mutated = ops.reduce((a, o) => a + o.mutated, 0);
  const minMutated = Math.min(...ops.map((o) => o.mutated));
  const covered = ops.filter((o) => o.sent > 0).length;

  row(
    'operations fuzzed',
    `${covered} of ${operations} in the document${skipped.length ? ` (${skipped.length} filtered out by FUZZ_ONLY)` : ''}`,
    'every operation',
    covered === operations - skipped.length && covered > 0,
  );
  row(
    'requests sent',
    `${n(sent)} in ${seconds.toFixed(0)} s (${n(sent - mutated)} valid, ${n(mutated)} mutated of which ${n(tally.nullSweep)} the null sweep; fewest mutated for one operation: ${n(minMutated)})`,
    `≥ ${n(MUTATED_PER_OP)} mutated per operation`,
    minMutated >= MUTATED_PER_OP,
  );
  row('answers 5xx', String(tally.failureCounts['5xx']), '0', tally.failureCounts['5xx'] === 0);
  row(
    '4xx answers in problem+json (Problem shape, same status)',
    `${n(tally.problem4xx)}/${n(tally.all4xx)}`,
    'all',
    tally.problem4xx === tally.all4xx,
  );
  const schemaFailures = tally.failureCounts['schema-invalid'] + tally.failureCounts['undocumented-status'];
  row(
    '2xx answers valid against the response schema',
    `${n(tally.checked2xx)}/${n(tally.all2xx - tally.unchecked2xx)} checked` +
      ` (${n(tally.failureCounts['undocumented-status'])} with an undocumented status;` +
      ` ${tally.unchecked.size} operations answer 2xx with no body schema documented)`,
    'all checked ones',
    schemaFailures === 0,
  );
  row(
    'operations documenting no 2xx body schema (their answers go unchecked; not a criterion)',
    `${schemaless} of ${operations}`,
    '-',
    true,
  );
  row(
    'requests without an answer (reset, timeout) or with another status',
    String(tally.failureCounts['no-answer'] + tally.failureCounts['odd-status']),
    '0',
    tally.failureCounts['no-answer'] + tally.failureCounts['odd-status'] === 0,
  );
  row(
    'app process after the run',
    appAlive ? `same process, ready after ${readyAfter}` : 'GONE',
    'alive and ready',
    appAlive,
  );
  row(
    'bodies over the 1 MiB limit refused by closing before the 413 was read (not a criterion)',
    String(tally.closedOverLimit),
    '-',
    true,
  );
  const reached = ops.filter((o) => o.valid2xx > 0).length;
  row(
    'operations a valid request got a 2xx from (coverage, not a criterion)',
    `${reached} of ${covered}`,
    '-',
    true,
  );
  row(
    'mutated bodies taken (2xx) although invalid per the request schema (not a criterion)',
    String(tally.acceptedInvalid.length),
    '-',
    true,
  );
  return rows;
}

function printTables(rows, tally) {
  const out = [];
  out.push('| figure | measured | target | verdict |', '| --- | --- | --- | --- |');
  for (const r of rows)
    out.push(
      `| ${r.figure} | ${r.measured} | ${r.target} | ${r.target === '-' ? 'info' : r.pass ? 'PASS' : 'FAIL'} |`,
    );
  out.push(
    '',
    '| kind | sent | 2xx | 4xx | 5xx | no answer / other | failures | slowest |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const [kind, k] of tally.byKind) {
    if (k.sent === 0) continue;
    out.push(
      `| ${kind} | ${k.sent} | ${k.s2} | ${k.s4} | ${k.s5} | ${k.other} | ${k.failures} | ${(k.slowest / 1000).toFixed(2)} s |`,
    );
  }
  if (tally.slowest)
    out.push('', `slowest answer: ${(tally.slowest.ms / 1000).toFixed(2)} s — ${tally.slowest.what}`);
  return out.join('\n');
}

function printFailures(tally, fixtures) {
  const out = [];
  if (tally.failures.length) {
    out.push('', 'Failures by class and operation:');
    const groups = new Map();
    for (const f of tally.failures) {
      const key = `${f.class} | ${f.op}`;
      const g = groups.get(key) ?? { n: 0, kinds: new Map() };
      g.n++;
      g.kinds.set(f.kind, (g.kinds.get(f.kind) ?? 0) + 1);
      groups.set(key, g);
    }
    for (const [key, g] of [...groups].sort()) {
      const kinds = [...g.kinds].map(([k, v]) => `${k} × ${v}`).join(', ');
      out.push(`  ${key} × ${g.n} (${kinds})`);
    }
    out.push('', 'First examples per class:');
    for (const cls of Object.keys(FAILURE_CLASSES)) {
      const examples = tally.failures.filter((f) => f.class === cls);
      if (!examples.length) continue;
      out.push(`  ${FAILURE_CLASSES[cls]} (${examples.length}):`);
      const seen = new Set();
      let shown = 0;
      for (const f of examples) {
        const key = `${f.op} ${f.kind}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(
          `    - ${f.request} [${f.kind}: ${f.variant}]`,
          `      sent: ${f.contentType ?? '(no content-type)'}, ${f.bodyBytes} bytes: ${f.body}`,
          `      got: ${f.status} ${f.answerType ?? ''} ${f.answer}`,
          ...(f.detail ? [`      why: ${f.detail}`] : []),
          `      again: FUZZ_SEED=${SEED} FUZZ_ONLY='${f.op}'`,
        );
        if (++shown >= EXAMPLES_PER_CLASS) break;
      }
    }
  }
  if (tally.unchecked.size) {
    out.push(
      '',
      `Operations whose 2xx answers have no documented schema (${tally.unchecked.size}, not checked):`,
    );
    for (const [key, why] of [...tally.unchecked].sort()) out.push(`  ${key}: ${why}`);
  }
  if (tally.acceptedInvalid.length) {
    out.push(
      '',
      `Mutated bodies taken although the document calls them invalid (first 15 of ${tally.acceptedInvalid.length}):`,
    );
    for (const line of tally.acceptedInvalid.slice(0, 15)) out.push(`  ${line}`);
  }
  if (fixtures.unresolved.size) {
    out.push(
      '',
      `Path parameters with no real value in the database (${fixtures.unresolved.size}; generated from the schema):`,
    );
    for (const line of [...fixtures.unresolved].sort()) out.push(`  ${line}`);
  }
  if (tally.notSent.length) {
    out.push('', `Requests Node refused to send (${tally.notSent.length}; the fuzzer's own limits):`);
    for (const line of tally.notSent.slice(0, 5)) out.push(`  ${line}`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

async function main() {
  const app = new App();
  let fixtures;
  let failed;
  let created = false;
  const onSignal = (sig) => {
    if (interrupt.signal.aborted) process.exit(130);
    log(`${sig}: stopping and cleaning up (again to exit at once)`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const started = performance.now();
    const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
    log(
      `seed ${SEED} (repeat with FUZZ_SEED=${SEED}); ${MODE}: ${VALID_PER_OP} valid + ${MUTATED_PER_OP} mutated requests per operation`,
    );
    await adminQuery(`CREATE DATABASE ${quoteIdent(DATABASE)}`);
    created = true;
    await app.start(dbUrl(DATABASE));
    collectErrorLogs(app);
    await app.waitReady();
    const pid = app.child.pid;
    log(`app ready after ${elapsed()}`);

    const docRes = await fetch(`${app.baseUrl}/api/docs-json`);
    if (!docRes.ok) throw new Error(`GET /api/docs-json answered ${docRes.status}`);
    const doc = await docRes.json();
    const book = new SchemaBook(doc);
    const checker = new AnswerChecker(doc);
    const all = operationsOf(doc);
    const chosen = all.filter((op) => ONLY.length === 0 || ONLY.some((w) => op.key.includes(w)));
    const skipped = all.filter((op) => !chosen.includes(op));
    if (chosen.length === 0) throw new Error(`no operation matches FUZZ_ONLY=${ONLY.join(',')}`);
    log(
      `${all.length} operations in the document, fuzzing ${chosen.length}` +
        (checker.unknownFormats.size
          ? `; formats taken as documentation only: ${[...checker.unknownFormats].join(', ')}`
          : ''),
    );

    fixtures = await Fixtures.setUp(app, dbUrl(DATABASE), log);
    for (const line of fixtures.protectedFailures) log(`set-up: ${line}`);
    log(`set-up done after ${elapsed()}`);

    const tally = new Tally();
    const ordered = [...chosen].sort((a, b) => phaseOf(a) - phaseOf(b) || a.key.localeCompare(b.key));
    const fuzzStart = performance.now();
    let phase = 0;
    for (const [i, op] of ordered.entries()) {
      throwIfInterrupted();
      if (phaseOf(op) !== phase) {
        phase = phaseOf(op);
        if (phase > 1) await fixtures.refreshFieldPool();
      }
      await fuzzOperation(app, op, { book, checker, fixtures, tally });
      if (app.exited)
        throw new Error(`the app exited while fuzzing ${op.key}: ${JSON.stringify(app.exited)}`);
      if ((i + 1) % 25 === 0 || i === ordered.length - 1) {
        const failures = tally.failures.length;
        log(`${i + 1}/${ordered.length} operations, ${elapsed()}, ${failures} failure(s) so far`);
      }
    }
    const seconds = (performance.now() - fuzzStart) / 1000;

    const readyStart = performance.now();
    let readyAfter = 'never';
    for (let t = 0; t < 20 && !app.exited; t++) {
      const r = await fetch(`${app.baseUrl}/health/ready`).catch(() => null);
      if (r?.status === 200) {
        readyAfter = `${((performance.now() - readyStart) / 1000).toFixed(2)} s`;
        break;
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    const appAlive = !app.exited && app.child.pid === pid && readyAfter !== 'never';

    const rows = report(tally, {
      operations: all.length,
      skipped,
      seconds,
      appAlive,
      readyAfter,
      schemaless: withoutSuccessSchema(all).length,
    });
    failed = rows.some((r) => r.target !== '-' && !r.pass);
    process.stdout.write(
      `OpenAPI fuzz (${MODE}, seed ${SEED}: ${VALID_PER_OP} valid + ${MUTATED_PER_OP} mutated requests per operation, ` +
        `${CONCURRENCY} in flight)\n\n${printTables(rows, tally)}\n${printFailures(tally, fixtures)}\n`,
    );
    if (REPORT) {
      writeFileSync(REPORT, tally.failures.map((f) => JSON.stringify(f)).join('\n') + '\n');
      log(`failures written to ${REPORT}`);
    }
    if (failed) app.printTail();
  } catch (err) {
    failed = true;
    if (!interrupt.signal.aborted) {
      log(`FAILED: ${err.stack ?? err}`);
      app.printTail();
    }
  } finally {
    await fixtures?.close().catch(() => {});
    await app.stop().catch((e) => log(`stopping the app: ${e.message}`));
    if (created)
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(DATABASE)} WITH (FORCE)`).catch((e) =>
        log(`dropping ${DATABASE}: ${e.message}`),
      );
  }
  process.exitCode = interrupt.signal.aborted ? 130 : failed ? 1 : 0;
}

await main();
