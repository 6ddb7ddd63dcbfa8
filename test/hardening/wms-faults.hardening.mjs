#!/usr/bin/env node
// WMS faults (issue #12, item 4): the warehouse system answers 500, 503, 429 with Retry-After, hangs and resets
// connections while planners release work orders — per-call timeout, backoff, dead letter, redrive; 0 lost,
// 0 duplicated; the API's p99 stays within 2× meanwhile.
//
// Starts the built app (dist/src/main.js) in WMS_MODE=http on a fresh PostgreSQL database with the demo factory
// (plus what a working day leaves behind, as the read-load script sets it up), pointed at a WMS receiver inside
// this process (lib/wms-fault-receiver.mjs) that checks every signature and injects faults. The app runs with a
// short per-call timeout, backoff and attempt budget so that a run takes about a minute. Phases:
//   1. baseline  planners release work orders (open loop, a fixed rate) while readers query work orders,
//                dispatch lists and stock (open loop, a fixed rate); the WMS is healthy. Latency p99.
//   2. faults    the same load; the WMS answers a seeded mix of 500, 503, 429 + Retry-After, hangs (before or
//                after it processed the message) and resets (before or after), then is down altogether (every
//                call fails, so messages exhaust their attempts and are dead-lettered), then mixed again.
//                Some released orders are raised to rush or cancelled right after their release, so a work
//                order's messages (createPickTask, changePriority, cancelPickTask) must arrive in order.
//   3. recovery  the WMS is healthy, the same load goes on; once nothing is pending (or only what waits
//                behind a dead letter of its work order), the dead letters are listed through the admin API
//                and each is redriven through its redrive endpoint; then everything must be delivered.
//   4. verdict   from the outbox table and the receiver's records: every message the app wrote accepted
//                exactly once (a resend of a message the WMS already had answered 409, as the contract says),
//                nothing accepted that the app did not write, one pick task per released order, payloads and
//                paths as written, per-work-order order kept, every signature valid; hung calls cut by the
//                timeout and retried; no retry before Retry-After or before its backoff; backoff growing;
//                p99 during the faults ≤ max(2 × baseline, baseline + 50 ms) — the +50 ms floor because a
//                baseline p99 of a few tens of milliseconds doubles with one garbage collection or a neighbour
//                on the two cores. The same load after the recovery is printed as a drift check.
//
//   HARDENING_MODE=reduced node test/hardening/wms-faults.hardening.mjs   # about 70 s
//   node test/hardening/wms-faults.hardening.mjs                          # full: a few minutes
//
// Environment: BENCH_DATABASE_URL (see bench/common.mjs; a database is created there and dropped at the end,
// even on failure). Exit status 0 when every figure holds, 1 otherwise, 130 when interrupted.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  adminQuery,
  api,
  App,
  cpuSeconds,
  dbUrl,
  DEMO_PASSWORD,
  interrupt,
  log,
  login,
  machineBusySeconds,
  mapLimit,
  percentile,
  quoteIdent,
  sleep,
  throwIfInterrupted,
} from '../../bench/common.mjs';
import { mixOf, random, setUp } from './lib/read-load-mix.mjs';
import { FaultyWms, MIXED_FAULTS } from './lib/wms-fault-receiver.mjs';

// ---------------------------------------------------------------------------------------------------------
// Settings and targets
// ---------------------------------------------------------------------------------------------------------

const MODE = process.env.HARDENING_MODE === 'reduced' ? 'reduced' : 'full';
const SETTINGS = {
  // Fault phase = mixed, then down, then mixed again; `afterS`: the same load once the WMS is healthy again,
  // while the dead letters are redriven (seconds).
  reduced: {
    warmupS: 3,
    baselineS: 12,
    mixedS: 10,
    downS: 8,
    tailS: 6,
    afterS: 8,
    releaseRate: 3,
    readRate: 30,
  },
  full: {
    warmupS: 10,
    baselineS: 45,
    mixedS: 45,
    downS: 20,
    tailS: 25,
    afterS: 30,
    releaseRate: 2,
    readRate: 40,
  },
}[MODE];
const FAULT_S = SETTINGS.mixedS + SETTINGS.downS + SETTINGS.tailS;

// The app's delivery settings: short, so that the whole cycle (retries, dead letters) fits in the run.
const HTTP_TIMEOUT_MS = 1000;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 1600;
const MAX_ATTEMPTS = 6;
const POLL_INTERVAL_MS = 100;
// Longer than any backoff the app would choose (≤ the cap): a retry this late is Retry-After's doing.
const RETRY_AFTER_S = 2;

// p99 during the faults ≤ max(2 × baseline, baseline + FLOOR): at a baseline of a few tens of milliseconds,
// 2× is within what one garbage collection or a neighbour on the two cores adds.
const P99_FACTOR = 2;
const P99_FLOOR_MS = 50;
// A hung call must be given up within the timeout plus this (timers and the event loop under load).
const HANG_MARGIN_MS = 500;
// Clock rounding between the receiver (Date.now) and PostgreSQL's now() the app schedules retries with.
const CLOCK_TOLERANCE_MS = 5;
const REQUEST_TIMEOUT_MS = 10_000;
const SETTLE_TIMEOUT_MS = 60_000;

const MATERIAL = 'GB-R80'; // finished gearbox: its release needs material, so it makes a pick task
const APP_KEY = 'MOM-HARDENING';
const APP_SECRET = randomBytes(24).toString('hex');
const stamp = new Date()
  .toISOString()
  .replace(/[-:T.Z]/g, '')
  .slice(0, 14);
const APP_DB = `mom_hardening_wms_${stamp}_${process.pid}`;

// ---------------------------------------------------------------------------------------------------------
// HTTP for the load (node:http on kept-alive connections: cheap for a generator that shares the CPU)
// ---------------------------------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

