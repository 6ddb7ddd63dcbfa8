#!/usr/bin/env node
// Scale-out (issue #12, item 8): two instances of the built app (dist/src/main.js) on one fresh PostgreSQL
// database and one Redis, started at the same moment on the empty database (they must migrate and load the
// demo factory once between them), in WMS_MODE=http against a WMS receiver inside this script, with scheduled
// jobs on. Then:
//   0. start-up: both come up; one demo factory, every migration applied once;
//   1. cross-instance pushes: screens on A receive what commands on B cause and the other way round, each
//      room's numbers going up by exactly one; then both instances push into the same rooms at once: every
//      number arrives once (the order between two instances is reported);
//   2. jobs once: scheduled_job_state is polled every 100 ms for the whole run: no job is claimed twice
//      between two polls or sooner than its guard allows, and no job runs more often than its period;
//   3. outbox once: work orders released half through A, half through B make pick-task messages that both
//      relays deliver; the receiver accepts each message id once and counts every repeat;
//   4. reconnect and resync: many screens on A keep a view of some work orders (lib/scale-clients.mjs: the
//      web UI's protocol — join the rooms, apply pushes, refetch over HTTP on a skipped number or a
//      reconnection) while terminals report through B; A is stopped (SIGTERM; the full form also SIGKILLs it
//      in a second round) and started again on the same address; the screens reconnect to A (their own
//      reconnection, as a browser's), refetch, and at the end every screen shows what the database holds and
//      has every room at the server's number.
//
//   HARDENING_MODE=reduced node test/hardening/scale-out.hardening.mjs   # 100 screens, one SIGTERM (≈ 80 s)
//   node test/hardening/scale-out.hardening.mjs                          # 300 screens, SIGTERM then SIGKILL
//
// Environment: BENCH_DATABASE_URL (PostgreSQL server; a database is created and dropped, even on failure),
// REDIS_URL (default redis://127.0.0.1:6379; the run's keys carry a prefix of their own and are deleted at
// the end), HARDENING_SOCKETS (screens), HARDENING_TERMINALS (reporting terminals).
// Exit status 0 when every figure holds, 1 otherwise (or on a set-up failure), 130 when interrupted.

import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createClient } from 'redis';
import { io } from 'socket.io-client';
import {
  adminQuery,
  api,
  App,
  dbUrl,
  DEMO_PASSWORD,
  freePort,
  intEnv,
  interrupt,
  log,
  login,
  mapLimit,
  percentile,
  quoteIdent,
  sleep,
  startedTerminals,
  throwIfInterrupted,
} from '../../bench/common.mjs';
import { ShopFloorClient } from './lib/scale-clients.mjs';
import { JobWatcher, minGapMs } from './lib/scale-jobs.mjs';
import { CountingWms } from './lib/scale-wms-receiver.mjs';

// ---------------------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------------------

const MODE = process.env.HARDENING_MODE === 'reduced' ? 'reduced' : 'full';
const SETTINGS = {
  reduced: {
    sockets: 100,
    terminals: 8,
    releases: 40,
    crossReports: 16,
    rounds: ['SIGTERM'],
    loadBeforeS: 5,
    loadAfterS: 5,
    reportsPerSecond: 16,
  },
  full: {
    sockets: 300,
    terminals: 16,
    releases: 200,
    crossReports: 40,
    rounds: ['SIGTERM', 'SIGKILL'],
    loadBeforeS: 15,
    loadAfterS: 15,
    reportsPerSecond: 24,
  },
}[MODE];
const SOCKETS = intEnv('HARDENING_SOCKETS', SETTINGS.sockets);
const TERMINALS = Math.max(2, intEnv('HARDENING_TERMINALS', SETTINGS.terminals));
const ROOMS_PER_SCREEN = 2; // work orders each screen shows
const RELEASE_CLIENTS = 4; // planners releasing at once on each instance
const CONNECT_BATCH = 25; // screens connecting at once

// Every screen back within this of the restarted instance's readiness. Generous on purpose: it catches screens
// that never come back; how fast they come back is reported (it depends on how busy the shared machine is).
const TARGET_RECONNECT_AFTER_READY_MS = 60_000;
const SETTLE_TIMEOUT_MS = 20_000; // after the load: every screen at the server's numbers
const DELIVERY_TIMEOUT_MS = 60_000;
const PUSH_TIMEOUT_MS = 10_000;

const WORK_ORDER_MATERIAL = 'GB-R80';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const stamp = new Date()
  .toISOString()
  .replace(/[-:T.Z]/g, '')
  .slice(0, 14);
const APP_DB = `mom_hardening_scale_${stamp}_${process.pid}`;
// This run's Redis keys and Socket.IO channels: other runs and deployments on the same Redis stay apart.
const REDIS_PREFIX = `mom-scale-${stamp}-${process.pid}`;
const WMS_KEY = 'MOM-SCALE';
const WMS_SECRET = randomBytes(24).toString('hex');

