#!/usr/bin/env node
// Start-up benchmark: how long the built service takes from `node dist/src/main.js` to answering 200 on
// /health/ready, and how much memory it holds then and after a short warm-up, on both database modes:
//   - PostgreSQL, a fresh database: migrations and the demo seed run first (a first installation);
//   - PostgreSQL, the same database again: already migrated and seeded (every restart and deployment);
//   - embedded PostgreSQL (PGlite), a fresh DATA_DIR: the database is created, migrated and seeded in process;
//   - embedded, a second start on that DATA_DIR.
// Each of BENCH_STARTUP_RUNS (3) runs goes through the four in turn (so a drift of the machine's speed touches
// all alike) and the table shows the median. Readiness is polled every 20 ms. Memory: resident set (VmRSS) and
// its peak (VmHWM) from /proc, V8 heap used from the app's /metrics (process.memoryUsage() when scraped), once
// at ready and once after BENCH_STARTUP_WARMUP_SECONDS (10) of reads by four users (planner lists and details,
// dashboards, lots, the terminal's dispatch list; every answer must be 200).
//
//   npm run bench:startup
//   BENCH_STARTUP_RUNS=1 BENCH_STARTUP_WARMUP_SECONDS=3 npm run bench:startup    # a quick try
//
// The targets are this project's own (no published figure to compare with): ready ≤ 10 s on an existing
// database in either mode (a restart or rolling deployment must not keep the shop floor waiting), ≤ 60 s for a
// first start that migrates and seeds, resident memory after warm-up ≤ 300 MB with PostgreSQL (a small VM or
// container runs it) and ≤ 500 MB embedded (the database runs inside the same process).
//
// Exit status: 0 when every start completed (PASS/MISS printed); 1 when a start or a warm-up request failed.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  adminQuery,
  api,
  App,
  dbUrl,
  DEMO_PASSWORD,
  intEnv,
  interrupt,
  log,
  login,
  procCpu,
  quoteIdent,
  rssBytes,
  throwIfInterrupted,
  writeBenchResult,
} from './common.mjs';

const RUNS = intEnv('BENCH_STARTUP_RUNS', 3);
const WARMUP_SECONDS = intEnv('BENCH_STARTUP_WARMUP_SECONDS', 10);
const POLL_MS = 20;
const READERS = 4;
const MB = 2 ** 20;

const SCENARIOS = [
  {
    id: 'pg-fresh',
    label: 'PostgreSQL, fresh database (migrations + demo seed)',
    targetS: 60,
    targetMb: 300,
  },
  { id: 'pg-existing', label: 'PostgreSQL, existing database', targetS: 10, targetMb: 300 },
  { id: 'pglite-fresh', label: 'embedded (PGlite), fresh DATA_DIR', targetS: 60, targetMb: 500 },
  { id: 'pglite-existing', label: 'embedded (PGlite), second start', targetS: 10, targetMb: 500 },
];

// The demo factory's assembly terminal and operator badge (seeds/demo-factory.ts).
const DEMO_TERMINAL = { terminalCode: 'T-ASSY-01', deviceKey: 'demo-terminal-device-key-0001' };
const DEMO_BADGE = { badgeCode: 'B1001', pin: '1234' };

const stamp = new Date()
  .toISOString()
  .replace(/[-:T.Z]/g, '')
  .slice(0, 14);

// ---------------------------------------------------------------------------------------------------------
// Memory and warm-up
// ---------------------------------------------------------------------------------------------------------

