// Screens of the scale-out run (test/hardening/scale-out.hardening.mjs): Socket.IO clients of /shop-floor that
// keep a view of some work orders the way the web UI does (src/ui/public/socket.js): they join the work-order
// rooms, apply each push, track every room's sequence number, and refetch over HTTP when a number is skipped
// or the connection was lost. Everything they see and do is counted, so the run can say whether any update
// was missed without a refetch.

import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';

const SUBSCRIBE_TIMEOUT_MS = 10_000;
const FETCH_TIMEOUT_MS = 15_000;
const FETCH_TRIES = 5;

/** GET one work order with its operations; retried like a screen would (the instance may be starting). */
async function fetchWorkOrder(baseUrl, token, siteId, id) {
  let lastError;
  for (let attempt = 1; attempt <= FETCH_TRIES; attempt++) {
    try {
      const res = await fetch(`${baseUrl}/api/v1/sites/${siteId}/work-orders/${id}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      const text = await res.text();
      if (res.status === 200) return JSON.parse(text);
      lastError = new Error(`GET work order ${id} answered ${res.status}: ${text.slice(0, 200)}`);
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
  throw lastError;
}

export class ShopFloorClient {
  /**
   * `url`: the instance it talks to (Socket.IO and HTTP, as a browser talks to one address); `workOrderIds`:
   * the orders whose `workorder:` rooms it joins and whose operations it shows.
   */
  constructor({ index, url, token, siteId, workOrderIds }) {
    this.index = index;
    this.url = url;
    this.token = token;
    this.siteId = siteId;
    this.workOrderIds = workOrderIds;
    this.rooms = workOrderIds.map((id) => `workorder:${id}`);

    this.view = new Map(); // operation id → { goodQty, status }
    this.workOrderStatus = new Map(); // work order id → status
    this.lastSeq = new Map(); // room → highest seq seen (kept across reconnections)
    this.receivedSeqs = new Map(); // room → Set of seqs received (work-order rooms only)
    this.freshAfterConnect = new Set(); // rooms whose first push since the last (re)connection is still to come
    this.seenIds = new Set();

    this.connections = 0;
    this.connected = false;
    this.disconnectedAt = null;
    this.lastDisconnectReason = null;
    this.readyAt = null;
    this.reconnects = []; // { ms, readyAt, connectAt, attemptAt }
    this.transportAt = null;
    this.attemptAt = null;
    this.attempts = 0;
    this.connectErrors = 0;

    this.events = 0;
    this.applied = 0;
    this.gapsConnected = 0; // a number skipped while connected
    this.gapsAcrossReconnect = 0; // the first push after a reconnection skipped numbers (expected: missed meanwhile)
    this.stale = 0; // a push at or below the highest number already seen (late or repeated)
    this.seqResets = 0; // after a reconnection, a room's numbers started lower than before
    this.resyncs = { initial: 0, reconnect: 0, gap: 0 };
    this.refetches = 0;
    this.refetchRaces = 0; // pushes that arrived while a refetch was in flight (replayed on top of it)
    this.uncovered = 0; // a refetch that should have covered missed pushes failed
    this.subscribeFailures = 0;
    this.errors = [];

    this.inflight = new Map(); // work order id → { buffer: [], again: boolean }
    this.pendingResyncs = 0;
  }

  /** Connects; resolves once the first ready, join and refetch are done. */
  start() {
    this.socket = io(`${this.url}/shop-floor`, {
      auth: { token: this.token },
      transports: ['websocket'],
      forceNew: true,
      // socket.io-client's own reconnection with its defaults (1 s doubling to 5 s, ±50 %), as the web UI.
    });
    this.socket.on('ready', () => void this.onReady());
    this.socket.on('disconnect', (reason) => {
      if (this.connected) this.disconnectedAt = performance.now();
      this.connected = false;
      this.lastDisconnectReason = reason;
    });
    this.socket.on('connect_error', () => this.connectErrors++);
    // When the transport is up again (before the server's handshake work and the ready event).
    this.socket.on('connect', () => (this.transportAt = performance.now()));
    // Each try of socket.io-client's reconnection (its backoff decides when).
    this.socket.io.on('reconnect_attempt', () => {
      this.attemptAt = performance.now();
      this.attempts++;
    });
    this.socket.onAny((event, envelope) => this.onPush(event, envelope));
    return new Promise((resolve, reject) => {
      this.firstReady = { resolve, reject };
    });
  }

  async onReady() {
    const now = performance.now();
    const reconnect = this.connections > 0;
    this.connections++;
    this.connected = true;
    this.readyAt = now;
    if (reconnect && this.disconnectedAt !== null) {
      this.reconnects.push({
        ms: now - this.disconnectedAt,
        readyAt: now,
        connectAt: this.transportAt ?? now,
        attemptAt: this.attemptAt ?? now,
      });
      this.disconnectedAt = null;
    }
    for (const room of this.lastSeq.keys()) this.freshAfterConnect.add(room);
    // Rooms beyond the automatic ones are per connection: join them again, then refetch what they show
    // (pushes sent while we were away, or before the join, are lost).
    let result;
    try {
      result = await this.socket
        .timeout(SUBSCRIBE_TIMEOUT_MS)
        .emitWithAck('subscribe', { rooms: this.rooms });
    } catch (err) {
      this.subscribeFailures++;
      this.errors.push(`subscribe: ${err.message}`);
      this.firstReady?.reject(err);
      return;
    }
    const missing = this.rooms.filter((r) => !result?.joined?.includes(r));
    if (missing.length > 0) {
      this.subscribeFailures++;
      this.errors.push(`subscribe refused ${JSON.stringify(result?.refused ?? missing)}`);
    }
    await this.resync(reconnect ? 'reconnect' : 'initial');
    if (this.firstReady) {
      const { resolve } = this.firstReady;
      this.firstReady = null;
      resolve();
    }
  }

  onPush(event, envelope) {
    if (!envelope || typeof envelope !== 'object' || typeof envelope.seq !== 'number') return;
    this.events++;
    const { room, seq } = envelope;
    const last = this.lastSeq.get(room);
    const fresh = this.freshAfterConnect.delete(room);
    if (this.receivedSeqs.has(room)) this.receivedSeqs.get(room).add(seq);
    if (last !== undefined && seq <= last) {
      if (fresh && seq < last) this.seqResets++;
      this.stale++;
      return; // older than what is shown: a refetch or a later push already covered it
    }
    this.lastSeq.set(room, seq);
    if (last !== undefined && seq > last + 1) {
      if (fresh) this.gapsAcrossReconnect++;
      else {
        this.gapsConnected++;
        void this.resync('gap');
      }
    }
    if (this.seenIds.has(envelope.id)) return; // the same push through another room
    this.seenIds.add(envelope.id);
    if (this.seenIds.size > 5000) this.seenIds = new Set([...this.seenIds].slice(-1000));
    this.apply(event, envelope.data);
  }

  apply(event, data) {
    const woId = data?.workOrderId;
    if (!woId || !this.workOrderIds.includes(woId)) return;
    const pending = this.inflight.get(woId);
    if (pending) {
      pending.buffer.push([event, data]);
      this.refetchRaces++;
      return;
    }
    this.applyNow(event, data);
  }

  applyNow(event, data) {
    if (event === 'operation.progress') {
      this.view.set(data.operationId, { goodQty: data.goodQty, status: data.status });
      this.applied++;
    } else if (event === 'workorder.status') {
      this.workOrderStatus.set(data.workOrderId, data.status);
      this.applied++;
    }
  }

  /** Refetches every work order shown; pushes arriving meanwhile are replayed on top, in arrival order. */
  async resync(reason) {
    this.resyncs[reason]++;
    this.pendingResyncs++;
    try {
      await Promise.all(this.workOrderIds.map((id) => this.refetch(id)));
    } catch (err) {
      this.uncovered++;
      this.errors.push(`refetch (${reason}): ${err.message}`);
    } finally {
      this.pendingResyncs--;
    }
  }

  async refetch(woId) {
    const running = this.inflight.get(woId);
    if (running) {
      running.again = true; // the fetch in flight may have read before what we now know is missing
      return running.done;
    }
    const entry = { buffer: [], again: false };
    this.inflight.set(woId, entry);
    entry.done = (async () => {
      try {
        for (;;) {
          entry.again = false;
          this.refetches++;
          const wo = await fetchWorkOrder(this.url, this.token, this.siteId, woId);
          this.workOrderStatus.set(wo.id, wo.status);
          for (const op of wo.operations) this.view.set(op.id, { goodQty: op.goodQty, status: op.status });
          if (!entry.again) break;
        }
        for (const [event, data] of entry.buffer) this.applyNow(event, data);
      } finally {
        this.inflight.delete(woId);
      }
    })();
    return entry.done;
  }

  /** Nothing in flight and every room of ours at the server's number. */
  settled(serverSeq) {
    return (
      this.connected &&
      this.pendingResyncs === 0 &&
      this.inflight.size === 0 &&
      this.rooms.every((room) => (this.lastSeq.get(room) ?? 0) === (serverSeq.get(room) ?? 0))
    );
  }

  /** Starts recording which numbers arrive in our rooms (from now on). */
  recordSeqs() {
    for (const room of this.rooms) this.receivedSeqs.set(room, new Set());
  }

  close() {
    this.socket?.close();
  }
}
