#!/usr/bin/env node
// Read load (issue #12, item 1): 60 s at 200 requests/s over work-order, dispatch and stock queries — 0 errors,
// p99 ≤ 250 ms, RSS growth < 50 MB.
//
// Starts the built app (dist/src/main.js) on a fresh PostgreSQL database with the demo factory, adds what a
// working day leaves behind (received lots in the warehouse and at the line side, line stock levels, half of
// the planned orders released, an operation running at the assembly terminal), warms up, then drives an
// OPEN-LOOP fixed arrival rate: request i is sent at t0 + i / rate whether or not earlier ones have answered,
// and its latency is measured from that scheduled time, so a stall of the app shows up in every request that
// should have gone out meanwhile (no coordinated omission). The mix is what the real roles read:
//
//   planner    work-order list (status / line / material / search filters, pages), work-order detail, its
//              kitting picture, the kitting rate, a work center's dispatch list
//   operator   the terminal's dispatch list (signed in at the demo assembly terminal), an operation
//   warehouse  lots (by material, by status, by code prefix, pages), one lot with balances and ledger, the
//              ledger of a line-side location, line stock levels
//   viewer     stock gauges (available / on hand / reserved by material)
//
// An error is any answer that is not 2xx, a network error, a request that got no answer within 10 s, or a 2xx
// whose body is not what that endpoint answers. The app's resident memory (VmRSS) is read after the warm-up
// and at the end of the load.
//
//   node test/hardening/read-load.hardening.mjs                           # full: 60 s at 200 req/s
//   HARDENING_MODE=reduced node test/hardening/read-load.hardening.mjs    # reduced: 20 s at 200 req/s
//
// Environment: BENCH_DATABASE_URL (see bench/common.mjs); the database is created next to the one named there
// and dropped at the end, even on failure. Exit status 0 when every target is met, 1 otherwise.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  adminQuery,
  App,
  cpuSeconds,
  dbUrl,
  interrupt,
  log,
  machineBusySeconds,
  percentile,
  quoteIdent,
  sleep,
  throwIfInterrupted,
} from '../../bench/common.mjs';
import { mixOf, random, setUp } from './lib/read-load-mix.mjs';

// ---------------------------------------------------------------------------------------------------------
// Settings and targets
// ---------------------------------------------------------------------------------------------------------

const MODE = process.env.HARDENING_MODE === 'reduced' ? 'reduced' : 'full';
const RATE = 200; // requests per second, both forms
const SECONDS = MODE === 'full' ? 60 : 20;
// Ten seconds in both forms: the heap settles in that time, so the growth measured after it is the load's own.
const WARMUP_SECONDS = 10;

const TARGET_ERRORS = 0;
const TARGET_P99_MS = 250;
const TARGET_RSS_GROWTH_MB = 50;
// The rate is only proven if the answers kept up with it: answered requests per second over the run.
const TARGET_RATE_SHARE = 0.98;

const REQUEST_TIMEOUT_MS = 10_000;
const DRAIN_TIMEOUT_MS = REQUEST_TIMEOUT_MS + 2_000; // every request has answered or timed out by then

const stamp = new Date()
  .toISOString()
  .replace(/[-:T.Z]/g, '')
  .slice(0, 14);
const APP_DB = `mom_hardening_read_${stamp}_${process.pid}`;

// ---------------------------------------------------------------------------------------------------------
// The open-loop driver
// ---------------------------------------------------------------------------------------------------------

/**
 * GETs on kept-alive connections with node:http (the load generator shares the two cores with the app and
 * PostgreSQL; fetch costs several times as much CPU per request). Enough sockets that the client never holds a
 * request back: when the app is slow, requests pile up on the app, not here.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

function get(url, token) {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      { method: 'GET', agent, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (err) => resolve({ error: err.code ?? err.message }));
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
    );
    req.on('error', (err) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

/**
 * Sends `seconds × rate` requests, request i at t0 + i / rate, without waiting for answers. Returns what every
 * request got, its latency from its scheduled time, and how late the generator itself sent (it shares the CPU).
 */
