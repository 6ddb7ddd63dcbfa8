import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private Mosquitto for one test file: its own port and persistence directory, so a test can stop and
 * restart the broker (messages and sessions survive, as on a production broker) without touching the
 * machine's shared one.
 */
export class TestBroker {
  private proc: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'mom-mqtt-'));

  private constructor(readonly port: number) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<TestBroker> {
    const broker = new TestBroker(await freePort());
    // Started as root, mosquitto drops to its own user: it must be able to save its database here.
    chmodSync(broker.dir, 0o777);
    writeFileSync(
      join(broker.dir, 'mosquitto.conf'),
      [
        `listener ${broker.port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence true',
        `persistence_location ${broker.dir}/`,
        'max_queued_messages 100000',
        'log_dest none',
        '',
      ].join('\n'),
    );
    await broker.up();
    return broker;
  }

  async up(): Promise<void> {
    this.proc = spawn(process.env.MOSQUITTO_BIN ?? 'mosquitto', ['-c', join(this.dir, 'mosquitto.conf')], {
      stdio: 'ignore',
    });
    const until = Date.now() + 10_000;
    for (;;) {
      if (await reachable(this.port)) return;
      if (Date.now() > until) throw new Error(`mosquitto did not start on port ${this.port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the broker the way a service stop does (it saves sessions and queued messages first). */
  async down(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }

  async stop(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
