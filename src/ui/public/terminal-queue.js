// The terminal's link to the server: its own requests (device and operator tokens, Idempotency-Key) and the
// ordered queue of commands that could not be sent, kept in localStorage and replayed when the network returns.
import { api, ApiError } from './api.js';

const QUEUE_KEY = 'mom.terminal.queue';
/** While actions wait, the queue tries again this often (besides the browser's `online` event). */
const RETRY_EVERY_MS = 3000;

/**
 * `request('/terminal/dispatch', {token, query})` → the parsed answer: `api()` with the terminal's own token
 * (device set-up or operator). Throws ApiError for a non-2xx answer and a TypeError when the network fails (or
 * the browser knows it is offline: no request is even tried then).
 */
export function request(path, { token = null, ...options } = {}) {
  if (navigator.onLine === false) return Promise.reject(new TypeError('offline'));
  return api(path, { ...options, token });
}

/** A new key for one action: made once, sent with the first try and every replay of it. */
export function newKey() {
  return crypto.randomUUID();
}

/**
 * Whether an action that failed this way may still go through later: the network (or the browser) was away,
 * the server had a problem (5xx), was busy with the same key, hit a concurrent change or asked us to slow down.
 * Other 4xx answers are final: the action is dropped and its problem shown.
 */
export function isRetryable(error) {
  if (!(error instanceof ApiError)) return true;
  if (error.status >= 500 || error.status === 429 || error.status === 408) return true;
  return (
    error.status === 409 &&
    (error.code === 'IDEMPOTENCY_KEY_IN_USE' || error.code === 'CONCURRENT_MODIFICATION')
  );
}

function readQueue() {
  try {
    const stored = JSON.parse(localStorage.getItem(QUEUE_KEY) ?? '[]');
    return Array.isArray(stored) ? stored.filter((item) => item && typeof item.key === 'string') : [];
  } catch {
    return [];
  }
}

function writeQueue(items) {
  try {
    localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
  } catch {
    // A full or refused storage keeps the queue in memory for this page.
  }
}

/**
 * The command queue of this terminal. `send(action)` with `{key, path, body, label, userId, token}` (POST; also
 * `operationId`, `downtimeId`, `inspectionId` or `andonId`, what the action is about, kept with it for the page
 * to show what waits):
 * - nothing waiting and the server answers → `{status: 'sent', data}`;
 * - a final refusal (4xx) → throws the ApiError;
 * - network away, 5xx, or older actions still waiting (order is kept) → stored, `{status: 'queued'}`.
 * Stored actions are replayed in order with their own key; the server answers a replay with the answer it
 * stored for that key, so an action that reached it before the network failed still counts once.
 *
 * `tokenFor(item)` gives the token to replay an action with (the operator's current one when it is the same
 * person); `onChange({waiting, sending, items})` after every change; `onSettled(item, {data} | {error})` when a
 * stored action was answered (sent or finally refused).
 */
export function createCommandQueue({ tokenFor, onChange, onSettled }) {
  let items = readQueue();
  let sending = false;
  let closed = false;

  const state = () => ({ waiting: items.length, sending, items: items.map((item) => ({ ...item })) });
  const changed = () => {
    if (!closed) onChange?.(state());
  };
  const save = () => {
    writeQueue(items);
    changed();
  };

  const timer = setInterval(() => {
    if (items.length > 0) void flush();
  }, RETRY_EVERY_MS);
  const online = () => void flush();
  window.addEventListener('online', online);
  // Another tab of this terminal may have sent or added actions.
  const storage = (event) => {
    if (event.key !== QUEUE_KEY || sending) return;
    items = readQueue();
    changed();
  };
  window.addEventListener('storage', storage);

  async function flush() {
    if (sending || closed || items.length === 0 || navigator.onLine === false) return;
    sending = true;
    changed();
    try {
      while (items.length > 0 && !closed) {
        const item = items[0];
        let outcome;
        try {
          const data = await request(item.path, {
            method: 'POST',
            body: item.body,
            token: tokenFor(item),
            idempotencyKey: item.key,
          });
          outcome = { data };
        } catch (error) {
          if (isRetryable(error)) break;
          outcome = { error };
        }
        items = items.filter((other) => other.key !== item.key);
        save();
        onSettled?.(item, outcome);
      }
    } finally {
      sending = false;
      changed();
    }
  }

  async function send(action) {
    const item = {
      key: action.key ?? newKey(),
      path: action.path,
      body: action.body ?? {},
      label: action.label ?? action.path,
      userId: action.userId ?? null,
      token: action.token ?? null,
      operationId: action.operationId ?? null,
      downtimeId: action.downtimeId ?? null,
      inspectionId: action.inspectionId ?? null,
      andonId: action.andonId ?? null,
      at: new Date().toISOString(),
    };
    if (items.length === 0 && !sending) {
      try {
        const data = await request(item.path, {
          method: 'POST',
          body: item.body,
          token: tokenFor(item),
          idempotencyKey: item.key,
        });
        return { status: 'sent', data, key: item.key };
      } catch (error) {
        if (!isRetryable(error)) throw error;
      }
    }
    items = [...items, item];
    save();
    return { status: 'queued', key: item.key };
  }

  return {
    send,
    flush,
    state,
    close() {
      closed = true;
      clearInterval(timer);
      window.removeEventListener('online', online);
      window.removeEventListener('storage', storage);
    },
  };
}
