#!/usr/bin/env node
// WMS bridge benchmark: release → WMS receipt latency and outbound messages per second.
//
// Starts the built service in WMS_MODE=http on a fresh PostgreSQL database with the demo factory, pointed at
// a WMS receiver in this process that checks every request's signature (DESIGN.md) and records when each
// message arrived. Two phases:
//   1. latency: BENCH_CLIENTS planners release BENCH_RELEASES work orders; for each, the time from sending
//      the release to the WMS receiving its createPickTask (and from the release's answer, i.e. commit);
//   2. throughput: BENCH_BACKLOG more orders are released while nothing is delivered (the service runs with
//      its relay off, as when the link to the WMS is down), then the service restarts with the relay on and
//      drains that backlog; messages/s is the drain rate from the first arrival to the last.
// Every message must arrive exactly once with a valid signature; the bench fails otherwise.
//
//   npm run bench:wms
//
// Environment: BENCH_DATABASE_URL (as bench:terminal), BENCH_RELEASES (default 300), BENCH_BACKLOG (default
// 2000), BENCH_CLIENTS (default 8).

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  adminQuery,
  api,
  App,
  BASE_URL,
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
  writeBenchResult,
} from './common.mjs';
// The app's own signing scheme (DESIGN.md), from the build this bench runs.
import { signaturesMatch, signRequest } from '../dist/src/platform/auth/hmac-signature.js';

