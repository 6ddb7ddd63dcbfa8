#!/usr/bin/env node
// Machine data (MQTT) ingest benchmark: messages per second from the broker into the time series.
//
// Starts a private Mosquitto (free port, no persistence) and the built service (dist/src/main.js) on a fresh
// PostgreSQL database with the demo factory and MQTT_URL pointing at that broker. Creates BENCH_MQTT_MACHINES
// (200) equipment BENCH-M001… on the demo site, maps 10 plain-JSON tags on each (state, good count, scrap count,
// cycle time, parameters p1…p6; count mode `off`, no limits), then a publisher in a child process (its CPU is
// not the app's) publishes every tag once per round, one message per tag, QoS 1, as fast as the broker takes
// them (or at BENCH_RATE messages/s). Each message carries its own timestamp (an hour ago + the round in ms),
// so every message is exactly one row of machine_tag_value; the publisher records when it published each one.
//
// Figures: messages/s end to end (measured messages ÷ time from the first publish to the app reporting the
// last one stored), latency publish → stored (machine_tag_value.received_at, the storing transaction's start,
// minus the publish time of that message; and an upper bound to the commit: the start of the next batch),
// the app's own receipt → commit latency (GET /machine-data/status), CPU shares, lost and duplicate messages.
//
//   npm run bench:mqtt                         # 200 machines × 10 tags, 200,000 messages
//   BENCH_MESSAGES=20000 npm run bench:mqtt    # a quick try
//   BENCH_SECONDS=20 npm run bench:mqtt        # publish for 20 s instead of a fixed count
//   BENCH_RATE=10000 npm run bench:mqtt        # paced at 10,000 messages/s (latency below saturation)
//
// Exit status: 0 when the run completed (targets are reported as PASS/MISS); 1 when something errored or a
// message was lost (set-up failed, the publisher failed, stored rows ≠ messages published, rejected or unknown
// messages); 130 on Ctrl-C.

import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import pg from 'pg';
import {
  adminQuery,
  api,
  App,
  backendsCpu,
  BASE_URL,
  cpuSeconds,
  dbUrl,
  DEMO_PASSWORD,
  freePort,
  intEnv,
  interrupt,
  log,
  login,
  machineBusySeconds,
  mapLimit,
  percentile,
  procCpu,
  quoteIdent,
  sleep,
  throwIfInterrupted,
  writeBenchResult,
} from './common.mjs';

// ---------------------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------------------

const MACHINES = intEnv('BENCH_MQTT_MACHINES', 200);
const TAGS_PER_MACHINE = 10;
const TAGS = MACHINES * TAGS_PER_MACHINE;
const TIMED = process.env.BENCH_SECONDS !== undefined && process.env.BENCH_SECONDS !== '';
const SECONDS = intEnv('BENCH_SECONDS', 20);
const MESSAGES = intEnv('BENCH_MESSAGES', 200_000);
const ROUNDS = Math.ceil(MESSAGES / TAGS); // every tag once per round
const RATE = process.env.BENCH_RATE ? intEnv('BENCH_RATE', 1) : 0; // 0: as fast as the broker takes them
const CONNECTIONS = intEnv('BENCH_MQTT_CONNECTIONS', 4); // publisher connections
const WINDOW = intEnv('BENCH_MQTT_WINDOW', 500); // unacknowledged messages per publisher connection
const WARMUP_ROUNDS = intEnv('BENCH_MQTT_WARMUP', 5); // rounds published and stored before measuring
const STALL_S = intEnv('BENCH_MQTT_STALL_SECONDS', 30); // no progress this long: the rest counts as lost
const CORES = availableParallelism();

const TARGET_RATE = 10_000; // messages/s end to end
const TULIP_RATE = 500; // Tulip: messages/s per connector host (and 1 Hz per attribute)

const SITE_CODE = 'SZ01';
const LINE = 'BENCH';
const POLL_MS = 100;

const stamp = new Date()
  .toISOString()
  .replace(/[-:T.Z]/g, '')
  .slice(0, 14);
const APP_DB = `mom_bench_mqtt_${stamp}_${process.pid}`;
const CLIENT_ID = `mom-bench-${stamp}-${process.pid}`;

