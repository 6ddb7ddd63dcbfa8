// Helpers shared by the views of the quality page.
import { ApiError, api, renderProblem } from '../../api.js';
import { h } from '../../dom.js';
import { formatNumber, locale, t, tOr } from '../../i18n.js';

/** `/sites/{siteId}/quality/…` */
export const qualityPath = (siteId, path) => `/sites/${siteId}/quality/${path}`;

/** The person's roles decide which buttons are offered; the API still decides. */
export function rolesOf(ctx) {
  const roles = ctx.session?.user?.roles ?? [];
  return {
    /** Inspections, NCR review/containment/closing, limits, exclusions, lot holds. */
    canAct: roles.includes('quality') || roles.includes('admin'),
    /** The disposition is signed by a quality engineer only. */
    canDispose: roles.includes('quality'),
  };
}

/** A key for an Idempotency-Key header (also where crypto.randomUUID is not offered, e.g. plain HTTP). */
export function newKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The Chinese name when the page speaks Chinese and there is one. */
export function localName(item) {
  if (!item) return '';
  return locale() === 'zh-CN' && item.nameZh ? item.nameZh : (item.name ?? '');
}

/** A statistic from the SPC API (a float): up to 4 decimals, as the chart shows it. */
export function stat(value, digits = 4) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return formatNumber(value, { maximumFractionDigits: digits });
}

/** A capability index: always two decimals. */
export function index2(value) {
  if (value === null || value === undefined) return '—';
  return formatNumber(value, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** A status badge from a label family (`quality.inspectionStatus.pending` …). */
export function badge(family, value, tone = '') {
  return h(
    'span',
    { class: `badge q-badge q-${family}-${value} ${tone}`.trim(), dataset: { value } },
    tOr(`quality.${family}`, value),
  );
}

/** A `dl` of figures: [label, value, name]. */
export function facts(items, className = 'q-facts') {
  return h(
    'dl',
    { class: className },
    items
      .filter(Boolean)
      .map(([label, value, name]) =>
        h('div', {}, h('dt', {}, label), h('dd', { dataset: { fact: name } }, value ?? '—')),
      ),
  );
}

/** A region for an API problem, empty and hidden until something goes wrong. */
export function problemBox(id) {
  return h('div', { class: 'q-problem', id, hidden: true });
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

/** A wrong password at signing, said plainly (the shared label speaks of the username too). */
export function isWrongPassword(error) {
  return error instanceof ApiError && error.code === 'INVALID_CREDENTIALS';
}

/** A labelled form control: `field('Note', input)`. */
export function field(label, control, hint) {
  return h(
    'label',
    { class: 'q-field' },
    h('span', { class: 'q-field-label' }, label),
    control,
    hint ? h('span', { class: 'muted small' }, hint) : null,
  );
}

/** Options of a select, with the selected one. */
export function options(list, selected) {
  return list.map(([value, label]) => h('option', { value, selected: value === selected }, label));
}

/** Reads every page of a paged list (items/total) up to `max` items. */
export async function readAll(path, query = {}, max = 500) {
  const items = [];
  for (let offset = 0; offset < max; offset += 200) {
    const page = await api(path, { query: { ...query, limit: 200, offset } });
    items.push(...page.items);
    if (items.length >= page.total || page.items.length === 0) break;
  }
  return items;
}

/** Replaces an element's children, leaving out the parts that are not shown (null, false). */
export function fill(element, ...children) {
  element.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** The empty-state line of a list. */
export function empty(text) {
  return h('p', { class: 'muted q-empty' }, text);
}

export { t };
