#!/usr/bin/env node
// Terminal reporting benchmark.
//
// Starts the built service (dist/src/main.js) on a fresh PostgreSQL database seeded with the demo factory,
// lets N simulated shop-floor terminals (one operator and one work order each) report good quantities as
// fast as they can for a fixed time, checks that every accepted report was counted, and then runs pgbench
// TPC-B on a second fresh database on the same machine as a yardstick for what the database itself does.
//
//   npm run bench:terminal                    # 32 terminals, 30 s
//   BENCH_SECONDS=5 npm run bench:terminal    # a quick try
//
// Environment:
//   BENCH_DATABASE_URL  server to use (default postgres://postgres@127.0.0.1:5432/postgres); the databases
//                       are created next to the one named here and dropped at the end, even on failure
//   BENCH_SECONDS       run time of both the app load and pgbench (default 30)
//   BENCH_TERMINALS     simulated terminals, also pgbench clients (default 32)
//   BENCH_PGBENCH_SCALE pgbench scale factor (default 32)
//
// Exit status: 0 when the run completed (targets are reported as PASS/MISS only), 1 when something errored:
// set-up failed, a report got a non-200 answer, or the quantities check found a mismatch.

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  adminQuery,
  api,
  App,
  BASE_URL,
  cpuSeconds,
  dbUrl,
  intEnv,
  interrupt,
  log,
  machineBusySeconds,
  percentile,
  quoteIdent,
  run,
  sleep,
  throwIfInterrupted,
  startedTerminals,
  writeBenchResult,
} from './common.mjs';

// ---------------------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------------------

const SECONDS = intEnv('BENCH_SECONDS', 30);
const TERMINALS = intEnv('BENCH_TERMINALS', 32);
const PGBENCH_SCALE = intEnv('BENCH_PGBENCH_SCALE', 32);
const PGBENCH_THREADS = Math.min(2, TERMINALS); // -j may not exceed -c

const TARGET_RATIO = 0.8; // reports/s ÷ pgbench tps
const TARGET_P99_MS = 100;

const WORK_ORDER_MATERIAL = 'GB-R80'; // finished gearbox: routing Assembly (3 machines) → Run-in → Packing

const stamp = new Date()
  .toISOString()
  .replace(/[-:T.Z]/g, '')
  .slice(0, 14);
const suffix = `${stamp}_${process.pid}`;
const APP_DB = `mom_bench_${suffix}`;
const PGBENCH_DB = `mom_bench_pgbench_${suffix}`;

// ---------------------------------------------------------------------------------------------------------
// Set-up: operators, work orders, started operations
// ---------------------------------------------------------------------------------------------------------

/** One operator, one released work order and its started first operation per terminal. */
async function setUp(app) {
  const { terminals, adminToken } = await startedTerminals(app, {
    count: TERMINALS,
    material: WORK_ORDER_MATERIAL,
    prefix: 'bench',
  });
  return { terminals: terminals.map((t) => ({ ...t, ok: 0 })), adminToken };
}

// ---------------------------------------------------------------------------------------------------------
// The load
// ---------------------------------------------------------------------------------------------------------

/**
 * One POST on a kept-alive connection with node:http: the load generator shares the CPU with the app and
 * PostgreSQL, and fetch costs several times as much CPU per request.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
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
 * Every terminal reports goodQty 1 on its own operation in a closed loop (next report once the previous one
 * answered) until the time is up. Only 200 answers count as reports; anything else is tallied as an error.
 */
async function load(app, terminals) {
  const latencies = []; // ms, of the 200 answers
  const errors = new Map(); // "status code" → count
  const errorSamples = []; // the first few error answers, verbatim
  const noteError = (key, sample) => {
    errors.set(key, (errors.get(key) ?? 0) + 1);
    if (errorSamples.length < 5) errorSamples.push(sample);
  };

  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  const cpu0 = cpuSeconds(app.child.pid);
  const busy0 = machineBusySeconds();
  const self0 = process.cpuUsage();

  await Promise.all(
    terminals.map(async (t) => {
      const url = `${app.baseUrl}/api/v1/terminal/operations/${t.operationId}/report`;
      const body = JSON.stringify({ goodQty: '1' });
      while (performance.now() < deadline && !interrupt.signal.aborted) {
        const started = performance.now();
        let status;
        let text;
        try {
          ({ status, text } = await post(url, body, {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            authorization: `Bearer ${t.token}`,
            'idempotency-key': randomUUID(),
          }));
        } catch (err) {
          if (interrupt.signal.aborted) break;
          noteError(
            `network ${err.code ?? err.cause?.code ?? err.name}`,
            `terminal ${t.index + 1}: ${err.message}`,
          );
          if (app.exited) break; // the app is gone: nothing more to measure
          await sleep(50); // do not spin on a refused connection
          continue;
        }
        const ms = performance.now() - started;
        if (status === 200) {
          t.ok++;
          latencies.push(ms);
        } else {
          let code = '';
          try {
            code = JSON.parse(text).code ?? '';
          } catch {
            // not JSON
          }
          noteError(`${status} ${code}`.trim(), `terminal ${t.index + 1}: ${status} ${text}`);
        }
      }
    }),
  );

  throwIfInterrupted();
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu1 = cpuSeconds(app.child.pid);
  const busy1 = machineBusySeconds();
  const self = process.cpuUsage(self0);
  const cpu =
    cpu0 && cpu1
      ? {
          app: cpu1.app - cpu0.app,
          appSystem: cpu1.appSystem - cpu0.appSystem,
          postgres: cpu1.postgres - cpu0.postgres,
          client: (self.user + self.system) / 1e6,
          machine: busy0 !== null && busy1 !== null ? busy1 - busy0 : null,
        }
      : null;
  latencies.sort((a, b) => a - b);
  return { latencies, errors, errorSamples, elapsedS, cpu };
}

