#!/usr/bin/env node
// Database outage: PostgreSQL stops for a while under steady load.
//
// Runs a PRIVATE PostgreSQL cluster (initdb in a temporary directory, its own port: the shared server is never
// touched), starts the built app (dist/src/main.js) on it with the demo factory, and puts an open-loop load on
// it — terminal reports and reads at a fixed rate, sent on schedule whether or not earlier ones have answered,
// so a request that hangs shows up as one. Then the server is stopped (`pg_ctl stop -m immediate`, a crash),
// kept down, and started again, while readiness and liveness are polled. Pass criterion:
//   - during the outage every request answers within 2 s, with 503 problem+json DATABASE_UNAVAILABLE;
//   - GET /health/ready answers 503 within 3 s of the stop and stays down; GET /health (liveness) stays 200;
//   - once the database is back, readiness is up and requests succeed again within 10 s, with the same app
//     process (never restarted);
//   - no acknowledged report is lost: every report answered 2xx is in the operation's good quantity, and any
//     excess is no more than the reports whose answer was not 2xx (cut off at the crash, outcome unknown).
//
//   HARDENING_MODE=reduced node test/hardening/database-outage.hardening.mjs   # 8 s outage (CI)
//   node test/hardening/database-outage.hardening.mjs                          # 20 s outage
//
// Environment: HARDENING_MODE (reduced | full), OUTAGE_RATE (requests/s, default 30), HARDENING_PG_BIN
// (PostgreSQL 15 binaries, default /usr/lib/postgresql/15/bin). The private cluster and the app are removed at
// the end, even on failure or Ctrl-C.

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  api,
  App,
  freePort,
  intEnv,
  interrupt,
  log,
  sleep,
  throwIfInterrupted,
  startedTerminals,
} from '../../bench/common.mjs';
import { PrivateCluster } from './lib/outage-cluster.mjs';

// ---------------------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------------------

const MODE = process.env.HARDENING_MODE === 'reduced' ? 'reduced' : 'full';
const FULL = MODE === 'full';
const RATE = intEnv('OUTAGE_RATE', 30); // requests/s, half reports and half reads
const BEFORE_S = FULL ? 15 : 3; // steady load before the stop
const OUTAGE_S = FULL ? 20 : 8; // the database is down this long
const AFTER_S = FULL ? 25 : 13; // load after the database is back: ≥ the recovery target plus a stable tail
const TERMINALS = FULL ? 6 : 4; // operators, each reporting on an operation of their own

const TARGET_ANSWER_MS = 2000; // every request during the outage
const TARGET_READY_DOWN_MS = 3000; // readiness says down after the stop
const TARGET_RECOVERY_MS = 10_000; // readiness up and requests succeeding after the database is back
const STABLE_TAIL_MS = 3000; // "succeeding again" needs at least this much clean load after it
const REQUEST_TIMEOUT_MS = 30_000; // the client gives up here: a hang shows up as a timeout
const READY_POLL_MS = 250;
const LIVE_POLL_MS = 1000;

const WORK_ORDER_MATERIAL = 'GB-R80';
const DATABASE = `mom_outage_${process.pid}`;

// ---------------------------------------------------------------------------------------------------------
// HTTP with a timeout, on kept-alive connections (cheap for the load generator that shares the CPU)
// ---------------------------------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

/** One request; never rejects: a network error or timeout comes back as `status: 0` with `error`. */
function request(url, { method = 'GET', headers = {}, body } = {}) {
  const sentAt = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      resolve({ sentAt, answeredAt: performance.now(), ...r });
    };
    const req = http.request(url, { method, headers, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
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
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err) => finish({ status: 0, error: err.code ?? err.message }));
    req.end(body);
  });
}

/** A phase of the run: like sleep, but over at once on Ctrl-C. */
function pause(ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      interrupt.signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    interrupt.signal.addEventListener('abort', done);
  });
}

const problemCode = (r) => {
  try {
    return JSON.parse(r.text).code ?? '';
  } catch {
    return '';
  }
};

/** The 503 the issue asks for: problem+json with the database code. */
const isDatabaseUnavailable = (r) =>
  r.status === 503 &&
  r.contentType.startsWith('application/problem+json') &&
  problemCode(r) === 'DATABASE_UNAVAILABLE';

const is2xx = (r) => r.status >= 200 && r.status < 300;

const describe = (r) => (r.status === 0 ? `network ${r.error}` : `${r.status} ${problemCode(r)}`.trim());

// ---------------------------------------------------------------------------------------------------------
// Set-up: operators with a started operation each
// ---------------------------------------------------------------------------------------------------------