/** One API call; never rejects: a network error or timeout comes back as `status: 0` with `error`. */
function call(app, method, path, token, body) {
  return new Promise((resolve) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = { authorization: `Bearer ${token}` };
    if (text !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(text));
    }
    const req = http.request(`${app.baseUrl}/api/v1${path}`, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let parsed;
        try {
          parsed = raw ? JSON.parse(raw) : undefined;
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode, body: parsed, text: raw });
      });
      res.on('error', (err) => resolve({ status: 0, error: err.code ?? err.message }));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
    );
    req.on('error', (err) => resolve({ status: 0, error: err.code ?? err.message }));
    req.end(text);
  });
}

const ok2xx = (r) => r.status >= 200 && r.status < 300;
const describe = (r) => (r.status === 0 ? `network ${r.error}` : `${r.status} ${r.body?.code ?? ''}`.trim());

// ---------------------------------------------------------------------------------------------------------
// Set-up: planned work orders waiting for their release
// ---------------------------------------------------------------------------------------------------------

async function plannedOrders(app, siteId, token, n) {
  return mapLimit(Array.from({ length: n }), 4, async () => {
    const { body: wo } = await api(app, 'POST', `/sites/${siteId}/work-orders`, {
      token,
      body: { material: MATERIAL, quantity: '10', dueAt: '2030-01-01T00:00:00Z' },
      expect: [201],
    });
    await api(app, 'POST', `/sites/${siteId}/work-orders/${wo.id}/plan`, { token, body: {}, expect: [200] });
    return { id: wo.id, code: wo.code };
  });
}

// ---------------------------------------------------------------------------------------------------------
// The load: releases and reads, each at a fixed rate (open loop)
// ---------------------------------------------------------------------------------------------------------

/**
 * Release n (counted over the whole run) is followed by a planner's change as soon as it answers: every 4th
 * order becomes rush (the shipped rule raises its pick task's priority: changePriority), every 6th is
 * cancelled (cancelPickTask), every 12th both — a work order's messages then have an order to keep.
 */
async function releaseAndChange(app, fx, wo, n, scheduled, out) {
  const base = `/sites/${fx.siteId}/work-orders/${wo.id}`;
  const released = await call(app, 'POST', `${base}/release`, fx.tokens.planner, {
    allowShortage: true,
    reason: 'released under WMS faults',
  });
  out.push({
    kind: 'release',
    at: Date.now(),
    ms: performance.now() - scheduled,
    error: ok2xx(released) ? null : describe(released),
    path: `work-orders/${wo.code}/release`,
  });
  if (!ok2xx(released)) return;
  wo.released = true;
  const change = async (method, path, body) => {
    const t = performance.now();
    const res = await call(app, method, path, fx.tokens.planner, body);
    out.push({
      kind: 'change',
      at: Date.now(),
      ms: performance.now() - t,
      error: ok2xx(res) ? null : describe(res),
      path,
    });
    return res;
  };
  if (n % 4 === 0) {
    const res = await change('PATCH', base, {
      expectedVersion: released.body?.version,
      priority: 'rush',
      reason: 'customer escalation',
    });
    if (ok2xx(res)) wo.rush = true;
  }
  if (n % 6 === 0) {
    const res = await change('POST', `${base}/cancel`, { reason: 'withdrawn by the customer' });
    if (ok2xx(res)) wo.cancelled = true;
  }
}

/**
 * Sends reads at `readRate` and releases at `releaseRate` for `seconds`, each at its scheduled time whether or
 * not earlier ones have answered; latency is measured from that scheduled time, so a stall shows up in every
 * request that should have gone out meanwhile. Returns the answers and the orders released.
 */
async function drive(app, fx, mix, queue, counter, { seconds, seed }) {
  const r = random(seed);
  const totalWeight = mix.reduce((a, k) => a + k.weight, 0);
  const choose = () => {
    let x = r() * totalWeight;
    for (const kind of mix) if ((x -= kind.weight) < 0) return kind;
    return mix[mix.length - 1];
  };
  const reads = Math.round(seconds * SETTINGS.readRate);
  const releases = Math.round(seconds * SETTINGS.releaseRate);
  const results = [];
  const released = [];
  const pending = new Set();
  const track = (p) => {
    pending.add(p);
    void p.then(() => pending.delete(p));
  };
  const t0 = performance.now() + 20;

  const sendRead = (i) => {
    const scheduled = t0 + (i * 1000) / SETTINGS.readRate;
    const kind = choose();
    const path = kind.path(r);
    track(
      call(app, 'GET', path, kind.token).then((res) => {
        let error = ok2xx(res) ? null : describe(res);
        if (!error && !kind.check(res.body)) error = 'unexpected body';
        results.push({
          kind: 'read',
          name: kind.name,
          at: Date.now(),
          ms: performance.now() - scheduled,
          error,
          path,
        });
      }),
    );
  };
  const sendRelease = (i) => {
    const scheduled = t0 + (i * 1000) / SETTINGS.releaseRate;
    const wo = queue.shift();
    if (!wo) {
      results.push({ kind: 'release', ms: 0, error: 'no planned work order left', path: '' });
      return;
    }
    released.push(wo);
    const n = counter.releases++;
    track(releaseAndChange(app, fx, wo, n, scheduled, results));
  };

  let nextRead = 0;
  let nextRelease = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (nextRead < reads && t0 + (nextRead * 1000) / SETTINGS.readRate <= now) sendRead(nextRead++);
      while (nextRelease < releases && t0 + (nextRelease * 1000) / SETTINGS.releaseRate <= now)
        sendRelease(nextRelease++);
      if ((nextRead >= reads && nextRelease >= releases) || interrupt.signal.aborted) return resolve();
      const due = Math.min(
        nextRead < reads ? t0 + (nextRead * 1000) / SETTINGS.readRate : Infinity,
        nextRelease < releases ? t0 + (nextRelease * 1000) / SETTINGS.releaseRate : Infinity,
      );
      setTimeout(tick, Math.max(0, due - performance.now()));
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  const drainUntil = performance.now() + REQUEST_TIMEOUT_MS + 2000;
  while (pending.size > 0 && performance.now() < drainUntil && !interrupt.signal.aborted) await sleep(20);
  for (let i = 0; i < pending.size; i++)
    results.push({ kind: 'unanswered', ms: Infinity, error: 'no answer' });
  return { results, released };
}

