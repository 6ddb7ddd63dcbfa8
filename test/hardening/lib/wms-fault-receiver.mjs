// A warehouse system (WMS) that misbehaves on purpose, for test/hardening/wms-faults.hardening.mjs.
//
// It plays the receiving end of DESIGN.md's "WMS bridge contract": every request's X-App-Key, X-Timestamp
// (5-minute window), X-Nonce (never reused) and X-Signature are checked; a message is processed once per
// Idempotency-Key (201) and a known key is answered 409, which the app counts as delivered. In front of that
// sits a fault policy that the script switches between windows:
//   healthy  every request is processed;
//   mixed    a seeded random share of requests get 500, 503, 429 with Retry-After, a hang (never answered:
//            only the sender's per-call timeout ends it), or a reset (socket destroyed mid-request) — hangs and
//            resets come in two kinds, before the message is processed and after it (the WMS has the message,
//            the app does not know it: its retry must be deduplicated);
//   down     every request fails (500, 503 or a reset in turn), so messages run out of attempts.
// Every request is recorded with its fault, its attempt number for that message (as seen here) and when it
// ended (answered, destroyed, or abandoned by the sender), so that the script can check timeouts, Retry-After
// and backoff from the receiving side.

import http from 'node:http';
import { freePort } from '../../../bench/common.mjs';
// The app's own signing scheme, from the build the script runs.
import { signaturesMatch, signRequest } from '../../../dist/src/platform/auth/hmac-signature.js';

const TIMESTAMP_WINDOW_S = 300;

/** The share of each fault among the requests of a `mixed` window (the rest are processed normally). */
export const MIXED_FAULTS = [
  { fault: '500', weight: 0.08 },
  { fault: '503', weight: 0.08 },
  { fault: '429', weight: 0.1 },
  { fault: 'hang', weight: 0.06 },
  { fault: 'hang-after-accept', weight: 0.06 },
  { fault: 'reset', weight: 0.07 },
  { fault: 'reset-after-accept', weight: 0.07 },
];
/** `down` cycles through these: quick failures, so messages reach their last attempt within the window. */
const DOWN_FAULTS = ['503', '500', 'reset'];

export class FaultyWms {
  /**
   * `random`: a seeded generator in [0, 1) (the same run injects the same faults); `retryAfterSeconds`: what
   * a 429 asks the sender to wait.
   */
  constructor({ appKey, appSecret, random, retryAfterSeconds }) {
    this.appKey = appKey;
    this.appSecret = appSecret;
    this.random = random;
    this.retryAfterSeconds = retryAfterSeconds;
    this.mode = 'healthy';
    this.downTurn = 0;
    /** Every request in arrival order: { n, id, path, at, end, fault, outcome, attempt, retryAfterMs, mode }. */
    this.requests = [];
    /** Per Idempotency-Key: { id, path, body, accepts, firstAcceptedAt, acceptIndex, duplicates, requests }. */
    this.messages = new Map();
    this.acceptCount = 0;
    this.badRequests = []; // signature, app key, timestamp, nonce or body refused: must stay empty
    this.nonces = new Set();
    this.hung = new Set(); // requests left hanging whose sender has not hung up yet
    this.closing = false;
  }