async function setUp(app) {
  const { terminals, adminToken } = await startedTerminals(app, {
    count: TERMINALS,
    material: WORK_ORDER_MATERIAL,
    prefix: 'outage',
  });
  // Reports answered 2xx, per terminal.
  return { terminals: terminals.map((t) => ({ ...t, acked: 0 })), adminToken };
}

// ---------------------------------------------------------------------------------------------------------
// Load and probes
// ---------------------------------------------------------------------------------------------------------

/**
 * Open loop: request n is sent at t0 + n / RATE whatever happened to the earlier ones. Even requests are
 * reports (POST …/report goodQty 1 with a fresh Idempotency-Key), odd ones reads (the operation, or its work
 * instructions), round-robin over the terminals.
 */
function startLoad(app, terminals) {
  const results = [];
  const inflight = new Set();
  let stopped = false;
  const t0 = performance.now();
  const loop = (async () => {
    for (let n = 0; !stopped && !interrupt.signal.aborted; n++) {
      const due = t0 + (n * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopped) break;
      const t = terminals[Math.floor(n / 2) % terminals.length];
      const auth = { authorization: `Bearer ${t.token}` };
      const opUrl = `${app.baseUrl}/api/v1/terminal/operations/${t.operationId}`;
      let p;
      if (n % 2 === 0) {
        const body = JSON.stringify({ goodQty: '1' });
        p = request(`${opUrl}/report`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body,
        }).then((r) => {
          if (is2xx(r)) t.acked++;
          return { kind: 'report', ...r };
        });
      } else {
        const url = n % 4 === 1 ? opUrl : `${opUrl}/work-instructions`;
        p = request(url, { headers: auth }).then((r) => ({ kind: 'read', ...r }));
      }
      inflight.add(p);
      void p.then((r) => {
        inflight.delete(p);
        results.push(r);
      });
    }
  })();
  return {
    results,
    async stop() {
      stopped = true;
      await loop;
      await Promise.all([...inflight]);
    },
  };
}

