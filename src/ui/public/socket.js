// Live updates: the `/shop-floor` Socket.IO namespace, signed in with the person's JWT.
// The client comes from the Socket.IO server of the app itself.
import { io } from '/socket.io/socket.io.esm.min.js';

const RECENT_IDS = 500;

/**
 * Opens the connection and returns `{on, subscribe, unsubscribe, joinedRooms, status, onStatus, close}`.
 * Every push is an envelope `{id, event, room, seq, at, data}`: a push reaching us through several rooms is
 * handed on once (same id); a jump in a room's sequence, or a reconnection, means pushes were missed, and the
 * `resync` listeners are told so they refetch what they show.
 */
export function connectShopFloor(token) {
  const socket = io('/shop-floor', { auth: { token } });
  const handlers = new Map();
  const statusListeners = new Set();
  const lastSeq = new Map();
  const recent = [];
  const recentSet = new Set();
  const rooms = new Set();
  let status = 'connecting';

  const emit = (event, ...args) => {
    for (const handler of handlers.get(event) ?? []) handler(...args);
  };
  const setStatus = (next) => {
    if (next === status) return;
    status = next;
    for (const listener of statusListeners) listener(next);
  };

  const joined = new Set();
  /** Joins rooms; once the server has put us in, listeners refetch what changed before we were there. */
  const join = (list) =>
    socket.emit('subscribe', { rooms: list }, (result) => {
      for (const room of result?.joined ?? []) joined.add(room);
      if (result?.joined?.length) emit('joined', result.joined);
    });

  socket.on('ready', () => {
    lastSeq.clear();
    joined.clear();
    setStatus('live');
    if (rooms.size > 0) join([...rooms]);
    emit('resync', 'connected');
  });
  socket.on('disconnect', () => setStatus('offline'));
  socket.on('connect_error', () => setStatus('offline'));
  socket.onAny((event, envelope) => {
    if (!envelope || typeof envelope !== 'object' || typeof envelope.seq !== 'number') return;
    const last = lastSeq.get(envelope.room);
    if (last === undefined || envelope.seq > last) lastSeq.set(envelope.room, envelope.seq);
    if (last !== undefined && envelope.seq > last + 1) emit('resync', 'gap');
    if (recentSet.has(envelope.id)) return;
    recent.push(envelope.id);
    recentSet.add(envelope.id);
    if (recent.length > RECENT_IDS) recentSet.delete(recent.shift());
    emit(event, envelope.data, envelope);
  });

  return {
    /**
     * `on('operation.progress', (data, envelope) => …)`, `on('resync', (why) => …)` (pushes may have been
     * missed: refetch everything) or `on('joined', (rooms) => …)`; returns the remover.
     */
    on(event, handler) {
      if (!handlers.has(event)) handlers.set(event, new Set());
      handlers.get(event).add(handler);
      return () => handlers.get(event)?.delete(handler);
    },
    /** Joins rooms beyond the automatic user, role and site rooms (kept across reconnections). */
    subscribe(list) {
      const fresh = list.filter((room) => !rooms.has(room));
      if (fresh.length === 0) return;
      for (const room of fresh) rooms.add(room);
      if (socket.connected) join(fresh);
    },
    unsubscribe(list) {
      const left = list.filter((room) => rooms.delete(room));
      for (const room of left) {
        lastSeq.delete(room);
        joined.delete(room);
      }
      if (left.length > 0 && socket.connected) socket.emit('unsubscribe', { rooms: left });
    },
    /** The rooms beyond the automatic ones that the server has put us in. */
    joinedRooms: () => [...joined],
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    close() {
      handlers.clear();
      statusListeners.clear();
      socket.close();
    },
  };
}
