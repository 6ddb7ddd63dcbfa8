import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signaturesMatch, signRequest } from '../../src/platform/auth/hmac-signature';

/**
 * A stand-in for the external warehouse system (WMS) in end-to-end tests: it verifies MOM's signed calls
 * (AppKey + HMAC-SHA256, see DESIGN.md), de-duplicates them by Idempotency-Key, records everything that
 * arrives and can be told to misbehave (errors, rate limits, hangs, connection resets).
 */

/** How a request is refused instead of being processed. */
export type Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; body?: string } // e.g. 500, 503, 429
  | { kind: 'hang' } // read the request, never answer (until close()): the sender must time out
  | { kind: 'reset' }; // destroy the socket without answering

export interface ReceivedRequest {
  /** 1, 2, 3… in arrival order (of complete requests), refused ones included. */
  seq: number;
  method: string;
  /** Path with query string, as sent. */
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  rawBody: string;
  /** Parsed JSON; null for an empty body, undefined when the body is not JSON. */
  body: unknown;
  /** The Idempotency-Key header. */
  messageId: string | null;
  /** Headers present, app key known, timestamp in the window, signature matching and nonce unused. */
  signatureValid: boolean;
  /** Null while unanswered, and for ever for hang/reset. */
  answeredStatus: number | null;
  at: number;
}

export interface AcceptedMessage {
  messageId: string;
  path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on the untyped JSON payload
  body: any;
  firstAcceptedAt: number;
  /** Requests that carried this message id and were accepted or answered 409 as duplicates. */
  deliveries: number;
}

export interface TestWms {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Everything that arrived, in arrival order. */
  requests: ReceivedRequest[];
  /** Unique messages accepted (2xx), in first-acceptance order. */
  accepted(): AcceptedMessage[];
  acceptedOn(pathPrefix: string): AcceptedMessage[];
  /** The next n POST requests get this fault; queued faults apply in order. */
  failNext(n: number, fault: Fault): void;
  /** Every POST request gets this fault until up(); takes precedence over queued faults. */
  down(fault: Fault): void;
  up(): void;
  /** Polls every 20 ms; rejects with a summary of what arrived when the timeout passes. */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Forgets requests, accepted messages, used nonces and faults. */
  reset(): void;
  /** Closes the server and destroys all connections, hung ones included. */
  close(): Promise<void>;
}

export interface TestWmsOptions {
  appKey: string;
  appSecret: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Delays every answer (for latency and timeout tests); the decision is taken before the delay. */
  acceptDelayMs?: number;
}

/** Accepted clock skew of X-Timestamp, in seconds. */
const TIMESTAMP_WINDOW_SECONDS = 300;

interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export async function startTestWms(options: TestWmsOptions): Promise<TestWms> {
  const requests: ReceivedRequest[] = [];
  const acceptedById = new Map<string, AcceptedMessage>();
  const usedNonces = new Set<string>();
  const queuedFaults: Fault[] = [];
  const delayTimers = new Set<NodeJS.Timeout>();
  let downFault: Fault | null = null;
  let seq = 0;
  let closing: Promise<void> | undefined;

  const json = (status: number, body: unknown): Answer => ({ status, body: JSON.stringify(body) });

  /** Why the signature is refused, or null when it is valid. Consumes the nonce only when asked to. */
  function checkSignature(req: IncomingMessage, raw: Buffer, consumeNonce: boolean): string | null {
    const appKey = header(req, 'x-app-key');
    const timestamp = header(req, 'x-timestamp');
    const nonce = header(req, 'x-nonce');
    const signature = header(req, 'x-signature')?.toLowerCase();
    if (!appKey || !timestamp || !nonce || !signature)
      return 'X-App-Key, X-Timestamp, X-Nonce and X-Signature are required';
    if (appKey !== options.appKey) return 'Unknown app key';
    const skew = Math.abs(Date.now() / 1000 - Number(timestamp));
    if (!/^\d+$/.test(timestamp) || skew > TIMESTAMP_WINDOW_SECONDS)
      return 'X-Timestamp is outside the accepted window';
    const expected = signRequest(options.appSecret, {
      method: req.method ?? '',
      pathWithQuery: req.url ?? '',
      timestamp,
      nonce,
      body: raw,
    });
    if (!signaturesMatch(expected, signature)) return 'The request signature does not match';
    if (usedNonces.has(nonce)) return 'This nonce was already used: replay refused';
    if (consumeNonce) usedNonces.add(nonce);
    return null;
  }

  /** The WMS's business logic: verify, de-duplicate, accept. */
  function processMessage(req: IncomingMessage, raw: Buffer, record: ReceivedRequest): Answer {
    const refusal = checkSignature(req, raw, true);
    if (refusal) return json(401, { error: refusal });
    if (record.body === undefined) return json(400, { error: 'The body is not valid JSON' });
    const messageId = record.messageId;
    if (!messageId) return json(400, { error: 'Idempotency-Key is required' });
    const known = acceptedById.get(messageId);
    if (known) {
      known.deliveries += 1;
      return json(409, { error: 'This message was already accepted', messageId });
    }
    acceptedById.set(messageId, {
      messageId,
      path: record.path,
      body: record.body,
      firstAcceptedAt: record.at,
      deliveries: 1,
    });
    return json(201, { accepted: true, messageId });
  }

  function send(res: ServerResponse, record: ReceivedRequest, answer: Answer): void {
    const write = () => {
      if (res.destroyed) return; // the client gave up (e.g. timed out) or close() ran
      record.answeredStatus = answer.status;
      const body = Buffer.from(answer.body);
      res.writeHead(answer.status, {
        'Content-Type': isJson(answer.body) ? 'application/json' : 'text/plain; charset=utf-8',
        'Content-Length': String(body.length),
        ...answer.headers,
      });
      res.end(body);
    };
    const delay = options.acceptDelayMs ?? 0;
    if (delay <= 0) return write();
    const timer = setTimeout(() => {
      delayTimers.delete(timer);
      write();
    }, delay);
    delayTimers.add(timer);
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const rawBody = raw.toString('utf8');
    const record: ReceivedRequest = {
      seq: ++seq,
      method: req.method ?? '',
      path: req.url ?? '',
      headers: headersOf(req),
      rawBody,
      body: parseJson(rawBody),
      messageId: header(req, 'idempotency-key') ?? null,
      signatureValid: checkSignature(req, raw, false) === null,
      answeredStatus: null,
      at: Date.now(),
    };
    requests.push(record);

    // Stray non-POST requests (probes, typos) neither consume nor suffer scripted faults.
    if (req.method !== 'POST') return send(res, record, json(404, { error: 'Not found' }));

    const fault = downFault ?? queuedFaults.shift();
    if (!fault) return send(res, record, processMessage(req, raw, record));
    switch (fault.kind) {
      case 'status':
        return send(res, record, {
          status: fault.status,
          body: fault.body ?? JSON.stringify({ error: `Injected fault: HTTP ${fault.status}` }),
          headers:
            fault.retryAfterSeconds === undefined
              ? undefined
              : { 'Retry-After': String(fault.retryAfterSeconds) },
        });
      case 'hang':
        return; // the socket stays open until the client gives up or close() destroys it
      case 'reset':
        req.socket.destroy();
        return;
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
    req.on('error', () => req.socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const wms: TestWms = {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted: () => [...acceptedById.values()],
    acceptedOn: (pathPrefix) => [...acceptedById.values()].filter((m) => m.path.startsWith(pathPrefix)),
    failNext(n, fault) {
      for (let i = 0; i < n; i++) queuedFaults.push(fault);
    },
    down(fault) {
      downFault = fault;
    },
    up() {
      downFault = null;
    },
    async waitFor(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() >= deadline) {
          const seen = requests
            .slice(-10)
            .map((r) => `#${r.seq} ${r.method} ${r.path} → ${r.answeredStatus ?? 'no answer'}`);
          throw new Error(
            `TestWms.waitFor: condition not met within ${timeoutMs} ms; ` +
              `${requests.length} request(s) received, ${acceptedById.size} message(s) accepted` +
              (seen.length ? `; latest: ${seen.join(', ')}` : ''),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    reset() {
      requests.length = 0; // the same array: callers may hold a reference to `requests`
      acceptedById.clear();
      usedNonces.clear();
      queuedFaults.length = 0;
      downFault = null;
      seq = 0;
    },
    close() {
      // Idempotent: a test may close early and its afterEach again.
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of delayTimers) clearTimeout(timer);
        delayTimers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections(); // idle keep-alive and hung sockets alike
      });
      return closing;
    },
  };
  return wms;
}

/** Signs and sends a request to MOM's inbound endpoint as a WMS would (for POST /api/v1/wms/events). */
export async function signedPost(
  baseUrl: string,
  path: string,
  body: unknown,
  credentials: { appKey: string; appSecret: string },
  options: { timestamp?: number; nonce?: string; rawBody?: string; headers?: Record<string, string> } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on the untyped JSON answer
): Promise<{ status: number; body: any; headers: Headers }> {
  const url = new URL(baseUrl.replace(/\/$/, '') + path);
  const rawBody = options.rawBody ?? (body === undefined ? '' : JSON.stringify(body));
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? randomUUID().replace(/-/g, '');
  const signature = signRequest(credentials.appSecret, {
    method: 'POST',
    pathWithQuery: url.pathname + url.search,
    timestamp,
    nonce,
    body: rawBody,
  });
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-App-Key': credentials.appKey,
      'X-Timestamp': timestamp,
      'X-Nonce': nonce,
      'X-Signature': signature,
      ...options.headers,
    },
    body: rawBody === '' ? undefined : rawBody,
  });
  const text = await res.text();
  const parsed = parseJson(text);
  return { status: res.status, body: parsed === undefined ? text : parsed, headers: res.headers };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Null for an empty body, undefined when the text is not JSON. */
function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isJson(text: string): boolean {
  return text !== '' && parseJson(text) !== undefined;
}
