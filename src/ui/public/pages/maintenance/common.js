// Shared pieces of the maintenance page: roles, labels, times in the site's zone, small form helpers.
import { api, renderProblem } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, t, tOr } from '../../i18n.js';

export const STATUSES = ['open', 'assigned', 'in_progress', 'done', 'verified', 'cancelled'];
export const ACTIVE = ['open', 'assigned', 'in_progress'];
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
export const KINDS = ['corrective', 'preventive', 'improvement'];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** What the signed-in person may do here (the API decides in the end; this only hides what it would refuse). */
export function permissions(session) {
  const roles = session?.user?.roles ?? [];
  const any = (...names) => names.some((r) => roles.includes(r));
  return {
    work: any('admin', 'maintenance'),
    verify: any('admin', 'maintenance', 'quality'),
    raise: any('admin', 'maintenance', 'operator', 'planner', 'quality'),
    edit: any('admin', 'maintenance', 'planner'),
    read: any('admin', 'maintenance', 'operator'),
    issue: any('admin', 'maintenance', 'warehouse'),
    /** Assets, meters and PM plans set up (the API lets admin and maintenance do it). */
    setup: any('admin', 'maintenance'),
  };
}

let me = null;
/** The signed-in person (id, username, name) once per token: labour is booked per technician id. */
export async function whoAmI(session) {
  if (me && me.token === session?.token) return me.principal;
  const principal = await api('/auth/me');
  me = { token: session?.token, principal };
  return principal;
}

const technicianCache = new Map();
/**
 * The site's technicians (active maintenance people: id, username, name, assignable, openTickets) for the
 * "assign to" pickers; asked once per site for a few seconds (several cards share one answer).
 */
export function technicians(siteId, { fresh = false } = {}) {
  const cached = technicianCache.get(siteId);
  if (!fresh && cached && Date.now() - cached.at < 10_000) return cached.promise;
  const promise = api(`/sites/${siteId}/maintenance/technicians`);
  technicianCache.set(siteId, { at: Date.now(), promise });
  promise.catch(() => technicianCache.delete(siteId));
  return promise;
}

/** A `<select>` of the technicians a ticket can be assigned to, each with the work they hold. */
export function technicianSelect(list, { id, selected, placeholder = true } = {}) {
  const assignable = (list ?? []).filter((x) => x.assignable);
  return h(
    'select',
    { id, class: 'mt-tech-select', dataset: { technicians: String(assignable.length) } },
    placeholder ? h('option', { value: '' }, t('maintenance.assign.pick')) : null,
    assignable.map((x) =>
      h(
        'option',
        { value: x.id, selected: x.id === selected, dataset: { username: x.username } },
        t('maintenance.assign.option', { name: x.name, count: formatNumber(x.openTickets) }),
      ),
    ),
  );
}

export const statusLabel = (status) => tOr('maintenance.status', status);
export const priorityLabel = (priority) => tOr('maintenance.priority', priority);
export const kindLabel = (kind) => tOr('maintenance.kind', kind);

export function statusBadge(status) {
  return h(
    'span',
    { class: `badge mt-status mt-status-${status}`, dataset: { status } },
    statusLabel(status),
  );
}

export function priorityBadge(priority) {
  return h(
    'span',
    { class: `badge mt-prio mt-prio-${priority}`, dataset: { priority } },
    priorityLabel(priority),
  );
}

export function kindBadge(kind) {
  return h('span', { class: `badge mt-kind mt-kind-${kind}` }, kindLabel(kind));
}

/** A span of time for people: minutes, hours or days (one decimal above an hour). */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  if (abs < HOUR) return t('maintenance.duration.minutes', { n: formatNumber(Math.round(ms / MINUTE)) });
  if (abs < 2 * DAY) {
    return t('maintenance.duration.hours', {
      n: formatNumber(ms / HOUR, { maximumFractionDigits: 1 }),
    });
  }
  return t('maintenance.duration.days', { n: formatNumber(ms / DAY, { maximumFractionDigits: 1 }) });
}

export function formatMinutes(minutes) {
  return formatDuration(minutes * MINUTE);
}

/** `<time>` in the site's zone. */
export function time(iso, site) {
  if (!iso) return '—';
  return h('time', { datetime: iso }, formatDateTime(iso, site.timeZone));
}

/** The date (YYYY-MM-DD) an instant falls on in the site's zone. */
export function localDate(iso, timeZone) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(iso));
  const get = (type) => parts.find((p) => p.type === type)?.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** `YYYY-MM-DDTHH:MM` (a datetime-local input) read as the site's wall clock → ISO instant. */
export function zonedToIso(local, timeZone) {
  if (!local) return null;
  const [date, clock = '00:00'] = local.split('T');
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = clock.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  // The zone's offset at that wall time (twice, for the days the clocks change).
  let guess = wall - offsetAt(wall, timeZone);
  guess = wall - offsetAt(guess, timeZone);
  return new Date(guess).toISOString();
}

/** An instant as `YYYY-MM-DDTHH:MM` on the site's wall clock (for datetime-local inputs). */
export function isoToZoned(iso, timeZone) {
  if (!iso) return '';
  const at = new Date(iso).getTime();
  const wall = new Date(at + offsetAt(at, timeZone));
  return wall.toISOString().slice(0, 16);
}

function offsetAt(instant, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** A labelled form field; `input` is the control (its id ties the label). */
export function field(labelKey, input, hint) {
  return h(
    'label',
    { class: 'mt-field' },
    h('span', { class: 'mt-label' }, t(labelKey)),
    input,
    hint ? h('span', { class: 'muted small' }, hint) : null,
  );
}

/** A problem box that can be filled by renderProblem and emptied again. */
export function problemBox(id) {
  return h('div', { class: 'mt-problem', id, hidden: true, 'aria-live': 'polite' });
}

export function showProblem(box, error) {
  if (!box) return;
  renderProblem(box, error);
}

export function clearProblem(box) {
  if (!box) return;
  box.replaceChildren();
  box.hidden = true;
}

/** A button that runs `action` once at a time (disabled while it runs). */
export function actionButton(label, action, { primary = false, name, danger = false } = {}) {
  const button = h(
    'button',
    {
      type: 'button',
      class: `button ${primary ? 'primary' : ''} ${danger ? 'mt-danger' : ''}`.trim(),
      dataset: name ? { action: name } : undefined,
    },
    label,
  );
  button.addEventListener('click', async () => {
    if (button.disabled) return;
    button.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

export function newKey() {
  return crypto.randomUUID();
}

export function link(href, text, attributes = {}) {
  return h('a', { href, 'data-link': true, ...attributes }, text);
}

export const ticketHref = (idOrCode) => `/maintenance?view=ticket&id=${encodeURIComponent(idOrCode)}`;
export const assetHref = (idOrCode) => `/maintenance?view=asset&id=${encodeURIComponent(idOrCode)}`;

/** Calls `fn` at most once per `ms` for a burst of calls (pushes arriving together). */
export function coalesce(fn, ms = 150) {
  let timer = null;
  const run = () => {
    timer = null;
    fn();
  };
  const call = () => {
    timer ??= setTimeout(run, ms);
  };
  call.cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  return call;
}

/** Replaces an element's children (arrays flattened, null and false left out). */
export function fill(element, ...children) {
  element.replaceChildren(...flat(children));
  return element;
}

/** Appends children (arrays flattened, null and false left out). */
export function add(element, ...children) {
  element.append(...flat(children));
  return element;
}

function flat(children) {
  return children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false);
}