const now = () => performance.timeOrigin + performance.now(); // wall clock, sub-millisecond

/** Machine m (0-based): its equipment code. */
const equipmentCode = (m) => `BENCH-M${String(m + 1).padStart(3, '0')}`;

/** The 10 tags of a machine: topic kind, metric, mapping. */
const TAG_KINDS = [
  { kind: 'state', metric: 'value', role: 'state' },
  { kind: 'count', metric: 'good', role: 'good_count' },
  { kind: 'count', metric: 'scrap', role: 'scrap_count' },
  { kind: 'param', metric: 'cycle_time', role: 'cycle_time' },
  ...[1, 2, 3, 4, 5, 6].map((i) => ({
    kind: 'param',
    metric: `p${i}`,
    role: 'parameter',
    parameterName: `Bench parameter ${i}`,
  })),
];

/** The topic and metric of tag index i (machine i / 10, tag kind i % 10). */
function tagOf(i) {
  const m = Math.floor(i / TAGS_PER_MACHINE);
  const k = TAG_KINDS[i % TAGS_PER_MACHINE];
  return { m, k, topic: `mom/${SITE_CODE}/${LINE}/${equipmentCode(m)}/${k.kind}`, metric: k.metric };
}

// ---------------------------------------------------------------------------------------------------------
// Publisher (child process: node mqtt-bench.mjs --publisher)
// ---------------------------------------------------------------------------------------------------------

/**
 * Payload of tag i in round r, at timestamp ts: the state stays `running`; the good count rises by one per
 * round and the scrap count every 20 rounds (monotonic); cycle time and parameters vary a little.
 */
function payload(i, r, ts) {
  const m = Math.floor(i / TAGS_PER_MACHINE);
  switch (i % TAGS_PER_MACHINE) {
    case 0:
      return `{"ts":${ts},"value":"running"}`;
    case 1:
      return `{"ts":${ts},"good":${r + 1}}`;
    case 2:
      return `{"ts":${ts},"scrap":${Math.floor(r / 20)}}`;
    case 3:
      return `{"ts":${ts},"cycle_time":${(30 + ((m * 7 + r) % 10) / 10).toFixed(1)}}`;
    default: {
      const k = i % TAGS_PER_MACHINE;
      return `{"ts":${ts},"p${k - 3}":${(k * 10 + ((m * 13 + r * 7 + k) % 100) / 10).toFixed(1)}}`;
    }
  }
}