/** RSS and its peak from /proc, V8 heap used and total from the app's Prometheus metrics. */
async function memoryOf(app) {
  const res = await fetch(`${app.baseUrl}/metrics`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  const gauge = (name) =>
    Number(new RegExp(`^mom_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const proc = rssBytes(app.child.pid);
  return {
    rss: proc?.rss ?? gauge('process_resident_memory_bytes'),
    peak: proc?.peak ?? NaN,
    heapUsed: gauge('nodejs_heap_size_used_bytes'),
    heapTotal: gauge('nodejs_heap_size_total_bytes'),
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: READERS });
function get(url, token) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { authorization: `Bearer ${token}` }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/**
 * What the first users do after a start: sign in (planner, viewer, warehouse, an operator at the terminal) and
 * read the screens they open, READERS requests at a time for WARMUP_SECONDS. Read-only, so every start of a run
 * meets the same data. Answers { requests, errors }.
 */
async function warmUp(app) {
  const tokens = {
    planner: await login(app, 'planner', DEMO_PASSWORD),
    viewer: await login(app, 'viewer', DEMO_PASSWORD),
    warehouse: await login(app, 'warehouse', DEMO_PASSWORD),
  };
  const { body: terminal } = await api(app, 'POST', '/auth/terminal-login', {
    body: { ...DEMO_TERMINAL, ...DEMO_BADGE },
    expect: [200],
  });
  tokens.operator = terminal.accessToken;
  const { body: sitesBody } = await api(app, 'GET', '/sites', { token: tokens.planner });
  const site = (Array.isArray(sitesBody) ? sitesBody : sitesBody.items).find((x) => x.code === 'SZ01');
  const s = `/sites/${site.id}`;
  const { body: orders } = await api(app, 'GET', `${s}/work-orders?limit=50`, { token: tokens.planner });
  const { body: workCenters } = await api(app, 'GET', `${s}/work-centers?limit=50`, {
    token: tokens.planner,
  });
  const q = `siteId=${site.id}`;
  const paths = [
    ['planner', `${s}/work-orders?limit=50`],
    ['planner', `${s}/work-orders?status=planned,released&limit=20`],
    ...orders.items.slice(0, 10).map((wo) => ['planner', `${s}/work-orders/${wo.id}`]),
    ...(workCenters.items ?? workCenters)
      .slice(0, 4)
      .map((wc) => ['planner', `${s}/dispatch?workCenterId=${wc.id}`]),
    ['planner', `${s}/hierarchy`],
    ['planner', `${s}/kitting-rate`],
    ['viewer', `/analytics/line-progress?${q}`],
    ['viewer', `/analytics/stock-gauges?${q}`],
    ['viewer', `/analytics/kitting?${q}`],
    ['viewer', `/analytics/oee?${q}`],
    ['viewer', `/analytics/wip?${q}`],
    ['viewer', `/analytics/quality?${q}`],
    ['warehouse', `${s}/lots?limit=50`],
    ['warehouse', `${s}/materials?limit=100`],
    ['operator', '/terminal/dispatch'],
  ];
  let requests = 0;
  const errors = [];
  let next = 0;
  const until = performance.now() + WARMUP_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: READERS }, async () => {
      while (performance.now() < until && !interrupt.signal.aborted) {
        const [who, path] = paths[next++ % paths.length];
        const status = await get(`${app.baseUrl}/api/v1${path}`, tokens[who]).catch((e) => e.message);
        requests++;
        if (status !== 200 && errors.length < 5) errors.push(`GET ${path}: ${status}`);
      }
    }),
  );
  throwIfInterrupted();
  if (errors.length > 0) throw new Error(`warm-up requests failed: ${errors.join('; ')}`);
  return { requests };
}

// ---------------------------------------------------------------------------------------------------------
// One start
// ---------------------------------------------------------------------------------------------------------

/** Starts the app (databaseUrl undefined: embedded in `dataDir`), times it to ready, warms it up, stops it. */
async function startOnce(scenario, { databaseUrl, dataDir }) {
  const app = new App(dataDir ? { DATA_DIR: dataDir } : {});
  try {
    const began = performance.now();
    await app.start(databaseUrl);
    await app.waitReady({ intervalMs: POLL_MS });
    const readyS = (performance.now() - began) / 1000;
    // The CPU the start took: on a busy machine the wall time stretches, the CPU much less.
    const cpuS = procCpu(app.child.pid) ?? NaN;
    const atReady = await memoryOf(app);
    const warm = await warmUp(app);
    const afterWarmUp = await memoryOf(app);
    log(
      `${scenario.id}: ready in ${readyS.toFixed(2)} s (CPU ${cpuS.toFixed(2)} s), RSS ${(atReady.rss / MB).toFixed(0)} → ` +
        `${(afterWarmUp.rss / MB).toFixed(0)} MB after ${warm.requests} warm-up requests`,
    );
    return { readyS, cpuS, atReady, afterWarmUp, requests: warm.requests };
  } catch (err) {
    app.printTail();
    throw err;
  } finally {
    await app.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

const median = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

async function main() {
  const databases = [];
  const dirs = [];
  let failed = false;
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      if (interrupt.signal.aborted) process.exit(130);
      log(`${sig}: stopping and cleaning up (again to exit at once)`);
      interrupt.abort();
    });
  }
  const results = new Map(SCENARIOS.map((s) => [s.id, []]));
  const byId = new Map(SCENARIOS.map((s) => [s.id, s]));
  try {
    const version = (await adminQuery('SHOW server_version')).rows[0].server_version;
    for (let run = 1; run <= RUNS; run++) {
      log(`run ${run} of ${RUNS}`);
      const db = `mom_bench_startup_${stamp}_${process.pid}_${run}`;
      await adminQuery(`CREATE DATABASE ${quoteIdent(db)}`);
      databases.push(db);
      results.get('pg-fresh').push(await startOnce(byId.get('pg-fresh'), { databaseUrl: dbUrl(db) }));
      results.get('pg-existing').push(await startOnce(byId.get('pg-existing'), { databaseUrl: dbUrl(db) }));
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(db)} WITH (FORCE)`);
      databases.splice(databases.indexOf(db), 1);

      const dir = mkdtempSync(join(tmpdir(), `mom-bench-startup-${randomUUID().slice(0, 8)}-`));
      dirs.push(dir);
      results.get('pglite-fresh').push(await startOnce(byId.get('pglite-fresh'), { dataDir: dir }));
      results.get('pglite-existing').push(await startOnce(byId.get('pglite-existing'), { dataDir: dir }));
      rmSync(dir, { recursive: true, force: true });
      dirs.splice(dirs.indexOf(dir), 1);
    }

    const mb = (v) => (Number.isFinite(v) ? `${(v / MB).toFixed(0)} MB` : 'n/a');
    const verdict = (ok) => (ok ? 'PASS' : 'MISS');
    const rows = [];
    const notes = [];
    const lines = [
      `start-up benchmark (median of ${RUNS} run${RUNS === 1 ? '' : 's'}; PostgreSQL ${version.split(' ')[0]}; ` +
        `warm-up ${WARMUP_SECONDS} s of reads by ${READERS} users; targets are the project's own)`,
      '',
      '| start | ready | all runs | app CPU to ready | RSS at ready (peak) | heap used at ready | RSS after warm-up | heap used after warm-up | target | |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ];
    for (const s of SCENARIOS) {
      const r = results.get(s.id);
      const ready = median(r.map((x) => x.readyS));
      const rssWarm = median(r.map((x) => x.afterWarmUp.rss));
      const ok = ready <= s.targetS && rssWarm <= s.targetMb * MB;
      lines.push(
        `| ${s.label} | ${ready.toFixed(2)} s | ${r.map((x) => x.readyS.toFixed(2)).join(', ')} | ` +
          `${median(r.map((x) => x.cpuS)).toFixed(2)} s | ` +
          `${mb(median(r.map((x) => x.atReady.rss)))} (${mb(median(r.map((x) => x.atReady.peak)))}) | ` +
          `${mb(median(r.map((x) => x.atReady.heapUsed)))} | ${mb(rssWarm)} | ` +
          `${mb(median(r.map((x) => x.afterWarmUp.heapUsed)))} | ready ≤ ${s.targetS} s, RSS ≤ ${s.targetMb} MB | ${verdict(ok)} |`,
      );
      notes.push(
        `${s.label}: ready in ${r.map((x) => x.readyS.toFixed(2)).join(', ')} s with ` +
          `${median(r.map((x) => x.cpuS)).toFixed(2)} s of app CPU; RSS at ready ${mb(median(r.map((x) => x.atReady.rss)))} ` +
          `(peak ${mb(median(r.map((x) => x.atReady.peak)))}), heap used after warm-up ${mb(median(r.map((x) => x.afterWarmUp.heapUsed)))}`,
      );
      rows.push(
        {
          figure: `start-up to ready: ${s.label}`,
          ours: ready,
          unit: 's',
          target: `≤ ${s.targetS} s (project)`,
          verdict: verdict(ready <= s.targetS),
        },
        {
          figure: `RSS after warm-up: ${s.label}`,
          ours: rssWarm / MB,
          unit: 'MB',
          target: `≤ ${s.targetMb} MB (project)`,
          verdict: verdict(rssWarm <= s.targetMb * MB),
        },
      );
    }
    lines.push('');
    process.stdout.write(`${lines.join('\n')}\n`);
    writeBenchResult('startup', rows, {
      title: `median of ${RUNS} run${RUNS === 1 ? '' : 's'}, warm-up ${WARMUP_SECONDS} s; targets are the project's own`,
      notes,
    });
  } catch (err) {
    failed = true;
    if (!interrupt.signal.aborted) log(`FAILED: ${err.stack ?? err}`);
  } finally {
    for (const db of databases) {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(db)} WITH (FORCE)`).catch((e) =>
        log(`dropping ${db}: ${e.message}`),
      );
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = interrupt.signal.aborted ? 130 : failed ? 1 : 0;
}

await main();