/** CPU seconds so far of the app, of every PostgreSQL process and of the whole machine (Linux), and when. */
function cpuMark(app) {
  return {
    at: performance.now(),
    wall: Date.now(),
    ...(cpuSeconds(app.child.pid) ?? {}),
    busy: machineBusySeconds(),
  };
}

/** Cores used between two marks: app, PostgreSQL (all databases), and everything else on the machine. */
function coresBetween(a, b) {
  const s = (b.at - a.at) / 1000;
  const c = (x) => (x / s).toFixed(2);
  if (a.app === undefined || b.app === undefined || a.busy === null || b.busy === null) return 'n/a';
  const app = b.app - a.app;
  const postgres = b.postgres - a.postgres;
  const rest = Math.max(0, b.busy - a.busy - app - postgres);
  return `app ${c(app)}, PostgreSQL ${c(postgres)}, rest ${c(rest)}`;
}

/**
 * Samples the app's database pool from GET /metrics every `everyMs` until stopped: connections in use and
 * requests waiting for one. A relay that held connections while the WMS misbehaves would show here first.
 */
function samplePool(app, everyMs) {
  const samples = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped && !interrupt.signal.aborted) {
      const res = await new Promise((resolve) => {
        const req = http.get(`${app.baseUrl}/metrics`, { agent }, (r) => {
          const chunks = [];
          r.on('data', (c) => chunks.push(c));
          r.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          r.on('error', () => resolve(''));
        });
        req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy());
        req.on('error', () => resolve(''));
      });
      const gauge = (state) =>
        Number(
          new RegExp(`^mom_db_pool_connections\\{state="${state}"\\} (\\d+)`, 'm').exec(res)?.[1] ?? NaN,
        );
      const total = gauge('total');
      if (Number.isFinite(total))
        samples.push({ at: Date.now(), busy: total - gauge('idle'), waiting: gauge('waiting') });
      await sleep(everyMs);
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Pool figures between two wall-clock times: mean connections in use, most requests waiting at once. */
function poolBetween(samples, from, to) {
  const inside = samples.filter((x) => x.at >= from && x.at < to);
  if (inside.length === 0) return 'n/a';
  const meanBusy = inside.reduce((s2, x) => s2 + x.busy, 0) / inside.length;
  return `${meanBusy.toFixed(1)} busy, ≤ ${Math.max(...inside.map((x) => x.waiting))} waiting`;
}