async function publisherMain() {
  let clients = [];
  let topics = null;
  let baseTs = 0;
  process.on('disconnect', () => process.exit(0)); // the bench is gone

  const connectAll = async ({ url, connections, prefix }) => {
    topics = Array.from({ length: TAGS }, (_, i) => tagOf(i).topic);
    clients = await Promise.all(
      Array.from({ length: connections }, (_, c) =>
        mqtt.connectAsync(url, {
          clientId: `${prefix}-pub-${c}`,
          clean: true,
          reconnectPeriod: 0,
          connectTimeout: 10_000,
        }),
      ),
    );
    for (const cl of clients)
      cl.on('error', (e) => process.send({ type: 'log', msg: `publisher: ${e.message}` }));
  };

  /**
   * Publishes rounds [from, to) (or from `from` until `deadline`), every connection its share of the machines,
   * each with at most `window` messages unacknowledged by the broker. Answers publish times per message.
   */
  const runRounds = ({ from, to, deadline, rate, window }) =>
    new Promise((resolve) => {
      const chunks = []; // per round: Float64Array(TAGS) of publish times (NaN: not published)
      const timesOf = (r) => {
        const k = r - from;
        while (chunks.length <= k) chunks.push(new Float64Array(TAGS).fill(NaN));
        return chunks[k];
      };
      let published = 0;
      let acked = 0;
      let errors = 0;
      let firstErr = null;
      let firstAt = Infinity;
      let lastAckAt = 0;
      let running = clients.length;
      const t0 = now();
      const perConnRate = rate > 0 ? rate / clients.length : 0;
      const lastRounds = [];

      clients.forEach((client, c) => {
        const mine = [];
        for (let i = 0; i < TAGS; i++)
          if (Math.floor(i / TAGS_PER_MACHINE) % clients.length === c) mine.push(i);
        let round = from;
        let pos = 0;
        let inflight = 0;
        let sent = 0;
        let finished = mine.length === 0;
        let timer = null;
        const done = () => {
          lastRounds[c] = round;
          if (--running === 0) {
            resolve({ published, acked, errors, firstErr, firstAt, lastAckAt, chunks, lastRounds });
          }
        };
        const onAck = (err) => {
          inflight--;
          acked++;
          lastAckAt = now();
          if (err) {
            errors++;
            firstErr ??= err.message;
          }
          if (!finished) pump();
          else if (inflight === 0) done();
        };
        const pump = () => {
          while (!finished && inflight < window) {
            if (pos === mine.length) {
              round++;
              pos = 0;
              if ((to !== undefined && round >= to) || (deadline !== undefined && now() >= deadline)) {
                finished = true;
                break;
              }
            }
            const t = now();
            if (perConnRate > 0 && sent >= ((t - t0) * perConnRate) / 1000) {
              if (!timer) {
                timer = setTimeout(() => {
                  timer = null;
                  pump();
                }, 2);
              }
              return;
            }
            const i = mine[pos++];
            const ts = baseTs + round;
            timesOf(round)[i] = t;
            if (t < firstAt) firstAt = t;
            inflight++;
            sent++;
            published++;
            client.publish(topics[i], payload(i, round, ts), { qos: 1 }, onAck);
          }
          if (finished && inflight === 0) done();
        };
        if (finished) done();
        else pump();
      });
    });

  process.on('message', async (msg) => {
    try {
      if (msg.cmd === 'connect') {
        baseTs = msg.baseTs;
        await connectAll(msg);
        process.send({ type: 'connected' });
      } else if (msg.cmd === 'run') {
        const result = await runRounds(msg);
        // One array for all rounds (structured clone of a Float64Array).
        const times = new Float64Array(result.chunks.length * TAGS);
        result.chunks.forEach((ch, k) => times.set(ch, k * TAGS));
        delete result.chunks;
        process.send({ type: 'done', ...result, times });
      } else if (msg.cmd === 'end') {
        await Promise.all(clients.map((c) => c.endAsync().catch(() => undefined)));
        process.send({ type: 'ended' });
        process.disconnect();
      }
    } catch (err) {
      process.send({ type: 'error', msg: err.stack ?? String(err) });
    }
  });
  process.send({ type: 'ready' });
}