// One deployment: both instances (and A after its restarts) share the secrets, so tokens work on either.
const SHARED_ENV = {
  JWT_SECRET: randomBytes(48).toString('hex'),
  DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  REDIS_URL,
  REDIS_KEY_PREFIX: REDIS_PREFIX,
  JOBS_ENABLED: 'true',
  WMS_MODE: 'http',
  WMS_APP_KEY: WMS_KEY,
  WMS_APP_SECRET: WMS_SECRET,
  // Both relays look often and claim a few messages at a time, so they compete for the same rows.
  OUTBOX_POLL_INTERVAL_MS: '100',
  OUTBOX_BATCH_SIZE: '5',
};

/** The app on a port chosen by the caller: a restarted instance comes back at the address its screens know. */
class InstanceApp extends App {
  constructor(name, port, env) {
    super({ ...env, PORT: String(port), INSTANCE_ID: name });
    this.name = name;
    this.port = port;
  }

  async start(databaseUrl) {
    await super.start(databaseUrl);
    this.baseUrl = `http://127.0.0.1:${this.port}`;
  }
}

const fmtMs = (ms) => (Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : 'n/a');
const sorted = (xs) => [...xs].sort((a, b) => a - b);

// ---------------------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------------------

/** One good unit reported on the terminal's operation through `app`; returns the new total. */
async function report(app, terminal) {
  const { body } = await api(app, 'POST', `/terminal/operations/${terminal.operationId}/report`, {
    token: terminal.token,
    body: { goodQty: '1' },
    expect: [200],
    headers: { 'idempotency-key': randomUUID() },
  });
  return Number(body.goodQty);
}

