// Helpers shared by the benchmarks: settings, the app as a child process, API calls, CPU accounting.

import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// BENCH_APP_MAIN: another build of the app to run, e.g. a copy of dist/ kept aside while the checkout is rebuilt.
const MAIN = process.env.BENCH_APP_MAIN
  ? resolve(process.env.BENCH_APP_MAIN)
  : join(ROOT, 'dist', 'src', 'main.js');

/** Reads a positive integer from the environment. */
export function intEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

export const BASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

// Extra Node.js flags for the app, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where its time goes.
const APP_NODE_ARGS = (process.env.BENCH_APP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
export const DEMO_PASSWORD = 'mom-demo';
const READY_TIMEOUT_MS = 120_000;

/** The server URL with another database name. */
export function dbUrl(database) {
  const u = new URL(BASE_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

export const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Aborted on SIGINT/SIGTERM: child commands are killed, loops and API calls stop at their next step, and
 * main() cleans up in its finally. (Requests do not take the signal: one shared signal on thousands of
 * fetches piles up abort listeners; every request is short anyway.)
 */
export const interrupt = new AbortController();
export function throwIfInterrupted() {
  if (interrupt.signal.aborted) throw new Error('interrupted');
}

/** A free TCP port on the loopback interface. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Runs one SQL statement on the maintenance database. */
export async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: BASE_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

export const quoteIdent = (name) => `"${name.replace(/"/g, '""')}"`;

/** Runs a command, collecting its output; rejects on a non-zero exit. */
export function run(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: interrupt.signal, // killed (SIGTERM) on interrupt
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out.trim()}`));
    });
  });
}

/**
 * CPU seconds used so far by the app process and by all PostgreSQL server processes, those that have exited
 * included (Linux /proc; null elsewhere). Both share the machine with this load generator, so where the CPU goes explains the rate.
 */
export function cpuSeconds(appPid) {
  const ticks = (stat) => {
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime; cutime + cstime: children waited for (the postmaster's count the backends that have exited)
    return {
      user: Number(fields[11]),
      system: Number(fields[12]),
      children: Number(fields[13]) + Number(fields[14]),
    };
  };
  try {
    let postgres = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // gone meanwhile
      }
      if (stat.includes('(postgres)')) {
        const t = ticks(stat);
        postgres += t.user + t.system + t.children;
      }
    }
    const app = ticks(readFileSync(`/proc/${appPid}/stat`, 'utf8'));
    return {
      app: (app.user + app.system) / CLOCK_TICKS,
      appSystem: app.system / CLOCK_TICKS,
      postgres: postgres / CLOCK_TICKS,
    };
  } catch {
    return null;
  }
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** The machine's CPU time so far by kind (the `cpu` line of /proc/stat, in ticks), or null off Linux. */
function machineCpuTicks() {
  try {
    const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    return f;
  } catch {
    return null;
  }
}

/** CPU seconds the whole machine has been busy (all cores; /proc/stat), or null off Linux. */
export function machineBusySeconds() {
  const f = machineCpuTicks();
  if (!f) return null;
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - f[3] - f[4]) / CLOCK_TICKS; // minus idle and iowait
}

/** CPU seconds the machine's cores have spent waiting on the disk (iowait; /proc/stat), or null off Linux. */
export function machineIowaitSeconds() {
  const f = machineCpuTicks();
  return f ? f[4] / CLOCK_TICKS : null;
}

/** CPU seconds (user + system) a process has used so far (Linux /proc), or null. */
export function procCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * CPU seconds of the PostgreSQL backends serving one database (their command line names it), or null. The
 * figure of cpuSeconds() counts every PostgreSQL process, also those of whatever else runs on the server.
 */
export function backendsCpu(database) {
  try {
    let total = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmd.startsWith('postgres:') && cmd.includes(` ${database} `)) total += procCpu(pid) ?? 0;
      } catch {
        // gone meanwhile
      }
    }
    return total;
  } catch {
    return null;
  }
}

/** Resident memory of a process now and at its peak, in bytes (Linux /proc: VmRSS, VmHWM), or null. */
export function rssBytes(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Nearest-rank percentile of an ascending sorted array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The service as a child process; keeps the tail of its output to show when something goes wrong. */
export class App {
  /** `env`: settings for this run on top of the defaults (e.g. the WMS mode). */
  constructor(env = {}) {
    this.env = env;
    this.child = null;
    this.exited = null; // { code, signal } once it has exited
    this.tail = [];
    this.dataDir = null;
    this.baseUrl = null;
  }

  async start(databaseUrl) {
    const port = await freePort();
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.dataDir = mkdtempSync(join(tmpdir(), 'mom-bench-'));
    this.child = spawn(process.execPath, [...APP_NODE_ARGS, MAIN], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        SEED_DEMO: 'true',
        LOG_LEVEL: 'warn',
        JWT_SECRET: randomBytes(48).toString('hex'), // 96 characters
        DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'), // 64 hex characters
        DATA_DIR: this.dataDir,
        JOBS_ENABLED: 'false',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d) => {
      for (const line of String(d).split('\n')) if (line.trim()) this.tail.push(line);
      if (this.tail.length > 200) this.tail.splice(0, this.tail.length - 200);
    };
    this.child.stdout.on('data', keep);
    this.child.stderr.on('data', keep);
    this.exitPromise = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve();
      });
    });
  }

  /** Polls GET /health/ready until it answers 200 (every `intervalMs`: the start-up bench times it closely). */
  async waitReady({ intervalMs = 500 } = {}) {
    const until = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < until) {
      throwIfInterrupted();
      if (this.exited) throw new Error(`the app exited during start-up (${JSON.stringify(this.exited)})`);
      try {
        const res = await fetch(`${this.baseUrl}/health/ready`);
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(intervalMs);
    }
    throw new Error(`the app was not ready within ${READY_TIMEOUT_MS / 1000} s`);
  }

  /** SIGTERM, then SIGKILL if it has not gone within 20 s. */
  async stop() {
    if (!this.child || this.exited) return this.cleanupDir();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exitPromise;
    clearTimeout(timer);
    this.cleanupDir();
  }

  cleanupDir() {
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
    this.dataDir = null;
  }

  printTail() {
    if (this.tail.length === 0) return;
    log('last lines of the app output:');
    for (const line of this.tail.slice(-40)) process.stderr.write(`  ${line}\n`);
  }
}

/** A JSON call to the API; returns { status, body }. Throws unless the status is the expected one. */
export async function api(app, method, path, { token, body, expect = [200, 201], headers = {} } = {}) {
  const res = await fetch(`${app.baseUrl}/api/v1${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  throwIfInterrupted();
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (expect && !expect.includes(res.status)) {
    const err = new Error(`${method} ${path} answered ${res.status}: ${text}`);
    err.status = res.status;
    err.body = parsed;
    throw err;
  }
  return { status: res.status, body: parsed };
}

export async function login(app, username, password) {
  const { body } = await api(app, 'POST', '/auth/login', { body: { username, password }, expect: [200] });
  return body.accessToken;
}

/** Runs fn over items with at most `limit` at a time (the set-up hashes passwords; keep it gentle). */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * The demo site's shop floor ready for terminal load: `count` operators (`<prefix>-op-NNN`), each with a released
 * work order of `material` and its first operation started. Returns `{ siteId, adminToken, terminals }`, each
 * terminal `{ index, username, token, operationId, workOrderId, workOrderCode }`.
 */
export async function startedTerminals(app, { count, material, prefix }) {
  const adminToken = await login(app, 'admin', DEMO_PASSWORD);
  const plannerToken = await login(app, 'planner', DEMO_PASSWORD);

  const { body: sitesBody } = await api(app, 'GET', '/sites', { token: adminToken });
  const sites = Array.isArray(sitesBody) ? sitesBody : sitesBody.items;
  const site = sites.find((s) => s.code === 'SZ01');
  if (!site) throw new Error(`the demo site SZ01 is missing; sites: ${JSON.stringify(sites)}`);
  const siteId = site.id;

  const indexes = Array.from({ length: count }, (_, i) => i);
  const password = `${prefix}-${randomBytes(12).toString('hex')}`;

  log(`creating ${count} operators`);
  const operators = await mapLimit(indexes, 4, async (i) => {
    const username = `${prefix}-op-${String(i + 1).padStart(3, '0')}`;
    await api(app, 'POST', '/users', {
      token: adminToken,
      body: {
        username,
        displayName: `${prefix} operator ${i + 1}`,
        password,
        roles: ['operator'],
        siteIds: [siteId],
      },
    });
    return { username, token: await login(app, username, password) };
  });

  log(`creating, planning and releasing ${count} work orders of ${material}`);
  const workOrders = await mapLimit(indexes, 4, async () => {
    const { body: wo } = await api(app, 'POST', `/sites/${siteId}/work-orders`, {
      token: plannerToken,
      body: { material, quantity: '1000000', dueAt: '2030-01-01T00:00:00Z' },
      expect: [201],
    });
    const base = `/sites/${siteId}/work-orders/${wo.id}`;
    await api(app, 'POST', `${base}/plan`, { token: plannerToken, body: {}, expect: [200] });
    await api(app, 'POST', `${base}/release`, {
      token: plannerToken,
      body: { allowShortage: true },
      expect: [200],
    });
    return wo;
  });

  // One at a time: concurrent starts on the same machines can deadlock in the app (it answers 409
  // CONCURRENT_MODIFICATION, "retry the request"); the start is set-up, not what is measured.
  log('starting the first operation of every work order');
  const terminals = await mapLimit(indexes, 1, async (i) => {
    const wo = workOrders[i];
    const first = [...wo.operations].sort((a, b) => a.seq - b.seq)[0];
    const { username, token } = operators[i];
    const start = (body) =>
      api(app, 'POST', `/terminal/operations/${first.id}/start`, {
        token,
        body,
        expect: null,
        headers: { 'idempotency-key': randomUUID() },
      });
    // Several eligible machines: the app asks (400) for one; spread the terminals over them.
    const options = first.equipmentOptions ?? [];
    let body = {};
    let res;
    for (let attempt = 0; attempt < 5; attempt++) {
      res = await start(body);
      if (res.status === 200) break;
      if (res.status === 400 && !body.equipment && options.length > 0) {
        body = { equipment: options[i % options.length].equipmentId };
      } else if (res.status === 409 && res.body?.code === 'CONCURRENT_MODIFICATION') {
        await sleep(100 * (attempt + 1));
      } else break;
    }
    if (res.status !== 200) {
      throw new Error(
        `POST /terminal/operations/${first.id}/start answered ${res.status}: ${JSON.stringify(res.body)}`,
      );
    }
    return { index: i, username, token, operationId: first.id, workOrderId: wo.id, workOrderCode: wo.code };
  });
  return { siteId, adminToken, terminals };
}

/**
 * Writes a bench's figures as JSON to the file named by BENCH_RESULT_FILE, if set; bench/run-all.mjs gathers
 * them into one report. `rows`: { figure, ours, unit, reference, ratio, target, verdict } each, where `ours` is
 * a number (or words when the figure is not one number), `reference` a number or words (another system's
 * figure on the same machine, or a published one), `ratio` ours ÷ reference when both are numbers of the same
 * kind, `target` the figure's target in words ("≤ 50 ms"), and `verdict` PASS or MISS against that target,
 * FAIL for a correctness check that failed, or empty when the figure has no target. `extra`: `title` (what was
 * run, with its settings) and `notes` (lines worth keeping beside the table).
 */
export function writeBenchResult(bench, rows, extra = {}) {
  const file = process.env.BENCH_RESULT_FILE;
  if (!file) return;
  const clean = rows.map((r) => ({
    figure: String(r.figure),
    ours: typeof r.ours === 'number' && !Number.isFinite(r.ours) ? null : (r.ours ?? null),
    unit: r.unit ?? '',
    reference: r.reference ?? null,
    ratio: Number.isFinite(r.ratio) ? r.ratio : null,
    target: r.target ?? '',
    verdict: r.verdict ?? '',
  }));
  writeFileSync(file, `${JSON.stringify({ bench, ...extra, rows: clean }, null, 2)}\n`);
}
