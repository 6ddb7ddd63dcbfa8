// The HTTP API from the pages: the signed-in person's token, JSON in and out, problem+json errors.
import { has, locale, t } from './i18n.js';

const SESSION_KEY = 'mom.session';
const LAST_SITE_KEY = 'mom.lastSiteId';
const unauthorizedListeners = new Set();

/** An answer other than 2xx, carrying the RFC 9457 problem (detail, code, field errors, correlation id). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code ?? null;
    this.title = problem.title ?? null;
    this.detail = problem.detail ?? null;
    this.fieldErrors = Array.isArray(problem.errors) ? problem.errors : [];
    this.correlationId = problem.correlationId ?? null;
    /** The whole problem, with its extension members (e.g. the `sites` of an ambiguous lot code). */
    this.problem = problem;
  }
}

/**
 * The session of this browser tab: `{token, expiresAt, user, siteId}`. Kept in sessionStorage, so it ends with
 * the tab and is not shared with other tabs (a shared terminal keeps no one signed in).
 */
export function session() {
  let value;
  try {
    value = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
  } catch {
    value = null;
  }
  if (!value || typeof value.token !== 'string') return null;
  if (typeof value.expiresAt === 'number' && value.expiresAt <= Date.now()) {
    clearSession();
    return null;
  }
  return value;
}

export function saveSession(changes) {
  const next = { ...(session() ?? {}), ...changes };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
  if (next.siteId) {
    try {
      localStorage.setItem(LAST_SITE_KEY, next.siteId);
    } catch {
      // Remembering the last site is a convenience only.
    }
  }
  return next;
}

export function clearSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

/** The site chosen last time in this browser, to preselect it at the next sign-in. */
export function lastSiteId() {
  try {
    return localStorage.getItem(LAST_SITE_KEY);
  } catch {
    return null;
  }
}

/** Called when the server refuses the token (expired, revoked): the shell sends the person to sign in. */
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/**
 * `api('/analytics/kitting', {query: {siteId}})` → the parsed JSON answer. Throws ApiError for a non-2xx
 * answer and a TypeError when the network fails. The session's token is sent unless `auth` is false or a
 * `token` of its own is given (a terminal's operator); `idempotencyKey` is sent as `Idempotency-Key`.
 */
export async function api(
  path,
  { method = 'GET', body, query, signal, auth = true, token, idempotencyKey } = {},
) {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  }
  const headers = { Accept: 'application/json', 'Accept-Language': locale() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  const own = token !== undefined;
  if (own) {
    if (token) headers.Authorization = `Bearer ${token}`;
  } else if (auth) {
    const current = session();
    if (!current) {
      notifyUnauthorized();
      throw new ApiError(401, { title: 'Unauthorized', detail: t('error.signedOut') });
    }
    headers.Authorization = `Bearer ${current.token}`;
  }
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (res.status === 204) return null;
  const type = res.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const problem =
      data && typeof data === 'object' ? data : { title: res.statusText, detail: String(data || '') };
    if (res.status === 401 && auth && !own) notifyUnauthorized();
    throw new ApiError(res.status, problem);
  }
  return data;
}

function notifyUnauthorized() {
  for (const listener of unauthorizedListeners) listener();
}

/** What went wrong, for people: the problem's detail and each field's message, or a network failure. */
export function renderProblem(container, error) {
  container.replaceChildren();
  container.hidden = false;
  const box = document.createElement('div');
  box.className = 'problem';
  box.setAttribute('role', 'alert');
  const message = document.createElement('p');
  message.className = 'problem-detail';
  if (error instanceof ApiError) {
    // Known codes in the reader's language; otherwise the server's own words.
    const known = error.code ? `problem.${error.code}` : null;
    message.textContent = known && has(known) ? t(known) : error.detail || error.title || t('error.unknown');
    box.append(message);
    if (error.fieldErrors.length > 0) {
      const list = document.createElement('ul');
      list.className = 'problem-fields';
      for (const field of error.fieldErrors) {
        const item = document.createElement('li');
        const name = document.createElement('strong');
        name.textContent = field.field;
        item.append(name, ` ${field.message}`);
        list.append(item);
      }
      box.append(list);
    }
    if (error.correlationId) {
      const reference = document.createElement('p');
      reference.className = 'problem-reference';
      reference.textContent = t('error.reference', { id: error.correlationId });
      box.append(reference);
    }
  } else {
    message.textContent = error instanceof TypeError ? t('error.network') : t('error.unknown');
    box.append(message);
  }
  container.append(box);
}