  async start() {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.server = http.createServer((req, res) => {
      const at = Date.now();
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks), at));
      req.on('error', () => req.socket.destroy());
    });
    // Idle kept-alive sockets stay open longer than the sender keeps them: the receiver never closes one
    // under a request that is on its way (that would be a fault nobody asked for).
    this.server.keepAliveTimeout = 120_000;
    await new Promise((r) => this.server.listen(port, '127.0.0.1', r));
  }

  /** healthy | mixed | down */
  setMode(mode) {
    this.mode = mode;
  }

  chooseFault() {
    if (this.mode === 'healthy') return null;
    if (this.mode === 'down') return DOWN_FAULTS[this.downTurn++ % DOWN_FAULTS.length];
    let x = this.random();
    for (const f of MIXED_FAULTS) if ((x -= f.weight) < 0) return f.fault;
    return null;
  }

  /** Why the request is refused, or null: the checks a real WMS makes before it reads a message. */
  refusal(req, raw) {
    const h = req.headers;
    const timestamp = String(h['x-timestamp'] ?? '');
    const nonce = String(h['x-nonce'] ?? '');
    if (h['x-app-key'] !== this.appKey) return 'unknown app key';
    if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > TIMESTAMP_WINDOW_S)
      return 'timestamp outside the window';
    const expected = signRequest(this.appSecret, {
      method: req.method,
      pathWithQuery: req.url,
      timestamp,
      nonce,
      body: raw,
    });
    if (!signaturesMatch(expected, String(h['x-signature'] ?? ''))) return 'bad signature';
    if (!nonce || this.nonces.has(nonce)) return 'nonce missing or replayed';
    if (!h['idempotency-key']) return 'no Idempotency-Key';
    return null;
  }

  /** The WMS's own work: the first request of a message id is accepted, a repeat is a known id (409). */
  process(rec, raw) {
    const msg = this.messages.get(rec.id);
    if (msg.accepts > 0) {
      msg.duplicates++;
      return 409;
    }
    msg.accepts++;
    msg.firstAcceptedAt = rec.at;
    msg.acceptIndex = this.acceptCount++;
    msg.path = rec.path;
    msg.body = JSON.parse(raw.toString('utf8'));
    return 201;
  }

  handle(req, res, raw, at) {
    const rec = {
      n: this.requests.length + 1,
      id: String(req.headers['idempotency-key'] ?? ''),
      path: req.url,
      at,
      end: null,
      fault: null,
      outcome: null,
      attempt: 0,
      retryAfterMs: null,
      mode: this.mode,
    };
    this.requests.push(rec);
    const answer = (status, body, headers = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        ...headers,
      });
      res.end(text);
      rec.end = Date.now();
      rec.outcome = rec.outcome ?? String(status);
    };

    const refused = req.method === 'POST' ? this.refusal(req, raw) : 'not a POST';
    if (refused) {
      this.badRequests.push(`${req.method} ${req.url}: ${refused}`);
      rec.outcome = 'refused';
      return answer(401, { error: refused });
    }
    this.nonces.add(req.headers['x-nonce']);
    let msg = this.messages.get(rec.id);
    if (!msg) {
      msg = { id: rec.id, path: null, body: null, accepts: 0, duplicates: 0, requests: [] };
      this.messages.set(rec.id, msg);
    }
    msg.requests.push(rec);
    rec.attempt = msg.requests.length;

    const fault = this.chooseFault();
    rec.fault = fault;
    switch (fault) {
      case null: {
        const status = this.process(rec, raw);
        return answer(status, status === 201 ? { accepted: true } : { error: 'already accepted' });
      }
      case '500':
      case '503':
        return answer(Number(fault), { error: `injected ${fault}` });
      case '429':
        rec.retryAfterMs = this.retryAfterSeconds * 1000;
        return answer(429, { error: 'slow down' }, { 'retry-after': String(this.retryAfterSeconds) });
      case 'hang':
      case 'hang-after-accept': {
        // Never answered: the sender's timeout has to end it. When it hangs up, the request ends here.
        if (fault === 'hang-after-accept') rec.outcome = `hang after ${this.process(rec, raw)}`;
        else rec.outcome = 'hang';
        this.hung.add(rec);
        res.on('close', () => {
          if (this.closing) return; // cut by close(), not by the sender: stays in `hung`
          rec.end = Date.now();
          this.hung.delete(rec);
        });
        return undefined;
      }
      case 'reset':
        rec.outcome = 'reset';
        rec.end = Date.now();
        req.socket.destroy();
        return undefined;
      case 'reset-after-accept': {
        // Processed, then the connection drops halfway through the status line.
        rec.outcome = `reset after ${this.process(rec, raw)}`;
        rec.end = Date.now();
        req.socket.write('HTTP/1.1 201 Crea', () => req.socket.destroy());
        return undefined;
      }
      default:
        throw new Error(`unknown fault ${fault}`);
    }
  }

  close() {
    this.closing = true;
    this.server?.closeAllConnections();
    return new Promise((r) => (this.server ? this.server.close(r) : r()));
  }
}
