// Helpers of the planner board: the planning API's addresses, times in the site's zone, durations, run polling.
import { api } from '../../api.js';
import { h } from '../../dom.js';
import { formatDateTime, formatNumber, formatPercent, t } from '../../i18n.js';

/** Roles that plan; everyone else sees the board without its buttons. */
export const PLANNER_ROLES = ['planner', 'admin'];

export function canPlan(session) {
  return (session?.user?.roles ?? []).some((role) => PLANNER_ROLES.includes(role));
}

export const planning = (siteId, path, options) => api(`/sites/${siteId}/planning/${path}`, options);
export const workOrders = (siteId, path, options) =>
  api(`/sites/${siteId}/work-orders${path ? `/${path}` : ''}`, options);

/** A run that has ended: its version no longer changes by itself. */
export const SETTLED = ['succeeded', 'failed', 'cancelled', 'published', 'superseded', 'discarded', 'draft'];
export const ACTIVE = ['queued', 'running'];

/** Minutes as "2 h 05 min" / "3 d 4 h" (whole minutes from the API; signed for deltas). */
export function duration(minutes, { signed = false } = {}) {
  if (minutes === null || minutes === undefined) return '—';
  const sign = minutes < 0 ? '−' : signed && minutes > 0 ? '+' : '';
  const total = Math.abs(Math.round(minutes));
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const mins = total % 60;
  let text;
  if (days > 0) text = t('planner.duration.dh', { d: formatNumber(days), h: formatNumber(hours) });
  else if (hours > 0) text = t('planner.duration.hm', { h: formatNumber(hours), m: formatNumber(mins) });
  else text = t('planner.duration.m', { m: formatNumber(mins) });
  return `${sign}${text}`;
}

/** A signed number (a KPI delta) in the reader's locale. */
export function signedNumber(value, options = {}) {
  if (value === null || value === undefined) return '—';
  const text = formatNumber(Math.abs(value), options);
  return value < 0 ? `−${text}` : value > 0 ? `+${text}` : text;
}

export function signedPercent(value) {
  if (value === null || value === undefined) return '—';
  const text = formatPercent(Math.abs(value));
  return value < 0 ? `−${text}` : value > 0 ? `+${text}` : text;
}

/** The wall-clock parts of an instant in a time zone. */
function zonedParts(ms, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour') % 24, mi: get('minute') };
}

/** A `datetime-local` value ("2026-05-04T16:00") read as the site's wall time → an ISO instant. */
export function zonedInputToIso(value, timeZone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value ?? '');
  if (!match) return null;
  const [y, mo, d, hh, mi] = match.slice(1).map(Number);
  const wanted = Date.UTC(y, mo - 1, d, hh, mi);
  let guess = wanted;
  // Two corrections settle the zone's offset (also across a daylight-saving change).
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(guess, timeZone);
    guess += wanted - Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi);
  }
  return new Date(guess).toISOString();
}

/** An instant as a `datetime-local` value in the site's wall time. */
export function isoToZonedInput(iso, timeZone) {
  const p = zonedParts(Date.parse(iso), timeZone);
  const two = (n) => String(n).padStart(2, '0');
  return `${p.y}-${two(p.mo)}-${two(p.d)}T${two(p.h)}:${two(p.mi)}`;
}

export function time(iso, site) {
  return iso ? h('time', { datetime: iso }, formatDateTime(iso, site.timeZone)) : '—';
}

/**
 * Follows a run until it settles: `onUpdate(version)` after every read. Pushes (`schedule.run`) call `poke()`
 * for an immediate read; the poll is the fallback while the socket is away. Returns `{stop, poke}`.
 */
export function followVersion(siteId, id, onUpdate, onError, everyMs = 1000) {
  let stopped = false;
  let timer = null;
  let reading = false;
  let again = false;
  const read = async () => {
    if (stopped) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    clearTimeout(timer);
    try {
      const version = await planning(siteId, `versions/${id}`);
      if (stopped) return;
      onUpdate(version);
      if (ACTIVE.includes(version.status)) timer = setTimeout(read, everyMs);
      else stopped = true;
    } catch (error) {
      if (stopped) return;
      onError(error);
      timer = setTimeout(read, everyMs * 3);
    } finally {
      reading = false;
      if (again && !stopped) {
        again = false;
        void read();
      }
    }
  };
  void read();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    poke: () => void read(),
  };
}

/** A labelled field: `<label><span>Label</span>control</label>`. */
export function field(label, control, extra = '') {
  return h('label', { class: `planner-field ${extra}`.trim() }, h('span', {}, label), control);
}

/** The figures of a schedule version's result (KPIs), as a definition list. */
export function kpiList(kpis, site) {
  if (!kpis) return null;
  const row = (name, label, value, alert = false) =>
    h(
      'div',
      { class: alert ? 'alert' : undefined },
      h('dt', {}, label),
      h('dd', { dataset: { kpi: name } }, value),
    );
  return h(
    'dl',
    { class: 'figures planner-kpis' },
    row('makespan', t('planner.kpi.makespan'), duration(kpis.makespanMinutes)),
    row('planEnd', t('planner.kpi.planEnd'), formatDateTime(kpis.planEnd, site.timeZone)),
    row(
      'lateOrders',
      t('planner.kpi.lateOrders'),
      `${formatNumber(kpis.lateOrderCount)} / ${formatNumber(kpis.orderCount)}`,
      kpis.lateOrderCount > 0,
    ),
    row('tardiness', t('planner.kpi.tardiness'), duration(kpis.totalTardinessMinutes)),
    row('setup', t('planner.kpi.setup'), duration(kpis.totalSetupMinutes)),
    row('utilisation', t('planner.kpi.utilisation'), formatPercent(kpis.averageUtilisation)),
    row('operations', t('planner.kpi.operations'), formatNumber(kpis.operationCount)),
  );
}

/** A version's name for people: its code, and its what-if name if it has one. */
export function versionLabel(v) {
  return v.name ? `${v.code} · ${v.name}` : v.code;
}

/** `element.replaceChildren` without the DOM's "null" text: nulls and falses are skipped, arrays flattened. */
export function fill(element, ...children) {
  element.replaceChildren(
    ...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false),
  );
}
