#!/usr/bin/env node
// Socket.IO fan-out benchmark: commit → receipt latency of live shop-floor pushes at 1,000 screens.
//
// Starts the built service (dist/src/main.js) on a fresh PostgreSQL database with the demo factory (and the
// Redis adapter when REDIS_URL is set in the environment), then opens BENCH_SOCKET_CLIENTS (1,000) Socket.IO
// connections to /shop-floor, each signed in with a JWT, spread over BENCH_SOCKET_PROCS client processes (their
// CPU is not the app's). The screens are what the web UI opens (src/ui/public/socket.js):
//   - 2 in 5 are terminals: an operator's token, subscribed to the work center's room (as the terminal page);
//   - 2 in 5 are dashboards: a viewer's token, subscribed to the line's room (as the dashboard), site room too;
//   - 1 in 5 are work-order screens: a planner's token, subscribed to one work order's room.
// A driver in this process then sends terminal reports (goodQty 1, POST /terminal/operations/{id}/report) on
// BENCH_SOCKET_TERMINALS running operations at a steady BENCH_SOCKET_RATE per second for BENCH_SECONDS. Each
// report is pushed after its commit as `operation.progress` to the work center, line and work order rooms.
//
// Latency: "commit" is the envelope's `at`, the server's clock when it publishes the push, which it does only
// after the transaction committed (the event bus runs after commit); receipt is the client's clock when its
// handler runs. Both are the same machine's wall clock; `at` has millisecond resolution (truncated), so a
// latency reads up to 1 ms high. Bounds beside it: the report's 2xx answer arriving (after the commit) and the
// request leaving (before it). Every screen must get every push of its rooms: counted per room against the 2xx
// reports, with each room's sequence numbers contiguous (no gap, no repeat).
//
//   npm run bench:socket                          # 1,000 screens, 10 reports/s for 30 s
//   BENCH_SECONDS=5 npm run bench:socket          # a quick try
//   REDIS_URL=redis://127.0.0.1:6379 npm run bench:socket   # through the Redis adapter
//
// Exit status: 0 when the run completed (PASS/MISS printed); 1 when something errored: set-up failed, a
// connection was refused or dropped, a report was not answered 200, or a screen missed a push or saw a gap.

import { fork } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import {
  adminQuery,
  api,
  App,
  backendsCpu,
  dbUrl,
  DEMO_PASSWORD,
  intEnv,
  interrupt,
  log,
  login,
  machineBusySeconds,
  percentile,
  procCpu,
  quoteIdent,
  rssBytes,
  sleep,
  startedTerminals,
  throwIfInterrupted,
  writeBenchResult,
} from './common.mjs';

// ---------------------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------------------

const CLIENTS = intEnv('BENCH_SOCKET_CLIENTS', 1000);
const SECONDS = intEnv('BENCH_SECONDS', 30);
// Reports per second, all terminals together: 400 terminals reporting every piece of a 40 s cycle (the busiest
// way a plant reports) make 10 a second.
const RATE = intEnv('BENCH_SOCKET_RATE', 10);
const TERMINALS = intEnv('BENCH_SOCKET_TERMINALS', 4);
const PROCS = intEnv('BENCH_SOCKET_PROCS', 2);
const WARMUP_REPORTS = Math.max(TERMINALS, Math.min(2 * RATE, 40)); // counted and checked, not timed
const TARGET_P99_MS = 50;
const DELIVERY_WAIT_MS = 10_000; // after the last answer, how long pushes may still arrive

const MATERIAL = 'GB-R80'; // all first operations run in the assembly work center of one line
const CORES = availableParallelism();
const APP_DB = `mom_bench_socket_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;

/** The wall clock in ms with sub-millisecond resolution, comparable across processes of this machine. */
const wallNow = () => performance.timeOrigin + performance.now();

/** "12.000" and "12" are the same quantity: the push and the answer format it alike, but do not rely on it. */
const qtyKey = (operationId, qty) =>
  `${operationId}#${String(qty)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '')}`;