/** A bare listener on /shop-floor for the cross-instance checks: records every push it gets. */
async function probe(app, token, rooms, label) {
  const socket = io(`${app.baseUrl}/shop-floor`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const got = [];
  socket.onAny((event, envelope) => {
    if (envelope && typeof envelope.seq === 'number')
      got.push({ event, room: envelope.room, seq: envelope.seq, data: envelope.data, at: performance.now() });
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: not ready within 10 s`)), 10_000);
    socket.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  const result = await socket.timeout(10_000).emitWithAck('subscribe', { rooms });
  if (result.joined.length !== rooms.length)
    throw new Error(`${label}: subscribe refused ${JSON.stringify(result.refused)}`);
  return { label, instance: app.name, socket, got };
}

/** Waits until `done()` holds, polling; false after the timeout. */
async function until(done, timeoutMs, stepMs = 50) {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    throwIfInterrupted();
    if (Date.now() > end) return false;
    await sleep(stepMs);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// 0. Start-up: both instances at once on the empty database
// ---------------------------------------------------------------------------------------------------------

async function startTogether(a, b, db) {
  const t0 = performance.now();
  await Promise.all([a.start(dbUrl(APP_DB)), b.start(dbUrl(APP_DB))]);
  const results = await Promise.allSettled([a.waitReady(), b.waitReady()]);
  const readyS = (performance.now() - t0) / 1000;
  const failures = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
  const counts = (
    await db.query(
      `SELECT (SELECT count(*)::int FROM site) AS sites, (SELECT count(*)::int FROM enterprise) AS enterprises,
              (SELECT count(*)::int FROM app_user WHERE username = 'admin') AS admins,
              (SELECT count(*)::int FROM schema_migrations) AS migrations,
              (SELECT count(DISTINCT name)::int FROM schema_migrations) AS distinct_migrations`,
    )
  ).rows[0];
  return { readyS, failures, ...counts };
}

// ---------------------------------------------------------------------------------------------------------
// 1. Cross-instance pushes
// ---------------------------------------------------------------------------------------------------------

async function crossInstance(A, B, ctx) {
  const [t0, t1] = ctx.terminals;
  const rooms = [
    `workorder:${t0.workOrderId}`,
    `workorder:${t1.workOrderId}`,
    `workcenter:${ctx.workCenterId}`, // both operations' work center: one room fed by both instances below
  ];
  const probes = [
    await probe(A, ctx.viewerToken, rooms, 'A1'),
    await probe(A, ctx.viewerToken, rooms, 'A2'),
    await probe(B, ctx.viewerToken, rooms, 'B1'),
    await probe(B, ctx.viewerToken, rooms, 'B2'),
  ];
  const mark = () => probes.map((p) => p.got.length);
  const progressOf = (p, from, operationId, goodQty) =>
    p.got
      .slice(from)
      .find(
        (g) =>
          g.event === 'operation.progress' &&
          g.data.operationId === operationId &&
          Number(g.data.goodQty) === goodQty,
      );

  // (a) one command at a time, alternating the instance and the operation.
  const startMarks = mark();
  const commands = [];
  for (let i = 0; i < ctx.crossReports; i++) {
    const via = i % 2 === 0 ? B : A;
    const t = Math.floor(i / 2) % 2 === 0 ? t0 : t1;
    const sentAt = performance.now();
    const goodQty = await report(via, t);
    commands.push({ via: via.name, operationId: t.operationId, workOrderId: t.workOrderId, goodQty, sentAt });
  }
  const arrivedAll = await until(
    () =>
      commands.every((c) => probes.every((p, i) => progressOf(p, startMarks[i], c.operationId, c.goodQty))),
    PUSH_TIMEOUT_MS,
  );
  const crossLatencies = [];
  let crossExpected = 0;
  let crossReceived = 0;
  for (const c of commands) {
    probes.forEach((p, i) => {
      if (p.instance === c.via) return;
      crossExpected++;
      const g = progressOf(p, startMarks[i], c.operationId, c.goodQty);
      if (g) {
        crossReceived++;
        crossLatencies.push(g.at - c.sentAt);
      }
    });
  }
  // Every room's numbers in arrival order: +1 each time, no gap, no repeat.
  const sequentialBreaks = [];
  probes.forEach((p, i) => {
    const mine = p.got.slice(startMarks[i]);
    for (const room of rooms) {
      const seqs = mine.filter((g) => g.room === room).map((g) => g.seq);
      for (let k = 1; k < seqs.length; k++)
        if (seqs[k] !== seqs[k - 1] + 1)
          sequentialBreaks.push(`${p.label} ${room}: ${seqs[k - 1]} → ${seqs[k]}`);
    }
  });

  // (b) both instances push into the same room at once: every number must arrive once.
  const concurrentMarks = mark();
  const perDriver = Math.max(4, Math.floor(ctx.crossReports / 2));
  const finals = {};
  await Promise.all(
    [
      [A, t0],
      [B, t1],
    ].map(async ([via, t]) => {
      for (let i = 0; i < perDriver; i++) finals[t.operationId] = await report(via, t);
    }),
  );
  await until(
    () =>
      probes.every((p, i) =>
        [t0, t1].every((t) => progressOf(p, concurrentMarks[i], t.operationId, finals[t.operationId])),
      ),
    PUSH_TIMEOUT_MS,
  );
  await sleep(300); // a stray repeat would arrive by now
  let missing = 0;
  let repeated = 0;
  let inversions = 0;
  let concurrentPushes = 0;
  probes.forEach((p, i) => {
    const seqs = p.got
      .slice(concurrentMarks[i])
      .filter((g) => g.room === `workcenter:${ctx.workCenterId}`)
      .map((g) => g.seq);
    concurrentPushes += seqs.length;
    let highest = -Infinity;
    for (const s of seqs) {
      if (s < highest) inversions++;
      highest = Math.max(highest, s);
    }
    const distinct = new Set(seqs);
    repeated += seqs.length - distinct.size;
    if (distinct.size > 0) {
      const lo = Math.min(...distinct);
      const hi = Math.max(...distinct);
      missing += hi - lo + 1 - distinct.size;
    }
  });
  for (const p of probes) p.socket.close();
  return {
    arrivedAll,
    reports: commands.length,
    crossExpected,
    crossReceived,
    crossLatencies: sorted(crossLatencies),
    sequentialBreaks,
    concurrent: { reports: perDriver * 2, pushes: concurrentPushes, missing, repeated, inversions },
  };
}

// ---------------------------------------------------------------------------------------------------------
// 3. Outbox: releases through both instances, each message accepted once
// ---------------------------------------------------------------------------------------------------------

async function outboxOnce(A, B, ctx, receiver, db) {
  const half = Math.ceil(ctx.plannedOrders.length / 2);
  const plan = [
    [A, ctx.plannedOrders.slice(0, half)],
    [B, ctx.plannedOrders.slice(half)],
  ];
  const t0 = performance.now();
  await Promise.all(
    plan.map(([app, orders]) =>
      mapLimit(orders, RELEASE_CLIENTS, (wo) =>
        api(app, 'POST', `/sites/${ctx.siteId}/work-orders/${wo.id}/release`, {
          token: ctx.plannerToken,
          body: { allowShortage: true, reason: 'scale-out run' },
          expect: [200],
        }),
      ),
    ),
  );
  const releaseS = (performance.now() - t0) / 1000;
  const wmsIds = async () =>
    (await db.query(`SELECT id::text, status, attempts FROM outbox_message WHERE destination = 'wms'`)).rows;
  let rows = await wmsIds();
  const ids = rows.map((r) => r.id);
  const delivered = await until(() => ids.every((id) => receiver.accepted.has(id)), DELIVERY_TIMEOUT_MS, 100);
  const drainS = (performance.now() - t0) / 1000;
  await sleep(1500); // a second delivery of anything would arrive by now
  rows = await wmsIds();
  const pickTasks = (
    await db.query(
      `SELECT count(*)::int AS n FROM outbox_message WHERE destination = 'wms' AND message_type = 'createPickTask'
          AND payload->>'workOrder' = ANY($1::text[])`,
      [ctx.plannedOrders.map((w) => w.code)],
    )
  ).rows[0].n;
  return {
    releaseS,
    drainS,
    delivered,
    messages: rows.length,
    pickTasks,
    accepted: rows.filter((r) => receiver.accepted.has(r.id)).length,
    unknownAccepted: [...receiver.accepted.keys()].filter((id) => !rows.some((r) => r.id === id)).length,
    dbDelivered: rows.filter((r) => r.status === 'delivered').length,
    retried: rows.filter((r) => r.attempts > 1).length,
    repeats: receiver.repeats,
    badSignatures: receiver.badSignatures,
    byInstance: Object.fromEntries(receiver.byInstance),
  };
}

// ---------------------------------------------------------------------------------------------------------
// 4. Reconnect and resync
// ---------------------------------------------------------------------------------------------------------

/** Terminals report through B at a steady total rate until stopped; every 2xx is counted per operation. */
function startLoad(B, terminals, perSecond) {
  const state = { stop: false, acked: new Map(), errors: [], sent: 0 };
  const interval = (1000 * terminals.length) / perSecond;
  state.done = Promise.all(
    terminals.map(async (t, i) => {
      await sleep((interval * i) / terminals.length); // spread the terminals over the interval
      while (!state.stop && !interrupt.signal.aborted) {
        const t0 = performance.now();
        state.sent++;
        try {
          await report(B, t);
          state.acked.set(t.operationId, (state.acked.get(t.operationId) ?? 0) + 1);
        } catch (err) {
          state.errors.push(err.message.slice(0, 200));
        }
        await sleep(Math.max(0, interval - (performance.now() - t0)));
      }
    }),
  );
  return state;
}

async function reconnectAndResync(apps, B, ctx, redis, db, jobsCtx) {
  const clients = Array.from({ length: SOCKETS }, (_, i) => {
    const workOrderIds = Array.from(
      { length: ROOMS_PER_SCREEN },
      (_, k) => ctx.terminals[(i + k) % ctx.terminals.length].workOrderId,
    );
    return new ShopFloorClient({
      index: i,
      url: apps.A.baseUrl,
      token: ctx.viewerToken,
      siteId: ctx.siteId,
      workOrderIds,
    });
  });
  log(`connecting ${clients.length} screens to A`);
  const c0 = performance.now();
  for (let i = 0; i < clients.length; i += CONNECT_BATCH) {
    await Promise.all(clients.slice(i, i + CONNECT_BATCH).map((c) => c.start()));
  }
  const connectS = (performance.now() - c0) / 1000;
  for (const c of clients) c.recordSeqs();

  const load = startLoad(B, ctx.terminals, ctx.reportsPerSecond);
  const rounds = [];
  try {
    for (const signal of SETTINGS.rounds) {
      throwIfInterrupted();
      await sleep(SETTINGS.loadBeforeS * 1000);
      const before = clients.map((c) => c.connections);
      log(`${signal} to A (${clients.length} screens connected to it) while terminals report through B`);
      const old = apps.A;
      const killedAt = performance.now();
      old.child.kill(signal);
      const exitTimer = setTimeout(() => old.child.kill('SIGKILL'), 20_000);
      await old.exitPromise;
      clearTimeout(exitTimer);
      const exitedAt = performance.now();
      old.cleanupDir();
      jobsCtx.restarts++;

      const next = new InstanceApp(`scale-a-${rounds.length + 2}`, old.port, old.env);
      apps.A = next;
      apps.all.push(next);
      await next.start(dbUrl(APP_DB));
      await next.waitReady();
      const readyAt = performance.now();
      log(
        `A is back (${((readyAt - killedAt) / 1000).toFixed(1)} s after the ${signal}); screens reconnecting`,
      );
      const back = await until(
        () => clients.every((c, i) => c.connections > before[i] && c.connected && c.pendingResyncs === 0),
        TARGET_RECONNECT_AFTER_READY_MS,
        100,
      );
      const lastBack = Math.max(...clients.map((c) => c.readyAt ?? 0));
      const roundReconnects = clients.flatMap((c, i) =>
        c.connections > before[i] ? [c.reconnects.at(-1)] : [],
      );
      rounds.push({
        signal,
        exit: old.exited,
        stopS: (exitedAt - killedAt) / 1000,
        downS: (readyAt - killedAt) / 1000,
        back,
        reconnected: clients.filter((c, i) => c.connections > before[i]).length,
        reconnectMs: sorted(roundReconnects.filter(Boolean).map((r) => r.ms)),
        afterReadyMs: sorted(roundReconnects.filter(Boolean).map((r) => r.readyAt - readyAt)),
        // The successful try → the server's ready: the restarted instance's own time for a connection.
        handshakeMs: sorted(roundReconnects.filter(Boolean).map((r) => r.readyAt - r.attemptAt)),
        // A ready → that try: the client's backoff still waiting.
        backoffMs: sorted(roundReconnects.filter(Boolean).map((r) => Math.max(0, r.attemptAt - readyAt))),
        allBackAfterReadyMs: lastBack - readyAt,
      });
      await sleep(SETTINGS.loadAfterS * 1000);
    }
  } finally {
    load.stop = true;
    await load.done;
  }

  // Every screen at the server's numbers (read from Redis, where the instances keep them), nothing in flight.
  const serverSeq = new Map();
  const readSeqs = async () => {
    for (const t of ctx.terminals) {
      const room = `workorder:${t.workOrderId}`;
      serverSeq.set(room, Number((await redis.get(`${REDIS_PREFIX}:shop-floor:seq:${room}`)) ?? 0));
    }
  };
  const settleStart = performance.now();
  let settled = false;
  while (performance.now() - settleStart < SETTLE_TIMEOUT_MS) {
    await readSeqs();
    if (clients.every((c) => c.settled(serverSeq))) {
      settled = true;
      break;
    }
    await sleep(200);
  }

  // What the database holds, against what every screen shows.
  const woIds = ctx.terminals.map((t) => t.workOrderId);
  const ops = (
    await db.query(
      `SELECT id::text, work_order_id::text, good_qty::text, status FROM work_order_operation
        WHERE work_order_id = ANY($1::uuid[])`,
      [woIds],
    )
  ).rows;
  const wos = new Map(
    (await db.query(`SELECT id::text, status FROM work_order WHERE id = ANY($1::uuid[])`, [woIds])).rows.map(
      (r) => [r.id, r.status],
    ),
  );
  let viewChecks = 0;
  let viewMismatches = 0;
  const mismatchSamples = [];
  let roomsAtServer = 0;
  let roomsChecked = 0;
  let tailMissed = 0;
  let missedNumbers = 0;
  for (const c of clients) {
    for (const op of ops.filter((o) => c.workOrderIds.includes(o.work_order_id))) {
      viewChecks++;
      const shown = c.view.get(op.id);
      if (!shown || Number(shown.goodQty) !== Number(op.good_qty) || shown.status !== op.status) {
        viewMismatches++;
        if (mismatchSamples.length < 5)
          mismatchSamples.push(
            `screen ${c.index} operation ${op.id}: shows ${JSON.stringify(shown)}, database ${op.good_qty} ${op.status}`,
          );
      }
    }
    for (const id of c.workOrderIds) {
      viewChecks++;
      if (c.workOrderStatus.get(id) !== wos.get(id)) {
        viewMismatches++;
        if (mismatchSamples.length < 5)
          mismatchSamples.push(
            `screen ${c.index} work order ${id}: shows ${c.workOrderStatus.get(id)}, database ${wos.get(id)}`,
          );
      }
    }
    for (const room of c.rooms) {
      roomsChecked++;
      const last = c.lastSeq.get(room) ?? 0;
      const server = serverSeq.get(room) ?? 0;
      if (last === server) roomsAtServer++;
      else tailMissed += Math.max(0, server - last);
      // Numbers never received since recording began: each is either inside a gap the screen saw (and
      // refetched for) or fell in a reconnection (refetched after it); only the tail would be silent.
      const got = c.receivedSeqs.get(room);
      if (got && got.size > 0) missedNumbers += Math.max(...got) - Math.min(...got) + 1 - got.size;
    }
  }
  // The operations' totals against what the terminals were told (B never restarted: every report answered).
  const loadOps = ctx.terminals.map((t) => {
    const op = ops.find((o) => o.id === t.operationId);
    return {
      expected: ctx.baseline.get(t.operationId) + (load.acked.get(t.operationId) ?? 0),
      actual: Number(op?.good_qty),
    };
  });
  const sum = (f) => clients.reduce((s, c) => s + f(c), 0);
  const result = {
    connectS,
    rounds,
    settled,
    viewChecks,
    viewMismatches,
    mismatchSamples,
    roomsChecked,
    roomsAtServer,
    tailMissed,
    missedNumbers,
    uncovered: sum((c) => c.uncovered),
    events: sum((c) => c.events),
    applied: sum((c) => c.applied),
    gapsAcrossReconnect: sum((c) => c.gapsAcrossReconnect),
    gapsConnected: sum((c) => c.gapsConnected),
    stale: sum((c) => c.stale),
    seqResets: sum((c) => c.seqResets),
    resyncs: {
      initial: sum((c) => c.resyncs.initial),
      reconnect: sum((c) => c.resyncs.reconnect),
      gap: sum((c) => c.resyncs.gap),
    },
    reconnections: sum((c) => c.connections - 1),
    refetches: sum((c) => c.refetches),
    refetchRaces: sum((c) => c.refetchRaces),
    subscribeFailures: sum((c) => c.subscribeFailures),
    clientErrors: clients.flatMap((c) => c.errors).slice(0, 5),
    onA: clients.filter((c) => c.connected && c.url === apps.A.baseUrl).length,
    load: {
      sent: load.sent,
      acked: [...load.acked.values()].reduce((s, n) => s + n, 0),
      errors: load.errors,
    },
    totalsOk: loadOps.filter((o) => o.expected === o.actual).length,
    totalsChecked: loadOps.length,
  };
  for (const c of clients) c.close();
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

async function main() {
  const apps = { A: null, B: null, all: [] };
  const receiver = new CountingWms({
    appKey: WMS_KEY,
    secret: WMS_SECRET,
    delayMs: [5, 30],
    senders: () => new Map(apps.all.filter((a) => a.child && !a.exited).map((a) => [a.child.pid, a.name])),
  });
  let db = null;
  let watcherDb = null;
  let watcher = null;
  let redis = null;
  let dbCreated = false;
  let failed = false;
  const started = performance.now();
  // Timings on a shared machine mean little without its load beside them.
  const loadAtStart = loadavg()[0];

  const onSignal = (sig) => {
    if (interrupt.signal.aborted) process.exit(130);
    log(`${sig}: stopping and cleaning up (again to exit at once)`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    redis = createClient({ url: REDIS_URL });
    redis.on('error', () => undefined); // reported by the commands that fail
    await redis.connect();
    await receiver.start();
    await adminQuery(`CREATE DATABASE ${quoteIdent(APP_DB)}`);
    dbCreated = true;
    db = new pg.Client({ connectionString: dbUrl(APP_DB) });
    await db.connect();

    const env = { ...SHARED_ENV, WMS_BASE_URL: receiver.url };
    apps.A = new InstanceApp('scale-a-1', await freePort(), env);
    apps.B = new InstanceApp('scale-b', await freePort(), env);
    apps.all.push(apps.A, apps.B);
    log(`database ${APP_DB} created; starting A and B together on it (Redis prefix ${REDIS_PREFIX})`);
    const phases = [];
    let phaseStart = performance.now();
    const phase = (name) => {
      const now = performance.now();
      phases.push(`${name} ${((now - phaseStart) / 1000).toFixed(0)} s`);
      phaseStart = now;
    };
    const startup = await startTogether(apps.A, apps.B, db);
    phase('start-up');
    if (startup.failures.length > 0) throw new Error(`start-up failed: ${startup.failures.join('; ')}`);

    // Jobs are watched from here to the end.
    watcherDb = new pg.Client({ connectionString: dbUrl(APP_DB) });
    await watcherDb.connect();
    watcher = new JobWatcher(watcherDb);
    watcher.start();
    const jobsCtx = { restarts: 0 };

    // ---- set-up: terminals on started operations (through B), orders to release, tokens ----
    const { terminals, siteId } = await startedTerminals(apps.B, {
      count: TERMINALS,
      material: WORK_ORDER_MATERIAL,
      prefix: 'scale',
    });
    const plannerToken = await login(apps.A, 'planner', DEMO_PASSWORD);
    const viewerToken = await login(apps.A, 'viewer', DEMO_PASSWORD);
    const first = (
      await api(apps.A, 'GET', `/sites/${siteId}/work-orders/${terminals[0].workOrderId}`, {
        token: viewerToken,
      })
    ).body;
    const firstOp = first.operations.find((o) => o.id === terminals[0].operationId);
    log(`creating and planning ${SETTINGS.releases} orders to release (through A and B)`);
    const plannedOrders = await mapLimit(
      Array.from({ length: SETTINGS.releases }),
      RELEASE_CLIENTS,
      async (_, i) => {
        const app = i % 2 === 0 ? apps.A : apps.B;
        const { body: wo } = await api(app, 'POST', `/sites/${siteId}/work-orders`, {
          token: plannerToken,
          body: { material: WORK_ORDER_MATERIAL, quantity: '10', dueAt: '2030-01-01T00:00:00Z' },
          expect: [201],
        });
        await api(app, 'POST', `/sites/${siteId}/work-orders/${wo.id}/plan`, {
          token: plannerToken,
          body: {},
          expect: [200],
        });
        return wo;
      },
    );
    phase('set-up');
    const ctx = {
      siteId,
      terminals,
      plannerToken,
      viewerToken,
      plannedOrders,
      workCenterId: firstOp.workCenterId,
      crossReports: SETTINGS.crossReports,
      reportsPerSecond: SETTINGS.reportsPerSecond,
    };

    // ---- 1 ----
    log('1. cross-instance pushes');
    const cross = await crossInstance(apps.A, apps.B, ctx);
    phase('1');

    // ---- 3 ----
    log(`3. releasing ${plannedOrders.length} orders, half through A and half through B`);
    const outbox = await outboxOnce(apps.A, apps.B, ctx, receiver, db);
    phase('3');

    // ---- 4 ----
    ctx.baseline = new Map(
      (
        await db.query(
          `SELECT id::text, good_qty::text FROM work_order_operation WHERE id = ANY($1::uuid[])`,
          [terminals.map((t) => t.operationId)],
        )
      ).rows.map((r) => [r.id, Number(r.good_qty)]),
    );
    log(
      `4. reconnect and resync: ${SOCKETS} screens, ${TERMINALS} terminals at ${ctx.reportsPerSecond} reports/s`,
    );
    const recon = await reconnectAndResync(apps, apps.B, ctx, redis, db, jobsCtx);
    phase('4');

    // ---- 2 ----
    await watcher.stop();
    const jobs = watcher.summary(jobsCtx.restarts);

    // ---- the table ----
    const rows = [];
    const row = (figure, measured, target, ok) => {
      rows.push(`| ${figure} | ${measured} | ${target} | ${ok === null ? 'info' : ok ? 'PASS' : 'FAIL'} |`);
      if (ok === false) failed = true;
    };
    const p = (xs, q) => fmtMs(percentile(xs, q));

    row(
      '0. A and B started together on the empty database',
      `both ready in ${startup.readyS.toFixed(1)} s; ${startup.sites} site, ${startup.enterprises} enterprise, ` +
        `${startup.admins} admin user; ${startup.migrations} migrations (${startup.distinct_migrations} distinct)`,
      'both up, demo factory once, each migration once',
      startup.failures.length === 0 &&
        startup.sites === 1 &&
        startup.enterprises === 1 &&
        startup.admins === 1 &&
        startup.migrations === startup.distinct_migrations,
    );
    row(
      '1. pushes caused on one instance received by screens on the other',
      `${cross.crossReceived}/${cross.crossExpected} (${cross.reports} reports alternating B, A)`,
      'all',
      cross.arrivedAll && cross.crossReceived === cross.crossExpected,
    );
    row(
      '1. command sent → push on the other instance p50 / p99',
      `${p(cross.crossLatencies, 50)} / ${p(cross.crossLatencies, 99)}`,
      '—',
      null,
    );
    row(
      '1. room numbers in arrival order, one command at a time',
      cross.sequentialBreaks.length === 0
        ? '+1 every time (4 screens × 3 rooms)'
        : cross.sequentialBreaks.slice(0, 3).join('; '),
      '+1 every time',
      cross.sequentialBreaks.length === 0,
    );
    row(
      '1. both instances pushing into one room at once: numbers missing / repeated',
      `${cross.concurrent.missing} / ${cross.concurrent.repeated} (${cross.concurrent.pushes} pushes to 4 screens, ${cross.concurrent.reports} reports)`,
      '0 / 0',
      cross.concurrent.missing === 0 && cross.concurrent.repeated === 0,
    );
    row(
      '1. … arriving after a higher number (order between instances)',
      `${cross.concurrent.inversions}`,
      'screens refetch on a skipped number',
      null,
    );
    for (const j of jobs.filter((x) => x.runs > 0 || x.period !== null)) {
      row(
        `2. job ${j.name}${j.period ? ` (every ${j.period / 1000} s)` : ''}: runs (by instance)`,
        `${j.runs} (${
          Object.entries(j.byInstance)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || '—'
        }); ` +
          `closest two ${j.minGapMs === null ? 'n/a' : `${(j.minGapMs / 1000).toFixed(1)} s`}; ` +
          `most claims between two polls ${j.maxClaimsPerPoll}${j.failed ? `; ${j.failed} failed` : ''}`,
        j.period
          ? `≤ ${j.maxRuns} in ${(j.windowMs / 1000).toFixed(0)} s, ≥ ${(minGapMs(j.period) / 1000).toFixed(0)} s apart, 1 per poll`
          : '1 per poll',
        j.ok,
      );
    }
    const rollup = jobs.find((j) => j.name === 'machine-data.rollup');
    row(
      '2. jobs kept running while A restarted (10 s rollup)',
      rollup ? `${rollup.runs} runs in ${(rollup.windowMs / 1000).toFixed(0)} s` : 'not seen',
      `≥ ${rollup ? Math.max(1, Math.floor(rollup.windowMs / 10_000) - 1 - jobsCtx.restarts) : 1}`,
      !!rollup && rollup.runs >= Math.max(1, Math.floor(rollup.windowMs / 10_000) - 1 - jobsCtx.restarts),
    );
    row(
      `2. scheduled_job_state polls (longest gap)`,
      `${watcher.polls} (${fmtMs(watcher.maxPollGapMs)}; ${watcher.pollErrors} errors)`,
      'gap < half the shortest period',
      watcher.pollErrors === 0 && watcher.maxPollGapMs < 5000,
    );
    row(
      '3. WMS messages accepted once (pick tasks of the released orders)',
      `${outbox.accepted}/${outbox.messages} (${outbox.pickTasks}/${plannedOrders.length} pick tasks); ` +
        `released in ${outbox.releaseS.toFixed(1)} s, all received ${outbox.drainS.toFixed(1)} s after the first release`,
      'all, once',
      outbox.delivered &&
        outbox.accepted === outbox.messages &&
        outbox.pickTasks === plannedOrders.length &&
        outbox.unknownAccepted === 0,
    );
    row(
      '3. second deliveries of an accepted id / bad signatures',
      `${outbox.repeats} / ${outbox.badSignatures}`,
      '0 / 0',
      outbox.repeats === 0 && outbox.badSignatures === 0,
    );
    row(
      '3. first deliveries by instance (relay)',
      Object.entries(outbox.byInstance)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      'both relays deliver',
      ['scale-a-1', 'scale-b'].every((n) => (outbox.byInstance[n] ?? 0) > 0),
    );
    row(
      '3. outbox rows delivered in the database (tried more than once)',
      `${outbox.dbDelivered}/${outbox.messages} (${outbox.retried})`,
      'all',
      outbox.dbDelivered === outbox.messages,
    );
    row(
      `4. screens connected to A (all ${SOCKETS} in)`,
      `${recon.connectS.toFixed(1)} s; each in ${ROOMS_PER_SCREEN} work-order rooms besides its own`,
      '—',
      null,
    );
    for (const r of recon.rounds) {
      row(
        `4. ${r.signal} A: stopped / ready again`,
        `${r.stopS.toFixed(1)} s / ${r.downS.toFixed(1)} s after the signal (exit ${JSON.stringify(r.exit)})`,
        '—',
        null,
      );
      row(
        `4. ${r.signal}: screens reconnected to the restarted A and refetched`,
        `${r.reconnected}/${SOCKETS}; last one ${fmtMs(r.allBackAfterReadyMs)} after A was ready`,
        `all, within ${TARGET_RECONNECT_AFTER_READY_MS / 1000} s of A ready`,
        r.back && r.reconnected === SOCKETS && r.allBackAfterReadyMs <= TARGET_RECONNECT_AFTER_READY_MS,
      );
      row(
        `4. ${r.signal}: reconnect time from the drop p50 / p99 (from A ready p50 / p99)`,
        `${p(r.reconnectMs, 50)} / ${p(r.reconnectMs, 99)} (${p(r.afterReadyMs, 50)} / ${p(r.afterReadyMs, 99)}; ` +
          `next try after A ready ${p(r.backoffMs, 50)} / ${p(r.backoffMs, 99)}, ` +
          `try → ready ${p(r.handshakeMs, 50)} / ${p(r.handshakeMs, 99)})`,
        '—',
        null,
      );
    }
    row(
      '4. pushes received by the screens (applied to their view)',
      `${recon.events} (${recon.applied})`,
      '> 0',
      recon.events > 0,
    );
    row(
      '4. skipped numbers seen: after a reconnection / while connected',
      `${recon.gapsAcrossReconnect} / ${recon.gapsConnected}`,
      '— / 0',
      recon.gapsConnected === 0,
    );
    row(
      '4. refetches: first join / reconnection / skipped number (HTTP GETs; pushes replayed on top)',
      `${recon.resyncs.initial} / ${recon.resyncs.reconnect} / ${recon.resyncs.gap} (${recon.refetches}; ${recon.refetchRaces})`,
      'one per join and reconnection',
      recon.resyncs.initial === SOCKETS && recon.resyncs.reconnect === recon.reconnections,
    );
    row(
      '4. room numbers lower after the restart than before (reset) / stale pushes',
      `${recon.seqResets} / ${recon.stale}`,
      '0 / —',
      recon.seqResets === 0,
    );
    row(
      '4. screens whose rooms ended at the server’s number',
      `${recon.roomsAtServer}/${recon.roomsChecked} rooms${recon.settled ? '' : ' (not settled in time)'}`,
      'all',
      recon.settled && recon.roomsAtServer === recon.roomsChecked,
    );
    row(
      '4. numbers never received (all inside a refetch) / missed without a refetch',
      `${recon.missedNumbers} / ${recon.tailMissed + recon.uncovered}`,
      '— / 0',
      recon.tailMissed + recon.uncovered === 0,
    );
    row(
      '4. every screen shows what the database holds (operations goodQty + status, order status)',
      `${recon.viewChecks - recon.viewMismatches}/${recon.viewChecks}`,
      'all',
      recon.viewMismatches === 0 && recon.viewChecks > 0,
    );
    row(
      '4. reports through B during the restarts: answered 2xx (errors)',
      `${recon.load.acked}/${recon.load.sent} (${recon.load.errors.length})`,
      'all',
      recon.load.errors.length === 0 && recon.load.acked === recon.load.sent,
    );
    row(
      '4. operation totals = reports acknowledged',
      `${recon.totalsOk}/${recon.totalsChecked}`,
      'all',
      recon.totalsOk === recon.totalsChecked,
    );
    row(
      '4. screens connected to A at the end / join refusals',
      `${recon.onA}/${SOCKETS} / ${recon.subscribeFailures}`,
      `${SOCKETS} / 0`,
      recon.onA === SOCKETS && recon.subscribeFailures === 0,
    );

    row('time by part of the run', phases.join(', '), '—', null);
    const wall = (performance.now() - started) / 1000;
    process.stdout.write(
      `\nscale-out (${MODE}: 2 instances, ${SOCKETS} screens, ${TERMINALS} terminals, ` +
        `${SETTINGS.rounds.join(' then ')} of A; ${wall.toFixed(0)} s; machine load average ` +
        `${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end)\n\n` +
        `| figure | measured | target | verdict |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`,
    );
    const details = [
      ...recon.mismatchSamples,
      ...recon.clientErrors,
      ...recon.load.errors.slice(0, 3),
      ...cross.sequentialBreaks.slice(3, 10),
    ];
    for (const d of details) process.stdout.write(`problem: ${d}\n`);
    if (failed) for (const a of [apps.A, apps.B]) a?.printTail();
  } catch (err) {
    failed = true;
    if (!interrupt.signal.aborted) {
      log(`FAILED: ${err.stack ?? err}`);
      for (const a of [apps.A, apps.B]) a?.printTail();
    }
  } finally {
    if (watcher && !watcher.stopped) await watcher.stop().catch(() => {});
    for (const a of apps.all) await a.stop().catch((e) => log(`stopping ${a.name}: ${e.message}`));
    await receiver.close().catch(() => {});
    if (db) await db.end().catch(() => {});
    if (watcherDb) await watcherDb.end().catch(() => {});
    if (redis?.isOpen) {
      try {
        for await (const keys of redis.scanIterator({ MATCH: `${REDIS_PREFIX}:*`, COUNT: 500 }))
          if (keys.length > 0) await redis.del(keys);
      } catch (e) {
        log(`removing the run's Redis keys: ${e.message}`);
      }
      await redis.quit().catch(() => {});
    }
    if (dbCreated) {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(APP_DB)} WITH (FORCE)`).catch((e) =>
        log(`dropping ${APP_DB}: ${e.message}`),
      );
    }
  }
  process.exitCode = interrupt.signal.aborted ? 130 : failed ? 1 : 0;
}

await main();