/** Each operation's goodQty must equal the 200 reports its terminal got. */
async function verify(app, terminals, adminToken) {
  const mismatches = [];
  for (const t of terminals) {
    const { body } = await api(app, 'GET', `/terminal/operations/${t.operationId}`, {
      token: adminToken,
      expect: [200],
    });
    const m = /^(\d+)(?:\.0*)?$/.exec(String(body.goodQty));
    if (!m || BigInt(m[1]) !== BigInt(t.ok)) {
      mismatches.push(
        `${t.workOrderCode} (operation ${t.operationId}): goodQty ${body.goodQty}, 200 reports ${t.ok}`,
      );
    }
  }
  return mismatches;
}

// ---------------------------------------------------------------------------------------------------------
// pgbench
// ---------------------------------------------------------------------------------------------------------

/** pgbench TPC-B on its own fresh database; returns tps (without initial connection time). */
async function pgbench() {
  const u = new URL(dbUrl(PGBENCH_DB));
  const conn = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
  const env = u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {};
  log(`pgbench -i -s ${PGBENCH_SCALE} -q`);
  await run('pgbench', [...conn, '-i', '-s', String(PGBENCH_SCALE), '-q', PGBENCH_DB], env);
  const args = ['-c', String(TERMINALS), '-j', String(PGBENCH_THREADS), '-T', String(SECONDS)];
  log(`pgbench ${args.join(' ')}`);
  const busy0 = machineBusySeconds();
  const out = await run('pgbench', [...conn, ...args, PGBENCH_DB], env);
  const busy1 = machineBusySeconds();
  const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
  const n = /number of transactions actually processed: (\d+)/.exec(out);
  if (!m) throw new Error(`could not read tps from pgbench:\n${out}`);
  const cpuPerTx = busy0 !== null && busy1 !== null && n ? ((busy1 - busy0) * 1000) / Number(n[1]) : null;
  return { tps: Number(m[1]), args: args.join(' '), cpuPerTx };
}

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

