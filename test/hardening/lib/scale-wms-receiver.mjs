// The WMS side of the scale-out run (test/hardening/scale-out.hardening.mjs): an HTTP receiver that checks
// every request's signature as DESIGN.md specifies, accepts each message id once (201) and answers a repeat
// 409, and records which app process sent each delivery, so "both relays delivered, none twice" can be said.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { freePort } from '../../../bench/common.mjs';
// The app's own signing scheme, from the build the run starts.
import { signaturesMatch, signRequest } from '../../../dist/src/platform/auth/hmac-signature.js';

/**
 * Which local process owns the other end of a loopback TCP connection, read from Linux's /proc: the
 * connection's port on the peer side gives a socket inode (/proc/net/tcp*), and the process holding that
 * inode among its file descriptors is the sender. Returns null where /proc cannot tell (another OS).
 */
function socketOwner(peerPort, localPort, pids) {
  const hex = (n) => n.toString(16).toUpperCase().padStart(4, '0');
  let inode = null;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      // The sender's side: its local port is the peer port we see, its remote port is ours.
      if (f[1].endsWith(`:${hex(peerPort)}`) && f[2].endsWith(`:${hex(localPort)}`)) {
        inode = f[9];
        break;
      }
    }
    if (inode) break;
  }
  if (!inode) return null;
  const target = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds;
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

export class CountingWms {
  /**
   * `appKey`, `secret`: what the app signs with. `delayMs`: [min, max] time each answer takes, so deliveries
   * overlap and both instances' relays find work to claim. `senders()`: a map pid → instance name for the app
   * processes running now (asked when a connection opens).
   */
  constructor({ appKey, secret, delayMs = [0, 0], senders = () => new Map() }) {
    this.appKey = appKey;
    this.secret = secret;
    this.delayMs = delayMs;
    this.senders = senders;
    /** message id → { at, path, type, instance, repeats } for every accepted message. */
    this.accepted = new Map();
    this.repeats = 0; // deliveries of an id already accepted (answered 409)
    this.badSignatures = 0;
    this.nonces = new Set();
    this.byInstance = new Map(); // instance name → first deliveries it made
  }

  async start() {
    const port = await freePort();
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
    });
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (socket) => {
      const senders = this.senders();
      const pid = socketOwner(socket.remotePort, port, [...senders.keys()]);
      socket.instance = pid === null ? 'unknown' : (senders.get(pid) ?? `pid ${pid}`);
    });
    await new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }

  handle(req, raw, res) {
    const answer = (status, body) => {
      const text = JSON.stringify(body);
      const send = () => {
        res.writeHead(status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      };
      const [min, max] = this.delayMs;
      if (max > 0) setTimeout(send, min + Math.random() * (max - min));
      else send();
    };
    const h = req.headers;
    const expected = signRequest(this.secret, {
      method: req.method,
      pathWithQuery: req.url,
      timestamp: String(h['x-timestamp'] ?? ''),
      nonce: String(h['x-nonce'] ?? ''),
      body: raw,
    });
    const fresh = Math.abs(Date.now() / 1000 - Number(h['x-timestamp'])) <= 300;
    if (
      h['x-app-key'] !== this.appKey ||
      !fresh ||
      !signaturesMatch(expected, String(h['x-signature'] ?? '')) ||
      this.nonces.has(h['x-nonce'])
    ) {
      this.badSignatures++;
      return answer(401, { error: 'bad signature' });
    }
    this.nonces.add(h['x-nonce']);
    const id = String(h['idempotency-key'] ?? '');
    if (!id) {
      this.badSignatures++;
      return answer(400, { error: 'Idempotency-Key missing' });
    }
    const seen = this.accepted.get(id);
    if (seen) {
      seen.repeats++;
      this.repeats++;
      return answer(409, { error: 'already accepted' });
    }
    const instance = req.socket.instance ?? 'unknown';
    this.accepted.set(id, {
      at: performance.now(),
      path: req.url,
      type: String(h['x-message-type'] ?? ''),
      instance,
      repeats: 0,
    });
    this.byInstance.set(instance, (this.byInstance.get(instance) ?? 0) + 1);
    answer(201, { accepted: true });
  }

  close() {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve()));
  }
}