const RELEASES = intEnv('BENCH_RELEASES', 300);
const BACKLOG = intEnv('BENCH_BACKLOG', 2000);
const CLIENTS = intEnv('BENCH_CLIENTS', 8);
const TARGET_P99_MS = 250;
const TARGET_RATE = 500;
const MATERIAL = 'GB-R80';
const APP_KEY = 'MOM-BENCH';
const APP_SECRET = randomBytes(24).toString('hex');
const APP_DB = `mom_bench_wms_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;

/** The WMS side: verifies signatures, answers 201 (409 for a repeat), records first arrival per message. */
class Receiver {
  constructor() {
    this.arrivals = new Map(); // messageId → { at, workOrder, count }
    this.byWorkOrder = new Map(); // work order code → arrival time (ms, performance clock)
    this.badSignatures = 0;
    this.nonces = new Set();
  }

  async start() {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise((r) => this.server.listen(port, '127.0.0.1', r));
  }

  handle(req, raw, res) {
    const answer = (status, body) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    const h = req.headers;
    const expected = signRequest(APP_SECRET, {
      method: req.method,
      pathWithQuery: req.url,
      timestamp: String(h['x-timestamp'] ?? ''),
      nonce: String(h['x-nonce'] ?? ''),
      body: raw,
    });
    const ok =
      h['x-app-key'] === APP_KEY &&
      signaturesMatch(expected, String(h['x-signature'] ?? '')) &&
      !this.nonces.has(h['x-nonce']);
    if (!ok) {
      this.badSignatures++;
      return answer(401, { error: 'bad signature' });
    }
    this.nonces.add(h['x-nonce']);
    const id = h['idempotency-key'];
    const seen = this.arrivals.get(id);
    if (seen) {
      seen.count++;
      return answer(409, { error: 'already accepted' });
    }
    const body = JSON.parse(raw.toString('utf8'));
    const at = performance.now();
    this.arrivals.set(id, { at, workOrder: body.workOrder, count: 1 });
    if (body.workOrder && req.url === '/pick-tasks') this.byWorkOrder.set(body.workOrder, at);
    answer(201, { accepted: true });
  }

  async waitFor(codes, timeoutMs) {
    const until = Date.now() + timeoutMs;
    while (codes.some((c) => !this.byWorkOrder.has(c))) {
      if (Date.now() > until) {
        const missing = codes.filter((c) => !this.byWorkOrder.has(c)).length;
        throw new Error(`${missing} pick tasks did not reach the WMS within ${timeoutMs / 1000} s`);
      }
      await sleep(5);
    }
  }

  close() {
    this.server?.closeAllConnections();
    return new Promise((r) => (this.server ? this.server.close(r) : r()));
  }
}

async function createOrders(app, siteId, token, n) {
  return mapLimit(Array.from({ length: n }), CLIENTS, async () => {
    const { body: wo } = await api(app, 'POST', `/sites/${siteId}/work-orders`, {
      token,
      body: { material: MATERIAL, quantity: '10', dueAt: '2030-01-01T00:00:00Z' },
      expect: [201],
    });
    await api(app, 'POST', `/sites/${siteId}/work-orders/${wo.id}/plan`, { token, body: {}, expect: [200] });
    return wo;
  });
}

async function releaseAll(app, siteId, token, orders) {
  return mapLimit(orders, CLIENTS, async (wo) => {
    const sent = performance.now();
    await api(app, 'POST', `/sites/${siteId}/work-orders/${wo.id}/release`, {
      token,
      body: { allowShortage: true, reason: 'bench' },
      expect: [200],
    });
    return { code: wo.code, sent, committed: performance.now() };
  });
}

async function main() {
  const receiver = new Receiver();
  await receiver.start();
  const settings = {
    WMS_MODE: 'http',
    WMS_BASE_URL: receiver.url,
    WMS_APP_KEY: APP_KEY,
    WMS_APP_SECRET: APP_SECRET,
  };
  let app = new App(settings);
  let failed = false;
  const cleanup = async () => {
    await app.stop().catch((e) => log(`stopping the app: ${e.message}`));
    await receiver.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(APP_DB)} WITH (FORCE)`).catch((e) =>
      log(`dropping ${APP_DB}: ${e.message}`),
    );
  };
  /** Stops the running service and starts it again on the same database with other settings. */
  const restart = async (env) => {
    await app.stop();
    app = new App({ ...settings, ...env });
    await app.start(dbUrl(APP_DB));
    await app.waitReady();
    return login(app, 'planner', DEMO_PASSWORD);
  };
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => interrupt.abort());
  try {
    const version = (await adminQuery('SHOW server_version')).rows[0].server_version;
    await adminQuery(`CREATE DATABASE ${quoteIdent(APP_DB)}`);
    log(`database ${APP_DB} created; starting the app in WMS_MODE=http`);
    await app.start(dbUrl(APP_DB));
    await app.waitReady();
    let token = await login(app, 'planner', DEMO_PASSWORD);
    const { body: sitesBody } = await api(app, 'GET', '/sites', { token });
    const siteId = (Array.isArray(sitesBody) ? sitesBody : sitesBody.items).find((s) => s.code === 'SZ01').id;

    log(`creating ${RELEASES + BACKLOG} planned work orders of ${MATERIAL}`);
    const orders = await createOrders(app, siteId, token, RELEASES + BACKLOG);
    const latencyOrders = orders.slice(0, RELEASES);
    const backlogOrders = orders.slice(RELEASES);

    log(`phase 1: ${CLIENTS} planners release ${RELEASES} orders`);
    const releases = await releaseAll(app, siteId, token, latencyOrders);
    await receiver.waitFor(
      releases.map((r) => r.code),
      60_000,
    );
    const endToEnd = releases.map((r) => receiver.byWorkOrder.get(r.code) - r.sent).sort((a, b) => a - b);
    const afterCommit = releases
      .map((r) => Math.max(0, receiver.byWorkOrder.get(r.code) - r.committed))
      .sort((a, b) => a - b);
    const releaseMs = releases.map((r) => r.committed - r.sent).sort((a, b) => a - b);

    log(`phase 2: ${BACKLOG} more orders released with the relay off, then the relay drains them`);
    token = await restart({ OUTBOX_RELAY_ENABLED: 'false' });
    const t0 = performance.now();
    await releaseAll(app, siteId, token, backlogOrders);
    const releaseSeconds = (performance.now() - t0) / 1000;
    const codes = backlogOrders.map((o) => o.code);
    if (codes.some((c) => receiver.byWorkOrder.has(c))) throw new Error('a message left with the relay off');
    await restart({});
    await receiver.waitFor(codes, 300_000);
    const arrivals = codes.map((c) => receiver.byWorkOrder.get(c)).sort((a, b) => a - b);
    const drainSeconds = (arrivals[arrivals.length - 1] - arrivals[0]) / 1000;
    const rate = (BACKLOG - 1) / drainSeconds;

    const duplicates = [...receiver.arrivals.values()].filter((a) => a.count > 1).length;
    const p = (q) => percentile(endToEnd, q);
    const c = (q) => percentile(afterCommit, q);
    const fmt = (ms) => `${ms.toFixed(1)} ms`;
    const row = (a, b, ref = '') => console.log(`${a.padEnd(34)} ${String(b).padEnd(12)} ${ref}`);
    console.log(
      `WMS bridge benchmark (PostgreSQL ${version} at ${new URL(BASE_URL).host}, ${CLIENTS} planners)`,
    );
    row('metric', 'value', 'target');
    row('release → WMS receipt p50', fmt(p(50)));
    row('release → WMS receipt p95', fmt(p(95)));
    row(
      'release → WMS receipt p99',
      fmt(p(99)),
      `≤ ${TARGET_P99_MS} ms  ${p(99) <= TARGET_P99_MS ? 'PASS' : 'MISS'}`,
    );
    row('commit → WMS receipt p50 / p99', `${fmt(c(50))} / ${fmt(c(99))}`);
    row('release call p50 / p99', `${fmt(percentile(releaseMs, 50))} / ${fmt(percentile(releaseMs, 99))}`);
    row(
      'backlog drained',
      `${BACKLOG} msgs`,
      `released in ${releaseSeconds.toFixed(1)} s with the relay off; drained in ${drainSeconds.toFixed(1)} s`,
    );
    row(
      'messages/s draining the backlog',
      rate.toFixed(0),
      `≥ ${TARGET_RATE}  ${rate >= TARGET_RATE ? 'PASS' : 'MISS'}`,
    );
    row('bad signatures / duplicates', `${receiver.badSignatures} / ${duplicates}`, 'must be 0 / 0');
    writeBenchResult(
      'wms',
      [
        { figure: 'release → WMS receipt p50', ours: p(50), unit: 'ms' },
        {
          figure: 'release → WMS receipt p99',
          ours: p(99),
          unit: 'ms',
          target: `≤ ${TARGET_P99_MS} ms`,
          verdict: p(99) <= TARGET_P99_MS ? 'PASS' : 'MISS',
        },
        { figure: 'commit → WMS receipt p99', ours: c(99), unit: 'ms' },
        {
          figure: 'WMS messages/s draining a backlog',
          ours: rate,
          unit: '/s',
          target: `≥ ${TARGET_RATE}/s`,
          verdict: rate >= TARGET_RATE ? 'PASS' : 'MISS',
        },
        {
          figure: 'WMS bad signatures and duplicates',
          ours: receiver.badSignatures + duplicates,
          target: '0',
          verdict: receiver.badSignatures + duplicates === 0 ? 'PASS' : 'FAIL',
        },
      ],
      { title: `${CLIENTS} planners, ${RELEASES} releases, backlog ${BACKLOG}, PostgreSQL ${version}` },
    );
    if (receiver.badSignatures > 0 || duplicates > 0) {
      failed = true;
      log('FAILED: a message arrived with a bad signature or twice');
    }
  } catch (err) {
    failed = true;
    if (!interrupt.signal.aborted) {
      log(`FAILED: ${err.stack ?? err}`);
      app.printTail();
    }
  } finally {
    await cleanup();
  }
  process.exitCode = interrupt.signal.aborted ? 130 : failed ? 1 : 0;
}

await main();