// ---------------------------------------------------------------------------------------------------------
// Client processes (node socket-fanout-bench.mjs --clients): many screens each
// ---------------------------------------------------------------------------------------------------------

/** A growing column of numbers (one per push received). */
class Column {
  constructor(Type) {
    this.Type = Type;
    this.data = new Type(4096);
    this.length = 0;
  }
  push(v) {
    if (this.length === this.data.length) {
      const bigger = new this.Type(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  values() {
    return this.data.slice(0, this.length);
  }
}

async function clientsMain() {
  const screens = [];
  const received = {
    recv: new Column(Float64Array),
    at: new Column(Float64Array),
    key: new Column(Int32Array),
  };
  const keyIds = new Map();
  const keys = [];
  let reportedTotal = 0;
  let disconnects = 0;
  let firstDisconnect = null;
  const send = (msg) => process.send(msg);
  process.on('disconnect', () => process.exit(0)); // the bench is gone

  /** Opens one screen: handshake with the token, then its rooms; resolves with the set-up time. */
  const open = (url, spec) =>
    new Promise((resolve) => {
      const began = wallNow();
      const screen = { spec, rooms: new Map(), socket: null, connected: false };
      screens.push(screen);
      const socket = io(`${url}/shop-floor`, {
        auth: { token: spec.token },
        transports: ['websocket'], // browsers upgrade from polling; here the handshake cost is what counts
        forceNew: true, // one connection per screen, not one multiplexed for the whole process
        reconnection: false, // a dropped connection is a failure of the run, not something to paper over
        timeout: 60_000,
      });
      screen.socket = socket;
      const fail = (why) => resolve({ ok: false, why, ms: wallNow() - began });
      socket.on('connect_error', (err) => fail(`connect_error: ${err.message}`));
      socket.on('disconnect', (reason) => {
        if (!screen.connected || screen.closing) return;
        disconnects++;
        firstDisconnect ??= `screen ${spec.index}: ${reason}`;
      });
      socket.once('ready', () => {
        socket.emit('subscribe', { rooms: spec.rooms }, (result) => {
          const joined = result?.joined ?? [];
          if (joined.length !== spec.rooms.length) {
            return fail(`subscribe: ${JSON.stringify(result)}`);
          }
          screen.connected = true;
          resolve({ ok: true, ms: wallNow() - began });
        });
      });
      socket.onAny((event, envelope) => {
        const t = wallNow();
        if (!envelope || typeof envelope !== 'object' || typeof envelope.seq !== 'number') return;
        let st = screen.rooms.get(envelope.room);
        if (!st) {
          st = {
            first: envelope.seq,
            last: envelope.seq - 1,
            envelopes: 0,
            reported: 0,
            gaps: 0,
            repeats: 0,
          };
          screen.rooms.set(envelope.room, st);
        }
        if (envelope.seq <= st.last) st.repeats++;
        else {
          st.gaps += envelope.seq - st.last - 1;
          st.last = envelope.seq;
        }
        st.envelopes++;
        if (event === 'operation.progress' && envelope.data?.change === 'reported') {
          st.reported++;
          reportedTotal++;
          const key = qtyKey(envelope.data.operationId, envelope.data.goodQty);
          let id = keyIds.get(key);
          if (id === undefined) {
            id = keys.length;
            keys.push(key);
            keyIds.set(key, id);
          }
          received.recv.push(t);
          received.at.push(Date.parse(envelope.at));
          received.key.push(id);
        }
      });
    });

  process.on('message', async (msg) => {
    try {
      if (msg.cmd === 'connect') {
        const began = wallNow();
        const results = await Promise.all(msg.specs.map((spec) => open(msg.url, spec)));
        send({
          type: 'connected',
          began,
          ended: wallNow(),
          ms: Float64Array.from(results.filter((r) => r.ok).map((r) => r.ms)),
          failures: results.filter((r) => !r.ok).map((r) => r.why),
        });
      } else if (msg.cmd === 'count') {
        send({ type: 'count', reported: reportedTotal, disconnects });
      } else if (msg.cmd === 'collect') {
        send({
          type: 'collected',
          recv: received.recv.values(),
          at: received.at.values(),
          key: received.key.values(),
          keys,
          disconnects,
          firstDisconnect,
          screens: screens.map((s) => ({ index: s.spec.index, rooms: [...s.rooms] })),
        });
      } else if (msg.cmd === 'end') {
        for (const s of screens) {
          s.closing = true;
          s.socket?.close();
        }
        send({ type: 'ended' });
        process.disconnect();
      }
    } catch (err) {
      send({ type: 'error', msg: err.stack ?? String(err) });
    }
  });
  send({ type: 'ready' });
}

/** One client process and a request/answer channel to it. */
class ClientProcess {
  async start() {
    this.child = fork(fileURLToPath(import.meta.url), ['--clients'], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.waiters = [];
    this.child.on('message', (msg) => {
      const w = this.waiters.shift();
      if (!w) return;
      if (msg.type === 'error') w.reject(new Error(`client process: ${msg.msg}`));
      else w.resolve(msg);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.waiters.splice(0))
        w.reject(new Error(`a client process exited (${code ?? signal})`));
    });
    await this.next();
  }

  next() {
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  request(msg) {
    const answer = this.next();
    this.child.send(msg);
    return answer;
  }

  async stop() {
    if (!this.child || this.exited) return;
    await Promise.race([this.request({ cmd: 'end' }).catch(() => undefined), sleep(5000)]);
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Set-up: terminals with running operations, the screens and their rooms
// ---------------------------------------------------------------------------------------------------------

async function setUp(app) {
  const { siteId, adminToken, terminals } = await startedTerminals(app, {
    count: TERMINALS,
    material: MATERIAL,
    prefix: 'sock',
  });
  // Each operation's work center and line: the rooms its pushes go to.
  const { body: tree } = await api(app, 'GET', `/sites/${siteId}/hierarchy`, { token: adminToken });
  const lineOf = new Map();
  for (const area of tree.areas ?? [])
    for (const line of area.lines ?? []) for (const wc of line.workCenters ?? []) lineOf.set(wc.id, line.id);
  for (const t of terminals) {
    const { body: op } = await api(app, 'GET', `/terminal/operations/${t.operationId}`, {
      token: adminToken,
    });
    if (!op.workCenterId || !lineOf.has(op.workCenterId)) {
      throw new Error(
        `operation ${t.operationId}: work center ${op.workCenterId} not found in the site's lines`,
      );
    }
    t.rooms = [
      `workcenter:${op.workCenterId}`,
      `line:${lineOf.get(op.workCenterId)}`,
      `workorder:${t.workOrderId}`,
    ];
  }
  const viewer = await login(app, 'viewer', DEMO_PASSWORD);
  const planner = await login(app, 'planner', DEMO_PASSWORD);
  const specs = Array.from({ length: CLIENTS }, (_, index) => {
    const t = terminals[index % TERMINALS];
    switch (index % 5) {
      case 0:
      case 1:
        return { index, kind: 'terminal', token: t.token, rooms: [t.rooms[0]] };
      case 2:
      case 3:
        return { index, kind: 'dashboard', token: viewer, rooms: [t.rooms[1]] };
      default:
        return { index, kind: 'work order', token: planner, rooms: [t.rooms[2]] };
    }
  });
  return { terminals, specs };
}

// ---------------------------------------------------------------------------------------------------------
// The driver: terminal reports at a steady rate
// ---------------------------------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function post(url, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends `count` reports at RATE per second, round robin over the terminals, each at its scheduled time whether
 * or not earlier ones have been answered (an open loop: a slow answer does not slow the pushes down).
 */
async function drive(app, terminals, count, firstIndex, reports) {
  const body = JSON.stringify({ goodQty: '1' });
  const interval = 1000 / RATE;
  const t0 = performance.now();
  const pending = [];
  for (let k = 0; k < count; k++) {
    throwIfInterrupted();
    const wait = t0 + k * interval - performance.now();
    if (wait > 0) await sleep(wait);
    const t = terminals[(firstIndex + k) % terminals.length];
    const report = { index: firstIndex + k, terminal: t, sent: wallNow(), answer: NaN, status: 0, key: null };
    reports.push(report);
    pending.push(
      post(`${app.baseUrl}/api/v1/terminal/operations/${t.operationId}/report`, body, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        authorization: `Bearer ${t.token}`,
        'idempotency-key': randomUUID(),
      }).then(
        ({ status, text }) => {
          report.answer = wallNow();
          report.status = status;
          if (status === 200) report.key = qtyKey(t.operationId, JSON.parse(text).goodQty);
          else report.error = `${status} ${text.slice(0, 300)}`;
        },
        (err) => {
          report.answer = wallNow();
          report.error = `network: ${err.message}`;
        },
      ),
    );
  }
  await Promise.all(pending);
  return (performance.now() - t0) / 1000;
}

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

/** The soft limit on open files of this process (Linux), to warn before sockets run out. */
function openFilesLimit() {
  try {
    const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(
      readFileSync('/proc/self/limits', 'utf8'),
    );
    return m ? { soft: m[1], hard: m[2] } : null;
  } catch {
    return null;
  }
}

async function main() {
  const app = new App();
  const procs = [];
  let failed = false;
  let dbCreated = false;
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      if (interrupt.signal.aborted) process.exit(130);
      log(`${sig}: stopping and cleaning up (again to exit at once)`);
      interrupt.abort();
    });
  }
  try {
    // Each screen holds one socket in a client process and one in the app. Node raises its own soft limit to
    // the hard limit at start, so only a hard limit below what is needed is a problem.
    const limits = openFilesLimit();
    const perProcess = Math.ceil(CLIENTS / PROCS);
    if (limits && limits.hard !== 'unlimited' && Number(limits.hard) < CLIENTS + 256) {
      throw new Error(
        `the open-files hard limit (${limits.hard}) is below the ${CLIENTS + 256} sockets and files the app needs; ` +
          'raise it (ulimit -Hn) or lower BENCH_SOCKET_CLIENTS',
      );
    }
    const version = (await adminQuery('SHOW server_version')).rows[0].server_version;
    const pgLabel = `PostgreSQL ${version.split(/[ .]/)[0]}`;
    const redis = process.env.REDIS_URL ? 'Redis adapter' : 'one instance, no Redis';

    await adminQuery(`CREATE DATABASE ${quoteIdent(APP_DB)}`);
    dbCreated = true;
    log(`database ${APP_DB} created; starting the app (${redis})`);
    await app.start(dbUrl(APP_DB));
    await app.waitReady();
    const { terminals, specs } = await setUp(app);

    // 1. The screens connect, all at once (as after a restart of the service), spread over the processes.
    log(`${CLIENTS} screens connect through ${PROCS} client processes (${perProcess} each)`);
    for (let p = 0; p < PROCS; p++) {
      const proc = new ClientProcess();
      procs.push(proc);
      await proc.start();
    }
    const connected = await Promise.all(
      procs.map((proc, p) =>
        proc.request({ cmd: 'connect', url: app.baseUrl, specs: specs.filter((s) => s.index % PROCS === p) }),
      ),
    );
    const failures = connected.flatMap((c) => c.failures);
    if (failures.length > 0) {
      throw new Error(`${failures.length} screens could not connect; first: ${failures[0]}`);
    }
    const setupWallS =
      (Math.max(...connected.map((c) => c.ended)) - Math.min(...connected.map((c) => c.began))) / 1000;
    const handshakes = Float64Array.from(connected.flatMap((c) => [...c.ms])).sort();
    log(`all connected and subscribed in ${setupWallS.toFixed(2)} s`);

    // 2. Warm-up reports (checked like the rest, not timed), then the measured ones at the same pace.
    const reports = [];
    await drive(app, terminals, WARMUP_REPORTS, 0, reports);
    await sleep(500);
    log(`load: ${RATE} reports/s for ${SECONDS} s on ${TERMINALS} operations`);
    const cpu0 = { app: procCpu(app.child.pid), db: backendsCpu(APP_DB), busy: machineBusySeconds() };
    cpu0.clients = procs.map((p) => procCpu(p.child.pid));
    const driverCpu0 = process.cpuUsage();
    const loadS = await drive(app, terminals, SECONDS * RATE, WARMUP_REPORTS, reports);

    // 3. Every screen must get every push of its rooms: wait until the counts add up (or stop growing).
    const expectedPerRoom = new Map();
    for (const r of reports) {
      if (r.status !== 200) continue;
      for (const room of r.terminal.rooms) expectedPerRoom.set(room, (expectedPerRoom.get(room) ?? 0) + 1);
    }
    const expectedTotal = specs.reduce(
      (n, s) => n + s.rooms.reduce((m, room) => m + (expectedPerRoom.get(room) ?? 0), 0),
      0,
    );
    let got = 0;
    let lastGrowth = Date.now();
    while (Date.now() - lastGrowth < DELIVERY_WAIT_MS) {
      throwIfInterrupted();
      const counts = await Promise.all(procs.map((p) => p.request({ cmd: 'count' })));
      const now = counts.reduce((n, c) => n + c.reported, 0);
      if (now !== got) lastGrowth = Date.now();
      got = now;
      if (got >= expectedTotal) break;
      await sleep(100);
    }
    const cpu1 = { app: procCpu(app.child.pid), db: backendsCpu(APP_DB), busy: machineBusySeconds() };
    cpu1.clients = procs.map((p) => procCpu(p.child.pid));
    const driverCpu = process.cpuUsage(driverCpu0);
    const memory = rssBytes(app.child.pid);
    const collected = await Promise.all(procs.map((p) => p.request({ cmd: 'collect' })));

    // 4. Checks per screen and room, and the latencies of the measured pushes.
    const byKey = new Map();
    for (const r of reports) if (r.key) byKey.set(r.key, r);
    const problems = [];
    const errors = reports.filter((r) => r.status !== 200);
    if (errors.length > 0)
      problems.push(`${errors.length} reports not answered 200; first: ${errors[0].error}`);
    let missed = 0;
    let extra = 0;
    let gaps = 0;
    let repeats = 0;
    let disconnects = 0;
    const screensMissing = [];
    for (const c of collected) {
      disconnects += c.disconnects;
      if (c.firstDisconnect) problems.push(`connection dropped: ${c.firstDisconnect}`);
      for (const screen of c.screens) {
        const spec = specs[screen.index];
        const rooms = new Map(screen.rooms);
        for (const room of spec.rooms) {
          const st = rooms.get(room) ?? { reported: 0, gaps: 0, repeats: 0 };
          const expected = expectedPerRoom.get(room) ?? 0;
          if (st.reported < expected) {
            missed += expected - st.reported;
            if (screensMissing.length < 5)
              screensMissing.push(
                `screen ${screen.index} (${spec.kind}) ${room}: ${st.reported} of ${expected}`,
              );
          }
          if (st.reported > expected) extra += st.reported - expected;
        }
        for (const [, st] of rooms) {
          gaps += st.gaps;
          repeats += st.repeats;
        }
      }
    }
    if (missed > 0) problems.push(`${missed} pushes missed; ${screensMissing.join('; ')}`);
    if (extra > 0) problems.push(`${extra} pushes more than the 2xx reports`);
    if (gaps > 0 || repeats > 0) problems.push(`sequence numbers: ${gaps} missing, ${repeats} repeated`);
    if (disconnects > 0) problems.push(`${disconnects} connections dropped during the run`);

    const fromCommit = [];
    const fromAnswer = [];
    const fromSent = [];
    const perReport = new Map(); // report → its first and last receipt at any screen
    let unknown = 0;
    for (const c of collected) {
      for (let i = 0; i < c.recv.length; i++) {
        const report = byKey.get(c.keys[c.key[i]]);
        if (!report) {
          unknown++;
          continue;
        }
        if (report.index < WARMUP_REPORTS) continue;
        const recv = c.recv[i];
        fromCommit.push(recv - c.at[i]);
        fromAnswer.push(recv - report.answer);
        fromSent.push(recv - report.sent);
        const seen = perReport.get(report);
        if (!seen) perReport.set(report, { first: recv, last: recv, at: c.at[i] });
        else {
          if (recv < seen.first) seen.first = recv;
          if (recv > seen.last) seen.last = recv;
        }
      }
    }
    if (unknown > 0) problems.push(`${unknown} pushes that match no answered report`);
    const sortNum = (a) => Float64Array.from(a).sort();
    const commit = sortNum(fromCommit);
    const answer = sortNum(fromAnswer);
    const sent = sortNum(fromSent);
    const firstScreen = sortNum([...perReport.values()].map((v) => v.first - v.at));
    const lastScreen = sortNum([...perReport.values()].map((v) => v.last - v.at));
    const measuredReports = reports.filter((r) => r.index >= WARMUP_REPORTS && r.status === 200).length;

    const cpuS = (a, b) => (a === null || b === null ? null : b - a);
    const appCpu = cpuS(cpu0.app, cpu1.app);
    const clientCpu = cpu1.clients.reduce((n, v, i) => n + (cpuS(cpu0.clients[i], v) ?? 0), 0);
    const dbCpu = cpuS(cpu0.db, cpu1.db);
    const busy = cpuS(cpu0.busy, cpu1.busy);
    // Shares of the load's duration (the wait for the last pushes after it is short and nearly idle).
    const share = (s) => (s === null ? 'n/a' : `${((100 * s) / (loadS * CORES)).toFixed(0)} %`);

    // 5. The table.
    const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');
    const q = (a, p) => percentile(a, p);
    const int = (v) => Math.round(v).toLocaleString('en-US');
    const verdict = (ok) => (ok ? 'PASS' : 'MISS');
    const check = (ok) => (ok ? 'PASS' : 'FAIL');
    const delivered = commit.length;
    const deliveredAll = collected.reduce((n, c) => n + c.recv.length, 0);
    const kinds = ['terminal', 'dashboard', 'work order']
      .map((k) => `${specs.filter((s) => s.kind === k).length} ${k}`)
      .join(', ');
    const lines = [
      `Socket.IO fan-out benchmark (${int(CLIENTS)} screens: ${kinds}; ${RATE} reports/s for ${SECONDS} s on ` +
        `${TERMINALS} operations; ${redis}; ${CORES} cores, ${pgLabel})`,
      '',
      '| figure | ours | target | |',
      '| --- | --- | --- | --- |',
      `| connection set-up, ${int(CLIENTS)} handshakes + subscribe at once | ${setupWallS.toFixed(2)} s | | |`,
      `| one connection's set-up p50 / p99 | ${ms(q(handshakes, 50))} / ${ms(q(handshakes, 99))} | | |`,
      `| pushes delivered (measured reports × screens in their rooms) | ${int(delivered)} of ${int(measuredReports)} reports | | |`,
      `| pushes missed (all reports, warm-up included) | ${int(missed)} of ${int(expectedTotal)} | 0 | ${check(missed === 0)} |`,
      `| room sequence gaps / repeats | ${gaps} / ${repeats} | 0 / 0 | ${check(gaps === 0 && repeats === 0)} |`,
      `| commit → receipt p50 | ${ms(q(commit, 50))} | | |`,
      `| commit → receipt p95 | ${ms(q(commit, 95))} | | |`,
      `| commit → receipt p99 | ${ms(q(commit, 99))} | ≤ ${TARGET_P99_MS} ms | ${verdict(q(commit, 99) <= TARGET_P99_MS)} |`,
      `| commit → receipt max | ${ms(commit.at(-1))} | | |`,
      `| commit → the first screen, per push, p50 / p99 | ${ms(q(firstScreen, 50))} / ${ms(q(firstScreen, 99))} | | |`,
      `| commit → the last screen, per push, p50 / p99 | ${ms(q(lastScreen, 50))} / ${ms(q(lastScreen, 99))} | | |`,
      `| 2xx answer → receipt p50 / p99 (negative: the push came first) | ${ms(q(answer, 50))} / ${ms(q(answer, 99))} | | |`,
      `| request sent → receipt p50 / p99 | ${ms(q(sent, 50))} / ${ms(q(sent, 99))} | | |`,
      `| report errors | ${errors.length} | 0 | ${check(errors.length === 0)} |`,
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const details = [
      `commit = the envelope's \`at\` (server clock when it publishes the push, after the commit; ms resolution, reads ` +
        `up to 1 ms high); receipt = the screen's handler, same machine clock`,
      `${int(deliveredAll)} pushes received in all (${int(deliveredAll / loadS)}/s over the load), ` +
        `${int(measuredReports)} measured reports in ${loadS.toFixed(1)} s, ${WARMUP_REPORTS} warm-up reports before`,
      `CPU over ${loadS.toFixed(1)} s × ${CORES} cores: app ${appCpu?.toFixed(2) ?? 'n/a'} s (${share(appCpu)}), ` +
        `client processes ${clientCpu.toFixed(2)} s (${share(clientCpu)}), PostgreSQL ${dbCpu?.toFixed(2) ?? 'n/a'} s, ` +
        `driver ${((driverCpu.user + driverCpu.system) / 1e6).toFixed(2)} s, machine busy ${share(busy)}; ` +
        `app ${appCpu !== null ? ((appCpu * 1e6) / Math.max(1, deliveredAll)).toFixed(1) : 'n/a'} µs per push delivered`,
      `app memory after the run: RSS ${memory ? (memory.rss / 2 ** 20).toFixed(0) : 'n/a'} MB (peak ${memory ? (memory.peak / 2 ** 20).toFixed(0) : 'n/a'} MB) with ${int(CLIENTS)} sockets open`,
    ];
    for (const d of details) process.stdout.write(`${d}\n`);
    for (const pr of problems) process.stdout.write(`error: ${pr}\n`);

    writeBenchResult(
      'socket',
      [
        {
          figure: `socket fan-out commit → receipt p99 (${int(CLIENTS)} screens, ${RATE} reports/s)`,
          ours: q(commit, 99),
          unit: 'ms',
          target: `≤ ${TARGET_P99_MS} ms`,
          verdict: verdict(q(commit, 99) <= TARGET_P99_MS),
        },
        { figure: 'socket fan-out commit → receipt p50', ours: q(commit, 50), unit: 'ms' },
        { figure: 'socket fan-out commit → receipt max', ours: commit.at(-1), unit: 'ms' },
        {
          figure: 'socket pushes missed, sequence gaps',
          ours: missed + gaps + repeats,
          target: '0',
          verdict: check(problems.length === 0),
        },
        { figure: `socket set-up of ${int(CLIENTS)} connections at once`, ours: setupWallS, unit: 's' },
      ],
      {
        title: `${int(CLIENTS)} screens (${kinds}), ${RATE} reports/s for ${SECONDS} s, ${redis}`,
        notes: ["commit time: the push envelope's `at` (set by the server after the commit)"],
      },
    );
    if (problems.length > 0) {
      failed = true;
      app.printTail();
    }
  } catch (err) {
    failed = true;
    if (!interrupt.signal.aborted) {
      log(`FAILED: ${err.stack ?? err}`);
      app.printTail();
    }
  } finally {
    await Promise.all(
      procs.map((p) => p.stop().catch((e) => log(`stopping a client process: ${e.message}`))),
    );
    await app.stop().catch((e) => log(`stopping the app: ${e.message}`));
    if (dbCreated) {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(APP_DB)} WITH (FORCE)`).catch((e) =>
        log(`dropping ${APP_DB}: ${e.message}`),
      );
    }
  }
  process.exitCode = interrupt.signal.aborted ? 130 : failed ? 1 : 0;
}

if (process.argv[2] === '--clients') await clientsMain();
else await main();
