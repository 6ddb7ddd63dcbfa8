import type { PGlite } from '@electric-sql/pglite';
import { createServer, type Server, type Socket } from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'

/**
 * Serves one PGlite database to many PostgreSQL wire-protocol clients (the `pg` pool).
 *
 * PGlite has a single session, so every connection shares its unnamed prepared statement, portal and
 * transaction. A connection therefore gets the session from its first message until the session is idle
 * again: after a Sync or a simple Query that leaves no transaction open. Until then other connections wait.
 * (Handing the session over message by message, as @electric-sql/pglite-socket 0.2.17 does outside explicit
 * transactions, lets one client's Parse replace another's between its Parse and Bind.)
 */
export class PgliteWireServer {
  private server?: Server;
  private owner?: WireConnection;
  private readonly waiting: Array<{
    connection: WireConnection;
    grant: () => void;
    refuse: (err: Error) => void;
  }> = [];
  private readonly connections = new Set<WireConnection>();

  constructor(private readonly db: PGlite) {}

  async listen(host = '127.0.0.1', port = 0): Promise<number> {
    this.server = createServer((socket) => {
      const connection = new WireConnection(socket, this);
      this.connections.add(connection);
      socket.once('close', () => {
        this.connections.delete(connection);
        void connection.abandon();
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Waits until the connection holds the session. */
  acquire(connection: WireConnection): Promise<void> {
    if (this.owner === connection) return Promise.resolve();
    if (!this.owner) {
      this.owner = connection;
      return Promise.resolve();
    }
    return new Promise((grant, refuse) => this.waiting.push({ connection, grant, refuse }));
  }

  /** Hands the session to the next waiting connection if the holder left it idle. */
  releaseIfIdle(connection: WireConnection, force = false): void {
    if (this.owner !== connection) return;
    if (!force && this.db.isInTransaction()) return;
    const next = this.waiting.shift();
    this.owner = next?.connection;
    next?.grant();
  }

  /** A connection that closed while waiting gives up its place. */
  forget(connection: WireConnection): void {
    const i = this.waiting.findIndex((w) => w.connection === connection);
    if (i >= 0) this.waiting.splice(i, 1)[0]!.refuse(new Error('connection closed while waiting'));
  }

  holds(connection: WireConnection): boolean {
    return this.owner === connection;
  }

  get database(): PGlite {
    return this.db;
  }
}

class WireConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  private closed = false;
  /** Messages are handled strictly in order, one at a time. */
  private chain: Promise<void> = Promise.resolve();
  /** True between a message of an extended-protocol exchange and its Sync. */
  private midExchange = false;

  constructor(
    private readonly socket: Socket,
    private readonly server: PgliteWireServer,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.receive(data));
    socket.on('error', () => this.destroy());
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** The client went away: undo whatever it left open in the shared session, then let others in. */
  async abandon(): Promise<void> {
    this.closed = true;
    this.server.forget(this);
    await this.chain.catch(() => undefined);
    if (!this.server.holds(this)) return;
    const db = this.server.database;
    try {
      if (this.midExchange) await db.runExclusive(() => db.execProtocolRaw(Buffer.from([SYNC, 0, 0, 0, 4])));
      if (db.isInTransaction()) await db.exec('ROLLBACK');
    } catch {
      // The database may already be closed during shutdown.
    } finally {
      this.server.releaseIfIdle(this, true);
    }
  }

  private receive(data: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    for (;;) {
      const message = this.nextMessage();
      if (!message) return;
      this.chain = this.chain.then(() => this.handle(message)).catch(() => this.destroy());
    }
  }

  private nextMessage(): { kind: 'startup' | 'typed'; bytes: Buffer } | undefined {
    if (!this.started) {
      if (this.buffer.length < 8) return undefined;
      const length = this.buffer.readInt32BE(0);
      if (this.buffer.length < length) return undefined;
      const bytes = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      return { kind: 'startup', bytes };
    }
    if (this.buffer.length < 5) return undefined;
    const length = 1 + this.buffer.readInt32BE(1);
    if (this.buffer.length < length) return undefined;
    const bytes = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return { kind: 'typed', bytes };
  }

  private async handle(message: { kind: 'startup' | 'typed'; bytes: Buffer }): Promise<void> {
    if (this.closed) return;
    if (message.kind === 'startup') {
      const code = message.bytes.readInt32BE(4);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        this.socket.write('N');
        return;
      }
      if (code === CANCEL_REQUEST) {
        // No backend process to signal: PGlite runs one statement at a time anyway.
        this.destroy();
        return;
      }
      if (code !== PROTOCOL_3) {
        this.destroy();
        return;
      }
      this.started = true;
      await this.execute(message.bytes, true);
      return;
    }
    const type = message.bytes[0];
    if (type === TERMINATE) {
      this.destroy();
      return;
    }
    const endsExchange = type === SYNC || type === QUERY;
    this.midExchange = !endsExchange;
    await this.execute(message.bytes, endsExchange);
  }

  private async execute(bytes: Buffer, mayRelease: boolean): Promise<void> {
    await this.server.acquire(this);
    const db = this.server.database;
    try {
      await db.runExclusive(() =>
        db.execProtocolRawStream(new Uint8Array(bytes), {
          onRawData: (chunk) => {
            if (!this.closed && this.socket.writable) this.socket.write(chunk);
          },
        }),
      );
    } finally {
      if (mayRelease) this.server.releaseIfIdle(this);
    }
  }
}