/** The publisher child process and a request/answer channel to it. */
class Publisher {
  async start() {
    this.child = fork(fileURLToPath(import.meta.url), ['--publisher'], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.waiters = [];
    this.child.on('message', (msg) => {
      if (msg.type === 'log') return log(msg.msg);
      const w = this.waiters.shift();
      if (!w) return;
      if (msg.type === 'error') w.reject(new Error(`publisher: ${msg.msg}`));
      else w.resolve(msg);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error(`the publisher exited (${code ?? signal})`));
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

  get pid() {
    return this.child.pid;
  }

  async stop() {
    if (!this.child || this.exited) return;
    await Promise.race([this.request({ cmd: 'end' }).catch(() => undefined), sleep(5000)]);
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Private broker
// ---------------------------------------------------------------------------------------------------------

class Broker {
  async start() {
    this.port = await freePort();
    this.dir = mkdtempSync(join(tmpdir(), 'mom-bench-mqtt-'));
    const conf = join(this.dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      [
        `listener ${this.port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence false',
        'max_queued_messages 1000000',
        'max_queued_bytes 0',
        'max_inflight_messages 0',
        'set_tcp_nodelay true',
        `log_dest file ${join(this.dir, 'mosquitto.log')}`,
        'log_type error',
        'log_type warning',
        '',
      ].join('\n'),
    );
    this.proc = spawn(process.env.MOSQUITTO_BIN ?? 'mosquitto', ['-c', conf], { stdio: 'ignore' });
    this.proc.on('exit', () => (this.exited = true));
    const until = Date.now() + 10_000;
    while (!(await reachable(this.port))) {
      if (this.exited) throw new Error('mosquitto exited at start-up');
      if (Date.now() > until) throw new Error(`mosquitto did not start on port ${this.port}`);
      await sleep(50);
    }
  }

  get url() {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get pid() {
    return this.proc.pid;
  }

  async stop() {
    if (this.proc && !this.exited) {
      const gone = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await Promise.race([gone, sleep(5000)]);
      if (!this.exited) this.proc.kill('SIGKILL');
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

function reachable(port) {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------------------------
// Set-up: equipment and tag mappings
// ---------------------------------------------------------------------------------------------------------

const items = (body) => (Array.isArray(body) ? body : body.items);

async function setUp(app) {
  const token = await login(app, 'admin', DEMO_PASSWORD);
  const site = items((await api(app, 'GET', '/sites', { token })).body).find((s) => s.code === SITE_CODE);
  if (!site) throw new Error(`the demo site ${SITE_CODE} is missing`);
  const siteId = site.id;
  const workCenters = items(
    (await api(app, 'GET', `/sites/${siteId}/work-centers?limit=500`, { token })).body,
  );
  if (!workCenters?.length) throw new Error(`the demo site ${SITE_CODE} has no work centers`);

  log(`creating ${MACHINES} equipment BENCH-M001… on ${workCenters.length} work centers`);
  const machines = Array.from({ length: MACHINES }, (_, m) => m);
  await mapLimit(machines, 4, (m) =>
    api(app, 'POST', `/sites/${siteId}/equipment`, {
      token,
      body: {
        code: equipmentCode(m),
        name: `Bench machine ${m + 1}`,
        workCenterId: workCenters[m % workCenters.length].id,
      },
      expect: [201],
    }),
  );

  log(`mapping ${TAGS_PER_MACHINE} tags on each (count mode off, no limits)`);
  await mapLimit(machines, 4, (m) =>
    api(app, 'PUT', `/sites/${siteId}/machine-data/machines/${equipmentCode(m)}`, {
      token,
      body: {
        countMode: 'off',
        tags: TAG_KINDS.map((k) => ({
          source: `mom/${SITE_CODE}/${LINE}/${equipmentCode(m)}/${k.kind}`,
          metric: k.metric,
          role: k.role,
          ...(k.parameterName ? { parameterName: k.parameterName } : {}),
        })),
      },
      expect: [200],
    }),
  );
  return { token, siteId };
}

const status = async (app, token) =>
  (await api(app, 'GET', '/machine-data/status', { token, expect: [200] })).body;

/** Publishes a message on an unmapped topic until the app has received one: it is subscribed. */
async function waitSubscribed(app, token, url) {
  const probe = await mqtt.connectAsync(url, { clientId: `${CLIENT_ID}-probe`, reconnectPeriod: 0 });
  try {
    const until = Date.now() + 30_000;
    for (;;) {
      throwIfInterrupted();
      await probe.publishAsync(`mom/${SITE_CODE}/${LINE}/PROBE/param`, '{"probe":1}', { qos: 1 });
      await sleep(300);
      const s = await status(app, token);
      if (s.received > 0) return;
      if (Date.now() > until)
        throw new Error(`the app did not receive MQTT messages (status ${JSON.stringify(s)})`);
    }
  } finally {
    await probe.endAsync().catch(() => undefined);
  }
}

/**
 * Polls the app's status until `stored` reaches `target` (a number, or a promise of it: the publisher's count)
 * or, once the target is known, nothing moves for STALL_S; answers the time it got there (the end of the run)
 * and the status then.
 */
async function waitStored(app, token, target) {
  let last = -1;
  let lastMoved = Date.now();
  let goal;
  let failure = null;
  let maxPending = 0; // the app's queue: received, not yet stored (unacknowledged)
  Promise.resolve(target).then(
    (v) => (goal = v),
    (e) => (failure = e),
  );
  for (;;) {
    throwIfInterrupted();
    if (failure) throw failure;
    const s = await status(app, token);
    const at = now();
    maxPending = Math.max(maxPending, s.pending);
    if (goal !== undefined && s.stored >= goal) return { at, status: s, complete: true, maxPending };
    if (s.stored !== last) {
      last = s.stored;
      lastMoved = Date.now();
    } else if (goal !== undefined && Date.now() - lastMoved > STALL_S * 1000) {
      return { at, status: s, complete: false, maxPending };
    }
    if (app.exited) throw new Error(`the app exited (${JSON.stringify(app.exited)})`);
    await sleep(POLL_MS);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Latencies from the stored rows
// ---------------------------------------------------------------------------------------------------------

/**
 * Reads the measured rows: tag, timestamp (→ round) and received_at (the storing transaction's start, now()).
 * Latency = received_at − publish time of that message; the commit of a batch is no later than the start of
 * the next batch (the app stores one batch at a time), which bounds the latency to the commit from above.
 */
async function latencies(db, baseTs, fromRound, times, endAt) {
  const tagIndex = new Map();
  for (const r of (await db.query(`SELECT id, source, metric FROM machine_tag`)).rows) {
    const m = /\/BENCH-M(\d+)\/[a-z]+$/.exec(r.source);
    if (!m) continue;
    const k = TAG_KINDS.findIndex((t) => r.source.endsWith(`/${t.kind}`) && t.metric === r.metric);
    tagIndex.set(r.id, (Number(m[1]) - 1) * TAGS_PER_MACHINE + k);
  }
  const { rows } = await db.query({
    text: `SELECT tag_id, (extract(epoch FROM ts) * 1000)::float8, (extract(epoch FROM received_at) * 1000)::float8
             FROM machine_tag_value WHERE ts >= $1`,
    values: [new Date(baseTs + fromRound)],
    rowMode: 'array',
  });
  const starts = [...new Set(rows.map((r) => r[2]))].sort((a, b) => a - b);
  const nextStart = new Map(starts.map((s, i) => [s, i + 1 < starts.length ? starts[i + 1] : endAt]));
  const stored = [];
  const committed = [];
  let unmatched = 0;
  for (const [tagId, ts, receivedAt] of rows) {
    const i = tagIndex.get(tagId);
    const k = Math.round(ts) - baseTs - fromRound;
    const t = i === undefined ? NaN : times[k * TAGS + i];
    if (!Number.isFinite(t)) {
      unmatched++;
      continue;
    }
    stored.push(receivedAt - t);
    committed.push(nextStart.get(receivedAt) - t);
  }
  stored.sort((a, b) => a - b);
  committed.sort((a, b) => a - b);
  // Batch sizes: rows per storing transaction (one received_at each).
  const perBatch = new Map();
  for (const r of rows) perBatch.set(r[2], (perBatch.get(r[2]) ?? 0) + 1);
  const sizes = [...perBatch.values()].sort((a, b) => a - b);
  return { rows: rows.length, stored, committed, unmatched, batches: sizes.length, sizes };
}

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

async function main() {
  const broker = new Broker();
  const publisher = new Publisher();
  let app = null;
  let db = null;
  let dbCreated = false;
  let failed = false;

  const onSignal = (sig) => {
    if (interrupt.signal.aborted) process.exit(130);
    log(`${sig}: stopping and cleaning up (again to exit at once)`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const version = (await adminQuery('SHOW server_version')).rows[0].server_version;
    const server = new URL(BASE_URL);
    const pgLabel = `PostgreSQL ${version.split(/[ .]/)[0]} at ${server.hostname}:${server.port || 5432}`;

    await broker.start();
    log(`mosquitto on port ${broker.port} (pid ${broker.pid})`);
    await adminQuery(`CREATE DATABASE ${quoteIdent(APP_DB)}`);
    dbCreated = true;
    app = new App({ MQTT_URL: broker.url, MQTT_CLIENT_ID: CLIENT_ID });
    log(`database ${APP_DB} created; starting the app (migrations and demo seed)`);
    await app.start(dbUrl(APP_DB));
    await app.waitReady();
    log('app ready');

    const { token } = await setUp(app);
    await waitSubscribed(app, token, broker.url);
    db = new pg.Client({ connectionString: dbUrl(APP_DB) });
    await db.connect();

    // Timestamps an hour back (never in the future), one ms per round: unique per tag and message.
    const baseTs = Math.floor(Date.now()) - 3_600_000;
    await publisher.start();
    await publisher.request({
      cmd: 'connect',
      url: broker.url,
      connections: CONNECTIONS,
      prefix: CLIENT_ID,
      baseTs,
    });

    // Warm-up: machine states, counters and live rows exist, the code is compiled.
    log(`warm-up: ${WARMUP_ROUNDS} rounds (${WARMUP_ROUNDS * TAGS} messages)`);
    const before = await status(app, token);
    const warm = await publisher.request({ cmd: 'run', from: 0, to: WARMUP_ROUNDS, window: WINDOW, rate: 0 });
    if (warm.errors > 0) throw new Error(`warm-up: ${warm.errors} publishes failed (${warm.firstErr})`);
    const warmDone = await waitStored(app, token, before.stored + warm.published);
    if (!warmDone.complete)
      throw new Error(
        `warm-up: the app stored ${warmDone.status.stored - before.stored} of ${warm.published}`,
      );

    // The measured run.
    const s0 = await status(app, token);
    const what = TIMED ? `for ${SECONDS} s` : `${ROUNDS} rounds (${ROUNDS * TAGS} messages)`;
    log(
      `load: ${MACHINES} machines × ${TAGS_PER_MACHINE} tags, ${what}, ${CONNECTIONS} publisher connections, ` +
        `window ${WINDOW}, ${RATE ? `${RATE} messages/s` : 'as fast as the broker takes them'}`,
    );
    const cpu0 = cpuSeconds(app.child.pid);
    const busy0 = machineBusySeconds();
    const broker0 = procCpu(broker.pid);
    const pub0 = procCpu(publisher.pid);
    const db0 = backendsCpu(APP_DB);
    const self0 = process.cpuUsage();
    const t0 = now();
    const runMsg = {
      cmd: 'run',
      from: WARMUP_ROUNDS,
      window: WINDOW,
      rate: RATE,
      ...(TIMED ? { deadline: t0 + SECONDS * 1000 } : { to: WARMUP_ROUNDS + ROUNDS }),
    };
    const published = publisher.request(runMsg);
    const target = published.then((p) => s0.stored + p.published);
    const [pub, end] = await Promise.all([published, waitStored(app, token, target)]);
    const cpu1 = cpuSeconds(app.child.pid);
    const busy1 = machineBusySeconds();
    const broker1 = procCpu(broker.pid);
    const pub1 = procCpu(publisher.pid);
    const db1 = backendsCpu(APP_DB);
    const self = process.cpuUsage(self0);
    const s1 = end.status;
    if (pub.errors > 0) log(`${pub.errors} publishes failed: ${pub.firstErr}`);

    // Checks and latencies from the database.
    log('reading the stored values');
    const lat = await latencies(db, baseTs, WARMUP_ROUNDS, pub.times, end.at);
    const [{ n: totalRows }] = (await db.query(`SELECT count(*)::int AS n FROM machine_tag_value`)).rows;
    const expectedTotal = WARMUP_ROUNDS * TAGS + pub.published;
    const lost = pub.published - lat.rows;
    const extra = totalRows - expectedTotal + Math.max(0, lost); // rows nobody published (should be 0)
    const stored = s1.stored - s0.stored;
    const duplicates = s1.duplicates - s0.duplicates;
    const rejected = s1.rejected - s0.rejected;
    const unknown = s1.unknown - s0.unknown;

    const wallS = (end.at - pub.firstAt) / 1000;
    const rate = lat.rows / wallS;
    const pubS = (pub.lastAckAt - pub.firstAt) / 1000;
    const cpu =
      cpu0 && cpu1
        ? {
            app: cpu1.app - cpu0.app,
            appSystem: cpu1.appSystem - cpu0.appSystem,
            postgres: cpu1.postgres - cpu0.postgres,
            backends: db0 !== null && db1 !== null ? db1 - db0 : null,
            broker: broker0 !== null && broker1 !== null ? broker1 - broker0 : null,
            publisher: pub0 !== null && pub1 !== null ? pub1 - pub0 : null,
            bench: (self.user + self.system) / 1e6,
            machine: busy0 !== null && busy1 !== null ? busy1 - busy0 : null,
          }
        : null;
    const cpuWallS = (end.at - t0) / 1000;
    // CPU used by processes that are not part of this run (tests, builds): the figures are disturbed.
    const others =
      cpu && cpu.machine !== null
        ? cpu.machine -
          cpu.app -
          (cpu.backends ?? cpu.postgres) -
          (cpu.broker ?? 0) -
          (cpu.publisher ?? 0) -
          cpu.bench
        : null;
    const share = (s) => (s === null ? 'n/a' : `${((100 * s) / (cpuWallS * CORES)).toFixed(0)} %`);

    await db.end();
    db = null;
    await publisher.stop();
    await app.stop();

    // The table.
    const verdict = (ok) => (ok ? 'PASS' : 'MISS');
    const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');
    const int = (v) => Math.round(v).toLocaleString('en-US');
    const p = (arr, q) => percentile(arr, q);
    const appLat = s1.latencyMs;
    const lines = [
      `MQTT machine data ingest benchmark (${MACHINES} machines × ${TAGS_PER_MACHINE} tags, ${int(pub.published)} ` +
        `messages QoS 1, ${RATE ? `paced at ${int(RATE)}/s` : 'as fast as the broker takes them'}, ` +
        `${CORES} cores, Mosquitto, ${pgLabel})`,
      '',
      '| figure | ours | reference | target | |',
      '| --- | --- | --- | --- | --- |',
      `| messages/s end to end (publish → stored) | ${int(rate)} | Tulip: ${int(TULIP_RATE)}/s per connector host, 1 Hz per attribute | ≥ ${int(TARGET_RATE)} | ${verdict(rate >= TARGET_RATE)} |`,
      `| latency publish → stored, p50 / p99 / max | ${ms(p(lat.stored, 50))} / ${ms(p(lat.stored, 99))} / ${ms(lat.stored.at(-1))} | | | |`,
      `| app receipt → commit, p50 / p99 / max (app's last 10,000${pub.published < 10_000 ? ', with warm-up' : ''}) | ${appLat ? `${ms(appLat.p50)} / ${ms(appLat.p99)} / ${ms(appLat.max)}` : 'n/a'} | | | |`,
      `| app CPU share | ${cpu ? share(cpu.app) : 'n/a'} | | | |`,
      `| machine busy share | ${cpu ? share(cpu.machine) : 'n/a'} | | | |`,
      `| messages lost | ${int(Math.max(0, lost))} | | 0 | ${verdict(lost <= 0)} |`,
      `| duplicates (redelivered) | ${int(duplicates)} | | 0 | ${verdict(duplicates === 0)} |`,
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const details = [
      `published ${int(pub.published)} in ${pubS.toFixed(2)} s (${int(pub.published / pubS)}/s acknowledged by the broker); ` +
        `stored ${int(lat.rows)} rows in ${wallS.toFixed(2)} s from the first publish; app status: stored ${int(stored)}, ` +
        `duplicates ${duplicates}, unknown ${unknown}, rejected ${rejected}, pending ${s1.pending} (at most ${int(end.maxPending)} ` +
        `seen, polled every ${POLL_MS} ms), failed batches ${s1.failedBatches - s0.failedBatches}`,
      `latency publish → start of the next batch (no earlier than the commit): p50 ${ms(p(lat.committed, 50))}, ` +
        `p99 ${ms(p(lat.committed, 99))}${RATE ? '' : '; unpaced, so the latencies are mostly the backlog waiting in the broker and the app'}`,
      `batches: ${int(lat.batches)} transactions, ${int(lat.rows / Math.max(1, lat.batches))} messages on average ` +
        `(p50 ${int(p(lat.sizes, 50))}, max ${int(lat.sizes.at(-1) ?? 0)})`,
      ...(cpu
        ? [
            `CPU seconds over ${cpuWallS.toFixed(2)} s × ${CORES} cores: app ${cpu.app.toFixed(2)} (kernel ${cpu.appSystem.toFixed(2)}), ` +
              `PostgreSQL ${cpu.backends !== null ? `${cpu.backends.toFixed(2)} (this database's backends)` : cpu.postgres.toFixed(2)}, Mosquitto ${cpu.broker?.toFixed(2) ?? 'n/a'}, publisher ${cpu.publisher?.toFixed(2) ?? 'n/a'}, ` +
              `bench ${cpu.bench.toFixed(2)}, machine ${cpu.machine?.toFixed(2) ?? 'n/a'}; ` +
              `app ${((cpu.app * 1e6) / Math.max(1, lat.rows)).toFixed(0)} µs and this database's backends ` +
              `${(((cpu.backends ?? cpu.postgres) * 1e6) / Math.max(1, lat.rows)).toFixed(0)} µs per message`,
          ]
        : []),
      ...(others !== null && others > 0.1 * cpuWallS * CORES
        ? [
            `warning: other processes used ${others.toFixed(1)} CPU seconds (${share(others)} of the machine) during the run; ` +
              'the figures are disturbed, measure again on a quiet machine',
          ]
        : []),
    ];
    for (const d of details) process.stdout.write(`${d}\n`);

    const problems = [];
    if (pub.errors > 0) problems.push(`${pub.errors} publishes failed (${pub.firstErr})`);
    if (lost > 0)
      problems.push(
        `${lost} messages lost (published ${pub.published}, stored ${lat.rows}${end.complete ? '' : ', gave up waiting'})`,
      );
    if (extra !== 0) problems.push(`${extra} rows in machine_tag_value that were not published`);
    if (lat.unmatched > 0) problems.push(`${lat.unmatched} stored rows without a publish time`);
    if (rejected > 0 || unknown > 0) problems.push(`${rejected} rejected and ${unknown} unknown messages`);
    for (const pr of problems) process.stdout.write(`error: ${pr}\n`);
    const check = (ok) => (ok ? 'PASS' : 'FAIL');
    writeBenchResult(
      'mqtt',
      [
        {
          figure: 'messages/s end to end (publish → stored)',
          ours: rate,
          unit: 'msg/s',
          reference: TULIP_RATE,
          ratio: rate / TULIP_RATE,
          target: `≥ ${int(TARGET_RATE)} msg/s`,
          verdict: verdict(rate >= TARGET_RATE),
        },
        { figure: 'latency publish → stored p99', ours: p(lat.stored, 99), unit: 'ms' },
        { figure: 'app receipt → commit p99', ours: appLat?.p99 ?? null, unit: 'ms' },
        {
          figure: 'messages lost',
          ours: Math.max(0, lost),
          target: '0, every message stored once',
          verdict: check(problems.length === 0),
        },
        {
          figure: 'duplicates (redelivered)',
          ours: duplicates,
          target: '0',
          verdict: verdict(duplicates === 0),
        },
      ],
      {
        title: `${MACHINES} machines × ${TAGS_PER_MACHINE} tags, ${int(pub.published)} messages QoS 1${RATE ? `, paced at ${int(RATE)}/s` : ''}`,
        notes: [
          'reference: Tulip caps a connector host at 500 messages/s',
          ...(cpu
            ? [
                `CPU per message: app ${((cpu.app * 1e6) / Math.max(1, lat.rows)).toFixed(0)} µs, PostgreSQL ${(((cpu.backends ?? cpu.postgres) * 1e6) / Math.max(1, lat.rows)).toFixed(0)} µs`,
              ]
            : []),
        ],
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
      app?.printTail();
    }
  } finally {
    if (db) await db.end().catch(() => undefined);
    await publisher.stop().catch((e) => log(`stopping the publisher: ${e.message}`));
    if (app) await app.stop().catch((e) => log(`stopping the app: ${e.message}`));
    await broker.stop().catch((e) => log(`stopping mosquitto: ${e.message}`));
    if (dbCreated) {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(APP_DB)} WITH (FORCE)`).catch((e) =>
        log(`dropping ${APP_DB}: ${e.message}`),
      );
    }
  }
  process.exitCode = interrupt.signal.aborted ? 130 : failed ? 1 : 0;
}

if (process.argv[2] === '--publisher') await publisherMain();
else await main();