async function drive(app, mix, { seconds, rate, seed }) {
  const r = random(seed);
  const totalWeight = mix.reduce((a, k) => a + k.weight, 0);
  const choose = () => {
    let x = r() * totalWeight;
    for (const kind of mix) if ((x -= kind.weight) < 0) return kind;
    return mix[mix.length - 1];
  };
  const total = Math.round(seconds * rate);
  const interval = 1000 / rate;
  const results = [];
  const pending = new Set();
  let sendLagMax = 0;
  let lastAnswer = 0;
  const t0 = performance.now() + 20;

  const send = (i) => {
    const scheduled = t0 + i * interval;
    sendLagMax = Math.max(sendLagMax, performance.now() - scheduled);
    const kind = choose();
    const path = kind.path(r);
    const p = get(`${app.baseUrl}/api/v1${path}`, kind.token).then((res) => {
      const done = performance.now();
      lastAnswer = Math.max(lastAnswer, done);
      let error = null;
      if (res.error) error = `network ${res.error}`;
      else if (res.status < 200 || res.status > 299) {
        let code = '';
        try {
          code = JSON.parse(res.text).code ?? '';
        } catch {
          // not JSON
        }
        error = `${res.status} ${code}`.trim();
      } else {
        let body;
        try {
          body = JSON.parse(res.text);
        } catch {
          body = undefined;
        }
        if (!kind.check(body)) error = 'unexpected body';
      }
      results.push({
        kind: kind.name,
        ms: done - scheduled,
        error,
        path,
        sample: error ? (res.text ?? '') : '',
      });
      pending.delete(p);
    });
    pending.add(p);
  };

  let next = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && t0 + next * interval <= now) send(next++);
      if (next >= total || interrupt.signal.aborted) return resolve();
      setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  // Wait for the last answers; whatever is still open after the drain time counts as unanswered.
  const drainUntil = performance.now() + DRAIN_TIMEOUT_MS;
  while (pending.size > 0 && performance.now() < drainUntil && !interrupt.signal.aborted) await sleep(20);
  const unanswered = pending.size;
  return {
    sent: next,
    results,
    unanswered,
    windowS: (next * interval) / 1000,
    answeredSpanS: ((lastAnswer || performance.now()) - t0) / 1000,
    sendLagMax,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------------------------------------

/** The app's resident set (VmRSS) and its peak so far (VmHWM), in MB, from /proc. */
function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

async function main() {
  const app = new App();
  let created = false;
  let failed;
  const onSignal = (sig) => {
    if (interrupt.signal.aborted) process.exit(130);
    log(`${sig}: stopping and cleaning up (again to exit at once)`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await adminQuery(`CREATE DATABASE ${quoteIdent(APP_DB)}`);
    created = true;
    log(`database ${APP_DB} created; starting the app (migrations and demo seed)`);
    await app.start(dbUrl(APP_DB));
    const started = performance.now();
    await app.waitReady();
    const startS = (performance.now() - started) / 1000;
    log(`app ready after ${startS.toFixed(1)} s; setting up`);
    const fixture = await setUp(app);
    log(`set up in ${((performance.now() - started) / 1000 - startS).toFixed(1)} s`);
    const mix = mixOf(fixture);
    throwIfInterrupted();

    log(`warm-up: ${WARMUP_SECONDS} s at ${RATE} req/s`);
    const warm = await drive(app, mix, { seconds: WARMUP_SECONDS, rate: RATE, seed: 1 });
    throwIfInterrupted();
    const warmErrors = warm.results.filter((x) => x.error).length + warm.unanswered;
    await sleep(1000);
    const memBefore = rssOf(app.child.pid);

    log(`load: ${SECONDS} s at ${RATE} req/s (open loop)`);
    const cpu0 = cpuSeconds(app.child.pid);
    const busy0 = machineBusySeconds();
    const self0 = process.cpuUsage();
    const wall0 = performance.now();
    const load = await drive(app, mix, { seconds: SECONDS, rate: RATE, seed: 2 });
    throwIfInterrupted();
    const memAfter = rssOf(app.child.pid);
    const cpu1 = cpuSeconds(app.child.pid);
    const busy1 = machineBusySeconds();
    const wallS = (performance.now() - wall0) / 1000;
    const self = process.cpuUsage(self0);
    const loadAverage = loadavg()[0];
    if (app.exited) throw new Error(`the app exited during the load (${JSON.stringify(app.exited)})`);

    // Figures.
    const latencies = load.results.map((x) => x.ms).sort((a, b) => a - b);
    const errors = new Map();
    const samples = [];
    for (const x of load.results) {
      if (!x.error) continue;
      const key = `${x.kind}: ${x.error}`;
      errors.set(key, (errors.get(key) ?? 0) + 1);
      if (samples.length < 5) samples.push(`${x.error} GET ${x.path} ${x.sample.slice(0, 300)}`);
    }
    if (load.unanswered > 0) errors.set('no answer', load.unanswered);
    const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
    const answered = load.results.length;
    const rightAnswers = load.results.filter((x) => !x.error).length;
    const achieved = rightAnswers / Math.max(load.answeredSpanS, load.windowS);
    const p = (q) => percentile(latencies, q);
    const growth = memAfter.rss - memBefore.rss;

    const ms = (v) => `${v.toFixed(1)} ms`;
    const mb = (v) => `${v.toFixed(1)} MB`;
    const verdict = (ok) => (ok ? 'pass' : 'FAIL');
    const rows = [];
    const row = (figure, measured, target = '', ok = null) => {
      rows.push({ figure, measured, target, verdict: ok === null ? '' : verdict(ok), ok });
    };
    row(
      'requests sent',
      `${load.sent} in ${load.windowS.toFixed(1)} s`,
      `${RATE * SECONDS} (${SECONDS} s at ${RATE}/s)`,
    );
    row(
      'achieved rate (right answers/s)',
      `${achieved.toFixed(1)} req/s`,
      `≥ ${(RATE * TARGET_RATE_SHARE).toFixed(0)} req/s`,
      achieved >= RATE * TARGET_RATE_SHARE,
    );
    row('errors', String(errorCount), `${TARGET_ERRORS}`, errorCount <= TARGET_ERRORS);
    row('latency p50', ms(p(50)));
    row('latency p95', ms(p(95)));
    row('latency p99', ms(p(99)), `≤ ${TARGET_P99_MS} ms`, p(99) <= TARGET_P99_MS);
    row('latency max', ms(latencies[latencies.length - 1] ?? NaN));
    row('load generator late by (max)', ms(load.sendLagMax));
    row('app RSS after warm-up', mb(memBefore.rss));
    row('app RSS at the end', mb(memAfter.rss), '', null);
    row('app RSS growth', mb(growth), `< ${TARGET_RSS_GROWTH_MB} MB`, growth < TARGET_RSS_GROWTH_MB);
    row('app RSS peak (VmHWM)', mb(memAfter.hwm));
    if (cpu0 && cpu1) {
      const cores = (seconds) => (seconds / wallS).toFixed(2);
      const appCpu = cpu1.app - cpu0.app;
      const postgres = cpu1.postgres - cpu0.postgres;
      const client = (self.user + self.system) / 1e6;
      row(
        'CPU (cores) during the load',
        `app ${cores(appCpu)}, PostgreSQL (all databases) ${cores(postgres)}, load generator ${cores(client)}`,
      );
      if (busy0 !== null && busy1 !== null) {
        const busy = busy1 - busy0;
        // What the rest of the machine took meanwhile (other test runs, other databases' clients…).
        row(
          'CPU (cores) of every other process',
          `${cores(Math.max(0, busy - appCpu - postgres - client))} of ${cores(busy)} busy`,
        );
      }
    }
    row('machine', `${cpus().length} cores, load average ${loadAverage.toFixed(2)} at the end`);

    const out = [];
    out.push(
      `\nread load (${MODE}): ${SECONDS} s at ${RATE} req/s, open loop, after ${WARMUP_SECONDS} s warm-up (${warmErrors} warm-up errors)\n`,
    );
    out.push('| figure | measured | target | verdict |', '| --- | --- | --- | --- |');
    for (const x of rows) out.push(`| ${x.figure} | ${x.measured} | ${x.target} | ${x.verdict} |`);

    out.push(
      '',
      '| request | share | count | errors | p50 | p99 | max |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const kind of mix) {
      const mine = load.results.filter((x) => x.kind === kind.name);
      const l = mine.map((x) => x.ms).sort((a, b) => a - b);
      out.push(
        `| ${kind.name} | ${((mine.length / Math.max(answered, 1)) * 100).toFixed(0)} % | ${mine.length} | ${
          mine.filter((x) => x.error).length
        } | ${ms(percentile(l, 50))} | ${ms(percentile(l, 99))} | ${ms(l[l.length - 1] ?? NaN)} |`,
      );
    }
    for (const [k, v] of errors) out.push(`error: ${k} × ${v}`);
    for (const sample of samples) out.push(`error sample: ${sample}`);
    process.stdout.write(`${out.join('\n')}\n`);

    failed = rows.some((x) => x.ok === false);
    if (errorCount > 0) app.printTail();
  } catch (err) {
    failed = true;
    if (!interrupt.signal.aborted) {
      log(`FAILED: ${err.stack ?? err}`);
      app.printTail();
    }
  } finally {
    agent.destroy();
    await app.stop().catch((e) => log(`stopping the app: ${e.message}`));
    if (created) {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(APP_DB)} WITH (FORCE)`).catch((e) =>
        log(`dropping ${APP_DB}: ${e.message}`),
      );
    }
  }
  process.exitCode = interrupt.signal.aborted ? 130 : failed ? 1 : 0;
}

await main();
