// Helpers shared by the benchmarks: settings, the app as a child process, API calls, CPU accounting.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');

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
 * CPU seconds used so far by the app process and by all PostgreSQL server processes (Linux /proc; null
 * elsewhere). Both share the machine with this load generator, so where the CPU goes explains the rate.
 */
export function cpuSeconds(appPid) {
  const ticks = (stat) => {
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]), system: Number(fields[12]) }; // utime, stime
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
        postgres += t.user + t.system;
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

/** CPU seconds the whole machine has been busy (all cores; /proc/stat), or null off Linux. */
export function machineBusySeconds() {
  try {
    const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - f[3] - f[4]) / CLOCK_TICKS; // minus idle and iowait
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

  /** Polls GET /health/ready until it answers 200. */
  async waitReady() {
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
      await sleep(500);
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
