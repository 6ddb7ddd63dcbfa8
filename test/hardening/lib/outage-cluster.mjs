// A private, throw-away PostgreSQL cluster (initdb + pg_ctl in a temporary directory) for tests that stop and
// start the database server: the shared server is never touched. Cleanup is synchronous so it also runs from
// an exit or signal handler.

import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const PG_BIN = process.env.HARDENING_PG_BIN || '/usr/lib/postgresql/15/bin';

/** As root, PostgreSQL refuses to run: the commands run as the `postgres` OS user. */
const AS_ROOT = process.getuid?.() === 0;

function postgresIds() {
  const out = spawnSync('id', ['postgres'], { encoding: 'utf8' });
  const uid = /uid=(\d+)/.exec(out.stdout ?? '');
  const gid = /gid=(\d+)/.exec(out.stdout ?? '');
  if (out.status !== 0 || !uid || !gid) throw new Error('running as root needs a `postgres` OS user');
  return { uid: Number(uid[1]), gid: Number(gid[1]) };
}

function command(tool, args) {
  const bin = join(PG_BIN, tool);
  return AS_ROOT ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

export class PrivateCluster {
  /** `port`: a free TCP port on 127.0.0.1. */
  constructor(port) {
    this.port = port;
    this.dir = mkdtempSync(join(tmpdir(), 'mom-outage-pg-'));
    this.dataDir = join(this.dir, 'data');
    this.logFile = join(this.dir, 'postgres.log');
    if (AS_ROOT) {
      const { uid, gid } = postgresIds();
      chownSync(this.dir, uid, gid);
    }
  }

  /** Runs a PostgreSQL tool; resolves with its output and how long it took, rejects on a non-zero exit. */
  tool(name, args) {
    const [cmd, argv] = command(name, args);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      // cwd: the postgres user may not be allowed into the caller's directory.
      const child = spawn(cmd, argv, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve({ out, ms: Date.now() - started });
        else reject(new Error(`${name} ${args.join(' ')} exited with ${code}:\n${out.trim()}`));
      });
    });
  }

  async init() {
    // -N: no fsync of the initial files (a throw-away cluster); the server itself runs with fsync on.
    await this.tool('initdb', [
      '-D',
      this.dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '-N',
    ]);
  }

  /** Starts the server and waits until it accepts connections. */
  start() {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=50`;
    return this.tool('pg_ctl', [
      '-D',
      this.dataDir,
      '-o',
      options,
      '-l',
      this.logFile,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  /** `mode`: immediate (a crash: no checkpoint, clients cut off) or fast. Waits until the server is gone. */
  stop(mode = 'immediate') {
    return this.tool('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  url(database) {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async query(database, sql, params = []) {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end();
    }
  }

  logTail(lines = 20) {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines);
    } catch {
      return [];
    }
  }

  /** Stops the server if it runs and removes the directory; synchronous, never throws. */
  destroy() {
    if (!this.dir) return;
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      const [cmd, argv] = command('pg_ctl', [
        '-D',
        this.dataDir,
        '-m',
        'immediate',
        '-w',
        '-t',
        '30',
        'stop',
      ]);
      spawnSync(cmd, argv, { cwd: this.dir, stdio: 'ignore' });
    }
    rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