/** Polls one path sequentially every `everyMs` (each answer bounded by the request timeout). */
function startPoller(app, path, everyMs) {
  const results = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped && !interrupt.signal.aborted) {
      const r = await request(`${app.baseUrl}${path}`);
      results.push(r);
      const wait = r.sentAt + everyMs - performance.now();
      if (wait > 0) await sleep(wait);
    }
  })();
  return {
    results,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Verdict
// ---------------------------------------------------------------------------------------------------------

function evaluate({ load, ready, live, marks, pidBefore, app, terminals, quantities }) {
  const rows = [];
  const row = (figure, measured, target, pass) => rows.push({ figure, measured, target, pass });
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const all = load.results;
  const sentIn = (from, to) => all.filter((r) => r.sentAt >= from && r.sentAt < to);

  // Before the stop: the load runs clean (otherwise the rest proves nothing). Requests still in flight when
  // the server stops belong to the outage: they may succeed or get the 503.
  const before = all.filter((r) => r.answeredAt < marks.stopIssued);
  const beforeBad = before.filter((r) => !is2xx(r));
  row(
    'requests before the stop answered 2xx',
    `${before.length - beforeBad.length}/${before.length}${beforeBad.length ? ` (others: ${summarise(beforeBad)})` : ''}`,
    'all, ≥ 1 s of load',
    beforeBad.length === 0 && before.length >= RATE,
  );

  // During the outage: sent from the stop command until the server accepts connections again (its start
  // replays the WAL first), or in flight at the stop.
  const inFlightAtStop = all.filter((r) => r.sentAt < marks.stopIssued && r.answeredAt >= marks.stopIssued);
  const during = [...inFlightAtStop, ...sentIn(marks.stopIssued, marks.dbBack)];
  const slowest = Math.max(...during.map((r) => r.answeredAt - r.sentAt));
  row(
    'slowest answer during the outage (p100)',
    `${s(slowest)} (${during.length} requests)`,
    `≤ ${s(TARGET_ANSWER_MS)}`,
    during.length > 0 && slowest <= TARGET_ANSWER_MS,
  );
  // Requests in flight at the stop or sent while the server was still shutting down, or already starting
  // (it accepts connections a little before pg_ctl notices), may have succeeded.
  const mayHaveSucceeded = (r) => r.sentAt < marks.stopDone || r.sentAt >= marks.startIssued;
  const wrong = during.filter((r) => !isDatabaseUnavailable(r) && !(is2xx(r) && mayHaveSucceeded(r)));
  const downOnly = sentIn(marks.stopDone, marks.startIssued);
  row(
    'outage answers 503 problem+json DATABASE_UNAVAILABLE',
    `${during.length - wrong.length}/${during.length}${wrong.length ? ` (others: ${summarise(wrong)})` : ''}`,
    'all',
    wrong.length === 0 && downOnly.length > 0,
  );

  // Readiness: down soon after the stop, and stays down until the start.
  const readyAfterStop = ready.results.filter(
    (r) => r.sentAt >= marks.stopDone && r.sentAt < marks.startIssued,
  );
  const firstDown = readyAfterStop.find((r) => r.status === 503);
  const downAfter = firstDown ? firstDown.answeredAt - marks.stopIssued : Infinity;
  const flapped = firstDown
    ? readyAfterStop.filter((r) => r.sentAt > firstDown.sentAt && r.status !== 503)
    : [];
  row(
    'readiness 503 after the stop',
    firstDown
      ? `${s(downAfter)}${flapped.length ? `, then ${flapped.length} polls not 503 (${summarise(flapped)})` : ''}`
      : 'never',
    `≤ ${s(TARGET_READY_DOWN_MS)}, stays down`,
    downAfter <= TARGET_READY_DOWN_MS && flapped.length === 0,
  );
  const readySlowest = Math.max(...readyAfterStop.map((r) => r.answeredAt - r.sentAt));
  row(
    'slowest readiness answer during the outage',
    `${s(readySlowest)} (${readyAfterStop.length} polls)`,
    `≤ ${s(TARGET_ANSWER_MS)}`,
    readyAfterStop.length > 0 && readySlowest <= TARGET_ANSWER_MS,
  );

  // Recovery, from the moment the server accepts connections again.
  const readyBack = recoveredAt(
    ready.results.filter((r) => r.sentAt >= marks.startIssued),
    is2xx,
  );
  const readyRecovery = readyBack === null ? Infinity : Math.max(0, readyBack.answeredAt - marks.dbBack);
  row(
    'readiness 200 again after the database is back',
    readyBack ? s(readyRecovery) : 'never (stably)',
    `≤ ${s(TARGET_RECOVERY_MS)}`,
    readyRecovery <= TARGET_RECOVERY_MS,
  );
  const afterStart = all.filter((r) => r.sentAt >= marks.startIssued);
  const requestsBack = recoveredAt(afterStart, is2xx);
  const requestRecovery =
    requestsBack === null ? Infinity : Math.max(0, requestsBack.answeredAt - marks.dbBack);
  const lastBad = afterStart.filter((r) => !is2xx(r));
  row(
    'requests succeed again after the database is back',
    requestsBack
      ? `${s(requestRecovery)} (${lastBad.length} failed after the start${lastBad.length ? `: ${summarise(lastBad)}` : ''})`
      : 'never (stably)',
    `≤ ${s(TARGET_RECOVERY_MS)}`,
    requestRecovery <= TARGET_RECOVERY_MS,
  );

  // The process.
  const liveBad = live.results.filter((r) => r.status !== 200);
  row(
    'liveness (GET /health) during the run',
    `${live.results.length - liveBad.length}/${live.results.length} answered 200`,
    'all',
    liveBad.length === 0 && live.results.length > 0,
  );
  const samePid = app.child.pid === pidBefore && app.exited === null;
  row(
    'app process',
    samePid
      ? `same pid ${pidBefore}, never exited`
      : `pid ${pidBefore} → ${app.child.pid}, exited ${JSON.stringify(app.exited)}`,
    'never restarted',
    samePid,
  );

  // No acknowledged write lost, and no more extra than the reports whose outcome the client could not know:
  // a report refused while the server was fully down (sent after the stop, answered before the start) was not
  // applied; one cut off at the crash or refused around the start may have been.
  const acked = terminals.reduce((a, t) => a + t.acked, 0);
  const unknown = all.filter(
    (r) =>
      r.kind === 'report' && !is2xx(r) && !(r.sentAt >= marks.stopDone && r.answeredAt < marks.startIssued),
  ).length;
  let lost = 0;
  let extra = 0;
  terminals.forEach((t, i) => {
    const q = quantities[i];
    if (q < t.acked) lost += t.acked - q;
    else extra += q - t.acked;
  });
  row('acknowledged reports lost', `${lost} of ${acked}`, '0', lost === 0 && acked > 0);
  row(
    'reports applied without a 2xx answer',
    String(extra),
    `≤ ${unknown} (not 2xx, outcome unknown to the client)`,
    extra <= unknown,
  );

  const others = all.filter((r) => !is2xx(r) && !isDatabaseUnavailable(r));
  row(
    'other failures in the whole run (500, network, timeouts…)',
    others.length ? `${others.length}: ${summarise(others)}` : '0',
    '0',
    others.length === 0,
  );
  return rows;
}

/**
 * The first answer from which every later one (by send time) passes `ok`, if at least STABLE_TAIL_MS of
 * answers follow it; null otherwise.
 */
function recoveredAt(results, ok) {
  const sorted = [...results].sort((a, b) => a.sentAt - b.sentAt);
  let i = sorted.length;
  while (i > 0 && ok(sorted[i - 1])) i--;
  if (i === sorted.length) return null;
  const first = sorted[i];
  const last = sorted[sorted.length - 1];
  return last.sentAt - first.sentAt >= STABLE_TAIL_MS ? first : null;
}

function summarise(results) {
  const counts = new Map();
  for (const r of results) counts.set(describe(r), (counts.get(describe(r)) ?? 0) + 1);
  return [...counts].map(([k, v]) => `${k} × ${v}`).join(', ');
}

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

async function main() {
  const app = new App();
  let cluster = null;
  let failed;
  const cleanup = () => cluster?.destroy();
  process.on('exit', cleanup); // last resort; the finally below normally does it
  const onSignal = (sig) => {
    if (interrupt.signal.aborted) process.exit(130);
    log(`${sig}: stopping and cleaning up (again to exit at once)`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const started = performance.now();
    cluster = new PrivateCluster(await freePort());
    log(`private PostgreSQL cluster in ${cluster.dir}, port ${cluster.port}`);
    await cluster.init();
    await cluster.start();
    await cluster.query('postgres', `CREATE DATABASE ${DATABASE}`);
    const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
    log(`cluster up after ${elapsed()}; starting the app (migrations and demo seed)`);
    await app.start(cluster.url(DATABASE));
    await app.waitReady();
    log(`app ready after ${elapsed()}`);
    const pidBefore = app.child.pid;
    const { terminals, adminToken } = await setUp(app);
    log(`set-up done after ${elapsed()}`);

    const ready = startPoller(app, '/health/ready', READY_POLL_MS);
    const live = startPoller(app, '/health', LIVE_POLL_MS);
    const load = startLoad(app, terminals);
    const marks = {};
    try {
      log(`load: ${RATE} requests/s for ${BEFORE_S} s, then the database stops for ${OUTAGE_S} s`);
      await pause(BEFORE_S * 1000);
      throwIfInterrupted();
      marks.stopIssued = performance.now();
      const stop = await cluster.stop('immediate');
      marks.stopDone = performance.now();
      log(`database stopped (pg_ctl stop -m immediate took ${stop.ms} ms)`);
      await pause(marks.stopDone + OUTAGE_S * 1000 - performance.now());
      throwIfInterrupted();
      marks.startIssued = performance.now();
      const start = await cluster.start();
      marks.dbBack = performance.now();
      log(`database back (pg_ctl start took ${start.ms} ms); load for ${AFTER_S} s more`);
      await pause(marks.dbBack + AFTER_S * 1000 - performance.now());
    } finally {
      await load.stop();
      await ready.stop();
      await live.stop();
    }
    throwIfInterrupted();

    // Every report answered 2xx must be in the good quantity, read back through the app.
    const quantities = [];
    for (const t of terminals) {
      const { body } = await api(app, 'GET', `/terminal/operations/${t.operationId}`, { token: adminToken });
      const m = /^(\d+)(?:\.0*)?$/.exec(String(body.goodQty));
      if (!m) throw new Error(`unexpected goodQty ${JSON.stringify(body.goodQty)}`);
      quantities.push(Number(m[1]));
    }

    const rows = evaluate({ load, ready, live, marks, pidBefore, app, terminals, quantities });
    failed = rows.some((r) => !r.pass);
    const outageS = ((marks.startIssued - marks.stopDone) / 1000).toFixed(1);
    const startS = ((marks.dbBack - marks.startIssued) / 1000).toFixed(1);
    const out = [
      `database outage (${MODE}: ${RATE} requests/s, PostgreSQL stopped with -m immediate for ${outageS} s ` +
        `and accepting connections ${startS} s after its start; ${load.results.length} requests)`,
      '',
      '| figure | measured | target | verdict |',
      '| --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.figure} | ${r.measured} | ${r.target} | ${r.pass ? 'PASS' : 'FAIL'} |`),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    if (failed) app.printTail();
  } catch (err) {
    failed = true;
    if (!interrupt.signal.aborted) {
      log(`FAILED: ${err.stack ?? err}`);
      app.printTail();
      for (const line of cluster?.logTail() ?? []) process.stderr.write(`  pg: ${line}\n`);
    }
  } finally {
    await app.stop().catch((e) => log(`stopping the app: ${e.message}`));
    cleanup();
  }
  process.exitCode = interrupt.signal.aborted ? 130 : failed ? 1 : 0;
}

await main();