async function main() {
  const created = [];
  const app = new App();
  let failed = false;

  // Ctrl-C: abort what is running; the finally below still stops the app and drops the databases.
  // A second Ctrl-C exits at once.
  const onSignal = (sig) => {
    if (interrupt.signal.aborted) process.exit(130);
    log(`${sig}: stopping and cleaning up (again to exit at once)`);
    interrupt.abort();
  };
  async function cleanup() {
    await app.stop().catch((e) => log(`stopping the app: ${e.message}`));
    for (const db of created.splice(0)) {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(db)} WITH (FORCE)`).catch((e) =>
        log(`dropping ${db}: ${e.message}`),
      );
    }
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const version = (await adminQuery('SHOW server_version')).rows[0].server_version;
    const server = new URL(BASE_URL);
    const pgLabel = `PostgreSQL ${version.split(/[ .]/)[0]} at ${server.hostname}:${server.port || 5432}`;

    // 1. The app on a fresh database.
    await adminQuery(`CREATE DATABASE ${quoteIdent(APP_DB)}`);
    created.push(APP_DB);
    log(`database ${APP_DB} created; starting the app (migrations and demo seed)`);
    await app.start(dbUrl(APP_DB));
    await app.waitReady();
    log('app ready');

    const { terminals, adminToken } = await setUp(app);
    log(`load: ${TERMINALS} terminals for ${SECONDS} s`);
    const result = await load(app, terminals);
    const mismatches = await verify(app, terminals, adminToken);
    await app.stop();
    if (result.errors.size > 0) app.printTail();

    // 2. pgbench, after the app load (never at the same time).
    throwIfInterrupted();
    await adminQuery(`CREATE DATABASE ${quoteIdent(PGBENCH_DB)}`);
    created.push(PGBENCH_DB);
    const bench = await pgbench();

    // 3. The table.
    const reports = result.latencies.length;
    const rps = reports / result.elapsedS;
    const ratio = rps / bench.tps;
    const p = (q) => percentile(result.latencies, q);
    const errorCount = [...result.errors.values()].reduce((a, b) => a + b, 0);
    const verdict = (ok) => (ok ? 'PASS' : 'MISS');
    const row = (metric, value, ref = '') => `${metric.padEnd(23)}${value.padEnd(12)}${ref}`.trimEnd();
    const ms = (v) => `${v.toFixed(1)} ms`;
    const cpuMs = (v) => `${v.toFixed(2)} ms`;
    const per = (seconds) => (seconds * 1000) / Math.max(reports, 1); // CPU ms per report

    const lines = [
      `terminal reporting benchmark (${TERMINALS} terminals, ${SECONDS} s, ${pgLabel})`,
      row('metric', 'value', 'reference / target'),
      row(
        'reports/s',
        rps.toFixed(1),
        `pgbench TPC-B ${bench.tps.toFixed(1)} tps (${bench.args}, scale ${PGBENCH_SCALE})`,
      ),
      row('ratio', ratio.toFixed(2), `≥ ${TARGET_RATIO.toFixed(2)}  ${verdict(ratio >= TARGET_RATIO)}`),
      row('latency p50', ms(p(50))),
      row('latency p95', ms(p(95))),
      row('latency p99', ms(p(99)), `≤ ${TARGET_P99_MS} ms  ${verdict(p(99) <= TARGET_P99_MS)}`),
      row(
        'errors',
        String(errorCount),
        errorCount ? [...result.errors].map(([k, v]) => `${k}: ${v}`).join(', ') : '',
      ),
      ...(result.cpu
        ? [
            row(
              'CPU per report',
              cpuMs(per(result.cpu.machine ?? result.cpu.app + result.cpu.postgres + result.cpu.client)),
              [
                bench.cpuPerTx !== null ? `pgbench ${cpuMs(bench.cpuPerTx)} per transaction;` : '',
                `app ${cpuMs(per(result.cpu.app))} (kernel ${cpuMs(per(result.cpu.appSystem))}),`,
                `PostgreSQL ${cpuMs(per(result.cpu.postgres))},`,
                `load generator ${cpuMs(per(result.cpu.client))}`,
              ]
                .filter(Boolean)
                .join(' '),
            ),
          ]
        : []),
      row(
        'quantities check',
        mismatches.length === 0 ? `OK (${terminals.length} operations)` : `MISMATCH (${mismatches.length})`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stdout.write(`(${reports} reports in ${result.elapsedS.toFixed(2)} s)\n`);
    for (const s of result.errorSamples) process.stdout.write(`error sample: ${s}\n`);
    for (const m of mismatches) process.stdout.write(`quantity mismatch: ${m}\n`);
    const check = (ok) => (ok ? 'PASS' : 'FAIL');
    const cpuPerReport = result.cpu
      ? per(result.cpu.machine ?? result.cpu.app + result.cpu.postgres + result.cpu.client)
      : null;
    writeBenchResult(
      'terminal',
      [
        {
          figure: 'terminal reports/s',
          ours: rps,
          unit: '/s',
          reference: `pgbench TPC-B ${bench.tps.toFixed(1)} tps`,
          ratio,
          target: `ratio ≥ ${TARGET_RATIO.toFixed(2)}`,
          verdict: verdict(ratio >= TARGET_RATIO),
        },
        { figure: 'report latency p50', ours: p(50), unit: 'ms' },
        {
          figure: 'report latency p99',
          ours: p(99),
          unit: 'ms',
          target: `≤ ${TARGET_P99_MS} ms`,
          verdict: verdict(p(99) <= TARGET_P99_MS),
        },
        {
          figure: 'CPU per report (whole machine)',
          ours: cpuPerReport,
          unit: 'ms',
          reference: bench.cpuPerTx !== null ? `pgbench ${cpuMs(bench.cpuPerTx)} per transaction` : null,
          ratio: cpuPerReport !== null && bench.cpuPerTx ? cpuPerReport / bench.cpuPerTx : null,
        },
        {
          figure: 'report errors, quantity mismatches',
          ours: errorCount + mismatches.length,
          target: '0',
          verdict: check(errorCount === 0 && mismatches.length === 0),
        },
      ],
      {
        title: `${TERMINALS} terminals, ${SECONDS} s, ${pgLabel}; pgbench ${bench.args}, scale ${PGBENCH_SCALE}`,
      },
    );
    if (errorCount > 0 || mismatches.length > 0) failed = true;
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