/** p99 and friends of one phase's answers. */
function latencyOf(results, kind) {
  const mine = kind ? results.filter((x) => x.kind === kind) : results;
  const ms = mine.map((x) => x.ms).sort((a, b) => a - b);
  return {
    n: mine.length,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    max: ms[ms.length - 1] ?? NaN,
    errors: mine.filter((x) => x.error),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Recovery: the admin's view of the dead letters, and their redrive
// ---------------------------------------------------------------------------------------------------------

/** Polls until `probe` answers something truthy; throws naming what was awaited on timeout. */
async function waitUntil(what, probe, timeoutMs) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    throwIfInterrupted();
    last = await probe();
    if (last?.done) return last;
    await sleep(100);
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s (last: ${JSON.stringify(last)})`);
}

async function wmsStatusCounts(db) {
  const { rows } = await db.query(
    `SELECT status, count(*)::int AS n FROM outbox_message WHERE destination = 'wms' GROUP BY status`,
  );
  const c = { pending: 0, delivered: 0, dead: 0 };
  for (const r of rows) c[r.status] = r.n;
  return c;
}

/** Every dead letter of the WMS through GET /admin/outbox/messages?status=dead (all pages). */
async function listDeadLetters(app, token) {
  const items = [];
  for (let offset = 0; ; offset += 500) {
    const { body } = await api(
      app,
      'GET',
      `/admin/outbox/messages?status=dead&destination=wms&limit=500&offset=${offset}`,
      {
        token,
        expect: [200],
      },
    );
    items.push(...body.items);
    if (body.items.length < 500 || items.length >= body.total) return { items, total: body.total };
  }
}

// ---------------------------------------------------------------------------------------------------------
// The verdict's helpers
// ---------------------------------------------------------------------------------------------------------

/** JSON with object keys sorted (jsonb does not keep the order the app wrote them in). */
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** The WMS path a message must be POSTed to (DESIGN.md defaults). */
function expectedPath(m) {
  const task = encodeURIComponent(m.target?.taskId ?? '');
  const lot = encodeURIComponent(m.target?.lot ?? '');
  return {
    createPickTask: '/pick-tasks',
    changePriority: `/pick-tasks/${task}/priority`,
    cancelPickTask: `/pick-tasks/${task}/cancel`,
    createPutaway: '/putaways',
    freezeLot: `/lots/${lot}/freeze`,
    unfreezeLot: `/lots/${lot}/unfreeze`,
  }[m.message_type];
}

const FAILED = new Set(['500', '503', '429', 'hang', 'hang-after-accept', 'reset', 'reset-after-accept']);

/** The app's own delay floor after its k-th failed attempt: half of the capped exponential (equal jitter). */
const backoffFloorMs = (k) => Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (k - 1)) / 2;

/**
 * A message's requests as the app's attempts: numbered from 1, again from 1 after its redrive (which gives it
 * a fresh budget). Each failed attempt is paired with the next one, the retry (none across the redrive: the
 * last attempt's failure is a dead letter, not a backoff).
 */
function attemptsOf(msg, redrivenAt) {
  const reqs = [...msg.requests].sort((a, b) => a.at - b.at);
  const out = [];
  let k = 0;
  let life = 0;
  for (const r of reqs) {
    const l = redrivenAt !== undefined && r.at >= redrivenAt ? 1 : 0;
    if (l !== life) {
      life = l;
      k = 0;
    }
    out.push({ ...r, k: ++k, life });
  }
  for (let i = 0; i < out.length; i++) {
    const next = out[i + 1];
    out[i].retry = next && next.life === out[i].life ? next : null;
    out[i].later = next ?? null; // sent again at all, after a redrive too
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

async function main() {
  const receiver = new FaultyWms({
    appKey: APP_KEY,
    appSecret: APP_SECRET,
    random: random(12),
    retryAfterSeconds: RETRY_AFTER_S,
  });
  const settings = {
    WMS_MODE: 'http',
    WMS_APP_KEY: APP_KEY,
    WMS_APP_SECRET: APP_SECRET,
    OUTBOX_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
    OUTBOX_BACKOFF_BASE_MS: String(BACKOFF_BASE_MS),
    OUTBOX_BACKOFF_CAP_MS: String(BACKOFF_CAP_MS),
    OUTBOX_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    OUTBOX_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
  };
  let app = new App(settings);
  let db = null;
  let created = false;
  let failed = false;
  const started = performance.now();
  // Progress lines carry the seconds since the start: where a slow run spent its time.
  const say = (msg) => log(`${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s  ${msg}`);
  const onSignal = (sig) => {
    if (interrupt.signal.aborted) process.exit(130);
    log(`${sig}: stopping and cleaning up (again to exit at once)`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await receiver.start();
    app = new App({ ...settings, WMS_BASE_URL: receiver.url });
    await adminQuery(`CREATE DATABASE ${quoteIdent(APP_DB)}`);
    created = true;
    say(`database ${APP_DB} created; starting the app in WMS_MODE=http against ${receiver.url}`);
    await app.start(dbUrl(APP_DB));
    await app.waitReady();
    say('app ready; setting up what the readers read');
    db = new pg.Client({ connectionString: dbUrl(APP_DB) });
    await db.connect();

    const fx = await setUp(app);
    const mix = mixOf(fx);
    const adminToken = await login(app, 'admin', DEMO_PASSWORD);
    const total = Math.ceil(
      SETTINGS.releaseRate * (SETTINGS.warmupS + SETTINGS.baselineS + FAULT_S + SETTINGS.afterS) +
        SETTINGS.releaseRate,
    );
    say(`creating ${total} planned work orders of ${MATERIAL}`);
    const queue = await plannedOrders(app, fx.siteId, fx.tokens.planner, total);
    // What the set-up sent (its releases) is delivered before anything is measured.
    await waitUntil(
      'delivery of the set-up messages',
      async () => ({ done: (await wmsStatusCounts(db)).pending === 0 }),
      SETTLE_TIMEOUT_MS,
    );
    const setupMessages = (await wmsStatusCounts(db)).delivered;
    const counter = { releases: 0 };
    const mark = () => ({
      at: Date.now(),
      requests: receiver.requests.length,
      accepted: receiver.acceptCount,
    });

    say(`warm-up: ${SETTINGS.warmupS} s`);
    const warm = await drive(app, fx, mix, queue, counter, { seconds: SETTINGS.warmupS, seed: 1 });
    throwIfInterrupted();

    say(
      `phase 1, baseline: ${SETTINGS.baselineS} s of ${SETTINGS.releaseRate} releases/s and ` +
        `${SETTINGS.readRate} reads/s, the WMS healthy`,
    );
    const pool = samplePool(app, 250);
    const cpu0 = cpuMark(app);
    const baseline = await drive(app, fx, mix, queue, counter, { seconds: SETTINGS.baselineS, seed: 2 });
    const cpu1 = cpuMark(app);
    throwIfInterrupted();

    say(
      `phase 2, faults: ${SETTINGS.mixedS} s mixed, ${SETTINGS.downS} s down, ${SETTINGS.tailS} s mixed; same load`,
    );
    const windows = [];
    const switchTo = (mode) => {
      receiver.setMode(mode);
      windows.push({ mode, ...mark() });
    };
    switchTo('mixed');
    const timers = [
      setTimeout(() => switchTo('down'), SETTINGS.mixedS * 1000),
      setTimeout(() => switchTo('mixed'), (SETTINGS.mixedS + SETTINGS.downS) * 1000),
    ];
    const cpu2 = cpuMark(app);
    const faults = await drive(app, fx, mix, queue, counter, { seconds: FAULT_S, seed: 3 });
    const cpu3 = cpuMark(app);
    timers.forEach(clearTimeout);
    throwIfInterrupted();

    say('phase 3, recovery: the WMS is healthy; dead letters listed and redriven');
    switchTo('healthy');
    const recoverAt = Date.now();
    // The same load goes on meanwhile: healthy windows before and after the faults show how far the
    // latency drifts on its own (more released orders, other work on the machine).
    const cpu4 = cpuMark(app);
    const afterLoad = drive(app, fx, mix, queue, counter, { seconds: SETTINGS.afterS, seed: 4 }).then(
      (x) => ({ ...x, cpu: cpuMark(app) }),
    );
    // Until every message is delivered or dead-lettered, or waits behind a dead letter of its work order
    // (the relay holds those back so that the redrive does not put the WMS's copy out of order).
    const held = await waitUntil(
      'delivery or dead-lettering of every pending message',
      async () => {
        const { rows } = await db.query(
          `SELECT count(*)::int AS pending,
                  count(*) FILTER (WHERE EXISTS (
                    SELECT 1 FROM outbox_message d WHERE d.ordering_key = o.ordering_key AND d.status = 'dead'
                       AND d.seq < o.seq))::int AS held
             FROM outbox_message o WHERE o.destination = 'wms' AND o.status = 'pending'`,
        );
        return { done: rows[0].pending === rows[0].held, ...rows[0] };
      },
      SETTLE_TIMEOUT_MS,
    );
    const settledS = (Date.now() - recoverAt) / 1000;
    const deadInDb = (
      await db.query(`SELECT id::text FROM outbox_message WHERE destination = 'wms' AND status = 'dead'`)
    ).rows.map((r) => r.id);
    const listed = await listDeadLetters(app, adminToken);
    const redrivenAt = new Map();
    const redrive = { ok: 0, failures: [] };
    await mapLimit(listed.items, 4, async (m) => {
      redrivenAt.set(m.id, Date.now());
      const res = await call(app, 'POST', `/admin/outbox/messages/${m.id}/redrive`, adminToken, {
        reason: 'the WMS is back',
      });
      if (res.status === 200 && res.body?.status === 'pending' && res.body?.attempts === 0) redrive.ok++;
      else redrive.failures.push(`redrive ${m.id}: ${describe(res)} ${res.text?.slice(0, 200)}`);
    });
    const redriveDone = Date.now();
    await waitUntil(
      'delivery of every redriven message',
      async () => {
        const { rows } = await db.query(
          `SELECT count(*)::int AS undelivered FROM outbox_message
            WHERE id = ANY($1::uuid[]) AND status <> 'delivered'`,
          [deadInDb],
        );
        return { done: rows[0].undelivered === 0, ...rows[0] };
      },
      SETTLE_TIMEOUT_MS,
    );
    const drainedS = (Date.now() - redriveDone) / 1000;
    const after = await afterLoad;
    await pool.stop();
    // What the last releases sent is delivered too before anything is checked.
    await waitUntil(
      'delivery of the messages of the last releases',
      async () => {
        const c = await wmsStatusCounts(db);
        return { done: c.pending === 0 && c.dead === 0, ...c };
      },
      SETTLE_TIMEOUT_MS,
    );
    // A second redrive of a message that is delivered now: refused with the reason, nothing sent.
    let secondRedrive = null;
    if (listed.items.length > 0) {
      const before = receiver.requests.length;
      const res = await call(
        app,
        'POST',
        `/admin/outbox/messages/${listed.items[0].id}/redrive`,
        adminToken,
        {},
      );
      await sleep(3 * POLL_INTERVAL_MS);
      secondRedrive = { res, sent: receiver.requests.length - before };
    }

    say('everything delivered; checking');
    // ---- what the app wrote, what the WMS got ----
    const { rows: outbox } = await db.query(
      `SELECT id::text, seq::bigint::float8 AS seq, ordering_key, message_type, payload, target, status,
              redrive_count
         FROM outbox_message WHERE destination = 'wms' ORDER BY seq`,
    );
    const releasedOrders = [
      ...warm.released,
      ...baseline.released,
      ...faults.released,
      ...after.released,
    ].filter((o) => o.released);
    const { rows: tasks } = await db.query(
      `SELECT wo.id::text AS work_order_id, t.id::text AS task_id, t.status
         FROM work_order wo LEFT JOIN wms_pick_task t ON t.work_order_id = wo.id
        WHERE wo.id = ANY($1::uuid[])`,
      [releasedOrders.map((o) => o.id)],
    );
    await receiver.close();

    const byId = new Map(outbox.map((m) => [m.id, m]));
    const problems = [];
    const lost = outbox.filter((m) => (receiver.messages.get(m.id)?.accepts ?? 0) === 0);
    const notDelivered = outbox.filter((m) => m.status !== 'delivered');
    const unknown = [...receiver.messages.values()].filter((m) => m.accepts > 0 && !byId.has(m.id));
    const twice = [...receiver.messages.values()].filter((m) => m.accepts > 1);
    // Duplicates under another id would slip past a key-based check: one accepted createPickTask per task.
    const perTask = new Map();
    for (const m of receiver.messages.values())
      if (m.accepts > 0 && m.path === '/pick-tasks')
        perTask.set(m.body.taskId, (perTask.get(m.body.taskId) ?? 0) + 1);
    const taskTwice = [...perTask].filter(([, n]) => n > 1);
    const wrongContent = outbox.filter((m) => {
      const got = receiver.messages.get(m.id);
      return (
        got?.accepts > 0 && (got.path !== expectedPath(m) || canonical(got.body) !== canonical(m.payload))
      );
    });
    for (const m of lost.slice(0, 5)) problems.push(`lost: ${m.message_type} ${m.id} (${m.status})`);
    for (const m of unknown.slice(0, 5)) problems.push(`accepted but not in the outbox: ${m.id} ${m.path}`);
    for (const m of wrongContent.slice(0, 5)) problems.push(`content differs: ${m.message_type} ${m.id}`);

    // One pick task per released order, its createPickTask accepted, and MOM's task no longer pending.
    const createByTask = new Map(
      outbox.filter((m) => m.message_type === 'createPickTask').map((m) => [m.target?.taskId, m]),
    );
    const taskRows = new Map();
    for (const t of tasks) taskRows.set(t.work_order_id, [...(taskRows.get(t.work_order_id) ?? []), t]);
    const orderProblems = [];
    for (const o of releasedOrders) {
      const rows = (taskRows.get(o.id) ?? []).filter((t) => t.task_id);
      if (rows.length !== 1) {
        orderProblems.push(`${o.code}: ${rows.length} pick tasks`);
        continue;
      }
      const msg = createByTask.get(rows[0].task_id);
      if (!msg || (receiver.messages.get(msg.id)?.accepts ?? 0) !== 1)
        orderProblems.push(`${o.code}: its createPickTask was not accepted once`);
      else if (rows[0].status === 'pending') orderProblems.push(`${o.code}: pick task still pending in MOM`);
    }
    problems.push(...orderProblems.slice(0, 5));

    // In order per work order (ordering key): first acceptance follows the order the app wrote them in.
    const keys = new Map();
    for (const m of outbox)
      if (m.ordering_key) keys.set(m.ordering_key, [...(keys.get(m.ordering_key) ?? []), m]);
    const multi = [...keys.values()].filter((ms) => ms.length > 1);
    const outOfOrder = multi.filter((ms) => {
      const idx = ms.map((m) => receiver.messages.get(m.id)?.acceptIndex ?? Infinity);
      return idx.some((v, i) => i > 0 && v < idx[i - 1]);
    });
    for (const ms of outOfOrder.slice(0, 5))
      problems.push(
        `out of order (${ms[0].ordering_key}): written ${ms.map((m) => m.message_type).join(' → ')}, accepted ${[
          ...ms,
        ]
          .sort((a, b) => receiver.messages.get(a.id).acceptIndex - receiver.messages.get(b.id).acceptIndex)
          .map((m) => m.message_type)
          .join(' → ')}`,
      );

    // Faults as the receiver saw them.
    const reqs = receiver.requests;
    const count = (f) => reqs.filter((r) => r.fault === f).length;
    const hangs = reqs.filter((r) => r.fault === 'hang' || r.fault === 'hang-after-accept');
    const attempts = new Map(
      [...receiver.messages.values()].map((m) => [m.id, attemptsOf(m, redrivenAt.get(m.id))]),
    );
    const allAttempts = [...attempts.values()].flat();
    const hangsCut = hangs.filter((r) => r.end !== null);
    const hangMs = hangsCut.map((r) => r.end - r.at);
    const hangLimit = HTTP_TIMEOUT_MS + HANG_MARGIN_MS;
    const hangsRetried = allAttempts.filter((a) => a.fault?.startsWith('hang') && a.later).length;
    const resets = allAttempts.filter((a) => a.fault?.startsWith('reset'));
    const resetsRetried = resets.filter((a) => a.later).length;
    // A resend of a message the WMS had already processed (after a hang or reset that cut its answer).
    const afterAccept = [...receiver.messages.values()].filter((m) =>
      m.requests.some((r) => r.fault === 'hang-after-accept' || r.fault === 'reset-after-accept'),
    );
    const dedupedOk = afterAccept.filter(
      (m) => m.accepts === 1 && m.duplicates > 0 && byId.get(m.id)?.status === 'delivered',
    );

    const after429 = allAttempts.filter((a) => a.fault === '429' && a.retry);
    const early429 = after429.filter((a) => a.retry.at - a.end < a.retryAfterMs - CLOCK_TOLERANCE_MS);
    const minWait429 = Math.min(...after429.map((a) => a.retry.at - a.end));
    const plainFailures = allAttempts.filter((a) => FAILED.has(a.fault) && a.fault !== '429' && a.retry);
    const earlyBackoff = plainFailures.filter(
      (a) => a.retry.at - a.end < backoffFloorMs(a.k) - CLOCK_TOLERANCE_MS,
    );
    for (const a of [...early429, ...earlyBackoff].slice(0, 5))
      problems.push(`retry ${a.retry.at - a.end} ms after attempt ${a.k} (${a.fault}) of ${a.id}`);
    // The growth is read where nothing else stretches the waits: failures and retries both inside the down
    // window (no hang holds a relay pass there, no Retry-After overrides the backoff).
    const gapsByAttempt = [];
    const gapSamples = [];
    for (let k = 1; k < MAX_ATTEMPTS; k++) {
      const gaps = plainFailures
        .filter((a) => a.k === k && a.mode === 'down' && a.retry.mode === 'down')
        .map((a) => a.retry.at - a.end);
      gapsByAttempt.push(median(gaps));
      gapSamples.push(gaps.length);
    }
    // Below the cap (base·2^(k−1) < cap) each step doubles the delay: the medians must rise.
    const uncapped = gapsByAttempt.filter((_, i) => BACKOFF_BASE_MS * 2 ** i <= BACKOFF_CAP_MS);
    const grows = uncapped.every((g, i) => i === 0 || g > uncapped[i - 1]);

    // Dead letters: each after exactly MAX_ATTEMPTS failed attempts, all listed, all redriven, all delivered.
    const deadExhausted = deadInDb.filter((id) => {
      const first = (attempts.get(id) ?? []).filter((a) => a.life === 0);
      return first.length === MAX_ATTEMPTS && first.every((a) => FAILED.has(a.fault));
    });
    const listedIds = new Set(listed.items.map((m) => m.id));
    const listedAll = deadInDb.length === listed.total && deadInDb.every((id) => listedIds.has(id));
    const redrivenDelivered = deadInDb.filter(
      (id) => byId.get(id)?.status === 'delivered' && byId.get(id)?.redrive_count === 1,
    );
    problems.push(...redrive.failures.slice(0, 5));

    // Latency.
    // The baseline is the healthy window before the faults. The window after the recovery is printed beside
    // it: the latency also drifts by itself (every release adds to what the kitting and dispatch reads go
    // through, and the machine is shared), and a slow window after the faults tells that drift apart from
    // the faults' doing.
    const b = latencyOf(baseline.results);
    const a = latencyOf(after.results);
    const f = latencyOf(faults.results);
    const limit = Math.max(P99_FACTOR * b.p99, b.p99 + P99_FLOOR_MS);
    const floorApplies = b.p99 + P99_FLOOR_MS > P99_FACTOR * b.p99;
    const apiErrors = [...warm.results, ...baseline.results, ...faults.results, ...after.results].filter(
      (x) => x.error,
    );
    for (const e of apiErrors.slice(0, 5)) problems.push(`API ${e.kind} ${e.path}: ${e.error}`);

    // Messages that went out during the fault windows (the relay was not stuck behind the faults).
    const faultStart = windows[0];
    const faultEnd = windows[windows.length - 1];
    const acceptedDuringFaults = faultEnd.accepted - faultStart.accepted;
    const writtenDuringFaults = outbox.filter(
      (m) => (receiver.messages.get(m.id)?.requests[0]?.at ?? Infinity) >= faultStart.at,
    ).length;

    // ---- the table ----
    const rows = [];
    const row = (figure, measured, target, ok) => {
      rows.push(`| ${figure} | ${measured} | ${target} | ${ok === null ? 'info' : ok ? 'PASS' : 'FAIL'} |`);
      if (ok === false) failed = true;
    };
    const ms = (v) => `${Number.isFinite(v) ? v.toFixed(1) : '—'} ms`;
    const lat = (l) => `p50 ${ms(l.p50)}, p99 ${ms(l.p99)}, max ${ms(l.max)} (${l.n})`;

    row(
      'load per phase (open loop)',
      `${SETTINGS.releaseRate} releases/s + ${SETTINGS.readRate} reads/s; before ${SETTINGS.baselineS} s, faults ${FAULT_S} s (${SETTINGS.mixedS} mixed, ${SETTINGS.downS} down, ${SETTINGS.tailS} mixed), after ${SETTINGS.afterS} s`,
      '—',
      null,
    );
    row('API latency, baseline: WMS healthy, before the faults (all)', lat(b), '—', null);
    row(
      'API latency, faults (all): p99',
      `${ms(f.p99)} (${(f.p99 / b.p99).toFixed(2)}× baseline)`,
      `≤ max(${P99_FACTOR} × ${b.p99.toFixed(1)}, ${b.p99.toFixed(1)} + ${P99_FLOOR_MS}) = ${limit.toFixed(1)} ms${
        floorApplies ? ` (the +${P99_FLOOR_MS} ms floor applies)` : ''
      }`,
      f.p99 <= limit,
    );
    row(
      'API latency, WMS healthy again (recovery, redrive) (all)',
      `${lat(a)}; p99 ${(a.p99 / b.p99).toFixed(2)}× baseline`,
      'drift check (no target)',
      null,
    );
    for (const kind of ['release', 'read', 'change']) {
      const lb = latencyOf(baseline.results, kind);
      const lf = latencyOf(faults.results, kind);
      const la = latencyOf(after.results, kind);
      row(
        `  ${kind}s p50 / p99: before → faults → after`,
        [lb, lf, la].map((l) => `${ms(l.p50)} / ${ms(l.p99)}`).join(' → '),
        '—',
        null,
      );
    }
    // Each fault window on its own (answers by the time they came back).
    for (let i = 0; i + 1 < windows.length; i++) {
      const w = windows[i];
      const inside = faults.results.filter((x) => x.at >= w.at && x.at < windows[i + 1].at);
      row(
        `  faults, ${w.mode} window ${i + 1}`,
        `${lat(latencyOf(inside))}; pool ${poolBetween(pool.samples, w.at, windows[i + 1].at)}`,
        '—',
        null,
      );
    }
    // The machine is shared: what else ran beside the phases explains a p99 that moved on its own.
    row(
      'CPU (cores): before → faults → after',
      `${coresBetween(cpu0, cpu1)} → ${coresBetween(cpu2, cpu3)} → ${coresBetween(cpu4, after.cpu)} (load generator and WMS in "rest")`,
      '—',
      null,
    );
    row(
      'DB pool (connections in use, requests waiting), sampled 4×/s: before → faults → after',
      [
        poolBetween(pool.samples, cpu0.wall, cpu1.wall),
        poolBetween(pool.samples, cpu2.wall, cpu3.wall),
        poolBetween(pool.samples, cpu4.wall, after.cpu.wall),
      ].join(' → '),
      '—',
      null,
    );
    row(
      'API errors (warm-up, baseline, faults, after)',
      `${apiErrors.length} of ${
        warm.results.length + baseline.results.length + faults.results.length + after.results.length
      }`,
      '0',
      apiErrors.length === 0,
    );
    row(
      'orders released / rush / cancelled right after',
      `${releasedOrders.length} / ${releasedOrders.filter((o) => o.rush).length} / ${releasedOrders.filter((o) => o.cancelled).length}`,
      '—',
      null,
    );
    row(
      'WMS requests: faults injected',
      `${reqs.length} requests: ${[
        '500',
        '503',
        '429',
        'hang',
        'hang-after-accept',
        'reset',
        'reset-after-accept',
      ]
        .map((k) => `${k} ${count(k)}`)
        .join(', ')}`,
      'every kind > 0',
      ['500', '503', '429', 'hang', 'hang-after-accept', 'reset', 'reset-after-accept'].every(
        (k) => count(k) > 0,
      ),
    );
    row(
      'messages accepted by the WMS during the fault windows',
      `${acceptedDuringFaults} (${writtenDuringFaults} first sent then)`,
      '> 0 (hangs do not stop the relay)',
      acceptedDuringFaults > 0,
    );
    row(
      'hung calls given up by the app (per-call timeout)',
      `${hangsCut.length}/${hangs.length}, after ${ms(Math.min(...hangMs))} … ${ms(Math.max(...hangMs))}`,
      `all, each ≤ ${HTTP_TIMEOUT_MS} + ${HANG_MARGIN_MS} ms`,
      hangs.length > 0 && hangsCut.length === hangs.length && hangMs.every((v) => v <= hangLimit),
    );
    row('hung calls retried', `${hangsRetried}/${hangs.length}`, 'all', hangsRetried === hangs.length);
    row(
      'reset calls retried',
      `${resetsRetried}/${resets.length}`,
      'all',
      resets.length > 0 && resetsRetried === resets.length,
    );
    row(
      'retries after 429 Retry-After: earliest',
      `${after429.length} retries, earliest ${ms(minWait429)} after the answer; ${early429.length} too early`,
      `none before ${RETRY_AFTER_S} s (backoff alone ≤ ${BACKOFF_CAP_MS} ms)`,
      after429.length > 0 && early429.length === 0,
    );
    row(
      'retries earlier than their backoff floor (½ of min(cap, base·2^(k−1)))',
      `${earlyBackoff.length} of ${plainFailures.length}`,
      '0',
      plainFailures.length > 0 && earlyBackoff.length === 0,
    );
    row(
      `median wait after failed attempt k = 1…${MAX_ATTEMPTS - 1} (WMS down)`,
      gapsByAttempt.map((g, i) => `${ms(g)} (${gapSamples[i]})`).join(', '),
      `rising up to the cap (base ${BACKOFF_BASE_MS} ms, cap ${BACKOFF_CAP_MS} ms)`,
      grows && uncapped.every(Number.isFinite),
    );
    row(
      'dead letters (each after exactly OUTBOX_MAX_ATTEMPTS failed attempts)',
      `${deadInDb.length} (${deadExhausted.length} after ${MAX_ATTEMPTS} failures); pending settled ${settledS.toFixed(1)} s after recovery`,
      `> 0, all after ${MAX_ATTEMPTS}`,
      deadInDb.length > 0 && deadExhausted.length === deadInDb.length,
    );
    row(
      'messages held back behind a dead letter of their work order until its redrive',
      `${held.held}`,
      '—',
      null,
    );
    row(
      'dead letters listed by GET /admin/outbox/messages?status=dead',
      `${listed.items.length} (total ${listed.total})`,
      `= ${deadInDb.length} in the outbox table`,
      listedAll,
    );
    row(
      'redriven by POST …/redrive, then delivered',
      `${redrive.ok}/${listed.items.length} redriven, ${redrivenDelivered.length} delivered ${drainedS.toFixed(1)} s later`,
      'all',
      redrive.ok === listed.items.length && redrivenDelivered.length === deadInDb.length,
    );
    if (secondRedrive)
      row(
        'redrive of a delivered message',
        `${describe(secondRedrive.res)}, ${secondRedrive.sent} requests to the WMS`,
        '409 NOT_DEAD_LETTERED, 0 sent',
        secondRedrive.res.status === 409 &&
          secondRedrive.res.body?.code === 'NOT_DEAD_LETTERED' &&
          secondRedrive.sent === 0,
      );
    row(
      'outbox messages (WMS) delivered',
      `${outbox.length - notDelivered.length}/${outbox.length} (${setupMessages} from the set-up)`,
      'all',
      notDelivered.length === 0,
    );
    row('lost: written, never accepted by the WMS', `${lost.length}`, '0', lost.length === 0);
    row(
      'duplicated: accepted twice (same id / another id for the same pick task)',
      `${twice.length} / ${taskTwice.length}`,
      '0 / 0',
      twice.length === 0 && taskTwice.length === 0,
    );
    row('accepted by the WMS but never written', `${unknown.length}`, '0', unknown.length === 0);
    row(
      'resends of messages the WMS already had (after a hang or reset): answered 409, counted once',
      `${dedupedOk.length}/${afterAccept.length} (${[...receiver.messages.values()].reduce((s, m) => s + m.duplicates, 0)} answers 409)`,
      'all, > 0',
      afterAccept.length > 0 && dedupedOk.length === afterAccept.length,
    );
    row(
      'released orders: one pick task, its createPickTask accepted once, not pending in MOM',
      `${releasedOrders.length - orderProblems.length}/${releasedOrders.length}`,
      'all',
      orderProblems.length === 0 && releasedOrders.length > 0,
    );
    row(
      'payload and path as written',
      `${outbox.length - lost.length - wrongContent.length}/${outbox.length - lost.length}`,
      'all',
      wrongContent.length === 0,
    );
    row(
      'work orders with several messages: accepted in the order written',
      `${multi.length - outOfOrder.length}/${multi.length}`,
      'all',
      multi.length > 0 && outOfOrder.length === 0,
    );
    row(
      'requests with a bad signature, key, timestamp or replayed nonce',
      `${receiver.badRequests.length} of ${reqs.length}`,
      '0',
      receiver.badRequests.length === 0,
    );
    for (const x of receiver.badRequests.slice(0, 5)) problems.push(`refused by the WMS: ${x}`);

    const wall = (performance.now() - started) / 1000;
    process.stdout.write(
      `\nWMS faults (${MODE}; timeout ${HTTP_TIMEOUT_MS} ms, backoff ${BACKOFF_BASE_MS}–${BACKOFF_CAP_MS} ms, ` +
        `${MAX_ATTEMPTS} attempts; mixed faults ${Math.round(MIXED_FAULTS.reduce((s, x) => s + x.weight, 0) * 100)} % of calls; ` +
        `${wall.toFixed(0)} s)\n\n| figure | measured | target | verdict |\n| --- | --- | --- | --- |\n` +
        `${rows.join('\n')}\n`,
    );
    // Reads by kind: which query a slow phase was slow in.
    const byName = (results, name) => latencyOf(results.filter((x) => x.name === name));
    const kinds = [
      '',
      '| read | before p50 / p99 | faults p50 / p99 | after p50 / p99 |',
      '| --- | --- | --- | --- |',
      ...mix.map(
        (k) =>
          `| ${k.name} | ${[baseline, faults, after]
            .map((phase) => byName(phase.results, k.name))
            .map((l) => `${ms(l.p50)} / ${ms(l.p99)} (${l.n})`)
            .join(' | ')} |`,
      ),
    ];
    process.stdout.write(`${kinds.join('\n')}\n`);
    if (f.p99 > limit && a.p99 > limit)
      process.stdout.write(
        `note: with the WMS healthy again the p99 is ${ms(a.p99)}, above the limit too: the latency drifted ` +
          'during the run (data grown by the releases, other work on the machine: see the CPU row and the ' +
          'reads above), not only because of the faults.\n',
      );
    for (const p of problems.slice(0, 20)) process.stdout.write(`problem: ${p}\n`);
    if (failed) app.printTail();
  } catch (err) {
    failed = true;
    if (!interrupt.signal.aborted) {
      log(`FAILED: ${err.stack ?? err}`);
      app.printTail();
    }
  } finally {
    agent.destroy();
    if (db) await db.end().catch(() => {});
    await app.stop().catch((e) => log(`stopping the app: ${e.message}`));
    await receiver.close().catch(() => {});
    if (created) {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(APP_DB)} WITH (FORCE)`).catch((e) =>
        log(`dropping ${APP_DB}: ${e.message}`),
      );
    }
  }
  process.exitCode = interrupt.signal.aborted ? 130 : failed ? 1 : 0;
}

await main();
